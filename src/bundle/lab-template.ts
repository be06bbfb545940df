import * as path from 'path';
import { LOCK_DIR } from './output-lock';
import { BUNDLE_DIRS } from './render';
import { JOURNAL_FILE, STAGING_PREFIX } from './write-journal';

// The files of a consumer's lab repository, as `npx cdk8s-kind-cilium init <dir>` writes them (see
// src/bin/cdk8s-kind-cilium.ts and docs/consumer.md). Plain text only: the command decides where they go.

/** The cdk8s CLI's output folder in a lab: never a bundle folder, since the CLI empties it before every run. */
export const LAB_CDK8S_OUTPUT = '.cdk8s.out';

/**
 * The `app` command of a lab's `cdk8s.yaml`. The cdk8s CLI pipes the app's stdout and on failure shows only
 * "returned a non-zero exit code" (cdk8s-cli `shell()`: stdio `['inherit', 'pipe', 'inherit']`), while its stderr
 * reaches the terminal. tsc prints its errors on stdout, so they are sent to stderr (`1>&2`); `runSynthesis`
 * already writes its report ("wrote N files", "next: bash dist/<c>/preflight.sh, then ... apply.sh") there.
 */
export const LAB_APP_COMMAND = 'npx tsc -p . 1>&2 && node lib/main.js';

/**
 * `.gitignore` of a lab: the bundle folders (`dist/`, `kind/`, `cilium-values/`) are committed, so nothing here
 * names them; ignored are dependencies, compiled code, the cdk8s CLI's output, the local CAs and keys `apply.sh`
 * exports (`.kind-cilium/`) and the lock, journal and staging folders of a running or interrupted synthesis.
 */
export const LAB_GITIGNORE: readonly string[] = [
  'node_modules/',
  '/lib/',
  `/${LAB_CDK8S_OUTPUT}/`,
  '/.kind-cilium/',
  `/${LOCK_DIR}/`,
  `/${JOURNAL_FILE}`,
  `/${STAGING_PREFIX}*`,
  '*.tgz',
];

/** `@types/node` of a lab: the major of the library's Node.js floor (20); ^14 lacks `AbortSignal` the typings use. */
export const LAB_TYPES_NODE = '^20';
/** `typescript` of a lab: 5.9, the version the library is built with (TypeScript 7 breaks ts-node). */
export const LAB_TYPESCRIPT = '~5.9.3';

/**
 * The stale-bundle check of a lab (its `npm run check` and the projen lab's `check-bundle` task): synthesize, then
 * fail, listing them, when the committed bundle folders (`dist/`, `kind/`, `cilium-values/`) changed or gained files.
 * A shell command (`sh -c`): `!` inverts grep's status, so the check fails exactly when git lists a path.
 */
export const LAB_CHECK_COMMAND = `cdk8s synth && ! git status --porcelain -- ${BUNDLE_DIRS.join(' ')} | grep .`;

/**
 * The default name of a lab's cluster (and of the lab's npm package for `init`): the folder's last segment, lowercased,
 * every run of other characters than `a-z0-9` as one `-`, no leading or trailing `-`, at most 32 characters; `lab` if
 * nothing is left.
 */
export function labClusterName(dir: string): string {
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 32).replace(/-+$/, '');
  return name === '' ? 'lab' : name;
}

/** What {@link labFiles} needs. */
export interface LabTemplateOptions {
  /** npm package name of the lab. */
  readonly name: string;
  /** Name of the kind cluster in the sample `src/main.ts` (the library's `clusterName` rule applies). */
  readonly clusterName: string;
  /** How the lab depends on this library: a range (`^0.1.0`) or `file:<path to the packed tarball>`. */
  readonly librarySpec: string;
  /** This library's package.json: its name and the ranges of its peers and of `cdk8s-cli`. */
  readonly library: {
    readonly name: string;
    readonly peerDependencies: Record<string, string>;
    readonly devDependencies: Record<string, string>;
  };
  /** More entries of the lab's `dependencies`, after the library and its peers (a projen lab's `deps`). @default none */
  readonly extraDependencies?: Record<string, string>;
  /** More entries of the lab's `devDependencies` (a projen lab: `projen` itself and its `devDeps`). @default none */
  readonly extraDevDependencies?: Record<string, string>;
  /** More `scripts` of the lab's package.json (a projen lab: `projen`). @default none */
  readonly extraScripts?: Record<string, string>;
}

