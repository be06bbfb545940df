// Loads src/private/crd-catalog.ts (THE one CRD list) into a generator script: esbuild bundles it in memory.
'use strict';
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

/** The exports of a TypeScript module of src/ (bundled in memory by esbuild). */
function loadModule(...file) {
  const esbuild = require('esbuild');
  const out = esbuild.buildSync({ entryPoints: [path.join(root, 'src', ...file)], bundle: true, platform: 'node', format: 'cjs', write: false });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  return mod.exports;
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

module.exports = { root, reference: path.resolve(root, '..', 'shared', 'reference'), loadCatalog, loadModule, stripDescriptions };
