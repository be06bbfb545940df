import { ApiObject, App, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CiliumPolicyEngine, PodPeer } from '../../src/applied/cilium-policy';
import { applyPlan } from '../../src/bundle/apply-plan';
import { validateApp } from '../../src/bundle/render';
import { L2AnnouncementPolicy } from '../../src/cilium/l2/l2-announcement-policy';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { ClusterDefaultDeny } from '../../src/cilium/policy/cluster-default-deny';
import { KindCiliumCluster, KindCiliumClusterProps } from '../../src/cluster/kind-cilium-cluster';
import { PlatformConfigError } from '../../src/errors';
import { NginxDemo } from '../../src/workloads/nginx-demo';
import { StarWarsDemo } from '../../src/workloads/star-wars-demo';
import { HARDENING_OPT_OUT_ANNOTATION, LB_IPAM_IPS_ANNOTATION, TestWorkload, TestWorkloadProps } from '../../src/workloads/test-workload';
import { configError } from '../support/config-error';

const cluster = (props: Partial<KindCiliumClusterProps> = {}) => new KindCiliumCluster(new App(), 'lab', { clusterName: 'lab', ...props });
const ofKind = (manifests: any[], kind: string) => manifests.filter((m) => m.kind === kind);
const NGINX = 'nginx:1.29.4';
const ROOT_REASON = 'the official nginx image binds port 80 and switches to the nginx user as root';
const rules = (c: KindCiliumCluster) => c.violations().map((v) => v.rule);

