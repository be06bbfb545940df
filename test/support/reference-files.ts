import * as fs from 'fs';
import * as path from 'path';
import { BINDINGS_REFERENCE, CRD_CATALOG, CrdEntry, CrdSource } from '../../src/private/crd-catalog';
import {
  CERT_MANAGER_LINES, CILIUM_MINOR_FACTS, CiliumMinorFacts, crdSchemaFolders, GATEWAY_API_RELEASES, gatewayApiRelease,
} from '../../src/spec/version-matrix';

/**
 * THE list of upstream reference files the tests read, derived from the version matrix and the CRD catalog
 * (a new Cilium minor, Gateway API release or CRD kind adds its files here by itself). `npm run fetch-reference`
 * fetches exactly these into the cache, and the gate (reference.ts) refuses to serve any other file.
 *
 * Each file is pinned:
 * - the official Cilium chart archives by the version matrix (`chartSha256` of each minor's latest patch);
 * - the chart's own values schema, defaults and Chart.yaml by the chart they are extracted from;
 * - everything else (CRDs, the kind schema, the behaviour cases) by the sha256 in `test/support/reference.sha256`
 *   (`npm run fetch-reference -- --pin` rewrites it from a trusted local copy).
 */

/** Groups of reference files a test may need; a test skips when a part it needs is not available. */
export type ReferencePart = 'charts' | 'helm-values' | 'crds' | 'kind-schema' | 'behaviour-cases';

/** Every part, in fetch order (charts first: the helm-values files are extracted from them). */
export const REFERENCE_PARTS: readonly ReferencePart[] = ['charts', 'helm-values', 'crds', 'kind-schema', 'behaviour-cases'];

/** Where the online fetch takes a file from (absent: upstream publishes no such file; only a local copy has it). */
export type OnlineSource =
  | { readonly kind: 'helm-chart'; readonly repo: string; readonly chart: string; readonly version: string; readonly url: string }
  | { readonly kind: 'https'; readonly url: string };

/** How a file's content is pinned. */
export type ReferencePin =
  | { readonly by: 'version-matrix'; readonly sha256: string }
  | { readonly by: 'chart'; readonly chart: string; readonly member: string }
  | { readonly by: 'lock'; readonly sha256: string | undefined };

/** One file of the reference, by its path below the reference root (the layout of `../shared/reference`). */
export interface ReferenceFile {
  readonly path: string;
  readonly part: ReferencePart;
  readonly pin: ReferencePin;
  readonly online?: OnlineSource;
  /** Why there is no online source. */
  readonly offlineOnly?: string;
}

/** The repository root: the nearest folder up from this module with `.projenrc.ts` (also when esbuild bundled it elsewhere). */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.projenrc.ts'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..');
  }
})();

/** The lock of the files no version-matrix entry pins: `<sha256>  <path>` lines (sha256sum format). */
export const REFERENCE_LOCK_FILE = path.join(REPO_ROOT, 'test', 'support', 'reference.sha256');

/** The kind `v1alpha4` Cluster JSON Schema (hand-derived from kind's Go types; see its `description`). */
export const KIND_SCHEMA_FILE = 'kind-v1alpha4/kind-v1alpha4.schema.json';

/** Folder of the upstream-derived behaviour cases: its files are the lock's entries below it. */
export const BEHAVIOUR_CASES_FOLDER = 'behaviour-cases';

/** The chart archive of a Cilium chart version. */
export function chartFile(version: string): string {
  return `cilium-charts/cilium-${version}.tgz`;
}

/** Reads a lock text into path -> sha256. */
export function parseLock(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new Error(`${REFERENCE_LOCK_FILE}: not a "<sha256>  <path>" line: ${line}`);
    out.set(m[2], m[1]);
  }
  return out;
}

/** The committed lock (empty when the file does not exist yet). */
export function readLock(file = REFERENCE_LOCK_FILE): Map<string, string> {
  return fs.existsSync(file) ? parseLock(fs.readFileSync(file, 'utf8')) : new Map();
}

const RAW = 'https://raw.githubusercontent.com';

