import * as fs from 'fs';
// The real module object (not the `import *` copy), so jest can replace renameSync for the failure test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeFs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KindCiliumCluster, LoadBalancerIpPool, PlatformConfigError, synthesizeBundle } from '../../src';
import { fileTree } from '../support/output-tree';

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
    const files = Object.keys(fileTree(root)).sort();
    expect(files).toEqual([
      'cilium-values/dev.yaml',
      'dist/bundle.json',
      'dist/dev/apply.sh',
      'dist/dev/dev.k8s.yaml',
      'dist/dev/kustomization.yaml',
      'dist/dev/platform.md',
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
    const before = fileTree(root);
    const bad = new App();
    new KindCiliumCluster(bad, 'dev', { clusterName: 'dev', masquerade: { bpf: true }, kubeProxyReplacement: false });
    expect(() => synthesizeBundle(bad, { rootDir: root })).toThrow(PlatformConfigError);
    expect(() => synthesizeBundle(bad, { rootDir: root })).toThrow(/dev\.masquerade\.bpf: .*Fix: /);
    expect(fileTree(root)).toEqual(before);
  });

  test('a failure in the middle of the swap restores every folder', () => {
    synthesizeBundle(validApp(), { rootDir: root });
    const before = fileTree(root);
    const realRename = nodeFs.renameSync;
    let calls = 0;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      calls += 1;
      // Renames: the lock, the journal, then one per file: fail on the second file's (the first is in place by then).
      if (calls === 4) throw new Error('disk full (simulated)');
      return realRename(from, to);
    });
    expect(() => synthesizeBundle(validApp('other'), { rootDir: root })).toThrow('disk full (simulated)');
    jest.restoreAllMocks();
    expect(fileTree(root)).toEqual(before);
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
    const first = fileTree(root);
    synthesizeBundle(validApp(), { rootDir: root });
    expect(fileTree(root)).toEqual(first);
  });
});
