import { IpAddress, compareIp, formatIp, ipInRange, isV4Mapped, parseIp } from './lb-ipam-addresses';
import {
  LbIpamCondition, LbPool, LbRange, SharingCluster, hasFirstLastToHold, holdsBackFirstLast, newRange,
  parseBlocks, poolSelects, rangeDisabled, reserveFirstLast, settleConflicts, unmarkPool, updatePoolCounts,
} from './lb-ipam-pools';
import { Responsibility, ServiceView, isResponsible, serviceView, sharingIncompatibility } from './lb-ipam-services';
import { KubeObject, namespacedName } from './objects';

/**
 * The LB-IPAM controller of Cilium's operator as a pure, event-driven model (`operator/pkg/lbipam/lbipam.go`), one
 * method per upstream handler, so a sequence of object changes gives the statuses upstream writes. Private to the
 * applied layer: callers use `simulateLbIpam` / `assignLoadBalancerAddresses` in ./lb-ipam.ts.
 *
 * Where upstream iterates a Go map (pools in `allocateIPAddress`/`findRangeOfIP`; Services in `satisfyServices`,
 * `revalidateAllServices`, `deleteRangeAllocations`) the model iterates in insertion order, and keeps track of whether
 * the outcome could differ in another order (the `exact` flags): a generic address is exact only when one pool could
 * supply it and no earlier order-dependent allocation touched that pool; a requested address is exact unless another
 * Service competing in the same unordered pass requests it too, or an order-dependent allocation could have reached
 * it. "Reached": the allocator only ever hands out the first address of a free block, and every block starts at the
 * range start, right after an address allocated by a request or held back, or at a freed address (the "anchors"), then
 * advances by one per generic allocation. So with `g` order-dependent generic allocations in a pool, an address more
 * than `g - 1` above its nearest anchor cannot have been taken by them in any order.
 */

/** Operator settings the model needs, already resolved (./lb-ipam.ts reads them from Helm values). */
export interface ControllerSettings {
  readonly enabled: boolean;
  readonly responsibility: Responsibility;
  readonly families: { readonly ipv4: boolean; readonly ipv6: boolean };
  readonly protocolDifferentiation: boolean;
  readonly allowFirstLastIPsDefault: 'Yes' | 'No';
}

interface Allocation {
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

type Family = 'IPv4' | 'IPv6';
const familyOf = (ip: IpAddress): Family => (ip.bits === 128 ? 'IPv6' : 'IPv4');

/** Which Services compete in one unordered pass, computed before the pass. */
interface Batch {
  readonly members: Set<SvcState>;
  /** Pools with a free address in an enabled range when the pass started. */
  readonly spaceAtStart: Set<LbPool<SvcState>>;
  readonly touchers: Map<LbPool<SvcState>, Set<SvcState>>;
  readonly genericTouchers: Map<LbPool<SvcState>, Set<SvcState>>;
  readonly ipTouchers: Map<string, Set<SvcState>>;
  readonly keyTouchers: Map<string, Set<SvcState>>;
}

const addTo = <K, V>(m: Map<K, Set<V>>, k: K, v: V) => { const s = m.get(k) ?? new Set<V>(); s.add(v); m.set(k, s); };
const othersIn = <V>(s: Set<V> | undefined, self: V) => (s ? s.size - (s.has(self) ? 1 : 0) : 0);

/** The operator: pools, sharing index, Service store, and the API server's Service objects with their statuses. */
export class LbIpamController {
  /** Pools in insertion order (the stand-in for Go's map order). */
  readonly pools = new Map<string, LbPool<SvcState>>();
  /** Pools upstream refused to register (a block it cannot parse), with the reason. */
  readonly invalidPools = new Map<string, string>();
  private sharingIndex = new Map<string, SharingCluster<SvcState>[]>();
  private satisfied = new Map<string, SvcState>();
  private unsatisfied = new Map<string, SvcState>();
  /** The Service objects as the API server holds them, in creation order. */
  readonly objects = new Map<string, KubeObject>();
  /** The status the operator last wrote, per Service (kept across operator restarts, as the API server keeps it). */
  readonly statuses = new Map<string, { ingress: string[]; condition: LbIpamCondition | null }>();
  /** Every pool name seen, in first-seen order (for results). */
  readonly poolOrder: string[] = [];
  private poolSeq = 0;
  private initialized = false;
  /**
   * What each pending Service's next attempt depends on: the pools that select it or contain an address it requests,
   * and its sharing key. A change there (an allocation, a freed address, a sharing cluster gaining or losing a member)
   * marks the dependent pending Services `dirty`; a change of pools themselves or of a tracked Service's spec marks
   * them all. A catch-up pass re-attempts only dirty Services (the others would get the same outcome again, in any
   * order), which keeps the model linear in the Services when many stay pending.
   */
  private readonly dirty = new Set<SvcState>();
  private readonly poolDependents = new Map<LbPool<SvcState>, Set<SvcState>>();
  private readonly keyDependents = new Map<string, Set<SvcState>>();
  private readonly dependsOn = new Map<SvcState, { pools: LbPool<SvcState>[]; key: string }>();
  /** Position of each pending Service in the (stand-in) map order of the unsatisfied store. */
  private readonly pendingSeq = new Map<SvcState, number>();
  private nextPendingSeq = 0;
  private batch: Batch | undefined;
  /** Certainty of the attempts of the current `satisfyService` call (successes and failures alike). */
  private attempt = { certain: true, failed: false };

