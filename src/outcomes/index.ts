import { ADDRESS_OUTCOME_RULES } from './addresses';
import { AGENT_CONFIG_OUTCOMES } from './agent-config';
import { CERTIFICATE_OUTCOMES } from './certificates';
import { EXPECTATION_OUTCOMES } from './expectations';
import { FLOW_OUTCOMES } from './flows';
import { OBJECT_OUTCOME_RULES } from './objects';
import { Outcome, OutcomeRule, outcomeViolations } from './outcome';
import { ROUTE_OUTCOMES } from './routes';
import { ClusterApplyInput, applyPlatform } from '../applied/platform';
import { Violation } from '../errors';

/**
 * Every family of intended outcomes, in the order `platform.md` and the violations list them. Each family is one file
 * of this folder.
 */
export const OUTCOME_RULES: readonly OutcomeRule[] = [
  ...OBJECT_OUTCOME_RULES,
  AGENT_CONFIG_OUTCOMES,
  ...ADDRESS_OUTCOME_RULES,
  ROUTE_OUTCOMES,
  CERTIFICATE_OUTCOMES,
  FLOW_OUTCOMES,
  EXPECTATION_OUTCOMES,
];

/** Every intended outcome of one cluster as applied, family by family. */
export function clusterOutcomes(input: ClusterApplyInput): Outcome[] {
  const applied = applyPlatform(input);
  return OUTCOME_RULES.flatMap((rule) => rule.outcomes(applied).map((o) => {
    if (!rule.emits.includes(o.id)) throw new Error(`internal: outcome family ${rule.id} gave id "${o.id}", which it does not declare in emits`);
    return o;
  }));
}

/**
 * The violations of the cluster's intended outcomes. A family that defers to fact rules (`defersTo`) stays silent
 * for a cluster where one of those already reported: the same fault is then named once, with the prop to change.
 */
export function appliedViolations(input: ClusterApplyInput, reported: ReadonlySet<string>): Violation[] {
  const applied = applyPlatform(input);
  return OUTCOME_RULES.flatMap((rule) => {
    if ((rule.defersTo ?? []).some((id) => reported.has(id))) return [];
    const outcomes = rule.outcomes(applied);
    for (const o of outcomes) {
      if (!rule.emits.includes(o.id)) throw new Error(`internal: outcome family ${rule.id} gave id "${o.id}", which it does not declare in emits`);
    }
    return outcomeViolations(applied.cluster, outcomes);
  });
}
