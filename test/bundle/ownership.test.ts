import * as fs from 'fs';
// The real module object (not the `import *` copy), so jest can replace renameSync for the failure test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeFs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KindCiliumCluster, LoadBalancerIpPool, PlatformConfigError, runSynthesis, synthesizeBundle } from '../../src';
import { fileTree } from '../support/output-tree';

function app(...names: string[]): App {
  const a = new App();
  for (const name of names) new KindCiliumCluster(a, name, { clusterName: name });
  return a;
}

const FOREIGN: Record<string, string> = {
  'kind/registry.yaml': '# my local registry\n',
  'cilium-values/extra-values.yaml': 'debug:\n  enabled: true\n',
  'dist/README.md': '# our bundle\n',
  'dist/dev/notes.txt': 'hand-written, next to generated files\n',
};

function writeForeign(root: string): void {
  for (const [p, content] of Object.entries(FOREIGN)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
}

describe('synthesis owns only the files dist/bundle.json lists', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-own-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('bundle.json lists every file synthesis wrote (except itself)', () => {
    const files = synthesizeBundle(app('dev'), { rootDir: root, cdk8sOutdir: undefined });
    const index = JSON.parse(fs.readFileSync(path.join(root, 'dist/bundle.json'), 'utf8'));
    expect(index.files.map((f: { path: string }) => f.path).sort()).toEqual(files.map((f) => f.path).filter((p) => p !== 'dist/bundle.json').sort());
  });

  test('foreign files in dist/, kind/ and cilium-values/ survive a successful synth, also one that removes a cluster', () => {
    synthesizeBundle(app('dev', 'old'), { rootDir: root });
    writeForeign(root);
    fs.writeFileSync(path.join(root, 'dist/old/mine.txt'), 'keep me\n');
    synthesizeBundle(app('dev'), { rootDir: root });
    const after = fileTree(root);
    for (const [p, content] of Object.entries(FOREIGN)) expect(after[p]).toBe(content);
    expect(after['dist/old/mine.txt']).toBe('keep me\n');
    // The removed cluster's generated files are gone; a folder left empty is removed.
    expect(Object.keys(after).filter((p) => p.includes('old') && p !== 'dist/old/mine.txt')).toEqual([]);
    synthesizeBundle(app('dev'), { rootDir: root });
    fs.rmSync(path.join(root, 'dist/old/mine.txt'));
    synthesizeBundle(app('dev', 'other'), { rootDir: root });
    synthesizeBundle(app('dev'), { rootDir: root });
    expect(fs.existsSync(path.join(root, 'dist/other'))).toBe(false);
  });

  test('a foreign file the new bundle would overwrite stops synthesis, named, with nothing changed', () => {
    synthesizeBundle(app('dev'), { rootDir: root });
    writeForeign(root);
    fs.writeFileSync(path.join(root, 'kind/team.yaml'), '# my own kind config for "team"\n');
    const before = fileTree(root);
    let error: unknown;
    try {
      synthesizeBundle(app('dev', 'team'), { rootDir: root });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    expect((error as PlatformConfigError).rules).toEqual(['foreign-file-in-the-way']);
    expect((error as Error).message).toMatch(/^kind\/team\.yaml: synthesis would overwrite this file.*Fix: move or rename it/);
    expect(fileTree(root)).toEqual(before);
  });

  test('a generated file the index does not list (index lost) is recognised by its header and replaced', () => {
    synthesizeBundle(app('dev'), { rootDir: root });
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    synthesizeBundle(app('dev'), { rootDir: root });
    expect(fs.existsSync(path.join(root, 'dist/dev/apply.sh'))).toBe(true);
  });

  test('a failure at any rename leaves the previous bundle and the foreign files byte-identical', () => {
    synthesizeBundle(app('dev', 'old'), { rootDir: root });
    writeForeign(root);
    const before = fileTree(root);
    const realRename = nodeFs.renameSync;
    // Count the renames of one successful run, then fail at each of them in turn.
    let total = 0;
    const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-own-probe-'));
    synthesizeBundle(app('dev', 'old'), { rootDir: probe });
    writeForeign(probe);
    const spy = jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      total += 1;
      return realRename(from, to);
    });
    synthesizeBundle(app('dev', 'new'), { rootDir: probe });
    spy.mockRestore();
    fs.rmSync(probe, { recursive: true, force: true });
    expect(total).toBeGreaterThan(10);
    for (const failAt of [1, Math.floor(total / 2), total]) {
      let calls = 0;
      jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
        calls += 1;
        if (calls === failAt) throw new Error(`disk full (simulated at rename ${failAt})`);
        return realRename(from, to);
      });
      expect(() => synthesizeBundle(app('dev', 'new'), { rootDir: root })).toThrow('disk full (simulated');
      jest.restoreAllMocks();
      expect(fileTree(root)).toEqual(before);
      expect(fs.readdirSync(root).filter((f) => f.startsWith('.synth-staging'))).toEqual([]);
      expect(fs.existsSync(path.join(root, 'dist/new'))).toBe(false);
    }
  });
});

describe('the cdk8s CLI output folder', () => {
  let root: string;
  let stderr: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-outdir-'));
    stderr = '';
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    delete process.env.CDK8S_OUTDIR;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test.each(['dist', 'kind', 'cilium-values', 'dist/manifests', '.'])('CDK8S_OUTDIR=%s stops at once with the cdk8s.yaml fix, nothing written', (out) => {
    synthesizeBundle(app('dev'), { rootDir: root, cdk8sOutdir: undefined });
    const before = fileTree(root);
    process.env.CDK8S_OUTDIR = path.join(root, out);
    let built = false;
    runSynthesis((a) => {
      built = true;
      new KindCiliumCluster(a, 'dev', { clusterName: 'dev' });
    }, { rootDir: root });
    expect(process.exitCode).toBe(1);
    expect(built).toBe(false);
    expect(stderr).toContain('set `output: .cdk8s.out` in cdk8s.yaml');
    expect(stderr).not.toContain('left untouched');
    expect(fileTree(root)).toEqual(before);
    // synthesizeBundle (used by consumer apps) reads CDK8S_OUTDIR too.
    expect(() => synthesizeBundle(app('dev'), { rootDir: root })).toThrow(/cdk8s\.yaml output.*Fix: set `output: \.cdk8s\.out`/);
  });

  test('CDK8S_OUTDIR=.cdk8s.out gets the manifests mirrored', () => {
    process.env.CDK8S_OUTDIR = path.join(root, '.cdk8s.out');
    // A cluster with objects (a bare one writes no manifest: nothing to apply).
    runSynthesis((a) => new LoadBalancerIpPool(new KindCiliumCluster(a, 'dev', { clusterName: 'dev' }), 'pool'), { rootDir: root });
    expect(process.exitCode).toBeUndefined();
    expect(fs.readdirSync(path.join(root, '.cdk8s.out'))).toEqual(['dev.k8s.yaml']);
  });
});
