import * as YAML from 'yaml';

/**
 * Options shared by every output file: block style, no line folding, no anchors/aliases, keys in the
 * order they were built.
 *
 * The files are read by YAML 1.1 parsers (Helm and kubectl via sigs.k8s.io/yaml, kind and kubeadm),
 * while this library and many tools read YAML 1.2. `compat: 'yaml-1.1'` keeps the YAML 1.2 core schema
 * but quotes every string a YAML 1.1 reader would take for something else (`on`, `off`, `yes`, `no`,
 * `y`, `n`, sexagesimal `1:20`, `0b101`, `1_000`, dates, `<<`), as well as strings YAML 1.2 would take
 * for numbers (`0o17`). (`version: '1.1'` alone is not enough: it leaves `0o17` and `<<` plain.) Every
 * other scalar is written exactly as before: numbers, booleans and ordinary strings are unchanged.
 */
const STRINGIFY_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, compat: 'yaml-1.1' } as const;

/**
 * Serialises documents the same way for every output file. The result reads back identically with
 * YAML 1.1 and YAML 1.2 parsers. Deterministic for equal input.
 */
export function toYaml(doc: unknown): string {
  return YAML.stringify(doc, STRINGIFY_OPTIONS);
}

/** Serialises several documents as one multi-document YAML stream (`---` separated). */
export function toYamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join('---\n');
}
