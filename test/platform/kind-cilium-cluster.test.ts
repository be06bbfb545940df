import { App } from 'cdk8s';
import { KindCiliumCluster } from '../../src';

test('default cluster renders kind config and values that agree', () => {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
  expect(cluster.kindConfig().networking.kubeProxyMode).toBe('none');
  expect(cluster.ciliumValues().k8sServiceHost).toBe('dev-control-plane');
  expect(cluster.violations()).toEqual([]);
});
