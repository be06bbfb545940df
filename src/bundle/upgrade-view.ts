import { App } from 'cdk8s';
import { allViolations, prepareClusters } from '../cluster/app-validation';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { formatViolation, invalid, PlatformConfigError, Violation } from '../errors';
import { expectedCiliumConfig } from '../spec/values-by-minor';
import { ComponentVersions, componentVersionsOf, gatewayApiCrdUrls } from '../spec/versions';

/** A values key whose value differs between the two bundles (`from`/`to` as JSON). */
export interface ValueChange {
  /** Dotted path, e.g. `gatewayAPI.gatewayClass.create`. */
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

/** One object written at another apiVersion. */
export interface ApiVersionChange {
  /** `Kind namespace/name` (or `Kind name` when cluster-scoped). */
  readonly object: string;
  readonly from: string;
  readonly to: string;
}

/** What changes for one cluster between two Cilium versions. */
export interface ClusterUpgrade {
  /** Cluster name. */
  readonly name: string;
  /** Pinned versions before and after (undefined when that side does not build). */
  readonly versions: { readonly from?: ComponentVersions; readonly to?: ComponentVersions };
  /** Helm values keys (flattened dotted paths) only in the new values. */
  readonly valuesAdded: readonly string[];
  /** Helm values keys only in the old values. */
  readonly valuesRemoved: readonly string[];
  /** Helm values keys in both, with a different value. */
  readonly valuesChanged: readonly ValueChange[];
  /**
   * cilium-config entries the two charts render differently for these values although the values do not
   * change (chart defaults and entries forced by the chart, from `HELM_VALUES_FACTS`).
   */
  readonly chartConfigChanged: readonly ValueChange[];
  /** Objects written at another apiVersion. */
  readonly apiVersionsChanged: readonly ApiVersionChange[];
  /** Gateway API CRD manifests to apply before upgrading Cilium (empty when no Gateway or the release is unchanged). */
  readonly gatewayApiCrdsFirst: readonly string[];
  /** Rule results (violations) of each side. */
  readonly violations: { readonly from: readonly Violation[]; readonly to: readonly Violation[] };
}

/** The upgrade view of an app between two Cilium versions. */
export interface UpgradeView {
  readonly from: string;
  readonly to: string;
  readonly clusters: readonly ClusterUpgrade[];
  /** Violations that belong to no cluster of the app (construction errors, app-level rules). */
  readonly appViolations: { readonly from: readonly Violation[]; readonly to: readonly Violation[] };
}

interface Side {
  readonly violations: Violation[];
  readonly clusters: Map<string, { versions: ComponentVersions; values: Record<string, unknown>; objects: Record<string, any>[]; minor: KindCiliumCluster['spec']['ciliumMinor']; gateway: boolean; violations: Violation[] }>;
}

/** Builds the app for one Cilium version and collects what the view compares; never throws for an invalid description. */
function side(build: (app: App, ciliumVersion: string) => void, ciliumVersion: string): Side {
  const app = new App();
  try {
    build(app, ciliumVersion);
  } catch (e) {
    if (e instanceof PlatformConfigError) return { violations: [...e.violations], clusters: new Map() };
    throw e;
  }
  const prepared = prepareClusters<KindCiliumCluster>(app);
  const all = allViolations(app, prepared);
  const clusters: Side['clusters'] = new Map();
  for (const { cluster, model, objects } of prepared) {
    const prefix = cluster.node.path;
    clusters.set(cluster.clusterName, {
      versions: componentVersionsOf(cluster.spec),
      values: model.ciliumValues,
      objects,
      minor: cluster.spec.ciliumMinor,
      gateway: model.gateways.length > 0,
      violations: all.filter((v) => v.field === prefix || v.field.startsWith(`${prefix}.`) || v.field.startsWith(`${prefix}/`)),
    });
  }
  const owned = new Set([...clusters.values()].flatMap((c) => c.violations));
  return { violations: all.filter((v) => !owned.has(v)), clusters };
}

/** Leaves of a values object by dotted path (arrays are leaves), as JSON. */
function flatten(values: Record<string, unknown>, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(values)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out.set(`${prefix}${k}`, JSON.stringify(v));
  }
  return out;
}

function diffMaps(a: Map<string, string>, b: Map<string, string>) {
  const sorted = (xs: string[]) => xs.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    added: sorted([...b.keys()].filter((k) => !a.has(k))),
    removed: sorted([...a.keys()].filter((k) => !b.has(k))),
    changed: sorted([...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k))).map((key) => ({ key, from: a.get(key)!, to: b.get(key)! })),
  };
}

