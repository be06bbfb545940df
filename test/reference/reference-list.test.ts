import * as fs from 'fs';
import * as path from 'path';
import { CRD_CATALOG } from '../../src/private/crd-catalog';
import { CILIUM_MINOR_FACTS, crdSchemaFolders, GATEWAY_API_RELEASES } from '../../src/spec/version-matrix';
import { describeWithReference, REFERENCE, referencePath } from '../support/reference';
import { sha256File } from '../support/reference-fetch';
import { chartFile, KIND_SCHEMA_FILE, readLock, REFERENCE_PARTS, referenceFiles } from '../support/reference-files';
import { FETCH_COMMAND, REPO_ROOT } from '../support/reference-root';

/**
 * The reference list is derived from the version matrix and the CRD catalog, every file in it is pinned, and every
 * test reads reference data through the one gate (test/support/reference.ts).
 */

const files = referenceFiles();
const paths = files.map((f) => f.path);

describe('the list follows the version matrix and the CRD catalog', () => {
  test.each(CILIUM_MINOR_FACTS.map((f) => [f.minor, f] as const))('Cilium %s: its chart pinned by chartSha256, and the values files from that chart', (minor, facts) => {
    const chart = files.find((f) => f.path === chartFile(facts.latestPatch));
    expect(chart?.pin).toEqual({ by: 'version-matrix', sha256: facts.chartSha256 });
    for (const name of ['helm-values.schema.json', 'helm-values.yaml', 'helm-Chart.yaml']) {
      expect(files.find((f) => f.path === `cilium-${minor}/${name}`)?.pin).toEqual(expect.objectContaining({ by: 'chart', chart: chartFile(facts.latestPatch) }));
    }
  });

  test('every CRD folder the library can validate against holds the catalog\'s kinds that its release serves', () => {
    for (const facts of CILIUM_MINOR_FACTS) {
      for (const release of GATEWAY_API_RELEASES) {
        const folders = crdSchemaFolders(facts.minor, release.version);
        for (const entry of CRD_CATALOG) {
          const file = `${folders[entry.source]}/${entry.file}`;
          const served = !entry.source.startsWith('gateway-api') || entry.file.startsWith('experimental/') || release.standardFiles.includes(entry.file);
          expect([file, paths.includes(file)]).toEqual([file, served]);
        }
      }
    }
  });

  test('paths are unique; every file has an online source or says why it has none; the kind schema is listed', () => {
    expect(new Set(paths).size).toBe(paths.length);
    for (const f of files) expect([f.path, f.online !== undefined || (f.offlineOnly ?? '').length > 0 || f.pin.by === 'chart']).toEqual([f.path, true]);
    expect(paths).toContain(KIND_SCHEMA_FILE);
    expect(new Set(files.map((f) => f.part))).toEqual(new Set(REFERENCE_PARTS));
  });
});

test(`every file the list pins by lock has a sha256 in test/support/reference.sha256 (else: ${FETCH_COMMAND} -- --pin)`, () => {
  const unpinned = files.filter((f) => f.pin.by === 'lock' && f.pin.sha256 === undefined).map((f) => f.path);
  // (The lock pins whole trusted copies, so a later matrix row may find its files pinned already.)
  expect(unpinned).toEqual([]);
});

describeWithReference('the lock agrees with the reference data in use', ['charts', 'crds', 'kind-schema', 'behaviour-cases'], () => {
  test('each lock-pinned file has the pinned sha256', () => {
    const differ = [...readLock()].filter(([p]) => paths.includes(p)).filter(([p, sum]) => sha256File(referencePath(p)) !== sum).map(([p]) => p);
    expect(differ).toEqual([]);
  });
});

test('the gate serves only listed files, and only inside a group that declares their part', () => {
  expect(() => referencePath('cilium-charts/SHA256SUMS')).toThrow(/not in the reference list/);
  expect(() => referencePath(KIND_SCHEMA_FILE)).toThrow(/outside a group that declares it: wrap the test in describeWithReference\(name, \['kind-schema'\]/);
  expect(REFERENCE.files.length).toBe(files.length);
});

/** Every .ts file below test/. */
function testSources(dir = path.join(REPO_ROOT, 'test')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? testSources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

test('no test or helper reaches the reference data except through the gate', () => {
  // The gate's own modules resolve the roots; the tests of test/reference/ exercise them (and scrub their variables).
  const gate = ['reference.ts', 'reference-root.ts', 'reference-files.ts', 'reference-fetch.ts', 'reference-online.ts'].map((f) => path.join(REPO_ROOT, 'test', 'support', f));
  const words = /shared\/reference|SHARED_REFERENCE_DIR|REFERENCE_DIR\b|REFERENCE_CACHE_DIR|\.reference-cache|'cilium-charts'/;
  const offenders = testSources().filter((f) => !gate.includes(f) && path.dirname(f) !== __dirname)
    .filter((f) => words.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(REPO_ROOT, f));
  expect(offenders).toEqual([]);
});
