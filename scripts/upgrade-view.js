#!/usr/bin/env node
// Prints the upgrade view of a preset between two Cilium versions:
//   node scripts/upgrade-view.js zero-trust 1.18.12 1.20.0
//   node scripts/upgrade-view.js mesh 1.20.0 1.21.0-pre.0 --allow-pre-release   (opts every cluster in to the 1.21 preview)
// Values keys added/removed/changed, cilium-config entries the charts render differently, apiVersions
// that change, the Gateway API CRDs to install first, and the violations of each side (rule, field, problem, fix).
// Exits 1 when either side has a violation (an unsupported version, a refused description), after printing the view.
// esbuild bundles src/index.ts (as scripts/run-app.js does for the app), so no compile step is needed.
'use strict';
const path = require('path');
const { bundleEntry } = require('./lib/bundle-entry');

const PRESETS = {
  'dns-hubble': 'dnsHubblePlatform',
  'kpr-native': 'kprNativePlatform',
  'native-xdp': 'nativeXdpPlatform',
  'zero-trust': 'zeroTrustPlatform',
  'mesh': 'meshPlatform',
};

const PRE_RELEASE_FLAG = '--allow-pre-release';
const args = process.argv.slice(2);
const allowPreRelease = args.includes(PRE_RELEASE_FLAG);
const [preset, from, to, ...rest] = args.filter((a) => a !== PRE_RELEASE_FLAG);
if (!PRESETS[preset] || !from || !to || rest.length > 0) {
  process.stderr.write(`usage: node scripts/upgrade-view.js <${Object.keys(PRESETS).join('|')}> <from Cilium version> <to Cilium version> [${PRE_RELEASE_FLAG}]\n`);
  process.exit(2);
}
const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.cdk8s-build', 'index.js');
bundleEntry(path.join(root, 'src', 'index.ts'), outfile);
const lib = require(outfile);
const props = (ciliumVersion) => ({ ciliumVersion, ...(allowPreRelease ? { versions: { allowPreRelease: true } } : {}) });
const view = lib.upgradeView((app, ciliumVersion) => lib[PRESETS[preset]](app, props(ciliumVersion)), from, to);
const lines = lib.formatUpgradeView(view);
if (!allowPreRelease && lines.some((l) => l.includes('cilium-pre-release-not-allowed'))) {
  lines.push(`(a pre-release needs the opt-in: run again with ${PRE_RELEASE_FLAG}, which sets versions.allowPreRelease on every cluster)`);
}
process.stdout.write(`${lines.join('\n')}\n`);
if (!view.valid) {
  process.stderr.write(`upgrade-view: not a valid upgrade: ${preset} ${from} -> ${to} has violations (listed above)\n`);
  process.exitCode = 1;
}
