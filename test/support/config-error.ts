import { PlatformConfigError, Violation } from '../../src';

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

/** Runs `fn`: the violations of the PlatformConfigError it throws, or none when it succeeds; any other error fails the test. */
export function refusals(fn: () => unknown): Violation[] {
  try {
    fn();
    return [];
  } catch (e) {
    if (e instanceof PlatformConfigError) return [...e.violations];
    throw e;
  }
}
