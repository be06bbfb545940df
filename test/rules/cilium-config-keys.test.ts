import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementPolicy, LoadBalancerIpPool, renderBundle, Violation } from '../../src';
import { chartConfigKey, CONFIG_SOURCE_OPTIONS, configKeyOfEnv } from '../../src/render/cilium-config-keys';
import { CHART_CILIUM_CONFIG_KEYS } from '../../src/render/cilium-config-keys.generated';
import { CILIUM_MINORS, ciliumMinorFacts } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { refusals } from '../support/config-error';
import { describeWithReference } from '../support/reference';

/**
 * Trust issue 19, point 4, closed for the chart's escape hatches: every cilium-config key the Cilium chart writes
 * (from a Helm key, or a fixed value) set through `extraConfig`, `extraArgs` or `extraEnv` of the agent or the operator
 * is refused (`cilium-config-set-past-helm`), naming the Helm key and the prop that owns it; keys the chart never
 * writes stay the user's. The keys are generated from the chart archives (scripts/cilium-config-keys.js).
 */

const ROOT = path.join(__dirname, '..', '..');
const RULE = 'cilium-config-set-past-helm';
const onMinor = (minor: string) => ciliumVersionProps(ciliumMinorFacts(minor as never).latestPatch);

function violationsOf(overrides: Record<string, unknown>, props: Partial<KindCiliumClusterProps> = {}): Violation[] {
  const app = new App();
  const c = new KindCiliumCluster(app, 'c', { clusterName: 'c', l2Announcements: { enabled: true }, ...props, ciliumValuesOverrides: overrides });
  new LoadBalancerIpPool(c, 'pool');
  new L2AnnouncementPolicy(c, 'l2');
  return refusals(() => renderBundle(app));
}

/** The cilium-config key each channel sets, as a user writes it there. */
const CHANNELS: Record<string, (keys: readonly string[]) => Record<string, unknown>> = {
  'extraConfig': (keys) => ({ extraConfig: Object.fromEntries(keys.map((k) => [k, 'x'])) }),
  // viper lower-cases the keys it reads: an upper-case spelling sets the same key.
  'extraConfig upper case': (keys) => ({ extraConfig: Object.fromEntries(keys.map((k) => [k.toUpperCase(), 'x'])) }),
  'extraArgs --k=v': (keys) => ({ extraArgs: keys.map((k) => `--${k}=x`) }),
  'extraArgs --k v': (keys) => ({ extraArgs: keys.flatMap((k) => [`--${k}`, 'x']) }),
  'operator.extraArgs': (keys) => ({ operator: { extraArgs: keys.map((k) => `--${k}=x`) } }),
  'extraEnv': (keys) => ({ extraEnv: keys.map((k) => ({ name: `CILIUM_${k.toUpperCase().replace(/-/g, '_')}`, value: 'x' })) }),
  'operator.extraEnv': (keys) => ({ operator: { extraEnv: keys.map((k) => ({ name: `CILIUM_${k.toUpperCase().replace(/-/g, '_')}`, value: 'x' })) } }),
};

/** Keys an environment variable can name (CILIUM_<KEY>: dashes become underscores, so a key with a dot cannot be named). */
const envNameable = (k: string) => configKeyOfEnv(`CILIUM_${k.toUpperCase().replace(/-/g, '_')}`) === k;

