import { isIP } from 'net';
import { DataplaneListener, httpRouteConfigurations } from './gateway-dataplane';
import { GatewayControllerFacts } from './gateway-facts';
import { CertificateRefState, gatewayListenerConflicts, listenerPairConflict, validateListener } from './gateway-listeners';
import { AppliedIndex, Condition, Listener, Route, RouteKind, condition, namespaceOf, readListener } from './gateway-objects';
import { ParentOwner, attachesToListener, backendState } from './gateway-routes';
import { GatewayClassServiceConfig, ciliumGatewayServiceName, desiredGatewayService } from './gateway-service';
import { GatewayState, ListenerSetState, ListenerState } from './gateway-state';
import { KubeObject, selectorMatches } from './objects';

/**
 * Gateway and ListenerSet status as Cilium's Gateway reconciler writes it (operator/pkg/gateway-api/gateway_reconcile.go
 * `Reconcile`, `setListenerStatus`, `setListenerSetStatuses`, `setAddressStatus`; v1.20 branch point 3ab8efdd),
 * the Service it creates and the Envoy routing of each Gateway.
 */

/** @internal What the Gateway model knows about one Gateway while it applies the controller. */
export interface GatewayCtx {
  /** `namespace/name`. */
  readonly key: string;
  /** The Gateway object. */
  readonly obj: KubeObject;
  /** Its listeners, defaults applied. */
  readonly listeners: Listener[];
  /** Whether its class names the modelled controller. */
  readonly managed: boolean;
  /** Why not, when not. */
  readonly unmanagedReason?: string;
  /** Set when the reconciler stops before the route checks (InvalidParameters). */
  readonly early?: Condition;
  /** `spec.service` of its class's CiliumGatewayClassConfig. */
  readonly classService?: GatewayClassServiceConfig;
  /** Its attached ListenerSets, sorted by namespace/name. */
  readonly sets: { key: string; obj: KubeObject; listeners: Listener[] }[];
  /** The routes its reconcile lists. */
  readonly routes: Route[];
}

/** @internal The Gateways among the objects: managed or not, and where the reconciler stops early. */
export function gatewayContexts(index: AppliedIndex, facts: GatewayControllerFacts): Map<string, GatewayCtx> {
  const classes = new Map<string, { controllerName: string; parametersRef?: any }>(facts.installedGatewayClasses.map((c) => [c.name, c]));
  for (const [name, o] of index.gatewayClasses) classes.set(name, { controllerName: String(o.spec?.controllerName ?? ''), parametersRef: o.spec?.parametersRef });
  const out = new Map<string, GatewayCtx>();
  for (const [key, obj] of index.gateways) {
    const className = String(obj.spec?.gatewayClassName ?? '');
    const cls = classes.get(className);
    const managed = cls?.controllerName === facts.controllerName;
    let early: Condition | undefined;
    let classService: GatewayClassServiceConfig | undefined;
    const ref = cls?.parametersRef;
    if (managed && obj.spec?.infrastructure?.parametersRef) {
      early = condition(false, 'InvalidParameters', 'Invalid Gateway parameters: spec.infrastructure.parametersRef is not supported');
    } else if (managed && ref && (ref.group !== 'cilium.io' || ref.kind !== 'CiliumGatewayClassConfig')) {
      early = condition(false, 'InvalidParameters', 'Invalid GatewayClass parameters: spec.parametersRef.kind must be CiliumGatewayClassConfig');
    } else if (managed && ref && (!ref.name || !ref.namespace)) {
      early = condition(false, 'InvalidParameters', 'Invalid GatewayClass parametersRef: both name and namespace are required');
    } else if (managed && ref) {
      classService = index.classConfigs.get(`${ref.namespace}/${ref.name}`)?.spec?.service;
    }
    out.set(key, {
      key,
      obj,
      managed,
      early,
      classService,
      sets: [],
      routes: [],
      listeners: (Array.isArray(obj.spec?.listeners) ? obj.spec.listeners : []).map(readListener),
      unmanagedReason: managed ? undefined : cls ? `GatewayClass ${className} belongs to controller ${cls.controllerName}` : `GatewayClass ${className} does not exist`,
    });
  }
  return out;
}

/** Whether a Gateway's `allowedListeners` admits a ListenerSet (Cilium `isListenerSetAllowed`; absent = none). */
export function listenerSetAllowed(gw: KubeObject, ls: KubeObject, index: AppliedIndex): boolean {
  const ns = gw.spec?.allowedListeners?.namespaces;
  switch (ns?.from) {
    case 'All': return true;
    case 'Same': return namespaceOf(ls) === namespaceOf(gw);
    case 'Selector': {
      const labels = index.labelsOfNamespace(namespaceOf(ls));
      return labels !== undefined && ns.selector !== undefined && selectorMatches(ns.selector, labels);
    }
    default: return false;
  }
}

