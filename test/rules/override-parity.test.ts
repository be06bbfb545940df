import { App } from 'cdk8s';
import { KindCiliumCluster, KindCiliumClusterProps, PlatformConfigError } from '../../src';
import { CILIUM_CONFIG_CONSTRAINTS } from '../../src/rules/cilium-config-constraints';
import { CLUSTER_RULES } from '../../src/rules/registry';

/**
 * Regression cases: for refusals of `resolveClusterSpec` with a Helm-values equivalent, the same contradiction written
 * through `ciliumValuesOverrides` is reported by the rule that judges the value.
 *
 * This hand list is NOT what closes the kind (it left cluster.name, cluster.id, devices and ipam.mode open, because a
 * list of instances only covers the keys someone thought of and the rules that happened to read the merged values).
 * The kind is closed by one owner per Helm key: every key a typed prop renders is a row of HELM_KEY_OWNERS and an
 * override of it is refused (`helm-value-owned-by-prop`); test/rules/helm-key-owners.test.ts enumerates the table
 * against every prop of the description and draws arbitrary overrides for every row.
 */
interface ParityCase {
  /** The typed props resolveClusterSpec refuses, with the refusal id. */
  readonly typed: Omit<KindCiliumClusterProps, 'clusterName'>;
  readonly typedRule: string;
  /** The same contradiction through ciliumValuesOverrides, with the rule violation id that must report it. */
  readonly override: Omit<KindCiliumClusterProps, 'clusterName'>;
  readonly overrideRule: string;
}

const CASES: Record<string, ParityCase> = {
  'unknown Hubble metric': {
    typed: { hubble: { metrics: ['dnss'] } },
    typedRule: 'unknown-hubble-metric',
    override: { ciliumValuesOverrides: { hubble: { metrics: { enabled: ['dnss'] } } } },
    overrideRule: 'hubble-metric-unknown',
  },
  'http with httpV2': {
    typed: { hubble: { metrics: ['http', 'httpV2'] } },
    typedRule: 'duplicate-hubble-metric',
    override: { ciliumValuesOverrides: { hubble: { metrics: { enabled: ['http', 'httpV2'] } } } },
    overrideRule: 'hubble-http-metrics-exclusive',
  },
  'hubble ui without relay': {
    typed: { hubble: { relay: false, ui: true } },
    typedRule: 'hubble-ui-needs-relay',
    override: { ciliumValuesOverrides: { hubble: { relay: { enabled: false } } } },
    overrideRule: 'hubble-ui-needs-relay',
  },
  'operator replicas above the node count': {
    typed: { workers: 0, operatorReplicas: 2 },
    typedRule: 'operator-replicas-exceed-nodes',
    override: { workers: 0, ciliumValuesOverrides: { operator: { replicas: 2 } } },
    overrideRule: 'operator-replicas-fit-nodes',
  },
  'L2 lease duration not above the renew deadline': {
    typed: { l2Announcements: { leaseDuration: '1s', leaseRenewDeadline: '1s' } },
    typedRule: 'invalid-lease-timing',
    override: { l2Announcements: {}, ciliumValuesOverrides: { l2announcements: { leaseDuration: '1s' } } },
    overrideRule: 'l2-lease-timings',
  },
  'L2 renew deadline not above 1.2 x retry period': {
    typed: { l2Announcements: { leaseRenewDeadline: '1s', leaseRetryPeriod: '900ms' } },
    typedRule: 'invalid-lease-timing',
    override: { l2Announcements: {}, ciliumValuesOverrides: { l2announcements: { leaseRetryPeriod: '900ms' } } },
    overrideRule: 'l2-lease-timings',
  },
  'L2 lease timing that is no Go duration': {
    typed: { l2Announcements: { leaseDuration: '3 seconds' } },
    typedRule: 'invalid-duration',
    override: { l2Announcements: {}, ciliumValuesOverrides: { l2announcements: { leaseDuration: '3 seconds' } } },
    overrideRule: 'l2-lease-timings',
  },
  'a routing mode Cilium does not know': {
    typed: { routingMode: 'direct' as any },
    typedRule: 'invalid-routing-mode',
    override: { ciliumValuesOverrides: { routingMode: 'direct' } },
    overrideRule: 'cilium-value-not-allowed',
  },
  'a tunnel protocol Cilium does not know': {
    typed: { tunnelProtocol: 'gre' as any },
    typedRule: 'invalid-tunnel-protocol',
    override: { ciliumValuesOverrides: { tunnelProtocol: 'gre' } },
    overrideRule: 'cilium-value-not-allowed',
  },
  'a load-balancer mode Cilium does not know': {
    typed: { loadBalancer: { mode: 'maglev' as any } },
    typedRule: 'invalid-lb-mode',
    override: { ciliumValuesOverrides: { loadBalancer: { mode: 'maglev' } } },
    overrideRule: 'cilium-value-not-allowed',
  },
  'a DSR dispatch Cilium does not know': {
    typed: { loadBalancer: { dsrDispatch: 'gre' as any } },
    typedRule: 'invalid-dsr-dispatch',
    override: { ciliumValuesOverrides: { loadBalancer: { dsrDispatch: 'gre' } } },
    overrideRule: 'cilium-value-not-allowed',
  },
  'an XDP acceleration Cilium does not know': {
    typed: { loadBalancer: { acceleration: 'generic' as any } },
    typedRule: 'invalid-acceleration',
    override: { ciliumValuesOverrides: { loadBalancer: { acceleration: 'generic' } } },
    overrideRule: 'cilium-value-not-allowed',
  },
};

