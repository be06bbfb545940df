import {
  CiliumPolicySettings, ClientObservation, DenialHow, DirectionEnforcement, FlowVerdict, HopVerdict, PolicyFlow, PolicyImportNote,
  SideBasis, SideVerdict,
} from './cilium-policy-flow';
import {
  describePeer, entityOf, IdentityLabels, identityOf, isPodPeer, PolicyPeer, prefixContains, selects,
} from './cilium-policy-identity';
import { DnsMatcher, dnsMatches, httpRuleAllows, L4Entry, l4EntryMatches, L4Query, PORT_PROTOCOLS, PortEntry } from './cilium-policy-ports';
import { compilePolicy, CompiledRule, formatRuleRef, indexReferencedObjects, isCiliumPolicy, PeerMatcher, PolicyRuleRef } from './cilium-policy-rules';
import { KubeObject } from './objects';

export type { EntityPeer, NamedPort, PodPeer, PolicyPeer, ReservedEntity, WorldPeer } from './cilium-policy-identity';
export { describePeer, entityOf, identityKeepsLabel, isPodPeer, RESERVED_ENTITIES } from './cilium-policy-identity';
export * from './cilium-policy-flow';
export type { FlowProtocol, HttpRequest } from './cilium-policy-ports';
export type { CompiledRule, PeerMatcher, PolicyRuleRef, PolicySection } from './cilium-policy-rules';
export { formatRuleRef } from './cilium-policy-rules';

/**
 * Cilium's policy engine, offline: the verdict Cilium gives a flow under a set of CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy objects (cilium.io/v2, any shape the CRD allows, `spec` and `specs`).
 *
 * How a verdict is reached (`Documentation/security/policy/intro.rst`, `pkg/policy/repository.go`
 * `computePolicyEnforcementAndRules`, `pkg/policy/rule.go`, `pkg/policy/mapstate.go` `lookup`):
 * - a flow passes when the client's egress AND the server's ingress let it through; each side only enforces when
 *   it is an endpoint (a pod of this cluster, Envoy's `ingress` identity, `health`, `init`; the node with
 *   `hostFirewall`) and a rule selects it in that direction (or `policyEnforcementMode: always`);
 * - a rule puts its subjects in default deny for its direction unless `enableDefaultDeny` says false; with only
 *   non-default-deny rules everything not denied passes (a wildcard allow is synthesized);
 * - under ingress default deny the local node (`host`) is allowed in (`allow-localhost`, always in Kubernetes);
 * - deny rules (`ingressDeny`/`egressDeny`) win over every allow (`Documentation/security/policy/deny.rst`);
 * - an allowed port with HTTP rules is handed to Envoy: a request no rule allows gets HTTP 403, not a drop; DNS
 *   rules hand port 53 to the DNS proxy, which answers REFUSED; `toFQDNs` selects addresses only once the DNS
 *   proxy has seen them resolved (`Documentation/security/dns.rst`);
 * - traffic through a Gateway or Ingress is two hops (`Documentation/network/servicemesh/ingress-reference.rst`):
 *   the client to Envoy's `ingress` identity (the client's own egress policy is not applied: `bpf/bpf_lxc.c`
 *   forwards to the L7 load balancer before policy; Envoy enforces the `ingress` identity's ingress policy on the
 *   backend port, cilium/proxy#351), then `ingress` to the backend (`ingress` identity's egress, enforced by Envoy,
 *   and the backend's ingress, which sees the source `ingress`, cilium/proxy#167). Envoy answers a denial with 403.
 *
 * - a pod reaching itself meets no policy (loopback, or the hairpin of its own Service in `bpf/bpf_lxc.c`).
 *
 * A named port is resolved against the destination pod's container ports (egress: per destination identity,
 * `GetEgressNamedPorts` in `pkg/policy/resolve.go`). Not modelled: CiliumEnvoyConfig `listener` redirects, TLS interception
 * contents, Kubernetes NetworkPolicy, `policy-deny-response: icmp` (denials are drops here), reply traffic (flows
 * are connections; conntrack lets replies through).
 */

interface Direction extends DirectionEnforcement {
  readonly rules: readonly CompiledRule[];
  readonly synthesized?: 'default-allow' | 'allow-localhost';
}
interface Subject { readonly ingress: Direction; readonly egress: Direction }

