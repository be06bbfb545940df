import { createHash } from 'crypto';
import { GatewayControllerFacts } from './gateway-facts';
import { Listener } from './gateway-objects';
import { KubeObject } from './objects';

/**
 * The Service Cilium's operator creates for each Gateway it programs, so the LB-IPAM model can give the Gateway
 * its address (operator/pkg/model/translation/gateway-api/translator.go `desiredService` and `toServicePorts`,
 * operator/pkg/model/ingestion/gateway.go for `spec.infrastructure` and `spec.addresses`; v1.20 branch point 3ab8efdd).
 */

/** Prefix of every generated object's name (translator.go `CiliumGatewayPrefix`). */
export const CILIUM_GATEWAY_PREFIX = 'cilium-gateway-';

/** Deprecated label naming the owning Gateway (translator.go `owningGatewayLabel`); the operator still finds the Service by it. */
export const OWNING_GATEWAY_LABEL = 'io.cilium.gateway/owning-gateway';

/** Label naming the Gateway (translator.go `gatewayNameLabel`). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** Annotation through which `spec.addresses` reach LB-IPAM (pkg/annotation `LBIPAMIPKeyAlias`; LB-IPAM reads it as a fallback of `lbipam.cilium.io/ips`). */
export const LB_IPAM_IPS_ALIAS_ANNOTATION = 'io.cilium/lb-ipam-ips';

/** Annotation set from a CiliumGatewayClassConfig's `loadBalancerSourceRangesPolicy` (pkg/annotation `ServiceSourceRangesPolicy`). */
export const SOURCE_RANGES_POLICY_ANNOTATION = 'service.cilium.io/src-ranges-policy';

/**
 * A name cut to 63 characters the way Cilium does it (pkg/shortener `ShortenK8sResourceName`): longer names keep
 * their first 52 characters, then `-` and 10 characters of their sha256 hex with kubectl's hash encoding
 * (`0`->`g`, `1`->`h`, `3`->`k`, `a`->`m`, `e`->`t`).
 */
export function shortenK8sResourceName(s: string): string {
  if (s.length <= 63) return s;
  const map: Record<string, string> = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 10).replace(/[013ae]/g, (c) => map[c]);
  return `${s.slice(0, 52)}-${hash}`;
}

/** The name of the Service (and CiliumEnvoyConfig) Cilium generates for a Gateway: `cilium-gateway-<name>`, shortened. */
export function ciliumGatewayServiceName(gatewayName: string): string {
  return shortenK8sResourceName(CILIUM_GATEWAY_PREFIX + gatewayName);
}

/**
 * The Service ports of a Gateway's listeners (translator.go `toServicePorts`): one per distinct port, sorted,
 * `port-<n>` for TCP-carried protocols and `port-<n>-udp` for UDP, TCP first when a port carries both.
 */
export function gatewayServicePorts(listeners: readonly Listener[]): { name: string; port: number; protocol: 'TCP' | 'UDP' }[] {
  const byPort = new Map<number, { tcp: boolean; udp: boolean }>();
  for (const l of listeners) {
    const p = byPort.get(l.port) ?? { tcp: false, udp: false };
    if (l.protocol === 'UDP') p.udp = true;
    else p.tcp = true;
    byPort.set(l.port, p);
  }
  return [...byPort.entries()].sort(([a], [b]) => a - b).flatMap(([port, p]) => [
    ...(p.tcp ? [{ name: `port-${port}`, port, protocol: 'TCP' as const }] : []),
    ...(p.udp ? [{ name: `port-${port}-udp`, port, protocol: 'UDP' as const }] : []),
  ]);
}

/** The `spec.service` of a CiliumGatewayClassConfig (cilium.io/v2alpha1), as far as the Service uses it. */
export interface GatewayClassServiceConfig {
  /** `LoadBalancer` (default), `NodePort` or `ClusterIP`. */
  readonly type?: string;
  /** `Cluster` or `Local`. */
  readonly externalTrafficPolicy?: string;
  /** `spec.loadBalancerClass` of the Service. */
  readonly loadBalancerClass?: string;
  /** `spec.loadBalancerSourceRanges` of the Service. */
  readonly loadBalancerSourceRanges?: readonly string[];
  /** `Allow` (default) or `Deny`, as the `service.cilium.io/src-ranges-policy` annotation. */
  readonly loadBalancerSourceRangesPolicy?: string;
  /** `spec.ipFamilies` of the Service. */
  readonly ipFamilies?: readonly string[];
  /** `spec.ipFamilyPolicy` of the Service. */
  readonly ipFamilyPolicy?: string;
  /** `spec.allocateLoadBalancerNodePorts` of the Service. */
  readonly allocateLoadBalancerNodePorts?: boolean;
  /** `spec.trafficDistribution` of the Service. */
  readonly trafficDistribution?: string;
}

