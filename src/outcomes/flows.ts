import { decidingSide, flowFix, observedOf, policyObject, portText } from './flow-fixes';
import { gatewayBackendOutcomes } from './flow-gateway';
import { FlowIntent, flowIntents, rulePorts } from './flow-intents';
import { bundlePods, BundlePod, podName, probeClient, probeServer } from './flow-pods';
import { describeRequest, requestAllowedBy } from './flow-requests';
import { LiveProbe, Outcome, OutcomeRule } from './outcome';
import { ClientObservation, CompiledRule, describePeer, FlowVerdict, formatRuleRef, HttpRequest, PolicyFlow } from '../applied/cilium-policy';
import { HttpRuleMatcher } from '../applied/cilium-policy-ports';
import { AppliedPlatform } from '../applied/platform';

/**
 * The flows the bundle's Cilium policies intend (issue 18, "Cilium policy"), judged end to end by Cilium's policy
 * engine ({@link AppliedPlatform.policy}: the client's egress AND the server's ingress,
 * `Documentation/security/policy/intro.rst`). The intents are read from the policy objects whoever wrote them
 * (`./flow-intents.ts`), never from construct classes:
 * - `flow-denied`: an allow rule of a server's ingress (`fromEndpoints`) names pods of the bundle, but the flow
 *   does not pass end to end, typically because the client's egress is in default deny (a `ClusterDefaultDeny`)
 *   and nothing lets it out. Symmetrically, an allow rule of a client's egress (`toEndpoints`/`toServices`) to pods
 *   of the bundle must pass the server's ingress, unless the server's own policies list the pods they admit
 *   (`fromEndpoints`): then keeping a client out is the server's decision (the star-wars xwing, which may send to
 *   the deathstar but is not let in), recorded as an intended denial. A server's ingress is its access control;
 *   the reverse (a client's egress listing its destinations) is not read as excusing a denial, since
 *   `ClusterDefaultDeny`'s own DNS rule would then excuse every client.
 * - `flow-not-denied`: a request outside a rule's HTTP rules must get Envoy's 403 (another rule on the same port
 *   without HTTP rules lets every request through: `Documentation/security/policy/layer7.rst`), and a flow an
 *   `ingressDeny`/`egressDeny` rule names must be dropped.
 * - `gateway-backend-denied`: every route backend must admit the Gateway's Envoy (`./flow-gateway.ts`).
 * A flow's replicas reaching each other, HTTP rules this cannot build a request for, and CIDR/FQDN/entity peers
 * give no outcome. Every pod-to-pod outcome carries a `flow` probe for `verify.sh` and `platform.md`'s matrix.
 */

/** What a live probe expects for what the client sees. */
export function expectOf(seen: ClientObservation): 'response' | 'http-403' | 'timeout' {
  if (seen === 'response') return 'response';
  return seen === 'http-403' ? 'http-403' : 'timeout';
}

function flowOf(intent: FlowIntent, http: HttpRequest | undefined): PolicyFlow {
  return {
    from: intent.client === 'ingress' ? 'ingress' : intent.client.peer,
    to: intent.server.peer,
    port: intent.port.port,
    protocol: intent.port.protocol,
    ...(http ? { http } : {}),
  };
}

/** The HTTP rules either end applies to this client, server and port (to build a request both let through). */
function httpRulesBetween(applied: AppliedPlatform, client: BundlePod, server: BundlePod, intent: FlowIntent): HttpRuleMatcher[] {
  const engine = applied.policy;
  const key = portText(intent.port);
  const sides = [
    ...engine.rulesOf(server.peer).ingress.filter((r) => engine.ruleSelects(r, client.peer)),
    ...engine.rulesOf(client.peer).egress.filter((r) => engine.ruleSelects(r, server.peer)),
  ];
  const onPort = (r: CompiledRule) => rulePorts(r, server).filter((p) => portText(p.port) === key);
  return sides.filter((r) => !r.deny).flatMap((r) => onPort(r).flatMap((p) => p.entry?.http ?? []));
}

/** The verdict for a `pass` intent: its own request, else the first request the HTTP rules of either end let through. */
function passVerdict(applied: AppliedPlatform, intent: FlowIntent, client: BundlePod): { v: FlowVerdict; http?: HttpRequest } {
  const v = applied.policy.verdict(flowOf(intent, intent.http));
  if (v.verdict === 'allowed' || intent.http || decidingSide(v)?.basis !== 'l7-http') return { v, ...(intent.http ? { http: intent.http } : {}) };
  for (const rule of httpRulesBetween(applied, client, intent.server, intent)) {
    const http = requestAllowedBy(rule);
    if (!http) continue;
    const w = applied.policy.verdict(flowOf(intent, http));
    if (w.verdict === 'allowed') return { v: w, http };
  }
  return { v };
}

