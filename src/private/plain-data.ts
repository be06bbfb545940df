import { PlatformConfigError, Violation } from '../errors';
import { isPlainObject } from './syntax';

/**
 * Plain data: what a YAML file can hold and every reader of the bundle reads back the same. Strings, finite
 * numbers, booleans, null, lists and plain objects (`{...}`), as a tree. ONE walker decides it, for the values
 * users pass as data (`ciliumValuesOverrides`, the whole cluster description, Hubble flow filters) and for every
 * document the YAML emitter writes.
 *
 * Refused, each with a violation naming the path (all problems at once):
 * - `non-finite-number`: NaN and ±Infinity (YAML's `.nan`/`.inf` become Go floats that JSON cannot carry, so
 *   `sigs.k8s.io/yaml`, and with it Helm and kubectl, refuse the file);
 * - `unsupported-value`: functions, symbols, bigints, `undefined` list items in user data, and objects that are
 *   not plain (Date, Map, Set, RegExp, class instances): written as they are, they become junk (`{}`, source text);
 * - `cyclic-value`: an object that contains itself (a YAML file is a tree; writing it never ends);
 * - `too-deep`: more than {@link MAX_DATA_DEPTH} levels (no Helm value or Kubernetes object nests anywhere near;
 *   Go's readers stop at 10,000: go-yaml `max_indents`, encoding/json's nesting limit; deeper input only exhausts the stack);
 * - `unencodable-text`: a string or key with a lone UTF-16 surrogate: it has no UTF-8 form (Node writes U+FFFD
 *   instead) and go-yaml refuses its escape (`found invalid Unicode character escape code`);
 * - `unreadable-value`: a property whose getter throws;
 * - with `userData` only: `prototype-key` (`__proto__`, `constructor`, `prototype`: assigning `__proto__`
 *   replaces an object's prototype, so the key vanishes from the file while JavaScript still reads it through
 *   the prototype; no Helm value or Kubernetes field has these names) and `key-too-long` (keys over
 *   {@link MAX_KEY_LENGTH} characters: YAML 1.2 §7.4 and go-yaml cap implicit keys at 1,024 characters, and no
 *   Helm value or Kubernetes key comes close: ConfigMap data and annotation names stop at 253 after the prefix).
 *
 * `-0` is read as `0` (YAML and JSON have one zero). With `userData`, `undefined` object values mean "not given"
 * and are dropped, as in JSON.
 */

/** Deepest nesting (objects and lists) plain data may have. */
export const MAX_DATA_DEPTH = 100;

/** Longest key user data may have. */
export const MAX_KEY_LENGTH = 1024;

