import { GatewayControllerFacts } from './gateway-facts';
import { computeHosts } from './gateway-hostnames';
import { AppliedIndex, BackendRef, Condition, GATEWAY_API_GROUP, Listener, ParentRef, Route, RouteKind, condition } from './gateway-objects';
import { selectorMatches } from './objects';
import { compileRe2 } from '../private/re2';

/**
 * Route checks as Cilium's Gateway reconciler runs them for each parentRef (operator/pkg/gateway-api/
 * gateway_reconcile.go `runGatewayRouteChecks`, routechecks/gateway_checks.go and route_checks.go, v1.20 branch
 * point 3ab8efdd), and the per-listener attachment that fills `attachedRoutes` and the Envoy configuration.
 */

/** The listeners a parentRef points at: a Gateway's, or a ListenerSet's (then `gateway` is its parent Gateway). */
export interface ParentOwner {
  /** Kind of the listener owner. */
  readonly kind: 'Gateway' | 'ListenerSet';
  /** Its namespace. */
  readonly namespace: string;
  /** Its name. */
  readonly name: string;
  /** Its listeners, defaults applied. */
  readonly listeners: readonly Listener[];
  /** `namespace/name` of the Gateway whose controller runs the checks. */
  readonly gateway: string;
}

/** Listener protocols a route kind can attach to (`GetValidProtocols` of each route input in routechecks/). */
export const ROUTE_PROTOCOLS: Readonly<Record<RouteKind, readonly string[]>> = {
  HTTPRoute: ['HTTP', 'HTTPS'],
  GRPCRoute: ['HTTP', 'HTTPS'],
  TLSRoute: ['TLS'],
  TCPRoute: ['TCP'],
  UDPRoute: ['UDP'],
};

/** Whether a parentRef names a Gateway (group and kind as defaulted by the CRD). */
export function isGatewayRef(p: ParentRef): boolean {
  return p.kind === 'Gateway' && (p.group === GATEWAY_API_GROUP || p.group === '');
}

/** Whether a parentRef names a ListenerSet. */
export function isListenerSetRef(p: ParentRef): boolean {
  return p.kind === 'ListenerSet' && (p.group === GATEWAY_API_GROUP || p.group === '');
}

/** Whether the namespace a route lives in may attach to a listener (`allowedRoutes.namespaces`, helpers `IsListenerNamespaceAllowed`). */
export function namespaceAllowed(l: Listener, routeNamespace: string, ownerNamespace: string, index: AppliedIndex): boolean {
  switch (l.allowedRoutes.from) {
    case 'All': return true;
    case 'Same': return routeNamespace === ownerNamespace;
    case 'Selector': {
      const labels = index.labelsOfNamespace(routeNamespace);
      // A missing selector converts to labels.Nothing() (metav1.LabelSelectorAsSelector).
      return labels !== undefined && l.allowedRoutes.selector !== undefined && selectorMatches(l.allowedRoutes.selector, labels);
    }
    default: return false;
  }
}

/** Whether a listener's `allowedRoutes.kinds` (or, when absent, its protocol) admits a route kind (Cilium `isKindAllowed`). */
export function kindAllowed(l: Listener, kind: RouteKind, facts: GatewayControllerFacts): boolean {
  if (l.allowedRoutes.kinds === undefined) return (facts.listenerProtocols[l.protocol] ?? []).includes(kind);
  return l.allowedRoutes.kinds.some((k) => k.group === GATEWAY_API_GROUP && k.kind === kind);
}

function routeHostnames(route: Route): readonly string[] {
  return route.kind === 'TCPRoute' || route.kind === 'UDPRoute' ? [] : route.hostnames;
}

/** Whether a listener is selected by a parentRef's `sectionName` and `port`. */
function selects(p: ParentRef, l: Listener): boolean {
  return (p.sectionName === undefined || p.sectionName === l.name) && (p.port === undefined || p.port === l.port);
}

