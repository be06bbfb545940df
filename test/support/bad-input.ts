import * as fc from 'fast-check';

/**
 * Corrupted props for the bad-input property test: a valid props object with ONE field (or the whole object)
 * replaced, removed, wrapped, turned into a cycle or a throwing getter, or given an extra key. Only plain objects
 * and lists of the valid base are walked and copied; anything else in it (constructs, gateways) is a reference
 * kept as it is.
 */

/** A path into a props object: keys and list indexes. */
export type PropPath = readonly (string | number)[];

/** How sure we are that a corruption is invalid for any field it lands in. */
export type Severity = 'invalid' | 'maybe';

/** One corruption of a base value. */
export interface Corruption {
  readonly path: PropPath;
  readonly label: string;
  readonly severity: Severity;
  /** The path whose field a refusal must name (the changed key, or the path itself). */
  readonly blame: PropPath;
  readonly apply: (base: unknown) => unknown;
}

class Instance {
  public readonly x = 1;
}

/** A value together with what it is and whether every field must refuse it. */
interface BadValue { readonly label: string; readonly severity: Severity; readonly make: () => unknown }

const v = (label: string, severity: Severity, make: () => unknown): BadValue => ({ label, severity, make });

/** Values no field of any props object accepts. */
const INVALID_VALUES: readonly BadValue[] = [
  v('NaN', 'invalid', () => NaN),
  v('Infinity', 'invalid', () => Infinity),
  v('-Infinity', 'invalid', () => -Infinity),
  v('a function', 'invalid', () => () => 1),
  v('a Symbol', 'invalid', () => Symbol('s')),
  v('a bigint', 'invalid', () => BigInt(5)),
  v('a Date', 'invalid', () => new Date(0)),
  v('a Map', 'invalid', () => new Map([['a', 1]])),
  v('a Set', 'invalid', () => new Set([1])),
  v('a RegExp', 'invalid', () => /x/),
  v('a class instance', 'invalid', () => new Instance()),
  v('a boxed string', 'invalid', () => Object('text')),
  v('null', 'invalid', () => null),
  v('a lone surrogate', 'invalid', () => 'a\ud800b'),
  v('a 20,000-deep object', 'invalid', () => {
    let deep: unknown = {};
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    return deep;
  }),
  v('a 20,000-deep list', 'invalid', () => {
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    return deep;
  }),
];

/** Values a field may accept (or refuse with any rule). */
const MAYBE_VALUES: readonly BadValue[] = [
  v('-0', 'maybe', () => -0),
  v('0', 'maybe', () => 0),
  v('-1', 'maybe', () => -1),
  v('1.5', 'maybe', () => 1.5),
  v('1e308', 'maybe', () => 1e308),
  v('2^53+1', 'maybe', () => 2 ** 53 + 1),
  v('true', 'maybe', () => true),
  v('""', 'maybe', () => ''),
  v('a 100,000-character string', 'maybe', () => 'x'.repeat(100_000)),
  v('a line-break string', 'maybe', () => 'a\u2028b: c\u0085- d\r\n--- e'),
  v('a control-character string', 'maybe', () => '\u0000\u0007\u001b\u007f\u0080\ufeff\ufffe'),
  v('[]', 'maybe', () => []),
  v('{}', 'maybe', () => ({})),
  v('undefined', 'maybe', () => undefined),
];

/** Keys added to an object. */
const ADDED_KEYS: readonly { readonly key: string; readonly severity: Severity }[] = [
  { key: '__proto__', severity: 'invalid' },
  { key: 'constructor', severity: 'maybe' },
  { key: 'prototype', severity: 'maybe' },
  { key: 'k'.repeat(1025), severity: 'maybe' },
  { key: '', severity: 'maybe' },
  { key: 'a\u2028b', severity: 'maybe' },
];

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && [Object.prototype, null].includes(Object.getPrototypeOf(x));

/** Every path into the plain objects and lists of `base` (the root included). */
export function pathsOf(base: unknown, prefix: PropPath = []): PropPath[] {
  const out: PropPath[] = [prefix];
  if (Array.isArray(base)) base.forEach((item, i) => out.push(...pathsOf(item, [...prefix, i])));
  else if (isObject(base)) for (const [k, item] of Object.entries(base)) out.push(...pathsOf(item, [...prefix, k]));
  return out;
}

