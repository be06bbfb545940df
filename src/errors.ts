/**
 * One broken rule or invalid prop, phrased for the person who has to fix it.
 */
export interface Violation {
  /** Stable identifier of the rule that failed (e.g. `pool-outside-docker-subnet`). */
  readonly rule: string;
  /** The offending prop or object, as a path the user recognises (e.g. `dev.loadBalancerPools[0].blocks[1]`). */
  readonly field: string;
  /** What is wrong. */
  readonly problem: string;
  /** What to change to make it right. */
  readonly fix: string;
  /** The concrete value the fix names, machine-readable, when there is one (tests apply it and re-check). */
  readonly suggestion?: FixSuggestion;
}

/**
 * A concrete value that makes a violation go away. `target` says where it goes:
 * - `helm-values`: a key path of the merged Cilium Helm values (set it, or drop the override that changed it);
 * - `cluster-props`: a path of the cluster description (`KindCiliumClusterProps`);
 * - `construct-props`: a path of the props of the construct named by the violation's `field`.
 * A last path element `-` appends `value` to the list there (JSON Pointer style).
 */
export interface FixSuggestion {
  readonly target: 'helm-values' | 'cluster-props' | 'construct-props';
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

/** Formats a violation as `field: problem. Fix: fix`. */
export function formatViolation(v: Violation): string {
  return `${v.field}: ${v.problem}. Fix: ${v.fix}`;
}

/**
 * Thrown for invalid or contradictory input. The message names the field and the fix.
 */
export class PlatformConfigError extends Error {
  /** Every violation found (at least one). */
  public readonly violations: readonly Violation[];

  constructor(violations: Violation | readonly Violation[]) {
    const list = Array.isArray(violations) ? (violations as readonly Violation[]) : [violations as Violation];
    const message = list.length === 1
      ? formatViolation(list[0])
      : `${list.length} problems in the platform description:\n${list.map((v) => `  - ${formatViolation(v)}`).join('\n')}`;
    super(message);
    this.name = 'PlatformConfigError';
    this.violations = list;
  }

  /** The rule ids that failed, for tests and tooling. */
  public get rules(): string[] {
    return this.violations.map((v) => v.rule);
  }
}

/** Throws a {@link PlatformConfigError} for a single invalid prop. */
export function invalid(rule: string, field: string, problem: string, fix: string): never {
  throw new PlatformConfigError({ rule, field, problem, fix });
}
