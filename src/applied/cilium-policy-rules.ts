import {
  entitySelectors, hasKey, hasKeyPrefix, NAMESPACE_LABELS_PREFIX, parsePrefix, POD_NAMESPACE_LABEL, POLICY_CLUSTER_LABEL,
  Prefix, prefixCovers, RawLabelSelector, SourcedRequirement, SourcedSelector, sourcedSelector, splitSource, withRequirements,
} from './cilium-policy-identity';
import { compileDnsSelectors, compileIcmps, compilePortRule, DnsMatcher, L4Entry } from './cilium-policy-ports';
import { KubeObject, labelsOf, objectRef, selectorMatches } from './objects';

/**
 * A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (cilium.io/v2, `spec` and `specs`) as the agent imports it:
 * checked the way `Rule.Sanitize()` checks it (a policy the agent refuses has no effect at all), selectors scoped
 * the way `ParseToCiliumRule` scopes them, `toServices` resolved against the Services, every rule split into one
 * entry per section item as `RulesToPolicyEntries` does.
 *
 * Upstream: `pkg/k8s/apis/cilium.io/v2/cnp_types.go` (`Parse`), `pkg/policy/api/rule_validation.go` (`Sanitize`),
 * `pkg/k8s/apis/cilium.io/utils/utils.go` (namespace and cluster scoping), `pkg/policy/utils/parserules.go`
 * (entries, empty peer lists), `pkg/policy/k8s/service.go` (`toServices`), `Documentation/security/policy/kubernetes.rst`.
 */

/** The section of a policy rule. */
export type PolicySection = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';

/** Which rule of which policy: `CiliumNetworkPolicy/ns/name` `specs[1]` `ingress[0]`. */
export interface PolicyRuleRef {
  /** The policy, `Kind/namespace/name` (`Kind/name` for a clusterwide one). */
  readonly policy: string;
  /** Index in `specs`; absent for the `spec` rule. */
  readonly specIndex?: number;
  /** The section. */
  readonly section: PolicySection;
  /** Index of the rule in its section. */
  readonly rule: number;
}

/** `CiliumNetworkPolicy/demo/web ingress[0]` or `... specs[1].egress[2]`. */
export function formatRuleRef(ref: PolicyRuleRef): string {
  const spec = ref.specIndex === undefined ? '' : `specs[${ref.specIndex}].`;
  return `${ref.policy} ${spec}${ref.section}[${ref.rule}]`;
}

/** One peer selector of a rule, in the form it is matched. */
export type PeerMatcher =
  /** Endpoints, entities, nodes and Services with selectors: a selector over identity labels. */
  | { readonly kind: 'selector'; readonly selector: SourcedSelector }
  /** `fromCIDR`/`toCIDR`/`*CIDRSet`, CIDR groups, Services without selectors: outside addresses in `prefix` but not in `except`. */
  | { readonly kind: 'cidr'; readonly prefix: Prefix; readonly except: readonly Prefix[] }
  /** `toFQDNs`: outside addresses learnt for a matching name. */
  | { readonly kind: 'fqdn'; readonly matcher: DnsMatcher }
  /** A selector whose members are unknown offline (`fromGroups`/`toGroups`: cloud security groups): selects no peer here. */
  | { readonly kind: 'unknown'; readonly what: string };

/** One entry of an imported rule: one item of `ingress`, `egress`, `ingressDeny` or `egressDeny`. */
export interface CompiledRule {
  /** Where the rule was written. */
  readonly ref: PolicyRuleRef;
  /** Ingress (`ingress`/`ingressDeny`) or egress. */
  readonly ingress: boolean;
  /** A deny rule. */
  readonly deny: boolean;
  /** The rule puts its subjects in default deny for its direction (`enableDefaultDeny`, default true). */
  readonly defaultDeny: boolean;
  /** Which endpoints the rule applies to (namespace-scoped for a CNP). */
  readonly subject: SourcedSelector;
  /** The subject is the node (`nodeSelector`, a host policy). */
  readonly node: boolean;
  /** The peers: `null` selects none (an empty list was written), `[]` every peer (no peer field, ports only). */
  readonly peers: readonly PeerMatcher[] | null;
  /**
   * The field that names the peers (`fromEndpoints`, `toServices`, `fromEntities`, ...; the agent refuses a rule
   * combining two). Absent when the rule names none (ports only, or an empty list).
   */
  readonly peerField?: string;
  /** Ports and ICMP types; empty for an L3-only rule. */
  readonly l4: readonly L4Entry[];
  /** No ports and no ICMP types: every port and protocol of the peers. */
  readonly l3Only: boolean;
  /** `authentication.mode` when set. */
  readonly authMode?: string;
}

