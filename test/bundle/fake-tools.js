#!/usr/bin/env node
// Recording stand-in for docker, kind, kubectl, helm, curl and ss (test/bundle/harness.ts puts it first on PATH).
// Appends "tool arg..." to $FAKE_STATE/calls.log, and { tool, args, start, end } (exact argv, epoch ms) to
// $FAKE_STATE/calls.jsonl, and answers from $FAKE_STATE/state.json:
//   failOnce / fail: substrings of the call line that make it exit 1 (failOnce entries are used up);
//   delays: [{ match: regex source, ms }]: the call takes that long (shows concurrency in the recorded times);
//   responses: [{ match: regex source, stdout, code }] checked in order; otherwise the built-in answers below.
// The state file is shared by calls running at the same time (a fleet's members in parallel): every change to it
// happens under a lock folder, re-reading the file first.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.FAKE_STATE;
const tool = process.argv[2];
const args = process.argv.slice(3);
const line = [tool, ...args].join(' ');
const start = Date.now();
fs.appendFileSync(path.join(dir, 'calls.log'), `${line}\n`);
const statePath = path.join(dir, 'state.json');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
/** Applies `change` to the freshest state under a lock, and saves it. */
const update = (change) => {
  const lock = path.join(dir, 'state.lock');
  for (let i = 0; ; i++) {
    try { fs.mkdirSync(lock); break; } catch (e) { if (i > 2000) throw e; sleep(5); }
  }
  try {
    state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
    change(state);
    const tmp = `${statePath}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
    fs.renameSync(tmp, statePath);
  } finally {
    fs.rmdirSync(lock);
  }
};
const out = (text, code = 0) => {
  if (text) process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  fs.appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify({ tool, args, start, end: Date.now() })}\n`);
  process.exit(code);
};
for (const d of state.delays || []) {
  if (new RegExp(d.match).test(line)) sleep(d.ms);
}

if ((state.failOnce || []).some((s) => line.includes(s))) {
  let used = false;
  update((st) => {
    const once = (st.failOnce || []).findIndex((s) => line.includes(s));
    if (once >= 0) { st.failOnce.splice(once, 1); used = true; }
  });
  if (used) {
    process.stderr.write(`fake ${tool}: injected failure\n`);
    out('', 1);
  }
}
if ((state.fail || []).some((s) => line.includes(s))) {
  process.stderr.write(`fake ${tool}: injected failure\n`);
  out('', 1);
}
for (const r of state.responses || []) {
  if (new RegExp(r.match).test(line)) out(r.stdout || '', r.code || 0);
}

