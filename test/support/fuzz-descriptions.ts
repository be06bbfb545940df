import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AppNetworkPolicy, AppNetworkPolicyProps, ClusterDefaultDeny, ClusterDefaultDenyProps, KindCiliumCluster, KindCiliumClusterProps,
  L2AnnouncementPolicy, L2AnnouncementPolicyProps, LoadBalancerIpPool, LoadBalancerIpPoolProps, LocalCertificateAuthority,
  LocalCertificateAuthorityProps, LocalGateway, LocalGatewayProps, NginxDemo, NginxDemoProps, PoolBlock, StarWarsDemo, StarWarsDemoProps,
  TestWorkload, TestWorkloadProps, BUILT_IN_NAMESPACES,
} from '../../src';
/* eslint-disable @stylistic/max-len -- generator tables read best one entry per line */
import { re2Finds } from '../../src/private/re2';

/**
 * Random cluster DESCRIPTIONS (plain JSON data, printable and replayable) and their construction through
 * the public API only. Most descriptions are meant to be valid; some deliberately clash (shared names,
 * pools, host ports) or sit on a boundary, so the run also exercises rejections. Used by `npm run fuzz`
 * (scripts/fuzz.js) and the CI-sized sample in test/oracles/fuzz-sample.test.ts.
 */

/** A route of the gateway to one of the description's backends. */
export interface FuzzRoute {
  readonly hostnames?: string[];
  readonly pathPrefix?: string;
  /** `nginx`: the NginxDemo's backend; a number: that TestWorkload's backend. */
  readonly target: 'nginx' | number;
}

/** One cluster and everything added to it. */
export interface FuzzCluster {
  readonly props: KindCiliumClusterProps;
  readonly pools: LoadBalancerIpPoolProps[];
  readonly l2Policies: L2AnnouncementPolicyProps[];
  readonly defaultDeny?: ClusterDefaultDenyProps;
  readonly appPolicies: AppNetworkPolicyProps[];
  readonly ca?: LocalCertificateAuthorityProps;
  readonly gateway?: Omit<LocalGatewayProps, 'certificateAuthority'>;
  readonly routes: FuzzRoute[];
  readonly workloads: TestWorkloadProps[];
  readonly nginx?: NginxDemoProps;
  readonly starWars?: StarWarsDemoProps;
  /**
   * Add a Namespace object for each AppNetworkPolicy namespace nothing else of the cluster creates (what a careful user
   * writes; without it `kubectl apply -k` fails: the outcome `namespace-not-created`).
   */
  readonly createPolicyNamespaces?: boolean;
}

/** One app: 1-3 clusters. */
export interface FuzzDescription {
  readonly clusters: FuzzCluster[];
}

