import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { addAllPresets, BundleFile, KindCiliumCluster, renderBundle } from '../../src';
import { KUBECTL_MISSING_NOTICE, kubectlBinary } from '../support/kubectl';

/**
 * Every file the bundle writes must be usable by the real tool it is meant for: a kustomization must
 * build to at least one object (`kubectl apply -k` refuses an empty build: "no objects passed to apply"),
 * and apply.sh and bundle.json may only point at files that exist.
 */
const APPS: Record<string, (app: App) => void> = {
  'a bare cluster (no objects of its own)': (app) => { new KindCiliumCluster(app, 'test', { clusterName: 'test' }); },
  'README first example': (app) => {
    new KindCiliumCluster(app, 'dev', { clusterName: 'dev', workers: 2, routingMode: 'native', dnsDomain: 'cluster.internal' });
  },
  'presets next to a bare cluster': (app) => {
    addAllPresets(app);
    new KindCiliumCluster(app, 'bare', { clusterName: 'bare', dockerNetworkSubnet: '172.30.0.0/16' });
  },
};

function render(build: (app: App) => void): BundleFile[] {
  const app = new App();
  build(app);
  return renderBundle(app);
}

describe.each(Object.entries(APPS))('%s', (_name, build) => {
  const files = render(build);
  const paths = new Set(files.map((f) => f.path));
  const index = JSON.parse(files.find((f) => f.path === 'dist/bundle.json')!.content);

  test('no manifest file is empty', () => {
    for (const f of files.filter((file) => file.path.endsWith('.k8s.yaml'))) {
      const docs = YAML.parseAllDocuments(f.content).map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
      expect({ path: f.path, hasObjects: docs.length > 0 }).toEqual({ path: f.path, hasObjects: true });
    }
  });

  test('every kustomization lists existing resources, and apply.sh / bundle.json name only existing files', () => {
    for (const f of files.filter((file) => file.path.endsWith('/kustomization.yaml'))) {
      const dir = path.posix.dirname(f.path);
      for (const r of YAML.parse(f.content).resources) expect(paths).toContain(`${dir}/${r}`);
    }
    for (const f of files.filter((file) => file.path.endsWith('/apply.sh'))) {
      for (const m of f.content.matchAll(/ -k (\S+)/g)) expect(paths).toContain(`${m[1]}/kustomization.yaml`);
      for (const m of f.content.matchAll(/(?:--config|--values|-f) ((?:kind|cilium-values|dist)\/\S+)/g)) expect(paths).toContain(m[1]);
    }
    for (const c of index.clusters) {
      for (const key of ['kindConfig', 'ciliumValues', 'manifests', 'kustomization', 'applyScript']) {
        if (c[key] !== undefined) expect(paths).toContain(c[key]);
      }
      const bundleStep = c.applyOrder.find((s: any) => s.id === 'bundle');
      expect({ cluster: c.name, appliesManifests: bundleStep !== undefined })
        .toEqual({ cluster: c.name, appliesManifests: c.kustomization !== undefined });
    }
    for (const f of index.files) expect(paths).toContain(f.path);
  });

  const kubectl = kubectlBinary();
  if (!kubectl) process.stderr.write(KUBECTL_MISSING_NOTICE);
  (kubectl ? test : test.skip)('kubectl kustomize builds every dist/<cluster> folder to at least one object', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-appliable-'));
    try {
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
        fs.writeFileSync(path.join(root, f.path), f.content);
      }
      const folders = files.filter((f) => f.path.endsWith('/kustomization.yaml')).map((f) => path.posix.dirname(f.path));
      for (const dir of folders) {
        const built = execFileSync(kubectl!, ['kustomize', path.join(root, dir)], { encoding: 'utf8' });
        const objects = YAML.parseAllDocuments(built).map((d) => d.toJS()).filter((o) => o !== null && o !== undefined);
        expect({ dir, objects: objects.length > 0 }).toEqual({ dir, objects: true });
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
