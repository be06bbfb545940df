import * as semver from 'semver';
import { CERT_MANAGER_LINES, certManagerLineOf, DEFAULT_CERT_MANAGER_VERSION } from './cert-manager-lines';
import {
  CILIUM_MINOR_FACTS, CILIUM_MINORS, CiliumMinor, ciliumMinorFacts, CiliumMinorFacts, ciliumMinorOf, DEFAULT_CILIUM_VERSION, normalizeCiliumVersion,
  STABLE_CILIUM_MINOR_FACTS,
} from './cilium-minors';
import { gatewayApiRelease } from './gateway-api-releases';
import { KIND_RELEASES, KindRelease, kubeadmApiVersionFor, kubeadmApiVersionsAccepted, requiresCgroupV2 } from './kind-releases';
import { KUBEADM_CONFIG_APIS, minorOfKubernetes } from './kubernetes-versions';
import { resolveNode } from './node-image-resolution';
import { ComponentVersionInput, VERSION_RULES, violation, VersionViolation } from './version-choices';
import { checkProps, propsShape } from '../private/props';

/**
 * The one version matrix of the library: which Cilium, Kubernetes (kind node image), Gateway API and
 * cert-manager releases are built for each other. The facts live in one file per component, each row
 * citing the upstream file, document or PR it was read from (provenance in the reference folder's
 * `VERSIONS.md` and `VERSIONS-SOURCES.md`):
 * - Cilium minors: `cilium-minors.ts`;
 * - kind releases and their node images: `kind-releases.ts` (Kubernetes version spelling: `kubernetes-versions.ts`);
 * - Gateway API releases: `gateway-api-releases.ts`;
 * - cert-manager lines: `cert-manager-lines.ts`.
 *
 * This file resolves a cluster's version choices against them ({@link resolveComponentVersions}; the node
 * image part is `node-image-resolution.ts`) and re-exports the facts, so importers need one module.
 * Pure data and pure functions; nothing here reads files or imports the rest of `src/`.
 */

export * from './cert-manager-lines';
export * from './cilium-minors';
export * from './gateway-api-releases';
export * from './kind-releases';
export * from './kubernetes-versions';
export { VERSION_RULES, VERSION_RULE_IDS } from './version-choices';
export type { ComponentVersionInput, VersionRuleId, VersionViolation } from './version-choices';

/** The resolved versions of every component. */
export interface ResolvedComponentVersions {
  /** Cilium chart version, e.g. `1.20.0`. */
  readonly cilium: string;
  /** Its minor. */
  readonly ciliumMinor: CiliumMinor;
  /**
   * Kubernetes patch version of the node image (`1.36.4`), or the requested `kubernetesVersion` for a
   * custom image whose tag names none; `undefined` when neither tells.
   */
  readonly kubernetes: string | undefined;
  /** kind release tag, e.g. `v0.33.0`. */
  readonly kindRelease: string;
  /** Node image reference pinned by digest. */
  readonly kindNodeImage: string;
  /** Gateway API release tag. */
  readonly gatewayApi: string;
  /** cert-manager release tag. */
  readonly certManager: string;
  /** kubeadm config apiVersion kind generates (see {@link kubeadmApiVersionFor}); `undefined` when `kubernetes` is. */
  readonly kubeadmApiVersion: string | undefined;
  /** Node images of this Kubernetes version need a cgroup v2 host; `undefined` when `kubernetes` is. */
  readonly cgroupV2Only: boolean | undefined;
  /** True when some choice was accepted only because of `allowUnsupportedPair`. */
  readonly outsideMatrix: boolean;
}

/** Result of {@link resolveComponentVersions}. */
export type ComponentVersionResolution =
  | { readonly ok: true; readonly versions: ResolvedComponentVersions }
  | { readonly ok: false; readonly violations: readonly VersionViolation[] };

const VERSION_INPUT_SHAPE = propsShape<ComponentVersionInput>('version', {
  ciliumVersion: 'string',
  kubernetesVersion: 'string',
  kindRelease: 'string',
  nodeImage: 'string',
  gatewayApi: 'string',
  certManager: 'string',
  allowUnsupportedPair: 'boolean',
  allowPreRelease: 'boolean',
});

