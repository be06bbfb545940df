import { ApiObject, App, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { defaultPoolBlock, LoadBalancerIpPool, poolBlockSize } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster, KindCiliumClusterProps } from '../../src/cluster/kind-cilium-cluster';
import { Ipv4Cidr, parseIpv4Cidr } from '../../src/private/ipv4';
import { configError } from '../support/config-error';
import { describeWithReference } from '../support/reference';
import { isDns1123Subdomain, validateManifest, validateManifests } from '../support/reference-schemas';

function cluster(props: Partial<KindCiliumClusterProps> = {}): KindCiliumCluster {
  return new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', l2Announcements: {}, ...props });
}

function pools(c: KindCiliumCluster): any[] {
  return Testing.synth(c).filter((m) => m.kind === 'CiliumLoadBalancerIPPool');
}

function cidr(text: string): Ipv4Cidr {
  const parsed = parseIpv4Cidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const rules = (c: KindCiliumCluster) => c.violations().map((v) => v.rule);

describe('LoadBalancerIpPool rendering', () => {
  test('renders cilium.io/v2 with spec.blocks exactly as given (never spec.cidrs)', () => {
    const c = cluster();
    const pool = new LoadBalancerIpPool(c, 'public', {
      blocks: [{ cidr: '172.18.200.0/24' }, { start: '172.18.201.10', stop: '172.18.201.19' }],
    });
    const [m] = pools(c);
    expect(m.apiVersion).toBe('cilium.io/v2');
    expect(m.kind).toBe('CiliumLoadBalancerIPPool');
    expect(m.metadata.name).toBe('public');
    expect(m.spec.blocks).toEqual([{ cidr: '172.18.200.0/24' }, { start: '172.18.201.10', stop: '172.18.201.19' }]);
    expect(m.spec.cidrs).toBeUndefined();
    expect(m.spec.disabled).toBe(false);
    expect(m.spec).not.toHaveProperty('allowFirstLastIPs');
    expect(m.spec).not.toHaveProperty('serviceSelector');
    expect(pool.blocks).toEqual(m.spec.blocks);
    expect(pool.size).toBe(256 + 10);
    expect(c.violations()).toEqual([]);
  });

  test('without blocks, pools get consecutive /24 ranges from the top of the docker network', () => {
    const c = cluster();
    const first = new LoadBalancerIpPool(c, 'first');
    const explicit = new LoadBalancerIpPool(c, 'explicit', { blocks: [{ cidr: '172.18.100.0/28' }] });
    const second = new LoadBalancerIpPool(c, 'second');
    expect(first.blocks).toEqual([{ start: '172.18.250.100', stop: '172.18.250.254' }]);
    expect(second.blocks).toEqual([{ start: '172.18.249.100', stop: '172.18.249.254' }]);
    expect(first.size).toBe(155);
    expect(second.size).toBe(155);
    expect([first.usesDefaultBlocks, explicit.usesDefaultBlocks, second.usesDefaultBlocks]).toEqual([true, false, true]);
    const byName = Object.fromEntries(pools(c).map((m) => [m.metadata.name, m.spec.blocks]));
    expect(byName).toEqual({
      first: [{ start: '172.18.250.100', stop: '172.18.250.254' }],
      explicit: [{ cidr: '172.18.100.0/28' }],
      second: [{ start: '172.18.249.100', stop: '172.18.249.254' }],
    });
    expect(c.violations()).toEqual([]);
  });

  test('the default follows the cluster dockerNetworkSubnet', () => {
    const c = cluster({ dockerNetworkSubnet: '172.19.0.0/16' });
    expect(new LoadBalancerIpPool(c, 'pool').blocks).toEqual([{ start: '172.19.250.100', stop: '172.19.250.254' }]);
    expect(c.violations()).toEqual([]);
  });

  test('allowFirstLastIps renders "Yes"/"No" and size follows Cilium (only CIDRs wider than /31 lose 2)', () => {
    const c = cluster();
    const no = new LoadBalancerIpPool(c, 'no', {
      allowFirstLastIps: false,
      blocks: [
        { cidr: '172.18.200.0/24' }, // 256 - 2
        { cidr: '172.18.201.0/30' }, // 4 - 2
        { cidr: '172.18.201.4/31' }, // 2, untouched
        { cidr: '172.18.201.6/32' }, // 1, untouched
        { start: '172.18.202.0', stop: '172.18.202.255' }, // ranges are never reduced: 256
      ],
    });
    const yes = new LoadBalancerIpPool(c, 'yes', { allowFirstLastIps: true, blocks: [{ cidr: '172.18.203.0/24' }] });
    expect(no.size).toBe(254 + 2 + 2 + 1 + 256);
    expect(yes.size).toBe(256);
    const byName = Object.fromEntries(pools(c).map((m) => [m.metadata.name, m.spec]));
    expect(byName.no.allowFirstLastIPs).toBe('No');
    expect(byName.yes.allowFirstLastIPs).toBe('Yes');
    expect(c.model().pools.map((p) => p.size)).toEqual([515, 256]);
  });

  test('poolBlockSize', () => {
    const r = (first: number, last: number) => ({ first, last });
    expect(poolBlockSize(r(0, 255), true, false)).toBe(254);
    expect(poolBlockSize(r(0, 255), true, true)).toBe(256);
    expect(poolBlockSize(r(0, 255), false, false)).toBe(256);
    expect(poolBlockSize(r(0, 1), true, false)).toBe(2);
    expect(poolBlockSize(r(5, 5), true, false)).toBe(1);
  });

  test('serviceSelector and disabled are rendered and recorded as facts', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'selective', {
      disabled: true,
      blocks: [{ cidr: '172.18.240.0/28' }],
      serviceSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['public'] }, { key: 'internal', operator: 'DoesNotExist' }],
      },
    });
    const [m] = pools(c);
    expect(m.spec.disabled).toBe(true);
    expect(m.spec.serviceSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['public'] }, { key: 'internal', operator: 'DoesNotExist' }],
    });
    expect(c.model().pools).toEqual([{
      field: 'dev/selective',
      name: 'selective',
      disabled: true,
      blocks: [{
        field: 'dev/selective.blocks[0]',
        text: '172.18.240.0/28',
        range: { first: cidr('172.18.240.0/28').first, last: cidr('172.18.240.0/28').last },
        // what allowFirstLastIps: false would leave: the first and last address held back
        withoutFirstLast: { first: cidr('172.18.240.0/28').first + 1, last: cidr('172.18.240.0/28').last - 1 },
      }],
      size: 16,
      hasServiceSelector: true,
    }]);
  });

  test('an empty serviceSelector selects every Service and is not rendered', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { serviceSelector: {} });
    expect(pools(c)[0].spec).not.toHaveProperty('serviceSelector');
    expect(c.model().pools[0].hasServiceSelector).toBe(false);
  });

  test('block facts carry recognisable fields and text', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.200.0/24' }, { start: '172.18.201.1', stop: '172.18.201.9' }] });
    expect(c.model().pools[0].blocks.map((b) => [b.field, b.text])).toEqual([
      ['dev/pool.blocks[0]', '172.18.200.0/24'],
      ['dev/pool.blocks[1]', '172.18.201.1-172.18.201.9'],
    ]);
  });

  test('names are derived deterministically from the construct id and path, or taken from props', () => {
    const c = cluster();
    const scope = new Construct(c, 'Edge');
    expect(new LoadBalancerIpPool(c, 'PublicPool', { blocks: [{ cidr: '172.18.200.0/29' }] }).name).toBe('public-pool');
    expect(new LoadBalancerIpPool(scope, 'pool_1', { blocks: [{ cidr: '172.18.200.8/29' }] }).name).toBe('edge-pool-1');
    expect(new LoadBalancerIpPool(c, 'x', { name: 'gateway.pool', blocks: [{ cidr: '172.18.200.16/29' }] }).name).toBe('gateway.pool');
    const long = new LoadBalancerIpPool(c, 'a'.repeat(80), { blocks: [{ cidr: '172.18.200.24/29' }] });
    expect(long.name.length).toBeLessThanOrEqual(63);
    expect(isDns1123Subdomain(long.name)).toBe(true);
    const again = new LoadBalancerIpPool(cluster(), 'a'.repeat(80), { blocks: [{ cidr: '172.18.200.24/29' }] });
    expect(again.name).toBe(long.name);
    expect(pools(c).map((m) => m.metadata.name).sort()).toEqual(['edge-pool-1', 'gateway.pool', long.name, 'public-pool'].sort());
  });

  test('synthesis is deterministic', () => {
    const build = () => {
      const c = cluster();
      new LoadBalancerIpPool(c, 'a');
      new LoadBalancerIpPool(c, 'b', { blocks: [{ cidr: '172.18.200.0/24' }], allowFirstLastIps: false });
      return Testing.synth(c);
    };
    expect(build()).toEqual(build());
  });
});

