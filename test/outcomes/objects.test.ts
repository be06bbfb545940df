import { ApiObject, App, JsonPatch } from 'cdk8s';
import {
  AppNetworkPolicy, KindCiliumCluster, LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, PlatformConfigError, TestWorkload, Violation,
  validateApp,
} from '../../src';
import { CLUSTER_SCOPED_BUILT_IN_KINDS } from '../../src/applied/object-scope';
import { CRD_CATALOG } from '../../src/private/crd-catalog';

/**
 * The "kubectl apply" outcomes of src/outcomes/objects.ts, through the public API (constructs, raw ApiObjects,
 * escape-hatch patches) and read as a user meets them: `validateApp(app)` (as `app.synth()` and `renderBundle`).
 */

const NGINX = 'nginx:1.29.4';

function setup(): { app: App; cluster: KindCiliumCluster } {
  const app = new App();
  return { app, cluster: new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }) };
}

/** The violations `validateApp` throws (none when the app passes). */
function appViolations(app: App): readonly Violation[] {
  try {
    validateApp(app);
    return [];
  } catch (e) {
    if (e instanceof PlatformConfigError) return e.violations;
    throw e;
  }
}

const of = (app: App, rule: string) => appViolations(app).filter((v) => v.rule === rule).map((v) => v.field);

