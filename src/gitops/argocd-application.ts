/** Argo CD's namespace, where Applications and ApplicationSets live (the install manifest's). */
export const ARGOCD_NAMESPACE = 'argocd';
/** The cluster Argo CD runs in, as its Applications name it. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** One source of an Argo CD Application (`spec.source` / `spec.sources[]`, argoproj.io/v1alpha1, Argo CD v3.5). */
export interface ArgoSource {
  /** Git URL, or `oci://registry/path/chart` for an OCI Helm chart (docs/user-guide/oci.md). */
  readonly repoURL: string;
  /** Branch, tag or chart version. */
  readonly targetRevision: string;
  /** Folder in the repository (`.` for an OCI chart); absent for a `ref`-only source. */
  readonly path?: string;
  /** Names this source for `$<ref>/…` value files of another source; such a source only supplies files. */
  readonly ref?: string;
  readonly helm?: { readonly releaseName: string; readonly valueFiles: readonly string[] };
  readonly kustomize?: { readonly patches: readonly ArgoKustomizePatch[] };
}

/** `source.kustomize.patches[]` entry: a strategic-merge patch applied to every object of a kind. */
export interface ArgoKustomizePatch {
  readonly target: { readonly group: string; readonly kind: string };
  readonly patch: string;
}

/** `spec.ignoreDifferences[]` entry. */
export interface ArgoIgnoreDifference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly jsonPointers: readonly string[];
}

/** What one Application holds. */
export interface ArgoApplicationProps {
  readonly name: string;
  /** `argocd.argoproj.io/sync-wave` (an integer, the apply plan's index of the layer); absent for a root Application. */
  readonly wave?: number;
  /** One source (`spec.source`) or several (`spec.sources`, when one of them supplies values by `ref`). */
  readonly sources: readonly ArgoSource[];
  readonly destinationNamespace: string;
  /** `spec.syncPolicy.syncOptions`, e.g. `ServerSideApply=true`. */
  readonly syncOptions: readonly string[];
  /** Garbage-collect objects that left the source. */
  readonly prune: boolean;
  readonly ignoreDifferences?: readonly ArgoIgnoreDifference[];
}

/**
 * An Argo CD `Application` (argoproj.io/v1alpha1) in the `argocd` namespace, project `default`, synced automatically
 * into the cluster Argo CD runs in, retried with backoff (an object whose CRD its controller creates at run time may
 * need a second try).
 */
export function argoApplication(p: ArgoApplicationProps): Record<string, unknown> {
  const [only, ...more] = p.sources;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: p.name,
      namespace: ARGOCD_NAMESPACE,
      ...(p.wave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(p.wave) } } : {}),
    },
    spec: {
      project: 'default',
      ...(more.length === 0 ? { source: only } : { sources: p.sources }),
      destination: { server: IN_CLUSTER, namespace: p.destinationNamespace },
      syncPolicy: {
        automated: { prune: p.prune, selfHeal: true },
        ...(p.syncOptions.length > 0 ? { syncOptions: [...p.syncOptions] } : {}),
        retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
      ...(p.ignoreDifferences && p.ignoreDifferences.length > 0 ? { ignoreDifferences: p.ignoreDifferences } : {}),
    },
  };
}
