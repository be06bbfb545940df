import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  Certificate,
} from '../../imports/cert-manager';
import {
  Gateway,
  GatewaySpecListeners,
  GatewaySpecListenersAllowedRoutes,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode,
  HttpRoute,
  HttpRouteSpecParentRefs,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../../imports/gateway-api';
import { checkCertificateDurations, ICertificateIssuer } from '../cert-manager/local-ca';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { invalid } from '../errors';
import { checkGatewayHostname, GATEWAY_API_GROUP, GatewayHttpRoute, GatewayHttpRouteOptions, IHttpRouteParent, listenerAcceptsHostname, ROUTE_OPTIONS_SHAPE } from './http-route';
import { PlatformFactSource, PlatformFacts } from '../model/platform-model';
import { checkProps, propsShape, required } from '../private/props';
import { checkDnsLabel, isPlainObject, LABEL_KEY_RE, LABEL_VALUE_RE } from '../private/syntax';

/** GatewayClass installed by Cilium when `gatewayAPI.enabled` is true. */
export const CILIUM_GATEWAY_CLASS = 'cilium';

/** Default NodePort of the Gateway's HTTP listener (published by kind as http://localhost:30080). */
export const DEFAULT_GATEWAY_HTTP_NODE_PORT = 30080;

/** Default NodePort of the Gateway's HTTPS listener (published by kind as https://localhost:30443). */
export const DEFAULT_GATEWAY_HTTPS_NODE_PORT = 30443;

/** Kubernetes' default `--service-node-port-range` (kind does not change it). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

const LISTENER_HTTP = 'http';
const LISTENER_HTTPS = 'https';
const LISTENER_HTTPS_APEX = 'https-apex';

/**
 * Name of the Service Cilium's operator generates for a Gateway (`cilium-gateway-<gateway name>`).
 * Gateway names are limited to 48 characters so this is a DNS label Cilium does not shorten with a hash.
 */
export function ciliumGatewayServiceName(gatewayName: string): string {
  return `cilium-gateway-${gatewayName}`;
}

/** Props of {@link LocalGateway}. */
export interface LocalGatewayProps {
  /** Signs the gateway's TLS certificate, e.g. a {@link LocalCertificateAuthority}. */
  readonly certificateAuthority: ICertificateIssuer;
  /** Gateway name (DNS label, at most 48 characters). Also names the `<name>-tls` Certificate/Secret. @default 'local' */
  readonly name?: string;
  /** Namespace of the Gateway, its Service, Certificate and TLS Secret. @default 'gateway' */
  readonly namespace?: string;
  /** Emit the Namespace object. Set false when another construct already creates it. @default true */
  readonly createNamespace?: boolean;
  /** Hostname of the HTTPS listener; the certificate covers it. @default '*.localhost' */
  readonly hostname?: string;
  /**
   * When `hostname` is a wildcard (`*.localhost`), add a second HTTPS listener `https-apex` for the bare
   * domain (`localhost`), so https://localhost:30443 works too: a `*.x` listener never matches `x` itself.
   * @default true
   */
  readonly apexListener?: boolean;
  /** NodePort (30000-32767) of the HTTP listener (port 80). @default 30080 */
  readonly httpNodePort?: number;
  /** NodePort (30000-32767) of the HTTPS listeners (port 443). @default 30443 */
  readonly httpsNodePort?: number;
  /**
   * Restrict which namespaces may attach HTTPRoutes: only namespaces carrying all these labels
   * (`allowedRoutes.namespaces.from: Selector`).
   * @default - routes from every namespace may attach (`from: All`); who may route is then governed by RBAC on HTTPRoute
   */
  readonly routeNamespaceLabels?: Record<string, string>;
  /**
   * Answer plain HTTP with a 301 redirect to HTTPS (on the host HTTPS port) instead of serving routes on it.
   * App routes then attach to the HTTPS listeners only, and the HTTP listener only accepts routes from the
   * gateway namespace.
   * @default false - routes are served on both listeners
   */
  readonly redirectHttpToHttps?: boolean;
  /** Validity of the gateway certificate (Go duration, at least 1h). @default '2160h' (90 days) */
  readonly certificateDuration?: string;
  /** Renew the gateway certificate this long before expiry. @default '720h' (30 days) */
  readonly certificateRenewBefore?: string;
}

const GATEWAY_SHAPE = propsShape<LocalGatewayProps>('LocalGateway', {
  certificateAuthority: required({
    expected: 'a certificate issuer (a LocalCertificateAuthority or another ICertificateIssuer)',
    test: (ca) => {
      const ref = (ca as ICertificateIssuer).issuerRef;
      return isPlainObject(ref) && typeof ref.name === 'string' && typeof ref.kind === 'string';
    },
  }),
  name: 'string',
  namespace: 'string',
  createNamespace: 'boolean',
  hostname: 'string',
  apexListener: 'boolean',
  httpNodePort: 'number',
  httpsNodePort: 'number',
  routeNamespaceLabels: { map: 'string' },
  redirectHttpToHttps: 'boolean',
  certificateDuration: 'string',
  certificateRenewBefore: 'string',
});

/**
 * A Cilium Gateway (gateway.networking.k8s.io/v1, class `cilium`) reachable from the host through kind
 * port mappings: an HTTP listener on port 80 and HTTPS listener(s) on port 443 that terminate TLS with a
 * certificate issued by cert-manager from a local CA.
 *
 * **How the NodePorts are pinned.** Cilium 1.18 generates one Service per Gateway, `cilium-gateway-<name>`,
 * of type LoadBalancer with ports named `port-<listener port>` and no `nodePort` (operator
 * `gatewayAPITranslator.desiredService`); neither the Gateway (`spec.infrastructure` carries only labels and
 * annotations) nor `CiliumGatewayClassConfig.spec.service` (type, externalTrafficPolicy, loadBalancerClass,
 * source ranges, IP families, allocateLoadBalancerNodePorts, trafficDistribution) can set a NodePort
 * (cilium/cilium#43574 asks for it). So this construct emits that Service itself, with fixed NodePorts on
 * ports `port-80` and `port-443`, ordered before the Gateway. The operator adopts it with
 * `controllerutil.CreateOrPatch` (it overwrites `spec` with its desired spec and sets the Gateway as owner),
 * and the API server's `patchAllocatedValues` keeps every NodePort the patch omits for a port of the same
 * name (kubernetes `pkg/registry/core/service/storage`). If Cilium creates the Service first, applying
 * this one moves its NodePorts to the pinned values; both orders converge. The Service stays a
 * LoadBalancer: Cilium marks the Gateway Programmed only once LB-IPAM assigns it a pool address.
 *
 * Facts for the cluster rules are registered (`gateway-prerequisites`, `gateway-nodeports-mapped`,
 * `lb-services-exceed-pool`), which also turns on `gatewayAPI.enabled` in the Cilium Helm values.
 */
export class LocalGateway extends Construct implements IHttpRouteParent, PlatformFactSource {
  /** Gateway name. */
  public readonly gatewayName: string;
  /** Namespace of the Gateway and its Service, Certificate and Secret. */
  public readonly namespace: string;
  /** Hostname of the main HTTPS listener. */
  public readonly hostname: string;
  /** Hostname of the `https-apex` listener, when there is one. */
  public readonly apexHostname?: string;
  /** NodePort of the HTTP listener. */
  public readonly httpNodePort: number;
  /** NodePort of the HTTPS listener(s). */
  public readonly httpsNodePort: number;
  /** Host port kind maps to {@link httpNodePort} (equals the NodePort when unmapped). */
  public readonly hostHttpPort: number;
  /** Host port kind maps to {@link httpsNodePort} (equals the NodePort when unmapped). */
  public readonly hostHttpsPort: number;
  /** Name of the LoadBalancer Service Cilium manages for this Gateway (`cilium-gateway-<name>`). */
  public readonly serviceName: string;
  /** Name of the TLS Secret (and Certificate) referenced by the HTTPS listeners (`<name>-tls`). */
  public readonly tlsSecretName: string;
  /** True when plain HTTP redirects to HTTPS. */
  public readonly redirectsHttpToHttps: boolean;
  /** The Gateway object (escape hatch). */
  public readonly apiObject: Gateway;
  /** The pre-created `cilium-gateway-<name>` Service carrying the pinned NodePorts (escape hatch). */
  public readonly service: k8s.KubeService;
  /** The cert-manager Certificate of the HTTPS listeners (escape hatch). */
  public readonly certificate: Certificate;
  /** The HTTP-to-HTTPS redirect route, when enabled. */
  public readonly redirectRoute?: HttpRoute;

  private readonly httpsListeners: { name: string; hostname: string }[];
  private readonly routeHostnames = new Set<string>();
  private readonly facts: Partial<PlatformFacts>;

  constructor(scope: Construct, id: string, props: LocalGatewayProps) {
    super(scope, id);
    const cluster = KindCiliumCluster.of(this);
    const field = this.node.path;
    props = checkProps(field, props, GATEWAY_SHAPE);

    this.gatewayName = checkDnsLabel('invalid-gateway-name', `${field}.name`, props.name ?? 'local', 48, 'Gateway name (cilium-gateway-<name> must stay a 63-character DNS label)');
    this.namespace = checkDnsLabel('invalid-namespace', `${field}.namespace`, props.namespace ?? 'gateway', 63, 'namespace name');
    this.hostname = checkGatewayHostname(`${field}.hostname`, props.hostname ?? '*.localhost');
    if (this.hostname.startsWith('*.') && (props.apexListener ?? true)) {
      this.apexHostname = this.hostname.slice(2);
    }
    this.httpNodePort = nodePort(`${field}.httpNodePort`, props.httpNodePort ?? DEFAULT_GATEWAY_HTTP_NODE_PORT);
    this.httpsNodePort = nodePort(`${field}.httpsNodePort`, props.httpsNodePort ?? DEFAULT_GATEWAY_HTTPS_NODE_PORT);
    if (this.httpNodePort === this.httpsNodePort) {
      invalid('duplicate-node-port', `${field}.httpsNodePort`, `${this.httpsNodePort} is also the httpNodePort; a NodePort serves one Service port`,
        `use two different NodePorts, e.g. httpNodePort: ${DEFAULT_GATEWAY_HTTP_NODE_PORT}, httpsNodePort: ${DEFAULT_GATEWAY_HTTPS_NODE_PORT}`);
    }
    const selectorLabels = props.routeNamespaceLabels;
    if (selectorLabels !== undefined && Object.keys(selectorLabels).length === 0) {
      invalid('empty-route-namespace-selector', `${field}.routeNamespaceLabels`, 'is empty, which would select every namespace',
        'give at least one label (e.g. { "gateway-access": "true" }) or leave it unset to allow all namespaces');
    }
    for (const [key, value] of Object.entries(selectorLabels ?? {})) {
      if (!LABEL_KEY_RE.test(key) || !LABEL_VALUE_RE.test(value)) {
        invalid('invalid-label', `${field}.routeNamespaceLabels[${JSON.stringify(key)}]`, `"${key}=${value}" is not a valid Kubernetes label`,
          'use a qualified key (prefix/name) and a value of at most 63 alphanumerics, "-", "_" or "."');
      }
    }
    const duration = props.certificateDuration ?? '2160h';
    const renewBefore = props.certificateRenewBefore ?? '720h';
    checkCertificateDurations(field, 'certificateDuration', duration, 'certificateRenewBefore', renewBefore);

    const hostPortOf = (containerPort: number) =>
      cluster.spec.hostPortMappings.find((m) => m.containerPort === containerPort)?.hostPort ?? containerPort;
    this.hostHttpPort = hostPortOf(this.httpNodePort);
    this.hostHttpsPort = hostPortOf(this.httpsNodePort);
    this.serviceName = ciliumGatewayServiceName(this.gatewayName);
    this.tlsSecretName = `${this.gatewayName}-tls`;
    this.redirectsHttpToHttps = props.redirectHttpToHttps ?? false;
    this.httpsListeners = [
      { name: LISTENER_HTTPS, hostname: this.hostname },
      ...(this.apexHostname ? [{ name: LISTENER_HTTPS_APEX, hostname: this.apexHostname }] : []),
    ];

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: this.namespace } });
    }

    const baseHostnames = this.httpsListeners.map((l) => l.hostname);
    this.certificate = new Certificate(this, 'Certificate', {
      metadata: { name: this.tlsSecretName, namespace: this.namespace },
      spec: {
        secretName: this.tlsSecretName,
        // A `*.localhost` SAN alone is not enough: OpenSSL (curl) only honours wildcards with two labels
        // after the star, so every route hostname is listed explicitly as well.
        dnsNames: Lazy.any({
          produce: () => [...baseHostnames, ...[...this.routeHostnames].filter((h) => !baseHostnames.includes(h)).sort()],
        }),
        duration,
        renewBefore,
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        issuerRef: { ...props.certificateAuthority.issuerRef },
      },
    });

    const serviceLabels = {
      'gateway.networking.k8s.io/gateway-name': this.gatewayName,
      'io.cilium.gateway/owning-gateway': this.gatewayName,
    };
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels: serviceLabels },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Cluster',
        // No selector: Cilium's operator owns the endpoints. Port names must be Cilium's `port-<port>`.
        ports: [
          { name: 'port-80', port: 80, protocol: 'TCP', nodePort: this.httpNodePort },
          { name: 'port-443', port: 443, protocol: 'TCP', nodePort: this.httpsNodePort },
        ],
      },
    });

    const appRoutes: GatewaySpecListenersAllowedRoutes = {
      kinds: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
      namespaces: selectorLabels
        ? { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR, selector: { matchLabels: { ...selectorLabels } } }
        : { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.ALL },
    };
    const listeners: GatewaySpecListeners[] = [
      {
        name: LISTENER_HTTP,
        protocol: 'HTTP',
        port: 80,
        allowedRoutes: this.redirectsHttpToHttps
          ? { kinds: appRoutes.kinds, namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } }
          : appRoutes,
      },
      ...this.httpsListeners.map((l) => ({
        name: l.name,
        protocol: 'HTTPS',
        port: 443,
        hostname: l.hostname,
        tls: {
          mode: GatewaySpecListenersTlsMode.TERMINATE,
          certificateRefs: [{ group: '', kind: 'Secret', name: this.tlsSecretName }],
        },
        allowedRoutes: appRoutes,
      })),
    ];
    this.apiObject = new Gateway(this, 'Gateway', {
      metadata: { name: this.gatewayName, namespace: this.namespace },
      spec: { gatewayClassName: CILIUM_GATEWAY_CLASS, listeners },
    });

    if (this.redirectsHttpToHttps) {
      this.redirectRoute = new HttpRoute(this, 'HttpsRedirect', {
        metadata: { name: `${this.gatewayName}-https-redirect`, namespace: this.namespace },
        spec: {
          parentRefs: [this.parentRef(LISTENER_HTTP)],
          rules: [{
            filters: [{
              type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
              requestRedirect: {
                scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                port: this.hostHttpsPort,
                statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
              },
            }],
          }],
        },
      });
    }

    this.facts = { gateways: [{ field, name: this.gatewayName, httpNodePort: this.httpNodePort, httpsNodePort: this.httpsNodePort }] };
    labelLibraryObjects(this);
  }

  /** @internal */
  public _platformFacts(): Partial<PlatformFacts> {
    return this.facts;
  }

  /** Base host URLs of the gateway, e.g. `{ http: 'http://localhost:30080', https: 'https://localhost:30443' }`. */
  public get urls(): { readonly http: string; readonly https: string } {
    const host = this.apexHostname ?? this.hostname.replace(/^\*\./, '');
    return { http: `http://${host}:${this.hostHttpPort}`, https: `https://${host}:${this.hostHttpsPort}` };
  }

  /** Adds an HTTPRoute attached to this gateway that forwards `pathPrefix` to a Service. */
  public addHttpRoute(id: string, options: GatewayHttpRouteOptions): GatewayHttpRoute {
    const checked = checkProps<GatewayHttpRouteOptions>([this.node.path, id].join('/'), options, ROUTE_OPTIONS_SHAPE);
    return new GatewayHttpRoute(this, id, { ...checked, gateway: this });
  }

  /** See {@link IHttpRouteParent.bindHttpRoute}. */
  public bindHttpRoute(field: string, hostnames: readonly string[]): HttpRouteSpecParentRefs[] {
    hostnames.forEach((h, i) => {
      if (!this.httpsListeners.some((l) => listenerAcceptsHostname(l.hostname, h))) {
        invalid('route-hostname-not-served', `${field}.hostnames[${i}]`,
          `"${h}" matches none of the HTTPS listener hostnames [${this.httpsListeners.map((l) => l.hostname).join(', ')}] of gateway ${this.namespace}/${this.gatewayName}, so it could not be served over HTTPS`,
          `use a hostname under ${this.hostname}, or set the gateway hostname to cover it`);
      }
    });
    hostnames.forEach((h) => this.routeHostnames.add(h));
    if (!this.redirectsHttpToHttps) return [this.parentRef()];
    // HTTP only redirects: attach to the HTTPS listeners whose hostname intersects the route's.
    return this.httpsListeners
      .filter((l) => hostnames.length === 0 || hostnames.some((h) => listenerAcceptsHostname(l.hostname, h)))
      .map((l) => this.parentRef(l.name));
  }

  private parentRef(sectionName?: string): HttpRouteSpecParentRefs {
    return {
      group: GATEWAY_API_GROUP,
      kind: 'Gateway',
      name: this.gatewayName,
      namespace: this.namespace,
      ...(sectionName ? { sectionName } : {}),
    };
  }
}

function nodePort(field: string, value: number): number {
  if (!Number.isInteger(value) || value < NODE_PORT_RANGE.min || value > NODE_PORT_RANGE.max) {
    invalid('invalid-node-port', field, `${value} is outside the Kubernetes NodePort range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
      `pick a free port in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max} and publish it with hostPortMappings: [{ containerPort: <port> }]`);
  }
  return value;
}