describe('the lab write-ups, typed props only', () => {
  test('kind + Cilium lab: Hubble OpenMetrics and metrics with options, pull policy, a Cilium cluster.name of its own, worker role label with a value', () => {
    const c = cluster({
      workers: 2,
      workerLabels: { 'node-role.kubernetes.io/worker': 'worker', 'example.com/tier': 'apps' },
      ciliumCluster: { name: 'kind-lab', id: 1 },
      imagePullPolicy: 'IfNotPresent',
      operatorReplicas: 1,
      hubble: {
        openMetrics: true,
        metrics: [
          { name: 'dns', options: { query: true, ignoreAAAA: true } },
          'drop', 'tcp', 'flow', 'port-distribution', 'icmp',
          { name: 'httpV2', options: { exemplars: 'true', labelsContext: ['source_ip', 'source_namespace'] } },
        ],
        export: { fieldMask: ['time', 'source', 'destination', 'verdict'], allowList: [{ verdict: ['DROPPED'] }] },
      },
    });
    expect(c.violations()).toEqual([]);
    const values = c.ciliumValues() as any;
    expect(values.cluster).toEqual({ name: 'kind-lab', id: 1 });
    expect(values.hubble.metrics).toEqual({
      enabled: ['dns:query;ignoreAAAA', 'drop', 'tcp', 'flow', 'port-distribution', 'icmp', 'httpV2:exemplars=true;labelsContext=source_ip,source_namespace'],
      enableOpenMetrics: true,
    });
    expect(values.hubble.export.static).toEqual({
      enabled: true,
      filePath: '/var/run/cilium/hubble/events.log',
      fieldMask: ['time', 'source', 'destination', 'verdict'],
      allowList: ['{"verdict":["DROPPED"]}'],
      denyList: [],
      fileMaxSizeMb: 10,
      fileMaxBackups: 5,
    });
    for (const key of ['image', 'operator.image', 'envoy.image', 'hubble.relay.image', 'hubble.ui.backend.image', 'hubble.ui.frontend.image', 'certgen.image']) {
      expect([key, key.split('.').reduce((o: any, k) => o[k], values).pullPolicy]).toEqual([key, 'IfNotPresent']);
    }
    expect(values.ciliumValuesOverrides).toBeUndefined();
    expect(c.spec.ciliumValuesOverrides).toEqual({});
    // kind sets the labels the kubelet may set; the apply step sets the role label, with its value.
    expect(c.kindConfig().nodes.filter((n) => n.role === 'worker').map((n) => n.labels)).toEqual([{ 'example.com/tier': 'apps' }, { 'example.com/tier': 'apps' }]);
    const kindStep = applyPlan({
      spec: c.spec,
      versions: { cilium: '1.18.4', gatewayApi: 'v1.3.0', certManager: 'v1.19.6' } as any,
      needsGatewayApi: false,
      needsCertManager: false,
      kindConfigPath: 'kind/lab.yaml',
      ciliumValuesPath: 'cilium-values/lab.yaml',
      manifestsDir: 'dist/lab',
    })[0];
    expect(kindStep.commands.filter((x) => x.includes('label node'))).toEqual([
      'kubectl --context kind-lab label node lab-worker node-role.kubernetes.io/worker=worker --overwrite',
      'kubectl --context kind-lab label node lab-worker2 node-role.kubernetes.io/worker=worker --overwrite',
    ]);
  });

  test('without a worker role label the apply step keeps labelling workers node-role.kubernetes.io/worker=', () => {
    expect(cluster().spec.nodeRoleLabels).toEqual({ 'node-role.kubernetes.io/worker': '' });
  });

  test.each<[string, Partial<KindCiliumClusterProps>, string, string]>([
    ['an unknown metric', { hubble: { metrics: ['dns', 'dnss'] } }, 'unknown-hubble-metric', 'lab.hubble.metrics[1]'],
    ['an unknown metric in Cilium\'s string form', { hubble: { metrics: ['bogus:query'] } }, 'unknown-hubble-metric', 'lab.hubble.metrics[0]'],
    ['http with httpV2', { hubble: { metrics: ['http', 'httpV2'] } }, 'duplicate-hubble-metric', 'lab.hubble.metrics[1]'],
    ['a metric twice', { hubble: { metrics: ['dns', { name: 'dns', options: { query: true } }] } }, 'duplicate-hubble-metric', 'lab.hubble.metrics[1]'],
    ['an option with a separator', { hubble: { metrics: [{ name: 'dns', options: { 'query;x': true } }] } }, 'invalid-hubble-metric-option', 'lab.hubble.metrics[0].options["query;x"]'],
    ['a relative export path', { hubble: { export: { filePath: 'events.log' } } }, 'invalid-path', 'lab.hubble.export.filePath'],
    ['a Cilium cluster id above 255', { ciliumCluster: { id: 256 } }, 'invalid-number', 'lab.ciliumCluster.id'],
    ['a non-zero id with the name default', { ciliumCluster: { name: 'default', id: 3 } }, 'cilium-cluster-id-needs-name', 'lab.ciliumCluster.id'],
    ['a Cilium cluster name too long', { ciliumCluster: { name: 'x'.repeat(33) } }, 'invalid-cluster-name', 'lab.ciliumCluster.name'],
    ['an unknown pull policy', { imagePullPolicy: 'Sometimes' as any }, 'invalid-pull-policy', 'lab.imagePullPolicy'],
    ['a restricted non-role label', { workerLabels: { 'kubernetes.io/role': 'worker' } }, 'kubelet-restricted-label', 'lab.workerLabels["kubernetes.io/role"]'],
  ])('refuses %s', (_what, props, rule, field) => {
    let error: unknown;
    try {
      cluster(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    expect((error as PlatformConfigError).violations.map((v) => [v.rule, v.field])).toEqual([[rule, field]]);
  });

  test('nginx test-lb in webtests, sampleapp in default and a LoadBalancer deathstar, with TestWorkload and StarWarsDemo', () => {
    const c = cluster({ l2Announcements: {} });
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ start: '172.18.250.100', stop: '172.18.250.109' }] });
    new L2AnnouncementPolicy(c, 'l2');
    const web = new TestWorkload(c, 'test-lb', {
      name: 'nginx',
      serviceName: 'test-lb',
      namespace: 'webtests',
      image: NGINX,
      labels: { svc: 'test-lb' },
      ports: [{ port: 80 }],
      readiness: { path: '/' },
      serviceType: 'LoadBalancer',
      runAsRoot: { reason: ROOT_REASON },
    });
    new TestWorkload(c, 'sampleapp', {
      name: 'sampleapp',
      serviceName: 'sampleservice',
      image: NGINX,
      ports: [{ port: 80 }],
      serviceType: 'LoadBalancer',
      loadBalancerIps: ['172.18.250.105'],
      runAsRoot: { reason: ROOT_REASON },
    });
    new StarWarsDemo(c, 'star-wars', { deathstarServiceType: 'LoadBalancer' });
    const manifests = Testing.synth(c);
    expect(c.violations()).toEqual([]);
    expect(ofKind(manifests, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels['pod-security.kubernetes.io/enforce']]))
      .toEqual([['webtests', 'baseline'], ['star-wars', 'restricted']]);
    const services = ofKind(manifests, 'Service').map((s) => [s.metadata.namespace, s.metadata.name, s.spec.type, s.spec.selector]);
    expect(services).toEqual([
      ['webtests', 'test-lb', 'LoadBalancer', { svc: 'test-lb' }],
      ['default', 'sampleservice', 'LoadBalancer', { 'app.kubernetes.io/name': 'sampleapp' }],
      ['star-wars', 'deathstar', 'LoadBalancer', { org: 'empire', class: 'deathstar' }],
    ]);
    const sample = ofKind(manifests, 'Service').find((s) => s.metadata.name === 'sampleservice');
    expect(sample.metadata.annotations).toEqual({ [LB_IPAM_IPS_ANNOTATION]: '172.18.250.105' });
    const nginx = ofKind(manifests, 'Deployment').find((d) => d.metadata.name === 'nginx');
    expect(nginx.metadata.annotations).toEqual({ [HARDENING_OPT_OUT_ANNOTATION]: ROOT_REASON });
    expect(nginx.spec.template.metadata.labels.svc).toBe('test-lb');
    expect(nginx.spec.template.spec.containers[0]).toMatchObject({
      image: NGINX,
      ports: [{ containerPort: 80 }],
      readinessProbe: { httpGet: { path: '/', port: 80 } },
      securityContext: { runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(web.networkPolicy).toBeUndefined();
    expect(c.model().loadBalancerServices.map((s) => s.name)).toEqual(['test-lb', 'sampleservice', 'deathstar']);
  });

  test('a LoadBalancer deathstar admits outside clients only for landing requests', () => {
    const c = cluster({ l2Announcements: {} });
    new LoadBalancerIpPool(c, 'pool');
    // without a policy the address is never announced (lb-address-not-announced)
    new L2AnnouncementPolicy(c, 'l2');
    new ClusterDefaultDeny(c, 'deny');
    new StarWarsDemo(c, 'star-wars', { deathstarServiceType: 'LoadBalancer' });
    const sim = CiliumPolicyEngine.fromObjects(Testing.synth(c));
    const deathstar: PodPeer = { namespace: 'star-wars', labels: { org: 'empire', class: 'deathstar' } };
    expect(sim.allows({ from: 'world', to: deathstar, port: 80, http: { method: 'POST', path: '/v1/request-landing' } } as any)).toBe(true);
    expect(sim.allows({ from: 'world', to: deathstar, port: 81 })).toBe(false);
  });
});

