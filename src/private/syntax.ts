import { invalid } from '../errors';

/**
 * Syntax shared by every field check: Kubernetes names and labels, Go durations, plain objects.
 * One definition each, so the constructs cannot drift apart on what "valid" means.
 */

/** DNS-1123 label (namespace and object names); callers check the length limit they need. */
export const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** DNS-1123 subdomain (object names, DNS domains); at most 253 characters, checked by callers. */
export const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes label key: optional DNS prefix + "/" + name of at most 63 characters. */
export const LABEL_KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label value: empty or at most 63 alphanumerics, "-", "_" or ".". */
export const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Go duration units in nanoseconds (Go accepts both micro signs, U+00B5 and U+03BC). */
const DURATION_UNIT_NS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const TWO_63 = 2n ** 63n;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * Parses a Go duration into nanoseconds, or undefined when Go's `time.ParseDuration` refuses it. A line-by-line
 * port of Go's parser (grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0` alone after the sign): a leading sign
 * (`+5s`, `-1.5h`), fractions without leading or trailing digits (`.5s`, `5.s`), several components (`1h30m`),
 * units ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h; refused: a missing or unknown unit, no digits (`.s`),
 * more than 2^63-1 ns. Tests compare it with Go itself (`helm --timeout`, parsed by Go's time.ParseDuration).
 */
export function parseGoDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  let s = text;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return undefined;
    // [0-9]* (Go's leadingInt: overflow past 2^63 is an error)
    let i = 0;
    let v = 0n;
    for (; isDigit(s[i]); i++) {
      if (v > TWO_63 / 10n) return undefined;
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) return undefined;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)? (Go's leadingFraction: digits past the precision are consumed and ignored)
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return undefined;
    // the unit: everything up to the next digit or '.'
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++;
    if (u === 0) return undefined;
    const unit = DURATION_UNIT_NS[s.slice(0, u)];
    s = s.slice(u);
    if (unit === undefined) return undefined;
    if (v > TWO_63 / unit) return undefined;
    v *= unit;
    if (f > 0n) {
      // float64 arithmetic and truncation, exactly as Go: uint64(float64(f) * (float64(unit) / scale))
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return undefined;
    }
    d += v;
    if (d > TWO_63) return undefined;
  }
  if (neg) return d === 0n ? 0 : -Number(d);
  if (d > TWO_63 - 1n) return undefined;
  return Number(d);
}

/** A plain object (`{...}`), not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws unless `value` is a DNS-1123 label of at most `max` characters. */
export function checkDnsLabel(rule: string, field: string, value: string, max: number, what: string): string {
  if (typeof value !== 'string' || !DNS_LABEL_RE.test(value) || value.length > max) {
    invalid(rule, field, `"${value}" is not a valid ${what}`,
      `use at most ${max} lowercase letters, digits or "-", starting and ending with a letter or digit`);
  }
  return value;
}

/** Throws unless `value` is a namespace name (DNS-1123 label). */
export function checkNamespace(field: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL_RE.test(value)) {
    invalid('invalid-namespace', field, `${JSON.stringify(value)} is not a namespace name`,
      'use at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit');
  }
  return value;
}

