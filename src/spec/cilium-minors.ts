import * as semver from 'semver';

/**
 * The Cilium minors of the version matrix (1.18, 1.19, 1.20, and the 1.21 development preview): per minor, the
 * newest chart release in the reference store,
 * the Kubernetes range it is tested on, its Gateway API pairing, the apiVersions and policy enums of its
 * CRDs, and the Helm values keys it removed. Pure data and lookups; every row cites its upstream source.
 *
 * Cilium chart versions have no `v`: `1.20.0` (what `helm --version` takes).
 */

/**
 * A Cilium minor this library writes Helm values and manifests for: the supported minors 1.18, 1.19 and 1.20, and
 * the 1.21 preview (a development pre-release, used only with `allowPreRelease`; see {@link CiliumMinorFacts.preRelease}).
 */
export type CiliumMinor = '1.18' | '1.19' | '1.20' | '1.21';

/** Every Cilium minor of the matrix, oldest first, the 1.21 preview included. */
export const CILIUM_MINORS: readonly CiliumMinor[] = ['1.18', '1.19', '1.20', '1.21'];

/** What to install from Gateway API before Cilium, and which apiVersions Cilium's operator watches. */
export interface CiliumGatewayApiFacts {
  /** The Gateway API release this Cilium minor is built, tested and documented with. */
  readonly release: string;
  /**
   * Oldest Gateway API release the operator can run with at all (it requires these kinds at these
   * versions and does not start the Gateway controller otherwise). Below this, nothing can override.
   */
  readonly minimum: string;
  /** Kinds and versions the operator requires (`operator/pkg/gateway-api`). */
  readonly requiredKinds: readonly string[];
  /** Kinds the operator uses when present. */
  readonly optionalKinds: readonly string[];
  /** Experimental CRD files to install on top of `standard-install.yaml` (paths under `config/crd/`). */
  readonly extraCrds: readonly string[];
  /** `apiVersion` to emit for ReferenceGrant (the version the operator watches). */
  readonly referenceGrantApiVersion: string;
  /** `apiVersion` to emit for TLSRoute. */
  readonly tlsRouteApiVersion: string;
  /** Upstream provenance. */
  readonly source: string;
}

