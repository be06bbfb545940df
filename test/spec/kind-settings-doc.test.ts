import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import * as esbuild from 'esbuild';
import * as ts from 'typescript';

/**
 * Every ```ts example of docs/kind-settings.md is type-checked against src/ and run; each `console.log(...)` with a
 * trailing `// text` comment must print exactly `text`. One example per kind setting.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'kind-settings.md'), 'utf8');
const SNIPPET_DIR = path.join(ROOT, '.kind-settings-snippets');
const snippets = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const localize = (code: string) => code.replace(/from 'cdk8s-kind-cilium'/g, "from '../src'");

test('one example per setting: registry, extra mounts, feature gates and runtimeConfig, labels, kubeadm patches', () => {
  for (const key of ['localRegistry', 'extraMounts', 'featureGates', 'runtimeConfig', 'labels', 'kubeadmConfigPatches']) {
    expect([key, snippets.some((s) => s.includes(`${key}:`))]).toEqual([key, true]);
  }
});

test('every example type-checks against the library', () => {
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
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  fs.rmSync(SNIPPET_DIR, { recursive: true, force: true });
  expect(diagnostics).toEqual([]);
}, 120_000);

test.each(snippets.map((code, i) => [i + 1, code]))('example %i runs and prints what its comments say', (_n, code) => {
  const lines = localize(code as string).split('\n');
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const m = /console\.log\(.*\);\s*\/\/ (.*)$/.exec(line);
    if (m) expected.set(i, m[1].trim());
  });
  const instrumented = lines.map((line, i) => line.replace('console.log(', `__log(${i}, `)).join('\n');
  const js = esbuild.transformSync(instrumented, { loader: 'ts', format: 'cjs' }).code;
  const printed = new Map<number, string>();
  const log = (line: number, ...args: unknown[]) => printed.set(line, format(...args));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireForSnippet = (id: string) => (id === '../src' ? require('../../src') : require(id));
  new Function('require', '__log', js)(requireForSnippet, log);
  expect(expected.size).toBeGreaterThan(0);
  for (const [line, text] of expected) expect([line, printed.get(line)]).toEqual([line, text]);
});
