import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderBundle, synthesizeBundle } from '../../src';
import { campaignApp } from '../support/campaign-apps';
import { bundleSynthChildren, ChildRun, runChild, SynthChildren } from '../support/kill-campaign';
import { expectedTree, indexProblems, leftovers, plant, snapshot } from '../support/output-tree';

const FOREIGN = { 'dist/README.md': '# ours\n', 'kind/registry.yaml': '# registry\n' };
const LOCK_MESSAGE = /\.synth-lock: another synthesis is writing this output root \(lock held by pid (\d+) on host "([^"]+)", started ([^\s)]+)\).*Fix: wait until it has finished.*rm -r '[^']*\.synth-lock'/;

/** A campaign app's bundle as the JSON file the light child (`synth-child.ts`: the write alone) takes. */
function bundleFile(dir: string, name: string): string {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(renderBundle(campaignApp(name))));
  return file;
}

describe('two synthesis runs into the same output root', () => {
  let children: SynthChildren;
  let root: string;
  let hold: string;
  beforeAll(() => {
    children = bundleSynthChildren();
  });
  afterAll(() => {
    fs.rmSync(children.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-concurrent-'));
    hold = path.join(os.tmpdir(), `kc-hold-${process.pid}-${Date.now()}`);
    synthesizeBundle(campaignApp('a'), { rootDir: root, cdk8sOutdir: undefined });
    plant(root, FOREIGN);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(hold, { force: true });
  });

  test('while one holds the lock, a second fails at once (before any other step) naming the holder; the first completes', async () => {
    let holderPid = 0;
    let second: Promise<ChildRun> | undefined;
    const first = runChild(children.app, root, 'b', { KC_HOLD_AT_STAGING: '1', KC_HOLD_FILE: hold }, (line, child) => {
      if (line !== 'HOLD') return;
      holderPid = child.pid!;
      second = runChild(children.app, root, 'c', { KC_TRACE_OPS: '1' });
      void second.then(() => fs.writeFileSync(hold, ''));
    });
    const firstRun = await first;
    const secondRun = await second!;
    expect(firstRun.code).toBe(0);
    expect(secondRun.code).toBe(1);
    const m = LOCK_MESSAGE.exec(secondRun.stderr);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(holderPid);
    expect(m![2]).toBe(os.hostname());
    expect(Number.isNaN(Date.parse(m![3]))).toBe(false);
    // At once: every filesystem change the second run made was its own attempt at the lock (the root, a temporary
    // lock folder with its entry, the rename that failed, the removal of the temporary folder).
    const touched = [...secondRun.stdout.matchAll(/^OP \d+ \w+ (.*)$/gm)].map((t) => t[1]);
    expect(touched.length).toBeGreaterThan(0);
    expect(touched.filter((p) => p !== root && !p.startsWith(path.join(root, '.synth-lock.new-')))).toEqual([]);
    expect(snapshot(root)).toEqual(expectedTree(renderBundle(campaignApp('b')), FOREIGN));
    expect(indexProblems(root)).toEqual([]);
    expect(leftovers(root)).toEqual([]);
  }, 120_000);

  // The next two start the light child (the write alone), whose start-up is a fraction of the whole library's.
  test('started together: exactly one succeeds, the other fails with the lock message, the tree is the winner\'s bundle', async () => {
    const runs = new Map<string, ChildRun>();
    let held = 0;
    const maybeRelease = () => {
      if (held === 1 && runs.size === 1) fs.writeFileSync(hold, '');
    };
    await Promise.all(['b', 'c'].map(async (name) => {
      const run = await runChild(children.write, root, bundleFile(children.dir, name), { KC_HOLD_AT_STAGING: '1', KC_HOLD_FILE: hold }, (line) => {
        if (line === 'HOLD') held++;
        maybeRelease();
      });
      runs.set(name, run);
      maybeRelease();
    }));
    const winners = [...runs].filter(([, r]) => r.code === 0).map(([n]) => n);
    const losers = [...runs].filter(([, r]) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0][1].stderr).toMatch(LOCK_MESSAGE);
    expect(snapshot(root)).toEqual(expectedTree(renderBundle(campaignApp(winners[0])), FOREIGN));
    expect(leftovers(root)).toEqual([]);
  }, 120_000);

  test('racing to take over the lock of a killed run: exactly one takes it, the other is refused naming the winner', async () => {
    // A run killed while it holds the lock.
    const killed = await runChild(children.write, root, bundleFile(children.dir, 'c'), { KC_HOLD_AT_STAGING: '1', KC_HOLD_FILE: hold }, (line, child) => {
      if (line === 'HOLD') child.kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    const pids = new Map<string, number>();
    const runs = new Map<string, ChildRun>();
    let held = 0;
    const maybeRelease = () => {
      if (held === 1 && runs.size === 1) fs.writeFileSync(hold, '');
    };
    await Promise.all(['b', 'c'].map(async (name) => {
      const run = await runChild(children.write, root, bundleFile(children.dir, name), { KC_HOLD_AT_STAGING: '1', KC_HOLD_FILE: hold }, (line, child) => {
        pids.set(name, child.pid!);
        if (line === 'HOLD') held++;
        maybeRelease();
      });
      runs.set(name, run);
      maybeRelease();
    }));
    const winners = [...runs].filter(([, r]) => r.code === 0).map(([n]) => n);
    expect(winners).toHaveLength(1);
    const loser = [...runs].find(([, r]) => r.code !== 0)!;
    expect(Number(LOCK_MESSAGE.exec(loser[1].stderr)?.[1])).toBe(pids.get(winners[0]));
    expect(snapshot(root)).toEqual(expectedTree(renderBundle(campaignApp(winners[0])), FOREIGN));
    expect(leftovers(root)).toEqual([]);
  }, 120_000);
});
