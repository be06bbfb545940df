import { Outcome, OutcomeRule } from './outcome';
import { AppliedPlatform } from '../applied/platform';
import { chartConfigKey, CONFIG_SOURCE_OPTIONS } from '../render/cilium-config-keys';

/**
 * The configuration cilium-agent runs with, as applied: the cilium-config the chart writes from the Helm values
 * (which the rules judge). A `CiliumNodeConfig` (cilium.io, any version) in the agents' namespace is merged over it on
 * the nodes it selects by the agent's `config` init container (`cilium-dbg build-config`, whose default sources are
 * `config-map:cilium-config` and the CiliumNodeConfigs of kube-system; Cilium docs "Per-node configuration"), so a key
 * of its `spec.defaults` that the chart writes (case-insensitively: viper lower-cases keys) or that chooses the
 * configuration's source overrides the Helm values past every rule. Keys the chart never writes stay the user's.
 */
function nodeConfigOutcomes(applied: AppliedPlatform): Outcome[] {
  const minor = applied.model.spec.ciliumMinor;
  return applied.entries.flatMap(({ object, path }) => {
    if (object.kind !== 'CiliumNodeConfig' || !/^cilium\.io\//.test(String(object.apiVersion))) return [];
    const defaults = object.spec?.defaults;
    const keys = defaults && typeof defaults === 'object' && !Array.isArray(defaults) ? Object.keys(defaults) : [];
    const found = keys.map((k) => ({ k, chart: chartConfigKey(k.toLowerCase(), minor) }))
      .filter(({ k, chart }) => chart !== undefined || CONFIG_SOURCE_OPTIONS.includes(k.toLowerCase()));
    const past = found.map(({ k }) => k);
    const where = `${object.metadata?.namespace ?? 'default'}/${object.metadata?.name}`;
    const helm = found.map(({ k, chart }) => (chart && chart.helmPaths.length > 0
      ? `${k} (Helm ${chart.helmPaths.join(', ')}${chart.owners.length > 0 ? `, prop ${chart.owners[0].prop}` : ''})` : k));
    return [{
      id: 'node-config-overrides-helm',
      statement: `CiliumNodeConfig ${where} sets no cilium-config key the chart writes from the Helm values`,
      field: `${path}.spec.defaults`,
      holds: past.length === 0,
      observed: past.length === 0 ? `keys the chart never writes (${keys.join(', ') || 'none'})` : `overrides ${past.join(', ')}`,
      problem: `the agents of the nodes it selects merge ${helm.join('; ')} over cilium-config (cilium-dbg build-config), so they run with settings `
        + 'the chart\'s validation and the rules never see',
      step: 'bundle',
      fix: `drop ${past.join(', ')} from spec.defaults and set them through the props or their Helm keys (ciliumValuesOverrides)`,
      section: 'objects',
    }];
  });
}

/** The agent's configuration as applied. */
export const AGENT_CONFIG_OUTCOMES: OutcomeRule = {
  id: 'node-config-overrides-helm',
  emits: ['node-config-overrides-helm'],
  summary: 'no CiliumNodeConfig overrides a cilium-config key the chart writes from the Helm values (or the configuration\'s source) on the nodes it selects',
  outcomes: nodeConfigOutcomes,
};
