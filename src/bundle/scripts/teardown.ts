import { clusterStateFunction } from './ownership';
import { dqs, scriptHeader, sh } from './shell';
import { ClusterOpsPlan } from '../ops-plan';

/**
 * `dist/<c>/teardown.sh`: deletes what apply.sh created (the kind cluster, the exported CA file). Safe to repeat.
 * Deletes only a cluster that carries the bundle's mark (created by it, or adopted with `KC_ADOPT_CLUSTER=1`): a kind
 * cluster of the same name made by hand or another tool is left alone, and the script says so and exits 1.
 */
export function renderTeardownScript(plan: ClusterOpsPlan): string {
  const lines = [
    ...scriptHeader(plan.clusterName, [
      'Deletes what apply.sh created for the kind + Cilium cluster',
      'Deletes only a cluster this bundle marked (created or adopted); safe to run again.',
    ]),
    '',
    ...clusterStateFunction(plan),
    'cluster_state',
    'case "$CLUSTER_STATE" in',
    dqs`  absent) echo "no kind cluster ${plan.clusterName}: nothing to delete" ;;`,
    '  unmarked)',
    dqs`    echo "ERROR: kind cluster ${plan.clusterName} was not created by this bundle (no ${plan.mark.bundleLabel} label on ${plan.mark.node}, or its API does not answer): not deleted" >&2`,
    dqs`    echo "       fix: if you mean to delete it: kind delete cluster --name ${plan.clusterName}" >&2`,
    '    exit 1 ;;',
    sh`  *) kind delete cluster --name ${plan.clusterName} ;;`,
    'esac',
  ];
  if (plan.caFile) lines.push(sh`rm -f ${plan.caFile}`, sh`rm -f ${`${plan.caFile.replace(/\/[^/]*$/, '')}/.gitignore`}`, sh`rmdir ${plan.caFile.replace(/\/[^/]*$/, '')} 2>/dev/null || true`);
  lines.push(dqs`echo "teardown of ${plan.clusterName} done"`);
  return `${lines.join('\n')}\n`;
}
