import { App, Testing } from 'cdk8s';
import { CONTROL_PLANE_NODE_LABEL, L2AnnouncementPolicy, l2InterfacesForDevices } from '../../src/cilium/l2/l2-announcement-policy';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster, KindCiliumClusterProps } from '../../src/cluster/kind-cilium-cluster';
import { re2Finds } from '../../src/private/re2';
import { configError } from '../support/config-error';
import { describeWithReference } from '../support/reference';
import { validateManifest, validateManifests } from '../support/reference-schemas';

function cluster(props: Partial<KindCiliumClusterProps> = {}): KindCiliumCluster {
  return new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', l2Announcements: {}, ...props });
}

function policies(c: KindCiliumCluster): any[] {
  return Testing.synth(c).filter((m) => m.kind === 'CiliumL2AnnouncementPolicy');
}

const rules = (c: KindCiliumCluster) => c.violations().map((v) => v.rule);
const EXCLUDE_CONTROL_PLANE = { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] };

describe('L2AnnouncementPolicy rendering', () => {
  test('defaults: v2alpha1, interfaces from the devices, no control-plane nodes, LoadBalancer IPs only', () => {
    const c = cluster();
    const policy = new L2AnnouncementPolicy(c, 'l2');
    const [m] = policies(c);
    expect(m.apiVersion).toBe('cilium.io/v2alpha1');
    expect(m.kind).toBe('CiliumL2AnnouncementPolicy');
    expect(m.metadata.name).toBe('l2');
    expect(m.spec).toEqual({
      interfaces: ['^eth0$'],
      loadBalancerIPs: true,
      externalIPs: false,
      nodeSelector: EXCLUDE_CONTROL_PLANE,
    });
    expect(CONTROL_PLANE_NODE_LABEL).toBe('node-role.kubernetes.io/control-plane');
    expect(policy.interfaces).toEqual(['^eth0$']);
    expect(policy.name).toBe('l2');
    expect(c.violations()).toEqual([]);
  });

  test('the interface default follows the cluster devices (a trailing + is a prefix wildcard)', () => {
    const c = cluster({ devices: ['eth0', 'eth+', 'bond0.100'] });
    const policy = new L2AnnouncementPolicy(c, 'l2');
    expect(policy.interfaces).toEqual(['^eth0$', '^eth.*$', '^bond0\\.100$']);
    expect(policies(c)[0].spec.interfaces).toEqual(['^eth0$', '^eth.*$', '^bond0\\.100$']);
    expect(c.violations()).toEqual([]);
  });

  test('the interface default follows the devices prop, which owns the Helm key: an override of it is refused, naming the prop', () => {
    const c = cluster({ ciliumValuesOverrides: { devices: 'eth1 eth2' } });
    expect(new L2AnnouncementPolicy(c, 'l2').interfaces).toEqual(['^eth0$']);
    expect(c.violations().map((v) => [v.rule, v.field, v.fix.includes('set devices')]))
      .toEqual([['helm-value-owned-by-prop', 'dev.ciliumValuesOverrides.devices', true]]);
    // the same devices written as a string are the devices the prop renders: accepted
    expect(cluster({ devices: ['eth1', 'eth2'], ciliumValuesOverrides: { devices: 'eth1 eth2' } }).violations()).toEqual([]);
  });

  test('l2InterfacesForDevices anchors, escapes and de-duplicates', () => {
    expect(l2InterfacesForDevices(['eth0'])).toEqual(['^eth0$']);
    expect(l2InterfacesForDevices(['enp0s+', 'enp0s+'])).toEqual(['^enp0s.*$']);
    const [re] = l2InterfacesForDevices(['br.lan']);
    expect(re2Finds(re, 'br.lan')).toBe(true);
    expect(re2Finds(re, 'brXlan')).toBe(false);
    const [prefix] = l2InterfacesForDevices(['eth+']);
    expect(['eth0', 'eth12', 'wlan0'].map((i) => re2Finds(prefix, i))).toEqual([true, true, false]);
  });

  test('on a cluster without workers the default nodeSelector is dropped (the control plane must announce)', () => {
    const c = cluster({ workers: 0 });
    new L2AnnouncementPolicy(c, 'l2');
    expect(policies(c)[0].spec).not.toHaveProperty('nodeSelector');
  });

  test('explicit props are rendered and recorded as facts', () => {
    const c = cluster({ devices: ['eth0', 'eth1'] });
    new L2AnnouncementPolicy(c, 'Public', {
      name: 'public-l2',
      interfaces: ['^eth[0-9]+$'],
      nodeSelector: { matchLabels: { 'node.kubernetes.io/l2': 'yes' } },
      serviceSelector: { matchExpressions: [{ key: 'expose', operator: 'In', values: ['lan'] }] },
      loadBalancerIps: true,
      externalIps: true,
    });
    const [m] = policies(c);
    expect(m.metadata.name).toBe('public-l2');
    expect(m.spec).toEqual({
      interfaces: ['^eth[0-9]+$'],
      loadBalancerIPs: true,
      externalIPs: true,
      nodeSelector: { matchLabels: { 'node.kubernetes.io/l2': 'yes' } },
      serviceSelector: { matchExpressions: [{ key: 'expose', operator: 'In', values: ['lan'] }] },
    });
    expect(c.model().l2Policies).toEqual([{
      field: 'dev/Public', name: 'public-l2', interfaces: ['^eth[0-9]+$'], loadBalancerIPs: true, externalIPs: true,
    }]);
    expect(c.violations()).toEqual([]);
  });

  test('an empty nodeSelector means every node and is not rendered', () => {
    const c = cluster();
    new L2AnnouncementPolicy(c, 'l2', { nodeSelector: {} });
    expect(policies(c)[0].spec).not.toHaveProperty('nodeSelector');
  });

  test('default names come from the construct id', () => {
    const c = cluster();
    expect(new L2AnnouncementPolicy(c, 'LanAnnouncer').name).toBe('lan-announcer');
  });
});

