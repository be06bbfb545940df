import { ArgoSource, argoApplication, ARGOCD_NAMESPACE } from './argocd-application';
import { CILIUM_GENERATED_SECRETS } from './cilium-generated-secrets';
import { CERT_MANAGER_VALUES, ClusterGitOpsInput, GitOpsFile, gitopsDir, OCI_CHARTS } from './cluster-input';
import { GitOpsLayer, GitOpsLayerId, gitopsLayers } from './layers';
import { PlatformConfigError } from '../errors';
import { toYaml } from '../private/yaml';
import { repoPath } from '../spec/gitops';

/** The folder of a cluster's Argo CD Applications (one per layer), synced by its root Application. */
export function argoAppsDir(input: ClusterGitOpsInput): string {
  return `${gitopsDir(input)}/argocd/apps`;
}

/** The annotation the Cilium kinds of the manifests get through the Application's kustomize patches. */
export const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

/**
 * The Argo CD output of one cluster: `gitops/argocd/root.yaml` (the Application bootstrap.sh applies), one
 * Application per layer in `gitops/argocd/apps/` with the layer's apply-plan index as its sync wave, the
 * cert-manager values file, and the Gateway API CRD kustomization (shared with Flux).
 */
export function renderArgoCd(input: ClusterGitOpsInput, gatewayApiDir: string): GitOpsFile[] {
  const { gitops, clusterName: c } = input;
  const layers = gitopsLayers(input.steps);
  if (input.mesh && CILIUM_GENERATED_SECRETS[input.ciliumMinor].length === 0) {
    throw new PlatformConfigError({
      rule: 'gitops-mesh-ca',
      field: `${c}.gitops.engine`,
      problem: `Argo CD renders Cilium ${input.versions.cilium}'s chart with helm template, which makes a new CA on every render; the ${input.ciliumMinor} chart does not mark its generated Secrets, so nothing keeps mesh ${input.mesh}'s shared CA in place and the members would stop trusting each other`,
      fix: 'use Cilium 1.19 or later for a mesh under Argo CD, or engine: \'flux\' (its HelmRelease takes the shared CA from a Secret)',
    });
  }
  const git = (path: string): ArgoSource => ({ repoURL: gitops.repoUrl, targetRevision: gitops.revision, path: repoPath(gitops, path) });
  const valuesRef: ArgoSource = { repoURL: gitops.repoUrl, targetRevision: gitops.revision, ref: 'values' };
  const certManagerValues = `${gitopsDir(input)}/argocd/cert-manager-values.yaml`;
  const files: GitOpsFile[] = [];
  const apps: Record<GitOpsLayerId, (l: GitOpsLayer) => Record<string, unknown>> = {
    'gateway-api-crds': (l) => argoApplication({
      name: `${c}-gateway-api-crds`,
      wave: l.wave,
      sources: [git(gatewayApiDir)],
      destinationNamespace: 'default',
      // The Gateway API CRDs are large (client-side apply's last-applied annotation would not hold them); never pruned.
      syncOptions: ['ServerSideApply=true'],
      prune: false,
    }),
    'cilium': (l) => argoApplication({
      name: `${c}-cilium`,
      wave: l.wave,
      sources: [
        { repoURL: OCI_CHARTS.cilium, targetRevision: input.versions.cilium, path: '.', helm: { releaseName: 'cilium', valueFiles: [`$values/${repoPath(gitops, input.ciliumValuesPath)}`] } },
        valuesRef,
      ],
      destinationNamespace: 'kube-system',
      // Server-side apply takes over the fields of the release bootstrap.sh installed with helm instead of fighting them.
      syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
      prune: true,
      ignoreDifferences: CILIUM_GENERATED_SECRETS[input.ciliumMinor].map((name) => ({ group: '', kind: 'Secret', name, namespace: 'kube-system', jsonPointers: ['/data'] })),
    }),
    'cert-manager': (l) => {
      files.push({ path: certManagerValues, content: toYaml(CERT_MANAGER_VALUES) });
      return argoApplication({
        name: `${c}-cert-manager`,
        wave: l.wave,
        sources: [
          { repoURL: OCI_CHARTS.certManager, targetRevision: input.versions.certManager, path: '.', helm: { releaseName: 'cert-manager', valueFiles: [`$values/${repoPath(gitops, certManagerValues)}`] } },
          valuesRef,
        ],
        destinationNamespace: 'cert-manager',
        // cert-manager's CRDs are chart templates and large.
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        prune: true,
      });
    },
    'bundle': (l) => argoApplication({
      name: `${c}-manifests`,
      wave: l.wave,
      sources: [{
        ...git(input.manifestsDir),
        ...(input.operatorCrdKinds.length > 0 ? {
          kustomize: {
            patches: input.operatorCrdKinds.map((k) => ({
              target: { group: k.apiVersion.split('/')[0], kind: k.kind },
              patch: toYaml({ apiVersion: k.apiVersion, kind: k.kind, metadata: { name: 'any', annotations: { 'argocd.argoproj.io/sync-options': SKIP_DRY_RUN } } }),
            })),
          },
        } : {}),
      }],
      destinationNamespace: 'default',
      syncOptions: [],
      prune: true,
    }),
  };
  for (const layer of layers) {
    files.push({ path: `${argoAppsDir(input)}/${layer.id === 'bundle' ? 'manifests' : layer.id}.yaml`, content: toYaml(apps[layer.id](layer)) });
  }
  files.push({
    path: `${gitopsDir(input)}/argocd/root.yaml`,
    content: toYaml(argoApplication({ name: `${c}-platform`, sources: [git(argoAppsDir(input))], destinationNamespace: ARGOCD_NAMESPACE, syncOptions: [], prune: true })),
  });
  return files;
}
