import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { BundleFile, renderBundle } from '../../src/bundle/render';
import { synthesizeBundle } from '../../src/bundle/synthesize';
import { gitopsOrderProblems } from '../../src/gitops/order-check';
import { dnsHubblePlatform, kprNativePlatform, meshPlatform, nativeXdpPlatform, zeroTrustPlatform } from '../../src/presets';
import { GitOpsEngine, GitOpsOptions } from '../../src/spec/gitops';
import { kubectlBinary, KUBECTL_MISSING_NOTICE, kustomize } from '../support/kubectl';
import { describeWithReference } from '../support/reference';
import { GITOPS_CRDS, REPO_ROOT } from '../support/reference-files';
import { validateAgainstCrdFile } from '../support/reference-schemas';

const ENGINES: readonly GitOpsEngine[] = ['argocd', 'flux'];
const PRESETS = { 'dns-hubble': dnsHubblePlatform, 'kpr-native': kprNativePlatform, 'native-xdp': nativeXdpPlatform, 'zero-trust': zeroTrustPlatform };
const gitopsOf = (engine: GitOpsEngine): GitOpsOptions => ({ engine, repoUrl: 'https://github.com/example/platform.git', revision: 'main', path: 'clusters/local' });

/** Every preset and the mesh, with the GitOps option of `engine` on every cluster and the mesh, or off. */
function render(engine?: GitOpsEngine): BundleFile[] {
  const app = new App();
  const gitops = engine ? gitopsOf(engine) : undefined;
  for (const preset of Object.values(PRESETS)) preset(app, gitops ? { gitops } : {});
  meshPlatform(app, gitops ? { gitops } : {});
  return renderBundle(app);
}

const off = render();
const on = Object.fromEntries(ENGINES.map((e) => [e, render(e)])) as Record<GitOpsEngine, BundleFile[]>;
const clusters = [...Object.keys(PRESETS), 'mesh-east', 'mesh-west'];
const docsOf = (files: readonly BundleFile[], match: (p: string) => boolean) => files.filter((f) => match(f.path) && /\.ya?ml$/.test(f.path))
  .flatMap((f) => parseAllDocuments(f.content).map((d) => ({ path: f.path, doc: d.toJS() as Record<string, any> })));
const applyOrder = (files: readonly BundleFile[], cluster: string) => {
  const index = JSON.parse(files.find((f) => f.path === 'dist/bundle.json')!.content);
  return index.clusters.find((c: any) => c.name === cluster).applyOrder;
};

describe('option off: the bundle is unchanged', () => {
  test('rendered without gitops, every preset and the mesh equal the committed bundle byte for byte', () => {
    const differ = off.filter((f) => !fs.existsSync(path.join(REPO_ROOT, f.path)) || fs.readFileSync(path.join(REPO_ROOT, f.path), 'utf8') !== f.content).map((f) => f.path);
    expect(differ).toEqual([]);
  });

  test.each(ENGINES)('%s on only adds files: every file of the bundle without it is unchanged, bundle.json only gains gitops entries', (engine) => {
    const withIt = new Map(on[engine].map((f) => [f.path, f.content]));
    for (const f of off.filter((x) => x.path !== 'dist/bundle.json')) expect([f.path, withIt.get(f.path) === f.content]).toEqual([f.path, true]);
    const added = on[engine].map((f) => f.path).filter((p) => !off.some((f) => f.path === p));
    expect(added.filter((p) => !/^dist\/[^/]+\/(gitops\/|bootstrap\.sh$)/.test(p))).toEqual([]);
    const strip = (text: string, files: Set<string>) => {
      const index = JSON.parse(text);
      index.files = index.files.filter((f: any) => !files.has(f.path));
      for (const c of [...index.clusters, ...(index.meshes ?? [])]) delete c.gitops;
      return index;
    };
    const gitopsIndex = JSON.parse(withIt.get('dist/bundle.json')!);
    expect(strip(withIt.get('dist/bundle.json')!, new Set(added))).toEqual(JSON.parse(off.find((f) => f.path === 'dist/bundle.json')!.content));
    // bundle.json lists every added file under its cluster's or mesh's gitops entry
    const listed = [...gitopsIndex.clusters, ...gitopsIndex.meshes].flatMap((c: any) => c.gitops.files);
    expect([...listed].sort()).toEqual([...added].sort());
  });
});

