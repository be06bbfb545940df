import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { campaignApp, CAMPAIGN_APPS } from './campaign-apps';
import { interceptFsOps } from './fs-ops';
import { expectedTree, indexProblems, leftovers, plant, snapshot, TreeEntry } from './output-tree';
import { BundleFile, renderBundle } from '../../src';
import { openOutputRoot, writeFilesAtomically } from '../../src/bundle/write';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundleEntry } = require('../../scripts/lib/bundle-entry') as { bundleEntry: (entry: string, outfile: string) => string };

const OWNED = ['dist', 'kind', 'cilium-values'];
const REPO = path.resolve(__dirname, '..', '..');

/** Files next to the bundle that no synthesis may touch (one inside the folder of a cluster that goes away). */
const FOREIGN: Record<string, string> = {
  'kind/registry.yaml': '# my local registry\n',
  'dist/README.md': '# our bundle\n',
  'dist/web/notes.txt': 'hand-written, next to generated files\n',
};

/** The bundled child synthesis scripts (see {@link bundleSynthChildren}). */
export interface SynthChildren {
  /** `synth-child.ts`: writes a bundle JSON file. */
  readonly write: string;
  /** `synth-app-child.ts`: the whole synthesizeBundle of a campaign app. */
  readonly app: string;
  /** The folder holding both; remove it when done. */
  readonly dir: string;
}

/**
 * Bundles the child synthesis scripts for node into `.cdk8s-build/` (inside the repository, so a child resolves
 * its packages from node_modules).
 */
export function bundleSynthChildren(): SynthChildren {
  const dir = path.join(REPO, '.cdk8s-build', `synth-children-${process.pid}`);
  return {
    write: bundleEntry(path.join(REPO, 'test', 'support', 'synth-child.ts'), path.join(dir, 'synth-child.js')),
    app: bundleEntry(path.join(REPO, 'test', 'support', 'synth-app-child.ts'), path.join(dir, 'synth-app-child.js')),
    dir,
  };
}

/** Outcome of one child run. */
export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts the child synthesis of `source` (a bundle JSON file or `app:NAME`) into `root`. `onLine` sees each stdout
 * line (e.g. `STAGING`, `HOLD`) with the child, so a caller can kill it at that moment.
 */
export function runChild(childJs: string, root: string, source: string, env: Record<string, string> = {},
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, root, source], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        onLine?.(line, child);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/* eslint-disable no-bitwise */
/** A small seeded PRNG (mulberry32), so a campaign can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

export interface CampaignOptions {
  readonly trials: number;
  readonly seed: number;
  /** `synth-child.js` from {@link bundleSynthChildren}. */
  readonly childJs: string;
  /** Trials run at once (each in its own root). @default 1 */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}

export interface CampaignResult {
  readonly trials: number;
  /** Trials whose tree, once the next run had started, was not exactly one of the bundles involved (or that touched the outside). */
  readonly inconsistent: number;
  readonly failures: readonly string[];
  /** How many trials ended in each state: `old`/`new`/`newer` (which bundle the recovered tree equals) and the recovery done. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Kills that hit a running child (SIGKILL), by kind. */
  readonly kills: { readonly atOperation: number; readonly timed: number; readonly duringRecovery: number };
}

