import { isIPv4, isIPv6 } from 'net';
import { RE2JS } from 're2js';
import { BINDINGS_REFERENCE, CRD_CATALOG, CrdEntry, CrdSource } from './crd-catalog';
import { CRD_SCHEMA_INDEX, CRD_SCHEMA_JSON } from './crd-schemas.generated';

/**
 * Runtime check of custom objects against the structural schema (`openAPIV3Schema`) of their CRD, as the
 * API server applies it on create: types, enums, patterns, formats, min/max limits (`maxItems`,
 * `maxLength`, `minimum`, ...), required fields, `anyOf`/`oneOf`/`not`, and closed objects (an unknown
 * field is an error, as with kubectl's default strict field validation). The schemas are generated without
 * descriptions by `scripts/crd-schemas.js` into `crd-schemas.generated.ts`.
 *
 * Why an interpreter and not ajv: compiling the CiliumNetworkPolicy schema alone takes ajv 1.8 to 2.6 s
 * (it generates code for every repeated rule subtree), several times the whole synth; ajv's standalone
 * (precompiled) output for that one schema is 844 KB of JavaScript. Structural schemas allow only the small
 * keyword set below, so interpreting the 57 KB description-free schema costs nothing to start and a few
 * microseconds per object. The generator refuses any keyword or format this file does not evaluate, and the
 * test suite checks that its verdicts equal those of the ajv-based reference validator.
 *
 * Not checked here (the test suite does): CEL rules (`x-kubernetes-validations`), uniqueness of
 * `x-kubernetes-list-type: set|map` items, object names, and admission webhooks.
 */

/** One place where an object breaks its CRD schema. */
export interface SchemaViolation {
  /** Path inside the object, e.g. `spec.ingress[0].toPorts[0].ports` (empty for the object itself). */
  readonly path: string;
  /** The schema keyword that failed (`maxItems`, `pattern`, `unknownField`, `servedVersion`, ...). */
  readonly keyword: string;
  /** What is wrong, with the limit (ajv's wording): `must NOT have more than 40 items`. */
  readonly message: string;
  /** The offending value, as a short text (`41 items`, `"Not A Host"`). */
  readonly value: string;
  /** What to change. */
  readonly fix: string;
}

type Schema = Readonly<Record<string, any>>;

/** Formats the schemas use (the generator refuses any other), with Kubernetes semantics where ajv-formats differs. */
const FORMATS: Readonly<Record<string, { readonly type: 'string' | 'number'; readonly test: (v: any) => boolean }>> = {
  'cidr': { type: 'string', test: isCidr },
  'ipv4': { type: 'string', test: (s: string) => isIPv4(s) },
  'ipv6': { type: 'string', test: (s: string) => isIPv6(s) },
  'idn-hostname': { type: 'string', test: (s: string) => s.length <= 253 && s.split('.').every((part) => HOSTNAME_LABEL.test(part)) },
  'date-time': { type: 'string', test: isDateTime },
  'byte': { type: 'string', test: (s: string) => BASE64.test(s) },
  'int32': { type: 'number', test: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n <= 2 ** 31 - 1 },
  'int64': { type: 'number', test: (n: number) => Number.isInteger(n) },
};

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const HOSTNAME_LABEL = /^[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d(:?\d\d)?)$/;

/** Kubernetes `format: cidr` (Go `net.ParseCIDR`: IPv4 or IPv6, host bits allowed). */
function isCidr(value: string): boolean {
  if (IPV4_CIDR.test(value)) return true;
  const [addr, prefix, extra] = value.split('/');
  return extra === undefined && prefix !== undefined && /^(12[0-8]|1[01]\d|[1-9]?\d)$/.test(prefix) && isIPv6(addr);
}

/** RFC 3339 date-time with a time zone. */
function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 60;
}

