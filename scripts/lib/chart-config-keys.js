'use strict';
const { execFileSync } = require('child_process');

/**
 * The keys of the cilium-config ConfigMap of a Cilium chart archive's `templates/cilium-configmap.yaml` and the Helm values each is
 * written from: every `data` key (a line `  key: ...` at the ConfigMap's data indent) with the `.Values.` paths its
 * line reads, directly or through template variables (`$kubeProxyReplacement := ... .Values.kubeProxyReplacement`,
 * followed transitively); a key whose line reads no value (a literal, or `.` of a `with`) is written from the innermost
 * `if` / `with` / `range` block opened inside `data` (`{{- if .Values.gatewayAPI.enabled }} enable-gateway-api: "true"`).
 * Returns a Map of key -> Set of dotted Helm paths (empty for a key written unconditionally as a literal).
 */
function chartConfigKeys(chartArchive) {
  const text = execFileSync('tar', ['-xzOf', chartArchive, 'cilium/templates/cilium-configmap.yaml'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // An action spread over several lines is read as one line.
  const lines = text.replace(/\{\{[^}]*\}\}/g, (action) => action.replace(/\n/g, ' ')).split('\n');
  const valuesOf = (s) => [...s.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)].map((m) => m[1].slice(1));
  const varsOf = (s) => [...s.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  const assigned = new Map();
  for (const l of lines) {
    for (const m of l.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\s*:?=(?!=)([^}]*)/g)) {
      const list = assigned.get(m[1]) || [];
      list.push({ paths: valuesOf(m[2]), vars: varsOf(m[2]) });
      assigned.set(m[1], list);
    }
  }
  const resolve = (name, seen) => {
    if (seen.has(name)) return [];
    seen.add(name);
    return (assigned.get(name) || []).flatMap((a) => [...a.paths, ...a.vars.flatMap((v) => resolve(v, seen))]);
  };
  const read = (s) => [...valuesOf(s), ...varsOf(s).flatMap((v) => resolve(v, new Set()))];
  const out = new Map();
  const blocks = [];
  let dataDepth = 0;
  let inData = false;
  let name;
  for (const l of lines) {
    if (/^---/.test(l)) name = undefined;
    const named = /^ {2}name:\s*"?([a-z0-9.-]+)"?\s*$/.exec(l);
    if (named && !inData) name = named[1];
    if (/^data:\s*$/.test(l)) {
      inData = name === 'cilium-config'; // the file also holds the ip-masq-agent ConfigMap
      dataDepth = blocks.length;
      continue;
    }
    if (/^[A-Za-z]/.test(l)) inData = false;
    const m = inData ? /^ {2}([a-z0-9][a-z0-9.-]*):\s*(.*)$/.exec(l) : null;
    if (m) {
      const direct = read(m[2]);
      const paths = direct.length > 0 ? direct : blocks.slice(dataDepth).reverse().find((b) => b.length > 0) || [];
      const set = out.get(m[1]) || new Set();
      for (const p of paths) set.add(p);
      out.set(m[1], set);
    }
    for (const action of l.matchAll(/\{\{-?\s*(if|with|range|else|end)\b([^}]*)\}\}/g)) {
      if (action[1] === 'end') blocks.pop();
      else if (action[1] === 'else') {
        if (/^\s*(if|with)\b/.test(action[2])) blocks[blocks.length - 1] = read(action[2]);
      } else blocks.push(read(action[2]));
    }
  }
  return out;
}

module.exports = { chartConfigKeys };
