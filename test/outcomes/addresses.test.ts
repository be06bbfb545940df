import { ApiObject, App, JsonPatch } from 'cdk8s';
import {
  KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementPolicy, LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, PlatformConfigError,
  TestWorkload, TestWorkloadProps, Violation, validateApp,
} from '../../src';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { clusterOutcomes } from '../../src/outcomes';
import { addAllPresets } from '../../src/presets';

/**
 * The `addresses` outcomes (src/outcomes/addresses.ts) through the public API: issue 18's LB-IPAM and L2 scenarios
 * that the fact rules accept are refused once applied, with LB-IPAM's or the L2 announcer's words and a fix; faults a
 * fact rule already names are not named twice; working platforms stay accepted.
 */

const ADDRESS_IDS = ['lb-address-pending', 'lb-address-not-shared', 'lb-address-not-announced'];
const GATEWAY_PORTS = [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30443, hostPort: 8443 }];

/** The violations `validateApp` throws for `app` (none when it passes). */
function appViolations(app: App): readonly Violation[] {
  try {
    validateApp(app);
    return [];
  } catch (e) {
    if (e instanceof PlatformConfigError) return e.violations;
    throw e;
  }
}

const ofIds = (vs: readonly Violation[]) => vs.filter((v) => ADDRESS_IDS.includes(v.rule));

function cluster(props: Omit<KindCiliumClusterProps, 'clusterName'> = {}): KindCiliumCluster {
  return new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });
}
const appOf = (c: KindCiliumCluster) => c.node.root as App;

function web(c: KindCiliumCluster, props: Partial<TestWorkloadProps> = {}): TestWorkload {
  return new TestWorkload(c, props.name ?? 'web', {
    name: 'web', namespace: 'shop', image: 'nginx:1.29.4', ports: [{ port: 80, containerPort: 8080 }], serviceType: 'LoadBalancer', ...props,
  });
}

