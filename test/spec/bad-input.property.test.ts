import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import * as api from '../../src';
import {
  AppNetworkPolicy, ClusterDefaultDeny, ClusterMesh, ExpectFlow, ExpectUrl, KindCiliumCluster, L2AnnouncementPolicy, LoadBalancerIpPool,
  LocalCertificateAuthority, LocalGateway, MeshGlobalServiceDemo, MeshMember, NginxDemo,
  PlatformConfigError, StarWarsDemo, TestWorkload, GatewayHttpRoute,
} from '../../src';
import { Corruption, corruptionOf, fmt } from '../support/bad-input';
import { helmReadValues } from '../support/helm';
import { kubectlReadBack } from '../support/kubectl';

/**
 * Bad input, the whole kind: fast-check drives EVERY public constructor, function and method that takes input with a
 * valid input where one field (or the whole input) is corrupted: `__proto__`/`constructor` keys, NaN, ±Infinity, -0,
 * huge numbers and strings, 20,000-deep values, cycles, keys over 1,024 characters, functions, symbols, Dates, Maps,
 * Sets, class instances, getters that throw, lists where objects are expected and the reverse, removed keys, any JSON.
 * Construction AND synthesis (`renderBundle`) run. The only acceptable outcomes:
 * - success, and then the rendered YAML reads back identically (our YAML 1.1 and 1.2 readers on every file; kubectl
 *   and helm on a sample of files at the end);
 * - a PlatformConfigError whose every violation names a field; for a value no field accepts (`invalid` corruptions),
 *   one of them names the corrupted field.
 * The public API is enumerated from src/index.ts: an export without an entry here fails the suite.
 */

type Input = any;

/** A fresh app, with the objects an input may refer to, made on demand. */
class Ctx {
  public readonly app = new App();
  private made = new Map<string, unknown>();

  private once<T>(key: string, make: () => T): T {
    if (!this.made.has(key)) this.made.set(key, make());
    return this.made.get(key) as T;
  }

