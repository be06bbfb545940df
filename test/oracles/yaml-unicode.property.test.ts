import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { KindCiliumCluster, PlatformConfigError, renderBundle, TestWorkload } from '../../src';
import { toYaml, toYamlStream } from '../../src/private/yaml';
import { configError } from '../support/config-error';
import { helmReadValues, K8sObject } from '../support/helm';
import { kubectlReadBack } from '../support/kubectl';
import { writeBundle } from '../support/render';
import { parseJsonStream, runToolOk } from '../support/run';
import { kubectlBin } from '../support/tools';

/**
 * Property: ANY Unicode string, in every position a user string can reach in a synthesized file, is read back
 * identical by the Go readers that consume the bundle: kubectl (sigs.k8s.io/yaml on go-yaml v2), kustomize
 * (kyaml on go-yaml v3, through `kubectl annotate --local -k`) and Helm (a values file read by `helm template`).
 * Those readers take U+0085, U+2028 and U+2029 as line breaks (go-yaml `is_break`, YAML 1.1 §5.4), refuse raw C0/C1
 * controls, U+FFFE/U+FFFF (go-yaml `yaml_parser_update_buffer`: "control characters are not allowed") and skip a BOM
 * at column 0; a string carrying any of them must therefore come out double-quoted and escaped. A lone surrogate
 * cannot be written as UTF-8 at all (go-yaml refuses `\uD800` escapes): it is refused with a PlatformConfigError.
 *
 * Strings are batched (one tool call per batch of 40-60 strings); a failing batch is re-run string by string to name
 * the culprits instead of shrinking through the tools.
 */

/** Characters some reader of the bundle treats specially: line breaks, controls, BOM, noncharacters, quotes, indicators. */
const SPECIAL = [
  '\u0085', '\u2028', '\u2029', '\ufeff', '\r', '\n', '\r\n', '\t', '\v', '\f', '\0', '\x07', '\x08', '\x1b', '\x7f', '\x80', '\x9f',
  '\u00a0', '\ufffe', '\uffff', '\ufffd', '\u200b', '\u{1f600}', '\u{10ffff}', '\u{e0001}', '"', '\'', '\\', '#', ':', '- ', ': ', ' #',
  '---', '...', '? ', '&a', '*a', '!t', '|', '>', '%', '@', '`', '{', '}', '[', ']', ',', ' ', '0x1F', 'on', '~',
];
const specialUnit = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIAL), weight: 4 },
  { arbitrary: fc.constantFrom(...'abcXYZ019-_./'.split('')), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
);
/** Strings heavy in special characters, plus the injection shapes of issue 19 (a break, then YAML structure). */
const specialString = fc.oneof(
  { arbitrary: fc.array(specialUnit, { maxLength: 12 }).map((parts) => parts.join('')), weight: 4 },
  {
    arbitrary: fc.tuple(fc.constantFrom('x', '/healthz', ''), fc.constantFrom('\u2028', '\u2029', '\u0085', '\r', '\n'),
      fc.constantFrom('    - fromEntities:', 'extraArgs:', '--- ', '- --enable-policy=never', 'k: v', '... ')).map((p) => p.join('')),
    weight: 1,
  },
);
const anyString = fc.oneof({ arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 1 }, { arbitrary: specialString, weight: 2 });
/** A batch of distinct strings, none of them a key the documents use themselves. */
const batch = (min: number) => fc.uniqueArray(anyString, { minLength: min, maxLength: min + 20 })
  .map((list) => list.filter((s) => !RESERVED_KEYS.has(s) && !/^k\d+$/.test(s)));

// The prototype keys are refused at the prop (src/private/plain-data.ts, `prototype-key`; tested there): fc.string can produce them.
const RESERVED_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'value', 'list', 'nested', 'multiLine', 'trailingBreak', 'first', '__proto__', 'constructor', 'prototype']);

/** Every structural position of the emitter, for one string: keys and values, at column 0, nested, in lists, on a dash line, multi-line. */
function positions(s: string): Record<string, unknown> {
  return {
    [s]: 'key at column 0',
    value: s,
    list: [s, [s], { [s]: s, other: s }, [{ [s]: [s] }], ''],
    nested: { a: { [s]: { b: s } } },
    first: [{ [s]: s }],
    multiLine: `${s}\n${s}`,
    trailingBreak: `${s}\n`,
  };
}

