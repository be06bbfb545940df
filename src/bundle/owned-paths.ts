import * as fs from 'fs';
import * as path from 'path';
import { PlatformConfigError, Violation } from '../errors';
import { BUNDLE_NAME } from '../spec/versions';

/** Where the index of owned files lives, relative to the output root. It is always owned, and installed last (the commit point). */
export const BUNDLE_INDEX_PATH = 'dist/bundle.json';

/** True when `file` (POSIX, relative to the output root) lies inside one of `ownedDirs` and has no `.`, `..` or empty segment. */
export function isOwnedPath(file: string, ownedDirs: readonly string[]): boolean {
  const parts = file.split('/');
  return parts.length > 1 && ownedDirs.includes(parts[0]) && !parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'));
}

/** The absolute path of an owned relative path. */
export function livePath(rootDir: string, file: string): string {
  return path.join(rootDir, ...file.split('/'));
}

/**
 * The files the previous synthesis wrote, from its `dist/bundle.json` (`files[].path`, plus the index itself).
 * Empty when there is no index. An unreadable index is an error (naming the file): guessing could delete
 * the user's files.
 */
export function previouslyOwnedFiles(rootDir: string): Set<string> {
  const indexFile = livePath(rootDir, BUNDLE_INDEX_PATH);
  const kind = entryKind(indexFile);
  if (kind === 'absent') return new Set();
  // Without a readable index nothing is known to be owned: refuse this one problem alone, not every file as foreign.
  if (kind === 'symlink') throw new PlatformConfigError(linkViolation(rootDir, BUNDLE_INDEX_PATH));
  if (kind !== 'file') throw new PlatformConfigError(wrongTypeViolation(BUNDLE_INDEX_PATH, kind, 'file'));
  const text = fs.readFileSync(indexFile, 'utf8');
  let paths: string[];
  try {
    const index = JSON.parse(text) as { files?: { path?: unknown }[] };
    paths = (index.files ?? []).map((f) => f.path).filter((p): p is string => typeof p === 'string');
  } catch (err) {
    throw new PlatformConfigError({
      rule: 'unreadable-bundle-index',
      field: BUNDLE_INDEX_PATH,
      problem: `it is not the JSON index a previous synth wrote (${(err as Error).message}), so it cannot tell which files synthesis owns`,
      fix: `restore it (e.g. \`git checkout -- ${BUNDLE_INDEX_PATH}\`) or delete it together with the generated files it listed`,
    });
  }
  return new Set([...paths, BUNDLE_INDEX_PATH]);
}

/** What is at a path, without following a final symbolic link. */
export type EntryKind = 'absent' | 'file' | 'folder' | 'symlink' | 'FIFO (named pipe)' | 'socket' | 'character device' | 'block device';

/** The kind of the entry at `file` (absolute), never following a link. */
export function entryKind(file: string): EntryKind {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw err;
  }
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'folder';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isSocket()) return 'socket';
  return st.isCharacterDevice() ? 'character device' : 'block device';
}

