import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { addAllPresets, BUNDLE_VERSION, BundleFile, renderBundle } from '../../src';
import { DEFAULT_CERT_MANAGER_VERSION, DEFAULT_CILIUM_VERSION, kindReleaseOf } from '../../src/spec/version-matrix';
import { describeWithReference } from '../support/reference';
import { validateBundleFile } from '../support/reference-schemas';

const ROOT = path.resolve(__dirname, '../..');

function render(): BundleFile[] {
  const app = new App();
  addAllPresets(app);
  return renderBundle(app);
}

const files = render();
const byPath = new Map(files.map((f) => [f.path, f.content]));
const read = (p: string) => {
  const content = byPath.get(p);
  if (content === undefined) throw new Error(`bundle has no ${p}`);
  return content;
};
const manifests = (cluster: string): any[] => YAML.parseAllDocuments(read(`dist/${cluster}/${cluster}.k8s.yaml`)).map((d) => d.toJS());
const kind = (cluster: string): any => YAML.parse(read(`kind/${cluster}.yaml`));
const values = (cluster: string): any => YAML.parse(read(`cilium-values/${cluster}.yaml`));
const find = (cluster: string, k: string, name?: string) =>
  manifests(cluster).filter((o) => o.kind === k && (name === undefined || o.metadata.name === name));

const PRESETS = ['dns-hubble', 'kpr-native', 'mesh-east', 'mesh-west', 'native-xdp', 'zero-trust'];

