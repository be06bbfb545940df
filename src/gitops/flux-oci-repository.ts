import { FLUX_INTERVAL, FLUX_NAMESPACE } from './flux-git-repository';

/** What an OCIRepository of a Helm chart holds. */
export interface OciChartRepositoryProps {
  readonly name: string;
  /** `oci://registry/path/chart` (source-controller v1.9 CRD: `^oci://.*$`). */
  readonly url: string;
  /** The chart version, as tagged in the registry. */
  readonly tag: string;
}

/**
 * A Flux `OCIRepository` (source.toolkit.fluxcd.io/v1) of a Helm chart pinned by tag, taking the chart layer
 * (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`, operation `copy`), for a HelmRelease `chartRef`
 * (source-controller docs/spec/v1/ocirepositories.md; HelmRepository `type: oci` is in maintenance mode).
 */
export function ociChartRepository(p: OciChartRepositoryProps): Record<string, unknown> {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: p.name, namespace: FLUX_NAMESPACE },
    spec: {
      interval: FLUX_INTERVAL,
      url: p.url,
      ref: { tag: p.tag },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    },
  };
}
