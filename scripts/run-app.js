#!/usr/bin/env node
// The cdk8s app command (see cdk8s.yaml). esbuild bundles src/main.ts in milliseconds and node runs it,
// so `npx cdk8s synth` never type-checks through ts-node. Type errors are caught by `npm test`.
// The bundle is cached in .cdk8s-build/, keyed on the content of every input (src/, imports/, package.json
// and the esbuild version): an unchanged app does not pay the esbuild step again.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.cdk8s-build', 'main.js');
const keyfile = `${outfile}.key`;

function inputFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...inputFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function cacheKey() {
  const hash = crypto.createHash('sha256');
  const esbuildPackage = require.resolve('esbuild/package.json');
  const files = [...inputFiles(path.join(root, 'src')), ...inputFiles(path.join(root, 'imports')), path.join(root, 'package.json'), esbuildPackage].sort();
  for (const file of files) hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const key = cacheKey();
let cached = false;
try {
  cached = fs.readFileSync(keyfile, 'utf8') === key && fs.existsSync(outfile);
} catch {
  cached = false;
}
if (!cached) {
  bundleEntry(path.join(root, 'src', 'main.ts'), outfile);
  fs.writeFileSync(keyfile, key);
}
require(outfile);