/** The sample `src/main.ts`: one cluster, the bundle written at the repository root whatever the current folder. */
export function labMainSource(clusterName: string, libraryName: string): string {
  return `// Your lab: one kind cluster with Cilium. \`npx cdk8s synth\` compiles this file and writes kind/${clusterName}.yaml,
// cilium-values/${clusterName}.yaml and dist/${clusterName}/ at the repository root (commit them), then prints the
// commands to run next: bash dist/${clusterName}/preflight.sh, then bash dist/${clusterName}/apply.sh.
import * as path from 'path';
import { KindCiliumCluster, L2AnnouncementPolicy, LoadBalancerIpPool, NginxDemo, runSynthesis } from '${libraryName}';

runSynthesis((app) => {
  const cluster = new KindCiliumCluster(app, '${clusterName}', {
    clusterName: '${clusterName}',
    workers: 1,
    l2Announcements: {},
  });
  new LoadBalancerIpPool(cluster, 'pool'); // LoadBalancer addresses from a high range of the kind docker network
  new L2AnnouncementPolicy(cluster, 'l2'); // announced on the Cilium devices, so the host reaches them
  new NginxDemo(cluster, 'nginx'); // a demo web server behind a LoadBalancer Service
}, { rootDir: path.resolve(__dirname, '..') }); // lib/main.js -> the repository root, from any current folder
`;
}

/** Every file of a new lab, by path relative to its root. Deterministic: the same options give the same text. */
export function labFiles(options: LabTemplateOptions): Record<string, string> {
  const { name, clusterName, librarySpec, library, extraDependencies, extraDevDependencies, extraScripts } = options;
  const pkg = {
    name,
    version: '0.0.0',
    private: true,
    scripts: {
      build: 'tsc -p .',
      synth: 'cdk8s synth',
      // Fails, listing them, when synthesis changes or adds files in the committed bundle folders.
      check: LAB_CHECK_COMMAND,
      ...extraScripts,
    },
    dependencies: {
      [library.name]: librarySpec,
      ...library.peerDependencies,
      ...extraDependencies,
    },
    devDependencies: {
      '@types/node': LAB_TYPES_NODE,
      'cdk8s-cli': library.devDependencies['cdk8s-cli'] ?? '^2',
      'typescript': LAB_TYPESCRIPT,
      ...extraDevDependencies,
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2020',
      module: 'CommonJS',
      lib: ['es2020'],
      strict: true,
      esModuleInterop: true,
      outDir: 'lib',
      rootDir: 'src',
      types: ['node'],
    },
    include: ['src/**/*.ts'],
  };
  const cdk8sYaml = `# \`npx cdk8s synth\`: compile src/ (type errors are printed), then write the bundle at the repository root
# (dist/, kind/, cilium-values/) and a copy of the manifests to ${LAB_CDK8S_OUTPUT}/ (emptied by the CLI on every run,
# so never one of the bundle folders).
language: typescript
app: ${LAB_APP_COMMAND}
output: ${LAB_CDK8S_OUTPUT}
`;
  const readme = `# ${name}

A local Kubernetes lab: kind + Cilium, described in \`src/main.ts\` with ${library.name}.

\`\`\`bash
npm install
npx cdk8s synth                                  # writes kind/, cilium-values/, dist/ (commit them)
bash dist/${clusterName}/preflight.sh            # checks docker, kind, kubectl, helm; changes nothing
bash dist/${clusterName}/apply.sh                # creates the cluster, installs Cilium and the manifests
bash dist/${clusterName}/verify.sh
bash dist/${clusterName}/teardown.sh
npm run check                                    # in CI: fails when the committed bundle is stale
\`\`\`
`;
  return {
    '.gitignore': `${LAB_GITIGNORE.join('\n')}\n`,
    'README.md': readme,
    'cdk8s.yaml': cdk8sYaml,
    'package.json': `${JSON.stringify(pkg, undefined, 2)}\n`,
    'src/main.ts': labMainSource(clusterName, library.name),
    'tsconfig.json': `${JSON.stringify(tsconfig, undefined, 2)}\n`,
  };
}

/** The bundle folders a lab commits (for the docs and the init command's closing message). */
export const LAB_COMMITTED: readonly string[] = BUNDLE_DIRS;
