import * as fs from 'fs';
import * as path from 'path';
import { chartPinsOf, pinKey, REFERENCE_PARTS, ReferenceFile, referenceFiles, ReferencePart, REPO_ROOT } from './reference-files';

export { REPO_ROOT };

/**
 * Where the reference files come from, part by part, in this order:
 *
 * 1. the cache `npm run fetch-reference` fills (`.reference-cache/` in the repository, or `REFERENCE_CACHE_DIR`): a part
 *    is served from it when its `manifest.json` lists every file of the part with the pin the list has today (a cache
 *    fetched before the version matrix changed does not serve the changed part);
 * 2. the folder `SHARED_REFERENCE_DIR` names;
 * 3. `../shared/reference` beside the repository (CI);
 *
 * a store (2, 3) serves a part when it holds every file of the part. `REFERENCE_SCHEMAS=off` turns all of it off (to
 * check the skip path). Pure Node: the test gate (reference.ts), the fetch (reference-fetch.ts) and the generator
 * scripts (scripts/lib/crd-catalog.js) all resolve through it.
 */

/** The cache's index of verified files, written last by the fetch. */
export const CACHE_MANIFEST = 'manifest.json';

/** `manifest.json` of the cache. */
export interface CacheManifest {
  readonly format: 1;
  /** Where the files came from (`online`, or the folder they were copied from). */
  readonly source: string;
  /** Every verified file: its sha256 and the pin it was checked against ({@link pinKey}). */
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly pin: string }>>;
}

/** One place reference files can come from. */
export interface ReferenceRoot {
  readonly source: 'cache' | 'SHARED_REFERENCE_DIR' | '../shared/reference';
  readonly dir: string;
}

/** What is available, and from where. */
export interface ReferenceState {
  readonly files: readonly ReferenceFile[];
  readonly byPath: ReadonlyMap<string, ReferenceFile>;
  /** The root serving each part, or undefined when none has it complete. */
  readonly parts: Readonly<Record<ReferencePart, ReferenceRoot | undefined>>;
  /** Why each candidate does not serve the parts it does not serve (for the notice). */
  readonly looked: readonly string[];
  /** `REFERENCE_SCHEMAS=off`. */
  readonly disabled: boolean;
}

/** The cache folder: `REFERENCE_CACHE_DIR`, or `.reference-cache/` in the repository (gitignored). */
export function referenceCacheDir(env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): string {
  return env.REFERENCE_CACHE_DIR ? path.resolve(env.REFERENCE_CACHE_DIR) : path.join(repoRoot, '.reference-cache');
}

/** The stores to take files from, in order: `SHARED_REFERENCE_DIR`, then `../shared/reference` (only those that exist). */
export function referenceStores(env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): ReferenceRoot[] {
  const out: ReferenceRoot[] = [];
  if (env.SHARED_REFERENCE_DIR) out.push({ source: 'SHARED_REFERENCE_DIR', dir: path.resolve(env.SHARED_REFERENCE_DIR) });
  out.push({ source: '../shared/reference', dir: path.resolve(repoRoot, '..', 'shared', 'reference') });
  return out.filter((r) => fs.existsSync(r.dir));
}

/** The cache's manifest, or undefined when there is none (or it cannot be read). */
export function readCacheManifest(dir: string): CacheManifest | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, CACHE_MANIFEST), 'utf8')) as CacheManifest;
    return manifest.format === 1 && manifest.files && typeof manifest.files === 'object' ? manifest : undefined;
  } catch {
    return undefined;
  }
}

const show = (dir: string, repoRoot: string) => {
  const rel = path.relative(repoRoot, dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${rel}/` : dir;
};

/** Resolves, part by part, where the reference files are served from. */
export function resolveReference(options: { env?: NodeJS.ProcessEnv; repoRoot?: string; files?: readonly ReferenceFile[] } = {}): ReferenceState {
  const env = options.env ?? process.env;
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const files = options.files ?? referenceFiles();
  const byPath = new Map(files.map((f) => [f.path, f]));
  const parts = Object.fromEntries(REFERENCE_PARTS.map((p) => [p, undefined])) as Record<ReferencePart, ReferenceRoot | undefined>;
  const looked: string[] = [];
  const disabled = env.REFERENCE_SCHEMAS === 'off';
  if (disabled) return { files, byPath, parts, looked: ['REFERENCE_SCHEMAS=off'], disabled };

  const ofPart = (part: ReferencePart) => files.filter((f) => f.part === part);
  const cacheDir = referenceCacheDir(env, repoRoot);
  const manifest = readCacheManifest(cacheDir);
  if (manifest === undefined) {
    looked.push(`${show(cacheDir, repoRoot)} (no cache: run npm run fetch-reference)`);
  } else {
    const chartPins = chartPinsOf(files);
    const stale: string[] = [];
    for (const part of REFERENCE_PARTS) {
      const need = ofPart(part);
      const missing = need.filter((f) => {
        const pin = pinKey(f, chartPins);
        return pin === undefined || manifest.files[f.path]?.pin !== pin || !fs.existsSync(path.join(cacheDir, f.path));
      });
      if (need.length > 0 && missing.length === 0) parts[part] = { source: 'cache', dir: cacheDir };
      else stale.push(`${part} (${need.length === 0 ? 'no files' : `${missing.length} of ${need.length} files missing or fetched for other versions, e.g. ${missing[0].path}`})`);
    }
    if (stale.length > 0) looked.push(`${show(cacheDir, repoRoot)} lacks ${stale.join(', ')}`);
  }
  if (!env.SHARED_REFERENCE_DIR) looked.push('SHARED_REFERENCE_DIR (not set)');
  const stores = referenceStores(env, repoRoot);
  if (!stores.some((s) => s.source === '../shared/reference')) looked.push(`${path.resolve(repoRoot, '..', 'shared', 'reference')} (absent)`);
  for (const store of stores) {
    const lacking: string[] = [];
    for (const part of REFERENCE_PARTS.filter((p) => parts[p] === undefined)) {
      const need = ofPart(part);
      const missing = need.filter((f) => !fs.existsSync(path.join(store.dir, f.path)));
      if (need.length > 0 && missing.length === 0) parts[part] = store;
      else lacking.push(`${part} (${need.length === 0 ? 'no files' : `e.g. ${missing[0].path}`})`);
    }
    if (lacking.length > 0) looked.push(`${store.dir} lacks ${lacking.join(', ')}`);
  }
  return { files, byPath, parts, looked, disabled };
}

/** The parts no root serves. */
export function missingParts(state: ReferenceState): ReferencePart[] {
  return REFERENCE_PARTS.filter((p) => state.parts[p] === undefined);
}

/** The command that fills the cache. */
export const FETCH_COMMAND = 'npm run fetch-reference';

/** Words in the title of a test group skipped for lack of reference data (the summary reporter counts them). */
export const SKIPPED_FOR_REFERENCE = `(no reference data: run ${FETCH_COMMAND})`;

/** The one notice of a run with missing parts: what is missing, where the gate looked, and the command to run. */
export function referenceNotice(state: ReferenceState, skipped?: number): string | undefined {
  const missing = missingParts(state);
  if (missing.length === 0) return undefined;
  const count = skipped === undefined ? '' : `${skipped} test group${skipped === 1 ? '' : 's'} skipped: `;
  return `[reference] ${count}no reference data for ${missing.join(', ')} (looked at ${state.looked.join('; ')}). `
    + `Run \`${FETCH_COMMAND}\` to fetch it (offline from SHARED_REFERENCE_DIR or ../shared/reference when present, else online).`;
}
