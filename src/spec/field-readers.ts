import { invalid } from '../errors';
import { Ipv4Cidr, parseIpv4Cidr } from '../private/ipv4';
import { rejectUnknownKeys } from '../private/props';
import { isPlainObject, parseGoDuration } from '../private/syntax';

// ------------------------------------------------------------------------------------------------
// Input guards. JavaScript and JSON callers can pass any type; every guard answers a wrong type with
// a PlatformConfigError naming the field (never a TypeError, never a silent coercion).
// `undefined` means "not given" (the default applies); `null` is a wrong type like any other.
// ------------------------------------------------------------------------------------------------

/** A short, safe description of a value of the wrong type, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return `the string ${JSON.stringify(value)}`;
    case 'number': return `the number ${value}`;
    case 'boolean': return `the boolean ${value}`;
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

/** Throws `invalid-type` for `field`: "is <value>, not <expected>", with `fix`. */
export function wrongType(field: string, value: unknown, expected: string, fix: string): never {
  return invalid('invalid-type', field, `is ${describeValue(value)}, not ${expected}`, fix);
}

/**
 * An optional group of options (`hubble`, `masquerade`, ...): undefined when not given. With `known`, a key
 * outside it is refused (rule `unknown-prop`); `what` names the group in that message (default: the last
 * segment of `field`).
 */
export function optionalObject<T extends object>(field: string, value: T | undefined, example: string, known?: readonly string[],
  what = field.slice(field.lastIndexOf('.') + 1), hints: Readonly<Record<string, string>> = {}): Partial<T> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) wrongType(field, value, 'an object', `write it as an object, e.g. ${example}, or leave it out for the defaults`);
  if (known) rejectUnknownKeys(field, value, known, what, hints);
  return value as Partial<T>;
}

/** A boolean prop; `defaultValue` when not given. */
export function bool(field: string, value: unknown, defaultValue: boolean): boolean {
  if (value === undefined) return defaultValue;
  if (typeof value !== 'boolean') wrongType(field, value, 'a boolean', 'write true or false without quotes');
  return value as boolean;
}

/** A string prop; `defaultValue` when not given (required when `defaultValue` is undefined). */
export function text(field: string, value: unknown, defaultValue: string | undefined, fix: string): string {
  if (value === undefined && defaultValue !== undefined) return defaultValue;
  if (typeof value !== 'string') wrongType(field, value, 'a string', fix);
  return value as string;
}

/** An integer prop between `min` and `max` (rule `invalid-number`); `defaultValue` when not given (required when undefined). */
export function integer(field: string, value: unknown, defaultValue: number | undefined, min: number, max: number, fix: string): number {
  if (value === undefined && defaultValue !== undefined) return defaultValue;
  if (typeof value !== 'number') wrongType(field, value, 'a number', `write it as a number without quotes; ${fix}`);
  const n = value as number;
  if (!Number.isInteger(n) || n < min || n > max) {
    invalid('invalid-number', field, `${n} is not an integer between ${min} and ${max}`, fix);
  }
  return n;
}

/** A TCP/UDP port, 1-65535. */
export function port(field: string, value: unknown, defaultValue?: number): number {
  return integer(field, value, defaultValue, 1, 65535, 'use a TCP/UDP port number between 1 and 65535');
}

/** One of the strings `allowed` (refused under `rule`, naming `what` it must be); `defaultValue` when not given. */
export function oneOf<T extends string>(rule: string, field: string, value: unknown, allowed: readonly T[], defaultValue: T, what: string): T {
  if (value === undefined) return defaultValue;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalid(rule, field, typeof value === 'string' ? `"${value}" is not ${what}` : `is ${describeValue(value)}, not ${what}`,
      `use ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

/** A list prop, copied; a copy of `defaultValue` when not given. */
export function list(field: string, value: unknown, defaultValue: readonly unknown[], fix: string): unknown[] {
  if (value === undefined) return [...defaultValue];
  if (!Array.isArray(value)) wrongType(field, value, 'a list', fix);
  return [...(value as unknown[])];
}

/** A list of strings; a copy of `defaultValue` when not given. */
export function stringList(field: string, value: unknown, defaultValue: readonly string[], fix: string): string[] {
  return list(field, value, defaultValue, fix).map((item, i) => text(`${field}[${i}]`, item, undefined, fix));
}

/** An object of string keys and string values, copied; `{}` when not given. */
export function stringRecord(field: string, value: unknown, fix: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) wrongType(field, value, 'an object of string keys and values', fix);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = text(`${field}["${key}"]`, item, undefined, fix);
  }
  return out;
}

/** An IPv4 CIDR prop; `example` is what the fix names (an accepted value: see {@link subnetExample}). */
export function cidr(field: string, value: unknown, defaultValue: string | undefined, example: string): Ipv4Cidr {
  const fix = `give an IPv4 network address with prefix length, e.g. ${example} (IPv6 and dual-stack are not supported yet)`;
  const parsed = parseIpv4Cidr(text(field, value, defaultValue, fix));
  if (typeof parsed === 'string') invalid('invalid-cidr', field, parsed, fix);
  return parsed;
}

/** A Go duration string such as 3s, 500ms or 1m30s (rule `invalid-duration`); `defaultValue` when not given. */
export function duration(field: string, value: unknown, defaultValue: string): string {
  const d = text(field, value, defaultValue, 'write it as a Go duration string like 3s, 500ms or 1m30s');
  if (parseGoDuration(d) === undefined) {
    invalid('invalid-duration', field, `"${d}" is not a Go duration`, 'write it like 3s, 500ms or 1m30s');
  }
  return d;
}
