import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeWithReference, referenceCopy } from '../support/reference';
import { FETCH_COMMAND, REPO_ROOT, SKIPPED_FOR_REFERENCE } from '../support/reference-root';

/**
 * The README's test command on a fresh clone, which has no `../shared` beside it: every test that reads reference
 * data skips, with ONE notice for the run naming the command; after `npm run fetch-reference` the same clone runs
 * them. The clone is a copy of the files git tracks (and new, not ignored ones) in a temporary folder; jest runs the
 * test files that use the gate (reference-list.test.ts checks no other file reaches the reference data), with
 * `-t` on the skip title so only the gate's placeholders execute (every file is still loaded and collected), in one worker
 * so that it adds little load to the run around it.
 */

const JEST = require.resolve('jest/bin/jest');
let clone: string;

beforeAll(() => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-clone-'));
  clone = path.join(tmp, 'repo');
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(listed.status).toBe(0);
  for (const file of listed.stdout.split('\0').filter((f) => f !== '' && f !== 'node_modules')) {
    const from = path.join(REPO_ROOT, file);
    if (!fs.existsSync(from) || fs.lstatSync(from).isSymbolicLink()) continue;
    fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    fs.copyFileSync(from, path.join(clone, file));
  }
  fs.symlinkSync(fs.realpathSync(path.join(REPO_ROOT, 'node_modules')), path.join(clone, 'node_modules'));
  expect(fs.existsSync(path.join(tmp, 'shared'))).toBe(false);
});

afterAll(() => fs.rmSync(path.dirname(clone), { recursive: true, force: true }));

/** Test files of the clone that use the gate. */
function gatedFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.test.ts') && fs.readFileSync(full, 'utf8').includes('describeWithReference(')) out.push(path.relative(clone, full));
    }
  };
  walk(path.join(clone, 'test'));
  return out.filter((f) => !f.startsWith(path.join('test', 'reference'))).sort();
}

/** jest in the clone, without any reference configured; returns stdout, the exit code and the per-test results. */
function jestInClone(files: readonly string[], ...args: string[]) {
  const env = { ...process.env };
  for (const key of ['SHARED_REFERENCE_DIR', 'REFERENCE_CACHE_DIR', 'REFERENCE_SCHEMAS', 'KC_REFERENCE_NOTICE', 'KC_REFERENCE_SKIP_MARKER', 'JEST_WORKER_ID']) delete env[key];
  const json = path.join(path.dirname(clone), `results-${Date.now()}.json`);
  const r = spawnSync(process.execPath, [JEST, '--ci', '--maxWorkers=1', '--json', '--outputFile', json, ...args, ...files], { cwd: clone, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const results = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : { testResults: [] };
  const tests: { file: string; title: string; status: string }[] = results.testResults.flatMap((f: any) =>
    f.assertionResults.map((t: any) => ({ file: path.relative(clone, f.name), title: t.title, status: t.status })));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, tests };
}

test('without ../shared: every gated group skips, the run passes, and one notice names the command', () => {
  const files = gatedFiles();
  expect(files.length).toBeGreaterThan(10);
  const run = jestInClone(files, '-t', SKIPPED_FOR_REFERENCE.replace(/[()]/g, '.'));
  expect([run.status, run.stderr.includes('FAIL ')]).toEqual([0, false]);
  const placeholders = run.tests.filter((t) => t.title.includes(SKIPPED_FOR_REFERENCE));
  expect(placeholders.every((t) => t.status === 'pending')).toBe(true);
  // every gated file turned at least one group into a placeholder
  expect(files.filter((f) => !placeholders.some((t) => t.file === f))).toEqual([]);
  const notices = run.stdout.split('\n').filter((l) => l.startsWith('[reference]'));
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain(`[reference] ${placeholders.length} test groups skipped: no reference data for charts, helm-values, crds, kind-schema, behaviour-cases`);
  expect(notices[0]).toContain(`Run \`${FETCH_COMMAND}\``);
}, 600_000);

describeWithReference('after npm run fetch-reference (offline, from the reference in use)', ['charts', 'helm-values', 'crds', 'kind-schema', 'behaviour-cases'], () => {
  const copy = referenceCopy();
  (copy ? test : test.skip)('the same clone runs the oracle tests', () => {
    const env = { ...process.env };
    for (const key of ['SHARED_REFERENCE_DIR', 'REFERENCE_CACHE_DIR', 'REFERENCE_SCHEMAS']) delete env[key];
    const fetched = spawnSync(process.execPath, [path.join(clone, 'scripts', 'fetch-reference.js'), '--from', copy!], { cwd: clone, env, encoding: 'utf8' });
    expect([fetched.status, fetched.stderr]).toEqual([0, expect.stringContaining('fetch-reference: ')]);
    // The validators' own tests: kind's schema, a chart's values schema and the CRDs, read from the clone's cache.
    const files = ['test/conformance/reference-schemas.test.ts'];
    const run = jestInClone(files);
    expect([run.status, run.stdout.includes('[reference]')]).toEqual([0, false]);
    expect(run.tests.filter((t) => t.status !== 'passed')).toEqual([]);
    expect(run.tests.length).toBeGreaterThan(30);
  }, 600_000);
});
