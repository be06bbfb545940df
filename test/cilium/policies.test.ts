import { ApiObject, App, Testing } from 'cdk8s';
import { CiliumNetworkPolicySpecEgress } from '../../imports/cilium';
import { CiliumPolicyEngine, PodPeer, PolicyFlow, PolicyPeer, describePeer } from '../../src/applied/cilium-policy';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { AppNetworkPolicy, AppNetworkPolicyProps } from '../../src/cilium/policy/app-network-policy';
import { ClusterDefaultDeny, ClusterDefaultDenyProps, egressAllowsKubeDns, SYSTEM_NAMESPACES } from '../../src/cilium/policy/cluster-default-deny';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { PlatformConfigError } from '../../src/errors';
import { NginxDemo } from '../../src/workloads/nginx-demo';
import { StarWarsDemo } from '../../src/workloads/star-wars-demo';
import { describeWithReference } from '../support/reference';
import { validateManifest } from '../support/reference-schemas';

/** The whole demo platform: default deny, nginx behind an LB, the Star Wars demo and an app that calls out. */
function platform(denyProps: ClusterDefaultDenyProps = {}) {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
  new LoadBalancerIpPool(cluster, 'pool');
  const deny = new ClusterDefaultDeny(cluster, 'default-deny', denyProps);
  const nginx = new NginxDemo(cluster, 'nginx');
  const starWars = new StarWarsDemo(cluster, 'star-wars');
  new AppNetworkPolicy(cluster, 'api-client', {
    namespace: 'demo',
    appLabels: { app: 'api-client' },
    egressFqdns: [{ name: 'api.github.com' }],
    egressToEntities: [{ entity: 'kube-apiserver', ports: [{ port: 6443 }] }],
  });
  // Testing.synth validates the cluster; a deliberately broken variant is read object by object instead.
  const manifests = cluster.violations().length === 0
    ? Testing.synth(cluster)
    : cluster.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c)).map((o) => o.toJson());
  return { cluster, deny, nginx, starWars, manifests, sim: CiliumPolicyEngine.fromObjects(manifests) };
}

const ciliumPolicies = (manifests: any[]) => manifests.filter((m) => /^Cilium(Clusterwide)?NetworkPolicy$/.test(m.kind));

