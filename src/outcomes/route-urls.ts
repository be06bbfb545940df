import { Outcome } from './outcome';
import { gatewayHttpRequest } from '../applied/gateway-api';
import { HttpOutcome, HttpRequest } from '../applied/gateway-dataplane';
import { computeHosts } from '../applied/gateway-hostnames';
import { Route } from '../applied/gateway-objects';
import { GatewayState, ListenerState, RouteState } from '../applied/gateway-state';
import { KubeObject, namespacedName } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';

/**
 * The URLs an attached HTTPRoute answers on, and what Envoy (Cilium's routing, `gatewayHttpRequest`) does with a
 * request to each: one URL per rule that forwards to backends (its first match, when that match can be written as
 * a request: no regular expression), per concrete hostname the route serves on a listener it is attached to. A
 * hostname is concrete when it has no wildcard; a listener and route without hostnames answer on `localhost`.
 *
 * The URL is the one a browser on the host uses, `http(s)://<hostname>:<host port>/<path>`: the host port is the
 * kind port mapping of the NodePort the Gateway's Service pins for the listener port (`LocalGateway` pins them);
 * a Gateway whose Service pins no NodePort is reachable only inside the kind network, on its address and listener
 * port. curl sends the port in the Host header, and Envoy's virtual hosts ignore it.
 */

/** One URL of a route and the request Envoy sees for it. */
export interface RouteUrl {
  /** `https://nginx.localhost:30443/`. */
  readonly url: string;
  /** The request on the Gateway's listener port. */
  readonly request: HttpRequest;
  /** The rule of the route (index in `spec.rules`). */
  readonly rule: number;
  /** The Gateway (`namespace/name`). */
  readonly gateway: string;
  /**
   * Where the URL is reached: on the host through a kind port mapping (`address`: its listen address, `127.0.0.1` for
   * `0.0.0.0`), or only inside the kind network (no mapped NodePort: `address` undefined, the Gateway's address).
   */
  readonly host?: { readonly address: string };
}

/** containerPort -> hostPort and listen address of the kind nodes' port mappings. */
function hostPorts(applied: AppliedPlatform): Map<number, { port: number; address: string }> {
  const out = new Map<number, { port: number; address: string }>();
  for (const m of applied.model.kindConfig.nodes.flatMap((n) => n.extraPortMappings ?? [])) {
    const address = !m.listenAddress || m.listenAddress === '0.0.0.0' ? '127.0.0.1' : m.listenAddress === '::' ? '::1' : m.listenAddress;
    if (!out.has(m.containerPort)) out.set(m.containerPort, { port: m.hostPort, address });
  }
  return out;
}

/** The NodePort the Gateway's Service pins for a listener port (the bundle's Service, else the generated one). */
function nodePortOf(applied: AppliedPlatform, g: GatewayState, port: number): number | undefined {
  const key = g.service ? namespacedName(g.service) : undefined;
  const service: KubeObject | undefined = applied.objects.find((o) => o.kind === 'Service' && o.apiVersion === 'v1' && namespacedName(o) === key) ?? g.service;
  const ports: readonly any[] = Array.isArray(service?.spec?.ports) ? service!.spec.ports : [];
  const p = ports.find((x) => x?.port === port);
  return typeof p?.nodePort === 'number' ? p.nodePort : undefined;
}

/** The request path (with query) of a match, or `undefined` when it cannot be written as one request. */
function pathOf(route: Route, rule: number): { path: string; method?: string; headers: Record<string, string> } | undefined {
  const m = route.rules[rule].matches[0];
  if (!m || m.path.type === 'RegularExpression') return undefined;
  if ([...m.headers, ...m.queryParams].some((x) => x.type !== 'Exact')) return undefined;
  const query = m.queryParams.map((q) => `${encodeURIComponent(q.name)}=${encodeURIComponent(q.value)}`).join('&');
  const path = m.path.value || '/';
  return { path: `${path}${query ? `?${query}` : ''}`, method: m.method, headers: Object.fromEntries(m.headers.map((h) => [h.name, h.value])) };
}

