import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import * as esbuild from 'esbuild';
import * as ts from 'typescript';
import { registeredRuleIds } from '../src/rules/registry';

/**
 * Every ```ts snippet in the README is type-checked against src/ and run; a `console.log(...)` with a
 * trailing `// text` comment must print exactly `text` (anything after " — " is commentary).
 */
const ROOT = path.resolve(__dirname, '..');
const SNIPPET_DIR = path.join(ROOT, '.readme-snippets');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const localize = (code: string) => code.replace(/from 'cdk8s-kind-cilium'/g, "from '../src'");

test('the README has a snippet per construct section', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(6);
  for (const name of ['KindCiliumCluster', 'LoadBalancerIpPool', 'L2AnnouncementPolicy', 'ClusterDefaultDeny', 'AppNetworkPolicy', 'LocalCertificateAuthority', 'LocalGateway', 'NginxDemo', 'StarWarsDemo']) {
    expect(snippets.some((s) => s.includes(`new ${name}(`))).toBe(true);
  }
});

test('every README snippet type-checks against the library', () => {
  fs.rmSync(SNIPPET_DIR, { recursive: true, force: true });
  fs.mkdirSync(SNIPPET_DIR, { recursive: true });
  const files = snippets.map((code, i) => {
    const file = path.join(SNIPPET_DIR, `snippet-${i + 1}.ts`);
    fs.writeFileSync(file, localize(code));
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
    + (d.file ? ` (${path.relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : ''));
  fs.rmSync(SNIPPET_DIR, { recursive: true, force: true });
  expect(diagnostics).toEqual([]);
}, 120_000);

test.each(snippets.map((code, i) => [i + 1, code]))('README snippet %i runs and prints what its comments say', (_n, code) => {
  const lines = localize(code as string).split('\n');
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const m = /console\.log\(.*\);\s*\/\/ (.*)$/.exec(line);
    if (m) expected.set(i, m[1].split(' — ')[0].trim());
  });
  const instrumented = lines.map((line, i) => line.replace('console.log(', `__log(${i}, `)).join('\n');
  const js = esbuild.transformSync(instrumented, { loader: 'ts', format: 'cjs' }).code;
  const printed = new Map<number, string>();
  const log = (line: number, ...args: unknown[]) => printed.set(line, format(...args));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireForSnippet = (id: string) => (id === '../src' ? require('../src') : require(id));
  new Function('require', '__log', js)(requireForSnippet, log);
  expect(expected.size).toBeGreaterThan(0);
  for (const [line, text] of expected) expect([line, printed.get(line)]).toEqual([line, text]);
});

test('the README names every id a cross-object rule can emit, and no other', () => {
  const rulesSection = readme.slice(readme.indexOf('## Rules'), readme.indexOf('\n## ', readme.indexOf('## Rules') + 1));
  const documented = [...rulesSection.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)].map((m) => m[1]);
  for (const id of registeredRuleIds()) expect([id, documented.includes(id)]).toEqual([id, true]);
});

test('the README version tables are the output of the matrix renderer (node scripts/render-version-docs.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const docs = require('../src/spec/version-docs') as typeof import('../src/spec/version-docs');
  expect(readme.split(docs.VERSION_TABLES_BEGIN)).toHaveLength(2);
  expect(docs.spliceVersionTables(readme)).toBe(readme);
  const from = readme.indexOf(docs.VERSION_TABLES_BEGIN) + docs.VERSION_TABLES_BEGIN.length + 1;
  const block = readme.slice(from, readme.indexOf(docs.VERSION_TABLES_END) - 1);
  expect(block).toBe(docs.renderVersionTables());
  // the block sits in the Version matrix section
  expect(readme.indexOf('## Version matrix')).toBeLessThan(readme.indexOf(docs.VERSION_TABLES_BEGIN));
});

test('the version tables renderer: every minor, kind release and cert-manager line is a row; a stale block is detected', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const docs = require('../src/spec/version-docs') as typeof import('../src/spec/version-docs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('../src/spec/version-matrix') as typeof import('../src/spec/version-matrix');
  const rows = docs.renderVersionTables().split('\n').filter((l) => /^\| [^-]/.test(l)).map((l) => l.split('|')[1].trim());
  const expected = [
    'Cilium', ...m.CILIUM_MINOR_FACTS.map((f) => (f.preRelease ? `${f.minor} (preview: needs \`versions.allowPreRelease\`)` : f.minor)),
    'kind', ...m.KIND_RELEASES.map((r) => r.release),
    'cert-manager', ...m.CERT_MANAGER_LINES.map((l) => l.line),
  ];
  expect(rows).toEqual(expected);
  const stale = `${docs.VERSION_TABLES_BEGIN}\n| old |\n${docs.VERSION_TABLES_END}`;
  expect(docs.spliceVersionTables(stale)).toBe(`${docs.VERSION_TABLES_BEGIN}\n${docs.renderVersionTables()}\n${docs.VERSION_TABLES_END}`);
  expect(() => docs.spliceVersionTables('no markers')).toThrow(/exactly one/);
});

test('the README names the default versions where it walks through apply.sh', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const m = require('../src/spec/version-matrix') as typeof import('../src/spec/version-matrix');
  const r = m.resolveComponentVersions({}, '');
  if (!r.ok) throw new Error('the default versions do not resolve');
  const apply = readme.slice(readme.indexOf('## Apply the bundle'), readme.indexOf('\n## ', readme.indexOf('## Apply the bundle') + 1));
  const minorOfKind = r.versions.kindRelease.replace(/^v(\d+\.\d+)\.\d+$/, 'v$1');
  expect(apply).toContain(`${minorOfKind}+ for the default bundle`);
  expect(apply).toContain(`kind ${r.versions.kindRelease} or later: the node image is Kubernetes\n   ${r.versions.kubernetes}`);
  expect(apply).toContain(`--version ${r.versions.cilium} `);
  expect(apply).toContain(`cert-manager ${r.versions.certManager}, then waits`);
  expect(apply).toContain(`Gateway API **${r.versions.gatewayApi}** CRDs`);
});

