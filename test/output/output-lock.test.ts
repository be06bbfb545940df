import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderBundle, runSynthesis, synthesizeBundle } from '../../src';
import { acquireOutputLock, encodeHolder, LOCK_DIR, LOCKED_RULE } from '../../src/bundle/output-lock';
import { campaignApp } from '../support/campaign-apps';
import { configError } from '../support/config-error';
import { bundleSynthChildren, runChild, SynthChildren } from '../support/kill-campaign';
import { expectedTree, leftovers, snapshot } from '../support/output-tree';

const synth = (root: string, app = 'a') => synthesizeBundle(campaignApp(app), { rootDir: root, cdk8sOutdir: undefined });

/** Plants a lock held by `holder` (as another process would have taken it). */
function plantLock(root: string, holder: { pid: number; host: string; procStart?: string }): void {
  const dir = path.join(root, LOCK_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const h = { ...holder, startedAt: '2030-01-02T03:04:05.000Z', nonce: 'n1' };
  fs.writeFileSync(path.join(dir, encodeHolder(h)), JSON.stringify(h));
}

describe('one lock per output root', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-lock-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a held lock stops a synthesis at once, naming the lock folder, the holder\'s pid, host and start, and how to clear it', () => {
    synth(root);
    const before = snapshot(root);
    const lock = acquireOutputLock(root);
    try {
      const err = configError(() => synth(root, 'b'));
      expect(err.rules).toEqual([LOCKED_RULE]);
      expect(err.message).toContain(`${path.join(root, LOCK_DIR)}: another synthesis is writing this output root (lock held by pid ${process.pid} `
        + `on host "${os.hostname()}", started ${lock.holder.startedAt})`);
      expect(err.message).toContain(`Fix: wait until it has finished, then synthesize again. If that process no longer runs, remove the lock with \`rm -r '${path.join(root, LOCK_DIR)}'\``);
      const tree = snapshot(root);
      delete tree[LOCK_DIR];
      for (const k of Object.keys(tree)) if (k.startsWith(`${LOCK_DIR}/`)) delete tree[k];
      expect(tree).toEqual(before);
    } finally {
      lock.release();
    }
    synth(root, 'b');
    expect(snapshot(root)).toEqual(expectedTree(renderBundle(campaignApp('b'))));
  });

  test('runSynthesis says it stopped before writing anything (not "left untouched" over a tree it cannot vouch for)', () => {
    let stderr = '';
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      stderr += String(chunk);
      return true;
    });
    const lock = acquireOutputLock(root);
    try {
      runSynthesis(() => undefined, { rootDir: root });
    } finally {
      lock.release();
    }
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/^cdk8s-kind-cilium: synthesis stopped before writing anything\.\n.*\.synth-lock: another synthesis/);
  });

  test('a lock held by another host is refused, named; removing it as the fix says lets the next run through', () => {
    plantLock(root, { pid: 1, host: 'build-agent-7' });
    const err = configError(() => synth(root));
    expect(err.message).toContain('lock held by pid 1 on host "build-agent-7", started 2030-01-02T03:04:05.000Z (another host: this run cannot tell whether it still runs)');
    fs.rmSync(path.join(root, LOCK_DIR), { recursive: true });
    synth(root);
    expect(leftovers(root)).toEqual([]);
  });

  test('a lock whose pid is not running is taken over', () => {
    // The highest pid the kernel hands out is never in use, nor is a pid above it.
    const maxPid = Number(fs.existsSync('/proc/sys/kernel/pid_max') ? fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8') : 99999);
    plantLock(root, { pid: maxPid + 1, host: os.hostname() });
    synth(root);
    expect(snapshot(root)).toEqual(expectedTree(renderBundle(campaignApp('a'))));
  });

  (fs.existsSync('/proc/self/stat') ? test : test.skip)('a pid now used by another process (other start time) is taken over; the live holder is not', () => {
    const stat = fs.readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    plantLock(root, { pid: process.ppid, host: os.hostname(), procStart: start });
    expect(configError(() => synth(root)).rules).toEqual([LOCKED_RULE]);
    fs.rmSync(path.join(root, LOCK_DIR), { recursive: true });
    plantLock(root, { pid: process.ppid, host: os.hostname(), procStart: `${start}0` });
    synth(root);
    expect(leftovers(root)).toEqual([]);
  });

  test.each([
    ['a file', (lock: string) => fs.writeFileSync(lock, 'x')],
    ['a link', (lock: string) => fs.symlinkSync(os.tmpdir(), lock)],
    ['a folder with entries this library did not write', (lock: string) => {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'holder.bm90IGpzb24'), '');
    }],
  ])('%s at .synth-lock is refused with the rm fix, and nothing is followed or removed', (_name, make) => {
    const lock = path.join(root, LOCK_DIR);
    make(lock);
    const before = snapshot(root);
    const err = configError(() => synth(root));
    expect(err.rules).toEqual([LOCKED_RULE]);
    expect(err.message).toContain(`rm -r '${lock}'`);
    expect(snapshot(root)).toEqual(before);
  });
});

describe('a synthesis killed while it holds the lock', () => {
  let children: SynthChildren;
  let root: string;
  beforeAll(() => {
    children = bundleSynthChildren();
  });
  afterAll(() => fs.rmSync(children.dir, { recursive: true, force: true }));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('leaves a lock the next run takes over, and a staging folder it removes', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-lock-kill-'));
    synth(root);
    const hold = path.join(root, 'never');
    const killed = await runChild(children.app, root, 'b', { KC_HOLD_AT_STAGING: '1', KC_HOLD_FILE: hold }, (line, child) => {
      if (line === 'HOLD') child.kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(leftovers(root).sort()).toEqual([LOCK_DIR, expect.stringMatching(/^\.synth-staging-/)].sort());
    synth(root, 'c');
    expect(snapshot(root)).toEqual(expectedTree(renderBundle(campaignApp('c'))));
  }, 60_000);
});