/**
 * Resolves and checks every component version of a cluster.
 *
 * Defaults: Cilium {@link DEFAULT_CILIUM_VERSION}; the node image is the image, from the newest kind
 * release that publishes one, of the newest Kubernetes patch inside the Cilium minor's tested range
 * (1.20 → kind v0.33.0, Kubernetes 1.36.4; 1.19 → v0.33.0, 1.35.8; 1.18 → v0.32.0, 1.33.12, since
 * v0.33.0 publishes nothing older than 1.34). Kubernetes 1.37, kind v0.33.0's own default, lies outside
 * every supported range and is never a default. The newest kind release is preferred even where an
 * older one matches Cilium's own CI (1.18 CI: kind v0.30, 1.33.0) so one kind binary (the newest)
 * serves every minor: images published with v0.32+ need that kind or later for `kind load`, and newer
 * patches of the same tested minor carry the Kubernetes security fixes. Gateway API: the minor's pair.
 * cert-manager: {@link DEFAULT_CERT_MANAGER_VERSION}.
 *
 * Refused (each with a fix naming a valid combination, see {@link VERSION_RULES}):
 * - the 1.21 preview `1.21.0-pre.0` (a development pre-release) without `allowPreRelease: true`; any other 1.21
 *   version always;
 * - a Cilium version that is not a stable `X.Y.Z` of 1.18/1.19/1.20 (`1.17.3`, `1.21.0`, `1.20`); a leading `v`
 *   (`v1.20.0`, which helm resolves) is accepted and dropped ({@link normalizeCiliumVersion});
 * - a Kubernetes version outside the minor's tested range, unless `allowUnsupportedPair`;
 * - a Kubernetes version for which the kind release publishes no digest-pinned image;
 * - a custom `nodeImage` without `@sha256:` digest, or whose tag disagrees with `kubernetesVersion`;
 * - a kind release that writes a kubeadm config API the node's kubeadm no longer reads (v1beta3 on
 *   Kubernetes 1.37), always;
 * - a Gateway API release below the operator's hard minimum, always (Cilium 1.20 requires TLSRoute,
 *   ReferenceGrant and BackendTLSPolicy at `v1`, which no v1.4.x bundle serves: upstream upgrade notes,
 *   PR #47408); any other non-default Gateway API release unless `allowUnsupportedPair`;
 * - a cert-manager release other than the checked patches of its lines (v1.19.6, v1.20.4, v1.20.3, v1.21.2,
 *   v1.21.1) unless `allowUnsupportedPair` (malformed: always).
 *
 * @param input the version choices
 * @param field prefix for violation fields (`dev` gives `dev.kubernetesVersion`); `''` for bare keys
 */
export function resolveComponentVersions(input: ComponentVersionInput, field: string): ComponentVersionResolution {
  // JavaScript callers: a wrong type is a PlatformConfigError naming the key (the matrix itself reports as violations).
  input = checkProps(typeof field === 'string' && field !== '' ? field : 'versions', input, VERSION_INPUT_SHAPE);
  const at = (key: keyof ComponentVersionInput) => (field ? `${field}.${key}` : key);
  const allow = input.allowUnsupportedPair === true;
  const cilium = normalizeCiliumVersion(input.ciliumVersion ?? DEFAULT_CILIUM_VERSION);
  const minor = ciliumMinorOf(cilium);
  if (minor === undefined) {
    return { ok: false, violations: [unsupportedCilium(input.ciliumVersion ?? DEFAULT_CILIUM_VERSION, at('ciliumVersion'))] };
  }
  const facts = ciliumMinorFacts(minor);
  const violations: VersionViolation[] = [];
  if (facts.preRelease && input.allowPreRelease !== true) violations.push(preReleaseNotAllowed(cilium, facts, at('ciliumVersion')));
  let outsideMatrix = false;

  const node = resolveNode(input, facts, at, allow);
  violations.push(...node.violations);
  outsideMatrix ||= node.outsideMatrix;

  const gatewayApi = input.gatewayApi ?? facts.gatewayApi.release;
  const gw = checkGatewayApi(gatewayApi, facts, at('gatewayApi'), allow);
  violations.push(...gw);
  outsideMatrix ||= gw.length === 0 && gatewayApi !== facts.gatewayApi.release;

  const certManager = input.certManager ?? DEFAULT_CERT_MANAGER_VERSION;
  const cm = checkCertManager(certManager, at('certManager'), allow);
  violations.push(...cm);
  outsideMatrix ||= cm.length === 0 && certManagerLineOf(certManager) === undefined;

  if (node.resolved !== undefined) violations.push(...checkKubeadmApi(node.resolved.kindRelease, node.resolved.kubernetes, at('kindRelease')));
  if (violations.length > 0 || node.resolved === undefined) {
    return { ok: false, violations };
  }
  const { kindRelease, image, kubernetes } = node.resolved;
  return {
    ok: true,
    versions: {
      cilium,
      ciliumMinor: minor,
      kubernetes,
      kindRelease: kindRelease.release,
      kindNodeImage: image,
      gatewayApi,
      certManager,
      kubeadmApiVersion: kubernetes === undefined ? undefined : kubeadmApiVersionFor(kindRelease, kubernetes),
      cgroupV2Only: kubernetes === undefined ? undefined : requiresCgroupV2(kubernetes),
      outsideMatrix,
    },
  };
}

