import { CERT_MANAGER_LINES, DEFAULT_CERT_MANAGER_VERSION } from './cert-manager-lines';
import { CILIUM_MINOR_FACTS, CiliumMinorFacts, DEFAULT_CILIUM_VERSION } from './cilium-minors';
import { KIND_RELEASES, KindRelease } from './kind-releases';
import { inRange } from './node-image-resolution';
import { resolveComponentVersions } from './version-matrix';

/**
 * The version matrix as Markdown tables, rendered from the matrix itself so the documentation cannot drift
 * from the code: `renderVersionTables()` gives the tables, `spliceVersionTables()` puts them between the
 * markers of a document. `scripts/render-version-docs.js` writes them into README.md (or another file), and a
 * test checks that the README's block equals the output. Pure functions.
 */

/** The line that opens the generated block in a Markdown document. */
export const VERSION_TABLES_BEGIN = '<!-- version-tables:begin (generated from src/spec by scripts/render-version-docs.js; do not edit) -->';
/** The line that closes it. */
export const VERSION_TABLES_END = '<!-- version-tables:end -->';

const code = (s: string) => `\`${s}\``;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** One Cilium row: the default node image is what the matrix resolves for the minor's latest release. */
function ciliumRow(f: CiliumMinorFacts): string[] {
  const resolved = resolveComponentVersions({ ciliumVersion: f.latestPatch, allowPreRelease: f.preRelease }, '');
  if (!resolved.ok) throw new Error(`the latest release of Cilium ${f.minor} does not resolve: ${resolved.violations.map((v) => v.problem).join('; ')}`);
  const v = resolved.versions;
  const extra = f.gatewayApi.extraCrds.map((c) => (c.endsWith('_tlsroutes.yaml') ? 'TLSRoute' : c));
  return [
    f.preRelease ? `${f.minor} (preview: needs ${code('versions.allowPreRelease')})` : f.minor,
    f.latestPatch === DEFAULT_CILIUM_VERSION ? `${f.latestPatch} (default)` : f.latestPatch,
    f.validatedPatches.join(', '),
    `${f.kubernetes.min}–${f.kubernetes.max}`,
    f.gatewayApi.release,
    f.gatewayApi.referenceGrantApiVersion.split('/')[1],
    extra.length === 0 ? 'none' : extra.join(', '),
    `kind ${v.kindRelease}, v${v.kubernetes}`,
  ];
}

function kubeadmColumn(r: KindRelease): string {
  return r.kubeadmV1beta4From === undefined ? 'v1beta3' : `v1beta4 for ${r.kubeadmV1beta4From}+, v1beta3 before`;
}

/** Published images outside every minor's tested range (refused unless `versions.allowUnsupportedPair`). */
function outsideEveryRange(): string[] {
  return KIND_RELEASES.flatMap((r) => r.images.filter((i) => !CILIUM_MINOR_FACTS.some((f) => inRange(i.kubernetes, f)))
    .map((i) => `${i.kubernetes} (kind ${r.release})`));
}

/** The version tables (Cilium minors, kind releases, cert-manager lines) and the notes the matrix implies, as Markdown lines. */
export function renderVersionTables(): string {
  const lines: string[] = [];
  lines.push(...table(
    ['Cilium', 'latest release', 'validated offline', 'Kubernetes (tested)', 'Gateway API', 'ReferenceGrant', 'experimental CRDs', 'default node image'],
    CILIUM_MINOR_FACTS.map(ciliumRow),
  ));
  lines.push('');
  lines.push(...table(['kind', 'node images (Kubernetes)', 'kubeadm config API kind writes'],
    KIND_RELEASES.map((r) => [r.release, r.images.map((i) => i.kubernetes).join(', '), kubeadmColumn(r)])));
  const outside = outsideEveryRange();
  if (outside.length > 0) {
    lines.push('', `Published, but outside every Cilium minor's tested range (refused unless ${code('versions.allowUnsupportedPair')}): `
      + `${outside.join(', ')}.`);
  }
  lines.push('');
  lines.push(...table(['cert-manager', 'accepted patches', 'CRDs read at', 'schemas vs the v1.19.6 reference'],
    CERT_MANAGER_LINES.map((l) => [
      l.line,
      l.patches.map((p) => (p === DEFAULT_CERT_MANAGER_VERSION ? `${p} (default)` : p)).join(', '),
      l.crds.readAt,
      l.crds.referenceFolder === `cert-manager-${l.line}` ? 'the reference' : l.crds.onlyOptionalFieldsAdded ? 'optional fields added only' : 'changed',
    ])));
  return lines.join('\n');
}

/**
 * `document` with the block between {@link VERSION_TABLES_BEGIN} and {@link VERSION_TABLES_END} replaced by
 * `tables` (the markers stay). Throws when the markers are missing, repeated or out of order.
 */
export function spliceVersionTables(document: string, tables: string = renderVersionTables()): string {
  const begin = document.indexOf(VERSION_TABLES_BEGIN);
  const end = document.indexOf(VERSION_TABLES_END);
  if (begin < 0 || end < begin || document.indexOf(VERSION_TABLES_BEGIN, begin + 1) >= 0 || document.indexOf(VERSION_TABLES_END, end + 1) >= 0) {
    throw new Error(`the document needs exactly one ${VERSION_TABLES_BEGIN} line followed by one ${VERSION_TABLES_END} line`);
  }
  return `${document.slice(0, begin + VERSION_TABLES_BEGIN.length)}\n${tables}\n${document.slice(end)}`;
}
