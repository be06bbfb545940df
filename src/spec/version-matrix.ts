import * as semver from 'semver';
import { checkProps, propsShape } from '../private/props';

/**
 * The one version matrix of the library: which Cilium, Kubernetes (kind node image), Gateway API and
 * cert-manager releases are built for each other, and the per-minor facts the renderers need
 * (apiVersions, CRD enums, Helm keys).
 *
 * Pure data and pure functions; nothing here reads files or imports the rest of `src/`. Every row
 * carries a `source` naming the upstream file, document or PR the fact was read from (the provenance
 * of each is recorded in the reference folder's `VERSIONS.md` and `VERSIONS-SOURCES.md`).
 *
 * Version spellings, as upstream writes them:
 * - Cilium chart versions have no `v`: `1.20.0` (what `helm --version` takes).
 * - Kubernetes versions have no `v` here: `1.36.1` (a patch) or `1.36` (a minor).
 * - kind, Gateway API and cert-manager releases have a `v`: `v0.32.0`, `v1.6.1`, `v1.20.3`.
 */

/** A Cilium minor this library writes Helm values and manifests for. */
export type CiliumMinor = '1.18' | '1.19' | '1.20';

/** The supported Cilium minors, oldest first. */
export const CILIUM_MINORS: readonly CiliumMinor[] = ['1.18', '1.19', '1.20'];

/**
 * One refused version choice, shaped like `Violation` in `src/errors.ts` (`rule`, `field`, `problem`,
 * `fix`) so callers can throw or collect it unchanged.
 */
export interface VersionViolation {
  /** Stable rule id, one of {@link VERSION_RULE_IDS}. */
  readonly rule: VersionRuleId;
  /** The offending input key, prefixed with the caller's `field` (e.g. `dev.kubernetesVersion`). */
  readonly field: string;
  /** What is wrong, naming the value and the upstream reason. */
  readonly problem: string;
  /** What to change; names at least one valid combination (the values in {@link suggestions}). */
  readonly fix: string;
  /**
   * Alternative input changes, each of which removes this violation (merge one into the input and
   * resolve again). The `fix` text is written from these. An `undefined` value means "remove the key".
   */
  readonly suggestions: readonly Partial<ComponentVersionInput>[];
}

/**
 * Rule ids of {@link resolveComponentVersions}, so a rule registry can declare them. The first three
 * keep the ids of the former single-minor `version-matrix` rule.
 */
export const VERSION_RULES = {
  /** `ciliumVersion` is not a stable `X.Y.Z` release of a supported minor (1.18, 1.19, 1.20). */
  ciliumVersionUnsupported: 'cilium-version-unsupported',
  /** `gatewayApi` is not the release the Cilium minor pairs with (overridable by `allowUnsupportedPair`). */
  gatewayApiCiliumMismatch: 'gateway-api-cilium-mismatch',
  /** `certManager` is not one of the checked releases (overridable by `allowUnsupportedPair` when well-formed). */
  certManagerUnsupported: 'cert-manager-version-unsupported',
  /** `gatewayApi` is older than the Cilium operator's hard minimum (never overridable). */
  gatewayApiBelowCiliumMinimum: 'gateway-api-below-cilium-minimum',
  /** `gatewayApi` is not a `vX.Y.Z` release tag. */
  gatewayApiVersionInvalid: 'gateway-api-version-invalid',
  /** `kubernetesVersion` is not `X.Y` or `X.Y.Z`. */
  kubernetesVersionInvalid: 'kubernetes-version-invalid',
  /** The Kubernetes version is outside the Cilium minor's tested range (overridable by `allowUnsupportedPair`). */
  kubernetesOutsideCiliumRange: 'kubernetes-version-outside-cilium-range',
  /** `kindRelease` is not one of the kind releases in the matrix. */
  kindReleaseUnsupported: 'kind-release-unsupported',
  /** The kind release publishes no digest-pinned node image for that Kubernetes version. */
  kindNodeImageUnavailable: 'kind-node-image-unavailable',
  /** A custom `nodeImage` is not pinned by `@sha256:` digest. */
  kindNodeImageNotPinned: 'kind-node-image-not-pinned',
  /** `nodeImage` and `kubernetesVersion` name different Kubernetes versions. */
  kindNodeImageKubernetesMismatch: 'kind-node-image-kubernetes-mismatch',
  /** `nodeImage` is an image published with another kind release than `kindRelease` (overridable by `allowUnsupportedPair`). */
  kindNodeImageReleaseMismatch: 'kind-node-image-release-mismatch',
} as const;

/** A rule id of {@link VERSION_RULES}. */
export type VersionRuleId = typeof VERSION_RULES[keyof typeof VERSION_RULES];

/** Every rule id {@link resolveComponentVersions} can report. */
export const VERSION_RULE_IDS: readonly VersionRuleId[] = Object.values(VERSION_RULES);

// ---------------------------------------------------------------------------------------------
// Gateway API
// ---------------------------------------------------------------------------------------------

/** A Gateway API release as installed for a Cilium minor. */
export interface GatewayApiRelease {
  /** Release tag, e.g. `v1.6.1`. */
  readonly version: string;
  /** CRD kinds in the release's `standard-install.yaml`. */
  readonly standardCrds: readonly string[];
  /** Files of `config/crd/standard/` at the tag (what `standard-install.yaml` concatenates). */
  readonly standardFiles: readonly string[];
  /** Non-CRD objects in `standard-install.yaml` (v1.6.1's safe-upgrade ValidatingAdmissionPolicy + Binding). */
  readonly standardNonCrdObjects: readonly string[];
  /** `ReferenceGrant` versions the standard CRD serves. */
  readonly referenceGrantServed: readonly string[];
  /** Versions the *experimental* TLSRoute CRD serves (`config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml`). */
  readonly experimentalTlsRouteServed: readonly string[];
  /** Upstream provenance. */
  readonly source: string;
}