/** The {@link checkGatewayApi} ids about the pairing with the Cilium minor (a malformed tag is not one of them). */
export const GATEWAY_API_PAIRING_RULE_IDS: readonly string[] = [VERSION_RULES.gatewayApiCiliumMismatch, VERSION_RULES.gatewayApiBelowCiliumMinimum];

/** The preview minor's release without `allowPreRelease`: opt in, or use the default stable release. */
function preReleaseNotAllowed(version: string, facts: CiliumMinorFacts, field: string): VersionViolation {
  return violation(VERSION_RULES.ciliumPreReleaseNotAllowed, field,
    `Cilium '${version}' is a development pre-release of ${facts.minor} (${facts.releaseSource}); it is never a default, `
    + 'and is used only with an explicit opt-in', [{ allowPreRelease: true }, { ciliumVersion: DEFAULT_CILIUM_VERSION }]);
}

function unsupportedCilium(version: string, field: string): VersionViolation {
  const supported = [
    ...STABLE_CILIUM_MINOR_FACTS.map((f) => `${f.minor}.x (latest ${f.latestPatch})`),
    ...CILIUM_MINOR_FACTS.filter((f) => f.preRelease).map((f) => `the ${f.minor} preview ${f.latestPatch} (with allowPreRelease: true)`),
  ].join(', ');
  const bare = normalizeCiliumVersion(version);
  const coerced = semver.coerce(bare)?.version;
  const sameMinor = coerced === undefined ? undefined : CILIUM_MINOR_FACTS.find((f) => f.minor === `${semver.major(coerced)}.${semver.minor(coerced)}`);
  let suggestion = DEFAULT_CILIUM_VERSION;
  let why = `it is not a chart version of a supported minor; this library writes Helm values for ${supported}`;
  if (sameMinor?.preRelease) {
    // 1.21.0, 1.21.0-pre.1: the minor exists only as its preview release
    return violation(VERSION_RULES.ciliumVersionUnsupported, field,
      `Cilium '${version}' is not supported: ${sameMinor.minor} is available only as the development pre-release ${sameMinor.latestPatch}, `
      + `whose chart the library was checked against (${sameMinor.releaseSource})`,
      [{ ciliumVersion: DEFAULT_CILIUM_VERSION }, { ciliumVersion: sameMinor.latestPatch, allowPreRelease: true }]);
  }
  if (sameMinor !== undefined) {
    // right minor, wrong spelling: `1.20`, `1.20.0-rc.0` or `V1.20.0` (latest patch)
    suggestion = sameMinor.latestPatch;
    if (/^V\d/.test(version)) {
      why = `chart versions are written X.Y.Z, e.g. ${sameMinor.latestPatch} (helm also takes a lower-case v)`;
    } else if (semver.valid(bare) !== null) {
      why = `only stable X.Y.Z chart releases are supported, e.g. ${sameMinor.latestPatch}`;
    } else {
      why = `the chart needs a full X.Y.Z patch release, e.g. ${sameMinor.latestPatch}`;
    }
  } else if (coerced !== undefined && semver.lt(coerced, `${CILIUM_MINORS[0]}.0`)) {
    suggestion = STABLE_CILIUM_MINOR_FACTS[0].latestPatch;
  }
  return violation(VERSION_RULES.ciliumVersionUnsupported, field, `Cilium '${version}' is not supported: ${why}`, [{ ciliumVersion: suggestion }]);
}


/** Refuses a kind release whose kubeadm config (for this Kubernetes version) the node's kubeadm does not read. */
function checkKubeadmApi(release: KindRelease, kubernetes: string | undefined, field: string): VersionViolation[] {
  if (kubernetes === undefined) return [];
  const written = kubeadmApiVersionFor(release, kubernetes);
  const accepted = kubeadmApiVersionsAccepted(kubernetes);
  if (accepted.includes(written)) return [];
  const fitting = [...KIND_RELEASES].reverse().find((r) => accepted.includes(kubeadmApiVersionFor(r, kubernetes)));
  const api = KUBEADM_CONFIG_APIS.find((a) => a.apiVersion === written);
  return [violation(VERSION_RULES.kindReleaseKubeadmApiRejected, field,
    `kind ${release.release} writes ${written} for Kubernetes ${kubernetes}, and kubeadm ${minorOfKubernetes(kubernetes)} accepts only `
    + `${accepted.join(', ')}, so kind create cluster would fail; allowUnsupportedPair does not apply (${api?.source ?? release.source})`,
    fitting ? [{ kindRelease: fitting.release }] : [{ kubernetesVersion: undefined, nodeImage: undefined }])];
}

