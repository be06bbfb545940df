import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import * as esbuild from 'esbuild';
import * as ts from 'typescript';

/**
 * Every ```ts snippet of docs/gitops.md type-checks against src/ and runs; a `console.log(...)` with a trailing
 * `// text` comment must print exactly `text` (as the README's snippets, test/readme.test.ts).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'gitops.md'), 'utf8');
const snippets = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const localize = (code: string) => code.replace(/from 'cdk8s-kind-cilium'/g, "from '../src'");

test('docs/gitops.md has an example with both engines and a fleet', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(1);
  expect(snippets.join('\n')).toMatch(/engine: 'flux'[\s\S]*new ClusterMesh[\s\S]*engine: 'argocd'/);
});

test('every docs/gitops.md snippet type-checks against the library', () => {
  const dir = path.join(ROOT, '.gitops-doc-snippets');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files = snippets.map((code, i) => {
    const file = path.join(dir, `snippet-${i + 1}.ts`);
    fs.writeFileSync(file, localize(code));
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, esModuleInterop: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, types: ['node'], noUnusedLocals: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  fs.rmSync(dir, { recursive: true, force: true });
  expect(diagnostics).toEqual([]);
}, 120_000);

test.each(snippets.map((code, i) => [i + 1, code]))('docs/gitops.md snippet %i runs and prints what its comments say', (_n, code) => {
  const lines = localize(code as string).split('\n');
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const m = /console\.log\(.*\);\s*\/\/ (.*)$/.exec(line);
    if (m) expected.set(i, m[1].split(' — ')[0].trim());
  });
  const js = esbuild.transformSync(lines.map((line, i) => line.replace('console.log(', `__log(${i}, `)).join('\n'), { loader: 'ts', format: 'cjs' }).code;
  const printed = new Map<number, string>();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireForSnippet = (id: string) => (id === '../src' ? require('../../src') : require(id));
  new Function('require', '__log', js)(requireForSnippet, (line: number, ...args: unknown[]) => printed.set(line, format(...args)));
  expect(expected.size).toBeGreaterThan(0);
  for (const [line, text] of expected) expect([line, printed.get(line)]).toEqual([line, text]);
});
