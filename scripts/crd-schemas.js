#!/usr/bin/env node
// Generates src/private/crd-schemas.generated.ts: the description-free structural schema (openAPIV3Schema) of
// every served version of every custom resource kind the library emits (CRD_CATALOG entries with a `module`),
// read from the upstream CRDs (the fetch-reference cache, SHARED_REFERENCE_DIR or ../shared/reference). The runtime validator (src/private/crd-schema.ts) checks every
// custom object against them when the bundle is rendered. Run by `npx projen import` (after import-crds.js).
//
// Kept: the keywords the validator evaluates (types, enums, patterns, formats, min/max limits, required,
// closed objects, defaults, nullable, int-or-string, preserve-unknown-fields). Dropped: upstream prose
// (description), CEL rules (x-kubernetes-validations: checked by the test suite's CEL evaluator only),
// list/map markers the validator does not evaluate, and `status` (the API server ignores it on create).
// Any other keyword stops the generator, so the runtime validator never silently skips a limit.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { root, crdReference, loadCatalog, loadModule } = require('./lib/crd-catalog');

const catalog = loadCatalog();

/**
 * Reference folder per CRD source, one map per set of versions the library can emit. Today: the bindings
 * reference. A version-aware library adds one line per set (e.g. `{ ...BINDINGS_REFERENCE, cilium: 'cilium-1.19' }`);
 * the index is keyed by folder, so sets sharing a folder share its schemas.
 */
const matrix = loadModule('spec', 'version-matrix.ts');
const REFERENCE_SETS = [
  catalog.BINDINGS_REFERENCE,
  // Every supported Cilium minor with its Gateway API pair, and every Gateway API release with a folder.
  ...matrix.CILIUM_MINORS.flatMap((minor) => matrix.GATEWAY_API_RELEASES.map((r) => matrix.crdSchemaFolders(minor, r.version))),
];

// `node scripts/crd-schemas.js [out]`: another output file (the tests check the committed one is current).
const OUT = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'src', 'private', 'crd-schemas.generated.ts');

/** Keywords the runtime validator evaluates (must match src/private/crd-schema.ts). */
const KEPT = new Set([
  'type', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'pattern', 'format',
  'maxItems', 'minItems', 'maxLength', 'minLength', 'maxProperties', 'minProperties', 'minimum', 'maximum',
  'anyOf', 'oneOf', 'allOf', 'not', 'default', 'nullable',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields',
]);
/** Keywords dropped on purpose (not evaluated at runtime, see the header). */
const DROPPED = new Set([
  'description', 'example', 'title', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type', 'x-kubernetes-embedded-resource',
]);
/** Formats the runtime validator implements (must match FORMATS in src/private/crd-schema.ts). */
const FORMATS = new Set(['cidr', 'int32', 'int64', 'idn-hostname', 'date-time', 'ipv4', 'ipv6', 'byte']);

function minimize(node, where) {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`${where}: not a schema`);
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (!KEPT.has(key)) throw new Error(`${where}: keyword "${key}" is not evaluated by src/private/crd-schema.ts; implement it there and keep it here`);
    if (key === 'properties') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, minimize(v, `${where}.${k}`)]));
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      out[key] = value.map((v, i) => minimize(v, `${where}.${key}[${i}]`));
    } else if (key === 'not' || key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      if (Array.isArray(value)) throw new Error(`${where}.${key}: tuple schemas are not supported`);
      out[key] = minimize(value, `${where}.${key}`);
    } else if (key === 'format' && !FORMATS.has(value)) {
      throw new Error(`${where}: format "${value}" is not implemented by src/private/crd-schema.ts`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function readCrd(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(reference, file), 'utf8')).map((d) => d.toJS());
  const crd = docs.find((d) => d && d.kind === 'CustomResourceDefinition');
  if (!crd) throw new Error(`${file}: no CustomResourceDefinition`);
  return crd;
}

const reference = crdReference();
if (reference === undefined) {
  console.error('crd-schemas: no upstream CRDs: run `npm run fetch-reference` (or set SHARED_REFERENCE_DIR, or put ../shared/reference beside the repository).');
  process.exit(1);
}

const texts = [];
const index = {};
for (const set of REFERENCE_SETS) {
  for (const entry of catalog.CRD_CATALOG.filter((e) => e.module)) {
    const folder = set[entry.source];
    const file = catalog.crdReferenceFile(entry, folder);
    const crd = readCrd(file);
    if (crd.spec.group !== entry.group || crd.spec.names.kind !== entry.kind) throw new Error(`${file} is not the CRD of ${entry.kind}.${entry.group}`);
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = version.schema && version.schema.openAPIV3Schema;
      if (!schema) throw new Error(`${file} ${version.name}: no openAPIV3Schema`);
      const small = minimize(schema, `${entry.kind}.${entry.group}/${version.name}`);
      if (version.subresources && version.subresources.status && small.properties && small.properties.status) {
        small.properties.status = { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true };
      }
      const text = JSON.stringify(small);
      let i = texts.indexOf(text);
      if (i < 0) i = texts.push(text) - 1;
      (index[folder] = index[folder] || {})[`${entry.group}/${version.name} ${entry.kind}`] = i;
    }
  }
}

const sortedIndex = Object.fromEntries(Object.keys(index).sort().map((folder) => [folder,
  Object.fromEntries(Object.keys(index[folder]).sort().map((k) => [k, index[folder][k]]))]));
const lines = [
  '/* eslint-disable */',
  '// Generated by scripts/crd-schemas.js (`npx projen import`) from ../shared/reference. Do not edit.',
  '// Description-free structural schemas of the custom resources the library emits, for src/private/crd-schema.ts.',
  '',
  '/** Reference folder -> `<group>/<version> <Kind>` (every served version) -> index into {@link CRD_SCHEMA_JSON}. */',
  `export const CRD_SCHEMA_INDEX: Readonly<Record<string, Readonly<Record<string, number>>>> = ${JSON.stringify(sortedIndex, null, 2).replace(/"/g, '\'')};`,
  '',
  '/** Each distinct schema once, as JSON text: parsed on first use (JSON.parse is cheaper than an object literal). */',
  'export const CRD_SCHEMA_JSON: readonly string[] = [',
  ...texts.map((t) => `  ${JSON.stringify(t)},`),
  '];',
  '',
];
fs.writeFileSync(OUT, lines.join('\n'));
console.log(`crd-schemas: ${Object.values(index).reduce((n, m) => n + Object.keys(m).length, 0)} kind versions, ${texts.length} distinct schemas, ${fs.statSync(OUT).size} bytes in ${OUT}`);
