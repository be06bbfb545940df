import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { appliedProblems } from './fuzz-applied';
import { buildDescription, FuzzDescription } from './fuzz-descriptions';
import { ciliumConfig, helmReadValues, helmTemplateRun, K8sObject } from './helm';
import { kubectlReadBack, kustomize } from './kubectl';
import { referenceProfile, validateBundleFile, validateKindConfig } from './reference-schemas';
import { BundleFile, KindCiliumCluster, PlatformConfigError, renderBundle } from '../../src';
import { KubeObject } from '../../src/applied/objects';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { OUTCOME_RULES } from '../../src/outcomes';
import { compileRe2 } from '../../src/private/re2';
import { CiliumMinor } from '../../src/spec/version-matrix';

/**
 * Every upstream oracle run on one random description (see fuzz-descriptions.ts). A description that the
 * library refuses (PlatformConfigError, at construction or at render) is "rejected"; otherwise it is
 * "accepted" and each oracle below must pass on what renderBundle wrote:
 *
 * - `helm`: `helm template` with the official chart of the bundle's Cilium version succeeds, and the agent's
 *   `cilium-config` carries what the description says;
 * - `readback`: kubectl reads every YAML file with apiVersion/kind exactly as our YAML 1.2 reading (types
 *   included), Helm reads the values file exactly so;
 * - `kustomize`: `kubectl kustomize dist/<c>` yields at least one object;
 * - `schema`: the minor's Helm values schema and the CRDs (openAPIV3Schema + CEL) of its reference profile;
 * - `re2`: every regex of L2 interfaces and HTTP rules compiles as RE2;
 * - `kind`: the kind config against kind's v1alpha4 JSON Schema;
 * - `applied`: the controller models of src/applied (LB-IPAM, Gateway API, cert-manager, Cilium policy) over the
 *   manifest's objects find the platform working (fuzz-applied.ts);
 * - `crash`: construction/render threw something other than a PlatformConfigError.
 *
 * A rejection made only of intended-outcome ids (src/outcomes) is `disputed` when those models find the platform
 * working: a working platform must never be refused.
 */

export const ORACLES = ['helm', 'readback', 'kustomize', 'schema', 're2', 'kind', 'applied', 'crash'] as const;
export type OracleName = typeof ORACLES[number];

export interface OracleFailure {
  readonly oracle: OracleName;
  readonly message: string;
}

export type FuzzOutcome =
  | {
    readonly status: 'rejected';
    readonly rules: string[];
    readonly message: string;
    /** Set when the refusal is made only of outcome ids and the models find the platform working. */
    readonly disputed?: string;
  }
  | { readonly status: 'accepted'; readonly failures: OracleFailure[] };

const OUTCOME_IDS = new Set(OUTCOME_RULES.flatMap((r) => r.emits));

/**
 * For a refusal made only of outcome ids: why the models disagree (they find every cluster working), or undefined.
 * The description is built again without validation and its objects run through the models.
 */
function disputeOf(desc: FuzzDescription, rules: readonly string[]): string | undefined {
  if (rules.length === 0 || !rules.every((r) => OUTCOME_IDS.has(r))) return undefined;
  const { clusters } = buildDescription(desc);
  const problems = clusters.flatMap((c) => appliedProblems(c, resolvedEntries(c).map((e) => e.object as KubeObject)));
  return problems.length > 0 ? undefined : `refused with ${[...new Set(rules)].join(', ')}, but the models find every cluster working`;
}

/** Builds and renders; a PlatformConfigError is a rejection, anything else a `crash` failure. */
function render(desc: FuzzDescription): { files: BundleFile[]; clusters: KindCiliumCluster[] } | FuzzOutcome {
  try {
    const { app, clusters } = buildDescription(desc);
    return { files: renderBundle(app), clusters };
  } catch (e) {
    if (e instanceof PlatformConfigError) {
      const disputed = disputeOf(desc, e.rules);
      return { status: 'rejected', rules: e.rules, message: e.message, ...(disputed ? { disputed } : {}) };
    }
    return { status: 'accepted', failures: [{ oracle: 'crash', message: (e as Error).stack ?? String(e) }] };
  }
}

/** What cilium-config must say for a cluster description (`undefined`: absent, empty or "false"). */
function expectedConfig(cluster: KindCiliumCluster): Record<string, string | undefined> {
  const spec = cluster.spec;
  const expected: Record<string, string | undefined> = {
    'cluster-name': spec.clusterName,
    'cluster-id': String(spec.ciliumCluster.id),
    'routing-mode': spec.routingMode,
    'kube-proxy-replacement': String(spec.kubeProxyReplacement),
    'devices': spec.devices.join(' '),
    'enable-l2-announcements': spec.l2Announcements.enabled ? 'true' : undefined,
    'enable-hubble': String(spec.hubble.enabled),
  };
  if (spec.routingMode === 'native') expected['ipv4-native-routing-cidr'] = spec.podSubnet.cidr;
  else expected['tunnel-protocol'] = spec.tunnelProtocol ?? 'vxlan';
  return expected;
}

function diffConfig(cluster: KindCiliumCluster, docs: readonly K8sObject[]): string | undefined {
  const config = ciliumConfig(docs);
  const expected = expectedConfig(cluster);
  const wrong = Object.entries(expected).filter(([k, v]) =>
    (v === undefined ? ![undefined, '', 'false'].includes(config[k]) : config[k] !== v));
  if (wrong.length === 0) return undefined;
  return wrong.map(([k, v]) => `cilium-config ${k}: expected ${JSON.stringify(v)}, chart rendered ${JSON.stringify(config[k])}`).join('; ');
}

