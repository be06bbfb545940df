#!/usr/bin/env node
// Writes the version matrix tables (rendered from src/spec by renderVersionTables) between the version-tables
// markers of a Markdown file:
//   node scripts/render-version-docs.js             # README.md
//   node scripts/render-version-docs.js docs/x.md   # another file with the markers
//   node scripts/render-version-docs.js --check     # exit 1 when the file's block is stale (writes nothing)
// esbuild bundles src/spec/version-docs.ts (as scripts/upgrade-view.js does for the library), so no compile step is needed.
'use strict';
const fs = require('fs');
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

const args = process.argv.slice(2);
const check = args.includes('--check');
const files = args.filter((a) => a !== '--check');
if (files.length > 1 || files.some((f) => f.startsWith('-'))) {
  process.stderr.write('usage: node scripts/render-version-docs.js [--check] [file.md]\n');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const target = path.resolve(root, files[0] ?? 'README.md');
const docs = require(bundleEntry(path.join(root, 'src', 'spec', 'version-docs.ts'), path.join(root, '.cdk8s-build', 'version-docs.js')));
const before = fs.readFileSync(target, 'utf8');
const after = docs.spliceVersionTables(before);
if (check) {
  if (after !== before) {
    process.stderr.write(`${path.relative(root, target)}: the version tables are stale; run node scripts/render-version-docs.js\n`);
    process.exit(1);
  }
} else if (after !== before) {
  const tmp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, after);
  fs.renameSync(tmp, target);
  process.stdout.write(`${path.relative(root, target)}: version tables updated\n`);
}