/** The per-minor facts of one Cilium minor. */
export interface CiliumMinorFacts {
  /** `1.18`, `1.19`, `1.20` or `1.21`. */
  readonly minor: CiliumMinor;
  /**
   * True for a development pre-release (1.21.0-pre.0): not a supported release. Its one release
   * ({@link latestPatch}) is accepted only with `allowPreRelease: true` and is never a default or a suggestion
   * that lacks the opt-in; every other version of the minor is refused.
   */
  readonly preRelease: boolean;
  /**
   * Newest patch release in the reference store, the default chart version for the minor; for a pre-release
   * row, the pre-release itself (`1.21.0-pre.0`), the only version of the minor accepted.
   */
  readonly latestPatch: string;
  /**
   * The releases of the minor validated offline, newest first: those whose official chart archive is in the
   * reference store (`cilium-charts/`, with its sha256 in `SHA256SUMS`), which the tests render every preset
   * with. Any other stable patch of a supported minor is accepted too (patch releases keep the minor's values keys).
   */
  readonly validatedPatches: readonly string[];
  /** cilium/cilium commit of {@link latestPatch}. */
  readonly latestPatchCommit: string;
  /** sha256 of the official chart archive `cilium-<latestPatch>.tgz` from cilium/charts. */
  readonly chartSha256: string;
  /** Where {@link latestPatch} and the digest come from. */
  readonly releaseSource: string;
  /**
   * Kubernetes minors the minor is end-to-end tested on, inclusive (`X.Y`). The chart itself only
   * declares `kubeVersion: >= 1.21.0-0`; this range is the documented, tested one.
   */
  readonly kubernetes: { readonly min: string; readonly max: string; readonly source: string };
  /** kind release and node image Cilium's own CI uses for this minor. */
  readonly ciKind: { readonly kindRelease: string; readonly nodeImage: string; readonly source: string };
  /** Gateway API pairing. */
  readonly gatewayApi: CiliumGatewayApiFacts;
  /** apiVersions to emit for Cilium's own resources. */
  readonly apiVersions: {
    /** CiliumLoadBalancerIPPool: `cilium.io/v2` (v2alpha1 is served, deprecated from 1.19). */
    readonly loadBalancerIpPool: string;
    /** CiliumL2AnnouncementPolicy: `cilium.io/v2alpha1` (no v2 exists in 1.18-1.20). */
    readonly l2AnnouncementPolicy: string;
    /** CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: `cilium.io/v2` only. */
    readonly networkPolicy: string;
    /** CiliumCIDRGroup: `cilium.io/v2` (v2alpha1 served, deprecated). */
    readonly cidrGroup: string;
    readonly source: string;
  };
  /** Enums of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy `v2` (identical in both CRDs). */
  readonly networkPolicy: {
    /** `toPorts[].ports[].protocol` (and the other port-protocol fields). */
    readonly protocols: readonly string[];
    /** `toEntities` / `fromEntities` items. */
    readonly entities: readonly string[];
    /** Whether `toPorts[].rules.kafka` (and `l7`/`l7proto`) exist in the CRD. Removed in 1.20. */
    readonly kafkaRules: boolean;
    /** `toRequires`/`fromRequires` must be empty (`maxItems: 0`) from 1.19. */
    readonly requiresMustBeEmpty: boolean;
    readonly source: string;
  };
  /** Helm chart facts. */
  readonly helm: {
    /** Values keys removed *in this minor* (dotted paths); removals are cumulative, see {@link removedHelmKeys}. */
    readonly removedKeys: readonly string[];
    /**
     * Whether `k8sServiceHost: auto` renders under plain `helm template` (no cluster to look up): a concern of the tests
     * that render values offline. A live install looks it up in `kube-public/cluster-info`, which kubeadm creates.
     */
    readonly k8sServiceHostAutoRendersOffline: boolean;
    readonly source: string;
  };
}

