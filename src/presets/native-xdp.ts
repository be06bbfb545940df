import { Construct } from 'constructs';
import { checkPresetOverrides } from './preset-overrides';
import { presetPoolBlock } from './preset-pool';
import { LoadBalancerIpPool } from '../cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster, KindCiliumClusterProps } from '../cluster/kind-cilium-cluster';
import { StarWarsDemo } from '../workloads/star-wars-demo';

/**
 * Preset 3: a 3-node cluster with native routing, eBPF masquerading with the ip-masq-agent, and XDP
 * acceleration of the service load balancer, running Cilium's star-wars L7 policy demo.
 */
export function nativeXdpPlatform(scope: Construct, overrides: Partial<KindCiliumClusterProps> = {}): KindCiliumCluster {
  overrides = checkPresetOverrides('native-xdp', overrides);
  const cluster = new KindCiliumCluster(scope, overrides.clusterName ?? 'native-xdp', {
    clusterName: 'native-xdp',
    workers: 2,
    routingMode: 'native',
    masquerade: { bpf: true, ipMasqAgent: true },
    loadBalancer: { acceleration: 'native' },
    ...overrides,
  });
  new LoadBalancerIpPool(cluster, 'pool', { blocks: [presetPoolBlock(cluster, 3)] });
  new StarWarsDemo(cluster, 'star-wars');
  return cluster;
}
