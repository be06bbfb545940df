import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { KindCiliumCluster, KindCiliumClusterProps, PlatformConfigError } from '../../src';
import { toYaml } from '../../src/private/yaml';
import { describeWithReference } from '../support/reference';
import { validateCiliumValues, validateKindConfig, yaml11Differences } from '../support/reference-schemas';

/**
 * Conformance of what the library renders today: for representative cluster descriptions, the kind
 * config and the Cilium Helm values must satisfy the upstream schemas (kind v1alpha4, Cilium chart
 * 1.18) and survive serialisation to YAML unchanged (integers stay integers, no `metadata` key).
 * The expectations below are derived from the description and the upstream requirements, not from
 * a previous run.
 */

interface Case {
  readonly title: string;
  readonly props: KindCiliumClusterProps;
}

const CASES: readonly Case[] = [
  { title: 'default', props: { clusterName: 'dev' } },
  {
    title: '4 nodes, DNS domain cluster.internal, pod 10.10.0.0/16, service 10.11.0.0/16, Hubble, L2 announcements',
    props: {
      clusterName: 'lab',
      workers: 3,
      dnsDomain: 'cluster.internal',
      podSubnet: '10.10.0.0/16',
      serviceSubnet: '10.11.0.0/16',
      hubble: { enabled: true, relay: true, ui: true, metrics: ['dns', 'drop', 'flow'] },
      l2Announcements: {},
    },
  },
  {
    title: '2-node kube-proxy-free native routing with L2 announcements',
    props: {
      clusterName: 'edge',
      workers: 1,
      kubeProxyReplacement: true,
      routingMode: 'native',
      l2Announcements: { leaseDuration: '5s', leaseRenewDeadline: '2s', leaseRetryPeriod: '500ms' },
    },
  },
  {
    title: '3-node native routing with bpf masquerade, ip-masq-agent and XDP native acceleration',
    props: {
      clusterName: 'perf',
      workers: 2,
      routingMode: 'native',
      masquerade: { bpf: true, ipMasqAgent: true },
      loadBalancer: { acceleration: 'native' },
    },
  },
  { title: 'kube-proxy replacement off', props: { clusterName: 'legacy', kubeProxyReplacement: false, hubble: { enabled: false } } },
  {
    title: 'HA control plane, published ports, fixed API server port, worker labels',
    props: {
      clusterName: 'ha',
      controlPlaneNodes: 3,
      workers: 2,
      apiServerPort: 6443,
      hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30053, protocol: 'UDP', listenAddress: '0.0.0.0' }],
      workerLabels: { 'node.kubernetes.io/pool': 'apps', 'example.com/tier': 'backend' },
      operatorReplicas: 2,
    },
  },
];

function build(c: Case): KindCiliumCluster {
  return new KindCiliumCluster(new App(), c.props.clusterName, c.props);
}

/** Every key path of a JSON value (`a.b[0].c`). */
function keyPaths(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [`${at}${at ? '.' : ''}${k}`, ...keyPaths(v, `${at}${at ? '.' : ''}${k}`)]);
  }
  return [];
}

