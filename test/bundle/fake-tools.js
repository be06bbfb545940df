#!/usr/bin/env node
// Recording stand-in for docker, kind, kubectl, helm, curl and ss (test/bundle/harness.ts puts it first on PATH).
// Appends "tool arg..." to $FAKE_STATE/calls.log and answers from $FAKE_STATE/state.json:
//   failOnce / fail: substrings of the call line that make it exit 1 (failOnce entries are used up);
//   responses: [{ match: regex source, stdout, code }] checked in order; otherwise the built-in answers below.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.FAKE_STATE;
const tool = process.argv[2];
const args = process.argv.slice(3);
const line = [tool, ...args].join(' ');
fs.appendFileSync(path.join(dir, 'calls.log'), `${line}\n`);
const statePath = path.join(dir, 'state.json');
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
const out = (text, code = 0) => {
  if (text) process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  process.exit(code);
};

const once = (state.failOnce || []).findIndex((s) => line.includes(s));
if (once >= 0) {
  state.failOnce.splice(once, 1);
  save();
  process.stderr.write(`fake ${tool}: injected failure\n`);
  process.exit(1);
}
if ((state.fail || []).some((s) => line.includes(s))) {
  process.stderr.write(`fake ${tool}: injected failure\n`);
  process.exit(1);
}
for (const r of state.responses || []) {
  if (new RegExp(r.match).test(line)) out(r.stdout || '', r.code || 0);
}

const arg = (name) => args[args.indexOf(name) + 1];
const clusters = state.clusters || (state.clusters = {});
switch (tool) {
  case 'docker':
    if (args[0] === 'info') out('');
    if (args[0] === 'network' && args[1] === 'inspect') {
      if (!state.network) out('', 1);
      out(args.includes('-f') ? `${state.network} ` : '[]');
    }
    if (args[0] === 'ps') out(Object.values(clusters).flat().map((n, i) => `id${i}`).join('\n'));
    out('');
    break;
  case 'kind':
    if (args[0] === 'version') out(`kind ${state.kindVersion || 'v0.33.0'} go1.24.0 linux/amd64`);
    if (args[0] === 'get' && args[1] === 'clusters') out(Object.keys(clusters).join('\n'));
    if (args[0] === 'get' && args[1] === 'nodes') out((clusters[arg('--name')] || []).join('\n'));
    if (args[0] === 'create' && args[1] === 'cluster') {
      const config = fs.readFileSync(arg('--config'), 'utf8');
      const name = /^name: (.+)$/m.exec(config)[1];
      if (clusters[name]) {
        process.stderr.write(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"\n`);
        process.exit(1);
      }
      const roles = [...config.matchAll(/^\s+- role: (\S+)/gm)].map((m) => m[1]);
      const numbered = (base, n) => Array.from({ length: n }, (_, i) => (i === 0 ? base : `${base}${i + 1}`));
      clusters[name] = [
        ...numbered(`${name}-control-plane`, roles.filter((r) => r === 'control-plane').length),
        ...numbered(`${name}-worker`, roles.filter((r) => r === 'worker').length),
      ];
      save();
      out(`Creating cluster "${name}" ...`);
    }
    if (args[0] === 'delete' && args[1] === 'cluster') {
      delete clusters[arg('--name')];
      save();
      out('Deleting cluster ...');
    }
    out('');
    break;
  case 'kubectl':
    if (args[0] === 'version') out('Client Version: v1.33.1\nKustomize Version: v5.6.0');
    out('');
    break;
  case 'helm':
    if (args[0] === 'version') out('v3.17.3+ge4da497');
    out('');
    break;
  case 'curl':
    out('000', 28);
    break;
  case 'ss': {
    const port = (args.join(' ').match(/sport = :(\d+)/) || [])[1];
    out((state.portsInUse || []).map(String).includes(port) ? `LISTEN 0 4096 127.0.0.1:${port} 0.0.0.0:*` : '');
    break;
  }
  default:
    out('', 127);
}
