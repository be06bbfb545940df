import { PlatformConfigError, Violation } from '../errors';
import { BUNDLE_NAME } from './bundle-identity';
import { closestKey, propKeys } from '../private/props';
import { isPlainObject, LABEL_KEY_RE, LABEL_VALUE_RE } from '../private/syntax';
import { toYaml } from '../private/yaml';

/**
 * The kind settings platform engineers use every day, typed: `featureGates`, `runtimeConfig` and
 * `kubeadmConfigPatches` of the kind `Cluster`, and per node `labels`, `extraMounts` and `kubeadmConfigPatches`
 * (kind v1alpha4, https://kind.sigs.k8s.io/docs/user/configuration/). Everything is checked here, all problems
 * reported at once, and rendered by `renderKindConfig` through the project's YAML emitter.
 */

/**
 * A host folder or file mounted into a kind node container (kind `nodes[].extraMounts[]`, docker `--volume`;
 * https://kind.sigs.k8s.io/docs/user/configuration/#extra-mounts).
 */
export interface KindExtraMount {
  /**
   * Absolute path on the host. A relative path is refused: docker reads a `--volume` source without a leading `/`
   * as a named volume, not a folder. `:` and `,` are refused (docker's `--volume` separators).
   */
  readonly hostPath: string;
  /** Absolute path inside the node container, e.g. `/data`. Unique per node. Same characters refused as `hostPath`. */
  readonly containerPath: string;
  /** Mount read-only (kind `readOnly`). @default false */
  readonly readOnly?: boolean;
  /** Relabel for SELinux (kind `selinuxRelabel`, docker `:z`); only meaningful on an SELinux host. @default false */
  readonly selinuxRelabel?: boolean;
  /**
   * Mount propagation (kind `propagation`): `None`, `HostToContainer` or `Bidirectional`; kind refuses any other
   * value ("Unknown MountPropagation", `pkg/apis/config/v1alpha4/yaml.go`). @default - not set: private (`None`)
   */
  readonly propagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

/**
 * A kubeadm config patch, given as an object (kind `kubeadmConfigPatches`, an RFC 7386 merge patch kind applies to
 * the kubeadm config it generates for the node image; https://kind.sigs.k8s.io/docs/user/configuration/#kubeadm-config-patches).
 * `kind` is one of `ClusterConfiguration`, `InitConfiguration`, `JoinConfiguration` (kubeadm's config API),
 * `KubeletConfiguration` or `KubeProxyConfiguration`. `apiVersion` may be left out: it is rendered as the one kind
 * writes for the node image (`kubeadm.k8s.io/v1beta4` for Kubernetes 1.36+ under kind v0.32+, `v1beta3` before;
 * `kubelet.config.k8s.io/v1beta1`; `kubeproxy.config.k8s.io/v1alpha1`). A different `apiVersion` is refused: kind
 * matches patches by apiVersion and would skip it silently, and Kubernetes 1.37's kubeadm refuses v1beta3.
 * In `kubeadm.k8s.io/v1beta4`, `extraArgs` / `kubeletExtraArgs` are lists of `{ name, value }`; in v1beta3 maps of
 * strings: the other shape is refused for the API the node image reads.
 */
export type KubeadmConfigPatch = Record<string, unknown>;

/** Settings of one kind node. */
export interface KindNodeOptions {
  /**
   * Labels of this node (kind `nodes[].labels`, set through kubelet `--node-labels` when the node registers):
   * Kubernetes label syntax (qualified key, value of at most 63 alphanumerics, `-`, `_`, `.`). Refused: keys in the
   * `kubernetes.io` / `k8s.io` namespaces the kubelet may not self-assign (NodeRestriction), `node-role.kubernetes.io/*`
   * (use `workerLabels`, which apply.sh sets after creation), the bundle's own mark keys (`cdk8s-kind-cilium/*`) and a
   * value that contradicts `workerLabels`. `CiliumL2AnnouncementPolicy` node selectors are matched against them.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** Host paths mounted into this node (see {@link KindExtraMount}). @default - none */
  readonly extraMounts?: KindExtraMount[];
  /** kubeadm patches for this node only, applied after the cluster's (see {@link KubeadmConfigPatch}). @default - none */
  readonly kubeadmConfigPatches?: KubeadmConfigPatch[];
}

/**
 * kind `Cluster` settings beyond what the other props render (https://kind.sigs.k8s.io/docs/user/configuration/).
 * Node lists are per role: entry `i` of `controlPlaneNodes` is the `i`-th control-plane node; a list longer than the
 * nodes of that role is refused.
 */
export interface KindConfigOptions {
  /**
   * Kubernetes feature gates for every component (kind `featureGates`, `map[string]bool`), e.g.
   * `{ InPlacePodVerticalScaling: true }`. Names are UpperCamelCase; a gate the node's Kubernetes does not know
   * makes its components fail to start, so only list gates of that version. @default - none
   */
  readonly featureGates?: Record<string, boolean>;
  /**
   * API groups/versions to switch on or off (kind `runtimeConfig`, kube-apiserver `--runtime-config`), e.g.
   * `{ 'resource.k8s.io/v1beta2': 'true' }` or `{ 'api/alpha': 'false' }`. Keys are `api/all|ga|beta|alpha`, `v1`
   * or `<group>/<version>[/<resource>]`; values `'true'` or `'false'` (a boolean is written as that string, the
   * type kind decodes). @default - none
   */
  readonly runtimeConfig?: Record<string, string | boolean>;
  /** kubeadm patches for every node (see {@link KubeadmConfigPatch}), after the DNS domain patches. @default - none */
  readonly kubeadmConfigPatches?: KubeadmConfigPatch[];
  /** Per control-plane node settings, in node order. @default - none */
  readonly controlPlaneNodes?: KindNodeOptions[];
  /** Per worker node settings, in node order. @default - none */
  readonly workerNodes?: KindNodeOptions[];
}

/** A kind mount as kind decodes it. */
export interface ResolvedKindMount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly?: boolean;
  readonly selinuxRelabel?: boolean;
  readonly propagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

/** One node's settings, checked; patches are rendered YAML strings. */
export interface ResolvedKindNode {
  readonly labels: Record<string, string>;
  readonly extraMounts: ResolvedKindMount[];
  readonly kubeadmConfigPatches: string[];
}

/** {@link KindConfigOptions}, checked; one entry per node of each role. */
export interface ResolvedKindConfig {
  readonly featureGates: Record<string, boolean>;
  readonly runtimeConfig: Record<string, string>;
  readonly kubeadmConfigPatches: string[];
  readonly controlPlaneNodes: ResolvedKindNode[];
  readonly workerNodes: ResolvedKindNode[];
}

/** What the checks need to know about the cluster. */
export interface KindSettingsContext {
  readonly controlPlaneNodes: number;
  readonly workers: number;
  /** `ClusterSpec.kubeadmApiVersion`: the kubeadm config API kind writes for the node image (undefined: unknown). */
  readonly kubeadmApiVersion: string | undefined;
  /** Labels every worker gets from `workerLabels` (a per-node label may not contradict them). */
  readonly workerLabels: Readonly<Record<string, string>>;
}

/** Node role labels (`kubectl get nodes` ROLES column); the kubelet may not set them on its own node. */
export const NODE_ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';

/** Label prefixes and keys the kubelet may self-assign inside the kubernetes.io / k8s.io namespaces (NodeRestriction). */
export const KUBELET_ALLOWED_LABEL_PREFIXES: readonly string[] = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];
export const KUBELET_ALLOWED_LABELS: readonly string[] = [
  'beta.kubernetes.io/arch', 'beta.kubernetes.io/instance-type', 'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'kubernetes.io/arch', 'kubernetes.io/hostname', 'kubernetes.io/os',
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
];

