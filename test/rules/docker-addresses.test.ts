import { App } from 'cdk8s';
import {
  addAllPresets, dnsHubblePlatform, KindCiliumCluster, kprNativePlatform, L2AnnouncementPolicy, LoadBalancerIpPool, nativeXdpPlatform, PoolBlock,
  renderBundle, TestWorkload, zeroTrustPlatform,
} from '../../src';

function poolViolations(block: PoolBlock, dockerNetworkSubnet?: string) {
  const app = new App();
  const cluster = new KindCiliumCluster(app, 'lab', { clusterName: 'lab', ...(dockerNetworkSubnet ? { dockerNetworkSubnet } : {}) });
  new LoadBalancerIpPool(cluster, 'pool', { blocks: [block] });
  return cluster.violations().filter((v) => v.rule === 'pool-covers-docker-addresses');
}

describe('pool-covers-docker-addresses: a pool never covers what docker hands out on the kind network', () => {
  test.each([
    ['the network address and gateway (a /28 at the bottom)', { cidr: '172.18.0.0/28' }, "172.18.0.1 (docker's gateway)"],
    ['the first /24, where docker puts the nodes', { cidr: '172.18.0.0/24' }, "172.18.0.1 (docker's gateway)"],
    ['a range starting at .2 (the first node address)', { start: '172.18.0.2', stop: '172.18.0.20' }, 'hands to the kind nodes'],
    ['a node address further up the first /24', { start: '172.18.0.200', stop: '172.18.1.10' }, 'hands to the kind nodes'],
    ['the broadcast address', { start: '172.18.255.200', stop: '172.18.255.255' }, 'broadcast'],
  ])('%s is refused, and says why', (_name, block, reason) => {
    const violations = poolViolations(block);
    expect(violations).toHaveLength(1);
    expect(violations[0].field).toBe('lab/pool.blocks[0]');
    expect(violations[0].problem).toContain(reason);
  });

  test('a block above the reserved addresses passes', () => {
    expect(poolViolations({ start: '172.18.1.0', stop: '172.18.1.255' })).toEqual([]);
    expect(poolViolations({ start: '172.18.250.100', stop: '172.18.255.254' })).toEqual([]);
  });

  test('in a small docker network (/24) the lower half is reserved', () => {
    expect(poolViolations({ start: '172.30.0.100', stop: '172.30.0.130' }, '172.30.0.0/24')).toHaveLength(1);
    expect(poolViolations({ start: '172.30.0.200', stop: '172.30.0.254' }, '172.30.0.0/24')).toEqual([]);
  });

  test.each([
    ['172.18.0.0/16', { cidr: '172.18.0.0/24' }],
    ['172.19.0.0/16', { start: '172.19.0.2', stop: '172.19.0.9' }],
    ['10.89.0.0/24', { cidr: '10.89.0.0/25' }],
    ['172.18.0.0/20', { start: '172.18.15.200', stop: '172.18.15.255' }],
  ])('the fix hint in %s names a block that passes the rule', (subnet, block) => {
    const [violation] = poolViolations(block, subnet);
    const m = /start: '([0-9.]+)', stop: '([0-9.]+)'/.exec(violation.fix);
    expect(m).not.toBeNull();
    expect(poolViolations({ start: m![1], stop: m![2] }, subnet)).toEqual([]);
  });
});

