import { SeenService, announcedByL2, l2InUse, l2PolicyMisses, pendingInAnotherOrder, seenServices } from './address-facts';
import { Outcome, OutcomeRule } from './outcome';
import { LbIpamServiceResult, lbIpamSettingsFromHelmValues } from '../applied/lb-ipam';
import { sharingIncompatibility } from '../applied/lb-ipam-services';
import { AppliedPlatform } from '../applied/platform';

/**
 * Intended outcomes of the `addresses` section (issue 18, "LB-IPAM" and "L2 announcements"): every Service of
 * `type: LoadBalancer` that Cilium LB-IPAM serves gets its address, Services with one sharing key share it, and, where
 * L2 announcements are how the kind network reaches addresses, every assigned address is answered (ARP) by a node.
 * Judged on {@link AppliedPlatform.lbIpam} and {@link AppliedPlatform.l2}, which run LB-IPAM and the L2 announcer over
 * every Service of the bundle (whoever wrote it) and the Services Cilium's Gateway controller generates. The
 * clustermesh-apiserver Service comes from the Cilium chart, not the bundle; `mesh-apiserver-unreachable` judges it.
 */

const CROSS_NAMESPACE = 'lbipam.cilium.io/sharing-cross-namespace';
const SHARING_KEY = 'lbipam.cilium.io/sharing-key';

/** The first port of the Service (what `verify.sh` connects to), if it has one. */
function firstPort(svc: SeenService): number | undefined {
  const port = svc.view.ports[0]?.port;
  return port !== undefined && Number.isInteger(port) && port > 0 ? port : undefined;
}

/** How to fix a Service LB-IPAM leaves pending, by the reason of its condition. */
function pendingFix(svc: SeenService, r: LbIpamServiceResult): string {
  const labels = JSON.stringify(svc.view.labels);
  const reason = r.condition?.reason;
  const message = r.condition?.message ?? '';
  if (reason === 'pool_selector_mismatch') {
    return `let the serviceSelector of the pool holding the requested address select the Service (its labels for LB-IPAM: ${labels}), `
      + 'or request (lbipam.cilium.io/ips) an address of a pool that selects it';
  }
  if (reason === 'already_allocated_incompatible_service') {
    if (message.includes('namespace')) {
      return `annotate both Services with ${CROSS_NAMESPACE} naming the other's namespace (or "*"), or request another address`;
    }
    if (message.includes('same port')) return 'give the Services sharing the address different ports (or protocols), or request another address';
    if (message.includes('sharing key')) return `give both Services the same ${SHARING_KEY} annotation (ports must differ), or request another address`;
    return 'give the Services sharing the address the same externalTrafficPolicy (and, with Local, the same pod selector), or request another address';
  }
  if (reason === 'already_allocated') return `request another address, or give both Services the same ${SHARING_KEY} annotation (ports must differ)`;
  if (reason === 'out_of_ips') return 'widen a block of a pool that selects the Service, or add a pool for it (LoadBalancerIpPool)';
  if (reason === 'no_pool' && message.startsWith('No pool exists')) return 'request an address inside an enabled pool, or add a pool (LoadBalancerIpPool) whose blocks hold it';
  if (reason === 'no_pool') {
    return `let a pool select the Service: a serviceSelector matching its labels for LB-IPAM (${labels}; io.kubernetes.service.namespace/name select one Service), `
      + 'or a pool without serviceSelector (LoadBalancerIpPool)';
  }
  if (r.condition === null) return 'add a CiliumLoadBalancerIPPool (LoadBalancerIpPool construct) to the cluster';
  return 'request an address (lbipam.cilium.io/ips) of an enabled pool that selects the Service, and no address another Service holds';
}

