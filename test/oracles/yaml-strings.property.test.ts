import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { KindCiliumCluster, renderBundle } from '../../src';
import { kubectlReadBack } from '../support/kubectl';
import { writeBundle } from '../support/render';
import { parseJsonStream, runTool } from '../support/run';
import { kubectlBin } from '../support/tools';

/**
 * Property-style oracle: tricky strings (YAML 1.1 / Go number look-alikes) written by the library
 * as a worker node label (kind config) and as a ConfigMap value and annotation (manifests) must
 * come back from kubectl (Go's YAML reader, sigs.k8s.io/yaml) as the identical STRING.
 *
 * Known bug kind: "Strings that Go's YAML reader turns into numbers". src/output/yaml.ts quotes
 * what the `yaml` library's YAML 1.1 schema would resolve, but Go's reader (go-yaml v2 `resolve`)
 * drops every `_` and then accepts anything `strconv.ParseInt(s, 0, 64)` accepts (upper-case
 * `0X`/`0O`/`0B` prefixes included) or its float pattern. Such strings are emitted plain and come
 * back as numbers: kubectl then rejects the whole ConfigMap file ("cannot unmarshal number into Go
 * struct field ... of type string") and kind would fail the same way on node labels. The cases
 * that fail today are marked `test.failing`; when the emitter is fixed they start passing, jest
 * reports them, and the markers must be removed.
 */

const FIXED = [
  '0XF_F', '0o17', '0b11', '1_000', '.5', '+1', '0x_1F', 'on', 'y', '~', 'null', '1e3', '1:20', '.inf', '-.nan',
  '0777', '2001-01-01', '0X1F', '0B11', '0O17', '1__0', '08', '1.', '-0', 'Yes', 'OFF', '0xG', '12e', '_1', '1_',
];

/** The fixed strings kubectl does not read back as the same string today (see the header). */
const KNOWN_MISREAD = new Set(['0XF_F', '0X1F', '0B11', '0O17']);

/**
 * A model of go-yaml v2's plain-scalar resolution to numbers (used only to split the random sample
 * into "Go reads a number" and "Go reads a string"; kubectl decides pass/fail).
 */
function goReadsNumber(s: string): boolean {
  if (!/^[-+0-9.]/.test(s)) return false;
  const plain = s.replace(/_/g, '');
  return /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(plain)
    || /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain);
}

const numberLike: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(
    fc.constantFrom('', '', '+', '-'),
    fc.constantFrom('', '0', '0x', '0X', '0o', '0O', '0b', '0B', '.'),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF_'), minLength: 1, maxLength: 6 }),
    fc.constantFrom('', '', '.', '.5', 'e3', 'E-2', 'e+1', '_'),
  ).map((parts) => parts.join('')),
  fc.string({ unit: fc.constantFrom(...'0123456789_.+-eExXoObB:'), minLength: 1, maxLength: 7 }),
);

const RANDOM = [...new Set(fc.sample(numberLike, { numRuns: 170, seed: 20260529 }))].filter((s) => !FIXED.includes(s));
const RANDOM_GO_STRING = RANDOM.filter((s) => !goReadsNumber(s));
const RANDOM_GO_NUMBER = RANDOM.filter(goReadsNumber);
const ALL = [...FIXED, ...RANDOM];