/** The Gateway API releases of the matrix (one per Cilium minor). */
export const GATEWAY_API_RELEASES: readonly GatewayApiRelease[] = [
  {
    version: 'v1.3.0',
    standardCrds: ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'],
    standardFiles: [
      'gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml', 'gateway.networking.k8s.io_grpcroutes.yaml',
      'gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_referencegrants.yaml',
    ],
    standardNonCrdObjects: [],
    referenceGrantServed: ['v1beta1'],
    experimentalTlsRouteServed: ['v1alpha2'],
    source: 'kubernetes-sigs/gateway-api tag v1.3.0 (40be951c) config/crd/standard + experimental TLSRoute',
  },
  {
    version: 'v1.4.1',
    standardCrds: ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'BackendTLSPolicy'],
    standardFiles: [
      'gateway.networking.k8s.io_backendtlspolicies.yaml', 'gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml',
      'gateway.networking.k8s.io_grpcroutes.yaml', 'gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_referencegrants.yaml',
    ],
    standardNonCrdObjects: [],
    referenceGrantServed: ['v1beta1'],
    experimentalTlsRouteServed: ['v1alpha2', 'v1alpha3'],
    source: 'kubernetes-sigs/gateway-api tag v1.4.1 (477d172e) config/crd/standard + experimental TLSRoute',
  },
  {
    version: 'v1.6.1',
    standardCrds: [
      'GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'BackendTLSPolicy', 'ListenerSet', 'TCPRoute', 'TLSRoute', 'UDPRoute',
    ],
    standardFiles: [
      'gateway.networking.k8s.io_backendtlspolicies.yaml', 'gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml',
      'gateway.networking.k8s.io_grpcroutes.yaml', 'gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_listenersets.yaml',
      'gateway.networking.k8s.io_referencegrants.yaml', 'gateway.networking.k8s.io_tcproutes.yaml', 'gateway.networking.k8s.io_tlsroutes.yaml',
      'gateway.networking.k8s.io_udproutes.yaml', 'gateway.networking.k8s.io_vap_safeupgrades.yaml',
    ],
    standardNonCrdObjects: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
    referenceGrantServed: ['v1', 'v1beta1'],
    experimentalTlsRouteServed: ['v1', 'v1alpha2', 'v1alpha3'],
    source: 'kubernetes-sigs/gateway-api tag v1.6.1 (8bb74df0) config/crd/standard + experimental TLSRoute',
  },
];

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

// ---------------------------------------------------------------------------------------------
// Cilium minors
// ---------------------------------------------------------------------------------------------

/** The per-minor facts of one Cilium minor. */
export interface CiliumMinorFacts {
  /** `1.18`, `1.19` or `1.20`. */
  readonly minor: CiliumMinor;
  /** Newest patch release in the reference store, the default chart version for the minor. */
  readonly latestPatch: string;
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
    /** Whether `k8sServiceHost: auto` renders under plain `helm template` (no cluster to look up). */
    readonly k8sServiceHostAutoRendersOffline: boolean;
    readonly source: string;
  };
}

