import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BUNDLE_INDEX_PATH, ancestorsOf, ensureParentFolders, entryKind, isOwnedPath, livePath, refuseLinkedParents } from './owned-paths';
import { PlatformConfigError } from '../errors';

/**
 * The journal of a write in progress, at the output root. It exists from just before the first change to the
 * live tree until the write (or its undoing) is complete, so a run that finds one knows the previous run was
 * interrupted and what it was doing.
 */
export const JOURNAL_FILE = '.synth-journal.json';
/** Prefix of the staging folders at the output root; a run that finds one without a journal removes it. */
export const STAGING_PREFIX = '.synth-staging-';

/**
 * One write, as recorded before its first change. Install `i` moves `<staging>/new/<i>` to `installs[i].path`;
 * when it replaces a file, that file is first hard-linked (or copied) to `<staging>/old/<i>`. The index
 * (`dist/bundle.json`) is the last install: once the live index has `newIndexSha256`, the write is committed.
 */
export interface WriteJournal {
  readonly version: 1;
  /** The staging folder's name, directly below the output root. */
  readonly staging: string;
  readonly newIndexSha256: string;
  readonly installs: readonly { readonly path: string; readonly replaces: boolean }[];
  /** Folders the installs create, outermost first: removed again when the write is undone. */
  readonly createdDirs: readonly string[];
  /** Files of the previous bundle that the new one no longer has: deleted after the commit point. */
  readonly stale: readonly string[];
}

/** What a run found and did about an interrupted earlier write before its own. */
export type RecoveryOutcome =
  /** Nothing was interrupted. */
  | 'none'
  /** Leftover staging folders of a run killed before it changed the tree were removed; the output is as that run found it. */
  | 'cleaned'
  /** A write killed before its commit point was undone: the output is the bundle before it. */
  | 'rolled-back'
  /** A write killed after its commit point was finished: the output is the bundle it committed. */
  | 'rolled-forward';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes the journal atomically (a complete temporary file renamed into place). */
export function writeJournal(rootDir: string, journal: WriteJournal): void {
  const file = path.join(rootDir, JOURNAL_FILE);
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true }); // a leftover (or a link planted there: rm removes the link, not its target)
  fs.writeFileSync(tmp, `${JSON.stringify(journal, null, 1)}\n`, { flag: 'wx' });
  fs.renameSync(tmp, file);
}

function journalError(problem: string): PlatformConfigError {
  return new PlatformConfigError({
    rule: 'unreadable-synth-journal',
    field: JOURNAL_FILE,
    problem: `an interrupted synthesis left this journal, but ${problem}, so it cannot be finished or undone safely`,
    fix: `restore the bundle folders from version control (e.g. \`git checkout -- dist kind cilium-values\`), then delete ${JOURNAL_FILE} and every ${STAGING_PREFIX}* folder`,
  });
}

/** The journal at the root, checked (every path inside the owned folders), or undefined when there is none. */
export function readJournal(rootDir: string, ownedDirs: readonly string[]): WriteJournal | undefined {
  const file = path.join(rootDir, JOURNAL_FILE);
  const kind = entryKind(file);
  if (kind === 'absent') return undefined;
  if (kind !== 'file') throw journalError(`it is a ${kind}, not a file`);
  let j: WriteJournal;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8')) as WriteJournal;
  } catch (err) {
    throw journalError(`it is not valid JSON (${(err as Error).message})`);
  }
  const paths = [...(j.installs ?? []).map((i) => i?.path), ...(j.createdDirs ?? []), ...(j.stale ?? [])];
  const ok = j.version === 1 && typeof j.staging === 'string' && new RegExp(`^${STAGING_PREFIX.replace(/\./g, '\\.')}[A-Za-z0-9]+$`).test(j.staging)
    && typeof j.newIndexSha256 === 'string' && Array.isArray(j.installs) && Array.isArray(j.createdDirs) && Array.isArray(j.stale)
    && j.installs.every((i) => typeof i?.replaces === 'boolean')
    && paths.every((p) => typeof p === 'string' && (isOwnedPath(p, ownedDirs) || ownedDirs.includes(p)));
  if (!ok) throw journalError('its content is not a journal this library wrote');
  return j;
}

function liveIndexSha(rootDir: string): string | undefined {
  const file = livePath(rootDir, BUNDLE_INDEX_PATH);
  return entryKind(file) === 'file' ? sha256(fs.readFileSync(file)) : undefined;
}

/** True once the journal's index is the live one (the commit point has passed). */
export function isCommitted(rootDir: string, j: WriteJournal): boolean {
  return liveIndexSha(rootDir) === j.newIndexSha256;
}

function exists(file: string): boolean {
  return entryKind(file) !== 'absent';
}