/**
 * One custom-kind object per string (kubectl keeps unknown kinds unstructured, so the JSON shows what go-yaml read).
 * Kubernetes allows only qualified names as annotation keys, and kustomize panics on an empty one
 * (`RemoveBuildAnnotations`: "wrong node kind"), so strings are annotation keys only where kustomize is not involved.
 */
function manifests(strings: readonly string[], annotationKeys = true): Record<string, unknown>[] {
  return strings.map((s, i) => ({
    apiVersion: 'oracle.test/v1',
    kind: 'Oracle',
    metadata: { name: `o${i}`, annotations: { note: s, ...(annotationKeys ? { [s]: 'key' } : {}) } },
    ...positions(s),
  }));
}

/** What kustomize cannot carry even escaped (kubernetes-sigs/kustomize#5148): the emitter refuses it in manifests. */
const KUSTOMIZE_REFUSES = /[\x7f-\x9f\ufffe\uffff]/;

/** One values file holding every string: a subtree per string, and each string as a top-level key. */
function values(strings: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(strings.flatMap((s, i) => [[`k${i}`, positions(s)], [s, i]]));
}

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const byName = (objs: K8sObject[]) => new Map(objs.map((o) => [o.metadata.name as string, o]));

/** A kind config per string (kind reads it with the same sigs.k8s.io/yaml): node labels and a DNS search entry. */
function kindConfigs(strings: readonly string[]): Record<string, unknown>[] {
  return strings.map((s, i) => ({
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    kind: 'Cluster',
    metadata: { name: `c${i}` },
    nodes: [{ role: 'worker', labels: { [s]: s } }],
    networking: { dnsSearch: [s] },
  }));
}

/** go-yaml v2 reads every string, including those kustomize cannot carry: the documents are emitted one by one. */
async function kubectlReads(strings: readonly string[]): Promise<void> {
  const docs = [...manifests(strings), ...kindConfigs(strings)];
  const root = writeBundle([{ path: 'm.yaml', content: docs.map((d) => toYaml(d)).join('---\n') }]);
  const read = byName(await kubectlReadBack(path.join(root, 'm.yaml')));
  expect(read.size).toBe(docs.length);
  docs.forEach((d: any) => expect(read.get(d.metadata.name)).toStrictEqual(json(d)));
}

/** Manifests as the bundle writes them (toYamlStream), through kustomize; a string it cannot carry is refused. */
async function kustomizeReads(all: readonly string[]): Promise<void> {
  for (const s of all.filter((x) => KUSTOMIZE_REFUSES.test(x))) {
    const error = configError(() => toYamlStream(manifests([s], false), 'm.yaml'));
    expect(error.rules).toContain('text-kustomize-refuses');
    expect(error.violations[0].field).toMatch(/^m\.yaml Oracle o0: /);
  }
  const docs = manifests(all.filter((s) => !KUSTOMIZE_REFUSES.test(s)), false);
  const root = writeBundle([
    { path: 'k/m.yaml', content: toYamlStream(docs) },
    { path: 'k/kustomization.yaml', content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['m.yaml'] }) },
  ]);
  const out = await runToolOk(kubectlBin(), ['annotate', '--local', '-k', path.join(root, 'k'), 'oracle=1', '-o', 'json']);
  const read = byName((parseJsonStream(out) as K8sObject[]).map((o) => {
    delete o.metadata.annotations.oracle;
    return o;
  }));
  docs.forEach((d: any) => expect(read.get(d.metadata.name)).toStrictEqual(json(d)));
}

async function helmReads(strings: readonly string[]): Promise<void> {
  const doc = values(strings);
  expect(await helmReadValues(toYaml(doc))).toStrictEqual(json(doc));
}

/** JSON with every non-ASCII UTF-16 unit escaped, so a culprit can be copied from the message exactly. */
const asciiJson = (x: unknown) => JSON.stringify(x).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Runs `check` on the batch; on failure, names the strings that fail alone. */
async function explain(strings: readonly string[], check: (s: readonly string[]) => Promise<void>): Promise<void> {
  try {
    await check(strings);
  } catch (err) {
    const culprits: string[] = [];
    for (const s of strings) {
      try {
        await check([s]);
      } catch {
        culprits.push(s);
      }
    }
    throw new Error(`strings that do not read back: ${asciiJson(culprits)}\n${(err as Error).message.slice(0, 2000)}`);
  }
}

