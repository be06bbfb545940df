#!/usr/bin/env node
// The cdk8s app command (see cdk8s.yaml). esbuild bundles src/main.ts in milliseconds and node runs it,
// so `npx cdk8s synth` never type-checks through ts-node. Type errors are caught by `npm test`.
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.cdk8s-build', 'main.js');
esbuild.buildSync({
  entryPoints: [path.join(root, 'src', 'main.ts')],
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  logLevel: 'warning',
});
require(outfile);
