import { PlatformConfigError } from '../../src';

/** Runs `fn` and returns the PlatformConfigError it throws; any other outcome fails the test. */
export function configError(fn: () => unknown): PlatformConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformConfigError) return e;
    throw e;
  }
  throw new Error('expected a PlatformConfigError');
}