function addressOutcome(applied: AppliedPlatform, svc: SeenService, r: LbIpamServiceResult): Outcome {
  const statement = `Service ${svc.key} (type LoadBalancer) gets an address from Cilium LB-IPAM`;
  const port = firstPort(svc);
  const base = { id: 'lb-address-pending', statement, field: svc.field, section: 'addresses' as const, step: 'bundle' };
  if (r.result === 'assigned') {
    const from = `${r.ips.join(', ')} (pool ${r.pools.join(', ') || '?'})`;
    const probe = port !== undefined ? { probe: { kind: 'lb-address' as const, namespace: svc.view.namespace, name: svc.object.metadata.name, ip: r.ips[0], port } } : {};
    if (r.exact) return { ...base, holds: true, observed: from, ...probe };
    const other = pendingInAnotherOrder(applied, svc.key);
    if (!other) return { ...base, holds: true, observed: `${from}; which address it gets depends on the order LB-IPAM handles the Services, every order tried gives one`, ...probe };
    return {
      ...base,
      holds: false,
      observed: `${from} in creation order, pending in another`,
      problem: `whether LB-IPAM assigns Service ${svc.key} an address depends on the order it handles the Services (Go map order): `
        + `in creation order it gets ${from}, but ${other.order} it stays pending ("${other.result.condition?.message ?? 'no condition'}")`,
      fix: 'make the outcome independent of order: give competing Services disjoint pools (serviceSelector), request their addresses (lbipam.cilium.io/ips), or widen the pool',
    };
  }
  const message = r.condition ? `${r.condition.message} (reason ${r.condition.reason})` : r.notes.join('; ');
  return {
    ...base,
    holds: false,
    observed: `pending: ${message}`,
    problem: `LB-IPAM leaves Service ${svc.key} pending${r.ips.length > 0 ? ` with only ${r.ips.join(', ')}` : ''}: "${message}"`
      + `${r.exact ? '' : ' (in creation order; other orders may differ)'}; it gets no address and nothing outside the cluster reaches it`,
    fix: pendingFix(svc, r),
  };
}

/** Services with one sharing key (all assigned) share an address: one outcome per Service after the first. */
function sharingOutcomes(applied: AppliedPlatform, served: readonly [SeenService, LbIpamServiceResult][]): Outcome[] {
  const values = applied.model.ciliumValues as Record<string, any>;
  const protocolDifferentiation = lbIpamSettingsFromHelmValues(values, applied.model.spec.ciliumMinor).protocolDifferentiation !== false;
  const byKey = new Map<string, [SeenService, LbIpamServiceResult][]>();
  for (const entry of served) {
    const key = entry[0].view.sharingKey;
    if (key !== '') byKey.set(key, [...(byKey.get(key) ?? []), entry]);
  }
  const out: Outcome[] = [];
  for (const [key, group] of byKey) {
    // A pending member is reported as pending (lb-address-pending), once.
    if (group.length < 2 || group.some(([, r]) => r.result !== 'assigned')) continue;
    const [[first, firstResult], ...rest] = group;
    for (const [svc, r] of rest) {
      const shared = r.ips.filter((ip) => firstResult.ips.includes(ip));
      const statement = `Service ${svc.key} shares its address with ${first.key} (${SHARING_KEY}: ${key})`;
      const base = { id: 'lb-address-not-shared', statement, field: svc.field, section: 'addresses' as const, step: 'bundle' };
      if (shared.length > 0) {
        out.push({ ...base, holds: true, observed: `both on ${shared.join(', ')}` });
        continue;
      }
      const why = sharingIncompatibility(first.view, svc.view, protocolDifferentiation);
      out.push({
        ...base,
        holds: false,
        observed: `${svc.key} on ${r.ips.join(', ')}, ${first.key} on ${firstResult.ips.join(', ')}`,
        problem: `LB-IPAM gives ${svc.key} ${r.ips.join(', ')} and ${first.key} ${firstResult.ips.join(', ')}: `
          + (why ? `they may not share an address (${why})` : 'the address of the first is in no pool that selects the other'),
        fix: why === 'different and not permitted namespace'
          ? `annotate both Services with ${CROSS_NAMESPACE} naming the other's namespace (or "*")`
          : why === 'same port' ? 'give the Services different ports (or protocols): Services sharing an address may not share a port'
            : why ? 'give the Services the same externalTrafficPolicy (with Local, the same pod selector), or drop the sharing key'
              : 'let one pool select both Services, or drop the sharing key',
      });
    }
  }
  return out;
}

function servedServices(applied: AppliedPlatform): [SeenService, LbIpamServiceResult][] {
  return seenServices(applied).flatMap((svc): [SeenService, LbIpamServiceResult][] => {
    const r = applied.lbIpam.services[svc.key];
    return r && r.result !== 'ignored' ? [[svc, r]] : [];
  });
}

