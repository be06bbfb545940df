#!/usr/bin/env node
// Cross-cluster rules benchmark: prints numbers, asserts nothing. Usage: `npx projen bench` (compiles lib/ first),
// or `node bench/cross-cluster-bench.js [clusters]` after `npx projen compile`.
//  (a) building N KindCiliumClusters (one LoadBalancerIpPool with its own /28 of 172.16.0.0/12 and its own host
//      port each) in one App, and calling cluster.model() on each;
//  (b) checkAcrossClusters(models) (src/rules/registry.ts: duplicate names, the pool sweep, host ports), median of 5.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib', 'src', 'index.js');
if (!fs.existsSync(lib)) {
  console.error('bench: lib/ not found; run `npx projen compile` first (the `bench` task does).');
  process.exit(1);
}
const { App } = require('cdk8s');
const k = require(lib);
const { formatIpv4 } = require(path.join(root, 'lib', 'src', 'private', 'ipv4.js')); // internal, not in the public API
const { checkAcrossClusters } = require(path.join(root, 'lib', 'src', 'rules', 'registry.js'));

const n = Number(process.argv[2] ?? 8000);
const ms = (t0, t1) => Number(t1 - t0) / 1e6;
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const label = n.toLocaleString('en-US');

const t0 = process.hrtime.bigint();
const app = new App();
const clusters = [];
for (let i = 0; i < n; i++) {
  const name = `c${i}`;
  const cluster = new k.KindCiliumCluster(app, name, {
    clusterName: name,
    dockerNetworkSubnet: '172.16.0.0/12',
    hostPortMappings: [{ containerPort: 30080, hostPort: 20000 + i }],
  });
  new k.LoadBalancerIpPool(cluster, 'pool', { blocks: [{ cidr: `${formatIpv4(0xac108000 + 16 * i)}/28` }] });
  clusters.push(cluster);
}
const t1 = process.hrtime.bigint();
const models = clusters.map((c) => c.model());
const t2 = process.hrtime.bigint();

// Wall time and CPU time (user + system of this process): on a loaded machine the wall figure includes
// time the process waited for a CPU, the CPU figure does not. Run 0 is cold (first JIT), reported apart.
function timed(fn) {
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  const result = fn();
  const wall = ms(w0, process.hrtime.bigint());
  const cpu = process.cpuUsage(c0);
  return { result, wall, cpu: (cpu.user + cpu.system) / 1000 };
}
const cold = timed(() => checkAcrossClusters(models));
const runs = [];
for (let run = 0; run < 5; run++) runs.push(timed(() => checkAcrossClusters(models)));
const wall = median(runs.map((r) => r.wall));
const cpu = median(runs.map((r) => r.cpu));

console.log(`cross-cluster rules, ${label} clusters (${cold.result.length} violations across clusters)`);
console.log(`  construct ${label} clusters + pools   ${ms(t0, t1).toFixed(0).padStart(7)} ms`);
console.log(`  cluster.model() x ${label}           ${ms(t1, t2).toFixed(0).padStart(7)} ms`);
console.log(`  checkAcrossClusters, cold run      ${cold.wall.toFixed(1).padStart(7)} ms wall ${cold.cpu.toFixed(1).padStart(7)} ms CPU`);
console.log(`  checkAcrossClusters, 5 warm runs   ${runs.map((r) => `${r.wall.toFixed(1)}/${r.cpu.toFixed(1)}`).join(', ')} ms wall/CPU`);
console.log(`cross-cluster rules, ${label} clusters: ${wall.toFixed(1)} ms (median of 5; CPU ${cpu.toFixed(1)} ms)`);
