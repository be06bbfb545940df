import { FLUX_INTERVAL, FLUX_NAMESPACE } from './flux-git-repository';

/** One `valuesFrom` entry: a ConfigMap or Secret in the HelmRelease's namespace. */
export interface ValuesReference {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  /** @default 'values.yaml' */
  readonly valuesKey?: string;
}

/** What a HelmRelease holds. */
export interface HelmReleaseProps {
  readonly name: string;
  /** The Helm release name; the same as the release bootstrap.sh or apply.sh installs, so it is adopted. */
  readonly releaseName: string;
  /** Where the chart's objects and the release's storage go. */
  readonly targetNamespace: string;
  /** The OCIRepository holding the chart. */
  readonly chartRef: string;
  /** Values merged in list order (helm-controller docs/spec/v2/helmreleases.md). */
  readonly valuesFrom: readonly ValuesReference[];
  /** HelmReleases that must be Ready first. */
  readonly dependsOn: readonly string[];
  /** Create the target namespace on install. */
  readonly createNamespace: boolean;
  /** `install.crds`/`upgrade.crds`: `CreateReplace` keeps the chart's CRDs up to date (the upgrade default, Skip, would not). */
  readonly crds: 'Skip' | 'CreateReplace';
}

/**
 * A Flux `HelmRelease` (helm.toolkit.fluxcd.io/v2) of a chart from an OCIRepository (`chartRef`), its release stored
 * in the target namespace so an existing release of the same name there is upgraded in place (adopted), not
 * installed a second time.
 */
export function helmRelease(p: HelmReleaseProps): Record<string, unknown> {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: p.name, namespace: FLUX_NAMESPACE },
    spec: {
      interval: FLUX_INTERVAL,
      releaseName: p.releaseName,
      targetNamespace: p.targetNamespace,
      storageNamespace: p.targetNamespace,
      chartRef: { kind: 'OCIRepository', name: p.chartRef },
      ...(p.dependsOn.length > 0 ? { dependsOn: p.dependsOn.map((name) => ({ name })) } : {}),
      install: { createNamespace: p.createNamespace, crds: p.crds, remediation: { retries: 3 } },
      upgrade: { crds: p.crds, remediation: { retries: 3 } },
      valuesFrom: p.valuesFrom.map((v) => ({ kind: v.kind, name: v.name, valuesKey: v.valuesKey ?? 'values.yaml' })),
    },
  };
}
