import { KubeObject, LabelSelector, appliedNamespaceLabels, groupOf } from './objects';

/**
 * The Gateway API objects as the API server stores them: every field the upstream CRDs default is filled in
 * here (gateway-api v1.6.1 `apis/v1/*.go` `+kubebuilder:default` markers), so the controller model below never
 * has to guess what an absent field means. Objects are indexed by `namespace/name`, so every lookup is O(1).
 */

/** API group of every Gateway API kind. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** The route kinds of Gateway API. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';

/** Every route kind, in the order Cilium's Gateway reconciler handles them. */
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];

/** A status condition as a controller writes it (`metav1.Condition` without timestamps). */
export interface Condition {
  /** `True`, `False` or `Unknown`. */
  readonly status: 'True' | 'False' | 'Unknown';
  /** The upstream reason (`Accepted`, `NotAllowedByListeners`, `InvalidCertificateRef`, ...). */
  readonly reason: string;
  /** The controller's message (Cilium's or cert-manager's wording where the model knows it). */
  readonly message: string;
}

/** Shorthand for a {@link Condition}. */
export function condition(status: boolean | 'Unknown', reason: string, message: string): Condition {
  return { status: status === 'Unknown' ? 'Unknown' : status ? 'True' : 'False', reason, message };
}

/** `allowedRoutes` of a listener after CRD defaulting (`namespaces.from` defaults to `Same`). */
export interface AllowedRoutes {
  /** `All`, `Same`, `Selector` or `None`. */
  readonly from: string;
  /** The namespace selector (for `Selector`). */
  readonly selector?: LabelSelector;
  /** `kinds` as written; `undefined` when absent (the listener then allows the kinds of its protocol). */
  readonly kinds?: readonly { readonly group: string; readonly kind: string }[];
}

/** A `SecretObjectReference` (listener `tls.certificateRefs[]`) with group `''` and kind `Secret` defaulted. */
export interface SecretRef {
  /** API group (`''` for core). */
  readonly group: string;
  /** Kind (`Secret`). */
  readonly kind: string;
  /** Secret name. */
  readonly name: string;
  /** The namespace written, if any. */
  readonly namespace?: string;
}

/** A listener of a Gateway or a ListenerSet, CRD defaults applied. */
export interface Listener {
  /** Listener name (the `sectionName` routes use). */
  readonly name: string;
  /** Port on the Gateway (and its Service). */
  readonly port: number;
  /** `HTTP`, `HTTPS`, `TLS`, `TCP`, `UDP` or anything else (then unsupported). */
  readonly protocol: string;
  /** `undefined` when the listener has no hostname (matches every hostname). */
  readonly hostname?: string;
  /** Which routes may attach. */
  readonly allowedRoutes: AllowedRoutes;
  /** `tls` with `mode` defaulted to `Terminate`; `undefined` when absent. */
  readonly tls?: { readonly mode: string; readonly certificateRefs: readonly SecretRef[] };
}

/** A route `parentRef`, group `gateway.networking.k8s.io` and kind `Gateway` defaulted, namespace resolved. */
export interface ParentRef {
  /** API group (`gateway.networking.k8s.io`). */
  readonly group: string;
  /** `Gateway` or `ListenerSet` (anything else is no parent Cilium handles). */
  readonly kind: string;
  /** The parent's name. */
  readonly name: string;
  /** The parent's namespace: the one written, or the route's own. */
  readonly namespace: string;
  /** The listener name it picks, if any. */
  readonly sectionName?: string;
  /** The listener port it picks, if any. */
  readonly port?: number;
  /** The parentRef exactly as written in the route (status is keyed by it). */
  readonly written: Readonly<Record<string, unknown>>;
}

/** A `backendRef` (or a RequestMirror `backendRef`), group `''`, kind `Service` and weight 1 defaulted. */
export interface BackendRef {
  /** API group (`''` for core). */
  readonly group: string;
  /** Kind (`Service`, `ServiceImport`, ...). */
  readonly kind: string;
  /** The backend's name. */
  readonly name: string;
  /** The backend's namespace: the one written, or the route's own. */
  readonly namespace: string;
  /** The Service port; `undefined` when not written (Cilium refuses a Service reference without one). */
  readonly port?: number;
  /** Relative weight among the rule's backends. */
  readonly weight: number;
}

