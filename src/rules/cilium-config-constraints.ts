import { kprEnabled, v, Values } from './common';
import { ClusterRule } from './rule';
import { FixSuggestion } from '../errors';
import { PlatformModel } from '../model/platform-model';
import { parseGoDuration } from '../private/syntax';

/**
 * Cilium's own configuration constraints, as ONE declared table evaluated on the merged Helm values (the
 * description plus `ciliumValuesOverrides`): what the Cilium agent refuses at start-up (it exits, the pods
 * crash-loop) or the chart refuses at `helm template`. Because the table reads the merged values, an override
 * cannot get past a constraint the typed props enforce. Each row cites where upstream enforces it.
 */
export interface CiliumConfigConstraint {
  /** Violation id. */
  readonly id: string;
  /** The field the violation names, below the cluster: the typed prop, or `ciliumValues.<Helm key>`. */
  readonly key: string;
  /** The problem when the merged values break the constraint, else undefined (one row may find several). */
  readonly problems: (values: Values, model: PlatformModel) => readonly string[];
  /** How to fix it. */
  readonly fix: string;
  /** The concrete value that fixes it, when there is one. */
  readonly suggestion?: (values: Values, model: PlatformModel) => FixSuggestion | undefined;
  /** Where upstream enforces it. */
  readonly source: string;
}

/**
 * Names of the Hubble metrics Cilium registers (pkg/hubble/metrics). The Cilium docs page "Monitoring & Metrics"
 * (Documentation/observability/metrics.rst, section Hubble > Exported Metrics) lists dns, drop, flow,
 * flows-to-world, http, httpV2, icmp, kafka, port-distribution and tcp; `policy` (hubble_policy_verdicts_total) is
 * registered by pkg/hubble/metrics/policy. The agent refuses any other name at start. An entry is `name` or
 * `name:option=value;option` (`--hubble-metrics="dns:query;ignoreAAAA http:destinationContext=workload-name"`).
 */
export const HUBBLE_METRIC_NAMES: readonly string[] = [
  'dns', 'drop', 'flow', 'flows-to-world', 'http', 'httpV2', 'icmp', 'kafka', 'policy', 'port-distribution', 'tcp',
];

const metricName = (entry: unknown) => String(entry).split(':')[0];
const metricsList = (vals: Values): unknown[] =>
  (Array.isArray(vals.hubble?.metrics?.enabled) && vals.hubble?.enabled !== false ? vals.hubble.metrics.enabled : []);
const usesDsr = (vals: Values) => vals.loadBalancer?.mode === 'dsr' || vals.loadBalancer?.mode === 'hybrid';
const tunnelling = (vals: Values) => vals.routingMode !== 'native';
const tunnelProtocolOf = (vals: Values) => (vals.tunnelProtocol ? String(vals.tunnelProtocol) : 'vxlan');
const when = (cond: boolean, problem: string) => (cond ? [problem] : []);

/** Helm values with a closed set of values (the chart's values.schema.json enums and the agent's option parsers). */
const ENUM_VALUES: readonly [string, readonly string[]][] = [
  ['routingMode', ['native', 'tunnel']],
  ['tunnelProtocol', ['vxlan', 'geneve']],
  ['loadBalancer.mode', ['snat', 'dsr', 'hybrid']],
  ['loadBalancer.dsrDispatch', ['opt', 'ipip', 'geneve']],
  ['loadBalancer.acceleration', ['disabled', 'native', 'best-effort']],
];
const at = (vals: Values, key: string): unknown => key.split('.').reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), vals);

/** client-go leader election (Cilium's L2 announcer): renewDeadline must exceed retryPeriod x JitterFactor 1.2. */
function leaseProblems(vals: Values): string[] {
  const l2 = vals.l2announcements;
  if (l2?.enabled !== true) return [];
  const keys = ['leaseDuration', 'leaseRenewDeadline', 'leaseRetryPeriod'] as const;
  const given = keys.filter((k) => l2[k] !== undefined);
  const bad = given.filter((k) => parseGoDuration(l2[k]) === undefined || parseGoDuration(l2[k])! <= 0);
  if (bad.length > 0) return bad.map((k) => `l2announcements.${k} ${JSON.stringify(l2[k])} is not a positive Go duration`);
  // the chart's defaults when a key is not given: 15s, 5s, 2s
  const ns = (k: typeof keys[number], d: string) => parseGoDuration(l2[k] ?? d)!;
  const [duration, renew, retry] = [ns('leaseDuration', '15s'), ns('leaseRenewDeadline', '5s'), ns('leaseRetryPeriod', '2s')];
  const out: string[] = [];
  if (duration <= renew) out.push('l2announcements.leaseDuration is not longer than leaseRenewDeadline; the leader election is refused and nothing is announced');
  if (renew <= Math.trunc(1.2 * retry)) out.push('l2announcements.leaseRenewDeadline is not longer than 1.2 x leaseRetryPeriod; the leader election is refused and nothing is announced');
  return out;
}

