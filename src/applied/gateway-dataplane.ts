import { GatewayControllerFacts } from './gateway-facts';
import { computeHosts, hostnameMatchesWildcard, selectVirtualHost, sniHostnamesIntersect, virtualHostDomains } from './gateway-hostnames';
import { CertificateRefState } from './gateway-listeners';
import { AppliedIndex, HttpMatch, Listener, Redirect, Route, ValueMatch, appendTo } from './gateway-objects';
import { BackendState, ParentOwner, backendState, namespaceAllowed, parentRefPicksListener } from './gateway-routes';
import { re2MatchesFully } from '../private/re2';

/**
 * The HTTP data plane of one Gateway as Cilium programs Envoy (operator/pkg/model/ingestion/gateway.go
 * `toHTTPRoutes`/`extractRoutes`, operator/pkg/model/translation/envoy_route_configuration.go and
 * envoy_virtual_host.go; v1.20 branch point 3ab8efdd), and which backend answers a given request.
 *
 * Cilium puts the routes of all plain-HTTP listeners of a Gateway, whatever their port, into one route
 * configuration (`listener-insecure`), and those of its HTTPS listeners into `listener-secure` (or one per port
 * when the Gateway has several HTTPS ports). Envoy then picks a virtual host by the Host header alone, so a
 * hostname served on two ports answers the same on both (cilium/cilium#33221).
 *
 * Not modelled: BackendTLSPolicy (an invalid policy makes Cilium drop the backend it targets), filters other than
 * RequestRedirect (header modifiers, rewrites and mirrors do not change which backend answers), timeouts and retries.
 */

/** Where a matching request goes. */
export type RouteAction =
  | { readonly kind: 'forward'; readonly backends: readonly BackendState[] }
  | { readonly kind: 'direct'; readonly status: number }
  | { readonly kind: 'redirect'; readonly redirect: Redirect; readonly listenerPort: number };

/** One Envoy route of a virtual host: a match of one rule of one route. */
export interface HttpRouteEntry {
  /** The routes this entry comes from (`Kind/namespace/name#rule`): several when Cilium merges equal matches. */
  readonly sources: readonly string[];
  /** Path, headers, query parameters and method the request must match. */
  readonly match: HttpMatch;
  /** Forward, answer directly, or redirect. */
  readonly action: RouteAction;
}

/** An Envoy virtual host: one hostname (or `*`) and its routes, most specific match first. */
export interface VirtualHost {
  /** The hostname the virtual host is for (`*` for the catch-all). */
  readonly hostname: string;
  /** Envoy `domains`: `[hostname, hostname:*]`, or `[*]`. */
  readonly domains: readonly string[];
  /** Envoy routes in the order Envoy tries them. */
  readonly routes: readonly HttpRouteEntry[];
}

/** An Envoy route configuration of the Gateway. */
export interface RouteConfiguration {
  /** `listener-insecure`, `listener-secure` or `listener-<port>`. */
  readonly name: string;
  /** Whether it serves TLS-terminated requests. */
  readonly tls: boolean;
  /** The Gateway ports whose requests it routes. */
  readonly ports: readonly number[];
  /** One virtual host per hostname, sorted by name. */
  readonly virtualHosts: readonly VirtualHost[];
}

/** A listener of the Gateway with its owner and how its certificates resolve. */
export interface DataplaneListener {
  /** The listener as written (defaults applied). */
  readonly listener: Listener;
  /** The Gateway or ListenerSet that owns it. */
  readonly owner: ParentOwner;
  /** How each of its certificate references resolves. */
  readonly certificateRefs: readonly CertificateRefState[];
  /** For a ListenerSet listener: the namespaces it admits (Cilium resolves them up front); `undefined` = checked per route. */
  readonly prefilteredNamespaces?: boolean;
}

/** The certificate references Cilium hands to Envoy (those ReferenceGrants permit: ingestion `toTLS`). */
function permittedCertificates(l: DataplaneListener): readonly CertificateRefState[] {
  return l.certificateRefs.filter((c) => c.state !== 'RefNotPermitted');
}

function isTlsListener(l: DataplaneListener): boolean {
  return l.listener.tls !== undefined && permittedCertificates(l).length > 0;
}

/** The inverted, case-insensitive header match Cilium adds to a scheme-changing redirect (not a Gateway API match type). */
const FORWARDED_PROTO_NOT = 'NotEqualIgnoreCase';

function matchKey(m: HttpMatch): string {
  const kv = (list: readonly ValueMatch[]) => list.map((x) => `${x.type}:${x.name}=${x.value}`).sort().join('|');
  return `${m.method ?? ''}|${m.path.type}:${m.path.value}|${kv(m.headers)}|${kv(m.queryParams)}`;
}