/** True when the kubelet refuses to self-assign `key` through `--node-labels` (a kubernetes.io / k8s.io key outside its allowed set). */
export function kubeletRefusesLabel(key: string): boolean {
  const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  return /(^|\.)(kubernetes\.io|k8s\.io)$/.test(namespace)
    && !KUBELET_ALLOWED_LABELS.includes(key) && !KUBELET_ALLOWED_LABEL_PREFIXES.some((p) => key.startsWith(p));
}

/** The kinds a kubeadm config patch may target and the apiVersion of the non-kubeadm ones. */
const KUBEADM_KINDS = ['ClusterConfiguration', 'InitConfiguration', 'JoinConfiguration'] as const;
const COMPONENT_CONFIG_API: Readonly<Record<string, string>> = {
  KubeletConfiguration: 'kubelet.config.k8s.io/v1beta1',
  KubeProxyConfiguration: 'kubeproxy.config.k8s.io/v1alpha1',
};
const PATCH_KINDS = [...KUBEADM_KINDS, ...Object.keys(COMPONENT_CONFIG_API)];

/** Where kubeadm's config holds extra arguments: a map in v1beta3, a list of `{ name, value }` in v1beta4. */
const EXTRA_ARGS_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  ClusterConfiguration: [['apiServer', 'extraArgs'], ['controllerManager', 'extraArgs'], ['scheduler', 'extraArgs'], ['etcd', 'local', 'extraArgs']],
  InitConfiguration: [['nodeRegistration', 'kubeletExtraArgs']],
  JoinConfiguration: [['nodeRegistration', 'kubeletExtraArgs']],
};

