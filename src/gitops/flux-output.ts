import { CERT_MANAGER_VALUES, ClusterGitOpsInput, GitOpsFile, gitopsDir, OCI_CHARTS } from './cluster-input';
import { FLUX_NAMESPACE, gitRepository } from './flux-git-repository';
import { helmRelease, ValuesReference } from './flux-helm-release';
import { FluxKustomizationProps, fluxKustomization, HealthCheck } from './flux-kustomization';
import { ociChartRepository } from './flux-oci-repository';
import { GitOpsLayer, GitOpsLayerId, gitopsLayers } from './layers';
import { toYaml, toYamlStream } from '../private/yaml';
import { repoPath } from '../spec/gitops';

/** The Secret bootstrap.sh creates in `flux-system` from a mesh's shared CA values (never in git). */
export function meshCaSecretName(mesh: string): string {
  return `${mesh}-cilium-ca`;
}

/** The name of a cluster's Flux Kustomization of one layer. */
export function fluxLayerName(cluster: string, layer: GitOpsLayerId): string {
  return `${cluster}-${layer === 'bundle' ? 'manifests' : layer}`;
}

const deployment = (name: string, namespace: string): HealthCheck => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });
const release = (name: string): HealthCheck => ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name, namespace: FLUX_NAMESPACE });

/** A kustomization.yaml of one HelmRelease and its values ConfigMap, generated from `values.yaml` beside it. */
function helmReleaseFolder(configMap: string): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: FLUX_NAMESPACE,
    resources: ['helm-release.yaml'],
    // No hash suffix: a HelmRelease's valuesFrom is not a name reference kustomize rewrites. The watch label makes
    // helm-controller reconcile when the values change.
    generatorOptions: { disableNameSuffixHash: true, labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } },
    configMapGenerator: [{ name: configMap, files: ['values.yaml'] }],
  };
}

/**
 * The Flux output of one cluster, in `gitops/flux/`: `sources.yaml` (the GitRepository and the charts'
 * OCIRepositories), `kustomizations.yaml` (one Kustomization per layer, each `dependsOn` the layer before it in the
 * apply plan, with `wait` or `healthChecks`), and a folder per HelmRelease (`cilium/`, `cert-manager/`) whose values
 * ConfigMap a kustomize generator makes from a copy of the synthesized values file. bootstrap.sh applies
 * `gitops/flux` with `kubectl apply -k`.
 */
export function renderFlux(input: ClusterGitOpsInput, gatewayApiDir: string): GitOpsFile[] {
  const { gitops, clusterName: c } = input;
  const dir = `${gitopsDir(input)}/flux`;
  const layers = gitopsLayers(input.steps);
  const source = c;
  const path = (p: string) => `./${repoPath(gitops, p)}`;
  const files: GitOpsFile[] = [];
  const sources: Record<string, unknown>[] = [gitRepository({ name: source, url: gitops.repoUrl, branch: gitops.revision })];
  const releases: string[] = [];
  const kustomization = (layer: GitOpsLayer, props: Omit<FluxKustomizationProps, 'name' | 'source' | 'dependsOn'>) => fluxKustomization({
    name: fluxLayerName(c, layer.id), source, dependsOn: layer.after ? [fluxLayerName(c, layer.after)] : [], ...props,
  });
  const chart = (layer: 'cilium' | 'cert-manager', values: string, valuesFrom: ValuesReference[], props: { releaseName: string; namespace: string; createNamespace: boolean; crds: 'Skip' | 'CreateReplace'; url: string; tag: string }) => {
    const name = `${c}-${layer}`;
    sources.push(ociChartRepository({ name, url: props.url, tag: props.tag }));
    files.push({ path: `${dir}/${layer}/values.yaml`, content: values });
    files.push({ path: `${dir}/${layer}/kustomization.yaml`, content: toYaml(helmReleaseFolder(`${name}-values`)) });
    files.push({
      path: `${dir}/${layer}/helm-release.yaml`,
      content: toYaml(helmRelease({
        name,
        releaseName: props.releaseName,
        targetNamespace: props.namespace,
        chartRef: name,
        createNamespace: props.createNamespace,
        crds: props.crds,
        valuesFrom: [{ kind: 'ConfigMap', name: `${name}-values` }, ...valuesFrom],
        dependsOn: [...releases],
      })),
    });
    releases.push(name);
    return name;
  };
  const objects: Record<GitOpsLayerId, (l: GitOpsLayer) => Record<string, unknown>> = {
    'gateway-api-crds': (l) => kustomization(l, { path: path(gatewayApiDir), prune: false, wait: true }),
    'cilium': (l) => {
      const name = chart('cilium', input.ciliumValues, input.mesh ? [{ kind: 'Secret', name: meshCaSecretName(input.mesh) }] : [], {
        releaseName: 'cilium', namespace: 'kube-system', createNamespace: false, crds: 'Skip', url: OCI_CHARTS.cilium, tag: input.versions.cilium,
      });
      return kustomization(l, {
        path: path(`${dir}/cilium`),
        prune: true,
        wait: false,
        healthChecks: [release(name), { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'cilium', namespace: 'kube-system' }, deployment('cilium-operator', 'kube-system')],
      });
    },
    'cert-manager': (l) => {
      const name = chart('cert-manager', toYaml(CERT_MANAGER_VALUES), [], {
        releaseName: 'cert-manager', namespace: 'cert-manager', createNamespace: true, crds: 'CreateReplace', url: OCI_CHARTS.certManager, tag: input.versions.certManager,
      });
      return kustomization(l, {
        path: path(`${dir}/cert-manager`),
        prune: true,
        wait: false,
        healthChecks: [release(name), deployment('cert-manager-webhook', 'cert-manager'), deployment('cert-manager-cainjector', 'cert-manager')],
      });
    },
    'bundle': (l) => kustomization(l, { path: path(input.manifestsDir), prune: true, wait: true }),
  };
  const kustomizations = layers.map((l) => objects[l.id](l));
  files.push({ path: `${dir}/sources.yaml`, content: toYamlStream(sources) });
  files.push({ path: `${dir}/kustomizations.yaml`, content: toYamlStream(kustomizations) });
  files.push({
    path: `${dir}/kustomization.yaml`,
    content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['sources.yaml', 'kustomizations.yaml'] }),
  });
  return files;
}
