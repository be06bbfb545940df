import * as YAML from 'yaml';
import { PlatformConfigError } from '../errors';
import { plainDataProblems, TextRule } from './plain-data';

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

/**
 * The characters every reader of the bundle takes verbatim inside any scalar. The readers: go-yaml v2 (through
 * sigs.k8s.io/yaml: kubectl, Helm, kind), go-yaml v3 (kyaml: kustomize, so `kubectl apply -k`, Argo CD, Flux) and
 * YAML 1.1/1.2 parsers. Start from YAML's printable set (YAML 1.1 §5.1 c-printable = YAML 1.2 §5.1; go-yaml
 * `readerc.go` `yaml_parser_update_buffer` refuses anything else raw, "control characters are not allowed": tab,
 * LF, CR, U+0020-U+007E, U+0085, U+00A0-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF) and take away
 * - the line breaks: LF and CR in every reader, and U+0085 (NEL), U+2028 (LS), U+2029 (PS) in YAML 1.1 (§5.4
 *   b-char) and go-yaml (`yamlprivateh.go` `is_break`), while YAML 1.2 (§5.4) reads them as content: written raw,
 *   they end the line for Go, so the rest of a string becomes new YAML (a key, a list item, `---` a new document),
 *   and inside quotes they fold into a space;
 * - tab (a plain scalar's leading/trailing tabs are stripped; go-yaml refuses tabs as indentation);
 * - U+FEFF (go-yaml `scannerc.go` `yaml_parser_scan_to_next_token` skips a BOM at column 0; YAML 1.2 §5.2 allows
 *   it only at the start of a document).
 * A string with any other character is double-quoted, those characters escaped as `\uXXXX` (YAML 1.1 and 1.2 §5.7,
 * go-yaml `yaml_parser_scan_flow_scalar`), which every reader turns back into the same character. Only lone
 * surrogates have no escape (go-yaml: "found invalid Unicode character escape code"): the plain-data check refuses them.
 */
const VERBATIM = '\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd\\u{10000}-\\u{10ffff}';
/** A character that must be escaped, so the string must be double-quoted. */
const NEEDS_ESCAPE = new RegExp(`[^${VERBATIM}]`, 'u');
/** True when `text` holds a character that must be escaped (outside {@link VERBATIM}), so it is written double-quoted. */
export function needsEscape(text: string): boolean {
  return NEEDS_ESCAPE.test(text);
}

/** The characters a double-quoted scalar escapes: `"`, `\\` and everything not verbatim. */
const ESCAPE = new RegExp(`["\\\\]|[^${VERBATIM}]`, 'gu');

/**
 * Longest key (in UTF-16 units, never fewer than characters) written as an implicit `key: value`: YAML 1.2 §7.4
 * and go-yaml (`yaml_parser_stale_simple_keys`) need the `:` within 1,024 characters of the key's start. Longer keys
 * are written explicitly (`? key` / `: value`), which every reader takes.
 */
const MAX_IMPLICIT_KEY = 1000;

/** Each distinct single-line scalar is quoted once; the output repeats many. */
const scalarCache = new Map<string, string>();

