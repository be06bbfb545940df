import { App } from 'cdk8s';
import {
  dnsHubblePlatform, KindCiliumCluster, KindCiliumClusterProps, kprNativePlatform, meshPlatform, nativeXdpPlatform, zeroTrustPlatform,
} from '../../src';
import { expectedCiliumConfig } from '../../src/spec/values-by-minor';
import { CILIUM_MINOR_FACTS, DEFAULT_CILIUM_VERSION } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { ciliumConfig, helmTemplateRun, hubbleRelayConfig, K8sObject } from '../support/helm';
import { describeWithReference } from '../support/reference';
import { renderApp, RenderedBundle } from '../support/render';

/**
 * Oracle: the official Cilium chart (the version the bundle names, from the reference folder)
 * renders every values file the library writes, via the real `helm template` (Helm v4). The run
 * must succeed (the chart's values.schema.json and its `fail` guards pass) and the agent's
 * `cilium-config` must carry what the cluster DESCRIPTION (KindCiliumCluster.spec) says; the
 * expectations are derived from the spec, not from our values file.
 */

interface Rendered {
  readonly cluster: KindCiliumCluster;
  readonly chartVersion: string;
  readonly code: number;
  readonly stderr: string;
  readonly docs: K8sObject[];
}

/** Renders every cluster's values through helm template, in parallel (run.ts limits the processes). */
async function templateAll(bundle: RenderedBundle): Promise<Rendered[]> {
  return Promise.all(bundle.clusters.map(async (cluster) => {
    const name = cluster.clusterName;
    const chartVersion = bundle.ciliumVersion(name);
    const kubeVersion = /:v(\d+\.\d+\.\d+)/.exec(cluster.spec.nodeImage)?.[1];
    const r = await helmTemplateRun(bundle.read(`cilium-values/${name}.yaml`), chartVersion, kubeVersion);
    return { cluster, chartVersion, ...r };
  }));
}

/** What cilium-config must say for a cluster description. Keys set to `undefined` must be absent, empty or "false". */
function expectedConfig(cluster: KindCiliumCluster): Record<string, string | undefined> {
  const spec = cluster.spec;
  const overrides = spec.ciliumValuesOverrides as { cluster?: { id?: number } };
  const expected: Record<string, string | undefined> = {
    'cluster-name': spec.clusterName,
    'cluster-id': String(overrides.cluster?.id ?? spec.ciliumCluster.id),
    'routing-mode': spec.routingMode,
    'kube-proxy-replacement': String(spec.kubeProxyReplacement),
    'devices': spec.devices.join(' '),
    'enable-l2-announcements': spec.l2Announcements.enabled ? 'true' : undefined,
    'enable-hubble': String(spec.hubble.enabled),
    'bpf-lb-acceleration': spec.loadBalancer.acceleration,
    'enable-bpf-masquerade': spec.masquerade.bpf ? 'true' : undefined,
    'enable-ip-masq-agent': spec.masquerade.ipMasqAgent ? 'true' : undefined,
  };
  if (spec.routingMode === 'native') {
    expected['ipv4-native-routing-cidr'] = spec.podSubnet.cidr;
    expected['auto-direct-node-routes'] = 'true';
  } else {
    // The library always tunnels with VXLAN (kind nodes share one L2 docker network).
    expected['tunnel-protocol'] = 'vxlan';
  }
  if (spec.loadBalancer.mode !== 'snat') expected['bpf-lb-mode'] = spec.loadBalancer.mode;
  if (spec.l2Announcements.enabled) {
    expected['l2-announcements-lease-duration'] = spec.l2Announcements.leaseDuration;
    expected['l2-announcements-renew-deadline'] = spec.l2Announcements.leaseRenewDeadline;
    expected['l2-announcements-retry-period'] = spec.l2Announcements.leaseRetryPeriod;
  }
  return expected;
}

function checkRendered(r: Rendered): void {
  const name = r.cluster.clusterName;
  expect({ cluster: name, chart: r.chartVersion, code: r.code, stderr: r.stderr.trim() })
    .toEqual({ cluster: name, chart: r.chartVersion, code: 0, stderr: expect.any(String) });
  const config = ciliumConfig(r.docs);
  const expected = expectedConfig(r.cluster);
  const off = (k: string) => expected[k] === undefined && [undefined, '', 'false'].includes(config[k]);
  const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, off(k) ? undefined : config[k]]));
  expect({ cluster: name, config: actual }).toEqual({ cluster: name, config: expected });

  // The Hubble relay dials the peer service in the cluster's DNS domain.
  const spec = r.cluster.spec;
  const relay = hubbleRelayConfig(r.docs);
  if (spec.hubble.enabled && spec.hubble.relay) {
    expect(relay?.['peer-service']).toBe(`hubble-peer.kube-system.svc.${spec.dnsDomain}.:443`);
  } else {
    expect(relay).toBeUndefined();
  }
  // With kube-proxy replacement the agent must reach the API server without the (absent) kube-proxy.
  const agent = r.docs.find((d) => d.kind === 'DaemonSet' && d.metadata?.name === 'cilium');
  const env = (agent?.spec?.template?.spec?.containers?.[0]?.env ?? []) as { name: string; value?: string }[];
  const apiHost = env.find((e) => e.name === 'KUBERNETES_SERVICE_HOST')?.value;
  expect(apiHost).toBe(spec.kubeProxyReplacement ? `${name}-control-plane` : undefined);
}

