import { App } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import {
  ClusterMesh, CiliumClusterOptions, HubbleFlowExportOptions, HubbleOptions, KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementOptions,
  L2AnnouncementPolicy, LoadBalancerIpPool, LoadBalancerOptions, LocalCertificateAuthority, LocalGateway, MasqueradeOptions, VersionOptions,
  Violation,
} from '../../src';
import { HELM_KEY_OWNERS, HelmKeyOwner, renderOwnedValues } from '../../src/render/helm-key-owners';
import { helmPathText, valueAt } from '../../src/rules/ownership';
import { CILIUM_MINORS, ciliumMinorFacts } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { describeWithReference, readReference } from '../support/reference';

/**
 * One owner per Helm key (trust issue 19, point 4). Every Helm values key a typed prop renders is a row of
 * HELM_KEY_OWNERS; an override of it is refused (`helm-value-owned-by-prop`) unless it installs what the owner renders.
 *
 * - The enumeration varies every prop of the description (a mapped type: a new prop does not compile until it has a
 *   variation here) on every Cilium minor, and checks that every Helm key the variation changes is a row naming it.
 * - The property draws arbitrary values for every row (and for the maps above it), on several descriptions: an
 *   override is either refused, naming the owner, or accepted without changing any other verdict.
 */

type Props = Partial<KindCiliumClusterProps>;
const OWNED = 'helm-value-owned-by-prop';

interface Variation {
  /** The dotted prop path varied (what a row's `decidedBy` must name). */
  readonly label: string;
  /** The description before... */
  readonly base?: Props;
  /** ...and the props that change it (spread over `base`). */
  readonly change: Props;
}

type Cover<T> = { readonly [K in keyof Required<T>]: readonly Variation[] };
const vary = (label: string, change: Props, base: Props = {}): Variation => ({ label, change, base });
const ANY_PAIR = { allowUnsupportedPair: true };
const IMAGE_136 = 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed';

