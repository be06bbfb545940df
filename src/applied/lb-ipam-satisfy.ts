import { IpAddress, compareIp, formatIp, ipInRange, isV4Mapped, parseIp } from './lb-ipam-addresses';
import { Family, PendingIndex, UnorderedPass, familyOf, genericCertain, specificCertain } from './lb-ipam-certainty';
import { LbIpamCondition, LbPool, LbRange, SharingCluster, poolSelects, rangeDisabled } from './lb-ipam-pools';
import { Responsibility, ServiceView, sharingIncompatibility } from './lb-ipam-services';

/**
 * What LB-IPAM does for one Service (`operator/pkg/lbipam/lbipam.go`: `stripInvalidAllocations`,
 * `stripOrImportIngresses`, `satisfyService` with `satisfySpecificIPRequests` and `satisfyGenericIPRequests`,
 * `allocateIPAddress`, `findRangeOfIP`, the sharing index of `sharing_cluster.go`), and the condition it writes.
 * Private to ./lb-ipam-controller.ts, which decides when each step runs.
 */

/** Operator settings the model needs, already resolved (./lb-ipam.ts reads them from Helm values). */
export interface ControllerSettings {
  readonly enabled: boolean;
  readonly responsibility: Responsibility;
  readonly families: { readonly ipv4: boolean; readonly ipv6: boolean };
  readonly protocolDifferentiation: boolean;
  readonly allowFirstLastIPsDefault: 'Yes' | 'No';
}

/** One address a Service holds, and the range it came from (upstream `ServiceViewIP`). */
export interface Allocation {
  readonly ip: IpAddress;
  readonly range: LbRange<SvcState>;
  /** This Service holds this address in every order. */
  exact: boolean;
}

/** One Service as the operator tracks it (upstream `ServiceView` plus the status it writes). */
export interface SvcState {
  view: ServiceView;
  ingress: string[];
  condition: LbIpamCondition | null;
  allocated: Allocation[];
  /** The current failure condition (if any) is the same in every order. */
  failureExact: boolean;
  readonly notes: Set<string>;
}

/** What the per-Service steps need from the controller. */
export interface SatisfyContext {
  readonly settings: ControllerSettings;
  /** Told when allocations, sharing clusters or their members change. */
  readonly pending: PendingIndex<SvcState>;
  /** The pools in upstream's (stand-in) map order. */
  visitPools(): LbPool<SvcState>[];
  /** The pool is still registered. */
  poolExists(pool: LbPool<SvcState>): boolean;
  /** The unordered pass under way, if any. */
  pass(): UnorderedPass<SvcState> | undefined;
}

/** The per-Service steps of LB-IPAM, and the sharing index they share (upstream `sharingIndex`). */
export class Satisfier {
  private sharingIndex = new Map<string, SharingCluster<SvcState>[]>();
  /** Certainty of the attempts of the current `satisfyService` call (successes and failures alike). */
  private attempt = { certain: true, failed: false };

  constructor(private readonly ctx: SatisfyContext) {}

  /** Forgets every sharing cluster (operator restart). */
  reset(): void {
    this.sharingIndex = new Map();
  }

  /** Releases every address of a deleted Service (`handleDeletedService`): the last member of a cluster frees it. */
  releaseAll(sv: SvcState): void {
    for (const a of sv.allocated) {
      const got = a.range.alloc.get(a.ip.value);
      const cluster = got.value;
      if (!got.found || !cluster) continue;
      const i = cluster.services.indexOf(sv);
      if (i >= 0) cluster.services.splice(i, 1);
      this.bumpCluster(cluster, sv);
      if (cluster.services.length === 0) {
        this.free(a.range, a.ip);
        if (sv.view.sharingKey !== '') this.removeFromIndex(sv.view.sharingKey, cluster);
      }
    }
  }

  /**
   * Upstream `isSatisfied`: every requested address is in the status, or (without requests) one address per requested
   * family.
   */
  isSatisfied(sv: SvcState): boolean {
    const ingress = sv.ingress.map((t) => ({ text: t, ip: parseIp(t) }));
    if (sv.view.requestedIps.length > 0) {
      return sv.view.requestedIps.every((r) => ingress.some((i) => i.ip !== undefined && compareIp(i.ip, r) === 0));
    }
    // net.ParseIP(x).To4() == nil counts as IPv6: unparsable text, and IPv4-mapped IPv6 counts as IPv4.
    const isV4 = (i: { ip: IpAddress | undefined }) => i.ip !== undefined && (i.ip.bits === 32 || isV4Mapped(i.ip));
    const hasV4 = ingress.some(isV4);
    const hasV6 = ingress.some((i) => !isV4(i));
    return !((sv.view.families.ipv4 && !hasV4) || (sv.view.families.ipv6 && !hasV6));
  }

