import { HttpOutcome, HttpRequest, routeHttpRequest } from './gateway-dataplane';
import { GatewayControllerFacts } from './gateway-facts';
import { computeHosts } from './gateway-hostnames';
import { AppliedIndex, Route, condition, namespaceOf, readListener } from './gateway-objects';
import {
  ParentOwner, acceptedCondition, backendState, invalidRegexCondition, isGatewayRef, isListenerSetRef,
  kindAllowed, namespaceAllowed, parentRefPicksListener, resolvedRefsCondition,
} from './gateway-routes';
import { GatewayApiState, GatewayState, ListenerSetState, RouteParentState, RouteState } from './gateway-state';
import { GatewayCtx, gatewayContexts, gatewayState, listenerSetAllowed, ownerOf } from './gateway-status';
import { KubeObject } from './objects';

export * from './gateway-state';

/**
 * The Gateway API controller as Cilium's operator implements it (operator/pkg/gateway-api/, v1.20 branch point
 * 3ab8efdd), applied offline to the objects a bundle applies: which Gateways are accepted and programmed, the
 * status of every listener, every route's `Accepted`/`ResolvedRefs` per parentRef, the Service Cilium creates
 * per Gateway, and the Envoy routing that decides which backend answers a request.
 */

/** Input of {@link applyGatewayApi}. */
export interface GatewayApiInput {
  /** Every object the bundle applies (and the Secrets cert-manager will create, from the cert-manager model). */
  readonly objects: readonly KubeObject[];
  /** The controller modelled (Cilium: {@link ciliumGatewayControllerFacts}). */
  readonly facts: GatewayControllerFacts;
  /**
   * The addresses a Gateway's Service gets: for a LoadBalancer Service the LB-IPAM model's
   * (`status.loadBalancer.ingress`, `[]` while pending); for a NodePort Service (host network, or a class config
   * choosing NodePort) the nodes' addresses. A Gateway is `Programmed` only once it has one (operator `setAddressStatus`).
   */
  readonly serviceAddresses: (namespace: string, name: string) => readonly string[];
}

const ROUTE_ORDER: Record<string, number> = { HTTPRoute: 0, GRPCRoute: 1, TLSRoute: 2, TCPRoute: 3, UDPRoute: 4 };

/**
 * Applies Cilium's Gateway API controller to the objects: the result is what `kubectl get gateway,httproute -o yaml`
 * would show once the operator has reconciled, plus the Service it creates and the Envoy routing it programs.
 * Linear in the number of objects (lookups by `namespace/name`), times the listeners of each route's parents.
 */
