import { CHART_CILIUM_CONFIG_KEYS } from './cilium-config-keys.generated';
import { HELM_KEY_OWNERS, HelmKeyOwner } from './helm-key-owners';

/**
 * cilium-agent and cilium-operator read each cilium-config key from the ConfigMap the chart writes, from a
 * command-line flag of the same name (`--cluster-name=...`) and from an environment variable (`CILIUM_CLUSTER_NAME`).
 * The chart writes its keys from Helm values ({@link CHART_CILIUM_CONFIG_KEYS}, generated from the chart archives of
 * every supported minor); its escape hatches `extraConfig`, `extraArgs` and `extraEnv` (agent and operator) set the
 * same keys past those values: a second entry in cilium-config, or a flag or variable that wins over it. The chart's
 * validation and every rule read the Helm values, so the rule `cilium-config-set-past-helm` refuses a chart-written key
 * set there, naming the Helm key (and the prop that owns it) to set instead.
 */
export interface ChartConfigKey {
  /** The Helm values paths (dotted) the chart writes the key from; empty when it writes a fixed value. */
  readonly helmPaths: readonly string[];
  /** The typed props that own one of those Helm keys (`src/render/helm-key-owners.ts`). */
  readonly owners: readonly HelmKeyOwner[];
}

const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** The chart's own writing of a cilium-config key in a minor, or `undefined` when that minor's chart never writes it. */
export function chartConfigKey(configKey: string, minor: string): ChartConfigKey | undefined {
  if (!Object.prototype.hasOwnProperty.call(CHART_CILIUM_CONFIG_KEYS, configKey)) return undefined;
  const { helm, minors } = CHART_CILIUM_CONFIG_KEYS[configKey];
  if (minors && !minors.includes(minor)) return undefined;
  return { helmPaths: helm, owners: HELM_KEY_OWNERS.filter((o) => helm.some((p) => related(p, o.path.join('.')))) };
}

/**
 * The options that choose where cilium-agent, cilium-operator and the agent's `config` init container
 * (`cilium-dbg build-config`, which the chart runs with the agent's `extraEnv`) read their configuration from:
 * `--config-dir` and `--config` (cilium-agent and cilium-operator), `--source`, `--allow-config-keys`,
 * `--deny-config-keys` and `--dest` (cilium-dbg build-config; each also read from `CILIUM_<NAME>`). Set through an
 * escape hatch, any of them puts a configuration the rules never see in place of cilium-config.
 */
export const CONFIG_SOURCE_OPTIONS: readonly string[] = ['config-dir', 'config', 'source', 'allow-config-keys', 'deny-config-keys', 'dest'];

/** Where a cilium-config key is set past the chart's own entry (a values path, and how the key is named there). */
export interface ConfigKeySetting {
  /** The Helm values path of the setting (`extraConfig`, `extraArgs`, `operator.extraEnv`, ...), with the entry. */
  readonly path: readonly (string | number)[];
  /** The cilium-config key it sets. */
  readonly configKey: string;
  /** How it is written there (`extraConfig key`, `flag --devices`, `environment variable CILIUM_DEVICES`). */
  readonly as: string;
}

const isMap = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The cilium-config key an environment variable sets (`CILIUM_CLUSTER_NAME` -> `cluster-name`), if any. */
export function configKeyOfEnv(name: string): string | undefined {
  return /^CILIUM_[A-Z0-9_]+$/.test(name) ? name.slice('CILIUM_'.length).toLowerCase().replace(/_/g, '-') : undefined;
}

/** The cilium-config key a command-line argument sets (`--devices=ens3` or `--devices` -> `devices`), if any. */
export function configKeyOfArg(arg: string): string | undefined {
  const m = /^--([a-z0-9][a-z0-9.-]*)(=|$)/.exec(arg);
  return m ? m[1] : undefined;
}

/**
 * Every cilium-config key the merged Helm values set through the chart's escape hatches of the agent and the
 * operator: `extraConfig` keys, `extraArgs` / `operator.extraArgs` flags and `extraEnv` / `operator.extraEnv`
 * variables (`CILIUM_<KEY>`).
 */
export function configKeySettings(values: Record<string, unknown>): ConfigKeySetting[] {
  const out: ConfigKeySetting[] = [];
  if (isMap(values.extraConfig)) {
    // The agent reads the keys through viper, which lower-cases them (`Devices` sets devices).
    for (const k of Object.keys(values.extraConfig)) out.push({ path: ['extraConfig', k], configKey: k.toLowerCase(), as: `extraConfig key ${k}` });
  }
  const operator = isMap(values.operator) ? values.operator : {};
  for (const [base, scope] of [[[], values], [['operator'], operator]] as const) {
    const args = (scope as Record<string, unknown>).extraArgs;
    if (Array.isArray(args)) {
      args.forEach((a, i) => {
        const k = typeof a === 'string' ? configKeyOfArg(a) : undefined;
        if (k) out.push({ path: [...base, 'extraArgs', i], configKey: k, as: `flag --${k}` });
      });
    }
    const env = (scope as Record<string, unknown>).extraEnv;
    if (Array.isArray(env)) {
      env.forEach((e, i) => {
        const k = isMap(e) && typeof e.name === 'string' ? configKeyOfEnv(e.name) : undefined;
        if (k) out.push({ path: [...base, 'extraEnv', i, 'name'], configKey: k, as: `environment variable ${String((e as Record<string, unknown>).name)}` });
      });
    }
  }
  return out;
}
