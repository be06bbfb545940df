import { ensureTools } from './tools';

/**
 * Jest globalSetup: extracts helm and kubectl (see tools.ts) once, before the test workers start,
 * so parallel workers never race on the ~120 MB extraction. Fails the run if extraction fails.
 */
export default function globalSetup(): void {
  ensureTools();
}
