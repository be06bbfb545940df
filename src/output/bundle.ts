import { createHash } from 'crypto';
import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PlatformConfigError, Violation } from '../errors';
import { KindCiliumCluster } from '../platform/kind-cilium-cluster';
import { PlatformModel } from '../platform/platform-model';
import { checkAcrossClusters, checkDuplicateObjects, checkPlatform, poolCapacity } from '../rules/platform-rules';
import { BUNDLE_NAME, BUNDLE_VERSION, ComponentVersions, installSources } from '../versions';
import { applyPlan, ApplyStep, renderApplyScript } from './apply-plan';
import { toYaml, toYamlStream } from './yaml';

/** One file of the bundle, relative to the output root (POSIX separators). */
export interface BundleFile {
  readonly path: string;
  readonly content: string;
}

/** The top-level folders the bundle owns; each is replaced as a whole on synth. */
export const BUNDLE_DIRS = ['dist', 'kind', 'cilium-values'] as const;

/** Index entry for one cluster in `dist/bundle.json`. */
export interface BundleClusterIndex {
  readonly name: string;
  readonly kindConfig: string;
  readonly ciliumValues: string;
  readonly manifests: string;
  readonly kustomization: string;
  readonly applyScript: string;
  readonly versions: ComponentVersions;
  readonly installSources: Record<string, string>;
  readonly loadBalancerPoolAddresses: number;
  readonly applyOrder: readonly ApplyStep[];
}

/** Install priority of kinds inside a manifest file: namespaces and policies before the workloads they guard. */
const KIND_ORDER = [
  'Namespace', 'CiliumLoadBalancerIPPool', 'CiliumL2AnnouncementPolicy', 'CiliumClusterwideNetworkPolicy',
  'CiliumNetworkPolicy', 'ServiceAccount', 'ConfigMap', 'Secret', 'ClusterIssuer', 'Issuer', 'Certificate',
  'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Gateway', 'ReferenceGrant', 'HTTPRoute',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/**
 * The Kubernetes objects of one cluster, resolved, in install order (kind priority, then construct order).
 * Not `Chart.toJson()`: cdk8s validates and walks the whole app for every chart, which makes a bundle of
 * n clusters cost O(n^2); the app is validated once by {@link validateApp}.
 */
export function clusterObjects(cluster: KindCiliumCluster): Record<string, any>[] {
  return cluster.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o, i) => ({ o: o.toJson() as Record<string, any>, i }))
    .sort((a, b) => kindRank(a.o.kind) - kindRank(b.o.kind) || a.i - b.i)
    .map(({ o }) => o);
}

/** All clusters in an app, ordered by cluster name. */
export function clustersOf(app: IConstruct): KindCiliumCluster[] {
  return app.node.findAll().filter(KindCiliumCluster.isKindCiliumCluster)
    .sort((a, b) => (a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0));
}

/** A cluster with its model and resolved objects, computed once per synthesis. */
interface PreparedCluster {
  readonly cluster: KindCiliumCluster;
  readonly model: PlatformModel;
  readonly objects: Record<string, any>[];
}

function prepare(app: IConstruct): PreparedCluster[] {
  return clustersOf(app).map((cluster) => ({ cluster, model: cluster.model(), objects: clusterObjects(cluster) }));
}

function validatePrepared(app: IConstruct, prepared: readonly PreparedCluster[]): void {
  const violations: Violation[] = [];
  if (prepared.length === 0) {
    violations.push({ rule: 'no-cluster', field: app.node.path || '(app)', problem: 'the app defines no KindCiliumCluster', fix: 'add at least one KindCiliumCluster (see the README presets)' });
  }
  for (const { cluster, model, objects } of prepared) {
    violations.push(...checkPlatform(model));
    violations.push(...checkDuplicateObjects(cluster.node.path, objects));
  }
  violations.push(...checkAcrossClusters(prepared.map((p) => p.model)));
  for (const construct of app.node.findAll()) {
    if (KindCiliumCluster.isKindCiliumCluster(construct)) continue;
    for (const message of construct.node.validate()) {
      violations.push({ rule: 'construct-validation', field: construct.node.path, problem: message, fix: 'see the construct documentation' });
    }
  }
  if (violations.length > 0) throw new PlatformConfigError(violations);
}