/** A policy as imported, or the reason the agent refuses it. */
export type CompiledPolicy =
  /** Imported: its rules, and the fields that have no effect. */
  | { readonly policy: string; readonly rules: readonly CompiledRule[]; readonly ignored: readonly string[] }
  /** Refused by the agent, with its reason. */
  | { readonly policy: string; readonly rejected: string };

/** The agent settings and cluster objects that change how policies import. */
export interface CompileContext {
  /** `cluster.name`. */
  readonly clusterName: string;
  /** `clustermesh.policyDefaultLocalCluster`: peer selectors without a cluster label select this cluster only. */
  readonly policyDefaultLocalCluster: boolean;
  /** `l7Proxy`: without it every L7 rule is refused. */
  readonly l7Proxy: boolean;
  /** `nodeSelectorLabels`: without it `fromNodes`/`toNodes` are refused. */
  readonly nodeSelectorLabels: boolean;
  /** `enableNonDefaultDenyPolicies`: without it `enableDefaultDeny: false` is ignored. */
  readonly enableNonDefaultDenyPolicies: boolean;
  /** The agent knows the `cluster-mesh` entity (Cilium 1.20+). */
  readonly clusterMeshEntity: boolean;
  /** The objects policies refer to (for `toServices` and `cidrGroupRef`), see {@link indexReferencedObjects}. */
  readonly referenced: ReferencedObjects;
}

/** The objects policies refer to, indexed once per engine. */
export interface ReferencedObjects {
  /** Services (`v1`). */
  readonly services: readonly KubeObject[];
  /** CiliumCIDRGroups. */
  readonly cidrGroups: readonly KubeObject[];
  /** Backend addresses of Services without a selector, by `namespace/name` (EndpointSlices and Endpoints). */
  readonly backends: ReadonlyMap<string, readonly string[]>;
}

