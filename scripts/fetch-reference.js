#!/usr/bin/env node
// `npm run fetch-reference [-- --from <dir> | --online | --pin]`: fetches the upstream reference data the oracle
// tests read (Cilium chart archives, CRDs, Helm values schemas, the kind schema, behaviour cases) into
// .reference-cache/ (or REFERENCE_CACHE_DIR), every file checked against the sha256 the version matrix or
// test/support/reference.sha256 pins. Offline from SHARED_REFERENCE_DIR or ../shared/reference when one exists, else
// online. The logic is test/support/reference-fetch.ts, bundled here by esbuild (no compile step).
'use strict';
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

const root = path.resolve(__dirname, '..');
const outfile = bundleEntry(path.join(root, 'test', 'support', 'reference-fetch.ts'), path.join(root, '.cdk8s-build', 'fetch-reference.js'));
require(outfile).main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  process.stderr.write(`fetch-reference: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