/**
 * Checks the whole app: every cluster's cross-object rules, duplicate objects, every other construct
 * validation (e.g. cdk8s-plus), and the rules across clusters (names, pool addresses, host ports).
 * Throws one error listing all problems.
 */
export function validateApp(app: IConstruct): void {
  validatePrepared(app, prepare(app));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function header(lines: string[]): string {
  return lines.map((l) => `# ${l}`).join('\n') + '\n';
}

/**
 * Renders the complete bundle in memory: `kind/<c>.yaml`, `cilium-values/<c>.yaml`,
 * `dist/<c>/<c>.k8s.yaml`, `dist/<c>/kustomization.yaml`, `dist/<c>/apply.sh` and `dist/bundle.json`.
 * Pure and deterministic; throws {@link PlatformConfigError} before anything is produced when the app is invalid.
 */
export function renderBundle(app: App): BundleFile[] {
  const prepared = prepare(app);
  validatePrepared(app, prepared);
  const files: BundleFile[] = [];
  const index: BundleClusterIndex[] = [];
  for (const { cluster, model, objects } of prepared) {
    const name = cluster.clusterName;
    const spec = cluster.spec;
    const versions: ComponentVersions = {
      kindNodeImage: spec.nodeImage,
      cilium: spec.ciliumVersion,
      gatewayApi: spec.versions.gatewayApi,
      certManager: spec.versions.certManager,
    };
    const kindConfigPath = `kind/${name}.yaml`;
    const ciliumValuesPath = `cilium-values/${name}.yaml`;
    const manifestsDir = `dist/${name}`;
    const manifestFile = `${name}.k8s.yaml`;


    const steps = applyPlan({
      spec,
      versions,
      needsGatewayApi: model.gateways.length > 0,
      needsCertManager: objects.some((o) => String(o.apiVersion).startsWith('cert-manager.io/')),
      kindConfigPath,
      ciliumValuesPath,
      manifestsDir,
    });

    files.push({
      path: kindConfigPath,
      content: header([`kind cluster "${name}" (${BUNDLE_NAME} ${BUNDLE_VERSION}). Generated; do not edit.`, `kind create cluster --config ${kindConfigPath}`]) + toYaml(model.kindConfig),
    });
    files.push({
      path: ciliumValuesPath,
      content: header([`Cilium ${versions.cilium} Helm values for kind cluster "${name}" (${BUNDLE_NAME} ${BUNDLE_VERSION}). Generated; do not edit.`,
        `helm upgrade --install cilium cilium/cilium --version ${versions.cilium} -n kube-system -f ${ciliumValuesPath}`]) + toYaml(model.ciliumValues),
    });
    files.push({ path: `${manifestsDir}/${manifestFile}`, content: toYamlStream(objects) });
    files.push({
      path: `${manifestsDir}/kustomization.yaml`,
      content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [manifestFile] }),
    });
    files.push({ path: `${manifestsDir}/apply.sh`, content: renderApplyScript(name, BUNDLE_VERSION, steps) });
    index.push({
      name,
      kindConfig: kindConfigPath,
      ciliumValues: ciliumValuesPath,
      manifests: `${manifestsDir}/${manifestFile}`,
      kustomization: `${manifestsDir}/kustomization.yaml`,
      applyScript: `${manifestsDir}/apply.sh`,
      versions,
      installSources: installSources(versions),
      loadBalancerPoolAddresses: poolCapacity(model),
      applyOrder: steps,
    });
  }
  const bundleIndex = {
    name: BUNDLE_NAME,
    version: BUNDLE_VERSION,
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.content) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    clusters: index,
  };
  files.push({ path: 'dist/bundle.json', content: `${JSON.stringify(bundleIndex, null, 2)}\n` });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
