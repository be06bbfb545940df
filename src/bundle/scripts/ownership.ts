import { dqs, Raw, raw, sh } from './shell';
import { ClusterOpsPlan } from '../ops-plan';

/**
 * The environment variable that lets apply.sh take over a kind cluster of the bundle's name that the bundle did not
 * create (or created from another kind config): `KC_ADOPT_CLUSTER=1 bash dist/<c>/apply.sh`. It then installs into
 * that cluster and marks it, so teardown.sh deletes it later. Without it apply.sh refuses, and preflight.sh says why.
 */
export const ADOPT_ENV = 'KC_ADOPT_CLUSTER';

/** A label key inside a kubectl JSONPath: dots in the key are escaped (`kubernetes\.io/arch`). */
function jsonPathLabel(key: string): string {
  return `jsonpath={.metadata.labels.${key.replace(/\./g, '\\.')}}`;
}

/**
 * Shell function `cluster_state`: sets `CLUSTER_STATE` to what the kind cluster of the plan's name is to this bundle:
 * - `absent`: no such kind cluster;
 * - `unmarked`: it exists without the bundle's mark on its first control-plane node (made by hand or by another tool;
 *   a cluster whose API does not answer reads the same: the mark cannot be shown);
 * - `stale`: marked, but created from another kind config (`CLUSTER_HASH` holds the hash it carries);
 * - `other-nodes`: marked with this config's hash, but its nodes differ (`CLUSTER_NODES`);
 * - `ours`: created by this bundle from this kind config.
 */
export function clusterStateFunction(plan: ClusterOpsPlan): string[] {
  const m = plan.mark;
  const expected = plan.nodes.slice().sort().join(' ');
  return [
    '# cluster_state: sets CLUSTER_STATE to absent, unmarked, stale, other-nodes or ours (see ownership.ts in the generator).',
    'cluster_state() {',
    '  local mark',
    '  CLUSTER_STATE=absent',
    '  CLUSTER_HASH=\'\'',
    '  CLUSTER_NODES=\'\'',
    sh`  kind get clusters 2>/dev/null | grep -qxF ${plan.clusterName} || return 0`,
    sh`  mark="$(kubectl --context ${plan.context} get node ${m.node} -o ${jsonPathLabel(m.bundleLabel)} 2>/dev/null)" || mark=''`,
    sh`  CLUSTER_HASH="$(kubectl --context ${plan.context} get node ${m.node} -o ${jsonPathLabel(m.configHashLabel)} 2>/dev/null)" || CLUSTER_HASH=''`,
    sh`  CLUSTER_NODES="$(kind get nodes --name ${plan.clusterName} 2>/dev/null | sort | tr '\\n' ' ' | sed 's/ $//')" || CLUSTER_NODES=''`,
    sh`  if [ "$mark" != ${m.bundle} ]; then CLUSTER_STATE=unmarked`,
    sh`  elif [ "$CLUSTER_HASH" != ${m.configHash} ]; then CLUSTER_STATE=stale`,
    sh`  elif [ "$CLUSTER_NODES" != ${expected} ]; then CLUSTER_STATE=other-nodes`,
    '  else CLUSTER_STATE=ours',
    '  fi',
    '}',
  ];
}

/**
 * For each refused state, the call `REPORTER "what is wrong" "the fix"` (`problem` in preflight.sh, `refuse` in
 * apply.sh), as shell syntax.
 */
export function ownershipProblemCalls(plan: ClusterOpsPlan, reporter: 'problem' | 'refuse'): Record<'unmarked' | 'stale' | 'other-nodes', Raw> {
  const calls = ownershipProblems(plan);
  const call = (c: { problem: string; fix: string }) => raw(`${reporter} "${c.problem}" "${c.fix}"`);
  return { 'unmarked': call(calls.unmarked), 'stale': call(calls.stale), 'other-nodes': call(calls['other-nodes']) };
}

/** What is wrong with a cluster in each refused state, and its fix, each escaped for the inside of double quotes. */
function ownershipProblems(plan: ClusterOpsPlan): Record<'unmarked' | 'stale' | 'other-nodes', { problem: string; fix: string }> {
  const m = plan.mark;
  const name = plan.clusterName;
  const recreate = `bash ${plan.manifestsDir}/teardown.sh && bash ${plan.manifestsDir}/apply.sh`;
  return {
    'unmarked': {
      problem: dqs`kind cluster ${name} exists but this bundle did not create it (no ${m.bundleLabel}=${m.bundle} label on node ${m.node}, or its API does not answer)`,
      fix: dqs`delete it if you do not need it (kind delete cluster --name ${name}), or take it over: ${ADOPT_ENV}=1 bash ${plan.manifestsDir}/apply.sh installs into it and marks it`,
    },
    'stale': {
      problem: dqs`kind cluster ${name} was created by this bundle from another kind config (config hash $CLUSTER_HASH, now ${m.configHash}: node image, nodes, subnets, DNS domain or host ports changed, which kind sets only at creation)`,
      fix: dqs`recreate it: ${recreate} (or keep it as it is with ${ADOPT_ENV}=1)`,
    },
    'other-nodes': {
      problem: dqs`kind cluster ${name} exists with other nodes ($CLUSTER_NODES; expected ${plan.nodes.slice().sort().join(' ')})`,
      fix: dqs`recreate it: ${recreate}`,
    },
  };
}

/** The command that marks an adopted cluster (the labels kind would have set at creation). */
export function markCommand(plan: ClusterOpsPlan): string {
  const m = plan.mark;
  return sh`kubectl --context ${plan.context} label node ${m.node} ${`${m.bundleLabel}=${m.bundle}`} ${`${m.configHashLabel}=${m.configHash}`} --overwrite`;
}
