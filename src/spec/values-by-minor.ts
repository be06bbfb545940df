import { compareMinor, minorOfKubernetes } from './kubernetes-versions';
import { CiliumMinor, CILIUM_MINORS, ciliumMinorFacts, removedHelmKeys } from './version-matrix';

/**
 * What the Cilium Helm-values renderer must do differently per Cilium minor, found by rendering the
 * generated preset values (`cilium-values/*.yaml`) with `helm template` (helm v4) against the official
 * cilium-1.18.12, -1.19.6, -1.20.0 and -1.21.0-pre.0 chart archives.
 *
 * Pure data and pure functions; imports only the version matrix.
 */

/** A Helm values violation, shaped like `Violation` in `src/errors.ts`. */
export interface ValuesViolation {
  /** A rule id of {@link VALUES_RULES}. */
  readonly rule: ValuesRuleId;
  /** Dotted path of the value, prefixed with the caller's field. */
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

/** Rule ids of {@link adaptValuesToMinor}. */
export const VALUES_RULES = {
  /** A values key the minor's chart no longer has; the chart ignores it silently, so it would do nothing. */
  removedInMinor: 'helm-value-removed-in-minor',
  /** A value the minor's chart `fail`s on below a Kubernetes version (1.21: `networkDriver.enabled` needs 1.34). */
  needsNewerKubernetes: 'helm-value-needs-newer-kubernetes',
} as const;

/** A rule id of {@link VALUES_RULES}. */
export type ValuesRuleId = typeof VALUES_RULES[keyof typeof VALUES_RULES];

/** Every rule id of {@link adaptValuesToMinor}. */
export const VALUES_RULE_IDS: readonly ValuesRuleId[] = Object.values(VALUES_RULES);

/** What replaces a removed key, for the fix hint. */
export const REMOVED_KEY_REPLACEMENTS: Readonly<Record<string, string>> = {
  'nodePort.enabled': 'set kubeProxyReplacement: true (1.19 removed --enable-node-port; NodePort, HostPort and ExternalIPs need KPR)',
  'svcSourceRangeCheck': 'drop it (service source-range checks are always on with KPR)',
  'customCalls.enabled': 'drop it (custom BPF calls were removed)',
  'l2podAnnouncements.interface': 'use l2podAnnouncements.interfacePattern',
  'clustermesh.apiserver.tls.client.cert': 'drop it (clustermesh client certs come from tls.auto or pre-created secrets)',
  'clustermesh.apiserver.tls.client.key': 'drop it (clustermesh client certs come from tls.auto or pre-created secrets)',
  'clustermesh.apiserver.tls.server.extraDnsNames': 'use clustermesh.apiserver.tls.auto.server.extraDnsNames',
  'clustermesh.apiserver.tls.server.extraIpAddresses': 'use clustermesh.apiserver.tls.auto.server.extraIpAddresses',
  'clustermesh.enableMCSAPISupport': 'use clustermesh.mcsapi.enabled',
  'encryption.strictMode.enabled': 'use encryption.strictMode.egress.enabled',
  'encryption.strictMode.cidr': 'use encryption.strictMode.egress.cidr',
  'encryption.strictMode.allowRemoteNodeIdentities': 'use encryption.strictMode.egress.allowRemoteNodeIdentities',
};

/**
 * Where a Cluster Mesh member's chart puts the address of each peer's clustermesh-apiserver (the name
 * `<peer>.mesh.cilium.io` it dials, mapped to the `ips` of `clustermesh.config.clusters`):
 * - `pod-host-aliases`: `hostAliases` of the pods that dial peers (the agent DaemonSet without KVStoreMesh,
 *   the clustermesh-apiserver Deployment's KVStoreMesh, the operator);
 * - `secret-host-aliases`: the `cilium-host-aliases` block of each peer's entry in the `cilium-clustermesh`
 *   Secret (or `cilium-kvstoremesh` with KVStoreMesh), read by the agents' static dialer.
 */
export type MeshPeerAddressPlace = 'pod-host-aliases' | 'secret-host-aliases';

/**
 * A value the chart refuses (`fail` in `templates/validate.yaml`) below a Kubernetes version: under `helm
 * template`, the version is `--kube-version`; on a cluster, the API server's.
 */
export interface KubernetesGuard {
  /** Dotted values path, e.g. `networkDriver.enabled`. */
  readonly key: string;
  /** The guard applies when the value is truthy (the chart's `if .Values.<key>`). */
  readonly when: 'truthy';
  /** First Kubernetes minor the chart accepts it on (the chart compares `Major.Minor.0`). */
  readonly minKubernetes: string;
  /** The chart's own message. */
  readonly chartMessage: string;
  readonly source: string;
}

/** Per-minor rendering facts for the values renderer. */
export interface HelmValuesFacts {
  readonly minor: CiliumMinor;
  /** Chart version the facts were rendered with. */
  readonly chartVersion: string;
  /** Type `values.schema.json` gives `gatewayAPI.gatewayClass.create`: a YAML boolean fails the 1.18/1.19 schema. */
  readonly gatewayClassCreateType: 'string' | 'boolean|string';
  /** Whether the schema declares `devices` (1.20: `null|string|array`; before, it is undeclared and any type passes). */
  readonly devicesInSchema: boolean;
  /** Objects the chart adds when the GatewayClass is rendered (`create: "true"`, or `"auto"` with the GatewayClass API present). */
  readonly gatewayClassObjects: readonly string[];
  /** cilium-config entries the chart forces when `gatewayAPI.enabled: true`, whatever the other values say. */
  readonly forcedConfigWithGatewayApi: Readonly<Record<string, string>>;
  /** cilium-config entries that hold for every preset of this library at this minor (asserted by the renderer's tests). */
  readonly expectedConfig: Readonly<Record<string, string>>;
  /** cilium-config keys that must be absent at this minor. */
  readonly absentConfig: readonly string[];
  /** Where the chart puts Cluster Mesh peer addresses ({@link MeshPeerAddressPlace}), for the mesh tests and the upgrade view. */
  readonly meshPeerAddresses: readonly MeshPeerAddressPlace[];
  /**
   * Values keys (leaf dotted paths) this chart adds over the previous minor's, when recorded: 1.21's 16 keys, all
   * off or empty by default, so the values this library writes render the same objects apart from
   * {@link expectedConfig}'s `enable-network-driver` and the mesh pods' `hostAliases`. `undefined` for the stable
   * minors, whose additions (129 keys in 1.19, 48 in 1.20) are not listed because nothing here depends on them.
   */
  readonly addedKeys: readonly string[] | undefined;
  /** Values the chart refuses below a Kubernetes version (its Kubernetes `fail` guards). */
  readonly kubernetesGuards: readonly KubernetesGuard[];
  readonly source: string;
}

/** The renderer facts, one row per minor of the matrix (the 1.21 preview included), oldest first. */
export const HELM_VALUES_FACTS: readonly HelmValuesFacts[] = [
  {
    minor: '1.18',
    chartVersion: '1.18.12',
    gatewayClassCreateType: 'string',
    devicesInSchema: false,
    gatewayClassObjects: ['GatewayClass/cilium'],
    forcedConfigWithGatewayApi: {},
    expectedConfig: {
      'mesh-auth-enabled': 'true',
      'policy-default-local-cluster': 'false',
      'enable-svc-source-range-check': 'true',
      'unmanaged-pod-watcher-interval': '15',
    },
    absentConfig: ['policy-deny-response'],
    meshPeerAddresses: ['pod-host-aliases'],
    addedKeys: undefined,
    kubernetesGuards: [],
    source: 'helm template with cilium-1.18.12.tgz of cilium-values/*.yaml; values.schema.json gatewayAPI.gatewayClass.create {type: string}',
  },
  {
    minor: '1.19',
    chartVersion: '1.19.6',
    gatewayClassCreateType: 'string',
    devicesInSchema: false,
    gatewayClassObjects: ['GatewayClass/cilium'],
    forcedConfigWithGatewayApi: {},
    expectedConfig: {
      'mesh-auth-enabled': 'false',
      'policy-default-local-cluster': 'true',
      'policy-deny-response': 'none',
      'enable-no-service-endpoints-routable': 'true',
      'unmanaged-pod-watcher-interval': '15s',
    },
    absentConfig: ['enable-svc-source-range-check', 'enable-internal-traffic-policy', 'enable-node-port'],
    meshPeerAddresses: ['pod-host-aliases'],
    addedKeys: undefined,
    kubernetesGuards: [],
    source: 'helm template with cilium-1.19.6.tgz of cilium-values/*.yaml (authentication.enabled true→false, '
      + 'clustermesh.policyDefaultLocalCluster false→true; CILIUM-HELM.md)',
  },
  {
    minor: '1.20',
    chartVersion: '1.20.0',
    gatewayClassCreateType: 'boolean|string',
    devicesInSchema: true,
    gatewayClassObjects: ['GatewayClass/cilium', 'ValidatingAdmissionPolicy/gateway.cilium.io', 'ValidatingAdmissionPolicyBinding/gateway.cilium.io'],
    forcedConfigWithGatewayApi: { 'bpf-lb-sock-hostns-only': 'true', 'bpf-lb-algorithm-annotation': 'true' },
    expectedConfig: {
      'mesh-auth-enabled': 'false',
      'policy-default-local-cluster': 'true',
      'policy-deny-response': 'none',
      'clustermesh-default-global-namespace': 'true',
      'envoy-xds-mode': 'ads',
      'unmanaged-pod-watcher-interval': '15s',
    },
    absentConfig: ['enable-svc-source-range-check', 'enable-internal-traffic-policy', 'enable-node-port'],
    meshPeerAddresses: ['pod-host-aliases', 'secret-host-aliases'],
    addedKeys: undefined,
    kubernetesGuards: [],
    source: 'helm template with cilium-1.20.0.tgz of cilium-values/*.yaml; templates/cilium-configmap.yaml forces bpf-lb-sock-hostns-only and '
      + 'bpf-lb-algorithm-annotation to "true" when gatewayAPI.enabled; templates/cilium-gateway-api-validating-admission-policy.yaml; '
      + 'templates/clustermesh-config/_helpers.tpl writes cilium-host-aliases, the agent/operator/clustermesh-apiserver templates hostAliases',
  },
  {
    minor: '1.21',
    chartVersion: '1.21.0-pre.0',
    gatewayClassCreateType: 'boolean|string',
    devicesInSchema: true,
    gatewayClassObjects: ['GatewayClass/cilium', 'ValidatingAdmissionPolicy/gateway.cilium.io', 'ValidatingAdmissionPolicyBinding/gateway.cilium.io'],
    forcedConfigWithGatewayApi: { 'bpf-lb-sock-hostns-only': 'true', 'bpf-lb-algorithm-annotation': 'true' },
    expectedConfig: {
      'mesh-auth-enabled': 'false',
      'policy-default-local-cluster': 'true',
      'policy-deny-response': 'none',
      'clustermesh-default-global-namespace': 'true',
      'envoy-xds-mode': 'ads',
      'unmanaged-pod-watcher-interval': '15s',
      'enable-network-driver': 'false',
    },
    absentConfig: ['enable-svc-source-range-check', 'enable-internal-traffic-policy', 'enable-node-port'],
    meshPeerAddresses: ['secret-host-aliases'],
    addedKeys: [
      'hubble.tls.disableDefaultVolumes', 'hubble.relay.extraInitContainers', 'hubble.relay.tls.disableDefaultVolumes',
      'hubble.ui.extraInitContainers', 'hubble.ui.tls.disableDefaultVolumes', 'hubble.ui.httpRoute.enabled', 'hubble.ui.httpRoute.annotations',
      'hubble.ui.httpRoute.labels', 'hubble.ui.httpRoute.parentRefs', 'hubble.ui.httpRoute.hostnames', 'envoy.staticRuntimeConfig',
      'operator.extraInitContainers', 'clustermesh.apiserver.service.port', 'clustermesh.apiserver.extraInitContainers',
      'clustermesh.apiserver.tls.disableDefaultVolumes', 'networkDriver.enabled',
    ],
    kubernetesGuards: [{
      key: 'networkDriver.enabled',
      when: 'truthy',
      minKubernetes: '1.34',
      chartMessage: '.Values.networkDriver.enabled requires kubernetes version 1.34 or greater',
      source: 'cilium-1.21.0-pre.0.tgz templates/validate.yaml (semverCompare "<1.34.0" on the Kubernetes Major.Minor)',
    }],
    source: 'helm template with cilium-1.21.0-pre.0.tgz of cilium-values/*.yaml: the same objects as 1.20.0 apart from '
      + 'enable-network-driver "false" and the mesh pods\' hostAliases, which the chart no longer writes (peer addresses stay in the '
      + 'cilium-host-aliases block of the cilium-clustermesh / cilium-kvstoremesh Secret entries, templates/clustermesh-config/_helpers.tpl)',
  },
];

/** The renderer facts of a minor. */
export function helmValuesFacts(minor: CiliumMinor): HelmValuesFacts {
  return HELM_VALUES_FACTS.find((f) => f.minor === minor)!;
}

/**
 * cilium-config entries the renderer's tests should find after `helm template` for values with the
 * given feature: the minor's {@link HelmValuesFacts.expectedConfig} plus, with the Gateway API, what
 * the chart forces.
 */
export function expectedCiliumConfig(minor: CiliumMinor, features: { readonly gatewayApi: boolean }): Record<string, string> {
  const facts = helmValuesFacts(minor);
  return { ...facts.expectedConfig, ...(features.gatewayApi ? facts.forcedConfigWithGatewayApi : {}) };
}

/** Result of {@link adaptValuesToMinor}. */
export interface AdaptedValues {
  /** The values to write for the minor (a new object; the input is not mutated). */
  readonly values: Record<string, unknown>;
  /** Values the minor's chart would ignore or fail on; write nothing while this is non-empty. */
  readonly violations: readonly ValuesViolation[];
}

/**
 * Adapts rendered Helm values to a Cilium minor.
 *
 * - `gatewayAPI.gatewayClass.create` given as a boolean is written as the string `"true"`/`"false"`,
 *   which every minor's schema accepts (1.18/1.19 reject a boolean: "at '/gatewayAPI/gatewayClass/create':
 *   got boolean, want string").
 * - Keys removed in this minor or an earlier supported one ({@link removedHelmKeys}) are refused: the
 *   chart would silently ignore them (e.g. `nodePort.enabled` on 1.19 renders no `enable-node-port`).
 * - `k8sServiceHost: auto` is accepted on every minor: a live install (`helm upgrade --install`, what apply.sh runs)
 *   looks the API server up in `kube-public/cluster-info`, which kubeadm creates on every kind cluster. Only an offline
 *   `helm template` cannot (from 1.19 the chart fails: "ConfigMap kube-public/cluster-info not found"; 1.18 writes a
 *   literal "auto"), which is a concern of the tests that render values offline
 *   (`CiliumMinorFacts.helm.k8sServiceHostAutoRendersOffline`), not of the platform.
 * - A value the chart `fail`s on below the cluster's Kubernetes version ({@link HelmValuesFacts.kubernetesGuards}:
 *   1.21's `networkDriver.enabled` needs Kubernetes 1.34) is refused; not checked when `kubernetes` is unknown.
 *
 * @param values the rendered values (plain JSON)
 * @param minor the target Cilium minor
 * @param field prefix for violation fields (e.g. `dev.ciliumValues`); `''` for bare paths
 * @param kubernetes the node image's Kubernetes version (`1.33.12` or `1.33`), when known
 */
export function adaptValuesToMinor(values: Record<string, unknown>, minor: CiliumMinor, field = '', kubernetes?: string): AdaptedValues {
  const at = (path: string) => (field ? `${field}.${path}` : path);
  const violations: ValuesViolation[] = [];
  for (const path of removedHelmKeys(minor)) {
    if (getPath(values, path) !== undefined) {
      const removedIn = CILIUM_MINORS.find((m) => ciliumMinorFacts(m).helm.removedKeys.includes(path))!;
      violations.push({
        rule: VALUES_RULES.removedInMinor,
        field: at(path),
        problem: `was removed from the Cilium chart in ${removedIn}, so Cilium ${minor} ignores it silently (${ciliumMinorFacts(removedIn).helm.source})`,
        fix: REMOVED_KEY_REPLACEMENTS[path] ?? 'drop it',
      });
    }
  }
  for (const guard of helmValuesFacts(minor).kubernetesGuards) {
    if (kubernetes !== undefined && getPath(values, guard.key) && compareMinor(kubernetes, guard.minKubernetes) < 0) {
      violations.push({
        rule: VALUES_RULES.needsNewerKubernetes,
        field: at(guard.key),
        problem: `the Cilium ${minor} chart fails on it with Kubernetes ${minorOfKubernetes(kubernetes)}: it needs Kubernetes `
          + `${guard.minKubernetes} or later ("${guard.chartMessage}", ${guard.source})`,
        fix: `use Kubernetes ${guard.minKubernetes} or later (kubernetesVersion: '${guard.minKubernetes}'), or drop ${guard.key}`,
      });
    }
  }
  const create = getPath(values, 'gatewayAPI.gatewayClass.create');
  const adapted = typeof create === 'boolean' ? setPath(values, 'gatewayAPI.gatewayClass.create', String(create)) : values;
  return { values: adapted, violations };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a dotted path, or `undefined`. */
function getPath(values: Record<string, unknown>, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A copy of `values` with the dotted path set (copies only the objects along the path). */
function setPath(values: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { ...values, [head]: value };
  const child = isObject(values[head]) ? values[head] : {};
  return { ...values, [head]: setPath(child, rest.join('.'), value) };
}
