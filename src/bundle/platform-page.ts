import { AppliedPlatform } from '../applied/platform';
import { ownLabels } from '../outcomes/flow-fixes';
import { LiveProbe, Outcome, OutcomeSection } from '../outcomes/outcome';
import { BUNDLE_NAME, BUNDLE_VERSION } from '../spec/versions';

/**
 * `dist/<cluster>/platform.md` (issue 18, "Show it"): what the cluster's bundle gives once applied, in plain words,
 * as the apply model computes it (`src/applied/`) and the intended outcomes judge it (`src/outcomes/`): the address
 * of each LoadBalancer Service, each route and its URL, each Certificate and its issuer, the flow matrix of the
 * workloads, and every other outcome with whether it holds. Written next to the manifests (a `.md` file, which
 * `cdk8s synth` never reads as a manifest), listed in `bundle.json`, deterministic. docs/platform-page.md tells how
 * to read it in a pull request.
 */

/** The headings of the outcome sections, in order. */
const SECTION_TITLES: Readonly<Record<OutcomeSection, string>> = {
  addresses: 'Addresses',
  routes: 'Routes',
  certificates: 'Certificates',
  flows: 'Flows',
  objects: 'Other outcomes',
};

/** Text for a Markdown table cell: no line break, no `|` that would split the cell, no HTML. */
export function cell(text: string | number): string {
  return String(text).replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

/** A Markdown table, or `empty` (a sentence) when there are no rows. */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], empty: string): string[] {
  if (rows.length === 0) return [empty];
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- |').join('')}`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** What verify.sh checks for a probe, in a few words. */
export function probeSummary(probe: LiveProbe | undefined): string {
  if (!probe) return '-';
  switch (probe.kind) {
    case 'lb-address': return `${probe.ip}:${probe.port} answers`;
    case 'url': return `${probe.url} gives ${probe.expect}`;
    case 'certificate': return 'Ready';
    case 'gateway': return 'Programmed';
    case 'flow': return `${probe.to}${/:\d+$/.test(probe.to) ? '' : `:${probe.port}`}: ${verdictOf(probe.expect)}`;
  }
}

function verdictOf(expect: 'response' | 'http-403' | 'timeout'): string {
  return expect === 'response' ? 'allowed' : expect === 'http-403' ? 'denied (HTTP 403 from Envoy, L7)' : 'denied (dropped, L3/L4)';
}

function outcomeTable(outcomes: readonly Outcome[], empty: string): string[] {
  return table(['Outcome', 'Observed once applied', 'Holds', 'verify.sh checks'],
    outcomes.map((o) => [o.statement, o.observed, o.holds ? 'yes' : `NO: ${o.problem ?? ''}`.trim(), probeSummary(o.probe)]), empty);
}

function addresses(applied: AppliedPlatform): string[] {
  const rows = Object.values(applied.lbIpam.services).filter((s) => s.result !== 'ignored').map((s) => {
    const l2 = applied.l2.services[s.service];
    return [s.service, s.ips.join(', ') || 'none', s.pools.join(', ') || '-', s.result,
      l2 ? `${l2.verdict}${l2.holder ? ` (by ${l2.holder})` : ''}` : 'not-announced'];
  });
  return table(['LoadBalancer Service', 'Address', 'Pool', 'LB-IPAM', 'L2 announcement'], rows, 'No LoadBalancer Service.');
}

function certificates(applied: AppliedPlatform): string[] {
  const rows = applied.certManager.certificates.map((c) => [c.ref, c.issuer, c.secret, c.dnsNames.join(', ') || '-', c.Ready.status]);
  return table(['Certificate', 'Issuer', 'Secret', 'DNS names', 'Ready'], rows, 'No Certificate.');
}

type FlowProbe = Extract<LiveProbe, { kind: 'flow' }>;

/** A client as a reader names it: its namespace and own labels ({@link ownLabels}). */
function sourceOf(p: FlowProbe): string {
  const own = ownLabels(p.from.labels);
  const labels = Object.keys(own).sort().map((k) => `${k}=${own[k]}`).join(',');
  return `${p.from.namespace}/${labels || '*'}`;
}

function destinationOf(p: FlowProbe): string {
  return /:\d+$/.test(p.to) ? p.to : `${p.to}:${p.port}`;
}

/** The flow matrix (sources × destinations) and a Mermaid flowchart of the flow outcomes that have a probe. */
function flowMatrix(outcomes: readonly Outcome[]): string[] {
  const flows = outcomes.flatMap((o) => (o.probe?.kind === 'flow' ? [{ probe: o.probe, observed: o.observed }] : []));
  if (flows.length === 0) return [];
  const probes = flows.map((f) => f.probe);
  const sources = [...new Set(probes.map(sourceOf))];
  const destinations = [...new Set(probes.map(destinationOf))];
  // Each cell: the verdict the probe expects, and what the policy model says (which end allows or drops it).
  const cells = (s: string, d: string) => [...new Set(flows.filter(({ probe: p }) => sourceOf(p) === s && destinationOf(p) === d)
    .map(({ probe: p, observed }) => `${p.http ? `${p.http.method} ${p.http.path}: ` : ''}${verdictOf(p.expect)}${observed ? ` (${observed})` : ''}`))].join('; ') || '-';
  const nodes = [...new Set([...sources, ...destinations])];
  const id = (n: string) => `n${nodes.indexOf(n)}`;
  const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;
  return [
    'Rows are the clients (namespace/labels), columns the destinations; each cell is the policy verdict and, in parentheses, what the policy model observed (which end allows or drops the flow).',
    '',
    ...table(['From \\ To', ...destinations.map(cell)], sources.map((s) => [s, ...destinations.map((d) => cells(s, d))]), ''),
    '',
    '```mermaid',
    'flowchart LR',
    ...nodes.map((n) => `  ${id(n)}[${label(n)}]`),
    ...new Set(probes.map((p) => {
      const text = label(`${p.http ? `${p.http.method} ${p.http.path} ` : ''}${p.expect === 'response' ? 'allowed' : 'denied'}`);
      return p.expect === 'response' ? `  ${id(sourceOf(p))} -->|${text}| ${id(destinationOf(p))}` : `  ${id(sourceOf(p))} -.->|${text}| ${id(destinationOf(p))}`;
    })),
    '```',
    '',
  ];
}

/** `dist/<cluster>/platform.md` of one cluster: its applied state and every intended outcome. */
export function renderPlatformPage(applied: AppliedPlatform, outcomes: readonly Outcome[]): string {
  const c = applied.cluster;
  const of = (section: OutcomeSection) => outcomes.filter((o) => o.section === section);
  const failing = outcomes.filter((o) => !o.holds).length;
  const probed = outcomes.filter((o) => o.probe).length;
  const lines = [
    `# Platform \`${c}\``,
    '',
    `<!-- Generated by \`npx cdk8s synth\` (${BUNDLE_NAME} ${BUNDLE_VERSION}); do not edit. How to read it: docs/platform-page.md -->`,
    '',
    `What the bundle of kind cluster \`${c}\` gives once applied, as the apply model computes it from every object of the`,
    'bundle (docs/apply-model.md). Synthesis refuses a bundle whose intended outcome fails, so every outcome below holds.',
    `${outcomes.length} intended outcome${outcomes.length === 1 ? '' : 's'}${failing > 0 ? ` (${failing} failing)` : ''};`
      + ` \`bash dist/${c}/verify.sh\` checks ${probed} of them live.`,
    '',
    `## ${SECTION_TITLES.addresses}`,
    '',
    ...addresses(applied),
    '',
    ...outcomeTable(of('addresses'), 'No address outcome.'),
    '',
    `## ${SECTION_TITLES.routes}`,
    '',
    ...outcomeTable(of('routes'), 'No route outcome.'),
    '',
    `## ${SECTION_TITLES.certificates}`,
    '',
    ...certificates(applied),
    '',
    ...outcomeTable(of('certificates'), 'No certificate outcome.'),
    '',
    `## ${SECTION_TITLES.flows}`,
    '',
    ...flowMatrix(of('flows')),
    ...outcomeTable(of('flows'), 'No flow outcome.'),
    '',
    `## ${SECTION_TITLES.objects}`,
    '',
    ...outcomeTable(of('objects'), 'No other outcome.'),
  ];
  return `${lines.join('\n')}\n`;
}
