import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { KindCiliumCluster, KindCiliumClusterProps, PlatformConfigError } from '../../src';
import { kindClusterNodes } from '../../src/applied/kind-nodes';
import { announceL2 } from '../../src/applied/l2-announcements';
import { toYaml } from '../../src/private/yaml';
import { renderKindConfig } from '../../src/render/kind-config';
import { resolveClusterSpec } from '../../src/spec/cluster-spec';
import { KIND_RELEASES, kubeadmApiVersionFor } from '../../src/spec/kind-releases';
import { KUBEADM_CONFIG_APIS } from '../../src/spec/kubernetes-versions';
import { describeWithReference } from '../support/reference';
import { validateBundleFile } from '../support/reference-schemas';

/** The kind settings (issue 21): typed, checked all at once, rendered through the YAML emitter, accepted by kind's schema. */

const FULL: KindCiliumClusterProps = {
  clusterName: 'lab',
  workers: 2,
  workerLabels: { 'example.com/pool': 'general' },
  localRegistry: {},
  kindConfig: {
    featureGates: { InPlacePodVerticalScaling: true, DRAAdminAccess: false },
    runtimeConfig: { 'api/alpha': 'false', 'resource.k8s.io/v1beta2': true },
    kubeadmConfigPatches: [{ kind: 'ClusterConfiguration', apiServer: { certSANs: ['lab.example'] } }],
    controlPlaneNodes: [{ extraMounts: [{ hostPath: '/srv/lab/audit', containerPath: '/var/log/audit', readOnly: true, propagation: 'HostToContainer' }] }],
    workerNodes: [
      { labels: { 'example.com/tier': 'edge', 'example.com/on': 'true' }, extraMounts: [{ hostPath: '/srv/lab/data', containerPath: '/data', selinuxRelabel: true }] },
      { labels: { 'topology.kubernetes.io/zone': 'b' }, kubeadmConfigPatches: [{ kind: 'JoinConfiguration', nodeRegistration: { kubeletExtraArgs: [{ name: 'v', value: '2' }] } }] },
    ],
  },
};

/** One valid description per kind release and node image: every combination the matrix knows. */
const COMBINATIONS = KIND_RELEASES.flatMap((r) => r.images.map((i) => ({ release: r, kubernetes: i.kubernetes })));
const propsFor = (release: string, kubernetes: string, kindConfig: KindCiliumClusterProps['kindConfig']): KindCiliumClusterProps => ({
  ...FULL,
  kindRelease: release,
  kubernetesVersion: kubernetes,
  versions: { allowUnsupportedPair: true },
  kindConfig,
});
/** kind v1beta3 writes extraArgs as maps, v1beta4 as lists. */
const joinPatch = (api: string) => ({
  kind: 'JoinConfiguration',
  nodeRegistration: { kubeletExtraArgs: api.endsWith('v1beta4') ? [{ name: 'v', value: '2' }] : { v: '2' } },
});

const problems = (props: KindCiliumClusterProps): PlatformConfigError => {
  try {
    resolveClusterSpec(props);
  } catch (e) {
    if (e instanceof PlatformConfigError) return e;
    throw e;
  }
  throw new Error('accepted');
};