/** Feature gate names: UpperCamelCase (`k8s.io/component-base/featuregate`; every Kubernetes gate is spelled so). */
const FEATURE_GATE_RE = /^[A-Z][A-Za-z0-9]*$/;
/** kube-apiserver `--runtime-config` keys: `api/<all|ga|beta|alpha|v1>`, `v1`, or `<group>/<version>[/<resource>]`. */
const RUNTIME_CONFIG_KEY_RE = /^(api\/(all|ga|beta|alpha|v1)|v1|[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/v[0-9]+((alpha|beta)[0-9]+)?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?)$/;
/** Characters docker's `--volume host:container[:opts]` cannot carry in a path. */
const MOUNT_PATH_FORBIDDEN = /[:,\n\r\0]/;

const NODE_PROPS = propKeys<KindNodeOptions>()('labels', 'extraMounts', 'kubeadmConfigPatches');
const MOUNT_PROPS = propKeys<KindExtraMount>()('hostPath', 'containerPath', 'readOnly', 'selinuxRelabel', 'propagation');
const KIND_CONFIG_PROPS = propKeys<KindConfigOptions>()('featureGates', 'runtimeConfig', 'kubeadmConfigPatches', 'controlPlaneNodes', 'workerNodes');

/** Collects every problem, then throws them together. */
class Problems {
  readonly list: Violation[] = [];
  add(rule: string, field: string, problem: string, fix: string): void {
    this.list.push({ rule, field, problem, fix });
  }
  unknownKeys(field: string, value: Record<string, unknown>, known: readonly string[], what: string): void {
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const suggestion = closestKey(key, known);
      this.add('unknown-prop', `${field}.${key}`, `"${key}" is not a ${what} prop, so it would be ignored`,
        suggestion ? `did you mean "${suggestion}"? (the ${what} props are ${known.join(', ')})` : `remove it; the ${what} props are ${known.join(', ')}`);
    }
  }
  wrongType(field: string, value: unknown, expected: string, fix: string): void {
    this.add('invalid-type', field, `is ${describe(value)}, not ${expected}`, fix);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value === 'object' ? 'an object' : `the ${typeof value} ${String(value)}`;
}

const sorted = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const EMPTY_NODE: ResolvedKindNode = { labels: {}, extraMounts: [], kubeadmConfigPatches: [] };

/**
 * Checks and resolves {@link KindConfigOptions}. Throws one {@link PlatformConfigError} listing every problem.
 * @param field path of the prop in messages, e.g. `dev.kindConfig`
 */
export function resolveKindConfigOptions(field: string, value: unknown, ctx: KindSettingsContext): ResolvedKindConfig {
  const p = new Problems();
  const empty = (n: number) => Array.from({ length: n }, () => EMPTY_NODE);
  if (value === undefined) {
    return {
      featureGates: {},
      runtimeConfig: {},
      kubeadmConfigPatches: [],
      controlPlaneNodes: empty(ctx.controlPlaneNodes),
      workerNodes: empty(ctx.workers),
    };
  }
  if (!isPlainObject(value)) {
    p.wrongType(field, value, 'an object', 'write it as an object, e.g. { featureGates: { InPlacePodVerticalScaling: true } }, or leave it out');
    throw new PlatformConfigError(p.list);
  }
  p.unknownKeys(field, value, KIND_CONFIG_PROPS, 'kindConfig');
  const featureGates = resolveFeatureGates(p, `${field}.featureGates`, value.featureGates);
  const runtimeConfig = resolveRuntimeConfig(p, `${field}.runtimeConfig`, value.runtimeConfig);
  const kubeadmConfigPatches = resolvePatches(p, `${field}.kubeadmConfigPatches`, value.kubeadmConfigPatches, ctx.kubeadmApiVersion);
  const nodes = (key: 'controlPlaneNodes' | 'workerNodes', count: number, role: string): ResolvedKindNode[] => {
    const items = value[key];
    const out = empty(count);
    if (items === undefined) return out;
    if (!Array.isArray(items)) {
      p.wrongType(`${field}.${key}`, items, 'a list', `list one object per ${role} node, e.g. [{ labels: { tier: "edge" } }]`);
      return out;
    }
    if (items.length > count) {
      p.add('kind-node-settings-exceed-nodes', `${field}.${key}`, `lists ${items.length} ${role} nodes but the cluster has ${count}`,
        `list at most ${count} entries, or raise the number of ${role} nodes (${key === 'workerNodes' ? 'workers' : 'controlPlaneNodes'})`);
    }
    items.slice(0, count).forEach((item, i) => {
      out[i] = resolveNode(p, `${field}.${key}[${i}]`, item, ctx, role === 'worker' ? ctx.workerLabels : {});
    });
    return out;
  };
  const controlPlaneNodes = nodes('controlPlaneNodes', ctx.controlPlaneNodes, 'control-plane');
  const workerNodes = nodes('workerNodes', ctx.workers, 'worker');
  if (p.list.length > 0) throw new PlatformConfigError(p.list);
  return { featureGates, runtimeConfig, kubeadmConfigPatches, controlPlaneNodes, workerNodes };
}

function resolveFeatureGates(p: Problems, field: string, value: unknown): Record<string, boolean> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    p.wrongType(field, value, 'an object of gate names and booleans', 'write e.g. { InPlacePodVerticalScaling: true }');
    return {};
  }
  const out: Record<string, boolean> = {};
  for (const [key, enabled] of Object.entries(value)) {
    if (!FEATURE_GATE_RE.test(key)) {
      p.add('invalid-feature-gate', `${field}["${key}"]`, `"${key}" is not a Kubernetes feature gate name (UpperCamelCase letters and digits)`,
        'use the gate name as the Kubernetes feature gate reference spells it, e.g. InPlacePodVerticalScaling');
    }
    if (typeof enabled !== 'boolean') {
      p.wrongType(`${field}["${key}"]`, enabled, 'a boolean', 'write true or false without quotes (kind decodes featureGates as map[string]bool)');
      continue;
    }
    out[key] = enabled;
  }
  return sorted(out);
}