// Pods as Cilium sees them.
const tiefighter: PodPeer = { namespace: 'star-wars', labels: { 'org': 'empire', 'class': 'tiefighter', 'app.kubernetes.io/name': 'tiefighter' } };
const xwing: PodPeer = { namespace: 'star-wars', labels: { 'org': 'alliance', 'class': 'xwing', 'app.kubernetes.io/name': 'xwing' } };
const deathstar: PodPeer = { namespace: 'star-wars', labels: { 'org': 'empire', 'class': 'deathstar', 'app.kubernetes.io/name': 'deathstar' } };
const nginxPod: PodPeer = { namespace: 'demo', labels: { 'app.kubernetes.io/name': 'nginx' } };
const apiClient: PodPeer = { namespace: 'demo', labels: { app: 'api-client' } };
const unlistedPod: PodPeer = { namespace: 'demo', labels: { app: 'unlisted' } };
const otherNamespacePod: PodPeer = { namespace: 'team-a', labels: { app: 'worker' } };
const kubeDns: PodPeer = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const metricsServer: PodPeer = { namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } };
const hubbleRelay: PodPeer = { namespace: 'kube-system', labels: { 'k8s-app': 'hubble-relay' } };
const hubbleUi: PodPeer = { namespace: 'kube-system', labels: { 'k8s-app': 'hubble-ui' } };
const certManagerWebhook: PodPeer = { namespace: 'cert-manager', labels: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/component': 'webhook' } };
const certManagerController: PodPeer = { namespace: 'cert-manager', labels: { 'app.kubernetes.io/name': 'cert-manager' } };
const localPathProvisioner: PodPeer = { namespace: 'local-path-storage', labels: { app: 'local-path-provisioner' } };

const workloadPods = [tiefighter, xwing, deathstar, nginxPod, apiClient, unlistedPod, otherNamespacePod];
const systemPods = [kubeDns, metricsServer, hubbleRelay, hubbleUi, certManagerWebhook, certManagerController, localPathProvisioner];

const landing = { method: 'POST', path: '/v1/request-landing' };

/** [what, flow, expected]. */
const MATRIX: [string, PolicyFlow, string][] = [
  // Star Wars: L3/L4/L7 policy of the Cilium docs
  ['tiefighter lands on the deathstar', { from: tiefighter, to: deathstar, port: 80, http: landing }, 'allowed'],
  ['tiefighter cannot hit the exhaust port', { from: tiefighter, to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } }, 'denied-ingress http-403'],
  ['tiefighter cannot read other API paths', { from: tiefighter, to: deathstar, port: 80, http: { method: 'GET', path: '/v1' } }, 'denied-ingress http-403'],
  ['L7 paths are anchored', { from: tiefighter, to: deathstar, port: 80, http: { method: 'POST', path: '/v1/request-landing/now' } }, 'denied-ingress http-403'],
  ['L7 methods are anchored', { from: tiefighter, to: deathstar, port: 80, http: { method: 'POSTX', path: '/v1/request-landing' } }, 'denied-ingress http-403'],
  ['xwing cannot land', { from: xwing, to: deathstar, port: 80, http: landing }, 'denied-ingress drop'],
  ['tiefighter only on port 80', { from: tiefighter, to: deathstar, port: 8080 }, 'denied-egress drop'],
  ['ships do not talk to each other', { from: tiefighter, to: xwing, port: 8080 }, 'denied-egress drop'],
  // DNS under default deny
  ...workloadPods.flatMap((pod): [string, PolicyFlow, string][] => [
    [`${describePeer(pod)} resolves names (UDP)`, { from: pod, to: kubeDns, port: 53, protocol: 'UDP', dns: 'deathstar.star-wars.svc.cluster.local' }, 'allowed'],
    [`${describePeer(pod)} resolves names (TCP)`, { from: pod, to: kubeDns, port: 53, protocol: 'TCP', dns: 'github.com' }, 'allowed'],
  ]),
  ['kube-dns only on port 53', { from: nginxPod, to: kubeDns, port: 9153 }, 'denied-egress drop'],
  // Egress is closed by default
  ...workloadPods.map((pod): [string, PolicyFlow, string] => [`${describePeer(pod)} cannot reach the internet`, { from: pod, to: 'world', port: 443 }, 'denied-egress drop']),
  ['workloads do not reach the API server by default', { from: nginxPod, to: 'kube-apiserver', port: 6443 }, 'denied-egress drop'],
  ['nginx cannot call the deathstar', { from: nginxPod, to: deathstar, port: 80, http: landing }, 'denied-egress drop'],
  ['no lateral movement inside a namespace', { from: unlistedPod, to: nginxPod, port: 8080 }, 'denied-egress drop'],
  ['no lateral movement across namespaces', { from: otherNamespacePod, to: apiClient, port: 8080 }, 'denied-egress drop'],
  // An app opened with AppNetworkPolicy (toFQDNs + API server)
  ['api-client reaches its allowed name', { from: apiClient, to: { fqdn: 'api.github.com' }, port: 443 }, 'allowed'],
  ['api-client only on 443', { from: apiClient, to: { fqdn: 'api.github.com' }, port: 80 }, 'denied-egress drop'],
  ['api-client cannot reach other names', { from: apiClient, to: { fqdn: 'evil.example.com' }, port: 443 }, 'denied-egress drop'],
  ['api-client reaches the API server when asked for', { from: apiClient, to: 'kube-apiserver', port: 6443 }, 'allowed'],
  // Ingress: gateway, LoadBalancer, kubelet
  ['gateway (ingress entity) reaches nginx', { from: 'ingress', to: nginxPod, port: 8080, http: { method: 'GET', path: '/' } }, 'allowed'],
  ['LoadBalancer clients (world) reach nginx', { from: 'world', to: nginxPod, port: 8080 }, 'allowed'],
  ['world reaches nginx on 8080 only', { from: 'world', to: nginxPod, port: 9090 }, 'denied-ingress drop'],
  // issue 19 (Trust III): the gateway reaches only what an app onboards with allowFromGateway, under its L7 rules
  ['gateway does not reach a never-onboarded pod', { from: 'ingress', to: unlistedPod, port: 8080 }, 'denied-ingress drop'],
  ['gateway does not reach a never-onboarded pod on 5432', { from: 'ingress', to: unlistedPod, port: 5432 }, 'denied-ingress drop'],
  ['gateway cannot hit the exhaust port (the deathstar does not onboard it)', { from: 'ingress', to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } }, 'denied-ingress drop'],
  ['gateway reaches nginx on 8080 only', { from: 'ingress', to: nginxPod, port: 9090 }, 'denied-ingress drop'],
  ['world does not reach workloads without a policy', { from: 'world', to: unlistedPod, port: 8080 }, 'denied-ingress drop'],
  ['world does not reach the deathstar', { from: 'world', to: deathstar, port: 80, http: landing }, 'denied-ingress drop'],
  ['kubelet probes (host) reach nginx', { from: 'host', to: nginxPod, port: 8080 }, 'allowed'],
  ['kubelet probes (host) reach the deathstar', { from: 'host', to: deathstar, port: 80, http: { method: 'GET', path: '/v1' } }, 'allowed'],
  ['LB traffic SNATed by the announcing node reaches nginx', { from: 'remote-node', to: nginxPod, port: 8080 }, 'allowed'],
  ['other nodes do not reach other ports of nginx', { from: 'remote-node', to: nginxPod, port: 9090 }, 'denied-ingress drop'],
  ['other nodes do not reach other workloads', { from: 'remote-node', to: deathstar, port: 80 }, 'denied-ingress drop'],
  ['kube-system pods do not reach workloads', { from: metricsServer, to: nginxPod, port: 8080 }, 'denied-ingress drop'],
  // Platform components are unaffected
  ['metrics-server reaches the internet', { from: metricsServer, to: 'world', port: 443 }, 'allowed'],
  ['metrics-server reaches kubelets', { from: metricsServer, to: 'remote-node', port: 10250 }, 'allowed'],
  ['CoreDNS forwards upstream', { from: kubeDns, to: 'world', port: 53, protocol: 'UDP' }, 'allowed'],
  ['CoreDNS watches the API server', { from: kubeDns, to: 'kube-apiserver', port: 6443 }, 'allowed'],
  ['hubble-relay dials agents on other nodes', { from: hubbleRelay, to: 'remote-node', port: 4244 }, 'allowed'],
  ['hubble-relay dials the local agent', { from: hubbleRelay, to: 'host', port: 4244 }, 'allowed'],
  ['hubble-ui reads from hubble-relay', { from: hubbleUi, to: hubbleRelay, port: 4245 }, 'allowed'],
  ['API server calls the cert-manager webhook', { from: 'kube-apiserver', to: certManagerWebhook, port: 10250 }, 'allowed'],
  ['cert-manager talks to the API server', { from: certManagerController, to: 'kube-apiserver', port: 6443 }, 'allowed'],
  ['cert-manager reaches ACME servers', { from: certManagerController, to: 'world', port: 443 }, 'allowed'],
  ['local-path-provisioner unaffected', { from: localPathProvisioner, to: 'kube-apiserver', port: 6443 }, 'allowed'],
];

