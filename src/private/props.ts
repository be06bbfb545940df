import { closest, distance } from 'fastest-levenshtein';
import { invalid } from '../errors';
import { isPlainObject } from './syntax';

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

/**
 * Throws a {@link PlatformConfigError} (rule `unknown-prop`) naming the first key of `value` that is not
 * in `known`, with the closest known key as the fix. TypeScript callers cannot pass such a key; JavaScript
 * and JSON callers can, and it would otherwise be dropped without a word.
 *
 * @param field path of the object in messages, e.g. `dev.hubble`
 * @param what what the object is, e.g. `KindCiliumCluster`
 * @param hints targeted fixes for keys that belong elsewhere (e.g. a pool's `cidr`, which goes inside `blocks`);
 *   they win over the closest-key guess
 */
export function rejectUnknownKeys(field: string, value: unknown, known: readonly string[], what: string,
  hints: Readonly<Record<string, string>> = {}): void {
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = Object.prototype.hasOwnProperty.call(hints, key) ? hints[key] : undefined;
    const suggestion = closestKey(key, known);
    invalid('unknown-prop', `${field}.${key}`, `"${key}" is not a ${what} prop, so it would be ignored`,
      hint !== undefined
        ? hint
        : suggestion
          ? `did you mean "${suggestion}"? (the ${what} props are ${known.join(', ')})`
          : `remove it; the ${what} props are ${known.join(', ')}`);
  }
}
