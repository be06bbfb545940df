import { CERT_MANAGER_RELEASE_MANIFEST_CONFIG, CertManagerState, applyCertManager } from './cert-manager';
import { CiliumPolicyEngine } from './cilium-policy';
import { GatewayApiState, applyGatewayApi, ciliumGatewayServices } from './gateway-api';
import { GatewayControllerFacts, ciliumGatewayControllerFacts } from './gateway-facts';
import { kindClusterNodes } from './kind-nodes';
import { L2Node, L2Result, announceL2, ciliumDevices } from './l2-announcements';
import { LbIpamResult, assignLoadBalancerAddresses, lbIpamSettingsFromHelmValues, withLoadBalancerStatus } from './lb-ipam';
import { KubeObject, namespacedName } from './objects';
import { PlatformModel } from '../model/platform-model';
import { ciliumMinorFacts } from '../spec/version-matrix';

/**
 * The platform as applied (issue 18): what Kubernetes and the controllers (LB-IPAM, the L2 announcer, Cilium's
 * Gateway API controller, cert-manager, Cilium's policy engine; models in `src/applied/`) do with every object the
 * cluster's bundle applies, whoever wrote it: the library's constructs, cdk8s-plus, raw `ApiObject`s and patches.
 * The intended outcomes (`src/outcomes/`) are judged against it. Pure; computed once per cluster and validation.
 */

/** One object of the cluster's bundle, with the construct path of the ApiObject that wrote it. */
export interface AppliedEntry {
  readonly path: string;
  readonly object: Record<string, any>;
}

/** What the apply model reads: the cluster's description and rendered outputs, and every object of its bundle. */
export interface ClusterApplyInput {
  readonly model: PlatformModel;
  /** Every object `kubectl apply -k` applies in the cluster's `bundle` step, in install order. */
  readonly entries: readonly AppliedEntry[];
}

/** The applied state of one cluster. */
export interface AppliedPlatform {
  readonly model: PlatformModel;
  /** The cluster name (prefix of messages). */
  readonly cluster: string;
  /** The bundle's objects, in install order. */
  readonly entries: readonly AppliedEntry[];
  /** The bundle's objects (`entries[i].object`). */
  readonly objects: readonly KubeObject[];
  /** The kind nodes as the cluster sees them (names and labels). */
  readonly nodes: readonly L2Node[];
  /** The Services Cilium's Gateway controller creates that no bundle object describes. */
  readonly generatedServices: readonly KubeObject[];
  /** LB-IPAM's statuses for every Service (the bundle's and the generated ones) and pool. */
  readonly lbIpam: LbIpamResult;
  /** What the L2 announcer answers on the kind network. */
  readonly l2: L2Result;
  /** cert-manager's issuers, Certificates and the Secrets they write. */
  readonly certManager: CertManagerState;
  /** Gateways, listeners and routes as Cilium's operator reconciles them. */
  readonly gatewayApi: GatewayApiState;
  /** Cilium's policy engine over the bundle's policies (verdicts for flows). */
  readonly policy: CiliumPolicyEngine;
  /** The construct path of an object of the bundle (`namespace/name` of a generated object otherwise). */
  pathOf(object: KubeObject): string;
}

const cache = new WeakMap<PlatformModel, { entries: readonly AppliedEntry[]; applied: AppliedPlatform }>();

/** The Gateway controller facts of the cluster's Cilium minor and Helm values. */
export function gatewayControllerFactsOf(model: PlatformModel): GatewayControllerFacts {
  const values = model.ciliumValues as Record<string, any>;
  return ciliumGatewayControllerFacts(ciliumMinorFacts(model.spec.ciliumMinor).gatewayApi, {
    externalTrafficPolicy: values.gatewayAPI?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    hostNetwork: values.gatewayAPI?.hostNetwork?.enabled === true,
    gatewayClass: values.gatewayAPI?.gatewayClass?.create !== false && values.gatewayAPI?.gatewayClass?.create !== 'false',
  });
}

/**
 * Applies the cluster's bundle, in the order of its apply plan (kind, Gateway API CRDs, Cilium, cert-manager, then
 * `kubectl apply -k` of the manifests, whose legacy kustomize order creates Services before custom objects such as
 * pools), and returns the state the controllers converge to. Memoised per model and object list.
 */
export function applyPlatform(input: ClusterApplyInput): AppliedPlatform {
  const hit = cache.get(input.model);
  if (hit && hit.entries === input.entries) return hit.applied;
  const applied = compute(input);
  cache.set(input.model, { entries: input.entries, applied });
  return applied;
}

function compute({ model, entries }: ClusterApplyInput): AppliedPlatform {
  const values = model.ciliumValues as Record<string, any>;
  const objects = entries.map((e) => e.object as KubeObject);
  const paths = new Map<KubeObject, string>(entries.map((e) => [e.object as KubeObject, e.path]));
  const facts = gatewayControllerFactsOf(model);
  const serviceKeys = new Set(objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1').map((o) => namespacedName(o)));
  // The operator creates `cilium-gateway-<name>` once a Gateway is reconciled; a bundle Service of that name is adopted.
  const generatedServices = ciliumGatewayServices(objects, facts).filter((s) => !serviceKeys.has(namespacedName(s)));
  const services = [...objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1'), ...generatedServices];
  const lbIpam = assignLoadBalancerAddresses({
    pools: objects.filter((o) => o.kind === 'CiliumLoadBalancerIPPool'),
    services,
    servicesBeforePools: true,
    settings: lbIpamSettingsFromHelmValues(values, model.spec.ciliumMinor),
  });
  const nodes = kindClusterNodes(model.kindConfig, model.spec.nodeRoleLabels);
  const l2 = announceL2({
    policies: objects.filter((o) => o.kind === 'CiliumL2AnnouncementPolicy'),
    services: withLoadBalancerStatus(services, lbIpam),
    nodes,
    devices: ciliumDevices(values.devices),
    settings: {
      l2announcementsEnabled: values.l2announcements?.enabled === true,
      kubeProxyReplacement: String(values.kubeProxyReplacement) === 'true',
      ciliumVersion: model.spec.ciliumVersion,
    },
  });
  const certManager = applyCertManager(objects, CERT_MANAGER_RELEASE_MANIFEST_CONFIG);
  const assigned = (namespace: string, name: string) => {
    const r = lbIpam.services[`${namespace}/${name}`];
    return r?.result === 'assigned' ? r.ips : [];
  };
  const gatewayApi = applyGatewayApi({ objects: [...objects, ...certManager.issuedSecretObjects], facts, serviceAddresses: assigned });
  const policy = CiliumPolicyEngine.fromObjects(objects, {
    ciliumMinor: model.spec.ciliumMinor,
    clusterName: model.spec.ciliumCluster.name,
    ...(typeof values.clustermesh?.policyDefaultLocalCluster === 'boolean' ? { policyDefaultLocalCluster: values.clustermesh.policyDefaultLocalCluster } : {}),
    ...(values.l7Proxy === false ? { l7Proxy: false } : {}),
    ...(['default', 'always', 'never'].includes(values.policyEnforcementMode) ? { policyEnforcementMode: values.policyEnforcementMode as 'default' | 'always' | 'never' } : {}),
  });
  return {
    model,
    cluster: model.spec.clusterName,
    entries,
    objects,
    nodes,
    generatedServices,
    lbIpam,
    l2,
    certManager,
    gatewayApi,
    policy,
    pathOf: (o) => paths.get(o) ?? `${model.field}/${o.kind}/${namespacedName(o)}`,
  };
}
