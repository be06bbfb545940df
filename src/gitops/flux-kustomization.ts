import { FLUX_INTERVAL, FLUX_NAMESPACE } from './flux-git-repository';

/** An object a Kustomization waits for (`healthChecks[]`). */
export interface HealthCheck {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** What a Flux Kustomization holds. */
export interface FluxKustomizationProps {
  readonly name: string;
  /** The GitRepository it builds from. */
  readonly source: string;
  /** Folder in the repository, `./`-prefixed. */
  readonly path: string;
  /** Garbage-collect objects that left the folder (off for CRDs: deleting one deletes every object of its kind). */
  readonly prune: boolean;
  /** Kustomizations that must be Ready (and healthy) first: the layer before it in the apply plan. */
  readonly dependsOn: readonly string[];
  /**
   * `true`: wait for every object it applies to be ready (`healthChecks` is then ignored by kustomize-controller);
   * otherwise the listed {@link healthChecks}.
   */
  readonly wait: boolean;
  readonly healthChecks?: readonly HealthCheck[];
}

/**
 * A Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) of a folder of the bundle's repository, applied after its
 * `dependsOn` are Ready, with a bounded `timeout` for build, apply and health checks.
 */
export function fluxKustomization(p: FluxKustomizationProps): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: p.name, namespace: FLUX_NAMESPACE },
    spec: {
      interval: FLUX_INTERVAL,
      retryInterval: '1m',
      timeout: '10m',
      sourceRef: { kind: 'GitRepository', name: p.source },
      path: p.path,
      prune: p.prune,
      ...(p.dependsOn.length > 0 ? { dependsOn: p.dependsOn.map((name) => ({ name })) } : {}),
      wait: p.wait,
      ...(!p.wait && p.healthChecks && p.healthChecks.length > 0 ? { healthChecks: p.healthChecks } : {}),
    },
  };
}
