#!/usr/bin/env node
// `npm run fuzz [-- --count N --seed S --concurrency C]`: draws random cluster descriptions through the
// public API (test/support/fuzz-descriptions.ts) and runs every upstream oracle on each accepted one
// (test/support/fuzz-oracles.ts: helm template, kubectl/helm read-back, kustomize, schemas + CEL, RE2, kind).
// esbuild bundles the TypeScript entry (like scripts/run-app.js), then node runs it. The bundle sits two
// folders below the repository root (.cdk8s-build/fuzz/), so the test helpers' `__dirname`-relative paths
// (reference folder, tools cache) resolve as they do from test/support/.
'use strict';
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.cdk8s-build', 'fuzz', 'fuzz.js');
bundleEntry(path.join(root, 'test', 'support', 'fuzz-main.ts'), outfile);
require(outfile).main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e) => {
  console.error(e);
  process.exitCode = 2;
});
