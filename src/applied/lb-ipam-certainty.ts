import { IpAddress, formatIp, ipInRange, parseIp } from './lb-ipam-addresses';
import { LbPool, LbRange, poolSelects, rangeDisabled } from './lb-ipam-pools';
import { ServiceView } from './lb-ipam-services';

/**
 * How the LB-IPAM model knows whether an outcome depends on Go map order, and which pending Services a catch-up
 * pass must re-attempt. Private to ./lb-ipam-controller.ts.
 *
 * Upstream iterates a Go map where it visits pools (`allocateIPAddress`, `findRangeOfIP`, `settleConflicts`) and
 * where it catches up with Services (`satisfyServices`, `revalidateAllServices`, `deleteRangeAllocations`). The model
 * visits in creation order and asks, per attempt, whether another order could have changed it:
 * - a generic address is exact only when one pool could supply it, no competitor in the same unordered pass could
 *   take from that pool, and no earlier order-dependent allocation touched it;
 * - a requested address is exact unless a competitor in the same pass requests it too, or an order-dependent generic
 *   allocation could have reached it. The allocator only ever hands out the first address of a free block, and every
 *   block starts at the range start, right after an address held by a request or held back, or at a freed address
 *   (the "anchors"), then advances by one per generic allocation; so with `g` order-dependent generic allocations in a
 *   pool, an address more than `g - 1` above its nearest anchor cannot have been taken by them in any order.
 * The property test (test/applied/lb-ipam.property.test.ts) checks these rules against other visiting orders.
 */

/** An address family as Cilium names it. */
export type Family = 'IPv4' | 'IPv6';

/** The family of an address as LB-IPAM sees it (`Is6()`: IPv4-mapped IPv6 is IPv6). */
export const familyOf = (ip: IpAddress): Family => (ip.bits === 128 ? 'IPv6' : 'IPv4');

/** What a competing Service shows of itself. */
export interface Competitor {
  readonly view: ServiceView;
  readonly ingress: readonly string[];
}

/** Adds `v` to the set at `k`. */
export function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k) ?? new Set<V>();
  s.add(v);
  m.set(k, s);
}

const othersIn = <V>(s: Set<V> | undefined, self: V) => (s ? s.size - (s.has(self) ? 1 : 0) : 0);

/** What a pass attempts: `ingress` re-imports held addresses, `requests` allocates, `all` does both. */
export type PassKind = 'ingress' | 'requests' | 'all';

/** Which Services compete in one unordered pass (a Go map iteration upstream), computed before the pass. */
export class UnorderedPass<S extends Competitor> {
  private readonly members: Set<S>;
  /** Pools with a free address in an enabled range when the pass started. */
  private readonly spaceAtStart: Set<LbPool<S>>;
  private readonly touchers = new Map<LbPool<S>, Set<S>>();
  private readonly genericTouchers = new Map<LbPool<S>, Set<S>>();
  private readonly ipTouchers = new Map<string, Set<S>>();
  private readonly keyTouchers = new Map<string, Set<S>>();

  constructor(svs: readonly S[], kind: PassKind, pools: readonly LbPool<S>[]) {
    this.members = new Set(svs);
    this.spaceAtStart = new Set(pools.filter((p) => p.ranges.some((r) => !rangeDisabled(r) && r.alloc.stats().available > 0n)));
    const touchIp = (sv: S, ip: IpAddress) => {
      addTo(this.ipTouchers, formatIp(ip), sv);
      for (const pool of pools) if (pool.ranges.some((r) => ipInRange(ip, r.from, r.to))) addTo(this.touchers, pool, sv);
    };
    for (const sv of svs) {
      if (kind !== 'requests') {
        for (const t of sv.ingress) {
          const ip = parseIp(t);
          if (ip) touchIp(sv, ip);
        }
      }
      if (kind === 'ingress') continue;
      if (sv.view.sharingKey !== '') addTo(this.keyTouchers, sv.view.sharingKey, sv);
      if (sv.view.requestedIps.length > 0) {
        for (const ip of sv.view.requestedIps) touchIp(sv, ip);
        continue;
      }
      for (const family of ['IPv4', 'IPv6'] as const) {
        if (!(family === 'IPv4' ? sv.view.families.ipv4 : sv.view.families.ipv6)) continue;
        for (const pool of pools) {
          if (!poolSelects(pool, sv.view.labels) || !pool.ranges.some((r) => familyOf(r.to) === family)) continue;
          addTo(this.touchers, pool, sv);
          addTo(this.genericTouchers, pool, sv);
        }
      }
    }
  }