  /**
   * @param visitOrder how upstream's Go map iteration orders the pools; the model's stand-in is creation order. Tests
   *   pass other orders to check that outcomes marked exact do not depend on it.
   */
  constructor(private readonly settings: ControllerSettings, private readonly visitOrder: <T>(pools: T[]) => T[] = (pools) => pools) {}

  /** The pools in the order upstream's map iteration visits them (see the constructor). */
  private visitPools(): LbPool<SvcState>[] {
    return this.visitOrder([...this.pools.values()]);
  }

  /** The tracked state of a Service, if LB-IPAM serves it. */
  state(key: string): SvcState | undefined {
    return this.satisfied.get(key) ?? this.unsatisfied.get(key);
  }

  // ---- events -------------------------------------------------------------------------------------------------

  /** LB-IPAM is enabled and serves this Service (`isResponsibleForSVC`), whether or not it is awake yet. */
  serves(svc: KubeObject): boolean {
    return this.settings.enabled && isResponsible(svc, this.settings.responsibility);
  }

  upsertPool(pool: KubeObject): void {
    if (!this.settings.enabled) return;
    this.touchAll();
    if (!this.poolOrder.includes(pool.metadata.name)) this.poolOrder.push(pool.metadata.name);
    const existing = this.pools.get(pool.metadata.name);
    if (existing) {
      if (JSON.stringify(existing.k8s.spec ?? {}) === JSON.stringify(pool.spec ?? {})) return;
      if (!this.handlePoolModified(existing, pool)) return;
    } else if (!this.handleNewPool(pool)) {
      return;
    }
    settleConflicts(this.visitPools());
    this.satisfyAndUpdateCounts();
    this.afterPoolEvent();
  }

  deletePool(name: string): void {
    if (!this.settings.enabled) return;
    this.touchAll();
    this.invalidPools.delete(name);
    const pool = this.pools.get(name);
    if (!pool) return;
    const modified = new Set<SvcState>();
    for (const r of pool.ranges) for (const sv of this.deleteRangeAllocations(r)) modified.add(sv);
    this.pools.delete(name);
    this.reconcileAfterRangeDeletion([...modified]);
    settleConflicts(this.visitPools());
    this.satisfyAndUpdateCounts();
    this.afterPoolEvent();
  }

  upsertService(svc: KubeObject): void {
    const key = namespacedName(svc);
    this.objects.set(key, svc);
    if (this.settings.enabled && this.initialized) {
      this.handleUpsertService(svc);
      this.satisfyAndUpdateCounts();
    }
  }