  private setCondition(sv: SvcState, satisfied: boolean, reason: string, message: string, exact: boolean): void {
    sv.condition = { status: satisfied ? 'True' : 'False', reason, message };
    if (satisfied) sv.failureExact = true;
    else this.attempted(exact);
  }

  private attempted(certain: boolean, failed = true): void {
    this.attempt.certain &&= certain;
    this.attempt.failed ||= failed;
  }

  private releaseAllocation(sv: SvcState, index: number): void {
    const a = sv.allocated[index];
    const cluster = a.range.alloc.get(a.ip.value).value;
    if (cluster) {
      const i = cluster.services.indexOf(sv);
      if (i >= 0) {
        cluster.services.splice(i, 1);
        this.bumpCluster(cluster, sv);
        // Upstream frees the address but leaves the cluster in the sharing index (stripInvalidAllocations).
        if (cluster.services.length === 0) this.free(a.range, a.ip);
      }
    }
    sv.allocated.splice(index, 1);
  }

  /**
   * Drops what the Service may no longer hold (`stripInvalidAllocations`): its pool is gone or no longer selects it, a
   * member of its sharing cluster became incompatible, the address is no longer requested, or its family no longer is.
   */
  stripInvalidAllocations(sv: SvcState): void {
    for (let i = sv.allocated.length - 1; i >= 0; i--) {
      const a = sv.allocated[i];
      const pool = a.range.pool;
      if (!this.ctx.poolExists(pool) || !poolSelects(pool, sv.view.labels)) {
        this.releaseAllocation(sv, i);
        continue;
      }
      const cluster = a.range.alloc.get(a.ip.value).value;
      if (cluster && cluster.services.some((o) => o !== sv && sharingIncompatibility(o.view, sv.view, this.ctx.settings.protocolDifferentiation))) {
        this.releaseAllocation(sv, i);
        continue;
      }
      if (sv.view.requestedIps.length > 0) {
        if (!sv.view.requestedIps.some((r) => compareIp(r, a.ip) === 0)) this.releaseAllocation(sv, i);
      } else if (!(familyOf(a.ip) === 'IPv6' ? sv.view.families.ipv6 : sv.view.families.ipv4)) {
        this.releaseAllocation(sv, i);
      }
    }
  }

  /**
   * Keeps the status addresses the Service still holds and adopts the others where it may (`stripOrImportIngresses`):
   * requested (when it requests), of a requested family, free, in an enabled range of a pool that selects it.
   */
  stripOrImportIngresses(sv: SvcState): void {
    const kept: string[] = [];
    for (const text of sv.ingress) {
      const ip = text === '' ? undefined : parseIp(text);
      if (!ip) continue;
      if (!sv.allocated.some((a) => compareIp(a.ip, ip) === 0)) {
        if (sv.view.requestedIps.length > 0 && !sv.view.requestedIps.some((r) => compareIp(r, ip) === 0)) continue;
        if (!(familyOf(ip) === 'IPv6' ? sv.view.families.ipv6 : sv.view.families.ipv4)) continue;
        const found = this.findRangeOfIp(sv, ip);
        if (!found.range) continue;
        const exact = specificCertain(sv, ip, found.range, this.ctx.pass()) && found.exact;
        const cluster: SharingCluster<SvcState> = { ip, range: found.range, services: [sv], exact };
        if (found.range.alloc.alloc(ip.value, cluster) !== undefined) continue;
        this.ctx.pending.touchPool(found.range.pool);
        sv.allocated.push({ ip, range: found.range, exact });
        if (sv.view.sharingKey !== '') this.addToIndex(sv.view.sharingKey, cluster);
      }
      kept.push(text);
    }
    sv.ingress = kept.filter((t, i) => i === 0 || kept[i - 1] !== t);
  }

  /**
   * Allocates what the Service lacks (`satisfyService`): its requested addresses, or one address per family (joining a
   * compatible sharing cluster of its key first); adds them to the status and writes the condition.
   */
  satisfyService(sv: SvcState): void {
    // Whether this Service is unsatisfied at this point at all may depend on order: then so does what it gets now.
    const needCertain = sv.failureExact && sv.allocated.every((a) => a.exact);
    this.attempt = { certain: true, failed: false };
    if (sv.view.requestedIps.length > 0) this.satisfySpecific(sv, needCertain);
    else this.satisfyGeneric(sv, needCertain);
    // The condition is the last failure's, and which attempts fail may depend on order: all of them must be certain.
    // What it holds from before may differ in another order too: uncertainty sticks until a certain success.
    if (this.attempt.failed) sv.failureExact = this.attempt.certain && needCertain;
    for (const a of sv.allocated) {
      if (!sv.ingress.some((t) => { const ip = parseIp(t); return ip !== undefined && compareIp(ip, a.ip) === 0; })) sv.ingress.push(formatIp(a.ip));
    }
    if (this.isSatisfied(sv)) this.setCondition(sv, true, 'satisfied', '', true);
  }