function prefixLength(m: HttpMatch): number {
  if (m.path.type !== 'PathPrefix') return 0;
  return m.path.value === '/' ? 1 : m.path.value.replace(/\/$/, '').length;
}

/** Cilium's `SortableRoute.Less`: exact path, regex, prefix length, method, header count, query count. */
function moreSpecific(a: HttpMatch, b: HttpMatch): boolean {
  const exact = (m: HttpMatch) => (m.path.type === 'Exact' ? m.path.value.length : 0);
  const regex = (m: HttpMatch) => (m.path.type === 'RegularExpression' ? m.path.value.length : 0);
  if (exact(a) !== exact(b)) return exact(a) > exact(b);
  if (regex(a) !== regex(b)) return regex(a) > regex(b);
  if (prefixLength(a) !== prefixLength(b)) return prefixLength(a) > prefixLength(b);
  if (a.method === undefined && b.method !== undefined) return false;
  if (a.method !== undefined && b.method === undefined) return true;
  if (a.method !== undefined && b.method !== undefined && a.method !== b.method) return a.method < b.method;
  const headers = (m: HttpMatch) => m.headers.length + (m.method ? 1 : 0);
  if (headers(a) !== headers(b)) return headers(a) > headers(b);
  return a.queryParams.length > b.queryParams.length;
}

/** The Envoy routes of one virtual host: equal matches merged (their backends pooled), then sorted stably. */
function envoyRoutes(entries: readonly HttpRouteEntry[]): HttpRouteEntry[] {
  const byKey = new Map<string, HttpRouteEntry[]>();
  for (const e of entries) appendTo(byKey, matchKey(e.match), e);
  const merged = [...byKey.values()].map((group): HttpRouteEntry => {
    const first = group[0];
    if (first.action.kind === 'redirect') {
      // A redirect to another scheme only matches requests not already on it (envoy_virtual_host.go getRouteRedirectMatch).
      const scheme = first.action.redirect.scheme;
      const match = scheme ? { ...first.match, headers: [...first.match.headers, { type: FORWARDED_PROTO_NOT, name: 'X-Forwarded-Proto', value: scheme }] } : first.match;
      return { ...first, match, sources: group.flatMap((g) => g.sources) };
    }
    const backends = group.flatMap((g) => (g.action.kind === 'forward' ? g.action.backends : []));
    return {
      sources: group.flatMap((g) => g.sources),
      match: first.match,
      action: backends.length > 0 ? { kind: 'forward', backends } : { kind: 'direct', status: 500 },
    };
  });
  return merged.sort((a, b) => (moreSpecific(a.match, b.match) ? -1 : moreSpecific(b.match, a.match) ? 1 : 0));
}

/**
 * The route entries one route contributes on one listener (ingestion `extractRoutes`): per rule and match, its
 * usable backends (permitted, a Service or ServiceImport with a port that exists; the Service's ports are not
 * checked), a 500 direct response when none is usable, or its RequestRedirect.
 */
function routeEntries(route: Route, index: AppliedIndex): HttpRouteEntry[] {
  return route.rules.flatMap((rule, i) => {
    const backends = rule.backendRefs.map((b) => backendState(route, b, index)).filter((b) => b.state === 'Resolved' || b.state === 'PortNotOnService');
    const action: RouteAction = rule.redirect
      ? { kind: 'redirect', redirect: rule.redirect, listenerPort: 0 }
      : backends.length > 0 ? { kind: 'forward', backends } : { kind: 'direct', status: 500 };
    return rule.matches.map((match) => ({ sources: [`${route.ref}#${i}`], match, action }));
  });
}

/**
 * The route configurations of one Gateway. `listeners` are its merged listeners (its own, then those of its
 * attached ListenerSets); `routes` the HTTPRoutes and GRPCRoutes accepted for it, in creation order.
 */
