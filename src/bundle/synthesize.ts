import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { BUNDLE_DIRS, BundleFile, renderBundle } from './render';
import { synthesisReport } from './synthesis-report';
import { writeFilesAtomically } from './write';
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

/**
 * Validates the app, renders the bundle and swaps it into `dist/`, `kind/` and `cilium-values/`
 * atomically. On any error nothing that was there before is changed.
 */
export function synthesizeBundle(app: App, options: SynthesizeOptions = {}): BundleFile[] {
  rejectUnknownKeys('options', options, SYNTHESIZE_OPTIONS, 'SynthesizeOptions');
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const outdir = 'cdk8sOutdir' in options ? options.cdk8sOutdir : process.env.CDK8S_OUTDIR;
  if (outdir) checkCdk8sOutdir(rootDir, outdir);
  const files = renderBundle(app);
  writeFilesAtomically(rootDir, files, BUNDLE_DIRS);
  if (outdir) {
    const mirror = path.resolve(outdir);
    fs.rmSync(mirror, { recursive: true, force: true });
    fs.mkdirSync(mirror, { recursive: true });
    for (const f of files.filter((file) => file.path.endsWith('.k8s.yaml'))) {
      fs.writeFileSync(path.join(mirror, path.basename(f.path)), f.content);
    }
  }
  return files;
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
    const files = synthesizeBundle(app, { ...options, cdk8sOutdir: outdir });
    // stderr: the cdk8s CLI swallows the app's stdout.
    process.stderr.write(synthesisReport(files));
  } catch (err) {
    if (err instanceof PlatformConfigError && err.rules.includes(CDK8S_OUTDIR_RULE)) {
      process.stderr.write(`cdk8s-kind-cilium: synthesis stopped before writing anything.\n${err.message}\n`);
    } else if (err instanceof PlatformConfigError) {
      process.stderr.write(`cdk8s-kind-cilium: synthesis failed, previous output left untouched.\n${err.message}\n`);
    } else {
      process.stderr.write(`cdk8s-kind-cilium: synthesis failed, previous output left untouched.\n${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}
