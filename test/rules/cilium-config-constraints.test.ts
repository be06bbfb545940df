import { App } from 'cdk8s';
import { KindCiliumCluster, KindCiliumClusterProps } from '../../src';
import { toYaml } from '../../src/private/yaml';
import { DEFAULT_HUBBLE_METRICS } from '../../src/spec/cluster-spec';
import { ciliumConfig, helmTemplate } from '../support/helm';
import { describeWithReference } from '../support/reference';

/** Values Cilium or its chart refuses (trust issue, kind 3), checked on the merged Helm values. */

const build = (props: Omit<KindCiliumClusterProps, 'clusterName'>) => new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });
const ids = (props: Omit<KindCiliumClusterProps, 'clusterName'>) => build(props).violations().map((v) => v.rule);

describe('Hubble metric names come from Cilium\'s registry', () => {
  test('the default metrics and entries with options pass', () => {
    expect(ids({})).toEqual([]);
    const extra = ['flows-to-world:any-drop', 'port-distribution', 'kafka', 'policy:sourceContext=app|workload-name|pod|reserved-identity'];
    expect(ids({ hubble: { metrics: [...DEFAULT_HUBBLE_METRICS, ...extra] } })).toEqual([]);
    expect(ids({ hubble: { metrics: ['dns', 'httpV2:exemplars=true;labelsContext=source_ip,source_namespace'] } })).toEqual([]);
  });

  // An override of hubble.metrics.enabled is refused first because the typed hubble.metrics owns the key
  // (helm-value-owned-by-prop); the constraint still says what is wrong with the value.
  test.each(['dns_', 'dnss', 'DNS', 'http_v2', 'dns_:query'])('%s is refused, typed (at construction) or through an override (by the rule)', (name) => {
    expect(() => build({ hubble: { metrics: ['drop', name] } })).toThrow(/is not a Hubble metric/);
    expect(ids({ ciliumValuesOverrides: { hubble: { metrics: { enabled: [name] } } } })).toEqual(['helm-value-owned-by-prop', 'hubble-metric-unknown']);
  });

  test('http and httpV2 together are refused; either alone passes', () => {
    expect(() => build({ hubble: { metrics: ['http', 'httpV2:exemplars=true'] } })).toThrow(/mutually exclusive/);
    expect(ids({ ciliumValuesOverrides: { hubble: { metrics: { enabled: ['http', 'httpV2:exemplars=true'] } } } }))
      .toEqual(['helm-value-owned-by-prop', 'hubble-http-metrics-exclusive']);
    expect(ids({ hubble: { metrics: ['http'] } })).toEqual([]);
  });

  test('with Hubble disabled the metric names are not checked (the override is refused for its owner alone)', () => {
    expect(ids({ hubble: { enabled: false }, ciliumValuesOverrides: { hubble: { metrics: { enabled: ['dnss'] } } } })).toEqual(['helm-value-owned-by-prop']);
  });
});

describe('tunnelling', () => {
  test('autoDirectNodeRoutes through an override in tunnel mode is reported; in native mode it is what we render', () => {
    expect(ids({ ciliumValuesOverrides: { autoDirectNodeRoutes: true } })).toEqual(['helm-value-owned-by-prop', 'auto-direct-node-routes-needs-native-routing']);
    expect(build({ routingMode: 'native' }).ciliumValues().autoDirectNodeRoutes).toBe(true);
    expect(ids({ routingMode: 'native' })).toEqual([]);
  });

  test('Geneve DSR dispatch needs a Geneve tunnel', () => {
    expect(ids({ loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } })).toEqual(['dsr-needs-native-routing', 'dsr-geneve-needs-geneve-tunnel']);
    expect(ids({ routingMode: 'native', loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } })).toEqual(['dsr-geneve-needs-geneve-tunnel']);
    expect(ids({ routingMode: 'native', loadBalancer: { mode: 'dsr', dsrDispatch: 'ipip' } })).toEqual([]);
  });

  test('a typed tunnelProtocol with native routing is refused at construction', () => {
    expect(() => build({ routingMode: 'native', tunnelProtocol: 'geneve' })).toThrow(/tunnelProtocol: is "geneve" but routingMode is native/);
  });
});

describeWithReference('helm template oracle', ['charts'], () => {
  test('the chart renders the Geneve DSR values into the agent configuration (helm template oracle)', async () => {
    const c = build({ tunnelProtocol: 'geneve', loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } });
    const config = ciliumConfig(await helmTemplate(toYaml(c.ciliumValues()), c.spec.ciliumVersion));
    expect([config['tunnel-protocol'], config['bpf-lb-mode'], config['bpf-lb-dsr-dispatch'], config['routing-mode']]).toEqual(['geneve', 'dsr', 'geneve', 'tunnel']);
  }, 60_000);

  test('the chart takes kubeProxyReplacement as the string "true" like the boolean (helm template oracle)', async () => {
    const c = build({ ciliumValuesOverrides: { kubeProxyReplacement: 'true' } });
    expect(c.violations()).toEqual([]);
    const config = ciliumConfig(await helmTemplate(toYaml(c.ciliumValues()), c.spec.ciliumVersion));
    const typed = ciliumConfig(await helmTemplate(toYaml(build({}).ciliumValues()), c.spec.ciliumVersion));
    expect(config['kube-proxy-replacement']).toBe('true');
    expect(config['kube-proxy-replacement']).toBe(typed['kube-proxy-replacement']);
  }, 60_000);
});
