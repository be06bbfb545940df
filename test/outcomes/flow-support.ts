import { App } from 'cdk8s';
import {
  ClusterDefaultDeny, KindCiliumCluster, LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, TestWorkload, TestWorkloadProps,
} from '../../src';

/** The image of the flow tests' workloads. */
export const IMAGE = 'nginx:1.29.4';

/** Cluster `dev`, with a ClusterDefaultDeny unless `deny: false`, and with `gateway` a LocalGateway (pool, local CA, mapped NodePorts). */
export function zt(opts: { deny?: boolean; gateway?: boolean } = {}): { app: App; cluster: KindCiliumCluster; gateway?: LocalGateway } {
  const app = new App();
  const cluster = new KindCiliumCluster(app, 'dev', {
    clusterName: 'dev',
    ...(opts.gateway ? { hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }] } : {}),
  });
  if (opts.deny ?? true) new ClusterDefaultDeny(cluster, 'default-deny');
  if (!opts.gateway) return { app, cluster };
  new LoadBalancerIpPool(cluster, 'pool');
  const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: new LocalCertificateAuthority(cluster, 'ca') });
  return { app, cluster, gateway };
}

/** TestWorkload `name` in namespace shop (which `web` creates), labelled app=<name>, on port 8080. */
export function workload(cluster: KindCiliumCluster, name: string, props: Partial<TestWorkloadProps> = {}): TestWorkload {
  return new TestWorkload(cluster, name, { name, namespace: 'shop', createNamespace: name === 'web', image: IMAGE, labels: { app: name }, ports: [{ port: 8080 }], ...props });
}
