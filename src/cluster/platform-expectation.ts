import { Construct } from 'constructs';
import { KindCiliumCluster } from './kind-cilium-cluster';
import { invalid } from '../errors';
import { ExpectationFact, ExpectedPodsFact, PlatformFactSource, PlatformFacts } from '../model/platform-model';
import { checkProps, propsShape, required } from '../private/props';
import { checkNamespace, DNS_LABEL_RE, LABEL_KEY_RE, LABEL_VALUE_RE } from '../private/syntax';

/**
 * Expectations (issue 18, "Intended outcomes"): outcomes the user states beyond what the objects imply. They emit no
 * Kubernetes object; each contributes a fact to its cluster's model, and the `expectations` outcome family
 * (src/outcomes/expectations.ts) judges it against the applied state like every intended outcome: a failing one
 * refuses synthesis (`expected-flow-failed`, `expected-url-failed`), a holding one becomes a row of `verify.sh` and a
 * line of `platform.md`.
 */

/** Pods an {@link ExpectFlow} names: the pods of a namespace carrying every label given (a pod template's labels). */
export interface ExpectedPods {
  /** Namespace of the pods (a DNS-1123 label). */
  readonly namespace: string;
  /**
   * Labels every one of the pods carries (`metadata.labels` of the pod template), e.g. `{ app: 'web' }`: Kubernetes
   * label keys and values. @default {} - every pod of the namespace
   */
  readonly labels?: Record<string, string>;
}

/** The HTTP request an {@link ExpectFlow} connection carries (judged by Cilium's L7 HTTP rules, enforced by Envoy). */
export interface ExpectedHttpRequest {
  /** The method, an HTTP token (RFC 9110), e.g. `GET`. @default 'GET' */
  readonly method?: string;
  /** The path with an optional `?query`: starts with `/`, visible ASCII (RFC 9112 request-target). @default '/' */
  readonly path?: string;
}

/** Props of {@link ExpectFlow}. */
export interface ExpectFlowProps {
  /** The client pods. Every pod of the bundle they select is judged; selecting none is refused. */
  readonly from: ExpectedPods;
  /** The server pods. Every pod of the bundle they select is judged; selecting none is refused. */
  readonly to: ExpectedPods;
  /**
   * The server's container port, 1-65535: the port Cilium's policies see (a connection to a Service is translated
   * to its backend pod's target port first).
   */
  readonly port: number;
  /** The L4 protocol. @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /**
   * The HTTP request the connection carries, when the server's policies filter requests (Cilium L7 rules). Only with
   * TCP. @default - a plain connection (`verify.sh` probes it with `curl` `GET /`)
   */
  readonly http?: ExpectedHttpRequest;
  /**
   * `allowed`: the flow passes end to end (the client's egress AND the server's ingress let it through). `denied`:
   * one of them drops it, or Envoy answers 403.
   */
  readonly expect: 'allowed' | 'denied';
}

/** The Service an {@link ExpectUrl} request must be forwarded to. */
export interface ExpectedBackend {
  /** Service name (a DNS-1123 label). */
  readonly name: string;
  /** Service port, 1-65535. */
  readonly port: number;
  /** Namespace of the Service. @default 'default' */
  readonly namespace?: string;
}

/** Props of {@link ExpectUrl}. */
export interface ExpectUrlProps {
  /**
   * The URL as a browser on the host opens it, `http://` or `https://`, e.g. `https://shop.localhost:30443/cart`: the
   * host port is the kind port mapping of the Gateway's NodePort (a Gateway without a mapped NodePort: its listener
   * port, reached inside the kind network). No user info, no fragment.
   */
  readonly url: string;
  /** The Service the Gateway must forward the request to. @default - any backend that resolves */
  readonly backend?: ExpectedBackend;
}