/** One string match of an HTTP/gRPC route (`type` defaulted to `Exact`). */
export interface ValueMatch {
  /** `Exact` or `RegularExpression`. */
  readonly type: string;
  /** Header or query parameter name. */
  readonly name: string;
  /** The value or pattern. */
  readonly value: string;
}

/** One HTTPRoute match (or a GRPCRoute match translated to its path), CRD defaults applied. */
export interface HttpMatch {
  /** `Exact`, `PathPrefix` or `RegularExpression`; defaults to `PathPrefix /`. */
  readonly path: { readonly type: string; readonly value: string };
  /** Header matches (all must hold). */
  readonly headers: readonly ValueMatch[];
  /** Query parameter matches (all must hold). */
  readonly queryParams: readonly ValueMatch[];
  /** HTTP method, when the match names one. */
  readonly method?: string;
}

/** A RequestRedirect filter. */
export interface Redirect {
  /** `http` or `https`; `undefined` keeps the request's. */
  readonly scheme?: string;
  /** Host to redirect to; `undefined` keeps the request's. */
  readonly hostname?: string;
  /** Port to redirect to. */
  readonly port?: number;
  /** Redirect status code (`302` by default). */
  readonly statusCode: number;
  /** `ReplaceFullPath` or `ReplacePrefixMatch` and its value. */
  readonly path?: { readonly type: string; readonly value: string };
}

/** One rule of a route. */
export interface RouteRule {
  /** HTTP/gRPC matches; `[]` for TLS/TCP/UDP routes. A rule without matches matches `PathPrefix /`. */
  readonly matches: readonly HttpMatch[];
  /** The rule's backendRefs. */
  readonly backendRefs: readonly BackendRef[];
  /** RequestMirror backends (Cilium checks them like backendRefs). */
  readonly mirrorBackendRefs: readonly BackendRef[];
  /** Its RequestRedirect filter, if any. */
  readonly redirect?: Redirect;
}

/** A route of any kind, read from its object. */
export interface Route {
  /** The route kind. */
  readonly kind: RouteKind;
  /** `Kind/namespace/name`. */
  readonly ref: string;
  /** The route's namespace. */
  readonly namespace: string;
  /** The route's name. */
  readonly name: string;
  /** Its hostnames (`[]` for TCP/UDP routes and when none are written). */
  readonly hostnames: readonly string[];
  /** Its parentRefs, defaults applied. */
  readonly parentRefs: readonly ParentRef[];
  /** Its rules, defaults applied. */
  readonly rules: readonly RouteRule[];
  /** Position in the applied objects (creation order: Cilium orders equal matches by it). */
  readonly order: number;
}

/** Appends to the list kept under `key` (creating it), in place: building an index stays linear. */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, ...values: V[]): void {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, [...values]);
}

