import { argoApplicationSet } from './argocd-application-set';
import type { GitOpsFile } from './cluster-input';
import { scriptHeader, sh } from '../bundle/scripts/shell';
import { toYaml } from '../private/yaml';
import { GitOpsSpec, repoPath } from '../spec/gitops';

/** What a mesh's GitOps output is rendered from. */
export interface MeshGitOpsInput {
  readonly mesh: string;
  /** `dist/<mesh>`. */
  readonly dir: string;
  readonly gitops: GitOpsSpec;
  /** Member cluster names, in the fleet's apply order. */
  readonly members: readonly string[];
}

/**
 * The fleet's GitOps output: `dist/<mesh>/bootstrap.sh` (each member's bootstrap.sh in turn: every member runs its own
 * engine, which adopts its own Cilium) and, with Argo CD, `dist/<mesh>/gitops/argocd/application-set.yaml`, an
 * ApplicationSet whose list generator has one element per member (for an Argo CD that has the members registered under
 * their names). With Flux each member's own set of objects is the fleet's: Flux has no generator object.
 */
export function renderMeshGitOps(input: MeshGitOpsInput): GitOpsFile[] {
  const files: GitOpsFile[] = [{
    path: `${input.dir}/bootstrap.sh`,
    content: `${[
      ...scriptHeader(input.mesh, [
        `Bootstraps every member of Cluster Mesh ${input.mesh} for GitOps (${input.gitops.engine}), one after the other`,
        'Safe to run again. Undo with teardown.sh.',
      ]),
      '',
      ...input.members.map((m) => sh`bash ${`dist/${m}/bootstrap.sh`}`),
    ].join('\n')}\n`,
  }];
  if (input.gitops.engine === 'argocd') {
    files.push({
      path: `${input.dir}/gitops/argocd/application-set.yaml`,
      content: toYaml(argoApplicationSet({
        name: `${input.mesh}-members`,
        repoURL: input.gitops.repoUrl,
        targetRevision: input.gitops.revision,
        elements: input.members.map((cluster) => ({ cluster, path: repoPath(input.gitops, `dist/${cluster}/gitops/argocd/apps`) })),
      })),
    });
  }
  return files;
}
