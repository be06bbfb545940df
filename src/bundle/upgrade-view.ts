import { App } from 'cdk8s';
import { allViolations, prepareClusters } from '../cluster/app-validation';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { formatViolation, PlatformConfigError, Violation } from '../errors';
import { expectedCiliumConfig, helmValuesFacts, MeshPeerAddressPlace } from '../spec/values-by-minor';
import { CILIUM_MINOR_FACTS, ciliumMinorFacts, ciliumMinorOf, gatewayApiRelease } from '../spec/version-matrix';
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

/**
 * A step the upgrade needs besides `helm upgrade` and re-applying the bundle:
 * - `recreate-cluster`: the kind node image changes (another Kubernetes version or kind release); kind has no
 *   in-place node upgrade (each node is a container of that image), so the cluster is deleted and created again;
 * - `cilium-minors-skipped`: the two versions are more than one minor apart; Cilium's only tested upgrade and
 *   rollback path is between consecutive minors (Cilium docs, Upgrade Guide: "Always perform rollbacks and upgrades
 *   between one minor release at a time"), so the note names the path through each minor's latest patch;
 * - `gateway-api-downgrade-blocked`: the installed Gateway API release has the `safe-upgrades.gateway.networking.k8s.io`
 *   ValidatingAdmissionPolicy (v1.6.1), which denies the CRDs of the target release (bundle version v0.x or v1.0-v1.5),
 *   so the policy and its binding must be deleted first (or the cluster recreated);
 * - `pre-release-target`: the target is a development pre-release (the 1.21 preview, opted in with
 *   `versions.allowPreRelease`), from the version matrix;
 * - `mesh-peer-addresses-move`: for a Cluster Mesh member, the chart writes the peers' addresses somewhere else
 *   (`HelmValuesFacts.meshPeerAddresses`: 1.21 drops the pods' `hostAliases` and keeps only the
 *   `cilium-host-aliases` block of the mesh Secrets).
 */
export interface UpgradeNote {
  readonly id: 'recreate-cluster' | 'cilium-minors-skipped' | 'gateway-api-downgrade-blocked' | 'pre-release-target' | 'mesh-peer-addresses-move';
  /** What to do and why, one line. */
  readonly text: string;
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
  /**
   * Steps besides `helm upgrade`, and what changes that the values and objects above do not show (empty when there
   * are none; only `pre-release-target` when the old side does not build).
   */
  readonly notes: readonly UpgradeNote[];
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
  /** True when neither side has a violation (`scripts/upgrade-view.js` exits 1 otherwise). */
  readonly valid: boolean;
}

/** What the view compares of one cluster on one side. */
interface SideCluster {
  readonly versions: ComponentVersions;
  readonly values: Record<string, unknown>;
  readonly objects: Record<string, any>[];
  readonly minor: KindCiliumCluster['spec']['ciliumMinor'];
  readonly gateway: boolean;
  /** A Cluster Mesh member. */
  readonly mesh: boolean;
  readonly violations: Violation[];
}

interface Side {
  readonly violations: Violation[];
  readonly clusters: Map<string, SideCluster>;
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
      mesh: model.meshMemberships.length > 0,
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

const PEER_ADDRESS_PLACES: Readonly<Record<MeshPeerAddressPlace, string>> = {
  'pod-host-aliases': "the pods' hostAliases",
  'secret-host-aliases': 'the cilium-host-aliases block of the cilium-clustermesh / cilium-kvstoremesh Secret entries',
};

const objectId = (o: Record<string, any>) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/**
 * The upgrade view of an app from one Cilium version to another: `build` adds the app's clusters for a
 * Cilium version (e.g. `(app, v) => zeroTrustPlatform(app, { ciliumVersion: v })`); both apps are built
 * and compared cluster by cluster (by cluster name): Helm values keys added, removed and changed
 * (flattened dotted paths), cilium-config entries the charts render differently, objects whose
 * apiVersion changes, the Gateway API CRDs to install before upgrading Cilium, notes from the version
 * matrix (a pre-release target, where a mesh member's peer addresses move), and the violations of
 * each side (an invalid side is reported, not thrown). A pre-release target (`1.21.0-pre.0`) needs the
 * opt-in in `build` (`versions: { allowPreRelease: true }`); without it, that side lists
 * `cilium-pre-release-not-allowed`.
 */
export function upgradeView(build: (app: App, ciliumVersion: string) => void, from: string, to: string): UpgradeView {
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
      notes: b ? upgradeNotes(name, a, b) : [],
      violations: { from: a?.violations ?? [], to: b?.violations ?? [] },
    };
  });
  const appViolations = { from: before.violations, to: after.violations };
  const valid = [appViolations, ...clusters.map((c) => c.violations)].every((v) => v.from.length === 0 && v.to.length === 0);
  return { from, to, clusters, appViolations, valid };
}

