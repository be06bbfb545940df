import { ApiObject, App, JsonPatch } from 'cdk8s';
import { ClusterMesh, KindCiliumCluster, L2AnnouncementPolicy, LoadBalancerIpPool, meshPlatform, validateApp, Violation } from '../../src';
import type { MeshMemberOptions } from '../../src';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { appliedApiserver } from '../../src/rules/mesh-applied';
import { CILIUM_MINOR_FACTS } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { configError } from '../support/config-error';

/**
 * The Cluster Mesh as applied (issue 18, point 7): the members reach each other, use one routing mode, route every
 * member's pods natively when native, declare each global Service alike, and select peers by cluster.
 */

function mesh(app: App, a: Omit<MeshMemberOptions, 'clusterName'> = {}, b: Omit<MeshMemberOptions, 'clusterName'> = {}, props: { nativeRoutingCidr?: string } = {}): ClusterMesh {
  const m = new ClusterMesh(app, 'm', { name: 'm', ...props });
  m.addCluster({ clusterName: 'a', ...a });
  m.addCluster({ clusterName: 'b', ...b });
  return m;
}

function violations(app: App): readonly Violation[] {
  try {
    validateApp(app);
    return [];
  } catch {
    return configError(() => validateApp(app)).violations;
  }
}

const ids = (app: App) => violations(app).map((x) => x.rule);

function globalService(cluster: KindCiliumCluster, port: number, name = 'cart', namespace = 'shop'): void {
  new ApiObject(cluster, `ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  new ApiObject(cluster, `svc-${name}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: { 'service.cilium.io/global': 'true' } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port, protocol: 'TCP' }] },
  });
}

describe('native routing covers every member', () => {
  test('each native member routes the pod subnets of every member natively (the smallest covering prefix)', () => {
    const app = new App();
    const m = mesh(app, { routingMode: 'native' }, { routingMode: 'native' });
    expect(m.members.map((c) => (c.ciliumValues() as any).ipv4NativeRoutingCIDR)).toEqual(['10.244.0.0/15', '10.244.0.0/15']);
    expect(violations(app)).toEqual([]);
  });

  test('the smallest covering prefix of 10.1.0.0/16 and 10.200.0.0/16 is 10.0.0.0/8', () => {
    const app = new App();
    const m = mesh(app, { routingMode: 'native', podSubnet: '10.1.0.0/16' }, { routingMode: 'native', podSubnet: '10.200.0.0/16' });
    expect((m.members[1].ciliumValues() as any).ipv4NativeRoutingCIDR).toBe('10.0.0.0/8');
    expect(violations(app)).toEqual([]);
  });

  test('a covering 10.0.0.0/8 is accepted, given on the mesh or as a member override', () => {
    const onMesh = new App();
    const m = mesh(onMesh, { routingMode: 'native' }, { routingMode: 'native' }, { nativeRoutingCidr: '10.0.0.0/8' });
    expect(m.members.map((c) => (c.ciliumValues() as any).ipv4NativeRoutingCIDR)).toEqual(['10.0.0.0/8', '10.0.0.0/8']);
    expect(violations(onMesh)).toEqual([]);
    const asOverride = new App();
    mesh(asOverride, { routingMode: 'native', ciliumValuesOverrides: { ipv4NativeRoutingCIDR: '10.0.0.0/8' } }, { routingMode: 'native' });
    expect(violations(asOverride)).toEqual([]);
  });

  test('a single cluster may route a covering CIDR natively too', () => {
    const app = new App();
    new KindCiliumCluster(app, 'solo', { clusterName: 'solo', routingMode: 'native', ciliumValuesOverrides: { ipv4NativeRoutingCIDR: '10.0.0.0/8' } });
    expect(violations(app)).toEqual([]);
  });

  test('a CIDR that misses a member\'s pod subnet is refused, naming the member, the field, the value and the fix', () => {
    const app = new App();
    mesh(app, { routingMode: 'native', ciliumValuesOverrides: { ipv4NativeRoutingCIDR: '10.244.0.0/16' } }, { routingMode: 'native' });
    const found = violations(app).filter((x) => x.rule === 'mesh-native-routing-cidr');
    expect(found).toHaveLength(1);
    expect(found[0].field).toContain('a');
    expect(found[0].field).toContain('ipv4NativeRoutingCIDR');
    expect(found[0].problem).toContain('10.244.0.0/16');
    expect(found[0].problem).toContain('cluster b');
    expect(found[0].problem).toContain('10.245.0.0/16');
    expect(found[0].fix).toContain('10.244.0.0/15');
  });

  test('a mesh nativeRoutingCidr that misses a member is refused at the mesh', () => {
    const app = new App();
    mesh(app, { routingMode: 'native' }, { routingMode: 'native', podSubnet: '10.50.0.0/16' }, { nativeRoutingCidr: '10.244.0.0/14' });
    const found = violations(app).filter((x) => x.rule === 'mesh-native-routing-cidr');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((x) => x.problem.includes('cluster b') && x.problem.includes('10.50.0.0/16'))).toBe(true);
  });
});

