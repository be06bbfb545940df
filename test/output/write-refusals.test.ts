import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KindCiliumCluster, renderBundle, synthesizeBundle } from '../../src';
import { writeFilesAtomically } from '../../src/bundle/write';
import { campaignApp } from '../support/campaign-apps';
import { configError } from '../support/config-error';
import { leftovers, plant, snapshot } from '../support/output-tree';

const OWNED = ['dist', 'kind', 'cilium-values'];
const FOREIGN = { 'dist/README.md': '# ours\n' };

/**
 * Every place the write from bundle `a` (clusters dev, old, web) to bundle `b` (dev changed, new, web) touches,
 * and what the write does there. `old` goes away, `new` comes.
 */
const POSITIONS = {
  'replaced file': { path: 'kind/dev.yaml', role: 'file' },
  'identical file': { path: 'kind/web.yaml', role: 'file' },
  'index': { path: 'dist/bundle.json', role: 'file' },
  'new file': { path: 'kind/new.yaml', role: 'file' },
  'new file in a new folder': { path: 'dist/new/apply.sh', role: 'file' },
  'stale file': { path: 'dist/old/apply.sh', role: 'stale file' },
  'stale file at the top': { path: 'kind/old.yaml', role: 'stale file' },
  'folder of replaced files': { path: 'dist/dev', role: 'folder' },
  'owned top folder': { path: 'cilium-values', role: 'folder' },
  'new folder': { path: 'dist/new', role: 'folder' },
  'folder of stale files (a removed cluster)': { path: 'dist/old', role: 'stale folder' },
} as const;

/** What can be planted at a position instead of what the write expects. */
type Planted = 'link to an outside file' | 'link to an outside folder' | 'dangling link' | 'folder' | 'file' | 'FIFO' | 'socket';
const PLANTED: readonly Planted[] = ['link to an outside file', 'link to an outside folder', 'dangling link', 'folder', 'file', 'FIFO', 'socket'];

/** The rule a planted entry must be refused with, or undefined when the write may go ahead (it changes nothing there). */
function expectedRule(role: string, planted: Planted): string | undefined {
  if (planted.startsWith('link') || planted === 'dangling link') return 'bundle-path-is-a-link';
  if (role === 'stale folder') return undefined; // nothing to delete below a non-folder
  if (role === 'folder') return planted === 'folder' ? undefined : planted === 'file' ? 'foreign-file-in-the-way' : 'bundle-path-wrong-type';
  return 'bundle-path-wrong-type'; // a folder, FIFO or socket where a file is owned or written
}

async function makeSocket(file: string): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(file, resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isSocket()) {
    // Node removed the socket file on close on this platform: bind one that stays.
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(file, resolve));
    s.unref();
  }
}