  private satisfySpecific(sv: SvcState, needCertain: boolean): void {
    for (const ip of sv.view.requestedIps) {
      if (sv.allocated.some((a) => compareIp(a.ip, ip) === 0)) continue;
      const text = formatIp(ip);
      const found = this.findRangeOfIp(sv, ip);
      if (!found.range) {
        this.setCondition(sv, false, found.poolFound ? 'pool_selector_mismatch' : 'no_pool', found.poolFound
          ? `The pool with the CIDR containing '${text}', doesn't select this service`
          : `No pool exists with a CIDR containing '${text}'`, found.exact);
        continue;
      }
      const range = found.range;
      const held = range.alloc.get(ip.value);
      const certain = needCertain && found.exact && specificCertain(sv, ip, range, this.ctx.pass());
      if (held.found) {
        const cluster = held.value;
        if (sv.view.sharingKey === '') {
          this.setCondition(sv, false, 'already_allocated', `The IP '${text}' is already allocated to another service`, certain);
          continue;
        }
        if (!cluster) {
          // Upstream calls IsCompatible on the nil cluster of a held-back address and the operator panics.
          sv.notes.add(`requests held-back address ${text} with a sharing key: Cilium's operator dereferences a nil sharing cluster here (lbipam.go satisfySpecificIPRequests) and crashes`);
          this.attempted(certain);
          continue;
        }
        const reason = cluster.services.filter((o) => o !== sv)
          .map((o) => sharingIncompatibility(o.view, sv.view, this.ctx.settings.protocolDifferentiation)).find((r) => r);
        if (reason) {
          this.setCondition(sv, false, 'already_allocated_incompatible_service',
            `The IP '${text}' is already allocated to an incompatible service. Reason: ${reason}`, certain);
          continue;
        }
        cluster.services.push(sv);
        this.bumpCluster(cluster, sv);
        sv.allocated.push({ ip, range, exact: certain && cluster.exact });
        this.attempted(certain && cluster.exact, false);
        continue;
      }
      const cluster: SharingCluster<SvcState> = { ip, range, services: [sv], exact: certain };
      if (range.alloc.alloc(ip.value, cluster) !== undefined) continue;
      this.ctx.pending.touchPool(range.pool);
      if (sv.view.sharingKey !== '') this.addToIndex(sv.view.sharingKey, cluster);
      sv.allocated.push({ ip, range, exact: certain });
      this.attempted(certain, false);
    }
  }

  private satisfyGeneric(sv: SvcState, needCertain: boolean): void {
    const has = (f: Family) => sv.allocated.some((a) => familyOf(a.ip) === f);
    if (sv.view.families.ipv4 && !has('IPv4')) this.satisfyGenericFamily(sv, 'IPv4', needCertain);
    if (sv.view.families.ipv6 && !has('IPv6')) this.satisfyGenericFamily(sv, 'IPv6', needCertain);
  }

