import { re2MatchesFully } from '../../src/private/re2';

/**
 * A small evaluator of synthesized Cilium policies (CiliumNetworkPolicy + CiliumClusterwideNetworkPolicy,
 * cilium.io/v2, as `Testing.synth()` returns them) that answers "would Cilium let this flow through?".
 *
 * Semantics implemented (only what this bundle emits):
 * - Endpoints are pods `{ namespace, labels }`; Cilium adds `io.kubernetes.pod.namespace`. Selector keys may
 *   carry a source prefix (`k8s:`, `any:`), which is ignored. matchLabels + matchExpressions
 *   (In, NotIn, Exists, DoesNotExist).
 * - A CNP selects pods of its own namespace only, and its from/toEndpoints selectors are limited to its
 *   namespace unless they name `io.kubernetes.pod.namespace`. A CCNP has no namespace scope.
 * - Default deny per direction: an endpoint is enforced on ingress when a policy selecting it has
 *   `enableDefaultDeny.ingress: true`, or leaves it unset and has ingress rules (same for egress).
 *   `enableDefaultDeny: false` policies only add allowances. Rules of every selecting policy are unioned.
 * - A flow passes when the source's egress allows it (if the source is an enforced endpoint) AND the
 *   destination's ingress allows it (if the destination is an enforced endpoint). Entities are not endpoints
 *   and carry no policy of their own here. Ingress from `host` is always allowed (Cilium's allow-localhost,
 *   which keeps kubelet probes working).
 * - Peers: from/toEndpoints, from/toEntities (`all` matches everything, `cluster` everything but `world`),
 *   toFQDNs (matchName / matchPattern against an `{ fqdn }` peer, which is a `world` address).
 *   A rule with only `toPorts` selects every peer; an empty rule `{}` selects nothing.
 * - toPorts: ports (number, endPort range; protocol TCP/UDP/SCTP/ANY, absent = ANY) and L7 rules:
 *   `rules.http` (method and path are regexes matched against the whole value, like Envoy) and
 *   `rules.dns` (matchName / matchPattern with `*`). When a port has L7 rules, a flow without L7 data only
 *   passes if a rule allows every request (an HTTP rule with neither method nor path, DNS pattern `*`).
 * Not implemented: deny rules, CIDR peers, named ports, headers, nodeSelector/host policies.
 */

/** A pod, as Cilium sees it. */
export interface Endpoint {
  /** Namespace of the pod. */
  readonly namespace: string;
  /** Labels of the pod (without the namespace label, which Cilium adds). */
  readonly labels: Readonly<Record<string, string>>;
}

/** A reserved identity that is not a pod. */
export type Entity = 'world' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'health';

/** An address outside the cluster reached by name (a `world` peer that toFQDNs rules can match). */
export interface FqdnPeer {
  /** The name the client looked up. */
  readonly fqdn: string;
}

/** One side of a flow. */
export type Peer = Endpoint | Entity | FqdnPeer;

/** One connection attempt (or HTTP request / DNS lookup). */
export interface Flow {
  /** Source. */
  readonly from: Peer;
  /** Destination (after Service translation: a pod, never a ClusterIP). */
  readonly to: Peer;
  /** Destination port (the container port for pods). */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** The HTTP request, when the port carries HTTP. */
  readonly http?: { readonly method: string; readonly path: string };
  /** The name looked up, when the flow is a DNS query. */
  readonly dns?: string;
}

/** Outcome for one direction. */
export interface DirectionVerdict {
  /** The endpoint is in default deny for this direction (false for entities and unselected pods). */
  readonly enforced: boolean;
  /** This direction lets the flow pass. */
  readonly allowed: boolean;
  /** Name of the policy whose rule allowed the flow (when enforced and allowed). */
  readonly allowedBy?: string;
}

/** Outcome of a flow. */
export interface Verdict {
  /** Both directions let the flow pass. */
  readonly allowed: boolean;
  /** The source side (its egress policies). */
  readonly egress: DirectionVerdict;
  /** The destination side (its ingress policies). */
  readonly ingress: DirectionVerdict;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface PortProtocol { port: string; endPort?: number; protocol?: string }
interface PortRule {
  ports?: PortProtocol[];
  rules?: { http?: { method?: string; path?: string }[]; dns?: { matchName?: string; matchPattern?: string }[] };
}
interface Rule {
  fromEndpoints?: Selector[];
  fromEntities?: string[];
  toEndpoints?: Selector[];
  toEntities?: string[];
  toFQDNs?: { matchName?: string; matchPattern?: string }[];
  toPorts?: PortRule[];
  [other: string]: unknown;
}
interface PolicySpec {
  endpointSelector?: Selector;
  enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
  ingress?: Rule[];
  egress?: Rule[];
}
/** One rule set of a policy, with where it applies. */
interface LoadedPolicy {
  readonly name: string;
  /** Namespace of a CNP; undefined for a CCNP. */
  readonly namespace?: string;
  readonly spec: PolicySpec;
}

type Direction = 'ingress' | 'egress';
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** True when a peer is a pod. */
export function isEndpoint(peer: Peer): peer is Endpoint {
  return typeof peer === 'object' && 'namespace' in peer;
}

const plainKey = (key: string) => key.replace(/^(k8s|any):/, '');

/** Labels of a pod as Cilium sees them (pod labels + namespace), keys without source prefix. */
function identityLabels(ep: Endpoint): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(ep.labels).map(([k, v]) => [plainKey(k), v])), [NAMESPACE_KEY]: ep.namespace };
}