/**
 * The bundle versions `safe-upgrades.gateway.networking.k8s.io` refuses (gateway-api v1.6.1
 * config/crd/standard/gateway.networking.k8s.io_vap_safeupgrades.yaml: a CRD whose `gateway.networking.k8s.io/bundle-version`
 * matches `v1.[0-5].\d+` or `v0` and not `-(rc)`; both patterns are plain enough to mean the same in RE2 and JavaScript).
 */
function refusedBySafeUpgrades(bundleVersion: string): boolean {
  return !/-(rc)/.test(bundleVersion) && (/v1.[0-5].\d+/.test(bundleVersion) || /v0/.test(bundleVersion));
}

/** The notes of one cluster's upgrade (see {@link UpgradeNote}), built on both sides or only on the new one. */
function upgradeNotes(name: string, a: SideCluster | undefined, b: SideCluster): UpgradeNote[] {
  const notes: UpgradeNote[] = [];
  const target = ciliumMinorFacts(b.minor);
  if (target.preRelease) {
    notes.push({
      id: 'pre-release-target',
      text: `Cilium ${b.versions.cilium} is a development pre-release (${target.releaseSource}), opted in with versions.allowPreRelease`,
    });
  }
  if (!a) return notes;
  if (a.mesh || b.mesh) {
    const [before, now] = [helmValuesFacts(a.minor).meshPeerAddresses, helmValuesFacts(b.minor).meshPeerAddresses];
    const gone = before.filter((p) => !now.includes(p));
    if (gone.length > 0 || now.some((p) => !before.includes(p))) {
      notes.push({
        id: 'mesh-peer-addresses-move',
        text: `Cluster Mesh peer addresses: the chart writes them to ${now.map((p) => PEER_ADDRESS_PLACES[p]).join(' and ')}`
          + (gone.length > 0 ? ` only (no longer to ${gone.map((p) => PEER_ADDRESS_PLACES[p]).join(' or ')})` : ''),
      });
    }
  }
  const [from, to] = [a.versions, b.versions];
  if (from.kindNodeImage !== to.kindNodeImage) {
    const what = from.kubernetes !== to.kubernetes ? `Kubernetes ${from.kubernetes ?? '?'} -> ${to.kubernetes ?? '?'}` : `${from.kindNodeImage} -> ${to.kindNodeImage}`;
    notes.push({
      id: 'recreate-cluster',
      text: `recreate the kind cluster: its node image changes (${what}) and kind cannot upgrade nodes in place; `
        + `run bash dist/${name}/teardown.sh, then bash dist/${name}/apply.sh (workloads and their data are lost)`,
    });
  }
  const order = CILIUM_MINOR_FACTS.map((f) => f.minor);
  const [i, j] = [ciliumMinorOf(from.cilium), ciliumMinorOf(to.cilium)].map((m) => (m === undefined ? -1 : order.indexOf(m)));
  if (i >= 0 && j >= 0 && Math.abs(i - j) > 1) {
    const through = (i < j ? CILIUM_MINOR_FACTS.slice(i + 1, j) : CILIUM_MINOR_FACTS.slice(j + 1, i).reverse()).map((f) => f.latestPatch);
    notes.push({
      id: 'cilium-minors-skipped',
      text: `Cilium ${from.cilium} -> ${to.cilium} skips ${through.length === 1 ? 'a minor' : 'minors'}: Cilium supports upgrades and rollbacks one minor `
        + `at a time, so go ${[from.cilium, ...through, to.cilium].join(' -> ')}`,
    });
  }
  const installed = gatewayApiRelease(from.gatewayApi);
  if (a.gateway && b.gateway && from.gatewayApi !== to.gatewayApi && installed?.standardNonCrdObjects.includes('ValidatingAdmissionPolicy')
    && refusedBySafeUpgrades(to.gatewayApi)) {
    notes.push({
      id: 'gateway-api-downgrade-blocked',
      text: `Gateway API ${from.gatewayApi} installed the ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io, which denies the `
        + `${to.gatewayApi} CRDs (it refuses bundle versions before v1.6): first run kubectl --context kind-${name} delete `
        + 'validatingadmissionpolicy,validatingadmissionpolicybinding safe-upgrades.gateway.networking.k8s.io, or recreate the cluster',
    });
  }
  return notes;
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
    list('before you upgrade', c.notes.map((n) => n.text));
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