/** The three supported Cilium minors, oldest first. */
export const CILIUM_MINOR_FACTS: readonly CiliumMinorFacts[] = [
  {
    minor: '1.18',
    latestPatch: '1.18.12',
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
    latestPatch: '1.19.6',
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
    latestPatch: '1.20.0',
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
];

/** Default Cilium chart version: the latest patch of the newest minor. */
export const DEFAULT_CILIUM_VERSION = '1.20.0';

// ---------------------------------------------------------------------------------------------
// kind
// ---------------------------------------------------------------------------------------------

/** One node image published with a kind release. */
export interface KindNodeImage {
  /** Kubernetes patch version, e.g. `1.36.1`. */
  readonly kubernetes: string;
  /** Image reference pinned by digest, `kindest/node:v<kubernetes>@sha256:<64 hex>`. */
  readonly image: string;
  /** True for the release's default image (the one `kind create cluster` uses without `--image`). */
  readonly default: boolean;
}

/** A kind release and the node images published with it. */
export interface KindRelease {
  /** Release tag, e.g. `v0.32.0`. */
  readonly release: string;
  /** kubernetes-sigs/kind tag commit. */
  readonly commit: string;
  /** Images published with the release, newest Kubernetes first. */
  readonly images: readonly KindNodeImage[];
  /** Kubernetes minor from which this release generates kubeadm `v1beta4` configs (`undefined`: always v1beta3). */
  readonly kubeadmV1beta4From: string | undefined;
  /** Upstream provenance. */
  readonly source: string;
}

const nodeImage = (k8s: string, digest: string, isDefault = false): KindNodeImage =>
  ({ kubernetes: k8s, image: `kindest/node:v${k8s}@sha256:${digest}`, default: isDefault });

/** kind releases v0.29.0 to v0.32.0 (v1alpha4 Cluster config identical across them), oldest first. */
export const KIND_RELEASES: readonly KindRelease[] = [
  {
    release: 'v0.29.0',
    commit: '200b3aac0b5ff698426715db9b4d13288bd470a3',
    images: [
      nodeImage('1.33.1', '050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f', true),
      nodeImage('1.32.5', 'e3b2327e3a5ab8c76f5ece68936e4cafaa82edf58486b769727ab0b3b97a5b0d'),
      nodeImage('1.31.9', 'b94a3a6c06198d17f59cca8c6f486236fa05e2fb359cbd75dabbfc348a10b211'),
      nodeImage('1.30.13', '397209b3d947d154f6641f2d0ce8d473732bd91c87d9575ade99049aa33cd648'),
    ],
    kubeadmV1beta4From: undefined,
    source: 'kind v0.29.0 pkg/apis/config/defaults/image.go (blob c1e19f80) + release notes',
  },
  {
    release: 'v0.30.0',
    commit: '9a205e8c8540557602240f8766d3c95c51c23c4c',
    images: [
      nodeImage('1.34.0', '7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a', true),
      nodeImage('1.33.4', '25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2'),
      nodeImage('1.32.8', 'abd489f042d2b644e2d033f5c2d900bc707798d075e8186cb65e3f1367a9d5a1'),
      nodeImage('1.31.12', '0f5cc49c5e73c0c2bb6e2df56e7df189240d83cf94edfa30946482eb08ec57d2'),
    ],
    kubeadmV1beta4From: undefined,
    source: 'kind v0.30.0 pkg/apis/config/defaults/image.go (blob 5628362d) + release notes',
  },
  {
    release: 'v0.31.0',
    commit: 'a323333ff9efd8099f95a8a6b5c86c75a210d00f',
    images: [
      nodeImage('1.35.0', '452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f', true),
      nodeImage('1.34.3', '08497ee19eace7b4b5348db5c6a1591d7752b164530a36f855cb0f2bdcbadd48'),
      nodeImage('1.33.7', 'd26ef333bdb2cbe9862a0f7c3803ecc7b4303d8cea8e814b481b09949d353040'),
      nodeImage('1.32.11', '5fc52d52a7b9574015299724bd68f183702956aa4a2116ae75a63cb574b35af8'),
      nodeImage('1.31.14', '6f86cf509dbb42767b6e79debc3f2c32e4ee01386f0489b3b2be24b0a55aac2b'),
    ],
    kubeadmV1beta4From: undefined,
    source: 'kind v0.31.0 image.go (blob 103b2430); other images from kubernetes-sigs/cluster-api test/infrastructure/kind/mapper.go (blob caf44567)',
  },
  {
    release: 'v0.32.0',
    commit: 'cda67ef8588f6bfdac5358233f2471cb2149ecaf',
    images: [
      nodeImage('1.36.1', '3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5', true),
      nodeImage('1.35.5', 'ce977ae6d65918d0b58a5f8b5e940429c2ce42fa3a5619ec2bbc60b949c0ac95'),
      nodeImage('1.34.8', '02722c2dedddcfc00febf5d27fbeb9b7b2c14294c82109ff4a85d89ac9ba3256'),
      nodeImage('1.33.12', '3f5c8443c620245e4d355cfe09e96a91ead32ceaa569d3f1ca9edf0cb2fe2ff4'),
    ],
    kubeadmV1beta4From: '1.36',
    source: 'kind v0.32.0 image.go (blob 486dbe91); other images from cluster-api mapper.go (blob caf44567); '
      + 'release notes (cloudfoundry/kind-deployment PR #417): kubeadm v1beta4 for 1.36.0+, new images need kind >= v0.32 for `kind load`',
  },
];

/**
 * Kubernetes minor from which kind node images drop cgroup v1 (the host must run cgroup v2).
 * Source: kind v0.31.0 release notes (openSUSE kind.changes, cloudfoundry/kind-deployment #247).
 */
export const CGROUP_V2_ONLY_FROM_KUBERNETES = '1.35';

// ---------------------------------------------------------------------------------------------
// cert-manager
// ---------------------------------------------------------------------------------------------

/** A cert-manager release line the CA chain (cert-manager.io/v1 Issuer, ClusterIssuer, Certificate) is checked against. */
export interface CertManagerLine {
  /** `v1.19` or `v1.20`. */
  readonly line: string;
  /** Newest patch in the store, e.g. `v1.20.3`. */
  readonly latestPatch: string;
  /** cert-manager tag commit. */
  readonly commit: string;
  readonly source: string;
}

/** cert-manager lines of the matrix, oldest first. */
export const CERT_MANAGER_LINES: readonly CertManagerLine[] = [
  {
    line: 'v1.19',
    latestPatch: 'v1.19.6',
    commit: '60b0447cc9a64885d42567ea590862b88a62d1ad',
    source: 'cert-manager tag v1.19.6 deploy/crds (the shared cert-manager-v1.19/ CRDs); end of life at the release of v1.21 (cert-manager/website PR #2007)',
  },
  {
    line: 'v1.20',
    latestPatch: 'v1.20.3',
    commit: '1e1d16d1744e6d9c80e464e58e8d9ab1caed222b',
    source: 'cert-manager tag v1.20.3 deploy/crds: Certificate schema identical to v1.19.6 apart from descriptions; Issuer/ClusterIssuer add '
      + 'only the optional dns01.azureDNS.zoneType',
  },
];

/**
 * Default cert-manager release: v1.20.3. v1.19 reached end of life with the release of v1.21.0
 * (2026-07-08; cert-manager supports the two newest minors, cert-manager/website PR #2007), and v1.20.3
 * serves the same cert-manager.io/v1 schemas for everything this library writes, so manifests stay valid.
 */
export const DEFAULT_CERT_MANAGER_VERSION = 'v1.20.3';

// ---------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------

/**
 * The minor of a Cilium chart version, or `undefined` unless the version is a stable `X.Y.Z` release
 * (no leading `v`, no pre-release) of a supported minor. `1.20.0` → `1.20`; `v1.20.0`, `1.20`,
 * `1.20.0-rc.0`, `1.17.3` and `1.21.0` → `undefined`.
 */
export function ciliumMinorOf(version: string): CiliumMinor | undefined {
  if (semver.valid(version) !== version || semver.prerelease(version) !== null) {
    return undefined;
  }
  const minor = `${semver.major(version)}.${semver.minor(version)}`;
  return CILIUM_MINORS.find((m) => m === minor);
}

/** The facts of a supported Cilium minor. */
export function ciliumMinorFacts(minor: CiliumMinor): CiliumMinorFacts {
  return CILIUM_MINOR_FACTS.find((f) => f.minor === minor)!;
}

/** The Gateway API release row for a tag, or `undefined` when the matrix has no row for it. */
export function gatewayApiRelease(version: string): GatewayApiRelease | undefined {
  return GATEWAY_API_RELEASES.find((r) => r.version === version);
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

/**
 * The kind release row for a tag. Accepts `v0.32.0` and the short `v0.32`; `undefined` when unknown.
 */
export function kindReleaseOf(release: string): KindRelease | undefined {
  const full = /^v\d+\.\d+$/.test(release) ? `${release}.0` : release;
  return KIND_RELEASES.find((r) => r.release === full);
}

/** The release that published this exact image reference (tag and digest), if any. */
export function publishedNodeImage(image: string): { readonly release: KindRelease; readonly image: KindNodeImage } | undefined {
  for (const release of KIND_RELEASES) {
    const found = release.images.find((i) => i.image === image);
    if (found) return { release, image: found };
  }
  return undefined;
}

/**
 * kubeadm config apiVersion kind generates for a Kubernetes version: `kubeadm.k8s.io/v1beta4` with
 * kind ≥ v0.32.0 and Kubernetes ≥ 1.36, otherwise `kubeadm.k8s.io/v1beta3`. `kubeadmConfigPatches`
 * written for v1beta3 (map-style `extraArgs`) must be rewritten or left unversioned for v1beta4.
 */
export function kubeadmApiVersionFor(kindRelease: KindRelease, kubernetes: string): string {
  const from = kindRelease.kubeadmV1beta4From;
  return from !== undefined && compareMinor(kubernetes, from) >= 0 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/** True when node images of this Kubernetes version need a cgroup v2 host (Kubernetes ≥ 1.35). */
export function requiresCgroupV2(kubernetes: string): boolean {
  return compareMinor(kubernetes, CGROUP_V2_ONLY_FROM_KUBERNETES) >= 0;
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

const VERSION_INPUT_SHAPE = propsShape<ComponentVersionInput>('version', {
  ciliumVersion: 'string',
  kubernetesVersion: 'string',
  kindRelease: 'string',
  nodeImage: 'string',
  gatewayApi: 'string',
  certManager: 'string',
  allowUnsupportedPair: 'boolean',
});

/** The version choices of a cluster description; every key is optional. */
export interface ComponentVersionInput {
  /** Cilium chart version, `X.Y.Z` without `v`, any stable patch of 1.18, 1.19 or 1.20. @default '1.20.0' */
  readonly ciliumVersion?: string;
  /**
   * Kubernetes version, `X.Y` (newest published patch of that minor) or `X.Y.Z` (that exact image);
   * a leading `v` is accepted. Must be inside the Cilium minor's tested range.
   * @default the newest Kubernetes inside the Cilium minor's range with a published image (see {@link resolveComponentVersions})
   */
  readonly kubernetesVersion?: string;
  /** kind release, `v0.29.0` … `v0.32.0` (or `v0.32`). @default the newest release publishing the chosen Kubernetes version */
  readonly kindRelease?: string;
  /**
   * Full node image reference, pinned by `@sha256:` digest. Overrides the lookup by `kubernetesVersion`.
   * If the tag names a Kubernetes version (`v1.33.1`), the Cilium range applies to it.
   */
  readonly nodeImage?: string;
  /** Gateway API release tag. @default the Cilium minor's pair: v1.3.0 (1.18), v1.4.1 (1.19), v1.6.1 (1.20) */
  readonly gatewayApi?: string;
  /** cert-manager release tag. @default 'v1.20.3' */
  readonly certManager?: string;
  /**
   * Accept a Gateway API or cert-manager release, a Kubernetes version or a kind release/image pairing
   * outside the matrix, taking responsibility for it. Never accepts malformed versions, an unsupported
   * Cilium minor, an unpinned image, or a Gateway API release below the Cilium operator's hard minimum.
   * @default false
   */
  readonly allowUnsupportedPair?: boolean;
}

/** The resolved versions of every component. */
export interface ResolvedComponentVersions {
  /** Cilium chart version, e.g. `1.20.0`. */
  readonly cilium: string;
  /** Its minor. */
  readonly ciliumMinor: CiliumMinor;
  /**
   * Kubernetes patch version of the node image (`1.36.1`), or the requested `kubernetesVersion` for a
   * custom image whose tag names none; `undefined` when neither tells.
   */
  readonly kubernetes: string | undefined;
  /** kind release tag, e.g. `v0.32.0`. */
  readonly kindRelease: string;
  /** Node image reference pinned by digest. */
  readonly kindNodeImage: string;
  /** Gateway API release tag. */
  readonly gatewayApi: string;
  /** cert-manager release tag. */
  readonly certManager: string;
  /** kubeadm config apiVersion kind generates (see {@link kubeadmApiVersionFor}); `undefined` when `kubernetes` is. */
  readonly kubeadmApiVersion: string | undefined;
  /** Node images of this Kubernetes version need a cgroup v2 host; `undefined` when `kubernetes` is. */
  readonly cgroupV2Only: boolean | undefined;
  /** True when some choice was accepted only because of `allowUnsupportedPair`. */
  readonly outsideMatrix: boolean;
}

/** Result of {@link resolveComponentVersions}. */
export type ComponentVersionResolution =
  | { readonly ok: true; readonly versions: ResolvedComponentVersions }
  | { readonly ok: false; readonly violations: readonly VersionViolation[] };

/**
 * Resolves and checks every component version of a cluster.
 *
 * Defaults: Cilium {@link DEFAULT_CILIUM_VERSION}; the node image is the newest kind release's image
 * for the newest Kubernetes version inside the Cilium minor's tested range (1.20 → kind v0.32.0,
 * Kubernetes 1.36.1; 1.19 → v0.32.0, 1.35.5; 1.18 → v0.32.0, 1.33.12). The newest kind release is
 * preferred even where an older one matches Cilium's own CI (1.18 CI: kind v0.30, 1.33.0) so one kind
 * binary serves all three minors: images published with v0.32 need kind ≥ v0.32 for `kind load`, and
 * newer patches of the same tested minor carry the Kubernetes security fixes. Gateway API: the
 * minor's pair. cert-manager: {@link DEFAULT_CERT_MANAGER_VERSION}.
 *
 * Refused (each with a fix naming a valid combination, see {@link VERSION_RULES}):
 * - a Cilium version that is not a stable `X.Y.Z` of 1.18/1.19/1.20 (`1.17.3`, `1.21.0`, `v1.20.0`, `1.20`);
 * - a Kubernetes version outside the minor's tested range, unless `allowUnsupportedPair`;
 * - a Kubernetes version for which the kind release publishes no digest-pinned image;
 * - a custom `nodeImage` without `@sha256:` digest, or whose tag disagrees with `kubernetesVersion`;
 * - a Gateway API release below the operator's hard minimum, always (Cilium 1.20 requires TLSRoute,
 *   ReferenceGrant and BackendTLSPolicy at `v1`, which no v1.4.x bundle serves: upstream upgrade notes,
 *   PR #47408); any other non-default Gateway API release unless `allowUnsupportedPair`;
 * - a cert-manager release other than v1.19.6 / v1.20.3 unless `allowUnsupportedPair` (malformed: always).
 *
 * @param input the version choices
 * @param field prefix for violation fields (`dev` gives `dev.kubernetesVersion`); `''` for bare keys
 */
export function resolveComponentVersions(input: ComponentVersionInput, field: string): ComponentVersionResolution {
  // JavaScript callers: a wrong type is a PlatformConfigError naming the key (the matrix itself reports as violations).
  input = checkProps(typeof field === 'string' && field !== '' ? field : 'versions', input, VERSION_INPUT_SHAPE);
  const at = (key: keyof ComponentVersionInput) => (field ? `${field}.${key}` : key);
  const allow = input.allowUnsupportedPair === true;
  const cilium = input.ciliumVersion ?? DEFAULT_CILIUM_VERSION;
  const minor = ciliumMinorOf(cilium);
  if (minor === undefined) {
    return { ok: false, violations: [unsupportedCilium(cilium, at('ciliumVersion'))] };
  }
  const facts = ciliumMinorFacts(minor);
  const violations: VersionViolation[] = [];
  let outsideMatrix = false;

  const node = resolveNode(input, facts, at, allow);
  violations.push(...node.violations);
  outsideMatrix ||= node.outsideMatrix;

  const gatewayApi = input.gatewayApi ?? facts.gatewayApi.release;
  const gw = checkGatewayApi(gatewayApi, facts, at('gatewayApi'), allow);
  violations.push(...gw);
  outsideMatrix ||= gw.length === 0 && gatewayApi !== facts.gatewayApi.release;

  const certManager = input.certManager ?? DEFAULT_CERT_MANAGER_VERSION;
  const cm = checkCertManager(certManager, at('certManager'), allow);
  violations.push(...cm);
  outsideMatrix ||= cm.length === 0 && !CERT_MANAGER_LINES.some((l) => l.latestPatch === certManager);

  if (violations.length > 0 || node.resolved === undefined) {
    return { ok: false, violations };
  }
  const { kindRelease, image, kubernetes } = node.resolved;
  return {
    ok: true,
    versions: {
      cilium,
      ciliumMinor: minor,
      kubernetes,
      kindRelease: kindRelease.release,
      kindNodeImage: image,
      gatewayApi,
      certManager,
      kubeadmApiVersion: kubernetes === undefined ? undefined : kubeadmApiVersionFor(kindRelease, kubernetes),
      cgroupV2Only: kubernetes === undefined ? undefined : requiresCgroupV2(kubernetes),
      outsideMatrix,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

type At = (key: keyof ComponentVersionInput) => string;

interface NodeResolution {
  readonly violations: readonly VersionViolation[];
  readonly resolved?: { readonly kindRelease: KindRelease; readonly image: string; readonly kubernetes: string | undefined };
  readonly outsideMatrix: boolean;
}

/** Releases newest first. */
const RELEASES_NEWEST_FIRST: readonly KindRelease[] = [...KIND_RELEASES].reverse();

/** Compares the minors of two Kubernetes versions (`1.33.12` vs `1.34`). */
function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

function minorOfKubernetes(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function inRange(kubernetes: string, facts: CiliumMinorFacts): boolean {
  return compareMinor(kubernetes, facts.kubernetes.min) >= 0 && compareMinor(kubernetes, facts.kubernetes.max) <= 0;
}

/** `1.33`, `1.33.12`, `v1.33.12` → `1.33` / `1.33.12`; anything else → undefined. */
function normalizeKubernetes(version: string): string | undefined {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  if (/^\d+\.\d+$/.test(bare)) return bare;
  return semver.valid(bare) === bare && semver.prerelease(bare) === null ? bare : undefined;
}

/** Images of a release matching a requested Kubernetes version (a minor matches every patch), newest first. */
function imagesFor(release: KindRelease, kubernetes: string): KindNodeImage[] {
  return release.images.filter((i) => (kubernetes.split('.').length === 2 ? minorOfKubernetes(i.kubernetes) === kubernetes : i.kubernetes === kubernetes));
}

/** The newest image of a release inside a Cilium minor's range. */
function newestInRange(release: KindRelease, facts: CiliumMinorFacts): KindNodeImage | undefined {
  return release.images.find((i) => inRange(i.kubernetes, facts));
}

/** Renders suggestions as `key: 'value'` alternatives. */
function describe(suggestions: readonly Partial<ComponentVersionInput>[]): string {
  return suggestions
    .map((s) => Object.entries(s).map(([k, v]) => (v === undefined ? `remove ${k}` : `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`)).join(' with '))
    .join(', or ');
}

function violation(rule: VersionRuleId, field: string, problem: string, suggestions: readonly Partial<ComponentVersionInput>[], extra = ''): VersionViolation {
  return { rule, field, problem, fix: `set ${describe(suggestions)}${extra}`, suggestions };
}

function unsupportedCilium(version: string, field: string): VersionViolation {
  const supported = CILIUM_MINOR_FACTS.map((f) => `${f.minor}.x (latest ${f.latestPatch})`).join(', ');
  const bare = version.startsWith('v') ? version.slice(1) : version;
  const coerced = semver.coerce(bare)?.version;
  const sameMinor = coerced === undefined ? undefined : CILIUM_MINOR_FACTS.find((f) => f.minor === `${semver.major(coerced)}.${semver.minor(coerced)}`);
  let suggestion = DEFAULT_CILIUM_VERSION;
  let why = `it is not a chart version of a supported minor; this library writes Helm values for ${supported}`;
  if (sameMinor !== undefined) {
    // right minor, wrong spelling: `v1.20.0` (keep the patch), `1.20` or `1.20.0-rc.0` (latest patch)
    suggestion = ciliumMinorOf(bare) !== undefined ? bare : sameMinor.latestPatch;
    if (version.startsWith('v')) {
      why = 'Helm chart versions are written X.Y.Z, without a leading v';
    } else if (semver.valid(bare) !== null) {
      why = `only stable X.Y.Z chart releases are supported, e.g. ${sameMinor.latestPatch}`;
    } else {
      why = `the chart needs a full X.Y.Z patch release, e.g. ${sameMinor.latestPatch}`;
    }
  } else if (coerced !== undefined && semver.lt(coerced, `${CILIUM_MINORS[0]}.0`)) {
    suggestion = CILIUM_MINOR_FACTS[0].latestPatch;
  }
  return violation(VERSION_RULES.ciliumVersionUnsupported, field, `Cilium '${version}' is not supported: ${why}`, [{ ciliumVersion: suggestion }]);
}

function resolveNode(input: ComponentVersionInput, facts: CiliumMinorFacts, at: At, allow: boolean): NodeResolution {
  let requestedRelease: KindRelease | undefined;
  if (input.kindRelease !== undefined) {
    requestedRelease = kindReleaseOf(input.kindRelease);
    if (requestedRelease === undefined) {
      const k8s = input.kubernetesVersion !== undefined ? normalizeKubernetes(input.kubernetesVersion) : undefined;
      const best = RELEASES_NEWEST_FIRST.find((r) => (k8s !== undefined ? imagesFor(r, k8s).length > 0 : newestInRange(r, facts) !== undefined))
        ?? RELEASES_NEWEST_FIRST[0];
      return {
        violations: [violation(VERSION_RULES.kindReleaseUnsupported, at('kindRelease'),
          `kind '${input.kindRelease}' is not in the matrix (${KIND_RELEASES.map((r) => r.release).join(', ')}); node images are tied to the kind release that published them`,
          [{ kindRelease: best.release }])],
        outsideMatrix: false,
      };
    }
  }
  if (input.nodeImage !== undefined) {
    return resolveCustomImage(input, input.nodeImage, requestedRelease, facts, at, allow);
  }
  if (input.kubernetesVersion !== undefined) {
    return resolveByKubernetes(input.kubernetesVersion, requestedRelease, facts, at, allow);
  }
  // Default: the newest image inside the range, from the requested release or the newest release that has one.
  for (const release of requestedRelease ? [requestedRelease] : RELEASES_NEWEST_FIRST) {
    const image = newestInRange(release, facts);
    if (image) {
      return { violations: [], outsideMatrix: false, resolved: { kindRelease: release, image: image.image, kubernetes: image.kubernetes } };
    }
  }
  const release = requestedRelease ?? RELEASES_NEWEST_FIRST[0];
  return {
    violations: [unavailable(`${facts.kubernetes.min}-${facts.kubernetes.max}`, release, facts, at)],
    outsideMatrix: false,
  };
}

function unavailable(kubernetes: string, release: KindRelease, facts: CiliumMinorFacts, at: At): VersionViolation {
  const suggestions: Partial<ComponentVersionInput>[] = [];
  const other = kubernetes.includes('-') ? undefined : RELEASES_NEWEST_FIRST.find((r) => imagesFor(r, kubernetes).length > 0);
  if (other) suggestions.push({ kindRelease: other.release });
  const alt = newestInRange(release, facts);
  if (alt) suggestions.push({ kubernetesVersion: minorOfKubernetes(alt.kubernetes) });
  if (suggestions.length === 0) suggestions.push({ kindRelease: RELEASES_NEWEST_FIRST[0].release });
  return violation(VERSION_RULES.kindNodeImageUnavailable, at('kubernetesVersion'),
    `kind ${release.release} publishes no digest-pinned node image for Kubernetes ${kubernetes} (it publishes ${release.images.map((i) => i.kubernetes).join(', ')})`,
    suggestions);
}

function outsideRange(kubernetes: string, facts: CiliumMinorFacts, field: string, replacement: Partial<ComponentVersionInput>): VersionViolation {
  const suggestions: Partial<ComponentVersionInput>[] = [replacement];
  const other = [...CILIUM_MINOR_FACTS].reverse().find((f) => inRange(kubernetes, f));
  if (other) suggestions.push({ ciliumVersion: other.latestPatch });
  return violation(VERSION_RULES.kubernetesOutsideCiliumRange, field,
    `Kubernetes ${kubernetes} is outside the range Cilium ${facts.minor} is tested on (${facts.kubernetes.min}-${facts.kubernetes.max}; ${facts.kubernetes.source})`,
    suggestions, ', or set allowUnsupportedPair: true to take responsibility for the pairing');
}

function resolveByKubernetes(
  requested: string, requestedRelease: KindRelease | undefined, facts: CiliumMinorFacts, at: At, allow: boolean,
): NodeResolution {
  const kubernetes = normalizeKubernetes(requested);
  if (kubernetes === undefined) {
    return {
      violations: [violation(VERSION_RULES.kubernetesVersionInvalid, at('kubernetesVersion'),
        `'${requested}' is not a Kubernetes version (expected X.Y or X.Y.Z, e.g. '${facts.kubernetes.max}')`, [{ kubernetesVersion: facts.kubernetes.max }])],
      outsideMatrix: false,
    };
  }
  const ranged = inRange(kubernetes, facts);
  if (!ranged && !allow) {
    return { violations: [outsideRange(kubernetes, facts, at('kubernetesVersion'), { kubernetesVersion: facts.kubernetes.max })], outsideMatrix: false };
  }
  for (const release of requestedRelease ? [requestedRelease] : RELEASES_NEWEST_FIRST) {
    const image = imagesFor(release, kubernetes)[0];
    if (image) {
      return { violations: [], outsideMatrix: !ranged, resolved: { kindRelease: release, image: image.image, kubernetes: image.kubernetes } };
    }
  }
  return { violations: [unavailable(kubernetes, requestedRelease ?? RELEASES_NEWEST_FIRST[0], facts, at)], outsideMatrix: false };
}

/** `repo[:tag]@sha256:<64 hex>` → parts; `undefined` digest when not pinned. */
function parseImage(image: string): { readonly tag: string | undefined; readonly digest: string | undefined } {
  const [name, digest] = image.split('@', 2);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return {
    tag: colon > slash ? name.slice(colon + 1) : undefined,
    digest: digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest) && name.length > 0 && !/\s/.test(name) ? digest : undefined,
  };
}

function resolveCustomImage(
  input: ComponentVersionInput, image: string, requestedRelease: KindRelease | undefined, facts: CiliumMinorFacts, at: At, allow: boolean,
): NodeResolution {
  const { tag, digest } = parseImage(image);
  const tagged = tag !== undefined && /^v\d+\.\d+\.\d+/.test(tag) ? semver.coerce(tag)?.version : undefined;
  const requested = input.kubernetesVersion !== undefined ? normalizeKubernetes(input.kubernetesVersion) : undefined;
  if (digest === undefined) {
    const k8s = tagged ?? requested;
    const release = requestedRelease ?? RELEASES_NEWEST_FIRST[0];
    const pinned = (k8s !== undefined ? RELEASES_NEWEST_FIRST.map((r) => imagesFor(r, k8s)[0]).find((i) => i !== undefined) : undefined)
      ?? newestInRange(release, facts) ?? release.images[0];
    return {
      violations: [violation(VERSION_RULES.kindNodeImageNotPinned, at('nodeImage'),
        `'${image}' is not pinned by digest; kind node images are tied to the kind release that built them and a tag can move`,
        [{ nodeImage: pinned.image }], ' (append @sha256:<digest> from the kind release notes)')],
      outsideMatrix: false,
    };
  }
  if (input.kubernetesVersion !== undefined && requested === undefined) {
    return resolveByKubernetes(input.kubernetesVersion, requestedRelease, facts, at, allow);
  }
  const published = publishedNodeImage(image);
  const kubernetes = published?.image.kubernetes ?? tagged ?? requested;
  if (requested !== undefined && kubernetes !== undefined && (tagged ?? published?.image.kubernetes) !== undefined
    && !(requested.split('.').length === 2 ? minorOfKubernetes(kubernetes) === requested : kubernetes === requested)) {
    return {
      violations: [violation(VERSION_RULES.kindNodeImageKubernetesMismatch, at('kubernetesVersion'),
        `kubernetesVersion '${input.kubernetesVersion}' disagrees with nodeImage '${image}', which runs Kubernetes ${kubernetes}`,
        [{ kubernetesVersion: kubernetes }, { kubernetesVersion: undefined }])],
      outsideMatrix: false,
    };
  }
  const violations: VersionViolation[] = [];
  let outsideMatrix = false;
  if (kubernetes !== undefined && !inRange(kubernetes, facts)) {
    if (allow) {
      outsideMatrix = true;
    } else {
      const release = requestedRelease ?? published?.release ?? RELEASES_NEWEST_FIRST[0];
      const replacement = newestInRange(release, facts) ?? RELEASES_NEWEST_FIRST.map((r) => newestInRange(r, facts)).find((i) => i !== undefined)!;
      violations.push(outsideRange(kubernetes, facts, at('nodeImage'), { nodeImage: replacement.image }));
    }
  }
  if (published && requestedRelease && published.release !== requestedRelease) {
    if (allow) {
      outsideMatrix = true;
    } else {
      violations.push(violation(VERSION_RULES.kindNodeImageReleaseMismatch, at('kindRelease'),
        `nodeImage '${image}' was published with kind ${published.release.release}, not ${requestedRelease.release}; kind node images are tied to their release`,
        [{ kindRelease: published.release.release }], ', or set allowUnsupportedPair: true'));
    }
  }
  if (violations.length > 0) return { violations, outsideMatrix: false };
  const kindRelease = requestedRelease ?? published?.release ?? RELEASES_NEWEST_FIRST[0];
  return { violations: [], outsideMatrix, resolved: { kindRelease, image, kubernetes } };
}

function checkGatewayApi(version: string, facts: CiliumMinorFacts, field: string, allow: boolean): VersionViolation[] {
  const pair = facts.gatewayApi.release;
  const bare = version.startsWith('v') ? version.slice(1) : undefined;
  if (bare === undefined || semver.valid(bare) !== bare || semver.prerelease(bare) !== null) {
    return [violation(VERSION_RULES.gatewayApiVersionInvalid, field, `'${version}' is not a Gateway API release tag (vX.Y.Z)`, [{ gatewayApi: pair }])];
  }
  if (version === pair) return [];
  const paired = [...CILIUM_MINOR_FACTS].reverse().find((f) => f.gatewayApi.release === version);
  const alternatives: Partial<ComponentVersionInput>[] = [{ gatewayApi: pair }];
  if (paired) alternatives.push({ ciliumVersion: paired.latestPatch });
  if (semver.lt(bare, facts.gatewayApi.minimum.slice(1))) {
    return [violation(VERSION_RULES.gatewayApiBelowCiliumMinimum, field,
      `Gateway API ${version} is below the minimum Cilium ${facts.minor} can run with (${facts.gatewayApi.minimum}): its operator requires `
      + `${facts.gatewayApi.requiredKinds.join(', ')}; this is a hard requirement, so allowUnsupportedPair does not apply (${facts.gatewayApi.source})`,
      alternatives)];
  }
  if (allow) return [];
  return [violation(VERSION_RULES.gatewayApiCiliumMismatch, field,
    `Gateway API ${version} does not pair with Cilium ${facts.minor} (built, tested and documented with ${pair})`,
    alternatives, ', or set allowUnsupportedPair: true to take responsibility for the pairing')];
}

function checkCertManager(version: string, field: string, allow: boolean): VersionViolation[] {
  const checked = CERT_MANAGER_LINES.map((l) => l.latestPatch);
  if (checked.includes(version)) return [];
  const bare = version.startsWith('v') ? version.slice(1) : undefined;
  const wellFormed = bare !== undefined && semver.valid(bare) === bare && semver.prerelease(bare) === null;
  if (wellFormed && allow) return [];
  return [violation(VERSION_RULES.certManagerUnsupported, field,
    wellFormed
      ? `cert-manager ${version} is outside the checked matrix (${checked.join(', ')})`
      : `'${version}' is not a cert-manager release tag (vX.Y.Z)`,
    [...checked].reverse().map((c) => ({ certManager: c })), wellFormed ? ', or set allowUnsupportedPair: true' : '')];
}

/**
 * The reference folders (below `../shared/reference/`) whose CRD schemas a cluster's custom objects are
 * checked against: its Cilium minor's CRDs, the Gateway API release it installs (the minor's pair when the
 * chosen release has no folder) and cert-manager's (the cert-manager.io/v1 schemas are the same across the
 * supported lines, apart from optional fields). One entry per CRD source of `src/private/crd-catalog.ts`.
 */
export function crdSchemaFolders(minor: CiliumMinor, gatewayApi: string): Readonly<Record<'cilium' | 'gateway-api' | 'gateway-api-experimental' | 'cert-manager', string>> {
  const release = gatewayApiRelease(gatewayApi) ? gatewayApi : ciliumMinorFacts(minor).gatewayApi.release;
  return {
    'cilium': `cilium-${minor}`,
    'gateway-api': `gateway-api-${release}`,
    'gateway-api-experimental': `gateway-api-${release}`,
    'cert-manager': 'cert-manager-v1.19',
  };
}