/** Paths of every number in a JSON value, with the value. */
function numbers(value: unknown, at = ''): [string, number][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${at}.${k}`));
  return typeof value === 'number' ? [[at, value]] : [];
}

describe.each(CASES)('$title', (c) => {
  const cluster = build(c);
  const kind = cluster.kindConfig();
  const values = cluster.ciliumValues() as Record<string, any>;
  const kpr = c.props.kubeProxyReplacement ?? true;

  test('is a consistent description (no violations)', () => {
    expect(cluster.violations()).toEqual([]);
  });

  test('kind config reflects the description', () => {
    const cp = c.props.controlPlaneNodes ?? 1;
    const workers = c.props.workers ?? 1;
    expect(kind.nodes.map((n) => n.role)).toEqual([...Array(cp).fill('control-plane'), ...Array(workers).fill('worker')]);
    expect(kind.name).toBe(c.props.clusterName);
    expect(kind.networking.podSubnet).toBe(c.props.podSubnet ?? '10.244.0.0/16');
    expect(kind.networking.serviceSubnet).toBe(c.props.serviceSubnet ?? '10.96.0.0/16');
    // Cilium is the CNI: kindnet must not be installed.
    expect(kind.networking.disableDefaultCNI).toBe(true);
    // With kube-proxy replacement kind must not deploy kube-proxy; without it kube-proxy must run.
    expect(kind.networking.kubeProxyMode).toBe(kpr ? 'none' : undefined);
    expect(kind.networking.apiServerPort).toBe(c.props.apiServerPort);
    expect(keyPaths(kind).filter((p) => /(^|\.)metadata(\.|$)/.test(p))).toEqual([]);
    const mappings = kind.nodes.flatMap((n) => n.extraPortMappings ?? []);
    const wanted = (c.props.hostPortMappings ?? []).map((m) => [m.containerPort, m.hostPort ?? m.containerPort]);
    expect(mappings.map((m) => [m.containerPort, m.hostPort])).toEqual(wanted);
  });

  test('the DNS domain reaches kubeadm, the kubelets and hubble-relay', () => {
    const domain = c.props.dnsDomain ?? 'cluster.local';
    const patches = (kind.kubeadmConfigPatches ?? []).map((p) => YAML.parse(p));
    if (domain === 'cluster.local') {
      expect(patches).toEqual([]);
    } else {
      expect(patches).toContainEqual(expect.objectContaining({ kind: 'ClusterConfiguration', networking: { dnsDomain: domain } }));
      expect(patches).toContainEqual(expect.objectContaining({ kind: 'KubeletConfiguration', clusterDomain: domain }));
    }
    if (values.hubble.enabled) expect(values.hubble.peerService.clusterDomain).toBe(domain);
  });

  test('Helm values reflect the description', () => {
    expect(values.kubeProxyReplacement).toBe(kpr);
    if (kpr) {
      // Without kube-proxy, Cilium must reach the API server directly (inside kind: <name>-control-plane:6443, or
      // kind's HAProxy <name>-external-load-balancer:6443 in front of 2+ control planes).
      const host = (c.props.controlPlaneNodes ?? 1) >= 2 ? 'external-load-balancer' : 'control-plane';
      expect(values.k8sServiceHost).toBe(`${c.props.clusterName}-${host}`);
      expect(values.k8sServicePort).toBe(6443);
    } else {
      expect(values.k8sServiceHost).toBeUndefined();
    }
    const routing = c.props.routingMode ?? 'tunnel';
    expect(values.routingMode).toBe(routing);
    if (routing === 'native') {
      expect(values.ipv4NativeRoutingCIDR).toBe(c.props.podSubnet ?? '10.244.0.0/16');
      expect(values.autoDirectNodeRoutes).toBe(true);
      expect(values.tunnelProtocol).toBeUndefined();
    }
    expect(values.l2announcements?.enabled ?? false).toBe(c.props.l2Announcements !== undefined);
    if (c.props.l2Announcements?.leaseDuration) expect(values.l2announcements.leaseDuration).toBe(c.props.l2Announcements.leaseDuration);
    expect(values.bpf?.masquerade ?? false).toBe(c.props.masquerade?.bpf ?? false);
    expect(values.ipMasqAgent?.enabled ?? false).toBe(c.props.masquerade?.ipMasqAgent ?? false);
    expect(values.loadBalancer?.acceleration ?? 'disabled').toBe(c.props.loadBalancer?.acceleration ?? 'disabled');
    expect(values.hubble.enabled).toBe(c.props.hubble?.enabled ?? true);
    expect(values.operator.replicas).toBe(c.props.operatorReplicas ?? 1);
  });

  test.each([
    ['YAML.stringify', (doc: unknown) => YAML.stringify(doc)],
    ['the bundle serialiser (toYaml)', (doc: unknown) => toYaml(doc)],
  ])('kind config and Helm values round-trip through %s unchanged', (_label, serialise) => {
    for (const doc of [kind, values]) {
      const parsed = YAML.parse(serialise(doc));
      expect(parsed).toEqual(doc);
      // integers stay integers (kind decodes ports as int32; the chart schema wants integers)
      const before = numbers(doc);
      expect(before.every(([, n]) => Number.isInteger(n))).toBe(true);
      expect(numbers(parsed)).toEqual(before);
    }
    expect(keyPaths(YAML.parse(serialise(kind))).some((p) => /(^|\.)metadata(\.|$)/.test(p))).toBe(false);
  });

  test('a YAML 1.1 reader (Helm, kubectl) reads the same values', () => {
    expect(yaml11Differences(toYaml(values))).toEqual([]);
    expect(yaml11Differences(toYaml(kind))).toEqual([]);
  });

  describeWithReference('upstream schemas', ['kind-schema', 'helm-values'], () => {
    test('kind config satisfies kind.x-k8s.io/v1alpha4 (also after YAML round-trip)', () => {
      expect(validateKindConfig(kind)).toEqual([]);
      expect(validateKindConfig(YAML.parse(toYaml(kind)))).toEqual([]);
    });

    test('Helm values satisfy the Cilium 1.18 chart schema (also as Helm reads the file)', () => {
      expect(validateCiliumValues(values)).toEqual([]);
      expect(validateCiliumValues(YAML.parse(toYaml(values), { version: '1.1' }))).toEqual([]);
    });
  });
});

describe('former known gaps (regression tests)', () => {
  // Was a bug: a cluster named "on" (or off/yes/no/y/n) was written as `cluster:\n  name: on` in
  // cilium-values/<name>.yaml. Helm reads values with sigs.k8s.io/yaml (YAML 1.1), which turns it into
  // the boolean true, and the chart schema then rejects cluster.name (must be string).
  // Fixed: the serialiser (toYaml) quotes every string a YAML 1.1 reader would read as another type.
  test('cluster name "on" is rejected or survives Helm\'s YAML 1.1 parsing of the values file', () => {
    let cluster: KindCiliumCluster;
    try {
      cluster = new KindCiliumCluster(new App(), 'on', { clusterName: 'on' });
    } catch (e) {
      expect(e).toBeInstanceOf(PlatformConfigError);
      return;
    }
    if (cluster.violations().length > 0) return;
    expect(yaml11Differences(toYaml(cluster.ciliumValues()))).toEqual([]);
  });

  // Was a bug: the kubeadm patches were built by string interpolation (`dnsDomain: ${dnsDomain}`), so a
  // domain that YAML reads as another type reached kubeadm (which parses with YAML 1.1) as a boolean/number.
  // Fixed: the patches are serialised with toYaml.
  test('DNS domain "on" is rejected or reaches kubeadm as a string', () => {
    let cluster: KindCiliumCluster;
    try {
      cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', dnsDomain: 'on' });
    } catch (e) {
      expect(e).toBeInstanceOf(PlatformConfigError);
      return;
    }
    if (cluster.violations().length > 0) return;
    const patches = (cluster.kindConfig().kubeadmConfigPatches ?? []).map((p) => YAML.parse(p, { version: '1.1' }));
    expect(patches).toContainEqual(expect.objectContaining({ kind: 'ClusterConfiguration', networking: { dnsDomain: 'on' } }));
  });
});
