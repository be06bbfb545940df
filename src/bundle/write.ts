import * as fs from 'fs';
import * as path from 'path';
import { acquireOutputLock } from './output-lock';
import { BUNDLE_INDEX_PATH, ensureParentFolders, inspectOwnedPaths, isOwnedPath, livePath, previouslyOwnedFiles } from './owned-paths';
import { BundleFile } from './render';
import { WriteJournal, RecoveryOutcome, STAGING_PREFIX, isCommitted, recoverOutputRoot, removeStale, rollBack, sha256, writeJournal, JOURNAL_FILE } from './write-journal';

export { BUNDLE_INDEX_PATH, previouslyOwnedFiles } from './owned-paths';

/**
 * Where a failed write left the output root. Every failure of {@link OutputRoot.write} says which, so the
 * message a user reads matches the tree:
 * - `untouched`: it failed before its first change;
 * - `restored`: it failed after changing the tree and undid every change;
 * - `undo-pending`: it could not undo every change; the journal is kept and the next run undoes the rest;
 * - `committed`: the new bundle is in place (its index too), but deleting the previous bundle's stale files failed;
 *   the journal still lists them and the next run deletes them.
 */
export type WriteState = 'untouched' | 'restored' | 'undo-pending' | 'committed';

const STATE_TEXT: Record<WriteState, string> = {
  'untouched': 'writing the bundle failed before its first change; the output is untouched',
  'restored': 'writing the bundle failed; every change was undone, the previous output is restored',
  'undo-pending': `writing the bundle failed and not every change could be undone; ${JOURNAL_FILE} is kept and the next synthesis undoes the rest`,
  'committed': `the new bundle is in place, but removing the previous bundle's stale files failed; ${JOURNAL_FILE} is kept and the next synthesis removes them`,
};

