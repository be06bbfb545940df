/**
 * cert-manager release lines of the version matrix. The library emits only cert-manager.io/v1 Issuer,
 * ClusterIssuer and Certificate objects (the local CA chain); each line records how its CRD schemas
 * compare with the reference schemas they are checked against. Pure data; every row cites its source.
 *
 * cert-manager releases have a `v`: `v1.20.4`.
 */

/** A cert-manager release line the CA chain (cert-manager.io/v1 Issuer, ClusterIssuer, Certificate) is checked against. */
export interface CertManagerLine {
  /** `v1.19` or `v1.20`. */
  readonly line: string;
  /** Newest patch in the store, e.g. `v1.20.3`. */
  readonly latestPatch: string;
  /** cert-manager tag commit. */
  readonly commit: string;
  readonly source: string;
}

/** cert-manager lines of the matrix, oldest first. */
export const CERT_MANAGER_LINES: readonly CertManagerLine[] = [
  {
    line: 'v1.19',
    latestPatch: 'v1.19.6',
    commit: '60b0447cc9a64885d42567ea590862b88a62d1ad',
    source: 'cert-manager tag v1.19.6 deploy/crds (the shared cert-manager-v1.19/ CRDs); end of life at the release of v1.21 (cert-manager/website PR #2007)',
  },
  {
    line: 'v1.20',
    latestPatch: 'v1.20.3',
    commit: '1e1d16d1744e6d9c80e464e58e8d9ab1caed222b',
    source: 'cert-manager tag v1.20.3 deploy/crds: Certificate schema identical to v1.19.6 apart from descriptions; Issuer/ClusterIssuer add '
      + 'only the optional dns01.azureDNS.zoneType',
  },
];

/**
 * Default cert-manager release: v1.20.3. v1.19 reached end of life with the release of v1.21.0
 * (2026-07-08; cert-manager supports the two newest minors, cert-manager/website PR #2007), and v1.20.3
 * serves the same cert-manager.io/v1 schemas for everything this library writes, so manifests stay valid.
 */
export const DEFAULT_CERT_MANAGER_VERSION = 'v1.20.3';
