import { APP_RULES as CLUSTER_PAIR_RULES, OBJECT_RULE_IDS } from './app-level';
import { CRD_SCHEMA_RULE_IDS } from './crd-schema';
import { DATAPATH_RULES } from './datapath';
import { GATEWAY_RULES } from './gateway';
import { HUBBLE_RULES } from './hubble';
import { L2_RULES } from './l2';
import { MESH_APP_RULES, MESH_CLUSTER_RULES } from './mesh';
import { FleetRule, MESH_FLEET_RULES } from './mesh-applied';
import { NETWORK_RULES } from './network';
import { POLICY_RULES } from './policy';
import { APP_RULES, CLUSTER_RULES, registeredRuleIds } from './registry';
import { AppRule, ClusterRule } from './rule';
import { VERSION_RULES } from './versions';
import { OUTCOME_RULES } from '../outcomes';
import { OutcomeRule } from '../outcomes/outcome';
import { VERSION_RULE_IDS } from '../spec/version-choices';

/**
 * The rule registry as Markdown, rendered from the rules themselves (id, `summary`, `emits`) so that
 * `docs/rules.md` cannot drift from the code: `renderRuleTables()` gives the tables, `spliceRuleTables()` puts
 * them between the markers of a document. `scripts/render-docs.js` writes them, and a test checks the file.
 * Pure functions.
 */

/** The line that opens the generated block in a Markdown document. */
export const RULE_TABLES_BEGIN = '<!-- rule-tables:begin (generated from src/rules by scripts/render-docs.js; do not edit) -->';
/** The line that closes it. */
export const RULE_TABLES_END = '<!-- rule-tables:end -->';

/** One concern: the rules of one file of `src/rules/`, in the order the registry reports them. */
interface RuleGroup {
  readonly title: string;
  readonly file: string;
  readonly rules: readonly (ClusterRule | AppRule | FleetRule | OutcomeRule)[];
}

const GROUPS: readonly RuleGroup[] = [
  { title: 'Network (per cluster)', file: 'network.ts', rules: NETWORK_RULES },
  { title: 'L2 announcements', file: 'l2.ts', rules: L2_RULES },
  { title: 'Datapath and Cilium config constraints', file: 'datapath.ts', rules: DATAPATH_RULES },
  { title: 'Hubble', file: 'hubble.ts', rules: HUBBLE_RULES },
  { title: 'Gateway API', file: 'gateway.ts', rules: GATEWAY_RULES },
  { title: 'Versions (Helm values per Cilium minor)', file: 'versions.ts', rules: VERSION_RULES },
  { title: 'Policy', file: 'policy.ts', rules: POLICY_RULES },
  { title: 'Cluster Mesh (per member)', file: 'mesh.ts', rules: MESH_CLUSTER_RULES },
  { title: 'Across the clusters of one app', file: 'app-level.ts', rules: CLUSTER_PAIR_RULES },
  { title: 'Cluster Mesh (across the members)', file: 'mesh.ts', rules: MESH_APP_RULES },
  { title: 'Cluster Mesh (as applied, over every member\'s objects)', file: 'mesh-applied.ts', rules: MESH_FLEET_RULES },
  { title: 'Intended outcomes (the platform as applied, see docs/apply-model.md)', file: 'outcomes/', rules: OUTCOME_RULES },
];

const code = (s: string) => `\`${s}\``;
/** A table cell: `|` and line breaks would end the cell or the row. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The rule tables (one per concern, then the object, CRD schema and version-choice ids), as Markdown lines. */
export function renderRuleTables(): string {
  // A rule registered without a group here is still documented, under "Other rules", never dropped.
  const grouped = new Set(GROUPS.flatMap((g) => g.rules));
  const other = [...CLUSTER_RULES, ...APP_RULES, ...MESH_FLEET_RULES, ...OUTCOME_RULES].filter((r) => !grouped.has(r));
  const lines: string[] = [];
  for (const g of [...GROUPS, { title: 'Other rules', file: 'registry.ts', rules: other }]) {
    if (g.rules.length === 0) continue;
    lines.push(`### ${g.title}`, '', `\`src/${g.file.includes('/') ? '' : 'rules/'}${g.file}\``, '', '| rule | guarantees | violation ids it emits |', '|---|---|---|');
    for (const r of g.rules) lines.push(`| ${code(r.id)} | ${cell(r.summary)} | ${r.emits.map(code).join(', ')} |`);
    lines.push('');
  }
  lines.push('### Objects and CRD schemas', '',
    `- ${OBJECT_RULE_IDS.map(code).join(', ')}: two objects of one cluster share kind, namespace and name.`,
    `- ${CRD_SCHEMA_RULE_IDS.map(code).join(', ')}: a custom object breaks the structural schema of its CRD, as the API server would refuse it.`,
    '');
  lines.push('### Version choices (field checks at construction)', '',
    `Resolved with the version matrix (\`src/spec/version-choices.ts\`) and reported together: ${VERSION_RULE_IDS.map(code).join(', ')}.`,
    '');
  const ids = registeredRuleIds();
  lines.push(`${ids.length} violation ids in all are registered (\`registeredRuleIds()\`), plus ${VERSION_RULE_IDS.length} version-choice ids.`);
  return lines.join('\n');
}

/**
 * `document` with the block between {@link RULE_TABLES_BEGIN} and {@link RULE_TABLES_END} replaced by `tables`
 * (the markers stay). Throws when the markers are missing, repeated or out of order.
 */
export function spliceRuleTables(document: string, tables: string = renderRuleTables()): string {
  const begin = document.indexOf(RULE_TABLES_BEGIN);
  const end = document.indexOf(RULE_TABLES_END);
  if (begin < 0 || end < begin || document.indexOf(RULE_TABLES_BEGIN, begin + 1) >= 0 || document.indexOf(RULE_TABLES_END, end + 1) >= 0) {
    throw new Error(`the document needs exactly one ${RULE_TABLES_BEGIN} line followed by one ${RULE_TABLES_END} line`);
  }
  return `${document.slice(0, begin + RULE_TABLES_BEGIN.length)}\n${tables}\n${document.slice(end)}`;
}
