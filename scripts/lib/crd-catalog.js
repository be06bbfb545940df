// Loads src/private/crd-catalog.ts (THE one CRD list) into a generator script: esbuild bundles it in memory.
'use strict';
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

/** The exports of a TypeScript module of the repository (bundled in memory by esbuild). */
function loadFile(file) {
  const esbuild = require('esbuild');
  const out = esbuild.buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', write: false });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', '__dirname', out.outputFiles[0].text)(mod, mod.exports, require, path.dirname(file));
  return mod.exports;
}

/** The exports of a TypeScript module of src/. */
function loadModule(...file) {
  return loadFile(path.join(root, 'src', ...file));
}

/**
 * The folder the CRDs are read from: where the tests' gate takes them (test/support/reference-root.ts: the
 * fetch-reference cache, else SHARED_REFERENCE_DIR, else ../shared/reference), or undefined when none has them.
 */
function crdReference() {
  const { resolveReference } = loadFile(path.join(root, 'test', 'support', 'reference-root.ts'));
  const served = resolveReference().parts.crds;
  return served ? served.dir : undefined;
}

/** The exports of src/private/crd-catalog.ts (`CRD_CATALOG`, `BINDINGS_REFERENCE`, `crdReferenceFile`, ...). */
function loadCatalog() {
  return loadModule('private', 'crd-catalog.ts');
}

/** Drops every string `description` (upstream prose); an object under that key is a field named "description". */
function stripDescriptions(node) {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'description' && typeof value === 'string') continue;
      out[key] = stripDescriptions(value);
    }
    return out;
  }
  return node;
}

module.exports = { root, crdReference, loadCatalog, loadFile, loadModule, stripDescriptions };