  private satisfyGenericFamily(sv: SvcState, family: Family, needCertain: boolean): void {
    const key = sv.view.sharingKey;
    const pass = this.ctx.pass();
    const contended = !needCertain || (pass?.has(sv) === true && pass.contendsForKey(sv));
    if (key !== '') {
      for (const cluster of this.sharingIndex.get(key) ?? []) {
        if (familyOf(cluster.ip) !== family) continue;
        if (cluster.services.some((o) => o !== sv && sharingIncompatibility(o.view, sv.view, this.ctx.settings.protocolDifferentiation))) continue;
        const range = cluster.range;
        if (!this.ctx.poolExists(range.pool) || !range.pool.ranges.includes(range)) {
          sv.notes.add(`joins sharing key "${key}" on ${formatIp(cluster.ip)}, whose range no longer exists: Cilium drops it at the next revalidation`);
        } else if (!poolSelects(range.pool, sv.view.labels)) {
          sv.notes.add(`shares ${formatIp(cluster.ip)} (sharing key "${key}") from pool ${range.pool.name}, whose serviceSelector does not select this Service: Cilium drops it at the next revalidation (lbipam.go stripInvalidAllocations)`);
        } else if (cluster.services.length === 0) {
          sv.notes.add(`joins a released sharing cluster on ${formatIp(cluster.ip)} (upstream leaves it in the sharing index): the address is free in the allocator and may be handed out again`);
        }
        sv.allocated.push({ ip: cluster.ip, range, exact: cluster.exact && !contended });
        this.attempted(cluster.exact && !contended, false);
        cluster.services.push(sv);
        this.bumpCluster(cluster, sv);
        return;
      }
    }
    const candidates = this.candidateRanges(sv, family);
    const certainty = genericCertain(this.ctx.visitPools(), sv, candidates, family, this.ctx.pass()) && !contended;
    let full = false;
    for (const range of candidates) {
      const cluster: SharingCluster<SvcState> = { ip: range.from, range, services: [sv], exact: certainty };
      const got = range.alloc.allocAny(cluster);
      if (got === 'ErrFull') {
        full = true;
        continue;
      }
      if (typeof got !== 'bigint') continue;
      this.ctx.pending.touchPool(range.pool);
      const ip: IpAddress = { bits: range.from.bits, value: got };
      cluster.ip = ip;
      if (!certainty) for (const p of new Set(candidates.map((r) => r.pool))) p.uncertainGeneric++;
      sv.allocated.push({ ip, range, exact: certainty });
      this.attempted(certainty, false);
      if (key !== '') this.addToIndex(key, cluster);
      return;
    }
    const noPoolCertain = !this.ctx.visitPools().some((p) => p.conflictUncertain && poolSelects(p, sv.view.labels));
    if (full) {
      this.setCondition(sv, false, 'out_of_ips', 'All enabled CiliumLoadBalancerIPPools that match this service ran out of allocatable IPs', certainty);
    } else {
      // With competitors on the same sharing key in this pass, one of them may have offered an address to share first.
      this.setCondition(sv, false, 'no_pool', 'There are no enabled CiliumLoadBalancerIPPools that match this service', noPoolCertain && !contended);
    }
  }

  /** The enabled ranges of the family in pools that select the Service, in visiting order (`allocateIPAddress`). */
  private candidateRanges(sv: SvcState, family: Family): LbRange<SvcState>[] {
    const out: LbRange<SvcState>[] = [];
    for (const pool of this.ctx.visitPools()) {
      if (!poolSelects(pool, sv.view.labels)) continue;
      for (const r of pool.ranges) if (!rangeDisabled(r) && familyOf(r.to) === family) out.push(r);
    }
    return out;
  }

  /** `findRangeOfIP`: the first enabled range containing `ip` whose pool selects the Service. */
  private findRangeOfIp(sv: SvcState, ip: IpAddress): { range?: LbRange<SvcState>; poolFound: boolean; exact: boolean } {
    let poolFound = false;
    let selected: LbRange<SvcState> | undefined;
    let containing = 0;
    let uncertain = false;
    for (const pool of this.ctx.visitPools()) {
      for (const r of pool.ranges) {
        if (!ipInRange(ip, r.from, r.to)) continue;
        if (pool.conflictUncertain) uncertain = true;
        if (rangeDisabled(r)) continue;
        containing++;
        if (selected) continue;
        poolFound = true;
        if (!poolSelects(pool, sv.view.labels)) continue;
        selected = r;
      }
    }
    return selected
      ? { range: selected, poolFound: false, exact: !uncertain && containing === 1 }
      : { poolFound, exact: !uncertain && containing <= 1 };
  }

  /** A sharing cluster gained or lost a member: its pool and the sharing keys involved changed. */
  private bumpCluster(cluster: SharingCluster<SvcState>, sv: SvcState): void {
    this.ctx.pending.touchPool(cluster.range.pool);
    this.ctx.pending.touchKey(sv.view.sharingKey);
    for (const member of cluster.services) this.ctx.pending.touchKey(member.view.sharingKey);
  }

  private addToIndex(key: string, cluster: SharingCluster<SvcState>): void {
    this.ctx.pending.touchKey(key);
    const group = this.sharingIndex.get(key) ?? [];
    group.push(cluster);
    this.sharingIndex.set(key, group);
  }

  private removeFromIndex(key: string, cluster: SharingCluster<SvcState>): void {
    this.ctx.pending.touchKey(key);
    const group = this.sharingIndex.get(key);
    if (!group) return;
    const i = group.indexOf(cluster);
    if (i >= 0) group.splice(i, 1);
    if (group.length === 0) this.sharingIndex.delete(key);
  }

  private free(range: LbRange<SvcState>, ip: IpAddress): void {
    this.ctx.pending.touchPool(range.pool);
    if (range.alloc.free(ip.value) === undefined) range.freed.add(ip.value);
  }
}
