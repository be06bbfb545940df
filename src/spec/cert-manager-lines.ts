/**
 * cert-manager release lines of the version matrix. The library emits only cert-manager.io/v1 Issuer,
 * ClusterIssuer and Certificate objects (the local CA chain); each line records how its CRD schemas
 * compare with the reference schemas they are checked against. Pure data; every row cites its source.
 *
 * cert-manager releases have a `v`: `v1.20.4`.
 */

/** The cert-manager CRDs a line was read at, and how they compare with the reference schemas the library is checked against. */
export interface CertManagerCrds {
  /** Tag whose `deploy/crds/cert-manager.io_*.yaml` were read, e.g. `v1.20.3`. */
  readonly readAt: string;
  /** cert-manager commit of that tag. */
  readonly commit: string;
  /**
   * Reference folder (beside the repository) holding the CRD schemas the emitted objects are checked against, at runtime
   * (`crd-schema` rule, via the generated description-free schemas) and by the tests: `cert-manager-v1.19` (v1.19.6).
   */
  readonly referenceFolder: string;
  /**
   * True when this line's Issuer, ClusterIssuer, Certificate and CertificateRequest schemas differ from the reference
   * folder's only by added optional fields (and descriptions): every object valid against the reference stays valid, so
   * the reference may judge what the library emits for this line.
   */
  readonly onlyOptionalFieldsAdded: boolean;
  /** What was compared (descriptions stripped; type, enum, pattern, required, defaults, CEL rules and property sets). */
  readonly source: string;
}

/** A cert-manager release line the CA chain (cert-manager.io/v1 Issuer, ClusterIssuer, Certificate) is checked against. */
export interface CertManagerLine {
  /** `v1.19`, `v1.20` or `v1.21`. */
  readonly line: string;
  /** Newest patch of the line, e.g. `v1.20.4`: the one the fix hints name. */
  readonly latestPatch: string;
  /** Patches accepted without `allowUnsupportedPair`, newest first (starts with {@link latestPatch}). */
  readonly patches: readonly string[];
  /** Where the patches come from (release notes, tags). */
  readonly releaseSource: string;
  /** The CRDs the line was read at and checked against. */
  readonly crds: CertManagerCrds;
}

/** The reference folder of the cert-manager CRD schemas (cert-manager v1.19.6). */
const REFERENCE_FOLDER = 'cert-manager-v1.19';

/** cert-manager lines of the matrix, oldest first. */
export const CERT_MANAGER_LINES: readonly CertManagerLine[] = [
  {
    line: 'v1.19',
    latestPatch: 'v1.19.6',
    patches: ['v1.19.6'],
    releaseSource: 'cert-manager tag v1.19.6 (2026-06-25); end of life at the release of v1.21.0 (cert-manager supports the two newest minors, '
      + 'cert-manager/website PR #2007)',
    crds: {
      readAt: 'v1.19.6',
      commit: '60b0447cc9a64885d42567ea590862b88a62d1ad',
      referenceFolder: REFERENCE_FOLDER,
      onlyOptionalFieldsAdded: true,
      source: 'cert-manager tag v1.19.6 deploy/crds: these are the reference schemas themselves (blobs 340b020d, 8471e706, 0f082453, bb24f443)',
    },
  },
  {
    line: 'v1.20',
    latestPatch: 'v1.20.4',
    patches: ['v1.20.4', 'v1.20.3'],
    releaseSource: 'cert-manager release v1.20.4 (github.com/cert-manager/cert-manager/releases/tag/v1.20.4), a security release over v1.20.3; '
      + 'patch releases of a line keep its cert-manager.io/v1 API',
    crds: {
      readAt: 'v1.20.3',
      commit: '1e1d16d1744e6d9c80e464e58e8d9ab1caed222b',
      referenceFolder: REFERENCE_FOLDER,
      onlyOptionalFieldsAdded: true,
      source: 'cert-manager tag v1.20.3 deploy/crds compared with v1.19.6: Certificate and CertificateRequest identical apart from '
        + 'descriptions; Issuer/ClusterIssuer add only the optional spec.acme.solvers[].dns01.azureDNS.zoneType',
    },
  },
  {
    line: 'v1.21',
    latestPatch: 'v1.21.2',
    patches: ['v1.21.2', 'v1.21.1'],
    releaseSource: 'cert-manager release notes v1.21.2 (controller and webhook panics, data races, ACME renewal, Gateway API dnsNames; '
      + 'quoted in sylva-projects/sylva-core MR !9292) and tag v1.21.1 (2026-07-29)',
    crds: {
      readAt: 'v1.21.1',
      commit: '24e33194fb39488eff2bbf10c6dc640f407cad44',
      referenceFolder: REFERENCE_FOLDER,
      onlyOptionalFieldsAdded: true,
      source: 'cert-manager tag v1.21.1 deploy/crds compared with v1.19.6: Certificate adds the optional spec.renewal (policy, windows[]), '
        + 'status.acme.ari and the pkcs12 profile Modern2026; Issuer/ClusterIssuer add the optional solvers[].waitInsteadOfSelfCheck, '
        + 'vault.auth.aws and venafi.ngts (with a CEL rule on venafi, which the library never sets); CertificateRequest unchanged',
    },
  },
];

/**
 * Default cert-manager release: v1.20.4, the security release of the v1.20 line. v1.19 reached end of life with the
 * release of v1.21.0 (2026-07-08; cert-manager supports the two newest minors, cert-manager/website PR #2007); v1.21 is
 * accepted (v1.21.2) but not the default, as the v1.20 line is the one the library's behaviour cases were taken from.
 * Every line serves the same cert-manager.io/v1 schemas for what this library writes, so manifests stay valid.
 */
export const DEFAULT_CERT_MANAGER_VERSION = 'v1.20.4';

/** The line a cert-manager release belongs to when it is one of the line's checked {@link CertManagerLine.patches}. */
export function certManagerLineOf(version: string): CertManagerLine | undefined {
  return CERT_MANAGER_LINES.find((l) => l.patches.includes(version));
}
