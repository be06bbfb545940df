import { IpAddress, compareIp } from './lb-ipam-addresses';
import { PassKind, PendingIndex, UnorderedPass } from './lb-ipam-certainty';
import {
  LbIpamCondition, LbPool, LbRange, hasFirstLastToHold, holdsBackFirstLast, newRange, parseBlocks, reserveFirstLast,
  settleConflicts, unmarkPool, updatePoolCounts,
} from './lb-ipam-pools';
import { ControllerSettings, Satisfier, SvcState } from './lb-ipam-satisfy';
import { isResponsible, serviceView } from './lb-ipam-services';
import { KubeObject, namespacedName } from './objects';

export type { ControllerSettings, SvcState };

/**
 * The LB-IPAM controller of Cilium's operator as a pure, event-driven model (`operator/pkg/lbipam/lbipam.go`), one
 * method per upstream handler, so a sequence of object changes gives the statuses upstream writes. Private to the
 * applied layer: callers use `simulateLbIpam` / `assignLoadBalancerAddresses` in ./lb-ipam.ts.
 *
 * Where upstream iterates a Go map (pools; Services in its catch-up passes) the model visits in creation order and
 * records whether each outcome could differ in another order (the `exact` flags; rules in ./lb-ipam-certainty.ts).
 */

/** The operator: pools, Service store, and the API server's Service objects with their statuses. */
export class LbIpamController {
  /** Pools in insertion order (the stand-in for Go's map order). */
  readonly pools = new Map<string, LbPool<SvcState>>();
  /** Pools upstream refused to register (a block it cannot parse), with the reason. */
  readonly invalidPools = new Map<string, string>();
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
  /** Which pending Services a catch-up pass re-attempts (./lb-ipam-certainty.ts). */
  private readonly pending = new PendingIndex<SvcState>();
  private pass: UnorderedPass<SvcState> | undefined;
  /** The per-Service steps (./lb-ipam-satisfy.ts). */
  private readonly satisfier: Satisfier;

  /**
   * @param visitOrder how upstream's Go map iteration orders the pools; the model's stand-in is creation order. Tests
   *   pass other orders to check that outcomes marked exact do not depend on it.
   */
  constructor(private readonly settings: ControllerSettings, private readonly visitOrder: <T>(pools: T[]) => T[] = (pools) => pools) {
    this.satisfier = new Satisfier({
      settings,
      visitPools: () => this.visitPools(),
      poolExists: (pool) => this.pools.get(pool.name) === pool,
      pass: () => this.pass,
      pending: this.pending,
    });
  }

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

  /** A pool is created or changed (`poolOnUpsert`). */
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

  /** A pool is deleted (`poolOnDelete`). */
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

  /** A Service is created or changed (`svcOnUpsert`); ignored while LB-IPAM is dormant (no pool yet). */
  upsertService(svc: KubeObject): void {
    const key = namespacedName(svc);
    this.objects.set(key, svc);
    if (this.settings.enabled && this.initialized) {
      this.handleUpsertService(svc);
      this.satisfyAndUpdateCounts();
    }
  }

  /** A Service (`namespace/name`) is deleted (`svcOnDelete`). */
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
      this.satisfier.reset();
      this.satisfied = new Map();
      this.unsatisfied = new Map();
      this.pending.clear();
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
    this.satisfier.stripInvalidAllocations(sv);
    this.satisfier.stripOrImportIngresses(sv);
    if (!this.satisfier.isSatisfied(sv)) this.satisfier.satisfyService(sv);
    this.persist(sv);
    this.storeUpsert(sv);
    this.recordAttempt(sv);
  }

  private handleDeletedService(key: string): void {
    const sv = this.state(key);
    if (!sv) return;
    this.satisfier.releaseAll(sv);
    this.satisfied.delete(key);
    this.unsatisfied.delete(key);
  }

  private storeUpsert(sv: SvcState): void {
    if (this.satisfier.isSatisfied(sv)) {
      this.unsatisfied.delete(sv.view.key);
      this.satisfied.set(sv.view.key, sv);
    } else {
      this.satisfied.delete(sv.view.key);
      if (this.unsatisfied.get(sv.view.key) !== sv) {
        this.unsatisfied.set(sv.view.key, sv);
        this.pending.entered(sv);
      }
    }
  }

  private persist(sv: SvcState): void {
    this.statuses.set(sv.view.key, { ingress: [...sv.ingress], condition: sv.condition });
  }

  // ---- unordered passes -----------------------------------------------------------------------------------------

  private satisfyAndUpdateCounts(): void {
    const pass = this.pending.takeDirty((sv) => this.isPending(sv));
    this.inPass(pass, 'all', () => {
      for (const sv of pass) {
        this.satisfier.satisfyService(sv);
        this.persist(sv);
        this.storeUpsert(sv);
        this.recordAttempt(sv);
      }
    });
    this.updateAllPoolCounts();
  }

  private isPending(sv: SvcState): boolean {
    return this.unsatisfied.get(sv.view.key) === sv;
  }

  private recordAttempt(sv: SvcState): void {
    this.pending.attempted(sv, this.isPending(sv), this.visitPools());
  }

  private touchAll(): void {
    this.pending.touchAll(this.unsatisfied.values());
  }

  private revalidateAllServices(): void {
    const all = [...this.satisfied.values(), ...this.unsatisfied.values()];
    // First every Service keeps (re-imports) what is still valid, then the unsatisfied ones allocate.
    this.inPass(all, 'ingress', () => {
      for (const sv of all) {
        this.satisfier.stripInvalidAllocations(sv);
        this.satisfier.stripOrImportIngresses(sv);
        this.storeUpsert(sv);
      }
    });
    this.inPass(all.filter((sv) => !this.satisfier.isSatisfied(sv)), 'requests', () => {
      for (const sv of all) {
        if (!this.satisfier.isSatisfied(sv)) this.satisfier.satisfyService(sv);
        this.persist(sv);
        this.storeUpsert(sv);
        this.recordAttempt(sv);
      }
    });
  }

  private reconcileAfterRangeDeletion(svs: SvcState[]): void {
    this.inPass(svs, 'all', () => {
      for (const sv of svs) {
        this.satisfier.stripOrImportIngresses(sv);
        if (!this.satisfier.isSatisfied(sv)) this.satisfier.satisfyService(sv);
        this.persist(sv);
        this.storeUpsert(sv);
        this.recordAttempt(sv);
      }
    });
  }

  /**
   * Runs an unordered pass over `svs` (a Go map iteration upstream), knowing who competes with whom. Afterwards a
   * pending Service whose chances changed during the pass after its own attempt (or without one) would, in another
   * visiting order, have been attempted after the change: its outcome is not exact.
   */
  private inPass(svs: SvcState[], kind: PassKind, run: () => void): void {
    this.pass = svs.length < 2 ? undefined : new UnorderedPass(svs, kind, this.visitPools());
    try {
      run();
    } finally {
      this.pass = undefined;
    }
    if (kind === 'ingress') return;
    for (const sv of this.pending.dirtyPending((x) => this.isPending(x))) sv.failureExact = false;
  }

}