/** The Cilium CRD directory of a kind: its served storage version, which is the apiVersion the matrix emits. */
function ciliumCrdVersion(entry: CrdEntry, facts: CiliumMinorFacts): string {
  const byKind: Record<string, string> = {
    CiliumLoadBalancerIPPool: facts.apiVersions.loadBalancerIpPool,
    CiliumL2AnnouncementPolicy: facts.apiVersions.l2AnnouncementPolicy,
    CiliumNetworkPolicy: facts.apiVersions.networkPolicy,
    CiliumClusterwideNetworkPolicy: facts.apiVersions.networkPolicy,
    CiliumCIDRGroup: facts.apiVersions.cidrGroup,
  };
  return (byKind[entry.kind] ?? 'cilium.io/v2').split('/')[1];
}

/** The CRD files of one reference folder (`cilium-1.20`, `gateway-api-v1.6.1`, `cert-manager-v1.19`), with their sources. */
function crdFolderFiles(folder: string, sources: readonly CrdSource[], lock: Map<string, string>): ReferenceFile[] {
  const pin = (p: string): ReferencePin => ({ by: 'lock', sha256: lock.get(p) });
  const cilium = /^cilium-(\d+\.\d+)$/.exec(folder);
  if (cilium) {
    const facts = CILIUM_MINOR_FACTS.find((f) => f.minor === cilium[1]);
    return CRD_CATALOG.filter((e) => e.source === 'cilium').map((e) => {
      const p = `${folder}/${e.file}`;
      return facts
        ? { path: p, part: 'crds', pin: pin(p), online: { kind: 'https', url: `${RAW}/cilium/cilium/${facts.latestPatchCommit}/pkg/k8s/apis/cilium.io/client/crds/${ciliumCrdVersion(e, facts)}/${e.file}` } }
        : { path: p, part: 'crds', pin: pin(p), offlineOnly: `Cilium ${cilium[1]} is not in the version matrix` };
    });
  }
  const gateway = /^gateway-api-(v[\d.]+)$/.exec(folder);
  if (gateway) {
    const release = gatewayApiRelease(gateway[1]);
    const files = release
      ? [...release.standardFiles, 'experimental/gateway.networking.k8s.io_tlsroutes.yaml']
      : CRD_CATALOG.filter((e) => sources.includes(e.source) && e.source.startsWith('gateway-api')).map((e) => e.file);
    return [...new Set(files)].map((f) => {
      const p = `${folder}/${f}`;
      const upstream = f.startsWith('experimental/') ? `config/crd/${f}` : `config/crd/standard/${f}`;
      return { path: p, part: 'crds', pin: pin(p), online: { kind: 'https', url: `${RAW}/kubernetes-sigs/gateway-api/${gateway[1]}/${upstream}` } };
    });
  }
  const certManager = /^cert-manager-(v\d+\.\d+)$/.exec(folder);
  if (certManager) {
    const line = CERT_MANAGER_LINES.find((l) => l.line === certManager[1]);
    return CRD_CATALOG.filter((e) => e.source === 'cert-manager').map((e) => {
      const p = `${folder}/${e.file}`;
      return line
        ? { path: p, part: 'crds', pin: pin(p), online: { kind: 'https', url: `${RAW}/cert-manager/cert-manager/${line.latestPatch}/deploy/crds/${e.file}` } }
        : { path: p, part: 'crds', pin: pin(p), offlineOnly: `cert-manager ${certManager[1]} is not in the version matrix` };
    });
  }
  throw new Error(`reference folder ${folder}: no rule says which CRD files it holds`);
}

/**
 * The reference files the tests read, derived from the version matrix and the CRD catalog, each with its pin
 * (sums from `lock`) and its online source. Sorted by part (fetch order), then path.
 */