/** Every proper ancestor folder of `file` below the root, outermost first (`dist`, `dist/c1` for `dist/c1/x.yaml`). */
export function ancestorsOf(file: string): string[] {
  const parts = file.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Rule id: a symbolic link where synthesis writes or deletes. */
export const LINK_RULE = 'bundle-path-is-a-link';
/** Rule id: a folder, FIFO, socket or device where the bundle owns a regular file (or a non-folder where it needs a folder). */
export const WRONG_TYPE_RULE = 'bundle-path-wrong-type';
/** Rule id: a file the previous synthesis did not write, where the new bundle puts a file or a folder. */
export const FOREIGN_RULE = 'foreign-file-in-the-way';

function linkViolation(rootDir: string, rel: string): Violation {
  let target = '?';
  try {
    target = fs.readlinkSync(livePath(rootDir, rel));
  } catch {
    // keep '?'
  }
  return {
    rule: LINK_RULE,
    field: rel,
    problem: `is a symbolic link (to ${target}); synthesis writes and deletes only real files inside the output root and never follows a link, `
      + 'which could lead out of it',
    fix: `remove the link (\`rm ${rel}\` removes only the link, not its target) or replace it with a real ${rel.includes('/') ? 'folder or file' : 'folder'}, then synthesize again`,
  };
}

function wrongTypeViolation(rel: string, kind: EntryKind, wanted: 'file' | 'folder'): Violation {
  return {
    rule: WRONG_TYPE_RULE,
    field: rel,
    problem: `is a ${kind} where the bundle ${wanted === 'file' ? 'owns a regular file' : 'needs a folder'}; synthesis never deletes or replaces it`,
    fix: `move it away (e.g. \`mv ${rel} ${rel}.bak\`), then synthesize again`,
  };
}

/** Every generated kind config, Cilium values file and script names the library and says `Generated ... do not edit` in its header. */
function isGeneratedHeader(head: string): boolean {
  return head.includes(BUNDLE_NAME) && /Generated\b[^\n]*do not edit/.test(head);
}

/**
 * True when the regular file's header says this library generated it. Used only to allow overwriting a file the
 * index does not list (e.g. after the cdk8s CLI deleted `dist/` and its index): stale files are deleted only
 * when the previous index lists them.
 */
function isGeneratedFile(file: string): boolean {
  // O_NOFOLLOW: the caller saw a regular file; never read through a link planted since.
  const fd = fs.openSync(file, fs.constants.O_RDONLY + fs.constants.O_NOFOLLOW);
  try {
    const head = Buffer.alloc(1024);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return isGeneratedHeader(head.subarray(0, n).toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

/** What {@link inspectOwnedPaths} found out about the live tree, for the journal. */
export interface OwnedTreeState {
  /** The new files that replace an existing regular file. */
  readonly replaces: ReadonlySet<string>;
  /** Folders the new bundle needs that do not exist yet, outermost first. */
  readonly missingDirs: readonly string[];
}

/**
 * Looks at every path the write would touch (each new file, each stale file of the previous bundle, and
 * every folder above them) without changing anything, and refuses, all problems at once:
 * - a symbolic link anywhere on those paths (a linked `dist/`, `dist/<cluster>/`, or file): writing through it
 *   could change files outside the output root, deleting through it could delete them (rule {@link LINK_RULE});
 * - a folder, FIFO, socket or device where the bundle owns a regular file, or anything but a folder where it
 *   needs a folder (rule {@link WRONG_TYPE_RULE});
 * - a regular file the previous synthesis did not write (not listed in `dist/bundle.json`, no generated header)
 *   where a new file or folder goes (rule {@link FOREIGN_RULE}).
 */
export function inspectOwnedPaths(rootDir: string, next: readonly string[], stale: readonly string[], owned: ReadonlySet<string>): OwnedTreeState {
  const violations = new Map<string, Violation>();
  const add = (v: Violation) => violations.has(v.field) || violations.set(v.field, v);
  const kinds = new Map<string, EntryKind>();
  const kindOf = (rel: string) => {
    let k = kinds.get(rel);
    if (k === undefined) kinds.set(rel, (k = entryKind(livePath(rootDir, rel))));
    return k;
  };
  const replaces = new Set<string>();
  const missing = new Set<string>();
  /** Checks the folders above `file`; false when one is missing or in the way (nothing below it exists). */
  const checkAncestors = (file: string, creating: boolean): boolean => {
    for (const dir of ancestorsOf(file)) {
      const kind = kindOf(dir);
      if (kind === 'folder') continue;
      if (kind === 'absent') {
        if (creating) for (const d of [dir, ...ancestorsOf(file).filter((a) => a.startsWith(`${dir}/`))]) missing.add(d);
        return false;
      }
      if (kind === 'symlink') {add(linkViolation(rootDir, dir));} else if (kind === 'file') {
        if (creating) {
          add({
            rule: FOREIGN_RULE,
            field: dir,
            problem: 'synthesis needs a folder here, but this is a file the previous synth did not write',
            fix: 'move or rename it (or rename the cluster), then synthesize again; synthesis never overwrites files it does not own',
          });
        }
      } else if (creating) {add(wrongTypeViolation(dir, kind, 'folder'));}
      return false;
    }
    return true;
  };
  for (const file of next) {
    if (!checkAncestors(file, true)) continue;
    const kind = kindOf(file);
    if (kind === 'absent') continue;
    if (kind === 'symlink') {add(linkViolation(rootDir, file));} else if (kind !== 'file') {add(wrongTypeViolation(file, kind, 'file'));} else if (owned.has(file) || isGeneratedFile(livePath(rootDir, file))) {replaces.add(file);} else {
      add({
        rule: FOREIGN_RULE,
        field: file,
        problem: 'synthesis would overwrite this file, which the previous synth did not write (it is not listed in dist/bundle.json)',
        fix: 'move or rename it (or rename the cluster), then synthesize again; synthesis never overwrites files it does not own',
      });
    }
  }
  for (const file of stale) {
    // A stale file is deleted; a link or a non-folder above it, or a link, folder or special file in its place, is refused.
    if (!checkAncestors(file, false)) continue; // nothing below a missing folder; a link above it is reported
    const kind = kindOf(file);
    if (kind === 'symlink') add(linkViolation(rootDir, file));
    else if (kind !== 'file' && kind !== 'absent') add(wrongTypeViolation(file, kind, 'file'));
  }
  if (violations.size > 0) throw new PlatformConfigError([...violations.values()].sort((a, b) => (a.field < b.field ? -1 : 1)));
  const missingDirs = [...missing].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  return { replaces, missingDirs };
}

/**
 * Creates the folders above `file` that are missing, refusing a link or a non-folder on the way (the journal
 * may be replayed after the tree changed). `known` caches folders already checked in this run.
 */
export function ensureParentFolders(rootDir: string, file: string, known: Set<string>): void {
  for (const dir of ancestorsOf(file)) {
    if (known.has(dir)) continue;
    const kind = entryKind(livePath(rootDir, dir));
    if (kind === 'absent') fs.mkdirSync(livePath(rootDir, dir));
    else if (kind === 'symlink') throw new PlatformConfigError(linkViolation(rootDir, dir));
    else if (kind !== 'folder') throw new PlatformConfigError(wrongTypeViolation(dir, kind, 'folder'));
    known.add(dir);
  }
}

/** Throws when a folder above `file` is a link or not a folder (before a delete or a rename into place). Absent is fine. */
export function refuseLinkedParents(rootDir: string, file: string): void {
  for (const dir of ancestorsOf(file)) {
    const kind = entryKind(livePath(rootDir, dir));
    if (kind === 'folder') continue;
    if (kind === 'symlink') throw new PlatformConfigError(linkViolation(rootDir, dir));
    return;
  }
}
