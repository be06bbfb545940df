import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { BundleFile } from '../../src';

/**
 * One entry of a folder tree as seen without following links: a file with its content and whether it is
 * executable, a folder, a link with its target, or another kind (FIFO, socket).
 */
export type TreeEntry =
  | { readonly type: 'file'; readonly content: string; readonly exec: boolean }
  | { readonly type: 'folder' }
  | { readonly type: 'link'; readonly target: string }
  | { readonly type: 'other' };

/** Every entry below `root` (relative POSIX paths), never following a link. */
export function snapshot(root: string): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      const st = fs.lstatSync(full);
      if (st.isDirectory()) {
        out[rel] = { type: 'folder' };
        walk(full);
      } else if (st.isFile()) {
        // eslint-disable-next-line no-bitwise
        out[rel] = { type: 'file', content: fs.readFileSync(full, 'utf8'), exec: (st.mode & 0o111) !== 0 };
      } else if (st.isSymbolicLink()) {
        out[rel] = { type: 'link', target: fs.readlinkSync(full) };
      } else {
        out[rel] = { type: 'other' };
      }
    }
  };
  walk(root);
  return out;
}

/** The files below `root` and their content (no folders, links followed as `readFileSync` does). */
export function fileTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, e] of Object.entries(snapshot(root))) if (e.type === 'file') out[p] = e.content;
  return out;
}

/**
 * The exact tree a synthesis of `files` must leave, with `foreign` files (never touched) beside it: each file
 * (scripts executable), and every folder above one, nothing else.
 */
export function expectedTree(files: readonly BundleFile[], foreign: Readonly<Record<string, string>> = {}): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const add = (p: string, content: string, exec: boolean) => {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) out[parts.slice(0, i).join('/')] = { type: 'folder' };
    out[p] = { type: 'file', content, exec };
  };
  for (const f of files) add(f.path, f.content, f.path.endsWith('.sh'));
  for (const [p, content] of Object.entries(foreign)) add(p, content, false);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Writes `files` (e.g. foreign files) below `root`, creating folders. */
export function plant(root: string, files: Readonly<Record<string, string>>): void {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
}

/**
 * Problems with `dist/bundle.json` below `root`: a listed file that is missing or whose sha256 differs, or an
 * unreadable index. Empty when the index agrees with the files.
 */
export function indexProblems(root: string): string[] {
  let index: { files: { path: string; sha256: string }[] };
  try {
    index = JSON.parse(fs.readFileSync(path.join(root, 'dist/bundle.json'), 'utf8'));
  } catch (e) {
    return [`dist/bundle.json: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  for (const f of index.files) {
    const file = path.join(root, f.path);
    if (!fs.existsSync(file)) problems.push(`${f.path}: listed but missing`);
    else if (createHash('sha256').update(fs.readFileSync(file)).digest('hex') !== f.sha256) problems.push(`${f.path}: sha256 differs from the index`);
  }
  return problems;
}

/** Names at the root that a synthesis leaves only while it runs or after a crash (lock, journal, staging). */
export function leftovers(root: string): string[] {
  return fs.readdirSync(root).filter((n) => n.startsWith('.synth'));
}