const PODS_SHAPE = propsShape<ExpectedPods>('expected pods', { namespace: required('string'), labels: { map: 'string' } });
const HTTP_SHAPE = propsShape<ExpectedHttpRequest>('expected HTTP request', { method: 'string', path: 'string' });
const FLOW_SHAPE = propsShape<ExpectFlowProps>('ExpectFlow', {
  from: required(PODS_SHAPE),
  to: required(PODS_SHAPE),
  port: required('number'),
  protocol: 'string',
  http: HTTP_SHAPE,
  expect: required('string'),
});
const BACKEND_SHAPE = propsShape<ExpectedBackend>('expected backend', { name: required('string'), port: required('number'), namespace: 'string' });
const URL_SHAPE = propsShape<ExpectUrlProps>('ExpectUrl', { url: required('string'), backend: BACKEND_SHAPE });

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const HTTP_TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A request target as it goes on the wire: `/`, then visible ASCII; no `#` (a fragment never leaves the client). */
const PATH_RE = /^\/[\x21-\x22\x24-\x7e]*$/;

function checkPort(field: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalid('invalid-port', field, `${port} is not a port number`, 'use a whole number from 1 to 65535');
  return port;
}

function checkPods(field: string, pods: ExpectedPods): ExpectedPodsFact {
  const namespace = checkNamespace(`${field}.namespace`, pods.namespace);
  const labels = pods.labels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY_RE.test(key) || !LABEL_VALUE_RE.test(value)) {
      invalid('invalid-selector', `${field}.labels[${JSON.stringify(key)}]`, `"${key}: ${value}" is not a Kubernetes label, so no pod can carry it`,
        'use a qualified key (optional DNS prefix + "/" + name of at most 63 alphanumerics, "-", "_" or ".") and a value of at most 63 such characters');
    }
  }
  return { namespace, labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))) };
}

/**
 * States that a flow between pods of the cluster's bundle must pass, or must be denied, once applied. It emits no
 * object: the `expectations` outcome family asks Cilium's policy engine (the client's egress and the server's
 * ingress, `Documentation/security/policy/intro.rst`) for the verdict from every pod `from` selects to every pod `to`
 * selects, and refuses synthesis (`expected-flow-failed`) when one differs, naming the side and rule that decided and
 * the policy change that fixes it, or when `from` or `to` selects no pod of the bundle (a typo would otherwise make
 * the statement vacuous), or when `port` is not a port the server's containers declare (often the Service port in
 * front of them: flows are judged pod to pod, and the fix names the container port). A holding expectation becomes a
 * `verify.sh` row (a response, Envoy's 403 or a timeout; through the Service fronting the port, else to a running
 * server pod's IP) and a line of `platform.md`.
 *
 * Refused at construction: a namespace that is not a DNS-1123 label, labels that are not Kubernetes labels, a port
 * outside 1-65535, a protocol other than TCP, UDP or SCTP, `http` with UDP or SCTP (HTTP runs over TCP), a method
 * that is not an HTTP token, a path not starting with `/` or holding non-visible-ASCII characters or `#`, and `expect`
 * other than `allowed` or `denied`.
 *
 * @example new ExpectFlow(cluster, 'web-to-api', { from: { namespace: 'shop', labels: { app: 'web' } }, to: { namespace: 'shop', labels: { app: 'api' } }, port: 8080, expect: 'allowed' });
 */
export class ExpectFlow extends Construct implements PlatformFactSource {
  /** The checked expectation. */
  public readonly expectation: ExpectationFact & { readonly kind: 'flow' };