describe('rendering', () => {
  test('every setting lands where kind reads it, through the YAML emitter', () => {
    const spec = resolveClusterSpec(FULL);
    const config = renderKindConfig(spec);
    expect(config.featureGates).toEqual({ DRAAdminAccess: false, InPlacePodVerticalScaling: true });
    expect(config.runtimeConfig).toEqual({ 'api/alpha': 'false', 'resource.k8s.io/v1beta2': 'true' });
    expect(config.kubeadmConfigPatches).toEqual([`apiVersion: ${spec.kubeadmApiVersion}\nkind: ClusterConfiguration\napiServer:\n  certSANs:\n    - lab.example\n`]);
    expect(config.containerdConfigPatches).toHaveLength(1);
    expect(config.nodes.map((n) => n.extraMounts ?? [])).toEqual([
      [{ hostPath: '/srv/lab/audit', containerPath: '/var/log/audit', readOnly: true, propagation: 'HostToContainer' }],
      [{ hostPath: '/srv/lab/data', containerPath: '/data', selinuxRelabel: true }],
      [],
    ]);
    expect(config.nodes[1].labels).toEqual({ 'example.com/on': 'true', 'example.com/pool': 'general', 'example.com/tier': 'edge' });
    expect(config.nodes[2].labels).toEqual({ 'example.com/pool': 'general', 'topology.kubernetes.io/zone': 'b' });
    expect(config.nodes[2].kubeadmConfigPatches).toEqual([
      `apiVersion: ${spec.kubeadmApiVersion}\nkind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    - name: v\n      value: "2"\n`,
    ]);
    // A Go (YAML 1.1) reader reads every label and runtimeConfig value back as the same string.
    const text = toYaml(config);
    expect(YAML.parse(text, { version: '1.1' })).toEqual(JSON.parse(JSON.stringify(config)));
  });

  test('a description without the new props renders no new keys (the presets\' kind configs are unchanged)', () => {
    const config = renderKindConfig(resolveClusterSpec({ clusterName: 'plain' }));
    expect(Object.keys(config)).toEqual(['kind', 'apiVersion', 'name', 'networking', 'nodes']);
    for (const node of config.nodes) expect(Object.keys(node).filter((k) => !['role', 'image', 'labels'].includes(k))).toEqual([]);
  });

  test.each(COMBINATIONS.map((c) => [c.release.release, c.kubernetes, c]))('kind %s, Kubernetes %s: unversioned kubeadm patches get the API kind writes for the image; every other kubeadm API is refused', (_r, _k, c) => {
    const api = kubeadmApiVersionFor(c.release, c.kubernetes);
    const spec = resolveClusterSpec(propsFor(c.release.release, c.kubernetes, { kubeadmConfigPatches: [{ kind: 'ClusterConfiguration' }, joinPatch(api)] }));
    expect(spec.kubeadmApiVersion).toBe(api);
    expect(spec.kindConfig.kubeadmConfigPatches.map((p) => YAML.parse(p).apiVersion)).toEqual([api, api]);
    for (const other of KUBEADM_CONFIG_APIS.map((a) => a.apiVersion).filter((a) => a !== api)) {
      const e = problems(propsFor(c.release.release, c.kubernetes, { kubeadmConfigPatches: [{ apiVersion: other, kind: 'InitConfiguration' }] }));
      expect(e.violations).toEqual([expect.objectContaining({
        rule: 'kubeadm-patch-api-mismatch',
        field: 'lab.kindConfig.kubeadmConfigPatches[0].apiVersion',
        problem: expect.stringContaining(`"${other}"`),
        fix: `write apiVersion: "${api}", or leave apiVersion out (it is rendered as ${api})`,
      })]);
    }
    // The other API's extraArgs shape is refused for the API this image reads.
    const wrongShape = joinPatch(api.endsWith('v1beta4') ? 'kubeadm.k8s.io/v1beta3' : 'kubeadm.k8s.io/v1beta4');
    expect(problems(propsFor(c.release.release, c.kubernetes, { workerNodes: [{ kubeadmConfigPatches: [wrongShape] }] })).violations)
      .toEqual([expect.objectContaining({ rule: 'kubeadm-patch-api-mismatch', field: 'lab.kindConfig.workerNodes[0].kubeadmConfigPatches[0].nodeRegistration.kubeletExtraArgs' })]);
  });
});