function resolveRuntimeConfig(p: Problems, field: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    p.wrongType(field, value, 'an object of API keys and "true"/"false"', 'write e.g. { "resource.k8s.io/v1beta2": "true" }');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, setting] of Object.entries(value)) {
    if (!RUNTIME_CONFIG_KEY_RE.test(key)) {
      p.add('invalid-runtime-config', `${field}["${key}"]`, `"${key}" is not a kube-apiserver --runtime-config key`,
        'use api/all, api/ga, api/beta, api/alpha, v1 or <group>/<version>[/<resource>], e.g. resource.k8s.io/v1beta2');
    }
    const text = typeof setting === 'boolean' ? String(setting) : setting;
    if (text !== 'true' && text !== 'false') {
      p.add('invalid-runtime-config', `${field}["${key}"]`, `${describe(setting)} is not "true" or "false"; kube-apiserver refuses to start on another value`,
        'write "true" or "false" (or the booleans)');
      continue;
    }
    out[key] = text;
  }
  return sorted(out);
}

function resolveNode(p: Problems, field: string, value: unknown, ctx: KindSettingsContext,
  roleLabels: Readonly<Record<string, string>>): ResolvedKindNode {
  if (!isPlainObject(value)) {
    p.wrongType(field, value, 'an object', 'write each node as an object, e.g. { labels: { tier: "edge" } }, or {} for none');
    return EMPTY_NODE;
  }
  p.unknownKeys(field, value, NODE_PROPS, 'kind node');
  return {
    labels: resolveLabels(p, `${field}.labels`, value.labels, roleLabels),
    extraMounts: resolveMounts(p, `${field}.extraMounts`, value.extraMounts),
    kubeadmConfigPatches: resolvePatches(p, `${field}.kubeadmConfigPatches`, value.kubeadmConfigPatches, ctx.kubeadmApiVersion),
  };
}

