import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { refusePrivateKeyMaterial } from './key-material';
import { LOCKED_RULE } from './output-lock';
import { BUNDLE_DIRS, BundleFile, renderBundle } from './render';
import { synthesisReport } from './synthesis-report';
import { BundleWriteError, openOutputRoot, WriteState } from './write';
import { isUnfinishedRecovery, JOURNAL_FILE, RecoveryOutcome } from './write-journal';
import { PlatformConfigError } from '../errors';
import { propKeys, rejectUnknownKeys } from '../private/props';

/** Where {@link synthesizeBundle} writes. A key outside these is refused (rule `unknown-prop`), before anything is built or written. */
export interface SynthesizeOptions {
  /** Folder that receives `dist/`, `kind/` and `cilium-values/`. @default process.cwd() */
  readonly rootDir?: string;
  /**
   * The cdk8s CLI's output folder (`CDK8S_OUTDIR`). The CLI empties it before running the app, so the
   * bundle is never written there directly; the manifests are mirrored into it for the CLI's listing
   * and validation plugins. When it is (or overlaps) one of the bundle folders, synthesis stops before
   * anything is built or written, naming the `cdk8s.yaml` fix. @default process.env.CDK8S_OUTDIR (set by the cdk8s CLI)
   */
  readonly cdk8sOutdir?: string;
}

const SYNTHESIZE_OPTIONS = propKeys<SynthesizeOptions>()('rootDir', 'cdk8sOutdir');

/** What a synthesis found and left in the output root, for the message a user reads. */
interface OutputReport {
  /** What the run did about an interrupted earlier run; `failed` when that recovery itself stopped. */
  readonly recovery: RecoveryOutcome | 'failed';
  /** Where its own write left the tree (`written`: complete); absent when it never got to write. */
  readonly write?: WriteState | 'written';
}

/** The report of each error {@link synthesize} threw. */
const reports = new WeakMap<object, OutputReport>();

function synthesize(app: App, options: SynthesizeOptions): { files: BundleFile[]; recovery: RecoveryOutcome } {
  rejectUnknownKeys('options', options, SYNTHESIZE_OPTIONS, 'SynthesizeOptions');
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const outdir = 'cdk8sOutdir' in options ? options.cdk8sOutdir : process.env.CDK8S_OUTDIR;
  if (outdir) checkCdk8sOutdir(rootDir, outdir);
  let output;
  try {
    output = openOutputRoot(rootDir, BUNDLE_DIRS);
  } catch (err) {
    if (err instanceof Object) reports.set(err, { recovery: isUnfinishedRecovery(err) ? 'failed' : 'none' });
    throw err;
  }
  let written = false;
  try {
    const files = renderBundle(app);
    refusePrivateKeyMaterial(files);
    output.write(files);
    written = true;
    if (outdir) {
      const mirror = path.resolve(outdir);
      fs.rmSync(mirror, { recursive: true, force: true });
      fs.mkdirSync(mirror, { recursive: true });
      for (const f of files.filter((file) => file.path.endsWith('.k8s.yaml'))) {
        fs.writeFileSync(path.join(mirror, path.basename(f.path)), f.content);
      }
    }
    return { files, recovery: output.recovery };
  } catch (err) {
    const write = written ? 'written' : err instanceof BundleWriteError ? err.state : undefined;
    if (err instanceof Object) reports.set(err, { recovery: output.recovery, write });
    throw err;
  } finally {
    output.release();
  }
}

/**
 * Validates the app, renders the bundle and swaps it into `dist/`, `kind/` and `cilium-values/` atomically,
 * under the output root's lock (`.synth-lock/`): a second synthesis of the same folder fails at once, naming
 * the process that holds it. A synthesis that was killed is finished or undone (from `.synth-journal.json`) before
 * anything else. Refused before anything is written: an invalid app, private key material in any file, a link,
 * folder or special file where the bundle owns a file, a file synthesis does not own in the way.
 */
export function synthesizeBundle(app: App, options: SynthesizeOptions = {}): BundleFile[] {
  return synthesize(app, options).files;
}