/** Keys that reach or replace a JavaScript object's prototype. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` holds a lone UTF-16 surrogate (no UTF-8 form). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** `.key` for identifier-like keys, `["key"]` otherwise; `[i]` for list items. */
function pathSegment(segment: string | number): string {
  if (typeof segment === 'number') return `[${segment}]`;
  // A key too long to read in a message is shown by its start and length.
  const key = segment.length > MAX_SHOWN_KEY ? `${segment.slice(0, 40)}...(${segment.length} characters)` : segment;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Longest key shown whole in a field path. */
const MAX_SHOWN_KEY = 100;

/** A short, safe description of any value, for messages (`the string "x"`, `a Date`, `an instance of Foo`, ...). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)}`;
    case 'number': return `the number ${value}`;
    case 'boolean': return `the boolean ${value}`;
    case 'bigint': return `the bigint ${String(value)}n`;
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: break;
  }
  if (isPlainObject(value)) return 'an object';
  if (value instanceof Date) return 'a Date';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (value instanceof RegExp) return 'a RegExp';
  let name: unknown;
  try {
    name = Object.getPrototypeOf(value)?.constructor?.name;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object that is not plain';
}

/** The message of whatever was thrown, without throwing again. */
export function errorText(e: unknown): string {
  try {
    return String(e instanceof Error ? e.message : e);
  } catch {
    return 'an unprintable error';
  }
}

const UNSUPPORTED_FIX = 'use only strings, finite numbers, booleans, null, lists and plain objects ({ ... }), e.g. a Date as its ISO string';

/** Walks a value once: collects every problem and, in copy mode, returns the normalized copy. */
class Walker {
  public readonly problems: Violation[] = [];
  private readonly segments: (string | number)[] = [];
  private readonly ancestors = new Set<object>();

  constructor(private readonly field: string, private readonly userData: boolean, private readonly copy: boolean,
    private readonly textRule?: TextRule) {}

  public node(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        if (hasLoneSurrogate(value)) this.lone('the string');
        else this.text('the string', value, false);
        return value;
      case 'number':
        if (!Number.isFinite(value)) {
          return this.problem('non-finite-number', `is ${value}, which no YAML reader of the bundle turns back into a number (Helm and kubectl refuse the file)`,
            'write a finite number');
        }
        return value === 0 ? 0 : value;
      case 'boolean':
        return value;
      case 'object':
        if (value === null) return null;
        return this.collection(value, depth);
      default:
        return this.problem('unsupported-value', `is ${describeValue(value)}, which YAML cannot hold`, UNSUPPORTED_FIX);
    }
  }

  private collection(value: object, depth: number): unknown {
    if (this.ancestors.has(value)) {
      return this.problem('cyclic-value', 'contains itself (a reference back to an enclosing object), which a YAML file cannot hold',
        'pass a tree: copy the inner object instead of referring back to its parent');
    }
    if (depth >= MAX_DATA_DEPTH) {
      return this.problem('too-deep', `nests deeper than ${MAX_DATA_DEPTH} levels`, `nest at most ${MAX_DATA_DEPTH} levels (no Helm value or Kubernetes object comes close)`);
    }
    const list = Array.isArray(value);
    if (!list && !isPlainObject(value)) return this.problem('unsupported-value', `is ${describeValue(value)}, which YAML cannot hold`, UNSUPPORTED_FIX);
    let keys: string[];
    try {
      keys = Object.keys(value);
      if (this.userData && !list && Object.getOwnPropertySymbols(value).length > 0) {
        this.problem('unsupported-value', 'has Symbol keys, which YAML cannot hold (they would be dropped)', 'use string keys');
      }
    } catch (e) {
      return this.problem('unreadable-value', `cannot be read: ${errorText(e)}`, 'pass plain data');
    }
    this.ancestors.add(value);
    try {
      return list ? this.items(value as unknown[], depth) : this.entries(value as Record<string, unknown>, keys, depth);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private items(list: readonly unknown[], depth: number): unknown[] | undefined {
    const out: unknown[] | undefined = this.copy ? [] : undefined;
    for (let i = 0; i < list.length; i++) {
      this.segments.push(i);
      const item = this.read(list, i);
      let v: unknown = null;
      if (item.ok && item.value === undefined) {
        // JSON (and the emitter) write a missing item as null; from a user it is a mistake.
        if (this.userData) this.problem('unsupported-value', 'is undefined (or a hole in the list), which YAML would write as null', 'remove the item, or write null');
      } else if (item.ok) {
        v = this.node(item.value, depth + 1) ?? null;
      }
      out?.push(v);
      this.segments.pop();
    }
    return out;
  }

  private entries(map: Record<string, unknown>, keys: readonly string[], depth: number): Record<string, unknown> | undefined {
    const out: Record<string, unknown> | undefined = this.copy ? {} : undefined;
    for (const key of keys) {
      this.segments.push(key);
      if (hasLoneSurrogate(key)) this.lone('the key');
      else this.text('the key', key, true);
      if (this.userData && PROTOTYPE_KEYS.has(key)) {
        this.problem('prototype-key', `"${key}" is a key JavaScript reads as an object's prototype, so it would be dropped from the file or change what the library reads`,
          'remove it: no Helm value or Kubernetes field has this name');
      }
      if (this.userData && key.length > MAX_KEY_LENGTH) {
        this.problem('key-too-long', `the key has ${key.length} characters; YAML readers take at most ${MAX_KEY_LENGTH} for a key`,
          'remove it: no Helm value or Kubernetes key is that long (ConfigMap data and annotation names stop at 253 characters)');
      }
      const item = this.read(map, key);
      // An undefined value means "not given": JSON and the emitter leave the key out.
      if (item.ok && item.value !== undefined) {
        const v = this.node(item.value, depth + 1);
        // defineProperty: even a `__proto__` key stays an own property of the copy.
        if (out && v !== undefined) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      }
      this.segments.pop();
    }
    return out;
  }

  /** Reads `container[key]`; `{ ok: false }` (and a problem) when a getter throws. A hole in a list reads as undefined. */
  private read(container: object, key: string | number): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: (container as Record<string | number, unknown>)[key] };
    } catch (e) {
      this.problem('unreadable-value', `cannot be read: its getter threw "${errorText(e)}"`, 'pass plain data (a value, not a getter that throws)');
      return { ok: false };
    }
  }

  private text(what: string, text: string, isKey: boolean): void {
    const broken = this.textRule?.(text, isKey);
    if (broken) this.problem(broken.rule, `${what} ${broken.problem}`, broken.fix);
  }

  private lone(what: string): void {
    this.problem('unencodable-text', `${what} holds a lone UTF-16 surrogate, which has no UTF-8 form (Go's YAML reader refuses it)`,
      'remove the half surrogate or complete the pair');
  }

  private problem(rule: string, problem: string, fix: string): undefined {
    const path = this.segments.map(pathSegment).join('');
    // Below a prefix that ends a sentence (`file: `), the path starts without its dot.
    const field = /(^|\s)$/.test(this.field) && path.startsWith('.') ? `${this.field}${path.slice(1)}` : `${this.field}${path}`;
    this.problems.push({ rule, field, problem, fix });
    return undefined;
  }
}

/** A further check of every string and key, for a consumer that cannot carry some text: a violation without its field, or undefined. */
export type TextRule = (text: string, isKey: boolean) => Omit<Violation, 'field'> | undefined;

/**
 * Every reason `value` is not plain data, each naming its path below `field` (see the file comment), plus what
 * `textRule` finds in its strings and keys. Does not copy. Used by the YAML emitter on every document it writes.
 */
export function plainDataProblems(field: string, value: unknown, textRule?: TextRule): Violation[] {
  const walker = new Walker(field, false, false, textRule);
  walker.node(value, 0);
  return walker.problems;
}

/**
 * Checks data a user passed (`userData` rules included) and returns a normalized deep copy of it: plain objects and
 * lists only, `-0` as `0`, `undefined` object values dropped, no getters. Throws one {@link PlatformConfigError}
 * listing every problem, each naming its path below `field`.
 */
export function checkPlainData<T>(field: string, value: T): T {
  const walker = new Walker(field, true, true);
  const copy = walker.node(value, 0);
  if (walker.problems.length > 0) throw new PlatformConfigError(walker.problems);
  return copy as T;
}