describe('flow matrix of the demo platform', () => {
  const { sim } = platform();

  test.each(MATRIX)('%s', (_what, flow, expected) => {
    const v = sim.verdict(flow);
    expect({ verdict: [v.verdict, v.how].filter(Boolean).join(' '), reason: v.reason }).toEqual({ verdict: expected, reason: v.reason });
  });

  test('workload pods are in default deny both ways, platform pods in neither', () => {
    const dd = (pod: PodPeer) => [describePeer(pod), sim.enforcement(pod).ingress.defaultDeny, sim.enforcement(pod).egress.defaultDeny];
    for (const pod of workloadPods) expect(dd(pod)).toEqual([describePeer(pod), true, true]);
    for (const pod of systemPods) expect(dd(pod)).toEqual([describePeer(pod), false, false]);
  });

  test('the xwing is stopped by the deathstar policy, not by its own egress', () => {
    const [hop] = sim.verdict({ from: xwing, to: deathstar, port: 80, http: landing }).hops;
    expect(hop.egress).toMatchObject({ enforced: true, allowed: true, by: { policy: 'CiliumNetworkPolicy/star-wars/xwing-to-deathstar' } });
    expect(hop.ingress).toMatchObject({ enforced: true, allowed: false, basis: 'default-deny', how: 'drop' });
  });

  test('DNS is allowed by the clusterwide default deny for pods without an app policy', () => {
    expect(sim.verdict({ from: unlistedPod, to: kubeDns, port: 53, protocol: 'UDP' }).hops[0].egress.by?.policy).toBe('CiliumClusterwideNetworkPolicy/default-deny');
  });
});

