import { IpAddress, formatIp, parseIp, parsePrefix } from './lb-ipam-addresses';
import { RangeAllocator } from './lb-ipam-allocator';
import { KubeObject, LabelSelector, selectorMatches } from './objects';

/**
 * CiliumLoadBalancerIPPools as LB-IPAM holds them (`operator/pkg/lbipam/pool.go`, `lbrange.go`, and the pool half of
 * `lbipam.go`): each block becomes a range with its own allocator; a pool is disabled by `spec.disabled` or by a
 * conflict (overlapping ranges), and reports its counts as conditions. `cilium.io/v2` and `v2alpha1` pools have the
 * same spec in every supported minor (`../shared/reference/cilium-1.{18..21}/ciliumloadbalancerippools.yaml`).
 */

/** The pool condition types LB-IPAM writes (`lbipam.go` constants). */
export const POOL_CONDITIONS = {
  conflict: 'cilium.io/PoolConflict',
  ipsTotal: 'cilium.io/IPsTotal',
  ipsAvailable: 'cilium.io/IPsAvailable',
  ipsUsed: 'cilium.io/IPsUsed',
} as const;

/** A status condition as LB-IPAM writes it (type aside); time and generation left out. */
export interface LbIpamCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** The value stored with each allocated address: the Services sharing it (upstream `sharingCluster`). */
export interface SharingCluster<S> {
  /** The shared address (set once the allocator picked it). */
  ip: IpAddress;
  readonly range: LbRange<S>;
  readonly services: S[];
  /** The address is the same in every order upstream may visit pools and Services (see lb-ipam.ts `exact`). */
  exact: boolean;
}

/** One block of a pool (upstream `LBRange`). */
export interface LbRange<S> {
  readonly pool: LbPool<S>;
  readonly from: IpAddress;
  readonly to: IpAddress;
  readonly fromCidr: boolean;
  readonly alloc: RangeAllocator<SharingCluster<S> | null>;
  externallyDisabled: boolean;
  internallyDisabled: boolean;
  /** Addresses freed in this range so far (they can start a free block: see lb-ipam-controller.ts `reachable`). */
  readonly freed: Set<bigint>;
}

/** One pool (upstream `LBPool`). */
export interface LbPool<S> {
  readonly name: string;
  /** Creation sequence (the model's stand-in for the creation time when timestamps are unknown or equal). */
  readonly seq: number;
  k8s: KubeObject;
  ranges: LbRange<S>[];
  conditions: Record<string, LbIpamCondition>;
  /** Uncertain generic allocations from this pool so far (order-dependent addresses). */
  uncertainGeneric: number;
  /** The conflict decision involving this pool depends on Go map order (equal or missing creation timestamps). */
  conflictUncertain: boolean;
}

/** A pool block parsed like upstream `ipRangeFromBlock` + `NewLBRange`, or why upstream refuses the pool. */
export interface ParsedBlock {
  readonly from: IpAddress;
  readonly to: IpAddress;
  readonly fromCidr: boolean;
}

/** Parses every block of a pool, or returns upstream's reason for refusing it (the first bad block). */
export function parseBlocks(pool: KubeObject): ParsedBlock[] | string {
  const blocks: any[] = Array.isArray(pool.spec?.blocks) ? pool.spec.blocks : [];
  const out: ParsedBlock[] = [];
  for (const b of blocks) {
    if (typeof b?.cidr === 'string' && b.cidr !== '') {
      const prefix = parsePrefix(b.cidr);
      if (typeof prefix === 'string') return `error parsing cidr '${b.cidr}': ${prefix}`;
      out.push({ from: prefix.first, to: prefix.last, fromCidr: true });
      continue;
    }
    const start = parseIp(String(b?.start ?? ''));
    if (!start) return `error parsing start ip '${b?.start ?? ''}'`;
    const stopText = typeof b?.stop === 'string' ? b.stop : '';
    const stop = stopText === '' ? start : parseIp(stopText);
    if (!stop) return `error parsing stop ip '${stopText}'`;
    if (start.bits !== stop.bits) return "'start' must be the same address family as 'stop'";
    if (start.value > stop.value) return "'start' must be less then or equal to 'stop'";
    out.push({ from: start, to: stop, fromCidr: false });
  }
  return out;
}