export function httpRouteConfigurations(listeners: readonly DataplaneListener[], routes: readonly Route[], facts: GatewayControllerFacts,
  index: AppliedIndex): RouteConfiguration[] {
  const http = listeners.filter((dl) => ['HTTP', 'HTTPS', 'TLS'].includes(dl.listener.protocol) && facts.listenerProtocols[dl.listener.protocol]);
  const hostnamesByProtocol = new Map<string, string[]>();
  for (const dl of listeners) {
    const { protocol, hostname } = dl.listener;
    if (hostname) appendTo(hostnamesByProtocol, protocol, hostname);
  }
  const securePorts = [...new Set(http.filter(isTlsListener).map((dl) => dl.listener.port))].sort((a, b) => a - b);
  const passthroughPorts = new Set(listeners.filter((dl) => dl.listener.protocol === 'TLS' && dl.listener.tls?.mode === 'Passthrough').map((dl) => dl.listener.port));
  const crossProtocol = http.filter(isTlsListener).some((h) => listeners.some((t) => t.listener.protocol === 'TLS' && t.listener.tls?.mode === 'Passthrough'
    && t.listener.port !== h.listener.port && sniHostnamesIntersect(h.listener.hostname ?? '', t.listener.hostname ?? '')));
  const perPort = securePorts.length > 1 || passthroughPorts.size > 1 || crossProtocol;
  // config name -> hostname -> entries, in listener then route order (Cilium's map insertion order).
  const configs = new Map<string, { tls: boolean; ports: Set<number>; hosts: Map<string, HttpRouteEntry[]> }>();
  const entriesOf = new Map<Route, HttpRouteEntry[]>();
  for (const dl of http) {
    const tls = isTlsListener(dl);
    const name = tls ? (perPort ? `listener-${dl.listener.port}` : 'listener-secure') : 'listener-insecure';
    const config = configs.get(name) ?? { tls, ports: new Set<number>(), hosts: new Map<string, HttpRouteEntry[]>() };
    configs.set(name, config);
    if (dl.listener.protocol !== 'TLS') config.ports.add(dl.listener.port);
    const others = hostnamesByProtocol.get(dl.listener.protocol) ?? [];
    for (const route of routes) {
      if (!route.parentRefs.some((p) => parentRefPicksListener(p, dl.listener, dl.owner))) continue;
      if (!dl.prefilteredNamespaces && !namespaceAllowed(dl.listener, route.namespace, dl.owner.namespace, index)) continue;
      const hosts = computeHosts(route.hostnames, dl.listener.hostname, others);
      if (hosts.length === 0) continue;
      const keys = hosts.length === 1 && hosts[0] === '*' ? [dl.listener.hostname ?? '*'] : hosts;
      let own = entriesOf.get(route);
      if (!own) entriesOf.set(route, own = routeEntries(route, index));
      const entries = own.map((e) => (e.action.kind === 'redirect' ? { ...e, action: { ...e.action, listenerPort: dl.listener.port } } : e));
      for (const h of keys) appendTo(config.hosts, h, ...entries);
    }
  }
  // Cilium always emits listener-insecure once the Gateway has an HTTP, HTTPS or TLS listener (empty when no route needs it).
  if (http.length > 0 && !configs.has('listener-insecure')) configs.set('listener-insecure', { tls: false, ports: new Set(), hosts: new Map() });
  return [...configs.entries()].sort(([a], [b]) => (a === 'listener-insecure' ? -1 : b === 'listener-insecure' ? 1 : a.localeCompare(b)))
    .map(([name, c]) => ({
      name,
      tls: c.tls,
      ports: [...c.ports].sort((a, b) => a - b),
      virtualHosts: [...c.hosts.entries()]
        .map(([hostname, entries]) => ({ hostname, domains: virtualHostDomains(hostname), routes: envoyRoutes(entries) }))
        .sort((a, b) => a.domains[0].localeCompare(b.domains[0])),
    }));
}

