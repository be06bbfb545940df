#!/usr/bin/env node
// `npx cdk8s-kind-cilium init <dir> [--cluster <name>] [--from <library spec>]`: writes a consumer's lab repository
// (package.json, tsconfig.json, cdk8s.yaml, .gitignore, src/main.ts, README.md; see src/bundle/lab-template.ts and
// docs/consumer.md). After it: `cd <dir> && npm install && npx cdk8s synth`.
import * as fs from 'fs';
import * as path from 'path';
import { labClusterName, labFiles } from '../bundle/lab-template';
import { libraryPackage } from '../bundle/library-package';
import type { LibraryPackage } from '../bundle/library-package';
import { PlatformConfigError } from '../errors';
import { resolveClusterSpec } from '../spec/cluster-spec';

const USAGE = 'usage: npx cdk8s-kind-cilium init <dir> [--cluster <name>] [--from <cdk8s-kind-cilium version range or path to its .tgz>]';

/**
 * `--from`: a path to a packed tarball or folder becomes `file:<path relative to the lab>` (npm resolves it from the
 * lab's package.json, so the lab and the tarball move together, e.g. when the lab is committed beside it); anything
 * else is a version range.
 */
function librarySpec(from: string | undefined, lib: LibraryPackage, root: string): string {
  if (from === undefined) return `^${lib.version}`;
  const relative = (p: string) => {
    const r = path.relative(root, path.resolve(p)).split(path.sep).join('/');
    return `file:${r.startsWith('.') ? r : `./${r}`}`;
  };
  if (from.startsWith('file:')) return relative(from.slice('file:'.length));
  if (from.endsWith('.tgz') || fs.existsSync(from)) return relative(from);
  return from;
}

function fail(message: string): never {
  process.stderr.write(`cdk8s-kind-cilium: ${message}\n`);
  process.exit(2);
}

function init(args: string[]): void {
  let dir: string | undefined;
  let cluster: string | undefined;
  let from: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--cluster' || arg === '--from') {
      const value = args[++i];
      if (value === undefined) fail(`${arg} needs a value\n${USAGE}`);
      if (arg === '--cluster') cluster = value; else from = value;
    } else if (arg.startsWith('-')) {
      fail(`unknown option ${arg}\n${USAGE}`);
    } else if (dir === undefined) {
      dir = arg;
    } else {
      fail(`one folder only, got ${dir} and ${arg}\n${USAGE}`);
    }
  }
  if (dir === undefined) fail(USAGE);
  const root = path.resolve(dir);
  const clusterName = cluster ?? labClusterName(root);
  try {
    resolveClusterSpec({ clusterName });
  } catch (err) {
    if (err instanceof PlatformConfigError) fail(`--cluster ${clusterName}: ${err.message}`);
    throw err;
  }
  const lib = libraryPackage(__dirname);
  const files = labFiles({
    name: labClusterName(root),
    clusterName,
    librarySpec: librarySpec(from, lib, root),
    library: lib,
  });
  // Nothing is overwritten: every file is checked before the first one is written.
  const existing = Object.keys(files).filter((f) => fs.existsSync(path.join(root, f)));
  if (existing.length > 0) {
    fail(`${root} already has ${existing.join(', ')}; init writes a new lab and overwrites nothing. Choose an empty folder `
      + '(for a project made by `cdk8s init typescript-app`, follow docs/consumer.md instead)');
  }
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  process.stderr.write(`cdk8s-kind-cilium: wrote a lab with cluster ${clusterName} in ${root}: ${Object.keys(files).join(', ')}\n`
    + `next: cd ${path.relative(process.cwd(), root) || '.'} && npm install && npx cdk8s synth\n`);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'init') init(rest);
else fail(USAGE);