/**
 * CRD patterns are Go RE2 expressions and RE2 is the judge: they are evaluated with re2js (RE2 semantics,
 * `\pL`/`\PC` classes included), unanchored like Go's `regexp.MatchString`. The test suite's reference
 * validator uses JavaScript RegExp with the Go-only classes translated (`\PC` -> `\P{C}`, `u` flag); where
 * the two could differ (RE2 has no backreferences or lookaround, its `.` and `\s` differ), this one is right.
 *
 * Start-up: re2js compiles a large alternation in up to 10 ms (the CRDs hold 17 patterns), JavaScript in
 * microseconds. A pattern made only of constructs on which RE2 and JavaScript (`u` flag) agree for every
 * input ({@link isPortablePattern}) runs as a JavaScript RegExp; any other goes to re2js.
 */
export function compilePattern(pattern: string): { test(s: string): boolean } {
  if (isPortablePattern(pattern)) {
    try {
      return new RegExp(pattern, 'u');
    } catch {
      // JavaScript refuses what RE2 accepts (e.g. a lone `{`): RE2 decides.
    }
  }
  return RE2JS.compile(pattern);
}

/** Escapes outside classes that mean the same literal character in RE2 and JavaScript. */
const LITERAL_ESCAPES = '.*+?()[]{}|^$\\/';

/**
 * True when `pattern` uses only printable ASCII literals, the escapes above and `\xHH`, bracket classes of
 * literals and ranges (no leading `]`, no `[:alpha:]`), groups (plain or `(?:`), alternation, quantifiers
 * and `^`/`$`: RE2 and JavaScript (`u` flag, no `m`) give every input the same verdict for those. Excluded:
 * `.`, `\s`, `\w`, `\d`, `\b`, `\p`, flags, `\Q...\E`, `\z`, non-ASCII.
 */
export function isPortablePattern(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return false;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(pattern.slice(i + 2, i + 4))) {
        i += 3;
      } else if (next !== '' && (LITERAL_ESCAPES.includes(next) || (inClass && next === '-'))) {
        i += 1;
      } else {
        return false;
      }
    } else if (inClass) {
      if (c === '[') return false;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i += 1;
      if (pattern[i + 1] === ']') return false;
    } else if (c === '.' || (c === '(' && pattern[i + 1] === '?' && pattern[i + 2] !== ':')) {
      return false;
    }
  }
  return !inClass;
}

const patterns = new Map<string, { test(s: string): boolean }>();
function matchesPattern(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    re = compilePattern(pattern);
    patterns.set(pattern, re);
  }
  return re.test(value);
}

const parsed = new Map<number, Schema>();
function schemaAt(i: number): Schema {
  let schema = parsed.get(i);
  if (!schema) {
    schema = JSON.parse(CRD_SCHEMA_JSON[i]) as Schema;
    parsed.set(i, schema);
  }
  return schema;
}

/** The catalog entry of a group and kind the library emits (and so has schemas for). */
function entryOf(group: string, kind: string): CrdEntry | undefined {
  return CRD_CATALOG.find((e) => e.group === group && e.kind === kind && e.module !== undefined);
}

/** Reference folder per CRD source; today the bindings reference, later the cluster's pinned versions. */
export type SchemaFolders = Readonly<Record<CrdSource, string>>;

/**
 * Checks one object against its CRD schema. Returns `undefined` when the object is not a custom resource
 * this library has a schema for (built-in kinds, kinds of other CRDs), `[]` when it is valid. An apiVersion
 * the CRD does not serve is a violation. The object is not modified (defaults are applied to a copy, as the
 * API server defaults before it validates).
 */