  /** `sv` takes part in this pass. */
  has(sv: S): boolean {
    return this.members.has(sv);
  }

  /** Another member touches `pool` (allocates from it, requests or holds an address in it). */
  contendsForPool(pool: LbPool<S>, sv: S): boolean {
    return othersIn(this.touchers.get(pool), sv) > 0;
  }

  /** Another member has the same sharing key. */
  contendsForKey(sv: S): boolean {
    return othersIn(this.keyTouchers.get(sv.view.sharingKey), sv) > 0;
  }

  /** Another member requests or holds `ip`. */
  contendsForIp(ip: IpAddress, sv: S): boolean {
    return othersIn(this.ipTouchers.get(formatIp(ip)), sv) > 0;
  }

  /** How many other members may take a generic address from `pool`. */
  genericCompetitors(pool: LbPool<S>, sv: S): number {
    return othersIn(this.genericTouchers.get(pool), sv);
  }

  /** Addresses other members request or hold: in another order they may be allocated first and start a free block. */
  othersAddresses(sv: S): IpAddress[] {
    const out: IpAddress[] = [];
    for (const [text, who] of this.ipTouchers) {
      if (othersIn(who, sv) === 0) continue;
      const ip = parseIp(text);
      if (ip) out.push(ip);
    }
    return out;
  }

  /** `pool` had a free address when the pass began. */
  hadSpace(pool: LbPool<S>): boolean {
    return this.spaceAtStart.has(pool);
  }
}

/**
 * A generic allocation from `candidates` (the enabled ranges of the family in selecting pools) is exact when exactly
 * one pool could supply it and nothing order-dependent touched it.
 */
export function genericCertain<S extends Competitor>(
  pools: readonly LbPool<S>[], sv: S, candidates: readonly LbRange<S>[], family: Family, pass: UnorderedPass<S> | undefined,
): boolean {
  for (const pool of pools) {
    if (pool.conflictUncertain && poolSelects(pool, sv.view.labels) && pool.ranges.some((r) => familyOf(r.to) === family)) return false;
  }
  const inPass = pass?.has(sv) === true;
  // In an unordered pass a pool that had space when the pass began may have been filled by a competitor.
  const hasSpace = (r: LbRange<S>) => r.alloc.stats().available > 0n || (inPass && pass!.hadSpace(r.pool));
  const withSpace = new Set(candidates.filter(hasSpace).map((r) => r.pool));
  if (withSpace.size > 1) return false;
  if (candidates.some((r) => r.pool.uncertainGeneric > 0)) return false;
  for (const pool of withSpace) if (inPass && pass!.contendsForPool(pool, sv)) return false;
  return true;
}

/** A request (or re-import) of `ip` is exact unless a competitor asks for it or an order-dependent allocation can reach it. */
export function specificCertain<S extends Competitor>(sv: S, ip: IpAddress, range: LbRange<S>, pass: UnorderedPass<S> | undefined): boolean {
  if (range.pool.conflictUncertain) return false;
  const inPass = pass?.has(sv) === true;
  if (inPass && pass!.contendsForIp(ip, sv)) return false;
  const held = range.alloc.get(ip.value);
  if (held.found) return held.value === null || held.value === undefined || held.value.exact;
  const g = range.pool.uncertainGeneric + (inPass ? pass!.genericCompetitors(range.pool, sv) : 0);
  const competing = inPass ? pass!.othersAddresses(sv).filter((o) => o.bits === ip.bits).map((o) => o.value) : [];
  return g === 0 || !reachable(ip.value, range, g, competing);
}