/** Replaces whatever is at `rel` below `root` with `planted`; outside targets go into `outside`. */
async function plantAt(root: string, outside: string, rel: string, planted: Planted): Promise<void> {
  const live = path.join(root, rel);
  const existed = fs.lstatSync(live, { throwIfNoEntry: false });
  // What a link leads to: a copy of what was there (so writing or deleting through the link would show outside).
  const target = path.join(outside, rel.replace(/\//g, '_'));
  if (existed?.isDirectory()) fs.cpSync(live, target, { recursive: true });
  else if (existed) fs.copyFileSync(live, target);
  else if (planted === 'link to an outside folder') plant(target, { 'apply.sh': 'outside\n' });
  else fs.writeFileSync(target, 'outside\n');
  fs.rmSync(live, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(live), { recursive: true });
  switch (planted) {
    case 'link to an outside file':
      if (fs.statSync(target).isDirectory()) fs.writeFileSync(`${target}.file`, 'outside\n');
      fs.symlinkSync(fs.statSync(target).isDirectory() ? `${target}.file` : target, live);
      break;
    case 'link to an outside folder':
      if (!fs.statSync(target).isDirectory()) plant(`${target}.d`, { 'apply.sh': 'outside\n' });
      fs.symlinkSync(fs.statSync(target).isDirectory() ? target : `${target}.d`, live);
      break;
    case 'dangling link':
      fs.symlinkSync(path.join(outside, 'missing'), live);
      break;
    case 'folder':
      plant(live, { 'mine.txt': 'a folder of mine\n' });
      break;
    case 'file':
      fs.writeFileSync(live, 'a file of mine\n');
      break;
    case 'FIFO':
      execFileSync('mkfifo', [live]);
      break;
    case 'socket':
      await makeSocket(live);
      break;
  }
}

describe('links and special files inside the owned paths are refused before anything changes', () => {
  const a = renderBundle(campaignApp('a'));
  const b = renderBundle(campaignApp('b'));
  let work: string;
  let root: string;
  let outside: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-refuse-'));
    root = path.join(work, 'root');
    outside = path.join(work, 'outside');
    fs.mkdirSync(outside);
    writeFilesAtomically(root, a, OWNED);
    plant(root, FOREIGN);
  });
  afterEach(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  const cases = Object.entries(POSITIONS).flatMap(([where, pos]) => PLANTED
    // A plain file of the user's where the bundle has a file is the foreign-file rule, tested in ownership.test.ts.
    .filter((planted) => !(planted === 'file' && (pos.role === 'file' || pos.role === 'stale file')))
    .map((planted) => [`${planted} at the ${where} (${pos.path})`, pos.path, pos.role, planted] as const));

  test.each(cases)('%s', async (_name, rel, role, planted) => {
    await plantAt(root, outside, rel, planted);
    const before = snapshot(root);
    const outsideBefore = snapshot(outside);
    const rule = expectedRule(role, planted);
    if (rule === undefined) {
      // Nothing to write or delete there: the write goes ahead and leaves the entry as it is.
      writeFilesAtomically(root, b, OWNED);
      expect(snapshot(root)[rel]).toEqual(before[rel]);
    } else {
      const err = configError(() => writeFilesAtomically(root, b, OWNED));
      const v = err.violations.find((x) => x.field === rel);
      expect(v).toBeDefined();
      expect(v!.rule).toBe(rule);
      expect(err.message).toContain(`${rel}: `);
      expect(v!.fix).toMatch(/rm |mv |move or rename/);
      expect(snapshot(root)).toEqual(before);
    }
    expect(snapshot(outside)).toEqual(outsideBefore);
    expect(leftovers(root)).toEqual([]);
  });

  test('every problem is reported at once', async () => {
    await plantAt(root, outside, 'dist/dev', 'link to an outside folder');
    await plantAt(root, outside, 'kind/dev.yaml', 'FIFO');
    await plantAt(root, outside, 'dist/old/apply.sh', 'folder');
    const err = configError(() => writeFilesAtomically(root, b, OWNED));
    expect(err.violations.map((v) => v.field)).toEqual(['dist/dev', 'dist/old/apply.sh', 'kind/dev.yaml']);
  });
});

describe('through synthesizeBundle (the issue\'s cases)', () => {
  let work: string;
  let root: string;
  let outside: string;
  const app = (...names: string[]): App => {
    const a = new App();
    for (const n of names) new KindCiliumCluster(a, n, { clusterName: n });
    return a;
  };
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-refuse-synth-'));
    root = path.join(work, 'root');
    outside = path.join(work, 'outside');
    plant(outside, { 'apply.sh': '# not yours\n', 'verify.sh': '# not yours either\n' });
  });
  afterEach(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('dist/c1 linking outside: nothing is written there', () => {
    synthesizeBundle(app('c1'), { rootDir: root, cdk8sOutdir: undefined });
    fs.rmSync(path.join(root, 'dist/c1'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'dist/c1'));
    const before = snapshot(root);
    expect(() => synthesizeBundle(app('c1'), { rootDir: root, cdk8sOutdir: undefined })).toThrow(/dist\/c1: is a symbolic link/);
    expect(snapshot(outside)).toEqual({ 'apply.sh': { type: 'file', content: '# not yours\n', exec: false }, 'verify.sh': { type: 'file', content: '# not yours either\n', exec: false } });
    expect(snapshot(root)).toEqual(before);
  });

  test('a removed cluster\'s folder linking outside: nothing outside is deleted', () => {
    synthesizeBundle(app('c1', 'gone'), { rootDir: root, cdk8sOutdir: undefined });
    fs.rmSync(path.join(root, 'dist/gone'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'dist/gone'));
    const before = snapshot(root);
    const err = configError(() => synthesizeBundle(app('c1'), { rootDir: root, cdk8sOutdir: undefined }));
    expect(err.rules).toEqual(['bundle-path-is-a-link']);
    expect(fs.readdirSync(outside).sort()).toEqual(['apply.sh', 'verify.sh']);
    expect(snapshot(root)).toEqual(before);
  });

  test('a folder in place of an owned file is refused, not deleted', () => {
    synthesizeBundle(app('c1'), { rootDir: root, cdk8sOutdir: undefined });
    fs.rmSync(path.join(root, 'kind/c1.yaml'));
    plant(root, { 'kind/c1.yaml/keep.txt': 'mine\n' });
    const err = configError(() => synthesizeBundle(app('c1'), { rootDir: root, cdk8sOutdir: undefined }));
    expect(err.message).toMatch(/^kind\/c1\.yaml: is a folder where the bundle owns a regular file.*Fix: move it away/);
    expect(fs.readFileSync(path.join(root, 'kind/c1.yaml/keep.txt'), 'utf8')).toBe('mine\n');
  });
});
