import * as fc from 'fast-check';
import { RangeAllocator } from '../../src/applied/lb-ipam-allocator';

/**
 * The model of Cilium's `pkg/ipalloc` HashAllocator. Expectations follow `pkg/ipalloc/ipalloc_test.go` (first
 * allocation = range start, ErrFull, ErrInUse, ErrOutOfRange, Stats) and the allocator's rule that "any address"
 * is the first address of the smallest free block.
 */

const ip = (last: number) => 0x0a000000n + BigInt(last); // 10.0.0.<last>
const slash24 = () => new RangeAllocator<string>(ip(0), ip(255));

describe('RangeAllocator (pkg/ipalloc HashAllocator)', () => {
  test('a fresh range hands out its first address, then the next (TestHashAlloc_AllocAny)', () => {
    const a = new RangeAllocator<boolean>(ip(0), ip(100));
    expect(a.allocAny(true)).toBe(ip(0));
    expect(a.allocAny(true)).toBe(ip(1));
  });

  test('a full range answers ErrFull (TestHashAlloc_AllocAnyFull)', () => {
    const a = new RangeAllocator<boolean>(ip(0), ip(0));
    expect(a.allocAny(true)).toBe(ip(0));
    expect(a.allocAny(true)).toBe('ErrFull');
  });

  test('a taken address answers ErrInUse, one outside the range ErrOutOfRange (TestHashAlloc_Alloc)', () => {
    const a = new RangeAllocator<boolean>(ip(0), ip(100));
    expect(a.alloc(ip(50), true)).toBeUndefined();
    expect(a.alloc(ip(50), true)).toBe('ErrInUse');
    expect(a.alloc(ip(200), true)).toBe('ErrOutOfRange');
  });

  test('stats count allocated and available addresses (TestHashAlloc_Stats)', () => {
    const a = slash24();
    expect(a.stats()).toEqual({ allocated: 0, available: 256n });
    const got = a.allocAny('x');
    expect(a.stats()).toEqual({ allocated: 1, available: 255n });
    a.free(got as bigint);
    expect(a.stats()).toEqual({ allocated: 0, available: 256n });
  });

  test('update and get keep the value; freeing an unallocated address answers ErrNotFound (TestHashAlloc_UpdateGet, _Free)', () => {
    const a = new RangeAllocator<number>(ip(0), ip(100));
    expect(a.alloc(ip(50), 1)).toBeUndefined();
    expect(a.update(ip(50), 2)).toBeUndefined();
    expect(a.get(ip(50))).toEqual({ found: true, value: 2 });
    expect(a.update(ip(51), 2)).toBe('ErrNotFound');
    expect(a.free(ip(51))).toBe('ErrNotFound');
  });

  test('takes split blocks like TestBlockList_Take, and the next address comes from the smallest block', () => {
    const a = slash24();
    for (const last of [0, 1, 255, 11, 211, 100]) expect(a.alloc(ip(last), 'x')).toBeUndefined();
    expect(a.freeBlocks()).toEqual([
      { from: ip(2), to: ip(10) }, { from: ip(12), to: ip(99) }, { from: ip(101), to: ip(210) }, { from: ip(212), to: ip(254) },
    ]);
    expect(a.allocAny('y')).toBe(ip(2));
  });

  test('after a request high in the range, the smaller upper block wins: the next generic address is right after it', () => {
    const a = slash24();
    expect(a.alloc(ip(200), 'requested')).toBeUndefined();
    expect(a.allocAny('generic')).toBe(ip(201));
    const b = slash24();
    expect(b.alloc(ip(20), 'requested')).toBeUndefined();
    expect(b.allocAny('generic')).toBe(ip(0));
  });

  test('frees grow, merge and insert blocks (TestBlockList_Put, _PutMoveRight, _PutOuterMost)', () => {
    const a = slash24();
    a.alloc(ip(100), 'x');
    a.free(ip(100));
    expect(a.freeBlocks()).toEqual([{ from: ip(0), to: ip(255) }]);
    for (const last of [200, 201, 202]) a.alloc(ip(last), 'x');
    a.free(ip(201));
    expect(a.freeBlocks()).toHaveLength(3);
    a.free(ip(200));
    expect(a.freeBlocks()).toHaveLength(2);
    a.free(ip(202));
    expect(a.freeBlocks()).toEqual([{ from: ip(0), to: ip(255) }]);

    const b = slash24();
    b.alloc(ip(0), 'x');
    b.alloc(ip(1), 'x');
    b.free(ip(0));
    expect(b.freeBlocks()).toEqual([{ from: ip(0), to: ip(0) }, { from: ip(2), to: ip(255) }]);
  });

  test('any sequence of operations keeps the free blocks exactly the complement of the allocated addresses', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('any' as const) }),
      fc.record({ kind: fc.constant('alloc' as const), at: fc.nat({ max: 40 }) }),
      fc.record({ kind: fc.constant('free' as const), at: fc.nat({ max: 40 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
      const a = new RangeAllocator<number>(ip(0), ip(31));
      const held = new Set<bigint>();
      for (const o of ops) {
        if (o.kind === 'any') {
          const next = a.nextBlock();
          const got = a.allocAny(1);
          if (held.size === 32) {
            expect(got).toBe('ErrFull');
          } else {
            expect(typeof got).toBe('bigint');
            expect(got).toBe(next!.from);
            expect(held.has(got as bigint)).toBe(false);
            held.add(got as bigint);
          }
        } else if (o.kind === 'alloc') {
          const err = a.alloc(ip(o.at), 1);
          if (o.at > 31) {expect(err).toBe('ErrOutOfRange');} else if (held.has(ip(o.at))) {expect(err).toBe('ErrInUse');} else { expect(err).toBeUndefined(); held.add(ip(o.at)); }
        } else {
          const err = a.free(ip(o.at));
          expect(err === undefined).toBe(held.has(ip(o.at)));
          held.delete(ip(o.at));
        }
        const blocks = a.freeBlocks();
        const free = blocks.flatMap((b) => Array.from({ length: Number(b.to - b.from + 1n) }, (_, i) => b.from + BigInt(i)));
        const expected = Array.from({ length: 32 }, (_, i) => ip(i)).filter((x) => !held.has(x));
        expect(free).toEqual(expected);
        // Linked in address order, disjoint and never adjacent (a freed neighbour is always merged).
        blocks.slice(1).forEach((b, i) => expect(b.from > blocks[i].to + 1n).toBe(true));
        expect(a.stats()).toEqual({ allocated: held.size, available: BigInt(32 - held.size) });
      }
    }), { numRuns: 300, seed: 20261204 });
  });
});
