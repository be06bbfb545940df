import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, JsonPatch, Testing } from 'cdk8s';
import {
  AppNetworkPolicy, ClusterDefaultDeny, ClusterMesh, ExpectFlow, ExpectUrl, KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementPolicy,
  LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, StarWarsDemo, TestWorkload, TestWorkloadProps, validateApp, Violation,
} from '../../src';
import type { MeshMemberOptions } from '../../src';
import { formatViolation } from '../../src/errors';
import { OUTCOME_RULES } from '../../src/outcomes';
import { OBJECT_RULE_IDS } from '../../src/rules/app-level';
import { MESH_FLEET_RULES } from '../../src/rules/mesh-applied';
import { APP_RULES, CLUSTER_RULES, checkAcrossClusters, checkPlatform, registeredRuleIds } from '../../src/rules/registry';
import { AppRule, ClusterRule } from '../../src/rules/rule';
import { configError } from '../support/config-error';

/**
 * One failing case per violation id the registry declares, built through the public API and read the way a
 * user meets it: a cluster rule through `cluster.violations()`, an app-level rule through `validateApp(app)`.
 * A new id without a case here fails the suite (see "the table covers exactly the registered ids").
 */

/** Where the violation is reported: by one cluster's rules, or only when the whole app is validated. */
type Level = 'cluster' | 'app';

interface FailingCase {
  readonly level: Level;
  /** Builds the case in `app` and returns the violations as a user sees them. */
  readonly build: (app: App) => readonly Violation[];
}

/** A cluster case: `props` on a cluster named `dev`, `add` puts constructs in it. */
function inCluster(props: Omit<KindCiliumClusterProps, 'clusterName'>, add: (cluster: KindCiliumCluster) => void = () => undefined): FailingCase {
  return {
    level: 'cluster',
    build: (app) => {
      const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', ...props });
      add(cluster);
      return cluster.violations();
    },
  };
}

/** An app-level case: `add` builds clusters in the app; the violations are those `validateApp` throws. */
function inApp(add: (app: App) => void): FailingCase {
  return {
    level: 'app',
    build: (app) => {
      add(app);
      return configError(() => validateApp(app)).violations;
    },
  };
}

/** A two-member mesh `m` (clusters `a` and `b`); `a` gets `props`. */
function meshOf(app: App, props: Omit<MeshMemberOptions, 'clusterName'> = {}, meshName = 'm'): ClusterMesh {
  const mesh = new ClusterMesh(app, 'm', { name: meshName });
  mesh.addCluster({ clusterName: 'a', ...props });
  mesh.addCluster({ clusterName: 'b' });
  return mesh;
}

/** A cluster case on mesh member `a`. */
function inMeshMember(props: Omit<MeshMemberOptions, 'clusterName'>): FailingCase {
  return { level: 'cluster', build: (app) => meshOf(app, props).members[0].violations() };
}

const pool = (cluster: KindCiliumCluster, id: string, cidr: string) => new LoadBalancerIpPool(cluster, id, { blocks: [{ cidr }] });
const gateway = (cluster: KindCiliumCluster) => new LocalGateway(cluster, 'gateway', { certificateAuthority: new LocalCertificateAuthority(cluster, 'ca') });
const lbService = (cluster: KindCiliumCluster, name: string) => new ApiObject(cluster, name, {
  apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});
const lbServiceAt = (cluster: KindCiliumCluster, name: string, ip: string) => new ApiObject(cluster, name, {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, annotations: { 'lbipam.cilium.io/ips': ip } },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});
/** A cluster `dev` publishing the Gateway NodePorts, with a pool, a CA (in `caNamespace`) and a LocalGateway; `add` adds more. */
const withGateway = (app: App, add: (g: LocalGateway, c: KindCiliumCluster) => void = () => undefined, caNamespace?: string) => {
  const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }] });
  pool(c, 'pool', '172.18.255.0/28');
  const g = new LocalGateway(c, 'gateway', { certificateAuthority: new LocalCertificateAuthority(c, 'ca', caNamespace ? { namespace: caNamespace } : {}) });
  add(g, c);
};
const webService = (c: KindCiliumCluster, namespace: string) => new ApiObject(c, `web-${namespace}`, {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace }, spec: { ports: [{ port: 80 }] },
});
/** A TestWorkload `name` in namespace `shop` serving 8080 (labels `app: name`). */
const shopWorkload = (cluster: KindCiliumCluster, name: string, props: Partial<TestWorkloadProps> = {}) => new TestWorkload(cluster, name, {
  name, namespace: 'shop', createNamespace: name === 'web', image: 'nginx:1.29.4', labels: { app: name }, ports: [{ port: 8080 }], ...props,
});
const GATEWAY_PORTS = [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30443, hostPort: 8443 }];