  deleteService(key: string): void {
    this.objects.delete(key);
    this.statuses.delete(key);
    if (this.settings.enabled && this.initialized) {
      this.handleDeletedService(key);
      this.satisfyAndUpdateCounts();
    }
  }

  /**
   * Upstream `Run`: LB-IPAM waits, dormant, for the first pool; only then does it list the Services (taking each into
   * its store) and revalidate them all in one unordered pass. When the last pool goes it restarts, dormant again.
   */
  private afterPoolEvent(): void {
    if (!this.initialized && this.pools.size > 0) {
      for (const svc of this.objects.values()) {
        if (!isResponsible(svc, this.settings.responsibility)) continue;
        const sv = this.viewFromService(svc);
        this.storeUpsert(sv);
      }
      this.initialized = true;
      this.revalidateAllServices();
      this.updateAllPoolCounts();
    } else if (this.initialized && this.pools.size === 0) {
      this.initialized = false;
      this.sharingIndex = new Map();
      this.satisfied = new Map();
      this.unsatisfied = new Map();
      this.dirty.clear();
      this.poolDependents.clear();
      this.keyDependents.clear();
      this.dependsOn.clear();
    }
  }

  // ---- pools --------------------------------------------------------------------------------------------------

  private handleNewPool(k8s: KubeObject): boolean {
    const blocks = parseBlocks(k8s);
    if (typeof blocks === 'string') {
      this.invalidPools.set(k8s.metadata.name, blocks);
      return false;
    }
    this.invalidPools.delete(k8s.metadata.name);
    const pool: LbPool<SvcState> = {
      name: k8s.metadata.name, seq: this.poolSeq++, k8s, ranges: [], conditions: {}, uncertainGeneric: 0, conflictUncertain: false,
    };
    const holdBack = holdsBackFirstLast(k8s, this.settings.allowFirstLastIPsDefault);
    pool.ranges = blocks.map((b) => newRange(pool, b, holdBack));
    this.pools.set(pool.name, pool);
    unmarkPool(pool);
    return true;
  }

  private handlePoolModified(pool: LbPool<SvcState>, k8s: KubeObject): boolean {
    const def = this.settings.allowFirstLastIPsDefault;
    const changedHoldBack = holdsBackFirstLast(pool.k8s, def) !== holdsBackFirstLast(k8s, def);
    pool.k8s = k8s; // upstream stores the new spec before parsing it
    const blocks = parseBlocks(k8s);
    if (typeof blocks === 'string') {
      this.invalidPools.set(k8s.metadata.name, blocks);
      return false;
    }
    const holdBack = holdsBackFirstLast(k8s, def);
    const same = (r: LbRange<SvcState>, b: { from: IpAddress; to: IpAddress }) => compareIp(r.from, b.from) === 0 && compareIp(r.to, b.to) === 0;
    for (let i = pool.ranges.length - 1; i >= 0; i--) {
      const r = pool.ranges[i];
      const match = blocks.find((b) => same(r, b));
      if (match) {
        if (match.fromCidr && changedHoldBack && hasFirstLastToHold(r)) {
          if (holdBack) reserveFirstLast(r);
          else for (const ip of [r.from.value, r.to.value]) if (r.alloc.free(ip) === undefined) r.freed.add(ip);
        }
        continue;
      }
      pool.ranges.splice(i, 1);
      this.deleteRangeAllocations(r);
    }
    for (const b of blocks) {
      if (!pool.ranges.some((r) => same(r, b))) pool.ranges.push(newRange(pool, b, holdBack));
    }
    for (const r of pool.ranges) r.externallyDisabled = k8s.spec?.disabled === true;
    this.revalidateAllServices();
    return true;
  }

  /** Drops every allocation of a removed range from the Services (`deleteRangeAllocations`); returns those touched. */
  private deleteRangeAllocations(range: LbRange<SvcState>): SvcState[] {
    this.touchAll();
    const touched: SvcState[] = [];
    for (const sv of [...this.unsatisfied.values(), ...this.satisfied.values()]) {
      const before = sv.allocated.length;
      sv.allocated = sv.allocated.filter((a) => a.range !== range);
      if (sv.allocated.length !== before) touched.push(sv);
    }
    return touched;
  }

