import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fetchReference, FetchResult } from '../support/reference-fetch';
import { chartFile, OnlineSource, ReferenceFile } from '../support/reference-files';
import { CACHE_MANIFEST, FETCH_COMMAND, readCacheManifest, resolveReference } from '../support/reference-root';

/**
 * `npm run fetch-reference` on a small synthetic reference (a chart archive built here, a CRD, a hand-derived
 * schema), offline from a copy and online through a stand-in download: every file is checked against its pin, a
 * mismatch is refused and never reaches the cache, and the gate serves the cache afterwards.
 */

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let tmp: string;
let copy: string;
let cache: string;
let files: ReferenceFile[];
let chartBytes: Buffer;
const SCHEMA = '{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}\n';
const CRD = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n';
const KIND = '{"title":"kind"}\n';

function write(root: string, rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), content);
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-reference-'));
  // The chart archive, as helm packages it: cilium/ with the values schema, defaults and Chart.yaml.
  const src = path.join(tmp, 'chart-src');
  write(src, 'cilium/values.schema.json', SCHEMA);
  write(src, 'cilium/values.yaml', 'debug:\n  enabled: false\n');
  write(src, 'cilium/Chart.yaml', 'name: cilium\nversion: 9.9.9\n');
  copy = path.join(tmp, 'copy');
  write(copy, chartFile('9.9.9'), '');
  execFileSync('tar', ['-czf', path.join(copy, chartFile('9.9.9')), '-C', src, 'cilium']);
  chartBytes = fs.readFileSync(path.join(copy, chartFile('9.9.9')));
  write(copy, 'cilium-9.9/widgets.yaml', CRD);
  write(copy, 'kind-v1alpha4/kind.schema.json', KIND);
  cache = path.join(tmp, 'repo', '.reference-cache');
  fs.mkdirSync(path.join(tmp, 'repo'));
  files = [
    { path: chartFile('9.9.9'), part: 'charts', pin: { by: 'version-matrix', sha256: sha256(chartBytes) }, online: { kind: 'https', url: 'https://example.test/cilium-9.9.9.tgz' } },
    { path: 'cilium-9.9/helm-values.schema.json', part: 'helm-values', pin: { by: 'chart', chart: chartFile('9.9.9'), member: 'cilium/values.schema.json' } },
    { path: 'cilium-9.9/widgets.yaml', part: 'crds', pin: { by: 'lock', sha256: sha256(CRD) }, online: { kind: 'https', url: 'https://example.test/widgets.yaml' } },
    { path: 'kind-v1alpha4/kind.schema.json', part: 'kind-schema', pin: { by: 'lock', sha256: sha256(KIND) }, offlineOnly: 'hand-derived' },
  ];
});

afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The gate's view of the synthetic cache (no store beside the synthetic repository). */
const gate = (env: NodeJS.ProcessEnv = {}) => resolveReference({ env: { REFERENCE_CACHE_DIR: cache, ...env }, repoRoot: path.join(tmp, 'repo'), files });
const served = (env?: NodeJS.ProcessEnv) => Object.entries(gate(env).parts).filter(([, root]) => root !== undefined).map(([part, root]) => `${part}:${root!.source}`);
const refusedPaths = (r: FetchResult) => r.refused.map((x) => x.path);

test('offline: every file copied and checked, the chart members extracted, the gate serves the cache', async () => {
  const result = await fetchReference({ cacheDir: cache, files, from: copy });
  expect(result.refused).toEqual([]);
  expect(result.fetched).toEqual(files.map((f) => f.path));
  expect(fs.readFileSync(path.join(cache, 'cilium-9.9/helm-values.schema.json'), 'utf8')).toBe(SCHEMA);
  const manifest = readCacheManifest(cache)!;
  expect(manifest.source).toBe(copy);
  expect(manifest.files[chartFile('9.9.9')]).toEqual({ sha256: sha256(chartBytes), pin: `sha256:${sha256(chartBytes)}` });
  expect(served()).toEqual(['charts:cache', 'helm-values:cache', 'crds:cache', 'kind-schema:cache']);
  // nothing staged is left beside the cache
  expect(fs.readdirSync(path.dirname(cache))).toEqual([path.basename(cache)]);
});

test('a file whose sha256 differs from its pin is refused and never written; the other parts still fetch', async () => {
  write(copy, 'cilium-9.9/widgets.yaml', `${CRD}# changed\n`);
  const result = await fetchReference({ cacheDir: cache, files, from: copy });
  expect(refusedPaths(result)).toEqual(['cilium-9.9/widgets.yaml']);
  expect(result.refused[0].why).toMatch(/^refused: sha256 [0-9a-f]{64}, but test\/support\/reference\.sha256 pins [0-9a-f]{64}$/);
  expect(fs.existsSync(path.join(cache, 'cilium-9.9/widgets.yaml'))).toBe(false);
  expect(served()).toEqual(['charts:cache', 'helm-values:cache', 'kind-schema:cache']);
});

test('a chart that differs from the version matrix is refused, and so are the files extracted from it', async () => {
  const pinned = files.map((f) => (f.part === 'charts' ? { ...f, pin: { by: 'version-matrix' as const, sha256: sha256('another archive') } } : f));
  const result = await fetchReference({ cacheDir: cache, files: pinned, from: copy });
  expect(refusedPaths(result)).toEqual([chartFile('9.9.9'), 'cilium-9.9/helm-values.schema.json']);
  expect(result.refused[0].why).toContain('the version matrix (src/spec/version-matrix.ts chartSha256) pins');
  expect(result.refused[1].why).toContain('was not fetched');
});

