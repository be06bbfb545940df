import * as fs from 'fs';
// The real module object (not the `import *` copy), so jest can replace renameSync for the failure test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeFs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KindCiliumCluster, LoadBalancerIpPool, PlatformConfigError, synthesizeBundle } from '../../src';

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return out;
}

function validApp(name = 'dev'): App {
  const app = new App();
  // One object, so the cluster has manifests (a cluster without objects gets no dist/<c>/<c>.k8s.yaml).
  new LoadBalancerIpPool(new KindCiliumCluster(app, name, { clusterName: name }), 'pool');
  return app;
}

describe('atomic synthesis', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-atomic-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('writes kind/, cilium-values/ and dist/ and nothing else', () => {
    synthesizeBundle(validApp(), { rootDir: root });
    const files = Object.keys(tree(root)).sort();
    expect(files).toEqual([
      'cilium-values/dev.yaml',
      'dist/bundle.json',
      'dist/dev/apply.sh',
      'dist/dev/dev.k8s.yaml',
      'dist/dev/kustomization.yaml',
      'dist/dev/preflight.sh',
      'dist/dev/teardown.sh',
      'dist/dev/verify.sh',
      'kind/dev.yaml',
    ]);
    for (const script of ['apply', 'preflight', 'verify', 'teardown']) {
      expect(fs.statSync(path.join(root, `dist/dev/${script}.sh`)).mode % 0o1000).toBe(0o755);
    }
  });

  test('an invalid app throws a named error and leaves the previous output byte-identical', () => {
    synthesizeBundle(validApp(), { rootDir: root });
    const before = tree(root);
    const bad = new App();
    new KindCiliumCluster(bad, 'dev', { clusterName: 'dev', masquerade: { bpf: true }, kubeProxyReplacement: false });
    expect(() => synthesizeBundle(bad, { rootDir: root })).toThrow(PlatformConfigError);
    expect(() => synthesizeBundle(bad, { rootDir: root })).toThrow(/dev\.masquerade\.bpf: .*Fix: /);
    expect(tree(root)).toEqual(before);
  });

  test('a failure in the middle of the swap restores every folder', () => {
    synthesizeBundle(validApp(), { rootDir: root });
    const before = tree(root);
    const realRename = nodeFs.renameSync;
    let calls = 0;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      calls += 1;
      // Let the first folder swap through (backup + install), fail on the second folder's install.
      if (calls === 4) throw new Error('disk full (simulated)');
      return realRename(from, to);
    });
    expect(() => synthesizeBundle(validApp('other'), { rootDir: root })).toThrow('disk full (simulated)');
    jest.restoreAllMocks();
    expect(tree(root)).toEqual(before);
    expect(fs.readdirSync(root).filter((f) => f.startsWith('.synth-staging'))).toEqual([]);
  });

  test('mirrors manifests into the cdk8s CLI outdir without touching the bundle folders', () => {
    const cliOut = path.join(root, '.cdk8s.out');
    synthesizeBundle(validApp(), { rootDir: root, cdk8sOutdir: cliOut });
    expect(fs.readdirSync(cliOut)).toEqual(['dev.k8s.yaml']);
    expect(fs.readFileSync(path.join(cliOut, 'dev.k8s.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(root, 'dist/dev/dev.k8s.yaml'), 'utf8'));
  });

  test('two synths of the same app are byte-identical', () => {
    synthesizeBundle(validApp(), { rootDir: root });
    const first = tree(root);
    synthesizeBundle(validApp(), { rootDir: root });
    expect(tree(root)).toEqual(first);
  });
});
