#!/usr/bin/env node
// `node scripts/kill-campaign.js [--trials N] [--seed S] [--concurrency C] [--verbose]`: the kill -9 campaign of test/support/kill-campaign.ts
// at full size (default 250 trials). Each trial SIGKILLs a child synthesis at a random filesystem operation or
// after a random delay (sometimes twice, so recovery itself is killed), lets the next run recover, and checks
// that the tree is exactly one whole bundle. Prints the number of inconsistent trees; exit code 1 unless 0.
// esbuild bundles the TypeScript (like scripts/fuzz.js) into .cdk8s-build/kill-campaign/.
'use strict';
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer`);
  return n;
}

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.cdk8s-build', 'kill-campaign', 'kill-campaign.js');
bundleEntry(path.join(root, 'test', 'support', 'kill-campaign.ts'), outfile);
const { bundleSynthChildren, runKillCampaign } = require(outfile);

const trials = option('trials', 250);
const seed = option('seed', Date.now() % 2 ** 31);
const started = Date.now();
console.log(`kill campaign: ${trials} trials, seed ${seed}`);
const children = bundleSynthChildren();
runKillCampaign({
  trials,
  seed,
  childJs: children.write,
  concurrency: option('concurrency', 2),
  log: process.argv.includes('--verbose') ? (line) => console.log(line) : undefined,
}).then((result) => {
  for (const f of result.failures.slice(0, 10)) console.log(`\n${f}`);
  console.log(`\nkills: ${result.kills.atOperation} at a filesystem operation, ${result.kills.timed} timed, `
    + `${result.kills.duringRecovery} of them during the recovery of an earlier kill`);
  console.log(`outcomes (tree after the next run / recovery done): ${JSON.stringify(result.outcomes)}`);
  console.log(`inconsistent trees: ${result.inconsistent} of ${result.trials} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  require('fs').rmSync(children.dir, { recursive: true, force: true });
  process.exitCode = result.inconsistent === 0 ? 0 : 1;
}, (e) => {
  console.error(e);
  process.exitCode = 2;
});
