#!/usr/bin/env node
// Writes .github/workflows/ci.yml and e2e.yml from the default app's bundle (src/workflows.ts; see
// src/bundle/ci-workflows.ts). esbuild bundles the entry, as scripts/run-app.js does for the cdk8s app.
'use strict';
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.cdk8s-build', 'workflows.js');
bundleEntry(path.join(root, 'src', 'workflows.ts'), outfile);
process.argv[2] = root;
require(outfile);
