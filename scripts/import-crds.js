#!/usr/bin/env node
// Regenerates imports/ (cdk8s bindings) from the upstream CRDs (the fetch-reference cache, SHARED_REFERENCE_DIR or ../shared/reference).
// Every string `description` is stripped first: types, enums, patterns and required lists
// are facts we may commit; upstream prose is not. Usage: `npx projen import`.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');

const { root, crdReference, loadCatalog, stripDescriptions } = require('./lib/crd-catalog');
const scratch = path.join(root, '.crd-stripped');

const catalog = loadCatalog();
const MODULES = {};
for (const entry of catalog.CRD_CATALOG.filter((e) => e.module)) {
  (MODULES[entry.module] = MODULES[entry.module] || []).push(catalog.crdReferenceFile(entry));
}

const reference = crdReference();
if (reference === undefined) {
  console.error('import-crds: no upstream CRDs: run `npm run fetch-reference` (or set SHARED_REFERENCE_DIR, or put ../shared/reference beside the repository).');
  process.exit(1);
}

fs.rmSync(scratch, { recursive: true, force: true });
fs.rmSync(path.join(root, 'imports'), { recursive: true, force: true });
fs.mkdirSync(scratch, { recursive: true });
const specs = [];
for (const [moduleName, files] of Object.entries(MODULES)) {
  const docs = [];
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(reference, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd) docs.push(stripDescriptions(crd));
    }
  }
  const target = path.join(scratch, `${moduleName}.yaml`);
  fs.writeFileSync(target, docs.map((d) => YAML.stringify(d)).join('---\n'));
  specs.push(`${moduleName}:=${target}`);
}

for (const spec of specs) {
  execFileSync('npx', ['cdk8s', 'import', spec, '--output', 'imports', '--no-save', '--check-upgrade=false'], {
    cwd: root,
    stdio: 'inherit',
  });
}
fs.rmSync(scratch, { recursive: true, force: true });

// `cdk8s import NAME:=file` writes imports/NAME-<group>.ts; keep the short, stable NAME.ts.
for (const file of fs.readdirSync(path.join(root, 'imports'))) {
  const moduleName = Object.keys(MODULES).find((name) => file.startsWith(`${name}-`));
  if (moduleName) fs.renameSync(path.join(root, 'imports', file), path.join(root, 'imports', `${moduleName}.ts`));
}

// Guard: nothing of upstream prose may survive in the generated bindings' JSDoc.
for (const file of fs.readdirSync(path.join(root, 'imports'))) {
  const text = fs.readFileSync(path.join(root, 'imports', file), 'utf8');
  if (/controller-gen|kubebuilder/.test(text)) {
    console.error(`import-crds: imports/${file} still carries upstream annotations`);
    process.exit(1);
  }
}
console.log(`import-crds: generated ${specs.length} modules in imports/`);
