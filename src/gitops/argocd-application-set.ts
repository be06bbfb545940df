import { ARGOCD_NAMESPACE } from './argocd-application';

/** One fleet member, an element of the list generator. */
export interface FleetElement {
  /** The member's kind cluster name, also the name it is registered under in Argo CD (`argocd cluster add … --name`). */
  readonly cluster: string;
  /** The member's Argo CD Applications in the repository (`dist/<member>/gitops/argocd/apps`). */
  readonly path: string;
}

/** What the fleet's ApplicationSet holds. */
export interface ArgoApplicationSetProps {
  readonly name: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly elements: readonly FleetElement[];
}

/**
 * An Argo CD `ApplicationSet` (argoproj.io/v1alpha1) with a list generator over the fleet's members: one Application
 * `<member>-platform` per member, which syncs the member's own Applications (its layers, in their sync waves) into
 * the member cluster registered under the member's name. Go templates with `missingkey=error`, so a missing key
 * fails instead of rendering empty.
 */
export function argoApplicationSet(p: ArgoApplicationSetProps): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: p.name, namespace: ARGOCD_NAMESPACE },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements: p.elements.map((e) => ({ cluster: e.cluster, path: e.path })) } }],
      template: {
        metadata: { name: '{{.cluster}}-platform', namespace: ARGOCD_NAMESPACE },
        spec: {
          project: 'default',
          source: { repoURL: p.repoURL, targetRevision: p.targetRevision, path: '{{.path}}' },
          destination: { name: '{{.cluster}}', namespace: ARGOCD_NAMESPACE },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        },
      },
    },
  };
}
