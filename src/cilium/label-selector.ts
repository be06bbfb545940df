/** Operator of a label selector requirement. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One requirement of a Kubernetes label selector (`matchExpressions` item). */
export interface CiliumSelectorRequirement {
  /** Label key. */
  readonly key: string;
  /** How the key relates to `values`. */
  readonly operator: SelectorOperator;
  /** Values; required (non-empty) for In/NotIn, forbidden for Exists/DoesNotExist. */
  readonly values?: string[];
}

/** A Kubernetes label selector as used by the Cilium CRDs (`serviceSelector`, `nodeSelector`). */
export interface CiliumLabelSelector {
  /** Labels that must all be present with these values. */
  readonly matchLabels?: Record<string, string>;
  /** Requirements that must all hold. */
  readonly matchExpressions?: CiliumSelectorRequirement[];
}