/** Keyed by violation id; an id emitted by a cluster rule and an app rule has a case at each level. */
const FAILING_CASES: Record<string, readonly FailingCase[]> = {
  // one owner per Helm key
  'helm-value-owned-by-prop': [inCluster({ ciliumValuesOverrides: { cluster: { id: 999 } } }), inMeshMember({ ciliumValuesOverrides: { clustermesh: { useAPIServer: false } } })],
  'cilium-config-set-past-helm': [inCluster({ ciliumValuesOverrides: { extraConfig: { 'cluster-id': '999' } } }), inMeshMember({ ciliumValuesOverrides: { extraArgs: ['--cluster-name=other'] } })],
  // network
  'subnets-overlap': [inCluster({ podSubnet: '172.18.0.0/16' })],
  'pool-outside-docker-subnet': [inCluster({}, (c) => pool(c, 'pool', '192.168.50.0/28'))],
  'pool-covers-docker-addresses': [inCluster({}, (c) => pool(c, 'pool', '172.18.0.0/28'))],
  'lb-address-outside-pool': [inCluster({}, (c) => {
    pool(c, 'pool', '172.18.250.0/28');
    lbServiceAt(c, 'web', '172.18.251.10');
  })],
  'lb-address-requested-twice': [inCluster({}, (c) => {
    pool(c, 'pool', '172.18.250.0/28');
    lbServiceAt(c, 'web', '172.18.250.5');
    lbServiceAt(c, 'api', '172.18.250.5');
  })],
  'pools-overlap': [inCluster({}, (c) => {
    pool(c, 'a', '172.18.255.0/28');
    pool(c, 'b', '172.18.255.8/29');
  })],
  'pool-overlaps-cluster-subnet': [inCluster({ podSubnet: '172.18.0.0/16', dockerNetworkSubnet: '172.16.0.0/12' }, (c) => pool(c, 'pool', '172.18.0.0/28'))],
  'lb-services-exceed-pool': [inCluster({}, (c) => lbService(c, 'web'))],
  'duplicate-host-ports': [
    inCluster({ hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30081, hostPort: 8080 }] }),
    inApp((app) => {
      new KindCiliumCluster(app, 'a', { clusterName: 'a', hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }] });
      new KindCiliumCluster(app, 'b', { clusterName: 'b', hostPortMappings: [{ containerPort: 30081, hostPort: 8080, listenAddress: '0.0.0.0' }] });
    }),
  ],
  // L2 announcements
  'l2-needs-l2announcements': [inCluster({}, (c) => new L2AnnouncementPolicy(c, 'l2'))],
  'l2-needs-kube-proxy-replacement': [inCluster({ kubeProxyReplacement: false }, (c) => new L2AnnouncementPolicy(c, 'l2'))],
  'l2-announces-nothing': [inCluster({ l2Announcements: {} }, (c) => new L2AnnouncementPolicy(c, 'l2', { loadBalancerIps: false, externalIps: false }))],
  'l2-interfaces-match-devices': [inCluster({ l2Announcements: {} }, (c) => new L2AnnouncementPolicy(c, 'l2', { interfaces: ['^wlan0$'] }))],
  'l2announcements-need-kpr': [inCluster({ kubeProxyReplacement: false, ciliumValuesOverrides: { l2announcements: { enabled: true } } })],
  // datapath
  'kube-proxy-replacement-boolean': [inCluster({ ciliumValuesOverrides: { kubeProxyReplacement: 'strict' } })],
  'kpr-needs-k8s-service-host': [inCluster({ ciliumValuesOverrides: { k8sServiceHost: 'localhost' } })],
  'kpr-needs-k8s-service-port': [inCluster({ ciliumValuesOverrides: { k8sServicePort: 443 } })],
  'kpr-with-kube-proxy': [inCluster({ kubeProxyReplacement: false, ciliumValuesOverrides: { kubeProxyReplacement: true } })],
  'no-kpr-without-kube-proxy': [inCluster({ ciliumValuesOverrides: { kubeProxyReplacement: false } })],
  'native-routing-cidr': [inCluster({ routingMode: 'native', ciliumValuesOverrides: { ipv4NativeRoutingCIDR: '10.250.0.0/16' } })],
  'removed-cilium-keys': [inCluster({ ciliumValuesOverrides: { hostServices: { enabled: true } } })],
  'hubble-metrics-list': [inCluster({ ciliumValuesOverrides: { hubble: { metrics: { enabled: 'dns,drop' } } } })],
  'bpf-masquerade-needs-kpr': [inCluster({ kubeProxyReplacement: false, masquerade: { bpf: true } })],
  'ip-masq-agent-needs-bpf-masquerade': [inCluster({ masquerade: { ipMasqAgent: true } })],
  'xdp-needs-kpr': [inCluster({ kubeProxyReplacement: false, loadBalancer: { acceleration: 'native' } })],
  'dsr-needs-native-routing': [inCluster({ loadBalancer: { mode: 'dsr' } }), inCluster({ tunnelProtocol: 'geneve', loadBalancer: { mode: 'hybrid' } })],
  'dsr-geneve-needs-geneve-tunnel': [inCluster({ loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } }), inCluster({ ciliumValuesOverrides: { loadBalancer: { dsrDispatch: 'geneve' } } })],
  'cilium-value-not-allowed': [inCluster({ ciliumValuesOverrides: { routingMode: 'direct' } }), inCluster({ ciliumValuesOverrides: { loadBalancer: { mode: 'maglev' } } })],
  'l2-lease-timings': [inCluster({ l2Announcements: {}, ciliumValuesOverrides: { l2announcements: { leaseDuration: '1s' } } })],
  'auto-direct-node-routes-needs-native-routing': [inCluster({ ciliumValuesOverrides: { autoDirectNodeRoutes: true } })],
  // (the typed hubble.metrics prop refuses both at construction; the rule catches them in overrides)
  'hubble-metric-unknown': [inCluster({ ciliumValuesOverrides: { hubble: { metrics: { enabled: ['dns_:query'] } } } })],
  'hubble-http-metrics-exclusive': [inCluster({ ciliumValuesOverrides: { hubble: { metrics: { enabled: ['http', 'httpV2:exemplars=true'] } } } })],
  'operator-replicas-fit-nodes': [inCluster({ ciliumValuesOverrides: { operator: { replicas: 3 } } })],
  // Hubble
  'cluster-domain': [inCluster({ ciliumValuesOverrides: { hubble: { peerService: { clusterDomain: 'example.internal' } } } })],
  'hubble-ui-needs-relay': [inCluster({ ciliumValuesOverrides: { hubble: { relay: { enabled: false } } } })],
  // Gateway API
  'gateway-needs-kpr': [inCluster({ kubeProxyReplacement: false, hostPortMappings: GATEWAY_PORTS }, (c) => {
    pool(c, 'pool', '172.18.255.0/28');
    gateway(c);
  })],
  'gateway-needs-gateway-api': [inCluster({ hostPortMappings: GATEWAY_PORTS, ciliumValuesOverrides: { gatewayAPI: { enabled: false } } }, (c) => {
    pool(c, 'pool', '172.18.255.0/28');
    gateway(c);
  })],
  'gateway-needs-pool': [inCluster({ hostPortMappings: GATEWAY_PORTS }, gateway)],
  // (the pin is judged only where Gateway API is installed: on a cluster with a Gateway)
  'gateway-api-cilium-mismatch': [inCluster({ ciliumVersion: '1.19.6', hostPortMappings: GATEWAY_PORTS, versions: { gatewayApi: 'v1.4.0' } }, (c) => {
    pool(c, 'pool', '172.18.255.0/28');
    gateway(c);
  })],
  'gateway-api-below-cilium-minimum': [inCluster({ hostPortMappings: GATEWAY_PORTS, versions: { gatewayApi: 'v1.4.1', allowUnsupportedPair: true } }, (c) => {
    pool(c, 'pool', '172.18.255.0/28');
    gateway(c);
  })],
  'gateway-nodeports-mapped': [inCluster({}, (c) => {
    pool(c, 'pool', '172.18.255.0/28');
    gateway(c);
  })],
  // intended outcomes: routes (as applied, reported when the app is validated)
  'gateway-not-programmed': [inApp((app) => withGateway(app, (_g, c) => (c.node.findChild('pool') as LoadBalancerIpPool).apiObject
    .addJsonPatch(JsonPatch.add('/spec/serviceSelector', { matchLabels: { app: 'web' } }))))],
  'route-not-attached': [inApp((app) => withGateway(app, (g, c) => {
    // issue 18: the Gateway admits routes only from namespaces labelled gateway-access=true; shop is emitted without it
    for (const i of [0, 1, 2]) {
      g.apiObject.addJsonPatch(JsonPatch.replace(`/spec/listeners/${i}/allowedRoutes/namespaces`, { from: 'Selector', selector: { matchLabels: { 'gateway-access': 'true' } } }));
    }
    webService(c, 'shop');
    new ApiObject(c, 'shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    g.addHttpRoute('r', { namespace: 'shop', hostnames: ['shop.localhost'], backend: { name: 'web', port: 80 } });
  }))],
  'route-refs-unresolved': [inApp((app) => withGateway(app, (g) => g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } })))],
  'route-url-not-served': [inApp((app) => withGateway(app, (g, c) => {
    webService(c, 'gateway');
    g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
    new ApiObject(c, 'moved', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'moved', namespace: 'gateway' },
      spec: {
        parentRefs: [{ name: 'local' }],
        hostnames: ['app.localhost'],
        rules: [{ matches: [{ path: { type: 'Exact', value: '/' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'elsewhere.localhost' } }] }],
      },
    });
  }))],
  // intended outcomes: certificates
  'issuer-not-ready': [inApp((app) => withGateway(app, undefined, 'pki'))],
  'certificate-not-issued': [inApp((app) => withGateway(app, undefined, 'pki'))],
  'listener-certificate-missing': [inApp((app) => withGateway(app, undefined, 'pki'))],
  // versions
  // (the other version choices are field checks, refused when the cluster is constructed: test/spec/version-matrix.test.ts)
  'helm-value-removed-in-minor': [inCluster({ ciliumVersion: '1.20.0', ciliumValuesOverrides: { nodePort: { enabled: true } } })],
  'helm-value-needs-newer-kubernetes': [inCluster({
    ciliumVersion: '1.21.0-pre.0', versions: { allowPreRelease: true }, kubernetesVersion: '1.33', ciliumValuesOverrides: { networkDriver: { enabled: true } },
  })],
  // policy
  'default-deny-allows-dns': [inCluster({}, (c) => new ClusterDefaultDeny(c, 'deny', { allowDns: false }))],
  // CRD schemas of the custom objects (every kind the library emits)
  // (the constructs refuse 41 policy ports themselves; a raw object reaches the synth-time schema check)
  'crd-schema': [inCluster({}, (c) => new ApiObject(c, 'web', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web', namespace: 'demo' },
    spec: { endpointSelector: {}, ingress: [{ toPorts: [{ ports: Array.from({ length: 41 }, (_, i) => ({ port: String(8000 + i), protocol: 'TCP' })) }] }] },
  }))],
  // across the clusters of an app
  'duplicate-cluster-name': [inApp((app) => {
    new KindCiliumCluster(app, 'first', { clusterName: 'dev' });
    new KindCiliumCluster(app, 'second', { clusterName: 'dev' });
  })],
  'pools-overlap-across-clusters': [inApp((app) => {
    pool(new KindCiliumCluster(app, 'a', { clusterName: 'a' }), 'pool', '172.18.255.0/28');
    pool(new KindCiliumCluster(app, 'b', { clusterName: 'b' }), 'pool', '172.18.255.0/29');
  })],
  // Cluster Mesh
  'mesh-apiserver-unreachable': [
    inMeshMember({ l2Announcements: { enabled: false } }),
    // as applied: the mesh pool patched to select other Services leaves the apiserver pending
    inApp((app) => (meshOf(app).members[0].node.findChild('mesh-pool') as LoadBalancerIpPool).apiObject
      .addJsonPatch(JsonPatch.add('/spec/serviceSelector', { matchLabels: { app: 'web' } }))),
  ],
  'mesh-values-contradicted': [inMeshMember({ ciliumValuesOverrides: { clustermesh: { config: { enabled: false } } } }), inMeshMember({ ciliumValuesOverrides: { tls: { ca: { key: 'a2V5' } } } })],
  'mesh-name-taken': [inApp((app) => meshOf(app, {}, 'a'))],
  'mesh-cluster-name-mismatch': [inApp((app) => meshOf(app, { ciliumCluster: { name: 'other' } }))],
  'mesh-cluster-id-out-of-range': [inApp((app) => meshOf(app, { ciliumCluster: { id: 0 } })), inApp((app) => meshOf(app, { ciliumCluster: { maxConnectedClusters: 511 } }))],
  'mesh-duplicate-cluster-id': [inApp((app) => {
    const mesh = new ClusterMesh(app, 'm', { name: 'm' });
    mesh.addCluster({ clusterName: 'a', ciliumCluster: { id: 5 } });
    mesh.addCluster({ clusterName: 'b', ciliumCluster: { id: 5 } });
  })],
  'mesh-duplicate-cluster-name': [inApp((app) => meshOf(app, { ciliumCluster: { name: 'b' } }))],
  'mesh-subnets-overlap': [inApp((app) => {
    const mesh = new ClusterMesh(app, 'm', { name: 'm' });
    mesh.addCluster({ clusterName: 'a', serviceSubnet: '10.50.0.0/16' });
    mesh.addCluster({ clusterName: 'b', podSubnet: '10.50.0.0/16' });
  })],
  'mesh-docker-network-mismatch': [inApp((app) => {
    const mesh = new ClusterMesh(app, 'm', { name: 'm' });
    mesh.addCluster({ clusterName: 'a' });
    mesh.addCluster({ clusterName: 'b', dockerNetworkSubnet: '172.19.0.0/16' });
  })],
  'mesh-routing-mode-mismatch': [inApp((app) => meshOf(app, { routingMode: 'native' })), inApp((app) => meshOf(app, { tunnelProtocol: 'geneve' }))],
  'mesh-native-routing-cidr': [
    inApp((app) => meshOf(app, { routingMode: 'native', ciliumValuesOverrides: { ipv4NativeRoutingCIDR: '10.244.0.0/16' } }).addCluster({ clusterName: 'c', routingMode: 'native' })),
  ],
  'mesh-global-service-mismatch': [inApp((app) => meshOf(app).members.forEach((member, i) => new ApiObject(member, 'global', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: 'mesh-demo', annotations: { 'service.cilium.io/global': 'true' } },
    spec: { selector: { app: 'echo' }, ports: [{ port: 8080 + i }] },
  })))],
  'mesh-policy-unknown-cluster': [inApp((app) => new ApiObject(meshOf(app).members[0], 'cnp', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'p', namespace: 'mesh-demo' },
    spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'z' } }] }] },
  }))],
  'mesh-demo-flow': [inApp((app) => new ApiObject(meshOf(app).members[0], 'deny-clients', {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'deny-clients', namespace: 'mesh-demo' },
    spec: { endpointSelector: { matchLabels: { app: 'echo' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] },
  }))],
  // intended outcomes, as applied (src/outcomes/): faults no fact rule names
  'lb-address-pending': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.250.0/28' }], serviceSelector: { matchLabels: { app: 'other' } } });
    lbService(c, 'web');
  })],
  'lb-address-not-shared': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    pool(c, 'pool', '172.18.250.0/28');
    for (const name of ['web', 'api']) {
      new ApiObject(c, name, {
        apiVersion: 'v1', kind: 'Service', metadata: { name, annotations: { 'lbipam.cilium.io/sharing-key': 'k' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      });
    }
  })],
  'lb-address-not-announced': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', l2Announcements: {} });
    pool(c, 'pool', '172.18.250.0/28');
    new L2AnnouncementPolicy(c, 'l2', { serviceSelector: { matchLabels: { app: 'other' } } });
    lbService(c, 'web');
  })],
  // intended flows (src/outcomes/flows.ts)
  'flow-denied': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new ClusterDefaultDeny(c, 'deny');
    shopWorkload(c, 'web', { allowFromGateway: true });
    shopWorkload(c, 'api', { allowFrom: [{ labels: { app: 'web' } }] });
  })],
  'flow-not-denied': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new ClusterDefaultDeny(c, 'deny');
    new StarWarsDemo(c, 'sw');
    new AppNetworkPolicy(c, 'bypass', { namespace: 'star-wars', appLabels: { class: 'deathstar' }, allowFrom: [{ labels: { class: 'tiefighter' } }] });
  })],
  'gateway-backend-denied': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', hostPortMappings: GATEWAY_PORTS });
    new ClusterDefaultDeny(c, 'deny');
    pool(c, 'pool', '172.18.255.0/28');
    const api = shopWorkload(c, 'api', { createNamespace: true, allowFrom: [{ labels: { app: 'web' } }] });
    gateway(c).addHttpRoute('api', { namespace: 'shop', hostnames: ['api.localhost'], backend: api.backend });
  })],
  // stated outcomes (src/outcomes/expectations.ts)
  'expected-flow-failed': [inApp((app) => {
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new ClusterDefaultDeny(c, 'deny');
    shopWorkload(c, 'web', { networkPolicy: 'none' });
    shopWorkload(c, 'api', { networkPolicy: 'none' });
    new ExpectFlow(c, 'web-to-api', { from: { namespace: 'shop', labels: { app: 'web' } }, to: { namespace: 'shop', labels: { app: 'api' } }, port: 8080, expect: 'allowed' });
  })],
  'expected-url-failed': [inApp((app) => withGateway(app, (g, c) => {
    webService(c, 'gateway');
    g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
    new ExpectUrl(c, 'shop', { url: 'https://shop.localhost:30443/' });
  }))],
  // intended outcomes: "kubectl apply" of the bundle (src/outcomes/objects.ts)
  'namespace-not-created': [inApp((app) => new ApiObject(new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }), 'svc', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'nowhere' }, spec: { ports: [{ port: 80 }] },
  }))],
  'crd-not-installed': [inApp((app) => new ApiObject(new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }), 'route', {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'route', namespace: 'default' }, spec: {},
  }))],
  'node-config-overrides-helm': [inApp((app) => new ApiObject(new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }), 'cnc', {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNodeConfig', metadata: { name: 'x', namespace: 'kube-system' }, spec: { nodeSelector: {}, defaults: { 'enable-policy': 'never' } },
  }))],
  'object-replaces-system-object': [inApp((app) => new ApiObject(new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }), 'svc', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { ports: [{ port: 443 }] },
  }))],
  'pod-security-refused': [inApp((app) => {
    const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new ApiObject(cluster, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    new ApiObject(cluster, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'nginx:1.29.4' }] } });
  })],
  'duplicate-object-names': [inApp((app) => {
    const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    for (const id of ['one', 'two']) new ApiObject(cluster, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' } });
  })],
};

