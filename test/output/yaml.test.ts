import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { PlatformConfigError } from '../../src';
import { goYamlResolvesNonString, needsEscape, toYaml, toYamlStream } from '../../src/private/yaml';
import { configError } from '../support/config-error';

const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a\nb', '\n'), fc.constantFrom('on', 'y', 'no', '1:20', '<<', '0o17', 'app.kubernetes.io/name', '- x', '# c'));
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('on', 'off', 'yes', 'NO', '~', 'null', '1_000', '0x1F', '.inf', '2001-12-14', 'a: b', ' lead', 'trail ', '*ref', '&a', '!tag', '%x', '@x', '`x'));
const multiline = fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 })), { minLength: 2, maxLength: 4 }).map((lines) => lines.join('\n'));
const scalar = fc.oneof(text, multiline, fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
const { doc } = fc.letrec((tie) => ({
  doc: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), tie('doc')),
}));

describe('toYaml (the bundle serialiser)', () => {
  test('reads back as the same JSON with YAML 1.1 and 1.2 parsers (500 random documents)', () => {
    fc.assert(fc.property(doc, (d) => {
      const expected = JSON.parse(JSON.stringify(d));
      const out = toYaml(d);
      expect(YAML.parse(out, { version: '1.2' })).toEqual(expected);
      expect(YAML.parse(out, { version: '1.1' })).toEqual(expected);
    }), { numRuns: 500 });
  });

  test('lays documents out like YAML.stringify (single-line strings, 300 random documents)', () => {
    const singleLine = fc.letrec((tie) => ({
      doc: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
      node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.array(tie('node'), { maxLength: 4 }), tie('doc')),
    })).doc;
    fc.assert(fc.property(singleLine, (d) => {
      fc.pre(!/\\[nr]/.test(JSON.stringify(d))); // multi-line strings have their own layout (next test)
      // Strings Go reads as numbers are quoted although the `yaml` library leaves them plain (yaml-go-readers.test.ts).
      const strings = (JSON.stringify(d).match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((q) => JSON.parse(q) as string);
      fc.pre(!strings.some((t) => goYamlResolvesNonString(t) && YAML.stringify(t, { compat: 'yaml-1.1' }) === `${t}\n`));
      // Strings with a line break or control character are double-quoted with escapes every reader knows (tests below).
      fc.pre(!strings.some(needsEscape));
      expect(toYaml(d)).toBe(YAML.stringify(d, { lineWidth: 0, aliasDuplicateObjects: false, compat: 'yaml-1.1' }));
    }), { numRuns: 300 });
  });

  test('multi-line strings become literal blocks', () => {
    expect(toYaml({ patches: ['kind: A\nx: 1\n'], note: 'a\nb' })).toBe('patches:\n  - |\n    kind: A\n    x: 1\nnote: |-\n  a\n  b\n');
  });

  test('double-quotes strings Go reads as numbers, as keys and values', () => {
    expect(toYaml({ 'tier': '0XF_F', 'fqdn': '0O17', 'cn': '0X_1F', '0B11': 'k', 'one': '+_1', 'eq': '=', 'name': 'v1.18.1' }))
      .toBe('tier: "0XF_F"\nfqdn: "0O17"\ncn: "0X_1F"\n"0B11": k\none: "+_1"\neq: "="\nname: v1.18.1\n');
  });

  test('strings some reader takes as a line break, control or BOM are escaped in keys and values (500 random pairs)', () => {
    const SPECIAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
    const special = fc.string({ unit: fc.oneof(fc.constantFrom('\u0085', '\u2028', '\u2029', '\ufeff', '\r', '\t', '\0', '\x7f', '\x9f', '\ufffe', '- ', ': '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 10 });
    fc.assert(fc.property(special, special, (k, value) => {
      const out = toYaml({ [k]: value, nested: [{ [k]: [value, `${value}\n${value}`] }] });
      expect(out.replace(/\n/g, '')).not.toMatch(SPECIAL);
      expect(YAML.parse(out, { version: '1.1' })).toEqual({ [k]: value, nested: [{ [k]: [value, `${value}\n${value}`] }] });
    }), { numRuns: 500 });
  });

  test('the injection of issue 19 stays one string: "\\u2028--- " and a policy path with line breaks', () => {
    expect(toYaml({ v: '\u2028--- ' })).toBe('v: "\\u2028--- "\n');
    expect(toYaml({ path: '/healthz\u2028    - fromEntities:\u2028        - all' })).toBe('path: "/healthz\\u2028    - fromEntities:\\u2028        - all"\n');
    expect(toYaml({ note: 'x\u0085extraArgs:\u2029- --enable-policy=never' })).toBe('note: "x\\u0085extraArgs:\\u2029- --enable-policy=never"\n');
  });

  test('one-line strings the yaml library writes as block scalars (---, ...) are quoted at any depth', () => {
    const markers = { a: { b: '---', c: ['...', { '--- x': '--- y' }] } };
    expect(toYaml(markers)).toBe('a:\n  b: "---"\n  c:\n    - "..."\n    - "--- x": "--- y"\n');
    expect(YAML.parse(toYaml(markers))).toEqual(markers);
  });

  test('keys too long for an implicit key (1,024 characters) are written as explicit keys', () => {
    const long = 'k'.repeat(1500);
    const longKeys = { [long]: 'v', list: [{ [long]: { a: 1 } }], short: 1 };
    const out = toYaml(longKeys);
    expect(out).toContain(`? ${long}\n: v\n`);
    expect(out).toContain(`  - ? ${long}\n    :\n      a: 1\n`);
    expect(YAML.parse(out)).toEqual(longKeys);
  });

  test.each([
    ['NaN', { a: NaN }, 'non-finite-number', 'f: a'],
    ['Infinity in a list', { a: [1, -Infinity] }, 'non-finite-number', 'f: a[1]'],
    ['a function', { a: { b: () => 1 } }, 'unsupported-value', 'f: a.b'],
    ['a symbol', { a: Symbol('s') }, 'unsupported-value', 'f: a'],
    ['a Date', { a: new Date(0) }, 'unsupported-value', 'f: a'],
    ['a Map', { 'a key': new Map() }, 'unsupported-value', 'f: ["a key"]'],
    ['a lone surrogate in a key', { 'x\ud800': 1 }, 'unencodable-text', 'f: ["x\\ud800"]'],
    ['a lone surrogate in a value', { a: ['\udc00'] }, 'unencodable-text', 'f: a[0]'],
  ] as const)('refuses %s, naming where', (_name, bad, rule, field) => {
    const error = configError(() => toYaml(bad, 'f'));
    expect(error.violations).toEqual([expect.objectContaining({ rule, field })]);
  });

  test('refuses a cycle and a 20,000-deep document (a PlatformConfigError, never a RangeError)', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(configError(() => toYaml(cyclic, 'f')).violations).toEqual([expect.objectContaining({ rule: 'cyclic-value', field: 'f: self.back' })]);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    expect(configError(() => toYaml(deep, 'f')).rules).toEqual(['too-deep']);
    expect(() => toYaml(deep)).toThrow(PlatformConfigError);
  });

  test('a stream separates documents with ---', () => {
    expect(toYamlStream([{ a: 1 }, { b: [] }])).toBe('a: 1\n---\nb: []\n');
  });
});
