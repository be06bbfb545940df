import { decidingSide, gatewayFix, observedOf, portText } from './flow-fixes';
import { BundlePod, podName, servicesOf, targetPortOf } from './flow-pods';
import { describeRequest } from './flow-requests';
import { Outcome } from './outcome';
import { HttpRequest } from '../applied/cilium-policy';
import { KubeObject, namespacedName, objectRef } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';

/**
 * Every backend of a route must admit the Gateway's Envoy: Cilium's Gateway API data path is Envoy with the
 * `ingress` identity connecting to the backend pods on the Service's target port
 * (`Documentation/network/servicemesh/ingress-reference.rst`); a policy that drops it leaves Envoy without an
 * upstream, and the route answers 503 "upstream connect error". Judged for every reconciled, attached route and
 * every backendRef that resolves to a Service of the bundle, on each of its pods; a request the backend's HTTP
 * rules answer with 403 still counts as admitted (the app filters requests on purpose).
 */

/** The request of a route rule's first match (path prefix or exact value, method), `GET /` otherwise. */
function routeRequest(route: KubeObject | undefined, rule: number): HttpRequest {
  const match = route?.spec?.rules?.[rule]?.matches?.[0];
  const path = match?.path?.type === 'RegularExpression' || typeof match?.path?.value !== 'string' ? '/' : match.path.value;
  return { method: typeof match?.method === 'string' ? match.method : 'GET', path };
}

/** One outcome per attached route, backend pod and target port: Envoy reaches it. */
export function gatewayBackendOutcomes(applied: AppliedPlatform, pods: readonly BundlePod[]): Outcome[] {
  const out: Outcome[] = [];
  const seen = new Set<string>();
  for (const route of applied.gatewayApi.routes) {
    if (!route.reconciled || !route.parents.some((p) => p.attachedListeners.length > 0)) continue;
    const routeObject = applied.objects.find((o) => objectRef(o) === route.ref);
    const field = routeObject ? applied.pathOf(routeObject) : route.ref;
    for (const backend of route.backends) {
      if (backend.state !== 'Resolved' || backend.port === undefined) continue;
      const service = applied.objects.find((o) => o.kind === 'Service' && o.apiVersion === 'v1' && namespacedName(o) === backend.service);
      const servicePort = (service?.spec?.ports ?? []).find((p: any) => p?.port === backend.port);
      if (!service || !servicePort) continue;
      for (const pod of pods.filter((p) => servicesOf(p, applied.objects).includes(service))) {
        const port = targetPortOf(pod, servicePort);
        if (!port) continue;
        const key = `${route.ref}|${pod.workload}|${portText(port)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const http = route.kind === 'HTTPRoute' || route.kind === 'GRPCRoute' ? routeRequest(routeObject, backend.rule) : undefined;
        const v = applied.policy.verdict({ from: 'ingress', to: pod.peer, port: port.port, protocol: port.protocol, ...(http ? { http } : {}) });
        const filtered = v.verdict !== 'allowed' && decidingSide(v)?.basis === 'l7-http';
        const holds = v.verdict === 'allowed' || filtered;
        const request = http ? ` (${describeRequest(http)})` : '';
        out.push({
          id: 'gateway-backend-denied',
          statement: `${route.ref} reaches its backend ${backend.service}:${backend.port} through the Gateway's Envoy: entity ingress → ${podName(pod)} on ${portText(port)}${request} passes`,
          field,
          holds,
          observed: filtered ? `admitted; the backend's HTTP rules answer this request with 403: ${v.reason}` : observedOf(v),
          ...(holds ? {} : {
            problem: `the backend's pods do not admit the Gateway's Envoy (${v.verdict} at ${v.at}: ${v.reason}), so the route answers 503 "upstream connect error"`,
            step: 'bundle',
            fix: gatewayFix(applied, pod, port, v),
          }),
          section: 'flows',
        });
      }
    }
  }
  return out;
}
