import { Violation } from '../errors';
import { APP_RULES as CLUSTER_PAIR_RULES, OBJECT_RULE_IDS } from './app-level';
import { CRD_SCHEMA_RULE_IDS } from './crd-schema';
import { DATAPATH_RULES } from './datapath';
import { GATEWAY_RULES } from './gateway';
import { HUBBLE_RULES } from './hubble';
import { L2_RULES } from './l2';
import { MESH_APP_RULES, MESH_CLUSTER_RULES } from './mesh';
import { FleetCluster, FleetRule, MESH_FLEET_RULES } from './mesh-applied';
import { NETWORK_RULES } from './network';
import { OWNERSHIP_RULES } from './ownership';
import { POLICY_RULES } from './policy';
import { AppRule, ClusterRule } from './rule';
import { VERSION_RULES } from './versions';
import { PlatformModel } from '../model/platform-model';
import { OUTCOME_RULES } from '../outcomes';

/**
 * Every rule of one cluster, grouped by concern (one file each), in the order they are reported: an override of an
 * owned Helm key first, since its fix (use the prop) comes before whatever else the override breaks.
 */
export const CLUSTER_RULES: readonly ClusterRule[] = [
  ...OWNERSHIP_RULES,
  ...NETWORK_RULES, ...L2_RULES, ...DATAPATH_RULES, ...HUBBLE_RULES, ...GATEWAY_RULES, ...VERSION_RULES, ...POLICY_RULES,
  ...MESH_CLUSTER_RULES,
];

/** Every rule across the clusters of an app. */
export const APP_RULES: readonly AppRule[] = [...CLUSTER_PAIR_RULES, ...MESH_APP_RULES];

/** Every violation id a cross-object rule can emit (cluster rules, app rules, mesh fleet rules, duplicate objects, CRD schemas), sorted. */
export function registeredRuleIds(): string[] {
  const rules: readonly { readonly emits: readonly string[] }[] = [...CLUSTER_RULES, ...APP_RULES, ...MESH_FLEET_RULES, ...OUTCOME_RULES];
  return [...new Set(rules.flatMap((r) => r.emits).concat(OBJECT_RULE_IDS, CRD_SCHEMA_RULE_IDS))].sort();
}

/** Every violation id whose violations may carry a machine-readable suggestion (the rules' `suggests`), sorted. */
export function suggestingRuleIds(): string[] {
  return [...new Set([...CLUSTER_RULES, ...APP_RULES].flatMap((r) => r.suggests ?? []))].sort();
}

function checked<M>(rule: ClusterRule | AppRule | FleetRule, input: M, run: (input: M) => Violation[]): Violation[] {
  const out = run(input);
  for (const violation of out) {
    if (!rule.emits.includes(violation.rule)) {
      throw new Error(`internal: rule ${rule.id} emitted "${violation.rule}", which it does not declare in emits`);
    }
    if (violation.suggestion !== undefined && !(rule.suggests ?? []).includes(violation.rule)) {
      throw new Error(`internal: rule ${rule.id} put a suggestion on "${violation.rule}", which it does not declare in suggests`);
    }
  }
  return out;
}

/** Runs every cluster rule against the model. */
export function checkPlatform(model: PlatformModel): Violation[] {
  return CLUSTER_RULES.flatMap((rule) => checked(rule, model, (m) => rule.check(m)));
}

/** Runs every rule across the clusters of an app. */
export function checkAcrossClusters(models: readonly PlatformModel[]): Violation[] {
  return APP_RULES.flatMap((rule) => checked(rule, models, (m) => rule.check(m)));
}

/** Runs every rule that reads the objects of the clusters of an app (the Cluster Mesh as applied). */
export function checkFleet(clusters: readonly FleetCluster[]): Violation[] {
  return MESH_FLEET_RULES.flatMap((rule) => checked(rule, clusters, (c) => rule.check(c)));
}

/** Number of addresses in all enabled pools (reported in the bundle index). */
export function poolCapacity(model: PlatformModel): number {
  return model.pools.filter((p) => !p.disabled).reduce((n, p) => n + p.size, 0);
}
