import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  chartPinsOf, OnlineSource, parseLock, pinKey, REFERENCE_LOCK_FILE, REFERENCE_PARTS, ReferenceFile, referenceFiles, readLock,
} from './reference-files';
import { downloadOnline } from './reference-online';
import { CACHE_MANIFEST, CacheManifest, FETCH_COMMAND, readCacheManifest, referenceCacheDir, referenceStores, REPO_ROOT } from './reference-root';

/**
 * `npm run fetch-reference`: fills the reference cache with exactly the files of the list (reference-files.ts),
 * each checked against its pin before it is kept:
 *
 * - offline, from a copy of the reference (`--from <dir>`, else `SHARED_REFERENCE_DIR`, else `../shared/reference`):
 *   the files are copied; the Cilium charts must also agree with the copy's `cilium-charts/SHA256SUMS`;
 * - online (no copy, or `--online`): `helm pull` / HTTPS (reference-online.ts); files upstream does not publish (the
 *   hand-derived kind schema, the behaviour cases) are reported as missing and their tests stay skipped;
 * - the chart's values schema, defaults and Chart.yaml are extracted from the verified chart archive (`tar`).
 *
 * A file whose sha256 differs from its pin is refused (never written into the cache). The new cache is staged next to
 * the old one and swapped in at the end, with `manifest.json` listing what was verified; files whose pin is unchanged
 * are reused from the old cache without a download. `--pin` (offline only) rewrites test/support/reference.sha256 from
 * the copy instead.
 */

/** What became of each file. */
export interface FetchResult {
  readonly fetched: readonly string[];
  readonly reused: readonly string[];
  /** Not available from this source (no online publication): the part stays unavailable, which is not an error. */
  readonly missing: readonly { readonly path: string; readonly why: string }[];
  /** Refused or failed: a sha256 mismatch, an unpinned file, a download error. */
  readonly refused: readonly { readonly path: string; readonly why: string }[];
}

/** Options of {@link fetchReference}. */
export interface FetchOptions {
  readonly cacheDir: string;
  readonly files: readonly ReferenceFile[];
  /** The reference copy to take files from; undefined: online. */
  readonly from?: string;
  /** The online download (tests pass a stand-in). */
  readonly download?: (source: OnlineSource, dest: string) => Promise<void>;
}

/** sha256 of a file, hex. */
export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The sums a reference copy's `cilium-charts/SHA256SUMS` lists (file name -> sha256), empty when it has none. */
function copySums(from: string): Map<string, string> {
  const file = path.join(from, 'cilium-charts', 'SHA256SUMS');
  return fs.existsSync(file) ? parseLock(fs.readFileSync(file, 'utf8')) : new Map();
}

/** Fetches the list into a staged cache and swaps it in. Never leaves an unverified file in the cache. */
export async function fetchReference(options: FetchOptions): Promise<FetchResult> {
  const { cacheDir, files, from } = options;
  const download = options.download ?? downloadOnline;
  const chartPins = chartPinsOf(files);
  const previous = readCacheManifest(cacheDir);
  const staging = `${cacheDir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const result: { fetched: string[]; reused: string[]; missing: { path: string; why: string }[]; refused: { path: string; why: string }[] } = {
    fetched: [], reused: [], missing: [], refused: [],
  };
  const manifest: Record<string, { sha256: string; pin: string }> = {};
  const sums = from === undefined ? new Map<string, string>() : copySums(from);
  try {
    for (const file of files) {
      const pin = pinKey(file, chartPins);
      const dest = path.join(staging, file.path);
      const prepare = () => fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (pin === undefined) {
        const why = file.pin.by === 'chart'
          ? `its chart ${file.pin.chart} is not pinned by the version matrix`
          : `no sha256 in ${path.relative(REPO_ROOT, REFERENCE_LOCK_FILE)}: pin it from a trusted copy (${FETCH_COMMAND} -- --pin)`;
        result.refused.push({ path: file.path, why });
        continue;
      }
      const old = previous?.files[file.path];
      const cached = path.join(cacheDir, file.path);
      if (old && old.pin === pin && fs.existsSync(cached) && sha256File(cached) === old.sha256) {
        prepare();
        fs.copyFileSync(cached, dest);
        manifest[file.path] = old;
        result.reused.push(file.path);
        continue;
      }
      try {
        if (file.pin.by === 'chart') {
          if (manifest[file.pin.chart] === undefined) throw new Error(`its chart ${file.pin.chart} was not fetched`);
          prepare();
          fs.writeFileSync(dest, execFileSync('tar', ['-xzOf', path.join(staging, file.pin.chart), file.pin.member], { maxBuffer: 256 * 1024 * 1024 }));
        } else if (from !== undefined) {
          const source = path.join(from, file.path);
          if (!fs.existsSync(source)) throw new Error(`not in ${from}`);
          prepare();
          fs.copyFileSync(source, dest);
        } else if (file.online === undefined) {
          result.missing.push({ path: file.path, why: file.offlineOnly ?? 'no online source' });
          continue;
        } else {
          prepare();
          await download(file.online, dest);
        }
      } catch (e) {
        fs.rmSync(dest, { force: true });
        result.refused.push({ path: file.path, why: (e as Error).message.split('\n')[0] });
        continue;
      }
      const sha256 = sha256File(dest);
      const expected = file.pin.by === 'chart' ? undefined : file.pin.sha256;
      const listed = sums.get(path.basename(file.path));
      const problem = expected !== undefined && sha256 !== expected
        ? `sha256 ${sha256}, but ${file.pin.by === 'version-matrix' ? 'the version matrix (src/spec/version-matrix.ts chartSha256)' : 'test/support/reference.sha256'} pins ${expected}`
        : file.part === 'charts' && listed !== undefined && listed !== sha256
          ? `the copy's cilium-charts/SHA256SUMS lists ${listed}, the version matrix pins ${sha256}`
          : undefined;
      if (problem) {
        fs.rmSync(dest, { force: true });
        result.refused.push({ path: file.path, why: `refused: ${problem}` });
        continue;
      }
      manifest[file.path] = { sha256, pin };
      result.fetched.push(file.path);
    }
    const index: CacheManifest = { format: 1, source: from ?? 'online', files: manifest };
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(path.join(staging, CACHE_MANIFEST), `${JSON.stringify(index, null, 2)}\n`);
    const retired = `${cacheDir}.old-${process.pid}`;
    if (fs.existsSync(cacheDir)) fs.renameSync(cacheDir, retired);
    fs.renameSync(staging, cacheDir);
    fs.rmSync(retired, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return result;
}

