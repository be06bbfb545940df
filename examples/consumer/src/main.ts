// A consumer's own cdk8s app: one team cluster built from the library's constructs.
import { App } from 'cdk8s';
import {
  ClusterDefaultDeny,
  KindCiliumCluster,
  L2AnnouncementPolicy,
  LoadBalancerIpPool,
  NginxDemo,
  synthesizeBundle,
} from 'cdk8s-kind-cilium';

const app = new App();
const cluster = new KindCiliumCluster(app, 'team-a', {
  clusterName: 'team-a',
  workers: 2,
  routingMode: 'native',
  l2Announcements: {},
});
const pool = new LoadBalancerIpPool(cluster, 'pool'); // default: a high range of the kind docker network
new L2AnnouncementPolicy(cluster, 'l2'); // interfaces derived from the Cilium devices
new ClusterDefaultDeny(cluster, 'default-deny');
new NginxDemo(cluster, 'nginx');

const files = synthesizeBundle(app, { rootDir: process.argv[2] ?? 'out' });
console.log(`pool ${pool.name}: ${pool.size} addresses; wrote ${files.length} files`);
