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
const DURATION_UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION_RE = /^(\d+(\.\d+)?(ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g;

/** Parses a Go duration (`3s`, `500ms`, `1h30m`) into nanoseconds, or undefined when it is not one. */
export function parseGoDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !DURATION_RE.test(text)) return undefined;
  let ns = 0;
  for (const m of text.matchAll(DURATION_PART_RE)) ns += Number(m[1]) * DURATION_UNIT_NS[m[2]];
  return Math.round(ns);
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

