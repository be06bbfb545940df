import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { KindCiliumCluster, LocalCertificateAuthority, renderBundle } from '../../src';
import { toYamlStream } from '../../src/private/yaml';
import { KUBECTL_MISSING_NOTICE, kubectlBinary } from '../support/kubectl';

/**
 * Every string the emitter writes must come back as the same string from every reader of the bundle:
 * YAML 1.1 and YAML 1.2 parsers, and Go's (kubectl, kind, Helm read YAML with sigs.k8s.io/yaml, i.e.
 * go-yaml v2, which resolves `0XF_F` to 255, `0O17` to 15, `+_1` to 1 and `0B11` as a key to 3).
 *
 * The Go oracle is `kubectl annotate --local -o json`: for an apiVersion/kind it does not know, kubectl
 * keeps the object unstructured, so the JSON shows exactly what go-yaml resolved (int keys become "3").
 */

/** Strings that readers have turned into numbers, bools, nulls or timestamps (fixed cases). */
const FIXED = [
  '0XF_F', '0O17', '0X_1F', '0B11', '0x1F', '0o17', '0b11', '-0x1f', '-0B1', '+0x1', '+_1', '-_0x1', '_1', '1_000', '0_1',
  '0777', '09', '1e3', '1E+3', '1e999', '.5', '+.5', '-.5e-3', '.5_5', '1_0.5', '1.', '0.', '+1', '-0',
  '.inf', '.Inf', '-.INF', '+.inf', '.nan', '.NaN', '.NAN', 'inf', 'NaN', 'Infinity',
  '1:20', '190:20:30.15', '2001-01-01', '2001-1-2', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '2001-12-14T21:59:43Z',
  'y', 'Y', 'n', 'N', 'yes', 'No', 'ON', 'Off', 'true', 'False', 'TRUE', '~', 'null', 'Null', 'NULL', '', '<<', '=',
  '0x', '0b', '0o', '0x_', '0XF_F_', '0x1p3', '0x1.8p1', 'v1.18.1', '10.0.0.1', '172.18.0.0/16',
];

const digitsOf = (alphabet: string, max = 6) => fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: 1, maxLength: max });
const sign = fc.constantFrom('', '', '+', '-', '_', '+_', '-_');
/** Number-like shapes: base prefixes in any case, underscores anywhere, signs, dots, exponents. */
const numberLike = fc.tuple(
  sign,
  fc.constantFrom('0x', '0X', '0o', '0O', '0b', '0B', '0', '', '', '.', '0.', '0_x', '0x_'),
  digitsOf('0123456789abcdefABCDEF__'),
  fc.constantFrom('', '', '', '.', '.5', '_', 'e3', 'E-2', 'e+1', 'e', 'p3', '.8p1', ':20', ':05:30'),
).map((parts) => parts.join(''));
const infNan = fc.tuple(sign, fc.constantFrom('', '.'), fc.constantFrom('inf', 'Inf', 'INF', 'iNf', 'nan', 'NaN', 'NAN', 'infinity', 'Infinity'))
  .map((parts) => parts.join(''));