test('a copy whose SHA256SUMS disagrees with the version matrix is refused', async () => {
  write(copy, 'cilium-charts/SHA256SUMS', `${sha256('something else')}  cilium-9.9.9.tgz\n`);
  const result = await fetchReference({ cacheDir: cache, files, from: copy });
  expect(refusedPaths(result)).toEqual([chartFile('9.9.9'), 'cilium-9.9/helm-values.schema.json']);
  expect(result.refused[0].why).toContain("the copy's cilium-charts/SHA256SUMS lists");
  write(copy, 'cilium-charts/SHA256SUMS', `${sha256(chartBytes)}  cilium-9.9.9.tgz\n`);
  expect((await fetchReference({ cacheDir: cache, files, from: copy })).refused).toEqual([]);
});

test('a file without a pin is refused, naming the command that pins it', async () => {
  const unpinned = files.map((f) => (f.part === 'crds' ? { ...f, pin: { by: 'lock' as const, sha256: undefined } } : f));
  const result = await fetchReference({ cacheDir: cache, files: unpinned, from: copy });
  expect(result.refused).toEqual([{ path: 'cilium-9.9/widgets.yaml', why: expect.stringContaining(`${FETCH_COMMAND} -- --pin`) }]);
});

test('online: downloads are checked like copies, files upstream does not publish are missing, a second run reuses the cache', async () => {
  const bodies: Record<string, string | Buffer> = { 'https://example.test/cilium-9.9.9.tgz': chartBytes, 'https://example.test/widgets.yaml': CRD };
  const asked: string[] = [];
  const download = async (source: OnlineSource, dest: string) => {
    asked.push(source.url);
    if (!(source.url in bodies)) throw new Error(`GET ${source.url}: HTTP 404`);
    fs.writeFileSync(dest, bodies[source.url]);
  };
  const first = await fetchReference({ cacheDir: cache, files, download });
  expect(first.refused).toEqual([]);
  expect(first.missing).toEqual([{ path: 'kind-v1alpha4/kind.schema.json', why: 'hand-derived' }]);
  expect(readCacheManifest(cache)!.source).toBe('online');
  expect(served()).toEqual(['charts:cache', 'helm-values:cache', 'crds:cache']);

  asked.length = 0;
  const second = await fetchReference({ cacheDir: cache, files, download: async () => { throw new Error('offline'); } });
  expect([second.fetched, second.reused, second.refused]).toEqual([[], files.slice(0, 3).map((f) => f.path), []]);
  expect(asked).toEqual([]);
});

test('online: a download with other bytes or an HTTP error is refused', async () => {
  const download = async (source: OnlineSource, dest: string) => {
    if (source.url.endsWith('.yaml')) throw new Error(`GET ${source.url}: HTTP 404`);
    fs.writeFileSync(dest, 'not the chart');
  };
  const result = await fetchReference({ cacheDir: cache, files, download });
  expect(result.refused.map((r) => [r.path, r.why.split(':')[0]])).toEqual([
    [chartFile('9.9.9'), 'refused'], ['cilium-9.9/helm-values.schema.json', 'its chart cilium-charts/cilium-9.9.9.tgz was not fetched'], ['cilium-9.9/widgets.yaml', 'GET https'],
  ]);
  expect(fs.readdirSync(cache).sort()).toEqual(['cilium-9.9', 'cilium-charts', CACHE_MANIFEST].sort());
  expect(Object.keys(readCacheManifest(cache)!.files)).toEqual([]);
});

test('the gate prefers a complete cache part, falls back to SHARED_REFERENCE_DIR, then ../shared/reference, part by part', async () => {
  const sibling = path.join(tmp, 'shared', 'reference');
  fs.cpSync(copy, sibling, { recursive: true });
  write(sibling, 'cilium-9.9/helm-values.schema.json', SCHEMA);
  expect(served()).toEqual(['charts:../shared/reference', 'helm-values:../shared/reference', 'crds:../shared/reference', 'kind-schema:../shared/reference']);
  const env = path.join(tmp, 'env');
  fs.cpSync(sibling, env, { recursive: true });
  fs.rmSync(path.join(env, 'kind-v1alpha4'), { recursive: true });
  expect(served({ SHARED_REFERENCE_DIR: env })).toEqual(['charts:SHARED_REFERENCE_DIR', 'helm-values:SHARED_REFERENCE_DIR', 'crds:SHARED_REFERENCE_DIR', 'kind-schema:../shared/reference']);
  await fetchReference({ cacheDir: cache, files, from: copy });
  expect(served({ SHARED_REFERENCE_DIR: env })).toEqual(['charts:cache', 'helm-values:cache', 'crds:cache', 'kind-schema:cache']);
  // A cache fetched for another pin (the lock or the matrix moved on) does not serve that part.
  const moved = files.map((f) => (f.part === 'crds' ? { ...f, pin: { by: 'lock' as const, sha256: sha256('newer CRD') } } : f));
  const state = resolveReference({ env: { REFERENCE_CACHE_DIR: cache, SHARED_REFERENCE_DIR: env }, repoRoot: path.join(tmp, 'repo'), files: moved });
  expect(state.parts.crds?.source).toBe('SHARED_REFERENCE_DIR');
  expect(state.looked.join('\n')).toContain('crds (1 of 1 files missing or fetched for other versions, e.g. cilium-9.9/widgets.yaml)');
  expect(served({ REFERENCE_SCHEMAS: 'off' })).toEqual([]);
});