function rawService(
  c: KindCiliumCluster, id: string, namespace: string, annotations: Record<string, string>, port = 80, extra: Record<string, any> = {},
): ApiObject {
  return new ApiObject(c, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: id, namespace, annotations },
    spec: { type: 'LoadBalancer', selector: { app: id }, ports: [{ port }], ...extra },
  });
}
const namespace = (c: KindCiliumCluster, name: string) => new ApiObject(c, `ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Asserts the cluster's fact rules accept it: the fault is one only the apply model sees. */
function factsAccept(c: KindCiliumCluster): void {
  expect(c.violations().map((v) => `${v.rule}: ${v.problem}`)).toEqual([]);
}

describe('lb-address-pending: a LoadBalancer Service LB-IPAM leaves pending is refused', () => {
  test("(a) a requested address in a pool whose serviceSelector does not select the Service: LB-IPAM's message, the pool's selector in the fix", () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }], serviceSelector: { matchLabels: { tier: 'public' } } });
    web(c, { loadBalancerIps: ['172.18.250.5'] });
    factsAccept(c);
    const [v, ...more] = ofIds(appViolations(appOf(c)));
    expect(more).toEqual([]);
    expect(v.rule).toBe('lb-address-pending');
    expect(v.field).toBe('dev/web/Service/Resource');
    expect(v.problem).toContain("The pool with the CIDR containing '172.18.250.5', doesn't select this service");
    expect(v.fix).toContain('serviceSelector');
  });

  test('(a) accepted once the Service carries the label the pool selects', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }], serviceSelector: { matchLabels: { tier: 'public' } } });
    web(c, { loadBalancerIps: ['172.18.250.5'], extraLabels: { tier: 'public' } });
    expect(appViolations(appOf(c))).toEqual([]);
  });

  test('(b) a lone pool selecting neither the Gateway Service nor the app: both stay pending, the Gateway never gets an address', () => {
    const c = cluster({ hostPortMappings: GATEWAY_PORTS });
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }], serviceSelector: { matchLabels: { app: 'nothing' } } });
    new LocalGateway(c, 'gateway', { certificateAuthority: new LocalCertificateAuthority(c, 'ca') });
    web(c);
    factsAccept(c);
    const found = ofIds(appViolations(appOf(c)));
    expect(found.map((v) => v.rule)).toEqual(['lb-address-pending', 'lb-address-pending']);
    expect(found.map((v) => v.problem).join('\n')).toMatch(/Service gateway\/cilium-gateway-local[^\n]*There are no enabled CiliumLoadBalancerIPPools that match this service/);
    expect(found.map((v) => v.problem).join('\n')).toMatch(/Service shop\/web[^\n]*There are no enabled CiliumLoadBalancerIPPools that match this service/);
    expect(found[0].fix).toContain('serviceSelector');
  });

  test('(b) through a JsonPatch: a pool patched to select another app leaves the Service pending', () => {
    const c = cluster();
    const pool = new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    pool.apiObject.addJsonPatch(JsonPatch.add('/spec/serviceSelector', { matchLabels: { app: 'other' } }));
    web(c);
    expect(ofIds(appViolations(appOf(c))).map((v) => [v.rule, v.field])).toEqual([['lb-address-pending', 'dev/web/Service/Resource']]);
  });

  test('(c) one address shared through a sharing key across namespaces without lbipam.cilium.io/sharing-cross-namespace', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    namespace(c, 'a');
    namespace(c, 'b');
    const shared = { 'lbipam.cilium.io/ips': '172.18.250.5', 'lbipam.cilium.io/sharing-key': 'k' };
    rawService(c, 'one', 'a', shared, 80);
    rawService(c, 'two', 'b', shared, 81);
    factsAccept(c);
    // Either may get the address first (one unordered pass), so both are refused: one at risk, one pending.
    const [risk, v, ...more] = ofIds(appViolations(appOf(c)));
    expect(more).toEqual([]);
    expect([risk.rule, risk.field]).toEqual(['lb-address-pending', 'dev/one']);
    expect(risk.problem).toContain('depends on the order');
    expect([v.rule, v.field]).toEqual(['lb-address-pending', 'dev/two']);
    expect(v.problem).toContain("The IP '172.18.250.5' is already allocated to an incompatible service. Reason: different and not permitted namespace");
    expect(v.fix).toContain('lbipam.cilium.io/sharing-cross-namespace');
  });

  test('(c) accepted with the cross-namespace annotation on both', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    namespace(c, 'a');
    namespace(c, 'b');
    const shared = { 'lbipam.cilium.io/ips': '172.18.250.5', 'lbipam.cilium.io/sharing-key': 'k', 'lbipam.cilium.io/sharing-cross-namespace': '*' };
    rawService(c, 'one', 'a', shared, 80);
    rawService(c, 'two', 'b', shared, 81);
    expect(appViolations(appOf(c))).toEqual([]);
    const outcomes = clusterOutcomes({ model: c.model(), entries: resolvedEntries(c) });
    expect(outcomes.filter((o) => o.id === 'lb-address-not-shared').map((o) => [o.holds, o.observed])).toEqual([[true, 'both on 172.18.250.5']]);
  });

  test('(c) one address shared on the same port', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    const shared = { 'lbipam.cilium.io/ips': '172.18.250.5', 'lbipam.cilium.io/sharing-key': 'k' };
    rawService(c, 'one', 'default', shared, 80);
    rawService(c, 'two', 'default', shared, 80);
    factsAccept(c);
    const [risk, v, ...more] = ofIds(appViolations(appOf(c)));
    expect(more).toEqual([]);
    expect([risk.field, v.field]).toEqual(['dev/one', 'dev/two']);
    expect(v.problem).toContain('Reason: same port');
    expect(v.fix).toContain('different ports');
  });

  test('a pool too small for the Services it selects: the one left over is pending, and the one assigned is at risk (another order leaves it pending)', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ start: '172.18.250.5', stop: '172.18.250.5' }], serviceSelector: { matchLabels: { tier: 'public' } } });
    for (const name of ['one', 'two']) {
      new ApiObject(c, name, {
        apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { tier: 'public' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      });
    }
    factsAccept(c);
    const found = ofIds(appViolations(appOf(c)));
    expect(found.map((v) => [v.rule, v.field])).toEqual([['lb-address-pending', 'dev/one'], ['lb-address-pending', 'dev/two']]);
    expect(found[0].problem).toContain('depends on the order it handles the Services');
    expect(found[1].problem).toContain('All enabled CiliumLoadBalancerIPPools that match this service ran out of allocatable IPs');
  });

  test('a fault a fact rule already names is not named again (defersTo)', () => {
    const noPool = cluster();
    web(noPool);
    expect(appViolations(appOf(noPool)).map((v) => v.rule)).toEqual(['lb-services-exceed-pool']);
    const outside = cluster();
    new LoadBalancerIpPool(outside, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    web(outside, { loadBalancerIps: ['172.18.251.5'] });
    expect(appViolations(appOf(outside)).map((v) => v.rule)).toEqual(['lb-address-outside-pool']);
  });
});

describe('lb-address-not-shared: Services with one sharing key share an address', () => {
  test('without requested addresses, two Services of one key on the same port get two addresses: refused with the reason', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    rawService(c, 'one', 'default', { 'lbipam.cilium.io/sharing-key': 'k' }, 80);
    rawService(c, 'two', 'default', { 'lbipam.cilium.io/sharing-key': 'k' }, 80);
    factsAccept(c);
    const [v, ...more] = ofIds(appViolations(appOf(c)));
    expect(more).toEqual([]);
    expect([v.rule, v.field]).toEqual(['lb-address-not-shared', 'dev/two']);
    expect(v.problem).toContain('they may not share an address (same port)');
  });

  test('on different ports they share one', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    rawService(c, 'one', 'default', { 'lbipam.cilium.io/sharing-key': 'k' }, 80);
    rawService(c, 'two', 'default', { 'lbipam.cilium.io/sharing-key': 'k' }, 81);
    expect(appViolations(appOf(c))).toEqual([]);
  });
});

describe('lb-address-not-announced: an assigned address no node answers for is refused where L2 announcements are in use', () => {
  function l2Cluster(policy?: ConstructorParameters<typeof L2AnnouncementPolicy>[2] | null): KindCiliumCluster {
    const c = cluster({ l2Announcements: {}, workers: 1 });
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    if (policy !== null) new L2AnnouncementPolicy(c, 'l2', policy);
    return c;
  }

  test("the policy's serviceSelector does not select the Service", () => {
    const c = l2Cluster({ serviceSelector: { matchLabels: { tier: 'public' } } });
    web(c);
    factsAccept(c);
    const [v, ...more] = ofIds(appViolations(appOf(c)));
    expect(more).toEqual([]);
    expect([v.rule, v.field]).toEqual(['lb-address-not-announced', 'dev/web/Service/Resource']);
    expect(v.problem).toContain('policy l2: its serviceSelector {"matchLabels":{"tier":"public"}} does not select the Service');
    expect(v.fix).toContain('serviceSelector');
  });

  test("the policy's nodeSelector matches no kind node", () => {
    const c = l2Cluster({ nodeSelector: { matchLabels: { zone: 'nowhere' } } });
    web(c);
    factsAccept(c);
    const [v] = ofIds(appViolations(appOf(c)));
    expect(v.rule).toBe('lb-address-not-announced');
    expect(v.problem).toContain('its nodeSelector {"matchLabels":{"zone":"nowhere"}} matches none of the kind nodes (dev-control-plane, dev-worker)');
  });

  test('l2Announcements on and no policy', () => {
    const c = l2Cluster(null);
    web(c);
    const [v] = ofIds(appViolations(appOf(c)));
    expect(v.rule).toBe('lb-address-not-announced');
    expect(v.problem).toContain('no CiliumL2AnnouncementPolicy exists in the bundle');
  });

  test('externalTrafficPolicy Local, where the backends run is not known: a risk, refused', () => {
    const c = l2Cluster();
    rawService(c, 'local', 'default', {}, 80, { externalTrafficPolicy: 'Local' });
    factsAccept(c);
    const [v] = ofIds(appViolations(appOf(c)));
    expect(v.rule).toBe('lb-address-not-announced');
    expect(v.problem).toContain('externalTrafficPolicy Local');
    expect(v.fix).toContain('externalTrafficPolicy: Cluster');
  });

  test('interfaces matching no device are named once, by the fact rule l2-interfaces-match-devices', () => {
    const c = l2Cluster({ interfaces: ['^wlan0$'] });
    web(c);
    expect(appViolations(appOf(c)).map((v) => v.rule)).toEqual(['l2-interfaces-match-devices']);
  });

  test('the announced address, its node and interface are what platform.md shows; the lb-address probe names it', () => {
    const c = l2Cluster();
    web(c);
    expect(appViolations(appOf(c))).toEqual([]);
    const outcomes = clusterOutcomes({ model: c.model(), entries: resolvedEntries(c) });
    expect(outcomes.filter((o) => ADDRESS_IDS.includes(o.id)).map((o) => [o.id, o.holds, o.observed, o.probe])).toEqual([
      ['lb-address-pending', true, '172.18.250.0 (pool pool)', { kind: 'lb-address', namespace: 'shop', name: 'web', ip: '172.18.250.0', port: 80 }],
      ['lb-address-not-announced', true, '172.18.250.0 answered by dev-worker (eth0), the only candidate', undefined],
    ]);
  });

  test('without L2 announcements (no policy, l2Announcements off) no announcement is intended', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    web(c);
    expect(clusterOutcomes({ model: c.model(), entries: resolvedEntries(c) }).filter((o) => ADDRESS_IDS.includes(o.id)).map((o) => o.id)).toEqual(['lb-address-pending']);
  });
});

test('every preset: every LoadBalancer Service gets its address and it is announced', () => {
  const clusters = addAllPresets(new App());
  const failing = clusters.flatMap((c) => clusterOutcomes({ model: c.model(), entries: resolvedEntries(c) })
    .filter((o) => ADDRESS_IDS.includes(o.id) && !o.holds).map((o) => `${c.node.path}: ${o.statement}: ${o.problem}`));
  expect(failing).toEqual([]);
  const nginx = clusterOutcomes({ model: clusters[0].model(), entries: resolvedEntries(clusters[0]) }).filter((o) => o.id === 'lb-address-pending');
  expect(nginx.map((o) => o.probe)).toEqual([{ kind: 'lb-address', namespace: 'demo', name: 'nginx', ip: '172.18.251.100', port: 80 }]);
});
