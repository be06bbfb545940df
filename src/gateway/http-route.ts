import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { HttpRoute, HttpRouteSpecParentRefs, HttpRouteSpecRulesMatchesPathType, ReferenceGrantSpec, toJson_ReferenceGrantSpec } from '../../imports/gateway-api';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { invalid } from '../errors';
import { parseIpv4 } from '../private/ipv4';
import { checkProps, PropsShape, propsShape, required } from '../private/props';
import { checkDnsLabel, DNS_SUBDOMAIN_RE } from '../private/syntax';
import { ciliumMinorFacts, ciliumMinorOf, DEFAULT_CILIUM_VERSION } from '../spec/version-matrix';

/** API group of the Gateway API resources (`parentRefs[].group`, ReferenceGrant `from[].group`). */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

const HOSTNAME_RE = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH_RE = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** @internal Throws unless `value` is a Gateway API hostname (optionally `*.`-prefixed, no IP address). */
export function checkGatewayHostname(field: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !HOSTNAME_RE.test(value) || parseIpv4(value) !== undefined) {
    invalid('invalid-hostname', field, `"${value}" is not a Gateway API hostname`,
      'use a lowercase DNS name such as demo.localhost, optionally with a leading "*." wildcard label (IP addresses are not allowed)');
  }
  return value;
}

/**
 * @internal Gateway API hostname matching: does a listener hostname (undefined = any) accept a route hostname?
 * A `*.x` listener matches any name with at least one more label in front of `.x`.
 */
export function listenerAcceptsHostname(listenerHostname: string | undefined, routeHostname: string): boolean {
  if (listenerHostname === undefined) return true;
  if (listenerHostname === routeHostname) return true;
  if (listenerHostname.startsWith('*.')) {
    const suffix = listenerHostname.slice(1);
    const head = routeHostname.startsWith('*.') ? routeHostname.slice(2) : routeHostname;
    return head.endsWith(suffix) && head.length > suffix.length;
  }
  if (routeHostname.startsWith('*.')) {
    const suffix = routeHostname.slice(1);
    return listenerHostname.endsWith(suffix) && listenerHostname.length > suffix.length;
  }
  return false;
}

/** The Service an {@link GatewayHttpRoute} forwards to. */
export interface HttpRouteBackend {
  /** Service name. */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /**
   * Namespace of the Service. When it differs from the route's namespace, a ReferenceGrant is emitted in
   * the Service's namespace, at the apiVersion the cluster's Cilium operator watches:
   * `gateway.networking.k8s.io/v1beta1` for Cilium 1.18/1.19 (Gateway API v1.3.0/v1.4.1 serve only that),
   * `gateway.networking.k8s.io/v1` for Cilium 1.20 (it requires ReferenceGrant v1, served from Gateway API v1.6).
   * @default - the route's namespace
   */
  readonly namespace?: string;
}

/** What a route matches and where it forwards (used by `LocalGateway.addHttpRoute`). */
export interface GatewayHttpRouteOptions {
  /** HTTPRoute name (a DNS subdomain). @default - the construct id */
  readonly name?: string;
  /** Namespace of the HTTPRoute (usually the app's namespace). */
  readonly namespace: string;
  /**
   * Hostnames the route serves; each must fall under one of the gateway's HTTPS listener hostnames and is
   * added to the gateway certificate's dnsNames.
   * @default - every hostname of the gateway's listeners
   */
  readonly hostnames?: string[];
  /** The Service requests are forwarded to. */
  readonly backend: HttpRouteBackend;
  /** Path prefix to match. @default '/' */
  readonly pathPrefix?: string;
}

/** A Gateway that HTTPRoutes can attach to (implemented by `LocalGateway`). */
export interface IHttpRouteParent {
  /** Gateway name. */
  readonly gatewayName: string;
  /** Gateway namespace. */
  readonly namespace: string;
  /**
   * Checks that the gateway serves `hostnames` over HTTPS (throwing a PlatformConfigError naming `field`
   * otherwise), records them for the gateway certificate, and returns the route's `parentRefs`.
   */
  bindHttpRoute(field: string, hostnames: readonly string[]): HttpRouteSpecParentRefs[];
}

/** Props of {@link GatewayHttpRoute}. */
export interface GatewayHttpRouteProps extends GatewayHttpRouteOptions {
  /** The gateway the route attaches to. */
  readonly gateway: IHttpRouteParent;
}

const ROUTE_OPTIONS: PropsShape<GatewayHttpRouteOptions> = {
  name: 'string',
  namespace: required('string'),
  hostnames: { list: 'string' },
  backend: required(propsShape<HttpRouteBackend>('HTTP route backend', { name: required('string'), port: required('number'), namespace: 'string' })),
  pathPrefix: 'string',
};
/** @internal The shape of {@link GatewayHttpRouteOptions} (`LocalGateway.addHttpRoute`). */
export const ROUTE_OPTIONS_SHAPE = propsShape<GatewayHttpRouteOptions>('HTTP route', ROUTE_OPTIONS);
/** The shape of {@link GatewayHttpRouteProps}: the options and the gateway. */
const ROUTE_SHAPE = propsShape<GatewayHttpRouteProps>('HTTP route', {
  ...ROUTE_OPTIONS,
  gateway: required({
    expected: 'a gateway (a LocalGateway or another IHttpRouteParent)',
    test: (g) => typeof (g as IHttpRouteParent).bindHttpRoute === 'function' && typeof (g as IHttpRouteParent).gatewayName === 'string',
  }),
});