/**
 * The `Accepted` condition Cilium writes for one parentRef: the first failing check, in Cilium's order, decides.
 *
 * 1. no listener of the parent has a protocol the route kind uses: `NotAllowedByListeners`;
 * 2. the listeners picked by `sectionName`/`port` restrict `allowedRoutes.kinds` and none lists the route kind: `NotAllowedByListeners`;
 * 3. `port` matches no listener: `NoMatchingParent`;
 * 4. the route's hostnames intersect no listener's hostname: `NoMatchingListenerHostname`;
 * 5. `sectionName` names no listener: `NoMatchingParent`;
 * 6. of the listeners picked by `sectionName`, `port` and hostname, none admits the route's namespace:
 *    `NotAllowedByListeners`. When no listener is picked at all Cilium leaves `Accepted: True` although the
 *    route attaches nowhere (a divergence from the spec's `NoMatchingParent`; {@link ParentAttachment} still
 *    reports no attached listener).
 *
 * Conformance: HTTPRouteInvalidCrossNamespaceParentRef, HTTPRouteDisallowedKind, HTTPRouteInvalidParentRefNotMatching*,
 * HTTPRouteHostnameIntersection, TLSRouteInvalidNoMatchingListener, TCPRouteInvalidNonTCPListener, UDPRouteNotAllowedByListeners.
 */
export function acceptedCondition(route: Route, p: ParentRef, owner: ParentOwner, index: AppliedIndex): Condition {
  const listeners = owner.listeners;
  const protocols = ROUTE_PROTOCOLS[route.kind];
  if (!listeners.some((l) => protocols.includes(l.protocol))) {
    return condition(false, 'NotAllowedByListeners', `No matching listener protocol; route requires one of: [${protocols.join(' ')}]`);
  }
  const picked = listeners.filter((l) => selects(p, l));
  const restricting = picked.filter((l) => l.allowedRoutes.kinds !== undefined && l.allowedRoutes.kinds.length > 0);
  const listsKind = (l: Listener) => (l.allowedRoutes.kinds ?? []).some((k) => k.group === GATEWAY_API_GROUP && k.kind === route.kind);
  if (restricting.length > 0 && !restricting.some(listsKind)) {
    return condition(false, 'NotAllowedByListeners', `${route.kind} is not allowed to attach to this Gateway due to route kind restrictions`);
  }
  if (p.port !== undefined && !listeners.some((l) => l.port === p.port)) {
    return condition(false, 'NoMatchingParent', `No matching listener with port ${p.port}`);
  }
  const hostnames = routeHostnames(route);
  if (!listeners.some((l) => computeHosts(hostnames, l.hostname, []).length > 0)) {
    return condition(false, 'NoMatchingListenerHostname', 'No matching listener hostname');
  }
  if (p.sectionName !== undefined && !listeners.some((l) => l.name === p.sectionName)) {
    return condition(false, 'NoMatchingParent', `No matching listener with sectionName ${p.sectionName}`);
  }
  const candidates = picked.filter((l) => l.hostname === undefined || computeHosts(hostnames, l.hostname, []).length > 0);
  if (candidates.length > 0 && !candidates.some((l) => namespaceAllowed(l, route.namespace, owner.namespace, index))) {
    return condition(false, 'NotAllowedByListeners', `${route.kind} is not allowed to attach to this Gateway due to namespace restrictions`);
  }
  return condition(true, 'Accepted', `Accepted ${route.kind}`);
}

/** How one backend reference of a route resolves. */
export interface BackendState {
  /** `namespace/name`. */
  readonly service: string;
  /** The port the backendRef names. */
  readonly port?: number;
  /** Its weight. */
  readonly weight: number;
  /**
   * `Resolved`; `RefNotPermitted` (another namespace without a ReferenceGrant); `InvalidKind` (not a Service or
   * ServiceImport, or no `port`); `BackendNotFound` (no such Service); `PortNotOnService` (the Service exists but
   * exposes no such port: Cilium accepts the reference, Envoy finds no endpoint and answers 503).
   */
  readonly state: 'Resolved' | 'RefNotPermitted' | 'InvalidKind' | 'BackendNotFound' | 'PortNotOnService';
  /** Why, in words (Cilium's message where it writes one). */
  readonly message: string;
}

function isService(b: BackendRef): boolean {
  return b.kind === 'Service' && b.group === '';
}

function isServiceImport(b: BackendRef): boolean {
  return b.kind === 'ServiceImport' && b.group === 'multicluster.x-k8s.io';
}

