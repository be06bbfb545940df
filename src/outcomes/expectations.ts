import { decidingSide, flowFix, observedOf, peerLabels, portText } from './flow-fixes';
import { bundlePods, BundlePod, ContainerPort, podName, probeClient, probeServer, servicesOf, targetPortOf } from './flow-pods';
import { expectOf } from './flows';
import { Outcome, OutcomeRule } from './outcome';
import { ListenerEntryPoint, listenerEntryPoints, RouteUrl, routeUrls } from './route-urls';
import { FlowVerdict, formatRuleRef } from '../applied/cilium-policy';
import { gatewayHttpRequest } from '../applied/gateway-api';
import { HttpOutcome } from '../applied/gateway-dataplane';
import { AppliedIndex } from '../applied/gateway-objects';
import { selectorMatches } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';
import { ExpectationFact, ExpectedPodsFact } from '../model/platform-model';

/**
 * The outcomes the user states (`ExpectFlow`, `ExpectUrl`; the `expectations` facts of the model), judged against
 * the applied state like the outcomes the objects imply:
 * - `expected-flow-failed`: Cilium's policy engine (`applied.policy`, both ends) gives the flow from each pod of
 *   the bundle `from` selects to each pod `to` selects a verdict other than the stated one, or a selector selects no
 *   pod of the bundle (the statement would be vacuous);
 * - `expected-url-failed`: Envoy's routing of the bundle's Gateways (`gatewayHttpRequest`) does not forward a GET of
 *   the URL to a backend that resolves (the stated one, when given), or no Gateway with an attached HTTPRoute
 *   listens on the URL's scheme and port.
 * Flow outcomes carry a `flow` probe (what the client sees), URL outcomes a `url` probe expecting 2xx.
 */

type FlowExpectation = ExpectationFact & { readonly kind: 'flow' };
type UrlExpectation = ExpectationFact & { readonly kind: 'url' };

function labelsText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

function podsText(pods: ExpectedPodsFact): string {
  return Object.keys(pods.labels).length > 0 ? `pods ${labelsText(pods.labels)} of namespace ${pods.namespace}` : `every pod of namespace ${pods.namespace}`;
}

function selected(pods: readonly BundlePod[], want: ExpectedPodsFact): BundlePod[] {
  return pods.filter((p) => p.peer.namespace === want.namespace && selectorMatches({ matchLabels: { ...want.labels } }, p.peer.labels));
}

/** The pods of the bundle in the namespace, for a fix that names what there is. */
function podsIn(pods: readonly BundlePod[], namespace: string): string {
  const inNs = pods.filter((p) => p.peer.namespace === namespace);
  return inNs.length === 0 ? `the bundle runs no pod in namespace ${namespace}`
    : `the pods of namespace ${namespace} carry ${inNs.map((p) => `${labelsText(peerLabels(p))} (${p.workload})`).join(', ')}`;
}

function noPods(e: FlowExpectation, statement: string, pods: readonly BundlePod[], end: 'from' | 'to'): Outcome {
  const want = e[end];
  return {
    id: 'expected-flow-failed',
    statement,
    field: `${e.field}.${end}`,
    holds: false,
    observed: `no pod of the bundle is ${podsText(want)}`,
    section: 'flows',
    problem: `${end} selects no pod of the bundle (${podsText(want)}): ${podsIn(pods, want.namespace)}`,
    fix: `give ${end} the namespace and labels of a workload of the bundle (its pod template's labels), or add that workload`,
  };
}