describe('L2AnnouncementPolicy own-field validation', () => {
  test('an interface regex that does not compile names the interface', () => {
    const err = configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { interfaces: ['^eth0$', '^eth[0-9+$'] }));
    expect(err.violations[0]).toMatchObject({ rule: 'invalid-l2-interfaces', field: 'dev/l2.interfaces[1]' });
    expect(err.violations[0].problem).toMatch(/not a valid RE2 regular expression.*missing closing \]/);
  });

  test('regex features Go RE2 rejects are refused', () => {
    expect(configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { interfaces: ['^eth(?!1)[0-9]$'] })).violations[0].problem).toMatch(/invalid or unsupported Perl syntax: `\(\?!`/);
    expect(configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { interfaces: ['^(eth)\\1$'] })).violations[0].problem).toMatch(/invalid escape sequence: `\\1`/);
  });

  test('an empty interface list is refused', () => {
    expect(configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { interfaces: [] })).violations[0])
      .toMatchObject({ rule: 'invalid-l2-interfaces', field: 'dev/l2.interfaces' });
  });

  test('invalid names and selectors are refused', () => {
    expect(configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { name: '-bad' })).violations[0])
      .toMatchObject({ rule: 'invalid-name', field: 'dev/l2.name' });
    expect(configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: [] }] } })).violations[0])
      .toMatchObject({ rule: 'invalid-selector', field: 'dev/l2.nodeSelector.matchExpressions[0].values' });
    expect(configError(() => new L2AnnouncementPolicy(cluster(), 'l2', { serviceSelector: { matchLabels: { 'bad key!': 'x' } } })).violations[0])
      .toMatchObject({ rule: 'invalid-selector', field: 'dev/l2.serviceSelector.matchLabels["bad key!"]' });
  });

  test('announcing nothing is left to the rules (l2-announces-nothing)', () => {
    const c = cluster();
    let policy: L2AnnouncementPolicy | undefined;
    expect(() => { policy = new L2AnnouncementPolicy(c, 'l2', { loadBalancerIps: false }); }).not.toThrow();
    // Testing.synth runs the cluster validation and would throw, so read the object directly.
    expect(policy!.apiObject.toJson().spec).toMatchObject({ loadBalancerIPs: false, externalIPs: false });
    expect(rules(c)).toEqual(['l2-announces-nothing']);
    expect(() => Testing.synth(c)).toThrow(/neither loadBalancerIPs nor externalIPs/);
  });

  test('must be created inside a KindCiliumCluster', () => {
    expect(configError(() => new L2AnnouncementPolicy(new App(), 'l2')).rules).toEqual(['outside-cluster']);
  });
});