const NOT_ENFORCED: Direction = { enforced: false, defaultDeny: false, rules: [], policies: [] };
const INGRESS: PolicyPeer = 'ingress';

/** A matched allow: a rule (with the L4 entries that matched) or a synthesized default. */
interface Match { readonly rule?: CompiledRule; readonly entries: readonly L4Entry[]; readonly synthesized?: 'default-allow' | 'allow-localhost' }

/**
 * Cilium's policy engine over one cluster's policy objects. Build it once with {@link CiliumPolicyEngine.fromObjects}
 * (it imports every policy and indexes it by namespace), then ask for as many verdicts as needed: each identity's
 * selecting rules are computed once and cached, so a verdict costs the rules that select its two ends.
 */
export class CiliumPolicyEngine {
  /**
   * Imports the CNPs and CCNPs among `objects` (other objects are read only for `toServices` and `cidrGroupRef`:
   * Services, EndpointSlices, Endpoints, CiliumCIDRGroups). A policy the agent would refuse is reported in
   * {@link CiliumPolicyEngine.imports} and has no effect, as in a cluster.
   */
  public static fromObjects(objects: readonly KubeObject[], settings: CiliumPolicySettings = {}): CiliumPolicyEngine {
    return new CiliumPolicyEngine(objects, settings);
  }

  /** Every policy read, with its refusal or ignored parts (in input order). */
  public readonly imports: readonly PolicyImportNote[];
  private readonly clusterwide: CompiledRule[] = [];
  private readonly byNamespace = new Map<string, CompiledRule[]>();
  private readonly subjects = new Map<string, Subject>();
  private readonly opts: Required<Omit<CiliumPolicySettings, 'ciliumMinor'>> & { readonly clusterMeshEntity: boolean };

  private constructor(objects: readonly KubeObject[], options: CiliumPolicySettings) {
    const [major, minor] = (options.ciliumMinor ?? '1.99').split('.').map(Number);
    const atLeast = (m: number) => major > 1 || (major === 1 && minor >= m);
    this.opts = {
      clusterName: options.clusterName ?? 'default',
      policyEnforcementMode: options.policyEnforcementMode ?? 'default',
      allowLocalhost: options.allowLocalhost ?? 'auto',
      policyDefaultLocalCluster: options.policyDefaultLocalCluster ?? atLeast(19),
      clusterMeshEntity: atLeast(20),
      enableNonDefaultDenyPolicies: options.enableNonDefaultDenyPolicies ?? true,
      l7Proxy: options.l7Proxy ?? true,
      hostFirewall: options.hostFirewall ?? false,
      nodeSelectorLabels: options.nodeSelectorLabels ?? false,
      policyCIDRMatchMode: options.policyCIDRMatchMode ?? [],
      mutualAuthentication: options.mutualAuthentication ?? false,
    };
    const ctx = { ...this.opts, referenced: indexReferencedObjects(objects) };
    const imports: PolicyImportNote[] = [];
    for (const o of objects) {
      if (!isCiliumPolicy(o)) continue;
      const compiled = compilePolicy(o, ctx);
      if ('rejected' in compiled) {
        imports.push({ policy: compiled.policy, rejected: compiled.rejected, ignored: [] });
        continue;
      }
      imports.push({ policy: compiled.policy, ignored: compiled.ignored });
      const target = o.kind === 'CiliumNetworkPolicy' ? this.namespaceRules(o.metadata.namespace ?? 'default') : this.clusterwide;
      target.push(...compiled.rules);
    }
    this.imports = imports;
  }

  /** The policies the agent refuses, with its reason. */
  public get rejected(): readonly { readonly policy: string; readonly reason: string }[] {
    return this.imports.filter((i) => i.rejected !== undefined).map((i) => ({ policy: i.policy, reason: i.rejected! }));
  }

  /** Whether policy is enforced on `peer` per direction, whether it is in default deny, and the policies selecting it. */
  public enforcement(peer: PolicyPeer): { readonly ingress: DirectionEnforcement; readonly egress: DirectionEnforcement } {
    const s = this.subject(peer);
    const view = (d: Direction): DirectionEnforcement => ({ enforced: d.enforced, defaultDeny: d.defaultDeny, policies: d.policies });
    return { ingress: view(s.ingress), egress: view(s.egress) };
  }

