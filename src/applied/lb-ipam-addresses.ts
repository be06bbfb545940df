/**
 * IP addresses and prefixes as Cilium's operator reads them: Go's `net/netip` (`ParseAddr`, `ParsePrefix`,
 * `Addr.String`), which `operator/pkg/lbipam` uses for pool blocks, requested addresses and Service ingresses.
 * An address is its family width and its value as an unsigned big integer, so IPv4 and IPv6 share one arithmetic.
 *
 * Go's grammar is the judge, not JavaScript's or Node's: no leading zeros in IPv4 fields (`010.0.0.1` is refused),
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`) stays an IPv6 address (Go's `Is6()` is true for it, so it never falls inside an
 * IPv4 range), prefix lengths have no leading zeros, and `ParsePrefix` keeps host bits (`10.0.0.5/24` is accepted;
 * Cilium then masks it with `Prefix.Masked()`). No library here follows all of these rules, hence this small module.
 */

/** One IP address: `bits` 32 (IPv4) or 128 (IPv6, IPv4-mapped included) and the unsigned value. */
export interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

/** A parsed prefix: its first and last address (after masking, as Cilium's `RangeFromPrefix` does) and its length. */
export interface IpPrefix {
  readonly first: IpAddress;
  readonly last: IpAddress;
  readonly length: number;
}

const V4_FIELD = /^(0|[1-9][0-9]{0,2})$/;

function parseV4Value(text: string): bigint | undefined {
  const fields = text.split('.');
  if (fields.length !== 4) return undefined;
  let value = 0n;
  for (const f of fields) {
    if (!V4_FIELD.test(f) || Number(f) > 255) return undefined;
    value = value * 256n + BigInt(Number(f));
  }
  return value;
}

function parseV6Value(text: string): bigint | undefined {
  if (text.length === 0) return undefined;
  // An embedded IPv4 address may end the text (`::ffff:1.2.3.4`, `64:ff9b::10.0.0.1`): it stands for two groups.
  let groupsText = text;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > lastColon && lastColon >= 0) {
    const v4 = parseV4Value(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 / 65536n, v4 % 65536n];
    groupsText = `${text.slice(0, lastColon + 1)}`;
    // `1::1.2.3.4` leaves `1::` (ellipsis stays), `1:2:3:4:5:6:1.2.3.4` leaves `1:2:3:4:5:6:`: drop a lone trailing ':'.
    if (groupsText.endsWith(':') && !groupsText.endsWith('::')) groupsText = groupsText.slice(0, -1);
  }
  const halves = groupsText.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): bigint[] | undefined => {
    if (s === '') return [];
    const out: bigint[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(parseInt(g, 16)));
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === undefined || rest === undefined) return undefined;
  const given = head.length + rest.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    // `::` stands for at least one group of zeros (Go refuses `::` in a full 8-group address).
    if (given > 7) return undefined;
    groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest, ...tail];
  } else {
    if (given !== 8) return undefined;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, g) => acc * 65536n + g, 0n);
}

/**
 * Parses an address as Go's `netip.ParseAddr` does, or returns `undefined`. A zoned IPv6 address (`fe80::1%eth0`) is
 * refused here: Go keeps the zone and compares it after the address, which LB-IPAM never expects in a request.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseV6Value(text);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseV4Value(text);
  return value === undefined ? undefined : { bits: 32, value };
}

/**
 * Parses `addr/len` as Go's `netip.ParsePrefix` (no zone, length in decimal without leading zeros, at most the family
 * width) and masks it as Cilium's `RangeFromPrefix` does. Returns an error text when Go would refuse it.
 */
export function parsePrefix(text: string): IpPrefix | string {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return `no '/' in "${text}"`;
  const addr = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!addr) return `"${text.slice(0, slash)}" is not an IP address`;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > addr.bits) return `bad bits after slash: "${lenText}"`;
  const length = Number(lenText);
  const size = 2n ** BigInt(addr.bits - length);
  const first = addr.value - (addr.value % size);
  const last = first + size - 1n;
  return { first: { bits: addr.bits, value: first }, last: { bits: addr.bits, value: last }, length };
}

/** Go's `Addr.Compare`: the family width first (every IPv4 address sorts before every IPv6 one), then the value. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.bits !== b.bits) return a.bits - b.bits;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** True when `ip` lies in the inclusive range `[from, to]` (same family). */
export function ipInRange(ip: IpAddress, from: IpAddress, to: IpAddress): boolean {
  return compareIp(ip, from) >= 0 && compareIp(ip, to) <= 0;
}

function formatV4(value: bigint): string {
  return [2n ** 24n, 2n ** 16n, 2n ** 8n, 1n].map((unit) => String((value / unit) % 256n)).join('.');
}

/** An IPv6 address of the form `::ffff:a.b.c.d` (Go's `Is4In6`). */
export function isV4Mapped(ip: IpAddress): boolean {
  return ip.bits === 128 && ip.value / 2n ** 32n === 0xffffn;
}

/**
 * Go's `Addr.String`: dotted quad for IPv4; for IPv6 the RFC 5952 form (lower case, the longest run of two or more zero
 * groups as `::`, the first such run on a tie) and `::ffff:a.b.c.d` for an IPv4-mapped address.
 */
export function formatIp(ip: IpAddress): string {
  if (ip.bits === 32) return formatV4(ip.value);
  if (isV4Mapped(ip)) return `::ffff:${formatV4(ip.value % 2n ** 32n)}`;
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value / 2n ** BigInt(112 - 16 * i)) % 65536n));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