describeWithReference('helm template: the official Cilium chart renders every preset', ['charts'], () => {
  const bundle = renderApp();
  let rendered: Rendered[] = [];
  beforeAll(async () => {
    rendered = await templateAll(bundle);
  });

  test('the bundle names a chart version for each preset', () => {
    expect(bundle.clusters.map((c) => bundle.ciliumVersion(c.clusterName))).toEqual(bundle.clusters.map((c) => c.spec.ciliumVersion));
  });

  test.each(bundle.clusters.map((c) => c.clusterName))('%s', (name) => {
    const r = rendered.find((x) => x.cluster.clusterName === name);
    expect(r).toBeDefined();
    checkRendered(r!);
  });
});

/** Every preset (the mesh's members included) described with one Cilium version, through the public API. */
function allPresetsAt(ciliumVersion: string): (app: App) => KindCiliumCluster[] {
  const props = ciliumVersionProps(ciliumVersion);
  return (app) => [
    dnsHubblePlatform(app, props), kprNativePlatform(app, props), nativeXdpPlatform(app, props), zeroTrustPlatform(app, props),
    ...meshPlatform(app, props).members,
  ];
}

// Every minor of the matrix other than the default one the bundle above uses: the presets re-described with its latest
// release (the 1.21 preview with its versions.allowPreRelease opt-in), rendered through that release's chart.
for (const facts of CILIUM_MINOR_FACTS.filter((f) => f.latestPatch !== DEFAULT_CILIUM_VERSION)) {
  describeWithReference(`helm template: every preset described with Cilium ${facts.latestPatch}, through its chart`, ['charts'], () => {
    const bundle = renderApp(allPresetsAt(facts.latestPatch));
    let rendered: Rendered[] = [];
    beforeAll(async () => {
      rendered = await templateAll(bundle);
    });

    test.each(bundle.clusters.map((c) => c.clusterName))('%s', (name) => {
      const r = rendered.find((x) => x.cluster.clusterName === name)!;
      expect([name, r.chartVersion]).toEqual([name, facts.latestPatch]);
      checkRendered(r);
      // and the per-minor chart facts (chart defaults and entries the chart forces)
      const gatewayApi = (r.cluster.ciliumValues() as { gatewayAPI?: { enabled?: boolean } }).gatewayAPI?.enabled === true;
      expect(ciliumConfig(r.docs)).toMatchObject(expectedCiliumConfig(facts.minor, { gatewayApi }));
    });
  });
}

/** Varied descriptions beyond the presets (each in its own App). */
const VARIANTS: [string, KindCiliumClusterProps][] = [
  ['tunnel defaults', { clusterName: 'v-tunnel' }],
  ['tunnel without kube-proxy replacement', { clusterName: 'v-kp', kubeProxyReplacement: false }],
  ['native, L2 announcements, Hubble off', {
    clusterName: 'v-native-l2', routingMode: 'native', l2Announcements: { enabled: true }, hubble: { enabled: false },
  }],
  ['native, DSR', { clusterName: 'v-dsr', routingMode: 'native', loadBalancer: { mode: 'dsr' } }],
  ['native, XDP, BPF masquerade, ip-masq-agent', {
    clusterName: 'v-xdp', routingMode: 'native', workers: 2, loadBalancer: { acceleration: 'native' }, masquerade: { bpf: true, ipMasqAgent: true },
  }],
  ['custom DNS domain and pod subnet, relay without UI', {
    clusterName: 'v-dns', dnsDomain: 'corp.internal', podSubnet: '10.200.0.0/16', routingMode: 'native', hubble: { ui: false },
  }],
  ['L2 announcements with custom leases, best-effort XDP, hybrid', {
    clusterName: 'v-hybrid',
    routingMode: 'native',
    l2Announcements: { enabled: true, leaseDuration: '5s', leaseRenewDeadline: '2s', leaseRetryPeriod: '500ms' },
    loadBalancer: { acceleration: 'best-effort', mode: 'hybrid' },
  }],
];

describeWithReference('helm template: varied cluster descriptions', ['charts'], () => {
  const bundles = VARIANTS.map(([label, props]) => ({ label, bundle: renderApp((app) => [new KindCiliumCluster(app, props.clusterName, props)]) }));
  let rendered: { label: string; r: Rendered }[] = [];
  beforeAll(async () => {
    rendered = await Promise.all(bundles.map(async ({ label, bundle }) => ({ label, r: (await templateAll(bundle))[0] })));
  });

  test.each(VARIANTS.map(([label]) => label))('%s', (label) => {
    const r = rendered.find((x) => x.label === label);
    expect(r).toBeDefined();
    checkRendered(r!.r);
  });
});
