/**
 * The version choices of a cluster (what {@link ComponentVersionInput} holds) and the shape of a refused
 * choice: {@link VersionViolation} with its stable rule ids, and the one writer of its fix text, so every
 * fix names the values of its suggestions. Pure types and functions.
 */

/**
 * One refused version choice, shaped like `Violation` in `src/errors.ts` (`rule`, `field`, `problem`,
 * `fix`) so callers can throw or collect it unchanged.
 */
export interface VersionViolation {
  /** Stable rule id, one of {@link VERSION_RULE_IDS}. */
  readonly rule: VersionRuleId;
  /** The offending input key, prefixed with the caller's `field` (e.g. `dev.kubernetesVersion`). */
  readonly field: string;
  /** What is wrong, naming the value and the upstream reason. */
  readonly problem: string;
  /** What to change; names at least one valid combination (the values in {@link suggestions}). */
  readonly fix: string;
  /**
   * Alternative input changes, each of which removes this violation (merge one into the input and
   * resolve again). The `fix` text is written from these. An `undefined` value means "remove the key".
   */
  readonly suggestions: readonly Partial<ComponentVersionInput>[];
}

/**
 * Rule ids of {@link resolveComponentVersions}, so a rule registry can declare them. The first three
 * keep the ids of the former single-minor `version-matrix` rule.
 */
export const VERSION_RULES = {
  /** `ciliumVersion` is not a stable `X.Y.Z` release of a supported minor (1.18, 1.19, 1.20), nor the 1.21 preview. */
  ciliumVersionUnsupported: 'cilium-version-unsupported',
  /** `ciliumVersion` is the 1.21 development pre-release (1.21.0-pre.0) and `allowPreRelease` is not set. */
  ciliumPreReleaseNotAllowed: 'cilium-pre-release-not-allowed',
  /** `gatewayApi` is not the release the Cilium minor pairs with (overridable by `allowUnsupportedPair`). */
  gatewayApiCiliumMismatch: 'gateway-api-cilium-mismatch',
  /** `certManager` is not one of the checked releases (overridable by `allowUnsupportedPair` when well-formed). */
  certManagerUnsupported: 'cert-manager-version-unsupported',
  /** `gatewayApi` is older than the Cilium operator's hard minimum (never overridable). */
  gatewayApiBelowCiliumMinimum: 'gateway-api-below-cilium-minimum',
  /** `gatewayApi` is not a `vX.Y.Z` release tag. */
  gatewayApiVersionInvalid: 'gateway-api-version-invalid',
  /** `kubernetesVersion` is not `X.Y` or `X.Y.Z`. */
  kubernetesVersionInvalid: 'kubernetes-version-invalid',
  /** The Kubernetes version is outside the Cilium minor's tested range (overridable by `allowUnsupportedPair`). */
  kubernetesOutsideCiliumRange: 'kubernetes-version-outside-cilium-range',
  /** `kindRelease` is not one of the kind releases in the matrix. */
  kindReleaseUnsupported: 'kind-release-unsupported',
  /** The kind release publishes no digest-pinned node image for that Kubernetes version. */
  kindNodeImageUnavailable: 'kind-node-image-unavailable',
  /** A custom `nodeImage` is not pinned by `@sha256:` digest. */
  kindNodeImageNotPinned: 'kind-node-image-not-pinned',
  /** `nodeImage` and `kubernetesVersion` name different Kubernetes versions. */
  kindNodeImageKubernetesMismatch: 'kind-node-image-kubernetes-mismatch',
  /** `nodeImage` is an image published with another kind release than `kindRelease` (overridable by `allowUnsupportedPair`). */
  kindNodeImageReleaseMismatch: 'kind-node-image-release-mismatch',
  /**
   * The kind release writes a kubeadm config API the node's kubeadm no longer reads (kind v0.31 writes v1beta3,
   * which Kubernetes 1.37 refuses); `kind create cluster` would fail, so `allowUnsupportedPair` does not apply.
   */
  kindReleaseKubeadmApiRejected: 'kind-release-kubeadm-api-rejected',
} as const;

