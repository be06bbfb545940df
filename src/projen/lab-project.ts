// The projen project type of a kind + Cilium lab (`npx projen new --from cdk8s-kind-cilium`). Its files are the ones
// `npx cdk8s-kind-cilium init` writes (src/bundle/lab-template.ts): this class only decides which projen owns.
// Loaded only through src/projen/lazy-lab-project.ts, so the library itself never needs projen installed.
// projen is no dependency of the library: a lab made by projen has it (projen installs it before it loads this file).
// Not an (optional) peer either: npm refuses a lab whose newer projen falls outside the peer range.
// eslint-disable-next-line import/no-extraneous-dependencies
import { Project, SampleFile, TextFile } from 'projen';
import type { KindCiliumLabProjectOptions } from './lab-project-options';
import { LAB_CHECK_COMMAND, LAB_GITIGNORE, labClusterName, labFiles } from '../bundle/lab-template';
import { libraryPackage } from '../bundle/library-package';
import type { LibraryPackage } from '../bundle/library-package';
import { checkProps, propsShape, required } from '../private/props';
import type { ObjectShape } from '../private/props';
import { resolveClusterSpec } from '../spec/cluster-spec';

/**
 * The options of a lab, as `.projenrc.json` and `projen new` give them: a misspelt key there would be dropped without
 * a word, so it is refused (`unknown-prop`, with the closest option as the fix). `__new__` is projen's own (the
 * `projen new` arguments it passes to the first synthesis) and is not checked.
 */
const LAB_OPTIONS = propsShape<KindCiliumLabProjectOptions>('KindCiliumLabProject', {
  name: required('string'),
  outdir: 'string',
  clusterName: 'string',
  deps: { list: 'string' },
  devDeps: { list: 'string' },
});
const LAB_OPTIONS_SHAPE: ObjectShape = {
  ...LAB_OPTIONS,
  props: { ...LAB_OPTIONS.props, __new__: { expected: "projen's `projen new` arguments", test: () => true } },
};

/**
 * projen evaluates `new KindCiliumLabProject({...})` in a `vm` context (node_modules/projen/lib/projects.js), so the
 * options object is a plain object of another realm: its prototype is that realm's `Object.prototype`. It is
 * re-created here as a plain object of this realm (own property descriptors copied, getters not called), so the prop
 * check treats it like any literal. Anything else is returned as it is, for the check to judge.
 */
function fromOtherRealm(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) !== null) return value;
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function' || ctor.name !== 'Object') return value;
  return Object.create(Object.prototype, Object.getOwnPropertyDescriptors(value)) as unknown;
}

/** `name@range` (scoped names too) as `[name, range]`; a bare name gets `*`. */
function splitSpec(spec: string): [string, string] {
  const at = spec.indexOf('@', 1);
  return at < 0 ? [spec, '*'] : [spec.slice(0, at), spec.slice(at + 1)];
}

/**
 * How the lab depends on this library, from an entry of `devDeps`: the bare name (`^<version>`), `name@range`, or a
 * path to the packed tarball (`file:<path>`, relative to the lab as `projen new --from` was given it). Undefined for
 * an entry about another package.
 */
export function librarySpecOf(entry: string, lib: Pick<LibraryPackage, 'name' | 'version'>): string | undefined {
  if (entry === lib.name) return `^${lib.version}`;
  if (entry.startsWith(`${lib.name}@`)) return entry.slice(lib.name.length + 1);
  const file = entry.replace(/^file:/, '');
  const base = file.split(/[\\/]/).pop() ?? '';
  if (base.startsWith(`${lib.name}-`) && base.endsWith('.tgz')) return `file:${file}`;
  return undefined;
}

/**
 * A kind + Cilium lab repository, as projen keeps it. Owned by projen (rewritten by `npx projen`): `package.json`
 * (the library, its peers, `cdk8s-cli`, `typescript` ~5.9, `@types/node` ^20 and `projen`, plus the `deps` and
 * `devDeps` options), `tsconfig.json`, `cdk8s.yaml` (output `.cdk8s.out`, never a bundle folder; tsc's errors on
 * stderr, so the cdk8s CLI shows them) and `.gitignore` (keeps `dist/`, `kind/`, `cilium-values/`, ignores
 * `.kind-cilium/` and the synthesis state). Written once and then yours: `src/main.ts` (one cluster and
 * `runSynthesis`) and `README.md`. Tasks: `npx projen synth` (`cdk8s synth`) and `npx projen check-bundle` (for CI:
 * synthesize, then fail listing the bundle files that changed). The project definition is `.projenrc.json`.
 *
 * Refused (a `PlatformConfigError`, before anything is written): a key that is no option (`unknown-prop`, e.g. a
 * misspelt key in `.projenrc.json`), an option of the wrong type, a missing `name`, and a `clusterName` the
 * library's cluster rules refuse (`resolveClusterSpec`).
 */
export class KindCiliumLabProject extends Project {
  /** Name of the kind cluster of the sample `src/main.ts`. */
  public readonly clusterName: string;

  constructor(rawOptions: KindCiliumLabProjectOptions) {
    type Given = KindCiliumLabProjectOptions & { readonly __new__?: object };
    const { __new__: projenNew, ...options } = checkProps<Given>('options', fromOtherRealm(rawOptions), LAB_OPTIONS_SHAPE);
    // `.projenrc.json`: `npx projen` re-creates the project from it through the package's `.jsii` manifest.
    super({ ...options, ...(projenNew === undefined ? {} : { __new__: projenNew }), projenrcJson: true });
    const lib = libraryPackage(__dirname);
    this.clusterName = options.clusterName ?? labClusterName(this.outdir);
    resolveClusterSpec({ clusterName: this.clusterName }); // throws the PlatformConfigError of the clusterName rule

    let librarySpec = `^${lib.version}`;
    const extraDevDependencies: Record<string, string> = { projen: `^${projenVersion()}` };
    for (const entry of options.devDeps ?? []) {
      const spec = librarySpecOf(entry, lib);
      if (spec !== undefined) librarySpec = spec;
      else extraDevDependencies[splitSpec(entry)[0]] = splitSpec(entry)[1];
    }
    const extraDependencies = Object.fromEntries((options.deps ?? []).map(splitSpec));
    const files = labFiles({
      name: options.name,
      clusterName: this.clusterName,
      librarySpec,
      library: lib,
      extraDependencies,
      extraDevDependencies,
      extraScripts: { projen: 'projen' },
    });

    for (const file of ['package.json', 'tsconfig.json', 'cdk8s.yaml']) {
      new TextFile(this, file, { lines: files[file].split('\n') }); // ends with '': the file keeps its final newline
    }
    for (const file of ['src/main.ts', 'README.md']) new SampleFile(this, file, { contents: files[file] });
    this.gitignore.exclude(...LAB_GITIGNORE);

    this.addTask('synth', { description: 'Synthesize dist/, kind/ and cilium-values/ (cdk8s synth)', exec: 'cdk8s synth' });
    this.addTask('check-bundle', {
      description: 'For CI: synthesize, then fail, listing them, when dist/, kind/ or cilium-values/ changed (the committed bundle is stale)',
      exec: LAB_CHECK_COMMAND,
    });
  }
}

/** The version of the projen running this project (the lab's `projen` devDependency follows it). */
function projenVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  return (require('projen/package.json') as { version: string }).version;
}