/** Every file below `dir`, as `/`-separated paths relative to it, sorted. */
function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/')).sort();
}

/**
 * Files of a copy the lock leaves out: pinned by the version matrix (each minor's latest chart) or by their chart, and the
 * top-level notes. Older validated chart patches are not in the matrix's pins, so the list pins them by lock.
 */
const NOT_LOCKED = /^(cilium-charts\/|cilium-[^/]+\/helm-|[^/]+\.md$)/;

/**
 * The lock text for a trusted copy: the sha256 of every file in it except the charts and what is extracted from them
 * (the version matrix pins those) and its top-level notes. So the lock also pins files a newer matrix row will list
 * (a new minor's CRDs), and the behaviour cases (whose files the lock enumerates). Fails when the copy lacks a file
 * the list pins by lock.
 */
export function lockFrom(from: string): string {
  const pinned = referenceFiles(new Map()).filter((f) => f.pin.by === 'lock').map((f) => f.path);
  const absent = pinned.filter((p) => !fs.existsSync(path.join(from, p)));
  if (absent.length > 0) throw new Error(`${from} lacks ${absent.join(', ')}`);
  return [
    '# sha256 of the reference files the version matrix does not pin (`npm run fetch-reference -- --pin` writes it from a trusted copy).',
    ...filesBelow(from).filter((p) => !NOT_LOCKED.test(p) || pinned.includes(p)).map((p) => `${sha256File(path.join(from, p))}  ${p}`),
    '',
  ].join('\n');
}

function summary(result: FetchResult, files: readonly ReferenceFile[], cacheDir: string, from: string | undefined): string[] {
  const lines = [`fetch-reference: ${result.fetched.length} fetched, ${result.reused.length} reused from ${from ?? 'upstream (online)'} into ${cacheDir}`];
  for (const part of REFERENCE_PARTS) {
    const own = files.filter((f) => f.part === part).map((f) => f.path);
    const bad = [...result.missing, ...result.refused].filter((x) => own.includes(x.path));
    lines.push(`  ${part}: ${bad.length === 0 ? `${own.length} files, each checked against its pin` : `NOT AVAILABLE (${bad.length} of ${own.length} files)`}`);
  }
  for (const m of result.missing) lines.push(`  missing ${m.path}: ${m.why}`);
  for (const r of result.refused) lines.push(`  REFUSED ${r.path}: ${r.why}`);
  if (result.missing.length > 0) lines.push('  (tests needing a missing part stay skipped; SHARED_REFERENCE_DIR=<copy> npm run fetch-reference takes them from a copy)');
  return lines;
}

/** The command line: `[--from <dir>] [--online] [--pin]`. Returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = [...argv];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const online = flag('--online');
  const pin = flag('--pin');
  const fromAt = args.indexOf('--from');
  const fromArg = fromAt >= 0 ? args.splice(fromAt, 2)[1] : undefined;
  if (args.length > 0 || (fromAt >= 0 && !fromArg) || (online && (pin || fromArg))) {
    process.stderr.write('usage: npm run fetch-reference -- [--from <reference copy>] [--online] [--pin]\n');
    return 2;
  }
  const from = online ? undefined : fromArg ? path.resolve(fromArg) : referenceStores(env)[0]?.dir;
  if (pin) {
    if (from === undefined) {
      process.stderr.write('fetch-reference --pin: pins are taken from a trusted local copy (--from <dir>, SHARED_REFERENCE_DIR or ../shared/reference)\n');
      return 2;
    }
    const before = readLock();
    const text = lockFrom(from);
    const after = parseLock(text);
    fs.writeFileSync(REFERENCE_LOCK_FILE, text);
    const changed = [...after].filter(([p, s]) => before.get(p) !== s).length;
    const removed = [...before.keys()].filter((p) => !after.has(p)).length;
    process.stderr.write(`fetch-reference --pin: ${after.size} files pinned from ${from} (${changed} new or changed, ${removed} removed) in ${REFERENCE_LOCK_FILE}\n`);
    return 0;
  }
  const cacheDir = referenceCacheDir(env);
  const files = referenceFiles();
  const result = await fetchReference({ cacheDir, files, from });
  process.stderr.write(`${summary(result, files, cacheDir, from).join('\n')}\n`);
  return result.refused.length > 0 ? 1 : 0;
}
