import { L2Node } from './l2-announcements';
import { KindClusterConfig } from '../render/kind-config';

/**
 * The nodes of a kind cluster as the cluster sees them once apply.sh has run, for the models that select nodes by
 * label (the L2 announcer's `nodeSelector`): kind's node names (`<cluster>-control-plane`, `<cluster>-worker`,
 * `<cluster>-worker2`, ...: `pkg/cluster/internal/create/actions/config` numbering per role) and their labels:
 * - the kubelet's own `kubernetes.io/hostname` (the node name) and `kubernetes.io/os: linux`;
 * - kubeadm's `node-role.kubernetes.io/control-plane: ""` and `node.kubernetes.io/exclude-from-external-load-balancers: ""`
 *   on control-plane nodes (kubeadm `markcontrolplane` phase);
 * - the kind config's `nodes[].labels` (`workerLabels`, `kindConfig.*Nodes[].labels`, the bundle's mark);
 * - on workers, the role labels apply.sh sets (`ClusterSpec.nodeRoleLabels`).
 */
export function kindClusterNodes(config: KindClusterConfig, workerRoleLabels: Readonly<Record<string, string>>): L2Node[] {
  const count: Record<string, number> = {};
  return config.nodes.map((node) => {
    const n = (count[node.role] = (count[node.role] ?? 0) + 1);
    const name = `${config.name}-${node.role}${n === 1 ? '' : n}`;
    const roleLabels: Record<string, string> = node.role === 'control-plane'
      ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }
      : { ...workerRoleLabels };
    return { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(node.labels ?? {}), ...roleLabels } };
  });
}
