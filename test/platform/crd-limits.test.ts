import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { RE2JS } from 're2js';
import {
  addAllPresets, AppNetworkPolicy, KindCiliumCluster, LocalCertificateAuthority, LocalGateway, LoadBalancerIpPool, renderBundle, validateApp,
} from '../../src';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { formatViolation } from '../../src/errors';
import { CRD_CATALOG } from '../../src/private/crd-catalog';
import { checkCrdSchema, compilePattern, isPortablePattern, schemaKinds } from '../../src/private/crd-schema';
import { CRD_SCHEMA_JSON } from '../../src/private/crd-schemas.generated';
import { checkCustomObjects } from '../../src/rules/crd-schema';
import { ciliumMinorFacts, ciliumMinorOf, crdSchemaFolders, DEFAULT_CILIUM_VERSION } from '../../src/spec/version-matrix';
import { configError } from '../support/config-error';
import { describeWithReference } from '../support/reference';
import { servedCustomResourceKinds, validateCustomResourceSchema } from '../support/reference-schemas';

/** The default bundle's schema folders (Cilium 1.20 with its Gateway API pair). */
const DEFAULT_MINOR = ciliumMinorOf(DEFAULT_CILIUM_VERSION)!;
const FOLDERS = crdSchemaFolders(DEFAULT_MINOR, ciliumMinorFacts(DEFAULT_MINOR).gatewayApi.release);

const ROOT = path.resolve(__dirname, '../..');

/** A cluster with a pool and the gateway NodePorts mapped, so gateways and routes pass the cluster rules. */
function cluster(app = Testing.app()): KindCiliumCluster {
  const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }] });
  new LoadBalancerIpPool(c, 'pool');
  return c;
}

const ports = (n: number) => Array.from({ length: n }, (_, i) => ({ port: 8000 + i }));

