import { GATEWAY_OWNER_LABEL } from '../applied/l2-announcements';
import { LbIpamEvent, LbIpamServiceResult, lbIpamSettingsFromHelmValues, simulateLbIpam } from '../applied/lb-ipam';
import { L2_ANNOUNCER_CLASS, ServiceView, serviceView } from '../applied/lb-ipam-services';
import { KubeObject, LabelSelector, labelsOf, namespacedName, selectorMatches } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';

/**
 * What the address outcomes (./addresses.ts) read of the applied state besides the model results: the Services LB-IPAM
 * saw, where each was written, whether an order-dependent assignment holds in every order, and why no L2 policy
 * selects a Service. Private to ./addresses.ts.
 */

/** A Service LB-IPAM saw (the bundle's and the ones Cilium's Gateway controller generates), with its view. */
export interface SeenService {
  /** `namespace/name`. */
  readonly key: string;
  /** The Service as applied. */
  readonly object: KubeObject;
  /** The Service as LB-IPAM reads it (labels for pool selectors, sharing key, ports). */
  readonly view: ServiceView;
  /** The construct path the outcome is reported at (a generated Service: its Gateway's path). */
  readonly field: string;
}

const isService = (o: KubeObject) => o.kind === 'Service' && o.apiVersion === 'v1';

/** Every Service LB-IPAM saw, in the order the apply model gave them to it. */
export function seenServices(applied: AppliedPlatform): SeenService[] {
  const values = applied.model.ciliumValues as Record<string, any>;
  const enabled = { ipv4: values.ipv4?.enabled !== false, ipv6: values.ipv6?.enabled === true };
  const gateways = applied.objects.filter((o) => o.kind === 'Gateway');
  return [...applied.objects.filter(isService), ...applied.generatedServices].map((object) => {
    const owner = labelsOf(object)[GATEWAY_OWNER_LABEL];
    const gateway = applied.generatedServices.includes(object) && owner !== undefined
      ? gateways.find((g) => g.metadata.name === owner && (g.metadata.namespace ?? 'default') === (object.metadata.namespace ?? 'default')) : undefined;
    return { key: namespacedName(object), object, view: serviceView(object, enabled), field: applied.pathOf(gateway ?? object) };
  });
}

/**
 * For an assignment the model marks order-dependent (`exact: false`): the first order tried in which LB-IPAM leaves
 * the Service pending, or `undefined` when it gets an address in every order tried. Upstream handles the Services of
 * one catch-up pass and visits pools in Go map order; the orders tried are the model's own with this Service handled
 * last of its pass (every competitor took its pick first), pools visited in creation order and in reverse.
 */
export function pendingInAnotherOrder(applied: AppliedPlatform, key: string): { order: string; result: LbIpamServiceResult } | undefined {
  const values = applied.model.ciliumValues as Record<string, any>;
  const settings = lbIpamSettingsFromHelmValues(values, applied.model.spec.ciliumMinor);
  const services = [...applied.objects.filter(isService), ...applied.generatedServices];
  const last = [...services.filter((s) => namespacedName(s) !== key), ...services.filter((s) => namespacedName(s) === key)];
  // As the apply model does: kubectl apply -k creates the bundle's Services before its pools.
  const events: LbIpamEvent[] = [
    ...last.map((service): LbIpamEvent => ({ kind: 'upsert-service', service })),
    ...applied.objects.filter((o) => o.kind === 'CiliumLoadBalancerIPPool').map((pool): LbIpamEvent => ({ kind: 'upsert-pool', pool })),
  ];
  const orders: [string, <T>(pools: T[]) => T[]][] = [
    ['handled after every other Service, pools visited in creation order', (pools) => pools],
    ['handled after every other Service, pools visited in reverse creation order', (pools) => [...pools].reverse()],
  ];
  for (const [order, visit] of orders) {
    const result = simulateLbIpam(events, settings, visit).services[key];
    if (result && result.result !== 'assigned') return { order, result };
  }
  return undefined;
}

/** Whether L2 announcements are how the cluster's addresses are reached: Cilium's L2 announcer is on or a policy exists. */
export function l2InUse(applied: AppliedPlatform): boolean {
  const values = applied.model.ciliumValues as Record<string, any>;
  return values.l2announcements?.enabled === true || applied.objects.some((o) => o.kind === 'CiliumL2AnnouncementPolicy');
}

/** Whether the L2 announcer considers the Service (no `loadBalancerClass`, or `io.cilium/l2-announcer`). */
export function announcedByL2(svc: KubeObject): boolean {
  const cls = svc.spec?.loadBalancerClass;
  return cls === undefined || cls === null || cls === L2_ANNOUNCER_CLASS;
}

const selectorText = (s: LabelSelector) => JSON.stringify(s);

/**
 * Why each CiliumL2AnnouncementPolicy passes the Service over, policy by policy: its `serviceSelector` does not
 * select it (over its labels plus `io.kubernetes.service.namespace`/`.name`), its `nodeSelector` matches no kind node,
 * or it announces no LoadBalancer IPs (`loadBalancerIPs` unset).
 */
export function l2PolicyMisses(applied: AppliedPlatform, svc: SeenService): string[] {
  const policies = applied.objects.filter((o) => o.kind === 'CiliumL2AnnouncementPolicy');
  if (policies.length === 0) return ['no CiliumL2AnnouncementPolicy exists in the bundle'];
  return policies.flatMap((p) => {
    const spec = p.spec ?? {};
    const why: string[] = [];
    if (spec.serviceSelector && !selectorMatches(spec.serviceSelector, svc.view.labels)) {
      why.push(`its serviceSelector ${selectorText(spec.serviceSelector)} does not select the Service (labels ${JSON.stringify(labelsOf(svc.object))})`);
    }
    if (spec.nodeSelector && !applied.nodes.some((n) => selectorMatches(spec.nodeSelector, n.labels))) {
      why.push(`its nodeSelector ${selectorText(spec.nodeSelector)} matches none of the kind nodes (${applied.nodes.map((n) => n.name).join(', ')})`);
    }
    if (spec.loadBalancerIPs !== true) why.push('it does not announce loadBalancerIPs');
    return why.length === 0 ? [] : [`policy ${p.metadata.name}: ${why.join('; ')}`];
  });
}
