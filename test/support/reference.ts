import * as fs from 'fs';
import * as path from 'path';
import { ReferencePart } from './reference-files';
import { FETCH_COMMAND, resolveReference, SKIPPED_FOR_REFERENCE } from './reference-root';

/**
 * THE gate of every test that reads upstream reference data (charts, CRDs, schemas, behaviour cases): the files
 * come from the cache `npm run fetch-reference` fills, else `SHARED_REFERENCE_DIR`, else `../shared/reference`
 * (reference-root.ts). A test group declares the parts it needs with {@link describeWithReference}; when one is not
 * available the group is one skipped test whose title names the command, and the summary reporter prints ONE
 * notice for the run (from `KC_REFERENCE_NOTICE`, set by the global setup).
 *
 * Reads go through {@link referencePath}, which serves only files of the list (reference-files.ts) and, under jest,
 * only inside a group that declared their part: a test that reads reference data outside the gate fails on every
 * machine, not only on a clone without the data.
 */

/** Where each part comes from, for this test file. */
export const REFERENCE = resolveReference();

/** True when every part in `needs` is available. */
export function referenceAvailable(needs: readonly ReferencePart[]): boolean {
  return needs.every((p) => REFERENCE.parts[p] !== undefined);
}

export { SKIPPED_FOR_REFERENCE };

const underJest = typeof beforeAll === 'function' && typeof afterAll === 'function';
const active: ReferencePart[][] = [];

/**
 * `describe` when every part in `needs` is available, else one skipped test (titled with
 * {@link SKIPPED_FOR_REFERENCE}) in its place. Inside the group, {@link referencePath} serves the files of `needs`.
 */
export function describeWithReference(name: string, needs: readonly ReferencePart[], fn: () => void): void {
  if (!referenceAvailable(needs)) {
    const missing = needs.filter((p) => REFERENCE.parts[p] === undefined);
    describe(name, () => {
      test.skip(`${missing.join(', ')} ${SKIPPED_FOR_REFERENCE}`, () => undefined);
    });
    return;
  }
  describe(name, () => {
    const parts = [...needs];
    beforeAll(() => {
      active.push(parts);
    });
    active.push(parts); // while the group is collected (describe bodies may read, e.g. to build test tables)
    try {
      fn();
    } finally {
      active.pop();
    }
    afterAll(() => {
      const i = active.lastIndexOf(parts);
      if (i >= 0) active.splice(i, 1);
    });
  });
}

/** True when `rel` is a file of the reference list (e.g. BackendTLSPolicy is not in Gateway API v1.3.0). */
export function referenceHas(rel: string): boolean {
  return REFERENCE.byPath.has(rel);
}

/**
 * The absolute path of a reference file. Throws when the file is not in the list (add it to reference-files.ts),
 * its part is not available, or (under jest) the test did not declare its part with {@link describeWithReference}.
 */
export function referencePath(rel: string): string {
  const file = REFERENCE.byPath.get(rel);
  if (!file) throw new Error(`${rel} is not in the reference list (test/support/reference-files.ts): fetch-reference would not fetch it`);
  if (underJest && !active.some((parts) => parts.includes(file.part))) {
    throw new Error(`${rel} (reference part "${file.part}") is read outside a group that declares it: wrap the test in describeWithReference(name, ['${file.part}'], ...)`);
  }
  const root = REFERENCE.parts[file.part];
  if (!root) throw new Error(`${rel}: no reference data for "${file.part}" (run ${FETCH_COMMAND})`);
  return path.join(root.dir, rel);
}

/** The text of a reference file (see {@link referencePath}). */
export function readReference(rel: string): string {
  return fs.readFileSync(referencePath(rel), 'utf8');
}

/** The list's files below a folder (`gateway-api-v1.6.1`), as paths relative to the reference root. */
export function referenceFilesIn(folder: string): string[] {
  return [...REFERENCE.byPath.keys()].filter((p) => p.startsWith(`${folder}/`)).sort();
}

/**
 * The absolute path of a reference folder (`gateway-api-v1.6.1`), to list what a store holds there. The folder's
 * files must all be of one part (see {@link referencePath} for the checks).
 */
export function referenceFolder(folder: string): string {
  const files = referenceFilesIn(folder);
  if (files.length === 0) throw new Error(`${folder}/ holds no file of the reference list (test/support/reference-files.ts)`);
  const parts = new Set(files.map((f) => REFERENCE.byPath.get(f)!.part));
  if (parts.size > 1) throw new Error(`${folder}/ mixes reference parts ${[...parts].join(', ')}: read its files one by one`);
  const file = referencePath(files[0]);
  return file.slice(0, file.length - files[0].length) + folder;
}

/** One folder that serves every part (to fetch from, e.g. into a temporary clone), or undefined. */
export function referenceCopy(): string | undefined {
  const dirs = new Set(Object.values(REFERENCE.parts).map((root) => root?.dir));
  const [dir] = [...dirs];
  return dirs.size === 1 ? dir : undefined;
}
