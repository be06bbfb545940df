import { formatIp, parseIp } from './lb-ipam-addresses';
import { L2_ANNOUNCER_CLASS, SERVICE_NAME_LABEL, SERVICE_NAMESPACE_LABEL } from './lb-ipam-services';
import { KubeObject, LabelSelector, labelsOf, namespacedName, selectorMatches } from './objects';
import { compileRe2 } from '../private/re2';

/**
 * Cilium L2 announcements, offline: which Service addresses are answered on the local network (ARP), by which
 * candidate nodes and on which interfaces, or why not. Modelled after the agent's L2 announcer
 * (`pkg/l2announcer/l2announcer.go`: `upsertPolicy`, `upsertSvc`, `desiredEntries`, `svcAndMetaLabels`,
 * `newLeaseLock`), `pkg/k8s/apis/cilium.io/v2alpha1/l2announcement_types.go` and
 * `Documentation/network/l2-announcements.rst`; checked against the `l2Cases` of
 * `../shared/reference/behaviour-cases/lb-ipam.json`.
 *
 * Every agent evaluates the policies against its own node: a policy takes part on a node when its `nodeSelector`
 * (absent: every node) matches the node's labels; on that node its `interfaces` regexes (RE2, unanchored, as Go's
 * `regexp.MatchString`; none given: every device) pick from Cilium's devices. A Service is selected on the node when a
 * policy there selects it (`serviceSelector` over its labels plus `io.kubernetes.service.namespace`/`.name`; absent:
 * every Service) and the policy announces a kind of address the Service has (`loadBalancerIPs`: the
 * `status.loadBalancer.ingress` addresses; `externalIPs`: `spec.externalIPs`; both default to false). Only Services
 * without a `loadBalancerClass` or with `io.cilium/l2-announcer` count. The nodes that select a Service compete for
 * its lease `<leaseNamespace>/cilium-l2announce-<namespace>-<name>`; only the holder answers, and which node wins is
 * not predictable unless there is one candidate.
 */

/** A node as the L2 announcer on it sees itself. */
export interface L2Node {
  /** The node name (kind: `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`, ...). */
  readonly name: string;
  /** The node's labels as applied (kind's own, kind config `labels`, labels the apply plan sets). */
  readonly labels: Readonly<Record<string, string>>;
  /** Cilium's devices on this node, when they differ from {@link L2Input.devices}. */
  readonly devices?: readonly string[];
}

/** Agent settings that decide whether anything is announced. */
export interface L2Settings {
  /** Helm `l2announcements.enabled`. */
  readonly l2announcementsEnabled: boolean;
  /** Helm `kubeProxyReplacement`: the L2 announcer requires it (l2-announcements.rst, "Requirements"). */
  readonly kubeProxyReplacement: boolean;
  /**
   * The Cilium version (`x.y.z`). From 1.20.2 (upstream cilium/cilium#46399, backported to 1.20 by #48550) a node takes
   * part in the lease of an `externalTrafficPolicy: Local` Service only when it runs one of its backends; before,
   * any selected node may win the lease and drop the traffic (cilium/cilium#27800). No backport to 1.19 or 1.18 is
   * known; they are modelled without the gate.
   */
  readonly ciliumVersion: string;
  /** Where the leases live: the agent's namespace (`K8sNamespace`). @default 'kube-system' */
  readonly leaseNamespace?: string;
}

/** Input of {@link announceL2}. */
export interface L2Input {
  /** CiliumL2AnnouncementPolicies (`cilium.io/v2alpha1`). */
  readonly policies: readonly KubeObject[];
  /** Services with `status.loadBalancer.ingress` as LB-IPAM set it (see lb-ipam.ts `withLoadBalancerStatus`). */
  readonly services: readonly KubeObject[];
  readonly nodes: readonly L2Node[];
  /**
   * Cilium's devices on a node (see {@link ciliumDevices}): on a kind node the agent detects `eth0`, the node's link
   * on the kind docker network.
   */
  readonly devices: readonly string[];
  readonly settings: L2Settings;
  /**
   * For `externalTrafficPolicy: Local` Services, by `namespace/name`: the nodes running a ready backend. Absent entry:
   * unknown, and the verdict says so rather than guess.
   */
  readonly localEndpointNodes?: Readonly<Record<string, readonly string[]>>;
}