/**
 * Whether `g` order-dependent generic allocations could have taken `ip` (see the module comment). `competing`: addresses
 * competitors in the same pass may get first, so the addresses right after them may start a free block too.
 */
export function reachable(ip: bigint, range: LbRange<unknown>, g: number, competing: readonly bigint[] = []): boolean {
  let anchor = range.from.value;
  for (const [a, cluster] of range.alloc.entries()) {
    if ((cluster === null || cluster.exact) && a < ip && a + 1n > anchor) anchor = a + 1n;
  }
  for (const a of competing) if (a < ip && a + 1n > anchor && a >= range.from.value) anchor = a + 1n;
  for (const f of range.freed) if (f <= ip && f > anchor) anchor = f;
  return ip - anchor < BigInt(g);
}

/**
 * What each pending Service's next attempt depends on: the pools that select it or contain an address it requests,
 * and its sharing key. A change there (an allocation, a freed address, a sharing cluster gaining or losing a member)
 * marks the dependent pending Services dirty; a change of pools themselves or of a tracked Service's spec marks them
 * all. A catch-up pass re-attempts only dirty Services (the others would get the same outcome again, in any order),
 * which keeps the model linear in the Services when many stay pending.
 */
export class PendingIndex<S extends Competitor> {
  private readonly dirty = new Set<S>();
  private readonly poolDependents = new Map<LbPool<S>, Set<S>>();
  private readonly keyDependents = new Map<string, Set<S>>();
  private readonly dependsOn = new Map<S, { pools: LbPool<S>[]; key: string }>();
  /** Position of each pending Service in the stand-in map order of the unsatisfied store. */
  private readonly seq = new Map<S, number>();
  private nextSeq = 0;

  /** `sv` just became pending: it goes last in the stand-in order, and has yet to be attempted. */
  entered(sv: S): void {
    this.seq.set(sv, this.nextSeq++);
    this.dirty.add(sv);
  }

  /** `sv` was just attempted: records what its next attempt depends on (nothing once satisfied). */
  attempted(sv: S, stillPending: boolean, pools: readonly LbPool<S>[]): void {
    const old = this.dependsOn.get(sv);
    if (old) {
      for (const p of old.pools) this.poolDependents.get(p)?.delete(sv);
      this.keyDependents.get(old.key)?.delete(sv);
      this.dependsOn.delete(sv);
    }
    this.dirty.delete(sv);
    if (!stillPending) return;
    const relevant = pools.filter((pool) => poolSelects(pool, sv.view.labels)
      || sv.view.requestedIps.some((ip) => pool.ranges.some((r) => ipInRange(ip, r.from, r.to))));
    for (const p of relevant) addTo(this.poolDependents, p, sv);
    addTo(this.keyDependents, sv.view.sharingKey, sv);
    this.dependsOn.set(sv, { pools: relevant, key: sv.view.sharingKey });
  }

  touchAll(pending: Iterable<S>): void {
    for (const sv of pending) this.dirty.add(sv);
  }

  touchPool(pool: LbPool<S>): void {
    for (const sv of this.poolDependents.get(pool) ?? []) this.dirty.add(sv);
  }

  touchKey(key: string): void {
    for (const sv of this.keyDependents.get(key) ?? []) this.dirty.add(sv);
  }

  /** The dirty Services still pending, in stand-in map order; clears the dirty set. */
  takeDirty(isPending: (sv: S) => boolean): S[] {
    const order = (sv: S) => this.seq.get(sv) ?? 0;
    const out = [...this.dirty].filter(isPending).sort((a, b) => order(a) - order(b));
    this.dirty.clear();
    return out;
  }

  /** The pending Services whose dependencies changed since their last attempt. */
  dirtyPending(isPending: (sv: S) => boolean): S[] {
    return [...this.dirty].filter(isPending);
  }

  clear(): void {
    this.dirty.clear();
    this.poolDependents.clear();
    this.keyDependents.clear();
    this.dependsOn.clear();
  }
}
