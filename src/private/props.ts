import { closest, distance } from 'fastest-levenshtein';
import { PlatformConfigError, Violation } from '../errors';
import { describeValue, errorText, hasLoneSurrogate } from './plain-data';
import { isPlainObject } from './syntax';
import { kustomizeCarries } from './yaml';

/** Keys of `T` that are strings. */
type StringKey<T> = keyof T & string;

/**
 * The complete list of the keys of a props interface, checked at compile time: a key that is not in `T`
 * does not type-check, and neither does a list that misses one (the error names the missing key). Used
 * to refuse unknown keys from JavaScript and JSON callers at run time.
 *
 * @example const POOL_PROPS = propKeys<LoadBalancerIpPoolProps>()('name', 'blocks', 'serviceSelector', 'disabled', 'allowFirstLastIps');
 */
export function propKeys<T>() {
  return <const K extends readonly StringKey<T>[]>(
    ...keys: K & ([Exclude<StringKey<T>, K[number]>] extends [never] ? unknown : { readonly missingKeys: Exclude<StringKey<T>, K[number]> })
  ): readonly string[] => keys;
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = key.toLowerCase();
  const caseOnly = known.find((k) => k.toLowerCase() === lower);
  if (caseOnly) return caseOnly;
  const best = closest(key, [...known]);
  return distance(key, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** The violation (rule `unknown-prop`) for a key of a `what` props object that is not in `known`. */
function unknownKey(field: string, key: string, known: readonly string[], what: string, hints: Readonly<Record<string, string>>): Violation {
  const hint = Object.prototype.hasOwnProperty.call(hints, key) ? hints[key] : undefined;
  const suggestion = closestKey(key, known);
  return {
    rule: 'unknown-prop',
    field: `${field}.${key}`,
    problem: `"${key}" is not a ${what} prop, so it would be ignored`,
    fix: hint !== undefined
      ? hint
      : suggestion
        ? `did you mean "${suggestion}"? (the ${what} props are ${known.join(', ')})`
        : `remove it; the ${what} props are ${known.join(', ')}`,
  };
}

/**
 * Throws a {@link PlatformConfigError} (rule `unknown-prop`) naming every key of `value` that is not in `known`,
 * each with the closest known key as the fix. TypeScript callers cannot pass such a key; JavaScript and JSON callers
 * can, and it would otherwise be dropped without a word.
 *
 * @param field path of the object in messages, e.g. `dev.hubble`
 * @param what what the object is, e.g. `KindCiliumCluster`
 * @param hints targeted fixes for keys that belong elsewhere (e.g. a pool's `cidr`, which goes inside `blocks`);
 *   they win over the closest-key guess
 */
export function rejectUnknownKeys(field: string, value: unknown, known: readonly string[], what: string,
  hints: Readonly<Record<string, string>> = {}): void {
  if (!isPlainObject(value)) return;
  const violations = Object.keys(value).filter((key) => !known.includes(key)).map((key) => unknownKey(field, key, known, what, hints));
  if (violations.length > 0) throw new PlatformConfigError(violations);
}

// ------------------------------------------------------------------------------------------------
// Prop shapes: ONE check of a construct's props before anything reads them. JavaScript and JSON callers can
// pass anything; each construct declares the shape of its props (complete and checked against the props
// interface at compile time) and reads only the checked copy.
// ------------------------------------------------------------------------------------------------

/**
 * What a prop holds: a string, a finite number, a boolean, a list, a map with string keys, a nested props object,
 * or a reference to an object the construct uses as it is (a construct, an interface implementation), which `test`
 * recognises.
 */
export type Shape = 'string' | 'number' | 'boolean' | ListShape | MapShape | ObjectShape | ReferenceShape;
/** A list whose items have the shape `list`. */
export interface ListShape { readonly list: Shape }
/** An object with string keys whose values have the shape `map` (labels, env). */
export interface MapShape { readonly map: Shape }
/** A props object: its known keys, each with its shape; `what` names it in messages. */
export interface ObjectShape {
  readonly what: string;
  readonly props: Readonly<Record<string, Shape | RequiredShape>>;
  /** Targeted fixes for unknown keys that belong elsewhere (see {@link rejectUnknownKeys}). */
  readonly hints?: Readonly<Record<string, string>>;
}
/** An object used as it is: `expected` says what it must be, `test` recognises it (it may read the object). */
export interface ReferenceShape { readonly expected: string; readonly test: (value: object) => boolean }
/** A prop that must be given. */
export interface RequiredShape { readonly required: Shape }

/** Marks a prop as required. */
export function required(shape: Shape): RequiredShape {
  return { required: shape };
}

type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * The shape of every key of the props interface `T`: a key `T` lacks does not type-check, a missing key does not
 * either, and exactly the keys `T` requires are {@link required}.
 */
export type PropsShape<T> = { readonly [K in keyof T]-?: K extends OptionalKeys<T> ? Shape : RequiredShape };

/** The shape of the props interface `T`, named `what` in messages (see {@link PropsShape}). */
export function propsShape<T>(what: string, props: PropsShape<T>, hints?: Readonly<Record<string, string>>): ObjectShape {
  return { what, props: props as Readonly<Record<string, Shape | RequiredShape>>, ...(hints ? { hints } : {}) };
}

/** How a shape reads in a message: `a string`, `a list`, ... */
function expected(shape: Shape): string {
  if (shape === 'string') return 'a string';
  if (shape === 'number') return 'a number';
  if (shape === 'boolean') return 'true or false';
  if ('list' in shape) return 'a list';
  if ('map' in shape) return 'an object of keys and values';
  if ('props' in shape) return `an object (${shape.what} props)`;
  return shape.expected;
}

class ShapeChecker {
  public readonly problems: Violation[] = [];

  public check(field: string, value: unknown, shape: Shape): unknown {
    if (value === undefined) return undefined;
    if (typeof shape === 'string') return this.scalar(field, value, shape);
    if ('list' in shape) return this.list(field, value, shape);
    if ('map' in shape) return this.map(field, value, shape);
    if ('props' in shape) return this.object(field, value, shape);
    return this.reference(field, value, shape);
  }

  private scalar(field: string, value: unknown, shape: 'string' | 'number' | 'boolean'): unknown {
    if (typeof value !== shape) return this.wrongType(field, value, shape);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return this.problem('non-finite-number', field, `is ${value}, not a finite number`, 'write a finite number');
    }
    if (typeof value === 'string' && hasLoneSurrogate(value)) {
      return this.problem('unencodable-text', field, 'holds a lone UTF-16 surrogate, which has no UTF-8 form', 'remove the half surrogate or complete the pair');
    }
    if (typeof value === 'string') this.text(field, value, false);
    return value === 0 ? 0 : value;
  }

  private list(field: string, value: unknown, shape: ListShape): unknown[] | undefined {
    if (!Array.isArray(value)) return this.wrongType(field, value, shape);
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = this.read(`${field}[${i}]`, value, i);
      if (!item.ok) continue;
      if (item.value === undefined) this.wrongType(`${field}[${i}]`, undefined, shape.list);
      else out.push(this.check(`${field}[${i}]`, item.value, shape.list));
    }
    return out;
  }

  private map(field: string, value: unknown, shape: MapShape): Record<string, unknown> | undefined {
    const keys = this.keys(field, value, shape);
    if (keys === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const f = `${field}[${JSON.stringify(key)}]`;
      if (hasLoneSurrogate(key)) this.problem('unencodable-text', f, 'the key holds a lone UTF-16 surrogate, which has no UTF-8 form', 'remove the half surrogate');
      if (key === '__proto__') this.problem('prototype-key', f, '"__proto__" is a key JavaScript reads as an object\'s prototype', 'remove it: no Kubernetes key has this name');
      this.text(f, key, true);
      const item = this.read(f, value as object, key);
      if (!item.ok) continue;
      const v = item.value === undefined ? this.wrongType(f, undefined, shape.map) : this.check(f, item.value, shape.map);
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private object(field: string, value: unknown, shape: ObjectShape): Record<string, unknown> | undefined {
    const keys = this.keys(field, value, shape);
    if (keys === undefined) return undefined;
    const known = Object.keys(shape.props);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (!known.includes(key)) this.problems.push(unknownKey(field, key, known, shape.what, shape.hints ?? {}));
    }
    for (const key of known) {
      const f = `${field}.${key}`;
      const entry = shape.props[key];
      const isRequired = typeof entry === 'object' && 'required' in entry;
      const keyShape = isRequired ? (entry as RequiredShape).required : entry as Shape;
      const item = keys.includes(key) ? this.read(f, value as object, key) : { ok: true as const, value: undefined };
      if (!item.ok) continue;
      if (item.value === undefined) {
        if (isRequired) this.problem('missing-prop', f, `is missing; ${shape.what} needs it`, `give ${key}: ${expected(keyShape)}`);
        continue;
      }
      out[key] = this.check(f, item.value, keyShape);
    }
    return out;
  }

  private reference(field: string, value: unknown, shape: ReferenceShape): unknown {
    let ok = false;
    try {
      ok = (typeof value === 'object' || typeof value === 'function') && value !== null && shape.test(value);
    } catch {
      ok = false;
    }
    return ok ? value : this.wrongType(field, value, shape);
  }

  /** The own keys of a plain object, or undefined (and a problem) for anything else. */
  private keys(field: string, value: unknown, shape: Shape): string[] | undefined {
    if (!isPlainObject(value)) return this.wrongType(field, value, shape);
    try {
      return Object.keys(value);
    } catch (e) {
      return this.problem('unreadable-value', field, `cannot be read: ${errorText(e)}`, 'pass plain data');
    }
  }

  private read(field: string, container: object, key: string | number): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: (container as Record<string | number, unknown>)[key] };
    } catch (e) {
      this.problem('unreadable-value', field, `cannot be read: its getter threw "${errorText(e)}"`, 'pass a value, not a getter that throws');
      return { ok: false };
    }
  }

  /** Every construct writes its props into the manifests: text kustomize cannot carry is refused here, naming the prop. */
  private text(field: string, text: string, isKey: boolean): void {
    const refusal = kustomizeCarries(text, isKey);
    if (refusal) this.problem(refusal.rule, field, isKey ? `the key ${refusal.problem}` : refusal.problem, refusal.fix);
  }

  private wrongType(field: string, value: unknown, shape: Shape): undefined {
    return this.problem('invalid-type', field, `is ${describeValue(value)}, not ${expected(shape)}`, `write it as ${expected(shape)}`);
  }

  private problem(rule: string, field: string, problem: string, fix: string): undefined {
    this.problems.push({ rule, field, problem, fix });
    return undefined;
  }
}

/**
 * Checks `props` against its shape before a construct reads it, and returns a checked copy: plain objects and lists
 * (copied), strings, finite numbers (`-0` as `0`), booleans and references, nothing else. Refuses, all at once, each
 * naming its field: a value of the wrong type (`invalid-type`: including null, Dates, Maps, class instances where an
 * object is expected, a list where an object is expected and the reverse), unknown keys (`unknown-prop`), missing
 * required props (`missing-prop`), NaN and ±Infinity (`non-finite-number`), lone surrogates (`unencodable-text`),
 * `__proto__` keys in maps (`prototype-key`) and getters that throw (`unreadable-value`). `undefined` means "not
 * given". Cycles and depth cannot occur: shapes are finite and references are not walked.
 */
export function checkProps<T>(field: string, props: unknown, shape: ObjectShape): T {
  const checker = new ShapeChecker();
  const copy = checker.check(field, props === undefined ? {} : props, shape);
  if (checker.problems.length > 0) throw new PlatformConfigError(checker.problems);
  return copy as T;
}
