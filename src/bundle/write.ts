import * as fs from 'fs';
import * as path from 'path';
import { BundleFile } from './render';
import { PlatformConfigError } from '../errors';
import { BUNDLE_NAME } from '../spec/versions';

/** Where the index of owned files lives, relative to the output root. It is always owned. */
export const BUNDLE_INDEX_PATH = 'dist/bundle.json';

/**
 * The files the previous synthesis wrote, from its `dist/bundle.json` (`files[].path`, plus the index itself).
 * Empty when there is no index. An unreadable index is an error (naming the file): guessing could delete
 * the user's files.
 */
export function previouslyOwnedFiles(rootDir: string): Set<string> {
  const indexFile = path.join(rootDir, ...BUNDLE_INDEX_PATH.split('/'));
  if (!fs.existsSync(indexFile)) return new Set();
  let paths: string[];
  try {
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { files?: { path?: unknown }[] };
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

/** Every generated kind config, Cilium values file and script names the library and says `Generated ... do not edit` in its header. */
function isGeneratedHeader(head: string): boolean {
  return head.includes(BUNDLE_NAME) && /Generated\b[^\n]*do not edit/.test(head);
}

/**
 * True when the file's header says this library generated it. Used only to allow overwriting a file the
 * index does not list (e.g. after the cdk8s CLI deleted `dist/` and its index): stale files are deleted only
 * when the previous index lists them.
 */
function isGeneratedFile(file: string): boolean {
  if (!fs.statSync(file).isFile()) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return isGeneratedHeader(head.subarray(0, n).toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

function checkPath(file: string, ownedDirs: readonly string[]): void {
  const parts = file.split('/');
  if (!ownedDirs.includes(parts[0]) || parts.includes('..') || parts.includes('.') || parts.includes('')) {
    throw new Error(`refusing to write ${file}: outside the owned folders ${ownedDirs.join(', ')}`);
  }
}

/** One step done on the live tree, undone in reverse order on failure. */
type Done =
  | { readonly op: 'mkdir'; readonly dir: string }
  | { readonly op: 'backup'; readonly live: string; readonly backup: string }
  | { readonly op: 'install'; readonly live: string };

/**
 * Writes `files` below `rootDir` and deletes the files the previous synthesis owned that are no longer part
 * of the bundle. Synthesis owns exactly the files its `dist/bundle.json` lists: every other file in the
 * owned folders (a hand-written `kind/registry.yaml`, `dist/README.md`, ...) is foreign and kept. A new file
 * that would overwrite a foreign file stops synthesis before anything changes, naming the file.
 *
 * Atomic: every new file is written to a staging folder first, then each is renamed into place (the file it
 * replaces is moved aside first), then stale owned files are moved aside. If any step fails, every step is
 * undone in reverse order, so the tree is as before, and the error is rethrown.
 */
export function writeFilesAtomically(rootDir: string, files: readonly BundleFile[], ownedDirs: readonly string[]): void {
  for (const f of files) checkPath(f.path, ownedDirs);
  fs.mkdirSync(rootDir, { recursive: true });
  const owned = previouslyOwnedFiles(rootDir);
  const next = new Set(files.map((f) => f.path));

  const foreign: string[] = [];
  for (const f of files) {
    const live = path.join(rootDir, ...f.path.split('/'));
    if (owned.has(f.path)) continue;
    if (fs.existsSync(live) && !isGeneratedFile(live)) foreign.push(f.path);
    // A foreign file where synthesis needs a folder (e.g. a file named dist/dev).
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = path.join(rootDir, ...parts.slice(0, i));
      if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) foreign.push(parts.slice(0, i).join('/'));
    }
  }
  if (foreign.length > 0) {
    throw new PlatformConfigError([...new Set(foreign)].sort().map((p) => ({
      rule: 'foreign-file-in-the-way',
      field: p,
      problem: 'synthesis would overwrite this file, which the previous synth did not write (it is not listed in dist/bundle.json)',
      fix: 'move or rename it (or rename the cluster), then synthesize again; synthesis never overwrites files it does not own',
    })));
  }

  const staging = fs.mkdtempSync(path.join(rootDir, '.synth-staging-'));
  const done: Done[] = [];
  const mkdirs = (dir: string) => {
    const missing: string[] = [];
    for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      fs.mkdirSync(d);
      done.push({ op: 'mkdir', dir: d });
    }
  };
  let backups = 0;
  const moveAside = (live: string) => {
    const backup = path.join(staging, 'old', String(backups++));
    fs.mkdirSync(path.dirname(backup), { recursive: true });
    fs.renameSync(live, backup);
    done.push({ op: 'backup', live, backup });
  };
  try {
    files.forEach((f, i) => {
      const staged = path.join(staging, 'new', String(i));
      fs.mkdirSync(path.dirname(staged), { recursive: true });
      fs.writeFileSync(staged, f.content, { mode: f.path.endsWith('.sh') ? 0o755 : 0o644 });
    });
    files.forEach((f, i) => {
      const live = path.join(rootDir, ...f.path.split('/'));
      mkdirs(path.dirname(live));
      if (fs.existsSync(live)) moveAside(live);
      fs.renameSync(path.join(staging, 'new', String(i)), live);
      done.push({ op: 'install', live });
    });
    for (const stale of [...owned].filter((p) => !next.has(p)).sort()) {
      const parts = stale.split('/');
      if (!ownedDirs.includes(parts[0]) || parts.includes('..')) continue;
      const live = path.join(rootDir, ...parts);
      if (fs.existsSync(live) && fs.statSync(live).isFile()) moveAside(live);
    }
  } catch (err) {
    for (const step of done.reverse()) {
      try {
        if (step.op === 'install') fs.rmSync(step.live, { force: true });
        else if (step.op === 'backup') fs.renameSync(step.backup, step.live);
        else fs.rmdirSync(step.dir);
      } catch {
        // keep undoing the rest; the staging folder is kept below if a backup could not be restored
      }
    }
    const lost = done.some((s) => s.op === 'backup' && fs.existsSync(s.backup));
    if (!lost) fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // Remove folders left empty by stale files (e.g. dist/<removed cluster>/), never the owned roots.
  for (const step of done) {
    if (step.op !== 'backup') continue;
    const roots = ownedDirs.map((o) => path.join(rootDir, o));
    for (let d = path.dirname(step.live); !roots.includes(d) && d.startsWith(rootDir + path.sep); d = path.dirname(d)) {
      if (!fs.existsSync(d) || fs.readdirSync(d).length > 0) break;
      fs.rmdirSync(d);
    }
  }
  fs.rmSync(staging, { recursive: true, force: true });
}