describe('any Unicode string, in every position, reads back identical', () => {
  test.each([
    ['kubectl (go-yaml v2): manifests and kind configs', kubectlReads],
    ['kustomize (kyaml, go-yaml v3) via kubectl annotate -k', kustomizeReads],
    ['helm, a values file', helmReads],
  ] as const)('%s', async (_name, check) => {
    await fc.assert(fc.asyncProperty(batch(40), (strings) => explain(strings, check)), { numRuns: 4, endOnFailure: true });
  });

  test('our own YAML 1.1 and YAML 1.2 readers agree (150 batches, no tool)', () => {
    fc.assert(fc.property(batch(5), (strings) => {
      const stream = manifests(strings).map((d) => toYaml(d)).join('---\n');
      const expected = json(manifests(strings));
      expect(YAML.parseAllDocuments(stream, { version: '1.2' }).map((d) => d.toJS())).toStrictEqual(expected);
      expect(YAML.parseAllDocuments(stream, { version: '1.1' }).map((d) => d.toJS())).toStrictEqual(expected);
    }), { numRuns: 150 });
  });
});

test('keys over 1,024 characters (written as explicit keys) read back identical in kubectl and helm; manifests refuse them (kustomize cannot carry them)', async () => {
  const keys = fc.sample(fc.tuple(fc.integer({ min: 1000, max: 3000 }), fc.array(specialUnit, { minLength: 1, maxLength: 8 }))
    .map(([n, units]) => units.join('').repeat(Math.ceil(n / units.join('').length)).slice(0, n))
    .filter((k) => !KUSTOMIZE_REFUSES.test(k) && !/^[\ud800-\udfff]|[\ud800-\udbff]$/.test(k)), { numRuns: 12, seed: 1024 });
  const doc = { apiVersion: 'oracle.test/v1', kind: 'Oracle', metadata: { name: 'long' }, data: Object.fromEntries(keys.map((k, i) => [k, { i, list: [{ [k]: k }] }])) };
  const text = toYaml(doc);
  expect(text).toContain('\n  ? ');
  const root = writeBundle([{ path: 'm.yaml', content: text }]);
  expect((await kubectlReadBack(path.join(root, 'm.yaml')))[0]).toStrictEqual(json(doc));
  expect(await helmReadValues(toYaml(doc.data))).toStrictEqual(json(doc.data));
  expect(configError(() => toYamlStream([doc], 'm.yaml')).rules).toEqual(keys.flatMap(() => ['text-kustomize-refuses', 'text-kustomize-refuses']));
});

test('kustomize carries the longest keys the manifests accept, and not one character more', async () => {
  const kustomization = toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['m.yaml'] });
  // Per character as kustomize writes it: 1 (a), 2 (\t), 6 (\u0001, \u00e9), 10 (\U0001f600); 2 for the quotes.
  for (const [unit, cost] of [['a', 1], ['\t', 2], ['\x01', 6], ['\u00e9', 6], ['\u{1f600}', 10]] as const) {
    const longest = unit.repeat(Math.floor((1020 - 2) / cost));
    const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'long' }, data: { [longest]: 'v' } };
    const root = writeBundle([{ path: 'k/m.yaml', content: toYamlStream([doc]) }, { path: 'k/kustomization.yaml', content: kustomization }]);
    const out = await runToolOk(kubectlBin(), ['annotate', '--local', '-k', path.join(root, 'k'), 'oracle=1', '-o', 'json']);
    expect((parseJsonStream(out)[0] as K8sObject).data).toStrictEqual({ [longest]: 'v' });
    expect(configError(() => toYamlStream([{ ...doc, data: { [`${longest}${unit}${unit}`]: 'v' } }])).rules).toEqual(['text-kustomize-refuses']);
  }
});

