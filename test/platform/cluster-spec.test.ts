import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { KindCiliumCluster, KindCiliumClusterProps, PlatformConfigError, Violation } from '../../src';
import { toYaml } from '../../src/private/yaml';
import { dnsDomainPatches } from '../../src/render/kind-config';

/**
 * Focused tests of the cluster description checks (src/platform/cluster-spec.ts), the YAML serialiser
 * (src/output/yaml.ts) and the value rules added with them (src/rules/platform-rules.ts).
 */

function build(props: unknown): KindCiliumCluster {
  // the construct id is the prefix of rule violations (`dev.l2Announcements`); spec errors use the clusterName
  return new KindCiliumCluster(new App(), 'dev', props as KindCiliumClusterProps);
}

/** The PlatformConfigError thrown while building the cluster; fails when anything else happens. */
function configError(props: unknown): PlatformConfigError {
  try {
    build(props);
  } catch (e) {
    if (e instanceof PlatformConfigError) return e;
    throw new Error(`expected PlatformConfigError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  throw new Error(`expected PlatformConfigError, but ${JSON.stringify(props)} was accepted`);
}

/** Asserts one violation with this rule and field, in the `field: problem. Fix: fix` form. */
function expectError(props: unknown, rule: string, field: string): PlatformConfigError {
  const error = configError(props);
  expect(error.violations).toHaveLength(1);
  expect(error.violations[0]).toMatchObject({ rule, field });
  expect(error.message).toMatch(new RegExp(`^${escape(field)}: .+\\. Fix: .+`, 's'));
  return error;
}

/** Violations of a cluster that builds, by rule id. */
function violationsOf(props: KindCiliumClusterProps, rule: string): Violation[] {
  return build(props).violations().filter((v) => v.rule === rule);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ------------------------------------------------------------------------------------------------
// 1. hubble-ui needs hubble-relay
// ------------------------------------------------------------------------------------------------

describe('hubble-ui without hubble-relay', () => {
  test('hubble: { relay: false, ui: true } is an error naming <cluster>.hubble.ui with the fix', () => {
    const error = expectError({ clusterName: 'dev', hubble: { relay: false, ui: true } }, 'hubble-ui-needs-relay', 'dev.hubble.ui');
    expect(error.violations[0].fix).toContain('hubble.relay: true');
  });

  test('hubble: { relay: false } turns the UI off by default instead of failing', () => {
    const cluster = build({ clusterName: 'dev', hubble: { relay: false } });
    expect(cluster.ciliumValues().hubble).toMatchObject({ enabled: true, relay: { enabled: false }, ui: { enabled: false } });
    expect(cluster.violations()).toEqual([]);
  });

  test('an override that disables relay but keeps the UI is a hubble-ui-needs-relay violation', () => {
    const found = violationsOf({ clusterName: 'dev', ciliumValuesOverrides: { hubble: { relay: { enabled: false } } } }, 'hubble-ui-needs-relay');
    expect(found.map((v) => v.field)).toEqual(['dev.ciliumValues.hubble.ui.enabled']);
  });

  test('an override that enables the UI without relay is a violation; standalone UI is allowed', () => {
    const uiOnly = { hubble: { relay: { enabled: false }, ui: { enabled: true } } };
    expect(violationsOf({ clusterName: 'dev', hubble: { relay: false }, ciliumValuesOverrides: uiOnly }, 'hubble-ui-needs-relay')).toHaveLength(1);
    const standalone = { hubble: { relay: { enabled: false }, ui: { enabled: true, standalone: { enabled: true } } } };
    expect(violationsOf({ clusterName: 'dev', hubble: { relay: false }, ciliumValuesOverrides: standalone }, 'hubble-ui-needs-relay')).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// 2. cluster names Cilium accepts
// ------------------------------------------------------------------------------------------------

describe('clusterName', () => {
  test.each(['a', '7', 'dev', 'team-dev-1', 'a'.repeat(32), `a${'-'.repeat(30)}z`])('"%s" is accepted and becomes Cilium cluster.name', (name) => {
    const cluster = build({ clusterName: name });
    expect((cluster.ciliumValues().cluster as { name: string }).name).toBe(name);
    expect(cluster.kindConfig().name).toBe(name);
  });

  test.each([
    ['a dot (kind accepts it, Cilium does not)', 'team.dev'],
    ['33 characters (kind accepts it, Cilium allows 32)', 'a'.repeat(33)],
    ['40 characters', 'a'.repeat(40)],
    ['a leading "-"', '-dev'],
    ['a trailing "-"', 'dev-'],
    ['upper case', 'Dev'],
    ['an underscore', 'team_dev'],
    ['nothing', ''],
  ])('a name with %s is rejected naming clusterName and the fix', (_label, name) => {
    const error = expectError({ clusterName: name }, 'invalid-cluster-name', 'clusterName');
    expect(error.violations[0].problem).toContain(JSON.stringify(name));
    expect(error.violations[0].fix).toMatch(/^use 1-32 lowercase letters, digits or "-"/);
  });
});

// ------------------------------------------------------------------------------------------------
// 3. YAML 1.1 readers (Helm, kubectl, kind, kubeadm) read what YAML 1.2 readers read
// ------------------------------------------------------------------------------------------------

describe('toYaml and YAML 1.1 readers', () => {
  const TRICKY = ['on', 'off', 'yes', 'no', 'y', 'n', 'Y', 'N', 'ON', 'Off', 'True', 'NO', '1:20', '-1:20', '190:20:30',
    '0b101', '1_000', '0o17', '0x1F', '2001-12-14', '<<', '~', 'null', 'Null', '', '123', '1.5', '.inf', '.NaN', '1e3'];

  test.each(TRICKY)('the string %j reads back as the same string with YAML 1.1 and 1.2', (text) => {
    const doc = { value: text, list: [text], [text]: 'key' };
    const out = toYaml(doc);
    expect(YAML.parse(out)).toEqual(doc);
    expect(YAML.parse(out, { version: '1.1' })).toEqual(doc);
  });

  test('the YAML 1.1 booleans are quoted, everything ordinary is written as before', () => {
    const doc = { name: 'on', short: 'n', time: '1:20', port: 6443, enabled: true, ratio: 1.5, none: null, list: ['eth0', '10.0.0.0/8', '3s', 'dns'] };
    expect(toYaml(doc)).toBe([
      'name: "on"', 'short: "n"', 'time: "1:20"', 'port: 6443', 'enabled: true', 'ratio: 1.5', 'none: null',
      'list:', '  - eth0', '  - 10.0.0.0/8', '  - 3s', '  - dns', '',
    ].join('\n'));
  });

  test('integers stay integers and booleans stay booleans for both readers', () => {
    const doc = { port: 6443, replicas: 2, big: 2 ** 40, negative: -3, on: true, off: false };
    for (const version of ['1.1', '1.2'] as const) {
      const parsed = YAML.parse(toYaml(doc), { version });
      expect(parsed).toEqual(doc);
      expect(Number.isInteger(parsed.port)).toBe(true);
    }
  });

  test('a default cluster renders byte-identical to plain YAML.stringify (nothing ordinary changed)', () => {
    const cluster = build({ clusterName: 'dev', dnsDomain: 'cluster.internal', l2Announcements: {}, hostPortMappings: [{ containerPort: 30080 }] });
    for (const doc of [cluster.kindConfig(), cluster.ciliumValues()]) {
      expect(toYaml(doc)).toBe(YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }));
    }
  });

  test('a cluster named "on" keeps a string cluster.name and kind name when Helm and kind read the files', () => {
    const cluster = build({ clusterName: 'on' });
    const values = YAML.parse(toYaml(cluster.ciliumValues()), { version: '1.1' });
    expect(values.cluster.name).toBe('on');
    expect(values.k8sServiceHost).toBe('on-control-plane');
    expect(YAML.parse(toYaml(cluster.kindConfig()), { version: '1.1' }).name).toBe('on');
  });

  test('the kubeadm DNS patches go through the same serialiser', () => {
    const patches = dnsDomainPatches('on');
    expect(patches.map((p) => YAML.parse(p, { version: '1.1' }))).toEqual([
      { kind: 'ClusterConfiguration', networking: { dnsDomain: 'on' } },
      { kind: 'KubeletConfiguration', clusterDomain: 'on' },
    ]);
    // ordinary domains are written exactly as kind's documentation shows them
    expect(dnsDomainPatches('cluster.internal')).toEqual([
      'kind: ClusterConfiguration\nnetworking:\n  dnsDomain: cluster.internal\n',
      'kind: KubeletConfiguration\nclusterDomain: cluster.internal\n',
    ]);
  });
});

// ------------------------------------------------------------------------------------------------
// 4. kubeadm limits on the pod and service subnets
// ------------------------------------------------------------------------------------------------

describe('pod and service subnet sizes (kubeadm)', () => {
  test.each([
    ['a /25 (smaller than one node /24)', { podSubnet: '10.244.0.0/25' }],
    ['a /30', { podSubnet: '10.244.0.0/30', workers: 0 }],
    ['a /24 for 2 nodes', { podSubnet: '10.244.0.0/24' }],
    ['a /23 for 3 nodes', { podSubnet: '10.244.0.0/23', workers: 2 }],
    ['a /22 for 5 nodes', { podSubnet: '10.244.0.0/22', controlPlaneNodes: 3, workers: 2 }],
  ])('podSubnet %s is rejected naming podSubnet', (_label, props) => {
    const error = expectError({ clusterName: 'dev', ...props }, 'pod-subnet-too-small', 'dev.podSubnet');
    expect(error.message).toContain(props.podSubnet);
  });

  test('the fix names the pod subnet size the nodes need', () => {
    expect(configError({ clusterName: 'dev', podSubnet: '10.244.0.0/23', workers: 2 }).violations[0].fix).toContain('/22 or larger');
  });

  test.each([
    ['a /24 for 1 node', { podSubnet: '10.244.0.0/24', workers: 0 }],
    ['a /23 for 2 nodes', { podSubnet: '10.244.0.0/23' }],
    ['a /22 for 4 nodes', { podSubnet: '10.244.0.0/22', workers: 3 }],
    ['a /8 (16 bits above the node /24)', { podSubnet: '10.0.0.0/8', serviceSubnet: '172.20.0.0/16' }],
  ])('podSubnet %s is accepted', (_label, props) => {
    expect(build({ clusterName: 'dev', ...props }).violations()).toEqual([]);
  });

  test('a pod subnet wider than /8 is rejected (kubeadm allows 16 bits between it and the node /24)', () => {
    expectError({ clusterName: 'dev', podSubnet: '10.0.0.0/7' }, 'pod-subnet-too-large', 'dev.podSubnet');
  });

  test.each(['10.96.0.0/11', '0.0.0.0/1'])('serviceSubnet %s is rejected as too large', (serviceSubnet) => {
    expectError({ clusterName: 'dev', serviceSubnet }, 'service-subnet-too-large', 'dev.serviceSubnet');
  });

  test.each(['10.96.0.0/29', '10.96.0.0/32'])('serviceSubnet %s is rejected as too small for the cluster DNS address', (serviceSubnet) => {
    expectError({ clusterName: 'dev', serviceSubnet }, 'service-subnet-too-small', 'dev.serviceSubnet');
  });

  test.each(['10.96.0.0/12', '10.96.0.0/28'])('serviceSubnet %s is accepted', (serviceSubnet) => {
    expect(build({ clusterName: 'dev', serviceSubnet }).violations()).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// 5. wrongly-typed input from JavaScript / JSON callers
// ------------------------------------------------------------------------------------------------

describe('wrongly-typed input is a PlatformConfigError naming the field (never a TypeError or a coercion)', () => {
  test.each<[string, unknown, string]>([
    ['props null', null, 'props'],
    ['props undefined', undefined, 'props'],
    ['props a string', 'dev', 'props'],
    ['props a list', [{ clusterName: 'dev' }], 'props'],
    ['clusterName a number', { clusterName: 42 }, 'clusterName'],
    ['hostPortMappings an object', { clusterName: 'dev', hostPortMappings: {} }, 'dev.hostPortMappings'],
    ['hostPortMappings a string', { clusterName: 'dev', hostPortMappings: '30080:8080' }, 'dev.hostPortMappings'],
    ['a hostPortMappings item a number', { clusterName: 'dev', hostPortMappings: [30080] }, 'dev.hostPortMappings[0]'],
    ['a hostPortMappings item null', { clusterName: 'dev', hostPortMappings: [{ containerPort: 30080 }, null] }, 'dev.hostPortMappings[1]'],
    ['containerPort a string', { clusterName: 'dev', hostPortMappings: [{ containerPort: '30080' }] }, 'dev.hostPortMappings[0].containerPort'],
    ['containerPort missing', { clusterName: 'dev', hostPortMappings: [{ hostPort: 8080 }] }, 'dev.hostPortMappings[0].containerPort'],
    ['listenAddress a number', { clusterName: 'dev', hostPortMappings: [{ containerPort: 30080, listenAddress: 2130706433 }] }, 'dev.hostPortMappings[0].listenAddress'],
    ['masquerade.nonMasqueradeCidrs a string', { clusterName: 'dev', masquerade: { nonMasqueradeCidrs: '10.0.0.0/8' } }, 'dev.masquerade.nonMasqueradeCidrs'],
    ['masquerade a boolean', { clusterName: 'dev', masquerade: true }, 'dev.masquerade'],
    ['masquerade.bpf a string', { clusterName: 'dev', masquerade: { bpf: 'true' } }, 'dev.masquerade.bpf'],
    ['devices a string', { clusterName: 'dev', devices: 'eth0' }, 'dev.devices'],
    ['a devices item a number', { clusterName: 'dev', devices: ['eth0', 1] }, 'dev.devices[1]'],
    ['hubble.metrics a string', { clusterName: 'dev', hubble: { metrics: 'dns' } }, 'dev.hubble.metrics'],
    ['a hubble.metrics item a number', { clusterName: 'dev', hubble: { metrics: ['dns', 1] } }, 'dev.hubble.metrics[1]'],
    ['a hubble.metrics name a number', { clusterName: 'dev', hubble: { metrics: ['dns', { name: 1 }] } }, 'dev.hubble.metrics[1].name'],
    ['hubble.metrics options a list', { clusterName: 'dev', hubble: { metrics: [{ name: 'dns', options: ['query'] }] } }, 'dev.hubble.metrics[0].options'],
    ['a hubble.metrics option a number', { clusterName: 'dev', hubble: { metrics: [{ name: 'dns', options: { query: 1 } }] } }, 'dev.hubble.metrics[0].options["query"]'],
    ['hubble.openMetrics a string', { clusterName: 'dev', hubble: { openMetrics: 'true' } }, 'dev.hubble.openMetrics'],
    ['hubble.export a boolean', { clusterName: 'dev', hubble: { export: true } }, 'dev.hubble.export'],
    ['a hubble.export.allowList item a string', { clusterName: 'dev', hubble: { export: { allowList: ['{"verdict":["DROPPED"]}'] } } }, 'dev.hubble.export.allowList[0]'],
    ['ciliumCluster a string', { clusterName: 'dev', ciliumCluster: 'lab' }, 'dev.ciliumCluster'],
    ['ciliumCluster.id a string', { clusterName: 'dev', ciliumCluster: { id: '1' } }, 'dev.ciliumCluster.id'],
    ['imagePullPolicy a boolean', { clusterName: 'dev', imagePullPolicy: true }, 'dev.imagePullPolicy'],
    ['hubble.enabled a string', { clusterName: 'dev', hubble: { enabled: 'false' } }, 'dev.hubble.enabled'],
    ['hubble.ui a number', { clusterName: 'dev', hubble: { ui: 1 } }, 'dev.hubble.ui'],
    ['hubble a string', { clusterName: 'dev', hubble: 'on' }, 'dev.hubble'],
    ['workerLabels a list', { clusterName: 'dev', workerLabels: ['tier=web'] }, 'dev.workerLabels'],
    ['workerLabels a string', { clusterName: 'dev', workerLabels: 'tier=web' }, 'dev.workerLabels'],
    ['a workerLabels value a number', { clusterName: 'dev', workerLabels: { tier: 1 } }, 'dev.workerLabels["tier"]'],
    ['kubeProxyReplacement a string', { clusterName: 'dev', kubeProxyReplacement: 'false' }, 'dev.kubeProxyReplacement'],
    ['kubeProxyReplacement null', { clusterName: 'dev', kubeProxyReplacement: null }, 'dev.kubeProxyReplacement'],
    ['l2Announcements a boolean', { clusterName: 'dev', l2Announcements: true }, 'dev.l2Announcements'],
    ['l2Announcements.enabled a number', { clusterName: 'dev', l2Announcements: { enabled: 1 } }, 'dev.l2Announcements.enabled'],
    ['a lease duration a number', { clusterName: 'dev', l2Announcements: { leaseDuration: 3 } }, 'dev.l2Announcements.leaseDuration'],
    ['versions.allowUnsupportedPair a string', { clusterName: 'dev', versions: { allowUnsupportedPair: 'yes' } }, 'dev.versions.allowUnsupportedPair'],
    ['versions.gatewayApi a number', { clusterName: 'dev', versions: { gatewayApi: 1.3 } }, 'dev.versions.gatewayApi'],
    ['workers a string', { clusterName: 'dev', workers: '3' }, 'dev.workers'],
    ['controlPlaneNodes null', { clusterName: 'dev', controlPlaneNodes: null }, 'dev.controlPlaneNodes'],
    ['operatorReplicas a string', { clusterName: 'dev', operatorReplicas: '1' }, 'dev.operatorReplicas'],
    ['apiServerPort a string', { clusterName: 'dev', apiServerPort: '6443' }, 'dev.apiServerPort'],
    ['podSubnet a number', { clusterName: 'dev', podSubnet: 184549376 }, 'dev.podSubnet'],
    ['serviceSubnet a list', { clusterName: 'dev', serviceSubnet: ['10.96.0.0/16'] }, 'dev.serviceSubnet'],
    ['nodeImage a list', { clusterName: 'dev', nodeImage: ['kindest/node:v1.33.1'] }, 'dev.nodeImage'],
    ['dnsDomain a number', { clusterName: 'dev', dnsDomain: 123 }, 'dev.dnsDomain'],
    ['ciliumVersion a number', { clusterName: 'dev', ciliumVersion: 1.18 }, 'dev.ciliumVersion'],
    ['ciliumValuesOverrides a list', { clusterName: 'dev', ciliumValuesOverrides: [] }, 'dev.ciliumValuesOverrides'],
  ])('%s', (_label, props, field) => {
    const error = configError(props);
    expect(error.violations).toHaveLength(1);
    expect(error.violations[0].field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^${escape(field)}: .+\\. Fix: .+`, 's'));
  });

  test('wrong types are reported as invalid-type with what was given and what is expected', () => {
    expect(expectError({ clusterName: 'dev', workers: '3' }, 'invalid-type', 'dev.workers').violations[0].problem)
      .toBe('is the string "3", not a number');
    expect(expectError({ clusterName: 'dev', devices: 'eth0' }, 'invalid-type', 'dev.devices').violations[0].problem)
      .toBe('is the string "eth0", not a list');
    expect(expectError({ clusterName: 'dev', kubeProxyReplacement: 'true' }, 'invalid-type', 'dev.kubeProxyReplacement').violations[0].problem)
      .toBe('is the string "true", not a boolean');
  });

  test('enumerations given as another type keep their rule', () => {
    expectError({ clusterName: 'dev', routingMode: 1 }, 'invalid-routing-mode', 'dev.routingMode');
    expectError({ clusterName: 'dev', hostPortMappings: [{ containerPort: 30080, protocol: 'tcp' }] }, 'invalid-protocol', 'dev.hostPortMappings[0].protocol');
    expectError({ clusterName: 'dev', loadBalancer: { mode: ['snat'] } }, 'invalid-lb-mode', 'dev.loadBalancer.mode');
  });

  test('correctly-typed optional fields still take their defaults and values', () => {
    const cluster = build({
      clusterName: 'dev',
      devices: ['eth0', 'eth1'],
      hubble: { metrics: ['dns'] },
      masquerade: { nonMasqueradeCidrs: ['10.0.0.0/8'] },
      workerLabels: { tier: 'web' },
      hostPortMappings: [{ containerPort: 30080 }],
    });
    expect(cluster.spec.devices).toEqual(['eth0', 'eth1']);
    expect(cluster.spec.hubble).toEqual({ enabled: true, relay: true, ui: true, metrics: ['dns'], openMetrics: false });
    expect(cluster.spec.masquerade.nonMasqueradeCidrs).toEqual(['10.0.0.0/8']);
    expect(cluster.spec.workerLabels).toEqual({ tier: 'web' });
    expect(cluster.spec.hostPortMappings).toEqual([{ containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'TCP' }]);
    expect(cluster.violations()).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// 6. L2 lease timings, operator replicas, L2 announcements without kube-proxy replacement
// ------------------------------------------------------------------------------------------------

describe('L2 announcement lease timings (leaseDuration > leaseRenewDeadline > 1.2 x leaseRetryPeriod)', () => {
  test.each<[Record<string, string>, string]>([
    [{ leaseDuration: '1s', leaseRenewDeadline: '1s' }, 'leaseDuration'],
    [{ leaseDuration: '1s', leaseRenewDeadline: '2s' }, 'leaseDuration'],
    [{ leaseDuration: '900ms' }, 'leaseDuration'],
    [{ leaseRenewDeadline: '3s' }, 'leaseDuration'],
    [{ leaseRenewDeadline: '200ms' }, 'leaseRenewDeadline'],
    [{ leaseRenewDeadline: '240ms' }, 'leaseRenewDeadline'],
    [{ leaseRenewDeadline: '1200ms', leaseRetryPeriod: '1s' }, 'leaseRenewDeadline'],
    [{ leaseDuration: '1m', leaseRenewDeadline: '30s', leaseRetryPeriod: '1m' }, 'leaseRenewDeadline'],
    [{ leaseRetryPeriod: '0s' }, 'leaseRetryPeriod'],
    [{ leaseDuration: '0.5m', leaseRenewDeadline: '1m' }, 'leaseDuration'],
  ])('%j is rejected naming l2Announcements.%s', (timings, field) => {
    expectError({ clusterName: 'dev', l2Announcements: timings }, 'invalid-lease-timing', `dev.l2Announcements.${field}`);
  });

  test.each<Record<string, string>>([
    {},
    { leaseDuration: '5s', leaseRenewDeadline: '2s', leaseRetryPeriod: '500ms' },
    { leaseRenewDeadline: '1201ms', leaseRetryPeriod: '1s', leaseDuration: '1.5s' },
    { leaseDuration: '1m30s', leaseRenewDeadline: '1m', leaseRetryPeriod: '10s' },
    { leaseDuration: '2h', leaseRenewDeadline: '1h59m', leaseRetryPeriod: '1000us' },
  ])('%j is accepted', (timings) => {
    expect(build({ clusterName: 'dev', l2Announcements: timings }).violations()).toEqual([]);
  });
});

describe('operatorReplicas', () => {
  test('more replicas than nodes is an error naming operatorReplicas', () => {
    const error = expectError({ clusterName: 'dev', workers: 0, operatorReplicas: 2 }, 'operator-replicas-exceed-nodes', 'dev.operatorReplicas');
    expect(error.violations[0].fix).toContain('operatorReplicas: 1');
  });

  test('one replica per node is accepted', () => {
    expect(build({ clusterName: 'dev', workers: 1, operatorReplicas: 2 }).violations()).toEqual([]);
    expect(build({ clusterName: 'dev', workers: 2, operatorReplicas: 3 }).violations()).toEqual([]);
  });

  test('an override raising operator.replicas above the node count is an operator-replicas-fit-nodes violation', () => {
    const found = violationsOf({ clusterName: 'dev', ciliumValuesOverrides: { operator: { replicas: 3 } } }, 'operator-replicas-fit-nodes');
    expect(found).toHaveLength(1);
    expect(found[0].field).toContain('operatorReplicas');
    expect(violationsOf({ clusterName: 'dev', ciliumValuesOverrides: { operator: { replicas: 2 } } }, 'operator-replicas-fit-nodes')).toEqual([]);
  });
});

describe('L2 announcements need kube-proxy replacement', () => {
  test('l2Announcements with kubeProxyReplacement: false is an l2announcements-need-kpr violation', () => {
    const found = violationsOf({ clusterName: 'dev', kubeProxyReplacement: false, l2Announcements: {} }, 'l2announcements-need-kpr');
    expect(found).toHaveLength(1);
    expect(found[0].field).toBe('dev.l2Announcements');
    expect(found[0].fix).toContain('kubeProxyReplacement: true');
  });

  test('with kube-proxy replacement, or with L2 announcements disabled, there is no violation', () => {
    expect(violationsOf({ clusterName: 'dev', l2Announcements: {} }, 'l2announcements-need-kpr')).toEqual([]);
    expect(violationsOf({ clusterName: 'dev', kubeProxyReplacement: false, l2Announcements: { enabled: false } }, 'l2announcements-need-kpr')).toEqual([]);
  });

  test('an override enabling l2announcements without kube-proxy replacement is caught too', () => {
    const props = { clusterName: 'dev', kubeProxyReplacement: false, ciliumValuesOverrides: { l2announcements: { enabled: true } } };
    expect(violationsOf(props, 'l2announcements-need-kpr')).toHaveLength(1);
  });
});