/** Indexes the Services, EndpointSlices, Endpoints and CiliumCIDRGroups among `objects` (one pass). */
export function indexReferencedObjects(objects: readonly KubeObject[]): ReferencedObjects {
  const services: KubeObject[] = [];
  const cidrGroups: KubeObject[] = [];
  const backends = new Map<string, string[]>();
  const add = (namespace: string | undefined, name: string | undefined, ips: readonly string[]) => {
    const key = `${namespace ?? 'default'}/${name}`;
    backends.set(key, [...(backends.get(key) ?? []), ...ips]);
  };
  for (const o of objects) {
    if (o.kind === 'Service' && o.apiVersion === 'v1') services.push(o);
    else if (o.kind === 'CiliumCIDRGroup' && /^cilium\.io\//.test(o.apiVersion)) cidrGroups.push(o);
    else if (o.kind === 'EndpointSlice') add(o.metadata.namespace, labelsOf(o)['kubernetes.io/service-name'], (o.endpoints ?? []).flatMap((ep: any) => ep.addresses ?? []));
    else if (o.kind === 'Endpoints') add(o.metadata.namespace, o.metadata.name, (o.subsets ?? []).flatMap((ss: any) => (ss.addresses ?? []).map((a: any) => a.ip)));
  }
  return { services, cidrGroups, backends };
}

const POLICY_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** True for a CNP or CCNP of `cilium.io/v2` (the only served version). */
export function isCiliumPolicy(o: KubeObject): boolean {
  return o.apiVersion === 'cilium.io/v2' && POLICY_KINDS.has(o.kind);
}

class Rejection extends Error {}
const reject = (message: string): never => {
  throw new Rejection(message);
};
const ok = <T>(value: T | string): T => (typeof value === 'string' ? reject(value) : value);

const k8s = (key: string, operator: SourcedRequirement['operator'], values: string[] = []): SourcedRequirement => ({ source: 'k8s', key, operator, values });

/**
 * A peer selector scoped as `getEndpointSelector` scopes it: a selector naming a `reserved:` label is left alone;
 * otherwise a CNP's selector without a namespace (or namespace-label) requirement gets its own namespace, a CCNP's
 * gets "has a namespace" (pods only, unless the subject is `reserved:init`), and with `policyDefaultLocalCluster` a
 * selector without a cluster requirement gets this cluster.
 */
function scopedPeerSelector(raw: RawLabelSelector, namespace: string | undefined, matchesInit: boolean, ctx: CompileContext): SourcedSelector {
  const sel = ok(sourcedSelector(raw));
  if (hasKeyPrefix(sel, 'reserved:')) return sel;
  let out = sel;
  if (!hasKey(sel, 'k8s', POD_NAMESPACE_LABEL) && !hasKey(sel, 'any', POD_NAMESPACE_LABEL)) {
    if (namespace === undefined) {
      if (!matchesInit) out = withRequirements(out, k8s(POD_NAMESPACE_LABEL, 'Exists'));
    } else if (!hasKeyPrefix(sel, `k8s:${NAMESPACE_LABELS_PREFIX}`) && !hasKeyPrefix(sel, `any:${NAMESPACE_LABELS_PREFIX}`)) {
      out = withRequirements(out, k8s(POD_NAMESPACE_LABEL, 'In', [namespace]));
    }
  }
  return clusterScoped(out, ctx);
}

function clusterScoped(sel: SourcedSelector, ctx: CompileContext): SourcedSelector {
  if (!ctx.policyDefaultLocalCluster || hasKey(sel, 'k8s', POLICY_CLUSTER_LABEL) || hasKey(sel, 'any', POLICY_CLUSTER_LABEL)) return sel;
  return withRequirements(sel, k8s(POLICY_CLUSTER_LABEL, 'In', [ctx.clusterName]));
}

/** Label selector over plain object labels; keys may carry a source prefix, which is ignored (`labelsMatcher` in `pkg/policy/k8s/service.go`). */
function plainSelectorMatches(raw: RawLabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  const strip = (k: string) => splitSource(k)[1];
  return selectorMatches({
    matchLabels: Object.fromEntries(Object.entries(raw?.matchLabels ?? {}).map(([k, v]) => [strip(k), v])),
    matchExpressions: (raw?.matchExpressions ?? []).map((e) => ({ ...e, key: strip(e.key) })),
  }, labels);
}

function cidrMatchers(cidrs: readonly any[] | undefined, sets: readonly any[] | undefined, ctx: CompileContext): PeerMatcher[] {
  const out: PeerMatcher[] = [];
  for (const c of cidrs ?? []) {
    out.push({ kind: 'cidr', prefix: parsePrefix(String(c), true) ?? reject(`unable to parse CIDR "${c}"`), except: [] });
  }
  for (const rule of sets ?? []) {
    const set = [rule?.cidr, rule?.cidrGroupRef, rule?.cidrGroupSelector].filter((x) => x !== undefined && x !== '').length;
    if (set !== 1) reject(set === 0 ? 'one of cidr, cidrGroupRef, or cidrGroupSelector is required' : 'more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set');
    const except = (rule.except ?? []).map((e: string) => parsePrefix(String(e), false) ?? reject(`unable to parse except "${e}"`));
    let texts: string[];
    if (rule.cidr !== undefined) {
      const prefix = parsePrefix(String(rule.cidr), false) ?? reject(`unable to parse CIDRRule "${rule.cidr}"`);
      for (const e of except) if (!prefixCovers(prefix, e)) reject(`allow CIDR prefix ${rule.cidr} does not contain exclude CIDR prefix`);
      texts = [String(rule.cidr)];
    } else {
      // A CiliumCIDRGroup that does not exist (yet) selects nothing.
      const groups = ctx.referenced.cidrGroups.filter((o) => (rule.cidrGroupRef !== undefined
        ? o.metadata.name === rule.cidrGroupRef
        : plainSelectorMatches(rule.cidrGroupSelector, labelsOf(o))));
      texts = groups.flatMap((g) => g.spec?.externalCIDRs ?? []);
      if (texts.length === 0) out.push({ kind: 'unknown', what: `CIDR group ${rule.cidrGroupRef ?? JSON.stringify(rule.cidrGroupSelector)} (none found)` });
    }
    for (const t of texts) {
      const prefix = parsePrefix(String(t), true);
      if (prefix) out.push({ kind: 'cidr', prefix, except });
    }
  }
  return out;
}

/**
 * `toServices` as `processRule` in `pkg/policy/k8s/service.go` resolves it: a Service with a selector becomes a
 * `toEndpoints` selector (`k8s:` keys plus the Service's namespace), one without a selector the addresses of its
 * EndpointSlices (or Endpoints) as `/32`/`/128` CIDRs. An empty `namespace` matches Services of every namespace.
 */
function resolveToServices(services: readonly any[], ctx: CompileContext): { selectors: SourcedSelector[]; cidrs: PeerMatcher[] } {
  const selectors: SourcedSelector[] = [];
  const cidrs: PeerMatcher[] = [];
  for (const ts of services) {
    const ref = ts?.k8sServiceSelector ?? ts?.k8sService;
    const ns = ref?.namespace ?? '';
    for (const svc of ctx.referenced.services) {
      const svcNs = svc.metadata.namespace ?? 'default';
      if (ns !== '' && ns !== svcNs) continue;
      const selected = ts?.k8sServiceSelector
        ? plainSelectorMatches(ts.k8sServiceSelector.selector, labelsOf(svc))
        : svc.metadata.name === ts?.k8sService?.serviceName;
      if (!selected) continue;
      const podSelector: Readonly<Record<string, string>> = svc.spec?.selector ?? {};
      if (Object.keys(podSelector).length > 0) {
        const reqs = Object.entries({ ...podSelector, [POD_NAMESPACE_LABEL]: svcNs }).map(([k, v]) => k8s(k, 'In', [String(v)]));
        selectors.push(clusterScoped({ requirements: reqs }, ctx));
        continue;
      }
      for (const ip of ctx.referenced.backends.get(`${svcNs}/${svc.metadata.name}`) ?? []) {
        const prefix = parsePrefix(ip, true);
        if (prefix) cidrs.push({ kind: 'cidr', prefix, except: [] });
      }
    }
  }
  return { selectors, cidrs };
}

interface SpecContext {
  readonly policy: string;
  readonly namespace: string | undefined;
  readonly specIndex?: number;
  readonly subject: SourcedSelector;
  readonly node: boolean;
  readonly matchesInit: boolean;
  readonly enableDefaultDeny: { readonly ingress?: boolean; readonly egress?: boolean };
}

const INGRESS_PEERS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'];
const EGRESS_PEERS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'];

function compileRule(raw: any, section: PolicySection, index: number, spec: SpecContext, ctx: CompileContext, ignored: string[]): CompiledRule {
  const ingress = section === 'ingress' || section === 'ingressDeny';
  const deny = section.endsWith('Deny');
  const [endpoints, cidr, cidrSet, entities, nodes, groups] = ingress
    ? ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups']
    : ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toNodes', 'toGroups'];
  const members = (ingress ? INGRESS_PEERS : EGRESS_PEERS).filter((k) => !(deny && k === 'toFQDNs') && (raw?.[k]?.length ?? 0) > 0);
  if (members.length > 1) reject(`combining ${members[0]} and ${members[1]} is not supported yet`);
  if ((raw?.[nodes]?.length ?? 0) > 0 && !ctx.nodeSelectorLabels) reject('FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set');
  const at = `${spec.specIndex === undefined ? '' : `specs[${spec.specIndex}].`}${section}[${index}]`;
  for (const field of ['fromRequires', 'toRequires']) if (raw?.[field]?.length) ignored.push(`${at}.${field} (not modelled: Cilium 1.18 still narrows the peers of every rule of the endpoint with it; 1.19 removed it and its CRD refuses it)`);
  if (raw?.[groups]?.length) ignored.push(`${at}.${groups} (cloud security groups are unknown offline: they select no peer here)`);

  // Peers (`mergeEndpointSelectors`): an empty list that was written selects nobody.
  const written = [endpoints, nodes, entities, cidr, cidrSet];
  let peers: PeerMatcher[] | null = [];
  if (written.some((k) => Array.isArray(raw?.[k]) && raw[k].length === 0)) {
    peers = null;
  } else {
    for (const s of raw?.[endpoints] ?? []) peers.push({ kind: 'selector', selector: scopedPeerSelector(s, spec.namespace, spec.matchesInit, ctx) });
    for (const s of raw?.[nodes] ?? []) {
      const sel = withRequirements(ok(sourcedSelector(s)), { source: 'reserved', key: 'remote-node', operator: 'Exists', values: [] });
      peers.push({ kind: 'selector', selector: clusterScoped(sel, ctx) });
    }
    for (const e of raw?.[entities] ?? []) {
      const known = e !== 'cluster-mesh' || ctx.clusterMeshEntity;
      const selectors = (known ? entitySelectors(String(e), ctx.clusterName) : undefined) ?? reject(`unsupported entity: ${e}`);
      peers.push(...selectors.map((selector): PeerMatcher => ({ kind: 'selector', selector })));
    }
    peers.push(...cidrMatchers(raw?.[cidr], raw?.[cidrSet], ctx));
    for (const g of raw?.[groups] ?? []) peers.push({ kind: 'unknown', what: JSON.stringify(g) });
    if (!ingress && !deny) {
      for (const matcher of ok(compileDnsSelectors(raw?.toFQDNs ?? []))) peers.push({ kind: 'fqdn', matcher });
      const services = resolveToServices(raw?.toServices ?? [], ctx);
      peers.push(...services.selectors.map((selector): PeerMatcher => ({ kind: 'selector', selector })), ...services.cidrs);
    }
  }

  // Ports and ICMP types.
  const toPorts: any[] = raw?.toPorts ?? [];
  const icmps: any[] = raw?.icmps ?? [];
  if (icmps.length > 0 && toPorts.length > 0) reject('the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts');
  const l4: L4Entry[] = [];
  for (const pr of toPorts) l4.push(...ok(compilePortRule(pr, { ingress, deny })));
  l4.push(...ok(compileIcmps(icmps)));
  const l7 = l4.some((e) => e.kind === 'port' && (e.http || e.dns));
  if (l7 && !ctx.l7Proxy) reject('L7 policy is not supported since L7 proxy is not enabled');
  if (l7 && spec.node && ingress) reject('L7 policy is not supported on host ingress yet');
  if (spec.node && !ingress && l4.some((e) => e.kind === 'port' && e.http)) reject('L7 protocol HTTP is not supported on host egress yet');

  const direction = ingress ? 'ingress' : 'egress';
  return {
    ref: { policy: spec.policy, ...(spec.specIndex === undefined ? {} : { specIndex: spec.specIndex }), section, rule: index },
    ingress,
    deny,
    defaultDeny: ctx.enableNonDefaultDenyPolicies ? (spec.enableDefaultDeny[direction] ?? true) : true,
    subject: spec.subject,
    node: spec.node,
    peers,
    ...(members.length > 0 && peers !== null ? { peerField: members[0] } : {}),
    l4,
    l3Only: toPorts.length + icmps.length === 0,
    ...(raw?.authentication?.mode ? { authMode: String(raw.authentication.mode) } : {}),
  };
}

/** Imports one policy object. A refusal names the agent's reason; the policy then has no effect. */
export function compilePolicy(obj: KubeObject, ctx: CompileContext): CompiledPolicy {
  const policy = objectRef(obj);
  const namespace = obj.kind === 'CiliumNetworkPolicy' ? (obj.metadata.namespace ?? 'default') : undefined;
  const ignored: string[] = [];
  try {
    if (!obj.spec && !obj.specs) reject('CiliumNetworkPolicy must have spec or specs');
    const specs: [any, number | undefined][] = [
      ...(obj.spec ? [[obj.spec, undefined] as [any, undefined]] : []),
      ...((obj.specs ?? []) as any[]).map((s, i): [any, number] => [s, i]),
    ];
    const rules: CompiledRule[] = [];
    for (const [spec, specIndex] of specs) {
      const sections: PolicySection[] = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];
      if (sections.every((s) => !(spec?.[s]?.length))) reject('rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny');
      if (!spec.endpointSelector && !spec.nodeSelector) reject('rule must have one of EndpointSelector or NodeSelector');
      if (spec.endpointSelector && spec.nodeSelector) reject('rule cannot have both EndpointSelector and NodeSelector');
      if (namespace !== undefined && spec.nodeSelector) reject('Invalid CiliumNetworkPolicy spec: rule cannot have NodeSelector');
      const node = Boolean(spec.nodeSelector);
      let subject = ok(sourcedSelector(node ? spec.nodeSelector : spec.endpointSelector));
      if (namespace !== undefined) {
        // The namespace of a CNP always applies to its endpointSelector (a namespace written there is replaced).
        subject = { requirements: [...subject.requirements.filter((r) => !(r.source === 'k8s' && r.key === POD_NAMESPACE_LABEL)), k8s(POD_NAMESPACE_LABEL, 'In', [namespace])] };
      }
      const ctxSpec: SpecContext = {
        policy,
        namespace,
        specIndex,
        subject,
        node,
        matchesInit: hasKey(subject, 'reserved', 'init'),
        enableDefaultDeny: spec.enableDefaultDeny ?? {},
      };
      for (const section of sections) {
        (spec[section] ?? []).forEach((raw: any, i: number) => rules.push(compileRule(raw, section, i, ctxSpec, ctx, ignored)));
      }
    }
    return { policy, rules, ignored };
  } catch (e) {
    if (e instanceof Rejection) return { policy, rejected: e.message };
    throw e;
  }
}