/** Every prop of the description; object props are covered key by key below (an empty list: see the nested cover). */
const TOP: Cover<KindCiliumClusterProps> = {
  clusterName: [vary('clusterName', { clusterName: 'other' })],
  nodeImage: [vary('nodeImage', { nodeImage: IMAGE_136, versions: ANY_PAIR }, { versions: ANY_PAIR })],
  kubernetesVersion: [vary('kubernetesVersion', { kubernetesVersion: '1.35', versions: ANY_PAIR }, { versions: ANY_PAIR })],
  kindRelease: [vary('kindRelease', { kindRelease: 'v0.32.0', kubernetesVersion: '1.34', versions: ANY_PAIR }, { kubernetesVersion: '1.34', versions: ANY_PAIR })],
  controlPlaneNodes: [vary('controlPlaneNodes', { controlPlaneNodes: 3 })],
  workers: [vary('workers', { workers: 3 })],
  workerLabels: [vary('workerLabels', { workerLabels: { tier: 'web' } })],
  podSubnet: [vary('podSubnet', { podSubnet: '10.10.0.0/16' }), vary('podSubnet', { podSubnet: '10.10.0.0/16' }, { routingMode: 'native' }),
    vary('podSubnet', { podSubnet: '10.10.0.0/16' }, { masquerade: { bpf: true, ipMasqAgent: true } })],
  serviceSubnet: [vary('serviceSubnet', { serviceSubnet: '10.11.0.0/16' })],
  dnsDomain: [vary('dnsDomain', { dnsDomain: 'cluster.internal' })],
  dockerNetworkSubnet: [vary('dockerNetworkSubnet', { dockerNetworkSubnet: '172.19.0.0/16' }),
    vary('dockerNetworkSubnet', { dockerNetworkSubnet: '172.19.0.0/16' }, { masquerade: { bpf: true, ipMasqAgent: true } })],
  apiServerPort: [vary('apiServerPort', { apiServerPort: 6444 })],
  kubeProxyReplacement: [vary('kubeProxyReplacement', { kubeProxyReplacement: false })],
  routingMode: [vary('routingMode', { routingMode: 'native' })],
  tunnelProtocol: [vary('tunnelProtocol', { tunnelProtocol: 'geneve' })],
  ciliumVersion: [],
  hubble: [],
  hostPortMappings: [vary('hostPortMappings', { hostPortMappings: [{ containerPort: 30080 }] })],
  l2Announcements: [],
  devices: [vary('devices', { devices: ['eth+'] })],
  masquerade: [],
  loadBalancer: [],
  operatorReplicas: [vary('operatorReplicas', { operatorReplicas: 2 })],
  ciliumCluster: [],
  imagePullPolicy: [vary('imagePullPolicy', { imagePullPolicy: 'Never' })],
  versions: [],
  // Not a typed prop: the property tests below cover it.
  ciliumValuesOverrides: [],
  gitops: [vary('gitops', { gitops: { engine: 'flux', repoUrl: 'https://git.example.com/platform.git' } })],
  kindConfig: [vary('kindConfig', { kindConfig: { featureGates: { InPlacePodVerticalScaling: true }, workerNodes: [{ labels: { zone: 'a' } }] } })],
  localRegistry: [vary('localRegistry', { localRegistry: {} })],
};
const HUBBLE: Cover<HubbleOptions> = {
  enabled: [vary('hubble.enabled', { hubble: { enabled: false } })],
  relay: [vary('hubble.relay', { hubble: { relay: false, ui: false } })],
  ui: [vary('hubble.ui', { hubble: { ui: false } })],
  metrics: [vary('hubble.metrics', { hubble: { metrics: ['dns', { name: 'httpV2', options: { exemplars: 'true' } }] } })],
  openMetrics: [vary('hubble.openMetrics', { hubble: { openMetrics: true } })],
  export: [vary('hubble.export', { hubble: { export: {} } })],
};
const EXPORTED = (exportProps: HubbleFlowExportOptions) => ({ hubble: { export: exportProps } });
const HUBBLE_EXPORT: Cover<HubbleFlowExportOptions> = {
  filePath: [vary('hubble.export.filePath', EXPORTED({ filePath: '/tmp/flows.log' }), EXPORTED({}))],
  fieldMask: [vary('hubble.export.fieldMask', EXPORTED({ fieldMask: ['time'] }), EXPORTED({}))],
  allowList: [vary('hubble.export.allowList', EXPORTED({ allowList: [{ verdict: ['DROPPED'] }] }), EXPORTED({}))],
  denyList: [vary('hubble.export.denyList', EXPORTED({ denyList: [{ verdict: ['FORWARDED'] }] }), EXPORTED({}))],
  fileMaxSizeMb: [vary('hubble.export.fileMaxSizeMb', EXPORTED({ fileMaxSizeMb: 20 }), EXPORTED({}))],
  fileMaxBackups: [vary('hubble.export.fileMaxBackups', EXPORTED({ fileMaxBackups: 2 }), EXPORTED({}))],
};
const L2: Cover<L2AnnouncementOptions> = {
  enabled: [vary('l2Announcements', { l2Announcements: {} }), vary('l2Announcements.enabled', { l2Announcements: { enabled: false } }, { l2Announcements: {} })],
  leaseDuration: [vary('l2Announcements.leaseDuration', { l2Announcements: { leaseDuration: '5s' } }, { l2Announcements: {} })],
  leaseRenewDeadline: [vary('l2Announcements.leaseRenewDeadline', { l2Announcements: { leaseRenewDeadline: '2s' } }, { l2Announcements: {} })],
  leaseRetryPeriod: [vary('l2Announcements.leaseRetryPeriod', { l2Announcements: { leaseRetryPeriod: '100ms' } }, { l2Announcements: {} })],
};
const MASQUERADE: Cover<MasqueradeOptions> = {
  bpf: [vary('masquerade.bpf', { masquerade: { bpf: true } })],
  ipMasqAgent: [vary('masquerade.ipMasqAgent', { masquerade: { bpf: true, ipMasqAgent: true } }, { masquerade: { bpf: true } })],
  nonMasqueradeCidrs: [vary('masquerade.nonMasqueradeCidrs', { masquerade: { bpf: true, ipMasqAgent: true, nonMasqueradeCidrs: ['10.0.0.0/8'] } },
    { masquerade: { bpf: true, ipMasqAgent: true } })],
};
const LOAD_BALANCER: Cover<LoadBalancerOptions> = {
  acceleration: [vary('loadBalancer.acceleration', { loadBalancer: { acceleration: 'native' } })],
  mode: [vary('loadBalancer.mode', { loadBalancer: { mode: 'dsr' } }, { routingMode: 'native' })],
  dsrDispatch: [vary('loadBalancer.dsrDispatch', { loadBalancer: { mode: 'dsr', dsrDispatch: 'ipip' } }, { routingMode: 'native', loadBalancer: { mode: 'dsr' } })],
};
const CILIUM_CLUSTER: Cover<CiliumClusterOptions> = {
  name: [vary('ciliumCluster.name', { ciliumCluster: { name: 'kind-dev' } })],
  id: [vary('ciliumCluster.id', { ciliumCluster: { id: 7 } })],
  maxConnectedClusters: [vary('ciliumCluster.maxConnectedClusters', { ciliumCluster: { maxConnectedClusters: 511 } })],
};
const VERSIONS: Cover<VersionOptions> = {
  gatewayApi: [vary('versions.gatewayApi', { versions: { gatewayApi: 'v1.6.2', allowUnsupportedPair: true } })],
  certManager: [vary('versions.certManager', { versions: { certManager: 'v1.19.6' } })],
  allowUnsupportedPair: [vary('versions.allowUnsupportedPair', { versions: { allowUnsupportedPair: true } })],
  allowPreRelease: [vary('versions.allowPreRelease', { versions: { allowPreRelease: true } })],
};
const VARIATIONS: readonly Variation[] = [TOP, HUBBLE, HUBBLE_EXPORT, L2, MASQUERADE, LOAD_BALANCER, CILIUM_CLUSTER, VERSIONS]
  .flatMap((cover) => (Object.values(cover) as unknown as readonly (readonly Variation[])[]).flat());