/** A rule id of {@link VERSION_RULES}. */
export type VersionRuleId = typeof VERSION_RULES[keyof typeof VERSION_RULES];

/** Every rule id {@link resolveComponentVersions} can report. */
export const VERSION_RULE_IDS: readonly VersionRuleId[] = Object.values(VERSION_RULES);


/** The version choices of a cluster description; every key is optional. */
export interface ComponentVersionInput {
  /**
   * Cilium chart version `X.Y.Z`, any stable patch of 1.18, 1.19 or 1.20, or the 1.21 preview `1.21.0-pre.0` with
   * {@link allowPreRelease}; a leading `v` (`v1.20.0`, which helm resolves) is accepted and dropped. @default '1.20.0'
   */
  readonly ciliumVersion?: string;
  /**
   * Kubernetes version, `X.Y` (newest published patch of that minor) or `X.Y.Z` (that exact image);
   * a leading `v` is accepted. Must be inside the Cilium minor's tested range.
   * @default the newest Kubernetes inside the Cilium minor's range with a published image (see {@link resolveComponentVersions})
   */
  readonly kubernetesVersion?: string;
  /** kind release, `v0.29.0` … `v0.33.0` (or `v0.33`). @default the newest release publishing the chosen Kubernetes version */
  readonly kindRelease?: string;
  /**
   * Full node image reference, pinned by `@sha256:` digest. Overrides the lookup by `kubernetesVersion`.
   * If the tag names a Kubernetes version (`v1.33.1`), the Cilium range applies to it.
   */
  readonly nodeImage?: string;
  /** Gateway API release tag. @default the Cilium minor's pair: v1.3.0 (1.18), v1.4.1 (1.19), v1.6.1 (1.20) */
  readonly gatewayApi?: string;
  /** cert-manager release tag: a checked patch of v1.19, v1.20 or v1.21 (see `CERT_MANAGER_LINES`). @default 'v1.20.4' */
  readonly certManager?: string;
  /**
   * Accept a Gateway API or cert-manager release, a Kubernetes version or a kind release/image pairing
   * outside the matrix, taking responsibility for it. Never accepts malformed versions, an unsupported
   * Cilium minor, an unpinned image, or a Gateway API release below the Cilium operator's hard minimum.
   * Does not opt in to a pre-release (that is {@link allowPreRelease}).
   * @default false
   */
  readonly allowUnsupportedPair?: boolean;
  /**
   * Opt in to a Cilium development pre-release of the matrix: `ciliumVersion: '1.21.0-pre.0'` (cilium/charts
   * 009b5e95), which has its own matrix row and chart checks but is not a supported release. Without it that
   * version is refused (`cilium-pre-release-not-allowed`). Changes nothing for a stable version.
   * @default false
   */
  readonly allowPreRelease?: boolean;
}


/** Writes a violation field for a key of {@link ComponentVersionInput} (`dev` + `gatewayApi` → `dev.gatewayApi`). */
export type At = (key: keyof ComponentVersionInput) => string;

/** Renders suggestions as `key: 'value'` alternatives (`remove key` for an `undefined` value). */
function describeSuggestions(suggestions: readonly Partial<ComponentVersionInput>[]): string {
  return suggestions
    .map((s) => Object.entries(s).map(([k, v]) => (v === undefined ? `remove ${k}` : `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`)).join(' with '))
    .join(', or ');
}

/** A violation whose fix is written from its suggestions (`set a: 'x', or b: 'y'`), plus an optional tail. */
export function violation(
  rule: VersionRuleId, field: string, problem: string, suggestions: readonly Partial<ComponentVersionInput>[], extra = '',
): VersionViolation {
  return { rule, field, problem, fix: `set ${describeSuggestions(suggestions)}${extra}`, suggestions };
}