const arg = (name) => args[args.indexOf(name) + 1];
const clusters = state.clusters || {};
/** The cluster a kubectl call talks to (`--context kind-<name>`). */
const contextCluster = () => (state.contexts || {})[arg('--context')] || (arg('--context') || '').replace(/^kind-/, '');
switch (tool) {
  case 'docker': {
    if (args[0] === 'info') {
      const format = args.includes('-f') ? arg('-f') : '';
      const info = {
        '{{.CgroupVersion}}': state.cgroupVersion || '2',
        '{{.OperatingSystem}}': state.operatingSystem || 'Ubuntu 24.04 LTS',
        '{{.NCPU}}': String(state.ncpu || 4),
        '{{.MemTotal}}': String(state.memTotal || 16 * 1024 ** 3),
      };
      out(format ? info[format] || '' : '');
    }
    if (args[0] === 'network' && args[1] === 'ls') out(['bridge', ...(state.network ? ['kind'] : []), ...Object.keys(state.networks || {})].join('\n'));
    if (args[0] === 'network' && args[1] === 'inspect') {
      const name = args.slice(2).find((a, i, rest) => !a.startsWith('-') && rest[i - 1] !== '-f');
      const subnets = name === 'kind' ? (state.network ? [state.network] : undefined)
        : name === 'bridge' ? ['172.17.0.0/16'] : (state.networks || {})[name];
      if (!subnets) out('', 1);
      out(args.includes('-f') ? `${subnets.join(' ')} ` : '[]');
    }
    if (args[0] === 'ps') {
      const nodes = Object.entries(clusters).flatMap(([c, ns]) => ns.map(() => c));
      out(args.includes('--format') ? nodes.join('\n') : nodes.map((n, i) => `id${i}`).join('\n'));
    }
    // Named containers (the local registry): state.containers[name] = { running, published, networks }.
    const containers = state.containers || {};
    if (args[0] === 'container' && args[1] === 'inspect') {
      const name = args[args.length - 1];
      const c = containers[name];
      if (!c) { process.stderr.write(`Error: No such container: ${name}\n`); out('', 1); }
      const format = arg('-f');
      if (format === '{{.State.Running}}') out(String(c.running));
      if (format === '{{json .NetworkSettings.Networks.kind}}') out((c.networks || []).includes('kind') ? '{}' : 'null');
      // The configured port binding (kept by a stopped container too).
      if (/\.HostConfig\.PortBindings/.test(format)) out(c.published || '');
      out('[]');
    }
    if (args[0] === 'port') {
      const c = containers[args[1]];
      if (!c) out('', 1);
      out(c.running ? c.published || '' : ''); // docker port prints nothing for a stopped container
    }
    if (args[0] === 'run' && args.includes('-d') && args.includes('--name')) {
      const name = arg('--name');
      if (containers[name]) { process.stderr.write(`docker: Error response from daemon: Conflict. The container name "/${name}" is already in use\n`); out('', 125); }
      const published = arg('-p').replace(/:\d+$/, '');
      update((st) => { st.containers = { ...(st.containers || {}), [name]: { running: true, published, networks: [arg('--network')], image: args[args.length - 1] } }; });
      out('0123456789abcdef');
    }
    if (args[0] === 'start' && containers[args[1]]) {
      update((st) => { st.containers[args[1]].running = true; });
      out(args[1]);
    }
    if (args[0] === 'rm') {
      const name = args[args.length - 1];
      update((st) => { delete (st.containers || {})[name]; });
      out(name);
    }
    if (args[0] === 'network' && args[1] === 'connect') {
      update((st) => { st.containers[args[3]].networks.push(args[2]); });
      out('');
    }
    if (args[0] === 'run') out('000 0.000000', 28);
    out('');
    break;
  }
  case 'kind':
    if (args[0] === 'version') out(`kind ${state.kindVersion || 'v0.33.0'} go1.24.0 linux/amd64`);
    if (args[0] === 'get' && args[1] === 'clusters') out(Object.keys(clusters).join('\n'));
    if (args[0] === 'get' && args[1] === 'nodes') out((clusters[arg('--name')] || []).join('\n'));
    if (args[0] === 'create' && args[1] === 'cluster') {
      const config = require('yaml').parse(fs.readFileSync(arg('--config'), 'utf8'));
      const name = config.name;
      if (clusters[name]) {
        process.stderr.write(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"\n`);
        out('', 1);
      }
      const roles = config.nodes.map((n) => n.role);
      const numbered = (base, n) => Array.from({ length: n }, (_, i) => (i === 0 ? base : `${base}${i + 1}`));
      update((st) => {
        st.clusters = st.clusters || {};
        st.clusters[name] = [
          ...numbered(`${name}-control-plane`, roles.filter((r) => r === 'control-plane').length),
          ...numbered(`${name}-worker`, roles.filter((r) => r === 'worker').length),
        ];
        // kind sets nodes[].labels on the node it creates (the first control plane carries the bundle's mark).
        st.labels = st.labels || {};
        st.labels[name] = { ...(config.nodes[0].labels || {}) };
      });
      out(`Creating cluster "${name}" ...`);
    }
    if (args[0] === 'delete' && args[1] === 'cluster') {
      update((st) => {
        delete (st.clusters || {})[arg('--name')];
        delete (st.labels || {})[arg('--name')];
      });
      out('Deleting cluster ...');
    }
    out('');
    break;
  case 'kubectl': {
    if (args[0] === 'version') out('Client Version: v1.33.1\nKustomize Version: v5.6.0');
    const c = contextCluster();
    const verb = args.find((a) => ['get', 'label'].includes(a));
    const label = /^jsonpath=\{\.metadata\.labels\.(.+)\}$/.exec(arg('-o') || '');
    if (verb === 'get' && args[args.indexOf('get') + 1] === 'node' && label) {
      if (!clusters[c]) {
        process.stderr.write(`error: context "kind-${c}" does not exist\n`);
        out('', 1);
      }
      out(((state.labels || {})[c] || {})[label[1].replace(/\\\./g, '.')] || '');
    }
    const labelled = args[args.indexOf('label') + 2] || '';
    if (verb === 'label' && args[args.indexOf('label') + 1] === 'node' && labelled.endsWith('-control-plane') && clusters[c]) {
      const pairs = args.slice(args.indexOf('label') + 3).filter((a) => /^[^-][^=]*=/.test(a));
      update((st) => {
        st.labels = st.labels || {};
        st.labels[c] = { ...(st.labels[c] || {}), ...Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) };
      });
    }
    out('');
    break;
  }
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
