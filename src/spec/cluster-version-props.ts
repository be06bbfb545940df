import { PlatformConfigError, Violation } from '../errors';
import { ClusterSpec, ClusterSpecProps, VersionOptions } from './cluster-props';
import { bool, optionalObject, text } from './field-readers';
import {
  checkGatewayApi, ciliumMinorFacts, ComponentVersionInput, DEFAULT_CERT_MANAGER_VERSION, DEFAULT_CILIUM_VERSION,
  GATEWAY_API_PAIRING_RULE_IDS, resolveComponentVersions, VersionViolation,
} from './version-matrix';
import { propKeys } from '../private/props';
import { isPlainObject } from '../private/syntax';

/** Keys of {@link ComponentVersionInput} that live under `versions` in {@link ClusterSpecProps}. */
const VERSION_PROPS = propKeys<VersionOptions>()('gatewayApi', 'certManager', 'allowUnsupportedPair', 'allowPreRelease');

/** The version props that are cluster props, not `versions` keys. */
const TOP_LEVEL_VERSION_PROPS = ['ciliumVersion', 'kubernetesVersion', 'kindRelease', 'nodeImage'] as const;

/** Fixes for a top-level version prop written inside `versions` (e.g. `versions: { ciliumVersion: '1.18.12' }`). */
function topLevelVersionHints(versions: unknown): Record<string, string> {
  const given = isPlainObject(versions) ? versions as Record<string, unknown> : {};
  return Object.fromEntries(TOP_LEVEL_VERSION_PROPS.map((key) => [key,
    `move it to the top-level ${key}: { ${key}: ${JSON.stringify(given[key] ?? '...')}, ... } next to clusterName `
    + `(versions holds only ${VERSION_PROPS.join(', ')})`]));
}

/**
 * The version matrix names its flat input keys (`gatewayApi`, `allowUnsupportedPair: true`); on the cluster
 * props those three live under `versions`, so messages name them as the user writes them.
 */
function nestVersionKeys(message: string): string {
  return message.replace(new RegExp(`(?<![.\\w])(${VERSION_PROPS.join('|')})\\b`, 'g'), 'versions.$1');
}

/**
 * Checks and resolves every version choice with the version matrix (`resolveComponentVersions`), so all
 * version violations are reported together, each with a fix naming a valid combination.
 */
export function resolveVersions(name: string, props: ClusterSpecProps) {
  const f = (field: string) => `${name}.${field}`;
  const versionText = (field: string, value: unknown, example: string) =>
    (value === undefined ? undefined : text(f(field), value, undefined, `write it as a string, e.g. "${example}"`));
  const versionsProps = optionalObject(f('versions'), props.versions, `{ certManager: "${DEFAULT_CERT_MANAGER_VERSION}" }`, VERSION_PROPS,
    'versions', topLevelVersionHints(props.versions)) ?? {};
  const input: ComponentVersionInput = {
    ciliumVersion: versionText('ciliumVersion', props.ciliumVersion, DEFAULT_CILIUM_VERSION),
    kubernetesVersion: versionText('kubernetesVersion', props.kubernetesVersion, '1.36'),
    kindRelease: versionText('kindRelease', props.kindRelease, 'v0.33'),
    nodeImage: versionText('nodeImage', props.nodeImage, 'kindest/node:v1.36.4@sha256:<digest>'),
    gatewayApi: versionText('versions.gatewayApi', versionsProps.gatewayApi, 'v1.6.1'),
    certManager: versionText('versions.certManager', versionsProps.certManager, DEFAULT_CERT_MANAGER_VERSION),
    allowUnsupportedPair: bool(f('versions.allowUnsupportedPair'), versionsProps.allowUnsupportedPair, false),
    allowPreRelease: bool(f('versions.allowPreRelease'), versionsProps.allowPreRelease, false),
  };
  // The Gateway API pairing matters only where the bundle installs Gateway API (a cluster with a Gateway): the rule
  // gateway-api-release-pairs judges it then (gatewayApiPairingViolations); a malformed tag is refused here.
  const result = resolveComponentVersions(input, '');
  const refused = result.ok ? [] : result.violations.filter((v) => !GATEWAY_API_PAIRING_RULE_IDS.includes(v.rule));
  if (refused.length > 0) throw new PlatformConfigError(refused.map((v) => nestedVersionViolation(name, v)));
  const resolvedWithPair = result.ok ? result : resolveComponentVersions({ ...input, gatewayApi: undefined }, '');
  if (!resolvedWithPair.ok) throw new PlatformConfigError(resolvedWithPair.violations.map((v) => nestedVersionViolation(name, v)));
  const r = { ...resolvedWithPair.versions, gatewayApi: input.gatewayApi ?? resolvedWithPair.versions.gatewayApi };
  return {
    ciliumVersion: r.cilium,
    ciliumMinor: r.ciliumMinor,
    nodeImage: r.kindNodeImage,
    kindRelease: r.kindRelease,
    kubernetesVersion: r.kubernetes,
    kubeadmApiVersion: r.kubeadmApiVersion,
    versions: {
      gatewayApi: r.gatewayApi,
      certManager: r.certManager,
      allowUnsupportedPair: input.allowUnsupportedPair === true,
      allowPreRelease: input.allowPreRelease === true,
    },
  };
}

/** A version matrix violation as the user meets it: the field and the messages name `versions.gatewayApi`, not `gatewayApi`. */
function nestedVersionViolation(name: string, v: VersionViolation): Violation & { suggestions: VersionViolation['suggestions'] } {
  return {
    rule: v.rule,
    field: VERSION_PROPS.includes(v.field) ? `${name}.versions.${v.field}` : `${name}.${v.field}`,
    problem: nestVersionKeys(v.problem),
    fix: nestVersionKeys(v.fix),
    suggestions: v.suggestions,
  };
}

/**
 * The Gateway API release of a cluster that installs Gateway API (it has a Gateway) against its Cilium minor: below
 * the operator's hard minimum is refused always, another release than the minor's pair unless
 * `versions.allowUnsupportedPair` (rules `gateway-api-below-cilium-minimum`, `gateway-api-cilium-mismatch`). Each
 * violation carries the first alternative of its fix as a machine-readable suggestion.
 *
 * @param field the cluster's construct path, prefix of the violation field (`dev` gives `dev.versions.gatewayApi`)
 */
export function gatewayApiPairingViolations(spec: ClusterSpec, field: string): Violation[] {
  const found = checkGatewayApi(spec.versions.gatewayApi, ciliumMinorFacts(spec.ciliumMinor), 'gatewayApi', spec.versions.allowUnsupportedPair);
  return found.filter((v) => GATEWAY_API_PAIRING_RULE_IDS.includes(v.rule)).map((v) => {
    const { suggestions, ...nested } = nestedVersionViolation(field, v);
    const [key, value] = Object.entries(suggestions[0] ?? {})[0] ?? [];
    const path = key === undefined ? undefined : VERSION_PROPS.includes(key) ? ['versions', key] : [key];
    return { ...nested, ...(path && value !== undefined ? { suggestion: { target: 'cluster-props' as const, path, value } } : {}) };
  });
}