/** The Cilium minors of the matrix, oldest first: the three supported minors, then the 1.21 preview. */
export const CILIUM_MINOR_FACTS: readonly CiliumMinorFacts[] = [
  {
    minor: '1.18',
    preRelease: false,
    latestPatch: '1.18.12',
    validatedPatches: ['1.18.12', '1.18.4'],
    latestPatchCommit: 'c2cd21cf99352ac16f451c684ba62807b18542e3',
    chartSha256: '5923f9d9fcb11bc4692ad52353cc791b935d96e09ba0c535c5a8b88ea8a37572',
    releaseSource: 'cilium/charts commit ee5ca22d "Add cilium v1.18.12@c2cd21cf" (2026-07-16), cilium-1.18.12.tgz',
    kubernetes: {
      min: '1.30',
      max: '1.33',
      source: 'cilium v1.18.4 Documentation/network/kubernetes/requirements.rst and compatibility.rst (both 1.30-1.33)',
    },
    ciKind: {
      kindRelease: 'v0.30.0',
      nodeImage: 'quay.io/cilium/kindest-node:v1.33.0',
      source: 'cilium v1.18.4 .github/actions/set-env-variables/action.yml',
    },
    gatewayApi: {
      release: 'v1.3.0',
      minimum: 'v1.1.0',
      requiredKinds: ['GatewayClass v1', 'Gateway v1', 'HTTPRoute v1', 'GRPCRoute v1', 'ReferenceGrant v1beta1'],
      optionalKinds: ['TLSRoute v1alpha2', 'ServiceImport'],
      extraCrds: ['experimental/gateway.networking.k8s.io_tlsroutes.yaml'],
      referenceGrantApiVersion: 'gateway.networking.k8s.io/v1beta1',
      tlsRouteApiVersion: 'gateway.networking.k8s.io/v1alpha2',
      source: 'cilium v1.18 branch Documentation/network/servicemesh/gateway-api/installation.rst says v1.3.0 (commit b75049f202, from 1.18.9); '
        + 'required kinds: operator/pkg/gateway-api/cell.go; minimum v1.1.0 = first release serving GRPCRoute v1',
    },
    apiVersions: {
      loadBalancerIpPool: 'cilium.io/v2',
      l2AnnouncementPolicy: 'cilium.io/v2alpha1',
      networkPolicy: 'cilium.io/v2',
      cidrGroup: 'cilium.io/v2',
      source: 'cilium v1.18.3/v1.18.4 pkg/k8s/apis/cilium.io/client/crds (served versions)',
    },
    networkPolicy: {
      protocols: ['TCP', 'UDP', 'SCTP', 'ANY'],
      entities: ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'],
      kafkaRules: true,
      requiresMustBeEmpty: false,
      source: 'cilium v1.18.4 pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml (blob be6a1022) and ciliumclusterwidenetworkpolicies.yaml',
    },
    helm: {
      removedKeys: [],
      k8sServiceHostAutoRendersOffline: true,
      source: 'cilium-1.18.12.tgz templates/_helpers.tpl: `auto` falls back to the literal string when the cluster-info lookup is empty',
    },
  },
  {
    minor: '1.19',
    preRelease: false,
    latestPatch: '1.19.6',
    validatedPatches: ['1.19.6'],
    latestPatchCommit: '9a8982433e18019e290b8199c0c4ad24f66befe8',
    chartSha256: '21c43cf53841f9ab0375047d95aa4c64051ea52bbd2c679416e6408f5f1c9179',
    releaseSource: 'cilium/charts commit 3934d0b7 "Add cilium v1.19.6@9a898243" (2026-07-16), cilium-1.19.6.tgz',
    kubernetes: {
      // The docs disagree: requirements.rst says 1.31-1.34, compatibility.rst says 1.32-1.35. The union is taken:
      // every minor in it is named as tested by one of the two pages, and 1.35 is what Cilium's own 1.19 CI runs.
      min: '1.31',
      max: '1.35',
      source: 'cilium v1.19.4 Documentation/network/kubernetes/requirements.rst (blob 5bbb0b87: 1.31-1.34) and compatibility.rst '
        + '(blob 50fd281e: 1.32-1.35); union taken, 1.35 confirmed by the 1.19 CI (kind v0.31.0, kindest-node v1.35.0)',
    },
    ciKind: {
      kindRelease: 'v0.31.0',
      nodeImage: 'quay.io/cilium/kindest-node:v1.35.0',
      source: 'cilium v1.19.4 .github/actions/set-env-variables/action.yml (blob 5344c38b)',
    },
    gatewayApi: {
      release: 'v1.4.1',
      minimum: 'v1.1.0',
      requiredKinds: ['GatewayClass v1', 'Gateway v1', 'HTTPRoute v1', 'GRPCRoute v1', 'ReferenceGrant v1beta1'],
      optionalKinds: ['TLSRoute v1alpha2', 'ServiceImport'],
      extraCrds: ['experimental/gateway.networking.k8s.io_tlsroutes.yaml'],
      referenceGrantApiVersion: 'gateway.networking.k8s.io/v1beta1',
      tlsRouteApiVersion: 'gateway.networking.k8s.io/v1alpha2',
      source: 'cilium v1.19.4 Documentation/network/servicemesh/gateway-api/installation.rst says v1.4.1 (commit 6ceb0de0b8, from 1.19.1); '
        + 'go.mod v1.4.0-rc.2; required kinds: operator/pkg/gateway-api/cell.go (blob 09c33422)',
    },
    apiVersions: {
      loadBalancerIpPool: 'cilium.io/v2',
      l2AnnouncementPolicy: 'cilium.io/v2alpha1',
      networkPolicy: 'cilium.io/v2',
      cidrGroup: 'cilium.io/v2',
      source: 'cilium v1.19.4 (95e477fd) pkg/k8s/apis/cilium.io/client/crds; upgrade notes: LB-IPAM v2alpha1 deprecated',
    },
    networkPolicy: {
      protocols: ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'],
      entities: ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'],
      kafkaRules: true,
      requiresMustBeEmpty: true,
      source: 'cilium v1.19.4 (95e477fd) crds/v2/ciliumnetworkpolicies.yaml (blob ff4e0b6e) and ciliumclusterwidenetworkpolicies.yaml (blob 5eb06134)',
    },
    helm: {
      removedKeys: [
        'nodePort.enabled', 'svcSourceRangeCheck', 'customCalls.enabled', 'l2podAnnouncements.interface',
        'clustermesh.apiserver.tls.client.cert', 'clustermesh.apiserver.tls.client.key',
      ],
      k8sServiceHostAutoRendersOffline: false,
      source: 'cilium-1.18.12.tgz vs cilium-1.19.6.tgz values.yaml/values.schema.json; 1.19.6 templates/_helpers.tpl '
        + '`k8sServiceHost` fails "ConfigMap kube-public/cluster-info not found" when the lookup is empty',
    },
  },
  {
    minor: '1.20',
    preRelease: false,
    latestPatch: '1.20.0',
    validatedPatches: ['1.20.0'],
    latestPatchCommit: '450c53145dc0a872ae20dfb05598c94ef55a71e2',
    chartSha256: 'c5f013912360d1a334f44ef25f36da59ba3414cdb48f466ee12d0c4fdff27883',
    releaseSource: 'cilium/charts commit d5f3d1cc "Add cilium v1.20.0@450c5314" (2026-07-29), cilium-1.20.0.tgz',
    kubernetes: {
      min: '1.33',
      max: '1.36',
      source: 'cilium v1.20 branch point 3ab8efdd Documentation/network/kubernetes/requirements.rst (53133a84) and compatibility.rst (07cb46fb), both 1.33-1.36',
    },
    ciKind: {
      kindRelease: 'v0.32.0',
      nodeImage: 'quay.io/cilium/kindest-node:v1.36.0',
      source: 'cilium v1.20 branch point .github/actions/set-env-variables/action.yml (blob 8af4a59a)',
    },
    gatewayApi: {
      release: 'v1.6.1',
      minimum: 'v1.6.1',
      requiredKinds: [
        'GatewayClass v1', 'Gateway v1', 'HTTPRoute v1', 'GRPCRoute v1', 'TLSRoute v1', 'ReferenceGrant v1', 'BackendTLSPolicy v1',
      ],
      optionalKinds: ['ListenerSet v1', 'TCPRoute v1', 'UDPRoute v1', 'ServiceImport v1beta1'],
      extraCrds: [],
      referenceGrantApiVersion: 'gateway.networking.k8s.io/v1',
      tlsRouteApiVersion: 'gateway.networking.k8s.io/v1',
      source: 'cilium upgrade-current.inc (main daf23310, PR #47408, backported by #47538): "requires Gateway API v1.6.1 at a minimum"; '
        + 'go.mod v1.6.1 (PR #47274, backported by #47397); required kinds: operator/pkg/gateway-api/helpers/schemes.go (blob 5c0ecdef)',
    },
    apiVersions: {
      loadBalancerIpPool: 'cilium.io/v2',
      l2AnnouncementPolicy: 'cilium.io/v2alpha1',
      networkPolicy: 'cilium.io/v2',
      cidrGroup: 'cilium.io/v2',
      source: 'cilium main f59cf600 (= v1.20 branch point 3ab8efdd + PR #47225) pkg/k8s/apis/cilium.io/client/crds',
    },
    networkPolicy: {
      protocols: ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH', 'ANY'],
      entities: [
        'all', 'world', 'cluster', 'cluster-mesh', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver',
      ],
      kafkaRules: false,
      requiresMustBeEmpty: true,
      source: 'cilium main f59cf600 crds/v2/ciliumnetworkpolicies.yaml (blob 071ae6c5) and ciliumclusterwidenetworkpolicies.yaml (blob 295a64f8); '
        + '`cluster-mesh` entity from PR #47225, in v1.20.0 via backport PR #47397',
    },
    helm: {
      removedKeys: [
        'clustermesh.apiserver.tls.server.cert', 'clustermesh.apiserver.tls.server.key', 'clustermesh.apiserver.tls.server.extraDnsNames',
        'clustermesh.apiserver.tls.server.extraIpAddresses', 'clustermesh.apiserver.tls.admin.cert', 'clustermesh.apiserver.tls.admin.key',
        'clustermesh.apiserver.tls.remote.cert', 'clustermesh.apiserver.tls.remote.key', 'clustermesh.apiserver.tls.enableSecrets',
        'clustermesh.enableMCSAPISupport', 'encryption.strictMode.enabled', 'encryption.strictMode.cidr',
        'encryption.strictMode.allowRemoteNodeIdentities', 'encryption.ipsec.encryptedOverlay', 'hubble.redact.kafka.apiKey',
        'hubble.ui.backend.livenessProbe.enabled', 'hubble.ui.backend.readinessProbe.enabled', 'preflight.tofqdnsPreCache',
      ],
      k8sServiceHostAutoRendersOffline: false,
      source: 'cilium-1.19.6.tgz vs cilium-1.20.0.tgz values.yaml/values.schema.json; 1.20.0 templates/_helpers.tpl as in 1.19',
    },
  },
  {
    minor: '1.21',
    preRelease: true,
    latestPatch: '1.21.0-pre.0',
    validatedPatches: ['1.21.0-pre.0'],
    latestPatchCommit: 'e864986222d3b2d9fad0fc508cb875687e718f96',
    chartSha256: 'b90f9b6b67d5669d143ff18f501caf856c220629ceacc149f5977b1fa8ab212e',
    releaseSource: 'cilium/charts commit 009b5e95 "Add cilium v1.21.0-pre.0@e864986" (2026-08-03), cilium-1.21.0-pre.0.tgz, built from '
      + 'cilium main ("Prepare for release v1.21.0-pre.0")',
    kubernetes: {
      min: '1.33',
      max: '1.36',
      source: 'cilium e864986 (v1.21.0-pre.0) Documentation/network/kubernetes/requirements.rst and compatibility.rst, both 1.33-1.36',
    },
    ciKind: {
      kindRelease: 'v0.32.0',
      nodeImage: 'quay.io/cilium/kindest-node:v1.36.0',
      source: 'cilium e864986 (v1.21.0-pre.0) .github/actions/set-env-variables/action.yml',
    },
    gatewayApi: {
      release: 'v1.6.1',
      minimum: 'v1.6.1',
      requiredKinds: [
        'GatewayClass v1', 'Gateway v1', 'HTTPRoute v1', 'GRPCRoute v1', 'TLSRoute v1', 'ReferenceGrant v1', 'BackendTLSPolicy v1',
      ],
      optionalKinds: ['ListenerSet v1', 'TCPRoute v1', 'UDPRoute v1', 'ServiceImport v1beta1'],
      extraCrds: [],
      referenceGrantApiVersion: 'gateway.networking.k8s.io/v1',
      tlsRouteApiVersion: 'gateway.networking.k8s.io/v1',
      source: 'cilium e864986 (v1.21.0-pre.0) go.mod sigs.k8s.io/gateway-api v1.6.1 and Documentation/network/servicemesh/gateway-api/'
        + 'installation.rst (v1.6.1); required kinds as in 1.20 (operator/pkg/gateway-api/helpers/schemes.go)',
    },
    apiVersions: {
      loadBalancerIpPool: 'cilium.io/v2',
      l2AnnouncementPolicy: 'cilium.io/v2alpha1',
      networkPolicy: 'cilium.io/v2',
      cidrGroup: 'cilium.io/v2',
      source: 'cilium e864986 (v1.21.0-pre.0) pkg/k8s/apis/cilium.io/client/crds: the five CRDs are byte-identical to 1.20\'s '
        + '(blobs 13128612, ad90d00c, 071ae6c5, 295a64f8, f715409f); CRD schema version 1.34.2',
    },
    networkPolicy: {
      protocols: ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH', 'ANY'],
      entities: [
        'all', 'world', 'cluster', 'cluster-mesh', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver',
      ],
      kafkaRules: false,
      requiresMustBeEmpty: true,
      source: 'cilium e864986 (v1.21.0-pre.0) crds/v2/ciliumnetworkpolicies.yaml (blob 071ae6c5) and ciliumclusterwidenetworkpolicies.yaml '
        + '(blob 295a64f8), the same blobs as 1.20',
    },
    helm: {
      removedKeys: [],
      k8sServiceHostAutoRendersOffline: false,
      source: 'cilium-1.20.0.tgz vs cilium-1.21.0-pre.0.tgz values.yaml/values.schema.json: no key removed, 16 added (values-by-minor.ts); '
        + 'templates/_helpers.tpl `k8sServiceHost` as in 1.20',
    },
  },
];