/** Leaf paths (maps are walked; lists and scalars are leaves) with their JSON. */
function leaves(values: unknown, prefix: readonly string[] = [], out = new Map<string, { path: string[]; json: string }>()) {
  if (typeof values === 'object' && values !== null && !Array.isArray(values)) {
    for (const [k, v] of Object.entries(values)) leaves(v, [...prefix, k], out);
  } else if (prefix.length > 0) {
    out.set(JSON.stringify(prefix), { path: [...prefix], json: JSON.stringify(values) });
  }
  return out;
}

const rowAt = (p: readonly string[]) => HELM_KEY_OWNERS.find((r) => JSON.stringify(r.path) === JSON.stringify(p));
/** A row names the varied prop, a prop above it (`hubble.export` for `hubble.export.filePath`) or below it. */
const names = (row: HelmKeyOwner, label: string) => row.decidedBy.some((d) => d === label || label.startsWith(`${d}.`) || d.startsWith(`${label}.`));

function clusterOf(props: Props, app = new App()): KindCiliumCluster {
  return new KindCiliumCluster(app, 'dev', { clusterName: 'dev', ...props });
}

/** What the enumeration saw rendered, over every variation and minor. */
const seen = new Set<string>();

describe.each(CILIUM_MINORS.map((m) => [m, ciliumMinorFacts(m).latestPatch]))('Cilium %s: every key a prop changes is owned by that prop', (_minor, version) => {
  const minorProps = ciliumVersionProps(version);
  const values = (props: Props) => {
    const merged = { ...minorProps, ...props, versions: { ...minorProps.versions, ...props.versions } };
    return clusterOf(merged).ciliumValues();
  };

  test.each(VARIATIONS.map((v) => [v.label, v]))('%s', (_label, variation) => {
    const before = leaves(values(variation.base ?? {}));
    const after = leaves(values({ ...variation.base, ...variation.change }));
    for (const k of [...before.keys(), ...after.keys()]) seen.add(k);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k)?.json !== after.get(k)?.json);
    for (const k of changed) {
      const row = rowAt(JSON.parse(k));
      expect({ key: k, owned: row !== undefined, namesProp: row ? names(row, variation.label) : false })
        .toEqual({ key: k, owned: true, namesProp: true });
    }
  });

  test('a Gateway switches gatewayAPI.enabled, owned by LocalGateway; mesh membership only changes keys owned by ClusterMesh', () => {
    const plain = clusterOf(minorProps);
    const withGateway = clusterOf(minorProps);
    new LoadBalancerIpPool(withGateway, 'pool');
    new LocalGateway(withGateway, 'gw', { certificateAuthority: new LocalCertificateAuthority(withGateway, 'ca') });
    const mesh = new ClusterMesh(new App(), 'm', { name: 'm' });
    const member = mesh.addCluster({ clusterName: 'a', ...minorProps });
    mesh.addCluster({ clusterName: 'b', ...minorProps });
    const memberValues = member.ciliumValues();
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['LocalGateway', plain.ciliumValues(), withGateway.ciliumValues()],
      ['ClusterMesh', renderOwnedValues(member.spec, { gatewayApi: false }), memberValues],
      ['ClusterMesh', renderOwnedValues(member.spec, { gatewayApi: false }), renderOwnedValues({ ...member.spec, ciliumCluster: { ...member.spec.ciliumCluster, maxConnectedClusters: 511 } }, {
        gatewayApi: false, mesh: { ...member.model().meshMemberships[0], maxConnectedClusters: 511 },
      })],
    ];
    for (const [label, before, after] of cases) {
      const b = leaves(before);
      const a = leaves(after);
      for (const k of [...b.keys(), ...a.keys()]) seen.add(k);
      const changed = [...new Set([...b.keys(), ...a.keys()])].filter((k) => b.get(k)?.json !== a.get(k)?.json);
      expect(changed.length).toBeGreaterThan(0);
      for (const k of changed) {
        const row = rowAt(JSON.parse(k));
        expect({ key: k, owned: row !== undefined, namesProp: row ? names(row, label) : false }).toEqual({ key: k, owned: true, namesProp: true });
      }
    }
  });
});