/** How one backendRef resolves, judged in Cilium's order (grant, kind, port, existence), then the Service's ports. */
export function backendState(route: Route, b: BackendRef, index: AppliedIndex): BackendState {
  const base = { service: `${b.namespace}/${b.name}`, port: b.port, weight: b.weight };
  const kindOk = isService(b) || isServiceImport(b);
  if (b.namespace !== route.namespace
    && !(kindOk && index.referenceAllowed(GATEWAY_API_GROUP, route.kind, route.namespace, b.kind, b.name, b.namespace))) {
    return { ...base, state: 'RefNotPermitted', message: 'Cross namespace references are not allowed' };
  }
  if (!kindOk) return { ...base, state: 'InvalidKind', message: `Unsupported backend kind ${b.kind}` };
  if (b.port === undefined) return { ...base, state: 'InvalidKind', message: 'Must have port for backend object reference' };
  if (isServiceImport(b)) {
    return index.serviceImports.has(base.service)
      ? { ...base, state: 'Resolved', message: '' }
      : { ...base, state: 'BackendNotFound', message: `Service Import ${b.name}/${b.namespace} does not exists` };
  }
  const svc = index.services.get(base.service);
  if (!svc) return { ...base, state: 'BackendNotFound', message: `services "${b.name}" not found` };
  const ports: readonly any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  if (!ports.some((sp) => sp?.port === b.port)) {
    return { ...base, state: 'PortNotOnService', message: `Service ${base.service} has no port ${b.port}` };
  }
  return { ...base, state: 'Resolved', message: '' };
}

/**
 * The `ResolvedRefs` condition Cilium writes for a parentRef from the route's backend states (`backendCheckFuncs`):
 * `RefNotPermitted` if any backend is refused by ReferenceGrants, else `InvalidKind` if any is not a Service or has
 * no port, else `BackendNotFound` if any Service is missing (conformance HTTPRouteInvalidCrossNamespaceBackendRef,
 * HTTPRouteInvalidBackendRefUnknownKind, HTTPRouteInvalidNonExistentBackendRef). A backend port the Service
 * does not expose leaves it `True` (Cilium's checks never read Service ports; behaviour case gw-24).
 */
export function resolvedRefsCondition(backends: readonly BackendState[]): Condition {
  for (const state of ['RefNotPermitted', 'InvalidKind', 'BackendNotFound'] as const) {
    const failed = backends.filter((b) => b.state === state);
    // Cilium sets the condition once per failing backend; the last one written stays.
    if (failed.length > 0) return condition(false, state, failed[failed.length - 1].message);
  }
  return condition(true, 'ResolvedRefs', 'Service reference is valid');
}

/**
 * The first invalid RE2 pattern of an HTTPRoute/GRPCRoute match, as the `Accepted: False, UnsupportedValue`
 * condition Cilium then writes on every parent (`ValidateMatchRegexps`); `undefined` when all compile.
 */
export function invalidRegexCondition(route: Route): Condition | undefined {
  for (const rule of route.rules) {
    for (const m of rule.matches) {
      const checks: [string, string | undefined][] = [
        ['path', m.path.type === 'RegularExpression' ? m.path.value : undefined],
        ...m.headers.filter((h) => h.type === 'RegularExpression').map((h): [string, string] => ['header', h.value]),
        ...m.queryParams.filter((q) => q.type === 'RegularExpression').map((q): [string, string] => ['queryParam', q.value]),
      ];
      for (const [field, pattern] of checks) {
        if (pattern === undefined) continue;
        const compiled = compileRe2(pattern);
        if (!compiled.ok) return condition(false, 'UnsupportedValue', `Invalid regular expression in ${field} match: ${compiled.error}`);
      }
    }
  }
  return undefined;
}

/**
 * Whether a route counts as attached to one listener (`attachedRoutes`, Cilium `filter*RoutesByListener`): it is
 * accepted by the Gateway, the listener's kinds and namespaces admit it, its hostnames intersect the listener's
 * (HTTP/GRPC/TLS routes), and one of its parentRefs picks the listener (name, namespace, `sectionName`, `port`).
 */
export function attachesToListener(route: Route, l: Listener, owner: ParentOwner, facts: GatewayControllerFacts, index: AppliedIndex): boolean {
  if (!kindAllowed(l, route.kind, facts) || !namespaceAllowed(l, route.namespace, owner.namespace, index)) return false;
  if (route.kind !== 'TCPRoute' && route.kind !== 'UDPRoute' && computeHosts(route.hostnames, l.hostname, []).length === 0) return false;
  return route.parentRefs.some((p) => parentRefPicksListener(p, l, owner));
}

/** Whether a parentRef names this listener's owner and picks the listener (Cilium `parentRefMatched`). */
export function parentRefPicksListener(p: ParentRef, l: Listener, owner: ParentOwner): boolean {
  return (owner.kind === 'Gateway' ? isGatewayRef(p) : isListenerSetRef(p)) && p.name === owner.name && p.namespace === owner.namespace && selects(p, l);
}
