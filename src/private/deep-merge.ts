import { isPlainObject } from './syntax';

/**
 * Deep-merges plain objects (arrays and scalars in `override` replace). Neither input is mutated. Keys are defined,
 * not assigned, so even a `__proto__` key stays data (assignment would replace the result's prototype instead).
 */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    const merged = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
