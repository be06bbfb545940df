import { createHash } from 'crypto';
import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { applyPlan, ApplyStep } from './apply-plan';
import { renderMeshPage } from './mesh-page';
import { ClusterOpsPlan, clusterOpsPlan } from './ops-plan';
import { renderPlatformPage } from './platform-page';
import { earlierApplySteps } from '../applied/apply-steps';
import { invalid, PlatformConfigError } from '../errors';
import { renderClusterScripts } from './scripts/index';
import { MeshOpsPlan, renderMeshScripts } from './scripts/mesh';
import { applyPlatform } from '../applied/platform';
import { allViolations, prepareClusters } from '../cluster/app-validation';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { renderBootstrapScript } from '../gitops/bootstrap-script';
import { renderClusterGitOps } from '../gitops/cluster-output';
import { renderMeshGitOps } from '../gitops/mesh-output';
import { gitopsOrderProblems } from '../gitops/order-check';
import { ClusterMesh } from '../mesh/cluster-mesh';
import { clusterOutcomes } from '../outcomes';
import { CRD_CATALOG } from '../private/crd-catalog';
import { toYaml, toYamlStream } from '../private/yaml';
import { poolCapacity } from '../rules/registry';
import { GitOpsEngine, GitOpsSpec } from '../spec/gitops';
import { MESH_DEMO } from '../spec/mesh-membership';
import { BUNDLE_NAME, BUNDLE_VERSION, ComponentVersions, componentVersionsOf, installSources } from '../spec/versions';

/** One file of the bundle, relative to the output root (POSIX separators). */
export interface BundleFile {
  readonly path: string;
  readonly content: string;
}

/** The top-level folders the bundle writes into; synthesis owns only the files `dist/bundle.json` lists in them. */
export const BUNDLE_DIRS = ['dist', 'kind', 'cilium-values'] as const;

/** Index entry for one cluster in `dist/bundle.json`. */
export interface BundleClusterIndex {
  readonly name: string;
  readonly kindConfig: string;
  readonly ciliumValues: string;
  /**
   * `dist/<c>/<c>.k8s.yaml`. Absent when the cluster defines no Kubernetes objects (kind + Cilium only):
   * then there is no manifest file, no kustomization and no `bundle` apply step, because
   * `kubectl apply -k` refuses an empty build ("no objects passed to apply").
   */
  readonly manifests?: string;
  /** `dist/<c>/kustomization.yaml`; absent exactly when {@link manifests} is. */
  readonly kustomization?: string;
  readonly applyScript: string;
  /** `dist/<c>/platform.md`: the cluster as applied and its intended outcomes, in plain words (docs/platform-page.md). */
  readonly platformPage: string;
  /** The cluster's scripts: preflight, apply, verify, teardown (run from the repository root). */
  readonly scripts: Readonly<Record<'preflight' | 'apply' | 'verify' | 'teardown', string>>;
  readonly versions: ComponentVersions;
  readonly installSources: Record<string, string>;
  readonly loadBalancerPoolAddresses: number;
  readonly applyOrder: readonly ApplyStep[];
  /** The cluster's GitOps output; absent when its `gitops` option is off. */
  readonly gitops?: BundleGitOpsIndex;
}

/** Index entry of a cluster's or a mesh's GitOps output. */
export interface BundleGitOpsIndex {
  readonly engine: GitOpsEngine;
  readonly repoUrl: string;
  readonly revision: string;
  /** Folder of the bundle in the repository (`.` for the root). */
  readonly path: string;
  /** `dist/<c>/bootstrap.sh` (or `dist/<mesh>/bootstrap.sh`). */
  readonly bootstrap: string;
  /** Every GitOps file, sorted. */
  readonly files: readonly string[];
}

