import * as semver from 'semver';

/**
 * Kubernetes versions as the version matrix spells and compares them: no `v`, either a minor (`1.36`) or
 * a patch (`1.36.4`). Pure functions.
 */

/** Compares the minors of two Kubernetes versions (`1.33.12` vs `1.34`): negative, 0 or positive. */
export function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** The minor of a Kubernetes version: `1.36.4` → `1.36`. */
export function minorOfKubernetes(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** `1.33`, `1.33.12`, `v1.33.12` → `1.33` / `1.33.12`; anything else (pre-releases included) → undefined. */
export function normalizeKubernetes(version: string): string | undefined {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  if (/^\d+\.\d+$/.test(bare)) return bare;
  return semver.valid(bare) === bare && semver.prerelease(bare) === null ? bare : undefined;
}
