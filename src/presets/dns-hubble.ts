import { Construct } from 'constructs';
import { checkPresetOverrides } from './preset-overrides';
import { presetPoolBlock } from './preset-pool';
import { L2AnnouncementPolicy } from '../cilium/l2/l2-announcement-policy';
import { LoadBalancerIpPool } from '../cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster, KindCiliumClusterProps } from '../cluster/kind-cilium-cluster';
import { NginxDemo } from '../workloads/nginx-demo';

/**
 * Preset 1: a 4-node cluster (1 control plane + 3 workers) with a custom DNS domain
 * (`cluster.internal`), pod 10.10.0.0/16, service 10.11.0.0/16, Hubble (relay, UI, metrics) and
 * L2 announcements for a LoadBalancer nginx. Any prop can be overridden.
 */
export function dnsHubblePlatform(scope: Construct, overrides: Partial<KindCiliumClusterProps> = {}): KindCiliumCluster {
  overrides = checkPresetOverrides('dns-hubble', overrides);
  const cluster = new KindCiliumCluster(scope, overrides.clusterName ?? 'dns-hubble', {
    clusterName: 'dns-hubble',
    workers: 3,
    dnsDomain: 'cluster.internal',
    podSubnet: '10.10.0.0/16',
    serviceSubnet: '10.11.0.0/16',
    hubble: { relay: true, ui: true },
    l2Announcements: {},
    ...overrides,
  });
  new LoadBalancerIpPool(cluster, 'pool', { blocks: [presetPoolBlock(cluster, 1)] });
  new L2AnnouncementPolicy(cluster, 'l2');
  new NginxDemo(cluster, 'nginx');
  return cluster;
}