/** A copy of the plain objects and lists of `value` (references kept). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, copy(item)]));
  return value;
}

/** Replaces what `path` points at with `change(old, parent, root)`; the root itself when the path is empty. */
function at(base: unknown, path: PropPath, change: (old: unknown, parent: unknown, root: unknown) => unknown): unknown {
  const root = copy(base);
  if (path.length === 0) return change(root, undefined, root);
  let parent: any = root;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1];
  parent[last] = change(parent[last], parent, root);
  return root;
}

function define(target: object, key: string | number, descriptor: PropertyDescriptor): void {
  Object.defineProperty(target, key, { enumerable: true, configurable: true, ...descriptor });
}

/**
 * Arbitrary corruptions of `base`. With `argumentList`, `base` holds the positional arguments of a function by name:
 * the holder itself is never corrupted, and an argument cannot be a getter.
 */
export function corruptionOf(base: unknown, argumentList = false): fc.Arbitrary<Corruption> {
  const paths = pathsOf(base).filter((p) => !argumentList || p.length > 0);
  const path = fc.constantFrom(...paths);
  const replace = fc.tuple(path, fc.constantFrom(...INVALID_VALUES, ...MAYBE_VALUES)).map(([p, bad]): Corruption => ({
    path: p,
    label: `${bad.label} at ${fmt(p)}`,
    severity: bad.severity,
    blame: p,
    apply: (b) => at(b, p, () => bad.make()),
  }));
  const json = fc.tuple(path, fc.jsonValue({ maxDepth: 3 })).map(([p, value]): Corruption => ({
    path: p, label: `${JSON.stringify(value)} at ${fmt(p)}`, severity: 'maybe', blame: p, apply: (b) => at(b, p, () => value),
  }));
  const objectPaths = paths.filter((p) => isObject(get(base, p)));
  const addKey = objectPaths.length === 0 ? fc.constant(undefined) : fc.tuple(fc.constantFrom(...objectPaths), fc.constantFrom(...ADDED_KEYS),
    fc.constantFrom(...INVALID_VALUES, ...MAYBE_VALUES)).map(([p, { key, severity }, bad]): Corruption => ({
    path: p,
    label: `key ${JSON.stringify(key.length > 20 ? `${key.slice(0, 20)}...` : key)} = ${bad.label} at ${fmt(p)}`,
    severity: severity === 'invalid' || bad.severity === 'invalid' ? 'invalid' : 'maybe',
    blame: [...p, key],
    apply: (b) => at(b, p, (old) => {
      define(old as object, key, { value: bad.make(), writable: true });
      return old;
    }),
  }));
  const keyed = paths.filter((p) => p.length > (argumentList ? 1 : 0));
  const structural = keyed.length === 0 ? fc.constant(undefined) : fc.tuple(fc.constantFrom(...keyed),
    fc.constantFrom('getter that throws', 'cycle to the root', 'cycle to the parent', 'wrapped in a list', 'list as an object', 'removed'))
    .map(([p, kind]): Corruption => ({
      path: p,
      label: `${kind} at ${fmt(p)}`,
      blame: p,
      severity: kind === 'getter that throws' || kind.startsWith('cycle') ? 'invalid' : 'maybe',
      apply: (b) => at(b, p.slice(0, -1), (parent, _grand, root) => {
        const key = p[p.length - 1];
        const target = parent as Record<string | number, unknown>;
        const old = target[key];
        if (kind === 'getter that throws') define(target, key, { get: () => { throw new Error('getter boom'); } });
        else if (kind === 'cycle to the root') target[key] = root;
        else if (kind === 'cycle to the parent') target[key] = target;
        else if (kind === 'wrapped in a list') target[key] = [old];
        else if (kind === 'list as an object') target[key] = Array.isArray(old) ? { ...old } : old;
        else if (Array.isArray(target)) target.splice(key as number, 1);
        else delete target[key];
        return target;
      }),
    }));
  return fc.oneof(
    { arbitrary: replace, weight: 6 },
    { arbitrary: json, weight: 2 },
    { arbitrary: addKey, weight: 2 },
    { arbitrary: structural, weight: 3 },
  ).filter((c): c is Corruption => c !== undefined);
}

function get(base: unknown, path: PropPath): unknown {
  let node: any = base;
  for (const k of path) node = node?.[k];
  return node;
}

/** A path as a field suffix: `.a[0].b`. */
export function fmt(path: PropPath): string {
  return path.length === 0 ? '(props)' : path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
}