describe('every chart-written cilium-config key, through every escape hatch, on every minor: refused, naming the Helm key', () => {
  test.each(CILIUM_MINORS.flatMap((minor) => Object.keys(CHANNELS).map((channel) => [minor, channel])))('Cilium %s, %s', (minor, channel) => {
    const written = Object.keys(CHART_CILIUM_CONFIG_KEYS).filter((k) => chartConfigKey(k, minor) && (!channel.includes('Env') || envNameable(k)));
    expect(written.length).toBeGreaterThan(300);
    const found = violationsOf(CHANNELS[channel](written), onMinor(minor)).filter((v) => v.rule === RULE);
    // One violation per key, all reported at once, each naming what the chart writes it from and the fix.
    expect(found.map((v) => /sets the cilium-config key (\S+),/.exec(v.problem)?.[1]).sort()).toEqual([...written].sort());
    for (const v of found) {
      const key = /sets the cilium-config key (\S+),/.exec(v.problem)![1];
      const chart = chartConfigKey(key, minor)!;
      expect(v.field).toMatch(/^c\.ciliumValuesOverrides\.(operator\.)?(extraConfig|extraArgs\[\d+\]|extraEnv\[\d+\]\.name)/);
      for (const p of chart.helmPaths) expect(v.problem).toContain(p);
      for (const o of chart.owners) expect(v.problem).toContain(o.prop);
      expect(v.fix).toMatch(/^remove \S+ from ciliumValuesOverrides and /);
    }
  });

  test.each(Object.keys(CHANNELS).filter((c) => !c.startsWith('extraConfig')))('%s: every option that chooses the configuration\'s source is refused', (channel) => {
    const keys = CONFIG_SOURCE_OPTIONS.filter((k) => !channel.includes('Env') || envNameable(k));
    const found = violationsOf(CHANNELS[channel](keys)).filter((v) => v.rule === RULE);
    expect(found.map((v) => /chooses where Cilium reads its configuration \((\S+)\)/.exec(v.problem)?.[1]).sort()).toEqual([...keys].sort());
  });

  test.each([
    [{ agent: false }, 'agent'], [{ preflight: { enabled: true } }, 'preflight.enabled'],
    [{ daemon: { configSources: 'config-map:alt' } }, 'daemon.configSources'], [{ daemon: { allowedConfigOverrides: 'devices' } }, 'daemon.allowedConfigOverrides'],
  ])('%j: the agent itself and its configuration sources are the platform\'s (helm-value-owned-by-prop)', (overrides, key) => {
    expect(violationsOf(overrides).map((v) => [v.rule, v.field])).toEqual([['helm-value-owned-by-prop', `c.ciliumValuesOverrides.${key}`]]);
  });

  test('blockedConfigOverrides only restricts overrides: yours', () => {
    expect(violationsOf({ daemon: { blockedConfigOverrides: 'devices' } })).toEqual([]);
  });

  test('keys the chart never writes stay the user\'s (also a key only another minor\'s chart writes)', () => {
    expect(violationsOf({ extraConfig: { 'my-note': 'x' }, extraArgs: ['--v=2x'], extraEnv: [{ name: 'GODEBUG', value: 'x' }] })).toEqual([]);
    // bpf-lb-proto-diff: 1.18's chart writes it from loadBalancer.protocolDifferentiation.enabled; 1.19+ only through extraConfig.
    expect(violationsOf({ extraConfig: { 'bpf-lb-proto-diff': 'false' } }, onMinor('1.20'))).toEqual([]);
    expect(violationsOf({ extraConfig: { 'bpf-lb-proto-diff': 'false' } }, onMinor('1.18')).map((v) => [v.rule, v.field]))
      .toEqual([[RULE, 'c.ciliumValuesOverrides.extraConfig["bpf-lb-proto-diff"]']]);
  });

  test('the issue\'s instances through the escape hatches, and their fixes, which are accepted', () => {
    const [devices] = violationsOf({ extraArgs: ['--devices=ens3'] });
    expect(devices.problem).toContain('the flag --devices sets the cilium-config key devices, which the Cilium chart writes from the Helm key devices, owned by devices');
    expect(violationsOf({}, { devices: ['eth0'] })).toEqual([]);
    const [name] = violationsOf({ extraConfig: { 'cluster-name': 'a'.repeat(40) } });
    expect(name.problem).toContain('owned by ciliumCluster.name');
    const [pool] = violationsOf({ operator: { extraArgs: ['--cluster-pool-ipv4-cidr=10.96.0.0/16'] } });
    expect(pool.fix).toBe('remove operator.extraArgs[0] from ciliumValuesOverrides and set ipam.operator.clusterPoolIPv4PodCIDRList in ciliumValuesOverrides instead (the chart\'s validation and the rules read it there)');
    const [policy] = violationsOf({ extraEnv: [{ name: 'CILIUM_ENABLE_POLICY', value: 'never' }] });
    expect([policy.field, policy.problem.includes('policyEnforcementMode')]).toEqual(['c.ciliumValuesOverrides.extraEnv[0].name', true]);
  });
});

describeWithReference('the chart-written keys are what scripts/cilium-config-keys.js reads from the chart archives', ['charts'], () => {
  test('the committed table is current (npx projen import)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-keys-'));
    try {
      const out = path.join(dir, 'cilium-config-keys.generated.ts');
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'cilium-config-keys.js'), out], { cwd: ROOT, stdio: 'pipe' });
      expect(fs.readFileSync(out, 'utf8') === fs.readFileSync(path.join(ROOT, 'src', 'render', 'cilium-config-keys.generated.ts'), 'utf8')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the keys the issue names are among them, with the Helm keys the chart writes them from', () => {
    expect(CHART_CILIUM_CONFIG_KEYS['cluster-name'].helm).toEqual(['cluster.name']);
    expect(CHART_CILIUM_CONFIG_KEYS.devices.helm).toEqual(['devices']);
    expect(CHART_CILIUM_CONFIG_KEYS['enable-policy'].helm).toEqual(['policyEnforcementMode']);
    expect(CHART_CILIUM_CONFIG_KEYS['enable-gateway-api'].helm).toEqual(['gatewayAPI.enabled']);
  });
});
