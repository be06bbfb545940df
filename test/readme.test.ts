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

test('the README version matrix tables match the version matrix module', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CILIUM_MINOR_FACTS, KIND_RELEASES, resolveComponentVersions } = require('../src/spec/version-matrix') as typeof import('../src/spec/version-matrix');
  const section = readme.slice(readme.indexOf('## Version matrix'), readme.indexOf('\n## ', readme.indexOf('## Version matrix') + 1));
  /** Body rows of the Markdown table whose header line starts with `header`, as trimmed cells. */
  const rows = (header: string): string[][] => {
    const start = section.indexOf(header);
    expect(start).toBeGreaterThan(-1);
    const lines = section.slice(start).split('\n').slice(2);
    const body = lines.slice(0, lines.findIndex((l) => !l.startsWith('|')));
    return body.map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  };
  const cilium = rows('| Cilium | latest patch |');
  expect(cilium).toEqual(CILIUM_MINOR_FACTS.map((f) => {
    const resolved = resolveComponentVersions({ ciliumVersion: f.latestPatch }, '');
    if (!resolved.ok) throw new Error(`default versions of ${f.minor} do not resolve`);
    return [
      f.minor, f.latestPatch, `${f.kubernetes.min}–${f.kubernetes.max}`, f.gatewayApi.release, f.gatewayApi.referenceGrantApiVersion.split('/')[1],
      f.gatewayApi.extraCrds.length === 0 ? 'none' : f.gatewayApi.extraCrds.map((c) => (c.includes('tlsroutes') ? 'TLSRoute' : c)).join(', '),
      `kind ${resolved.versions.kindRelease}, v${resolved.versions.kubernetes}`,
    ];
  }));
  expect(rows('| kind | node images')).toEqual(KIND_RELEASES.map((r) => [r.release, r.images.map((i) => i.kubernetes).join(', ')]));
});
