import { defaultPoolBlock, PoolRangeBlock } from '../cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { formatIpv4 } from '../private/ipv4';

/** Third octet, counted from the top of a large docker network, of the /24 holding the first preset's pool. */
const PRESET_SLOT_FROM_TOP = 6;

/**
 * The pool block of the preset in `slot` (0-3): the presets share one docker network, so each takes its
 * own 50 addresses (`.100-.149`) of its own /24 at the high end of the cluster's `dockerNetworkSubnet`
 * (172.18.250.x for slot 0 in 172.18.0.0/16, 172.18.251.x for slot 1, ...). In a docker network smaller
 * than /20 it takes the slot-th default pool range instead. Follows `dockerNetworkSubnet`, so a preset
 * synthesized for another docker network stays inside it.
 */
export function presetPoolBlock(cluster: KindCiliumCluster, slot: number): PoolRangeBlock {
  const subnet = cluster.spec.dockerNetworkSubnet;
  if (subnet.prefix > 20) return defaultPoolBlock(subnet, slot, `${cluster.node.path}/pool.blocks`);
  const base = subnet.first + (2 ** (24 - subnet.prefix) - PRESET_SLOT_FROM_TOP + slot) * 256;
  return { start: formatIpv4(base + 100), stop: formatIpv4(base + 149) };
}
