import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  AppNetworkPolicy, ClusterDefaultDeny, ClusterMesh, ExpectFlow, ExpectUrl, meshPlatform,
  dnsHubblePlatform, GatewayHttpRoute, KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementPolicy,
  LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, NginxDemo, runSynthesis, StarWarsDemo, synthesizeBundle, TestWorkload,
} from '../../src';
import { resolveClusterSpec } from '../../src/spec/cluster-spec';
import { configError } from '../support/config-error';

/** JavaScript and JSON callers are not held to the TypeScript types: these tests pass what they can. */
type Loose = Record<string, any>;

const EXTRA = { bogusKey: true };

function cluster(props: Loose = {}): KindCiliumCluster {
  return new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', l2Announcements: {}, ...props } as KindCiliumClusterProps);
}

/** Inserts the extra keys into `base` (no extra: `base` unchanged). */
const withExtra = (base: Loose, extra: Loose) => ({ ...base, ...extra });

function unknownProp(fn: () => unknown) {
  const err = configError(fn);
  expect(err.rules).toEqual(['unknown-prop']);
  return err.violations[0];
}

describe('unknown prop keys from JavaScript/JSON callers are refused, naming the closest known key', () => {
  test('cluster `worker: 3` names `workers`', () => {
    const v = unknownProp(() => resolveClusterSpec({ clusterName: 'dev', worker: 3 } as Loose as KindCiliumClusterProps));
    expect(v.field).toBe('dev.worker');
    expect(v.problem).toContain('"worker"');
    expect(v.fix).toContain('did you mean "workers"?');
  });

  test('cluster `kubeProxyReplacment: false` names `kubeProxyReplacement`', () => {
    const v = unknownProp(() => cluster({ kubeProxyReplacment: false }));
    expect(v.field).toBe('dev.kubeProxyReplacment');
    expect(v.fix).toContain('did you mean "kubeProxyReplacement"?');
  });

  test('`hubble: { openMetric: true }` names `openMetrics`', () => {
    const v = unknownProp(() => cluster({ hubble: { openMetric: true } }));
    expect(v.field).toBe('dev.hubble.openMetric');
    expect(v.fix).toContain('did you mean "openMetrics"?');
  });

  test('a key that is close to nothing lists the known keys', () => {
    const v = unknownProp(() => cluster({ masquerade: { zzzzzzzzzz: 1 } }));
    expect(v.field).toBe('dev.masquerade.zzzzzzzzzz');
    expect(v.fix).toBe('remove it; the masquerade props are bpf, ipMasqAgent, nonMasqueradeCidrs');
  });

  test('a misspelt clusterName is named even though the cluster has no name yet', () => {
    const v = unknownProp(() => resolveClusterSpec({ clustername: 'dev' } as Loose as KindCiliumClusterProps));
    expect(v.field).toBe('props.clustername');
    expect(v.fix).toContain('did you mean "clusterName"?');
  });

  test.each(['cidr', 'start', 'stop', 'cidrs'])('a pool with a top-level `%s` is told to put it inside blocks', (key) => {
    const c = cluster();
    const value = key === 'cidr' || key === 'cidrs' ? '172.18.250.0/24' : '172.18.250.10';
    const v = unknownProp(() => new LoadBalancerIpPool(c, 'pool', { [key]: value } as Loose));
    expect(v.field).toBe(`dev/pool.${key}`);
    expect(v.fix).toContain('blocks: [{');
    expect(v.fix).toContain(key === 'cidrs' ? 'cidr:' : `${key}:`);
  });

  test('a pool block with an unknown key is refused (a block has cidr or start/stop only)', () => {
    const c = cluster();
    const v = unknownProp(() => new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/24', sart: '172.18.250.1' }] } as Loose));
    expect(v.field).toBe('dev/pool.blocks[0].sart');
    expect(v.fix).toContain('did you mean "start"?');
  });

  test('preset overrides are checked like a cluster description', () => {
    const v = unknownProp(() => dnsHubblePlatform(new App(), { worker: 3 } as Loose));
    expect(v.field).toBe('dns-hubble.worker');
    expect(v.fix).toContain('did you mean "workers"?');
  });

  test('synthesizeBundle options: `rootdir` names `rootDir`, before anything is built or written', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-unknown-'));
    try {
      let built = false;
      const v = unknownProp(() => synthesizeBundle(new App(), { rootdir: root } as Loose));
      expect(v.field).toBe('options.rootdir');
      expect(v.fix).toContain('did you mean "rootDir"?');
      const exitCode = process.exitCode;
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        runSynthesis(() => { built = true; }, { rootdir: root } as Loose);
        expect(process.exitCode).toBe(1);
        expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('options.rootdir');
      } finally {
        stderr.mockRestore();
        process.exitCode = exitCode;
      }
      expect(built).toBe(false);
      expect(fs.readdirSync(root)).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the HubbleMetric options stay free-form (Cilium\'s own option names)', () => {
    expect(() => cluster({ hubble: { metrics: [{ name: 'dns', options: { query: true, anyOption: 'x' } }] } })).not.toThrow();
  });
});

/**
 * Every construct and every nested props object: `build(extra)` builds something valid with `extra` merged into
 * the object under test; with `{ bogusKey: true }` it must be refused with a field naming the key.
 */
const CASES: [string, string, (extra: Loose) => unknown][] = [
  // ---- the cluster description ----
  ['KindCiliumCluster', 'dev.bogusKey', (x) => cluster(x)],
  ['hubble', 'dev.hubble.bogusKey', (x) => cluster({ hubble: withExtra({ relay: true }, x) })],
  ['hubble.metrics[i] (typed)', 'dev.hubble.metrics[1].bogusKey', (x) => cluster({ hubble: { metrics: ['drop', withExtra({ name: 'dns' }, x)] } })],
  ['hubble.export', 'dev.hubble.export.bogusKey', (x) => cluster({ hubble: { export: withExtra({ fileMaxBackups: 2 }, x) } })],
  ['l2Announcements', 'dev.l2Announcements.bogusKey', (x) => cluster({ l2Announcements: withExtra({}, x) })],
  ['masquerade', 'dev.masquerade.bogusKey', (x) => cluster({ masquerade: withExtra({ bpf: true }, x) })],
  ['loadBalancer', 'dev.loadBalancer.bogusKey', (x) => cluster({ loadBalancer: withExtra({ mode: 'snat' }, x) })],
  ['versions', 'dev.versions.bogusKey', (x) => cluster({ versions: withExtra({ allowUnsupportedPair: false }, x) })],
  ['ciliumCluster', 'dev.ciliumCluster.bogusKey', (x) => cluster({ ciliumCluster: withExtra({ id: 1 }, x) })],
  ['hostPortMappings[i]', 'dev.hostPortMappings[1].bogusKey',
    (x) => cluster({ hostPortMappings: [{ containerPort: 30080 }, withExtra({ containerPort: 30443 }, x)] })],
  // ---- Cilium constructs ----
  ['LoadBalancerIpPool', 'dev/pool.bogusKey', (x) => new LoadBalancerIpPool(cluster(), 'pool', withExtra({}, x))],
  ['LoadBalancerIpPool blocks[i] (cidr)', 'dev/pool.blocks[0].bogusKey',
    (x) => new LoadBalancerIpPool(cluster(), 'pool', { blocks: [withExtra({ cidr: '172.18.250.0/24' }, x)] } as Loose)],
  ['LoadBalancerIpPool blocks[i] (range)', 'dev/pool.blocks[1].bogusKey',
    (x) => new LoadBalancerIpPool(cluster(), 'pool', { blocks: [{ cidr: '172.18.250.0/24' }, withExtra({ start: '172.18.251.1', stop: '172.18.251.9' }, x)] } as Loose)],
  ['LoadBalancerIpPool serviceSelector', 'dev/pool.serviceSelector.bogusKey',
    (x) => new LoadBalancerIpPool(cluster(), 'pool', { serviceSelector: withExtra({ matchLabels: { app: 'web' } }, x) })],
  ['LoadBalancerIpPool serviceSelector.matchExpressions[i]', 'dev/pool.serviceSelector.matchExpressions[0].bogusKey',
    (x) => new LoadBalancerIpPool(cluster(), 'pool', { serviceSelector: { matchExpressions: [withExtra({ key: 'app', operator: 'Exists' }, x)] } } as Loose)],
  ['L2AnnouncementPolicy', 'dev/l2.bogusKey', (x) => new L2AnnouncementPolicy(cluster(), 'l2', withExtra({}, x))],
  ['L2AnnouncementPolicy nodeSelector', 'dev/l2.nodeSelector.bogusKey',
    (x) => new L2AnnouncementPolicy(cluster(), 'l2', { nodeSelector: withExtra({ matchLabels: { pool: 'a' } }, x) })],
  ['L2AnnouncementPolicy nodeSelector.matchExpressions[i]', 'dev/l2.nodeSelector.matchExpressions[0].bogusKey',
    (x) => new L2AnnouncementPolicy(cluster(), 'l2', { nodeSelector: { matchExpressions: [withExtra({ key: 'pool', operator: 'In', values: ['a'] }, x)] } } as Loose)],
  ['L2AnnouncementPolicy serviceSelector', 'dev/l2.serviceSelector.bogusKey',
    (x) => new L2AnnouncementPolicy(cluster(), 'l2', { serviceSelector: withExtra({ matchLabels: { app: 'web' } }, x) })],
  ...policyCases(),
  ['ClusterDefaultDeny', 'dev/deny.bogusKey', (x) => new ClusterDefaultDeny(cluster(), 'deny', withExtra({}, x))],
  // ---- cert-manager and Gateway API ----
  ['LocalCertificateAuthority', 'dev/ca.bogusKey', (x) => new LocalCertificateAuthority(cluster(), 'ca', withExtra({}, x))],
  ['LocalGateway', 'dev/gateway.bogusKey', (x) => gateway(x)],
  ['GatewayHttpRoute', 'dev/gateway/route.bogusKey',
    (x) => new GatewayHttpRoute(gateway(), 'route', withExtra({ gateway: gateway.last!, namespace: 'demo', backend: { name: 'web', port: 80 } }, x) as Loose as never)],
  ['GatewayHttpRoute backend', 'dev/gateway/route.backend.bogusKey',
    (x) => new GatewayHttpRoute(gateway(), 'route', { gateway: gateway.last!, namespace: 'demo', backend: withExtra({ name: 'web', port: 80 }, x) } as Loose as never)],
  ['LocalGateway.addHttpRoute options', 'dev/gateway/route.bogusKey',
    (x) => gateway().addHttpRoute('route', withExtra({ namespace: 'demo', backend: { name: 'web', port: 80 } }, x) as Loose as never)],
  ['LocalGateway.addHttpRoute backend', 'dev/gateway/route.backend.bogusKey',
    (x) => gateway().addHttpRoute('route', { namespace: 'demo', backend: withExtra({ name: 'web', port: 80 }, x) } as Loose as never)],
  // ---- stated outcomes ----
  ...expectationCases(),
  // ---- workloads ----
  ...workloadCases(),
  ['NginxDemo', 'dev/nginx.bogusKey', (x) => new NginxDemo(cluster(), 'nginx', withExtra({}, x))],
  ['NginxDemo runAsRoot', 'dev/nginx.runAsRoot.bogusKey',
    (x) => new NginxDemo(cluster(), 'nginx', { image: 'nginx:1.29.4', containerPort: 80, runAsRoot: withExtra({ reason: 'binds port 80' }, x) } as Loose)],
  ['StarWarsDemo', 'dev/sw.bogusKey', (x) => new StarWarsDemo(cluster(), 'sw', withExtra({}, x))],
  ['ClusterMesh', 'lab.bogusKey', (x) => new ClusterMesh(new App(), 'lab', withExtra({ name: 'lab' }, x) as any)],
  ['ClusterMesh addCluster meshPool', 'lab.addCluster.meshPool.bogusKey',
    (x) => new ClusterMesh(new App(), 'lab', { name: 'lab' }).addCluster({ clusterName: 'a', meshPool: withExtra({ start: '172.18.249.16', stop: '172.18.249.31' }, x) as any })],
  ['ClusterMesh addCluster (the member description)', 'a.bogusKey',
    (x) => new ClusterMesh(new App(), 'lab', { name: 'lab' }).addCluster(withExtra({ clusterName: 'a' }, x) as any)],
  ['meshPlatform', 'meshPlatform.bogusKey', (x) => meshPlatform(new App(), withExtra({}, x) as Loose)],
];

/** A LocalGateway in a fresh cluster, remembered in `gateway.last` for routes built next to it. */
function gateway(extra: Loose = {}): LocalGateway {
  const c = cluster();
  const ca = new LocalCertificateAuthority(c, 'ca');
  gateway.last = new LocalGateway(c, 'gateway', withExtra({ certificateAuthority: ca }, extra) as Loose as never);
  return gateway.last;
}
gateway.last = undefined as LocalGateway | undefined;

function policyCases(): [string, string, (extra: Loose) => unknown][] {
  const base = { namespace: 'demo', appLabels: { app: 'web' } };
  const policy = (props: Loose) => new AppNetworkPolicy(cluster(), 'policy', { ...base, ...props } as Loose as never);
  return [
    ['AppNetworkPolicy', 'dev/policy.bogusKey', (x) => policy(withExtra({ allowFromGateway: true }, x))],
    ['AppNetworkPolicy ingressPorts[i]', 'dev/policy.ingressPorts[0].bogusKey',
      (x) => policy({ allowFromGateway: true, ingressPorts: [withExtra({ port: 80 }, x)] })],
    ['AppNetworkPolicy httpRules[i]', 'dev/policy.httpRules[0].bogusKey',
      (x) => policy({ allowFromGateway: true, ingressPorts: [{ port: 80 }], httpRules: [withExtra({ method: 'GET' }, x)] })],
    ['AppNetworkPolicy allowFrom[i]', 'dev/policy.allowFrom[0].bogusKey', (x) => policy({ allowFrom: [withExtra({ labels: { app: 'client' } }, x)] })],
    ['AppNetworkPolicy egressTo[i]', 'dev/policy.egressTo[0].bogusKey', (x) => policy({ egressTo: [withExtra({ labels: { app: 'db' } }, x)] })],
    ['AppNetworkPolicy egressTo[i].ports[j]', 'dev/policy.egressTo[0].ports[0].bogusKey',
      (x) => policy({ egressTo: [{ labels: { app: 'db' }, ports: [withExtra({ port: 5432 }, x)] }] })],
    ['AppNetworkPolicy egressToEntities[i]', 'dev/policy.egressToEntities[0].bogusKey',
      (x) => policy({ egressToEntities: [withExtra({ entity: 'kube-apiserver' }, x)] })],
    ['AppNetworkPolicy egressToEntities[i].ports[j]', 'dev/policy.egressToEntities[0].ports[0].bogusKey',
      (x) => policy({ egressToEntities: [{ entity: 'kube-apiserver', ports: [withExtra({ port: 6443 }, x)] }] })],
    ['AppNetworkPolicy egressFqdns[i]', 'dev/policy.egressFqdns[0].bogusKey',
      (x) => policy({ egressFqdns: [withExtra({ name: 'api.github.com' }, x)] })],
    ['AppNetworkPolicy egressFqdns[i].ports[j]', 'dev/policy.egressFqdns[0].ports[0].bogusKey',
      (x) => policy({ egressFqdns: [{ name: 'api.github.com', ports: [withExtra({ port: 443 }, x)] }] })],
  ];
}

function expectationCases(): [string, string, (extra: Loose) => unknown][] {
  const pods = { namespace: 'shop', labels: { app: 'web' } };
  const flow = (props: Loose) => new ExpectFlow(cluster(), 'flow', { from: pods, to: pods, port: 8080, expect: 'allowed', ...props } as Loose as never);
  const url = (props: Loose) => new ExpectUrl(cluster(), 'url', { url: 'https://shop.localhost:30443/', ...props } as Loose as never);
  return [
    ['ExpectFlow', 'dev/flow.bogusKey', (x) => flow(x)],
    ['ExpectFlow from', 'dev/flow.from.bogusKey', (x) => flow({ from: withExtra(pods, x) })],
    ['ExpectFlow to', 'dev/flow.to.bogusKey', (x) => flow({ to: withExtra(pods, x) })],
    ['ExpectFlow http', 'dev/flow.http.bogusKey', (x) => flow({ http: withExtra({ method: 'GET' }, x) })],
    ['ExpectUrl', 'dev/url.bogusKey', (x) => url(x)],
    ['ExpectUrl backend', 'dev/url.backend.bogusKey', (x) => url({ backend: withExtra({ name: 'web', port: 80 }, x) })],
  ];
}

function workloadCases(): [string, string, (extra: Loose) => unknown][] {
  const base = { name: 'web', namespace: 'demo', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 8080 }] };
  const workload = (props: Loose) => new TestWorkload(cluster(), 'web', { ...base, ...props } as Loose as never);
  return [
    ['TestWorkload', 'dev/web.bogusKey', (x) => workload(withExtra({}, x))],
    ['TestWorkload ports[i]', 'dev/web.ports[0].bogusKey', (x) => workload({ ports: [withExtra({ port: 8080 }, x)] })],
    ['TestWorkload readiness', 'dev/web.readiness.bogusKey', (x) => workload({ readiness: withExtra({ path: '/' }, x) })],
    ['TestWorkload liveness', 'dev/web.liveness.bogusKey', (x) => workload({ liveness: withExtra({ port: 8080 }, x) })],
    ['TestWorkload runAsRoot', 'dev/web.runAsRoot.bogusKey', (x) => workload({ runAsRoot: withExtra({ reason: 'needs root' }, x) })],
    ['TestWorkload resources', 'dev/web.resources.bogusKey',
      (x) => workload({
        resources: withExtra({ cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMebibytes: 16, memoryLimitMebibytes: 32 }, x),
      })],
    ['TestWorkload allowFrom[i] (also with networkPolicy: none)', 'dev/web.allowFrom[0].bogusKey',
      (x) => workload({ networkPolicy: 'none', allowFrom: [withExtra({ labels: { app: 'client' } }, x)] })],
  ];
}

