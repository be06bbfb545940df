import { App, Testing } from 'cdk8s';
import { CiliumPolicyEngine, PodPeer, PolicyFlow } from '../../src/applied/cilium-policy';
import { ClusterDefaultDeny } from '../../src/cilium/policy/cluster-default-deny';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { PlatformConfigError } from '../../src/errors';
import { STAR_WARS_DEATHSTAR_IMAGE, STAR_WARS_LABELS, STAR_WARS_SPACESHIP_IMAGE, StarWarsDemo, StarWarsDemoProps } from '../../src/workloads/star-wars-demo';
import { describeWithReference } from '../support/reference';
import { validateManifest } from '../support/reference-schemas';

function synth(props: StarWarsDemoProps = {}, defaultDeny = true) {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
  if (defaultDeny) new ClusterDefaultDeny(cluster, 'default-deny');
  const demo = new StarWarsDemo(cluster, 'star-wars', props);
  return { cluster, demo, manifests: Testing.synth(cluster) };
}
const byKindName = (manifests: any[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);

const ns = 'star-wars';
const pod = (ship: keyof typeof STAR_WARS_LABELS): PodPeer => ({ namespace: ns, labels: { ...STAR_WARS_LABELS[ship], 'app.kubernetes.io/name': ship } });
const deathstar = pod('deathstar');
const tiefighter = pod('tiefighter');
const xwing = pod('xwing');
const kubeDns: PodPeer = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const landing = { method: 'POST', path: '/v1/request-landing' };

describe('StarWarsDemo objects', () => {
  const { manifests, cluster } = synth();

  test('deathstar: 2 replicas with the upstream labels and image, ClusterIP service on 80', () => {
    const d = byKindName(manifests, 'Deployment', 'deathstar');
    expect(d.metadata.namespace).toBe(ns);
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector.matchLabels).toEqual({ org: 'empire', class: 'deathstar' });
    expect(d.spec.template.metadata.labels).toMatchObject({ 'org': 'empire', 'class': 'deathstar', 'app.kubernetes.io/name': 'deathstar' });
    const c = d.spec.template.spec.containers[0];
    expect(c).toMatchObject({ name: 'deathstar', image: STAR_WARS_DEATHSTAR_IMAGE, ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { path: '/v1', port: 80 } } });
    expect(STAR_WARS_DEATHSTAR_IMAGE).toMatch(/^quay\.io\/cilium\/starwars:v2\.1@sha256:[a-f0-9]{64}$/);
    // port 80 as nobody: the namespaced sysctl lowers the privileged port range for this pod only
    expect(d.spec.template.spec.securityContext).toMatchObject({
      runAsUser: 65534, runAsNonRoot: true, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
    });
    const s = byKindName(manifests, 'Service', 'deathstar');
    expect(s.spec).toMatchObject({ type: 'ClusterIP', selector: { org: 'empire', class: 'deathstar' }, ports: [{ port: 80, targetPort: 80 }] });
  });

  test.each(['tiefighter', 'xwing'] as const)('%s: one replica of the json-mock spaceship with the upstream labels', (ship) => {
    const d = byKindName(manifests, 'Deployment', ship);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.metadata.labels).toMatchObject({ ...STAR_WARS_LABELS[ship], 'app.kubernetes.io/name': ship });
    const c = d.spec.template.spec.containers[0];
    expect(c.name).toBe('spaceship');
    expect(c.image).toBe(STAR_WARS_SPACESHIP_IMAGE);
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'PORT', value: '8080' }, { name: 'HOME', value: '/tmp' }]));
    expect(STAR_WARS_SPACESHIP_IMAGE).toMatch(/^quay\.io\/cilium\/json-mock:v1\.3\.8@sha256:[a-f0-9]{64}$/);
  });

  test('labels follow the upstream demo', () => {
    expect(STAR_WARS_LABELS).toEqual({
      deathstar: { org: 'empire', class: 'deathstar' },
      tiefighter: { org: 'empire', class: 'tiefighter' },
      xwing: { org: 'alliance', class: 'xwing' },
    });
  });

  test('the deathstar policy is the L3/L4/L7 rule of the Cilium docs', () => {
    const p = byKindName(manifests, 'CiliumNetworkPolicy', 'deathstar-landing-requests');
    expect(p.metadata.namespace).toBe(ns);
    expect(p.spec).toEqual({
      endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns, 'org': 'empire' } }],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] } }],
      }],
    });
  });

  test('the platform stays valid', () => {
    expect(cluster.violations()).toEqual([]);
  });
});