/** Namespace of a namespaced object as `kubectl apply` resolves it (`default` when absent). */
export function namespaceOf(o: Pick<KubeObject, 'metadata'>): string {
  return o.metadata.namespace ?? 'default';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function arr(v: unknown): readonly any[] {
  return Array.isArray(v) ? v : [];
}

/** Reads a listener (Gateway `spec.listeners[]` or ListenerSet `spec.listeners[]`). */
export function readListener(l: any): Listener {
  const ar = l?.allowedRoutes ?? {};
  const ns = ar.namespaces ?? {};
  const tls = l?.tls;
  return {
    name: String(l?.name ?? ''),
    port: num(l?.port) ?? 0,
    protocol: String(l?.protocol ?? ''),
    hostname: str(l?.hostname) || undefined,
    allowedRoutes: {
      from: str(ns.from) ?? 'Same',
      selector: ns.selector,
      kinds: Array.isArray(ar.kinds) ? ar.kinds.map((k: any) => ({ group: str(k?.group) ?? GATEWAY_API_GROUP, kind: String(k?.kind ?? '') })) : undefined,
    },
    tls: tls && typeof tls === 'object'
      ? { mode: str(tls.mode) ?? 'Terminate', certificateRefs: arr(tls.certificateRefs).map(readSecretRef) }
      : undefined,
  };
}

function readSecretRef(r: any): SecretRef {
  return { group: str(r?.group) ?? '', kind: str(r?.kind) ?? 'Secret', name: String(r?.name ?? ''), namespace: str(r?.namespace) || undefined };
}

function readParentRef(r: any, routeNamespace: string): ParentRef {
  return {
    group: str(r?.group) ?? GATEWAY_API_GROUP,
    kind: str(r?.kind) ?? 'Gateway',
    name: String(r?.name ?? ''),
    namespace: str(r?.namespace) || routeNamespace,
    sectionName: str(r?.sectionName) || undefined,
    port: num(r?.port),
    written: r ?? {},
  };
}

function readBackendRef(r: any, routeNamespace: string): BackendRef {
  return {
    group: str(r?.group) ?? '',
    kind: str(r?.kind) ?? 'Service',
    name: String(r?.name ?? ''),
    namespace: str(r?.namespace) || routeNamespace,
    port: num(r?.port),
    weight: num(r?.weight) ?? 1,
  };
}

function readValueMatches(list: unknown): ValueMatch[] {
  return arr(list).map((m: any) => ({ type: str(m?.type) ?? 'Exact', name: String(m?.name ?? ''), value: String(m?.value ?? '') }));
}

/** An HTTPRoute match with the CRD defaults (`path: {type: PathPrefix, value: /}`, header/query `type: Exact`). */
function readHttpMatch(m: any): HttpMatch {
  const path = m?.path ?? {};
  return {
    path: { type: str(path.type) ?? 'PathPrefix', value: str(path.value) ?? '/' },
    headers: readValueMatches(m?.headers),
    queryParams: readValueMatches(m?.queryParams),
    method: str(m?.method),
  };
}

/**
 * A GRPCRoute match as the path Envoy matches (Cilium `toGRPCPathMatch`): service and method give the exact
 * path `/<service>/<method>`, a service alone the prefix `/<service>/`, a method alone a regex, neither `/`.
 */
function readGrpcMatch(m: any): HttpMatch {
  const method = m?.method ?? {};
  const service = str(method.service);
  const name = str(method.method);
  const regex = str(method.type) === 'RegularExpression';
  let path: HttpMatch['path'];
  if (service && name) path = regex ? { type: 'RegularExpression', value: `/${service}/${name}` } : { type: 'Exact', value: `/${service}/${name}` };
  else if (service) path = regex ? { type: 'RegularExpression', value: `/${service}/[^/]+` } : { type: 'PathPrefix', value: `/${service}/` };
  else if (name) path = { type: 'RegularExpression', value: `/[^/]+/${name}` };
  else path = { type: 'PathPrefix', value: '/' };
  return { path, headers: readValueMatches(m?.headers), queryParams: [] };
}

function readRedirect(filters: readonly any[]): Redirect | undefined {
  const f = filters.find((x) => x?.type === 'RequestRedirect' && x.requestRedirect);
  if (!f) return undefined;
  const r = f.requestRedirect;
  const path = r.path ? { type: String(r.path.type ?? ''), value: String(r.path.replaceFullPath ?? r.path.replacePrefixMatch ?? '') } : undefined;
  return { scheme: str(r.scheme), hostname: str(r.hostname), port: num(r.port), statusCode: num(r.statusCode) ?? 302, path };
}

/** Reads a route object of any kind; `undefined` for other objects. */
export function readRoute(o: KubeObject, order: number): Route | undefined {
  if (groupOf(o.apiVersion) !== GATEWAY_API_GROUP || !(ROUTE_KINDS as readonly string[]).includes(o.kind)) return undefined;
  const kind = o.kind as RouteKind;
  const namespace = namespaceOf(o);
  const spec = o.spec ?? {};
  const http = kind === 'HTTPRoute' || kind === 'GRPCRoute';
  // HTTPRoute `rules` default to one rule matching PathPrefix `/` (apis/v1/httproute_types.go).
  const rules = arr(spec.rules).length > 0 || !http ? arr(spec.rules) : [{}];
  return {
    kind,
    ref: `${kind}/${namespace}/${o.metadata.name}`,
    namespace,
    name: o.metadata.name,
    hostnames: kind === 'TCPRoute' || kind === 'UDPRoute' ? [] : arr(spec.hostnames).map(String),
    parentRefs: arr(spec.parentRefs).map((r) => readParentRef(r, namespace)),
    rules: rules.map((rule: any) => {
      const filters = arr(rule?.filters);
      const matches = !http ? [] : arr(rule?.matches).length > 0
        ? arr(rule.matches).map(kind === 'GRPCRoute' ? readGrpcMatch : readHttpMatch)
        : [readHttpMatch({})];
      return {
        matches,
        backendRefs: arr(rule?.backendRefs).map((b) => readBackendRef(b, namespace)),
        mirrorBackendRefs: filters.filter((f) => f?.type === 'RequestMirror' && f.requestMirror?.backendRef)
          .map((f) => readBackendRef(f.requestMirror.backendRef, namespace)),
        redirect: kind === 'HTTPRoute' ? readRedirect(filters) : undefined,
      };
    }),
    order,
  };
}

/** A ReferenceGrant, read. */
interface Grant {
  /** Who may refer: group, kind and namespace of the referring object. */
  readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
  /** What may be referred to: group, kind and optionally name, in the grant's namespace. */
  readonly to: readonly { readonly group: string; readonly kind: string; readonly name?: string }[];
}

/** Everything the Gateway API and cert-manager models look up, indexed by `namespace/name` (or name). */
export class AppliedIndex {
  /** Namespace name -> labels as applied (with `kubernetes.io/metadata.name`). */
  public readonly namespaceLabels = new Map<string, Record<string, string>>();
  /** `namespace/name` -> Service. */
  public readonly services = new Map<string, KubeObject>();
  /** `namespace/name` -> Secret. */
  public readonly secrets = new Map<string, KubeObject>();
  /** Name -> GatewayClass. */
  public readonly gatewayClasses = new Map<string, KubeObject>();
  /** `namespace/name` -> Gateway. */
  public readonly gateways = new Map<string, KubeObject>();
  /** `namespace/name` -> ListenerSet. */
  public readonly listenerSets = new Map<string, KubeObject>();
  /** `namespace/name` -> CiliumGatewayClassConfig. */
  public readonly classConfigs = new Map<string, KubeObject>();
  /** `namespace/name` -> ServiceImport (multicluster.x-k8s.io). */
  public readonly serviceImports = new Map<string, KubeObject>();
  /** Every route, in object order. */
  public readonly routes: Route[] = [];
  private readonly grants = new Map<string, Grant[]>();

  constructor(objects: readonly KubeObject[]) {
    objects.forEach((o, i) => {
      const group = groupOf(o.apiVersion);
      const key = `${namespaceOf(o)}/${o.metadata.name}`;
      if (group === '') {
        if (o.kind === 'Namespace') this.namespaceLabels.set(o.metadata.name, appliedNamespaceLabels(o));
        else if (o.kind === 'Service') this.services.set(key, o);
        else if (o.kind === 'Secret') this.secrets.set(key, o);
        return;
      }
      if (group === 'cilium.io' && o.kind === 'CiliumGatewayClassConfig') this.classConfigs.set(key, o);
      if (group === 'multicluster.x-k8s.io' && o.kind === 'ServiceImport') this.serviceImports.set(key, o);
      if (group !== GATEWAY_API_GROUP) return;
      if (o.kind === 'GatewayClass') {this.gatewayClasses.set(o.metadata.name, o);} else if (o.kind === 'Gateway') {this.gateways.set(key, o);} else if (o.kind === 'ListenerSet') {this.listenerSets.set(key, o);} else if (o.kind === 'ReferenceGrant') {
        const grant: Grant = {
          from: arr(o.spec?.from).map((f: any) => ({ group: String(f?.group ?? ''), kind: String(f?.kind ?? ''), namespace: String(f?.namespace ?? '') })),
          to: arr(o.spec?.to).map((t: any) => ({ group: String(t?.group ?? ''), kind: String(t?.kind ?? ''), name: str(t?.name) })),
        };
        appendTo(this.grants, namespaceOf(o), grant);
      } else {
        const route = readRoute(o, i);
        if (route) this.routes.push(route);
      }
    });
  }

  /** Labels of a namespace as applied, or `undefined` when no object creates it. */
  public labelsOfNamespace(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaceLabels.get(name);
  }

  /**
   * Whether an object of `fromKind` in `fromNamespace` may refer to `toKind` `toName` in `toNamespace`: always
   * within one namespace, otherwise only through a ReferenceGrant in the target namespace whose `from` names the
   * group, kind and namespace and whose `to` names the core group, the kind and (if set) the name. The same test
   * as Cilium's `helpers.isReferenceAllowed` (operator/pkg/gateway-api/helpers/referencegrants.go) and the
   * conformance tests HTTPRouteInvalidReferenceGrant and GatewaySecretInvalidReferenceGrant.
   */
  public referenceAllowed(fromGroup: string, fromKind: string, fromNamespace: string, toKind: string, toName: string, toNamespace: string): boolean {
    if (fromNamespace === toNamespace) return true;
    return (this.grants.get(toNamespace) ?? []).some((g) =>
      g.from.some((f) => f.group === fromGroup && f.kind === fromKind && f.namespace === fromNamespace)
      && g.to.some((t) => t.group === '' && t.kind === toKind && (t.name === undefined || t.name === toName)));
  }
}

/** Annotation cert-manager puts on every Secret it issues (the Certificate's name). */
export const CERT_MANAGER_CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';

/** One value of a Secret: `data` (base64, as the API stores it) or `stringData` (plain, merged into `data`). */
function secretValue(secret: KubeObject, key: string): string | undefined {
  const plain = secret.stringData?.[key];
  if (typeof plain === 'string') return plain;
  const encoded = secret.data?.[key];
  return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('latin1') : undefined;
}

/**
 * Whether `text` holds at least one PEM block that Go's `encoding/pem.Decode` accepts: a `-----BEGIN T-----`
 * line, optional `Key: value` headers, a base64 body and the matching `-----END T-----` line.
 */
export function hasPemBlock(text: string): boolean {
  const re = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2].split(/\r?\n/).filter((line) => !line.includes(':')).join('').replace(/\s/g, '');
    if (/^[A-Za-z0-9+/]*={0,2}$/.test(body) && body.length % 4 === 0) return true;
  }
  return false;
}

/**
 * Why a Secret cannot serve TLS, or `undefined` when it can: Cilium's `validateTLSSecret`
 * (operator/pkg/gateway-api/gateway_reconcile.go) wants PEM in `tls.crt` and `tls.key`. A Secret without any
 * data that carries cert-manager's `cert-manager.io/certificate-name` annotation stands for one cert-manager
 * issues (the cert-manager model emits those), so it counts as valid.
 */
export function tlsSecretProblem(secret: KubeObject): string | undefined {
  const empty = Object.keys(secret.data ?? {}).length === 0 && Object.keys(secret.stringData ?? {}).length === 0;
  if (empty && secret.metadata.annotations?.[CERT_MANAGER_CERTIFICATE_NAME_ANNOTATION] !== undefined) return undefined;
  if (!hasPemBlock(secretValue(secret, 'tls.crt') ?? '')) return 'PEM format error in TLS Certificate';
  if (!hasPemBlock(secretValue(secret, 'tls.key') ?? '')) return 'PEM format error in TLS Key';
  return undefined;
}
