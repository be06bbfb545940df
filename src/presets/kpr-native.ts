import { Construct } from 'constructs';
import { checkPresetOverrides } from './preset-overrides';
import { presetPoolBlock } from './preset-pool';
import { L2AnnouncementPolicy } from '../cilium/l2/l2-announcement-policy';
import { LoadBalancerIpPool } from '../cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster, KindCiliumClusterProps } from '../cluster/kind-cilium-cluster';
import { NginxDemo } from '../workloads/nginx-demo';

/**
 * Preset 2: a 2-node kube-proxy-free cluster with native routing (pod subnet as native routing CIDR,
 * auto direct node routes) and L2 announcements for a LoadBalancer nginx.
 */
export function kprNativePlatform(scope: Construct, overrides: Partial<KindCiliumClusterProps> = {}): KindCiliumCluster {
  overrides = checkPresetOverrides('kpr-native', overrides);
  const cluster = new KindCiliumCluster(scope, overrides.clusterName ?? 'kpr-native', {
    clusterName: 'kpr-native',
    workers: 1,
    kubeProxyReplacement: true,
    routingMode: 'native',
    l2Announcements: {},
    ...overrides,
  });
  new LoadBalancerIpPool(cluster, 'pool', { blocks: [presetPoolBlock(cluster, 2)] });
  new L2AnnouncementPolicy(cluster, 'l2');
  new NginxDemo(cluster, 'nginx');
  return cluster;
}