/**
 * The Service the operator creates and keeps (CreateOrPatch, so it replaces `spec` of a Service applied under the
 * same name and keeps its allocated NodePorts) for a Gateway it accepted:
 *
 * - `cilium-gateway-<gateway>` in the Gateway's namespace, owned by the Gateway;
 * - labels `io.cilium.gateway/owning-gateway` and `gateway.networking.k8s.io/gateway-name` (the shortened Gateway
 *   name), overridden or extended by `spec.infrastructure.labels`;
 * - annotations from `spec.infrastructure.annotations`; `spec.addresses` of type IPAddress become
 *   `io.cilium/lb-ipam-ips` unless that annotation is set; a class config adds `service.cilium.io/src-ranges-policy`
 *   (default `Allow`);
 * - type `LoadBalancer` (the class config may choose another; `NodePort` with `gatewayAPI.hostNetwork.enabled`),
 *   `externalTrafficPolicy` from the class config or the operator flag (none with host network), the IP families
 *   of the agent (`PreferDualStack` when both), the listeners' ports.
 */
export function desiredGatewayService(gateway: KubeObject, listeners: readonly Listener[], facts: GatewayControllerFacts,
  classService?: GatewayClassServiceConfig): KubeObject {
  const name = gateway.metadata.name;
  const shortName = shortenK8sResourceName(name);
  const infra = gateway.spec?.infrastructure ?? {};
  const labels: Record<string, string> = { [OWNING_GATEWAY_LABEL]: shortName, [GATEWAY_NAME_LABEL]: shortName, ...(infra.labels ?? {}) };
  const annotations: Record<string, string> = { ...(infra.annotations ?? {}) };
  const ips = (Array.isArray(gateway.spec?.addresses) ? gateway.spec.addresses : [])
    .filter((a: any) => a?.type === undefined || a.type === 'IPAddress').map((a: any) => String(a.value));
  if (ips.length > 0 && !annotations[LB_IPAM_IPS_ALIAS_ANNOTATION]) annotations[LB_IPAM_IPS_ALIAS_ANNOTATION] = ips.join(',');
  if (classService) annotations[SOURCE_RANGES_POLICY_ANNOTATION] = classService.loadBalancerSourceRangesPolicy || 'Allow';
  const hostNetwork = facts.service.hostNetwork;
  const type = hostNetwork ? 'NodePort' : classService?.type || 'LoadBalancer';
  const families = classService?.ipFamilies ?? facts.service.ipFamilies;
  const spec: Record<string, unknown> = {
    type,
    ports: gatewayServicePorts(listeners),
    ipFamilies: [...families],
  };
  if (!hostNetwork) spec.externalTrafficPolicy = classService?.externalTrafficPolicy || facts.service.externalTrafficPolicy;
  if (classService?.ipFamilyPolicy) spec.ipFamilyPolicy = classService.ipFamilyPolicy;
  else if (facts.service.ipFamilies.length > 1) spec.ipFamilyPolicy = 'PreferDualStack';
  if (type === 'LoadBalancer') {
    if (classService?.loadBalancerClass) spec.loadBalancerClass = classService.loadBalancerClass;
    if (classService?.loadBalancerSourceRanges) spec.loadBalancerSourceRanges = [...classService.loadBalancerSourceRanges];
    if (classService?.allocateLoadBalancerNodePorts !== undefined) spec.allocateLoadBalancerNodePorts = classService.allocateLoadBalancerNodePorts;
  }
  if (classService?.trafficDistribution) spec.trafficDistribution = classService.trafficDistribution;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: ciliumGatewayServiceName(name),
      namespace: gateway.metadata.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, controller: true }],
    },
    spec,
  };
}
