import { v } from './common';
import { ClusterRule } from './rule';
import { ciliumFeaturesOf } from '../model/platform-model';
import { chartConfigKey, CONFIG_SOURCE_OPTIONS, configKeySettings } from '../render/cilium-config-keys';
import { CiliumFeatureFlags, HELM_KEY_OWNERS, HelmKeyOwner } from '../render/helm-key-owners';
import { ClusterSpec } from '../spec/cluster-spec';

/** A Helm values path as a user writes it: `cluster.name`, `clustermesh.apiserver.service.annotations["lbipam.cilium.io/ips"]`. */
export function helmPathText(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]`
    : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** An override that installs something other than what an owned key's owner renders. */
export interface OwnedKeyConflict {
  readonly owner: HelmKeyOwner;
  /** What the description renders (`undefined`: left to the chart). */
  readonly rendered: unknown;
  /** What the merged values install at the key (`undefined`: absent, `null`: removed). */
  readonly installed: unknown;
  /** Set when a map above the key is replaced by a scalar or a list: its path, and `installed` is that value. */
  readonly blockedAt?: readonly string[];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const has = (map: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(map, k);

/** The value at `path`, `undefined` when a level on the way is missing or not a map. */
export function valueAt(values: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = values;
  for (const segment of path) {
    if (!isMap(node) || !has(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * What Helm installs at `path` of the merged values: the value there; `undefined` when a map on the way is missing
 * (the chart's default applies); `null` when the key or a map above it is `null` (Helm deletes it, default included);
 * or, when a map above it is replaced by a scalar or a list, that value and where it is (the chart's templates then
 * cannot read the key).
 */
function installedAt(values: Record<string, unknown>, path: readonly string[]): { value: unknown; blockedAt?: readonly string[] } {
  let node: unknown = values;
  for (let i = 0; i < path.length; i++) {
    if (node === null) return { value: null };
    if (!isMap(node)) return { value: node, blockedAt: path.slice(0, i) };
    if (!has(node, path[i])) return { value: undefined };
    node = node[path[i]];
  }
  return { value: node };
}

/** Plain-JSON equality (key order of maps ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (!isMap(a) || !isMap(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => has(b, k) && sameJson(a[k], b[k]));
}

/**
 * The owned keys whose merged value (description plus `ciliumValuesOverrides`) is not what the owner renders: neither
 * the rendered value, nor, where the description leaves the key out, the chart default, nor a value the row
 * {@link HelmKeyOwner.accepts}. A missing key means the chart default; a `null` removes the key and its default.
 */
export function ownedKeyConflicts(spec: ClusterSpec, features: CiliumFeatureFlags, merged: Record<string, unknown>): OwnedKeyConflict[] {
  const out: OwnedKeyConflict[] = [];
  for (const owner of HELM_KEY_OWNERS) {
    const rendered = owner.render(spec, features);
    const { value: installed, blockedAt } = installedAt(merged, owner.path);
    if (blockedAt === undefined) {
      const effective = (x: unknown) => (x === undefined && 'chartDefault' in owner ? owner.chartDefault : x);
      if (sameJson(effective(installed), effective(rendered))) continue;
      if (owner.accepts?.(installed, rendered, spec, merged)) continue;
    }
    out.push({ owner, rendered, installed, ...(blockedAt ? { blockedAt } : {}) });
  }
  return out;
}

/** A short, safe rendering of an installed value for messages (never throws, at most about 80 characters). */
function shown(value: unknown): string {
  if (value === undefined) return 'left out (the chart default)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * One owner per Helm key (`src/render/helm-key-owners.ts`): a key the typed description renders may be overridden
 * only with the value its owner renders (or a declared equivalent). Any other value is refused, naming the prop to
 * use, because the kind config, the manifests, the scripts and every rule follow the prop, not the override.
 */
export const OWNERSHIP_RULES: readonly ClusterRule[] = [
  {
    id: 'helm-keys-have-one-owner',
    emits: ['helm-value-owned-by-prop'],
    suggests: ['helm-value-owned-by-prop'],
    summary: 'ciliumValuesOverrides change no Helm key a typed prop (or the Gateway / Cluster Mesh constructs) owns',
    check: (m) => ownedKeyConflicts(m.spec, ciliumFeaturesOf(m), m.ciliumValues).map(({ owner, rendered, installed, blockedAt }) => {
      const path = helmPathText(owner.path);
      const typed = rendered !== undefined ? rendered : owner.chartDefault;
      const what = blockedAt ? `replaces the map ${helmPathText(blockedAt)} with ${shown(installed)}, so the chart cannot read ${path}`
        : installed === null ? 'removes it (null)' : `installs ${shown(installed)}`;
      return v('helm-value-owned-by-prop', `${m.field}.ciliumValuesOverrides.${path}`,
        `${what}, but ${path} is owned by ${owner.prop}, which renders ${shown(rendered)} for this cluster; `
          + `the kind config, the manifests, the scripts and the rules follow ${owner.prop}, so they would not describe what is installed`,
        `remove ${path} from ciliumValuesOverrides${typed !== undefined ? ` (or set it to ${shown(typed)})` : ''} and ${owner.use}`,
        typed !== undefined ? { target: 'helm-values', path: [...owner.path], value: typed } : undefined);
    }),
  },
  {
    id: 'cilium-config-keys-set-through-helm',
    emits: ['cilium-config-set-past-helm'],
    summary: 'ciliumValuesOverrides set no cilium-config key the chart writes through extraConfig, extraArgs or extraEnv (agent or operator): through its Helm key, which the typed props own and every rule reads',
    check: (m) => configKeySettings(m.ciliumValues).flatMap(({ path, configKey, as }) => {
      if (CONFIG_SOURCE_OPTIONS.includes(configKey) && !path.includes('extraConfig')) {
        return [v('cilium-config-set-past-helm', `${m.field}.ciliumValuesOverrides.${helmPathText(path)}`,
          `the ${as} chooses where Cilium reads its configuration (${configKey}), in place of the cilium-config the chart writes from the Helm values; `
            + 'the agent would run with a configuration the chart\'s validation and the rules never see',
          `remove ${helmPathText(path)} from ciliumValuesOverrides and set the configuration through the props or its Helm keys`)];
      }
      const chart = chartConfigKey(configKey, m.spec.ciliumMinor);
      if (!chart) return [];
      const props = [...new Set(chart.owners.map((o) => o.prop))];
      const from = chart.helmPaths.length > 0 ? `from the Helm key${chart.helmPaths.length > 1 ? 's' : ''} ${chart.helmPaths.join(', ')}` : 'itself (a fixed value)';
      const owned = props.length > 0 ? `, owned by ${props.join(', ')}` : '';
      const fix = chart.owners.length > 0 ? chart.owners[0].use
        : chart.helmPaths.length > 0 ? `set ${chart.helmPaths[0]} in ciliumValuesOverrides instead (the chart's validation and the rules read it there)`
          : 'leave the key to the chart';
      return [v('cilium-config-set-past-helm', `${m.field}.ciliumValuesOverrides.${helmPathText(path)}`,
        `the ${as} sets the cilium-config key ${configKey}, which the Cilium chart writes ${from}${owned}; cilium-agent and cilium-operator `
          + 'would run with a setting the chart\'s validation and the rules never see, while the kind config, the manifests and the scripts follow the Helm values',
        `remove ${helmPathText(path)} from ciliumValuesOverrides and ${fix}`)];
    }),
  },
];
