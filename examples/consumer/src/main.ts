// A consumer's own cdk8s app: one team cluster built from the library's constructs.
// runSynthesis builds the app, writes the bundle and turns a refused description into a clean message on
// stderr ("synthesis failed, previous output left untouched") and exit code 1, instead of a stack trace.
import {
  ClusterDefaultDeny,
  KindCiliumCluster,
  L2AnnouncementPolicy,
  LoadBalancerIpPool,
  NginxDemo,
  runSynthesis,
} from 'cdk8s-kind-cilium';

runSynthesis((app) => {
  const cluster = new KindCiliumCluster(app, 'team-a', {
    clusterName: 'team-a',
    workers: 2,
    routingMode: 'native',
    l2Announcements: {},
  });
  new LoadBalancerIpPool(cluster, 'pool'); // default: a high range of the kind docker network
  new L2AnnouncementPolicy(cluster, 'l2'); // interfaces derived from the Cilium devices
  new ClusterDefaultDeny(cluster, 'default-deny');
  new NginxDemo(cluster, 'nginx');
}, { rootDir: process.argv[2] ?? 'out' });
