import { RouteKind } from './gateway-objects';

/**
 * What the Gateway API controller is and supports: the inputs of the Gateway model that do not come from the
 * applied objects. {@link ciliumGatewayControllerFacts} derives them for Cilium's operator.
 */

/** The `controllerName` of Cilium's Gateway API controller (operator/pkg/gateway-api/cell.go `defaultControllerName`). */
export const CILIUM_GATEWAY_CONTROLLER_NAME = 'io.cilium/gateway-controller';

/** The GatewayClass Cilium's Helm chart installs when `gatewayAPI.enabled` (templates/cilium-gateway-api-class.yaml). */
export const CILIUM_GATEWAY_CLASS_NAME = 'cilium';

/** The controller facts the Gateway model needs. */
export interface GatewayControllerFacts {
  /** The controller whose behaviour is modelled; Gateways of classes with another `controllerName` are left alone. */
  readonly controllerName: string;
  /**
   * GatewayClasses that exist although no applied object creates them (Cilium's chart installs `cilium`).
   * A GatewayClass object among the applied objects with the same name replaces the entry.
   */
  readonly installedGatewayClasses: readonly { readonly name: string; readonly controllerName: string }[];
  /**
   * Route kinds the controller reconciles (their CRDs are installed and the operator knows them). Routes of
   * other kinds get no status from it and attach nowhere.
   */
  readonly routeKinds: readonly RouteKind[];
  /**
   * Listener protocols the controller serves and the route kinds each accepts (Cilium
   * operator/pkg/gateway-api/helpers.go `getSupportedRouteKinds`). A listener with another protocol is
   * `Accepted: False, UnsupportedProtocol`.
   */
  readonly listenerProtocols: Readonly<Record<string, readonly RouteKind[]>>;
  /** Whether ListenerSets (gateway.networking.k8s.io/v1, Gateway API 1.6) are reconciled. */
  readonly listenerSets: boolean;
  /** Settings of the generated Service (operator flags from the Helm values). */
  readonly service: {
    /** `gatewayAPI.externalTrafficPolicy`. @default 'Cluster' */
    readonly externalTrafficPolicy: 'Cluster' | 'Local';
    /** `gatewayAPI.hostNetwork.enabled`: the Service is a NodePort and Envoy listens on the nodes. @default false */
    readonly hostNetwork: boolean;
    /** IP families enabled in the agent (`ipv4.enabled`, `ipv6.enabled`). */
    readonly ipFamilies: readonly ('IPv4' | 'IPv6')[];
  };
}

/** The Gateway API kinds a Cilium minor requires and uses when present (`CiliumMinorFacts.gatewayApi` in src/spec). */
export interface CiliumGatewayApiKinds {
  /** e.g. `['GatewayClass v1', 'Gateway v1', 'HTTPRoute v1', 'GRPCRoute v1', 'ReferenceGrant v1beta1']`. */
  readonly requiredKinds: readonly string[];
  /** e.g. `['TLSRoute v1alpha2', 'ServiceImport']`. */
  readonly optionalKinds: readonly string[];
}

/** How Cilium and the Gateway API CRDs are installed, as far as {@link ciliumGatewayControllerFacts} needs it (Helm values, missing CRDs). */
export interface CiliumGatewayInstall {
  /** `gatewayAPI.externalTrafficPolicy`. @default 'Cluster' */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** `gatewayAPI.hostNetwork.enabled`. @default false */
  readonly hostNetwork?: boolean;
  /** Enabled IP families. @default ['IPv4'] (the library's clusters are IPv4-only) */
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
  /** Whether the chart's GatewayClass `cilium` is installed (`gatewayAPI.gatewayClass.create`). @default true */
  readonly gatewayClass?: boolean;
  /**
   * Optional route kinds whose CRDs are not installed: the operator then does not reconcile them (no status, no
   * attachment), but its listener protocols stay as it knows them (a TCP listener is still accepted with
   * `supportedKinds: [TCPRoute]`; Cilium testdata tcproute-crd-not-installed).
   * @default [] (the bundle installs every CRD the minor uses)
   */
  readonly missingRouteCrds?: readonly RouteKind[];
}

/**
 * Cilium's Gateway controller facts for the Gateway API kinds of a Cilium minor (the optional kinds' CRDs
 * installed unless listed in `missingRouteCrds`: the bundle installs them, see `extraCrds` and the minor's Gateway
 * API release). Route kinds: those named in the required or optional kinds. Listener protocols
 * (`getSupportedRouteKinds`): `HTTP`/`HTTPS` (HTTPRoute, GRPCRoute), `TLS` (TLSRoute), and `TCP`/`UDP` where the
 * operator knows TCPRoute/UDPRoute (Cilium 1.20, operator commit ca3ea4b3ec "add TCPRoute and UDPRoute support in
 * operator"); ListenerSets from 1.20.
 */
export function ciliumGatewayControllerFacts(kinds: CiliumGatewayApiKinds, options: CiliumGatewayInstall = {}): GatewayControllerFacts {
  const named = new Set([...kinds.requiredKinds, ...kinds.optionalKinds].map((k) => k.split(' ')[0]));
  const known = (['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'] as const).filter((k) => named.has(k));
  const routeKinds = known.filter((k) => !(options.missingRouteCrds ?? []).includes(k));
  const http: RouteKind[] = ['HTTPRoute', 'GRPCRoute'];
  const protocols: Record<string, readonly RouteKind[]> = { HTTP: http, HTTPS: http, TLS: ['TLSRoute'] };
  if (named.has('TCPRoute')) protocols.TCP = ['TCPRoute'];
  if (named.has('UDPRoute')) protocols.UDP = ['UDPRoute'];
  return {
    controllerName: CILIUM_GATEWAY_CONTROLLER_NAME,
    installedGatewayClasses: (options.gatewayClass ?? true)
      ? [{ name: CILIUM_GATEWAY_CLASS_NAME, controllerName: CILIUM_GATEWAY_CONTROLLER_NAME }]
      : [],
    routeKinds,
    listenerProtocols: protocols,
    listenerSets: named.has('ListenerSet'),
    service: {
      externalTrafficPolicy: options.externalTrafficPolicy ?? 'Cluster',
      hostNetwork: options.hostNetwork ?? false,
      ipFamilies: options.ipFamilies ?? ['IPv4'],
    },
  };
}
