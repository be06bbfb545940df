import { App } from 'cdk8s';
import { AppNetworkPolicy, KindCiliumCluster, LoadBalancerIpPool, renderBundle, TestWorkload } from '../../src';

/**
 * False alarms the fuzzer's rejection sample showed: inputs upstream accepts that were refused here.
 * Each case failed before its fix.
 */
const cluster = (props: Record<string, unknown> = {}) => new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });

test('apiServerPort: 0 (kind: a random free port) is accepted and never clashes with another cluster', () => {
  const app = new App();
  new KindCiliumCluster(app, 'a', { clusterName: 'a', apiServerPort: 0 });
  const b = new KindCiliumCluster(app, 'b', { clusterName: 'b', apiServerPort: 0 });
  new LoadBalancerIpPool(b, 'pool');
  expect(b.kindConfig().networking.apiServerPort).toBe(0);
  expect(() => renderBundle(app)).not.toThrow();
  expect(() => cluster({ apiServerPort: -1 })).toThrow(/dev\.apiServerPort: -1 is not an integer between 0 and 65535/);
});

test('two workloads in one namespace: the first creates the Namespace, the second reuses it', () => {
  const c = cluster();
  new LoadBalancerIpPool(c, 'pool');
  const image = 'nginxinc/nginx-unprivileged:1.29.4-alpine3.23';
  new TestWorkload(c, 'web', { name: 'web', namespace: 'shop', image, ports: [{ port: 8080 }] });
  new TestWorkload(c, 'api', { name: 'api', namespace: 'shop', image, ports: [{ port: 8080 }] });
  expect(c.violations()).toEqual([]);
  const namespaces = c.toJson().filter((o: any) => o.kind === 'Namespace' && o.metadata.name === 'shop');
  expect(namespaces).toHaveLength(1);
});

test('an HTTP path regex with a leading RE2 flag group, e.g. (?i)/public/[[:alnum:]]+, is accepted; one not starting with / is not', () => {
  const c = cluster();
  const props = { namespace: 'demo', appLabels: { app: 'web' }, allowFromGateway: true, ingressPorts: [{ port: 8080 }] };
  expect(() => new AppNetworkPolicy(c, 'ok', { ...props, httpRules: [{ path: '(?i)/public/[[:alnum:]]+' }] })).not.toThrow();
  expect(() => new AppNetworkPolicy(c, 'bad', { ...props, httpRules: [{ path: '(?i)public' }] })).toThrow(/does not start with "\/"/);
});