describe('one routing mode', () => {
  test('a native member meshed with a tunnel member is refused, naming both', () => {
    const app = new App();
    mesh(app, { routingMode: 'native' }, {});
    const found = violations(app).filter((x) => x.rule === 'mesh-routing-mode-mismatch');
    expect(found).toHaveLength(1);
    expect(found[0].field).toContain('routingMode');
    expect(found[0].problem).toMatch(/cluster b .*tunnel/);
    expect(found[0].problem).toMatch(/cluster a .*native/);
  });

  test('a tunnel mesh with differing tunnel protocols is refused', () => {
    const app = new App();
    mesh(app, { tunnelProtocol: 'geneve' }, {});
    expect(ids(app)).toContain('mesh-routing-mode-mismatch');
  });
});

describe('global Services', () => {
  test('the same global Service with different ports in two members is refused, naming both and the ports', () => {
    const app = new App();
    const m = mesh(app);
    globalService(m.members[0], 80);
    globalService(m.members[1], 8080);
    const found = violations(app).filter((x) => x.rule === 'mesh-global-service-mismatch');
    expect(found).toHaveLength(1);
    expect(found[0].problem).toContain('shop/cart');
    expect(found[0].problem).toContain('80/TCP');
    expect(found[0].problem).toContain('8080/TCP');
    expect(found[0].problem).toMatch(/cluster a/);
  });

  test('the same ports in every member, or a global Service in one member only, are accepted', () => {
    const app = new App();
    const m = mesh(app);
    globalService(m.members[0], 80);
    globalService(m.members[1], 80);
    globalService(m.members[0], 9090, 'solo', 'solo');
    expect(violations(app)).toEqual([]);
  });
});

describe('the members reach each other (LB-IPAM and L2 as applied, escape hatches included)', () => {
  test('a mesh pool patched to select other Services leaves the clustermesh-apiserver pending', () => {
    const app = new App();
    const m = mesh(app);
    (m.members[0].node.findChild('mesh-pool') as LoadBalancerIpPool).apiObject.addJsonPatch(JsonPatch.add('/spec/serviceSelector', { matchLabels: { app: 'web' } }));
    const found = violations(app).filter((x) => x.rule === 'mesh-apiserver-unreachable');
    expect(found).toHaveLength(1);
    expect(found[0].problem).toContain('cluster a');
    expect(found[0].problem).toContain('172.18.249.16');
    expect(found[0].problem).toMatch(/pending|not assigned|no pool/);
  });

  test('an L2 policy patched to a node selector no node matches announces nothing', () => {
    const app = new App();
    const m = mesh(app);
    (m.members[1].node.findChild('mesh-l2') as L2AnnouncementPolicy).apiObject.addJsonPatch(JsonPatch.add('/spec/nodeSelector', { matchLabels: { rack: 'r9' } }));
    const found = violations(app).filter((x) => x.rule === 'mesh-apiserver-unreachable');
    expect(found).toHaveLength(1);
    expect(found[0].problem).toContain('cluster b');
    expect(found[0].problem).toContain('172.18.249.32');
    expect(found[0].problem).toMatch(/announce/);
  });

  test('an L2 policy on interfaces Cilium does not manage announces nothing', () => {
    const app = new App();
    const m = mesh(app);
    (m.members[0].node.findChild('mesh-l2') as L2AnnouncementPolicy).apiObject.addJsonPatch(JsonPatch.replace('/spec/interfaces', ['^eth9$']));
    expect(ids(app)).toContain('mesh-apiserver-unreachable');
  });

  test('another Service of the member requesting the apiserver address takes it away', () => {
    const app = new App();
    const m = mesh(app);
    new ApiObject(m.members[0], 'squatter', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'squatter', namespace: 'default', annotations: { 'lbipam.cilium.io/ips': '172.18.249.16' } },
      spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 2379 }] },
    });
    expect(ids(app)).toContain('mesh-apiserver-unreachable');
  });
});