describe('namespace-not-created: every namespaced object\'s namespace exists at its step', () => {
  test('an AppNetworkPolicy alone in a namespace nothing creates is refused, naming the namespace and the fix', () => {
    const { app, cluster } = setup();
    new AppNetworkPolicy(cluster, 'p', { namespace: 'shop', appLabels: { app: 'web' }, allowFromWorld: true, ingressPorts: [{ port: 8080 }] });
    const [v, ...rest] = appViolations(app).filter((x) => x.rule === 'namespace-not-created');
    expect(rest).toEqual([]);
    expect(v.field).toBe('dev/p/Resource.metadata.namespace');
    expect(v.problem).toContain('namespace "shop"');
    expect(v.problem).toContain('namespaces \\"shop\\" not found');
    expect(v.fix).toContain('Namespace object named "shop"');
    new ApiObject(cluster, 'shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    expect(appViolations(app)).toEqual([]);
  });

  test('a raw Deployment in a namespace nothing creates is refused; built-in namespaces are not', () => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'app', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'team' } });
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      new ApiObject(cluster, `cm-${ns}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns } });
    }
    expect(of(app, 'namespace-not-created')).toEqual(['dev/app.metadata.namespace']);
  });

  test('a namespace moved by a JsonPatch escape hatch is judged as applied', () => {
    const { app, cluster } = setup();
    const cm = new ApiObject(cluster, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } });
    expect(of(app, 'namespace-not-created')).toEqual([]);
    cm.addJsonPatch(JsonPatch.replace('/metadata/namespace', 'elsewhere'));
    expect(of(app, 'namespace-not-created')).toEqual(['dev/cm.metadata.namespace']);
  });

  test('the cert-manager namespace exists only when the cert-manager step runs', () => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'cert-manager' } });
    expect(of(app, 'namespace-not-created')).toEqual(['dev/cm.metadata.namespace']);
    new ApiObject(cluster, 'issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'self', namespace: 'cert-manager' }, spec: { selfSigned: {} } });
    expect(of(app, 'namespace-not-created')).toEqual([]);
  });

  // Every namespaced kind the library can emit (its CRD catalog and the built-in kinds of its constructs and cdk8s-plus).
  const NAMESPACED = [
    ...CRD_CATALOG.filter((c) => c.namespaced).map((c) => ({ apiVersion: `${c.group}/v1`, kind: c.kind })),
    ...['ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Pod', 'PersistentVolumeClaim'].map((kind) => ({ apiVersion: 'v1', kind })),
    ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((kind) => ({ apiVersion: 'apps/v1', kind })),
    ...['Job', 'CronJob'].map((kind) => ({ apiVersion: 'batch/v1', kind })),
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' }, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  ];
  test.each(NAMESPACED)('$apiVersion $kind in a namespace nothing creates is refused', ({ apiVersion, kind }) => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'obj', { apiVersion, kind, metadata: { name: 'obj', namespace: 'nowhere' } });
    expect(of(app, 'namespace-not-created')).toEqual(['dev/obj.metadata.namespace']);
  });

  const CLUSTER_SCOPED = [
    ...CRD_CATALOG.filter((c) => !c.namespaced).map((c) => ({ apiVersion: `${c.group}/v1`, kind: c.kind })),
    ...CLUSTER_SCOPED_BUILT_IN_KINDS.map((k) => {
      const [group, kind] = k.split('/');
      return { apiVersion: group === '' ? 'v1' : `${group}/v1`, kind };
    }),
  ];
  test.each(CLUSTER_SCOPED)('cluster-scoped $apiVersion $kind needs no namespace', ({ apiVersion, kind }) => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'obj', { apiVersion, kind, metadata: { name: 'obj' } });
    expect(of(app, 'namespace-not-created')).toEqual([]);
  });

  test('a custom kind is namespaced as the bundle\'s own CRD says', () => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'crd', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [] },
    });
    new ApiObject(cluster, 'w', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    expect(of(app, 'namespace-not-created')).toEqual([]);
    new ApiObject(cluster, 'w2', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2', namespace: 'nowhere' } });
    expect(of(app, 'namespace-not-created')).toEqual(['dev/w2.metadata.namespace']);
  });
});

describe('object-replaces-system-object: no object replaces one Kubernetes or an earlier step owns', () => {
  test('a TestWorkload whose Service is default/kubernetes is refused', () => {
    const { app, cluster } = setup();
    new TestWorkload(cluster, 'web', { name: 'web', serviceName: 'kubernetes', image: NGINX, ports: [{ port: 8080 }] });
    const found = appViolations(app).filter((v) => v.rule === 'object-replaces-system-object');
    expect(found.map((v) => v.field)).toEqual(['dev/web/Service/Resource.metadata.name']);
    expect(found[0].problem).toContain('Service default/kubernetes');
    expect(found[0].problem).toContain('the API server');
    expect(found[0].fix).toContain('another name');
  });

  test.each([
    ['v1', 'Service', 'kube-system', 'kube-dns'],
    ['apps/v1', 'Deployment', 'kube-system', 'coredns'],
    ['v1', 'ConfigMap', 'kube-system', 'cilium-config'],
    ['apps/v1', 'DaemonSet', 'kube-system', 'cilium'],
    ['apps/v1', 'Deployment', 'kube-system', 'cilium-operator'],
    ['v1', 'Service', 'kube-system', 'hubble-relay'],
    ['v1', 'Service', 'kube-system', 'clustermesh-apiserver'],
  ])('%s %s %s/%s is refused', (apiVersion, kind, namespace, name) => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'obj', { apiVersion, kind, metadata: { name, namespace } });
    expect(of(app, 'object-replaces-system-object')).toEqual(['dev/obj.metadata.name']);
  });

  test('cert-manager\'s own Deployments are refused once the cert-manager step runs', () => {
    const { app, cluster } = setup();
    new LocalCertificateAuthority(cluster, 'ca');
    new ApiObject(cluster, 'obj', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cert-manager-webhook', namespace: 'cert-manager' } });
    expect(of(app, 'object-replaces-system-object')).toEqual(['dev/obj.metadata.name']);
  });

  test('the same names elsewhere, the coredns Corefile and a namespace\'s default ServiceAccount are accepted', () => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'a', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'default' } });
    new ApiObject(cluster, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' } });
    new ApiObject(cluster, 'c', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' }, automountServiceAccountToken: false });
    new ApiObject(cluster, 'd', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: { endpointSelector: {} } });
    expect(of(app, 'object-replaces-system-object')).toEqual([]);
  });
});

describe('pod-security-refused: every pod template passes Pod Security admission in its namespace', () => {
  test('a runAsRoot TestWorkload in a namespace a hardened TestWorkload labelled restricted is refused', () => {
    const { app, cluster } = setup();
    new TestWorkload(cluster, 'api', { name: 'api', namespace: 'shop', image: NGINX, ports: [{ port: 8080 }] });
    expect(of(app, 'pod-security-refused')).toEqual([]);
    new TestWorkload(cluster, 'web', { name: 'web', namespace: 'shop', image: NGINX, ports: [{ port: 80 }], runAsRoot: { reason: 'nginx binds 80 as root' } });
    const found = appViolations(app).filter((v) => v.rule === 'pod-security-refused');
    expect(found.map((v) => v.field)).toEqual(['dev/web/Deployment/Resource.spec.template']);
    expect(found[0].problem).toContain('"restricted"');
    expect(found[0].problem).toContain('dev/api/Namespace/Resource');
    expect(found[0].problem).toContain('runAsNonRoot');
    expect(found[0].fix).toContain('namespace of its own');
  });

  test('a runAsRoot TestWorkload in its own namespace (labelled baseline) is accepted', () => {
    const { app, cluster } = setup();
    new TestWorkload(cluster, 'web', { name: 'web', namespace: 'web', image: NGINX, ports: [{ port: 80 }], runAsRoot: { reason: 'nginx binds 80 as root' } });
    expect(appViolations(app)).toEqual([]);
  });

  test('a hardened workload patched to privileged is refused even under baseline', () => {
    const { app, cluster } = setup();
    const w = new TestWorkload(cluster, 'web', { name: 'web', namespace: 'web', image: NGINX, ports: [{ port: 80 }], runAsRoot: { reason: 'nginx binds 80 as root' } });
    ApiObject.of(w.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
    expect(of(app, 'pod-security-refused')).toEqual(['dev/web/Deployment/Resource.spec.template']);
  });

  test('a raw CronJob is judged by its job template', () => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'jobs', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
    new ApiObject(cluster, 'cron', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cron', namespace: 'jobs' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: NGINX, securityContext: { privileged: true } }] } } } } },
    });
    expect(of(app, 'pod-security-refused')).toEqual(['dev/cron.spec.jobTemplate.spec.template']);
  });
});

describe('crd-not-installed: every custom object\'s CRD is installed by an earlier step', () => {
  const GATEWAY_KINDS = CRD_CATALOG.filter((c) => c.group === 'gateway.networking.k8s.io');
  test.each(GATEWAY_KINDS)('a raw $kind in a cluster without a LocalGateway is refused', ({ kind, namespaced }) => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'obj', { apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name: 'obj', ...(namespaced ? { namespace: 'default' } : {}) } });
    const found = appViolations(app).filter((v) => v.rule === 'crd-not-installed');
    expect(found.map((v) => v.field)).toEqual(['dev/obj.apiVersion']);
    expect(found[0].problem).toContain(`no matches for kind "${kind}"`);
    expect(found[0].fix).toContain('LocalGateway');
  });

  test('a raw HTTPRoute next to a LocalGateway has its CRD (the gateway-api-crds step runs)', () => {
    const { app, cluster } = setup();
    new LoadBalancerIpPool(cluster, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }] });
    new LocalGateway(cluster, 'gw', { certificateAuthority: new LocalCertificateAuthority(cluster, 'ca') });
    new ApiObject(cluster, 'route', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec: {} });
    expect(of(app, 'crd-not-installed')).toEqual([]);
  });

  test('cilium.io and cert-manager.io objects always have theirs', () => {
    const { app, cluster } = setup();
    new ApiObject(cluster, 'cnp', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec: { endpointSelector: {} } });
    new ApiObject(cluster, 'issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'i', namespace: 'default' }, spec: { selfSigned: {} } });
    expect(of(app, 'crd-not-installed')).toEqual([]);
  });
});
