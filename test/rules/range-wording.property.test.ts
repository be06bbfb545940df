import { App } from 'cdk8s';
import * as fc from 'fast-check';
import { KindCiliumCluster, LoadBalancerIpPool, Violation } from '../../src';
import { formatIpv4, formatRange, parseIpv4, parseIpv4Cidr, Ipv4Cidr } from '../../src/private/ipv4';
import { dockerReservedRanges } from '../../src/spec/docker-network';

/**
 * Every message that prints an address range prints the addresses it is about: the intersection of the two
 * ranges it compares (never a whole reserved range the block only touches), and a single address as that
 * address (never `a-a`). Checked over random docker networks and random blocks.
 */

const ADDRESS = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;
const RANGE_TEXT = new RegExp(`(${ADDRESS})(?:-(${ADDRESS}))?(?!/)`, 'g');

/** The addresses named in a text fragment, as a sorted list of numbers (ranges expanded). */
function addressesIn(fragment: string): number[] {
  const out: number[] = [];
  for (const m of fragment.matchAll(RANGE_TEXT)) {
    const first = parseIpv4(m[1])!;
    const last = m[2] === undefined ? first : parseIpv4(m[2])!;
    // A range of one address is printed as the address.
    expect({ text: m[0], single: first === last && m[2] !== undefined }).toEqual({ text: m[0], single: false });
    expect(first).toBeLessThan(last + 1);
    for (let a = first; a <= last; a++) out.push(a);
  }
  return out.sort((x, y) => x - y);
}

function between(first: number, last: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let a = Math.max(first, lo); a <= Math.min(last, hi); a++) out.push(a);
  return out;
}

/** A docker network /20-/28 somewhere in 172.16.0.0/12, and a block of up to 40 addresses near its edges. */
const scenario = fc.integer({ min: 20, max: 28 }).chain((prefix) => fc.record({
  subnet: fc.integer({ min: 0, max: 2 ** (prefix - 12) - 1 }).map((i) => parseIpv4Cidr(`${formatIpv4(0xac100000 + i * 2 ** (32 - prefix))}/${prefix}`) as Ipv4Cidr),
  atTop: fc.boolean(),
  offset: fc.integer({ min: 0, max: 300 }),
  length: fc.integer({ min: 1, max: 40 }),
}));

function poolViolations(subnet: Ipv4Cidr, blocks: { first: number; last: number }[]): Violation[] {
  const cluster = new KindCiliumCluster(new App(), 'lab', { clusterName: 'lab', dockerNetworkSubnet: subnet.cidr, podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16' });
  new LoadBalancerIpPool(cluster, 'pool', { blocks: blocks.map((b) => ({ start: formatIpv4(b.first), stop: formatIpv4(b.last) })) });
  return cluster.violations();
}

test('formatRange prints a single address as the address, and a wider range as first-last', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 300 }), (first, extra) => {
    const last = Math.min(first + extra, 2 ** 32 - 1);
    expect(formatRange({ first, last })).toBe(first === last ? formatIpv4(first) : `${formatIpv4(first)}-${formatIpv4(last)}`);
  }), { numRuns: 300 });
});

test('pool-covers-docker-addresses names exactly the reserved addresses inside the block, each with its reason', () => {
  fc.assert(fc.property(scenario, ({ subnet, atTop, offset, length }) => {
    const size = subnet.last - subnet.first + 1;
    const first = atTop ? Math.max(subnet.first, subnet.last - (offset % size)) : subnet.first + (offset % size);
    const last = Math.min(first + length - 1, subnet.last);
    const reserved = dockerReservedRanges(subnet);
    const expected = [...new Set(reserved.flatMap((r) => between(first, last, r.first, r.last)))].sort((x, y) => x - y);
    const found = poolViolations(subnet, [{ first, last }]).filter((v) => v.rule === 'pool-covers-docker-addresses');
    if (expected.length === 0) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    const covered = /^block \S+ covers (.*); with L2 announcements/.exec(found[0].problem);
    expect(covered).not.toBeNull();
    expect(addressesIn(covered![1])).toEqual(expected);
    for (const r of reserved.filter((x) => x.first <= last && first <= x.last)) expect(covered![1]).toContain(r.reason);
  }), { numRuns: 150 });
});

test('pools-overlap names the addresses both blocks hold', () => {
  const subnet = parseIpv4Cidr('172.18.0.0/16') as Ipv4Cidr;
  const base = parseIpv4('172.18.250.0')!;
  const offset = fc.integer({ min: 0, max: 60 });
  const length = fc.integer({ min: 1, max: 30 });
  fc.assert(fc.property(offset, length, offset, length,
    (a, la, b, lb) => {
      const blocks = [{ first: base + a, last: base + a + la - 1 }, { first: base + b, last: base + b + lb - 1 }];
      const shared = between(blocks[0].first, blocks[0].last, blocks[1].first, blocks[1].last);
      const found = poolViolations(subnet, blocks).filter((v) => v.rule === 'pools-overlap');
      if (shared.length === 0) {
        expect(found).toEqual([]);
        return;
      }
      expect(found).toHaveLength(1);
      const both = /both hold (\S+)/.exec(found[0].problem);
      expect(both).not.toBeNull();
      expect(addressesIn(both![1])).toEqual(shared);
    }), { numRuns: 150 });
});

test('the reported example: .1-.1 covers only the gateway', () => {
  const subnet = parseIpv4Cidr('172.18.0.0/16') as Ipv4Cidr;
  const gateway = parseIpv4('172.18.0.1')!;
  const [v] = poolViolations(subnet, [{ first: gateway, last: gateway }]).filter((x) => x.rule === 'pool-covers-docker-addresses');
  expect(v.problem).toMatch(/^block 172\.18\.0\.1-172\.18\.0\.1 covers 172\.18\.0\.1 \(docker's gateway\);/);
});
