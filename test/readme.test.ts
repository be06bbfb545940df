import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { format } from 'util';
import * as esbuild from 'esbuild';
import * as ts from 'typescript';
import { registeredRuleIds } from '../src/rules/registry';

/**
 * Every ```ts snippet of the README and of the hand-written docs pages is type-checked against src/ and run:
 * a `console.log(...)` with a trailing `// text` comment must print exactly `text` (anything after " — " is
 * commentary), and an app (a snippet calling `runSynthesis`) must write its bundle (into a temporary folder) and
 * print the next command for each cluster.
 */
const ROOT = path.resolve(__dirname, '..');
const SNIPPET_DIR = path.join(ROOT, '.readme-snippets');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const readme = read('README.md');
/** The pages whose examples are tested (the generated docs/api.md quotes type declarations, not examples). */
const PAGES_WITH_EXAMPLES = ['README.md', 'docs/constructs.md', 'docs/upgrades.md'];
const snippets = PAGES_WITH_EXAMPLES.flatMap((page) =>
  [...read(page).matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({ name: `${page} #${i + 1}`, code: m[1] })));
const localize = (code: string) => code.replace(/from 'cdk8s-kind-cilium'/g, "from '../src'");
/** The text of a `## heading` section of a Markdown document, up to the next `## `. */
const section = (doc: string, heading: string) => {
  const start = doc.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`no section "## ${heading}"`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
};

test('the README starts with the quick start, both paths, and stays short', () => {
  const headings = [...readme.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
  expect(headings[0]).toBe('Quick start');
  const quick = section(readme, 'Quick start');
  expect(quick).toMatch(/git clone .*\nbash dist\/kpr-native\/apply\.sh/);
  expect(quick).toContain('cdk8s-cli init typescript-app');
  expect(quick).toContain('npx cdk8s synth');
  expect(quick).toMatch(/bash dist\/mylab\/apply\.sh/);
  for (const h of ['Prerequisites', 'What you get', 'Presets', 'Describe your cluster', 'Verify and tear down', 'Fleets: Cluster Mesh', 'Versions', 'Contributing']) {
    expect([h, headings.includes(h)]).toEqual([h, true]);
  }
  expect(readme.split('\n').length).toBeLessThanOrEqual(300);
});

test('the committed preset of the no-npm quick start exists with its four scripts', () => {
  for (const script of ['preflight', 'apply', 'verify', 'teardown']) {
    expect(fs.existsSync(path.join(ROOT, 'dist', 'kpr-native', `${script}.sh`))).toBe(true);
  }
});

test('the prerequisites name the host tools at the versions CI pins', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pins = require('../src/spec/host-tools') as typeof import('../src/spec/host-tools');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('../src/spec/version-matrix') as typeof import('../src/spec/version-matrix');
  const r = m.resolveComponentVersions({}, '');
  if (!r.ok) throw new Error('the default versions do not resolve');
  const tools = pins.hostToolPins(r.versions.kindRelease, r.versions.kubernetes);
  const prereq = section(readme, 'Prerequisites');
  expect(prereq).toContain(`| ${tools.kind?.version} (sha256-checked)`);
  expect(prereq).toContain(`| v${r.versions.kubernetes} (the node image's Kubernetes)`);
  expect(prereq).toContain(`| ${tools.helm.version} |`);
});

test('the constructs page has a snippet per construct', () => {
  const constructs = snippets.filter((s) => s.name.startsWith('docs/constructs.md')).map((s) => s.code);
  for (const name of ['KindCiliumCluster', 'LoadBalancerIpPool', 'L2AnnouncementPolicy', 'ClusterDefaultDeny', 'AppNetworkPolicy', 'LocalCertificateAuthority', 'LocalGateway', 'NginxDemo', 'StarWarsDemo', 'TestWorkload', 'ClusterMesh', 'ExpectFlow', 'ExpectUrl']) {
    expect([name, constructs.some((s) => s.includes(`new ${name}(`))]).toEqual([name, true]);
  }
});