describe('TestWorkload', () => {
  const base: TestWorkloadProps = { name: 'web', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 80, containerPort: 8080 }], writablePaths: ['/tmp'] };

  test('secure by default: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, resources; no Namespace for default', () => {
    const c = cluster();
    new TestWorkload(c, 'web', base);
    const manifests = Testing.synth(c);
    expect(ofKind(manifests, 'Namespace')).toEqual([]);
    const [d] = ofKind(manifests, 'Deployment');
    expect(d.metadata).toEqual(expect.objectContaining({ name: 'web', namespace: 'default' }));
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
      readinessProbe: { tcpSocket: { port: 8080 } },
      volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
    });
    expect(d.spec.template.spec.securityContext.sysctls).toBeUndefined();
    expect(ofKind(manifests, 'Service')[0].spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }] });
  });

  test('a non-root workload on a port below 1024 gets net.ipv4.ip_unprivileged_port_start=0', () => {
    const c = cluster();
    new TestWorkload(c, 'web', { ...base, ports: [{ port: 80 }] });
    const [d] = ofKind(Testing.synth(c), 'Deployment');
    expect(d.spec.template.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
  });

  test('networkPolicy auto: added under a ClusterDefaultDeny, letting NodePort clients in on the container port', () => {
    const c = cluster();
    new ClusterDefaultDeny(c, 'deny');
    const w = new TestWorkload(c, 'web', { ...base, namespace: 'web', serviceType: 'NodePort', ports: [{ port: 80, containerPort: 8080, nodePort: 30080 }] });
    expect(w.networkPolicy?.name).toBe('web-ingress');
    const manifests = Testing.synth(c);
    expect(ofKind(manifests, 'Service')[0].spec.ports).toEqual([expect.objectContaining({ nodePort: 30080, port: 80, targetPort: 8080 })]);
    const sim = CiliumPolicyEngine.fromObjects(manifests);
    const pod: PodPeer = { namespace: 'web', labels: { 'app.kubernetes.io/name': 'web' } };
    expect(sim.allows({ from: 'world', to: pod, port: 8080 })).toBe(true);
    expect(sim.allows({ from: 'world', to: pod, port: 9090 })).toBe(false);
  });

  test('networkPolicy auto with a default deny added afterwards is reported at validation', () => {
    const c = cluster();
    new TestWorkload(c, 'web', base);
    new ClusterDefaultDeny(c, 'deny');
    expect(() => Testing.synth(c)).toThrow(/lab\/web\.networkPolicy: "auto" found no ClusterDefaultDeny/);
  });

  test.each<[string, Partial<TestWorkloadProps>, string]>([
    ['createNamespace for kube-system', { namespace: 'kube-system', createNamespace: true }, 'built-in-namespace'],
    ['an address for a ClusterIP Service', { loadBalancerIps: ['172.18.250.100'] }, 'lb-address-needs-load-balancer'],
    ['an address that is no IPv4', { serviceType: 'LoadBalancer', loadBalancerIps: ['172.18.250'] }, 'invalid-lb-address'],
    ['root without a reason', { runAsRoot: { reason: ' ' } }, 'run-as-root-needs-reason'],
    ['no port', { ports: [] }, 'invalid-ports'],
    ['a NodePort outside the range', { serviceType: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }, 'invalid-port'],
    ['a nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, 'node-port-needs-service-type'],
    ['an unpinned image', { image: 'nginx' }, 'unpinned-image'],
    ['an empty selector', { labels: {} }, 'empty-selector'],
    ['the same port twice', { ports: [{ port: 80 }, { port: 80, containerPort: 81 }] }, 'duplicate-port'],
  ])('refuses %s', (_what, props, rule) => {
    expect(() => new TestWorkload(cluster(), 'web', { ...base, ...props })).toThrow(PlatformConfigError);
    try {
      new TestWorkload(cluster(), 'web', { ...base, ...props });
    } catch (e) {
      expect((e as PlatformConfigError).rules).toEqual([rule]);
      expect((e as Error).message).toMatch(/^lab\/web\./);
    }
  });
});