describe('through the public API', () => {
  /** A cluster carrying the strings in Helm values (overrides), a ConfigMap (escape hatch) and a TestWorkload's env and root reason. */
  function render(helmStrings: readonly string[], strings: readonly string[]) {
    const app = new App();
    const cluster = new KindCiliumCluster(app, 'u', { clusterName: 'u', ciliumValuesOverrides: { oracle: values(helmStrings) } });
    new ApiObject(cluster, 'cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'strings', namespace: 'default', annotations: { note: strings.join('') } },
      data: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])),
    });
    new TestWorkload(cluster, 'web', {
      name: 'web',
      image: 'nginxinc/nginx-unprivileged:1.29.4',
      ports: [{ port: 8080 }],
      env: Object.fromEntries(strings.map((s, i) => [`V${i}`, s])),
      runAsRoot: { reason: `needs root ${strings.join('')}` },
    });
    return new Map(renderBundle(app).map((f) => [f.path, f.content]));
  }

  test('Helm values (overrides) and manifests (ConfigMap, env, annotation) read back identical by helm and kubectl', async () => {
    await fc.assert(fc.asyncProperty(batch(30), batch(30), async (helmStrings, all) => {
      const strings = all.filter((s) => !KUSTOMIZE_REFUSES.test(s));
      const files = render(helmStrings, strings);
      expect(((await helmReadValues(files.get('cilium-values/u.yaml')!)) as any).oracle).toStrictEqual(json(values(helmStrings)));
      const root = writeBundle([{ path: 'u.k8s.yaml', content: files.get('dist/u/u.k8s.yaml')! }]);
      const objects = await kubectlReadBack(path.join(root, 'u.k8s.yaml'));
      const cm = objects.find((o) => o.kind === 'ConfigMap')!;
      expect(cm.data).toStrictEqual(Object.fromEntries(strings.map((s, i) => [`k${i}`, s])));
      expect(cm.metadata.annotations.note).toBe(strings.join(''));
      const deployment = objects.find((o) => o.kind === 'Deployment')!;
      expect(deployment.metadata.annotations['cdk8s-kind-cilium/runs-as-root']).toBe(`needs root ${strings.join('')}`);
      expect(Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? ''])))
        .toStrictEqual(Object.fromEntries(strings.map((s, i) => [`V${i}`, s])));
    }), { numRuns: 3, endOnFailure: true });
  });

  test('a character kustomize cannot carry is refused: as a construct prop naming the prop, in an escape hatch naming the object', () => {
    const refusedChar = fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom('\x7f', '\x80', '\x85', '\x9f', '\ufffe', '\uffff')).map(([t, c]) => `${t}${c}`);
    fc.assert(fc.property(refusedChar, (s) => {
      const props = { name: 'web', image: 'nginxinc/nginx-unprivileged:1.29.4', ports: [{ port: 8080 }] };
      const cluster = () => new KindCiliumCluster(new App(), 'u', { clusterName: 'u' });
      expect(configError(() => new TestWorkload(cluster(), 'web', { ...props, env: { V0: s }, runAsRoot: { reason: s } })).violations)
        .toEqual([
          expect.objectContaining({ rule: 'text-kustomize-refuses', field: 'u/web.runAsRoot.reason' }),
          expect.objectContaining({ rule: 'text-kustomize-refuses', field: 'u/web.env["V0"]' }),
        ]);
      const escapeHatch = cluster();
      new ApiObject(escapeHatch, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strings', namespace: 'default' }, data: { k0: s } });
      expect(configError(() => renderBundle(escapeHatch.node.root as App)).violations)
        .toEqual([expect.objectContaining({ rule: 'text-kustomize-refuses', field: 'dist/u/u.k8s.yaml ConfigMap default/strings: data.k0' })]);
    }), { numRuns: 20 });
  });

  const loneSurrogate = fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'), fc.string({ maxLength: 4 }))
    .map(([a, b, c]) => `${a}${b}${c}`).filter((s) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s));

  test('a lone surrogate (not encodable as UTF-8) is refused with a PlatformConfigError naming where it is', () => {
    fc.assert(fc.property(loneSurrogate, fc.boolean(), (s, asKey) => {
      const overrides = { oracle: asKey ? { [s]: 'v' } : { v: s } };
      let error: unknown;
      try {
        new KindCiliumCluster(new App(), 'u', { clusterName: 'u', ciliumValuesOverrides: overrides });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PlatformConfigError);
      expect((error as PlatformConfigError).violations[0].field).toMatch(/^u\.ciliumValuesOverrides\.oracle/);
      expect(() => toYaml(overrides)).toThrow(PlatformConfigError);
    }), { numRuns: 100 });
  });

  test('the batches are varied: every special character occurs', () => {
    const sample = fc.sample(batch(40), { numRuns: 4, seed: 19 }).flat().join('');
    for (const c of ['\u0085', '\u2028', '\u2029', '\ufeff', '\r', '\0', '\x7f', '\x9f', '\ufffe']) expect(sample).toContain(c);
  });
});