/** The table. Order is the report order. */
export const CILIUM_CONFIG_CONSTRAINTS: readonly CiliumConfigConstraint[] = [
  {
    id: 'cilium-value-not-allowed',
    key: 'ciliumValues',
    problems: (vals) => ENUM_VALUES.flatMap(([key, allowed]) => {
      const value = at(vals, key);
      return value === undefined || value === '' || allowed.includes(value as string) ? []
        : [`${key} is ${JSON.stringify(value)}, which Cilium does not accept (one of ${allowed.join(', ')})`];
    }),
    fix: 'use one of the listed values (or drop the override and use the typed prop: routingMode, tunnelProtocol, loadBalancer)',
    source: 'Cilium chart values.yaml (routingMode, tunnelProtocol, loadBalancer.mode/dsrDispatch/acceleration) and the agent option parsers that refuse other values at start-up',
  },
  {
    id: 'l2-lease-timings',
    key: 'ciliumValues.l2announcements',
    problems: leaseProblems,
    fix: 'make leaseDuration > leaseRenewDeadline > 1.2 x leaseRetryPeriod, e.g. 3s, 1s, 200ms (the typed defaults), or drop the override',
    source: 'Cilium L2 announcer (pkg/l2announcer) runs client-go leader election, which refuses leaseDuration <= renewDeadline or renewDeadline <= 1.2 x retryPeriod',
  },
  {
    id: 'bpf-masquerade-needs-kpr',
    key: 'masquerade.bpf',
    problems: (vals, m) => when(vals.bpf?.masquerade === true && !kprEnabled(m), 'eBPF masquerading requires kube-proxy replacement'),
    fix: 'set kubeProxyReplacement: true or masquerade.bpf: false',
    source: 'Cilium agent option validation (eBPF masquerading needs the BPF NodePort datapath of kube-proxy replacement); docs "Masquerading", eBPF-based',
  },
  {
    id: 'ip-masq-agent-needs-bpf-masquerade',
    key: 'masquerade.ipMasqAgent',
    problems: (vals) => when(vals.ipMasqAgent?.enabled === true && vals.bpf?.masquerade !== true, 'the eBPF ip-masq-agent only works with bpf.masquerade'),
    fix: 'set masquerade.bpf: true',
    source: 'Cilium agent option validation (--enable-ip-masq-agent needs --enable-bpf-masquerade); docs "Masquerading", eBPF-based ip-masq-agent',
  },
  {
    id: 'xdp-needs-kpr',
    key: 'loadBalancer.acceleration',
    problems: (vals, m) => when(vals.loadBalancer?.acceleration !== undefined && vals.loadBalancer.acceleration !== 'disabled' && !kprEnabled(m),
      'XDP acceleration requires kube-proxy replacement'),
    fix: 'set kubeProxyReplacement: true or acceleration: disabled',
    source: 'Cilium agent: --bpf-lb-acceleration needs the kube-proxy replacement NodePort datapath; docs "Kubernetes Without kube-proxy: LoadBalancer & NodePort XDP Acceleration"',
  },
  {
    id: 'dsr-needs-native-routing',
    key: 'loadBalancer.mode',
    problems: (vals) => when(usesDsr(vals) && tunnelling(vals) && !(tunnelProtocolOf(vals) === 'geneve' && vals.loadBalancer?.dsrDispatch === 'geneve'),
      `${vals.loadBalancer?.mode} in tunnel mode works only with a Geneve tunnel and Geneve DSR dispatch (tunnelProtocol ${tunnelProtocolOf(vals)}, dsrDispatch ${vals.loadBalancer?.dsrDispatch ?? 'opt'})`),
    fix: 'set routingMode: native, or tunnelProtocol: geneve with loadBalancer.dsrDispatch: geneve, or loadBalancer.mode: snat',
    source: 'Cilium agent kube-proxy replacement init (DSR with tunnelling only with Geneve dispatch over a Geneve tunnel, since 1.14); docs "Kubernetes Without kube-proxy", Direct Server Return (DSR) with Geneve',
  },
  {
    id: 'dsr-geneve-needs-geneve-tunnel',
    key: 'loadBalancer.dsrDispatch',
    problems: (vals) => when(vals.loadBalancer?.dsrDispatch === 'geneve' && (!tunnelling(vals) || tunnelProtocolOf(vals) !== 'geneve'),
      `Geneve DSR dispatch needs a Geneve tunnel, but ${tunnelling(vals) ? `tunnelProtocol is ${tunnelProtocolOf(vals)}` : 'routing is native'}`),
    fix: 'set routingMode: tunnel with tunnelProtocol: geneve, or loadBalancer.dsrDispatch: opt',
    suggestion: (vals) => (tunnelling(vals) ? { target: 'cluster-props', path: ['tunnelProtocol'], value: 'geneve' } : undefined),
    source: 'Cilium agent kube-proxy replacement init (--bpf-lb-dsr-dispatch=geneve needs --tunnel-protocol=geneve); docs "Kubernetes Without kube-proxy", Direct Server Return (DSR) with Geneve',
  },
  {
    id: 'auto-direct-node-routes-needs-native-routing',
    key: 'ciliumValues.autoDirectNodeRoutes',
    problems: (vals) => when(vals.autoDirectNodeRoutes === true && tunnelling(vals),
      'is true in tunnel mode; the Cilium agent exits ("auto-direct-node-routes cannot be used with tunneling")'),
    fix: 'set autoDirectNodeRoutes: false (or drop it from ciliumValuesOverrides), or set routingMode: native',
    suggestion: () => ({ target: 'helm-values', path: ['autoDirectNodeRoutes'], value: false }),
    source: 'Cilium agent option validation (pkg/option): "auto-direct-node-routes cannot be used with tunneling"',
  },
  {
    id: 'hubble-metric-unknown',
    key: 'ciliumValues.hubble.metrics.enabled',
    problems: (vals) => metricsList(vals).filter((e) => !HUBBLE_METRIC_NAMES.includes(metricName(e)))
      .map((e) => `"${String(e)}" names no Hubble metric ("${metricName(e)}" is not in Cilium's registry); the Cilium agent refuses to start`),
    fix: `use registered metric names: ${HUBBLE_METRIC_NAMES.join(', ')} (optionally name:option=value;...)`,
    source: 'Cilium hubble metrics registry (pkg/hubble/metrics); docs "Monitoring & Metrics" (observability/metrics.rst, Hubble > Exported Metrics)',
  },
  {
    id: 'hubble-http-metrics-exclusive',
    key: 'ciliumValues.hubble.metrics.enabled',
    problems: (vals) => {
      const names = metricsList(vals).map(metricName);
      return when(names.includes('http') && names.includes('httpV2'), 'enables both http and httpV2; the Cilium agent refuses the pair (they export the same series)');
    },
    fix: 'keep httpV2 and drop http',
    source: 'Cilium docs "Monitoring & Metrics", Hubble exported metrics `http`/`httpV2`: "These metrics can not be enabled at the same time"',
  },
];

/** The table as one cluster rule. */
export const CILIUM_CONFIG_RULE: ClusterRule = {
  id: 'cilium-config-constraints',
  emits: CILIUM_CONFIG_CONSTRAINTS.map((c) => c.id),
  suggests: CILIUM_CONFIG_CONSTRAINTS.filter((c) => c.suggestion !== undefined).map((c) => c.id),
  summary: "the merged Helm values satisfy Cilium's own configuration constraints (one declared table, see cilium-config-constraints.ts)",
  check: (m) => {
    const vals = m.ciliumValues as Values;
    return CILIUM_CONFIG_CONSTRAINTS.flatMap((c) => c.problems(vals, m).map((problem) =>
      v(c.id, `${m.field}.${c.key}`, problem, c.fix, c.suggestion?.(vals, m))));
  },
};
