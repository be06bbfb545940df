import { ApiObject, App } from 'cdk8s';
import { KindCiliumCluster, renderBundle, Violation } from '../../src';
import { chartConfigKey, CONFIG_SOURCE_OPTIONS } from '../../src/render/cilium-config-keys';
import { CHART_CILIUM_CONFIG_KEYS } from '../../src/render/cilium-config-keys.generated';
import { CILIUM_MINORS, ciliumMinorFacts } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { refusals } from '../support/config-error';

/**
 * The agent's configuration as applied (src/outcomes/agent-config.ts): a CiliumNodeConfig merges its spec.defaults
 * over cilium-config on the nodes it selects (cilium-dbg build-config), so every key the chart writes, in any case,
 * and every option choosing the configuration's source is refused there (`node-config-overrides-helm`).
 */

function violationsWith(defaults: Record<string, string>, minor = '1.20', apiVersion = 'cilium.io/v2'): Violation[] {
  const app = new App();
  const c = new KindCiliumCluster(app, 'c', { clusterName: 'c', ...ciliumVersionProps(ciliumMinorFacts(minor as never).latestPatch) });
  new ApiObject(c, 'cnc', { apiVersion, kind: 'CiliumNodeConfig', metadata: { name: 'x', namespace: 'kube-system' }, spec: { nodeSelector: {}, defaults } });
  return refusals(() => renderBundle(app));
}

test.each(CILIUM_MINORS)('Cilium %s: every chart-written key and every source option in a CiliumNodeConfig, named at once', (minor) => {
  const keys = [...Object.keys(CHART_CILIUM_CONFIG_KEYS).filter((k) => chartConfigKey(k, minor)), ...CONFIG_SOURCE_OPTIONS];
  const [v, ...more] = violationsWith(Object.fromEntries(keys.map((k, i) => [i % 2 ? k.toUpperCase() : k, 'x'])), minor);
  expect(more.filter((x) => x.rule === 'node-config-overrides-helm')).toEqual([]);
  expect([v.rule, v.field]).toEqual(['node-config-overrides-helm', 'c/cnc.spec.defaults']);
  for (const [i, k] of keys.entries()) expect(v.fix).toContain(i % 2 ? k.toUpperCase() : k);
});

test('the message names the Helm key and prop; keys the chart never writes, and other versions of the kind, judged alike', () => {
  const [v] = violationsWith({ 'devices': 'ens3', 'my-own': 'x' });
  expect(v.problem).toContain('merge devices (Helm devices, prop devices) over cilium-config');
  expect(v.fix).toBe('drop devices from spec.defaults and set them through the props or their Helm keys (ciliumValuesOverrides)');
  expect(violationsWith({ 'my-own': 'x' })).toEqual([]);
  expect(violationsWith({ 'enable-policy': 'never' }, '1.20', 'cilium.io/v2alpha1').map((x) => x.rule)).toEqual(['node-config-overrides-helm']);
});