  /**
   * The imported rules whose subject is `peer`, per direction (allow and deny rules, in import order), as its
   * verdicts use them; empty in a direction where policy is not enforced on `peer` (see {@link enforcement}).
   */
  public rulesOf(peer: PolicyPeer): { readonly ingress: readonly CompiledRule[]; readonly egress: readonly CompiledRule[] } {
    const s = this.subject(peer);
    return { ingress: s.ingress.rules, egress: s.egress.rules };
  }

  /**
   * Whether one of a rule's label-selector peers (endpoints, entities, nodes, Services with a selector) selects
   * `peer`, with the rule's namespace and cluster scoping. CIDR, FQDN and group peers are not considered.
   */
  public ruleSelects(rule: CompiledRule, peer: PolicyPeer): boolean {
    if (rule.peers === null) return false;
    const id = identityOf(peer, this.opts);
    return rule.peers.some((p) => p.kind === 'selector' && selects(p.selector, id));
  }

  /** True when the flow passes end to end (`verdict(flow).verdict === 'allowed'`). */
  public allows(flow: PolicyFlow): boolean {
    return this.verdict(flow).verdict === 'allowed';
  }

  /** The verdict for one flow (see the class comment for the semantics). */
  public verdict(flow: PolicyFlow): FlowVerdict {
    const protocol = flow.protocol ?? 'TCP';
    if (protocol === 'ANY') {
      const each = PORT_PROTOCOLS.map((p) => this.verdict({ ...flow, protocol: p }));
      return each.find((v) => v.verdict !== 'allowed') ?? each[0];
    }
    if (PORT_PROTOCOLS.includes(protocol) && (flow.port === undefined || !Number.isInteger(flow.port) || flow.port < 1 || flow.port > 65535)) {
      throw new Error(`a ${protocol} flow from ${describePeer(flow.from)} to ${describePeer(flow.to)} needs a port (1-65535), got ${flow.port}`);
    }
    const hops = flow.viaIngress
      ? [this.hop(flow, flow.from, INGRESS, true), this.hop(flow, INGRESS, flow.to, false)]
      : [this.hop(flow, flow.from, flow.to, entityOf(flow.to) === 'ingress')];
    for (const [i, hop] of hops.entries()) {
      for (const side of [hop.egress, hop.ingress]) {
        if (side.allowed) continue;
        // Envoy terminates the client's connection: a drop it enforces closes it, a drop behind it becomes a 503.
        const atEnvoy = side.enforcer === describePeer(INGRESS);
        const behindEnvoy = i > 0 && !atEnvoy;
        let clientSees: ClientObservation = side.how === 'drop' ? 'timeout' : side.how!;
        if (side.how === 'drop' && atEnvoy) clientSees = 'reset';
        if (side.how === 'drop' && behindEnvoy) clientSees = flow.http ? 'http-503' : 'reset';
        return {
          verdict: side.side === 'egress' ? 'denied-egress' : 'denied-ingress',
          how: side.how,
          at: side.enforcer,
          ...(side.by ? { by: side.by } : {}),
          clientSees,
          reason: side.reason,
          hops,
        };
      }
    }
    const route = hops.length > 1 ? ` through ${describePeer(INGRESS)}` : '';
    return { verdict: 'allowed', clientSees: 'response', reason: `${describePeer(flow.from)} reaches ${describePeer(flow.to)}${route}`, hops };
  }

  private namespaceRules(namespace: string): CompiledRule[] {
    let rules = this.byNamespace.get(namespace);
    if (!rules) this.byNamespace.set(namespace, rules = []);
    return rules;
  }

  /** Is `peer` an endpoint of this cluster, whose own policy this engine enforces? */
  private isLocalEndpoint(peer: PolicyPeer): boolean {
    if (isPodPeer(peer)) return (peer.cluster ?? this.opts.clusterName) === this.opts.clusterName;
    const entity = entityOf(peer);
    return entity === 'ingress' || entity === 'health' || entity === 'init' || (entity === 'host' && this.opts.hostFirewall);
  }