describe('LoadBalancer Services are counted whatever wrote them', () => {
  const lbOf: [string, (c: KindCiliumCluster, id: string) => void][] = [
    ['TestWorkload', (c, id) => new TestWorkload(c, id, { name: id, image: NGINX, ports: [{ port: 80 }], serviceType: 'LoadBalancer' })],
    ['NginxDemo', (c, id) => new NginxDemo(c, id, { name: id, namespace: 'default' })],
    ['cdk8s-plus Service', (c, id) => new kplus.Service(c, id, { metadata: { name: id }, type: kplus.ServiceType.LOAD_BALANCER, ports: [{ port: 80 }] })],
    ['raw ApiObject', (c, id) => new ApiObject(c, id, { apiVersion: 'v1', kind: 'Service', metadata: { name: id }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } })],
  ];
  test.each(lbOf)('two %s LoadBalancer Services without a pool fail lb-services-exceed-pool', (_source, add) => {
    const c = cluster();
    add(c, 'one');
    add(c, 'two');
    expect(rules(c)).toEqual(['lb-services-exceed-pool']);
  });

  test.each(lbOf)('two %s LoadBalancer Services beyond a one-address pool fail lb-services-exceed-pool', (_source, add) => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ start: '172.18.250.100', stop: '172.18.250.100' }] });
    add(c, 'one');
    expect(rules(c)).toEqual([]);
    add(c, 'two');
    expect(rules(c)).toEqual(['lb-services-exceed-pool']);
  });
});

