import { GatewayApiState, RouteParentState, applyGatewayApi } from '../../src/applied/gateway-api';
import { GatewayControllerFacts, ciliumGatewayControllerFacts } from '../../src/applied/gateway-facts';
import { KubeObject } from '../../src/applied/objects';
import { ciliumMinorFacts } from '../../src/spec/version-matrix';

/** Small builders for Gateway API objects in the apply-model tests (only the fields that matter). */

export const GW = 'gateway.networking.k8s.io/v1';

/** Cilium 1.20's controller facts (every route kind and ListenerSets). */
export const FACTS_1_20: GatewayControllerFacts = ciliumGatewayControllerFacts(ciliumMinorFacts('1.20').gatewayApi);

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function service(ns: string, name: string, ports: number[] = [8080]): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: ports.map((port) => ({ port, protocol: 'TCP' })) } };
}

export function gateway(ns: string, name: string, listeners: any[], spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: GW, kind: 'Gateway', metadata: { name, namespace: ns, ...metadata }, spec: { gatewayClassName: 'cilium', listeners, ...spec } };
}

export function http(name = 'http', port = 80, extra: Record<string, unknown> = {}): any {
  return { name, port, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } }, ...extra };
}

export function https(name: string, secret: string, extra: Record<string, unknown> = {}): any {
  return {
    name,
    port: 443,
    protocol: 'HTTPS',
    allowedRoutes: { namespaces: { from: 'All' } },
    tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: secret }] },
    ...extra,
  };
}

export function httpRoute(ns: string, name: string, parentRefs: any[], rules: any[] = [{ backendRefs: [{ name: 'web', port: 8080 }] }],
  hostnames?: string[]): KubeObject {
  return { apiVersion: GW, kind: 'HTTPRoute', metadata: { name, namespace: ns }, spec: { parentRefs, rules, ...(hostnames ? { hostnames } : {}) } };
}

export function grant(ns: string, name: string, from: any[], to: any[]): KubeObject {
  return { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name, namespace: ns }, spec: { from, to } };
}

/** Applies the Gateway model with every Gateway Service getting `addresses`. */
export function apply(objects: readonly KubeObject[], addresses: readonly string[] = ['172.18.255.200'], facts = FACTS_1_20): GatewayApiState {
  return applyGatewayApi({ objects, facts, serviceAddresses: () => addresses });
}

/** The status of parentRef `index` of a route. */
export function parentOf(state: GatewayApiState, route: string, index = 0): RouteParentState {
  const r = state.routes.find((x) => x.ref === route);
  if (!r) throw new Error(`no route ${route}`);
  return r.parents[index];
}

/** `status/reason` of a condition, or `absent`. */
export function cond(c: { status: string; reason: string } | undefined): string {
  return c ? `${c.status}/${c.reason}` : 'absent';
}