  constructor(scope: Construct, id: string, props: ExpectFlowProps) {
    super(scope, id);
    KindCiliumCluster.of(this);
    const path = this.node.path;
    const p = checkProps<ExpectFlowProps>(path, props, FLOW_SHAPE);
    const protocol = p.protocol ?? 'TCP';
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
      invalid('invalid-protocol', `${path}.protocol`, `${JSON.stringify(protocol)} is not a protocol a pod port has`, `use one of ${PROTOCOLS.join(', ')}`);
    }
    if (p.expect !== 'allowed' && p.expect !== 'denied') {
      invalid('invalid-expectation', `${path}.expect`, `${JSON.stringify(p.expect)} is not an expected verdict`, "use 'allowed' (the flow passes end to end) or 'denied'");
    }
    let http: { method: string; path: string } | undefined;
    if (p.http) {
      if (protocol !== 'TCP') invalid('invalid-expectation', `${path}.http`, `is given with protocol ${protocol}, but HTTP runs over TCP`, 'drop http, or use protocol TCP');
      const method = p.http.method ?? 'GET';
      const target = p.http.path ?? '/';
      if (!HTTP_TOKEN_RE.test(method)) invalid('invalid-expectation', `${path}.http.method`, `${JSON.stringify(method)} is not an HTTP method (an RFC 9110 token)`, 'use a method such as GET or POST');
      if (!PATH_RE.test(target)) {
        invalid('invalid-expectation', `${path}.http.path`, `${JSON.stringify(target)} is not a request path: it must start with "/" and hold only visible ASCII, no "#" (RFC 9112: a fragment never reaches the server)`,
          'write the path as it goes on the wire, percent-encoding spaces, "#" and non-ASCII text, e.g. /v1/items?q=a%20b');
      }
      http = { method, path: target };
    }
    this.expectation = {
      kind: 'flow',
      field: path,
      from: checkPods(`${path}.from`, p.from),
      to: checkPods(`${path}.to`, p.to),
      port: checkPort(`${path}.port`, p.port),
      protocol: protocol as 'TCP' | 'UDP' | 'SCTP',
      ...(http ? { http } : {}),
      expect: p.expect,
    };
  }

  /** @internal */
  public _platformFacts(): Partial<PlatformFacts> {
    return { expectations: [this.expectation] };
  }
}

/**
 * States that a URL must be answered once applied: Cilium's Gateway API data path (Envoy, as the Gateway model
 * computes it from the bundle's Gateways and HTTPRoutes) must forward a `GET` of it to a backend that resolves, and
 * to `backend` when given. It emits no object: the `expectations` outcome family judges it, and refuses synthesis
 * (`expected-url-failed`) when no attached HTTPRoute's Gateway listens on the URL's scheme and port, or Envoy answers
 * it itself (404: no virtual host or route; 500; a redirect), refuses the connection (no certificate served), or
 * forwards it elsewhere. A holding expectation becomes a `verify.sh` row (`curl` expects 2xx, from the host through
 * kind's port mapping) and a line of `platform.md`.
 *
 * Refused at construction: a URL WHATWG parsing rejects, a scheme other than `http`/`https`, user info, a fragment,
 * a backend name that is not a DNS-1123 label, a port outside 1-65535.
 *
 * @example new ExpectUrl(cluster, 'shop', { url: 'https://shop.localhost:30443/', backend: { namespace: 'shop', name: 'web', port: 80 } });
 */
export class ExpectUrl extends Construct implements PlatformFactSource {
  /** The checked expectation. */
  public readonly expectation: ExpectationFact & { readonly kind: 'url' };

  constructor(scope: Construct, id: string, props: ExpectUrlProps) {
    super(scope, id);
    KindCiliumCluster.of(this);
    const path = this.node.path;
    const p = checkProps<ExpectUrlProps>(path, props, URL_SHAPE);
    let url: URL | undefined;
    try {
      url = new URL(p.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      invalid('invalid-url', `${path}.url`, `${JSON.stringify(p.url)} is not an http:// or https:// URL`, 'write the URL a browser on the host opens, e.g. https://shop.localhost:30443/');
    }
    if (url.username || url.password || url.hash || p.url.includes('#')) {
      invalid('invalid-url', `${path}.url`, `${JSON.stringify(p.url)} has user info or a fragment, which never reach the Gateway`, 'drop the user info and the #fragment');
    }
    let backend: { namespace: string; name: string; port: number } | undefined;
    if (p.backend) {
      const name = p.backend.name;
      if (!DNS_LABEL_RE.test(name) || name.length > 63) {
        invalid('invalid-name', `${path}.backend.name`, `${JSON.stringify(name)} is not a Service name`, 'use at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit');
      }
      backend = {
        namespace: checkNamespace(`${path}.backend.namespace`, p.backend.namespace ?? 'default'),
        name,
        port: checkPort(`${path}.backend.port`, p.backend.port),
      };
    }
    this.expectation = { kind: 'url', field: path, url: url.href, ...(backend ? { backend } : {}) };
  }

  /** @internal */
  public _platformFacts(): Partial<PlatformFacts> {
    return { expectations: [this.expectation] };
  }
}