test('the table lists each key once, and every row is rendered by some description above (no dead row); a guard row never is', () => {
  const keys = HELM_KEY_OWNERS.map((r) => JSON.stringify(r.path));
  expect(keys.length).toBe(new Set(keys).size);
  const guards = HELM_KEY_OWNERS.filter((r) => r.decidedBy.length === 0);
  expect(guards.map((r) => r.path.join('.'))).toEqual(['agent', 'preflight.enabled', 'daemon.configSources', 'daemon.allowedConfigOverrides']);
  // A guard row keeps the chart default the platform needs: no description renders it, and it declares that default.
  for (const g of guards) expect([g.path.join('.'), seen.has(JSON.stringify(g.path)), 'chartDefault' in g]).toEqual([g.path.join('.'), false, true]);
  expect(HELM_KEY_OWNERS.filter((r) => r.decidedBy.length > 0).map((r) => JSON.stringify(r.path)).filter((k) => !seen.has(k))).toEqual([]);
});

describe('the instances of issue 19 are refused, naming the prop to use', () => {
  const owned = (props: Props, add: (c: KindCiliumCluster) => void = () => undefined) => {
    const c = clusterOf(props);
    add(c);
    return c.violations().filter((v) => v.rule === OWNED);
  };
  test.each<[string, Props, string, string]>([
    ['cluster.name of 40 characters', { ciliumValuesOverrides: { cluster: { name: 'a'.repeat(40) } } }, 'dev.ciliumValuesOverrides.cluster.name', 'ciliumCluster.name'],
    ['cluster.id 999', { ciliumValuesOverrides: { cluster: { id: 999 } } }, 'dev.ciliumValuesOverrides.cluster.id', 'ciliumCluster.id'],
    ['devices ens3 under a default L2 policy', { l2Announcements: {}, ciliumValuesOverrides: { devices: ['ens3'] } }, 'dev.ciliumValuesOverrides.devices', 'set devices'],
    ['cluster-pool IPAM over the service subnet', { ciliumValuesOverrides: { ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.96.0.0/16'] } } } },
      'dev.ciliumValuesOverrides.ipam.mode', 'set podSubnet'],
  ])('%s', (_name, props, field, fix) => {
    const found = owned(props, (c) => {
      new LoadBalancerIpPool(c, 'pool');
      new L2AnnouncementPolicy(c, 'l2');
    });
    expect(found.map((v) => [v.field, v.fix.includes(fix)])).toEqual([[field, true]]);
  });

  test('the default L2 policy follows the devices prop (the owner), not an override', () => {
    const c = clusterOf({ l2Announcements: {}, devices: ['eth0'], ciliumValuesOverrides: { devices: 'eth1 eth2' } });
    expect(new L2AnnouncementPolicy(c, 'l2').interfaces).toEqual(['^eth0$']);
    expect(c.violations().map((v) => v.rule)).toContain(OWNED);
  });
});

/** Descriptions the property runs on, each with the given overrides: each renders a different set of owned keys. */
const BASES: readonly [string, (app: App, overrides?: Record<string, unknown>) => KindCiliumCluster][] = [
  ['defaults', (app, ciliumValuesOverrides) => clusterOf({ ciliumValuesOverrides }, app)],
  ['native routing, L2, bpf masquerade with ip-masq-agent, DSR, pull policy, export', (app, ciliumValuesOverrides) => {
    const c = clusterOf({
      routingMode: 'native',
      l2Announcements: {},
      masquerade: { bpf: true, ipMasqAgent: true },
      loadBalancer: { mode: 'dsr', acceleration: 'native' },
      imagePullPolicy: 'IfNotPresent',
      hubble: { export: {}, openMetrics: true },
      ciliumCluster: { name: 'kind-dev', id: 3, maxConnectedClusters: 511 },
      ciliumValuesOverrides,
    }, app);
    new LoadBalancerIpPool(c, 'pool');
    new L2AnnouncementPolicy(c, 'l2');
    return c;
  }],
  ['no kube-proxy replacement, no Hubble', (app, ciliumValuesOverrides) => clusterOf({ kubeProxyReplacement: false, hubble: { enabled: false }, ciliumValuesOverrides }, app)],
  ['a Gateway, HA control plane', (app, ciliumValuesOverrides) => {
    const c = clusterOf({ controlPlaneNodes: 3, hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }], ciliumValuesOverrides }, app);
    new LoadBalancerIpPool(c, 'pool');
    new LocalGateway(c, 'gw', { certificateAuthority: new LocalCertificateAuthority(c, 'ca') });
    return c;
  }],
  ['a Cluster Mesh member', (app, ciliumValuesOverrides) => {
    const mesh = new ClusterMesh(app, 'm', { name: 'm' });
    const member = mesh.addCluster({ clusterName: 'dev', ciliumValuesOverrides });
    mesh.addCluster({ clusterName: 'peer' });
    return member;
  }],
];