/** A flow to a port the server's containers do not listen on: the container ports, and the Service port that maps to one. */
function noListener(applied: AppliedPlatform, e: FlowExpectation, statement: string, server: BundlePod): Outcome {
  const listening = server.ports.map(portText).join(', ');
  const viaService = servicesOf(server, applied.objects).flatMap((svc) => (svc.spec?.ports ?? [])
    .filter((sp: Record<string, any>) => sp.port === e.port && (sp.protocol ?? 'TCP') === e.protocol)
    .flatMap((sp: Record<string, any>) => {
      const t = targetPortOf(server, sp);
      return t ? [{ service: `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`, target: t }] : [];
    }));
  const hint = viaService[0];
  return {
    id: 'expected-flow-failed',
    statement,
    field: `${e.field}.port`,
    holds: false,
    observed: `${podName(server)} listens on ${listening}, not ${e.protocol}/${e.port}`,
    section: 'flows',
    problem: `the containers of ${podName(server)} listen on ${listening}; a flow to ${e.protocol}/${e.port} reaches no listener${hint
      ? ` (${e.port} is the port of Service ${hint.service}, which forwards to ${portText(hint.target)}: flows are judged pod to pod, on the container port)` : ''}`,
    fix: hint ? `state port ${hint.target.port} (the container port Service ${hint.service} forwards ${e.port} to)` : `state one of the ports ${podName(server)} listens on (${listening})`,
  };
}

/** Why a flow stated `denied` passes, and how to deny it. */
function notDeniedFix(client: BundlePod, server: BundlePod, port: ContainerPort, v: FlowVerdict): string {
  const rules = v.hops.flatMap((h) => [h.egress, h.ingress]).filter((s) => s.basis === 'allow-rule' && s.by).map((s) => formatRuleRef(s.by!));
  if (rules.length > 0) {
    return `narrow ${[...new Set(rules)].join(' and ')} so it no longer lets ${podName(client)} reach ${podName(server)} on ${portText(port)}, or state expect: 'allowed'`;
  }
  const enforced = v.hops.some((h) => h.ingress.enforced || h.egress.enforced);
  return enforced
    ? `${v.reason}: change the policy that lets it through, or state expect: 'allowed'`
    : `no policy restricts ${podName(server)}'s ingress or ${podName(client)}'s egress, so Cilium lets everything through: add a ClusterDefaultDeny, or an AppNetworkPolicy selecting ${podName(server)} (appLabels ${JSON.stringify(peerLabels(server))}) that does not admit ${podName(client)}`;
}

function flowOutcomes(applied: AppliedPlatform, e: FlowExpectation, pods: readonly BundlePod[]): Outcome[] {
  const on = `${e.protocol}/${e.port}${e.http ? ` (${e.http.method} ${e.http.path})` : ''}`;
  const stated = `${podsText(e.from)} → ${podsText(e.to)} on ${on} is ${e.expect}, as ExpectFlow ${e.field} states`;
  const clients = selected(pods, e.from);
  const servers = selected(pods, e.to);
  if (clients.length === 0) return [noPods(e, stated, pods, 'from')];
  if (servers.length === 0) return [noPods(e, stated, pods, 'to')];
  const out: Outcome[] = [];
  // Flows are judged pod to pod, on the port the server's containers listen on: a port its containers do not declare
  // (often the Service port in front of them) reaches no listener, whatever the policies say.
  const deaf = servers.filter((s) => s.ports.length > 0 && !s.ports.some((p) => p.port === e.port && p.protocol === e.protocol));
  if (deaf.length > 0) return deaf.map((server) => noListener(applied, e, stated, server));
  for (const client of clients) {
    for (const server of servers) {
      const port: ContainerPort = server.ports.find((p) => p.port === e.port && p.protocol === e.protocol) ?? { port: e.port, protocol: e.protocol };
      const http = e.http ? { method: e.http.method, path: e.http.path } : undefined;
      const v = applied.policy.verdict({ from: client.peer, to: server.peer, port: e.port, protocol: e.protocol, ...(http ? { http } : {}) });
      const holds = (v.verdict === 'allowed') === (e.expect === 'allowed');
      const side = decidingSide(v);
      out.push({
        id: 'expected-flow-failed',
        statement: `${podName(client)} → ${podName(server)} on ${on} is ${e.expect}, as ExpectFlow ${e.field} states`,
        field: e.field,
        holds,
        observed: observedOf(v),
        section: 'flows',
        probe: {
          kind: 'flow',
          from: probeClient(client),
          ...probeServer(server, port, applied.objects),
          port: e.port,
          ...(http ? { http } : {}),
          expect: holds ? expectOf(v.clientSees) : e.expect === 'allowed' ? 'response' : side?.basis === 'l7-http' || http ? 'http-403' : 'timeout',
        },
        ...(holds ? {} : e.expect === 'allowed' ? {
          problem: `Cilium denies it: ${v.verdict} at ${v.at}${v.by ? ` by ${formatRuleRef(v.by)}` : ''} (the client sees ${v.clientSees}): ${v.reason}`,
          fix: flowFix(applied, client, server, port, v, `the expectation ${e.field}`),
        } : {
          problem: `Cilium lets it through: ${v.reason}`,
          fix: notDeniedFix(client, server, port, v),
        }),
      });
    }
  }
  return out;
}