describe('defaultPoolBlock', () => {
  test.each([
    ['172.18.0.0/16', 0, '172.18.250.100', '172.18.250.254'],
    ['172.18.0.0/16', 1, '172.18.249.100', '172.18.249.254'],
    ['172.18.0.0/16', 249, '172.18.1.100', '172.18.1.254'],
    ['10.0.0.0/8', 0, '10.255.250.100', '10.255.250.254'],
    ['192.168.16.0/20', 0, '192.168.26.100', '192.168.26.254'],
    ['192.168.16.0/21', 0, '192.168.23.0', '192.168.23.254'],
    ['192.168.16.0/21', 1, '192.168.22.0', '192.168.22.255'],
    ['172.30.5.0/24', 0, '172.30.5.224', '172.30.5.254'],
    ['172.30.5.0/24', 3, '172.30.5.128', '172.30.5.159'],
    ['172.30.5.32/27', 0, '172.30.5.60', '172.30.5.62'],
  ])('%s #%d -> %s-%s', (subnet, index, start, stop) => {
    expect(defaultPoolBlock(cidr(subnet), index)).toEqual({ start, stop });
  });

  test('small subnets never include the network or broadcast address', () => {
    for (let prefix = 21; prefix <= 27; prefix++) {
      const net = cidr(`10.1.0.0/${prefix}`);
      for (let index = 0; index < 4; index++) {
        const block = defaultPoolBlock(net, index);
        const start = cidr(`${block.start}/32`).first;
        const stop = cidr(`${block.stop}/32`).first;
        expect(start).toBeGreaterThan(net.first + (net.last - net.first) / 2);
        expect(stop).toBeLessThan(net.last);
        expect(start).toBeLessThanOrEqual(stop);
      }
    }
  });

  test('throws naming the field and fix when the subnet is too small or full', () => {
    const tooSmall = configError(() => defaultPoolBlock(cidr('172.18.0.0/28'), 0, 'dev/pool.blocks'));
    expect(tooSmall.rules).toEqual(['no-default-pool-block']);
    expect(tooSmall.violations[0].field).toBe('dev/pool.blocks');
    expect(tooSmall.message).toMatch(/172\.18\.0\.0\/28 is too small.*Fix: give the pool explicit blocks/);
    expect(configError(() => defaultPoolBlock(cidr('172.30.5.0/24'), 4)).rules).toEqual(['no-default-pool-block']);
    expect(configError(() => defaultPoolBlock(cidr('172.18.0.0/16'), 250)).rules).toEqual(['no-default-pool-block']);
    expect(configError(() => defaultPoolBlock(cidr('172.18.0.0/16'), -1)).rules).toEqual(['no-default-pool-block']);
  });

  test('the construct reports a too-small docker network on its blocks field', () => {
    const c = cluster({ dockerNetworkSubnet: '172.18.0.0/29' });
    const err = configError(() => new LoadBalancerIpPool(c, 'pool'));
    expect(err.violations[0]).toMatchObject({ rule: 'no-default-pool-block', field: 'dev/pool.blocks' });
  });
});