export function applyGatewayApi(input: GatewayApiInput): GatewayApiState {
  const { facts } = input;
  const index = new AppliedIndex(input.objects);
  const gws = gatewayContexts(index, facts);
  const reconciling = (g: GatewayCtx | undefined) => g !== undefined && g.managed && g.early === undefined;

  // ListenerSets: attached to a reconciled Gateway whose allowedListeners admits them.
  const setStates = new Map<string, { obj: KubeObject; gateway: string; attached: boolean; reconciled: boolean }>();
  for (const [key, obj] of [...index.listenerSets.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const pr = obj.spec?.parentRef ?? {};
    const gwKey = `${pr.namespace || namespaceOf(obj)}/${pr.name ?? ''}`;
    const g = gws.get(gwKey);
    const reconciled = facts.listenerSets && reconciling(g) && (pr.kind ?? 'Gateway') === 'Gateway';
    const attached = reconciled && listenerSetAllowed(g!.obj, obj, index);
    if (attached) g!.sets.push({ key, obj, listeners: (Array.isArray(obj.spec?.listeners) ? obj.spec.listeners : []).map(readListener) });
    setStates.set(key, { obj, gateway: gwKey, attached, reconciled });
  }
  const setOwner = new Map<string, { g: GatewayCtx; set: GatewayCtx['sets'][number] }>();
  for (const g of gws.values()) for (const set of g.sets) setOwner.set(set.key, { g, set });

  // Routes: who reconciles them, the owner behind each parentRef, and their conditions.
  const routeStates: RouteState[] = [];
  const accepted = new Map<Route, Set<string>>(); // route -> Gateways it is accepted by (Cilium IsParentAttachable)
  for (const route of [...index.routes].sort((a, b) => ROUTE_ORDER[a.kind] - ROUTE_ORDER[b.kind] || a.order - b.order)) {
    const served = facts.routeKinds.includes(route.kind);
    const owners = route.parentRefs.map((p): ParentOwner | string => {
      if (isGatewayRef(p)) {
        const g = gws.get(`${p.namespace}/${p.name}`);
        if (!g) return `Gateway ${p.namespace}/${p.name} does not exist`;
        return g.managed ? ownerOf(g) : `Gateway ${p.namespace}/${p.name}: ${g.unmanagedReason}`;
      }
      if (isListenerSetRef(p)) {
        const s = setStates.get(`${p.namespace}/${p.name}`);
        if (!s) return `ListenerSet ${p.namespace}/${p.name} does not exist`;
        const g = gws.get(s.gateway);
        if (!g?.managed) return `the parent Gateway ${s.gateway} of ListenerSet ${p.namespace}/${p.name} is not managed by ${facts.controllerName}`;
        const attached = setOwner.get(`${p.namespace}/${p.name}`);
        return attached ? ownerOf(attached.g, attached.set)
          : { kind: 'ListenerSet', namespace: p.namespace, name: p.name, gateway: s.gateway, listeners: (s.obj.spec?.listeners ?? []).map(readListener) };
      }
      return `parentRef kind ${p.group}/${p.kind} is not a Gateway or ListenerSet`;
    });
    const listedBy = new Set<string>();
    owners.forEach((o) => {
      if (typeof o === 'string') return;
      if (o.kind === 'Gateway' ? reconciling(gws.get(o.gateway)) : setOwner.has(`${o.namespace}/${o.name}`)) listedBy.add(o.gateway);
    });
    const reconciled = served && listedBy.size > 0;
    const backends = route.rules.flatMap((rule, i) => [...rule.backendRefs, ...rule.mirrorBackendRefs]
      .map((b) => ({ ...backendState(route, b, index), rule: i })));
    const resolved = resolvedRefsCondition(backends);
    const regex = route.kind === 'HTTPRoute' || route.kind === 'GRPCRoute' ? invalidRegexCondition(route) : undefined;
    const acceptedBy = new Set<string>();
    const parents = route.parentRefs.map((p, i): RouteParentState => {
      const o = owners[i];
      const base = { parentRef: p.written, resolved: p };
      if (!reconciled || typeof o === 'string') {
        const why = !served ? `${route.kind} is not reconciled by ${facts.controllerName}` : typeof o === 'string' ? o : 'no parent of the route is reconciled';
        return { ...base, noStatusReason: why, attachedListeners: [] };
      }
      const acc = regex ?? acceptedCondition(route, p, o, index);
      if (acc.status === 'True' && (o.kind === 'Gateway' || setOwner.has(`${o.namespace}/${o.name}`))) acceptedBy.add(o.gateway);
      return { ...base, conditions: { Accepted: acc, ResolvedRefs: resolved }, attachedListeners: [] };
    });
    accepted.set(route, acceptedBy);
    // Attached listeners per parentRef: the Gateway accepted the route and this parentRef picks the listener.
    const withAttachments = parents.map((ps, i) => {
      const o = owners[i];
      if (typeof o === 'string' || !ps.conditions || !acceptedBy.has(o.gateway)) return ps;
      if (o.kind === 'ListenerSet' && !setOwner.has(`${o.namespace}/${o.name}`)) return ps;
      const picked = o.listeners.filter((l) => kindAllowed(l, route.kind, facts) && namespaceAllowed(l, route.namespace, o.namespace, index)
        && (route.kind === 'TCPRoute' || route.kind === 'UDPRoute' || computeHosts(route.hostnames, l.hostname, []).length > 0)
        && parentRefPicksListener(ps.resolved, l, o));
      return { ...ps, attachedListeners: picked.map((l) => `${o.kind}/${o.namespace}/${o.name}/${l.name}`) };
    });
    routeStates.push({ ref: route.ref, kind: route.kind, reconciled, parents: withAttachments, backends });
    if (reconciled) for (const key of listedBy) gws.get(key)!.routes.push(route);
  }

  const gatewayStates: GatewayState[] = [];
  const listenerSetStates = new Map<string, ListenerSetState>();
  for (const g of gws.values()) {
    const state = gatewayState(g, index, facts, input.serviceAddresses, accepted, listenerSetStates);
    gatewayStates.push(state);
  }
  for (const [key, s] of setStates) {
    if (!listenerSetStates.has(key)) {
      listenerSetStates.set(key, {
        ref: `ListenerSet/${key}`,
        gateway: s.gateway,
        attached: false,
        listeners: [],
        conditions: s.reconciled ? {
          Accepted: condition(false, 'NotAllowed', "ListenerSet is not allowed by the Gateway's allowedListeners policy"),
          Programmed: condition(false, 'NotAllowed', "ListenerSet is not allowed by the Gateway's allowedListeners policy"),
        } : undefined,
      });
    }
  }
  return {
    gateways: gatewayStates,
    listenerSets: [...listenerSetStates.values()],
    routes: routeStates,
    services: gatewayStates.flatMap((g) => (g.service ? [g.service] : [])),
  };
}

/**
 * The Services Cilium's operator creates for the Gateways among `objects` (`cilium-gateway-<name>`), before any
 * address is known: the input of the LB-IPAM model.
 */
export function ciliumGatewayServices(objects: readonly KubeObject[], facts: GatewayControllerFacts): KubeObject[] {
  return [...applyGatewayApi({ objects, facts, serviceAddresses: () => [] }).services];
}

/**
 * What one HTTP(S) request sent to a Gateway (`namespace/name`) gets, in the applied state: see
 * {@link routeHttpRequest}. A Gateway that is not managed or has no Service refuses every connection.
 */
export function gatewayHttpRequest(state: GatewayApiState, gateway: string, request: HttpRequest): HttpOutcome {
  const g = state.gateways.find((x) => `${x.namespace}/${x.name}` === gateway);
  if (!g?.service) return { kind: 'refused', why: g ? `Gateway ${gateway} has no Service (${g.conditions?.Accepted.message ?? g.unmanagedReason})` : `no Gateway ${gateway}` };
  return routeHttpRequest(g.http.listeners, g.http.configurations, request);
}
