import { DataplaneListener, RouteConfiguration } from './gateway-dataplane';
import { CertificateRefState } from './gateway-listeners';
import { Condition, ParentRef, RouteKind } from './gateway-objects';
import { BackendState } from './gateway-routes';
import { KubeObject } from './objects';

/**
 * The shape of the Gateway model's result ({@link GatewayApiState}): the status Cilium's Gateway API controller
 * writes on Gateways, ListenerSets and routes, the Service it creates, and the Envoy routing it programs.
 */

/** Status of one listener (of a Gateway or of a ListenerSet). */
export interface ListenerState {
  /** `Gateway/<ns>/<name>` or `ListenerSet/<ns>/<name>`. */
  readonly parent: string;
  /** Listener name. */
  readonly name: string;
  /** Listener port. */
  readonly port: number;
  /** Listener protocol. */
  readonly protocol: string;
  /** Listener hostname, if any. */
  readonly hostname?: string;
  /** `status.listeners[].supportedKinds` (kinds of group gateway.networking.k8s.io). */
  readonly supportedKinds: readonly RouteKind[];
  /** `status.listeners[].attachedRoutes`. */
  readonly attachedRoutes: number;
  /** The routes counted in {@link attachedRoutes} (`Kind/ns/name`). */
  readonly routes: readonly string[];
  /** `Accepted` and `Programmed` always; `ResolvedRefs` unless Cilium omits it (an invalid listener without a reference problem); `Conflicted` when set. */
  readonly conditions: {
    readonly Accepted: Condition;
    readonly Programmed: Condition;
    readonly ResolvedRefs?: Condition;
    readonly Conflicted?: Condition;
  };
  /** Every `tls.certificateRefs[]` and how it resolves. */
  readonly certificateRefs: readonly CertificateRefState[];
}

/** A listener of a route's parent the route attaches to: `Gateway/<ns>/<name>/<listener>` (or `ListenerSet/...`). */
export type AttachedListener = string;

/** What one TCP/UDP/TLS-passthrough listener forwards to. */
export interface L4ListenerRoutes {
  /** `<Kind>/<ns>/<name>/<listener>`. */
  readonly listener: string;
  /** Listener port. */
  readonly port: number;
  /** `TCP`, `UDP` or `TLS`. */
  readonly protocol: string;
  /** The routes attached to it, in creation order, each with its backends. */
  readonly routes: readonly { readonly route: string; readonly backends: readonly BackendState[] }[];
}

/** The state of one Gateway. */
export interface GatewayState {
  /** `Gateway/<ns>/<name>`. */
  readonly ref: string;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /** The Gateway's name. */
  readonly name: string;
  /** `spec.gatewayClassName`. */
  readonly gatewayClassName: string;
  /** Whether the modelled controller owns it (its GatewayClass exists and names the controller). */
  readonly managed: boolean;
  /** Why it is not managed (then it gets no status, no Service and no routes from this controller). */
  readonly unmanagedReason?: string;
  /** `Accepted` and `Programmed` (undefined when not managed). */
  readonly conditions?: { readonly Accepted: Condition; readonly Programmed: Condition };
  /** Status of its own listeners (`[]` when Cilium stops before writing them). */
  readonly listeners: readonly ListenerState[];
  /** The `cilium-gateway-<name>` Service the operator creates, when it gets that far. */
  readonly service?: KubeObject;
  /** The addresses its Service got (from the LB-IPAM model), reported in `status.addresses`. */
  readonly addresses: readonly string[];
  /** Number of ListenerSets with at least one valid listener (`status.attachedListenerSets`). */
  readonly attachedListenerSets: number;
  /** The Envoy HTTP routing: the listeners it serves and its route configurations (empty without a Service). */
  readonly http: { readonly listeners: readonly DataplaneListener[]; readonly configurations: readonly RouteConfiguration[] };
  /** What its TCP, UDP and TLS passthrough listeners forward to. */
  readonly l4: readonly L4ListenerRoutes[];
}

/** The state of one ListenerSet. */
export interface ListenerSetState {
  /** `ListenerSet/<ns>/<name>`. */
  readonly ref: string;
  /** `namespace/name` of its parent Gateway. */
  readonly gateway: string;
  /** Whether the Gateway's `allowedListeners` admits it (and the Gateway is managed). */
  readonly attached: boolean;
  /** `Accepted`/`Programmed` (undefined when the controller never reconciles it). */
  readonly conditions?: { readonly Accepted: Condition; readonly Programmed: Condition };
  /** Status of its listeners (`[]` when not attached). */
  readonly listeners: readonly ListenerState[];
}

/** The status of one parentRef of a route. */
export interface RouteParentState {
  /** The parentRef as written (status is keyed by it; the conformance helpers match it by group, kind, name, namespace). */
  readonly parentRef: Readonly<Record<string, unknown>>;
  /** The parentRef with defaults and the route's namespace filled in. */
  readonly resolved: ParentRef;
  /**
   * `Accepted` and `ResolvedRefs` as the controller writes them; `undefined` when it writes nothing for this
   * parent (no such Gateway/ListenerSet, another controller's class, or the route is never reconciled).
   */
  readonly conditions?: { readonly Accepted: Condition; readonly ResolvedRefs: Condition };
  /** Why no status is written, when {@link conditions} is undefined. */
  readonly noStatusReason?: string;
  /** The listeners this parentRef attaches the route to (empty when not attached anywhere). */
  readonly attachedListeners: readonly AttachedListener[];
}

/** The state of one route. */
export interface RouteState {
  /** `Kind/<ns>/<name>`. */
  readonly ref: string;
  /** The route kind. */
  readonly kind: RouteKind;
  /** Whether the controller reconciles it at all (its kind is served and one parent is a managed Gateway or attached ListenerSet). */
  readonly reconciled: boolean;
  /** One entry per `spec.parentRefs[]`, in order. */
  readonly parents: readonly RouteParentState[];
  /** Every backendRef and RequestMirror backend of every rule, in order, with how it resolves. */
  readonly backends: readonly (BackendState & { readonly rule: number })[];
}

/** The applied state of Gateway API. */
export interface GatewayApiState {
  /** Every Gateway among the objects. */
  readonly gateways: readonly GatewayState[];
  /** Every ListenerSet among the objects. */
  readonly listenerSets: readonly ListenerSetState[];
  /** Every route among the objects. */
  readonly routes: readonly RouteState[];
  /** The Services the controller creates (one per Gateway it gets that far with). */
  readonly services: readonly KubeObject[];
}