describe('CRD limits are checked when the cluster is synthesized and when the bundle is rendered', () => {
  test('an AppNetworkPolicy with 41 ingress ports (the CRD allows 40 per rule) is refused when constructed, naming the field', () => {
    const c = cluster();
    expect(() => new AppNetworkPolicy(c, 'web', { namespace: 'demo', appLabels: { app: 'web' }, allowFromGateway: true, ingressPorts: ports(41) }))
      .toThrow(/^dev\/web\.ingressPorts: lists 41 ports, but a Cilium policy rule takes at most 40/);
  });

  test('a CiliumNetworkPolicy with 41 ports written as a raw ApiObject fails at synth, naming the object and the field', () => {
    const c = cluster();
    const raw = new ApiObject(c, 'web', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'demo' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ toPorts: [{ ports: ports(41).map((p) => ({ port: String(p.port), protocol: 'TCP' })) }] }] },
    });
    const field = `${raw.node.path}.spec.ingress[0].toPorts[0].ports`;
    expect(field).toBe('dev/web.spec.ingress[0].toPorts[0].ports');
    const found = c.violations().filter((v) => v.rule === 'crd-schema');
    expect(found.map((v) => v.field)).toEqual([field]);
    // As the README (## Rules) shows it.
    expect(formatViolation(found[0])).toBe(`${field}: must NOT have more than 40 items, got 41 items (maxItems in the cilium.io/v2 CiliumNetworkPolicy CRD schema: `
      + 'the API server refuses CiliumNetworkPolicy demo/web). Fix: list at most 40 items here (split the rest into another rule or object)');
    expect(() => Testing.synth(c)).toThrow(`${field}: must NOT have more than 40 items`);
  });

  test('40 ingress ports pass', () => {
    const c = cluster();
    new AppNetworkPolicy(c, 'web', { namespace: 'demo', appLabels: { app: 'web' }, allowFromGateway: true, ingressPorts: ports(40) });
    expect(c.violations()).toEqual([]);
  });

  test('a route with 17 hostnames (max 16) fails renderBundle and validateApp with crd-schema', () => {
    const app = new App();
    const c = cluster(app);
    const gateway = new LocalGateway(c, 'gateway', { certificateAuthority: new LocalCertificateAuthority(c, 'ca') });
    const hostnames = Array.from({ length: 17 }, (_, i) => `app${i}.localhost`);
    const route = gateway.addHttpRoute('demo', { namespace: 'demo', hostnames, backend: { name: 'echo', port: 8080 } });
    const expected = `${route.apiObject.node.path}.spec.hostnames`;
    for (const run of [() => renderBundle(app), () => validateApp(app)]) {
      const error = configError(run);
      const found = error.violations.filter((v) => v.rule === 'crd-schema');
      expect(found.map((v) => v.field)).toEqual([expected]);
      expect(error.message).toContain(`${expected}: must NOT have more than 16 items, got 17 items`);
      expect(found[0].fix).toMatch(/at most 16 items/);
    }
  });

  /** A raw CiliumNetworkPolicy written with a plain ApiObject (the escape hatch), `rule` as its only ingress rule. */
  const rawPolicy = (c: KindCiliumCluster, rule: Record<string, unknown>, apiVersion = 'cilium.io/v2') => new ApiObject(c, 'raw', {
    apiVersion,
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'raw', namespace: 'demo' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [rule] },
  });

  test('a raw object breaking an enum, a pattern and a closed object is reported per field', () => {
    const c = cluster();
    rawPolicy(c, { fromEntity: ['world'], toPorts: [{ ports: [{ port: 'port 80', protocol: 'HTTP' }] }] });
    const found = c.violations().filter((v) => v.rule === 'crd-schema');
    const base = 'dev/raw.spec.ingress[0]';
    expect(found.map((v) => v.field).sort()).toEqual([`${base}.fromEntity`, `${base}.toPorts[0].ports[0].port`, `${base}.toPorts[0].ports[0].protocol`]);
    expect(found.find((v) => v.field.endsWith('.protocol'))!.problem).toMatch(/^must be equal to one of the allowed values: "TCP", "UDP", .*, got "HTTP"/);
    expect(found.find((v) => v.field.endsWith('.port'))!.problem).toMatch(/^must match pattern ".*", got "port 80"/);
    expect(found.find((v) => v.field.endsWith('.fromEntity'))!.fix).toMatch(/^remove it or fix its spelling \(known here: .*fromEntities/);
    for (const v of found) expect(formatViolation(v)).toContain(`Fix: ${v.fix}`);
  });

  test('an apiVersion the CRD does not serve is refused', () => {
    const c = cluster();
    rawPolicy(c, { fromEntities: ['world'] }, 'cilium.io/v2alpha1');
    const found = c.violations().filter((x) => x.rule === 'crd-schema');
    expect(found.map((v) => [v.field, v.fix])).toEqual([['dev/raw.apiVersion', 'use apiVersion cilium.io/v2']]);
  });

  test('the presets pass', () => {
    const app = new App();
    const clusters = addAllPresets(app);
    expect(() => renderBundle(app)).not.toThrow();
    const entries = clusters.flatMap((c) => resolvedEntries(c));
    expect(checkCustomObjects(entries)).toEqual([]);
    const checked = entries.filter((e) => checkCrdSchema(e.object, FOLDERS) !== undefined);
    expect(checked.length).toBeGreaterThan(10);
  });
});

describe('the generated schemas', () => {
  test('cover every served version of every kind the library emits, and nothing else', () => {
    const emitted = CRD_CATALOG.filter((e) => e.module).map((e) => `${e.group} ${e.kind}`).sort();
    expect([...new Set(schemaKinds(FOLDERS).map((k) => `${k.split('/')[0]} ${k.split(' ')[1]}`))].sort()).toEqual(emitted);
  });
  test('objects of kinds without a schema (built-in kinds, other CRDs) are not judged', () => {
    expect(checkCrdSchema({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 1 } }, FOLDERS)).toBeUndefined();
    expect(checkCrdSchema({ apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'x' }, spec: 5 }, FOLDERS)).toBeUndefined();
  });
});