/**
 * The Gateway API release checks of {@link resolveComponentVersions}: malformed tags, releases below the Cilium
 * operator's hard minimum (always), and releases other than the minor's pair (unless `allow`). The pairing ids
 * ({@link GATEWAY_API_PAIRING_RULE_IDS}) matter only where the bundle installs Gateway API, i.e. on a cluster with a
 * Gateway: a cluster description defers them to the rule that checks that cluster.
 */
export function checkGatewayApi(version: string, facts: CiliumMinorFacts, field: string, allow: boolean): VersionViolation[] {
  const pair = facts.gatewayApi.release;
  const bare = version.startsWith('v') ? version.slice(1) : undefined;
  if (bare === undefined || semver.valid(bare) !== bare || semver.prerelease(bare) !== null) {
    return [violation(VERSION_RULES.gatewayApiVersionInvalid, field, `'${version}' is not a Gateway API release tag (vX.Y.Z)`, [{ gatewayApi: pair }])];
  }
  if (version === pair) return [];
  const paired = [...STABLE_CILIUM_MINOR_FACTS].reverse().find((f) => f.gatewayApi.release === version);
  const alternatives: Partial<ComponentVersionInput>[] = [{ gatewayApi: pair }];
  if (paired) alternatives.push({ ciliumVersion: paired.latestPatch });
  if (semver.lt(bare, facts.gatewayApi.minimum.slice(1))) {
    return [violation(VERSION_RULES.gatewayApiBelowCiliumMinimum, field,
      `Gateway API ${version} is below the minimum Cilium ${facts.minor} can run with (${facts.gatewayApi.minimum}): its operator requires `
      + `${facts.gatewayApi.requiredKinds.join(', ')}; this is a hard requirement, so allowUnsupportedPair does not apply (${facts.gatewayApi.source})`,
      alternatives)];
  }
  if (allow) return [];
  return [violation(VERSION_RULES.gatewayApiCiliumMismatch, field,
    `Gateway API ${version} does not pair with Cilium ${facts.minor} (built, tested and documented with ${pair})`,
    alternatives, ', or set allowUnsupportedPair: true to take responsibility for the pairing')];
}

function checkCertManager(version: string, field: string, allow: boolean): VersionViolation[] {
  if (certManagerLineOf(version) !== undefined) return [];
  const checked = CERT_MANAGER_LINES.flatMap((l) => l.patches);
  const bare = version.startsWith('v') ? version.slice(1) : undefined;
  const wellFormed = bare !== undefined && semver.valid(bare) === bare && semver.prerelease(bare) === null;
  if (wellFormed && allow) return [];
  return [violation(VERSION_RULES.certManagerUnsupported, field,
    wellFormed
      ? `cert-manager ${version} is outside the checked matrix (${checked.join(', ')})`
      : `'${version}' is not a cert-manager release tag (vX.Y.Z)`,
    certManagerSuggestions(), wellFormed ? ', or set allowUnsupportedPair: true' : '')];
}

/** The default release first, then the newest patch of every other line, newest line first. */
function certManagerSuggestions(): Partial<ComponentVersionInput>[] {
  const others = [...CERT_MANAGER_LINES].reverse().map((l) => l.latestPatch).filter((p) => p !== DEFAULT_CERT_MANAGER_VERSION);
  return [DEFAULT_CERT_MANAGER_VERSION, ...others].map((certManager) => ({ certManager }));
}

/**
 * The reference folders (below `../shared/reference/`) whose CRD schemas a cluster's custom objects are
 * checked against: its Cilium minor's CRDs, the Gateway API release it installs (the minor's pair when the
 * chosen release has no folder) and its cert-manager line's reference schemas ({@link CertManagerCrds}: every
 * line adds only optional fields to them; a release outside the lines takes the default line's). One entry
 * per CRD source of `src/private/crd-catalog.ts`.
 */
export function crdSchemaFolders(
  minor: CiliumMinor, gatewayApi: string, certManager: string = DEFAULT_CERT_MANAGER_VERSION,
): Readonly<Record<'cilium' | 'gateway-api' | 'gateway-api-experimental' | 'cert-manager', string>> {
  const release = gatewayApiRelease(gatewayApi) ? gatewayApi : ciliumMinorFacts(minor).gatewayApi.release;
  const line = certManagerLineOf(certManager) ?? certManagerLineOf(DEFAULT_CERT_MANAGER_VERSION)!;
  return {
    'cilium': `cilium-${minor}`,
    'gateway-api': `gateway-api-${release}`,
    'gateway-api-experimental': `gateway-api-${release}`,
    'cert-manager': line.crds.referenceFolder,
  };
}