  private subject(peer: PolicyPeer): Subject {
    if (!this.isLocalEndpoint(peer) || this.opts.policyEnforcementMode === 'never') return { ingress: NOT_ENFORCED, egress: NOT_ENFORCED };
    const id = identityOf(peer, this.opts);
    const key = `${isPodPeer(peer) ? 'pod' : entityOf(peer)}|${id.key()}`;
    const cached = this.subjects.get(key);
    if (cached) return cached;
    const isHost = entityOf(peer) === 'host';
    const init = id.lookup('reserved', 'init') !== undefined;
    const namespace = id.lookup('k8s', 'io.kubernetes.pod.namespace');
    const candidates = [...this.clusterwide, ...(namespace !== undefined ? this.byNamespace.get(namespace) ?? [] : [])];
    const selecting = candidates.filter((r) => r.node === isHost && selects(r.subject, id));
    const always = this.opts.policyEnforcementMode === 'always' || init;
    const direction = (ingress: boolean): Direction => {
      const rules = selecting.filter((r) => r.ingress === ingress);
      const defaultDeny = always || rules.some((r) => r.defaultDeny);
      let synthesized: Direction['synthesized'];
      if (rules.length > 0 && !defaultDeny) synthesized = 'default-allow';
      else if (rules.length > 0 && ingress && this.opts.allowLocalhost !== 'policy' && !isHost) synthesized = 'allow-localhost';
      const policies = [...new Set(rules.map((r) => r.ref.policy))];
      return { enforced: always || rules.length > 0, defaultDeny, rules, synthesized, policies };
    };
    const subject = { ingress: direction(true), egress: direction(false) };
    this.subjects.set(key, subject);
    return subject;
  }

  private hop(flow: PolicyFlow, from: PolicyPeer, to: PolicyPeer, toL7LoadBalancer: boolean): HopVerdict {
    if (samePod(from, to)) {
      // A pod reaching itself (loopback, or its own Service: bpf_lxc.c skips policy for hairpin flows).
      const side = (s: 'egress' | 'ingress'): SideVerdict => ({
        side: s,
        enforcer: describePeer(from),
        enforced: false,
        defaultDeny: false,
        allowed: true,
        basis: 'same-pod',
        policies: [],
        reason: `${describePeer(from)} reaches itself without policy (loopback or hairpin)`,
      });
      return { from: describePeer(from), to: describePeer(to), egress: side('egress'), ingress: side('ingress') };
    }
    const egress: SideVerdict = toL7LoadBalancer && this.isLocalEndpoint(from)
      ? {
        side: 'egress',
        enforcer: describePeer(from),
        enforced: false,
        defaultDeny: false,
        allowed: true,
        basis: 'l7lb-handoff',
        policies: [],
        reason: `traffic to a Gateway/Ingress address is handed to Envoy before ${describePeer(from)}'s egress policy is applied`,
      }
      : this.side(flow, 'egress', from, to);
    return { from: describePeer(from), to: describePeer(to), egress, ingress: this.side(flow, 'ingress', to, from) };
  }

  /** One side: `subject`'s `side` policy against `remote`. */
  private side(flow: PolicyFlow, side: 'egress' | 'ingress', subjectPeer: PolicyPeer, remote: PolicyPeer): SideVerdict {
    const enforcer = describePeer(subjectPeer);
    const d = this.subject(subjectPeer)[side];
    const envoy = entityOf(subjectPeer) === 'ingress';
    const base = { side, enforcer, enforced: d.enforced, defaultDeny: d.defaultDeny, policies: d.policies };
    const what = `${side} ${side === 'egress' ? 'to' : 'from'} ${describePeer(remote)} on ${flowL4(flow)}`;
    if (!d.enforced) {
      const why = this.isLocalEndpoint(subjectPeer) ? 'no policy selects it in this direction' : 'it is not an endpoint whose policy this cluster enforces';
      return { ...base, allowed: true, basis: 'not-enforced', reason: `${enforcer} does not restrict ${side}: ${why}` };
    }
    const drop = (basis: SideBasis, reason: string, by?: PolicyRuleRef, how: DenialHow = 'drop'): SideVerdict => ({
      ...base, allowed: false, basis, how: how === 'drop' && envoy && flow.http ? 'http-403' : how, ...(by ? { by } : {}), reason,
    });
    const remoteId = identityOf(remote, this.opts);
    const q = this.l4Query(flow, side === 'ingress' ? subjectPeer : remote);
    const notLearnt: string[] = [];
    const denies: Match[] = [];
    const allows: Match[] = [];
    for (const rule of d.rules) {
      const m = this.ruleMatches(rule, remote, remoteId, q, side === 'egress' ? subjectPeer : undefined, notLearnt);
      if (m) (rule.deny ? denies : allows).push(m);
    }
    if (d.synthesized === 'default-allow' || (d.synthesized === 'allow-localhost' && remoteId.lookup('reserved', 'host') !== undefined)) {
      allows.push({ entries: [], synthesized: d.synthesized });
    }
    if (denies.length > 0) {
      const by = denies[0].rule!.ref;
      return drop('deny-rule', `${formatRuleRef(by)} denies ${what} (deny rules win over allows)`, by);
    }
    if (allows.length === 0) {
      const learn = notLearnt.length ? `; ${notLearnt[0]}` : '';
      return drop('default-deny', `${enforcer} is in ${side} default deny (${d.policies.join(', ')}) and no rule allows ${what}${learn}`);
    }
    return this.layer7(flow, allows, base, what, drop);
  }