describe('ClusterDefaultDeny', () => {
  test('renders default deny for both directions with both sections present', () => {
    const { manifests } = platform();
    const policy = manifests.find((m) => m.kind === 'CiliumClusterwideNetworkPolicy' && m.metadata.name === 'default-deny');
    expect(policy.spec.enableDefaultDeny).toEqual({ ingress: true, egress: true });
    expect(policy.spec.ingress.length).toBeGreaterThan(0);
    expect(policy.spec.egress.length).toBeGreaterThan(0);
    expect(policy.spec.endpointSelector).toEqual({
      matchExpressions: [
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system', 'cert-manager', 'local-path-storage'] },
      ],
    });
    expect(policy.spec.egress[0]).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
    });
  });

  test('system allowances are additive (enableDefaultDeny false) and cover the platform components', () => {
    const { manifests } = platform();
    const allowances = ciliumPolicies(manifests).filter((m) => m.kind === 'CiliumClusterwideNetworkPolicy' && m.metadata.name !== 'default-deny');
    expect(allowances.map((m) => m.metadata.name).sort()).toEqual(['default-deny-cert-manager', 'default-deny-hubble-relay', 'default-deny-hubble-ui', 'default-deny-kube-dns']);
    for (const a of allowances) expect(a.spec.enableDefaultDeny).toEqual({ ingress: false, egress: false });
  });

  test('system allowances keep working if the platform namespaces come under default deny', () => {
    // Simulate an operator who also puts kube-system and cert-manager under default deny.
    const { manifests } = platform();
    const strict = manifests.map((m) => m.metadata?.name === 'default-deny'
      ? { ...m, spec: { ...m.spec, endpointSelector: {} } } : m);
    const sim = CiliumPolicyEngine.fromObjects(strict);
    const flows: [PolicyFlow, boolean][] = [
      [{ from: 'kube-apiserver', to: certManagerWebhook, port: 10250 }, true],
      [{ from: certManagerController, to: 'kube-apiserver', port: 6443 }, true],
      [{ from: hubbleRelay, to: 'remote-node', port: 4244 }, true],
      [{ from: hubbleUi, to: hubbleRelay, port: 4245 }, true],
      [{ from: nginxPod, to: kubeDns, port: 53, protocol: 'UDP' }, true],
      [{ from: kubeDns, to: 'world', port: 53, protocol: 'UDP' }, true],
      [{ from: certManagerController, to: 'world', port: 443 }, false],
    ];
    for (const [flow, expected] of flows) expect([flow, sim.allows(flow)]).toEqual([flow, expected]);
  });

  test('hubble allowances follow the cluster description', () => {
    const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', hubble: { enabled: false } });
    const deny = new ClusterDefaultDeny(cluster, 'default-deny');
    expect(Object.keys(deny.allowances).sort()).toEqual(['cert-manager', 'kube-dns']);
  });

  test('exemptNamespaces extends the system list', () => {
    const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
    const deny = new ClusterDefaultDeny(cluster, 'default-deny', { exemptNamespaces: ['monitoring', 'kube-system'] });
    expect(deny.exemptNamespaces).toEqual([...SYSTEM_NAMESPACES, 'monitoring']);
    const sim = CiliumPolicyEngine.fromObjects(Testing.synth(cluster));
    expect(sim.allows({ from: { namespace: 'monitoring', labels: { app: 'prometheus' } }, to: 'world', port: 443 })).toBe(true);
    expect(sim.allows({ from: { namespace: 'other', labels: { app: 'prometheus' } }, to: 'world', port: 443 })).toBe(false);
  });

  test('the agent imports every policy of the platform, whole', () => {
    const { sim } = platform();
    expect(sim.imports.length).toBeGreaterThan(5);
    expect(sim.imports.filter((i) => i.rejected !== undefined || i.ignored.length > 0)).toEqual([]);
  });

  test('records a defaultDenyPolicies fact and the platform is valid', () => {
    const { cluster } = platform();
    expect(cluster.model().defaultDenyPolicies).toEqual([{ field: 'dev/default-deny', name: 'default-deny', allowsDnsEgress: true }]);
    expect(cluster.violations()).toEqual([]);
  });

  test('turning DNS off is computed from the rendered rules and breaks rule default-deny-allows-dns', () => {
    const { cluster, deny, manifests, sim } = platform({ allowDns: false });
    expect(deny.allowsDnsEgress).toBe(false);
    expect(cluster.model().defaultDenyPolicies[0].allowsDnsEgress).toBe(false);
    expect(cluster.violations().map((v) => v.rule)).toEqual(['default-deny-allows-dns']);
    expect(cluster.violations()[0].field).toBe('dev/default-deny');
    expect(() => cluster.assertValid()).toThrow(PlatformConfigError);
    // the egress section is still there (an empty rule allows nothing)
    expect(manifests.find((m) => m.metadata.name === 'default-deny').spec.egress).toEqual([{}]);
    expect(sim.allows({ from: unlistedPod, to: kubeDns, port: 53, protocol: 'UDP' })).toBe(false);
    // an app policy with egress still brings its own DNS allowance
    expect(sim.allows({ from: tiefighter, to: kubeDns, port: 53, protocol: 'UDP' })).toBe(true);
  });

  test('allowApiServerEgress opens the API server to every workload', () => {
    const { sim } = platform({ allowApiServerEgress: true });
    expect(sim.allows({ from: unlistedPod, to: 'kube-apiserver', port: 6443 })).toBe(true);
    expect(sim.allows({ from: unlistedPod, to: 'world', port: 443 })).toBe(false);
  });

  test('the ingress section allows nothing, not even the gateway (allowIngressFromGateway: false changes nothing)', () => {
    const { manifests, sim } = platform({ allowIngressFromGateway: false });
    expect(manifests.find((m) => m.metadata.name === 'default-deny').spec.ingress).toEqual([{}]);
    expect(JSON.stringify(platform({}).manifests)).toEqual(JSON.stringify(manifests));
    expect(sim.allows({ from: 'ingress', to: unlistedPod, port: 8080 })).toBe(false);
    expect(sim.allows({ from: 'ingress', to: nginxPod, port: 8080 })).toBe(true); // nginx opens it itself
  });

  test('systemAllowances: false emits only the default deny', () => {
    const { manifests } = platform({ systemAllowances: false });
    expect(manifests.filter((m) => m.kind === 'CiliumClusterwideNetworkPolicy').map((m) => m.metadata.name)).toEqual(['default-deny']);
  });

  test('rejects invalid exempt namespaces', () => {
    const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
    expect(() => new ClusterDefaultDeny(cluster, 'd', { exemptNamespaces: ['Bad_NS'] })).toThrow(/dev\/d\.exemptNamespaces\[0\]/);
  });

  test('must live inside a cluster', () => {
    expect(() => new ClusterDefaultDeny(new App(), 'd')).toThrow(/KindCiliumCluster/);
  });

  test('synthesis is deterministic', () => {
    expect(JSON.stringify(platform().manifests)).toEqual(JSON.stringify(platform().manifests));
  });
});