describe('policy selection is cluster-scoped', () => {
  test('a policy naming a cluster that is no member of the mesh is refused, naming the policy, the value and the members', () => {
    const app = new App();
    const m = mesh(app);
    new ApiObject(m.members[0], 'typo', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'from-west', namespace: 'mesh-demo' },
      spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'c' } }] }] },
    });
    const found = violations(app).filter((x) => x.rule === 'mesh-policy-unknown-cluster');
    expect(found).toHaveLength(1);
    expect(found[0].field).toContain('typo');
    expect(found[0].problem).toContain('"c"');
    expect(found[0].fix).toMatch(/a, b|a or b/);
  });

  test('the demo lets every member\'s client reach echo in every member and denies every intruder (the policy engine agrees)', () => {
    const app = new App();
    mesh(app);
    expect(violations(app)).toEqual([]);
  });

  test('a demo policy patched to drop the cluster label admits only local clients from Cilium 1.19: refused', () => {
    const app = new App();
    const m = mesh(app);
    const policy = m.members[0].node.findAll().find((c) => c.node.path.endsWith('mesh-demo/policy')) as ApiObject;
    policy.addJsonPatch(JsonPatch.replace('/spec/ingress/0/fromEndpoints', [{ matchLabels: { app: 'client' } }]));
    const found = violations(app).filter((x) => x.rule === 'mesh-demo-flow');
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].problem).toMatch(/b\/client .* a\/echo|client of cluster b/);
  });
});

describe('the peer addresses every member dials are the ones its peers get', () => {
  // Each member's values list every peer with `ips` (clustermesh.config.clusters); the chart maps <peer>.mesh.cilium.io
  // to them in the cilium-host-aliases block of the mesh Secrets from 1.20 (the only place from 1.21, where the agents
  // dial through a static dialer; test/mesh/cluster-mesh.test.ts checks the chart). Those addresses must be the ones
  // LB-IPAM assigns the peer's clustermesh-apiserver and the L2 announcer answers for.
  test.each(CILIUM_MINOR_FACTS.map((f) => f.latestPatch))('Cilium %s, three members', (version) => {
    const m = new ClusterMesh(new App(), 'm', { name: 'm' });
    for (const name of ['a', 'b', 'c']) m.addCluster({ clusterName: name, ...ciliumVersionProps(version) });
    for (const member of m.members) {
      const applied = appliedApiserver({ model: member.model(), entries: resolvedEntries(member) }, member.model().meshMemberships[0]);
      expect(applied.unreachable).toBeUndefined();
      for (const peer of m.members.filter((p) => p !== member)) {
        const listed = ((peer.ciliumValues() as any).clustermesh.config.clusters as any[]).find((c) => c.name === member.clusterName);
        expect([peer.clusterName, member.clusterName, listed.ips]).toEqual([peer.clusterName, member.clusterName, applied.assigned]);
        expect(applied.announced).toEqual(applied.assigned);
      }
    }
  });
});

test('the mesh preset is accepted', () => {
  const app = new App();
  meshPlatform(app);
  expect(violations(app)).toEqual([]);
});