describe('requested pool addresses (lbipam.cilium.io/ips)', () => {
  const raw = (c: KindCiliumCluster, id: string, ips: string, sharingKey?: string) => new ApiObject(c, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: id, annotations: { [LB_IPAM_IPS_ANNOTATION]: ips, ...(sharingKey ? { 'lbipam.cilium.io/sharing-key': sharingKey } : {}) } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  });
  const withPool = () => {
    const c = cluster();
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ start: '172.18.250.100', stop: '172.18.250.149' }] });
    return c;
  };

  test('an address outside every pool is lb-address-outside-pool, naming the Service and the pool blocks', () => {
    const c = withPool();
    new TestWorkload(c, 'web', { name: 'web', image: NGINX, ports: [{ port: 80 }], serviceType: 'LoadBalancer', loadBalancerIps: ['172.18.251.10'] });
    const [violation] = c.violations();
    expect(violation).toMatchObject({ rule: 'lb-address-outside-pool', field: 'lab/web/Service/Resource (annotation lbipam.cilium.io/ips)' });
    expect(violation.fix).toContain('172.18.250.100-172.18.250.149');
  });

  test('the same address requested twice is lb-address-requested-twice (any source), unless both share a sharing key', () => {
    const c = withPool();
    raw(c, 'a', '172.18.250.120');
    new TestWorkload(c, 'b', { name: 'b', image: NGINX, ports: [{ port: 81 }], serviceType: 'LoadBalancer', loadBalancerIps: ['172.18.250.120'] });
    expect(rules(c)).toEqual(['lb-address-requested-twice']);
    const shared = withPool();
    raw(shared, 'a', '172.18.250.120', 'k');
    raw(shared, 'b', '172.18.250.120, 172.18.250.121', 'k');
    expect(rules(shared)).toEqual([]);
  });
});

describe('namespace-not-created', () => {
  test('a raw Deployment in a namespace nothing creates is reported; built-in namespaces are not', () => {
    const c = cluster();
    new ApiObject(c, 'app', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'team' } });
    new ApiObject(c, 'sys', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sys', namespace: 'kube-system' } });
    // An intended outcome of the bundle as applied: reported by app validation (validateApp, synth), not cluster.violations().
    expect(c.violations()).toEqual([]);
    const violations = configError(() => validateApp(c.node.root)).violations;
    expect(violations.map((v) => [v.rule, v.field])).toEqual([['namespace-not-created', 'lab/app.metadata.namespace']]);
    expect(violations[0].problem).toContain('"team"');
    new ApiObject(c, 'team', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    expect(() => validateApp(c.node.root)).not.toThrow();
  });
});

describe('an onboarding policy that would let no client in is refused with the TestWorkload\'s own props', () => {
  const build = (props: Record<string, unknown>) => {
    const app = new App();
    const lab = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new ClusterDefaultDeny(lab, 'deny');
    new TestWorkload(lab, 'web', { name: 'web', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 8080 }], ...props });
    return app;
  };

  test('refused at the workload, the fix naming allowFromGateway, allowFrom and networkPolicy "none"', () => {
    let error: unknown;
    try {
      build({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    const [v] = (error as PlatformConfigError).violations;
    expect([v.rule, v.field]).toEqual(['empty-app-policy', 'dev/web']);
    expect(v.fix).toContain('allowFromGateway: true');
    expect(v.fix).toContain('networkPolicy: "none"');
    expect(v.fix).not.toMatch(/egressTo|allowFromEntities|egressFqdns/); // props a TestWorkload does not have
  });

  test.each([{ allowFromGateway: true }, { allowFrom: [{ labels: { app: 'client' } }] }, { networkPolicy: 'none' }, { serviceType: 'LoadBalancer' }])('each fix is accepted: %j', (fix) => {
    expect(() => build(fix)).not.toThrow();
  });
});