test.each(ENGINES)('%s: the atomic write puts every GitOps file listed in bundle.json on disk', (engine) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-write-'));
  try {
    const app = new App();
    zeroTrustPlatform(app, { gitops: gitopsOf(engine) });
    synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
    const index = JSON.parse(fs.readFileSync(path.join(root, 'dist/bundle.json'), 'utf8'));
    const gitopsFiles: string[] = index.clusters[0].gitops.files;
    expect(gitopsFiles.length).toBeGreaterThan(5);
    for (const p of gitopsFiles) {
      const entry = index.files.find((f: any) => f.path === p);
      expect([p, entry !== undefined && fs.existsSync(path.join(root, p))]).toEqual([p, true]);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

describe.each(ENGINES)('%s: the order is the apply plan\'s', (engine) => {
  test.each(clusters)('%s: waves / dependsOn follow bundle.json applyOrder', (cluster) => {
    const files = on[engine];
    const plan = applyOrder(files, cluster).map((s: any) => s.id).filter((id: string) => id !== 'kind');
    expect(gitopsOrderProblems(cluster, applyOrder(files, cluster), files)).toEqual([]);
    const name = (id: string) => `${cluster}-${id === 'bundle' ? 'manifests' : id}`;
    if (engine === 'argocd') {
      const apps = docsOf(files, (p) => p.startsWith(`dist/${cluster}/gitops/argocd/apps/`)).map((d) => d.doc);
      const byWave = [...apps].sort((a, b) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']) - Number(b.metadata.annotations['argocd.argoproj.io/sync-wave']));
      expect(byWave.map((a) => a.metadata.name)).toEqual(plan.map(name));
    } else {
      const ks = docsOf(files, (p) => p === `dist/${cluster}/gitops/flux/kustomizations.yaml`).map((d) => d.doc);
      // Walk the dependsOn chain from the Kustomization nothing depends on, back to the first.
      const chain: string[] = [];
      let at = ks.find((k) => !ks.some((o) => (o.spec.dependsOn ?? []).some((d: any) => d.name === k.metadata.name)));
      while (at) {
        chain.unshift(at.metadata.name);
        const dep = (at.spec.dependsOn ?? [])[0]?.name;
        at = dep ? ks.find((k) => k.metadata.name === dep) : undefined;
      }
      expect(chain).toEqual(plan.map(name));
    }
  });
});

describe('an engine object moved out of order fails the order check', () => {
  const cluster = 'zero-trust';
  const mutate = (files: BundleFile[], file: string, edit: (text: string) => string) =>
    files.map((f) => (f.path === file ? { ...f, content: edit(f.content) } : f));
  const steps = () => applyOrder(on.argocd, cluster);

  test('plan has every layer (the cases below move each one)', () => {
    expect(steps().map((s: any) => s.id)).toEqual(['kind', 'gateway-api-crds', 'cilium', 'cert-manager', 'bundle']);
  });

  test.each([
    ['cilium.yaml', '"2"', '"4"'],
    ['cert-manager.yaml', '"3"', '"1"'],
    ['manifests.yaml', '"4"', '"3"'],
    ['gateway-api-crds.yaml', '"1"', '"9"'],
  ])('Argo CD: %s wave %s -> %s', (file, from, to) => {
    const p = `dist/${cluster}/gitops/argocd/apps/${file}`;
    const moved = mutate(on.argocd, p, (t) => t.replace(`argocd.argoproj.io/sync-wave: ${from}`, `argocd.argoproj.io/sync-wave: ${to}`));
    expect(moved.find((f) => f.path === p)!.content).not.toBe(on.argocd.find((f) => f.path === p)!.content);
    expect(gitopsOrderProblems(cluster, steps(), moved).join('\n')).toMatch(/sync wave/);
  });

  test.each([
    ['the manifests depend on Cilium instead of cert-manager', 'name: zero-trust-cert-manager\n  wait: true', 'name: zero-trust-cilium\n  wait: true'],
    ['cert-manager depends on nothing', '  dependsOn:\n    - name: zero-trust-cilium\n  wait: false', '  wait: false'],
    ['the manifests neither wait nor health-check', '    - name: zero-trust-cert-manager\n  wait: true', '    - name: zero-trust-cert-manager\n  wait: false'],
  ])('Flux: %s', (_what, from, to) => {
    const p = `dist/${cluster}/gitops/flux/kustomizations.yaml`;
    const text = on.flux.find((f) => f.path === p)!.content;
    expect(text).toContain(from);
    expect(gitopsOrderProblems(cluster, steps(), mutate(on.flux, p, (t) => t.replace(from, to)))).not.toEqual([]);
  });

  test('Flux: the cert-manager HelmRelease no longer after Cilium\'s', () => {
    const p = `dist/${cluster}/gitops/flux/cert-manager/helm-release.yaml`;
    const moved = mutate(on.flux, p, (t) => t.replace(/ {2}dependsOn:\n {4}- name: zero-trust-cilium\n/, ''));
    expect(gitopsOrderProblems(cluster, steps(), moved).join('\n')).toMatch(/HelmRelease zero-trust-cert-manager dependsOn/);
  });
});

describeWithReference('every emitted Argo CD and Flux object passes its engine\'s CRD schema', ['gitops'], () => {
  test.each(ENGINES)('%s', (engine) => {
    const docs = docsOf(on[engine], (p) => p.includes('/gitops/')).filter(({ doc }) => /(^argoproj\.io|\.fluxcd\.io)\//.test(String(doc?.apiVersion)));
    const kinds = new Set<string>();
    for (const { path: p, doc } of docs) {
      const crd = GITOPS_CRDS.find((c) => `${c.group}/${c.kind}` === `${String(doc.apiVersion).split('/')[0]}/${doc.kind}`);
      expect([p, doc.kind, crd !== undefined]).toEqual([p, doc.kind, true]);
      expect([p, doc.metadata.name, validateAgainstCrdFile(doc, crd!.path)]).toEqual([p, doc.metadata.name, []]);
      kinds.add(doc.kind);
    }
    expect([...kinds].sort()).toEqual(engine === 'argocd' ? ['Application', 'ApplicationSet'] : ['GitRepository', 'HelmRelease', 'Kustomization', 'OCIRepository']);
  });

  test('the schema check refuses a broken object (it can fail)', () => {
    const app = docsOf(on.argocd, (p) => p === 'dist/zero-trust/gitops/argocd/apps/cilium.yaml')[0].doc;
    const file = GITOPS_CRDS.find((c) => c.kind === 'Application')!.path;
    expect(validateAgainstCrdFile({ ...app, spec: { ...app.spec, destination: 'in-cluster' } }, file)).not.toEqual([]);
    const ks = docsOf(on.flux, (p) => p === 'dist/zero-trust/gitops/flux/kustomizations.yaml')[0].doc;
    const { prune: _prune, ...noPrune } = ks.spec;
    expect(validateAgainstCrdFile({ ...ks, spec: noPrune }, GITOPS_CRDS.find((c) => c.kind === 'Kustomization')!.path).join('\n')).toMatch(/prune/);
    // a CEL rule (x-kubernetes-validations): a HelmRelease takes exactly one of chart and chartRef
    const hr = docsOf(on.flux, (p) => p === 'dist/zero-trust/gitops/flux/cilium/helm-release.yaml')[0].doc;
    const both = { ...hr, spec: { ...hr.spec, chart: { spec: { chart: 'cilium', sourceRef: { kind: 'HelmRepository', name: 'x' } } } } };
    const hrFile = GITOPS_CRDS.find((c) => c.kind === 'HelmRelease')!.path;
    expect(validateAgainstCrdFile(hr, hrFile)).toEqual([]);
    expect(validateAgainstCrdFile(both, hrFile).join('\n')).toMatch(/chart/);
  });
});

const kubectl = kubectlBinary();
if (!kubectl) process.stderr.write(KUBECTL_MISSING_NOTICE);
(kubectl ? describe : describe.skip)('kubectl kustomize builds what the engines point at (real kubectl)', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    for (const f of [...on.flux, ...on.argocd]) {
      fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
      fs.writeFileSync(path.join(root, f.path), f.content);
    }
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test.each(clusters)('%s: the Flux values ConfigMaps hold the synthesized values files exactly; the Flux folder builds', async (cluster) => {
    const values = on.flux.find((f) => f.path === `cilium-values/${cluster}.yaml`)!.content;
    const built = await kustomize(path.join(root, `dist/${cluster}/gitops/flux/cilium`));
    const cm = built.find((o) => o.kind === 'ConfigMap')!;
    expect([cm.metadata.name, cm.metadata.namespace, cm.data['values.yaml']]).toEqual([`${cluster}-cilium-values`, 'flux-system', values]);
    const release = built.find((o) => o.kind === 'HelmRelease')!;
    expect(release.spec.valuesFrom[0]).toEqual({ kind: 'ConfigMap', name: cm.metadata.name, valuesKey: 'values.yaml' });
    const top = await kustomize(path.join(root, `dist/${cluster}/gitops/flux`));
    expect(top.map((o) => o.kind).sort()).toEqual(expect.arrayContaining(['GitRepository', 'Kustomization', 'OCIRepository']));
    if (fs.existsSync(path.join(root, `dist/${cluster}/gitops/flux/cert-manager`))) {
      const cmBuilt = await kustomize(path.join(root, `dist/${cluster}/gitops/flux/cert-manager`));
      expect(cmBuilt.find((o) => o.kind === 'ConfigMap')!.data['values.yaml']).toBe('crds:\n  enabled: true\n');
    }
  });

  test.each(clusters)('%s: the Argo CD manifests Application\'s patches annotate exactly the kinds whose CRD cilium-operator creates', async (cluster) => {
    const app = docsOf(on.argocd, (p) => p === `dist/${cluster}/gitops/argocd/apps/manifests.yaml`)[0].doc;
    const dir = path.join(root, 'argo-build', cluster);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), JSON.stringify({ resources: [path.relative(dir, path.join(root, `dist/${cluster}`))], patches: app.spec.source.kustomize.patches }));
    const built = await kustomize(dir);
    const plain = await kustomize(path.join(root, `dist/${cluster}`));
    expect(built.length).toBe(plain.length);
    for (const o of built) {
      const cilium = String(o.apiVersion).startsWith('cilium.io/');
      expect([o.kind, o.metadata.name, o.metadata.annotations?.['argocd.argoproj.io/sync-options']]).toEqual([o.kind, o.metadata.name, cilium ? 'SkipDryRunOnMissingResource=true' : undefined]);
    }
    expect(built.some((o) => String(o.apiVersion).startsWith('cilium.io/'))).toBe(true);
  });
});

describe('bootstrap.sh hands the engine the release it adopts', () => {
  test.each(ENGINES.flatMap((e) => clusters.map((c) => [e, c] as const)))('%s %s: the steps through Cilium are apply.sh\'s; the engine names the same release', (engine, cluster) => {
    const files = on[engine];
    const apply = files.find((f) => f.path === `dist/${cluster}/apply.sh`)!.content;
    const boot = files.find((f) => f.path === `dist/${cluster}/bootstrap.sh`)!.content;
    const plan = applyOrder(files, cluster);
    const through = plan.slice(0, plan.findIndex((s: any) => s.id === 'cilium') + 1);
    const lines = boot.split('\n').map((l) => l.trim());
    for (const cmd of through.flatMap((s: any) => s.commands)) expect(lines.some((l) => l === cmd || l.endsWith(`) ${cmd} ;;`))).toBe(true);
    for (const cmd of plan.slice(through.length).flatMap((s: any) => s.commands)) expect(lines).not.toContain(cmd);
    // the kind step (with the bundle's mark, so teardown.sh deletes the cluster) is apply.sh's, line for line
    const kindBlock = (s: string) => s.slice(s.indexOf('cluster_state\ncase'), s.indexOf('esac', s.indexOf('cluster_state\ncase')));
    expect(kindBlock(boot)).toBe(kindBlock(apply));
    const helm = through.flatMap((s: any) => s.commands).find((c: string) => c.startsWith('helm upgrade --install'))!;
    expect(helm).toMatch(/^helm upgrade --install cilium .* --namespace kube-system /);
    if (engine === 'argocd') {
      const app = docsOf(files, (p) => p === `dist/${cluster}/gitops/argocd/apps/cilium.yaml`)[0].doc;
      expect([app.spec.sources[0].helm.releaseName, app.spec.destination.namespace]).toEqual(['cilium', 'kube-system']);
    } else {
      const hr = docsOf(files, (p) => p === `dist/${cluster}/gitops/flux/cilium/helm-release.yaml`)[0].doc;
      expect([hr.spec.releaseName, hr.spec.targetNamespace, hr.spec.storageNamespace]).toEqual(['cilium', 'kube-system', 'kube-system']);
    }
    expect(spawnSync('bash', ['-n'], { input: boot }).status).toBe(0);
  });

  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  (shellcheck ? test : test.skip)('shellcheck finds nothing in any bootstrap.sh', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-'));
    const files = ENGINES.flatMap((e) => on[e].filter((f) => f.path.endsWith('bootstrap.sh')).map((f, i) => {
      const p = path.join(dir, `${e}-${i}.sh`);
      fs.writeFileSync(p, f.content);
      return p;
    }));
    const r = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stdout).toBe('');
  });
});