/** Every URL of an HTTPRoute on its attached HTTP/HTTPS listeners of `gateways`. */
export function routeUrls(applied: AppliedPlatform, route: Route, state: RouteState): RouteUrl[] {
  const ports = hostPorts(applied);
  const seen = new Set<string>();
  const out: RouteUrl[] = [];
  for (const attached of state.parents.flatMap((p) => p.attachedListeners)) {
    const [kind, ns, name, listenerName] = attached.split('/');
    const { gateway, listener } = listenerOf(applied, kind, `${ns}/${name}`, listenerName);
    if (!gateway || !listener || (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS')) continue;
    const tls = listener.protocol === 'HTTPS';
    const nodePort = nodePortOf(applied, gateway, listener.port);
    const mapped = nodePort !== undefined ? ports.get(nodePort) : undefined;
    const hostPort = mapped ? mapped.port : listener.port;
    const defaultPort = tls ? 443 : 80;
    const hosts = computeHosts(route.hostnames, listener.hostname, []).map((h) => (h === '*' ? 'localhost' : h)).filter((h) => !h.includes('*'));
    route.rules.forEach((rule, i) => {
      if (rule.redirect || rule.backendRefs.length === 0) return;
      const p = pathOf(route, i);
      if (!p) return;
      for (const host of hosts) {
        const authority = hostPort === defaultPort ? host : `${host}:${hostPort}`;
        const url = `${tls ? 'https' : 'http'}://${authority}${p.path}`;
        if (seen.has(`${url} ${i}`)) continue;
        seen.add(`${url} ${i}`);
        out.push({
          url,
          rule: i,
          gateway: `${gateway.namespace}/${gateway.name}`,
          request: { port: listener.port, tls, host: authority, path: p.path, ...(p.method ? { method: p.method } : {}), headers: p.headers },
          ...(mapped ? { host: { address: mapped.address } } : {}),
        });
      }
    });
  }
  return out;
}

/**
 * Where a browser reaches a Gateway listener that has an HTTPRoute attached: its scheme and port as the URL writes
 * them (the host port of the kind mapping of the listener's pinned NodePort, else the listener port), the request's
 * listener port, and the address a probe resolves the host to. Wildcard hostnames included (a stated URL may name
 * any host under them); one entry per Gateway, scheme and URL port.
 */
export interface ListenerEntryPoint {
  /** `https:` or `http:`. */
  readonly protocol: 'http:' | 'https:';
  /** The port the URL names (the host port, or the listener port inside the kind network). */
  readonly urlPort: number;
  /** The Gateway (`namespace/name`). */
  readonly gateway: string;
  /** The Gateway listener port the request arrives on. */
  readonly listenerPort: number;
  /** Reached on the host through a kind port mapping (its listen address), else only inside the kind network. */
  readonly host?: { readonly address: string };
}

/** Every listener entry point with an attached HTTPRoute (see {@link ListenerEntryPoint}). */
export function listenerEntryPoints(applied: AppliedPlatform, routes: readonly RouteState[]): ListenerEntryPoint[] {
  const ports = hostPorts(applied);
  const out = new Map<string, ListenerEntryPoint>();
  for (const attached of routes.flatMap((r) => r.parents.flatMap((p) => p.attachedListeners))) {
    const [kind, ns, name, listenerName] = attached.split('/');
    const { gateway, listener } = listenerOf(applied, kind, `${ns}/${name}`, listenerName);
    if (!gateway || !listener || (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS')) continue;
    const nodePort = nodePortOf(applied, gateway, listener.port);
    const mapped = nodePort !== undefined ? ports.get(nodePort) : undefined;
    const entry: ListenerEntryPoint = {
      protocol: listener.protocol === 'HTTPS' ? 'https:' : 'http:',
      urlPort: mapped ? mapped.port : listener.port,
      gateway: `${gateway.namespace}/${gateway.name}`,
      listenerPort: listener.port,
      ...(mapped ? { host: { address: mapped.address } } : {}),
    };
    const key = `${entry.gateway} ${entry.protocol} ${entry.urlPort}`;
    if (!out.has(key)) out.set(key, entry);
  }
  return [...out.values()];
}

function listenerOf(applied: AppliedPlatform, kind: string, key: string, listenerName: string): { gateway?: GatewayState; listener?: ListenerState } {
  const { gateways, listenerSets } = applied.gatewayApi;
  if (kind === 'Gateway') {
    const gateway = gateways.find((g) => `${g.namespace}/${g.name}` === key);
    return { gateway, listener: gateway?.listeners.find((l) => l.name === listenerName) };
  }
  const set = listenerSets.find((s) => s.ref === `ListenerSet/${key}`);
  return { gateway: gateways.find((g) => `${g.namespace}/${g.name}` === set?.gateway), listener: set?.listeners.find((l) => l.name === listenerName) };
}

function describe(o: HttpOutcome): string {
  if (o.kind === 'forward') return `forwarded to ${o.backends.map((b) => `${b.service}:${b.port}`).join(', ')}`;
  if (o.kind === 'status') return `answered ${o.status}${o.location ? ` (Location ${o.location})` : ''} by Envoy: ${o.why}`;
  return `refused: ${o.why}`;
}

/** The outcome "the URL reaches the route's backend" for each URL of an attached HTTPRoute. */
export function routeUrlOutcomes(applied: AppliedPlatform, route: Route, state: RouteState, field: string): Outcome[] {
  return routeUrls(applied, route, state).map((u) => {
    const answer = gatewayHttpRequest(applied.gatewayApi, u.gateway, u.request);
    const ours = answer.kind === 'forward' && answer.sources.includes(`${route.ref}#${u.rule}`);
    const holds = ours && answer.kind === 'forward' && answer.backends.some((b) => b.state === 'Resolved');
    const backends = route.rules[u.rule].backendRefs.map((b) => `${b.namespace}/${b.name}:${b.port ?? '?'}`).join(', ');
    const address = u.host?.address ?? applied.gatewayApi.gateways.find((g) => `${g.namespace}/${g.name}` === u.gateway)?.addresses[0];
    return {
      id: 'route-url-not-served',
      statement: `${u.url} reaches ${backends} through Gateway ${u.gateway} (${route.kind} ${route.namespace}/${route.name}, rule ${u.rule})`,
      field,
      holds,
      observed: `${u.url} → ${describe(answer)}`,
      section: 'routes' as const,
      ...(address ? { probe: { kind: 'url' as const, url: u.url, address, expect: '2xx', via: u.host ? 'host' as const : 'kind-network' as const } } : {}),
      ...(holds ? {} : {
        problem: `Envoy's routing for ${u.url} is not this rule's backend: the request is ${describe(answer)}${answer.kind === 'forward' && ours
          ? ' (the Service exposes no such port, Envoy answers 503)' : answer.kind === 'forward' ? ` (from ${answer.sources.join(', ')})` : ''}`,
        fix: answer.kind === 'refused' ? 'make the listener certificate be served (see listener-certificate-missing)'
          : answer.kind === 'status' && answer.status === 500 ? 'make a backend of the rule exist with its port (see route-refs-unresolved)'
            : answer.kind === 'forward' && ours ? 'reference a port the backend Service exposes (see route-refs-unresolved)'
              : `give the rule a match (hostname, path, headers) no other route of Gateway ${u.gateway} takes first, or remove the overlapping route`,
      }),
    };
  });
}