describe.each(CASES)('%s', (_name, field, build) => {
  test('builds without the extra key', () => {
    expect(() => build({})).not.toThrow();
  });

  test(`refuses { bogusKey: true } as ${field}`, () => {
    const v = unknownProp(() => build(EXTRA));
    expect(v.field).toBe(field);
    expect(v.problem).toContain('"bogusKey"');
    expect(v.fix).toMatch(/^remove it; the .+ props are /);
  });
});

describe('the propKeys lists and prop shapes', () => {
  const SRC = path.join(__dirname, '..', '..', 'src');
  const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
  // private/props.ts itself only shows a list in its doc comment.
  const files = sources(SRC).filter((file) => !file.endsWith(path.join('private', 'props.ts'))).map((file) => ({ file: path.relative(SRC, file), text: fs.readFileSync(file, 'utf8') }));
  // `propKeys<T>()('a', ...)` lists (the cluster description) and `propsShape<T>('what', {...})` shapes (the constructs),
  // named by the constant they are assigned to, or inline in a parent shape (then used by it).
  const lists = files.flatMap(({ file, text }) =>
    [...text.matchAll(/(?:const (\w+)\s*(?::[^=]+)?=\s*)?(?:propKeys<(.+?)>\(\)|propsShape<(.+?)>\(')/g)]
      .map((m) => ({ file, text, name: m[1] as string | undefined, type: (m[2] ?? m[3]).trim().replace(/^Partial<(.+)>$/, '$1') })));

  test('there is one list or shape per props type', () => {
    expect(lists.length).toBeGreaterThanOrEqual(30);
    const types = lists.map((l) => l.type);
    expect(types.filter((t, i) => types.indexOf(t) !== i)).toEqual([]);
  });

  test.each(lists.filter((l) => l.name !== undefined).map((l) => [l.name, l.file]))('%s (%s) is used', (name) => {
    const uses = files.map(({ text }) => [...text.matchAll(new RegExp(`\\b${name}\\b`, 'g'))].length).reduce((a, b) => a + b, 0);
    expect(uses).toBeGreaterThanOrEqual(2);
  });

  /** Every exported interface a caller fills in: the props and options objects and the objects nested in them. */
  const INPUT_TYPES = [
    'ClusterSpecProps', 'HubbleOptions', 'HubbleMetric', 'HubbleFlowExportOptions', 'L2AnnouncementOptions', 'MasqueradeOptions',
    'LoadBalancerOptions', 'VersionOptions', 'CiliumClusterOptions', 'HostPortMapping',
    'LoadBalancerIpPoolProps', 'L2AnnouncementPolicyProps', 'LabelSelectorInput', 'AppNetworkPolicyProps', 'PolicyPort',
    'HttpRequestRule', 'PodPeer', 'EgressPodPeer', 'EgressEntityPeer', 'EgressFqdnPeer', 'ClusterDefaultDenyProps',
    'LocalCertificateAuthorityProps', 'LocalGatewayProps', 'GatewayHttpRouteProps', 'HttpRouteBackend',
    'TestWorkloadProps', 'TestWorkloadPort', 'TestWorkloadProbe', 'RunAsRootOptions', 'ContainerSizing', 'NginxDemoProps', 'StarWarsDemoProps',
    'ExpectFlowProps', 'ExpectedPods', 'ExpectedHttpRequest', 'ExpectUrlProps', 'ExpectedBackend',
    'SynthesizeOptions', 'ClusterMeshProps', 'MeshGlobalServiceDemoProps', 'MeshPlatformProps',
    'KindConfigOptions', 'KindNodeOptions', 'KindExtraMount', 'LocalRegistryOptions', 'GitOpsOptions', 'KindCiliumLabProjectOptions',
  ];

  test.each(INPUT_TYPES)('%s has a propKeys list or a prop shape', (type) => {
    expect(lists.map((l) => l.type)).toContain(type);
  });

  test('every exported *Props / *Options interface is an input type above (or covered by one it extends)', () => {
    const COVERED_BY: Record<string, string> = {
      KindCiliumClusterProps: 'ClusterSpecProps', // extends it and adds nothing
      GatewayHttpRouteOptions: 'GatewayHttpRouteProps', // addHttpRoute builds a GatewayHttpRoute
      ResolvedHubbleOptions: '-', // output, never filled in by a caller
      MeshMemberOptions: 'ClusterSpecProps', // the cluster description plus meshPool (a PoolRangeBlock, checked by addCluster)
      // Internal: built by the GitOps renderer from a resolved GitOpsOptions, never by a caller (not exported, checked below).
      ArgoApplicationSetProps: 'internal',
      ArgoApplicationProps: 'internal',
      GitRepositoryProps: 'internal',
      HelmReleaseProps: 'internal',
      FluxKustomizationProps: 'internal',
      OciChartRepositoryProps: 'internal',
      // Internal: the `init` command builds it from its own checked arguments.
      LabTemplateOptions: 'internal',
    };
    const index = fs.readFileSync(path.join(__dirname, '../../src/index.ts'), 'utf8');
    for (const [type, by] of Object.entries(COVERED_BY)) {
      if (by === 'internal') expect([type, new RegExp(`\\b${type}\\b`).test(index)]).toEqual([type, false]);
    }
    const declared = files.flatMap(({ text }) => [...text.matchAll(/export interface (\w+(?:Props|Options))\b/g)].map((m) => m[1]));
    expect(declared.filter((t) => !INPUT_TYPES.includes(t) && !(t in COVERED_BY))).toEqual([]);
  });
});