const words = fc.constantFrom('y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF', '~', 'null', 'Null', 'NULL', 'nULL', '<<', '=', '-', '.', '_');
const timestamp = fc.tuple(
  digitsOf('0123456789', 4).filter((d) => d.length === 4), digitsOf('0123456789', 2), digitsOf('0123456789', 2),
  fc.constantFrom('', '', 'T21:59:43Z', 't21:59:43.10-05:00', ' 21:59:43.10', 'T1:2:3', 'x'),
).map(([y, m, d, t]) => `${y}-${m}-${d}${t}`);
const shuffled = fc.string({ unit: fc.constantFrom(...'0123456789+-._:eExXoObBpP '.split('')), minLength: 1, maxLength: 8 });
const candidate = fc.oneof(
  { arbitrary: numberLike, weight: 5 }, { arbitrary: infNan, weight: 1 }, { arbitrary: words, weight: 1 },
  { arbitrary: timestamp, weight: 1 }, { arbitrary: shuffled, weight: 3 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);

/**
 * Documents carrying each string as a label key and value, an annotation value, a data key and value,
 * a list item, and (the kind config) node labels and a DNS search entry.
 */
function docsFor(values: readonly string[]): unknown[] {
  return values.flatMap((v, i) => [
    {
      apiVersion: 'oracle.test/v1',
      kind: 'Oracle',
      metadata: { name: `o${i}`, labels: { tier: v, [v]: 'key' }, annotations: { note: v } },
      data: { value: v, [v]: 'key' },
      list: [v],
    },
    {
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      kind: 'Cluster',
      metadata: { annotations: { index: `c${i}` } },
      nodes: [{ role: 'worker', labels: { tier: v, [v]: 'key' } }],
      networking: { dnsSearch: [v] },
    },
  ]);
}

const kubectl = kubectlBinary();
if (!kubectl) process.stderr.write(KUBECTL_MISSING_NOTICE);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-yaml-go-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** The documents as Go reads the file: kubectl's JSON, without the annotation it added. */
function readWithGo(yamlText: string): unknown[] {
  const file = path.join(workDir, 'batch.yaml');
  fs.writeFileSync(file, yamlText);
  const json = execFileSync(kubectl!, ['annotate', '--local', '-f', file, 'oracle=1', '-o', 'json'], {
    encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' }, maxBuffer: 64 * 1024 * 1024,
  });
  // One pretty-printed JSON object per document (or a List): every object closes with `}` in column 0.
  const items: any[] = json.split(/(?<=^\})\n(?=\{)/m).flatMap((chunk) => {
    const parsed = JSON.parse(chunk);
    return parsed.kind === 'List' ? parsed.items : [parsed];
  });
  for (const item of items) {
    delete item.metadata.annotations.oracle;
    if (Object.keys(item.metadata.annotations).length === 0) delete item.metadata.annotations;
  }
  return items;
}

/** Every reader returns exactly the documents that were written. */
function expectReadBackIdentical(values: readonly string[]): void {
  const docs = docsFor(values);
  const text = toYamlStream(docs);
  const expected = JSON.parse(JSON.stringify(docs));
  expect(YAML.parseAllDocuments(text, { version: '1.2' }).map((d) => d.toJS())).toEqual(expected);
  expect(YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS())).toEqual(expected);
  if (kubectl) expect(readWithGo(text)).toEqual(expected);
}

describe('strings survive YAML 1.1, YAML 1.2 and Go (sigs.k8s.io/yaml via kubectl)', () => {
  test.each(FIXED)('fixed case %j', (value) => {
    expectReadBackIdentical([value]);
  });

  test('1,200 random number-like strings in 8 batches (one kubectl call per batch)', () => {
    fc.assert(fc.property(fc.array(candidate, { minLength: 150, maxLength: 150 }), (values) => {
      try {
        expectReadBackIdentical(values);
      } catch (err) {
        // Name the culprits (one reader call each) instead of shrinking 150 values through kubectl.
        const culprits = values.filter((v) => { try { expectReadBackIdentical([v]); return false; } catch { return true; } });
        throw new Error(`strings that do not read back: ${JSON.stringify(culprits)}\n${(err as Error).message}`);
      }
    }), { numRuns: 8, endOnFailure: true });
  });

  (kubectl ? test : test.skip)('a cluster description: worker labels in the kind config and the CA common name read back as strings', () => {
    const app = new App();
    const cluster = new KindCiliumCluster(app, 'test', { clusterName: 'test', workers: 1, workerLabels: { tier: '0XF_F', zone: '0O17' } });
    new LocalCertificateAuthority(cluster, 'ca', { commonName: '0X_1F' });
    const files = new Map(renderBundle(app).map((f) => [f.path, f.content]));
    const kindConfig = readWithGo(files.get('kind/test.yaml')!)[0] as any;
    expect(kindConfig.nodes.find((n: any) => n.role === 'worker').labels).toEqual({ tier: '0XF_F', zone: '0O17' });
    // cert-manager kinds are unknown to kubectl without a cluster, so they stay unstructured.
    const objects = readWithGo(files.get('dist/test/test.k8s.yaml')!) as any[];
    expect(objects.find((o) => o.kind === 'Certificate').spec.commonName).toBe('0X_1F');
  });
});