function singleLineScalar(value: string | number): string {
  const key = typeof value === 'number' ? `n:${value}` : `s:${value}`;
  let text = scalarCache.get(key);
  if (text === undefined) {
    if (typeof value === 'string' && NEEDS_ESCAPE.test(value)) {
      text = doubleQuoted(value);
    } else {
      text = YAML.stringify(value, SCALAR_OPTIONS).replace(/\n$/, '');
      // The `yaml` library knows YAML 1.1 and 1.2, not Go's readings: quote what it left plain. It also writes some
      // one-line strings (`---`, `... x`) as block scalars, whose indentation would not match the key's: quote those.
      if (typeof value === 'string' && ((text === value && goYamlResolvesNonString(value)) || text.includes('\n'))) text = doubleQuoted(value);
    }
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
    && lines.every((l) => !/ $/.test(l) && !NEEDS_ESCAPE.test(l));
  if (!literalSafe) return doubleQuoted(value);
  const indent = `${lineIndent}  `;
  return `${trailing === 1 ? '|' : '|-'}\n${lines.map((l) => (l === '' ? '' : indent + l)).join('\n')}`;
}

/**
 * One-line double-quoted scalar: `"`, `\\` and every character outside {@link VERBATIM} escaped, with escapes every
 * reader knows (JSON's, which YAML 1.1, 1.2 and go-yaml all accept: `\\n`, `\\t`, `\\uXXXX`). Never given a lone
 * surrogate (refused before: go-yaml refuses its escape).
 */
function doubleQuoted(value: string): string {
  return `"${value.replace(ESCAPE, (c) => (c.charCodeAt(0) < 0x20 || c === '"' || c === '\\' ? JSON.stringify(c).slice(1, -1) : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
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
    // `? key` on its own line, then `: value`: a long key as an explicit key (see MAX_IMPLICIT_KEY).
    const [keyLine, valueIndicator] = k.length > MAX_IMPLICIT_KEY ? [`${indent}? ${k}\n`, `${indent}:`] : ['', `${indent}${k}:`];
    if (keyLine) out.push(keyLine);
    if (isBlockCollection(value)) {
      out.push(`${valueIndicator}\n`);
      writeBlock(value, `${indent}  `, out);
    } else {
      out.push(`${valueIndicator} ${emptyCollection(value) ?? scalar(value, indent)}\n`);
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
 * {@link SCALAR_OPTIONS}) plus the ones Go reads as non-strings ({@link goYamlResolvesNonString}), and
 * every string with a character outside {@link VERBATIM} is double-quoted and escaped, so the result reads
 * back identically with YAML 1.1, YAML 1.2 and Go (sigs.k8s.io/yaml, kyaml) parsers; keys too long for an
 * implicit key are written as explicit keys.
 * The document must be plain data (`plainDataProblems`: no NaN, cycles, Dates, lone surrogates, ...):
 * otherwise one {@link PlatformConfigError} lists every problem, each field prefixed with `where` (the file).
 * A small emitter instead of `YAML.stringify` for the whole document: it is about ten times faster
 * on large bundles. Deterministic for equal input.
 */
export function toYaml(doc: unknown, where = 'document'): string {
  const problems = plainDataProblems(`${where}: `, doc);
  if (problems.length > 0) throw new PlatformConfigError(problems);
  return emit(doc);
}

/** Writes one checked document. */
function emit(doc: unknown): string {
  if (!isBlockCollection(doc)) return `${emptyCollection(doc) ?? scalar(doc, '')}\n`;
  const out: string[] = [];
  writeBlock(doc, '', out);
  return out.join('');
}

/**
 * Characters kustomize cannot carry even when escaped: DEL, the C1 controls (NEL included), U+FFFE and U+FFFF. Its
 * build re-encodes every object and reads it back: it then refuses them ("control characters are not allowed",
 * kubernetes-sigs/kustomize#5148), and NEL, which it writes raw, folds into a space in a value and ends a key.
 * Measured with the kustomize v5.6.0 of kubectl 1.33 over every BMP code point, in values and in keys.
 */
const KUSTOMIZE_REFUSES = /[\x7f-\x9f\ufffe\uffff]/;

/**
 * Longest key kustomize carries, measured as its build writes it: ASCII only, every other character escaped (`\t`:
 * 2 characters, `\x01`: 4, `\u00e9`: 6, `\U0001f600`: 10), quoted, and then read back as an implicit key, which
 * go-yaml caps at 1,024 characters (measured: 1,022 `a`, 511 tabs, 170 `é`, 102 emoji pass; one more fails).
 * Kubernetes keys never come close (label and annotation keys stop at 317 characters, ConfigMap keys at 253).
 */
const KUSTOMIZE_MAX_KEY = 1020;

/**
 * An upper bound of a key's length as kustomize writes it, quotes included (see {@link KUSTOMIZE_MAX_KEY}): measured
 * 2 characters for tab, backspace, `"` and `\\`, 6 for other controls and BMP characters past ASCII (`\u0001`,
 * `\u00e9`), 10 past the BMP (`\U0001f600`).
 */
function kustomizeKeyLength(key: string): number {
  let n = 2;
  for (const c of key) {
    const cp = c.codePointAt(0)!;
    n += c === '\t' || c === '\b' || c === '"' || c === '\\' ? 2 : cp >= 0x10000 ? 10 : cp >= 0x7f || cp < 0x20 ? 6 : 1;
  }
  return n;
}

/**
 * What kustomize cannot carry in `text` (a key when `isKey`), as a violation without its field, or undefined.
 * Manifests are applied with `kubectl apply -k` (and read by Argo CD and Flux through kustomize).
 */
export const kustomizeCarries: TextRule = (text, isKey) => {
  if (isKey && kustomizeKeyLength(text) > KUSTOMIZE_MAX_KEY) {
    return {
      rule: 'text-kustomize-refuses',
      problem: `is a key of ${text.length} characters, too long for kustomize (kubectl apply -k, Argo CD, Flux): its build writes keys ASCII-escaped and then reads at most 1,024 characters of a key`,
      fix: 'use a shorter key (Kubernetes keys stop at 317 characters: a 253-character prefix, "/" and a 63-character name)',
    };
  }
  const c = KUSTOMIZE_REFUSES.exec(text)?.[0];
  return c === undefined ? undefined : {
    rule: 'text-kustomize-refuses',
    problem: `holds U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which kustomize (kubectl apply -k, Argo CD, Flux) cannot carry even escaped: its build fails or changes it (kubernetes-sigs/kustomize#5148)`,
    fix: 'remove the character (DEL, the C1 controls U+0080-U+009F, U+FFFE and U+FFFF)',
  };
};

/**
 * Serialises Kubernetes objects as one multi-document YAML stream (`---` separated), the manifests of a cluster:
 * besides plain data, every string must be one kustomize can carry ({@link KUSTOMIZE_REFUSES}).
 */
export function toYamlStream(docs: readonly unknown[], where = 'stream'): string {
  const problems = docs.flatMap((d, i) => plainDataProblems(`${where} ${describeDocument(d, i)}: `, d, kustomizeCarries));
  if (problems.length > 0) throw new PlatformConfigError(problems);
  return docs.map((d) => emit(d)).join('---\n');
}

/** `Kind namespace/name` of a Kubernetes object, else its position in the stream, for messages. */
function describeDocument(doc: unknown, index: number): string {
  const o = (isMap(doc) ? doc : {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const name = isMap(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : undefined;
  if (typeof o.kind !== 'string' || name === undefined) return `document ${index + 1}`;
  return `${o.kind} ${typeof o.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : ''}${name}`;
}