/**
 * An HTTPRoute (gateway.networking.k8s.io/v1) that attaches to a gateway and forwards a path prefix to one
 * Service, plus the ReferenceGrant a cross-namespace backend needs. Backends behind a default-deny policy
 * must allow ingress `fromEntities: [ingress]` on the Service's target port (the gateway's Envoy identity).
 */
export class GatewayHttpRoute extends Construct {
  /** HTTPRoute name. */
  public readonly routeName: string;
  /** HTTPRoute namespace. */
  public readonly namespace: string;
  /** Hostnames written to the route (empty: the gateway's listener hostnames apply). */
  public readonly hostnames: readonly string[];
  /** The HTTPRoute object (escape hatch). */
  public readonly apiObject: HttpRoute;
  /**
   * The ReferenceGrant, when the backend lives in another namespace: a plain ApiObject, as its apiVersion
   * follows the Cilium minor (the generated `gatewayApi.ReferenceGrant` binding is fixed to v1beta1).
   */
  public readonly referenceGrant?: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayHttpRouteProps) {
    super(scope, id);
    const field = this.node.path;
    props = checkProps(field, props, ROUTE_SHAPE);

    this.routeName = props.name ?? id;
    if (typeof this.routeName !== 'string' || this.routeName.length > 253 || !DNS_SUBDOMAIN_RE.test(this.routeName)) {
      invalid('invalid-route-name', `${field}.name`, `"${this.routeName}" is not a valid HTTPRoute name`,
        'set name to a lowercase DNS name (letters, digits, "-" and "."), e.g. demo');
    }
    this.namespace = checkDnsLabel('invalid-namespace', `${field}.namespace`, props.namespace, 63, 'namespace name');
    const backend = props.backend;
    const backendName = checkDnsLabel('invalid-backend', `${field}.backend.name`, backend?.name, 63, 'Service name');
    const backendNamespace = checkDnsLabel('invalid-namespace', `${field}.backend.namespace`, backend.namespace ?? this.namespace, 63, 'namespace name');
    if (!Number.isInteger(backend.port) || backend.port < 1 || backend.port > 65535) {
      invalid('invalid-backend-port', `${field}.backend.port`, `${backend.port} is not a port number`, 'use the Service port (1-65535), not the container port name');
    }
    const pathPrefix = props.pathPrefix ?? '/';
    if (typeof pathPrefix !== 'string' || pathPrefix.length > 1024 || !PATH_RE.test(pathPrefix)
      || /\/\/|\/\.\.?(\/|$)|%2f|#/i.test(pathPrefix)) {
      invalid('invalid-path-prefix', `${field}.pathPrefix`, `"${pathPrefix}" is not an absolute, normalized URL path`,
        'start with "/" and avoid "//", "/./", "/../", "#" and "%2F", e.g. /api');
    }
    const hostnames = [...(props.hostnames ?? [])];
    hostnames.forEach((h, i) => checkGatewayHostname(`${field}.hostnames[${i}]`, h));
    const duplicate = hostnames.find((h, i) => hostnames.indexOf(h) !== i);
    if (duplicate !== undefined) {
      invalid('duplicate-hostname', `${field}.hostnames`, `"${duplicate}" is listed twice`, 'list each hostname once');
    }
    this.hostnames = hostnames;

    const parentRefs = props.gateway.bindHttpRoute(field, hostnames);

    this.apiObject = new HttpRoute(this, 'Route', {
      metadata: { name: this.routeName, namespace: this.namespace },
      spec: {
        parentRefs,
        ...(hostnames.length > 0 ? { hostnames } : {}),
        rules: [{
          matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: pathPrefix } }],
          backendRefs: [{
            group: '',
            kind: 'Service',
            name: backendName,
            ...(backendNamespace !== this.namespace ? { namespace: backendNamespace } : {}),
            port: backend.port,
          }],
        }],
      },
    });

    if (backendNamespace !== this.namespace) {
      const spec: ReferenceGrantSpec = {
        from: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace: this.namespace }],
        to: [{ group: '', kind: 'Service', name: backendName }],
      };
      this.referenceGrant = new ApiObject(this, 'ReferenceGrant', {
        apiVersion: referenceGrantApiVersion(this),
        kind: 'ReferenceGrant',
        metadata: { name: `httproute-${this.namespace}-${this.routeName}`.slice(0, 253).replace(/[-.]+$/, ''), namespace: backendNamespace },
        spec: toJson_ReferenceGrantSpec(spec),
      });
    }
    labelLibraryObjects(this);
  }
}

/** ReferenceGrant apiVersion for the Cilium minor of the cluster `scope` belongs to (the default minor outside a cluster). */
function referenceGrantApiVersion(scope: IConstruct): string {
  let minor = ciliumMinorOf(DEFAULT_CILIUM_VERSION)!;
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    if (KindCiliumCluster.isKindCiliumCluster(c)) {
      minor = c.spec.ciliumMinor;
      break;
    }
  }
  return ciliumMinorFacts(minor).gatewayApi.referenceGrantApiVersion;
}