/** Builds the description through the public API into a fresh App (construction errors propagate). */
export function buildDescription(desc: FuzzDescription): { app: App; clusters: KindCiliumCluster[] } {
  const app = new App();
  const clusters = desc.clusters.map((c, i) => {
    const cluster = new KindCiliumCluster(app, `c${i}`, c.props);
    c.pools.forEach((p, j) => new LoadBalancerIpPool(cluster, `pool${j}`, p));
    c.l2Policies.forEach((p, j) => new L2AnnouncementPolicy(cluster, `l2-${j}`, p));
    if (c.defaultDeny) new ClusterDefaultDeny(cluster, 'default-deny', c.defaultDeny);
    c.appPolicies.forEach((p, j) => new AppNetworkPolicy(cluster, `anp${j}`, p));
    const workloads = c.workloads.map((w, j) => new TestWorkload(cluster, `wl${j}`, w));
    const nginx = c.nginx ? new NginxDemo(cluster, 'nginx', c.nginx) : undefined;
    if (c.starWars) new StarWarsDemo(cluster, 'star-wars', c.starWars);
    if (c.gateway) {
      const ca = new LocalCertificateAuthority(cluster, 'ca', c.ca ?? {});
      const gateway = new LocalGateway(cluster, 'gateway', { ...c.gateway, certificateAuthority: ca });
      c.routes.forEach((r, j) => {
        const backendOf = r.target === 'nginx' ? nginx : workloads[r.target];
        if (!backendOf) return;
        gateway.addHttpRoute(`route${j}`, {
          namespace: backendOf.namespace,
          backend: backendOf.backend,
          ...(r.hostnames ? { hostnames: r.hostnames } : {}),
          ...(r.pathPrefix ? { pathPrefix: r.pathPrefix } : {}),
        });
      });
    } else if (c.ca) {
      new LocalCertificateAuthority(cluster, 'ca', c.ca);
    }
    if (c.createPolicyNamespaces) {
      const created = new Set(cluster.node.findAll().filter(ApiObject.isApiObject).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
      for (const ns of new Set(c.appPolicies.map((p) => p.namespace))) {
        if (!created.has(ns) && !BUILT_IN_NAMESPACES.includes(ns)) new ApiObject(cluster, `namespace-${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      }
    }
    return cluster;
  });
  return { app, clusters };
}

// ------------------------------------------------------------------------------------------------
// Building blocks
// ------------------------------------------------------------------------------------------------

const ip = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const TEN = 10 * 2 ** 24;
const P172_16 = 172 * 2 ** 24 + 16 * 2 ** 16;

/** Values YAML 1.1 readers type differently from YAML 1.2 (or that look like numbers/dates/null). */
export const TRICKY_STRINGS = ['0XF_F', '0o17', '1_000', '.5', 'on', 'off', 'y', 'n', 'yes', 'No', '~', 'null', 'true',
  '2001-12-14t21:59:43.10-05:00', '2002-12-14', '1:20', '0x1F', '1e3', '012', '+1', '-.inf', '.NaN', '0b101'];

/** Label values (`(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`, <= 63) with tricky ones mixed in. */
const labelValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_STRINGS.filter((s) => /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(s))) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,10}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a'.repeat(63), `x${'9'.repeat(62)}`) },
);
const labelKey = fc.constantFrom('app', 'tier', 'example.com/role', 'version', 'a'.repeat(63), 'on', 'y');
const labels = fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 3 });

/** DNS-1123 labels, names used for namespaces and objects (max 63). */
const dnsLabel = fc.oneof(
  fc.stringMatching(/^[a-z]([-a-z0-9]{0,12}[a-z0-9])?$/),
  fc.constantFrom('on', 'y', 'no', 'null', 'true', `a${'b'.repeat(61)}c`, 'x1e3'),
);

/** DNS hostnames: 1-4 labels, up to the 253 limit; sometimes wildcard. */
const hostname = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/), { minLength: 1, maxLength: 4 }).map((l) => [...l, 'localhost'].join('.')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('on.localhost', '0xf.localhost', '1e3.example.com', 'y.localhost', '*.apps.localhost',
      [`${'a'.repeat(63)}`, 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.'), `${'a'.repeat(63)}.localhost`),
  },
);

/** RE2 syntax in HTTP rules and interfaces. */
const httpPath = fc.constantFrom('/', '/api/.*', '(?i)/public/[[:alnum:]]+', '/v[0-9]+/items/\\d+', '/(?P<id>[a-z]+)', '/a|/b', '/static/[^/]*\\.css', '/.*');
const httpMethod = fc.constantFrom('GET', 'POST', 'GET|HEAD', '(?i)get', 'PUT|PATCH|DELETE', '[[:upper:]]+');
const interfaceRegex = fc.constantFrom('^eth[0-9]+$', 'eth0', '^(?i)ETH.*$', '^eth[[:digit:]]+$', '^enp\\d+s\\d+$', '^eth0$');

const port = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(1, 40, 53, 80, 443, 8080, 65535));
const policyPort = fc.record({
  port,
  endPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  protocol: fc.option(fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const, 'ANY' as const), { nil: undefined }),
}, { requiredKeys: ['port'] }).map((p) => (p.endPort !== undefined && p.endPort < p.port ? { ...p, endPort: undefined } : p))
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as typeof p);
/** 0-40 ports (40 is Cilium's per-rule limit), sometimes exactly 40 or 41. */
const policyPorts = fc.oneof(
  { weight: 5, arbitrary: fc.array(policyPort, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(40, 40, 40, 41).map((n) => Array.from({ length: n }, (_, i) => ({ port: 1000 + i }))) },
);

const fqdnName = fc.oneof(hostname, fc.constantFrom('api.github.com', '0o17.example.com', 'y.example.org', '1-000.example.net'));
const fqdnPattern = fc.constantFrom('*.example.com', '*.cilium.io', 'api.*.example.org', '*');
const entity = fc.constantFrom('world' as const, 'cluster' as const, 'host' as const, 'remote-node' as const, 'kube-apiserver' as const,
  'ingress' as const, 'health' as const, 'all' as const);

const goDuration = fc.constantFrom('1h', '2160h', '720h', '48h0m0s', '90m', '8760h', '1h30m', '24h', '3600s');

// ------------------------------------------------------------------------------------------------
// Cluster props
// ------------------------------------------------------------------------------------------------

/** [first, prefix] of a network of `prefix` bits inside base/baseBits. */
function subnetIn(base: number, baseBits: number, minPrefix: number, maxPrefix: number): fc.Arbitrary<[number, number]> {
  return fc.integer({ min: minPrefix, max: maxPrefix }).chain((prefix) =>
    fc.integer({ min: 0, max: 2 ** (prefix - baseBits) - 1 }).map((i): [number, number] => [base + i * 2 ** (32 - prefix), prefix]));
}
const cidr = ([first, prefix]: [number, number]): string => `${ip(first)}/${prefix}`;
const overlaps = (a: [number, number], b: [number, number]): boolean =>
  a[0] <= b[0] + 2 ** (32 - b[1]) - 1 && b[0] <= a[0] + 2 ** (32 - a[1]) - 1;

/** Pod /8../24 and service /12../28 subnets (usually disjoint; 10.0.0.0/8 for the pod /8 boundary). */
const disjoint = ([pod, svc]: [[number, number], [number, number]]): boolean => !overlaps(pod, svc);
const subnets = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(subnetIn(TEN, 8, 9, 24), subnetIn(TEN, 8, 12, 28)).filter(disjoint) },
  { weight: 1, arbitrary: fc.tuple(fc.constant<[number, number]>([TEN, 8]), subnetIn(192 * 2 ** 24 + 168 * 2 ** 16, 16, 16, 28)) },
  { weight: 1, arbitrary: fc.tuple(subnetIn(TEN, 8, 9, 24), subnetIn(TEN, 8, 12, 28)) }, // may overlap: a deliberate clash
);

const dockerChoices: [number, number][] = [[172 * 2 ** 24 + 18 * 2 ** 16, 16], [P172_16, 12], [172 * 2 ** 24 + 20 * 2 ** 16 + 96 * 256, 20], [172 * 2 ** 24 + 19 * 2 ** 16, 24], [192 * 2 ** 24 + 168 * 2 ** 16 + 200 * 256, 24]];

const CILIUM_VERSIONS = ['1.18.12', '1.19.6', '1.20.0'];
const HUBBLE_METRICS = ['dns', 'drop', 'tcp', 'flow', 'icmp', 'httpV2', 'port-distribution', 'flows-to-world', 'policy'];

const hubble = fc.option(fc.record({
  enabled: fc.option(fc.boolean(), { nil: undefined }),
  relay: fc.option(fc.boolean(), { nil: undefined }),
  ui: fc.option(fc.boolean(), { nil: undefined }),
  openMetrics: fc.option(fc.boolean(), { nil: undefined }),
  metrics: fc.option(fc.uniqueArray(fc.oneof(
    fc.constantFrom(...HUBBLE_METRICS),
    fc.record({
      name: fc.constantFrom('dns', 'drop', 'flow', 'httpV2', 'tcp') as fc.Arbitrary<any>,
      options: fc.constantFrom(
        { query: true, ignoreAAAA: true }, { labelsContext: ['source_namespace', 'destination_namespace'] }, { sourceContext: 'pod', destinationContext: 'pod' },
        { exemplars: true }, {}),
    }),
  ), { maxLength: 4, selector: (m) => (typeof m === 'string' ? m : m.name) }), { nil: undefined }),
}, { requiredKeys: [] }), { nil: undefined });

interface ClusterSlot { readonly index: number; readonly docker: [number, number] }

function clusterProps(slot: ClusterSlot): fc.Arbitrary<KindCiliumClusterProps> {
  return fc.record({
    name: fc.oneof(
      { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/).map((n) => `${n}-${slot.index}`) },
      { weight: 1, arbitrary: fc.constantFrom('dup', 'on', 'y-1', `a${'b'.repeat(30)}`, '1e3', 'null') },
    ),
    version: fc.constantFrom(...CILIUM_VERSIONS),
    routing: fc.constantFrom('tunnel', 'native', undefined),
    tunnelProtocol: fc.constantFrom('vxlan', 'geneve', undefined),
    kpr: fc.option(fc.boolean(), { nil: undefined }),
    l2: fc.option(fc.record({
      enabled: fc.option(fc.boolean(), { nil: undefined }),
      leaseDuration: fc.constantFrom(undefined, '15s', '1m', '3s'),
      leaseRenewDeadline: fc.constantFrom(undefined, '5s', '2s'),
      leaseRetryPeriod: fc.constantFrom(undefined, '1s', '500ms'),
    }, { requiredKeys: [] }), { nil: undefined }),
    hubble,
    devices: fc.option(fc.constantFrom(['eth0'], ['eth+'], ['eth0', 'eth1'], ['enp0s3']), { nil: undefined }),
    masquerade: fc.option(fc.record({
      bpf: fc.option(fc.boolean(), { nil: undefined }),
      ipMasqAgent: fc.option(fc.boolean(), { nil: undefined }),
      nonMasqueradeCidrs: fc.option(fc.constantFrom(['10.0.0.0/8'], ['192.168.0.0/16', '172.16.0.0/12']), { nil: undefined }),
    }, { requiredKeys: [] }), { nil: undefined }),
    loadBalancer: fc.option(fc.record({
      acceleration: fc.constantFrom(undefined, 'disabled', 'native', 'best-effort'),
      mode: fc.constantFrom(undefined, 'snat', 'dsr', 'hybrid'),
      dsrDispatch: fc.constantFrom(undefined, 'opt', 'ipip', 'geneve'),
    }, { requiredKeys: [] }), { nil: undefined }),
    workers: fc.integer({ min: 0, max: 4 }),
    controlPlaneNodes: fc.constantFrom(undefined, 1, 1, 3),
    subnets: fc.option(subnets, { nil: undefined }),
    dnsDomain: fc.constantFrom(undefined, 'cluster.local', 'corp.internal', 'on.internal', `${'a'.repeat(63)}.local`),
    workerLabels: fc.option(fc.dictionary(fc.constantFrom('tier', 'example.com/pool', 'topology.kubernetes.io/zone'), labelValue, { maxKeys: 2 }), { nil: undefined }),
    hostPorts: fc.option(fc.uniqueArray(fc.record({
      containerPort: fc.constantFrom(30080, 30443, 31000, 32767, 30000),
      hostPort: fc.constantFrom(undefined, 8080, 8443, 80, 443, 65535, 1),
    }), { maxLength: 2, selector: (h) => h.containerPort }), { nil: undefined }),
    apiServerPort: fc.constantFrom(undefined, undefined, undefined, 6443, 0, 65535 - slot.index, 7000 + slot.index),
    clusterId: fc.constantFrom(undefined, 0, 255 - slot.index, slot.index + 1, 511),
    operatorReplicas: fc.constantFrom(undefined, 1, 2),
  }).map((r) => {
    const props: Record<string, unknown> = { clusterName: r.name, ciliumVersion: r.version, workers: r.workers, dockerNetworkSubnet: cidr(slot.docker) };
    const set = (k: string, v: unknown): void => {
      if (v !== undefined) props[k] = v;
    };
    set('routingMode', r.routing);
    if (r.routing !== 'native') set('tunnelProtocol', r.tunnelProtocol);
    set('kubeProxyReplacement', r.kpr);
    set('l2Announcements', r.l2 && Object.fromEntries(Object.entries(r.l2).filter(([, v]) => v !== undefined)));
    set('hubble', r.hubble && Object.fromEntries(Object.entries(r.hubble).filter(([, v]) => v !== undefined)));
    set('devices', r.devices);
    set('masquerade', r.masquerade && Object.fromEntries(Object.entries(r.masquerade).filter(([, v]) => v !== undefined)));
    set('loadBalancer', r.loadBalancer && Object.fromEntries(Object.entries(r.loadBalancer).filter(([, v]) => v !== undefined)));
    set('controlPlaneNodes', r.controlPlaneNodes);
    if (r.subnets) {
      props.podSubnet = cidr(r.subnets[0]);
      props.serviceSubnet = cidr(r.subnets[1]);
    }
    set('dnsDomain', r.dnsDomain);
    set('workerLabels', r.workerLabels);
    set('hostPortMappings', r.hostPorts?.map((h) => (h.hostPort === undefined ? { containerPort: h.containerPort } : h)));
    set('apiServerPort', r.apiServerPort);
    if (r.clusterId !== undefined) props.ciliumCluster = { id: r.clusterId };
    set('operatorReplicas', r.operatorReplicas);
    return props as unknown as KindCiliumClusterProps;
  });
}

/**
 * The address span of cluster `index` at the top of the docker subnet (an eighth of the subnet, at most 512
 * addresses), cut in 8 sub-slots: pool j, block b uses sub-slot 2j+b; sub-slots 4-7 are left for a
 * coherent description's extra pool.
 */
function clusterSpan(docker: [number, number], index: number): { base: number; sub: number } {
  const size = 2 ** (32 - docker[1]);
  const span = Math.min(512, size / 8);
  return { base: docker[0] + size - span * (index + 1), sub: span / 8 };
}

/** Pool blocks in the cluster's span (1 in 16 blocks uses cluster 0's span instead: a cross-cluster clash). */
function pools(slot: ClusterSlot): fc.Arbitrary<LoadBalancerIpPoolProps[]> {
  const block = (j: number, b: number) => fc.record({
    clash: fc.integer({ min: 0, max: 15 }),
    kind: fc.constantFrom('cidr', 'range', 'range1', 'cidr32', 'cidrHalf'),
    offset: fc.integer({ min: 0, max: 7 }),
  }).map(({ clash, kind, offset }): PoolBlock => {
    const { base: b0, sub } = clusterSpan(slot.docker, clash === 0 ? 0 : slot.index);
    const base = b0 + sub * (2 * j + b);
    const bits = Math.log2(sub);
    const off = offset % sub;
    switch (kind) {
      case 'cidr': return { cidr: `${ip(base)}/${32 - bits}` };
      case 'cidr32': return { cidr: `${ip(base + off)}/32` };
      case 'cidrHalf': return { cidr: `${ip(base + (bits > 0 ? sub / 2 : 0))}/${32 - Math.max(0, bits - 1)}` };
      case 'range1': return { start: ip(base + off), stop: ip(base + off) };
      default: return { start: ip(base + off), stop: ip(base + sub - 1) };
    }
  });
  const pool = (j: number) => fc.record({
    blocks: fc.oneof(fc.tuple(block(j, 0)), fc.tuple(block(j, 0), block(j, 1))).map((t) => [...t]),
    allowFirstLastIps: fc.option(fc.boolean(), { nil: undefined }),
    serviceSelector: fc.option(labels.map((l) => ({ matchLabels: l })), { nil: undefined }),
  }, { requiredKeys: ['blocks'] }).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as LoadBalancerIpPoolProps);
  return fc.oneof(fc.constant([]), fc.tuple(pool(0)), fc.tuple(pool(0), pool(1))).map((t) => [...t]);
}

const l2Policies = fc.array(fc.record({
  interfaces: fc.option(fc.array(interfaceRegex, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  loadBalancerIps: fc.option(fc.boolean(), { nil: undefined }),
  externalIps: fc.option(fc.boolean(), { nil: undefined }),
  serviceSelector: fc.option(labels.map((l) => ({ matchLabels: l })), { nil: undefined }),
  nodeSelector: fc.option(fc.constant({ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' as const }] }), { nil: undefined }),
}, { requiredKeys: [] }).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as L2AnnouncementPolicyProps), { maxLength: 2 });

const defaultDeny = fc.option(fc.record({
  exemptNamespaces: fc.option(fc.array(dnsLabel, { maxLength: 2 }), { nil: undefined }),
  allowDns: fc.option(fc.boolean(), { nil: undefined }),
  allowApiServerEgress: fc.option(fc.boolean(), { nil: undefined }),
  allowIngressFromGateway: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: [] }).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as ClusterDefaultDenyProps), { nil: undefined });

const appPolicy: fc.Arbitrary<AppNetworkPolicyProps> = fc.record({
  namespace: dnsLabel,
  appLabels: labels,
  ingressPorts: fc.option(policyPorts, { nil: undefined }),
  httpRules: fc.option(fc.array(fc.record({ method: fc.option(httpMethod, { nil: undefined }), path: fc.option(httpPath, { nil: undefined }) }, { requiredKeys: [] }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  allowFromGateway: fc.option(fc.boolean(), { nil: undefined }),
  allowFromWorld: fc.option(fc.boolean(), { nil: undefined }),
  allowFrom: fc.option(fc.array(fc.record({ namespace: fc.option(dnsLabel, { nil: undefined }), labels: fc.option(labels, { nil: undefined }) }, { requiredKeys: [] }), { maxLength: 2 }), { nil: undefined }),
  allowFromEntities: fc.option(fc.uniqueArray(entity, { maxLength: 3 }), { nil: undefined }),
  egressToEntities: fc.option(fc.array(fc.record({ entity, ports: fc.option(policyPorts, { nil: undefined }) }, { requiredKeys: ['entity'] }), { maxLength: 2 }), { nil: undefined }),
  egressFqdns: fc.option(fc.array(fc.oneof(
    fc.record({ name: fqdnName, ports: fc.option(policyPorts, { nil: undefined }) }, { requiredKeys: ['name'] }),
    fc.record({ pattern: fqdnPattern, ports: fc.option(policyPorts, { nil: undefined }) }, { requiredKeys: ['pattern'] }),
  ), { maxLength: 3 }), { nil: undefined }),
}, { requiredKeys: ['namespace', 'appLabels'] }).map((p) => JSON.parse(JSON.stringify(p)) as AppNetworkPolicyProps);

const workload: fc.Arbitrary<TestWorkloadProps> = fc.record({
  name: dnsLabel,
  namespace: fc.option(dnsLabel, { nil: undefined }),
  image: fc.constantFrom('nginxinc/nginx-unprivileged:1.27', 'ghcr.io/example/echo:v1.0.0', 'registry.k8s.io/e2e-test-images/agnhost:2.53'),
  ports: fc.uniqueArray(fc.record({ port, containerPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) }, { requiredKeys: ['port'] }), { minLength: 1, maxLength: 3, selector: (p) => p.port }),
  labels: fc.option(labels, { nil: undefined }),
  replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  serviceType: fc.option(fc.constantFrom('ClusterIP' as const, 'NodePort' as const, 'LoadBalancer' as const), { nil: undefined }),
  env: fc.option(fc.dictionary(fc.constantFrom('MODE', 'FLAG', 'COUNT', 'WHEN'), fc.constantFrom(...TRICKY_STRINGS), { maxKeys: 3 }), { nil: undefined }),
  networkPolicy: fc.option(fc.constantFrom('auto' as const, 'always' as const, 'none' as const), { nil: undefined }),
  allowFromGateway: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: ['name', 'image', 'ports'] }).map((p) => JSON.parse(JSON.stringify(p)) as TestWorkloadProps);

function clusterArb(slot: ClusterSlot): fc.Arbitrary<FuzzCluster> {
  return fc.record({
    props: clusterProps(slot),
    pools: pools(slot),
    l2Policies,
    defaultDeny,
    appPolicies: fc.array(appPolicy, { maxLength: 2 }),
    ca: fc.option(fc.record({
      commonName: fc.option(fc.oneof(fc.constantFrom(...TRICKY_STRINGS), fc.constant('x'.repeat(64)), fc.constant('Local CA')), { nil: undefined }),
      duration: fc.option(goDuration, { nil: undefined }),
      renewBefore: fc.option(fc.constantFrom('1h', '24h', '360h'), { nil: undefined }),
    }, { requiredKeys: [] }).map((p) => JSON.parse(JSON.stringify(p))), { nil: undefined }),
    gateway: fc.option(fc.record({
      hostname: fc.option(hostname, { nil: undefined }),
      apexListener: fc.option(fc.boolean(), { nil: undefined }),
      redirectHttpToHttps: fc.option(fc.boolean(), { nil: undefined }),
      httpNodePort: fc.option(fc.constantFrom(30080, 30000, 32767, 31080), { nil: undefined }),
      httpsNodePort: fc.option(fc.constantFrom(30443, 32766, 31443), { nil: undefined }),
      routeNamespaceLabels: fc.option(labels, { nil: undefined }),
    }, { requiredKeys: [] }).map((p) => JSON.parse(JSON.stringify(p))), { nil: undefined }),
    routes: fc.array(fc.record({
      hostnames: fc.option(fc.array(hostname, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      pathPrefix: fc.option(fc.constantFrom('/', '/api', '/on', '/0o17', '/a/b/'), { nil: undefined }),
      target: fc.oneof(fc.constant<'nginx'>('nginx'), fc.integer({ min: 0, max: 1 })),
    }, { requiredKeys: ['target'] }).map((p) => JSON.parse(JSON.stringify(p)) as FuzzRoute), { maxLength: 3 }),
    workloads: fc.array(workload, { maxLength: 2 }),
    nginx: fc.option(fc.record({
      namespace: fc.option(dnsLabel, { nil: undefined }),
      loadBalancer: fc.option(fc.boolean(), { nil: undefined }),
      replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      labels: fc.option(labels, { nil: undefined }),
    }, { requiredKeys: [] }).map((p) => JSON.parse(JSON.stringify(p))), { nil: undefined }),
    starWars: fc.option(fc.record({
      namespace: fc.option(dnsLabel, { nil: undefined }),
      deathstarServiceType: fc.option(fc.constantFrom('ClusterIP' as const, 'LoadBalancer' as const), { nil: undefined }),
      deathstarReplicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    }, { requiredKeys: [] }).map((p) => JSON.parse(JSON.stringify(p))), { nil: undefined }),
    coherent: fc.integer({ min: 0, max: 9 }),
  }, { requiredKeys: ['props', 'pools', 'l2Policies', 'appPolicies', 'routes', 'workloads', 'coherent'] })
    .map(({ coherent, ...c }) => {
      const cluster = JSON.parse(JSON.stringify(c)) as FuzzCluster;
      // 9 in 10 clusters are made coherent (what a careful user writes); the rest keep their raw,
      // often contradictory choices so the run also covers rejections.
      return coherent >= 1 ? makeCoherent(cluster, slot) : cluster;
    });
}

const LEASE_TIMINGS = [{}, { leaseDuration: '15s', leaseRenewDeadline: '5s', leaseRetryPeriod: '1s' },
  { leaseDuration: '3s', leaseRenewDeadline: '1s', leaseRetryPeriod: '200ms' }, { leaseDuration: '1m', leaseRenewDeadline: '15s', leaseRetryPeriod: '2s' }];
const GO_DURATION_HOURS: Record<string, number> = { '1h': 1, '2160h': 2160, '720h': 720, '48h0m0s': 48, '90m': 1.5, '8760h': 8760, '1h30m': 1.5, '24h': 24, '3600s': 1, '360h': 360 };

/** A host port made unique per cluster index (kept inside 1-65535). */
const shiftPort = (p: number, index: number): number => (p + index * 3 > 65535 ? p - index * 3 : p + index * 3);

/** Adjusts a random cluster so the library's cross-object rules are satisfied (boundary values kept). */
function makeCoherent(c: FuzzCluster, slot: ClusterSlot): FuzzCluster {
  const props = { ...c.props } as Record<string, any>;
  const nodes = (props.controlPlaneNodes ?? 1) + (props.workers ?? 0);
  if (props.ciliumCluster?.id > 255) props.ciliumCluster = { id: slot.index + 1 };
  if (props.apiServerPort === 0) delete props.apiServerPort;
  if ((props.operatorReplicas ?? 1) > nodes) props.operatorReplicas = 1;
  if (props.podSubnet) {
    const [addr, prefix] = props.podSubnet.split('/');
    const max = 24 - Math.ceil(Math.log2(nodes));
    if (Number(prefix) > max) {
      const a = addr.split('.').map(Number);
      const n = ((a[0] * 256 + a[1]) * 256 + a[2]) * 256 + a[3];
      const size = 2 ** (32 - max);
      const pod: [number, number] = [Math.floor(n / size) * size, max];
      const [sa, sp] = props.serviceSubnet.split('/');
      const s = sa.split('.').map(Number);
      const svc: [number, number] = [((s[0] * 256 + s[1]) * 256 + s[2]) * 256 + s[3], Number(sp)];
      props.podSubnet = cidr(pod);
      if (overlaps(pod, svc)) delete props.serviceSubnet, delete props.podSubnet;
    }
  }
  if (props.hubble?.ui === true && props.hubble.relay === false) props.hubble = { ...props.hubble, relay: true };
  if (props.hubble?.enabled === false) props.hubble = { enabled: false };
  const coherentL2 = c.l2Policies.map((p) => (p.loadBalancerIps === false && p.externalIps !== true ? { ...p, loadBalancerIps: true } : p));
  if (coherentL2.length > 0 || props.l2Announcements) {
    const timings = LEASE_TIMINGS[(props.workers ?? 0) % LEASE_TIMINGS.length];
    props.l2Announcements = { enabled: true, ...timings };
  }
  // Load balancer addresses for every LoadBalancer Service: an extra pool on sub-slots 4-7 (no selector).
  const needsPool = c.gateway || c.nginx?.loadBalancer || c.starWars?.deathstarServiceType === 'LoadBalancer' || c.workloads.some((w) => w.serviceType === 'LoadBalancer');
  const { base, sub } = clusterSpan(slot.docker, slot.index);
  const coherentPools = needsPool ? [...c.pools, { blocks: [{ start: ip(base + 4 * sub), stop: ip(base + 8 * sub - 2) }] }] : c.pools;
  // Features that need kube-proxy replacement / BPF masquerade get them.
  if (coherentL2.length > 0 || c.gateway || props.l2Announcements || props.masquerade?.bpf) props.kubeProxyReplacement = true;
  if (props.masquerade?.ipMasqAgent) props.masquerade = { ...props.masquerade, bpf: true };
  if (props.masquerade?.bpf) props.kubeProxyReplacement = true;
  // DSR: native routing, or a Geneve tunnel with Geneve dispatch.
  const lb = props.loadBalancer;
  if (lb) {
    const dsr = lb.mode === 'dsr' || lb.mode === 'hybrid';
    if (!dsr) {delete lb.dsrDispatch;} else if (lb.dsrDispatch === 'geneve') {
      props.routingMode = 'tunnel';
      props.tunnelProtocol = 'geneve';
    } else {
      props.routingMode = 'native';
      delete props.tunnelProtocol;
    }
  }
  // L2 interfaces that match the Cilium devices (eth0 by default in kind).
  const devices: string[] = (props.devices ?? ['eth0']).map((d: string) => (d.endsWith('+') ? `${d.slice(0, -1)}0` : d));
  const l2Fitting = coherentL2.map((p) => {
    const interfaces = p.interfaces?.filter((r) => devices.some((d) => re2Finds(r, d)));
    return JSON.parse(JSON.stringify({ ...p, interfaces: interfaces?.length ? interfaces : undefined })) as L2AnnouncementPolicyProps;
  });
  // Every LoadBalancer address announced where L2 announcements are in use: a catch-all policy on the first device
  // (a random policy's selectors often select no Service or no node: lb-address-not-announced, a real refusal).
  if (props.l2Announcements) l2Fitting.push({ interfaces: [`^${devices[0].replace(/[^A-Za-z0-9]/g, (ch) => `\\${ch}`)}$`], loadBalancerIps: true });
  // Host sockets unique across clusters: shift by the cluster index.
  const mappings: any[] = (props.hostPortMappings ?? []).map((h: any) => ({ ...h, hostPort: shiftPort(h.hostPort ?? h.containerPort, slot.index) }));
  if (c.gateway) {
    const needed = [c.gateway.httpNodePort ?? 30080, c.gateway.httpsNodePort ?? 30443];
    props.hostPortMappings = [...mappings.filter((h) => !needed.includes(h.containerPort)), ...needed.map((p) => ({ containerPort: p, hostPort: shiftPort(p, slot.index) }))];
  } else if (props.hostPortMappings) {
    props.hostPortMappings = mappings;
  }
  if (props.apiServerPort !== undefined) props.apiServerPort = Math.min(65535, props.apiServerPort - (props.apiServerPort > 65000 ? slot.index : -slot.index));
  // Routes use hostnames the gateway serves.
  const gwHost = c.gateway?.hostname;
  const routes = c.routes.map((r) => (r.hostnames ? {
    ...r,
    hostnames: gwHost && !gwHost.startsWith('*')
      ? [gwHost]
      : r.hostnames,
  } : r)).map((r) => (r.hostnames?.length === 0 ? { ...r, hostnames: undefined } : r));
  const dropEmpty = <T extends { ports?: unknown[] }>(x: T): T => (x.ports && x.ports.length === 0 ? { ...x, ports: undefined } : x);
  const appPolicies = c.appPolicies.map((p) => JSON.parse(JSON.stringify({
    ...p,
    ...(!p.ingressPorts?.length && !p.allowFrom?.length && !p.allowFromEntities?.length && !p.egressToEntities?.length && !p.egressFqdns?.length
      && !p.allowFromGateway && !p.allowFromWorld ? { allowFromEntities: ['cluster'] } : {}),
    ingressPorts: p.ingressPorts?.length === 0 ? undefined : p.ingressPorts,
    ...(p.httpRules && !(p.ingressPorts?.length) ? { ingressPorts: [{ port: 80 }] } : {}),
    egressToEntities: p.egressToEntities?.map(dropEmpty),
    egressFqdns: p.egressFqdns?.map(dropEmpty),
    // `path` must start with "/" (a documented policy of AppNetworkPolicy): put a flag group after it.
    httpRules: p.httpRules?.map((r) => (r.path?.startsWith('(?i)') ? { ...r, path: `/(?i)${r.path.slice(5)}` } : r)),
  })));
  let ca = c.ca;
  const caHours = GO_DURATION_HOURS[ca?.duration ?? '2160h'];
  if (ca && GO_DURATION_HOURS[ca.renewBefore ?? '720h'] >= caHours) ca = { ...ca, renewBefore: `${Math.max(5, Math.floor((caHours * 60) / 3))}m` };
  // allowIngressFromGateway: true is refused by design (the gateway reaches only apps that onboard it).
  const coherentDeny = c.defaultDeny && { ...c.defaultDeny, allowDns: undefined, allowIngressFromGateway: undefined };
  // A TestWorkload's own policy must let something in (its empty-app-policy otherwise).
  const workloads = c.workloads.map((w) => (w.networkPolicy !== 'none' && !w.allowFromGateway ? { ...w, allowFromGateway: true } : w));
  return JSON.parse(JSON.stringify({
    ...c, workloads, props, l2Policies: l2Fitting, pools: coherentPools, appPolicies, ca, defaultDeny: coherentDeny, routes, createPolicyNamespaces: true,
  })) as FuzzCluster;
}

/** A whole app: 1-3 clusters, usually on one shared docker network (as kind clusters of one host are). */
export const fuzzDescription: fc.Arbitrary<FuzzDescription> = fc.record({
  count: fc.integer({ min: 1, max: 3 }),
  docker: fc.constantFrom(...dockerChoices),
  sharedDocker: fc.integer({ min: 0, max: 9 }),
}).chain(({ count, docker, sharedDocker }) =>
  fc.tuple(...Array.from({ length: count }, (_, index) =>
    (sharedDocker > 0 ? fc.constant(docker) : fc.constantFrom(...dockerChoices)).chain((d) => clusterArb({ index, docker: d })))),
).map((clusters) => ({ clusters }));

/** `count` descriptions drawn with `seed` (deterministic). */
export function sampleDescriptions(count: number, seed: number): FuzzDescription[] {
  return fc.sample(fuzzDescription, { numRuns: count, seed });
}