/** An HTTP request sent to a Gateway. */
export interface HttpRequest {
  /** The Gateway port the request is sent to. */
  readonly port: number;
  /** Whether the request is HTTPS (TLS with SNI = the host without port). */
  readonly tls: boolean;
  /** The Host header, with an optional `:port`. */
  readonly host: string;
  /** Path with an optional `?query`. */
  readonly path: string;
  /** @default 'GET' */
  readonly method?: string;
  /** Request headers (names case-insensitive). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a request gets. */
export type HttpOutcome =
  /** Envoy forwards to these backends (weighted); a backend whose Service lacks the port gets 503 from Envoy. */
  | { readonly kind: 'forward'; readonly backends: readonly BackendState[]; readonly sources: readonly string[] }
  /** Envoy answers itself: 404 (no virtual host or route), 500 (no usable backend), 3xx (RequestRedirect, `location` set). */
  | { readonly kind: 'status'; readonly status: number; readonly location?: string; readonly why: string }
  /** The connection fails: nothing listens on the port, or the TLS handshake fails. */
  | { readonly kind: 'refused'; readonly why: string };

function valueMatches(m: ValueMatch, actual: string | undefined): boolean {
  if (m.type === FORWARDED_PROTO_NOT) return actual === undefined || actual.toLowerCase() !== m.value.toLowerCase();
  if (actual === undefined) return false;
  return m.type === 'RegularExpression' ? re2MatchesFully(m.value, actual) : m.value === actual;
}

function requestMatches(m: HttpMatch, req: HttpRequest): boolean {
  const q = req.path.indexOf('?');
  const path = q < 0 ? req.path : req.path.slice(0, q);
  const query = q < 0 ? '' : req.path.slice(q + 1);
  if (m.path.type === 'Exact' && path !== m.path.value) return false;
  if (m.path.type === 'RegularExpression' && !re2MatchesFully(m.path.value, path)) return false;
  if (m.path.type === 'PathPrefix' && m.path.value !== '/') {
    const prefix = m.path.value.replace(/\/$/, '');
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
  }
  if (m.method !== undefined && m.method.toUpperCase() !== (req.method ?? 'GET').toUpperCase()) return false;
  // Envoy sets X-Forwarded-Proto from the connection (the Gateway is the edge: use_remote_address).
  const headers = new Map([['x-forwarded-proto', req.tls ? 'https' : 'http'], ...Object.entries(req.headers ?? {}).map(([k, v]): [string, string] => [k.toLowerCase(), v])]);
  if (!m.headers.every((h) => valueMatches(h, headers.get(h.name.toLowerCase())))) return false;
  const params = new URLSearchParams(query);
  return m.queryParams.every((qm) => valueMatches(qm, params.get(qm.name) ?? undefined));
}

function redirectLocation(r: Redirect, listenerPort: number, req: HttpRequest): string {
  const scheme = r.scheme ?? (req.tls ? 'https' : 'http');
  const port = r.port ?? (r.scheme === 'https' ? 443 : r.scheme === 'http' ? 80 : listenerPort);
  const host = r.hostname ?? req.host.replace(/:\d+$/, '');
  const defaultPort = scheme === 'https' ? 443 : 80;
  const path = r.path?.type === 'ReplaceFullPath' ? r.path.value : req.path;
  return `${scheme}://${host}${port === defaultPort ? '' : `:${port}`}${path}`;
}

/** The HTTPS listener whose TLS filter chain serves a client name (exact hostname, then the longest wildcard, then none). */
function filterChainFor(candidates: readonly DataplaneListener[], sni: string): DataplaneListener | undefined {
  const rank = (h: string | undefined) => (h === undefined ? 0 : h === sni ? 3e6 : h.startsWith('*.') && hostnameMatchesWildcard(sni, h) ? 1e6 + h.length : -1);
  return [...candidates].filter((dl) => rank(dl.listener.hostname) >= 0).sort((a, b) => rank(b.listener.hostname) - rank(a.listener.hostname))[0];
}

/**
 * What one request to a Gateway gets (`listeners` and `configs` of that Gateway): the TLS filter chain by SNI
 * (a listener whose certificates do not all resolve fails the handshake), the route configuration of the port's
 * protocol, the virtual host by Host header ({@link selectVirtualHost}), then the first Envoy route that matches
 * path, method, headers and query.
 */
export function routeHttpRequest(listeners: readonly DataplaneListener[], configs: readonly RouteConfiguration[], req: HttpRequest): HttpOutcome {
  const onPort = listeners.filter((dl) => dl.listener.port === req.port && ['HTTP', 'HTTPS'].includes(dl.listener.protocol));
  if (onPort.length === 0) return { kind: 'refused', why: `no HTTP or HTTPS listener on port ${req.port}` };
  const secure = onPort.filter(isTlsListener);
  let config: RouteConfiguration | undefined;
  if (req.tls) {
    const sni = req.host.replace(/:\d+$/, '').toLowerCase();
    const chain = filterChainFor(secure, sni);
    if (!chain) return { kind: 'refused', why: `no HTTPS listener on port ${req.port} serves the TLS name ${sni}` };
    const broken = permittedCertificates(chain).find((c) => c.state !== 'Resolved');
    if (broken) return { kind: 'refused', why: `TLS handshake fails: listener ${chain.listener.name} has no usable certificate (${broken.message})` };
    config = configs.find((c) => c.tls && c.ports.includes(req.port));
  } else {
    if (secure.length === onPort.length) return { kind: 'refused', why: `port ${req.port} serves TLS only` };
    config = configs.find((c) => !c.tls);
  }
  const vhost = config ? selectVirtualHost(config.virtualHosts, req.host) : undefined;
  if (!vhost) return { kind: 'status', status: 404, why: `no virtual host for ${req.host}` };
  const entry = vhost.routes.find((e) => requestMatches(e.match, req));
  if (!entry) return { kind: 'status', status: 404, why: `no route of ${vhost.hostname} matches ${req.path}` };
  switch (entry.action.kind) {
    case 'forward': return { kind: 'forward', backends: entry.action.backends, sources: entry.sources };
    case 'direct': return { kind: 'status', status: entry.action.status, why: `no usable backend in ${entry.sources.join(', ')}` };
    case 'redirect': return {
      kind: 'status',
      status: entry.action.redirect.statusCode,
      location: redirectLocation(entry.action.redirect, entry.action.listenerPort, req),
      why: `RequestRedirect of ${entry.sources.join(', ')}`,
    };
  }
}