/** The server lists the pods it admits: an allow rule of its ingress with `fromEndpoints`. */
function serverListsClients(applied: AppliedPlatform, server: BundlePod): boolean {
  return applied.policy.rulesOf(server.peer).ingress.some((r) => !r.deny && r.peerField === 'fromEndpoints');
}

function judge(applied: AppliedPlatform, intent: FlowIntent): Outcome {
  const ruleText = formatRuleRef(intent.rule.ref);
  const policy = policyObject(applied, intent.rule.ref.policy);
  const field = policy ? applied.pathOf(policy) : intent.rule.ref.policy;
  const client = intent.client === 'ingress' ? undefined : intent.client;
  const clientText = client ? podName(client) : "the Gateway's Envoy (entity ingress)";
  const on = `${podName(intent.server)} on ${portText(intent.port)}`;
  const probe = (http: HttpRequest | undefined, expect: 'response' | 'http-403' | 'timeout'): { probe?: LiveProbe } => (client ? {
    probe: {
      kind: 'flow',
      from: probeClient(client),
      ...probeServer(intent.server, intent.port, applied.objects),
      port: intent.port.port,
      ...(http ? { http: { method: http.method, path: http.path } } : {}),
      expect,
    },
  } : {});

  if (intent.kind === 'pass') {
    const { v, http } = passVerdict(applied, intent, client!);
    const request = http ? ` (${describeRequest(http)})` : '';
    const side = decidingSide(v);
    const serverDecides = intent.side === 'egress' && side?.basis === 'default-deny' && side.side === 'ingress'
      && side.enforcer === describePeer(intent.server.peer) && serverListsClients(applied, intent.server);
    if (serverDecides) {
      return {
        id: 'flow-denied',
        statement: `${clientText} → ${on}: ${ruleText} lets it out, and ${podName(intent.server)}'s policies admit only the pods they list, which ${clientText} is not`,
        field,
        holds: true,
        observed: observedOf(v),
        section: 'flows',
        ...probe(http, expectOf(v.clientSees)),
      };
    }
    const holds = v.verdict === 'allowed';
    return {
      id: 'flow-denied',
      statement: `${clientText} → ${on}${request} passes end to end, as ${ruleText} allows`,
      field,
      holds,
      observed: observedOf(v),
      ...(holds ? {} : {
        problem: `the flow is ${v.verdict} at ${v.at}${v.by ? ` by ${formatRuleRef(v.by)}` : ''}: ${v.reason}`,
        step: 'bundle',
        fix: flowFix(applied, client!, intent.server, intent.port, v, ruleText),
      }),
      section: 'flows',
      ...probe(http, 'response'),
    };
  }

  const v = applied.policy.verdict(flowOf(intent, intent.http));
  const holds = v.verdict !== 'allowed';
  const request = intent.http ? ` ${describeRequest(intent.http)}` : '';
  const l7 = intent.kind === 'l7-deny';
  return {
    id: 'flow-not-denied',
    statement: l7
      ? `${clientText} → ${on}${request} gets Envoy's 403: it is outside the HTTP rules of ${ruleText}`
      : `${clientText} → ${on} is dropped: ${ruleText} denies it`,
    field,
    holds,
    observed: observedOf(v),
    ...(holds ? {} : {
      problem: l7
        ? `Cilium lets it through (${v.reason}): another rule allowing ${clientText} on ${portText(intent.port)} without HTTP rules lets every request through, so the HTTP rules of ${ruleText} restrict nothing`
        : `Cilium lets it through: ${v.reason}`,
      step: 'bundle',
      fix: !l7 ? 'see docs/apply-model.md' : `give every rule that lets ${clientText} reach ${on} the same HTTP rules (httpRules), or remove the rule without them: on one port Cilium filters requests only when every rule allowing the client there has HTTP rules`,
    }),
    section: 'flows',
    ...probe(intent.http, holds ? expectOf(v.clientSees) : l7 ? 'http-403' : 'timeout'),
  };
}

/** Every intended flow of the cluster as applied: pod to pod, then the route backends. */
export function flowOutcomes(applied: AppliedPlatform): Outcome[] {
  const pods = bundlePods(applied.objects);
  return [
    ...flowIntents(applied.policy, pods).map((intent) => judge(applied, intent)),
    ...gatewayBackendOutcomes(applied, pods),
  ];
}

/** The family of intended flows (see the file comment). */
export const FLOW_OUTCOMES: OutcomeRule = {
  id: 'intended-flows',
  emits: ['flow-denied', 'flow-not-denied', 'gateway-backend-denied'],
  summary: 'the flows the Cilium policies intend pass end to end (both ends let them through), what their HTTP and deny rules deny is denied, and every route backend admits the Gateway\'s Envoy',
  outcomes: flowOutcomes,
};