/** The listeners of the bundle's Gateways with an attached HTTPRoute, and the URLs of the routes (for messages). */
interface Entries {
  readonly listeners: readonly ListenerEntryPoint[];
  /** `gateway origin` of every route URL: a Gateway whose routes serve the very origin is asked first. */
  readonly served: ReadonlySet<string>;
  /** The origins of the routes' URLs (concrete hostnames), for messages. */
  readonly origins: readonly string[];
}

function entriesOf(applied: AppliedPlatform): Entries {
  const index = new AppliedIndex([...applied.objects, ...applied.certManager.issuedSecretObjects]);
  const states = applied.gatewayApi.routes.filter((r) => r.kind === 'HTTPRoute');
  const urls: RouteUrl[] = states.flatMap((state) => {
    const route = index.routes.find((r) => r.ref === state.ref);
    return route ? routeUrls(applied, route, state) : [];
  });
  return {
    listeners: listenerEntryPoints(applied, states),
    served: new Set(urls.map((u) => `${u.gateway} ${new URL(u.url).origin}`)),
    origins: [...new Set(urls.map((u) => new URL(u.url).origin))],
  };
}

function describe(o: HttpOutcome): string {
  if (o.kind === 'forward') return `forwarded to ${o.backends.map((b) => `${b.service}:${b.port ?? '?'} (${b.state})`).join(', ')}`;
  if (o.kind === 'status') return `answered ${o.status}${o.location ? ` (Location ${o.location})` : ''} by Envoy: ${o.why}`;
  return `refused: ${o.why}`;
}

