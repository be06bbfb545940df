import { execFileSync } from 'child_process';
import * as path from 'path';
import { App } from 'cdk8s';
import { formatUpgradeView, LocalGateway, meshPlatform, upgradeView, VersionOptions, zeroTrustPlatform } from '../../src';

/** zero-trust plus a route whose backend lives in another namespace (so a ReferenceGrant is written). */
function build(app: App, ciliumVersion: string, ciliumValuesOverrides: Record<string, unknown> = {}, versions: VersionOptions = {}): void {
  const cluster = zeroTrustPlatform(app, { ciliumVersion, ciliumValuesOverrides, versions });
  (cluster.node.findChild('gateway') as LocalGateway).addHttpRoute('api', { namespace: 'routes', backend: { name: 'api', port: 80, namespace: 'apps' } });
}

test('1.18 -> 1.20: versions, chart config, apiVersions and the Gateway API CRDs to install first', () => {
  const view = upgradeView(build, '1.18.12', '1.20.0');
  const [zt] = view.clusters;
  expect([zt.versions.from?.cilium, zt.versions.to?.cilium, zt.versions.from?.gatewayApi, zt.versions.to?.gatewayApi]).toEqual(['1.18.12', '1.20.0', 'v1.3.0', 'v1.6.1']);
  expect(zt.apiVersionsChanged).toEqual([{
    object: 'ReferenceGrant apps/httproute-routes-api', from: 'gateway.networking.k8s.io/v1beta1', to: 'gateway.networking.k8s.io/v1',
  }]);
  expect(zt.gatewayApiCrdsFirst).toEqual(['https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml']);
  expect(zt.chartConfigChanged).toContainEqual({ key: 'bpf-lb-sock-hostns-only', from: '(chart default)', to: '"true"' });
  expect(zt.violations).toEqual({ from: [], to: [] });
  expect(view.appViolations).toEqual({ from: [], to: [] });
});

test('values keys added, removed and changed are flattened dotted paths; each side keeps its violations', () => {
  const view = upgradeView((app, v) => build(app, v, v.startsWith('1.18.') ? { nodePort: { enabled: true }, operator: { rollOutPods: true } } : { operator: { rollOutPods: false }, bpf: { hostLegacyRouting: true } }), '1.18.12', '1.19.6');
  const [zt] = view.clusters;
  expect(zt.valuesAdded).toEqual(['bpf.hostLegacyRouting']);
  expect(zt.valuesRemoved).toEqual(['nodePort.enabled']);
  expect(zt.valuesChanged).toEqual([{ key: 'operator.rollOutPods', from: 'true', to: 'false' }]);
  expect(zt.violations.from).toEqual([]);
  // the same nodePort override on 1.19 would be a violation; an invalid side is reported, never thrown
  const broken = upgradeView((app, v) => build(app, v, { nodePort: { enabled: true } }), '1.18.12', '1.19.6');
  expect(broken.clusters[0].violations.to.map((x) => x.rule)).toEqual(['helm-value-removed-in-minor']);
  const line = formatUpgradeView(broken).find((l) => l.startsWith('    helm-value-removed-in-minor zero-trust.ciliumValues.nodePort.enabled: '));
  expect(line).toBeDefined();
  const [v] = broken.clusters[0].violations.to;
  expect(line).toBe(`    helm-value-removed-in-minor zero-trust.ciliumValues.nodePort.enabled: ${v.problem}. Fix: ${v.fix}`);
  expect(v.problem.length).toBeGreaterThan(0);
  expect(v.fix.length).toBeGreaterThan(0);
});

test('a version the matrix refuses is listed as a violation of that side', () => {
  const view = upgradeView(build, '1.20.0', '1.21.0');
  expect(view.clusters.map((c) => c.name)).toEqual(['zero-trust']);
  expect(view.appViolations.to.map((v) => [v.rule, v.field])).toEqual([['cilium-version-unsupported', 'zero-trust.ciliumVersion']]);
});

test('1.20 -> the 1.21 preview (opted in): the chart\'s new config entry, no values or apiVersion change, and the pre-release note', () => {
  const view = upgradeView((app, v) => build(app, v, {}, { allowPreRelease: true }), '1.20.0', '1.21.0-pre.0');
  const [zt] = view.clusters;
  expect([zt.versions.from?.cilium, zt.versions.to?.cilium, zt.versions.to?.gatewayApi]).toEqual(['1.20.0', '1.21.0-pre.0', 'v1.6.1']);
  expect([zt.valuesAdded, zt.valuesRemoved, zt.valuesChanged, zt.apiVersionsChanged, zt.gatewayApiCrdsFirst]).toEqual([[], [], [], [], []]);
  expect(zt.chartConfigChanged).toEqual([{ key: 'enable-network-driver', from: '(chart default)', to: '"false"' }]);
  expect(zt.notes).toEqual([
    'Cilium 1.21.0-pre.0 is a development pre-release (cilium/charts commit 009b5e95 "Add cilium v1.21.0-pre.0@e864986" (2026-08-03), '
    + 'cilium-1.21.0-pre.0.tgz, built from cilium main ("Prepare for release v1.21.0-pre.0")), opted in with versions.allowPreRelease',
  ]);
  expect(zt.violations).toEqual({ from: [], to: [] });
  expect(formatUpgradeView(view)).toContain('  notes:');
});