describeWithReference('kind\'s schema accepts every setting on every kind release and node image', ['kind-schema'], () => {
  test.each(COMBINATIONS.map((c) => [c.release.release, c.kubernetes, c]))('kind %s, Kubernetes %s', (_r, _k, c) => {
    const api = kubeadmApiVersionFor(c.release, c.kubernetes);
    const props = propsFor(c.release.release, c.kubernetes, {
      ...FULL.kindConfig,
      workerNodes: [FULL.kindConfig!.workerNodes![0], { kubeadmConfigPatches: [joinPatch(api)] }],
    });
    const app = Testing.app();
    new KindCiliumCluster(app, 'c', props);
    const file = renderKindConfig(resolveClusterSpec(props));
    expect(validateBundleFile('kind/lab.yaml', toYaml(file))).toEqual([]);
    expect(file.nodes[0].image).toContain(`v${c.kubernetes}@sha256:`);
  });
});

describe('refusals: each kind of mistake, all reported at once, naming field, value and fix', () => {
  test('labels: syntax, kubelet-restricted, node-role, the bundle\'s mark, a contradiction of workerLabels, a non-string', () => {
    const e = problems({
      clusterName: 'lab',
      workers: 1,
      workerLabels: { 'example.com/pool': 'general' },
      kindConfig: {
        controlPlaneNodes: [{ labels: { 'bad key!': 'x', 'kubernetes.io/role': 'x', 'node-role.kubernetes.io/edge': '', 'cdk8s-kind-cilium/bundle': 'x' } }],
        workerNodes: [{ labels: { 'example.com/pool': 'other', 'example.com/n': 1 as unknown as string } }],
      },
    });
    expect(e.rules).toEqual(['invalid-node-label', 'kubelet-restricted-label', 'kubelet-restricted-label', 'reserved-node-label', 'conflicting-node-label', 'invalid-type']);
    expect(e.violations[4]).toMatchObject({ field: 'lab.kindConfig.workerNodes[0].labels["example.com/pool"]', problem: expect.stringContaining('"example.com/pool=other"') });
  });

  test('mounts: relative or separator-bearing paths, bad propagation, duplicates, wrong types, unknown keys', () => {
    const e = problems({
      clusterName: 'lab',
      kindConfig: {
        workerNodes: [{
          extraMounts: [
            { hostPath: 'data', containerPath: '/data' },
            { hostPath: '/a:b', containerPath: '/x' },
            { hostPath: '/srv', containerPath: '/srv', propagation: 'rshared' as 'None' },
            { hostPath: '/srv', containerPath: '/y', readOnly: 'yes' as unknown as boolean },
            { hostPath: '/one', containerPath: '/dup' },
            { hostPath: '/two', containerPath: '/dup' },
            { hostPath: '/srv', containerPath: '/z', readonly: true } as never,
          ],
        }],
      },
    });
    expect(e.rules).toEqual(['invalid-mount-path', 'invalid-mount-path', 'invalid-mount-propagation', 'invalid-type', 'duplicate-mount-path', 'unknown-prop']);
    expect(e.violations[0]).toMatchObject({ field: 'lab.kindConfig.workerNodes[0].extraMounts[0].hostPath', fix: expect.stringContaining('absolute') });
    expect(e.violations[5]).toMatchObject({ field: 'lab.kindConfig.workerNodes[0].extraMounts[6].readonly', fix: expect.stringContaining('"readOnly"') });
  });

  test('feature gates, runtimeConfig, node lists longer than the nodes, patch kinds', () => {
    const e = problems({
      clusterName: 'lab',
      workers: 1,
      kindConfig: {
        featureGates: { 'in-place': true, 'Good': 'true' as unknown as boolean },
        runtimeConfig: { 'api/alpha': 'yes', 'not a key': 'true' },
        kubeadmConfigPatches: [{ kind: 'Deployment' }, { apiVersion: 'kubelet.config.k8s.io/v1', kind: 'KubeletConfiguration' }],
        workerNodes: [{}, {}],
      },
    });
    expect(e.rules).toEqual([
      'invalid-feature-gate', 'invalid-type', 'invalid-runtime-config', 'invalid-runtime-config', 'invalid-kubeadm-patch', 'kubeadm-patch-api-mismatch',
      'kind-node-settings-exceed-nodes',
    ]);
  });

  test('the local registry: unpinned image, bad name and port; a host port clash with the API server or a mapping', () => {
    expect(problems({ clusterName: 'lab', localRegistry: { image: 'registry:2', name: 'Reg', hostPort: 0 } }).rules)
      .toEqual(['invalid-registry-name', 'invalid-number', 'registry-image-not-pinned']);
    for (const props of [
      { clusterName: 'lab', apiServerPort: 5001, localRegistry: {} },
      { clusterName: 'lab', hostPortMappings: [{ containerPort: 30080, hostPort: 5001 }], localRegistry: {} },
    ] as KindCiliumClusterProps[]) {
      const app = Testing.app();
      new KindCiliumCluster(app, 'c', props);
      expect(() => app.synth()).toThrow(/c\.localRegistry\.hostPort: host port TCP 127\.0\.0\.1:5001 is already bound by c\.(apiServerPort|hostPortMappings\[0\])/);
    }
  });

  test('two clusters may share one registry (same name and port); different registries on one port clash', () => {
    const shared = Testing.app();
    new KindCiliumCluster(shared, 'a', { clusterName: 'a', localRegistry: {}, dockerNetworkSubnet: '172.18.0.0/16' });
    new KindCiliumCluster(shared, 'b', { clusterName: 'b', localRegistry: {}, podSubnet: '10.245.0.0/16' });
    expect(() => shared.synth()).not.toThrow();
    const clash = Testing.app();
    new KindCiliumCluster(clash, 'a', { clusterName: 'a', localRegistry: {} });
    new KindCiliumCluster(clash, 'b', { clusterName: 'b', localRegistry: { name: 'other-registry' } });
    expect(() => clash.synth()).toThrow(/b\.localRegistry\.hostPort: host port TCP 127\.0\.0\.1:5001 is also bound by a\.localRegistry\.hostPort/);
  });
});

