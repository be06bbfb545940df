import { Outcome, OutcomeRule } from './outcome';
import { routeUrlOutcomes } from './route-urls';
import { AppliedIndex, GATEWAY_API_GROUP, Listener, Route, readListener } from '../applied/gateway-objects';
import { BackendState } from '../applied/gateway-routes';
import { GatewayState, RouteParentState, RouteState } from '../applied/gateway-state';
import { KubeObject, namespacedName } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';

/**
 * Routes (issue 18, the Gateway API part of the apply model), as Cilium's Gateway API controller reconciles the
 * bundle's objects (`applyGatewayApi`, `AppliedPlatform.gatewayApi`, fed cert-manager's issued Secrets):
 *
 * - every Gateway of a Cilium class is `Accepted` and `Programmed` (its Service got an address);
 * - every route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) attaches to each of its parentRefs, with
 *   Cilium's reason when not (allowedRoutes namespaces against the namespaces' labels as applied, hostname
 *   intersection, sectionName/port, route kinds);
 * - every backend reference resolves (the Service and its port exist; another namespace needs a ReferenceGrant);
 * - every URL of an attached HTTPRoute reaches the route's backend through Envoy's routing ({@link routeUrlOutcomes}).
 *
 * Gateways of a class another controller owns are not this platform's and get no outcome.
 */

const isGatewayApi = (o: KubeObject, kind: string) => o.kind === kind && String(o.apiVersion).startsWith(`${GATEWAY_API_GROUP}/`);

function objectOf(applied: AppliedPlatform, kind: string, key: string): KubeObject | undefined {
  return applied.objects.find((o) => isGatewayApi(o, kind) && namespacedName(o) === key);
}

function fieldOf(applied: AppliedPlatform, object: KubeObject | undefined, fallback: string): string {
  return object ? applied.pathOf(object) : `${applied.model.field}/${fallback}`;
}

