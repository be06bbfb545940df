import { scriptHeader, sq } from './shell';
import { ClusterOpsPlan } from '../ops-plan';

/** `dist/<c>/teardown.sh`: deletes what apply.sh created (the kind cluster, the exported CA file). Safe to repeat. */
export function renderTeardownScript(plan: ClusterOpsPlan): string {
  const name = sq(plan.clusterName);
  const lines = [
    ...scriptHeader(plan.clusterName, ['Deletes what apply.sh created for the kind + Cilium cluster', 'Safe to run again.']),
    '',
    `if kind get clusters 2>/dev/null | grep -qx ${name}; then`,
    `  kind delete cluster --name ${name}`,
    'else',
    `  echo "no kind cluster ${plan.clusterName}: nothing to delete"`,
    'fi',
  ];
  if (plan.caFile) lines.push(`rm -f ${sq(plan.caFile)}`, `rmdir ${sq(plan.caFile.replace(/\/[^/]*$/, ''))} 2>/dev/null || true`);
  lines.push(`echo "teardown of ${plan.clusterName} done"`);
  return `${lines.join('\n')}\n`;
}
