#!/usr/bin/env node
// Synth benchmark: prints numbers, asserts nothing. Usage: `npx projen bench` (compiles lib/ first).
//  (a) wall time of `npx cdk8s synth` (default bundle) vs `node lib/src/main.js` vs a bare `node` start;
//  (b) in-memory bundle rendering for 10, 100, 527 (about 10,000 objects) and 1,000 clusters;
//  (c) the apply model alone on 100 and 1,000 clusters, and its share of rendering.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib', 'src', 'index.js');
if (!fs.existsSync(lib)) {
  console.error('bench: lib/ not found; run `npx projen compile` first (the `bench` task does).');
  process.exit(1);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeCommand(cmd, args, options, runs = 5) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(cmd, args, { stdio: 'ignore', ...options });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(samples);
}

const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-bench-'));
const bare = timeCommand(process.execPath, ['-e', '']);
const compiled = timeCommand(process.execPath, [path.join(root, 'lib', 'src', 'main.js')], { cwd: scratch, env });
const launcher = timeCommand(process.execPath, [path.join(root, 'scripts', 'run-app.js')], { cwd: scratch, env });
const cli = timeCommand('npx', ['cdk8s', 'synth'], { cwd: root, env });
fs.rmSync(scratch, { recursive: true, force: true });

console.log('(a) end-to-end, median of 5 runs');
console.log(`  node -e ''                      ${bare.toFixed(0).padStart(6)} ms`);
console.log(`  node lib/src/main.js            ${compiled.toFixed(0).padStart(6)} ms`);
console.log(`  node scripts/run-app.js         ${launcher.toFixed(0).padStart(6)} ms  (${(launcher / compiled).toFixed(2)}x compiled; the cdk8s.yaml app command)`);
console.log(`  npx cdk8s synth                 ${cli.toFixed(0).padStart(6)} ms  (${(cli / compiled).toFixed(2)}x compiled; includes the cdk8s CLI's own start-up)`);

const { App } = require('cdk8s');
const k = require(lib);
const { formatIpv4 } = require(path.join(root, 'lib', 'src', 'private', 'ipv4.js')); // internal, not in the public API

/** One cluster shaped like the zero-trust preset without host ports (many clusters share one host). */
function addCluster(app, i) {
  const name = `c${i}`;
  const cluster = new k.KindCiliumCluster(app, name, { clusterName: name, l2Announcements: {} });
  const base = 0xac128000 + 16 * i; // 172.18.128.0 + 16*i: a distinct /28 per cluster, clear of the addresses docker uses
  new k.LoadBalancerIpPool(cluster, 'pool', { blocks: [{ cidr: `${formatIpv4(base)}/28` }] });
  new k.L2AnnouncementPolicy(cluster, 'l2');
  new k.ClusterDefaultDeny(cluster, 'default-deny');
  new k.NginxDemo(cluster, 'nginx');
  new k.StarWarsDemo(cluster, 'star-wars');
}

console.log('(b) in-memory bundle render (validate + kind config + Helm values + manifests + index)');
for (const n of [10, 100, 527, 1000]) { // 527 clusters = 10,013 objects
  const t0 = process.hrtime.bigint();
  const app = new App();
  for (let i = 0; i < n; i++) addCluster(app, i);
  const t1 = process.hrtime.bigint();
  const files = k.renderBundle(app);
  const t2 = process.hrtime.bigint();
  const objects = files.filter((f) => f.path.endsWith('.k8s.yaml')).reduce((sum, f) => sum + f.content.split(/^kind: /m).length - 1, 0);
  const build = Number(t1 - t0) / 1e6;
  const render = Number(t2 - t1) / 1e6;
  console.log(`  ${String(n).padStart(5)} clusters ${String(objects).padStart(6)} objects  construct ${build.toFixed(0).padStart(6)} ms  render ${render.toFixed(0).padStart(6)} ms  ${((build + render) * 1000 / objects).toFixed(0).padStart(5)} us/object`);
}

// (c) The apply model (issue 18): the controller models and every intended outcome, per cluster, measured alone.
// Rendering runs it once per cluster as part of validation, so (b) includes it; "without" is (b) minus this.
const { clusterOutcomes } = require(path.join(root, 'lib', 'src', 'outcomes', 'index.js')); // internal
const { resolvedEntries } = require(path.join(root, 'lib', 'src', 'cluster', 'cluster-objects.js')); // internal
console.log('(c) apply model alone (applied state + intended outcomes of every cluster), and its share of (b)');
for (const n of [100, 1000]) {
  const app = new App();
  for (let i = 0; i < n; i++) addCluster(app, i);
  const clusters = app.node.findAll().filter((c) => c instanceof k.KindCiliumCluster);
  const inputs = clusters.map((c) => ({ model: c.model(), entries: resolvedEntries(c) }));
  const t0 = process.hrtime.bigint();
  const outcomes = inputs.reduce((sum, input) => sum + clusterOutcomes(input).length, 0);
  const model = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  k.renderBundle(app);
  const render = Number(process.hrtime.bigint() - t1) / 1e6;
  console.log(`  ${String(n).padStart(5)} clusters ${String(outcomes).padStart(7)} outcomes  model ${model.toFixed(0).padStart(6)} ms  render with model ${render.toFixed(0).padStart(6)} ms  `
    + `(${(render / Math.max(1, render - model)).toFixed(2)}x render without it)`);
}