  private updateAllPoolCounts(): void {
    for (const pool of this.pools.values()) updatePoolCounts(pool);
  }

  // ---- services -----------------------------------------------------------------------------------------------

  private viewFromService(svc: KubeObject): SvcState {
    const key = namespacedName(svc);
    const view = serviceView(svc, this.settings.families);
    const existing = this.state(key);
    const persisted = this.statuses.get(key);
    const objectIngress: string[] = (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => String(i?.ip ?? ''));
    const sv: SvcState = existing ?? { view, ingress: [], condition: null, allocated: [], failureExact: true, notes: new Set() };
    sv.view = view;
    sv.ingress = [...(persisted ? persisted.ingress : objectIngress)];
    sv.condition = persisted ? persisted.condition : null;
    for (const text of view.unparsableRequests) sv.notes.add(`requested address "${text}" is not an IP address: Cilium logs it and ignores it`);
    return sv;
  }

  private handleUpsertService(svc: KubeObject): void {
    const key = namespacedName(svc);
    if (!isResponsible(svc, this.settings.responsibility)) {
      if (!this.state(key)) return;
      this.handleDeletedService(key);
      this.satisfyAndUpdateCounts();
      this.statuses.set(key, { ingress: [], condition: null });
      return;
    }
    if (this.state(key)) this.touchAll(); // a member's spec may change what others may share with it
    const sv = this.viewFromService(svc);
    this.stripInvalidAllocations(sv);
    this.stripOrImportIngresses(sv);
    if (!this.isSatisfied(sv)) this.satisfyService(sv);
    this.persist(sv);
    this.storeUpsert(sv);
    this.registerDependencies(sv);
  }

  private handleDeletedService(key: string): void {
    const sv = this.state(key);
    if (!sv) return;
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
    this.satisfied.delete(key);
    this.unsatisfied.delete(key);
  }

  private storeUpsert(sv: SvcState): void {
    if (this.isSatisfied(sv)) {
      this.unsatisfied.delete(sv.view.key);
      this.satisfied.set(sv.view.key, sv);
    } else {
      this.satisfied.delete(sv.view.key);
      if (this.unsatisfied.get(sv.view.key) !== sv) {
        this.unsatisfied.set(sv.view.key, sv);
        this.pendingSeq.set(sv, this.nextPendingSeq++);
        this.dirty.add(sv);
      }
    }
  }

  private persist(sv: SvcState): void {
    this.statuses.set(sv.view.key, { ingress: [...sv.ingress], condition: sv.condition });
  }

