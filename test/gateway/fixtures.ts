import { ApiObject, App } from 'cdk8s';
import { KindCiliumCluster, KindCiliumClusterProps, PoolFact } from '../../src';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { parseIpv4Cidr } from '../../src/private/ipv4';

/** Gateway-test fixtures: a kind cluster publishing the default gateway NodePorts, and a pool fact. */

/** A PoolFact (what the LoadBalancerIpPool construct contributes), added directly to satisfy `gateway-needs-pool`. */
export function poolFact(cidr = '172.18.255.200/29'): PoolFact {
  const range = parseIpv4Cidr(cidr);
  if (typeof range === 'string') throw new Error(range);
  return {
    field: 'zt/pool',
    name: 'pool',
    disabled: false,
    blocks: [{ field: 'zt/pool.blocks[0]', text: cidr, range }],
    size: range.last - range.first + 1,
    hasServiceSelector: false,
  };
}

/** The `zt` cluster of the issue: kind publishes 30080 and 30443. `withPool` adds a pool fact. */
export function ztCluster(overrides: Partial<KindCiliumClusterProps> = {}, withPool = true): KindCiliumCluster {
  const app = new App();
  const cluster = new KindCiliumCluster(app, 'zt', {
    clusterName: 'zt',
    hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }],
    ...overrides,
  });
  if (withPool) new LoadBalancerIpPool(cluster, 'pool');
  return cluster;
}

/** Objects of a synthesized manifest list by kind. */
export function ofKind(manifests: any[], kind: string): any[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The single object of a kind and name. */
export function find(manifests: any[], kind: string, name: string): any {
  const hits = manifests.filter((m) => m.kind === kind && m.metadata?.name === name);
  if (hits.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${hits.length}`);
  return hits[0];
}

/**
 * The cluster's objects, each as `Testing.synth` writes it but without the app validation it runs (objects in
 * install order): for tests of what a construct emits in a platform left incomplete on purpose (routes to Services
 * the test does not create), which the intended outcomes refuse once applied (`route-refs-unresolved`).
 */
export function emittedObjects(cluster: KindCiliumCluster): any[] {
  return resolvedEntries(cluster).map((e) => e.object);
}

/** Namespace objects for the namespaces a test's routes and backends use (nothing else creates them). */
export function addNamespaces(cluster: KindCiliumCluster, ...names: string[]): void {
  for (const name of names) new ApiObject(cluster, `namespace-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