test('every documentation snippet type-checks against the library', () => {
  fs.rmSync(SNIPPET_DIR, { recursive: true, force: true });
  fs.mkdirSync(SNIPPET_DIR, { recursive: true });
  const files = snippets.map((s, i) => {
    const file = path.join(SNIPPET_DIR, `snippet-${i + 1}.ts`);
    fs.writeFileSync(file, `// ${s.name}\n${localize(s.code)}`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    types: ['node'],
    noUnusedLocals: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')
    + (d.file ? ` (${snippets[files.indexOf(d.file.fileName)]?.name ?? path.relative(ROOT, d.file.fileName)}, line ${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line})` : ''));
  fs.rmSync(SNIPPET_DIR, { recursive: true, force: true });
  expect(diagnostics).toEqual([]);
}, 120_000);

test.each(snippets.map((s) => [s.name, s.code]))('%s runs and does what its comments say', (_name, code) => {
  const lines = localize(code).split('\n');
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const m = /console\.log\(.*\);\s*\/\/ (.*)$/.exec(line);
    if (m) expected.set(i, m[1].split(' — ')[0].trim());
  });
  const instrumented = lines.map((line, i) => line.replace('console.log(', `__log(${i}, `)).join('\n');
  const js = esbuild.transformSync(instrumented, { loader: 'ts', format: 'cjs' }).code;
  const printed = new Map<number, string>();
  const log = (line: number, ...args: unknown[]) => printed.set(line, format(...args));
  // An app writes its bundle into a temporary folder instead of the working folder.
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-app-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('../src') as typeof import('../src');
  const apps: string[] = [];
  const shimmed = {
    ...lib,
    runSynthesis: (build: Parameters<typeof lib.runSynthesis>[0], options?: Parameters<typeof lib.runSynthesis>[1]) => {
      apps.push('app');
      lib.runSynthesis(build, { ...options, rootDir: outDir, cdk8sOutdir: undefined });
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireForSnippet = (id: string) => (id === '../src' ? shimmed : require(id));
  const stderr: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { stderr.push(String(chunk)); return true; });
  const exitCode = process.exitCode;
  try {
    new Function('require', '__log', js)(requireForSnippet, log);
  } finally {
    spy.mockRestore();
  }
  const failed = process.exitCode === 1 && exitCode !== 1;
  process.exitCode = exitCode;
  try {
    expect(expected.size + apps.length).toBeGreaterThan(0);
    for (const [line, text] of expected) expect([line, printed.get(line)]).toEqual([line, text]);
    if (apps.length > 0) {
      expect([failed, stderr.join('')]).toEqual([false, expect.any(String)]);
      const index = JSON.parse(fs.readFileSync(path.join(outDir, 'dist', 'bundle.json'), 'utf8')) as { clusters: { name: string }[] };
      expect(index.clusters.length).toBeGreaterThan(0);
      for (const { name } of index.clusters) {
        for (const file of [`kind/${name}.yaml`, `cilium-values/${name}.yaml`, `dist/${name}/apply.sh`]) {
          expect([file, fs.existsSync(path.join(outDir, file))]).toEqual([file, true]);
        }
        expect(stderr.join('')).toContain(`bash dist/${name}/apply.sh`);
      }
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

test('the README names the default versions where the quick start and prerequisites need them', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('../src/spec/version-matrix') as typeof import('../src/spec/version-matrix');
  const r = m.resolveComponentVersions({}, '');
  if (!r.ok) throw new Error('the default versions do not resolve');
  const minorOfKind = r.versions.kindRelease.replace(/^v(\d+\.\d+)\.\d+$/, 'v$1');
  expect(section(readme, 'Prerequisites')).toContain(`${minorOfKind}+ for the default bundle`);
});

test('docs/apply.md names the default versions where it walks through apply.sh', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('../src/spec/version-matrix') as typeof import('../src/spec/version-matrix');
  const r = m.resolveComponentVersions({}, '');
  if (!r.ok) throw new Error('the default versions do not resolve');
  const apply = read('docs/apply.md');
  const minorOfKind = r.versions.kindRelease.replace(/^v(\d+\.\d+)\.\d+$/, 'v$1');
  expect(apply).toContain(`${minorOfKind}+ for the default bundle`);
  expect(apply).toContain(`kind ${r.versions.kindRelease} or later: the node image is Kubernetes\n   ${r.versions.kubernetes}`);
  expect(apply).toContain(`--version ${r.versions.cilium} `);
  expect(apply).toContain(`cert-manager ${r.versions.certManager}, then waits`);
  expect(apply).toContain(`Gateway API **${r.versions.gatewayApi}** CRDs`);
});

test('docs/rules.md names every id a cross-object rule can emit, in its prose and in the generated tables', () => {
  const rules = read('docs/rules.md');
  const prose = rules.slice(0, rules.indexOf('## Every rule, from the registry'));
  const documented = (text: string) => new Set([...text.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)].map((m) => m[1]));
  const inProse = documented(prose);
  const inTables = documented(rules.slice(prose.length));
  for (const id of registeredRuleIds()) {
    expect([id, inProse.has(id), inTables.has(id)]).toEqual([id, true, true]);
  }
});