function announcementOutcome(applied: AppliedPlatform, svc: SeenService, r: LbIpamServiceResult): Outcome {
  const a = applied.l2.services[svc.key];
  const statement = `the address of Service ${svc.key} (${r.ips.join(', ')}) is announced (ARP) on the kind network`;
  const base = { id: 'lb-address-not-announced', statement, field: svc.field, section: 'addresses' as const, step: 'bundle' };
  const ipv4 = r.ips.filter((ip) => !ip.includes(':'));
  if (a?.verdict === 'announced' && ipv4.every((ip) => a.ips.includes(ip))) {
    const where = a.candidates.map((c) => `${c.node} (${[...new Set(c.entries.map((e) => e.interface))].join(', ')})`);
    return {
      ...base,
      holds: true,
      observed: `${a.ips.join(', ')} answered by ${a.holder ? `${where[0]}, the only candidate` : `whichever of ${where.join(', ')} holds the lease ${a.lease}`}`,
    };
  }
  const reasons = a === undefined ? ['the L2 announcer has no entry for it'] : a.reasons.length > 0 ? [...a.reasons] : [];
  if (a === undefined || a.policies.length === 0) reasons.push(...l2PolicyMisses(applied, svc));
  const text = reasons.join('; ');
  return {
    ...base,
    holds: false,
    observed: `${a?.verdict ?? 'not-announced'}: ${text}`,
    problem: `the L2 announcer leaves ${r.ips.join(', ')} of Service ${svc.key} ${a?.verdict === 'depends-on-lease' ? 'answered only while some nodes hold its lease' : a?.verdict === 'unknown' ? 'answered or not, depending on where its backends run' : 'unanswered'}`
      + ` (${text}); nothing on the kind network reaches the address`,
    fix: /externalTrafficPolicy Local/.test(text) ? 'use externalTrafficPolicy: Cluster, or pin the backends to the nodes the L2 policy selects'
      : /device|interface/.test(text) ? "let the policy's interfaces match Cilium's devices (e.g. ^eth0$), or omit interfaces"
        : /IPv6/.test(text) ? 'use IPv4 addresses: the L2 announcer answers ARP only'
          : 'let a CiliumL2AnnouncementPolicy (L2AnnouncementPolicy) announce it: a serviceSelector matching the Service (or none), '
            + 'a nodeSelector matching kind nodes (or the default) and loadBalancerIPs: true',
  };
}

/** LB-IPAM: every served LoadBalancer Service gets its address; Services with one sharing key share it. */
const LB_ADDRESSES: OutcomeRule = {
  id: 'lb-addresses',
  emits: ['lb-address-pending', 'lb-address-not-shared'],
  summary: 'every LoadBalancer Service Cilium LB-IPAM serves gets its address (requested or from a pool that selects it) in every order LB-IPAM may handle '
    + 'the Services, as applied (the bundle\'s Services and those the Gateway controller generates); Services with one sharing key share an address',
  defersTo: ['lb-services-exceed-pool', 'lb-address-outside-pool', 'lb-address-requested-twice', 'pools-overlap', 'gateway-needs-pool'],
  outcomes: (applied) => {
    const served = servedServices(applied);
    return [...served.map(([svc, r]) => addressOutcome(applied, svc, r)), ...sharingOutcomes(applied, served)];
  },
};

/** L2 announcements: every assigned address is answered on the kind network, where L2 announcements are in use. */
const LB_ANNOUNCEMENTS: OutcomeRule = {
  id: 'lb-announcements',
  emits: ['lb-address-not-announced'],
  summary: 'where L2 announcements reach the addresses (l2Announcements on or a CiliumL2AnnouncementPolicy exists), every assigned LoadBalancer address '
    + 'is answered on the kind network by whichever selected node holds the lease (policy serviceSelector, nodeSelector, interfaces, externalTrafficPolicy)',
  defersTo: ['l2-needs-l2announcements', 'l2-needs-kube-proxy-replacement', 'l2-announces-nothing', 'l2-interfaces-match-devices', 'l2announcements-need-kpr'],
  outcomes: (applied) => (l2InUse(applied)
    ? servedServices(applied).filter(([svc, r]) => r.result === 'assigned' && announcedByL2(svc.object)).map(([svc, r]) => announcementOutcome(applied, svc, r))
    : []),
};

/** The families of the `addresses` section of `platform.md`, in order: LB-IPAM, then L2 announcements. */
export const ADDRESS_OUTCOME_RULES: readonly OutcomeRule[] = [LB_ADDRESSES, LB_ANNOUNCEMENTS];