describe('cross-object rules see the policy', () => {
  test('cluster without l2Announcements: l2-needs-l2announcements', () => {
    const c = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
    new L2AnnouncementPolicy(c, 'l2');
    const violations = c.violations();
    expect(violations.map((v) => v.rule)).toEqual(['l2-needs-l2announcements']);
    expect(violations[0].field).toBe('dev/l2');
  });

  test('l2Announcements explicitly disabled: l2-needs-l2announcements', () => {
    const c = cluster({ l2Announcements: { enabled: false } });
    new L2AnnouncementPolicy(c, 'l2');
    expect(rules(c)).toEqual(['l2-needs-l2announcements']);
  });

  test('kubeProxyReplacement: false gives l2-needs-kube-proxy-replacement', () => {
    const c = cluster({ kubeProxyReplacement: false });
    new L2AnnouncementPolicy(c, 'l2');
    expect(rules(c)).toContain('l2-needs-kube-proxy-replacement');
    expect(c.violations().find((v) => v.rule === 'l2-needs-kube-proxy-replacement')?.field).toBe('dev/l2');
  });

  test('interfaces that match no device: l2-interfaces-match-devices', () => {
    const c = cluster({ devices: ['eth0'] });
    new L2AnnouncementPolicy(c, 'l2', { interfaces: ['^eth0$', '^ens[0-9]+$'] });
    const violations = c.violations();
    expect(violations.map((v) => v.rule)).toEqual(['l2-interfaces-match-devices']);
    expect(violations[0].field).toBe('dev/l2.interfaces[1]');
  });

  test('a default policy plus a default pool make a consistent platform', () => {
    const c = cluster({ workers: 2 });
    new LoadBalancerIpPool(c, 'pool');
    new L2AnnouncementPolicy(c, 'l2');
    expect(c.violations()).toEqual([]);
    expect(Testing.synth(c).map((m) => `${m.apiVersion} ${m.kind}`).sort()).toEqual([
      'cilium.io/v2 CiliumLoadBalancerIPPool',
      'cilium.io/v2alpha1 CiliumL2AnnouncementPolicy',
    ]);
  });
});

describeWithReference('CRD schema (upstream cilium 1.18)', ['crds'], () => {
  test('every synthesized policy validates against the v2alpha1 openAPIV3Schema', () => {
    const c = cluster({ devices: ['eth0', 'eth+'] });
    new L2AnnouncementPolicy(c, 'defaults');
    new L2AnnouncementPolicy(c, 'full', {
      interfaces: ['^eth[0-9]+$'],
      nodeSelector: { matchLabels: { 'node.kubernetes.io/l2': 'yes' }, matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
      serviceSelector: { matchExpressions: [{ key: 'expose', operator: 'In', values: ['lan'] }] },
      externalIps: true,
    });
    const manifests = policies(c);
    expect(manifests).toHaveLength(2);
    expect(manifests.map((m) => m.apiVersion)).toEqual(['cilium.io/v2alpha1', 'cilium.io/v2alpha1']);
    // the schema (closed objects) plus metadata: name a DNS-1123 subdomain, no namespace (cluster-scoped)
    expect(validateManifests(manifests)).toEqual([]);
  });

  test('the validator rejects the mistakes it is there to catch', () => {
    const base = { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumL2AnnouncementPolicy', metadata: { name: 'p' } };
    expect(validateManifest({ ...base, spec: { loadBalancerIps: true } }).join('\n')).toMatch(/\/spec: unknown field "loadBalancerIps"/);
    expect(validateManifest({ ...base, spec: { loadBalancerIPs: 'true' } }).join('\n')).toMatch(/\/spec\/loadBalancerIPs: must be boolean/);
    expect(validateManifest({ ...base, spec: { nodeSelector: { matchExpressions: [{ key: 'a', operator: 'NotExists' }] } } }).join('\n'))
      .toMatch(/\/spec\/nodeSelector\/matchExpressions\/0\/operator: must be equal to one of the allowed values/);
    expect(validateManifest({ ...base, spec: { nodeSelector: { matchExpressions: [{ operator: 'Exists' }] } } }).join('\n'))
      .toMatch(/\/spec\/nodeSelector\/matchExpressions\/0: must have required property 'key'/);
    expect(validateManifest({ ...base, metadata: { name: '-l2' }, spec: {} }).join('\n')).toMatch(/\/metadata\/name: "-l2" must be a DNS-1123 subdomain/);
  });
});
