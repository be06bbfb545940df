import { PlatformConfigError, Violation } from '../errors';
import { propKeys, rejectUnknownKeys } from '../private/props';
import { isPlainObject } from '../private/syntax';

/** The GitOps engines the bundle can hand a cluster to. */
export type GitOpsEngine = 'argocd' | 'flux';

/** The engines, in the order they are documented. */
export const GITOPS_ENGINES: readonly GitOpsEngine[] = ['argocd', 'flux'];

/**
 * Opt-in GitOps output of a cluster (`KindCiliumCluster`'s `gitops`) or of a fleet (`ClusterMesh`'s `gitops`, which
 * every member inherits). With it, the bundle also holds, under `dist/<cluster>/gitops/`, the engine's objects
 * (Argo CD `Application`s, or Flux sources, `HelmRelease`s and `Kustomization`s) in the apply plan's order, and
 * `dist/<cluster>/bootstrap.sh`, which brings up kind, the Gateway API CRDs and Cilium, installs the engine and hands
 * it the rest. Without it the bundle is exactly what it is without GitOps.
 *
 * The engine reads the bundle from git: commit the synthesized `dist/`, `kind/` and `cilium-values/` folders to
 * {@link repoUrl} at {@link revision}, with the repository root at {@link path}.
 */
export interface GitOpsOptions {
  /**
   * The engine: `argocd` (Argo CD v3.5, `argoproj.io/v1alpha1` Applications) or `flux` (Flux v2.9: `source.toolkit.fluxcd.io/v1`,
   * `helm.toolkit.fluxcd.io/v2`, `kustomize.toolkit.fluxcd.io/v1`). Anything else is refused.
   */
  readonly engine: GitOpsEngine;
  /**
   * The git repository that holds the synthesized bundle, as the engine clones it: `https://…`, `ssh://…` or
   * `git@host:path`. Refused when empty, with whitespace, or in another scheme (Flux's GitRepository `url` accepts
   * only `http`, `https` and `ssh`; source-controller's CRD pattern `^(http|https|ssh)://.*$`).
   */
  readonly repoUrl: string;
  /**
   * The branch the engine follows (Argo CD `targetRevision`, Flux `ref.branch`).
   * Refused when it is not a valid git branch name (`git check-ref-format --branch`: no spaces, `..`, `~^:?*[\`, …).
   * @default 'main'
   */
  readonly revision?: string;
  /**
   * Folder of the repository that holds the synthesis output (`dist/`, `kind/`, `cilium-values/`), relative to the
   * repository root, without a leading or trailing `/`; `.` (or empty) for the root. `..` is refused: the engines
   * never read outside the repository.
   * @default '.'
   */
  readonly path?: string;
}

/** {@link GitOpsOptions} resolved: every default applied. */
export interface GitOpsSpec {
  readonly engine: GitOpsEngine;
  readonly repoUrl: string;
  readonly revision: string;
  /** `''` for the repository root, else `a/b` (no leading or trailing slash). */
  readonly path: string;
}

const GITOPS_PROPS = propKeys<GitOpsOptions>()('engine', 'repoUrl', 'revision', 'path');

/** http(s)/ssh URL or scp-like `user@host:path` (Flux's pattern plus the form Argo CD and git read as ssh). */
const REPO_URL_RE = /^(?:(?:https?|ssh):\/\/[^\s/]+(?:\/\S*)?|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;
/** A path segment: no `..`, no `.` (other than the whole path), nothing a shell or YAML reader could split. */
const PATH_SEGMENT_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** `git check-ref-format --branch` rules (refs.c: check_refname_component), as far as a branch name needs them. */
function branchProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'holds a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return 'holds "..", "@{" or "//"';
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.startsWith('-') || name === '@') return 'starts or ends with "/", ends with "." or starts with "-"';
  if (name.split('/').some((c) => c.startsWith('.') || c.endsWith('.lock'))) return 'has a component that starts with "." or ends with ".lock"';
  return undefined;
}

/**
 * Checks and resolves {@link GitOpsOptions}; `undefined` stays `undefined` (no GitOps output). Every problem is
 * reported at once in one {@link PlatformConfigError}.
 * @param field path of the prop in messages, e.g. `dev.gitops`
 */
export function resolveGitOps(field: string, value: unknown): GitOpsSpec | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new PlatformConfigError({ rule: 'invalid-type', field, problem: 'is not an object', fix: 'pass { engine: \'flux\', repoUrl: \'https://github.com/me/platform.git\' }' });
  }
  rejectUnknownKeys(field, value, GITOPS_PROPS, 'gitops');
  const o = value as Record<string, unknown>;
  const problems: Violation[] = [];
  const engine = o.engine;
  if (typeof engine !== 'string' || !(GITOPS_ENGINES as readonly string[]).includes(engine)) {
    problems.push({ rule: 'invalid-gitops', field: `${field}.engine`, problem: `${JSON.stringify(engine)} is not a GitOps engine`, fix: `use one of ${GITOPS_ENGINES.join(', ')}` });
  }
  const repoUrl = o.repoUrl;
  if (typeof repoUrl !== 'string' || !REPO_URL_RE.test(repoUrl)) {
    problems.push({
      rule: 'invalid-gitops',
      field: `${field}.repoUrl`,
      problem: `${JSON.stringify(repoUrl)} is not a git repository URL the engines clone`,
      fix: 'use https://host/owner/repo.git, ssh://git@host/owner/repo.git or git@host:owner/repo.git (Flux GitRepository url: ^(http|https|ssh)://)',
    });
  }
  const revision = o.revision ?? 'main';
  const revisionProblem = typeof revision === 'string' ? branchProblem(revision) : 'is not a string';
  if (revisionProblem) {
    problems.push({ rule: 'invalid-gitops', field: `${field}.revision`, problem: `${JSON.stringify(revision)} ${revisionProblem}, so it is no git branch name`, fix: 'name a branch, e.g. main' });
  }
  const rawPath = o.path ?? '.';
  const path = typeof rawPath === 'string' ? (rawPath === '.' ? '' : rawPath) : undefined;
  if (path === undefined || (path !== '' && !path.split('/').every((s) => PATH_SEGMENT_RE.test(s)))) {
    problems.push({
      rule: 'invalid-gitops',
      field: `${field}.path`,
      problem: `${JSON.stringify(rawPath)} is not a folder inside the repository`,
      fix: 'use "." for the repository root, or a relative folder such as "platform/local" (letters, digits, ".", "_", "-"; no leading "/", no "..")',
    });
  }
  if (problems.length > 0) throw new PlatformConfigError(problems);
  return { engine: engine as GitOpsEngine, repoUrl: repoUrl as string, revision: revision as string, path: path as string };
}

/** `p` inside the repository: the GitOps path joined with a bundle path (`dist/dev`). */
export function repoPath(gitops: GitOpsSpec, p: string): string {
  return gitops.path === '' ? p : `${gitops.path}/${p}`;
}