describe('default bundle (all presets)', () => {
  test('has the expected files', () => {
    expect(files.map((f) => f.path)).toEqual([
      ...PRESETS.map((c) => `cilium-values/${c}.yaml`),
      'dist/bundle.json',
      ...PRESETS.flatMap((c) => [`dist/${c}/apply.sh`, `dist/${c}/${c}.k8s.yaml`, `dist/${c}/kustomization.yaml`, `dist/${c}/platform.md`,
        `dist/${c}/preflight.sh`, `dist/${c}/teardown.sh`, `dist/${c}/verify.sh`]),
      ...PRESETS.map((c) => `kind/${c}.yaml`),
      ...['apply.sh', 'platform.md', 'preflight.sh', 'shared-ca.sh', 'teardown.sh', 'verify.sh'].map((f) => `dist/mesh/${f}`),
    ].sort());
  });

  // Guard against any unintended change; `npx projen test:update` rewrites on purpose. `npm test` never writes.
  test.each(files.map((f) => f.path))('snapshot %s', (p) => {
    expect(read(p)).toMatchSnapshot();
  });

  test('the committed bundle equals a fresh render (GitOps freshness)', () => {
    for (const f of files) {
      const onDisk = path.join(ROOT, f.path);
      expect(fs.existsSync(onDisk) ? fs.readFileSync(onDisk, 'utf8') : `<missing ${f.path}>`).toBe(f.content);
    }
  });

  test('rendering twice is byte-identical', () => {
    expect(render()).toEqual(files);
  });

  test('every object carries the bundle labels', () => {
    for (const cluster of PRESETS) {
      for (const o of manifests(cluster)) {
        expect(o.metadata.labels).toMatchObject({
          'app.kubernetes.io/part-of': 'cdk8s-kind-cilium',
          'app.kubernetes.io/version': BUNDLE_VERSION,
          'app.kubernetes.io/managed-by': 'cdk8s-kind-cilium',
        });
      }
    }
  });

  test('BUNDLE_VERSION equals the package version', () => {
    expect(BUNDLE_VERSION).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  test('bundle.json lists every other file with its sha256, and the apply order', () => {
    const index = JSON.parse(read('dist/bundle.json'));
    const expected = files.filter((f) => f.path !== 'dist/bundle.json')
      .map((f) => ({ path: f.path, sha256: createHash('sha256').update(f.content).digest('hex') }));
    expect(index.files).toEqual(expected);
    const zt = index.clusters.find((c: any) => c.name === 'zero-trust');
    expect(zt.applyOrder.map((s: any) => s.id)).toEqual(['kind', 'gateway-api-crds', 'cilium', 'cert-manager', 'bundle']);
    // The defaults of the version matrix: Cilium 1.20.0 with its Gateway API pair, on kind v0.33's Kubernetes 1.36.4 image
    // (the newest patch inside 1.20's tested range; kind v0.33's own default, 1.37.0, is outside it).
    expect(zt.versions).toEqual({
      cilium: DEFAULT_CILIUM_VERSION,
      gatewayApi: 'v1.6.1',
      certManager: DEFAULT_CERT_MANAGER_VERSION,
      kindRelease: 'v0.33.0',
      kindNodeImage: kindReleaseOf('v0.33')!.images.find((i) => i.kubernetes === '1.36.4')!.image,
      kubernetes: '1.36.4',
    });
    expect(DEFAULT_CILIUM_VERSION).toBe('1.20.0');
    expect(zt.versions.kindNodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/);
    // 1.20 needs no experimental CRD: Gateway API v1.6.1's standard install serves TLSRoute v1.
    expect(Object.keys(zt.installSources).filter((k) => k.startsWith('gatewayApi'))).toEqual(['gatewayApiStandardCrds']);
    expect(zt.loadBalancerPoolAddresses).toBe(50);
    const plain = index.clusters.find((c: any) => c.name === 'native-xdp');
    expect(plain.applyOrder.map((s: any) => s.id)).toEqual(['kind', 'cilium', 'bundle']);
  });

  test('apply.sh runs the plan in order: kind, Gateway API CRDs, Cilium, cert-manager, bundle', () => {
    const script = read('dist/zero-trust/apply.sh');
    const at = (s: string) => {
      const i = script.indexOf(s);
      expect(i).toBeGreaterThan(-1);
      return i;
    };
    const order = [
      at('kind create cluster --config kind/zero-trust.yaml'),
      at('gateway-api/releases/download/v1.6.1/standard-install.yaml'),
      at('helm upgrade --install cilium cilium/cilium --kube-context kind-zero-trust --version 1.20.0'),
      at('cert-manager/releases/download/v1.20.4/cert-manager.yaml'),
      at('apply -k dist/zero-trust'),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(script).toContain('set -euo pipefail');
    // The header names every pinned version.
    expect(script).toContain('# Versions: Cilium 1.20.0, Gateway API v1.6.1, cert-manager v1.20.4,');
    expect(script).toMatch(/# {3}kind v0\.33\.0 node image kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64} \(Kubernetes 1\.36\.4\)/);
    expect(script).not.toContain('experimental/');
  });

  test('kustomization lists the manifests of its cluster', () => {
    for (const cluster of PRESETS) {
      expect(YAML.parse(read(`dist/${cluster}/kustomization.yaml`))).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [`${cluster}.k8s.yaml`],
      });
    }
  });
});

describe('preset 1: dns-hubble', () => {
  test('4 nodes, custom DNS domain, subnets and Hubble agree across kind and Cilium', () => {
    const k = kind('dns-hubble');
    expect(k.nodes.map((n: any) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker']);
    expect(k.networking).toMatchObject({ podSubnet: '10.10.0.0/16', serviceSubnet: '10.11.0.0/16', disableDefaultCNI: true, kubeProxyMode: 'none' });
    expect(k.kubeadmConfigPatches.map((p: string) => YAML.parse(p))).toEqual([
      { kind: 'ClusterConfiguration', networking: { dnsDomain: 'cluster.internal' } },
      { kind: 'KubeletConfiguration', clusterDomain: 'cluster.internal' },
    ]);
    const v = values('dns-hubble');
    expect(v.hubble).toMatchObject({ enabled: true, relay: { enabled: true }, ui: { enabled: true }, peerService: { clusterDomain: 'cluster.internal' } });
    expect(Array.isArray(v.hubble.metrics.enabled)).toBe(true);
    expect(v.l2announcements).toMatchObject({ enabled: true });
    expect(v.k8sServiceHost).toBe('dns-hubble-control-plane');
    expect(find('dns-hubble', 'Service', 'nginx')[0].spec.type).toBe('LoadBalancer');
  });
});

describe('preset 2: kpr-native', () => {
  test('2 nodes, kube-proxy free, native routing over the pod subnet, L2 announcements', () => {
    const k = kind('kpr-native');
    expect(k.nodes).toHaveLength(2);
    expect(k.networking.kubeProxyMode).toBe('none');
    const v = values('kpr-native');
    expect(v).toMatchObject({
      kubeProxyReplacement: true,
      k8sServiceHost: 'kpr-native-control-plane',
      k8sServicePort: 6443,
      routingMode: 'native',
      ipv4NativeRoutingCIDR: k.networking.podSubnet,
      autoDirectNodeRoutes: true,
    });
    const [l2] = find('kpr-native', 'CiliumL2AnnouncementPolicy');
    expect(l2.apiVersion).toBe('cilium.io/v2alpha1');
    expect(l2.spec.interfaces).toEqual(['^eth0$']);
    expect(v.devices).toEqual(['eth0']);
  });
});

describe('preset 3: native-xdp', () => {
  test('3 nodes, native routing, bpf masquerade with ip-masq-agent, XDP acceleration', () => {
    expect(kind('native-xdp').nodes).toHaveLength(3);
    const v = values('native-xdp');
    expect(v.bpf).toEqual({ masquerade: true });
    expect(v.ipMasqAgent.enabled).toBe(true);
    expect(v.ipMasqAgent.config.nonMasqueradeCIDRs).toContain(v.ipv4NativeRoutingCIDR);
    expect(v.loadBalancer.acceleration).toBe('native');
    expect(find('native-xdp', 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['deathstar', 'tiefighter', 'xwing']);
  });
});

describe('preset 4: zero-trust', () => {
  test('Gateway API on, NodePorts published on 127.0.0.1 and pinned on the Gateway Service', () => {
    const v = values('zero-trust');
    expect(v.gatewayAPI).toEqual({ enabled: true });
    const mappings = kind('zero-trust').nodes[0].extraPortMappings;
    expect(mappings).toEqual([
      { containerPort: 30080, hostPort: 30080, listenAddress: '127.0.0.1', protocol: 'TCP' },
      { containerPort: 30443, hostPort: 30443, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]);
    const [svc] = find('zero-trust', 'Service', 'cilium-gateway-local');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p: any) => p.nodePort).sort()).toEqual([30080, 30443]);
    const [gw] = find('zero-trust', 'Gateway');
    expect(gw.spec.gatewayClassName).toBe('cilium');
    expect(gw.spec.listeners.find((l: any) => l.protocol === 'HTTPS').tls.mode).toBe('Terminate');
  });

  test('pool is v2 with blocks inside the docker network; default deny keeps an ingress and egress section', () => {
    const [pool] = find('zero-trust', 'CiliumLoadBalancerIPPool');
    expect(pool.apiVersion).toBe('cilium.io/v2');
    expect(pool.spec.blocks).toEqual([{ start: '172.18.250.100', stop: '172.18.250.149' }]);
    expect(pool.spec.cidrs).toBeUndefined();
    const [deny] = find('zero-trust', 'CiliumClusterwideNetworkPolicy', 'default-deny');
    expect(deny.spec.enableDefaultDeny).toEqual({ ingress: true, egress: true });
    expect(deny.spec.ingress.length).toBeGreaterThan(0);
    expect(deny.spec.egress.length).toBeGreaterThan(0);
  });

  test('cert-manager chain: selfsigned -> CA certificate -> CA issuer, issuerRef group and kind set', () => {
    const certs = find('zero-trust', 'Certificate');
    for (const c of certs) expect(c.spec.issuerRef).toMatchObject({ group: 'cert-manager.io', kind: 'ClusterIssuer' });
    const ca = certs.find((c) => c.spec.isCA);
    expect(ca.spec.privateKey).toMatchObject({ algorithm: 'ECDSA', size: 256 });
    const issuers = find('zero-trust', 'ClusterIssuer');
    const caIssuer = issuers.find((i) => i.spec.ca);
    expect(caIssuer.spec.ca.secretName).toBe(ca.spec.secretName);
    expect(issuers.find((i) => i.spec.selfSigned).metadata.name).toBe(ca.spec.issuerRef.name);
  });
});

describeWithReference('every synthesized file validates against the upstream reference', ['kind-schema', 'helm-values', 'crds'], () => {
  test.each(files.map((f) => f.path))('%s', (p) => {
    const errors = validateBundleFile(p, read(p));
    if (p.endsWith('.yaml') && !p.endsWith('kustomization.yaml')) expect(errors).toBeDefined();
    expect(errors ?? []).toEqual([]);
  });
});
