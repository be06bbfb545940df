import type { ApplyStep } from '../bundle/apply-plan';
import type { CiliumMinor } from '../spec/cilium-minors';
import type { GitOpsSpec } from '../spec/gitops';
import type { ComponentVersions } from '../spec/versions';

/** One file of the GitOps output, relative to the output root (the bundle's `BundleFile`). */
export interface GitOpsFile {
  readonly path: string;
  readonly content: string;
}

/** What the GitOps output of one cluster is rendered from: the bundle's own data, nothing re-decided. */
export interface ClusterGitOpsInput {
  readonly clusterName: string;
  readonly gitops: GitOpsSpec;
  /** The apply plan apply.sh runs (`bundle.json` `applyOrder`); the engine's order is derived from it. */
  readonly steps: readonly ApplyStep[];
  readonly versions: ComponentVersions;
  readonly ciliumMinor: CiliumMinor;
  /** `cilium-values/<c>.yaml` and its exact content. */
  readonly ciliumValuesPath: string;
  readonly ciliumValues: string;
  /** `dist/<c>`: the cluster's kustomization (the `bundle` step). */
  readonly manifestsDir: string;
  /**
   * The kinds of the manifests whose CRD cilium-operator creates at run time (the Cilium chart ships none), with the
   * apiVersion they are written in.
   */
  readonly operatorCrdKinds: readonly { readonly apiVersion: string; readonly kind: string }[];
  /** The cluster is a Cluster Mesh member: the mesh's name (its shared CA is made at apply time, never in git). */
  readonly mesh?: string;
}

/** `dist/<c>/gitops`: the folder of a cluster's GitOps output. */
export function gitopsDir(input: ClusterGitOpsInput): string {
  return `${input.manifestsDir}/gitops`;
}

/** The cert-manager chart values every engine installs it with: its CRDs as chart templates (`crds.enabled`, default false). */
export const CERT_MANAGER_VALUES = { crds: { enabled: true } } as const;

/** Where Cilium and cert-manager come from as OCI charts (`../shared/reference/gitops/README.md`, "Charts as OCI"). */
export const OCI_CHARTS = {
  cilium: 'oci://quay.io/cilium/charts/cilium',
  certManager: 'oci://quay.io/jetstack/charts/cert-manager',
} as const;
