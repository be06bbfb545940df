import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KindCiliumCluster, renderBundle, runSynthesis } from '../../src';
import { writeFilesAtomically } from '../../src/bundle/write';
import { addCampaignClusters, campaignApp } from '../support/campaign-apps';
import { interceptFsOps, ioError } from '../support/fs-ops';
import { expectedTree, leftovers, snapshot } from '../support/output-tree';

describe('runSynthesis (the cdk8s app entry point)', () => {
  let root: string;
  let stderr: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-run-'));
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
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('bad input: exit code 1, the field and fix on stderr, previous output untouched', () => {
    runSynthesis((app) => new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }), { rootDir: root });
    expect(process.exitCode).toBeUndefined();
    const before = fs.readFileSync(path.join(root, 'kind/dev.yaml'), 'utf8');

    runSynthesis((app) => new KindCiliumCluster(app, 'dev', { clusterName: 'dev', routingMode: 'tunnel', loadBalancer: { mode: 'dsr' } }), { rootDir: root });
    expect(process.exitCode).toBe(1);
    expect(stderr).toContain('previous output left untouched');
    expect(stderr).toMatch(/dev\.loadBalancer\.mode: .*Fix: set routingMode: native/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace for bad input
    expect(fs.readFileSync(path.join(root, 'kind/dev.yaml'), 'utf8')).toBe(before);
  });

  test('an invalid prop caught at construction is reported the same way', () => {
    runSynthesis((app) => new KindCiliumCluster(app, 'x', { clusterName: 'Not_Valid' }), { rootDir: root });
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/clusterName: .*Fix: /);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('runSynthesis tells the state the output root is in', () => {
  const OWNED = ['dist', 'kind', 'cilium-values'];
  const oldTree = expectedTree(renderBundle(campaignApp('a')));
  const newTree = expectedTree(renderBundle(campaignApp('b')));
  let root: string;
  let stdout: string;
  let stderr: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-state-'));
    stdout = '';
    stderr = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      stdout += String(chunk);
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      stderr += String(chunk);
      return true;
    });
    writeFilesAtomically(root, renderBundle(campaignApp('a')), OWNED);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The calls a complete write of bundle b makes, as `op path`. */
  function trace(): string[] {
    const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-state-probe-'));
    writeFilesAtomically(probe, renderBundle(campaignApp('a')), OWNED);
    const calls: string[] = [];
    const restore = interceptFsOps((op, args, _n, run) => {
      calls.push(`${op} ${path.relative(probe, String(args[0]))}`);
      return run();
    });
    try {
      writeFilesAtomically(probe, renderBundle(campaignApp('b')), OWNED);
    } finally {
      restore();
      fs.rmSync(probe, { recursive: true, force: true });
    }
    return calls;
  }

  /** A write of bundle b that dies at call `n`: nothing after it happens (as with kill -9), the lock and journal stay. */
  function crashAt(n: number): void {
    const restore = interceptFsOps((op, _args, i, run) => {
      if (i >= n) throw ioError(op, i);
      return run();
    });
    try {
      expect(() => writeFilesAtomically(root, renderBundle(campaignApp('b')), OWNED)).toThrow();
    } finally {
      restore();
    }
    expect(leftovers(root)).toEqual(expect.arrayContaining(['.synth-journal.json']));
  }

  const invalid = (app: App) => new KindCiliumCluster(app, 'dev', { clusterName: 'dev', routingMode: 'tunnel', loadBalancer: { mode: 'dsr' } });

  test('killed before its commit point, then a refused run: the interrupted write was undone first, the output is the bundle before it', () => {
    const calls = trace();
    crashAt(calls.findIndex((c) => c.startsWith('renameSync .synth-staging-')) + 3);
    runSynthesis(invalid, { rootDir: root });
    expect(stderr).toMatch(/^cdk8s-kind-cilium: synthesis failed; an interrupted earlier synthesis was undone first, so the output is the bundle from before it\.\n/);
    expect(snapshot(root)).toEqual(oldTree);
  });

  test('killed after its commit point, then a refused run: the interrupted write was finished first, the output is its bundle', () => {
    const calls = trace();
    crashAt(calls.findIndex((c) => c.startsWith('unlinkSync dist/old/')) + 2);
    runSynthesis(invalid, { rootDir: root });
    expect(stderr).toMatch(/^cdk8s-kind-cilium: synthesis failed; an interrupted earlier synthesis was finished first, so the output is the bundle it wrote\.\n/);
    expect(snapshot(root)).toEqual(newTree);
  });

  test('killed, then a good run: it says it undid the interrupted write, and writes its bundle', () => {
    const calls = trace();
    crashAt(calls.findIndex((c) => c.startsWith('renameSync .synth-staging-')) + 1);
    runSynthesis((app) => addCampaignClusters(app, 'b'), { rootDir: root });
    expect(process.exitCode).toBeUndefined();
    expect(stderr).toMatch(/^cdk8s-kind-cilium: undid an interrupted earlier synthesis first\.\ncdk8s-kind-cilium: wrote \d+ files/);
    expect(stdout).toBe('');
    expect(snapshot(root)).toEqual(newTree);
  });

  test('its own write failing half way: every change undone, and it says so', () => {
    const calls = trace();
    const failAt = calls.findIndex((c) => c.startsWith('renameSync .synth-staging-')) + 4;
    const restore = interceptFsOps((op, _args, i, run) => {
      if (i === failAt) throw ioError(op, i);
      return run();
    });
    try {
      runSynthesis((app) => addCampaignClusters(app, 'b'), { rootDir: root });
    } finally {
      restore();
    }
    expect(stderr).toMatch(/^cdk8s-kind-cilium: synthesis failed while writing; every change was undone, the previous output is restored\.\nError: EIO/);
    expect(snapshot(root)).toEqual(oldTree);
  });

  test('an interrupted write that cannot be finished (a link planted since): says the output may be half-written, keeps the journal', () => {
    const calls = trace();
    crashAt(calls.findIndex((c) => c.startsWith('renameSync .synth-staging-')) + 3);
    // The undo has to put cilium-values/dev.yaml back: its folder is now a link (to a copy elsewhere).
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-state-elsewhere-'));
    fs.cpSync(path.join(root, 'cilium-values'), elsewhere, { recursive: true });
    fs.rmSync(path.join(root, 'cilium-values'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(root, 'cilium-values'));
    const outside = snapshot(elsewhere);
    runSynthesis((app) => addCampaignClusters(app, 'b'), { rootDir: root });
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/^cdk8s-kind-cilium: synthesis stopped: an interrupted earlier synthesis could not be finished or undone, so the output may be half-written; \.synth-journal\.json is kept\.\n/);
    expect(stderr).toContain('cilium-values: is a symbolic link');
    expect(stderr).not.toContain('left untouched');
    expect(leftovers(root)).toContain('.synth-journal.json');
    expect(snapshot(elsewhere)).toEqual(outside);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});