const CASES = Object.entries(FAILING_CASES).flatMap(([id, cases]) => cases.map((c, i) => ({ id, level: c.level, n: i + 1, build: c.build })));

test('the table covers exactly the registered ids, one case or more each', () => {
  expect(Object.keys(FAILING_CASES).sort()).toEqual(registeredRuleIds());
  for (const [id, cases] of Object.entries(FAILING_CASES)) expect([id, cases.length > 0]).toEqual([id, true]);
});

test('an id emitted by a cluster rule has a cluster case, by an app rule an app case', () => {
  const needed = (rules: readonly (ClusterRule | AppRule)[], level: Level) => rules.flatMap((r) => r.emits.map((id) => `${level} ${id}`));
  const have = new Set(CASES.map((c) => `${c.level} ${c.id}`));
  for (const key of [...needed(CLUSTER_RULES, 'cluster'), ...needed(APP_RULES, 'app')]) expect([key, have.has(key)]).toEqual([key, true]);
});

/** Runs `fn` with an App writing into a fresh temporary directory (never the repo's dist/). */
function withTmpApp<T>(fn: (app: App) => T): T {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-rule-'));
  try {
    return fn(new App({ outdir }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

test.each(CASES)('$id ($level case $n) is reported with a field and a fix the message names', ({ id, build }) => {
  const found = withTmpApp(build).filter((v) => v.rule === id);
  expect([id, found.length > 0]).toEqual([id, true]);
  for (const v of found) {
    expect(v.field.trim()).not.toBe('');
    expect(v.problem.trim()).not.toBe('');
    expect(v.fix.trim()).not.toBe('');
    expect(formatViolation(v).startsWith(`${v.field}: `)).toBe(true);
    expect(formatViolation(v)).toContain(`Fix: ${v.fix}`);
  }
});

const APP_CASES = CASES.filter((c) => c.level === 'app');

test('every app-level id has an app case', () => {
  const appIds = [
    ...APP_RULES.flatMap((r) => r.emits), ...MESH_FLEET_RULES.flatMap((r) => r.emits), ...OUTCOME_RULES.flatMap((r) => r.emits), ...OBJECT_RULE_IDS,
  ];
  expect([...new Set(APP_CASES.map((c) => c.id))].sort()).toEqual([...new Set(appIds)].sort());
});

test.each(APP_CASES)('app.synth() runs the app-level rules: the $id case fails it, and the clusters alone pass', ({ id, build }) => {
  withTmpApp((app) => {
    const clash = build(app).find((v) => v.rule === id)!;
    for (const cluster of app.node.children.filter(KindCiliumCluster.isKindCiliumCluster)) {
      expect([cluster.node.path, cluster.violations()]).toEqual([cluster.node.path, []]);
    }
    expect(() => app.synth()).toThrow(formatViolation(clash));
    expect(fs.readdirSync(app.outdir)).toEqual([]);
  });
});

test('Testing.synth(chart) runs the app-level rules too', () => {
  const app = Testing.app();
  const a = new KindCiliumCluster(app, 'a', { clusterName: 'a' });
  const b = new KindCiliumCluster(app, 'b', { clusterName: 'b' });
  pool(a, 'pool', '172.18.255.0/28');
  expect(() => Testing.synth(a)).not.toThrow();
  new LoadBalancerIpPool(b, 'pool', { blocks: [{ start: '172.18.255.4', stop: '172.18.255.6' }] });
  const [clash] = configError(() => validateApp(app)).violations;
  expect(clash.rule).toBe('pools-overlap-across-clusters');
  expect(() => Testing.synth(a)).toThrow(formatViolation(clash));
});

describe('the registry refuses a violation id its rule does not declare', () => {
  /** Registers `rule` in `rules` for the duration of `fn` (the registry arrays are readonly only in type). */
  function withRule<R>(rules: readonly R[], rule: R, fn: () => void): void {
    const list = rules as R[];
    list.push(rule);
    try {
      fn();
    } finally {
      list.splice(list.indexOf(rule), 1);
    }
  }
  const stray: Violation = { rule: 'not-declared', field: 'dev', problem: 'p', fix: 'f' };

  test('a cluster rule', () => {
    const model = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' }).model();
    const before = CLUSTER_RULES.length;
    withRule<ClusterRule>(CLUSTER_RULES, { id: 'fake', emits: ['fake'], summary: 'test', check: () => [stray] }, () => {
      expect(() => checkPlatform(model)).toThrow('internal: rule fake emitted "not-declared", which it does not declare in emits');
    });
    withRule<ClusterRule>(CLUSTER_RULES, { id: 'fake', emits: ['not-declared'], summary: 'test', check: () => [stray] }, () => {
      expect(checkPlatform(model)).toEqual([stray]);
    });
    expect(CLUSTER_RULES.length).toBe(before);
  });

  test('an app rule', () => {
    const model = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' }).model();
    const before = APP_RULES.length;
    withRule<AppRule>(APP_RULES, { id: 'fake-app', emits: [], summary: 'test', check: () => [stray] }, () => {
      expect(() => checkAcrossClusters([model])).toThrow('internal: rule fake-app emitted "not-declared", which it does not declare in emits');
    });
    expect(APP_RULES.length).toBe(before);
    expect(checkAcrossClusters([model])).toEqual([]);
  });
});