describe('egressAllowsKubeDns', () => {
  const dns = (extra: Partial<CiliumNetworkPolicySpecEgress> = {}): CiliumNetworkPolicySpecEgress => ({
    toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
    ...extra,
  });
  const ports = (...p: [string, string][]) => [{ ports: p.map(([port, protocol]) => ({ port, protocol: protocol as any })) }];

  test.each<[string, CiliumNetworkPolicySpecEgress[], boolean]>([
    ['kube-dns, any port', [dns()], true],
    ['kube-dns, 53 UDP+TCP', [dns({ toPorts: ports(['53', 'UDP'], ['53', 'TCP']) })], true],
    ['kube-dns, 53 ANY', [dns({ toPorts: ports(['53', 'ANY']) })], true],
    ['kube-dns, UDP only', [dns({ toPorts: ports(['53', 'UDP']) })], false],
    ['kube-dns, UDP and TCP in separate rules', [dns({ toPorts: ports(['53', 'UDP']) }), dns({ toPorts: ports(['53', 'TCP']) })], true],
    ['kube-dns, wrong port', [dns({ toPorts: ports(['5353', 'ANY']) })], false],
    ['kube-dns, restricted DNS names', [dns({ toPorts: [{ ports: [{ port: '53' }], rules: { dns: [{ matchName: 'github.com' }] } }] })], false],
    ['matchLabels without the namespace prefix', [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }] }], true],
    ['another app', [{ toEndpoints: [{ matchLabels: { 'k8s-app': 'other' } }] }], false],
    ['cluster entity', [{ toEntities: ['cluster' as any] }], true],
    ['world entity', [{ toEntities: ['world' as any] }], false],
    ['ports only (every peer)', [{ toPorts: ports(['53', 'ANY']) }], true],
    ['empty rule', [{}], false],
    ['no rules', [], false],
  ])('%s', (_what, rules, expected) => {
    expect(egressAllowsKubeDns(rules)).toBe(expected);
  });
});