/** Datapath contradictions the typed path reports as rule violations: the override must be reported the same. */
const RULE_CASES: Record<string, [Omit<KindCiliumClusterProps, 'clusterName'>, Omit<KindCiliumClusterProps, 'clusterName'>, string]> = {
  'bpf masquerade without kube-proxy replacement': [
    { kubeProxyReplacement: false, masquerade: { bpf: true } },
    { kubeProxyReplacement: false, ciliumValuesOverrides: { bpf: { masquerade: true } } }, 'bpf-masquerade-needs-kpr',
  ],
  'ip-masq-agent without bpf masquerade': [
    { masquerade: { ipMasqAgent: true } }, { ciliumValuesOverrides: { ipMasqAgent: { enabled: true } } }, 'ip-masq-agent-needs-bpf-masquerade',
  ],
  'XDP without kube-proxy replacement': [
    { kubeProxyReplacement: false, loadBalancer: { acceleration: 'native' } },
    { kubeProxyReplacement: false, ciliumValuesOverrides: { loadBalancer: { acceleration: 'native' } } }, 'xdp-needs-kpr',
  ],
  'DSR in a VXLAN tunnel': [{ loadBalancer: { mode: 'dsr' } }, { ciliumValuesOverrides: { loadBalancer: { mode: 'dsr' } } }, 'dsr-needs-native-routing'],
  'Geneve dispatch in a VXLAN tunnel': [
    { loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } },
    { ciliumValuesOverrides: { loadBalancer: { mode: 'dsr', dsrDispatch: 'geneve' } } }, 'dsr-geneve-needs-geneve-tunnel',
  ],
};

const build = (props: Omit<KindCiliumClusterProps, 'clusterName'>) => new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });

function refusalIds(props: Omit<KindCiliumClusterProps, 'clusterName'>): string[] {
  try {
    build(props);
  } catch (e) {
    if (e instanceof PlatformConfigError) return e.rules;
    throw e;
  }
  return [];
}

test.each(Object.entries(CASES))('%s: refused typed, reported through ciliumValuesOverrides', (_name, c) => {
  expect(refusalIds(c.typed)).toEqual([c.typedRule]);
  expect(build(c.override).violations().map((v) => v.rule)).toContain(c.overrideRule);
});

test.each(Object.entries(RULE_CASES))('%s: the same violation typed and through ciliumValuesOverrides', (_name, [typed, override, id]) => {
  expect(build(typed).violations().map((v) => v.rule)).toContain(id);
  expect(build(override).violations().map((v) => v.rule)).toContain(id);
});

test('every constraint of the table cites its upstream source and is run by the registry', () => {
  const emitted = new Set(CLUSTER_RULES.flatMap((r) => r.emits));
  for (const c of CILIUM_CONFIG_CONSTRAINTS) {
    expect([c.id, c.source.length > 20, emitted.has(c.id)]).toEqual([c.id, true, true]);
  }
});
