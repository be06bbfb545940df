import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { BUNDLE_DIRS, BundleFile, renderBundle } from './render';
import { writeFilesAtomically } from './write';
import { PlatformConfigError } from '../errors';

/** Where {@link synthesizeBundle} writes. */
export interface SynthesizeOptions {
  /** Folder that receives `dist/`, `kind/` and `cilium-values/`. @default process.cwd() */
  readonly rootDir?: string;
  /**
   * The cdk8s CLI's output folder (`CDK8S_OUTDIR`). The CLI empties it before running the app, so the
   * bundle is never written there directly; the manifests are mirrored into it for the CLI's listing
   * and validation plugins. @default - no mirror
   */
  readonly cdk8sOutdir?: string;
}

/**
 * Validates the app, renders the bundle and swaps it into `dist/`, `kind/` and `cilium-values/`
 * atomically. On any error nothing that was there before is changed.
 */
export function synthesizeBundle(app: App, options: SynthesizeOptions = {}): BundleFile[] {
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const files = renderBundle(app);
  writeFilesAtomically(rootDir, files, BUNDLE_DIRS);
  if (options.cdk8sOutdir) {
    const mirror = path.resolve(options.cdk8sOutdir);
    const owned = BUNDLE_DIRS.map((d) => path.join(rootDir, d));
    if (!owned.some((dir) => mirror === dir || mirror.startsWith(dir + path.sep))) {
      fs.rmSync(mirror, { recursive: true, force: true });
      fs.mkdirSync(mirror, { recursive: true });
      for (const f of files.filter((file) => file.path.endsWith('.k8s.yaml'))) {
        fs.writeFileSync(path.join(mirror, path.basename(f.path)), f.content);
      }
    }
  }
  return files;
}

/**
 * Entry point for a cdk8s app command: builds the app, synthesizes the bundle into the current
 * folder and turns errors into a message on stderr and exit code 1 (no stack trace for bad input).
 */
export function runSynthesis(build: (app: App) => void, options: SynthesizeOptions = {}): void {
  try {
    const app = new App();
    build(app);
    const files = synthesizeBundle(app, { cdk8sOutdir: process.env.CDK8S_OUTDIR, ...options });
    process.stdout.write(`cdk8s-kind-cilium: wrote ${files.length} files to ${BUNDLE_DIRS.map((d) => `${d}/`).join(', ')}\n`);
  } catch (err) {
    if (err instanceof PlatformConfigError) {
      process.stderr.write(`cdk8s-kind-cilium: synthesis failed, previous output left untouched.\n${err.message}\n`);
    } else {
      process.stderr.write(`cdk8s-kind-cilium: synthesis failed, previous output left untouched.\n${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}