function resolveLabels(p: Problems, field: string, value: unknown, roleLabels: Readonly<Record<string, string>>): Record<string, string> {
  if (value === undefined) return {};
  const fix = 'use a qualified key (prefix/name) and a string value of at most 63 alphanumerics, "-", "_" or "."';
  if (!isPlainObject(value)) {
    p.wrongType(field, value, 'an object of string keys and values', fix);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, label] of Object.entries(value)) {
    const at = `${field}["${key}"]`;
    if (typeof label !== 'string') {
      p.wrongType(at, label, 'a string', `${fix}; quote numbers and booleans ("1", "true")`);
      continue;
    }
    if (!LABEL_KEY_RE.test(key) || key.length > 316 || !LABEL_VALUE_RE.test(label)) {
      p.add('invalid-node-label', at, `"${key}=${label}" is not a valid Kubernetes label`, fix);
      continue;
    }
    if (key.startsWith(NODE_ROLE_LABEL_PREFIX)) {
      p.add('kubelet-restricted-label', at, `the kubelet may not self-assign "${key}" (NodeRestriction), so kind's --node-labels would keep the node from joining`,
        'set node-role labels of workers through workerLabels: apply.sh sets them after the nodes exist');
      continue;
    }
    if (kubeletRefusesLabel(key)) {
      p.add('kubelet-restricted-label', at, `the kubelet refuses to self-assign "${key}" via --node-labels, so the node would never join`,
        'use a label under node.kubernetes.io/ or your own prefix');
      continue;
    }
    if (key.startsWith(`${BUNDLE_NAME}/`)) {
      p.add('reserved-node-label', at, `"${key}" is in the ${BUNDLE_NAME}/ namespace, which marks the clusters this bundle created`,
        'use a prefix of your own');
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(roleLabels, key) && roleLabels[key] !== label) {
      p.add('conflicting-node-label', at, `"${key}=${label}" contradicts workerLabels["${key}"] = "${roleLabels[key]}", which every worker gets`,
        'give the label one value: drop it here, or remove it from workerLabels and set it per node');
      continue;
    }
    out[key] = label;
  }
  return sorted(out);
}

function resolveMounts(p: Problems, field: string, value: unknown): ResolvedKindMount[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    p.wrongType(field, value, 'a list', 'list mounts as objects, e.g. [{ hostPath: "/srv/data", containerPath: "/data" }]');
    return [];
  }
  const out: ResolvedKindMount[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (!isPlainObject(item)) {
      p.wrongType(at, item, 'an object', 'write e.g. { hostPath: "/srv/data", containerPath: "/data" }');
      return;
    }
    p.unknownKeys(at, item, MOUNT_PROPS, 'extraMounts');
    let ok = true;
    for (const key of ['hostPath', 'containerPath'] as const) {
      const path = item[key];
      if (typeof path !== 'string') {
        p.wrongType(`${at}.${key}`, path, 'a path string', `give an absolute path, e.g. ${key === 'hostPath' ? '/srv/data' : '/data'}`);
        ok = false;
      } else if (!path.startsWith('/')) {
        const why = key === 'hostPath' ? ' (docker reads a --volume source without a leading / as a named volume)' : '';
        p.add('invalid-mount-path', `${at}.${key}`, `"${path}" is not an absolute path${why}`,
          `give an absolute path, e.g. ${key === 'hostPath' ? '/srv/data' : '/data'}`);
        ok = false;
      } else if (MOUNT_PATH_FORBIDDEN.test(path)) {
        p.add('invalid-mount-path', `${at}.${key}`, `"${path}" contains ":", "," or a line break, which docker's --volume reads as separators`,
          'use a path without those characters (e.g. through a symbolic link)');
        ok = false;
      }
    }
    for (const key of ['readOnly', 'selinuxRelabel'] as const) {
      if (item[key] !== undefined && typeof item[key] !== 'boolean') {
        p.wrongType(`${at}.${key}`, item[key], 'a boolean', 'write true or false without quotes');
        ok = false;
      }
    }
    const propagation = item.propagation;
    if (propagation !== undefined && !['None', 'HostToContainer', 'Bidirectional'].includes(propagation as string)) {
      p.add('invalid-mount-propagation', `${at}.propagation`, `${describe(propagation)} is not a mount propagation kind accepts ("Unknown MountPropagation")`,
        'use "None", "HostToContainer" or "Bidirectional"');
      ok = false;
    }
    if (!ok) return;
    const containerPath = item.containerPath as string;
    const before = seen.get(containerPath);
    if (before !== undefined) {
      p.add('duplicate-mount-path', `${at}.containerPath`, `"${containerPath}" is already mounted by ${field}[${before}]; docker refuses "Duplicate mount point"`,
        'mount each container path once');
      return;
    }
    seen.set(containerPath, i);
    out.push({
      hostPath: item.hostPath as string,
      containerPath,
      ...(item.readOnly === true ? { readOnly: true } : {}),
      ...(item.selinuxRelabel === true ? { selinuxRelabel: true } : {}),
      ...(propagation !== undefined ? { propagation: propagation as ResolvedKindMount['propagation'] } : {}),
    });
  });
  return out;
}

