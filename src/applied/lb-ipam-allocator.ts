/**
 * A model of the address allocator behind every LB-IPAM range: Cilium's `pkg/ipalloc` `HashAllocator`, whose choice
 * of "any free address" decides which address a Service without a request gets.
 *
 * What it models (own code, same observable behaviour):
 * - The free addresses are kept as blocks in a binary min-heap ordered by block size (Go's `container/heap`
 *   algorithms: sift-up and sift-down with a strict "smaller than", so ties keep their heap positions), and the
 *   blocks are also linked in address order.
 * - "Any free address" is the first address of the heap's root: the SMALLEST free block, not the lowest address.
 *   On a fresh range that is the range start (`pkg/ipalloc/ipalloc_test.go` `TestHashAlloc_AllocAny`); after a request
 *   for `10.0.10.200` in a /24 the smaller upper block wins, so the next generic address is `10.0.10.201`.
 * - Taking a specific address shrinks or splits its block; freeing walks the linked list from the heap root and grows,
 *   merges or inserts blocks exactly as upstream does, including two upstream quirks that change later choices:
 *   growing a block downwards does not re-sort the heap, and growing upwards re-sorts the heap entry at the walk's
 *   step count rather than the grown block's own position.
 *
 * Values are in big integers of one family (the range's); the caller converts addresses.
 */

/** Why an allocation failed, by the name of upstream's error value. */
export type AllocError = 'ErrFull' | 'ErrOutOfRange' | 'ErrInUse' | 'ErrNotFound';

interface Block {
  from: bigint;
  to: bigint;
  size: bigint;
  prev: Block | undefined;
  next: Block | undefined;
}

function block(from: bigint, to: bigint, prev?: Block, next?: Block): Block {
  return { from, to, size: to - from + 1n, prev, next };
}

/** Go's container/heap over the block list (slice order matters: it decides ties). */
class BlockHeap {
  readonly items: Block[] = [];

  private less(i: number, j: number): boolean {
    return this.items[i].size < this.items[j].size;
  }

  private swap(i: number, j: number): void {
    const t = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = t;
  }

  private up(j0: number): void {
    let j = j0;
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.less(j, i)) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): boolean {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(j2, j1)) j = j2;
      if (!this.less(j, i)) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }

  push(b: Block): void {
    this.items.push(b);
    this.up(this.items.length - 1);
  }

  remove(i: number): Block {
    const n = this.items.length - 1;
    if (n !== i) {
      this.swap(i, n);
      if (!this.down(i, n)) this.up(i);
    }
    return this.items.pop()!;
  }

  fix(i: number): void {
    if (!this.down(i, this.items.length)) this.up(i);
  }
}

/**
 * One range's allocator: the inclusive range `[start, stop]` and the value stored with each allocated address
 * (`T`: a sharing cluster, or `null` for the first/last addresses a pool holds back with `allowFirstLastIPs: No`).
 */
export class RangeAllocator<T> {
  private readonly heap = new BlockHeap();
  private readonly allocations = new Map<bigint, T>();

  constructor(readonly start: bigint, readonly stop: bigint) {
    this.heap.push(block(start, stop));
  }

  /** The first address of the smallest free block, allocated to `value` (upstream `AllocAny`). */
  allocAny(value: T): bigint | AllocError {
    if (this.heap.items.length === 0) return 'ErrFull';
    const ip = this.heap.items[0].from;
    const err = this.take(ip);
    if (err) return err;
    this.allocations.set(ip, value);
    return ip;
  }

  /** Allocates exactly `ip` (upstream `Alloc`); `undefined` on success. */
  alloc(ip: bigint, value: T): AllocError | undefined {
    if (ip < this.start || ip > this.stop) return 'ErrOutOfRange';
    if (this.allocations.has(ip)) return 'ErrInUse';
    if (this.heap.items.length === 0) return 'ErrFull';
    const err = this.take(ip);
    if (err) return err;
    this.allocations.set(ip, value);
    return undefined;
  }

  /** Replaces the value of an allocated address (upstream `Update`). */
  update(ip: bigint, value: T): AllocError | undefined {
    if (!this.allocations.has(ip)) return 'ErrNotFound';
    this.allocations.set(ip, value);
    return undefined;
  }

  /** Frees an allocated address (upstream `Free`). */
  free(ip: bigint): AllocError | undefined {
    if (!this.allocations.has(ip)) return 'ErrNotFound';
    this.put(ip);
    this.allocations.delete(ip);
    return undefined;
  }