/** [what, flow, allowed]. */
const STAR_WARS_MATRIX: [string, PolicyFlow, boolean][] = [
  ['tiefighter → deathstar:80 POST /v1/request-landing', { from: tiefighter, to: deathstar, port: 80, http: landing }, true],
  ['tiefighter → deathstar:80 PUT /v1/exhaust-port', { from: tiefighter, to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } }, false],
  ['tiefighter → deathstar:80 GET /v1', { from: tiefighter, to: deathstar, port: 80, http: { method: 'GET', path: '/v1' } }, false],
  ['tiefighter → deathstar:80 POST /v1/exhaust-port', { from: tiefighter, to: deathstar, port: 80, http: { method: 'POST', path: '/v1/exhaust-port' } }, false],
  ['tiefighter → deathstar:443', { from: tiefighter, to: deathstar, port: 443 }, false],
  ['xwing → deathstar:80 POST /v1/request-landing', { from: xwing, to: deathstar, port: 80, http: landing }, false],
  ['xwing → deathstar:80 PUT /v1/exhaust-port', { from: xwing, to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } }, false],
  ['empire pod in another namespace → deathstar', { from: { namespace: 'other', labels: { org: 'empire', class: 'tiefighter' } }, to: deathstar, port: 80, http: landing }, false],
  ['tiefighter → kube-dns:53/UDP', { from: tiefighter, to: kubeDns, port: 53, protocol: 'UDP', dns: 'deathstar.star-wars.svc.cluster.local' }, true],
  ['xwing → kube-dns:53/TCP', { from: xwing, to: kubeDns, port: 53, protocol: 'TCP', dns: 'deathstar.star-wars.svc.cluster.local' }, true],
  ['deathstar → kube-dns:53/UDP', { from: deathstar, to: kubeDns, port: 53, protocol: 'UDP' }, true],
  ['tiefighter → world:443', { from: tiefighter, to: 'world', port: 443 }, false],
  ['deathstar → tiefighter:8080', { from: deathstar, to: tiefighter, port: 8080 }, false],
  ['xwing → tiefighter:8080', { from: xwing, to: tiefighter, port: 8080 }, false],
  ['kubelet (host) → deathstar:80 GET /v1 (readiness)', { from: 'host', to: deathstar, port: 80, http: { method: 'GET', path: '/v1' } }, true],
  ['kubelet (host) → tiefighter:8080 (readiness)', { from: 'host', to: tiefighter, port: 8080 }, true],
];

describe('Star Wars flows under ClusterDefaultDeny', () => {
  const sim = CiliumPolicyEngine.fromObjects(synth().manifests);
  test.each(STAR_WARS_MATRIX)('%s', (_what, flow, expected) => {
    expect(sim.allows(flow)).toBe(expected);
  });
});

describe('Star Wars flows without a clusterwide default deny (as in the Cilium docs)', () => {
  const sim = CiliumPolicyEngine.fromObjects(synth({}, false).manifests);
  const table: [string, PolicyFlow, boolean][] = [
    ['tiefighter lands', { from: tiefighter, to: deathstar, port: 80, http: landing }, true],
    ['tiefighter cannot hit the exhaust port', { from: tiefighter, to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } }, false],
    ['xwing cannot land', { from: xwing, to: deathstar, port: 80, http: landing }, false],
    ['ships keep DNS although their egress is restricted', { from: xwing, to: kubeDns, port: 53, protocol: 'UDP' }, true],
    ['ships cannot reach the internet (their egress is restricted)', { from: tiefighter, to: 'world', port: 443 }, false],
    ['the deathstar egress is not restricted', { from: deathstar, to: 'world', port: 443 }, true],
  ];
  test.each(table)('%s', (_what, flow, expected) => {
    expect(sim.allows(flow)).toBe(expected);
  });
});

describe('StarWarsDemo props', () => {
  test('namespace and replicas are configurable; everything lands in the namespace', () => {
    const { manifests } = synth({ namespace: 'galaxy', deathstarReplicas: 3 });
    expect(byKindName(manifests, 'Deployment', 'deathstar').spec.replicas).toBe(3);
    const namespaced = manifests.filter((m) => m.kind !== 'Namespace' && m.kind !== 'CiliumClusterwideNetworkPolicy');
    expect(new Set(namespaced.map((m) => m.metadata.namespace))).toEqual(new Set(['galaxy']));
  });

  test('rejects an unpinned image', () => {
    expect(() => synth({ spaceshipImage: 'quay.io/cilium/json-mock' })).toThrow(PlatformConfigError);
    expect(() => synth({ deathstarImage: 'quay.io/cilium/starwars:latest' })).toThrow(/dev\/star-wars\.deathstarImage/);
  });
});

describeWithReference('Star Wars policies satisfy the Cilium CRD schema', ['crds'], () => {
  const policies = synth().manifests.filter((m) => m.kind === 'CiliumNetworkPolicy');
  test.each(policies.map((p) => [p.metadata.name, p]))('%s', (_name, p) => {
    expect(p.apiVersion).toBe('cilium.io/v2');
    expect(validateManifest(p)).toEqual([]);
  });
});