test('1.20 -> the 1.21 preview without the opt-in: that side lists cilium-pre-release-not-allowed with its fix', () => {
  const view = upgradeView(build, '1.20.0', '1.21.0-pre.0');
  expect(view.appViolations.to.map((v) => [v.rule, v.field, v.fix])).toEqual([
    ['cilium-pre-release-not-allowed', 'zero-trust.ciliumVersion', "set versions.allowPreRelease: true, or ciliumVersion: '1.20.0'"],
  ]);
});

test('a mesh 1.20 -> the 1.21 preview: the note says where the peer addresses move (pods\' hostAliases -> the mesh Secrets)', () => {
  const view = upgradeView((app, ciliumVersion) => meshPlatform(app, { ciliumVersion, versions: { allowPreRelease: true } }), '1.20.0', '1.21.0-pre.0');
  for (const c of view.clusters) {
    expect(c.notes).toContain('Cluster Mesh peer addresses: the chart writes them to the cilium-host-aliases block of the cilium-clustermesh / '
      + 'cilium-kvstoremesh Secret entries only (no longer to the pods\' hostAliases)');
    expect(c.violations).toEqual({ from: [], to: [] });
  }
  // 1.19 -> 1.20 adds the Secret block next to the pods' hostAliases
  const earlier = upgradeView((app, ciliumVersion) => meshPlatform(app, { ciliumVersion }), '1.19.6', '1.20.0');
  expect(earlier.clusters[0].notes).toEqual(['Cluster Mesh peer addresses: the chart writes them to the pods\' hostAliases and the '
    + 'cilium-host-aliases block of the cilium-clustermesh / cilium-kvstoremesh Secret entries']);
  // a single cluster is no mesh member: no mesh note
  expect(upgradeView(build, '1.19.6', '1.20.0').clusters[0].notes).toEqual([]);
});

test('scripts/upgrade-view.js --allow-pre-release opts every cluster of the preset in to the preview', () => {
  const script = path.resolve(__dirname, '../../scripts/upgrade-view.js');
  const out = execFileSync(process.execPath, [script, 'mesh', '1.20.0', '1.21.0-pre.0', '--allow-pre-release'], { encoding: 'utf8' });
  expect(out.split('\n').slice(0, 3)).toEqual(['Cilium 1.20.0 -> 1.21.0-pre.0', 'cluster mesh-east', '  cilium: 1.20.0 -> 1.21.0-pre.0']);
  expect(out).not.toContain('cilium-pre-release-not-allowed');
  const refused = execFileSync(process.execPath, [script, 'zero-trust', '1.20.0', '1.21.0-pre.0'], { encoding: 'utf8' });
  expect(refused).toContain('cilium-pre-release-not-allowed');
  expect(refused).toContain('--allow-pre-release');
}, 120_000);

test('scripts/upgrade-view.js usage names the presets it takes (the mesh included)', () => {
  let stderr = '';
  try {
    execFileSync(process.execPath, [path.resolve(__dirname, '../../scripts/upgrade-view.js'), 'nope', '1.18.12', '1.20.0'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    stderr = String((e as { stderr?: string }).stderr);
    expect((e as { status?: number }).status).toBe(2);
  }
  expect(stderr).toContain('<dns-hubble|kpr-native|native-xdp|zero-trust|mesh>');
});

test('the mesh preset rehearses an upgrade of every member together', () => {
  const view = upgradeView((app, ciliumVersion) => meshPlatform(app, { ciliumVersion }), '1.18.12', '1.20.0');
  expect(view.clusters.map((c) => [c.name, c.versions.from?.cilium, c.versions.to?.cilium])).toEqual([
    ['mesh-east', '1.18.12', '1.20.0'], ['mesh-west', '1.18.12', '1.20.0'],
  ]);
});

test('scripts/upgrade-view.js prints the view of a preset', () => {
  const out = execFileSync(process.execPath, [path.resolve(__dirname, '../../scripts/upgrade-view.js'), 'zero-trust', '1.18.12', '1.20.0'], { encoding: 'utf8' });
  expect(out.split('\n').slice(0, 6)).toEqual([
    'Cilium 1.18.12 -> 1.20.0', 'cluster zero-trust', '  cilium: 1.18.12 -> 1.20.0', '  gatewayApi: v1.3.0 -> v1.6.1',
    '  kindRelease: v0.32.0 -> v0.33.0', '  kubernetes: 1.33.12 -> 1.36.4',
  ]);
  expect(out).toContain('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml');
}, 60_000);