/** The first line of a failed run's message: what state the output root is in. */
function outputStateLine(err: unknown): string {
  const report = err instanceof Object ? reports.get(err) : undefined;
  if (err instanceof PlatformConfigError && (err.rules.includes(CDK8S_OUTDIR_RULE) || err.rules.includes(LOCKED_RULE))) {
    return 'synthesis stopped before writing anything.';
  }
  if (report?.recovery === 'failed') {
    return `synthesis stopped: an interrupted earlier synthesis could not be finished or undone, so the output may be half-written; ${JOURNAL_FILE} is kept.`;
  }
  switch (report?.write) {
    case 'restored':
      return 'synthesis failed while writing; every change was undone, the previous output is restored.';
    case 'undo-pending':
      return `synthesis failed while writing and could not undo every change; ${JOURNAL_FILE} records them and the next synthesis undoes them first.`;
    case 'committed':
      return 'synthesis wrote the new bundle (dist/bundle.json is in place) but failed while removing the previous bundle\'s stale files; '
        + `${JOURNAL_FILE} lists them and the next synthesis removes them.`;
    case 'written':
      return 'synthesis wrote the new bundle, but copying its manifests to the cdk8s CLI\'s output folder failed.';
    default:
  }
  switch (report?.recovery) {
    case 'rolled-back':
      return 'synthesis failed; an interrupted earlier synthesis was undone first, so the output is the bundle from before it.';
    case 'rolled-forward':
      return 'synthesis failed; an interrupted earlier synthesis was finished first, so the output is the bundle it wrote.';
    default:
      return 'synthesis failed, previous output left untouched.';
  }
}

/** Rule id of {@link checkCdk8sOutdir}: the cdk8s CLI's output folder is one of the bundle's folders. */
export const CDK8S_OUTDIR_RULE = 'cdk8s-output-is-a-bundle-folder';

/**
 * Stops when the cdk8s CLI's output folder is (or is inside, or contains) `dist/`, `kind/` or `cilium-values/`:
 * the CLI deletes its output folder before it runs the app (cdk8s-cli `synth`: `fs.rmSync(outdir)`), so
 * the bundle would be deleted on every synth and lost on every failed one.
 */
export function checkCdk8sOutdir(rootDir: string, cdk8sOutdir: string): void {
  const root = path.resolve(rootDir);
  const out = path.resolve(cdk8sOutdir); // relative to the working folder, as the CLI sets it
  const clash = BUNDLE_DIRS.find((d) => {
    const dir = path.join(root, d);
    return out === dir || out.startsWith(dir + path.sep) || dir.startsWith(out + path.sep);
  });
  if (clash === undefined) return;
  const shown = path.relative(root, out) || '.';
  throw new PlatformConfigError({
    rule: CDK8S_OUTDIR_RULE,
    field: `cdk8s.yaml output (CDK8S_OUTDIR=${shown})`,
    problem: `the cdk8s CLI's output folder overlaps ${clash}/, which this library writes; the CLI empties its output folder `
      + `before running the app, so it has already deleted ${shown}/ (restore it with \`git checkout -- ${shown}\`) and would do so on every synth`,
    fix: 'set `output: .cdk8s.out` in cdk8s.yaml (the library writes dist/, kind/ and cilium-values/ itself and mirrors the manifests to .cdk8s.out/)',
  });
}

/**
 * Entry point for a cdk8s app command: builds the app, synthesizes the bundle into the current
 * folder, reports on stderr the files written per cluster and the commands to run next (the cdk8s CLI
 * swallows the app's stdout), and turns errors into a message on stderr and exit code 1 (no stack trace
 * for bad input).
 */
export function runSynthesis(build: (app: App) => void, options: SynthesizeOptions = {}): void {
  try {
    rejectUnknownKeys('options', options, SYNTHESIZE_OPTIONS, 'SynthesizeOptions');
    const rootDir = path.resolve(options.rootDir ?? process.cwd());
    const outdir = 'cdk8sOutdir' in options ? options.cdk8sOutdir : process.env.CDK8S_OUTDIR;
    // Before the app is even built: stop at once when the CLI's output folder is ours.
    if (outdir) checkCdk8sOutdir(rootDir, outdir);
    const app = new App();
    build(app);
    const { files, recovery } = synthesize(app, { ...options, cdk8sOutdir: outdir });
    // stderr: the cdk8s CLI swallows the app's stdout.
    if (recovery === 'rolled-back') process.stderr.write('cdk8s-kind-cilium: undid an interrupted earlier synthesis first.\n');
    if (recovery === 'rolled-forward') process.stderr.write('cdk8s-kind-cilium: finished an interrupted earlier synthesis first.\n');
    process.stderr.write(synthesisReport(files));
  } catch (err) {
    const detail = err instanceof PlatformConfigError ? err.message
      : err instanceof BundleWriteError ? (err.cause as Error)?.stack ?? String(err.cause)
        : (err as Error)?.stack ?? String(err);
    process.stderr.write(`cdk8s-kind-cilium: ${outputStateLine(err)}\n${detail}\n`);
    process.exitCode = 1;
  }
}