/** `allowFirstLastIPs` as upstream compares it: only the literal `No` holds the first and last address back. */
export function holdsBackFirstLast(pool: KubeObject, defaultValue: 'Yes' | 'No'): boolean {
  return (pool.spec?.allowFirstLastIPs ?? defaultValue) === 'No';
}

/** Creates a range; with `allowFirstLastIPs: No` a CIDR block of more than two addresses holds its first and last. */
export function newRange<S>(pool: LbPool<S>, block: ParsedBlock, holdBack: boolean): LbRange<S> {
  const range: LbRange<S> = {
    pool,
    from: block.from,
    to: block.to,
    fromCidr: block.fromCidr,
    alloc: new RangeAllocator<SharingCluster<S> | null>(block.from.value, block.to.value),
    externallyDisabled: pool.k8s.spec?.disabled === true,
    internallyDisabled: false,
    freed: new Set(),
  };
  if (block.fromCidr && holdBack) reserveFirstLast(range);
  return range;
}

/** True when the range has more than two addresses (upstream only holds back first/last then: /31, /32 stay whole). */
export function hasFirstLastToHold(range: LbRange<unknown>): boolean {
  return range.to.value - range.from.value >= 2n;
}

/** Allocates the first and last address with no owner (upstream `alloc.Alloc(from, nil)`; ignored when taken). */
export function reserveFirstLast(range: LbRange<unknown>): void {
  if (!hasFirstLastToHold(range)) return;
  range.alloc.alloc(range.from.value, null);
  range.alloc.alloc(range.to.value, null);
}

/** A range is used for new allocations only when neither the pool (`spec.disabled`) nor a conflict disables it. */
export function rangeDisabled(range: LbRange<unknown>): boolean {
  return range.externallyDisabled || range.internallyDisabled;
}

/** `serviceSelector` absent selects every Service; present, Kubernetes selector semantics over the view's labels. */
export function poolSelects(pool: LbPool<unknown>, labels: Readonly<Record<string, string>>): boolean {
  const selector = pool.k8s.spec?.serviceSelector as LabelSelector | undefined | null;
  return selector === undefined || selector === null || selectorMatches(selector, labels);
}

/** `from - to` as upstream prints a range in conflict messages (`lbrange.go` `ipNetStr`). */
export function rangeText(range: LbRange<unknown>): string {
  return `${formatIp(range.from)} - ${formatIp(range.to)}`;
}

function intersect(a: LbRange<unknown>, b: LbRange<unknown>): boolean {
  return a.from.bits === b.from.bits && a.from.value <= b.to.value && b.from.value <= a.to.value;
}

function internalConflict<S>(ranges: LbRange<S>[]): [LbRange<S>, LbRange<S>] | undefined {
  for (let i = 0; i < ranges.length; i++) {
    for (let j = 0; j < ranges.length; j++) {
      if (i !== j && intersect(ranges[i], ranges[j])) return [ranges[i], ranges[j]];
    }
  }
  return undefined;
}

function crossConflict<S>(outer: LbRange<S>[], inner: LbRange<S>[]): [LbRange<S>, LbRange<S>] | undefined {
  for (const o of outer) {
    for (const i of inner) if (intersect(o, i)) return [o, i];
  }
  return undefined;
}

/** Whether a pool is marked conflicting (`isPoolConflicting`). */
export function isConflicting(pool: LbPool<unknown>): boolean {
  return pool.conditions[POOL_CONDITIONS.conflict]?.status === 'True';
}

/** Clears a pool's conflict (`unmarkPool`): ranges enabled again, condition False with reason `resolved`. */
export function unmarkPool(pool: LbPool<unknown>): void {
  for (const r of pool.ranges) r.internallyDisabled = false;
  pool.conditions[POOL_CONDITIONS.conflict] = { status: 'False', reason: 'resolved', message: '' };
}