/** Label-selector semantics (an empty selector selects every pod). */
export function selectorMatches(selector: Selector, ep: Endpoint): boolean {
  const labels = identityLabels(ep);
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[plainKey(k)] === v)
    && (selector.matchExpressions ?? []).every((e) => {
      const value = labels[plainKey(e.key)];
      switch (e.operator) {
        case 'In': return value !== undefined && (e.values ?? []).includes(value);
        case 'NotIn': return value === undefined || !(e.values ?? []).includes(value);
        case 'Exists': return value !== undefined;
        case 'DoesNotExist': return value === undefined;
        default: throw new Error(`unsupported selector operator ${e.operator}`);
      }
    });
}

function namesNamespace(selector: Selector): boolean {
  return Object.keys(selector.matchLabels ?? {}).some((k) => plainKey(k) === NAMESPACE_KEY)
    || (selector.matchExpressions ?? []).some((e) => plainKey(e.key) === NAMESPACE_KEY);
}

/** Does a from/toEndpoints selector of `policy` match `peer`? (CNP selectors are namespace-scoped.) */
function peerSelectorMatches(policy: LoadedPolicy, selector: Selector, peer: Peer): boolean {
  if (!isEndpoint(peer)) return false;
  if (policy.namespace !== undefined && !namesNamespace(selector) && peer.namespace !== policy.namespace) return false;
  return selectorMatches(selector, peer);
}

function entityMatches(entity: string, peer: Peer): boolean {
  const world = !isEndpoint(peer) && (peer === 'world' || typeof peer === 'object');
  switch (entity) {
    case 'all': return true;
    case 'cluster': return !world;
    case 'world': return world;
    default: return peer === entity;
  }
}

const fqdnNorm = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Cilium DNS pattern: `*` alone matches every name, otherwise `*` matches within one label. */
function dnsPatternMatches(pattern: string, name: string): boolean {
  const p = fqdnNorm(pattern);
  if (p === '*') return true;
  const re = p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[-a-z0-9_]*');
  return new RegExp(`^${re}$`).test(fqdnNorm(name));
}

function fqdnMatches(sel: { matchName?: string; matchPattern?: string }, name: string): boolean {
  if (sel.matchName !== undefined) return fqdnNorm(sel.matchName) === fqdnNorm(name);
  return sel.matchPattern !== undefined && dnsPatternMatches(sel.matchPattern, name);
}

/** Does the L3 part of a rule select `peer`? */
function ruleSelectsPeer(policy: LoadedPolicy, rule: Rule, direction: Direction, peer: Peer): boolean {
  const endpoints = direction === 'ingress' ? rule.fromEndpoints : rule.toEndpoints;
  const entities = direction === 'ingress' ? rule.fromEntities : rule.toEntities;
  const fqdns = direction === 'egress' ? rule.toFQDNs : undefined;
  const unsupported = Object.keys(rule).filter((k) => /^(from|to)/.test(k) && !['fromEndpoints', 'fromEntities', 'toEndpoints', 'toEntities', 'toFQDNs', 'toPorts'].includes(k));
  if (unsupported.length > 0) throw new Error(`policy ${policy.name}: the simulator does not support ${unsupported.join(', ')}`);
  if (endpoints === undefined && entities === undefined && fqdns === undefined) {
    return rule.toPorts !== undefined; // ports only: every peer; `{}`: nobody
  }
  return (endpoints ?? []).some((s) => peerSelectorMatches(policy, s, peer))
    || (entities ?? []).some((e) => entityMatches(e, peer))
    || (fqdns ?? []).some((f) => typeof peer === 'object' && 'fqdn' in peer && fqdnMatches(f, peer.fqdn));
}

