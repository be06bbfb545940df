import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { goYamlResolvesNonString, toYaml, toYamlStream } from '../../src/private/yaml';

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

  test('a stream separates documents with ---', () => {
    expect(toYamlStream([{ a: 1 }, { b: [] }])).toBe('a: 1\n---\nb: []\n');
  });
});