/** One address answered on one interface. */
export interface L2Entry {
  readonly ip: string;
  readonly interface: string;
}

/** The L2 fate of one Service. */
export interface L2Announcement {
  /** `namespace/name`. */
  readonly service: string;
  /**
   * `announced`: whichever candidate holds the lease answers for every address in `ips` (and, for
   * `externalTrafficPolicy: Local`, can serve it). `not-announced`: no node answers (see `reasons`).
   * `depends-on-lease`: some candidates would answer (or serve) and others would not. `unknown`: it depends on where
   * the backends run, which the input does not say.
   */
  readonly verdict: 'announced' | 'not-announced' | 'depends-on-lease' | 'unknown';
  /** The addresses the holder answers for (IPv4; union over candidates). */
  readonly ips: readonly string[];
  /** Policies selecting the Service on at least one node, by name. */
  readonly policies: readonly string[];
  /** The nodes competing for the lease, each with what it would answer once holding it. */
  readonly candidates: readonly { readonly node: string; readonly entries: readonly L2Entry[] }[];
  /** The lease holder when it is certain (exactly one candidate). */
  readonly holder?: string;
  /** The lease, `namespace/name`. */
  readonly lease: string;
  /** Why not, or what limits it. */
  readonly reasons: readonly string[];
}

/** A policy that the agents reject, with the status condition type they set (`updatePolicyStatus`). */
export interface L2PolicyError {
  readonly policy: string;
  readonly condition: 'io.cilium/bad-interface-regex';
  readonly message: string;
}

/** Result of {@link announceL2}. */
export interface L2Result {
  /** Every Service that has an LB address or `spec.externalIPs`, by `namespace/name`. */
  readonly services: Readonly<Record<string, L2Announcement>>;
  /** Policies no agent applies. */
  readonly policyErrors: readonly L2PolicyError[];
}

/**
 * Cilium's device list from the Helm `devices` value (a list, or a string of names separated by spaces or commas)
 * against the node's interfaces: unset or empty means auto-detection (`detected`); a name ending in `+` is a prefix
 * (`eth+` matches `eth0`, `eth1`); other names are taken as given. `detected` defaults to a kind node's `eth0`.
 */