export function checkCrdSchema(object: unknown, folders: SchemaFolders = BINDINGS_REFERENCE): SchemaViolation[] | undefined {
  if (!isPlainObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return undefined;
  const slash = object.apiVersion.indexOf('/');
  if (slash < 0) return undefined;
  const group = object.apiVersion.slice(0, slash);
  const entry = entryOf(group, object.kind);
  if (!entry) return undefined;
  const index = CRD_SCHEMA_INDEX[folders[entry.source]] ?? {};
  const i = index[`${object.apiVersion} ${object.kind}`];
  if (i === undefined) {
    const served = Object.keys(index).filter((k) => k.startsWith(`${group}/`) && k.endsWith(` ${object.kind}`)).map((k) => k.split(' ')[0]);
    return [{
      path: 'apiVersion',
      keyword: 'servedVersion',
      message: `${object.kind}.${group} is not served at ${object.apiVersion} by ${folders[entry.source]}`,
      value: JSON.stringify(object.apiVersion),
      fix: served.length > 0 ? `use apiVersion ${served.join(' or ')}` : `check the ${entry.source} version`,
    }];
  }
  const out: SchemaViolation[] = [];
  check(schemaAt(i), structuredClone(object), '', false, out);
  return out;
}

/** The apiVersion/kind pairs (`group/version Kind`) {@link checkCrdSchema} has a schema for in `folders`. */
export function schemaKinds(folders: SchemaFolders = BINDINGS_REFERENCE): string[] {
  const keys = new Set<string>();
  for (const folder of new Set(Object.values(folders))) Object.keys(CRD_SCHEMA_INDEX[folder] ?? {}).forEach((k) => keys.add(k));
  return [...keys].sort();
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasType(type: string, v: unknown): boolean {
  switch (type) {
    case 'object': return isPlainObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'null': return v === null;
    default: return false;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `${v.length} item${v.length === 1 ? '' : 's'}`;
  if (isPlainObject(v)) return `an object with ${Object.keys(v).length} field${Object.keys(v).length === 1 ? '' : 's'}`;
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Unicode code points, as Kubernetes (Go runes) and ajv count `maxLength`. */
function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** True when `v` satisfies `schema` (a branch of anyOf/oneOf/not: nothing reported, nothing defaulted). */
function valid(schema: Schema, v: unknown): boolean {
  const errors: SchemaViolation[] = [];
  check(schema, v, '', true, errors);
  return errors.length === 0;
}

/**
 * Evaluates `schema` on `v` like ajv with `allErrors` on the reference validator's translation of a
 * structural schema: `nullable` admits null, `x-kubernetes-int-or-string` admits an integer or a string,
 * objects with `properties` are closed unless `x-kubernetes-preserve-unknown-fields` (never inside a
 * value-validation branch: `allOf`/`anyOf`/`oneOf`/`not`), and absent properties with a `default` get it
 * before the object is checked (outside branches), as the API server defaults before validating.
 */
function check(schema: Schema, v: any, path: string, branch: boolean, out: SchemaViolation[]): void {
  const add = (keyword: string, message: string, fix: string, at = path, value: unknown = v) => {
    out.push({ path: at, keyword, message, value: show(value), fix });
  };
  const nullable = schema.nullable === true;
  if (schema.type !== undefined && !(hasType(schema.type, v) || (nullable && v === null))) {
    add('type', `must be ${schema.type}`, `give a${/^[aeiou]/.test(schema.type) ? 'n' : ''} ${schema.type}`);
    return checkJunctors(schema, v, path, out);
  }
  if (schema['x-kubernetes-int-or-string'] === true && schema.type === undefined && schema.anyOf === undefined
    && !(hasType('integer', v) || typeof v === 'string')) {
    add('anyOf', 'must be an integer or a string', 'give a port number or a name');
  }
  if (schema.enum !== undefined && !(nullable && v === null) && !(schema.enum as unknown[]).some((e) => deepEqual(e, v))) {
    add('enum', `must be equal to one of the allowed values: ${(schema.enum as unknown[]).map((e) => JSON.stringify(e)).join(', ')}`,
      'use one of the allowed values');
  }
  checkJunctors(schema, v, path, out);
  if (typeof v === 'string') {
    if (schema.maxLength !== undefined && length(v) > schema.maxLength) {
      add('maxLength', `must NOT have more than ${schema.maxLength} characters`, `shorten it to at most ${schema.maxLength} characters`);
    }
    if (schema.minLength !== undefined && length(v) < schema.minLength) {
      add('minLength', `must NOT have fewer than ${schema.minLength} characters`, `give at least ${schema.minLength} character${schema.minLength === 1 ? '' : 's'}`);
    }
    if (schema.pattern !== undefined && !matchesPattern(schema.pattern, v)) {
      add('pattern', `must match pattern "${schema.pattern}"`, 'use a value the pattern accepts (see the CRD)');
    }
  }
  if (schema.format !== undefined) {
    const format = FORMATS[schema.format];
    if (format && typeof v === format.type && !format.test(v)) {
      add('format', `must match format "${schema.format}"`, `give a valid ${schema.format}`);
    }
  }
  if (typeof v === 'number') {
    if (schema.maximum !== undefined && v > schema.maximum) add('maximum', `must be <= ${schema.maximum}`, `use at most ${schema.maximum}`);
    if (schema.minimum !== undefined && v < schema.minimum) add('minimum', `must be >= ${schema.minimum}`, `use at least ${schema.minimum}`);
  }
  if (Array.isArray(v)) {
    if (schema.maxItems !== undefined && v.length > schema.maxItems) {
      add('maxItems', `must NOT have more than ${schema.maxItems} items`, `list at most ${schema.maxItems} items here (split the rest into another rule or object)`);
    }
    if (schema.minItems !== undefined && v.length < schema.minItems) {
      add('minItems', `must NOT have fewer than ${schema.minItems} items`, `list at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    }
    if (schema.items !== undefined) v.forEach((item, i) => check(schema.items, item, child(path, i), branch, out));
  }
  if (isPlainObject(v)) checkObject(schema, v, path, branch, out);
}

function checkJunctors(schema: Schema, v: unknown, path: string, out: SchemaViolation[]): void {
  const add = (keyword: string, message: string, fix: string) => out.push({ path, keyword, message, value: show(v), fix });
  if (schema.allOf !== undefined) for (const s of schema.allOf as Schema[]) check(s, v, path, true, out);
  if (schema.anyOf !== undefined && !(schema.anyOf as Schema[]).some((s) => valid(s, v))) {
    add('anyOf', 'must match a schema in anyOf', 'set one of the alternatives the CRD allows here');
  }
  if (schema.oneOf !== undefined && (schema.oneOf as Schema[]).filter((s) => valid(s, v)).length !== 1) {
    add('oneOf', 'must match exactly one schema in oneOf', 'set exactly one of the alternatives the CRD allows here');
  }
  if (schema.not !== undefined && valid(schema.not, v)) add('not', 'must NOT be valid against the schema in "not"', 'remove the combination the CRD forbids here');
}

function checkObject(schema: Schema, v: Record<string, any>, path: string, branch: boolean, out: SchemaViolation[]): void {
  const properties: Record<string, Schema> | undefined = schema.properties;
  if (properties && !branch) {
    for (const [key, sub] of Object.entries(properties)) {
      if (v[key] === undefined && sub.default !== undefined) v[key] = structuredClone(sub.default);
    }
  }
  for (const key of (schema.required ?? []) as string[]) {
    if (v[key] === undefined) {
      out.push({ path, keyword: 'required', message: `must have required property '${key}'`, value: show(v), fix: `set ${child(path, key)}` });
    }
  }
  const keys = Object.keys(v);
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    out.push({ path, keyword: 'maxProperties', message: `must NOT have more than ${schema.maxProperties} properties`, value: show(v), fix: `set at most ${schema.maxProperties} fields here` });
  }
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    out.push({ path, keyword: 'minProperties', message: `must NOT have fewer than ${schema.minProperties} properties`, value: show(v), fix: `set at least ${schema.minProperties} field${schema.minProperties === 1 ? '' : 's'} here` });
  }
  const closed = schema.additionalProperties === false
    || (properties !== undefined && schema.additionalProperties === undefined && !branch && schema['x-kubernetes-preserve-unknown-fields'] !== true);
  for (const key of keys) {
    const sub = properties?.[key];
    if (sub) {
      check(sub, v[key], child(path, key), branch, out);
    } else if (isPlainObject(schema.additionalProperties)) {
      check(schema.additionalProperties, v[key], child(path, key), branch, out);
    } else if (closed) {
      out.push({
        path: child(path, key),
        keyword: 'unknownField',
        message: 'unknown field (not in the CRD schema; the API server refuses or prunes it)',
        value: show(v[key]),
        fix: `remove it or fix its spelling${properties ? ` (known here: ${Object.keys(properties).join(', ')})` : ''}`,
      });
    }
  }
}