  private layer7(
    flow: PolicyFlow, allows: readonly Match[], base: Omit<SideVerdict, 'allowed' | 'basis' | 'reason'>, what: string,
    drop: (basis: SideBasis, reason: string, by?: PolicyRuleRef, how?: DenialHow) => SideVerdict,
  ): SideVerdict {
    const ports = (m: Match) => m.entries.filter((e): e is PortEntry => e.kind === 'port');
    const firstWith = (has: (e: PortEntry) => boolean) => allows.find((m) => ports(m).some(has))?.rule?.ref;
    const auth = allows.find((m) => m.rule?.authMode === 'required' || m.rule?.authMode === 'test-always-fail');
    if (auth && (auth.rule!.authMode !== 'required' || !this.opts.mutualAuthentication)) {
      return drop('authentication', `${formatRuleRef(auth.rule!.ref)} requires mutual authentication, which ${auth.rule!.authMode === 'required' ? 'is not enabled' : 'always fails'}`, auth.rule!.ref);
    }
    // Envoy (HTTP): port-specific and wildcard-port rules are consulted; a matching rule without HTTP rules allows every request.
    const http = firstWith((e) => e.http !== undefined);
    if (http) {
      const req = flow.http;
      const allowsRequest = (e: PortEntry) => !e.http || e.http.some((r) => (req ? httpRuleAllows(r, req) : r.allowsAll));
      const pass = allows.some((m) => m.entries.length === 0 || ports(m).some(allowsRequest));
      if (!pass) {
        const request = req ? `${req.method} ${req.path}` : 'a request (none given)';
        return drop('l7-http', `${formatRuleRef(http)} has HTTP rules; none allows ${request} (${what}): Envoy answers 403`, http, 'http-403');
      }
    }
    // The DNS proxy: only rules on the DNS port itself count (not L3-only or port-0 rules).
    const dns = firstWith((e) => e.dns !== undefined);
    if (dns) {
      const name = flow.dns;
      const allowsName = (r: DnsMatcher) => (name !== undefined ? dnsMatches(r, name) : r.allowsAll);
      const allowsLookup = (e: PortEntry) => !e.wildcardPort && (!e.dns || e.dns.some(allowsName));
      const pass = allows.some((m) => ports(m).some(allowsLookup));
      if (!pass) {
        return drop('l7-dns', `${formatRuleRef(dns)} has DNS rules; none allows the lookup of ${name ?? 'a name (none given)'}: the DNS proxy answers REFUSED`, dns, 'dns-refused');
      }
    }
    const sni = firstWith((e) => e.serverNames !== undefined);
    if (sni) {
      const allowsSni = (e: PortEntry) => !e.serverNames || (flow.sni !== undefined && e.serverNames.includes(flow.sni));
      const pass = allows.some((m) => m.entries.length === 0 || ports(m).some(allowsSni));
      if (!pass) return drop('server-name', `${formatRuleRef(sni)} allows only the TLS server names it lists, not ${flow.sni ?? '(none given)'}`, sni);
    }
    const chosen = allows.find((m) => m.rule) ?? allows[0];
    if (!chosen.rule) {
      const why = chosen.synthesized === 'allow-localhost'
        ? 'the local node may always reach its endpoints (allow-localhost)'
        : `only policies with enableDefaultDeny: false select ${base.enforcer} (${base.policies.join(', ')})`;
      return { ...base, allowed: true, basis: chosen.synthesized!, reason: `${what}: allowed, ${why}` };
    }
    return { ...base, allowed: true, basis: 'allow-rule', by: chosen.rule.ref, reason: `${formatRuleRef(chosen.rule.ref)} allows ${what}` };
  }