describe('the presets follow dockerNetworkSubnet', () => {
  test.each([
    ['zero-trust', zeroTrustPlatform, '172.19.250.'],
    ['dns-hubble', dnsHubblePlatform, '172.19.251.'],
    ['kpr-native', kprNativePlatform, '172.19.252.'],
    ['native-xdp', nativeXdpPlatform, '172.19.253.'],
  ])('%s in 172.19.0.0/16 takes its pool from that network and is valid', (_name, preset, prefix) => {
    const app = new App();
    const cluster = preset(app, { dockerNetworkSubnet: '172.19.0.0/16' });
    expect(cluster.violations()).toEqual([]);
    const pool = cluster.model().pools[0];
    expect(pool.blocks[0].text.startsWith(prefix)).toBe(true);
    expect(() => renderBundle(app)).not.toThrow();
  });

  test('on the default network the presets keep their documented ranges (172.18.250-253.100-149, the mesh 172.18.249.16-47)', () => {
    const app = new App();
    const texts = addAllPresets(app).map((c) => `${c.clusterName} ${c.model().pools[0].blocks[0].text}`).sort();
    expect(texts).toEqual([
      'dns-hubble 172.18.251.100-172.18.251.149',
      'kpr-native 172.18.252.100-172.18.252.149',
      'mesh-east 172.18.249.16-172.18.249.31',
      'mesh-west 172.18.249.32-172.18.249.47',
      'native-xdp 172.18.253.100-172.18.253.149',
      'zero-trust 172.18.250.100-172.18.250.149',
    ]);
  });

  test('all four presets side by side on a /24 docker network are valid', () => {
    const app = new App();
    const subnet = '10.89.0.0/24';
    zeroTrustPlatform(app, { dockerNetworkSubnet: subnet });
    dnsHubblePlatform(app, { dockerNetworkSubnet: subnet });
    kprNativePlatform(app, { dockerNetworkSubnet: subnet });
    nativeXdpPlatform(app, { dockerNetworkSubnet: subnet });
    expect(() => renderBundle(app)).not.toThrow();
  });
});

describe('allowFirstLastIps: false keeps the first and last address of a CIDR block out of LB-IPAM (seed 003)', () => {
  /** Seed 003's platform: a /24 pool at the top of the kind network, announced by L2. */
  function seed003(allowFirstLastIps?: boolean, requested?: string) {
    const app = new App();
    const cluster = new KindCiliumCluster(app, 'lab', { clusterName: 'lab', l2Announcements: {} });
    new LoadBalancerIpPool(cluster, 'pool', { blocks: [{ cidr: '172.18.255.0/24' }], ...(allowFirstLastIps === undefined ? {} : { allowFirstLastIps }) });
    new L2AnnouncementPolicy(cluster, 'l2');
    if (requested) {
      new TestWorkload(cluster, 'web', {
        name: 'web',
        image: 'nginxinc/nginx-unprivileged:1.29.4',
        ports: [{ port: 80, containerPort: 8080 }],
        writablePaths: ['/tmp'],
        serviceType: 'LoadBalancer',
        loadBalancerIps: [requested],
      });
    }
    return cluster.violations();
  }

  test('with allowFirstLastIps: false the broadcast address is never handed out: accepted', () => {
    expect(seed003(false)).toEqual([]);
  });

  test('without it, the fix offers allowFirstLastIps: false (not another range), and applying it passes', () => {
    const [violation, ...rest] = seed003();
    expect(rest).toEqual([]);
    expect(violation.rule).toBe('pool-covers-docker-addresses');
    expect(violation.fix).toContain('allowFirstLastIps: false');
    expect(violation.suggestion).toEqual({ target: 'construct-props', path: ['allowFirstLastIps'], value: false });
    expect(seed003(violation.suggestion!.value as boolean)).toEqual([]);
  });

  test('allowFirstLastIps: true hands out the broadcast address: refused', () => {
    expect(seed003(true).map((v) => v.rule)).toEqual(['pool-covers-docker-addresses']);
  });

  test('a Service requesting the held-back last address stays pending: refused; .254 is fine', () => {
    expect(seed003(false, '172.18.255.255').map((v) => v.rule)).toEqual(['lb-address-outside-pool']);
    expect(seed003(false, '172.18.255.254')).toEqual([]);
  });

  test('a start/stop range or a /31 is never reduced by allowFirstLastIps, so the fix moves the range instead', () => {
    const build = (block: PoolBlock) => {
      const cluster = new KindCiliumCluster(new App(), 'lab', { clusterName: 'lab' });
      new LoadBalancerIpPool(cluster, 'pool', { blocks: [block], allowFirstLastIps: false });
      return cluster.violations();
    };
    for (const block of [{ start: '172.18.255.200', stop: '172.18.255.255' }, { cidr: '172.18.255.254/31' }]) {
      const [violation] = build(block);
      expect([JSON.stringify(block), violation?.rule, violation?.fix.includes('allowFirstLastIps')]).toEqual([JSON.stringify(block), 'pool-covers-docker-addresses', false]);
    }
  });
});