/** @internal The listener owner of a Gateway, or of one of its attached ListenerSets. */
export function ownerOf(ctx: GatewayCtx, set?: GatewayCtx['sets'][number]): ParentOwner {
  return set
    ? { kind: 'ListenerSet', namespace: namespaceOf(set.obj), name: set.obj.metadata.name, listeners: set.listeners, gateway: ctx.key }
    : { kind: 'Gateway', namespace: namespaceOf(ctx.obj), name: ctx.obj.metadata.name, listeners: ctx.listeners, gateway: ctx.key };
}

function listenerStatus(parent: string, l: Listener, conds: ListenerState['conditions'], supportedKinds: readonly RouteKind[],
  routes: readonly Route[], certificateRefs: readonly CertificateRefState[]): ListenerState {
  return {
    parent,
    name: l.name,
    port: l.port,
    protocol: l.protocol,
    hostname: l.hostname,
    supportedKinds,
    conditions: conds,
    certificateRefs,
    attachedRoutes: routes.length,
    routes: routes.map((r) => r.ref),
  };
}

/**
 * @internal The state of one Gateway and of its attached ListenerSets (written into `listenerSetStates`), given the
 * routes it lists and the Gateways each route is accepted by.
 */
export function gatewayState(g: GatewayCtx, index: AppliedIndex, facts: GatewayControllerFacts,
  serviceAddresses: (namespace: string, name: string) => readonly string[],
  accepted: ReadonlyMap<Route, ReadonlySet<string>>, listenerSetStates: Map<string, ListenerSetState>): GatewayState {
  const ns = namespaceOf(g.obj);
  const base = {
    ref: `Gateway/${g.key}`,
    namespace: ns,
    name: g.obj.metadata.name,
    gatewayClassName: String(g.obj.spec?.gatewayClassName ?? ''),
    managed: g.managed,
    unmanagedReason: g.unmanagedReason,
    addresses: [],
    attachedListenerSets: 0,
    http: { listeners: [], configurations: [] },
    l4: [],
  };
  if (!g.managed) return { ...base, listeners: [] };
  if (g.early) {
    return { ...base, listeners: [], conditions: { Accepted: g.early, Programmed: condition('Unknown', 'Pending', 'Waiting for Accepted condition to be True') } };
  }
  const attachable = g.routes.filter((r) => accepted.get(r)?.has(g.key));
  const gwOwner = ownerOf(g);
  const attachedTo = (l: Listener, owner: ParentOwner) => attachable.filter((r) => attachesToListener(r, l, owner, facts, index));
  const conflicts = gatewayListenerConflicts(g.listeners);
  let valid = 0;
  let unsupported = 0;
  const pending = condition(false, 'Pending', 'Address not ready yet');
  const validations = g.listeners.map((l) => validateListener(l, { kind: 'Gateway', namespace: ns }, index, facts));
  const listeners = g.listeners.map((l, i) => {
    const res = validations[i];
    const conflict = conflicts.get(l.name);
    if (!res.valid && res.invalidReason === 'UnsupportedProtocol') unsupported++;
    const ok = res.valid && !conflict;
    if (ok) valid++;
    const conds = {
      Accepted: ok ? condition(true, 'Accepted', 'Listener Accepted')
        : condition(false, res.invalidReason, `Listener not valid. ${[conflict?.message, ...res.invalidMessages].filter(Boolean).join(' ')}`),
      Programmed: pending,
      ResolvedRefs: res.unresolved ?? (ok ? condition(true, 'ResolvedRefs', 'Resolved Refs') : undefined),
      ...(conflict ? { Conflicted: condition(true, conflict.reason, conflict.message) } : {}),
    };
    return listenerStatus(base.ref, l, conds, res.supportedKinds, attachedTo(l, gwOwner), res.certificateRefs);
  });
  if (valid === 0) {
    const why = condition(false, 'ListenersNotValid', 'No Accepted Listeners');
    return { ...base, listeners, conditions: { Accepted: why, Programmed: why } };
  }
  const acceptedCond = unsupported > 0 ? condition(true, 'ListenersNotValid', 'Gateway has unsupported listeners')
    : condition(true, 'Accepted', 'Gateway successfully scheduled');

  // ListenerSets: their listeners lose to every Gateway listener and to earlier sets' listeners on a conflict.
  const taken: Listener[] = [...g.listeners];
  let attachedSets = 0;
  const dataplane: DataplaneListener[] = g.listeners.map((l, i) => ({
    listener: l, owner: gwOwner, certificateRefs: validations[i].certificateRefs,
  }));
  for (const set of g.sets) {
    const owner = ownerOf(g, set);
    const setRef = `ListenerSet/${set.key}`;
    let oneValid = false;
    const setListeners = set.listeners.map((l) => {
      const conflict = taken.map((t) => listenerPairConflict(t, l)).find((c) => c !== undefined);
      const res = validateListener(l, { kind: 'ListenerSet', namespace: owner.namespace }, index, facts);
      dataplane.push({ listener: l, owner, certificateRefs: res.certificateRefs, prefilteredNamespaces: false });
      let conds: ListenerState['conditions'];
      if (conflict) {
        const c = condition(false, conflict, 'Listener has a conflict');
        conds = { Accepted: c, Programmed: c, Conflicted: condition(true, conflict, 'Listener has a conflict'), ResolvedRefs: condition(true, 'ResolvedRefs', 'Resolved Refs') };
      } else if (!res.valid) {
        conds = {
          Accepted: condition(false, res.invalidReason, `Listener not valid. ${res.invalidMessages.join(' ')}`),
          Programmed: condition(false, res.invalidReason, 'Listener not valid'),
          ResolvedRefs: res.unresolved,
        };
      } else {
        oneValid = true;
        taken.push(l);
        conds = {
          Accepted: condition(true, 'Accepted', 'Listener Accepted'),
          Programmed: condition(true, 'Programmed', 'Listener Programmed'),
          ResolvedRefs: res.unresolved ?? condition(true, 'ResolvedRefs', 'Resolved Refs'),
        };
      }
      return listenerStatus(setRef, l, conds, conflict ? [] : res.supportedKinds, attachedTo(l, owner), res.certificateRefs);
    });
    if (oneValid) attachedSets++;
    const setCond = oneValid ? [true, 'Accepted', 'ListenerSet is accepted'] as const : [false, 'ListenersNotValid', 'No valid listeners'] as const;
    listenerSetStates.set(set.key, {
      ref: setRef,
      gateway: g.key,
      attached: true,
      listeners: setListeners,
      conditions: {
        Accepted: condition(setCond[0], setCond[1], setCond[2]),
        Programmed: condition(setCond[0], oneValid ? 'Programmed' : 'ListenersNotValid', oneValid ? 'ListenerSet is programmed' : 'No valid listeners'),
      },
    });
  }

  // Translation: the Service exists once the model has a listener of the Gateway itself and the static addresses are IPs.
  const modelled = dataplane.filter((dl) => ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'].includes(dl.listener.protocol) && facts.listenerProtocols[dl.listener.protocol]);
  const withListeners = { ...base, listeners, attachedListenerSets: attachedSets };
  if (!modelled.some((dl) => dl.owner.kind === 'Gateway')) {
    return {
      ...withListeners,
      conditions: {
        Accepted: condition(false, 'NoResources', 'Unable to translate resources'),
        Programmed: condition(false, 'ListenersNotValid', 'Unable to translate resources'),
      },
    };
  }
  const staticAddresses: any[] = Array.isArray(g.obj.spec?.addresses) ? g.obj.spec.addresses : [];
  const badAddress = staticAddresses.map((a) => (a?.type !== undefined && a.type !== 'IPAddress' ? 'address type is not supported'
    : !a?.value ? 'address value is not set' : isIP(String(a.value)) === 0 ? 'invalid ip address' : undefined)).find(Boolean);
  if (badAddress) {
    return {
      ...withListeners,
      conditions: {
        Accepted: condition(false, 'UnsupportedAddress', `Unsupported Gateway address, ${badAddress}`),
        Programmed: condition(false, 'ListenersNotReady', 'Address is not ready'),
      },
    };
  }
  const service = desiredGatewayService(g.obj, modelled.map((dl) => dl.listener), facts, g.classService);
  const addresses = serviceAddresses(ns, ciliumGatewayServiceName(g.obj.metadata.name));
  let programmed = condition(false, 'AddressNotAssigned', 'Gateway waiting for address');
  let programmedListeners = listeners;
  if (addresses.length > 0) {
    programmed = condition(true, 'Programmed', 'Gateway Programmed');
    programmedListeners = listeners.map((l) => (l.conditions.Accepted.status === 'True'
      ? { ...l, conditions: { ...l.conditions, Programmed: condition(true, 'Programmed', 'Listener Programmed') } } : l));
    const unusable = staticAddresses.find((a) => !addresses.includes(String(a.value)));
    if (unusable) programmed = condition(false, 'AddressNotUsable', "StaticAddress can't be used");
  }
  const httpRoutes = attachable.filter((r) => r.kind === 'HTTPRoute' || r.kind === 'GRPCRoute');
  const l4 = modelled.filter((dl) => dl.listener.protocol === 'TCP' || dl.listener.protocol === 'UDP'
    || (dl.listener.protocol === 'TLS' && dl.listener.tls?.mode === 'Passthrough')).map((dl) => ({
    listener: `${dl.owner.kind}/${dl.owner.namespace}/${dl.owner.name}/${dl.listener.name}`,
    port: dl.listener.port,
    protocol: dl.listener.protocol,
    routes: attachable.filter((r) => attachesToListener(r, dl.listener, dl.owner, facts, index))
      .map((r) => ({ route: r.ref, backends: r.rules.flatMap((rule) => rule.backendRefs.map((b) => backendState(r, b, index))) })),
  }));
  return {
    ...withListeners,
    listeners: programmedListeners,
    conditions: { Accepted: acceptedCond, Programmed: programmed },
    service,
    addresses,
    http: { listeners: modelled, configurations: httpRouteConfigurations(modelled, httpRoutes, facts, index) },
    l4,
  };
}