describe('LoadBalancerIpPool own-field validation', () => {
  test.each([
    ['host bits set', [{ cidr: '172.18.250.1/24' }], 'dev/pool.blocks[0].cidr', /host bits set/],
    ['IPv6 CIDR', [{ cidr: 'fd00::/120' }], 'dev/pool.blocks[0].cidr', /not an IPv4 CIDR/],
    ['bad start address', [{ cidr: '172.18.250.0/24' }, { start: '172.18.300.1', stop: '172.18.251.9' }], 'dev/pool.blocks[1].start', /not an IPv4 address/],
    ['missing stop', [{ start: '172.18.251.1' }], 'dev/pool.blocks[0].stop', /missing/],
    ['start above stop', [{ start: '172.18.251.9', stop: '172.18.251.1' }], 'dev/pool.blocks[0]', /above stop/],
    ['cidr and range at once', [{ cidr: '172.18.250.0/24', start: '172.18.250.1', stop: '172.18.250.2' }], 'dev/pool.blocks[0]', /both/],
    ['empty block', [{}], 'dev/pool.blocks[0]', /neither/],
    ['no blocks', [], 'dev/pool.blocks', /empty/],
  ])('%s', (_title, blocks, field, problem) => {
    const err = configError(() => new LoadBalancerIpPool(cluster(), 'pool', { blocks: blocks as any }));
    expect(err.rules[0]).toMatch(/^invalid-pool-block$/);
    expect(err.violations[0].field).toBe(field);
    expect(err.violations[0].problem).toMatch(problem);
    expect(err.violations[0].fix.length).toBeGreaterThan(0);
  });

  test('rejects invalid names and selectors', () => {
    expect(configError(() => new LoadBalancerIpPool(cluster(), 'pool', { name: 'Public_Pool' })).violations[0])
      .toMatchObject({ rule: 'invalid-name', field: 'dev/pool.name' });
    expect(configError(() => new LoadBalancerIpPool(cluster(), 'pool', { serviceSelector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } })).violations[0])
      .toMatchObject({ rule: 'invalid-selector', field: 'dev/pool.serviceSelector.matchExpressions[0].values' });
    expect(configError(() => new LoadBalancerIpPool(cluster(), 'pool', { serviceSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] } })).violations[0])
      .toMatchObject({ rule: 'invalid-selector', field: 'dev/pool.serviceSelector.matchExpressions[0].values' });
    expect(configError(() => new LoadBalancerIpPool(cluster(), 'pool', { serviceSelector: { matchExpressions: [{ key: 'tier', operator: 'Equals' as any, values: ['x'] }] } })).violations[0])
      .toMatchObject({ rule: 'invalid-selector', field: 'dev/pool.serviceSelector.matchExpressions[0].operator' });
    expect(configError(() => new LoadBalancerIpPool(cluster(), 'pool', { serviceSelector: { matchLabels: { tier: 'not valid!' } } })).violations[0])
      .toMatchObject({ rule: 'invalid-selector', field: 'dev/pool.serviceSelector.matchLabels["tier"]' });
  });

  test('does not check docker-subnet containment itself (left to the rules)', () => {
    const c = cluster();
    expect(() => new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '192.168.99.0/24' }] })).not.toThrow();
  });

  test('must be created inside a KindCiliumCluster', () => {
    const app = new App();
    expect(configError(() => new LoadBalancerIpPool(app, 'pool')).rules).toEqual(['outside-cluster']);
  });
});