/** `value` placed at `path` in an otherwise empty override. */
function overrideAt(keyPath: readonly string[], value: unknown): Record<string, unknown> {
  return keyPath.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), value) as Record<string, unknown>;
}

const others = (vs: readonly Violation[]) => vs.filter((v) => v.rule !== OWNED).map((v) => `${v.rule} ${v.field}`).sort();

/** Values an override could try: arbitrary JSON, and near misses of what the row renders. */
function candidates(rendered: unknown): fc.Arbitrary<unknown> {
  const near: unknown[] = [null, true, false, 0, 1, -1, 2, 511, 999, '', 'true', 'false', 'auto', 'eth0', 'ens3', 'cluster-pool', [], {}, ['eth0'], 'a'.repeat(40)];
  if (rendered !== undefined) near.push(rendered, JSON.stringify(rendered), String(rendered), [rendered]);
  if (typeof rendered === 'number') near.push(rendered + 1, rendered - 1, String(rendered));
  return fc.oneof(fc.constantFrom(...near), fc.jsonValue({ maxDepth: 2 }));
}

describe.each(BASES)('every owned key, on %s: an override is refused naming the owner, or changes no verdict', (_name, base) => {
  const baseCluster = base(new App());
  const fieldOf = (owner: HelmKeyOwner) => `${baseCluster.node.path}.ciliumValuesOverrides.${helmPathText(owner.path)}`;
  const baseOthers = others(baseCluster.violations());
  const renderedValues = (owner: HelmKeyOwner) => valueAt(baseCluster.ciliumValues(), owner.path);

  test('the base itself is valid and has no owned-key violation', () => {
    expect(baseCluster.violations()).toEqual([]);
  });

  test.each(HELM_KEY_OWNERS.map((o) => [o.path.join('.'), o]))('%s', (_key, owner) => {
    const rendered = renderedValues(owner);
    fc.assert(fc.property(candidates(rendered), (value) => {
      const violations = base(new App(), overrideAt(owner.path, value)).violations();
      const refusal = violations.find((v) => v.rule === OWNED && v.field === fieldOf(owner));
      // a missing key is the chart default (null removes the key and its default: not the same)
      const effective = (x: unknown) => (x === undefined && 'chartDefault' in owner ? owner.chartDefault : x);
      if (JSON.stringify(effective(value)) === JSON.stringify(effective(rendered))) {
        // the value the owner renders (or the chart default it leaves in place) is always accepted
        expect(refusal).toBeUndefined();
      }
      if (refusal) {
        expect(refusal.fix).toContain(owner.use);
        expect(refusal.problem).toContain(owner.prop);
      } else {
        // accepted: no other verdict may change (the installed platform is the one the rules judged)
        expect(others(violations)).toEqual(baseOthers);
      }
    }), { numRuns: 12, seed: 19 });
  });

  test('a map above owned keys replaced by a scalar or a list is refused for every key the description renders below it', () => {
    const prefixes = [...new Set(HELM_KEY_OWNERS.flatMap((o) => o.path.slice(0, -1).map((_, i) => JSON.stringify(o.path.slice(0, i + 1)))))];
    for (const prefix of prefixes.map((p) => JSON.parse(p) as string[])) {
      const below = HELM_KEY_OWNERS
        .filter((o) => JSON.stringify(o.path.slice(0, prefix.length)) === JSON.stringify(prefix) && renderedValues(o) !== undefined);
      if (below.length === 0) continue;
      for (const value of ['x', 1, true, ['a']]) {
        const fields = base(new App(), overrideAt(prefix, value)).violations().filter((v) => v.rule === OWNED).map((v) => v.field);
        for (const o of below) expect([fieldOf(o), fields.includes(fieldOf(o))]).toEqual([fieldOf(o), true]);
      }
    }
  });
});

describeWithReference('the declared chart defaults are the charts\' own', ['helm-values'], () => {
  // Rows whose key values.yaml leaves out or sets to null (bpf.masquerade, hubble.metrics.enabled, loadBalancer.mode and
  // dsrDispatch) declare what the templates and the agent do with "unset"; the comments on those rows say so.
  test.each(CILIUM_MINORS)('Cilium %s values.yaml', (minor) => {
    const defaults = YAML.parse(readReference(`cilium-${minor}/helm-values.yaml`));
    const rows = HELM_KEY_OWNERS.filter((o) => 'chartDefault' in o && valueAt(defaults, o.path) !== undefined && valueAt(defaults, o.path) !== null);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.map((o) => [helmPathText(o.path), valueAt(defaults, o.path)])).toEqual(rows.map((o) => [helmPathText(o.path), o.chartDefault]));
  });
});
