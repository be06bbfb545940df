import { BundlePod, ContainerPort, sameWorkload } from './flow-pods';
import { requestAllowedBy, requestDeniedBy } from './flow-requests';
import { CiliumPolicyEngine, CompiledRule, HttpRequest } from '../applied/cilium-policy';
import { PortEntry } from '../applied/cilium-policy-ports';

/**
 * The flows a bundle's Cilium policies intend, read from the policy objects whoever wrote them (issue 18):
 * - `pass`: an allow rule of a server's ingress whose `fromEndpoints` selects pods of the bundle, on each of the
 *   rule's ports (the server's container ports when it names none), with a request its HTTP rules let through;
 *   likewise an allow rule of a client's egress whose `toEndpoints` (or `toServices`) selects pods of the bundle;
 * - `l7-deny`: next to each such flow on a port with HTTP rules, a request none of them lets through (Envoy's
 *   403), also for the Gateway's Envoy (`ingress` entity) when the rule admits it;
 * - `deny`: an `ingressDeny`/`egressDeny` rule selecting pods of the bundle (a drop).
 * A workload reaching its own replicas is left out (a selector as broad as `org: empire` also selects the server).
 * Which end must let a flow through, and what counts as a refusal, is decided in `./flows.ts`.
 */

/** What a rule intends for a flow. */
export type FlowIntentKind = 'pass' | 'l7-deny' | 'deny';

/** One intended flow: from a client (pods of the bundle, or the Gateway's Envoy) to the pods of a server. */
export interface FlowIntent {
  readonly kind: FlowIntentKind;
  /** The rule that states it. */
  readonly rule: CompiledRule;
  /** Where the rule is: the server's ingress or the client's egress. */
  readonly side: 'ingress' | 'egress';
  /** The client: pods of the bundle, or Cilium's Envoy (`ingress`, for `l7-deny` only). */
  readonly client: BundlePod | 'ingress';
  /** The server's pods. */
  readonly server: BundlePod;
  /** The destination port (a container port of the server when it declares any). */
  readonly port: ContainerPort;
  /** `pass`: a request the rule's HTTP rules let through; `l7-deny`: one none of them does. */
  readonly http?: HttpRequest;
}

const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** A port of a rule, resolved against the server's container ports, with the rule's entry for it. */
export interface RulePort {
  readonly port: ContainerPort;
  readonly entry?: PortEntry;
}

/**
 * The ports a rule opens (or denies) on the server's pods: its numeric ports, ranges, named ports and port 0
 * resolved against the container ports; the rule's own port when the pods declare none; every container port
 * for a rule without ports. One per protocol and port, first entry wins.
 */
export function rulePorts(rule: CompiledRule, server: BundlePod): RulePort[] {
  const out: RulePort[] = [];
  const seen = new Set<string>();
  const add = (port: ContainerPort, entry?: PortEntry) => {
    const key = `${port.protocol}/${port.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ port, ...(entry ? { entry } : {}) });
  };
  if (rule.l4.length === 0) {
    for (const p of server.ports) add(p);
    return out;
  }
  for (const e of rule.l4) {
    if (e.kind !== 'port') continue;
    for (const protocol of PORT_PROTOCOLS) {
      if (!e.protocols.includes(protocol)) continue;
      for (const p of server.ports) {
        if (p.protocol !== protocol) continue;
        const named = e.name !== undefined ? p.name?.toLowerCase() === e.name : undefined;
        if (e.wildcardPort || named === true || (named === undefined && e.first! <= p.port && p.port <= e.last!)) add(p, e);
      }
    }
    if (server.ports.length === 0 && !e.wildcardPort && e.name === undefined && e.first !== undefined) {
      const protocol = PORT_PROTOCOLS.find((p) => e.protocols.includes(p));
      if (protocol) add({ port: e.first, protocol }, e);
    }
  }
  return out;
}

function intentsOf(rule: CompiledRule, side: 'ingress' | 'egress', clients: readonly (BundlePod | 'ingress')[], server: BundlePod): FlowIntent[] {
  const out: FlowIntent[] = [];
  for (const { port, entry } of rulePorts(rule, server)) {
    for (const client of clients) {
      const base = { rule, side, client, server, port };
      if (rule.deny) {
        if (client !== 'ingress') out.push({ ...base, kind: 'deny' });
        continue;
      }
      if (!entry?.http) {
        if (client !== 'ingress') out.push({ ...base, kind: 'pass' });
        continue;
      }
      const allowed = entry.http.map(requestAllowedBy).find((r) => r !== undefined);
      if (allowed && client !== 'ingress') out.push({ ...base, kind: 'pass', http: allowed });
      const denied = requestDeniedBy(entry.http, allowed);
      if (denied) out.push({ ...base, kind: 'l7-deny', http: denied });
    }
  }
  return out;
}

/** Every flow the policies of the bundle intend between its pods (see the file comment), in a stable order. */
export function flowIntents(engine: CiliumPolicyEngine, pods: readonly BundlePod[]): FlowIntent[] {
  const out: FlowIntent[] = [];
  for (const server of pods) {
    for (const rule of engine.rulesOf(server.peer).ingress) {
      if (rule.node) continue;
      const clients: (BundlePod | 'ingress')[] = rule.peerField === 'fromEndpoints'
        ? pods.filter((c) => !sameWorkload(c, server) && engine.ruleSelects(rule, c.peer))
        : [];
      if (!rule.deny && rule.peerField === 'fromEntities' && engine.ruleSelects(rule, 'ingress')) clients.push('ingress');
      out.push(...intentsOf(rule, 'ingress', clients, server));
    }
  }
  for (const client of pods) {
    for (const rule of engine.rulesOf(client.peer).egress) {
      if (rule.node || (rule.peerField !== 'toEndpoints' && rule.peerField !== 'toServices')) continue;
      for (const server of pods) {
        if (!sameWorkload(client, server) && engine.ruleSelects(rule, server.peer)) out.push(...intentsOf(rule, 'egress', [client], server));
      }
    }
  }
  return dedupe(out);
}

/** One intent per kind, client, server and port (and request, for `l7-deny`): the first rule stating it. */
function dedupe(intents: readonly FlowIntent[]): FlowIntent[] {
  const seen = new Set<string>();
  return intents.filter((i) => {
    const client = i.client === 'ingress' ? 'ingress' : i.client.workload;
    const key = [i.kind, client, i.server.workload, i.port.protocol, i.port.port, i.kind === 'l7-deny' && i.http ? `${i.http.method} ${i.http.path}` : ''].join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