/** Index entry for one Cluster Mesh in `dist/bundle.json`. */
export interface BundleMeshIndex {
  readonly name: string;
  /** Member cluster names, in apply order. */
  readonly members: readonly string[];
  /** The fleet scripts (run from the repository root). */
  readonly scripts: Readonly<Record<'sharedCa' | 'preflight' | 'apply' | 'verify' | 'teardown', string>>;
  /** `dist/<mesh>/platform.md`: the members, their clustermesh-apiserver addresses and the global Services. */
  readonly platformPage: string;
  /** Where apply.sh creates the shared CA (gitignored; never part of the bundle). */
  readonly caDir: string;
  /** The fleet's GitOps output; absent when the mesh's `gitops` option is off. */
  readonly gitops?: BundleGitOpsIndex;
}

/** Requests per member the fleet verify.sh sends to the global Service (every member must answer at least one). */
const MESH_PROBES = 20;

/** The folder of a mesh's CA: gitignored (`/.kind-cilium/`), created by its shared-ca.sh at apply time. */
export function meshCaDir(mesh: string): string {
  return `.kind-cilium/${mesh}`;
}

/**
 * Checks the whole app: every cluster's cross-object rules, duplicate objects, every other construct
 * validation (e.g. cdk8s-plus), and the rules across clusters (names, pool addresses, host ports).
 * Throws one {@link PlatformConfigError} listing all problems.
 */
export function validateApp(app: IConstruct): void {
  checkApp(app);
  const violations = allViolations(app, prepareClusters(app));
  if (violations.length > 0) throw new PlatformConfigError(violations);
}