export function referenceFiles(lock: Map<string, string> = readLock()): ReferenceFile[] {
  // Every patch validated offline (the matrix's validatedPatches): the latest is pinned by the matrix, older ones by the lock.
  const charts: ReferenceFile[] = CILIUM_MINOR_FACTS.flatMap((f) => f.validatedPatches.map((patch): ReferenceFile => ({
    path: chartFile(patch),
    part: 'charts',
    pin: patch === f.latestPatch ? { by: 'version-matrix', sha256: f.chartSha256 } : { by: 'lock', sha256: lock.get(chartFile(patch)) },
    online: { kind: 'helm-chart', repo: 'https://helm.cilium.io/', chart: 'cilium', version: patch, url: `${RAW}/cilium/charts/master/cilium-${patch}.tgz` },
  })));
  const helmValues: ReferenceFile[] = CILIUM_MINOR_FACTS.flatMap((f) => ([
    ['helm-values.schema.json', 'cilium/values.schema.json'],
    ['helm-values.yaml', 'cilium/values.yaml'],
    ['helm-Chart.yaml', 'cilium/Chart.yaml'],
  ] as const).map(([name, member]): ReferenceFile => ({
    path: `cilium-${f.minor}/${name}`,
    part: 'helm-values',
    pin: { by: 'chart', chart: chartFile(f.latestPatch), member },
  })));
  // The folders of every CRD set the library can emit (as scripts/crd-schemas.js), and the bindings' folders.
  const sets = [BINDINGS_REFERENCE, ...CILIUM_MINOR_FACTS.flatMap((f) => GATEWAY_API_RELEASES.map((r) => crdSchemaFolders(f.minor, r.version)))];
  const folders = new Map<string, CrdSource[]>();
  for (const set of sets) {
    for (const [source, folder] of Object.entries(set) as [CrdSource, string][]) {
      folders.set(folder, [...new Set([...(folders.get(folder) ?? []), source])]);
    }
  }
  const crds = [...folders].flatMap(([folder, sources]) => crdFolderFiles(folder, sources, lock));
  const kindSchema: ReferenceFile = {
    path: KIND_SCHEMA_FILE,
    part: 'kind-schema',
    pin: { by: 'lock', sha256: lock.get(KIND_SCHEMA_FILE) },
    offlineOnly: 'derived by hand from kind\'s Go types (kubernetes-sigs/kind pkg/apis/config/v1alpha4); kind publishes no JSON Schema',
  };
  const behaviour = [...lock.keys()].filter((p) => p.startsWith(`${BEHAVIOUR_CASES_FOLDER}/`)).map((p): ReferenceFile => {
    const conformance = /^behaviour-cases\/gateway-api-(v[\d.]+)-conformance\/(.+)$/.exec(p);
    return conformance
      ? { path: p, part: 'behaviour-cases', pin: { by: 'lock', sha256: lock.get(p) }, online: { kind: 'https', url: `${RAW}/kubernetes-sigs/gateway-api/${conformance[1]}/conformance/${conformance[2]}` } }
      : { path: p, part: 'behaviour-cases', pin: { by: 'lock', sha256: lock.get(p) }, offlineOnly: 'behaviour cases written for this corpus from upstream tests and docs; no upstream file' };
  });
  const byPath = (a: ReferenceFile, b: ReferenceFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const unique = (files: ReferenceFile[]) => [...new Map(files.map((f) => [f.path, f])).values()].sort(byPath);
  return [...unique(charts), ...unique(helmValues), ...unique(crds), kindSchema, ...unique(behaviour)];
}

/** The pin of a file as one comparable string (what the cache manifest records). */
export function pinKey(file: ReferenceFile, chartPins: ReadonlyMap<string, string>): string | undefined {
  switch (file.pin.by) {
    case 'version-matrix': return `sha256:${file.pin.sha256}`;
    case 'lock': return file.pin.sha256 === undefined ? undefined : `sha256:${file.pin.sha256}`;
    case 'chart': {
      const chart = chartPins.get(file.pin.chart);
      return chart === undefined ? undefined : `${file.pin.chart}@sha256:${chart}#${file.pin.member}`;
    }
  }
}

/** path -> sha256 of every chart the list pins (for {@link pinKey}). */
export function chartPinsOf(files: readonly ReferenceFile[]): Map<string, string> {
  return new Map(files.flatMap((f) => (f.pin.by === 'version-matrix' ? [[f.path, f.pin.sha256] as [string, string]] : [])));
}
