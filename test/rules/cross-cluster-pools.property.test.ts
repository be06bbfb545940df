import * as fc from 'fast-check';
import { PlatformModel, PoolFact } from '../../src';
import { APP_RULES } from '../../src/rules/registry';

/**
 * The cross-cluster pool rule is a sorted sweep (O(n log n)); here it is compared with the O(n^2) definition
 * on random blocks of random clusters, packed into a small address space so overlaps, shared first addresses
 * and equal ends are common.
 */

const rule = APP_RULES.find((r) => r.emits.includes('pools-overlap-across-clusters'))!;

interface RawBlock { readonly first: number; readonly length: number }
interface RawPool { readonly disabled: boolean; readonly blocks: readonly RawBlock[] }

const BASE = 0xac120000; // 172.18.0.0
const rawBlock = fc.record({
  first: fc.integer({ min: 0, max: 96 }),
  length: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 })),
});
const rawPool = fc.record({
  disabled: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  blocks: fc.array(rawBlock, { minLength: 1, maxLength: 3 }),
});
const rawClusters = fc.array(fc.array(rawPool, { maxLength: 3 }), { minLength: 1, maxLength: 6 });

/** Plain-data models: only what the pool rule reads (name, field, pools) is meaningful. */
function models(clusters: readonly (readonly RawPool[])[]): PlatformModel[] {
  return clusters.map((pools, c) => ({
    field: `c${c}`,
    spec: { clusterName: `c${c}` },
    kindConfig: { nodes: [], networking: {} },
    ciliumValues: {},
    l2Policies: [],
    gateways: [],
    loadBalancerServices: [],
    defaultDenyPolicies: [],
    pools: pools.map((p, i): PoolFact => ({
      field: `c${c}/pool${i}`,
      name: `pool${i}`,
      disabled: p.disabled,
      hasServiceSelector: false,
      size: 0,
      blocks: p.blocks.map((b, j) => ({
        field: `c${c}/pool${i}.blocks[${j}]`,
        text: `${b.first}+${b.length}`,
        range: { first: BASE + b.first, last: BASE + b.first + b.length - 1 },
      })),
    })),
  }) as unknown as PlatformModel);
}

interface Block { readonly cluster: number; readonly field: string; readonly first: number; readonly last: number }

function enabledBlocks(ms: readonly PlatformModel[]): Block[] {
  return ms.flatMap((m, cluster) => m.pools.filter((p) => !p.disabled)
    .flatMap((p) => p.blocks.map((b) => ({ cluster, field: b.field, first: b.range.first, last: b.range.last }))));
}

const overlap = (a: Block, b: Block) => a.first <= b.last && b.first <= a.last;

test('no violation iff no two clusters have overlapping enabled blocks; every reported block overlaps another cluster\'s', () => {
  fc.assert(fc.property(rawClusters, (clusters) => {
    const ms = models(clusters);
    const blocks = enabledBlocks(ms);
    const reported = rule.check(ms);
    const anyClash = blocks.some((a) => blocks.some((b) => a.cluster !== b.cluster && overlap(a, b)));
    expect(reported.length > 0).toBe(anyClash);
    for (const v of reported) {
      expect(v.rule).toBe('pools-overlap-across-clusters');
      const mine = blocks.find((b) => b.field === v.field)!;
      expect(blocks.some((b) => b.cluster !== mine.cluster && overlap(b, mine))).toBe(true);
    }
  }), { numRuns: 400 });
});

test('the sweep reports exactly the blocks that overlap a block of another cluster sorting before them (by first address, then cluster)', () => {
  fc.assert(fc.property(rawClusters, (clusters) => {
    const ms = models(clusters);
    const blocks = enabledBlocks(ms);
    const before = (a: Block, b: Block) => a.first < b.first || (a.first === b.first && a.cluster < b.cluster);
    const expected = blocks.filter((b) => blocks.some((a) => a.cluster !== b.cluster && before(a, b) && a.last >= b.first))
      .map((b) => b.field).sort();
    expect(rule.check(ms).map((v) => v.field).sort()).toEqual(expected);
  }), { numRuns: 400 });
});

test('a block of a cluster never clashes with the cluster\'s own blocks here (that is pools-overlap, per cluster)', () => {
  const one = models([[{ disabled: false, blocks: [{ first: 0, length: 16 }, { first: 4, length: 4 }] }]]);
  expect(rule.check(one)).toEqual([]);
  const two = models([[{ disabled: false, blocks: [{ first: 0, length: 16 }] }], [{ disabled: true, blocks: [{ first: 0, length: 16 }] }]]);
  expect(rule.check(two)).toEqual([]);
});
