/**
 * Minimal IPv4 arithmetic for subnet and pool checks. Addresses are unsigned 32-bit numbers.
 */

/** An inclusive range of IPv4 addresses. */
export interface Ipv4Range {
  /** First address, as an unsigned 32-bit number. */
  readonly first: number;
  /** Last address (inclusive). */
  readonly last: number;
}

/** A parsed IPv4 CIDR. */
export interface Ipv4Cidr extends Ipv4Range {
  /** The canonical text form, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Prefix length (0-32). */
  readonly prefix: number;
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Parses a dotted-quad IPv4 address, or returns undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4_RE.exec(text);
  if (!m) return undefined;
  return ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]);
}

/** Formats an unsigned 32-bit number as a dotted quad. */
export function formatIpv4(value: number): string {
  return [2 ** 24, 2 ** 16, 2 ** 8, 1].map((unit) => Math.floor(value / unit) % 256).join('.');
}

/**
 * Parses `a.b.c.d/n`. Returns a string explaining the problem when the text is not a canonical
 * IPv4 CIDR (host bits must be zero, as Kubernetes and Cilium expect).
 */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
  const [addr, prefixText, extra] = String(text).split('/');
  if (extra !== undefined || prefixText === undefined || !/^(3[0-2]|[12]?[0-9])$/.test(prefixText)) {
    return `"${text}" is not an IPv4 CIDR like 10.0.0.0/16`;
  }
  const base = parseIpv4(addr);
  if (base === undefined) return `"${text}" is not an IPv4 CIDR like 10.0.0.0/16`;
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  if (first !== base) {
    return `"${text}" has host bits set; the network address is ${formatIpv4(first)}/${prefix}`;
  }
  return { cidr: `${formatIpv4(first)}/${prefix}`, prefix, first, last: first + size - 1 };
}

/** Number of addresses in a range. */
export function rangeSize(r: Ipv4Range): number {
  return r.last - r.first + 1;
}

/** True when `inner` lies completely inside `outer`. */
export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

/** True when the two ranges share at least one address. */
export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The addresses two ranges share, or undefined when they are disjoint. */
export function rangeIntersection(a: Ipv4Range, b: Ipv4Range): Ipv4Range | undefined {
  const first = Math.max(a.first, b.first);
  const last = Math.min(a.last, b.last);
  return first <= last ? { first, last } : undefined;
}

/** Human form of a range, for messages: `a.b.c.d-e.f.g.h`, or `a.b.c.d` when it holds one address. */
export function formatRange(r: Ipv4Range): string {
  return r.first === r.last ? formatIpv4(r.first) : `${formatIpv4(r.first)}-${formatIpv4(r.last)}`;
}

/** Items of a message list: `a`, `a and b`, `a, b and c`. */
export function joinList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The 8 16-bit groups of an IPv6 address as Go's `net.ParseIP` reads it (hex groups of 1-4 digits, at most one
 * `::`, an optional trailing dotted IPv4 part, no zone), or undefined when it is not one.
 */
export function parseIpv6(text: string): number[] | undefined {
  if (typeof text !== 'string' || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (last && i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  if (halves.length === 1) {
    const all = groups(halves[0], true);
    return all && all.length === 8 ? all : undefined;
  }
  const head = groups(halves[0], false);
  const tail = groups(halves[1], true);
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
}

/** True for an IPv6 address (see {@link parseIpv6}). */
export function isIpv6Address(text: string): boolean {
  return parseIpv6(text) !== undefined;
}

/** True for an "every address" listen address: `0.0.0.0` or the IPv6 unspecified address `::` (in any spelling). */
export function isUnspecifiedAddress(text: string): boolean {
  return text === '0.0.0.0' || (parseIpv6(text)?.every((g) => g === 0) ?? false);
}
