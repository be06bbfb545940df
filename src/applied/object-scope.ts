import { KubeObject, groupOf } from './objects';
import { CRD_CATALOG } from '../private/crd-catalog';

/**
 * Where an object lives: namespaced or cluster-scoped, as the API server's discovery says. Built-in kinds from the
 * Kubernetes API reference (https://kubernetes.io/docs/reference/kubernetes-api/), custom kinds from this library's
 * CRD catalog (`src/private/crd-catalog.ts`, the upstream CRDs' `spec.scope`) or a CustomResourceDefinition object
 * of the bundle.
 */

/** Built-in cluster-scoped kinds, as `group/kind` (`/kind` for the core group). Every other built-in kind is namespaced. */
export const CLUSTER_SCOPED_BUILT_IN_KINDS: readonly string[] = [
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment', 'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest', 'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass', 'resource.k8s.io/ResourceSlice',
];

/** The API groups Kubernetes serves itself (every kind of them is built in). */
export const BUILT_IN_GROUPS: readonly string[] = [
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'coordination.k8s.io',
  'discovery.k8s.io', 'events.k8s.io', 'scheduling.k8s.io', 'node.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io',
  'admissionregistration.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io',
];

/** The scope of an object's kind: `unknown` for a custom kind neither the catalog nor a bundle CRD describes. */
export type ObjectScope = 'namespaced' | 'cluster' | 'unknown';

/** `group/kind` of an object. */
export function groupKind(o: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  return `${groupOf(o.apiVersion)}/${o.kind}`;
}

/** The scope of each kind the bundle's CustomResourceDefinitions define (`group/kind` → scope). */
export function bundleCrdScopes(objects: readonly KubeObject[]): Map<string, ObjectScope> {
  const out = new Map<string, ObjectScope>();
  for (const o of objects) {
    if (groupKind(o) !== 'apiextensions.k8s.io/CustomResourceDefinition') continue;
    const { group, names, scope } = o.spec ?? {};
    if (typeof group === 'string' && typeof names?.kind === 'string') out.set(`${group}/${names.kind}`, scope === 'Cluster' ? 'cluster' : 'namespaced');
  }
  return out;
}

/** The scope of `o`'s kind (`crds`: {@link bundleCrdScopes} of the bundle). */
export function scopeOf(o: Pick<KubeObject, 'apiVersion' | 'kind'>, crds: ReadonlyMap<string, ObjectScope>): ObjectScope {
  const key = groupKind(o);
  const group = groupOf(o.apiVersion);
  if (BUILT_IN_GROUPS.includes(group)) return CLUSTER_SCOPED_BUILT_IN_KINDS.includes(key) ? 'cluster' : 'namespaced';
  const known = CRD_CATALOG.find((c) => c.group === group && c.kind === o.kind);
  if (known) return known.namespaced ? 'namespaced' : 'cluster';
  return crds.get(key) ?? 'unknown';
}
