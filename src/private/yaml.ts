import * as YAML from 'yaml';

/**
 * Scalar options: no line folding, and `compat: 'yaml-1.1'`.
 *
 * The files are read by YAML 1.1 parsers (Helm and kubectl via sigs.k8s.io/yaml, kind and kubeadm),
 * while this library and many tools read YAML 1.2. `compat: 'yaml-1.1'` keeps the YAML 1.2 core schema
 * but quotes every string a YAML 1.1 reader would take for something else (`on`, `off`, `yes`, `no`,
 * `y`, `n`, sexagesimal `1:20`, `0b101`, `1_000`, dates, `<<`), as well as strings YAML 1.2 would take
 * for numbers (`0o17`). (`version: '1.1'` alone is not enough: it leaves `0o17` and `<<` plain.)
 */
const SCALAR_OPTIONS = { lineWidth: 0, compat: 'yaml-1.1' } as const;
// Go's YAML reader (sigs.k8s.io/yaml -> go-yaml v2) resolves still more plain scalars to numbers than
// YAML 1.1 does (`0XF_F`, `0O17`, `+_1`): see {@link goYamlResolvesNonString}.

/**
 * Plain words some reader resolves to a bool, null, float or special key: go-yaml v2's table (used by
 * sigs.k8s.io/yaml, so by kubectl, kind and Helm), YAML 1.1 (`=` is its value key; PyYAML refuses it plain)
 * and YAML 1.2 core.
 */
const NON_STRING_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<', '=',
]);

/**
 * Numbers as go-yaml (v2 and v3) reads a plain scalar starting with a digit, sign or dot, AFTER it has removed
 * every `_`: `strconv.ParseInt(s, 0)` / `ParseUint` (sign, then `0x`/`0o`/`0b` in either case or a leading-0
 * octal, or decimal), its `yamlStyleFloat` regex (also for `09`, `1.`, `.5`, `1e3`), and `0b`/`0o` forms.
 * Deliberately wider than Go (any alphanumeric digit after a base prefix, no range checks): quoting a
 * string that did not need it costs two characters, missing one changes the value.
 */
const GO_NUMBER = /^[-+]?(?:0[xXoObB][0-9a-zA-Z]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;

/** go-yaml's timestamp test (4-digit year, `-`, then `2006-1-2` optionally followed by a time); kept wide. */
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt \t])/;

/**
 * True when a plain scalar `text` would not read back as the same string in some reader of the bundle
 * although the `yaml` library (YAML 1.1 + 1.2 core rules) would write it plain, e.g. `0XF_F` (Go: 255),
 * `0O17` (15), `+_1` (1), `0B11` as a map key (3; kustomize then fails), `=`.
 */
export function goYamlResolvesNonString(text: string): boolean {
  if (NON_STRING_WORDS.has(text)) return true;
  const first = text.charCodeAt(0);
  // go-yaml only tries numbers and timestamps for scalars starting with a digit, `+`, `-` or `.`.
  const numeric = (first >= 0x30 && first <= 0x39) || first === 0x2b || first === 0x2d || first === 0x2e;
  return numeric && (GO_NUMBER.test(text.replace(/_/g, '')) || GO_TIMESTAMP.test(text));
}

/** Each distinct single-line scalar is quoted once; the output repeats many. */
const scalarCache = new Map<string, string>();

function singleLineScalar(value: string | number): string {
  const key = typeof value === 'number' ? `n:${value}` : `s:${value}`;
  let text = scalarCache.get(key);
  if (text === undefined) {
    text = YAML.stringify(value, SCALAR_OPTIONS).replace(/\n$/, '');
    // The `yaml` library knows YAML 1.1 and 1.2, not Go's readings: quote what it left plain.
    if (typeof value === 'string' && text === value && goYamlResolvesNonString(value)) text = doubleQuoted(value);
    if (scalarCache.size > 100_000) scalarCache.clear();
    scalarCache.set(key, text);
  }
  return text;
}

/** A multi-line string as a literal block (`|`, `|-`) when that is exact, else one double-quoted line. */
function multiLineScalar(value: string, lineIndent: string): string {
  const trailing = /\n*$/.exec(value)![0].length;
  const body = value.slice(0, value.length - trailing);
  const lines = body.split('\n');
  const firstText = lines.find((l) => l !== '');
  // Literal blocks detect their indentation from the first non-empty line and drop trailing spaces.
  const literalSafe = trailing <= 1 && firstText !== undefined && !firstText.startsWith(' ')
    && !/[\r\t\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/.test(value) && lines.every((l) => !/ $/.test(l));
  if (!literalSafe) return doubleQuoted(value);
  const indent = `${lineIndent}  `;
  return `${trailing === 1 ? '|' : '|-'}\n${lines.map((l) => (l === '' ? '' : indent + l)).join('\n')}`;
}

/** One-line double-quoted scalar: JSON escapes plus the characters YAML also treats as breaks or BOM. */
function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\x7f-\x9f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(value: unknown, lineIndent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : singleLineScalar(value);
  const text = String(value);
  return text.includes('\n') ? multiLineScalar(text, lineIndent) : singleLineScalar(text);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlockCollection(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : isMap(value) && Object.keys(value).length > 0;
}

function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (isMap(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function writeMap(map: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const k = key.includes('\n') ? doubleQuoted(key) : singleLineScalar(key);
    if (isBlockCollection(value)) {
      out.push(`${indent}${k}:\n`);
      writeBlock(value, `${indent}  `, out);
    } else {
      out.push(`${indent}${k}: ${emptyCollection(value) ?? scalar(value, indent)}\n`);
    }
  }
}

function writeSeq(items: readonly unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    if (isBlockCollection(item)) {
      // The first line of the nested collection goes on the dash line.
      const nested: string[] = [];
      writeBlock(item, `${indent}  `, nested);
      nested[0] = `${indent}- ${nested[0].slice(indent.length + 2)}`;
      out.push(...nested);
    } else {
      out.push(`${indent}- ${emptyCollection(item) ?? scalar(item ?? null, indent)}\n`);
    }
  }
}

function writeBlock(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) writeSeq(value, indent, out);
  else writeMap(value as Record<string, unknown>, indent, out);
}

/**
 * Serialises one JSON-like document (block style, keys in the order they were built, no anchors)
 * for every output file. The layout is the `yaml` library's; scalars are quoted by it (see
 * {@link SCALAR_OPTIONS}) plus the ones Go reads as non-strings ({@link goYamlResolvesNonString}),
 * so the result reads back identically with YAML 1.1, YAML 1.2 and Go (sigs.k8s.io/yaml) parsers.
 * A small emitter instead of `YAML.stringify` for the whole document: it is about ten times faster
 * on large bundles. Deterministic for equal input.
 */
export function toYaml(doc: unknown): string {
  if (!isBlockCollection(doc)) return `${emptyCollection(doc) ?? scalar(doc, '')}\n`;
  const out: string[] = [];
  writeBlock(doc, '', out);
  return out.join('');
}

/** Serialises several documents as one multi-document YAML stream (`---` separated). */
export function toYamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join('---\n');
}
