// One esbuild call for the repository's TypeScript entry points (the cdk8s app, the upgrade view, the fuzzer):
// bundle the entry with its imports from src/ and test/, keep packages external, and let node require the result.
'use strict';

/** Bundles `entry` (a .ts file) into `outfile` (CommonJS for node 20) and returns `outfile`. */
function bundleEntry(entry, outfile) {
  require('esbuild').buildSync({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

module.exports = { bundleEntry };
