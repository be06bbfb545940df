import { renderArgoCd } from './argocd-output';
import { ClusterGitOpsInput, GitOpsFile, gitopsDir } from './cluster-input';
import { renderFlux } from './flux-output';
import { gitopsLayers } from './layers';
import { toYaml } from '../private/yaml';
import { gatewayApiCrdUrls } from '../spec/versions';

/**
 * The GitOps output of one cluster under `dist/<c>/gitops/`: the engine's objects and, when the plan installs them,
 * the Gateway API CRDs as a kustomization of the upstream release files (the URLs apply.sh applies).
 */
export function renderClusterGitOps(input: ClusterGitOpsInput): GitOpsFile[] {
  const gatewayApiDir = `${gitopsDir(input)}/gateway-api-crds`;
  const files: GitOpsFile[] = [];
  if (gitopsLayers(input.steps).some((l) => l.id === 'gateway-api-crds')) {
    files.push({
      path: `${gatewayApiDir}/kustomization.yaml`,
      content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: gatewayApiCrdUrls(input.versions) }),
    });
  }
  files.push(...(input.gitops.engine === 'argocd' ? renderArgoCd(input, gatewayApiDir) : renderFlux(input, gatewayApiDir)));
  return files;
}