/** Throws unless `app` is a construct (the App the clusters were added to). */
function checkApp(app: unknown): void {
  if (!Construct.isConstruct(app)) invalid('invalid-type', 'app', 'is not a cdk8s App (or another construct)', 'pass the App the clusters were added to');
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
 * A cluster without Kubernetes objects gets neither manifest file nor kustomization (an empty
 * kustomization cannot be applied); its apply.sh stops after Cilium.
 * Pure and deterministic; throws {@link PlatformConfigError} before anything is produced when the app is invalid.
 */
export function renderBundle(app: App): BundleFile[] {
  return renderBundleWithPlans(app).files;
}

/** What {@link renderBundleWithPlans} returns: the files, and the plans the scripts were rendered from. */
export interface RenderedBundle {
  readonly files: BundleFile[];
  readonly clusterPlans: readonly ClusterOpsPlan[];
  readonly meshPlans: readonly MeshOpsPlan[];
}

/**
 * {@link renderBundle}, also returning the operations plans of every cluster and mesh (the e2e workflow and the tests
 * read them).
 * @internal
 */
export function renderBundleWithPlans(app: App): RenderedBundle {
  const clusterPlans: ClusterOpsPlan[] = [];
  const meshPlans: MeshOpsPlan[] = [];
  checkApp(app);
  const prepared = prepareClusters<KindCiliumCluster>(app);
  const violations = allViolations(app, prepared);
  if (violations.length > 0) throw new PlatformConfigError(violations);
  const files: BundleFile[] = [];
  const index: BundleClusterIndex[] = [];
  const meshes = app.node.findAll().filter(ClusterMesh.isClusterMesh);
  const meshOf = (cluster: KindCiliumCluster) => meshes.find((m) => m.members.includes(cluster));
  for (const { cluster, model, objects, entries } of prepared) {
    const name = cluster.clusterName;
    const spec = cluster.spec;
    const versions = componentVersionsOf(spec);
    const kindConfigPath = `kind/${name}.yaml`;
    const ciliumValuesPath = `cilium-values/${name}.yaml`;
    const manifestsDir = `dist/${name}`;
    const manifestFile = `${name}.k8s.yaml`;
    const hasObjects = objects.length > 0;
    const mesh = meshOf(cluster);

    const earlier = earlierApplySteps(model, objects as { apiVersion: string }[]);
    const steps = applyPlan({
      spec,
      versions,
      needsGatewayApi: earlier.gatewayApiCrds,
      needsCertManager: earlier.certManager,
      kindConfigPath,
      ciliumValuesPath,
      manifestsDir: hasObjects ? manifestsDir : undefined,
      ...(mesh ? { meshCa: { script: `dist/${mesh.meshName}/shared-ca.sh`, valuesFile: `${meshCaDir(mesh.meshName)}/ca-values.yaml` } } : {}),
    });

    files.push({
      path: kindConfigPath,
      content: header([`kind cluster "${name}" (${BUNDLE_NAME} ${BUNDLE_VERSION}). Generated; do not edit.`, `kind create cluster --config ${kindConfigPath}`]) + toYaml(model.kindConfig, kindConfigPath),
    });
    const helmCommand = `helm upgrade --install cilium cilium/cilium --version ${versions.cilium} -n kube-system -f ${ciliumValuesPath}`;
    files.push({
      path: ciliumValuesPath,
      content: header([`Cilium ${versions.cilium} Helm values for kind cluster "${name}" (${BUNDLE_NAME} ${BUNDLE_VERSION}). Generated; do not edit.`,
        // A mesh member needs the mesh's shared CA values too: without them each member makes its own CA and mesh TLS fails.
        ...(mesh
          ? [`Cluster Mesh "${mesh.meshName}" member: install with bash dist/${mesh.meshName}/apply.sh (every member), or by hand:`,
            `bash dist/${mesh.meshName}/shared-ca.sh && ${helmCommand} -f ${meshCaDir(mesh.meshName)}/ca-values.yaml`]
          : [helmCommand])]) + toYaml(model.ciliumValues, ciliumValuesPath),
    });
    if (hasObjects) {
      files.push({ path: `${manifestsDir}/${manifestFile}`, content: toYamlStream(objects, `${manifestsDir}/${manifestFile}`) });
      files.push({
        path: `${manifestsDir}/kustomization.yaml`,
        content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [manifestFile] }),
      });
    }
    const outcomes = clusterOutcomes({ model, entries });
    const ops = clusterOpsPlan({ cluster, model, objects, steps, versions, kindConfigPath, ciliumValuesPath, manifestsDir, outcomes });
    clusterPlans.push(ops);
    files.push({ path: `${manifestsDir}/platform.md`, content: renderPlatformPage(applyPlatform({ model, entries }), outcomes) });
    for (const script of renderClusterScripts(ops)) files.push({ path: `${manifestsDir}/${script.name}`, content: script.content });
    let gitopsIndex: BundleGitOpsIndex | undefined;
    if (spec.gitops) {
      const gitopsFiles = renderClusterGitOps({
        clusterName: name,
        gitops: spec.gitops,
        steps,
        versions,
        ciliumMinor: spec.ciliumMinor,
        ciliumValuesPath,
        ciliumValues: files.find((f) => f.path === ciliumValuesPath)!.content,
        manifestsDir,
        operatorCrdKinds: operatorCrdKinds(objects),
        ...(mesh ? { mesh: mesh.meshName } : {}),
      });
      const problems = gitopsOrderProblems(name, steps, gitopsFiles);
      if (problems.length > 0) throw new Error(`GitOps objects of ${name} disagree with its apply plan: ${problems.join('; ')}`);
      const bootstrap = `${manifestsDir}/bootstrap.sh`;
      gitopsFiles.push({
        path: bootstrap,
        content: renderBootstrapScript(ops, {
          engine: spec.gitops.engine,
          gitopsDir: `${manifestsDir}/gitops`,
          ...(mesh ? { meshCa: { mesh: mesh.meshName, valuesFile: `${meshCaDir(mesh.meshName)}/ca-values.yaml` } } : {}),
        }),
      });
      files.push(...gitopsFiles);
      gitopsIndex = gitopsIndexOf(spec.gitops, bootstrap, gitopsFiles);
    }
    index.push({
      name,
      kindConfig: kindConfigPath,
      ciliumValues: ciliumValuesPath,
      manifests: hasObjects ? `${manifestsDir}/${manifestFile}` : undefined,
      kustomization: hasObjects ? `${manifestsDir}/kustomization.yaml` : undefined,
      applyScript: `${manifestsDir}/apply.sh`,
      platformPage: `${manifestsDir}/platform.md`,
      scripts: {
        preflight: `${manifestsDir}/preflight.sh`,
        apply: `${manifestsDir}/apply.sh`,
        verify: `${manifestsDir}/verify.sh`,
        teardown: `${manifestsDir}/teardown.sh`,
      },
      versions,
      installSources: installSources(versions),
      loadBalancerPoolAddresses: poolCapacity(model),
      applyOrder: steps,
      ...(gitopsIndex ? { gitops: gitopsIndex } : {}),
    });
  }
  const meshIndex: BundleMeshIndex[] = [];
  const meshDemoPlan = {
    namespace: MESH_DEMO.namespace,
    client: MESH_DEMO.client,
    intruder: MESH_DEMO.intruder,
    container: MESH_DEMO.container,
    probes: MESH_PROBES,
  };
  for (const mesh of meshes) {
    const dir = `dist/${mesh.meshName}`;
    const members = [...mesh.members].sort((a, b) => (a.clusterName < b.clusterName ? -1 : 1));
    const plan: MeshOpsPlan = {
      mesh: mesh.meshName,
      dir,
      caDir: meshCaDir(mesh.meshName),
      members: members.map((m) => ({
        clusterName: m.clusterName,
        context: `kind-${m.clusterName}`,
        manifestsDir: `dist/${m.clusterName}`,
        nodes: m.spec.controlPlaneNodes + m.spec.workers,
        ...(mesh.demo ? { serviceUrl: `http://${MESH_DEMO.service}.${MESH_DEMO.namespace}.svc.${m.spec.dnsDomain}:${MESH_DEMO.servicePort}/` } : {}),
      })),
      ...(mesh.demo ? { demo: meshDemoPlan } : {}),
    };
    meshPlans.push(plan);
    for (const script of renderMeshScripts(plan)) files.push({ path: `${dir}/${script.name}`, content: script.content });
    const fleet = members.map((m) => prepared.find((p) => p.cluster === m)!);
    files.push({ path: `${dir}/platform.md`, content: renderMeshPage(mesh.meshName, fleet) });
    const meshGitOps = mesh.gitops
      ? renderMeshGitOps({ mesh: mesh.meshName, dir, gitops: mesh.gitops, members: members.map((m) => m.clusterName) })
      : [];
    files.push(...meshGitOps);
    meshIndex.push({
      name: mesh.meshName,
      members: members.map((m) => m.clusterName),
      platformPage: `${dir}/platform.md`,
      scripts: { sharedCa: `${dir}/shared-ca.sh`, preflight: `${dir}/preflight.sh`, apply: `${dir}/apply.sh`, verify: `${dir}/verify.sh`, teardown: `${dir}/teardown.sh` },
      caDir: plan.caDir,
      ...(mesh.gitops ? { gitops: gitopsIndexOf(mesh.gitops, `${dir}/bootstrap.sh`, meshGitOps) } : {}),
    });
  }
  const bundleIndex = {
    name: BUNDLE_NAME,
    version: BUNDLE_VERSION,
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.content) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
    clusters: index,
    ...(meshIndex.length > 0 ? { meshes: meshIndex } : {}),
  };
  files.push({ path: 'dist/bundle.json', content: `${JSON.stringify(bundleIndex, null, 2)}\n` });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, clusterPlans, meshPlans };
}

/** The kinds of `objects` whose CRD cilium-operator creates at run time (the Cilium chart ships no CRD), sorted. */
function operatorCrdKinds(objects: readonly Record<string, any>[]): { apiVersion: string; kind: string }[] {
  const cilium = new Set(CRD_CATALOG.filter((c) => c.source === 'cilium').map((c) => `${c.group}/${c.kind}`));
  const seen = new Map<string, { apiVersion: string; kind: string }>();
  for (const o of objects) {
    const apiVersion = String(o.apiVersion);
    if (cilium.has(`${apiVersion.split('/')[0]}/${o.kind}`)) seen.set(`${apiVersion}/${o.kind}`, { apiVersion, kind: String(o.kind) });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function gitopsIndexOf(g: GitOpsSpec, bootstrap: string, files: readonly BundleFile[]): BundleGitOpsIndex {
  return { engine: g.engine, repoUrl: g.repoUrl, revision: g.revision, path: g.path === '' ? '.' : g.path, bootstrap, files: files.map((f) => f.path).sort() };
}
