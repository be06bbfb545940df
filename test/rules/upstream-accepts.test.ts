import { App } from 'cdk8s';
import { AppNetworkPolicy, KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementPolicy, PlatformConfigError, Violation } from '../../src';
import { parseGoDuration } from '../../src/private/syntax';

/**
 * False alarms against upstream (trust issue, kind 7): inputs that kind, Cilium, Envoy or Go accept must be
 * accepted here too. Each case below was refused before; the reference for each is named next to it.
 */

function cluster(props: Omit<KindCiliumClusterProps, 'clusterName'>, name = 'dev'): KindCiliumCluster {
  return new KindCiliumCluster(new App(), name, { clusterName: name, ...props });
}

/** The violations of a cluster that builds (throws when the description itself is refused). */
function violations(props: Omit<KindCiliumClusterProps, 'clusterName'>, add: (c: KindCiliumCluster) => void = () => undefined): Violation[] {
  const c = cluster(props);
  add(c);
  return c.violations();
}

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof PlatformConfigError) return e.message;
    throw e;
  }
}

describe('Go durations follow time.ParseDuration', () => {
  test.each([
    ['.5s', 0.5e9], ['+5s', 5e9], ['0', 0], ['+0', 0], ['-0', 0], ['5.s', 5e9], ['1h30m', 5400e9], ['1.5h', 5400e9],
    ['500ms', 500e6], ['3us', 3000], ['3µs', 3000], ['3μs', 3000], ['10ns', 10], ['-1.5s', -1.5e9],
  ])('%s is a duration', (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  test.each(['', '.', '.s', '5', '1', 's', '1x', '1 s', '1S', '+', '-', '1h-30m', '++1s', '1e3s', '0x10s', ' 1s', '1s '])('%j is not', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  test('a lease duration written .5s with a +5s lease is accepted', () => {
    expect(refusal(() => cluster({ l2Announcements: { leaseDuration: '+5s', leaseRenewDeadline: '1s', leaseRetryPeriod: '.5s' } }))).toBeUndefined();
  });
});

describe('kind port mappings', () => {
  test('hostPort 0 (docker picks a random port) is accepted, rendered, and never a duplicate', () => {
    const c = cluster({ hostPortMappings: [{ containerPort: 30080, hostPort: 0 }, { containerPort: 30081, hostPort: 0 }] });
    expect(c.kindConfig().nodes[0].extraPortMappings?.map((m) => m.hostPort)).toEqual([0, 0]);
    expect(c.violations()).toEqual([]);
  });

  test("listenAddress '::' (IPv6 all interfaces) is accepted", () => {
    const c = cluster({ hostPortMappings: [{ containerPort: 30080, hostPort: 8080, listenAddress: '::' }] });
    expect(c.kindConfig().nodes[0].extraPortMappings?.[0].listenAddress).toBe('::');
    expect(c.violations()).toEqual([]);
  });

  test("'::' binds every address: it clashes with 0.0.0.0 and 127.0.0.1 on the same port", () => {
    const ids = violations({
      hostPortMappings: [{ containerPort: 30080, hostPort: 8080, listenAddress: '::' }, { containerPort: 30081, hostPort: 8080 }],
    }).map((v) => v.rule);
    expect(ids).toEqual(['duplicate-host-ports']);
  });

  test('a listenAddress that is no IP address is still refused', () => {
    expect(refusal(() => cluster({ hostPortMappings: [{ containerPort: 30080, listenAddress: 'localhost' }] }))).toMatch(/"localhost" is not an IP address/);
  });
});

describe('RE2 syntax is judged by RE2', () => {
  test.each(['(?i)^ETH0$', '^(?P<dev>eth)[0-9]+$', '^[[:alnum:]]+$'])('L2 interfaces %s is accepted and matches eth0', (re) => {
    expect(violations({ l2Announcements: {} }, (c) => new L2AnnouncementPolicy(c, 'l2', { interfaces: [re] }))).toEqual([]);
  });

  test.each(['(?=eth)', 'eth\\1', 'a++'])('L2 interfaces %s (not RE2) is refused', (re) => {
    expect(refusal(() => violations({ l2Announcements: {} }, (c) => new L2AnnouncementPolicy(c, 'l2', { interfaces: [re] })))).toMatch(/RE2/);
  });

  test.each(['(?i)get|head', '/v1/(?P<rest>.*)', '/[[:alnum:]]+'])('HTTP rule regex %s is accepted', (re) => {
    const rule = re.startsWith('/') ? { path: re } : { method: re };
    expect(refusal(() => violations({}, (c) => new AppNetworkPolicy(c, 'p', {
      namespace: 'default', appLabels: { app: 'web' }, allowFromGateway: true, ingressPorts: [{ port: 80 }], httpRules: [rule],
    })))).toBeUndefined();
  });

  test.each(['(?=/v1)', '/v1/\\1'])('HTTP rule regex %s (not RE2) is refused', (re) => {
    expect(refusal(() => violations({}, (c) => new AppNetworkPolicy(c, 'p', {
      namespace: 'default', appLabels: { app: 'web' }, allowFromGateway: true, ingressPorts: [{ port: 80 }], httpRules: [{ path: re }],
    })))).toMatch(/RE2/);
  });
});

describe('DSR in tunnel mode with Geneve dispatch (Cilium >= 1.14)', () => {
  test('tunnelProtocol geneve + dsrDispatch geneve is accepted and rendered', () => {
    const c = cluster({ tunnelProtocol: 'geneve', loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } });
    expect(c.ciliumValues()).toMatchObject({ routingMode: 'tunnel', tunnelProtocol: 'geneve', loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } });
    expect(c.violations()).toEqual([]);
  });

  test('hybrid in tunnel mode with geneve dispatch is accepted', () => {
    expect(violations({ tunnelProtocol: 'geneve', loadBalancer: { mode: 'hybrid', dsrDispatch: 'geneve' } })).toEqual([]);
  });

  test('dsr in a vxlan tunnel is still refused', () => {
    expect(violations({ loadBalancer: { mode: 'dsr' } }).map((v) => v.rule)).toContain('dsr-needs-native-routing');
  });
});

describe('kubeProxyReplacement as a string override', () => {
  test.each(['true', 'false'])('"%s" is accepted (the chart takes a string or a boolean)', (text) => {
    const props = text === 'true' ? {} : { kubeProxyReplacement: false };
    expect(violations({ ...props, ciliumValuesOverrides: { kubeProxyReplacement: text } })).toEqual([]);
  });

  test('"true" counts as enabled for every rule reading it', () => {
    const ids = violations({ kubeProxyReplacement: false, masquerade: { bpf: true }, ciliumValuesOverrides: { kubeProxyReplacement: 'true' } }).map((v) => v.rule);
    expect(ids).not.toContain('bpf-masquerade-needs-kpr');
    expect(ids).toContain('kpr-with-kube-proxy');
  });

  test.each(['strict', 'partial', 'TRUE', 1])('%j is refused', (value) => {
    expect(violations({ ciliumValuesOverrides: { kubeProxyReplacement: value } }).map((v) => v.rule))
      .toEqual(['helm-value-owned-by-prop', 'kube-proxy-replacement-boolean']);
  });
});

describe('k8sServiceHost with several control planes', () => {
  test("kind's external load balancer is the default with 3 control planes", () => {
    const c = cluster({ controlPlaneNodes: 3 });
    expect(c.ciliumValues().k8sServiceHost).toBe('dev-external-load-balancer');
    expect(c.violations()).toEqual([]);
  });

  test('the first control plane is still accepted there', () => {
    expect(violations({ controlPlaneNodes: 3, ciliumValuesOverrides: { k8sServiceHost: 'dev-control-plane' } })).toEqual([]);
  });

  test('with one control plane the external load balancer does not exist', () => {
    expect(violations({ ciliumValuesOverrides: { k8sServiceHost: 'dev-external-load-balancer' } }).map((v) => v.rule))
      .toEqual(['helm-value-owned-by-prop', 'kpr-needs-k8s-service-host']);
  });
});
