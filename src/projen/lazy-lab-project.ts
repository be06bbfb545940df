// The library's export of the projen project type. projen (`projen new --from`, `npx projen` with `.projenrc.json`)
// evaluates `new KindCiliumLabProject({...})` with the package's main module in scope, so the name must be exported
// there; projen itself is loaded only when it is called, so a consumer of the constructs needs no projen installed.
import type { KindCiliumLabProjectOptions } from './lab-project-options';

/**
 * What `new KindCiliumLabProject(options)` returns, typed without projen: a projen `Project` (see
 * src/projen/lab-project.ts) whose `synth()` writes the lab's files.
 */
export interface KindCiliumLab {
  /** Absolute folder of the lab. */
  readonly outdir: string;
  /** Name of the kind cluster of the sample `src/main.ts`. */
  readonly clusterName: string;
  /** Writes the lab's files (projen's `Project.synth()`). */
  synth(): void;
}

/** The constructor type of {@link KindCiliumLabProject}. */
export type KindCiliumLabProjectConstructor = new (options: KindCiliumLabProjectOptions) => KindCiliumLab;

/**
 * The projen project type of a kind + Cilium lab: `npx projen new --from cdk8s-kind-cilium` (or the path to the packed
 * `.tgz`) creates it, `npx projen` re-synthesizes it from `.projenrc.json`. Writes the files of
 * `npx cdk8s-kind-cilium init` (src/bundle/lab-template.ts) and the tasks `synth` and `check-bundle` (fails on a
 * stale bundle: for CI). Refuses (`PlatformConfigError`, before writing anything) a key that is no option
 * (`unknown-prop`, e.g. a misspelt key in `.projenrc.json`), a missing `name` and a `clusterName` the cluster rules
 * refuse. Needs `projen` installed (it is a devDependency of every such lab); calling it without throws
 * `Cannot find module 'projen'`.
 */
export const KindCiliumLabProject: KindCiliumLabProjectConstructor = function lazyLabProject(options: KindCiliumLabProjectOptions): KindCiliumLab {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const impl = require('./lab-project') as typeof import('./lab-project');
  return new impl.KindCiliumLabProject(options);
} as unknown as KindCiliumLabProjectConstructor;
