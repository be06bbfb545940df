/** Flux's namespace (`flux install`'s), where the sources, HelmReleases and Kustomizations live. */
export const FLUX_NAMESPACE = 'flux-system';
/** How often Flux re-reads a source or re-applies (Go duration). */
export const FLUX_INTERVAL = '10m';

/** What a GitRepository holds. */
export interface GitRepositoryProps {
  readonly name: string;
  /** http(s) or ssh URL (source-controller v1.9 CRD pattern `^(http|https|ssh)://.*$`). */
  readonly url: string;
  readonly branch: string;
}

/** A Flux `GitRepository` (source.toolkit.fluxcd.io/v1): the repository the bundle is committed to. */
export function gitRepository(p: GitRepositoryProps): Record<string, unknown> {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: p.name, namespace: FLUX_NAMESPACE },
    spec: { interval: '1m', url: p.url, ref: { branch: p.branch } },
  };
}