function ignoring(codes: readonly string[], op: () => void): void {
  try {
    op();
  } catch (err) {
    if (!codes.includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

/**
 * Undoes every install of the journal, last first: an installed file that replaced one gets the old file back
 * (renamed over it), a new file is deleted; then the folders the write created are removed when empty, then the
 * staging folder, then the journal. Every step looks at the tree first, so running it again after it was
 * interrupted finishes it.
 */
export function rollBack(rootDir: string, j: WriteJournal): void {
  const staging = path.join(rootDir, j.staging);
  for (let i = j.installs.length - 1; i >= 0; i--) {
    const { path: rel, replaces } = j.installs[i];
    if (exists(path.join(staging, 'new', String(i)))) continue; // not installed: the live file is the old one
    const live = livePath(rootDir, rel);
    refuseLinkedParents(rootDir, rel);
    const backup = path.join(staging, 'old', String(i));
    if (replaces) {
      if (exists(backup)) fs.renameSync(backup, live);
    } else if (entryKind(live) === 'file') {
      fs.unlinkSync(live);
    }
  }
  for (const dir of [...j.createdDirs].reverse()) {
    refuseLinkedParents(rootDir, `${dir}/x`);
    if (entryKind(livePath(rootDir, dir)) === 'folder') ignoring(['ENOENT', 'ENOTEMPTY', 'EEXIST'], () => fs.rmdirSync(livePath(rootDir, dir)));
  }
  finish(rootDir, j);
}

/**
 * Completes a committed write: installs what is still staged (only possible when the new index equals the old
 * one), deletes the stale files of the previous bundle that are still there, removes the folders they leave empty
 * (never the owned top folders), then the staging folder, then the journal. Safe to run again after an interruption.
 */
export function rollForward(rootDir: string, j: WriteJournal, ownedDirs: readonly string[]): void {
  const staging = path.join(rootDir, j.staging);
  const known = new Set<string>();
  j.installs.forEach(({ path: rel }, i) => {
    const staged = path.join(staging, 'new', String(i));
    if (!exists(staged)) return;
    ensureParentFolders(rootDir, rel, known);
    fs.renameSync(staged, livePath(rootDir, rel));
  });
  removeStale(rootDir, j.stale, ownedDirs);
  finish(rootDir, j);
}

/** Deletes the stale files (regular files only, never through a link) and prunes the folders they leave empty. */
export function removeStale(rootDir: string, stale: readonly string[], ownedDirs: readonly string[]): void {
  const dirs = new Set<string>();
  for (const rel of stale) {
    refuseLinkedParents(rootDir, rel);
    const live = livePath(rootDir, rel);
    if (entryKind(live) === 'file') ignoring(['ENOENT'], () => fs.unlinkSync(live));
    for (const d of ancestorsOf(rel)) if (!ownedDirs.includes(d)) dirs.add(d);
  }
  // Deepest first, so a folder emptied by its subfolder's removal goes too.
  for (const d of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
    if (entryKind(livePath(rootDir, d)) === 'folder') ignoring(['ENOENT', 'ENOTEMPTY', 'EEXIST'], () => fs.rmdirSync(livePath(rootDir, d)));
  }
}

function finish(rootDir: string, j: WriteJournal): void {
  fs.rmSync(path.join(rootDir, j.staging), { recursive: true, force: true });
  ignoring(['ENOENT'], () => fs.unlinkSync(path.join(rootDir, JOURNAL_FILE)));
}

/** The errors of {@link recoverOutputRoot} that left an interrupted write unfinished (its journal is kept). */
const unfinishedRecoveries = new WeakSet<object>();

/** True when `err` stopped the recovery of an interrupted write: the tree may be half-written until a later run finishes it. */
export function isUnfinishedRecovery(err: unknown): boolean {
  return err instanceof Object && unfinishedRecoveries.has(err);
}

/**
 * Brings the output root back to one complete bundle after an interrupted run (the caller holds the lock):
 * a journal whose write is committed is rolled forward, any other is rolled back; then every staging folder and
 * journal leftover is removed. Throws a {@link PlatformConfigError} (and keeps the journal) when the tree no longer
 * allows it, e.g. a link planted where the journal writes.
 */
export function recoverOutputRoot(rootDir: string, ownedDirs: readonly string[]): RecoveryOutcome {
  let outcome: RecoveryOutcome = 'none';
  try {
    const j = readJournal(rootDir, ownedDirs);
    if (j !== undefined) {
      if (isCommitted(rootDir, j)) {
        rollForward(rootDir, j, ownedDirs);
        outcome = 'rolled-forward';
      } else {
        rollBack(rootDir, j);
        outcome = 'rolled-back';
      }
    }
  } catch (err) {
    if (err instanceof Object) unfinishedRecoveries.add(err);
    throw err;
  }
  for (const name of fs.readdirSync(rootDir)) {
    if (!name.startsWith(STAGING_PREFIX) && name !== `${JOURNAL_FILE}.tmp`) continue;
    fs.rmSync(path.join(rootDir, name), { recursive: true, force: true }); // a link is removed, not followed
    if (outcome === 'none') outcome = 'cleaned';
  }
  return outcome;
}
