import * as YAML from 'yaml';

/**
 * Serialises documents the same way for every output file: block style, no line folding,
 * no anchors/aliases, keys in the order they were built. Deterministic for equal input.
 */
export function toYaml(doc: unknown): string {
  return YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Serialises several documents as one multi-document YAML stream (`---` separated). */
export function toYamlStream(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join('---\n');
}
