import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { formatUpgradeView, LocalGateway, meshPlatform, upgradeView, VersionOptions, zeroTrustPlatform } from '../../src';
import { CILIUM_MINOR_FACTS } from '../../src/spec/version-matrix';

/** zero-trust plus a route to its nginx from another namespace (so a ReferenceGrant is written). */
function build(app: App, ciliumVersion: string, ciliumValuesOverrides: Record<string, unknown> = {}, versions: VersionOptions = {}): void {
  const cluster = zeroTrustPlatform(app, { ciliumVersion, ciliumValuesOverrides, versions });
  new ApiObject(cluster, 'routes-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'routes' } });
  (cluster.node.findChild('gateway') as LocalGateway).addHttpRoute('api', { namespace: 'routes', backend: { name: 'nginx', port: 80, namespace: 'demo' } });
}

test('1.18 -> 1.20: versions, chart config, apiVersions and the Gateway API CRDs to install first', () => {
  const view = upgradeView(build, '1.18.12', '1.20.0');
  const [zt] = view.clusters;
  expect([zt.versions.from?.cilium, zt.versions.to?.cilium, zt.versions.from?.gatewayApi, zt.versions.to?.gatewayApi]).toEqual(['1.18.12', '1.20.0', 'v1.3.0', 'v1.6.1']);
  expect(zt.apiVersionsChanged).toEqual([{
    object: 'ReferenceGrant demo/httproute-routes-api', from: 'gateway.networking.k8s.io/v1beta1', to: 'gateway.networking.k8s.io/v1',
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
  expect(zt.notes.map((n) => n.text)).toEqual([
    'Cilium 1.21.0-pre.0 is a development pre-release (cilium/charts commit 009b5e95 "Add cilium v1.21.0-pre.0@e864986" (2026-08-03), '
    + 'cilium-1.21.0-pre.0.tgz, built from cilium main ("Prepare for release v1.21.0-pre.0")), opted in with versions.allowPreRelease',
  ]);
  expect(zt.violations).toEqual({ from: [], to: [] });
  expect(formatUpgradeView(view)).toContain('  before you upgrade:');
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
    expect(c.notes.map((n) => n.text)).toContain('Cluster Mesh peer addresses: the chart writes them to the cilium-host-aliases block of the cilium-clustermesh / '
      + 'cilium-kvstoremesh Secret entries only (no longer to the pods\' hostAliases)');
    expect(c.violations).toEqual({ from: [], to: [] });
  }
  // 1.19 -> 1.20 adds the Secret block next to the pods' hostAliases
  const earlier = upgradeView((app, ciliumVersion) => meshPlatform(app, { ciliumVersion }), '1.19.6', '1.20.0');
  expect(earlier.clusters[0].notes.map((n) => n.text)).toContain('Cluster Mesh peer addresses: the chart writes them to the pods\' hostAliases and the '
    + 'cilium-host-aliases block of the cilium-clustermesh / cilium-kvstoremesh Secret entries');
  // a single cluster is no mesh member: no mesh note
  expect(upgradeView(build, '1.19.6', '1.20.0').clusters[0].notes.filter((n) => n.id === 'mesh-peer-addresses-move')).toEqual([]);
});

test('scripts/upgrade-view.js --allow-pre-release opts every cluster of the preset in to the preview', () => {
  const script = path.resolve(__dirname, '../../scripts/upgrade-view.js');
  const out = execFileSync(process.execPath, [script, 'mesh', '1.20.0', '1.21.0-pre.0', '--allow-pre-release'], { encoding: 'utf8' });
  expect(out.split('\n').slice(0, 3)).toEqual(['Cilium 1.20.0 -> 1.21.0-pre.0', 'cluster mesh-east', '  cilium: 1.20.0 -> 1.21.0-pre.0']);
  expect(out).not.toContain('cilium-pre-release-not-allowed');
  const refused = spawnSync(process.execPath, [script, 'zero-trust', '1.20.0', '1.21.0-pre.0'], { encoding: 'utf8' });
  expect(refused.status).toBe(1);
  expect(refused.stdout).toContain('cilium-pre-release-not-allowed');
  expect(refused.stdout).toContain('--allow-pre-release');
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

describe('notes: what the user must do besides helm upgrade', () => {
  // Every minor's latest patch the preset builds on as it is (a pre-release row may need more than a version).
  const latest = CILIUM_MINOR_FACTS.map((f) => f.latestPatch).filter((v) => upgradeView(build, v, v).valid);
  const pairs = latest.flatMap((from) => latest.filter((to) => to !== from).map((to) => [from, to] as const));

  test.each(pairs)('%s -> %s: "recreate the cluster" exactly when the kind node image changes', (from, to) => {
    const [zt] = upgradeView(build, from, to).clusters;
    const note = zt.notes.find((n) => n.id === 'recreate-cluster');
    expect(note !== undefined).toBe(zt.versions.from!.kindNodeImage !== zt.versions.to!.kindNodeImage);
    if (note) {
      expect(note.text).toContain(`${zt.versions.from!.kubernetes} -> ${zt.versions.to!.kubernetes}`);
      expect(note.text).toContain('bash dist/zero-trust/teardown.sh');
      expect(note.text).toContain('bash dist/zero-trust/apply.sh');
    }
  });

  test.each(pairs)('%s -> %s: safe-upgrades blocks going back below the policy\'s floor, and only then', (from, to) => {
    const [zt] = upgradeView(build, from, to).clusters;
    const note = zt.notes.find((n) => n.id === 'gateway-api-downgrade-blocked');
    // Only Gateway API v1.6.1 installs the policy, and it refuses bundle versions v0.x and v1.0-v1.5.
    const blocked = zt.versions.from!.gatewayApi === 'v1.6.1' && ['v1.3.0', 'v1.4.1'].includes(zt.versions.to!.gatewayApi);
    expect(note !== undefined).toBe(blocked);
    if (note) {
      expect(note.text).toContain('ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io');
      expect(note.text).toContain(`${zt.versions.to!.gatewayApi}`);
      expect(note.text).toContain('kubectl --context kind-zero-trust delete validatingadmissionpolicy,validatingadmissionpolicybinding safe-upgrades.gateway.networking.k8s.io');
    }
  });

  test.each(pairs)('%s -> %s: a skipped Cilium minor is named with the path through each minor', (from, to) => {
    const [zt] = upgradeView(build, from, to).clusters;
    const note = zt.notes.find((n) => n.id === 'cilium-minors-skipped');
    const [i, j] = [latest.indexOf(from), latest.indexOf(to)];
    expect(note !== undefined).toBe(Math.abs(i - j) > 1);
    if (note) {
      const route = (i < j ? latest.slice(i, j + 1) : latest.slice(j, i + 1).reverse()).join(' -> ');
      expect(note.text).toContain(route);
    }
  });

  test('the notes are printed under the versions', () => {
    const lines = formatUpgradeView(upgradeView(build, '1.20.0', '1.18.12'));
    const at = lines.indexOf('  before you upgrade:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1).filter((l) => l.startsWith('    ')).length).toBeGreaterThanOrEqual(3);
  });

  test('no view of an app without Gateway names the Gateway API policy', () => {
    const view = upgradeView((app, ciliumVersion) => meshPlatform(app, { ciliumVersion }), '1.20.0', '1.18.12');
    expect(view.clusters.flatMap((c) => c.notes.map((n) => n.id))).not.toContain('gateway-api-downgrade-blocked');
  });
});

describe('validity and the script\'s exit code', () => {
  const script = path.resolve(__dirname, '../../scripts/upgrade-view.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

  test('a view with a violation on either side is not valid', () => {
    expect(upgradeView(build, '1.18.12', '1.20.0').valid).toBe(true);
    expect(upgradeView(build, '1.20.0', '1.17.3').valid).toBe(false);
    expect(upgradeView(build, 'nope', '1.20.0').valid).toBe(false);
    expect(upgradeView((app, v) => build(app, v, { nodePort: { enabled: true } }), '1.18.12', '1.19.6').valid).toBe(false);
  });

  test.each([['1.20.0', '1.17.3'], ['v1.20', '1.20.0'], ['1.18.12', 'latest']])('%s -> %s: the view is printed and the script exits 1', (from, to) => {
    const r = run('zero-trust', from, to);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`Cilium ${from} -> ${to}`);
    expect(r.stdout).toContain('cilium-version-unsupported');
    expect(r.stderr).toContain('upgrade-view: not a valid upgrade');
  }, 60_000);
});