/** The value at `path` in `obj`, or undefined. */
function valueAt(obj: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) cur = isPlainObject(cur) ? cur[key] : undefined;
  return cur;
}

function resolvePatches(p: Problems, field: string, value: unknown, kubeadmApiVersion: string | undefined): string[] {
  if (value === undefined) return [];
  const example = '[{ kind: "ClusterConfiguration", apiServer: { certSANs: ["lab.example"] } }]';
  if (!Array.isArray(value)) {
    p.wrongType(field, value, 'a list of patch objects', `write e.g. ${example}`);
    return [];
  }
  const out: string[] = [];
  value.forEach((patch, i) => {
    const f = `${field}[${i}]`;
    if (!isPlainObject(patch)) {
      p.wrongType(f, patch, 'a patch object', `write each patch as an object with its kind, e.g. ${example.slice(1, -1)}`);
      return;
    }
    const kind = patch.kind;
    if (typeof kind !== 'string' || !PATCH_KINDS.includes(kind)) {
      p.add('invalid-kubeadm-patch', `${f}.kind`, `${describe(kind)} is not a kind kind patches (kind matches a patch to its config by kind)`,
        `use one of ${PATCH_KINDS.join(', ')}`);
      return;
    }
    const isKubeadm = (KUBEADM_KINDS as readonly string[]).includes(kind);
    const expected = isKubeadm ? kubeadmApiVersion : COMPONENT_CONFIG_API[kind];
    const given = patch.apiVersion;
    if (given !== undefined && given !== expected) {
      const knownKubeadm = typeof given === 'string' && /^kubeadm\.k8s\.io\/v1beta[0-9]+$/.test(given);
      if (!(isKubeadm && expected === undefined && knownKubeadm)) {
        p.add('kubeadm-patch-api-mismatch', `${f}.apiVersion`,
          `${describe(given)} is not the ${isKubeadm ? 'kubeadm config API kind writes for this node image' : `apiVersion of ${kind}`}`
          + `${expected ? ` (${expected})` : ''}: kind skips a patch whose apiVersion differs${isKubeadm ? ', and Kubernetes 1.37\'s kubeadm refuses v1beta3' : ''}`,
          expected ? `write apiVersion: "${expected}", or leave apiVersion out (it is rendered as ${expected})` : 'leave apiVersion out');
        return;
      }
    }
    const api = (given as string | undefined) ?? expected;
    if (isKubeadm && api !== undefined) {
      const v1beta4 = api === 'kubeadm.k8s.io/v1beta4';
      for (const path of EXTRA_ARGS_PATHS[kind] ?? []) {
        const args = valueAt(patch, path);
        if (args === undefined) continue;
        const shapeOk = v1beta4
          ? Array.isArray(args) && args.every((a) => isPlainObject(a) && typeof a.name === 'string' && typeof a.value === 'string')
          : isPlainObject(args) && Object.values(args).every((a) => typeof a === 'string');
        if (!shapeOk) {
          p.add('kubeadm-patch-api-mismatch', `${f}.${path.join('.')}`,
            `is ${describe(args)} in the ${v1beta4 ? 'v1beta3 shape' : 'wrong shape'}: ${api} (the kubeadm config API of this node image) takes `
            + (v1beta4 ? 'a list of { name, value } strings' : 'a map of strings'),
            v1beta4 ? 'write it as a list, e.g. [{ name: "v", value: "4" }] (kubeadm v1beta4 reference, "extraArgs")'
              : 'write it as a map of strings, e.g. { v: "4" }');
        }
      }
    }
    const { apiVersion: _ignored, kind: _kind, ...rest } = patch;
    out.push(toYaml({ ...(api !== undefined ? { apiVersion: api } : {}), kind, ...rest }));
  });
  return out;
}