describe('cross-object rules see the pool', () => {
  test('a block outside the docker network: pool-outside-docker-subnet', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/24' }, { start: '172.19.0.10', stop: '172.19.0.20' }] });
    const violations = c.violations();
    expect(violations.map((v) => v.rule)).toEqual(['pool-outside-docker-subnet']);
    expect(violations[0].field).toBe('dev/pool.blocks[1]');
  });

  test('a range that straddles the docker network edge is outside', () => {
    const c = cluster({ dockerNetworkSubnet: '172.18.0.0/24' });
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ start: '172.18.0.250', stop: '172.18.1.5' }] });
    // It also covers the broadcast address 172.18.0.255 of the /24.
    expect(rules(c)).toEqual(['pool-outside-docker-subnet', 'pool-covers-docker-addresses']);
  });

  test('two overlapping pools: pools-overlap', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'a', { blocks: [{ cidr: '172.18.250.0/24' }] });
    new LoadBalancerIpPool(c, 'b', { blocks: [{ start: '172.18.250.200', stop: '172.18.251.10' }] });
    const violations = c.violations();
    expect(violations.map((v) => v.rule)).toEqual(['pools-overlap']);
    expect(violations[0].field).toBe('dev/b.blocks[0]');
  });

  test('a default pool overlapping an explicit one: pools-overlap', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'explicit', { blocks: [{ cidr: '172.18.250.128/25' }] });
    new LoadBalancerIpPool(c, 'default');
    expect(rules(c)).toEqual(['pools-overlap']);
  });

  test('disabled pools are not checked for overlaps', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'a', { blocks: [{ cidr: '172.18.250.0/24' }] });
    new LoadBalancerIpPool(c, 'b', { blocks: [{ cidr: '172.18.250.0/24' }], disabled: true });
    expect(rules(c)).toEqual([]);
  });

  test('a block inside the pod subnet: pool-overlaps-cluster-subnet', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '10.244.200.0/24' }] });
    const violations = c.violations();
    expect(violations.map((v) => v.rule)).toContain('pool-overlaps-cluster-subnet');
    expect(violations.find((v) => v.rule === 'pool-overlaps-cluster-subnet')).toMatchObject({ field: 'dev/pool.blocks[0]' });
  });

  test('the pool size feeds lb-services-exceed-pool', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/30' }], allowFirstLastIps: false });
    const svc = (i: number) => new ApiObject(c, `svc${i}`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: `svc${i}` }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    svc(1);
    svc(2);
    expect(rules(c)).toEqual([]);
    svc(3);
    expect(rules(c)).toEqual(['lb-services-exceed-pool']);
  });
});