  /** The value allocated at `ip` and whether it is allocated (a held-back address is allocated with `null`). */
  get(ip: bigint): { readonly found: boolean; readonly value: T | undefined } {
    return { found: this.allocations.has(ip), value: this.allocations.get(ip) };
  }

  /** Every allocated address with its value, in allocation order. */
  entries(): IterableIterator<[bigint, T]> {
    return this.allocations.entries();
  }

  /** Allocated and still-available counts (upstream `Stats`; held-back addresses count as allocated). */
  stats(): { readonly allocated: number; readonly available: bigint } {
    const allocated = this.allocations.size;
    return { allocated, available: this.stop - this.start + 1n - BigInt(allocated) };
  }

  /** The free blocks in address order, following the links (for checks). */
  freeBlocks(): { readonly from: bigint; readonly to: bigint }[] {
    const items = this.heap.items;
    let first: Block | undefined = items[0];
    while (first?.prev) first = first.prev;
    const out: { from: bigint; to: bigint }[] = [];
    for (let b: Block | undefined = first; b; b = b.next) out.push({ from: b.from, to: b.to });
    return out;
  }

  /** The free block `allocAny` takes from next (the heap's root), or `undefined` when full. */
  nextBlock(): { readonly from: bigint; readonly to: bigint } | undefined {
    const b = this.heap.items[0];
    return b && { from: b.from, to: b.to };
  }

  private take(ip: bigint): AllocError | undefined {
    const items = this.heap.items;
    const index = items.findIndex((b) => ip >= b.from && ip <= b.to);
    if (index < 0) return 'ErrInUse';
    const b = items[index];
    if (b.from === ip || b.to === ip) {
      if (b.from === b.to) {
        this.deleteAt(index);
        return undefined;
      }
      if (b.from === ip) b.from = ip + 1n;
      else b.to = ip - 1n;
      b.size = b.to - b.from + 1n;
      this.heap.fix(index);
      return undefined;
    }
    this.heap.remove(index);
    const left = block(b.from, ip - 1n, b.prev);
    const right = block(ip + 1n, b.to, left, b.next);
    left.next = right;
    if (b.prev) b.prev.next = left;
    if (b.next) b.next.prev = right;
    this.heap.push(left);
    this.heap.push(right);
    return undefined;
  }

  private deleteAt(index: number): void {
    const b = this.heap.remove(index);
    if (b.prev) b.prev.next = b.next;
    if (b.next) b.next.prev = b.prev;
  }

  private put(ip: bigint): void {
    const items = this.heap.items;
    if (items.length === 0) {
      this.heap.push(block(ip, ip));
      return;
    }
    let curr = items[0];
    let prev: Block | undefined;
    for (let i = 0; i < 1_000_000; i++) {
      if (ip < curr.from) {
        if (curr.from - 1n === ip) {
          curr.from = ip;
          curr.size = curr.to - curr.from + 1n; // upstream does not re-sort the heap here
          if (curr.prev && curr.prev.to === curr.from - 1n) this.merge(curr.prev, curr);
          return;
        }
        if (curr.prev) {
          if (curr.prev === prev) return this.insert(curr.prev, curr, ip);
          prev = curr;
          curr = curr.prev;
          continue;
        }
        return this.insert(undefined, curr, ip);
      }
      if (curr.to + 1n === ip) {
        curr.to = ip;
        curr.size = curr.to - curr.from + 1n;
        this.heap.fix(i); // upstream re-sorts the entry at the step count, not the grown block's index
        if (curr.next && curr.next.from === curr.to + 1n) this.merge(curr, curr.next);
        return;
      }
      if (curr.next) {
        if (curr.next === prev) return this.insert(curr, curr.next, ip);
        prev = curr;
        curr = curr.next;
        continue;
      }
      return this.insert(curr, undefined, ip);
    }
  }

  private merge(left: Block, right: Block): void {
    const merged = block(left.from, right.to, left.prev, right.next);
    if (left.prev) left.prev.next = merged;
    if (right.next) right.next.prev = merged;
    this.heap.remove(this.heap.items.indexOf(left));
    this.heap.remove(this.heap.items.indexOf(right));
    this.heap.push(merged);
  }

  private insert(left: Block | undefined, right: Block | undefined, ip: bigint): void {
    const b = block(ip, ip, left, right);
    if (left) left.next = b;
    if (right) right.prev = b;
    this.heap.push(b);
  }
}