function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a as object), ...Object.keys(b as object)])) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${at}/${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${at || '/'}: ours ${JSON.stringify(a)} vs theirs ${JSON.stringify(b)}`;
}

const ourReading = (text: string): unknown[] => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);

/** Every regex Cilium/Envoy reads from our manifests: L2 `interfaces`, HTTP rule `method`/`path`. */
export function regexesOf(objects: readonly unknown[]): { where: string; pattern: string }[] {
  const out: { where: string; pattern: string }[] = [];
  const walk = (v: unknown, at: string, kind: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${at}/${i}`, kind));
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (kind === 'CiliumL2AnnouncementPolicy' && k === 'interfaces' && Array.isArray(x)) {
        x.forEach((p, i) => out.push({ where: `${at}/interfaces/${i}`, pattern: String(p) }));
      } else if (k === 'http' && Array.isArray(x)) {
        x.forEach((r, i) => ['method', 'path'].forEach((f) => {
          if (typeof r?.[f] === 'string') out.push({ where: `${at}/http/${i}/${f}`, pattern: r[f] });
        }));
      } else {
        walk(x, `${at}/${k}`, kind);
      }
    }
  };
  for (const o of objects) walk(o, `${(o as any)?.kind}/${(o as any)?.metadata?.name}`, String((o as any)?.kind));
  return out;
}

async function settle(oracle: OracleName, failures: OracleFailure[], fn: () => Promise<string | undefined> | string | undefined): Promise<void> {
  try {
    const m = await fn();
    if (m) failures.push({ oracle, message: m });
  } catch (e) {
    failures.push({ oracle, message: (e as Error).message });
  }
}

/** Runs every oracle on one description. */
export async function checkDescription(desc: FuzzDescription): Promise<FuzzOutcome> {
  const rendered = render(desc);
  if ('status' in rendered) return rendered;
  const { files, clusters } = rendered;
  const failures: OracleFailure[] = [];
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-fuzz-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
    fs.writeFileSync(path.join(root, f.path), f.content);
  }
  try {
    const index = JSON.parse(byPath.get('dist/bundle.json')!) as { clusters: { name: string; versions: { cilium: string } }[] };
    const jobs: Promise<void>[] = [];
    for (const cluster of clusters) {
      const name = cluster.clusterName;
      const version = index.clusters.find((c) => c.name === name)?.versions.cilium ?? '?';
      const minor = /^(\d+\.\d+)\./.exec(version)?.[1] as CiliumMinor;
      const values = byPath.get(`cilium-values/${name}.yaml`)!;
      const kubeVersion = /:v(\d+\.\d+\.\d+)/.exec(cluster.spec.nodeImage)?.[1];
      // (a) helm template + cilium-config
      jobs.push(settle('helm', failures, async () => {
        const r = await helmTemplateRun(values, version, kubeVersion);
        if (r.code !== 0) return `${name}: helm template (cilium ${version}) exited ${r.code}: ${r.stderr.trim()}`;
        const d = diffConfig(cluster, r.docs);
        return d && `${name}: ${d}`;
      }));
      // (b) helm's reading of the values file
      jobs.push(settle('readback', failures, async () => {
        const d = firstDifference(ourReading(values)[0], await helmReadValues(values));
        return d && `cilium-values/${name}.yaml read by helm: ${d}`;
      }));
      // (g) the platform as applied, from the manifest's objects
      const manifest = byPath.get(`dist/${name}/${name}.k8s.yaml`);
      jobs.push(settle('applied', failures, () => {
        const problems = appliedProblems(cluster, manifest === undefined ? [] : ourReading(manifest) as KubeObject[]);
        return problems.length ? problems.join('; ') : undefined;
      }));
      // (c) kustomize
      const dist = path.join(root, 'dist', name);
      if (fs.existsSync(path.join(dist, 'kustomization.yaml'))) {
        jobs.push(settle('kustomize', failures, async () => {
          const objs = await kustomize(dist);
          return objs.length >= 1 ? undefined : `kubectl kustomize dist/${name} yielded no object`;
        }));
      }
      // (d) schemas + CEL, (f) kind config
      for (const f of files) {
        if (f.path === `kind/${name}.yaml`) {
          jobs.push(settle('kind', failures, () => {
            const errs = validateKindConfig(YAML.parse(f.content));
            return errs.length ? `${f.path}: ${errs.join('; ')}` : undefined;
          }));
        } else if (f.path === `cilium-values/${name}.yaml` || f.path.startsWith(`dist/${name}/`)) {
          jobs.push(settle('schema', failures, () => {
            const errs = validateBundleFile(f.path, f.content, referenceProfile(minor));
            return errs?.length ? errs.join('; ') : undefined;
          }));
        }
        // (e) RE2
        if (f.path === `dist/${name}/${name}.k8s.yaml`) {
          jobs.push(settle('re2', failures, () => {
            const bad = regexesOf(ourReading(f.content)).flatMap(({ where, pattern }) => {
              const c = compileRe2(pattern);
              return c.ok ? [] : [`${where}: ${JSON.stringify(pattern)}: ${c.error}`];
            });
            return bad.length ? bad.join('; ') : undefined;
          }));
        }
      }
    }
    // (b) kubectl read-back of every YAML file with apiVersion/kind
    for (const f of files) {
      if (!/\.ya?ml$/.test(f.path) || f.path.startsWith('cilium-values/')) continue;
      const docs = ourReading(f.content);
      if (docs.length === 0 || !docs.every((d: any) => d && typeof d === 'object' && d.apiVersion && d.kind)) continue;
      jobs.push(settle('readback', failures, async () => {
        const theirs = await kubectlReadBack(path.join(root, f.path));
        const d = firstDifference(docs, theirs);
        return d && `${f.path} read by kubectl: ${d}`;
      }));
    }
    await Promise.all(jobs);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { status: 'accepted', failures };
}
