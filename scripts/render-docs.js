#!/usr/bin/env node
// Regenerates the generated documentation (npm run docs):
//   docs/api.md        the API reference, from the doc comments of src/index.ts's exports (scripts/lib/api-docs.js)
//   docs/rules.md      the rule tables between its rule-tables markers, from the rule registry (src/rules/rule-docs.ts)
//   docs/versions.md   the version tables between its version-tables markers, from the matrix (src/spec/version-docs.ts)
//   README.md          the same version tables
//   node scripts/render-docs.js            # write what is stale
//   node scripts/render-docs.js --check    # exit 1 naming every stale file (writes nothing)
// esbuild bundles the TypeScript renderers (as scripts/render-version-docs.js does), so no compile step is needed.
'use strict';
const fs = require('fs');
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');
const { renderApiDocs } = require('./lib/api-docs');

const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  process.stderr.write('usage: node scripts/render-docs.js [--check]\n');
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const build = path.join(root, '.cdk8s-build');
const versionDocs = require(bundleEntry(path.join(root, 'src', 'spec', 'version-docs.ts'), path.join(build, 'version-docs.js')));
const ruleDocs = require(bundleEntry(path.join(root, 'src', 'rules', 'rule-docs.ts'), path.join(build, 'rule-docs.js')));

/** Each generated file: its path and a function from the current text (undefined when absent) to the fresh text. */
const targets = [
  ['docs/api.md', () => renderApiDocs().markdown],
  ['docs/rules.md', (text) => ruleDocs.spliceRuleTables(text)],
  ['docs/versions.md', (text) => versionDocs.spliceVersionTables(text)],
  ['README.md', (text) => versionDocs.spliceVersionTables(text)],
];

const stale = [];
for (const [rel, render] of targets) {
  const file = path.join(root, rel);
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  const after = render(before);
  if (after === before) continue;
  stale.push(rel);
  if (check) continue;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, after);
  fs.renameSync(tmp, file);
  process.stdout.write(`${rel}: regenerated\n`);
}
if (check && stale.length > 0) {
  process.stderr.write(`stale generated documentation: ${stale.join(', ')}; run npm run docs\n`);
  process.exit(1);
}