describeWithReference('CRD schema (upstream cilium 1.18)', ['crds'], () => {
  test('every synthesized pool validates against the v2 openAPIV3Schema', () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'default');
    new LoadBalancerIpPool(c, 'full', {
      name: 'full.pool',
      blocks: [{ cidr: '172.18.200.0/24' }, { start: '172.18.201.1', stop: '172.18.201.9' }],
      allowFirstLastIps: false,
      disabled: true,
      serviceSelector: { matchLabels: { tier: 'public' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['test'] }] },
    });
    const manifests = pools(c);
    expect(manifests).toHaveLength(2);
    // validateManifest picks the schema by apiVersion; pin it, as v2alpha1 is served too.
    expect(manifests.map((m) => m.apiVersion)).toEqual(['cilium.io/v2', 'cilium.io/v2']);
    // the schema (closed objects) plus metadata: name a DNS-1123 subdomain, no namespace (cluster-scoped)
    expect(validateManifests(manifests)).toEqual([]);
  });

  test('the validator rejects the mistakes it is there to catch', () => {
    const base = { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name: 'p' } };
    expect(validateManifest({ ...base, spec: { cidrs: [{ cidr: '172.18.250.0/24' }] } }).join('\n')).toMatch(/\/spec: unknown field "cidrs"/);
    expect(validateManifest({ ...base, spec: { blocks: [{ cidr: '172.18.250.0/24' }], allowFirstLastIPs: 'no' } }).join('\n'))
      .toMatch(/\/spec\/allowFirstLastIPs: must be equal to one of the allowed values/);
    expect(validateManifest({ ...base, spec: { blocks: [{ cidr: 'not-a-cidr' }] } }).join('\n')).toMatch(/\/spec\/blocks\/0\/cidr: must match format "cidr"/);
    expect(validateManifest({ ...base, spec: { blocks: [{ cidr: 'fd00::/120' }] } })).toEqual([]);
    expect(validateManifest({ ...base }).join('\n')).toMatch(/must have required property 'spec'/);
    expect(validateManifest({ ...base, metadata: { name: 'Public_Pool' }, spec: { blocks: [{ cidr: '172.18.250.0/24' }] } }).join('\n'))
      .toMatch(/\/metadata\/name: "Public_Pool" must be a DNS-1123 subdomain/);
  });
});
