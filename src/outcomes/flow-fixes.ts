import { BundlePod, ContainerPort, podName } from './flow-pods';
import { FlowVerdict, formatRuleRef, PolicyPeer, SideVerdict } from '../applied/cilium-policy';
import { KubeObject, objectRef } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';

/**
 * How a denied intended flow is told and fixed: the side that decided, and the construct to change, named by
 * the construct path of the namespaced policies that select the pods (an AppNetworkPolicy, or the policy of a
 * TestWorkload / NginxDemo), or the policy to add when none does.
 */

/** The first side of a verdict that did not let the flow through. */
export function decidingSide(v: FlowVerdict): SideVerdict | undefined {
  return v.hops.flatMap((h) => [h.egress, h.ingress]).find((s) => !s.allowed);
}

/** `observed` of a flow outcome: the verdict, the deciding end and rule, what the client sees. */
export function observedOf(v: FlowVerdict): string {
  if (v.verdict === 'allowed') return `allowed: ${v.reason}`;
  const by = v.by ? ` by ${formatRuleRef(v.by)}` : '';
  return `${v.verdict} at ${v.at}${by} (the client sees ${v.clientSees}): ${v.reason}`;
}

/** `TCP/8080`. */
export function portText(port: ContainerPort): string {
  return `${port.protocol}/${port.port}`;
}

/**
 * The labels to select the pods by in a suggested peer: their own, without the `*.kubernetes.io/` and `cdk8s.io/`
 * ones unless nothing else is left.
 */
export function peerLabels(pod: BundlePod): Record<string, string> {
  return ownLabels(pod.peer.labels);
}

/** A pod's labels as a reader names it: without the `cdk8s.io/` ones, and the `*kubernetes.io/` ones only when nothing else is left. */
export function ownLabels(all: Readonly<Record<string, string>>): Record<string, string> {
  const labels = Object.entries(all).filter(([k]) => !k.startsWith('cdk8s.io/'));
  const own = labels.filter(([k]) => !k.includes('kubernetes.io/'));
  return Object.fromEntries(own.length > 0 ? own : labels);
}

/** The object of a policy reference (`CiliumNetworkPolicy/ns/name`). */
export function policyObject(applied: AppliedPlatform, ref: string): KubeObject | undefined {
  return applied.objects.find((o) => objectRef(o) === ref);
}

/** The construct that wrote an object: its path without the trailing `/Resource` of the library's constructs. */
export function constructPath(applied: AppliedPlatform, o: KubeObject): string {
  return applied.pathOf(o).replace(/\/Resource$/, '');
}

/** The construct paths of the namespaced policies selecting `peer` (either direction), in import order. */
export function ownPolicies(applied: AppliedPlatform, peer: PolicyPeer): string[] {
  const e = applied.policy.enforcement(peer);
  const refs = [...new Set([...e.ingress.policies, ...e.egress.policies])].filter((r) => r.startsWith('CiliumNetworkPolicy/'));
  return refs.flatMap((r) => {
    const o = policyObject(applied, r);
    return o ? [constructPath(applied, o)] : [];
  });
}

function portsProp(port: ContainerPort): string {
  return `[{ port: ${port.port}${port.protocol === 'TCP' ? '' : `, protocol: '${port.protocol}'`} }]`;
}

function peerProp(pod: BundlePod, withPorts?: ContainerPort): string {
  const ports = withPorts ? `, ports: ${portsProp(withPorts)}` : '';
  return `{ namespace: '${pod.peer.namespace}', labels: ${JSON.stringify(peerLabels(pod))}${ports} }`;
}

/**
 * The fix that lets a flow through one side: a new AppNetworkPolicy selecting the pods with the missing peer (it
 * always works: Cilium adds the allows of every policy selecting a pod), or, where the pods already have policies, the
 * peer added to the one of them whose construct takes the prop (an AppNetworkPolicy; for allowFrom also a
 * TestWorkload; a demo's own policy takes neither).
 */
function letThrough(applied: AppliedPlatform, pod: BundlePod, prop: 'egressTo' | 'allowFrom', peer: string, port: ContainerPort): string {
  const ports = prop === 'allowFrom' ? `, ingressPorts: ${portsProp(port)}` : '';
  const policy = `an AppNetworkPolicy { namespace: '${pod.peer.namespace}', appLabels: ${JSON.stringify(peerLabels(pod))}, ${prop}: [${peer}]${ports} }`;
  const own = ownPolicies(applied, pod.peer);
  if (own.length === 0) return `add ${policy}`;
  const takes = prop === 'allowFrom' ? 'an AppNetworkPolicy or a TestWorkload' : 'an AppNetworkPolicy';
  return `add ${policy} (policies add up), or add the peer to ${prop} of ${own.join(' or ')} where that is ${takes}`;
}

/** The fix of a denied flow between two pods of the bundle, by the side that denied it. */
export function flowFix(
  applied: AppliedPlatform, client: BundlePod, server: BundlePod, port: ContainerPort, v: FlowVerdict, intentRule: string,
): string {
  const side = decidingSide(v);
  if (!side) return 'see docs/apply-model.md';
  switch (side.basis) {
    case 'deny-rule':
      return `${formatRuleRef(side.by!)} denies it, and deny rules win over every allow: narrow that deny rule, or drop ${intentRule} if the flow is not wanted`;
    case 'l7-http':
      return `let the requests ${podName(client)} sends through the HTTP rules of ${formatRuleRef(side.by!)} (httpRules of its AppNetworkPolicy)`;
    case 'default-deny':
      if (side.side === 'egress') return `let ${podName(client)} out: ${letThrough(applied, client, 'egressTo', peerProp(server, port), port)}`;
      return `let ${podName(client)} in: ${letThrough(applied, server, 'allowFrom', peerProp(client), port)}`;
    default:
      return `${side.reason}; change the policy that decides (${side.policies.join(', ') || side.enforcer})`;
  }
}

/** The fix of a route backend that does not admit the Gateway's Envoy. */
export function gatewayFix(applied: AppliedPlatform, pod: BundlePod, port: ContainerPort, v: FlowVerdict): string {
  const side = decidingSide(v);
  if (side?.basis === 'deny-rule') {
    return `${formatRuleRef(side.by!)} denies the Gateway's Envoy (entity ingress): narrow that deny rule, or route to another backend`;
  }
  const own = ownPolicies(applied, pod.peer);
  const onboard = `allowFromGateway: true (with ingressPorts covering ${portText(port)})`;
  return own.length > 0
    ? `set ${onboard} on the backend's policy ${own.join(' or ')} (a TestWorkload or NginxDemo takes the allowFromGateway prop itself)`
    : `onboard ${podName(pod)} with ${onboard}: the TestWorkload/NginxDemo prop, or an AppNetworkPolicy selecting it (appLabels ${JSON.stringify(peerLabels(pod))})`;
}