function urlOutcome(applied: AppliedPlatform, e: UrlExpectation, entries: Entries): Outcome {
  const url = new URL(e.url);
  const backend = e.backend ? `${e.backend.namespace}/${e.backend.name}:${e.backend.port}` : undefined;
  const statement = `${e.url} answers${backend ? `, forwarded to ${backend}` : ''}, as ExpectUrl ${e.field} states`;
  const scheme = url.protocol.replace(/:$/, '');
  const port = Number(url.port || (scheme === 'https' ? 443 : 80));
  // The stated backend is a Service port of the bundle (what an HTTPRoute's backendRef names), or the statement is wrong.
  const svc = e.backend ? applied.objects.find((o) => o.kind === 'Service' && o.apiVersion === 'v1' && o.metadata?.name === e.backend!.name
    && (o.metadata?.namespace ?? 'default') === e.backend!.namespace) : undefined;
  const svcPorts: number[] = (svc?.spec?.ports ?? []).map((p: Record<string, unknown>) => Number(p.port));
  if (e.backend && (!svc || !svcPorts.includes(e.backend.port))) {
    const where = `${e.backend.namespace}/${e.backend.name}`;
    return {
      id: 'expected-url-failed',
      statement,
      field: svc ? `${e.field}.backend.port` : `${e.field}.backend`,
      holds: false,
      observed: svc ? `Service ${where} has port${svcPorts.length === 1 ? '' : 's'} ${svcPorts.join(', ')}` : `no Service ${where} in the bundle`,
      section: 'routes',
      problem: svc ? `Service ${where} has no port ${e.backend.port} (its ports: ${svcPorts.join(', ')}): a backend is a Service port, as an HTTPRoute's backendRef names it`
        : `the bundle has no Service ${where} for the URL to be forwarded to`,
      fix: svc ? `state the Service port (${svcPorts.join(' or ')}), e.g. backend: workload.backend` : 'state the backend of a Service of the bundle, e.g. backend: workload.backend',
    };
  }
  const onPort = entries.listeners.filter((x) => x.protocol === url.protocol && x.urlPort === port);
  if (onPort.length === 0) {
    const listening = [...new Set(entries.listeners.map((x) => `${x.protocol.replace(/:$/, '')} on port ${x.urlPort}`))];
    const served = entries.origins.length > 0 ? ` (the routes' URLs: ${entries.origins.join(', ')})` : '';
    return {
      id: 'expected-url-failed',
      statement,
      field: `${e.field}.url`,
      holds: false,
      observed: `no Gateway with an attached HTTPRoute answers ${scheme} on port ${port}`,
      section: 'routes',
      problem: `no Gateway with an attached HTTPRoute answers ${scheme} on port ${port}; ${listening.length > 0 ? `they answer ${listening.join(', ')}${served}` : 'the bundle has no HTTPRoute attached to a Gateway'}`,
      fix: listening.length > 0 ? `use the scheme and port of a Gateway listener (${listening.join(', ')}): the host port kind maps to its NodePort`
        : 'add a LocalGateway and an HTTPRoute for the URL (gateway.addHttpRoute)',
    };
  }
  // Several Gateways may listen on one port inside the kind network: the one whose routes serve this very origin first.
  const entry = onPort.find((x) => entries.served.has(`${x.gateway} ${url.origin}`)) ?? onPort[0];
  const answer = gatewayHttpRequest(applied.gatewayApi, entry.gateway, {
    port: entry.listenerPort, tls: scheme === 'https', host: url.host, path: `${url.pathname}${url.search}`, method: 'GET', headers: {},
  });
  const resolved = answer.kind === 'forward' ? answer.backends.filter((b) => b.state === 'Resolved') : [];
  const ours = e.backend ? resolved.filter((b) => b.service === `${e.backend!.namespace}/${e.backend!.name}` && b.port === e.backend!.port) : resolved;
  const holds = ours.length > 0;
  const address = entry.host?.address ?? applied.gatewayApi.gateways.find((g) => `${g.namespace}/${g.name}` === entry.gateway)?.addresses[0];
  return {
    id: 'expected-url-failed',
    statement,
    field: e.field,
    holds,
    observed: `${e.url} → ${describe(answer)} (Gateway ${entry.gateway})`,
    section: 'routes',
    ...(address ? { probe: { kind: 'url' as const, url: e.url, address, expect: '2xx', via: entry.host ? 'host' as const : 'kind-network' as const } } : {}),
    ...(holds ? {} : {
      problem: `Envoy's routing of Gateway ${entry.gateway} does not ${backend ? `forward it to ${backend}` : 'forward it to a backend that resolves'}: the request is ${describe(answer)}`,
      fix: answer.kind === 'refused' ? 'make the listener certificate be served (see listener-certificate-missing), or use the scheme the listener serves'
        : answer.kind === 'status' && answer.status === 404 ? `attach an HTTPRoute whose hostnames and path match ${e.url} (gateway.addHttpRoute), or correct the URL`
          : answer.kind === 'forward' && resolved.length > 0 ? `route ${e.url} to ${backend} (the HTTPRoute's backend), or state the backend it reaches`
            : 'make the route\'s backend exist with its port (see route-refs-unresolved)',
    }),
  };
}

/** Every stated outcome of the cluster, judged. */
export function expectationOutcomes(applied: AppliedPlatform): Outcome[] {
  const stated = applied.model.expectations;
  if (stated.length === 0) return [];
  const pods = bundlePods(applied.objects);
  const urls = stated.some((e) => e.kind === 'url') ? entriesOf(applied) : { listeners: [], served: new Set<string>(), origins: [] };
  return stated.flatMap((e) => (e.kind === 'flow' ? flowOutcomes(applied, e, pods) : [urlOutcome(applied, e, urls)]));
}

/** The family of stated outcomes (see the file comment). */
export const EXPECTATION_OUTCOMES: OutcomeRule = {
  id: 'expectations',
  emits: ['expected-flow-failed', 'expected-url-failed'],
  summary: 'every flow an ExpectFlow states gets the stated verdict from Cilium\'s policy engine (from each pod it selects to each), and every URL an ExpectUrl states is forwarded by the Gateway to a backend that resolves (the stated one)',
  outcomes: expectationOutcomes,
};