describe('AppNetworkPolicy', () => {
  const make = (props: Partial<AppNetworkPolicyProps>) => {
    const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
    new ApiObject(cluster, 'demo-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    return new AppNetworkPolicy(cluster, 'web', { namespace: 'demo', appLabels: { app: 'web' }, ...props });
  };
  const rulesOf = (props: Partial<AppNetworkPolicyProps>) => {
    const p = make(props);
    return { policy: p, manifest: Testing.synth(KindCiliumCluster.of(p)).find((o) => o.kind === 'CiliumNetworkPolicy') };
  };

  test('one line lets an app in through the gateway', () => {
    const { policy, manifest } = rulesOf({ allowFromGateway: true, ingressPorts: [{ port: 8080 }] });
    expect(policy.name).toBe('web');
    expect(manifest).toMatchObject({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromEntities: ['ingress'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      },
    });
    expect(manifest.spec.egress).toBeUndefined();
  });

  test('pods from other namespaces are selected explicitly', () => {
    const { manifest } = rulesOf({ allowFrom: [{ namespace: 'x', labels: { role: 'client' } }], ingressPorts: [{ port: 80 }] });
    expect(manifest.spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x', 'role': 'client' } }]);
    const sim = CiliumPolicyEngine.fromObjects([manifest]);
    const web: PodPeer = { namespace: 'demo', labels: { app: 'web' } };
    expect(sim.allows({ from: { namespace: 'x', labels: { role: 'client' } }, to: web, port: 80 })).toBe(true);
    expect(sim.allows({ from: { namespace: 'demo', labels: { role: 'client' } }, to: web, port: 80 })).toBe(false);
    expect(sim.allows({ from: { namespace: 'x', labels: { role: 'client' } }, to: web, port: 81 })).toBe(false);
  });

  test('egress always comes with DNS, and entity/port ranges render as Cilium expects', () => {
    const { manifest } = rulesOf({
      egressTo: [{ namespace: 'db', labels: { app: 'postgres' }, ports: [{ port: 5432 }] }],
      egressToEntities: [{ entity: 'world', ports: [{ port: 30000, endPort: 30010, protocol: 'UDP' }] }],
    });
    expect(manifest.spec.egress).toHaveLength(3);
    expect(egressAllowsKubeDns(manifest.spec.egress)).toBe(true);
    expect(manifest.spec.egress[2]).toEqual({ toEntities: ['world'], toPorts: [{ ports: [{ port: '30000', endPort: 30010, protocol: 'UDP' }] }] });
    const sim = CiliumPolicyEngine.fromObjects([manifest]);
    const web: PodPeer = { namespace: 'demo', labels: { app: 'web' } };
    expect(sim.allows({ from: web, to: 'world', port: 30005, protocol: 'UDP' })).toBe(true);
    expect(sim.allows({ from: web, to: 'world', port: 30011, protocol: 'UDP' })).toBe(false);
    expect(sim.allows({ from: web, to: { namespace: 'db', labels: { app: 'postgres' } }, port: 5432 })).toBe(true);
  });

  test('FQDN patterns match one label per *', () => {
    const { manifest } = rulesOf({ egressFqdns: [{ pattern: '*.github.com' }] });
    const sim = CiliumPolicyEngine.fromObjects([manifest]);
    const web: PodPeer = { namespace: 'demo', labels: { app: 'web' } };
    expect(sim.allows({ from: web, to: { fqdn: 'api.github.com' }, port: 443 })).toBe(true);
    expect(sim.allows({ from: web, to: { fqdn: 'github.com' }, port: 443 })).toBe(false);
    expect(sim.allows({ from: web, to: { fqdn: 'api.github.com.evil.io' }, port: 443 })).toBe(false);
  });

  test.each<[string, Partial<AppNetworkPolicyProps>, string, RegExp]>([
    ['http rules without ports', { allowFromGateway: true, httpRules: [{ method: 'GET' }] }, 'http-rules-need-ports', /dev\/web\.httpRules/],
    ['no allowance at all', {}, 'empty-app-policy', /allows nothing/],
    ['port out of range', { allowFromGateway: true, ingressPorts: [{ port: 70000 }] }, 'invalid-port', /ingressPorts\[0\]\.port/],
    ['empty port list', { allowFromGateway: true, ingressPorts: [] }, 'invalid-port', /ingressPorts/],
    ['bad protocol', { allowFromGateway: true, ingressPorts: [{ port: 80, protocol: 'ICMP' as any }] }, 'invalid-protocol', /protocol/],
    ['bad regex', { allowFromGateway: true, ingressPorts: [{ port: 80 }], httpRules: [{ path: '/(' }] }, 'invalid-http-rule', /httpRules\[0\]\.path/],
    ['relative path', { allowFromGateway: true, ingressPorts: [{ port: 80 }], httpRules: [{ path: 'v1' }] }, 'invalid-http-rule', /start with/],
    ['empty app labels', { appLabels: {}, allowFromGateway: true }, 'invalid-selector', /appLabels/],
    ['bad namespace', { namespace: 'Demo', allowFromGateway: true }, 'invalid-namespace', /dev\/web\.namespace/],
    ['bad entity', { allowFromEntities: ['internet' as any] }, 'invalid-entity', /allowFromEntities\[0\]/],
    ['fqdn with name and pattern', { egressFqdns: [{ name: 'a.io', pattern: '*.a.io' }] }, 'invalid-fqdn', /egressFqdns\[0\]/],
    ['bad fqdn', { egressFqdns: [{ name: 'a b' }] }, 'invalid-fqdn', /egressFqdns\[0\]\.name/],
  ])('rejects %s', (_what, props, rule, message) => {
    let error: unknown;
    try {
      make(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    expect((error as PlatformConfigError).rules).toEqual([rule]);
    expect((error as Error).message).toMatch(message);
  });
});

describeWithReference('every emitted Cilium policy satisfies the upstream Cilium 1.18 CRD schema', ['crds'], () => {
  const variants: [string, ClusterDefaultDenyProps][] = [
    ['defaults', {}],
    ['dns off, gateway off, api server on', { allowDns: false, allowIngressFromGateway: false, allowApiServerEgress: true, exemptNamespaces: ['monitoring'] }],
  ];
  for (const [variant, props] of variants) {
    const policies = ciliumPolicies(platform(props).manifests);
    test.each(policies.map((p) => [`${variant}: ${p.kind} ${p.metadata.name}`, p]))('%s', (_name, policy) => {
      expect(policy.apiVersion).toBe('cilium.io/v2');
      expect(validateManifest(policy)).toEqual([]);
    });
  }

  test('the validator catches a misspelt field and a bad port', () => {
    const policy = ciliumPolicies(platform().manifests).find((p) => p.kind === 'CiliumNetworkPolicy');
    const broken = { ...policy, spec: { ...policy.spec, ingres: [], ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] } };
    const errors = validateManifest(broken);
    expect(errors.join('\n')).toMatch(/\/spec: unknown field "ingres"/);
    expect(errors.join('\n')).toMatch(/\/spec\/ingress\/0\/toPorts\/0\/ports\/0\/port: must be string/);
  });
});

describe('ClusterDefaultDeny does not select Cilium reserved identities', () => {
  test('the Envoy (reserved:ingress) and health identities have no namespace label and are left alone; pods are selected', () => {
    const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
    new ClusterDefaultDeny(cluster, 'default-deny');
    const engine = CiliumPolicyEngine.fromObjects(Testing.synth(cluster));
    const defaultDeny = (peer: PolicyPeer) => [engine.enforcement(peer).ingress.defaultDeny, engine.enforcement(peer).egress.defaultDeny];
    expect(defaultDeny('ingress')).toEqual([false, false]);
    expect(defaultDeny('health')).toEqual([false, false]);
    expect(defaultDeny({ namespace: 'demo', labels: { app: 'web' } })).toEqual([true, true]);
    expect(defaultDeny({ namespace: 'kube-system', labels: { app: 'web' } })).toEqual([false, false]);
    expect(engine.rejected).toEqual([]);
  });
});