function portMatches(p: PortProtocol, flow: Flow): boolean {
  const first = Number(p.port);
  if (!Number.isInteger(first)) throw new Error(`named port ${p.port} is not supported by the simulator`);
  const last = p.endPort ?? first;
  const protocol = p.protocol ?? 'ANY';
  return (first === 0 || (first <= flow.port && flow.port <= last)) && (protocol === 'ANY' || protocol === (flow.protocol ?? 'TCP'));
}

/** Envoy matches HTTP method/path rules with RE2, fully: RE2 (re2js) decides, never JavaScript's RegExp. */
const fullMatch = (regex: string, value: string) => re2MatchesFully(regex, value);

function l7Allows(rules: PortRule['rules'], flow: Flow): boolean {
  if (!rules || (rules.http === undefined && rules.dns === undefined)) return true;
  if (rules.http !== undefined) {
    return rules.http.some((r) => flow.http
      ? (r.method === undefined || fullMatch(r.method, flow.http.method)) && (r.path === undefined || fullMatch(r.path, flow.http.path))
      : r.method === undefined && r.path === undefined);
  }
  return (rules.dns ?? []).some((r) => flow.dns !== undefined ? fqdnMatches(r, flow.dns) : r.matchPattern === '*');
}

function rulePortsAllow(rule: Rule, flow: Flow): boolean {
  if (rule.toPorts === undefined || rule.toPorts.length === 0) return true;
  return rule.toPorts.some((pr) => {
    const portOk = pr.ports === undefined || pr.ports.length === 0 || pr.ports.some((p) => portMatches(p, flow));
    return portOk && l7Allows(pr.rules, flow);
  });
}

/** Evaluates flows against a set of synthesized Cilium policies. */
export class PolicySimulator {
  /** Loads every CNP / CCNP (cilium.io/v2, `spec` and `specs`) from synthesized manifests; other objects are ignored. */
  public static fromManifests(manifests: readonly any[]): PolicySimulator {
    const policies: LoadedPolicy[] = [];
    for (const m of manifests) {
      if (m?.apiVersion !== 'cilium.io/v2' || !POLICY_KINDS.includes(m.kind)) continue;
      const namespace = m.kind === 'CiliumNetworkPolicy' ? (m.metadata?.namespace ?? 'default') : undefined;
      for (const spec of [m.spec, ...(m.specs ?? [])].filter(Boolean)) {
        if (spec.nodeSelector) throw new Error(`policy ${m.metadata?.name}: host policies (nodeSelector) are not supported by the simulator`);
        policies.push({ name: m.metadata?.name, namespace, spec });
      }
    }
    return new PolicySimulator(policies);
  }

  private constructor(private readonly policies: readonly LoadedPolicy[]) {}

  /** Is the flow allowed end to end? */
  public allowed(flow: Flow): boolean {
    return this.explain(flow).allowed;
  }

  /** Both halves of the verdict, with the allowing policies. */
  public explain(flow: Flow): Verdict {
    const egress = isEndpoint(flow.from) ? this.direction(flow.from, 'egress', flow.to, flow) : { enforced: false, allowed: true };
    const ingress = !isEndpoint(flow.to)
      ? { enforced: false, allowed: true }
      : flow.from === 'host'
        ? { enforced: this.enforced(flow.to, 'ingress'), allowed: true, allowedBy: 'allow-localhost' }
        : this.direction(flow.to, 'ingress', flow.from, flow);
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }

  /** Is the pod in default deny for `direction`? */
  public enforced(ep: Endpoint, direction: Direction): boolean {
    return this.select(ep).some((p) => {
      const flag = p.spec.enableDefaultDeny?.[direction];
      return flag ?? ((p.spec[direction]?.length ?? 0) > 0);
    });
  }

  private select(ep: Endpoint): LoadedPolicy[] {
    return this.policies.filter((p) => (p.namespace === undefined || p.namespace === ep.namespace)
      && p.spec.endpointSelector !== undefined && selectorMatches(p.spec.endpointSelector, ep));
  }

  private direction(ep: Endpoint, direction: Direction, peer: Peer, flow: Flow): DirectionVerdict {
    if (!this.enforced(ep, direction)) return { enforced: false, allowed: true };
    for (const policy of this.select(ep)) {
      for (const rule of policy.spec[direction] ?? []) {
        if (ruleSelectsPeer(policy, rule, direction, peer) && rulePortsAllow(rule, flow)) {
          return { enforced: true, allowed: true, allowedBy: policy.name };
        }
      }
    }
    return { enforced: true, allowed: false };
  }
}

/** Short text for a peer, for test titles. */
export function describePeer(peer: Peer): string {
  if (typeof peer === 'string') return peer;
  if ('fqdn' in peer) return `world(${peer.fqdn})`;
  const labels = Object.entries(peer.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return `${peer.namespace}/${labels || '*'}`;
}