function gatewayOutcome(applied: AppliedPlatform, g: GatewayState): Outcome | undefined {
  if (!g.managed && !/does not exist$/.test(g.unmanagedReason ?? '')) return undefined;
  const key = `${g.namespace}/${g.name}`;
  const accepted = g.conditions?.Accepted;
  const programmed = g.conditions?.Programmed;
  const holds = accepted?.status === 'True' && programmed?.status === 'True';
  const base = {
    id: 'gateway-not-programmed',
    statement: `Gateway ${key} is Accepted and Programmed (its Service has an address)`,
    field: fieldOf(applied, objectOf(applied, 'Gateway', key), `Gateway/${key}`),
    holds,
    observed: g.conditions ? `Accepted ${accepted!.status} (${accepted!.reason}), Programmed ${programmed!.status} (${programmed!.reason})${g.addresses.length ? `, address ${g.addresses.join(', ')}` : ''}`
      : `no status: ${g.unmanagedReason}`,
    section: 'routes' as const,
    probe: { kind: 'gateway' as const, namespace: g.namespace, name: g.name },
  };
  const values = applied.model.ciliumValues as Record<string, any>;
  if (values.gatewayAPI?.enabled !== true) {
    // The Gateway model assumes the controller runs; without gatewayAPI.enabled Cilium's operator never starts it.
    return {
      ...base,
      holds: false,
      problem: 'no controller reconciles it: gatewayAPI.enabled is not true in the Cilium values, so Cilium\'s operator does not run its Gateway API controller',
      fix: 'create the Gateway with LocalGateway (which turns on gatewayAPI.enabled and installs the Gateway API CRDs), or drop the override that disables gatewayAPI',
    };
  }
  if (holds) return base;
  if (!g.conditions) {
    return { ...base, problem: `no controller reconciles it: ${g.unmanagedReason}`, fix: 'set spec.gatewayClassName to a class Cilium serves (cilium)' };
  }
  const failing = accepted!.status !== 'True' ? accepted! : programmed!;
  if (failing.reason === 'AddressNotAssigned' && g.service) {
    const svc = applied.lbIpam.services[namespacedName(g.service)];
    const why = svc?.condition ? `LB-IPAM: ${svc.condition.reason}: ${svc.condition.message}` : 'LB-IPAM writes no condition (no pool serves it)';
    return {
      ...base,
      problem: `Cilium waits for an address for Service ${namespacedName(g.service)} (Programmed False, AddressNotAssigned); ${why}`,
      fix: `give a CiliumLoadBalancerIPPool whose serviceSelector selects Service ${namespacedName(g.service)} a free address`,
    };
  }
  return {
    ...base,
    problem: `Cilium sets ${failing === accepted ? 'Accepted' : 'Programmed'} False (${failing.reason}): ${failing.message}`,
    fix: 'fix the Gateway spec Cilium names (listeners, addresses, infrastructure, GatewayClass parameters)',
  };
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

/** Why a Selector listener does not admit the route's namespace, with the namespace's labels as applied. */
function namespaceDetail(listeners: readonly Listener[], route: Route, index: AppliedIndex): { problem: string; fix: string } | undefined {
  const selectors = listeners.filter((l) => l.allowedRoutes.from === 'Selector');
  const same = listeners.filter((l) => l.allowedRoutes.from === 'Same');
  const labels = index.labelsOfNamespace(route.namespace);
  if (selectors.length > 0) {
    const wanted = selectors[0].allowedRoutes.selector?.matchLabels ?? {};
    const has = labels === undefined ? `no object of the bundle creates Namespace ${route.namespace}` : `Namespace ${route.namespace} as applied has labels ${labelsText(labels)}`;
    return {
      problem: `listener ${selectors.map((l) => l.name).join(', ')} admits routes only from namespaces matching ${JSON.stringify(selectors[0].allowedRoutes.selector ?? {})}, and ${has}`,
      fix: labels === undefined
        ? `create Namespace ${route.namespace} with the labels ${labelsText(wanted)}`
        : `label Namespace ${route.namespace} with ${labelsText(wanted)} (its metadata.labels), or move the route to a namespace that has them`,
    };
  }
  if (same.length > 0) return { problem: `listener ${same.map((l) => l.name).join(', ')} admits routes only from its own namespace`, fix: 'put the route in the Gateway\'s namespace, or set allowedRoutes.namespaces.from to All or Selector' };
  return undefined;
}

function attachOutcome(applied: AppliedPlatform, index: AppliedIndex, route: Route, parent: RouteParentState, field: string): Outcome {
  const p = parent.resolved;
  const target = `${p.kind} ${p.namespace}/${p.name}${p.sectionName ? ` (sectionName ${p.sectionName})` : ''}${p.port !== undefined ? ` (port ${p.port})` : ''}`;
  const holds = parent.attachedListeners.length > 0;
  const acc = parent.conditions?.Accepted;
  const base = {
    id: 'route-not-attached',
    statement: `${route.kind} ${route.namespace}/${route.name} is attached to ${target}`,
    field,
    holds,
    observed: holds ? `attached to ${parent.attachedListeners.join(', ')}` : acc ? `Accepted ${acc.status} (${acc.reason}), attached to no listener` : `no status: ${parent.noStatusReason}`,
    section: 'routes' as const,
  };
  if (holds) return base;
  if (!acc) return { ...base, problem: `Cilium writes no status for this parent: ${parent.noStatusReason}`, fix: 'point parentRefs at a Gateway of class cilium (or an attached ListenerSet) that the bundle creates' };
  const owner = objectOf(applied, p.kind, `${p.namespace}/${p.name}`);
  const listeners: Listener[] = (Array.isArray(owner?.spec?.listeners) ? owner!.spec.listeners : []).map(readListener)
    .filter((l: Listener) => (p.sectionName === undefined || l.name === p.sectionName) && (p.port === undefined || l.port === p.port));
  const detail = acc.reason === 'NotAllowedByListeners' && /namespace/.test(acc.message) ? namespaceDetail(listeners, route, index) : undefined;
  const fixes: Record<string, string> = {
    NoMatchingListenerHostname: `give the route a hostname the listeners' hostnames (${listeners.map((l) => l.hostname ?? '*').join(', ')}) cover`,
    NoMatchingParent: 'name an existing listener in sectionName and port',
    NotAllowedByListeners: `attach to a listener whose protocol and allowedRoutes.kinds admit ${route.kind}`,
    UnsupportedValue: 'write the regular expression in RE2 syntax',
  };
  return {
    ...base,
    problem: `Cilium sets Accepted ${acc.status} (${acc.reason}): ${acc.message}${detail ? `: ${detail.problem}` : acc.status === 'True' ? ', but no listener picked by sectionName, port, hostname, kinds and namespaces takes it' : ''}`,
    fix: detail?.fix ?? fixes[acc.reason] ?? 'make sectionName, port, hostnames and the route namespace match one listener of the parent',
  };
}

function refOutcome(route: Route, b: BackendState & { rule: number }, field: string): Outcome {
  const holds = b.state === 'Resolved';
  const [ns, name] = b.service.split('/');
  const fixes: Record<string, string> = {
    RefNotPermitted: `add a ReferenceGrant in namespace ${ns} from ${route.kind}s of namespace ${route.namespace} to Service ${name}`,
    InvalidKind: 'reference a core Service (or a ServiceImport) and give the backendRef a port',
    BackendNotFound: `create Service ${b.service} in the bundle, or reference an existing one`,
    PortNotOnService: `reference a port Service ${b.service} exposes, or add port ${b.port} to it`,
  };
  return {
    id: 'route-refs-unresolved',
    statement: `backend ${b.service}:${b.port ?? '?'} of ${route.kind} ${route.namespace}/${route.name} (rule ${b.rule}) resolves`,
    field,
    holds,
    observed: holds ? `Service ${b.service} port ${b.port}` : `${b.state}: ${b.message}`,
    section: 'routes',
    ...(holds ? {} : { problem: `the backend does not resolve (${b.state}): ${b.message}`, fix: fixes[b.state] }),
  };
}

function routeOutcomes(applied: AppliedPlatform, index: AppliedIndex, state: RouteState): Outcome[] {
  const route = index.routes.find((r) => r.ref === state.ref);
  if (!route) return [];
  const field = fieldOf(applied, objectOf(applied, route.kind, `${route.namespace}/${route.name}`), state.ref);
  // Parents of another controller's class are not this platform's.
  const parents = state.parents.filter((p) => !/belongs to controller/.test(p.noStatusReason ?? ''));
  return [
    ...parents.map((p) => attachOutcome(applied, index, route, p, field)),
    ...state.backends.map((b) => refOutcome(route, b, field)),
    ...(route.kind === 'HTTPRoute' ? routeUrlOutcomes(applied, route, state, field) : []),
  ];
}

/** Gateways programmed, routes attached with resolved references, and each route URL answered by its backend. */
export const ROUTE_OUTCOMES: OutcomeRule = {
  id: 'routes',
  emits: ['gateway-not-programmed', 'route-not-attached', 'route-refs-unresolved', 'route-url-not-served'],
  summary: 'every Gateway is Programmed, every route attaches to its parents with resolved backends, and each HTTPRoute URL reaches its backend through Envoy (Cilium Gateway API as applied)',
  defersTo: ['gateway-needs-gateway-api', 'gateway-needs-kpr', 'gateway-needs-pool', 'gateway-nodeports-mapped'],
  outcomes: (applied) => {
    const index = new AppliedIndex([...applied.objects, ...applied.certManager.issuedSecretObjects]);
    return [
      ...applied.gatewayApi.gateways.flatMap((g) => gatewayOutcome(applied, g) ?? []),
      ...applied.gatewayApi.routes.flatMap((r) => routeOutcomes(applied, index, r)),
    ];
  },
};