export function ciliumDevices(helmDevices: unknown, nodeInterfaces: readonly string[] = ['eth0'], detected: readonly string[] = ['eth0']): string[] {
  const names = Array.isArray(helmDevices) ? helmDevices.map(String)
    : typeof helmDevices === 'string' ? helmDevices.split(/[\s,]+/).filter(Boolean) : [];
  if (names.length === 0) return [...detected];
  const out: string[] = [];
  for (const n of names) {
    const matches = n.endsWith('+') ? nodeInterfaces.filter((i) => i.startsWith(n.slice(0, -1))) : [n];
    for (const m of matches) if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** `x.y.z` from 1.20.2 on, where the L2 announcer requires a local backend for `externalTrafficPolicy: Local`. */
export function l2RequiresLocalBackend(ciliumVersion: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(ciliumVersion);
  if (!m) return false;
  const [major, minor, patch] = m.slice(1).map(Number);
  return major > 1 || minor > 20 || (minor === 20 && patch >= 2);
}

/** The label Cilium puts on the Service it generates for a Gateway (`operator/pkg/model/translation/gateway-api/translator.go`). */
export const GATEWAY_OWNER_LABEL = 'io.cilium.gateway/owning-gateway';

interface PolicyOnNode {
  readonly name: string;
  readonly spec: any;
  readonly devices: readonly string[];
}

/**
 * Which addresses are announced for every Service, by which candidate nodes and on which interfaces, or why not.
 * Pure; linear in Services x policies x nodes (each agent evaluates every policy for every Service, as upstream).
 */
export function announceL2(input: L2Input): L2Result {
  const policyErrors: L2PolicyError[] = [];
  const valid: { name: string; spec: any; regexes: ReturnType<typeof compileRe2>[] }[] = [];
  for (const p of input.policies) {
    const spec = p.spec ?? {};
    const interfaces: string[] = Array.isArray(spec.interfaces) ? spec.interfaces.map(String) : [];
    const regexes = interfaces.map((re) => compileRe2(re));
    const bad = regexes.findIndex((r) => !r.ok);
    if (bad >= 0) {
      const r = regexes[bad];
      policyErrors.push({ policy: p.metadata.name, condition: 'io.cilium/bad-interface-regex', message: r.ok ? '' : r.error });
      continue;
    }
    valid.push({ name: p.metadata.name, spec, regexes });
  }
  // Per node: the policies taking part there and the devices each one picks.
  const perNode = input.nodes.map((node) => {
    const devices = node.devices ?? input.devices;
    const policies: PolicyOnNode[] = [];
    for (const p of valid) {
      const nodeSelector = p.spec.nodeSelector as LabelSelector | undefined | null;
      if (nodeSelector && !selectorMatches(nodeSelector, node.labels)) continue;
      let picked: string[];
      if (p.regexes.length === 0) {
        picked = [...devices];
      } else {
        picked = [];
        for (const r of p.regexes) {
          for (const d of devices) if (r.ok && !picked.includes(d) && r.regex.matcher(d).find()) picked.push(d);
        }
      }
      policies.push({ name: p.name, spec: p.spec, devices: picked });
    }
    return { node, policies };
  });
  const gate = l2RequiresLocalBackend(input.settings.ciliumVersion);
  const leaseNamespace = input.settings.leaseNamespace ?? 'kube-system';
  const services: Record<string, L2Announcement> = {};
  for (const svc of input.services) {
    const spec = svc.spec ?? {};
    const key = namespacedName(svc);
    const lbIps: string[] = (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => String(i?.ip ?? '')).filter((t: string) => t !== '');
    const hasExternal = spec.externalIPs !== undefined && spec.externalIPs !== null;
    if (lbIps.length === 0 && !hasExternal) continue;
    const lease = `${leaseNamespace}/cilium-l2announce-${svc.metadata.namespace ?? 'default'}-${svc.metadata.name}`;
    const reasons: string[] = [];
    const none = (why: string): L2Announcement => ({ service: key, verdict: 'not-announced', ips: [], policies: [], candidates: [], lease, reasons: [why] });
    if (!input.settings.l2announcementsEnabled) {
      services[key] = none('Cilium l2announcements.enabled is off: no agent runs the L2 announcer');
      continue;
    }
    if (!input.settings.kubeProxyReplacement) {
      services[key] = none('L2 announcements require kube-proxy replacement (l2-announcements.rst, Requirements)');
      continue;
    }
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null && spec.loadBalancerClass !== L2_ANNOUNCER_CLASS) {
      services[key] = none(`loadBalancerClass ${spec.loadBalancerClass} is not ${L2_ANNOUNCER_CLASS}: the L2 announcer leaves it alone`);
      continue;
    }
    const labels = { ...labelsOf(svc), [SERVICE_NAMESPACE_LABEL]: svc.metadata.namespace ?? 'default', [SERVICE_NAME_LABEL]: svc.metadata.name };
    const externalIps: string[] = hasExternal && Array.isArray(spec.externalIPs) ? spec.externalIPs.map(String) : [];
    const local = spec.externalTrafficPolicy === 'Local';
    // The Service of a Cilium Gateway has one synthetic backend (192.192.192.192:9999) on no node.
    const gatewayService = Object.prototype.hasOwnProperty.call(labelsOf(svc), GATEWAY_OWNER_LABEL);
    const endpointNodes = input.localEndpointNodes?.[key] ?? (gate && local && gatewayService ? [] : undefined);
    const matchedPolicies = new Set<string>();
    const candidates: { node: string; entries: L2Entry[] }[] = [];
    for (const { node, policies } of perNode) {
      const matching = policies.filter((p) => {
        const selector = p.spec.serviceSelector as LabelSelector | undefined | null;
        if (selector && !selectorMatches(selector, labels)) return false;
        return (p.spec.externalIPs === true && hasExternal) || (p.spec.loadBalancerIPs === true && lbIps.length > 0);
      });
      if (matching.length === 0) continue;
      matching.forEach((p) => matchedPolicies.add(p.name));
      if (gate && local && endpointNodes !== undefined && !endpointNodes.includes(node.name)) continue;
      const entries: L2Entry[] = [];
      for (const p of matching) {
        const ips = [...(p.spec.loadBalancerIPs === true ? lbIps : []), ...(p.spec.externalIPs === true ? externalIps : [])];
        for (const text of ips) {
          const ip = parseIp(text);
          if (!ip) continue;
          for (const iface of p.devices) {
            const entry = { ip: formatIp(ip), interface: iface };
            if (!entries.some((e) => e.ip === entry.ip && e.interface === entry.interface)) entries.push(entry);
          }
        }
      }
      candidates.push({ node: node.name, entries });
    }
    const policies = [...matchedPolicies];
    if (policies.length === 0) {
      services[key] = none('no CiliumL2AnnouncementPolicy selects it on any node (serviceSelector, nodeSelector, or the kinds of address the policy announces: loadBalancerIPs / externalIPs)');
      continue;
    }
    // IPv6 addresses need NDP, which the L2 announcer does not answer (cilium/cilium#28985; l2-announcements.rst, Limitations).
    const v6 = new Set(candidates.flatMap((c) => c.entries.filter((e) => parseIp(e.ip)?.bits === 128).map((e) => e.ip)));
    if (v6.size > 0) reasons.push(`IPv6 addresses ${[...v6].join(', ')} are not answered: the L2 announcer only answers ARP (IPv4)`);
    const answering = candidates.map((c) => ({ node: c.node, entries: c.entries.filter((e) => !v6.has(e.ip)) }));
    const ips = [...new Set(answering.flatMap((c) => c.entries.map((e) => e.ip)))];
    let verdict: L2Announcement['verdict'];
    if (candidates.length === 0) {
      reasons.push(gatewayService
        ? 'externalTrafficPolicy Local on a Gateway Service: its only backend is synthetic and on no node, so from Cilium 1.20.2 no node takes the lease'
        : `externalTrafficPolicy Local and no selected node runs a backend: from Cilium 1.20.2 no node takes the lease (backends on: ${(endpointNodes ?? []).join(', ') || 'none'})`);
      verdict = 'not-announced';
    } else if (answering.every((c) => c.entries.length === 0)) {
      reasons.push('no candidate node has a device matching the policy interfaces (or no address to answer for)');
      verdict = 'not-announced';
    } else if (answering.some((c) => c.entries.length === 0)) {
      reasons.push(`candidates without a matching device hold the lease but answer nothing: ${answering.filter((c) => c.entries.length === 0).map((c) => c.node).join(', ')}`);
      verdict = 'depends-on-lease';
    } else {
      verdict = 'announced';
    }
    if (local && verdict !== 'not-announced') {
      if (gate && endpointNodes === undefined) {
        reasons.push('externalTrafficPolicy Local: only nodes running a backend take the lease (Cilium >= 1.20.2), and where the backends run is not given');
        verdict = 'unknown';
      } else if (!gate) {
        const serving = endpointNodes === undefined ? undefined : candidates.filter((c) => endpointNodes.includes(c.node));
        if (serving === undefined) {
          reasons.push('externalTrafficPolicy Local: the lease holder may run no backend and then drops the traffic (cilium/cilium#27800); where the backends run is not given');
          verdict = 'unknown';
        } else if (serving.length === 0) {
          reasons.push('externalTrafficPolicy Local: no candidate runs a backend, so the holder answers ARP and drops the traffic (cilium/cilium#27800)');
          verdict = 'not-announced';
        } else if (serving.length < candidates.length) {
          reasons.push(`externalTrafficPolicy Local: traffic is dropped when the lease goes to a node without a backend (cilium/cilium#27800): ${candidates.filter((c) => !endpointNodes!.includes(c.node)).map((c) => c.node).join(', ')}`);
          verdict = 'depends-on-lease';
        }
      }
    }
    services[key] = {
      service: key,
      verdict,
      ips,
      policies,
      candidates: answering,
      ...(candidates.length === 1 ? { holder: candidates[0].node } : {}),
      lease,
      reasons,
    };
  }
  return { services, policyErrors };
}