function markConflicting<S>(target: LbPool<S>, collision: LbPool<S>, targetRange: LbRange<S>, collisionRange: LbRange<S>): void {
  if (isConflicting(target)) return;
  for (const r of target.ranges) r.internallyDisabled = true;
  target.conditions[POOL_CONDITIONS.conflict] = {
    status: 'True',
    reason: 'cidr_overlap',
    message: `Pool conflicts since range '${rangeText(targetRange)}' overlaps range '${rangeText(collisionRange)}' from IP Pool '${collision.name}'`,
  };
}

/**
 * Which pool was created first, by `creationTimestamp` (`metav1.Time.Before`): negative when `a` is older, positive
 * when newer, 0 when either timestamp is unknown (a bundle's objects have none before they are applied, and pools
 * applied together usually share one second) or both are equal.
 */
function compareCreation(a: LbPool<unknown>, b: LbPool<unknown>): number {
  const t = (p: LbPool<unknown>) => p.k8s.metadata.creationTimestamp as string | undefined;
  const ta = t(a);
  const tb = t(b);
  if (ta === undefined || tb === undefined) return 0;
  return Date.parse(ta) - Date.parse(tb);
}

/**
 * `settleConflicts`: marks pools whose ranges overlap their own or another pool's, then clears pools that no longer
 * overlap anything. Of two overlapping pools the newer loses; with unknown or equal creation times upstream marks the
 * one its Go map iteration visits first, and the model marks the one created later and flags both
 * `conflictUncertain`. Because a pool already marked is skipped, that uncertainty spreads to every pool overlapping an
 * uncertain one. Pools are visited in the order given (the model's stand-in for Go's map order). Every pair of pools
 * is compared (quadratic in the number of pools, as upstream; pools are few, Services are not involved).
 */
export function settleConflicts<S>(pools: readonly LbPool<S>[]): void {
  for (const outer of pools) {
    if (isConflicting(outer)) continue;
    const own = internalConflict(outer.ranges);
    if (own) {
      markConflicting(outer, outer, own[0], own[1]);
      continue;
    }
    for (const inner of pools) {
      if (inner === outer || isConflicting(inner)) continue;
      const hit = crossConflict(outer.ranges, inner.ranges);
      if (!hit) continue;
      const order = compareCreation(outer, inner) || outer.seq - inner.seq;
      if (order < 0) markConflicting(inner, outer, hit[1], hit[0]);
      else markConflicting(outer, inner, hit[0], hit[1]);
      break;
    }
  }
  for (const outer of pools) {
    if (!isConflicting(outer) || internalConflict(outer.ranges)) continue;
    if (!pools.some((inner) => inner !== outer && crossConflict(outer.ranges, inner.ranges))) unmarkPool(outer);
  }
  for (const a of pools) {
    for (const b of pools) {
      if (a !== b && compareCreation(a, b) === 0 && crossConflict(a.ranges, b.ranges)) a.conflictUncertain = true;
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const a of pools) {
      if (a.conflictUncertain) continue;
      if (pools.some((b) => b !== a && b.conflictUncertain && crossConflict(a.ranges, b.ranges))) {
        a.conflictUncertain = true;
        changed = true;
      }
    }
  }
}

/** The pool's counts as `updatePoolCounts` writes them (Total = available + used; held-back addresses count as used). */
export function poolCounts(pool: LbPool<unknown>): { total: bigint; available: bigint; used: number } {
  let available = 0n;
  let used = 0;
  for (const r of pool.ranges) {
    const s = r.alloc.stats();
    available += s.available;
    used += s.allocated;
  }
  return { total: available + BigInt(used), available, used };
}

/** Writes the three count conditions (status Unknown, reason `noreason`, the number as the message). */
export function updatePoolCounts(pool: LbPool<unknown>): void {
  const c = poolCounts(pool);
  pool.conditions[POOL_CONDITIONS.ipsTotal] = { status: 'Unknown', reason: 'noreason', message: c.total.toString() };
  pool.conditions[POOL_CONDITIONS.ipsAvailable] = { status: 'Unknown', reason: 'noreason', message: c.available.toString() };
  pool.conditions[POOL_CONDITIONS.ipsUsed] = { status: 'Unknown', reason: 'noreason', message: String(c.used) };
}
