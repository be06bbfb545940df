import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderBundle } from '../../src';
import { BundleWriteError, openOutputRoot, writeFilesAtomically } from '../../src/bundle/write';
import { campaignApp } from '../support/campaign-apps';
import { interceptFsOps, ioError } from '../support/fs-ops';
import { expectedTree, indexProblems, leftovers, plant, snapshot } from '../support/output-tree';

const OWNED = ['dist', 'kind', 'cilium-values'];
const FOREIGN = { 'dist/README.md': '# ours\n', 'dist/web/notes.txt': 'mine\n', 'kind/registry.yaml': '# registry\n' };

/** The first words of a failed write's message, per state: what a user reads must match the tree. */
const STATE_MESSAGE = {
  'untouched': /^writing the bundle failed before its first change; the output is untouched: EIO/,
  'restored': /^writing the bundle failed; every change was undone, the previous output is restored: EIO/,
  'undo-pending': /^writing the bundle failed and not every change could be undone; \.synth-journal\.json is kept/,
  'committed': /^the new bundle is in place, but removing the previous bundle's stale files failed; \.synth-journal\.json is kept/,
};

describe('a filesystem call that fails at any point of a write (EIO, ENOSPC, ...)', () => {
  // Bundle a (dev, old, web) to bundle b (dev changed, new, web): replaced, new, kept and stale files.
  const from = renderBundle(campaignApp('a'));
  const to = renderBundle(campaignApp('b'));
  const oldTree = expectedTree(from, FOREIGN);
  const newTree = expectedTree(to, FOREIGN);
  let root: string;
  const fresh = () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-fault-'));
    writeFilesAtomically(root, from, OWNED);
    plant(root, FOREIGN);
  };
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('fails with the state it left, the tree is that state, and the next run makes it one whole bundle', () => {
    fresh();
    let total = 0;
    const count = interceptFsOps((_op, _args, n, run) => {
      total = n;
      return run();
    });
    try {
      writeFilesAtomically(root, to, OWNED);
    } finally {
      count();
    }
    fs.rmSync(root, { recursive: true, force: true });
    expect(total).toBeGreaterThan(60);

    const seen = new Set<string>();
    for (let failAt = 1; failAt <= total; failAt++) {
      fresh();
      let failed: { op: string; n: number } | undefined;
      const restore = interceptFsOps((op, _args, n, run) => {
        if (n !== failAt) return run();
        failed = { op, n };
        throw ioError(op, n);
      });
      let error: unknown;
      try {
        writeFilesAtomically(root, to, OWNED);
      } catch (e) {
        error = e;
      } finally {
        restore();
      }
      const where = `fault at call ${failAt} (${failed?.op})`;
      // A failure in the lock's release is not the write's: the bundle is complete and the lock is taken over later.
      const state = error instanceof BundleWriteError ? error.state : error === undefined ? 'complete' : 'untouched';
      seen.add(state);
      if (error instanceof BundleWriteError) expect([where, error.message]).toEqual([where, expect.stringMatching(STATE_MESSAGE[error.state])]);
      const owned = snapshot(root);
      for (const n of leftovers(root)) delete owned[n];
      for (const n of Object.keys(owned)) if (n.startsWith('.synth')) delete owned[n];
      if (state === 'untouched' || state === 'restored') expect([where, owned]).toEqual([where, oldTree]);
      if (state === 'restored') expect([where, leftovers(root)]).toEqual([where, []]);
      if (state === 'complete') expect([where, owned]).toEqual([where, newTree]);
      // The next run: recovery, then one whole bundle (the new one once committed, else the old one).
      const next = openOutputRoot(root, OWNED);
      next.release();
      const want = state === 'committed' || state === 'complete' ? newTree : oldTree;
      expect([where, snapshot(root)]).toEqual([where, want]);
      expect([where, indexProblems(root), leftovers(root)]).toEqual([where, [], []]);
      fs.rmSync(root, { recursive: true, force: true });
    }
    // Every state was reached by some fault: before any change, undone, and after the commit point.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['committed', 'restored', 'untouched']));
  }, 120_000);
});