/** Kubernetes label value syntax. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

interface Outcome { readonly value?: unknown; readonly annotation?: unknown; readonly label?: unknown; readonly error?: string }
const outcomes = new Map<string, Outcome>();
const record = (s: string, o: Outcome) => outcomes.set(s, { ...outcomes.get(s), ...o });

/** ConfigMaps (one per string) in one cluster: one kubectl call; per document only if the batch fails. */
async function readConfigMaps(): Promise<void> {
  const app = new App();
  const cluster = new KindCiliumCluster(app, 'strings', { clusterName: 'strings' });
  ALL.forEach((s, i) => new ApiObject(cluster, `cm${i}`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `s${i}`, namespace: 'default', annotations: { 'example.com/value': s } },
    data: { value: s },
  }));
  const manifest = renderBundle(app).find((f) => f.path === 'dist/strings/strings.k8s.yaml')!;
  const root = writeBundle([manifest]);
  const byName = (objs: Record<string, any>[]) => {
    for (const o of objs) {
      if (o.kind !== 'ConfigMap') continue;
      const s = ALL[Number(o.metadata.name.slice(1))];
      record(s, { value: o.data?.value, annotation: o.metadata?.annotations?.['example.com/value'] });
    }
  };
  try {
    byName(await kubectlReadBack(path.join(root, manifest.path)));
    return;
  } catch {
    // kubectl rejects the whole file when one document does not decode. Split it, one document per
    // file, into a folder: kubectl then decodes every file, prints the good ones and names the bad
    // ones on stderr (one call).
  }
  const dir = path.join(root, 'docs');
  fs.mkdirSync(dir);
  const docs = YAML.parseAllDocuments(manifest.content).map((d) => d.toString());
  docs.forEach((doc, i) => fs.writeFileSync(path.join(dir, `doc${i}.yaml`), doc));
  const r = await runTool(kubectlBin(), ['annotate', '--local', '-f', dir, 'oracle=1', '-o', 'json']);
  byName(parseJsonStream(r.stdout) as Record<string, any>[]);
  for (const m of r.stderr.matchAll(/unable to decode "[^"]*doc(\d+)\.yaml": (.*)/g)) {
    const name = /name: s(\d+)/.exec(docs[Number(m[1])])?.[1];
    if (name !== undefined) record(ALL[Number(name)], { error: m[2] });
  }
}

/** One cluster per label-valid string; all kind configs in one file, one kubectl call. */
async function readLabels(): Promise<void> {
  const labels = ALL.filter((s) => LABEL_VALUE.test(s));
  const texts = labels.map((s, i) => {
    const app = new App();
    new KindCiliumCluster(app, `l${i}`, { clusterName: `l${i}`, workerLabels: { 'example.com/tier': s } });
    return renderBundle(app).find((f) => f.path === `kind/l${i}.yaml`)!.content;
  });
  const root = writeBundle([{ path: 'kind.yaml', content: texts.join('---\n') }]);
  // kubectl decodes the (to it unknown) kind Cluster kind generically, so a misread label comes back as a number.
  const configs = await kubectlReadBack(path.join(root, 'kind.yaml'));
  for (const c of configs) {
    const i = Number(String(c.name).slice(1));
    const worker = (c.nodes as Record<string, any>[]).find((n) => n.role === 'worker');
    record(labels[i], { label: worker?.labels?.['example.com/tier'] });
  }
}

beforeAll(async () => {
  await Promise.all([readConfigMaps(), readLabels()]);
});

function check(s: string): void {
  const o = outcomes.get(s) ?? {};
  const expected: Outcome = { value: s, annotation: s, ...(LABEL_VALUE.test(s) ? { label: s } : {}) };
  expect({ string: s, ...o }).toStrictEqual({ string: s, ...expected });
}

test('the sample is big and varied enough', () => {
  expect(ALL.length).toBeGreaterThan(150);
  expect(ALL.filter((s) => LABEL_VALUE.test(s)).length).toBeGreaterThan(50);
  expect(RANDOM_GO_NUMBER.length).toBeGreaterThan(20);
  expect(RANDOM_GO_STRING.length).toBeGreaterThan(20);
});

describe('fixed tricky strings survive kubectl', () => {
  for (const s of FIXED) {
    // These were emitted plain and read back by Go as numbers until the emitter quoted them (yamlsafe).
    test(`${JSON.stringify(s)}${KNOWN_MISREAD.has(s) ? ' (Go reads a number when plain)' : ''}`, () => check(s));
  }
});

test(`${RANDOM_GO_STRING.length} random strings that Go reads as strings survive kubectl`, () => {
  for (const s of RANDOM_GO_STRING) check(s);
});

// Bug: Strings that Go's YAML reader turns into numbers. Passes once src/output/yaml.ts quotes them all.
test(`${RANDOM_GO_NUMBER.length} random number-like strings survive kubectl`, () => {
  for (const s of RANDOM_GO_NUMBER) check(s);
});