test('node-selector models see the per-node labels: kind names, kind/kubeadm labels, the config\'s labels, apply.sh\'s role labels', () => {
  const spec = resolveClusterSpec(FULL);
  const nodes = kindClusterNodes(renderKindConfig(spec), spec.nodeRoleLabels);
  expect(nodes.map((n) => n.name)).toEqual(['lab-control-plane', 'lab-worker', 'lab-worker2']);
  expect(nodes[1].labels).toMatchObject({ 'example.com/tier': 'edge', 'example.com/pool': 'general', 'node-role.kubernetes.io/worker': '', 'kubernetes.io/hostname': 'lab-worker' });
  expect(nodes[2].labels['example.com/tier']).toBeUndefined();
  expect(nodes[0].labels).toMatchObject({ 'node-role.kubernetes.io/control-plane': '' });
});

test('an L2 announcement policy whose nodeSelector names a per-node label announces from that node only', () => {
  const spec = resolveClusterSpec({
    clusterName: 'lab',
    workers: 2,
    l2Announcements: { enabled: true },
    kindConfig: { workerNodes: [{}, { labels: { 'example.com/l2': 'edge' } }] },
  });
  const nodes = kindClusterNodes(renderKindConfig(spec), spec.nodeRoleLabels);
  const policy = {
    apiVersion: 'cilium.io/v2alpha1',
    kind: 'CiliumL2AnnouncementPolicy',
    metadata: { name: 'edge' },
    spec: { loadBalancerIPs: true, interfaces: ['^eth[0-9]+'], nodeSelector: { matchLabels: { 'example.com/l2': 'edge' } } },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: [{ ip: '172.18.250.10' }] } },
  };
  const result = announceL2({
    policies: [policy],
    services: [service],
    nodes,
    devices: ['eth0'],
    settings: { l2announcementsEnabled: true, kubeProxyReplacement: true, ciliumVersion: spec.ciliumVersion },
  });
  expect(result.services['apps/web'].candidates.map((c) => c.node)).toEqual(['lab-worker2']);
});
