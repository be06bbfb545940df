import { IConstruct } from 'constructs';
import { ResolvedObject, resolvedEntries } from './cluster-objects';
import { formatViolation, Violation } from '../errors';
import { PlatformModel } from '../model/platform-model';
import { appliedViolations } from '../outcomes';
import { checkDuplicateObjects } from '../rules/app-level';
import { checkCustomObjects } from '../rules/crd-schema';
import { checkAcrossClusters, checkFleet, checkPlatform } from '../rules/registry';
import { crdSchemaFolders } from '../spec/version-matrix';

const APP_VALIDATION = Symbol.for('cdk8s-kind-cilium.AppValidation');
const CLUSTER_SYMBOL = Symbol.for('cdk8s-kind-cilium.KindCiliumCluster');

/** What the app-level rules need of a cluster. */
interface ClusterLike extends IConstruct {
  readonly clusterName: string;
  model(): PlatformModel;
}

function isCluster(x: IConstruct): x is ClusterLike {
  return (x as any)[CLUSTER_SYMBOL] === true;
}

/** All clusters below `root`, ordered by cluster name. */
export function clustersBelow<T extends ClusterLike = ClusterLike>(root: IConstruct): T[] {
  return root.node.findAll().filter(isCluster)
    .sort((a, b) => (a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0)) as T[];
}

/** A cluster with its model and resolved objects, computed once per validation or rendering. */
export interface PreparedCluster<T extends ClusterLike = ClusterLike> {
  readonly cluster: T;
  readonly model: PlatformModel;
  readonly objects: Record<string, any>[];
  /** The same objects with the construct path of each ApiObject. */
  readonly entries: readonly ResolvedObject[];
}

/** Builds every cluster's model and objects once. */
export function prepareClusters<T extends ClusterLike = ClusterLike>(root: IConstruct): PreparedCluster<T>[] {
  return clustersBelow<T>(root).map((cluster) => {
    const entries = resolvedEntries(cluster);
    return { cluster, model: cluster.model(), objects: entries.map((e) => e.object), entries };
  });
}

/**
 * Violations across clusters of the app: duplicate objects inside a cluster, the app rules, the fleet rules, and each
 * cluster's intended outcomes as applied (`src/model/outcomes`). `factViolations` gives each cluster's fact-rule
 * violations when the caller has them (an outcome family defers to the fact rules that name the same fault).
 */
export function appLevelViolations(
  prepared: readonly PreparedCluster[],
  factViolations?: ReadonlyMap<PlatformModel, readonly Violation[]>,
): Violation[] {
  return [
    ...prepared.flatMap(({ cluster, objects }) => checkDuplicateObjects(cluster.node.path, objects)),
    ...checkAcrossClusters(prepared.map((p) => p.model)),
    ...checkFleet(prepared),
    ...prepared.flatMap(({ model, entries }) => {
      const facts = factViolations?.get(model) ?? checkPlatform(model);
      return appliedViolations({ model, entries }, new Set(facts.map((v) => v.rule)));
    }),
  ];
}

/**
 * Every violation of the app: each cluster's rules and CRD schema checks (as `cluster.violations()`), duplicate objects, the rules across clusters and the
 * validations other constructs (cdk8s-plus, user constructs) registered. Used by `renderBundle`.
 */
export function allViolations(root: IConstruct, prepared: readonly PreparedCluster[]): Violation[] {
  const violations: Violation[] = [];
  if (prepared.length === 0) {
    violations.push({ rule: 'no-cluster', field: root.node.path || '(app)', problem: 'the app defines no KindCiliumCluster', fix: 'add at least one KindCiliumCluster (see the README presets)' });
  }
  const facts = new Map<PlatformModel, Violation[]>();
  for (const { model, entries } of prepared) {
    const folders = crdSchemaFolders(model.spec.ciliumMinor, model.spec.versions.gatewayApi, model.spec.versions.certManager);
    const own = checkPlatform(model);
    facts.set(model, own);
    violations.push(...own, ...checkCustomObjects(entries, folders));
  }
  violations.push(...appLevelViolations(prepared, facts));
  for (const construct of root.node.findAll()) {
    if (construct === root || isCluster(construct)) continue;
    for (const message of construct.node.validate()) {
      violations.push(constructValidation(construct.node.path, message));
    }
  }
  return violations;
}

/**
 * A message from `node.validate()` as a violation. A message already phrased as `problem. Fix: fix` (as this
 * library's constructs write them, so `app.synth()` prints the fix too) keeps its own fix; any other message
 * (cdk8s-plus, user constructs) gets the generic one. Either way the formatted violation says `Fix:` once.
 */
export function constructValidation(field: string, message: string): Violation {
  const at = message.lastIndexOf('. Fix: ');
  if (at > 0) {
    return { rule: 'construct-validation', field, problem: message.slice(0, at), fix: message.slice(at + '. Fix: '.length) };
  }
  return { rule: 'construct-validation', field, problem: message, fix: 'see the construct documentation' };
}

/**
 * Registers, once per app, the validation that runs the rules across clusters, so `app.synth()` and
 * `Testing.synth()` check them as `renderBundle` does. Each cluster registers its own rules itself.
 */
export function registerAppValidation(root: IConstruct): void {
  if ((root as any)[APP_VALIDATION]) return;
  Object.defineProperty(root, APP_VALIDATION, { value: true });
  root.node.addValidation({ validate: () => appLevelViolations(prepareClusters(root)).map(formatViolation) });
}