/** A failed write, with the state it left the tree in (first in the message). The cause is the original error. */
export class BundleWriteError extends Error {
  constructor(public readonly state: WriteState, public readonly cause: unknown) {
    super(`${STATE_TEXT[state]}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'BundleWriteError';
  }
}

/** An output root this run holds the lock of, recovered from any interrupted earlier run. */
export interface OutputRoot {
  readonly rootDir: string;
  /** What the run found and did before its own write. */
  readonly recovery: RecoveryOutcome;
  /** Writes one bundle (see {@link writeFilesAtomically}); at most once. */
  write(files: readonly BundleFile[]): void;
  /** Gives the lock back. */
  release(): void;
}

/**
 * Takes the output root's lock (a second run fails at once, see `acquireOutputLock`), then finishes or undoes
 * a write an earlier run left half done (`recoverOutputRoot`). The caller must {@link OutputRoot.release}.
 */
export function openOutputRoot(rootDir: string, ownedDirs: readonly string[]): OutputRoot {
  fs.mkdirSync(rootDir, { recursive: true });
  const lock = acquireOutputLock(rootDir);
  let recovery: RecoveryOutcome;
  try {
    recovery = recoverOutputRoot(rootDir, ownedDirs);
  } catch (err) {
    lock.release();
    throw err;
  }
  return {
    rootDir,
    recovery,
    write: (files) => writeLocked(rootDir, files, ownedDirs),
    release: () => lock.release(),
  };
}

/**
 * Writes `files` below `rootDir` and deletes the files the previous synthesis owned that are no longer part
 * of the bundle. Synthesis owns exactly the files its `dist/bundle.json` lists: every other file in the
 * owned folders (a hand-written `kind/registry.yaml`, `dist/README.md`, ...) is foreign and kept.
 *
 * Refused before anything changes ({@link PlatformConfigError}, every problem at once): a new file that would
 * overwrite a foreign file; a symbolic link, folder, FIFO, socket or device where a file is owned or written,
 * or a link where a folder is (`inspectOwnedPaths`).
 *
 * Crash-safe: under the root's lock, every new file is written to a staging folder, a journal is written, then
 * each file is renamed into place (a replaced file is hard-linked into the staging folder first), `dist/bundle.json`
 * last: that rename is the commit point. Only then are the stale files deleted. A run killed at any point leaves
 * a journal from which the next run rolls the write back (before the commit point) or forward (after it), so
 * the tree is always one complete bundle once the next run has started.
 */
export function writeFilesAtomically(rootDir: string, files: readonly BundleFile[], ownedDirs: readonly string[]): void {
  const root = openOutputRoot(rootDir, ownedDirs);
  try {
    root.write(files);
  } finally {
    root.release();
  }
}

/** Install order: every file in bundle order, the index last. */
function installOrder(files: readonly BundleFile[]): BundleFile[] {
  const index = files.find((f) => f.path === BUNDLE_INDEX_PATH);
  if (index === undefined) throw new Error(`refusing to write a bundle without ${BUNDLE_INDEX_PATH}: it is the commit point`);
  return [...files.filter((f) => f !== index), index];
}

/** Keeps the old file in the staging folder: a hard link (no copy, the live file stays in place), else a copy. */
function keepOld(live: string, backup: string): void {
  try {
    fs.linkSync(live, backup);
  } catch {
    fs.copyFileSync(live, `${backup}.tmp`);
    fs.renameSync(`${backup}.tmp`, backup);
  }
}

function writeLocked(rootDir: string, files: readonly BundleFile[], ownedDirs: readonly string[]): void {
  for (const f of files) {
    if (!isOwnedPath(f.path, ownedDirs)) throw new Error(`refusing to write ${f.path}: outside the owned folders ${ownedDirs.join(', ')}`);
  }
  const installs = installOrder(files);
  const owned = previouslyOwnedFiles(rootDir);
  const next = new Set(files.map((f) => f.path));
  // An index edited to list `../x` never makes synthesis delete outside the owned folders.
  const stale = [...owned].filter((p) => !next.has(p) && isOwnedPath(p, ownedDirs)).sort();
  const tree = inspectOwnedPaths(rootDir, installs.map((f) => f.path), stale, owned);

  const journal: WriteJournal = {
    version: 1,
    staging: '',
    newIndexSha256: sha256(installs[installs.length - 1].content),
    installs: installs.map((f) => ({ path: f.path, replaces: tree.replaces.has(f.path) })),
    createdDirs: tree.missingDirs,
    stale,
  };
  // 1. Stage: nothing live changes; a failure (or a kill) leaves only the staging folder, which the next run removes.
  const staging = fs.mkdtempSync(path.join(rootDir, STAGING_PREFIX));
  const j: WriteJournal = { ...journal, staging: path.basename(staging) };
  try {
    fs.mkdirSync(path.join(staging, 'new'));
    fs.mkdirSync(path.join(staging, 'old'));
    installs.forEach((f, i) => {
      fs.writeFileSync(path.join(staging, 'new', String(i)), f.content, { flag: 'wx', mode: f.path.endsWith('.sh') ? 0o755 : 0o644 });
    });
    writeJournal(rootDir, j);
  } catch (err) {
    try {
      fs.rmSync(path.join(rootDir, JOURNAL_FILE), { force: true });
      fs.rmSync(staging, { recursive: true, force: true });
    } catch {
      // the next run removes what is left (staging folders without a journal change nothing)
    }
    throw new BundleWriteError('untouched', err);
  }
  // 2. Install, the index last (the commit point). A failure is undone at once from the journal.
  try {
    const known = new Set<string>();
    installs.forEach((f, i) => {
      const live = livePath(rootDir, f.path);
      ensureParentFolders(rootDir, f.path, known);
      if (j.installs[i].replaces) keepOld(live, path.join(staging, 'old', String(i)));
      fs.renameSync(path.join(staging, 'new', String(i)), live);
    });
  } catch (err) {
    if (isCommitted(rootDir, j)) throw new BundleWriteError('committed', err); // failed after the last rename: keep the new bundle
    try {
      rollBack(rootDir, j);
    } catch {
      throw new BundleWriteError('undo-pending', err);
    }
    throw new BundleWriteError('restored', err);
  }
  // 3. After the commit point: delete the stale files, then the staging folder and the journal.
  try {
    removeStale(rootDir, stale, ownedDirs);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.unlinkSync(path.join(rootDir, JOURNAL_FILE));
  } catch (err) {
    throw new BundleWriteError('committed', err);
  }
}