describe('patterns: RE2 is the judge, JavaScript runs only the portable ones', () => {
  const patterns = [...new Set(CRD_SCHEMA_JSON.flatMap((text) => [...text.matchAll(/"pattern":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string)))].sort();
  const portable = patterns.filter(isPortablePattern);

  test('most patterns of the schemas are portable; the Go-only ones are not', () => {
    expect(patterns.length).toBeGreaterThan(10);
    expect(portable.length).toBeGreaterThan(patterns.length / 2);
    expect(patterns.filter((p) => /\\[pPsSdDwWbBzQ]/.test(p)).filter(isPortablePattern)).toEqual([]);
    for (const p of ['^\\PC*$', 'a.b', '^\\s+$', '(?i)abc', '[[:alpha:]]', '[]a]', '\\Qa.b\\E', 'é']) expect([p, isPortablePattern(p)]).toEqual([p, false]);
    for (const p of ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', '^(\\*\\.)?[a-z]+$', '^[A-Za-z0-9!#$%&\'*+\\-.^_\\x60|~]+$']) expect([p, isPortablePattern(p)]).toEqual([p, true]);
  });

  test('on every portable pattern of the schemas, JavaScript and re2js give every string the same verdict', () => {
    const alphabet = fc.constantFrom(...Array.from('aZz09-_.*:/@ \t\n\u00e9\u2028\u{1F600}`|~!#$%&\'+^'), 'Echo', 'Reply', 'ms', '65535', 'Ki', 'e+', 'localhost');
    const input = fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join(''));
    expect([...portable]).not.toEqual([]);
    const re2 = portable.map((p) => RE2JS.compile(p));
    const js = portable.map((p) => compilePattern(p));
    expect(js.filter((re) => re instanceof RegExp).length).toBeGreaterThan(portable.length / 2);
    const RUNS = 3000;
    let matched = 0;
    // Values of the kinds the patterns describe (they mostly match), slightly edited, or random strings.
    const seeds = ['demo.localhost', '*.localhost', '**.example.com', '8080', '65535', 'http', 'web', 'EchoReply', '100Mi', '1.5Gi', '2e3',
      '30s', '1h30m', '500ms', 'app.kubernetes.io/name', 'kube-system', 'a_b.c', 'Hostname', 'IPAddress', 'x', 'X-Header', 'ab!#~'];
    const edited = fc.tuple(fc.constantFrom(...seeds), alphabet, fc.nat(), fc.boolean())
      .map(([t, c, at, cut]) => t.slice(0, at % (t.length + 1)) + (cut ? '' : c) + t.slice(at % (t.length + 1) + (cut ? 1 : 0)));
    const value = fc.oneof(fc.constantFrom(...seeds), edited, input);
    fc.assert(fc.property(fc.nat({ max: portable.length - 1 }), value, (i, s) => {
      if (re2[i].test(s)) matched++;
      expect([portable[i], s, js[i].test(s)]).toEqual([portable[i], s, re2[i].test(s)]);
    }), { numRuns: RUNS, seed: 7 });
    // Both verdicts occur often (not only strings every pattern refuses).
    expect(matched).toBeGreaterThan(RUNS / 10);
    expect(matched).toBeLessThan(RUNS * 0.9);
  });
});

describeWithReference('the runtime validator agrees with the reference (ajv) validator', ['crds'], () => {
  test('the committed schemas are what scripts/crd-schemas.js generates from the reference (npx projen import)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-schemas-'));
    try {
      const out = path.join(dir, 'crd-schemas.generated.ts');
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'crd-schemas.js'), out], { cwd: ROOT, stdio: 'pipe' });
      expect(fs.readFileSync(out, 'utf8') === fs.readFileSync(path.join(ROOT, 'src', 'private', 'crd-schemas.generated.ts'), 'utf8')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the generated schemas cover exactly the served versions the reference lists for the emitted kinds', () => {
    const emitted = new Set(CRD_CATALOG.filter((e) => e.module).map((e) => `${e.group} ${e.kind}`));
    const served = servedCustomResourceKinds().filter((k) => emitted.has(`${k.split('/')[0]} ${k.split(' ')[1]}`));
    expect(schemaKinds(FOLDERS)).toEqual(served);
  });

  const app = new App();
  const presetObjects = addAllPresets(app).flatMap((c) => resolvedEntries(c).map((e) => e.object))
    .filter((o) => checkCrdSchema(o, FOLDERS) !== undefined);

  test('every custom object of the presets: both valid', () => {
    expect(presetObjects.length).toBeGreaterThan(10);
    for (const o of presetObjects) {
      expect([`${o.kind} ${o.metadata.name}`, checkCrdSchema(o, FOLDERS), validateCustomResourceSchema(o)]).toEqual([`${o.kind} ${o.metadata.name}`, [], []]);
    }
  });

  /** Every path to a value inside `o` (objects and arrays included), as lists of keys. */
  function paths(o: unknown, at: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = [at];
    if (Array.isArray(o)) o.forEach((x, i) => out.push(...paths(x, [...at, i])));
    else if (o && typeof o === 'object') for (const [k, x] of Object.entries(o)) out.push(...paths(x, [...at, k]));
    return out;
  }
  const at = (o: any, p: (string | number)[]) => p.reduce((x, k) => x[k], o);

  /** Mutations that break or keep schema limits: a replaced value, an added field, a deleted field, a list grown past its limit. */
  const replacement = fc.oneof(
    fc.constantFrom<unknown>(null, true, 0, -1, 65536, 1.5, '', 'TCP', 'ANY', 'x'.repeat(300), '10.0.0.0/8', 'Not A Host', '*.localhost', 'a.b', '8080', [], {}, ['x'], { a: 1 }),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -5, max: 70000 }),
  );
  const mutation = fc.record({
    object: fc.nat({ max: presetObjects.length - 1 }),
    path: fc.nat(),
    op: fc.constantFrom('replace', 'add', 'delete', 'grow'),
    key: fc.constantFrom('port', 'extra', 'matchLabels', 'hostnames', 'protocol'),
    value: replacement,
    times: fc.integer({ min: 1, max: 70 }),
  });

  test('random mutations of the preset objects: the same verdicts', () => {
    let invalid = 0;
    fc.assert(fc.property(mutation, (m) => {
      const o = structuredClone(presetObjects[m.object]);
      const all = paths(o).filter((p) => p.length > 0 && p[0] !== 'apiVersion' && p[0] !== 'kind');
      const p = all[m.path % all.length];
      const parent = at(o, p.slice(0, -1));
      const key = p[p.length - 1];
      const target = at(o, p);
      if (m.op === 'replace') parent[key] = m.value;
      else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key];
      else if (m.op === 'add' && target && typeof target === 'object' && !Array.isArray(target)) target[m.key] = m.value;
      else if (m.op === 'grow' && Array.isArray(target) && target.length > 0) for (let i = 0; i < m.times; i++) target.push(structuredClone(target[0]));
      else parent[key] = m.value;
      const runtime = checkCrdSchema(o, FOLDERS)!;
      const reference = validateCustomResourceSchema(o)!;
      if (reference.length > 0) invalid++;
      expect([JSON.stringify(o), runtime.length > 0]).toEqual([JSON.stringify(o), reference.length > 0]);
    }), { numRuns: 600, seed: 20240611 });
    // The mutations do break objects (the comparison is not only of valid ones).
    expect(invalid).toBeGreaterThan(100);
  });
});
