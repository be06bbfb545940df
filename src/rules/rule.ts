import { Violation } from '../errors';
import { PlatformModel } from '../model/platform-model';

/**
 * A cross-object rule of one cluster. It reads the whole model (description, rendered kind config and
 * Helm values, facts pulled from the constructs) and returns violations that name the offending
 * prop or object and the fix. `emits` declares every violation id the rule can return: the registry
 * refuses an undeclared one, and the README and the tests are checked against the declarations.
 */
export interface ClusterRule {
  /** Stable id of the rule. */
  readonly id: string;
  /** Every `Violation.rule` this rule can return. */
  readonly emits: readonly string[];
  /**
   * The ids of {@link emits} whose violations may carry a machine-readable `suggestion` (the registry refuses a
   * suggestion on any other id; test/rules/fix-suggestions.test.ts applies one of each and re-checks). @default none
   */
  readonly suggests?: readonly string[];
  /** One line: what the rule guarantees. */
  readonly summary: string;
  /** Returns the violations of this rule (empty when it holds). */
  check(model: PlatformModel): Violation[];
}

/** A rule across the clusters of one app (they share the host's docker network and ports). */
export interface AppRule {
  readonly id: string;
  readonly emits: readonly string[];
  /** As {@link ClusterRule.suggests}. */
  readonly suggests?: readonly string[];
  readonly summary: string;
  check(models: readonly PlatformModel[]): Violation[];
}