/** The supported (stable) minors' facts, oldest first: the ones defaults and plain suggestions may name. */
export const STABLE_CILIUM_MINOR_FACTS: readonly CiliumMinorFacts[] = CILIUM_MINOR_FACTS.filter((f) => !f.preRelease);

/** Default Cilium chart version: the latest patch of the newest supported (stable) minor; never a pre-release. */
export const DEFAULT_CILIUM_VERSION = '1.20.0';

/**
 * The minor of a Cilium chart version in its normalised spelling ({@link normalizeCiliumVersion}): a stable
 * `X.Y.Z` of a supported minor, or exactly the pre-release of a preview row (`1.21.0-pre.0` → `1.21`; whether
 * it may be used is `allowPreRelease`'s business). `1.20.0` → `1.20`; `v1.20.0` (not normalised), `1.20`,
 * `1.20.0-rc.0`, `1.17.3`, `1.21.0` and `1.21.0-pre.1` → `undefined`.
 */
export function ciliumMinorOf(version: string): CiliumMinor | undefined {
  if (semver.valid(version) !== version) return undefined;
  const minor = `${semver.major(version)}.${semver.minor(version)}`;
  const facts = CILIUM_MINOR_FACTS.find((f) => f.minor === minor);
  if (facts === undefined) return undefined;
  if (facts.preRelease) return version === facts.latestPatch ? facts.minor : undefined;
  return semver.prerelease(version) === null ? facts.minor : undefined;
}

/**
 * A Cilium chart version as written in `ciliumVersion`, in the spelling of cilium/charts: a leading `v`
 * before a digit is dropped (`v1.20.0` → `1.20.0`), as `helm --version` resolves it (Masterminds semver
 * takes an optional `v`); anything else is returned unchanged. The one place the `v` is dropped.
 */
export function normalizeCiliumVersion(version: string): string {
  return /^v\d/.test(version) ? version.slice(1) : version;
}

/** The facts of a supported Cilium minor. */
export function ciliumMinorFacts(minor: CiliumMinor): CiliumMinorFacts {
  return CILIUM_MINOR_FACTS.find((f) => f.minor === minor)!;
}

/**
 * Values keys that must never be emitted for a minor (dotted paths): every key removed in this minor
 * or an earlier supported one. A removed key is silently ignored by the chart (the schema has no
 * `additionalProperties: false`), so emitting one means a setting that quietly does nothing.
 */
export function removedHelmKeys(minor: CiliumMinor): readonly string[] {
  const upTo = CILIUM_MINORS.indexOf(minor);
  return CILIUM_MINOR_FACTS.slice(0, upTo + 1).flatMap((f) => f.helm.removedKeys);
}