  public cluster(): KindCiliumCluster {
    return this.once('cluster', () => {
      const cluster = new KindCiliumCluster(this.app, 'dev', {
        clusterName: 'dev', workers: 1, l2Announcements: {}, hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }],
      });
      new LoadBalancerIpPool(cluster, 'pool');
      // l2Announcements on: a policy announces the LoadBalancer addresses (without one: lb-address-not-announced)
      new L2AnnouncementPolicy(cluster, 'default-l2');
      return cluster;
    });
  }

  /**
   * Namespace objects for the namespaces an input names (a DNS label, not built in), so a valid input's objects have their
   * namespace (the outcome `namespace-not-created` otherwise); anything else is left for the constructor to refuse. Each
   * name is read by a thunk, so that a corrupted input's throwing getter is met by the constructor, not here.
   */
  public namespaces(...wanted: (() => unknown)[]): void {
    for (const read of wanted) {
      let name: unknown;
      try {
        name = read();
      } catch {
        continue; // a corrupted input (a throwing getter): the constructor meets it
      }
      if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name) || api.BUILT_IN_NAMESPACES.includes(name)) continue;
      this.once(`namespace ${name}`, () => new ApiObject(this.cluster(), `namespace-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    }
  }

  public ca(): LocalCertificateAuthority {
    return this.once('ca', () => new LocalCertificateAuthority(this.cluster(), 'ca'));
  }

  public gateway(): LocalGateway {
    return this.once('gateway', () => new LocalGateway(this.cluster(), 'gateway', { certificateAuthority: this.ca() }));
  }

  /** Service `web` (port 80) in `namespace`: the backend of the route inputs (a route to a Service the bundle lacks is refused once applied). */
  public web(namespace: string): TestWorkload {
    const workload = this.once(`web-${namespace}`, () => new TestWorkload(this.cluster(), `web-${namespace}`, {
      name: 'web', namespace, image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 80 }],
    }));
    this.once(`namespace ${namespace}`, () => undefined); // a TestWorkload creates the namespace of its own
    return workload;
  }

  public mesh(demo = true): ClusterMesh {
    return this.once('mesh', () => {
      const mesh = new ClusterMesh(this.app, 'lab', { name: 'lab', demo });
      mesh.addCluster({ clusterName: 'east' });
      mesh.addCluster({ clusterName: 'west' });
      return mesh;
    });
  }

  public get sandbox(): string {
    return this.once('sandbox', () => fs.mkdtempSync(path.join(os.tmpdir(), 'kc-bad-input-')));
  }
}

interface Entry {
  /** Valid inputs, built in the context (they may refer to its objects). */
  readonly bases: readonly ((ctx: Ctx) => Input)[];
  /** Uses the input through the public API; the app is rendered afterwards unless it returns false. */
  readonly run: (ctx: Ctx, input: Input) => unknown;
  /** Runs per entry (default 60). */
  readonly runs?: number;
  /** The input holds the positional arguments by name (see `corruptionOf`). */
  readonly argumentList?: boolean;
}

const policyBase = {
  name: 'web-policy',
  namespace: 'demo',
  appLabels: { app: 'web' },
  ingressPorts: [{ port: 8080, protocol: 'TCP' }, { port: 9000, endPort: 9010 }],
  httpRules: [{ method: 'GET', path: '/v1/.*' }],
  allowFromGateway: true,
  allowFromWorld: false,
  allowFrom: [{ namespace: 'demo', labels: { app: 'client' } }],
  allowFromEntities: ['remote-node'],
  egressTo: [{ labels: { app: 'db' }, ports: [{ port: 5432 }] }],
  egressToEntities: [{ entity: 'kube-apiserver', ports: [{ port: 6443 }] }],
  egressFqdns: [{ name: 'api.github.com' }, { pattern: '*.github.com', ports: [{ port: 443 }] }],
};
const workloadBase = {
  name: 'web',
  serviceName: 'web-svc',
  namespace: 'demo',
  createNamespace: true,
  image: 'nginxinc/nginx-unprivileged:1.29.4',
  ports: [{ port: 80, containerPort: 8080, name: 'http', protocol: 'TCP' }, { port: 9000, protocol: 'UDP', nodePort: 30900 }],
  labels: { app: 'web' },
  extraLabels: { tier: 'front' },
  replicas: 2,
  readiness: { path: '/healthz', port: 8080 },
  liveness: { port: 8080 },
  serviceType: 'NodePort',
  user: 1000,
  runAsRoot: { reason: 'binds a low port' },
  writablePaths: ['/tmp'],
  resources: { cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMebibytes: 16, memoryLimitMebibytes: 32 },
  env: { MODE: 'demo', NOTE: 'x' },
  networkPolicy: 'always',
  allowFromGateway: true,
  allowFrom: [{ labels: { app: 'client' } }],
};
const clusterBase = {
  clusterName: 'dev',
  controlPlaneNodes: 1,
  workers: 2,
  workerLabels: { tier: 'a' },
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/16',
  dnsDomain: 'cluster.local',
  dockerNetworkSubnet: '172.18.0.0/16',
  apiServerPort: 6443,
  kubeProxyReplacement: true,
  routingMode: 'native',
  hubble: {
    enabled: true,
    relay: true,
    ui: true,
    metrics: ['dns', { name: 'httpV2', options: { exemplars: true, labelsContext: ['source_namespace'] } }],
    openMetrics: true,
    export: { filePath: '/var/run/cilium/hubble/events.log', fieldMask: ['time'], allowList: [{ verdict: ['DROPPED'] }], fileMaxSizeMb: 10 },
  },
  hostPortMappings: [{ containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'TCP' }],
  l2Announcements: { enabled: true, leaseDuration: '3s' },
  devices: ['eth0'],
  masquerade: { bpf: true },
  loadBalancer: { mode: 'snat' },
  operatorReplicas: 1,
  ciliumCluster: { name: 'dev', id: 1 },
  imagePullPolicy: 'IfNotPresent',
  versions: { allowUnsupportedPair: false },
  ciliumValuesOverrides: { operator: { rollOutPods: true }, extraConfig: { note: 'x' }, podAnnotations: { a: 'b' } },
};

/** Every public constructor, function and input-taking method, keyed as `Name` or `Class.method`. */
const ENTRIES: Record<string, Entry> = {
  'KindCiliumCluster': { bases: [() => ({ clusterName: 'dev' }), () => clusterBase], run: (ctx, p) => new KindCiliumCluster(ctx.app, 'c', p), runs: 120 },
  'LoadBalancerIpPool': {
    bases: [() => ({}), () => ({
      name: 'pool2',
      blocks: [{ cidr: '172.18.240.0/24' }, { start: '172.18.241.1', stop: '172.18.241.9' }],
      disabled: false,
      allowFirstLastIps: true,
      serviceSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
    })],
    run: (ctx, p) => new LoadBalancerIpPool(ctx.cluster(), 'pool2', p),
  },
  'L2AnnouncementPolicy': {
    bases: [() => ({}), () => ({
      name: 'l2',
      interfaces: ['^eth0$'],
      nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
      serviceSelector: { matchLabels: { app: 'web' } },
      loadBalancerIps: true,
      externalIps: false,
    })],
    run: (ctx, p) => new L2AnnouncementPolicy(ctx.cluster(), 'l2', p),
  },
  'AppNetworkPolicy': {
    bases: [() => policyBase],
    run: (ctx, p) => {
      ctx.namespaces(() => p?.namespace);
      return new AppNetworkPolicy(ctx.cluster(), 'policy', p);
    },
    runs: 100,
  },
  'ClusterDefaultDeny': {
    bases: [() => ({}), () => ({ name: 'deny', exemptNamespaces: ['legacy'], allowDns: true, allowApiServerEgress: true, allowIngressFromGateway: false, systemAllowances: true })],
    run: (ctx, p) => new ClusterDefaultDeny(ctx.cluster(), 'deny', p),
  },
  'LocalCertificateAuthority': {
    bases: [() => ({}), () => ({ name: 'lab', namespace: 'cert-manager', commonName: 'lab CA', duration: '87600h', renewBefore: '720h', rotateKeyOnRenewal: false })],
    run: (ctx, p) => new LocalCertificateAuthority(ctx.cluster(), 'ca2', p),
  },
  'LocalGateway': {
    bases: [(ctx) => ({ certificateAuthority: ctx.ca() }), (ctx) => ({
      certificateAuthority: ctx.ca(),
      name: 'web',
      namespace: 'gateway',
      createNamespace: true,
      hostname: '*.localhost',
      apexListener: true,
      httpNodePort: 30080,
      httpsNodePort: 30443,
      routeNamespaceLabels: { 'gateway-access': 'true' },
      redirectHttpToHttps: true,
      certificateDuration: '2160h',
      certificateRenewBefore: '720h',
    })],
    run: (ctx, p) => new LocalGateway(ctx.cluster(), 'gw', p),
  },
  'GatewayHttpRoute': {
    bases: [(ctx) => ({ gateway: ctx.gateway(), name: 'route', namespace: 'demo', hostnames: ['demo.localhost'], backend: { name: 'web', port: 80, namespace: 'web' }, pathPrefix: '/api' })],
    run: (ctx, p) => {
      ctx.web('web');
      ctx.namespaces(() => p?.namespace, () => p?.backend?.namespace);
      return new GatewayHttpRoute(ctx.gateway(), 'route', p);
    },
  },
  'LocalGateway.addHttpRoute': {
    bases: [() => ({ namespace: 'demo', backend: { name: 'web', port: 80 } }), () => ({ name: 'r', namespace: 'demo', hostnames: ['a.localhost'], backend: { name: 'web', port: 80 }, pathPrefix: '/' })],
    run: (ctx, p) => {
      ctx.web('demo');
      ctx.namespaces(() => p?.namespace, () => p?.backend?.namespace);
      return ctx.gateway().addHttpRoute('route', p);
    },
  },
  'ExpectFlow': {
    bases: [() => ({ from: { namespace: 'web' }, to: { namespace: 'web', labels: { 'app.kubernetes.io/name': 'web' } }, port: 80, expect: 'allowed' }), () => ({
      from: { namespace: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
      to: { namespace: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
      port: 80,
      protocol: 'TCP',
      http: { method: 'GET', path: '/index.html?q=1' },
      expect: 'allowed',
    })],
    run: (ctx, p) => {
      ctx.web('web');
      return new ExpectFlow(ctx.cluster(), 'expect', p);
    },
  },
  'ExpectUrl': {
    bases: [() => ({ url: 'https://web.localhost:30443/' }), () => ({ url: 'http://web.localhost:30080/index.html?q=1', backend: { namespace: 'web', name: 'web', port: 80 } })],
    run: (ctx, p) => {
      ctx.web('web');
      ctx.gateway().addHttpRoute('web', { namespace: 'web', hostnames: ['web.localhost'], backend: { name: 'web', port: 80 } });
      return new ExpectUrl(ctx.cluster(), 'expect', p);
    },
  },
  'TestWorkload': { bases: [() => ({ name: 'web', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 8080 }] }), () => workloadBase], run: (ctx, p) => new TestWorkload(ctx.cluster(), 'web', p), runs: 120 },
  'NginxDemo': {
    bases: [() => ({}), () => ({
      namespace: 'web',
      createNamespace: true,
      image: 'nginxinc/nginx-unprivileged:1.29.4',
      replicas: 1,
      name: 'nginx',
      serviceName: 'nginx',
      labels: { app: 'nginx' },
      servicePort: 80,
      containerPort: 8080,
      loadBalancer: false,
      serviceType: 'ClusterIP',
      user: 101,
      runAsRoot: { reason: 'test' },
    })],
    run: (ctx, p) => new NginxDemo(ctx.cluster(), 'nginx', p),
  },
  'StarWarsDemo': {
    bases: [() => ({}), () => ({ namespace: 'sw', createNamespace: true, deathstarServiceType: 'ClusterIP', deathstarReplicas: 1, deathstarImage: 'docker.io/cilium/starwars:v2.1@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8', spaceshipImage: 'quay.io/cilium/json-mock:v1.3.8' })],
    run: (ctx, p) => new StarWarsDemo(ctx.cluster(), 'sw', p),
  },
  'ClusterMesh': {
    bases: [() => ({ name: 'lab' }), () => ({ name: 'lab', maxConnectedClusters: 511, demo: false })],
    run: (ctx, p) => {
      const mesh = new ClusterMesh(ctx.app, 'mesh', p);
      mesh.addCluster({ clusterName: 'east' });
      mesh.addCluster({ clusterName: 'west' });
    },
  },
  'ClusterMesh.addCluster': {
    bases: [() => ({ clusterName: 'north' }), () => ({ clusterName: 'north', workers: 2, meshPool: { start: '172.18.249.64', stop: '172.18.249.79' }, ciliumCluster: { id: 7 } })],
    run: (ctx, p) => ctx.mesh().addCluster(p),
  },
  'MeshMember': {
    // ClusterMesh.addCluster makes each member's MeshMember: the base makes it again, in place of the first.
    bases: [(ctx) => ({ mesh: ctx.mesh() })],
    run: (ctx, p) => {
      const member = ctx.mesh().members[0];
      member.node.tryRemoveChild('clustermesh');
      return new MeshMember(member, 'clustermesh2', p.mesh);
    },
    argumentList: true,
  },
  'MeshGlobalServiceDemo': {
    bases: [(ctx) => ({ mesh: ctx.mesh(false) })],
    run: (ctx, p) => new MeshGlobalServiceDemo(ctx.mesh(false).members[0], 'demo2', p),
  },
  'dnsHubblePlatform': { bases: [() => ({}), () => ({ clusterName: 'p', workers: 1 })], run: (ctx, p) => api.dnsHubblePlatform(ctx.app, p) },
  'kprNativePlatform': { bases: [() => ({}), () => ({ clusterName: 'p', workers: 1 })], run: (ctx, p) => api.kprNativePlatform(ctx.app, p) },
  'nativeXdpPlatform': { bases: [() => ({}), () => ({ clusterName: 'p', workers: 1 })], run: (ctx, p) => api.nativeXdpPlatform(ctx.app, p) },
  'zeroTrustPlatform': { bases: [() => ({}), () => ({ clusterName: 'p', workers: 1 })], run: (ctx, p) => api.zeroTrustPlatform(ctx.app, p) },
  'meshPlatform': { bases: [() => ({}), () => ({ name: 'm', clusterNames: ['a', 'b'], ciliumVersion: '1.19.5' })], run: (ctx, p) => api.meshPlatform(ctx.app, p) },
  'resolveComponentVersions': {
    bases: [() => ({}), () => ({ ciliumVersion: '1.19.5', kubernetesVersion: '1.34', gatewayApi: 'v1.4.1', certManager: 'v1.19.6', allowUnsupportedPair: false })],
    run: (_ctx, p) => api.resolveComponentVersions(p, 'versions'),
  },
  'renderBundle': { bases: [(ctx) => ({ app: appWithCluster(ctx) })], run: (_ctx, p) => api.renderBundle(p.app), argumentList: true },
  'validateApp': { bases: [(ctx) => ({ app: appWithCluster(ctx) })], run: (_ctx, p) => api.validateApp(p.app), argumentList: true },
  'synthesizeBundle': {
    bases: [(ctx) => ({ rootDir: ctx.sandbox }), (ctx) => ({ rootDir: ctx.sandbox, cdk8sOutdir: path.join(ctx.sandbox, '.cdk8s.out') })],
    run: (ctx, p) => inSandbox(ctx, () => api.synthesizeBundle(appWithCluster(ctx), p)),
    runs: 30,
  },
  'runSynthesis': {
    bases: [(ctx) => ({ build: (app: App) => new KindCiliumCluster(app, 'c', { clusterName: 'c' }), options: { rootDir: ctx.sandbox } })],
    run: (ctx, p) => inSandbox(ctx, () => runSynthesisQuietly(p.build, p.options)),
    runs: 30,
    argumentList: true,
  },
  'KindCiliumLabProject': {
    bases: [(ctx) => ({ name: 'lab', outdir: path.join(ctx.sandbox, 'lab'), clusterName: 'lab', deps: ['left-pad@^1'], devDeps: ['cdk8s-kind-cilium', 'extra@^2'] })],
    // Synthesis writes files: only where the input still points into the sandbox (never into a corrupted outdir).
    run: (ctx, p) => inSandbox(ctx, () => {
      const project = new api.KindCiliumLabProject(p);
      if (project.outdir.startsWith(`${ctx.sandbox}${path.sep}`)) project.synth();
    }),
    runs: 30,
  },
  'upgradeView': {
    bases: [() => ({ from: '1.19.5', to: '1.20.0' })],
    run: (_ctx, p) => api.upgradeView((app, ciliumVersion) => { new KindCiliumCluster(app, 'c', { clusterName: 'c', ciliumVersion }); }, p.from, p.to),
    runs: 30,
    argumentList: true,
  },
};

/** Exports that take no input of their own, each with the reason. */
const NO_INPUT: Record<string, string> = {
  PlatformConfigError: 'the error type: constructed by the library from checked violations',
  formatUpgradeView: 'formats the UpgradeView that upgradeView (fuzzed above) returns',
  addAllPresets: 'takes only the scope (scopes and ids are the constructs library\'s contract)',
};

/** Public methods of exported classes that take no input of their own (or are fuzzed through another entry). */
const METHODS_WITHOUT_ENTRY: Record<string, string> = {
  'KindCiliumCluster.of': 'takes a construct (the constructs library\'s contract)',
  'LocalGateway.bindHttpRoute': 'called by GatewayHttpRoute (fuzzed above) with its checked hostnames',
  'ClusterMesh.membershipOf': 'called by MeshMember (fuzzed above) for its own cluster',
};

/** The context's app, with its cluster in it. */
function appWithCluster(ctx: Ctx): App {
  ctx.cluster();
  return ctx.app;
}

/** Runs `fn` with the working folder in the sandbox (synthesis must never write into the repository). */
function inSandbox(ctx: Ctx, fn: () => unknown): unknown {
  const cwd = process.cwd();
  process.chdir(ctx.sandbox);
  try {
    return fn();
  } finally {
    process.chdir(cwd);
  }
}

/** runSynthesis never throws: it reports on stderr. A stack trace there (not a PlatformConfigError) is a crash. */
function runSynthesisQuietly(build: unknown, options: unknown): void {
  const exitCode = process.exitCode;
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    api.runSynthesis(build as any, options as any);
    const text = stderr.mock.calls.map((c) => String(c[0])).join('');
    if (/\n\s+at /.test(text)) throw new Error(`runSynthesis crashed:\n${text}`);
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
    process.exitCode = exitCode;
  }
}

/** Files of successful runs (every fifth), read back by the real tools in the last test of this file. */
const rendered: { path: string; content: string }[] = [];
let successes = 0;

/** True when a violation field names the last step of `blame` (a key or an index). */
function names(field: string, blame: readonly (string | number)[]): boolean {
  if (blame.length === 0) return true;
  const last = blame[blame.length - 1];
  if (typeof last === 'number') return field.includes(`[${last}]`);
  return last === '' || field.includes(last.length > 40 ? last.slice(0, 40) : last) || field.includes(JSON.stringify(last).slice(0, 40));
}

function attempt(name: string, entry: Entry, baseIndex: number, corruption: Corruption): void {
  const ctx = new Ctx();
  const input = corruption.apply(entry.bases[baseIndex](ctx));
  const what = `${name} (base ${baseIndex}) with ${corruption.label}`;
  try {
    entry.run(ctx, input);
    // Entries that build no cluster in the context (versions, synthesis, the upgrade view) render nothing here.
    if (ctx.app.node.children.length === 0) return;
    for (const f of api.renderBundle(ctx.app)) {
      if (!/\.ya?ml$/.test(f.path)) continue;
      const docs = YAML.parseAllDocuments(f.content, { version: '1.1' });
      if (docs.some((d) => d.errors.length > 0)) throw new Error(`${f.path} does not parse`);
      if (rendered.length < 400 && ++successes % 5 === 0) rendered.push(f);
    }
  } catch (e) {
    if (!(e instanceof PlatformConfigError)) {
      throw new Error(`${what}: threw ${(e as Error)?.constructor?.name ?? typeof e} instead of a PlatformConfigError: ${(e as Error)?.stack ?? String(e)}`);
    }
    const unnamed = e.violations.filter((v) => typeof v.field !== 'string' || v.field === '');
    if (unnamed.length > 0) throw new Error(`${what}: violations without a field: ${JSON.stringify(unnamed)}`);
    if (process.env.BAD_INPUT_DEBUG) process.stderr.write(`${what} -> ${e.violations.map((v) => `${v.rule} ${v.field}`).join('; ').slice(0, 200)}\n`);
    if (corruption.severity === 'invalid' && !e.violations.some((v) => names(v.field, corruption.blame))) {
      throw new Error(`${what}: refused, but no violation names ${fmt(corruption.blame)}:\n${e.message.slice(0, 1500)}`);
    }
  }
}

describe('every public constructor and function: success or a PlatformConfigError naming the field', () => {
  test('the entries cover every export of src/index.ts that takes input', () => {
    const exported = Object.entries(api).filter(([, value]) => typeof value === 'function').map(([key]) => key);
    expect(exported.filter((key) => !(key in ENTRIES) && !(key in NO_INPUT))).toEqual([]);
    expect(Object.keys(NO_INPUT).filter((key) => !exported.includes(key))).toEqual([]);
    expect(Object.keys(ENTRIES).filter((key) => !key.includes('.') && !exported.includes(key))).toEqual([]);
  });

  test('the entries cover every public method with parameters of the exported classes', () => {
    // Read from the sources: at run time TypeScript's private methods look public.
    const SRC = path.join(__dirname, '..', '..', 'src');
    const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [fs.readFileSync(p, 'utf8')] : [];
    });
    const exported = new Set(Object.entries(api).filter(([, value]) => typeof value === 'function').map(([key]) => key));
    const methods = sources(SRC).flatMap((text) => [...text.matchAll(/^export (?:abstract )?class (\w+)[^]*?^\}/gm)]
      .filter((m) => exported.has(m[1]))
      .flatMap((m) => [...m[0].matchAll(/^ {2}(?:public )?(?:static )?(\w+)\(([^)]+)\)/gm)]
        .filter((x) => x[1] !== 'constructor' && !x[1].startsWith('_') && !/^is[A-Z]/.test(x[1])) // type guards take anything by design
        .map((x) => `${m[1]}.${x[1]}`)));
    expect(methods.length).toBeGreaterThanOrEqual(3);
    expect(methods.filter((m) => !(m in ENTRIES) && !(m in METHODS_WITHOUT_ENTRY)).sort()).toEqual([]);
    expect(Object.keys(METHODS_WITHOUT_ENTRY).filter((m) => !methods.includes(m))).toEqual([]);
  });

  test.each(Object.entries(ENTRIES))('%s', (name, entry) => {
    for (let i = 0; i < entry.bases.length; i++) {
      const ctx = new Ctx();
      const base = entry.bases[i](ctx);
      expect(() => {
        entry.run(ctx, base);
        if (ctx.app.node.children.length > 0) api.renderBundle(ctx.app);
      }).not.toThrow();
    }
    const arbitrary = fc.integer({ min: 0, max: entry.bases.length - 1 })
      .chain((i) => fc.tuple(fc.constant(i), corruptionOf(entry.bases[i](new Ctx()), entry.argumentList)));
    // A fixed seed keeps CI deterministic; BAD_INPUT_SEED and BAD_INPUT_RUNS (a multiplier) widen the search locally.
    const seed = Number(process.env.BAD_INPUT_SEED ?? 19);
    const runs = (entry.runs ?? 60) * Number(process.env.BAD_INPUT_RUNS ?? 1);
    fc.assert(fc.property(arbitrary, ([i, corruption]) => attempt(name, entry, i, corruption)), { numRuns: runs, seed });
  });

  test('what succeeded reads back identically in kubectl and helm', async () => {
    const manifests = rendered.filter((f) => /^(dist|kind)\//.test(f.path)).slice(0, 60);
    const values = rendered.filter((f) => f.path.startsWith('cilium-values/')).slice(0, 6);
    expect(manifests.length + values.length).toBeGreaterThan(5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-bad-input-read-'));
    try {
      const file = path.join(dir, 'all.yaml');
      fs.writeFileSync(file, manifests.map((f) => f.content).join('\n---\n'));
      const ours = manifests.flatMap((f) => YAML.parseAllDocuments(f.content).map((d) => d.toJS()).filter((d) => d));
      expect(await kubectlReadBack(file)).toStrictEqual(ours);
      for (const f of values) expect(await helmReadValues(f.content)).toStrictEqual(YAML.parse(f.content));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the instances issue 19 names, each now a PlatformConfigError naming the field', () => {
  const cluster = (ciliumValuesOverrides?: Record<string, unknown>) =>
    new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...(ciliumValuesOverrides ? { ciliumValuesOverrides } : {}) });
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof PlatformConfigError) return e.violations.map((v) => [v.rule, v.field]);
      throw e;
    }
    throw new Error('not refused');
  };

  test('TestWorkload with a partial resources (it threw a TypeError at serialization)', () => {
    expect(refusal(() => new TestWorkload(cluster(), 'web', {
      name: 'web', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 8080 }], resources: { memoryLimitMebibytes: 16 } as never,
    }))).toEqual([
      ['missing-prop', 'dev/web.resources.cpuRequestMillis'],
      ['missing-prop', 'dev/web.resources.cpuLimitMillis'],
      ['missing-prop', 'dev/web.resources.memoryRequestMebibytes'],
    ]);
  });

  test('LocalGateway without certificateAuthority (it threw a TypeError)', () => {
    expect(refusal(() => new LocalGateway(cluster(), 'gateway', {} as never))).toEqual([['missing-prop', 'dev/gateway.certificateAuthority']]);
  });

  test('__proto__ in overrides (dropped from the file, kept in ciliumValues())', () => {
    const overrides = JSON.parse('{ "operator": { "__proto__": { "replicas": 9 } } }');
    expect(refusal(() => cluster(overrides))).toEqual([['prototype-key', 'dev.ciliumValuesOverrides.operator.__proto__']]);
  });

  test('NaN, Infinity and keys over 1,024 characters in overrides (helm refused the file)', () => {
    expect(refusal(() => cluster({ a: NaN, b: [Infinity], c: { ['k'.repeat(1025)]: 1 } }))).toEqual([
      ['non-finite-number', 'dev.ciliumValuesOverrides.a'],
      ['non-finite-number', 'dev.ciliumValuesOverrides.b[0]'],
      ['key-too-long', `dev.ciliumValuesOverrides.c["${'k'.repeat(40)}...(1025 characters)"]`],
    ]);
  });

  test('cyclic and 20,000-deep overrides (they crashed with a RangeError)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(() => cluster({ extraConfig: cyclic }))).toEqual([['cyclic-value', 'dev.ciliumValuesOverrides.extraConfig.self']]);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    expect(refusal(() => cluster(deep))).toEqual([['too-deep', expect.stringMatching(/^dev\.ciliumValuesOverrides(\.d){99}$/)]]);
  });

  test('found by this property test with other seeds: meshPlatform with an empty name (the constructs library\'s empty-id error)', () => {
    expect(refusal(() => api.meshPlatform(new App(), { name: '' }))).toEqual([['invalid-mesh-name', 'mesh.name']]);
  });

  test('functions, symbols, Dates and Maps in overrides (they were written as junk)', () => {
    expect(refusal(() => cluster({ f: () => 1, s: Symbol('s'), d: new Date(0), m: new Map() }))).toEqual([
      ['unsupported-value', 'dev.ciliumValuesOverrides.f'],
      ['unsupported-value', 'dev.ciliumValuesOverrides.s'],
      ['unsupported-value', 'dev.ciliumValuesOverrides.d'],
      ['unsupported-value', 'dev.ciliumValuesOverrides.m'],
    ]);
  });
});

describe('text no field can carry is refused at the prop, naming it (issue 19: "other entry points")', () => {
  const web = { name: 'web', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 8080 }] };
  const inCluster = (add: (c: KindCiliumCluster) => unknown, props: Record<string, unknown> = {}) =>
    () => add(new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props }));
  test.each([
    ['an HTTP rule path with U+2028', inCluster((c) => new AppNetworkPolicy(c, 'p', { namespace: 'demo', appLabels: { app: 'web' }, ingressPorts: [{ port: 80 }], httpRules: [{ path: '/a\u2028b' }] })), 'invalid-http-rule', 'dev/p.httpRules[0].path'],
    ['an HTTP rule method with a space', inCluster((c) => new AppNetworkPolicy(c, 'p', { namespace: 'demo', appLabels: { app: 'web' }, ingressPorts: [{ port: 80 }], httpRules: [{ method: 'GET POST' }] })), 'invalid-http-rule', 'dev/p.httpRules[0].method'],
    ['a readiness path with U+2028', inCluster((c) => new TestWorkload(c, 'w', { ...web, readiness: { path: '/a\u2028b' } })), 'invalid-path', 'dev/w.readiness.path'],
    ['an env name with a line break', inCluster((c) => new TestWorkload(c, 'w', { ...web, env: { 'A\nB': 'x' } })), 'invalid-env-name', 'dev/w.env["A\\nB"]'],
    ['an env name with "="', inCluster((c) => new TestWorkload(c, 'w', { ...web, env: { 'A=B': 'x' } })), 'invalid-env-name', 'dev/w.env["A=B"]'],
    ['an image with a line break', inCluster((c) => new TestWorkload(c, 'w', { ...web, image: 'nginx:1.29\u2028x' })), 'unpinned-image', 'dev/w.image'],
    ['an env value kustomize cannot carry (U+0085)', inCluster((c) => new TestWorkload(c, 'w', { ...web, env: { A: 'x\u0085y' } })), 'text-kustomize-refuses', 'dev/w.env["A"]'],
    ['a Hubble metric option with U+0085', inCluster(() => undefined, { hubble: { metrics: [{ name: 'dns', options: { labelsContext: ['a\u0085b'] } }] } }), 'invalid-hubble-metric-option', 'dev.hubble.metrics[0].options["labelsContext"][0]'],
  ] as const)('%s', (_name, build, rule, field) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    expect((error as PlatformConfigError).violations).toEqual([expect.objectContaining({ rule, field })]);
  });
});
