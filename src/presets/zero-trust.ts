import { Construct } from 'constructs';
import { checkPresetOverrides } from './preset-overrides';
import { presetPoolBlock } from './preset-pool';
import { LocalCertificateAuthority } from '../cert-manager/local-ca';
import { L2AnnouncementPolicy } from '../cilium/l2/l2-announcement-policy';
import { LoadBalancerIpPool } from '../cilium/lb-ipam/load-balancer-ip-pool';
import { ClusterDefaultDeny } from '../cilium/policy/cluster-default-deny';
import { KindCiliumCluster, KindCiliumClusterProps } from '../cluster/kind-cilium-cluster';
import { DEFAULT_GATEWAY_HTTP_NODE_PORT, DEFAULT_GATEWAY_HTTPS_NODE_PORT, LocalGateway } from '../gateway/local-gateway';
import { NginxDemo } from '../workloads/nginx-demo';
import { StarWarsDemo } from '../workloads/star-wars-demo';

/**
 * Preset 4: the zero-trust local platform. Hubble, clusterwide default deny, a cert-manager local CA,
 * a Cilium Gateway on http://localhost:30080 and https://localhost:30443 (kind publishes the Gateway
 * NodePorts on 127.0.0.1), nginx behind the Gateway and a LoadBalancer Service, and the star-wars demo.
 */
export function zeroTrustPlatform(scope: Construct, overrides: Partial<KindCiliumClusterProps> = {}): KindCiliumCluster {
  overrides = checkPresetOverrides('zero-trust', overrides);
  const cluster = new KindCiliumCluster(scope, overrides.clusterName ?? 'zero-trust', {
    clusterName: 'zero-trust',
    workers: 2,
    hubble: { relay: true, ui: true },
    l2Announcements: {},
    hostPortMappings: [
      { containerPort: DEFAULT_GATEWAY_HTTP_NODE_PORT },
      { containerPort: DEFAULT_GATEWAY_HTTPS_NODE_PORT },
    ],
    ...overrides,
  });
  new LoadBalancerIpPool(cluster, 'pool', { blocks: [presetPoolBlock(cluster, 0)] });
  new L2AnnouncementPolicy(cluster, 'l2');
  new ClusterDefaultDeny(cluster, 'default-deny');
  const ca = new LocalCertificateAuthority(cluster, 'ca');
  const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: ca });
  const nginx = new NginxDemo(cluster, 'nginx');
  gateway.addHttpRoute('nginx-route', { namespace: nginx.namespace, hostnames: ['nginx.localhost'], backend: nginx.backend });
  new StarWarsDemo(cluster, 'star-wars');
  return cluster;
}
