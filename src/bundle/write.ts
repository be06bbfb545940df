import * as fs from 'fs';
import * as path from 'path';
import { BundleFile } from './render';

/**
 * Writes `files` below `rootDir`, replacing each of `ownedDirs` as a whole, atomically per folder:
 * everything is written to a staging folder first and swapped in with renames at the end. If
 * anything fails, the previous folders are restored and the error is rethrown.
 */
export function writeFilesAtomically(rootDir: string, files: readonly BundleFile[], ownedDirs: readonly string[]): void {
  for (const f of files) {
    const top = f.path.split('/')[0];
    if (!ownedDirs.includes(top) || f.path.split('/').includes('..')) {
      throw new Error(`refusing to write ${f.path}: outside the owned folders ${ownedDirs.join(', ')}`);
    }
  }
  fs.mkdirSync(rootDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(rootDir, '.synth-staging-'));
  const swapped: { dir: string; backup?: string; installed: boolean }[] = [];
  try {
    for (const dir of ownedDirs) fs.mkdirSync(path.join(staging, 'new', dir), { recursive: true });
    for (const f of files) {
      const target = path.join(staging, 'new', ...f.path.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: f.path.endsWith('.sh') ? 0o755 : 0o644 });
    }
    fs.mkdirSync(path.join(staging, 'old'));
    for (const dir of ownedDirs) {
      const live = path.join(rootDir, dir);
      const entry: { dir: string; backup?: string; installed: boolean } = { dir, installed: false };
      swapped.push(entry);
      if (fs.existsSync(live)) {
        fs.renameSync(live, path.join(staging, 'old', dir));
        entry.backup = path.join(staging, 'old', dir);
      }
      fs.renameSync(path.join(staging, 'new', dir), live);
      entry.installed = true;
    }
  } catch (err) {
    for (const { dir, backup, installed } of swapped.reverse()) {
      const live = path.join(rootDir, dir);
      if (installed) fs.rmSync(live, { recursive: true, force: true });
      if (backup) fs.renameSync(backup, live);
    }
    throw err;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