  private isSatisfied(sv: SvcState): boolean {
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

  private stripInvalidAllocations(sv: SvcState): void {
    for (let i = sv.allocated.length - 1; i >= 0; i--) {
      const a = sv.allocated[i];
      const pool = this.pools.get(a.range.pool.name);
      if (!pool || pool !== a.range.pool || !poolSelects(pool, sv.view.labels)) {
        this.releaseAllocation(sv, i);
        continue;
      }
      const cluster = a.range.alloc.get(a.ip.value).value;
      if (cluster && cluster.services.some((o) => o !== sv && sharingIncompatibility(o.view, sv.view, this.settings.protocolDifferentiation))) {
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

  private stripOrImportIngresses(sv: SvcState): void {
    const kept: string[] = [];
    for (const text of sv.ingress) {
      const ip = text === '' ? undefined : parseIp(text);
      if (!ip) continue;
      if (!sv.allocated.some((a) => compareIp(a.ip, ip) === 0)) {
        if (sv.view.requestedIps.length > 0 && !sv.view.requestedIps.some((r) => compareIp(r, ip) === 0)) continue;
        if (!(familyOf(ip) === 'IPv6' ? sv.view.families.ipv6 : sv.view.families.ipv4)) continue;
        const found = this.findRangeOfIp(sv, ip);
        if (!found.range) continue;
        const exact = this.specificCertain(sv, ip, found.range) && found.exact;
        const cluster: SharingCluster<SvcState> = { ip, range: found.range, services: [sv], exact };
        if (found.range.alloc.alloc(ip.value, cluster) !== undefined) continue;
        this.touchPool(found.range.pool);
        sv.allocated.push({ ip, range: found.range, exact });
        if (sv.view.sharingKey !== '') this.addToIndex(sv.view.sharingKey, cluster);
      }
      kept.push(text);
    }
    sv.ingress = kept.filter((t, i) => i === 0 || kept[i - 1] !== t);
  }

  private satisfyService(sv: SvcState): void {
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
    this.storeUpsert(sv);
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
      const certain = needCertain && found.exact && this.specificCertain(sv, ip, range);
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
          .map((o) => sharingIncompatibility(o.view, sv.view, this.settings.protocolDifferentiation)).find((r) => r);
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
      this.touchPool(range.pool);
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
    const contended = !needCertain || (this.batch?.members.has(sv) === true && othersIn(this.batch.keyTouchers.get(key), sv) > 0);
    if (key !== '') {
      for (const cluster of this.sharingIndex.get(key) ?? []) {
        if (familyOf(cluster.ip) !== family) continue;
        if (cluster.services.some((o) => o !== sv && sharingIncompatibility(o.view, sv.view, this.settings.protocolDifferentiation))) continue;
        const range = cluster.range;
        if (!this.pools.has(range.pool.name) || !range.pool.ranges.includes(range)) {
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
    const certainty = this.genericCertain(sv, candidates, family) && !contended;
    let full = false;
    for (const range of candidates) {
      const cluster: SharingCluster<SvcState> = { ip: range.from, range, services: [sv], exact: certainty };
      const got = range.alloc.allocAny(cluster);
      if (got === 'ErrFull') {
        full = true;
        continue;
      }
      if (typeof got !== 'bigint') continue;
      this.touchPool(range.pool);
      const ip: IpAddress = { bits: range.from.bits, value: got };
      cluster.ip = ip;
      if (!certainty) for (const p of new Set(candidates.map((r) => r.pool))) p.uncertainGeneric++;
      sv.allocated.push({ ip, range, exact: certainty });
      this.attempted(certainty, false);
      if (key !== '') this.addToIndex(key, cluster);
      return;
    }
    const noPoolCertain = !this.visitPools().some((p) => p.conflictUncertain && poolSelects(p, sv.view.labels));
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
    for (const pool of this.visitPools()) {
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
    for (const pool of this.visitPools()) {
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

  // ---- unordered passes -----------------------------------------------------------------------------------------

  private satisfyAndUpdateCounts(): void {
    const order = (sv: SvcState) => this.pendingSeq.get(sv) ?? 0;
    const pass = [...this.dirty].filter((sv) => this.unsatisfied.get(sv.view.key) === sv).sort((a, b) => order(a) - order(b));
    this.dirty.clear();
    this.inBatch(pass, 'all', () => {
      for (const sv of pass) {
        this.satisfyService(sv);
        this.persist(sv);
        this.storeUpsert(sv);
        this.registerDependencies(sv);
      }
    });
    this.updateAllPoolCounts();
  }

  /** Records what the next attempt of a pending Service depends on (see `dirty`); a satisfied one depends on nothing. */
  private registerDependencies(sv: SvcState): void {
    const old = this.dependsOn.get(sv);
    if (old) {
      for (const p of old.pools) this.poolDependents.get(p)?.delete(sv);
      this.keyDependents.get(old.key)?.delete(sv);
      this.dependsOn.delete(sv);
    }
    this.dirty.delete(sv);
    if (this.unsatisfied.get(sv.view.key) !== sv) return;
    const pools = this.visitPools().filter((pool) => poolSelects(pool, sv.view.labels)
      || sv.view.requestedIps.some((ip) => pool.ranges.some((r) => ipInRange(ip, r.from, r.to))));
    for (const p of pools) addTo(this.poolDependents, p, sv);
    addTo(this.keyDependents, sv.view.sharingKey, sv);
    this.dependsOn.set(sv, { pools, key: sv.view.sharingKey });
  }

  private touchAll(): void {
    for (const sv of this.unsatisfied.values()) this.dirty.add(sv);
  }

  private touchPool(pool: LbPool<SvcState>): void {
    for (const sv of this.poolDependents.get(pool) ?? []) this.dirty.add(sv);
  }

  private touchKey(key: string): void {
    for (const sv of this.keyDependents.get(key) ?? []) this.dirty.add(sv);
  }

  /** A sharing cluster gained or lost a member: its pool and the sharing keys involved changed. */
  private bumpCluster(cluster: SharingCluster<SvcState>, sv: SvcState): void {
    this.touchPool(cluster.range.pool);
    this.touchKey(sv.view.sharingKey);
    for (const member of cluster.services) this.touchKey(member.view.sharingKey);
  }

  private revalidateAllServices(): void {
    const all = [...this.satisfied.values(), ...this.unsatisfied.values()];
    // First every Service keeps (re-imports) what is still valid, then the unsatisfied ones allocate.
    this.inBatch(all, 'ingress', () => {
      for (const sv of all) {
        this.stripInvalidAllocations(sv);
        this.stripOrImportIngresses(sv);
        this.storeUpsert(sv);
      }
    });
    this.inBatch(all.filter((sv) => !this.isSatisfied(sv)), 'requests', () => {
      for (const sv of all) {
        if (!this.isSatisfied(sv)) this.satisfyService(sv);
        this.persist(sv);
        this.storeUpsert(sv);
        this.registerDependencies(sv);
      }
    });
  }

  private reconcileAfterRangeDeletion(svs: SvcState[]): void {
    this.inBatch(svs, 'all', () => {
      for (const sv of svs) {
        this.stripOrImportIngresses(sv);
        if (!this.isSatisfied(sv)) this.satisfyService(sv);
        this.persist(sv);
        this.storeUpsert(sv);
        this.registerDependencies(sv);
      }
    });
  }

  /**
   * Runs an unordered pass over `svs` (a Go map iteration upstream), noting which Services compete for which pools,
   * addresses and sharing keys: `ingress` counts the addresses they hold, `requests` what they will ask for.
   */
  private inBatch(svs: SvcState[], what: 'ingress' | 'requests' | 'all', run: () => void): void {
    if (svs.length < 2) {
      run();
      this.afterPass(what);
      return;
    }
    const spaceAtStart = new Set(this.visitPools().filter((p) => p.ranges.some((r) => !rangeDisabled(r) && r.alloc.stats().available > 0n)));
    const b: Batch = {
      members: new Set(svs), spaceAtStart, touchers: new Map(), genericTouchers: new Map(), ipTouchers: new Map(), keyTouchers: new Map(),
    };
    const touchIp = (sv: SvcState, ip: IpAddress) => {
      addTo(b.ipTouchers, formatIp(ip), sv);
      for (const pool of this.visitPools()) if (pool.ranges.some((r) => ipInRange(ip, r.from, r.to))) addTo(b.touchers, pool, sv);
    };
    for (const sv of svs) {
      if (what !== 'requests') for (const t of sv.ingress) { const ip = parseIp(t); if (ip) touchIp(sv, ip); }
      if (what === 'ingress') continue;
      if (sv.view.sharingKey !== '') addTo(b.keyTouchers, sv.view.sharingKey, sv);
      if (sv.view.requestedIps.length > 0) {
        for (const ip of sv.view.requestedIps) touchIp(sv, ip);
        continue;
      }
      for (const family of ['IPv4', 'IPv6'] as const) {
        if (!(family === 'IPv4' ? sv.view.families.ipv4 : sv.view.families.ipv6)) continue;
        for (const pool of this.visitPools()) {
          if (!poolSelects(pool, sv.view.labels) || !pool.ranges.some((r) => familyOf(r.to) === family)) continue;
          addTo(b.touchers, pool, sv);
          addTo(b.genericTouchers, pool, sv);
        }
      }
    }
    this.batch = b;
    try {
      run();
    } finally {
      this.batch = undefined;
    }
    this.afterPass(what);
  }

  /**
   * After a pass that attempts Services: a pending Service whose chances changed during the pass after its own
   * attempt (or without one) would, in another visiting order, have been attempted after the change.
   */
  private afterPass(what: 'ingress' | 'requests' | 'all'): void {
    if (what === 'ingress') return;
    for (const sv of this.dirty) if (this.unsatisfied.get(sv.view.key) === sv) sv.failureExact = false;
  }

  // ---- certainty --------------------------------------------------------------------------------------------------

  /** A generic allocation is exact when exactly one pool could supply it and nothing order-dependent touched it. */
  private genericCertain(sv: SvcState, candidates: LbRange<SvcState>[], family: Family): boolean {
    const pools = new Set(candidates.map((r) => r.pool));
    for (const pool of this.visitPools()) {
      if (pool.conflictUncertain && poolSelects(pool, sv.view.labels) && pool.ranges.some((r) => familyOf(r.to) === family)) return false;
    }
    const inBatch = this.batch?.members.has(sv) === true;
    // In an unordered pass a pool that had space when the pass began may have been filled by a competitor.
    const hasSpace = (r: LbRange<SvcState>) => r.alloc.stats().available > 0n || (inBatch && this.batch!.spaceAtStart.has(r.pool));
    const withSpace = new Set(candidates.filter(hasSpace).map((r) => r.pool));
    if (withSpace.size > 1) return false;
    for (const pool of pools) if (pool.uncertainGeneric > 0) return false;
    for (const pool of withSpace) if (inBatch && othersIn(this.batch!.touchers.get(pool), sv) > 0) return false;
    return true;
  }

  /** A request (or re-import) of `ip` is exact unless a competitor asks for it or an order-dependent allocation can reach it. */
  private specificCertain(sv: SvcState, ip: IpAddress, range: LbRange<SvcState>): boolean {
    if (range.pool.conflictUncertain) return false;
    const inBatch = this.batch?.members.has(sv) === true;
    if (inBatch && othersIn(this.batch!.ipTouchers.get(formatIp(ip)), sv) > 0) return false;
    const held = range.alloc.get(ip.value);
    if (held.found) return held.value === null || held.value === undefined || held.value.exact;
    const g = range.pool.uncertainGeneric + (inBatch ? othersIn(this.batch!.genericTouchers.get(range.pool), sv) : 0);
    return g === 0 || !this.reachable(ip.value, range, g);
  }

  /** Whether `g` order-dependent generic allocations could have taken `ip` (see the module comment). */
  private reachable(ip: bigint, range: LbRange<SvcState>, g: number): boolean {
    let anchor = range.from.value;
    for (const [a, cluster] of range.alloc.entries()) {
      if ((cluster === null || cluster.exact) && a < ip && a + 1n > anchor) anchor = a + 1n;
    }
    for (const f of range.freed) if (f <= ip && f > anchor) anchor = f;
    return ip - anchor < BigInt(g);
  }

  // ---- sharing index and allocator helpers ----------------------------------------------------------------------

  private addToIndex(key: string, cluster: SharingCluster<SvcState>): void {
    this.touchKey(key);
    const group = this.sharingIndex.get(key) ?? [];
    group.push(cluster);
    this.sharingIndex.set(key, group);
  }

  private removeFromIndex(key: string, cluster: SharingCluster<SvcState>): void {
    this.touchKey(key);
    const group = this.sharingIndex.get(key);
    if (!group) return;
    const i = group.indexOf(cluster);
    if (i >= 0) group.splice(i, 1);
    if (group.length === 0) this.sharingIndex.delete(key);
  }

  private free(range: LbRange<SvcState>, ip: IpAddress): void {
    this.touchPool(range.pool);
    if (range.alloc.free(ip.value) === undefined) range.freed.add(ip.value);
  }
}