const objectId = (o: Record<string, any>) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/**
 * The upgrade view of an app from one Cilium version to another: `build` adds the app's clusters for a
 * Cilium version (e.g. `(app, v) => zeroTrustPlatform(app, { ciliumVersion: v })`); both apps are built
 * and compared cluster by cluster (by cluster name): Helm values keys added, removed and changed
 * (flattened dotted paths), cilium-config entries the charts render differently, objects whose
 * apiVersion changes, the Gateway API CRDs to install before upgrading Cilium, and the violations of
 * each side (an invalid side is reported, not thrown).
 */
export function upgradeView(build: (app: App, ciliumVersion: string) => void, from: string, to: string): UpgradeView {
  if (typeof build !== 'function') invalid('invalid-type', 'build', 'is not a function', 'pass (app, ciliumVersion) => { ... } that adds the clusters');
  for (const [field, version] of [['from', from], ['to', to]] as const) {
    if (typeof version !== 'string') invalid('invalid-type', field, 'is not a Cilium version string', 'give a chart version such as "1.20.0"');
  }
  const before = side(build, from);
  const after = side(build, to);
  const names = [...new Set([...before.clusters.keys(), ...after.clusters.keys()])].sort();
  const clusters = names.map((name): ClusterUpgrade => {
    const a = before.clusters.get(name);
    const b = after.clusters.get(name);
    const values = diffMaps(flatten(a?.values ?? {}), flatten(b?.values ?? {}));
    const config = a && b
      ? diffMaps(new Map(Object.entries(expectedCiliumConfig(a.minor, { gatewayApi: a.gateway })).map(([k, v]) => [k, JSON.stringify(v)])),
        new Map(Object.entries(expectedCiliumConfig(b.minor, { gatewayApi: b.gateway })).map(([k, v]) => [k, JSON.stringify(v)])))
      : { added: [], removed: [], changed: [] };
    const oldApi = new Map((a?.objects ?? []).map((o) => [objectId(o), String(o.apiVersion)]));
    const apiVersionsChanged = (b?.objects ?? []).map((o) => ({ object: objectId(o), from: oldApi.get(objectId(o)), to: String(o.apiVersion) }))
      .filter((c): c is ApiVersionChange => c.from !== undefined && c.from !== c.to);
    return {
      name,
      versions: { from: a?.versions, to: b?.versions },
      valuesAdded: values.added,
      valuesRemoved: values.removed,
      valuesChanged: values.changed,
      chartConfigChanged: [
        ...config.changed,
        ...config.added.map((key) => ({ key, from: '(chart default)', to: JSON.stringify(expectedCiliumConfig(b!.minor, { gatewayApi: b!.gateway })[key]) })),
        ...config.removed.map((key) => ({ key, from: JSON.stringify(expectedCiliumConfig(a!.minor, { gatewayApi: a!.gateway })[key]), to: '(absent or chart default)' })),
      ],
      apiVersionsChanged,
      gatewayApiCrdsFirst: b && b.gateway && a?.versions.gatewayApi !== b.versions.gatewayApi ? gatewayApiCrdUrls(b.versions) : [],
      violations: { from: a?.violations ?? [], to: b?.violations ?? [] },
    };
  });
  return { from, to, clusters, appViolations: { from: before.violations, to: after.violations } };
}

/** `rule field: problem. Fix: fix`: what is wrong on that side and what to change. */
function violationLine(v: Violation): string {
  return `${v.rule} ${formatViolation(v)}`;
}

/** The view as short, deterministic lines (what `scripts/upgrade-view.js` prints). */

export function formatUpgradeView(view: UpgradeView): string[] {
  const lines: string[] = [`Cilium ${view.from} -> ${view.to}`];
  const list = (title: string, items: readonly string[]) => {
    if (items.length > 0) lines.push(`  ${title}:`, ...items.map((i) => `    ${i}`));
  };
  for (const c of view.clusters) {
    lines.push(`cluster ${c.name}`);
    const { from, to } = c.versions;
    if (from && to) {
      for (const key of ['cilium', 'gatewayApi', 'certManager', 'kindRelease', 'kubernetes'] as const) {
        if (from[key] !== to[key]) lines.push(`  ${key}: ${from[key] ?? '-'} -> ${to[key] ?? '-'}`);
      }
    }
    list('values added', c.valuesAdded);
    list('values removed', c.valuesRemoved);
    list('values changed', c.valuesChanged.map((v) => `${v.key}: ${v.from} -> ${v.to}`));
    list('cilium-config (chart)', c.chartConfigChanged.map((v) => `${v.key}: ${v.from} -> ${v.to}`));
    list('apiVersion', c.apiVersionsChanged.map((v) => `${v.object}: ${v.from} -> ${v.to}`));
    list('install first', c.gatewayApiCrdsFirst);
    list(`violations at ${view.from}`, c.violations.from.map(violationLine));
    list(`violations at ${view.to}`, c.violations.to.map(violationLine));
  }
  list(`violations at ${view.from}`, view.appViolations.from.map(violationLine));
  list(`violations at ${view.to}`, view.appViolations.to.map(violationLine));
  return lines;
}