function sameTree(a: Record<string, TreeEntry>, b: Record<string, TreeEntry>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function firstDifference(actual: Record<string, TreeEntry>, expected: Record<string, TreeEntry>): string {
  for (const p of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    if (JSON.stringify(actual[p]) !== JSON.stringify(expected[p])) {
      const show = (e?: TreeEntry) => (e === undefined ? 'absent' : e.type === 'file' ? `file(${e.content.length} chars${e.exec ? ', exec' : ''})` : e.type);
      return `${p}: ${show(actual[p])}, expected ${show(expected[p])}`;
    }
  }
  return 'no difference';
}

/**
 * The kill -9 campaign. Each trial: synthesize bundle FROM into a fresh root (with foreign files beside it and a
 * folder outside it), then start a child synthesis of bundle TO and SIGKILL it, either at a random filesystem
 * operation (half done where it can be) or after a random delay once it has started staging; in a third of the
 * trials a second child (bundle TO2) is started on the wreck and killed as well, so recovery itself is interrupted.
 * Then the next run opens the root (lock takeover, recovery) and the tree must be exactly FROM, TO or TO2 (every
 * owned file, the foreign files, nothing else: no staging, journal or lock), its `dist/bundle.json` must agree with
 * the files, and the outside folder must be unchanged. Finally a full synthesis must produce its bundle exactly.
 */
export async function runKillCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-kill-'));
  const bundles = new Map<string, BundleFile[]>(CAMPAIGN_APPS.map((name) => [name, renderBundle(campaignApp(name))]));
  const sources = new Map<string, string>();
  for (const [name, files] of bundles) {
    const file = path.join(work, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(files));
    sources.set(name, file);
  }
  const expected = new Map([...bundles].map(([name, files]) => [name, expectedTree(files, FOREIGN)]));

  // Mutating operations of a complete run per (from, to), so kill points cover the whole run (counted in this
  // process: the child runs the same code).
  const ops = new Map<string, number>();
  for (const from of CAMPAIGN_APPS) {
    for (const to of CAMPAIGN_APPS) {
      const root = fs.mkdtempSync(path.join(work, 'ops-'));
      writeFilesAtomically(root, bundles.get(from)!, OWNED);
      let count = 0;
      const restore = interceptFsOps((_op, _args, n, run) => {
        count = n;
        return run();
      });
      try {
        writeFilesAtomically(root, bundles.get(to)!, OWNED);
      } finally {
        restore();
      }
      ops.set(`${from}>${to}`, count);
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  const failures: string[] = [];
  const outcomes: Record<string, number> = {};
  const kills = { atOperation: 0, timed: 0, duringRecovery: 0 };
  let inconsistent = 0;
  const runTrial = async (trial: number) => {
    // Each trial draws from its own generator, so a campaign replays from its seed whatever the concurrency.
    const random = prng(options.seed * 7919 + trial);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const root = fs.mkdtempSync(path.join(work, 'root-'));
    const outside = fs.mkdtempSync(path.join(work, 'outside-'));
    plant(outside, { 'kept.txt': 'outside the root\n' });
    const outsideBefore = snapshot(outside);
    const from = pick(CAMPAIGN_APPS);
    const to = pick(CAMPAIGN_APPS.filter((n) => n !== from));
    writeFilesAtomically(root, bundles.get(from)!, OWNED);
    plant(root, FOREIGN);
    const story: string[] = [`trial ${trial}: ${from} -> ${to}`];
    const candidates = new Set([from, to]);

    const killRun = async (target: string, previous: string, duringRecovery: boolean) => {
      const total = ops.get(`${previous}>${target}`)!;
      if (random() < 0.65) {
        const at = 1 + Math.floor(random() * Math.ceil(total * 1.2)); // past the end: the run completes
        const run = await runChild(options.childJs, root, sources.get(target)!, { KC_KILL_AT_OP: String(at) });
        story.push(`  ${target}: kill at op ${at}/${total} -> ${run.signal ?? `exit ${run.code}`}`);
        if (run.signal === 'SIGKILL') kills.atOperation++;
        if (run.signal === 'SIGKILL' && duringRecovery) kills.duringRecovery++;
        if (run.signal === null && run.code !== 0) throw new Error(`child failed: ${run.stderr}`);
      } else {
        const delay = random() * 12;
        const run = await runChild(options.childJs, root, sources.get(target)!, { KC_SIGNAL_STAGING: '1' }, (line, child) => {
          if (line === 'STAGING') setTimeout(() => child.kill('SIGKILL'), delay);
        });
        story.push(`  ${target}: kill ${delay.toFixed(1)} ms after staging began -> ${run.signal ?? `exit ${run.code}`}`);
        if (run.signal === 'SIGKILL') kills.timed++;
        if (run.signal === null && run.code !== 0) throw new Error(`child failed: ${run.stderr}`);
      }
    };
    await killRun(to, from, false);
    if (random() < 0.35) {
      const to2 = pick(CAMPAIGN_APPS);
      candidates.add(to2);
      await killRun(to2, to, true);
    }

    // The next run: takes over the dead child's lock and recovers; then the tree must be one whole bundle.
    const problems: string[] = [];
    let recovery = '?';
    try {
      const output = openOutputRoot(root, OWNED);
      recovery = output.recovery;
      output.release();
    } catch (e) {
      problems.push(`next run could not open the root: ${(e as Error).message}`);
    }
    const tree = snapshot(root);
    const match = [...candidates].find((name) => sameTree(tree, expected.get(name)!));
    if (match === undefined) problems.push(`tree is none of ${[...candidates].join(', ')}: ${firstDifference(tree, expected.get(from)!)} / ${firstDifference(tree, expected.get(to)!)}`);
    problems.push(...indexProblems(root), ...leftovers(root).map((n) => `leftover ${n}`));
    if (!sameTree(snapshot(outside), outsideBefore)) problems.push('the folder outside the root changed');
    // And the run completes: exactly its bundle.
    const final = pick(CAMPAIGN_APPS);
    try {
      writeFilesAtomically(root, bundles.get(final)!, OWNED);
      if (!sameTree(snapshot(root), expected.get(final)!)) problems.push(`after the next synthesis (${final}): ${firstDifference(snapshot(root), expected.get(final)!)}`);
    } catch (e) {
      problems.push(`next synthesis failed: ${(e as Error).message}`);
    }
    const outcome = `${match === from ? 'old' : match === to ? 'new' : match ?? 'none'}/${recovery}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (problems.length > 0) {
      inconsistent++;
      failures.push([...story, ...problems.map((p) => `  ! ${p}`)].join('\n'));
    }
    options.log?.(`${story.join(' ')} => ${outcome}${problems.length > 0 ? ' INCONSISTENT' : ''}`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  };
  let next = 0;
  const worker = async () => {
    while (next < options.trials) await runTrial(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  fs.rmSync(work, { recursive: true, force: true });
  return { trials: options.trials, inconsistent, failures, outcomes, kills };
}
