import { BUILT_IN_GROUPS } from './object-scope';
import { KubeObject, groupOf } from './objects';
import { PlatformModel } from '../model/platform-model';
import { BUILT_IN_NAMESPACES } from '../private/names';

/**
 * What the apply plan's steps before the bundle (`src/bundle/apply-plan.ts`: kind, Gateway API CRDs, Cilium,
 * cert-manager) leave in the cluster: the namespaces, the CRDs and the objects they own. The bundle step is judged
 * against it (`src/outcomes/objects.ts`); the apply plan decides its optional steps with {@link earlierApplySteps} too.
 */

/** Which optional steps run before the bundle. */
export interface EarlierApplySteps {
  /** `gateway-api-crds`: the cluster defines a Gateway (a `LocalGateway`), so Cilium's Gateway API controller needs the CRDs. */
  readonly gatewayApiCrds: boolean;
  /** `cert-manager`: a cert-manager.io object is in the bundle. */
  readonly certManager: boolean;
}

/** The optional steps of a cluster whose bundle holds `objects`. */
export function earlierApplySteps(model: Pick<PlatformModel, 'gateways'>, objects: readonly Pick<KubeObject, 'apiVersion'>[]): EarlierApplySteps {
  return {
    gatewayApiCrds: model.gateways.length > 0,
    certManager: objects.some((o) => String(o.apiVersion).startsWith('cert-manager.io/')),
  };
}

/**
 * The namespaces that exist before the bundle is applied, with the step that creates them: Kubernetes' own
 * (`default`, `kube-system`, `kube-public`, `kube-node-lease`), kind's `local-path-storage` (its default
 * StorageClass's provisioner) and cert-manager's (its release manifest creates `cert-manager`).
 */
export function namespacesBeforeBundle(steps: EarlierApplySteps): ReadonlyMap<string, string> {
  return new Map<string, string>([
    ...BUILT_IN_NAMESPACES.map((n) => [n, 'kind'] as [string, string]),
    ['local-path-storage', 'kind'],
    ...(steps.certManager ? [['cert-manager', 'cert-manager'] as [string, string]] : []),
  ]);
}

/** The step that installs the CRDs of an API group, and whether it runs; undefined for a group no step installs. */
export function crdStepOf(group: string, steps: EarlierApplySteps): { readonly step: string; readonly runs: boolean } | undefined {
  if (group === 'cilium.io') return { step: 'cilium', runs: true };
  if (group === 'gateway.networking.k8s.io') return { step: 'gateway-api-crds', runs: steps.gatewayApiCrds };
  if (group === 'cert-manager.io' || group === 'acme.cert-manager.io') return { step: 'cert-manager', runs: steps.certManager };
  return undefined;
}

/** An object Kubernetes or an earlier step creates and keeps reconciling (a bundle object of the same key replaces it). */
export interface SystemObject {
  /** The step that creates it (`kind` for Kubernetes' own). */
  readonly step: string;
  /** Who owns it, for messages. */
  readonly owner: string;
  /** The API group; `*` any built-in group (Kubernetes' own kinds, never a custom one). */
  readonly group: string;
  /** The kinds, e.g. `['Deployment']`; `*` any kind. */
  readonly kinds: readonly string[];
  /** Its namespace; undefined for a cluster-scoped object. */
  readonly namespace?: string;
  /** The object names. */
  readonly names: readonly string[];
}

const ciliumNames = [
  'cilium', 'cilium-operator', 'cilium-envoy', 'cilium-config', 'cilium-envoy-config', 'cilium-ca', 'hubble-relay', 'hubble-ui', 'hubble-peer',
  'hubble-relay-config', 'hubble-ui-nginx', 'hubble-server-certs', 'hubble-relay-client-certs', 'hubble-relay-server-certs', 'hubble-generate-certs',
  'clustermesh-apiserver', 'clustermesh-apiserver-remote-cert', 'clustermesh-apiserver-server-cert', 'clustermesh-apiserver-admin-cert',
  'clustermesh-apiserver-local-cert', 'cilium-clustermesh', 'cilium-kvstoremesh', 'cilium-secrets',
];

/**
 * The objects of Kubernetes (kubeadm, as kind sets it up), Cilium's chart (in `kube-system`) and cert-manager's
 * release manifest (in `cert-manager`) a bundle object must not replace (the ServiceAccount `default` of a namespace
 * is left out: applying it, e.g. with `automountServiceAccountToken: false`, is the usual way to configure it). Names are the charts' and manifests'
 * (cilium `install/kubernetes/cilium/templates`, cert-manager `cert-manager.yaml`).
 */
export function systemObjects(steps: EarlierApplySteps): SystemObject[] {
  return [
    { step: 'kind', owner: 'the API server', group: '', kinds: ['Service', 'Endpoints'], namespace: 'default', names: ['kubernetes'] },
    { step: 'kind', owner: 'kubeadm (cluster DNS)', group: '', kinds: ['Service'], namespace: 'kube-system', names: ['kube-dns'] },
    // Not the coredns ConfigMap: replacing the Corefile is CoreDNS's documented way to configure it.
    { step: 'kind', owner: 'kubeadm (cluster DNS)', group: '*', kinds: ['Deployment', 'ServiceAccount', 'PodDisruptionBudget'], namespace: 'kube-system', names: ['coredns'] },
    { step: 'kind', owner: 'kubeadm', group: '*', kinds: ['*'], namespace: 'kube-system', names: ['kube-proxy', 'kubeadm-config', 'kubelet-config', 'kube-apiserver', 'etcd'] },
    { step: 'kind', owner: 'kind', group: 'storage.k8s.io', kinds: ['StorageClass'], names: ['standard'] },
    { step: 'cilium', owner: "Cilium's chart", group: '*', kinds: ['*'], namespace: 'kube-system', names: ciliumNames },
    { step: 'cilium', owner: "Cilium's chart", group: 'rbac.authorization.k8s.io', kinds: ['ClusterRole', 'ClusterRoleBinding'], names: ['cilium', 'cilium-operator', 'hubble-ui', 'clustermesh-apiserver'] },
    ...(steps.certManager ? [{
      step: 'cert-manager',
      owner: "cert-manager's release manifest",
      group: '*',
      kinds: ['*'],
      namespace: 'cert-manager',
      names: ['cert-manager', 'cert-manager-webhook', 'cert-manager-cainjector', 'cert-manager-webhook-ca'],
    }] : []),
  ];
}

/** The system object `o` (in namespace `namespace`) would replace, if any. */
export function replacedSystemObject(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, namespace: string | undefined, owned: readonly SystemObject[]): SystemObject | undefined {
  const group = groupOf(o.apiVersion);
  return owned.find((s) => (s.group === '*' ? BUILT_IN_GROUPS.includes(group) : s.group === group) && (s.kinds.includes('*') || s.kinds.includes(o.kind))
    && s.namespace === namespace && s.names.includes(o.metadata.name));
}
