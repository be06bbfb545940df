/**
 * The one list of custom resource kinds this library knows: it drives the generated bindings
 * (`scripts/import-crds.js`), the CRDs the apply script waits for, the order objects are written in and
 * the schemas the tests validate against. Add a kind here and everything follows.
 */

/** Which upstream component installs a CRD (and so which reference folder holds it). */
export type CrdSource = 'cilium' | 'gateway-api' | 'gateway-api-experimental' | 'cert-manager';

/** One custom resource kind. */
export interface CrdEntry {
  readonly kind: string;
  readonly group: string;
  /** `metadata.name` of the CRD is `<plural>.<group>`. */
  readonly plural: string;
  readonly source: CrdSource;
  /** File name inside the component's reference folder (`../shared/reference/<folder>/`). */
  readonly file: string;
  /** Namespaced (true) or cluster-scoped (false). */
  readonly namespaced: boolean;
  /** Generated cdk8s binding module under `imports/` that holds the kind, when the library emits it. */
  readonly module?: 'cilium' | 'gateway-api' | 'cert-manager';
}

const gw = (kind: string, plural: string, module?: 'gateway-api', source: CrdSource = 'gateway-api', namespaced = true): CrdEntry => ({
  kind,
  group: 'gateway.networking.k8s.io',
  plural,
  source,
  namespaced,
  module,
  file: `${source === 'gateway-api-experimental' ? 'experimental/' : ''}gateway.networking.k8s.io_${plural}.yaml`,
});
const cilium = (kind: string, plural: string, namespaced: boolean, module?: 'cilium'): CrdEntry => ({
  kind, group: 'cilium.io', plural, source: 'cilium', file: `${plural}.yaml`, namespaced, module,
});
const cm = (kind: string, plural: string, namespaced: boolean, module?: 'cert-manager'): CrdEntry => ({
  kind, group: 'cert-manager.io', plural, source: 'cert-manager', file: `cert-manager.io_${plural}.yaml`, namespaced, module,
});

/** Every custom resource kind this library knows, grouped by the component that installs it. */
export const CRD_CATALOG: readonly CrdEntry[] = [
  cilium('CiliumLoadBalancerIPPool', 'ciliumloadbalancerippools', false, 'cilium'),
  cilium('CiliumL2AnnouncementPolicy', 'ciliuml2announcementpolicies', false, 'cilium'),
  cilium('CiliumNetworkPolicy', 'ciliumnetworkpolicies', true, 'cilium'),
  cilium('CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', false, 'cilium'),
  cilium('CiliumCIDRGroup', 'ciliumcidrgroups', false),
  cm('ClusterIssuer', 'clusterissuers', false, 'cert-manager'),
  cm('Issuer', 'issuers', true, 'cert-manager'),
  cm('Certificate', 'certificates', true, 'cert-manager'),
  cm('CertificateRequest', 'certificaterequests', true),
  gw('GatewayClass', 'gatewayclasses', undefined, 'gateway-api', false),
  gw('Gateway', 'gateways', 'gateway-api'),
  gw('ReferenceGrant', 'referencegrants', 'gateway-api'),
  gw('HTTPRoute', 'httproutes', 'gateway-api'),
  gw('GRPCRoute', 'grpcroutes'),
  gw('BackendTLSPolicy', 'backendtlspolicies'),
  gw('TLSRoute', 'tlsroutes', undefined, 'gateway-api-experimental'),
];

/**
 * Install order of kinds inside a manifest file: namespaces first, then what guards workloads (pools,
 * policies), then configuration, issuers and certificates, then workloads, then Gateway API routing.
 */
export const OBJECT_ORDER: readonly string[] = [
  'Namespace',
  // Cluster-scoped Cilium objects (pools, L2 policy, the clusterwide default deny) before namespaced policies.
  ...CRD_CATALOG.filter((c) => c.source === 'cilium' && !c.namespaced).map((c) => c.kind),
  ...CRD_CATALOG.filter((c) => c.source === 'cilium' && c.namespaced).map((c) => c.kind),
  'ServiceAccount', 'ConfigMap', 'Secret',
  ...CRD_CATALOG.filter((c) => c.source === 'cert-manager').map((c) => c.kind),
  'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Pod',
  ...CRD_CATALOG.filter((c) => c.source.startsWith('gateway-api')).map((c) => c.kind),
];

/** `<plural>.<group>`, the CRD's `metadata.name`. */
export function crdName(entry: CrdEntry): string {
  return `${entry.plural}.${entry.group}`;
}

/**
 * Reference folder (below `../shared/reference/`) each source's CRDs are read from for the generated
 * bindings in `imports/` and for the default schema checks in the tests.
 */
export const BINDINGS_REFERENCE: Readonly<Record<CrdSource, string>> = {
  'cilium': 'cilium-1.18',
  'gateway-api': 'gateway-api-v1.4.0',
  'gateway-api-experimental': 'gateway-api-v1.4.0',
  'cert-manager': 'cert-manager-v1.19',
};

/** The CRD file of an entry below `../shared/reference/`, in `folder` (default: {@link BINDINGS_REFERENCE}). */
export function crdReferenceFile(entry: CrdEntry, folder: string = BINDINGS_REFERENCE[entry.source]): string {
  return `${folder}/${entry.file}`;
}
