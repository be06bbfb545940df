import { App, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CiliumPolicyEngine, PodPeer } from '../../src/applied/cilium-policy';
import { validateApp } from '../../src/bundle/render';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { ClusterDefaultDeny } from '../../src/cilium/policy/cluster-default-deny';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { PlatformConfigError } from '../../src/errors';
import { NGINX_UNPRIVILEGED_IMAGE, NginxDemo, NginxDemoProps } from '../../src/workloads/nginx-demo';
import { configError } from '../support/config-error';
import { describeWithReference } from '../support/reference';
import { validateManifest } from '../support/reference-schemas';

function setup(props: NginxDemoProps = {}, withPool = true) {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
  if (withPool) new LoadBalancerIpPool(cluster, 'pool');
  new ClusterDefaultDeny(cluster, 'default-deny');
  const nginx = new NginxDemo(cluster, 'nginx', props);
  return { cluster, nginx };
}
const find = (manifests: any[], kind: string) => manifests.filter((m) => m.kind === kind);

describe('NginxDemo', () => {
  const { cluster, nginx } = setup();
  const manifests = Testing.synth(cluster);

  test('renders a restricted namespace, a deployment, a LoadBalancer service and a policy', () => {
    expect(find(manifests, 'Namespace')).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'demo', labels: expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'restricted' }) }),
    })]);
    const [deployment] = find(manifests, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'nginx', namespace: 'demo' });
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      image: NGINX_UNPRIVILEGED_IMAGE,
      ports: [{ containerPort: 8080, name: 'http' }],
      readinessProbe: { httpGet: { path: '/', port: 8080 } },
      securityContext: { runAsUser: 101, runAsNonRoot: true, readOnlyRootFilesystem: true },
    });
    const [service] = find(manifests, 'Service');
    expect(service).toMatchObject({
      metadata: { name: 'nginx', namespace: 'demo' },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
  });

  test('the service selects exactly the deployment pods', () => {
    const [deployment] = find(manifests, 'Deployment');
    const [service] = find(manifests, 'Service');
    const podLabels = deployment.spec.template.metadata.labels;
    expect(Object.entries(service.spec.selector).every(([k, v]) => podLabels[k] === v)).toBe(true);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
  });

  test('exposes the service as a gateway backend', () => {
    expect(nginx.backend).toEqual({ name: 'nginx', namespace: 'demo', port: 80 });
    expect([nginx.serviceName, nginx.servicePort, nginx.namespace]).toEqual(['nginx', 80, 'demo']);
  });

  test('records the LoadBalancer service fact and the platform is valid', () => {
    expect(cluster.model().loadBalancerServices).toEqual([{ field: 'dev/nginx/Service/Resource', name: 'nginx', namespace: 'demo' }]);
    expect(cluster.violations()).toEqual([]);
  });

  test('a LoadBalancer without a pool is reported', () => {
    const { cluster: noPool } = setup({}, false);
    expect(noPool.violations().map((v) => v.rule)).toEqual(['lb-services-exceed-pool']);
  });

  test('flows: gateway and LB clients (also SNATed by another node) reach port 8080, nothing else gets in or out', () => {
    const sim = CiliumPolicyEngine.fromObjects(manifests);
    const pod: PodPeer = { namespace: 'demo', labels: { 'app.kubernetes.io/name': 'nginx' } };
    const table: [string, boolean][] = [
      ['ingress', true], ['world', true], ['remote-node', true], ['host', true],
    ];
    for (const [from, expected] of table) expect([from, sim.allows({ from: from as any, to: pod, port: 8080 })]).toEqual([from, expected]);
    expect(sim.allows({ from: 'world', to: pod, port: 22 })).toBe(false);
    expect(sim.allows({ from: { namespace: 'demo', labels: { app: 'x' } }, to: pod, port: 8080 })).toBe(false);
    expect(sim.allows({ from: pod, to: 'world', port: 80 })).toBe(false);
    expect(sim.allows({ from: pod, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, protocol: 'UDP' })).toBe(true);
  });

  test('loadBalancer: false renders a ClusterIP service reachable through the gateway only', () => {
    const { cluster: c } = setup({ loadBalancer: false, namespace: 'web', name: 'site', servicePort: 8081, replicas: 1 });
    const m = Testing.synth(c);
    expect(find(m, 'Service')[0].spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 8081, targetPort: 8080 }] });
    expect(c.model().loadBalancerServices).toEqual([]);
    const sim = CiliumPolicyEngine.fromObjects(m);
    const pod: PodPeer = { namespace: 'web', labels: { 'app.kubernetes.io/name': 'site' } };
    expect(sim.allows({ from: 'world', to: pod, port: 8080 })).toBe(false);
    expect(sim.allows({ from: 'ingress', to: pod, port: 8080 })).toBe(true);
  });

  test('createNamespace: false leaves the namespace to the caller; a namespace nothing creates is reported', () => {
    const { cluster: c } = setup({ createNamespace: false });
    expect(c.violations()).toEqual([]);
    // Reported by app validation (the bundle as applied), for every namespaced object the demo writes.
    const fields = configError(() => validateApp(c.node.root)).violations.filter((x) => x.rule === 'namespace-not-created').map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining([
      'dev/nginx/Deployment/Resource.metadata.namespace',
      'dev/nginx/Service/Resource.metadata.namespace',
    ]));
    new kplus.Namespace(c, 'demo-namespace', { metadata: { name: 'demo' } });
    expect(find(Testing.synth(c), 'Namespace').map((n) => n.metadata.name)).toEqual(['demo']);
  });

  test('namespace "default" emits no Namespace object; createNamespace: true for it is refused', () => {
    const { cluster: c } = setup({ namespace: 'default' });
    expect(find(Testing.synth(c), 'Namespace')).toEqual([]);
    expect(() => setup({ namespace: 'default', createNamespace: true })).toThrow(/dev\/nginx\.createNamespace: "default" is a built-in namespace/);
  });

  test.each<[string, NginxDemoProps, string]>([
    ['an unpinned image', { image: 'nginx:latest' }, 'unpinned-image'],
    ['an untagged image', { image: 'nginx' }, 'unpinned-image'],
    ['zero replicas', { replicas: 0 }, 'invalid-number'],
    ['a bad namespace', { namespace: 'My_NS' }, 'invalid-namespace'],
    ['a bad service port', { servicePort: 0 }, 'invalid-port'],
  ])('rejects %s', (_what, props, rule) => {
    let error: unknown;
    try {
      setup(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    expect((error as PlatformConfigError).rules).toEqual([rule]);
    expect((error as Error).message).toMatch(/^dev\/nginx\./);
  });
});

describeWithReference('NginxDemo policy satisfies the Cilium CRD schema', ['crds'], () => {
  test.each([{}, { loadBalancer: false }])('%j', (props) => {
    const { cluster } = setup(props);
    const policies = Testing.synth(cluster).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(policies).toHaveLength(1);
    for (const p of policies) {
      expect(p.apiVersion).toBe('cilium.io/v2');
      expect(validateManifest(p)).toEqual([]);
    }
  });
});