  private l4Query(flow: PolicyFlow, destination: PolicyPeer): L4Query {
    const protocol = (flow.protocol ?? 'TCP') as L4Query['protocol'];
    return {
      protocol,
      port: flow.port ?? 0,
      icmpType: flow.icmpType ?? (protocol === 'ICMPv6' ? 128 : 8),
      namedPorts: isPodPeer(destination) ? destination.namedPorts ?? [] : [],
    };
  }

  /** The match of one rule against the remote peer and the flow's L4, or undefined. */
  private ruleMatches(
    rule: CompiledRule, remote: PolicyPeer, remoteId: IdentityLabels, q: L4Query, client: PolicyPeer | undefined, notLearnt: string[],
  ): Match | undefined {
    if (rule.peers === null) return undefined;
    if (rule.l3Only && rule.peers.length === 0) return undefined;
    if (rule.peers.length > 0 && !rule.peers.some((p) => this.peerMatches(p, remote, remoteId, client, notLearnt))) return undefined;
    if (rule.l3Only) return { rule, entries: [] };
    const entries = rule.l4.filter((e) => l4EntryMatches(e, q));
    return entries.length ? { rule, entries } : undefined;
  }

  private peerMatches(p: PeerMatcher, remote: PolicyPeer, remoteId: IdentityLabels, client: PolicyPeer | undefined, notLearnt: string[]): boolean {
    switch (p.kind) {
      case 'selector': return selects(p.selector, remoteId);
      case 'unknown': return false;
      case 'cidr': {
        // CIDR selectors select outside addresses (and node addresses with `policyCIDRMatchMode: [nodes]`), never pods.
        const world = remoteId.lookup('reserved', 'world') !== undefined;
        const node = remoteId.lookup('reserved', 'host') !== undefined || remoteId.lookup('reserved', 'remote-node') !== undefined;
        if (!world && !(node && this.opts.policyCIDRMatchMode.includes('nodes'))) return false;
        const ip = typeof remote === 'object' && 'ip' in remote ? remote.ip : undefined;
        if (ip === undefined) return p.prefix.length === 0 && p.except.length === 0;
        return prefixContains(p.prefix, ip) && !p.except.some((e) => prefixContains(e, ip));
      }
      case 'fqdn': {
        const fqdn = typeof remote === 'object' && !isPodPeer(remote) && 'fqdn' in remote ? remote.fqdn : undefined;
        if (client === undefined || fqdn === undefined || !dnsMatches(p.matcher, fqdn)) return false;
        if (this.learns(client, fqdn)) return true;
        notLearnt.push(`toFQDNs ${p.matcher.text} matches ${fqdn}, but no DNS rule of ${describePeer(client)} lets Cilium's DNS proxy see that lookup, so its addresses are never learnt`);
        return false;
      }
    }
  }

  /** Does the client's DNS proxy see (and allow) the lookup of `name`? Only then does `toFQDNs` learn its addresses. */
  private learns(client: PolicyPeer, name: string): boolean {
    return this.subject(client).egress.rules.some((r) => !r.deny && r.l4.some((e) => e.kind === 'port' && e.dns?.some((m) => dnsMatches(m, name))));
  }
}

/** The same named pod at both ends. */
function samePod(a: PolicyPeer, b: PolicyPeer): boolean {
  return isPodPeer(a) && isPodPeer(b) && a.name !== undefined && a.name === b.name && a.namespace === b.namespace && a.cluster === b.cluster;
}

function flowL4(flow: PolicyFlow): string {
  const protocol = flow.protocol ?? 'TCP';
  if (protocol === 'ICMP' || protocol === 'ICMPv6') return `${protocol} type ${flow.icmpType ?? (protocol === 'ICMP' ? 8 : 128)}`;
  return PORT_PROTOCOLS.includes(protocol) ? `${protocol}/${flow.port}` : protocol;
}
