import { isIPv4, isIPv6 } from 'net';
import * as fc from 'fast-check';
import { compareIp, formatIp, IpAddress, isV4Mapped, parseIp, parsePrefix } from '../../src/applied/lb-ipam-addresses';

/**
 * Go's `net/netip` grammar as LB-IPAM reads pool blocks, requests and ingresses. Oracles: Node's `net.isIPv4/isIPv6`
 * for well-formed addresses, and the WHATWG URL serializer for the canonical IPv6 text (same rules as Go's
 * `Addr.String` except for IPv4-mapped addresses, which Go writes as `::ffff:a.b.c.d`).
 */

const v4 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((value): IpAddress => ({ bits: 32, value }));
/** IPv6 values with runs of zero groups, so `::` placement is exercised. */
const v6 = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups): IpAddress => ({ bits: 128, value: groups.reduce((acc, g) => acc * 65536n + BigInt(g), 0n) }));

describe('Go netip addresses', () => {
  test('every address prints and parses back to itself', () => {
    fc.assert(fc.property(fc.oneof(v4, v6), (ip) => {
      const text = formatIp(ip);
      expect(parseIp(text)).toEqual(ip);
      expect(ip.bits === 32 ? isIPv4(text) : isIPv6(text)).toBe(true);
    }), { numRuns: 500, seed: 20261204 });
  });

  test('IPv6 text is canonical (RFC 5952, as the WHATWG serializer writes it), IPv4-mapped aside', () => {
    fc.assert(fc.property(v6.filter((ip) => !isV4Mapped(ip)), (ip) => {
      const text = formatIp(ip);
      expect(`[${text}]`).toBe(new URL(`http://[${text}]/`).hostname);
    }), { numRuns: 500, seed: 20261205 });
  });

  test.each([
    ['10.0.10.1', '10.0.10.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['FF::0', 'ff::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::ffff:a00:1', '::ffff:10.0.0.1'],
    ['64:ff9b::10.0.0.1', '64:ff9b::a00:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('%s is an address printed %s', (text, printed) => {
    const ip = parseIp(text);
    expect(ip && formatIp(ip)).toBe(printed);
  });

  test.each(['010.0.0.1', '10.0.0', '10.0.0.256', '10.0.0.1.', ' 10.0.0.1', '1:2:3:4:5:6:7:8:9', '1::2::3', '1:2:3:4:5:6:7::8', '', '::ffff:10.0.0.01', '12345::'])(
    '%j is not an address for Go', (text) => {
      expect(parseIp(text)).toBeUndefined();
    });

  test('a zoned IPv6 address is refused (a documented simplification: Go keeps the zone, LB-IPAM never expects one)', () => {
    expect(parseIp('fe80::1%eth0')).toBeUndefined();
  });

  test('IPv4-mapped IPv6 stays IPv6, so it sorts after every IPv4 address', () => {
    const mapped = parseIp('::ffff:10.0.0.1')!;
    expect(mapped.bits).toBe(128);
    expect(compareIp(parseIp('255.255.255.255')!, mapped)).toBeLessThan(0);
  });

  test('prefixes keep host bits until masked, refuse leading zeros in the length and zones', () => {
    const p = parsePrefix('10.0.10.5/24');
    expect(typeof p !== 'string' && [formatIp(p.first), formatIp(p.last), p.length]).toEqual(['10.0.10.0', '10.0.10.255', 24]);
    const v6p = parsePrefix('FF::0/48');
    expect(typeof v6p !== 'string' && [formatIp(v6p.first), formatIp(v6p.last)]).toEqual(['ff::', 'ff::ffff:ffff:ffff:ffff:ffff']);
    for (const bad of ['10.0.0.0/024', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/-1', 'fe80::%eth0/64', '::/129']) expect(typeof parsePrefix(bad)).toBe('string');
  });
});
