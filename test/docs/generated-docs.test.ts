import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { registeredRuleIds } from '../../src/rules/registry';
import { renderRuleTables, RULE_TABLES_BEGIN, RULE_TABLES_END, spliceRuleTables } from '../../src/rules/rule-docs';
import { VERSION_RULE_IDS } from '../../src/spec/version-choices';
import { renderVersionTables, spliceVersionTables, VERSION_TABLES_BEGIN } from '../../src/spec/version-docs';

/**
 * The generated documentation is what `npm run docs` (scripts/render-docs.js) writes from the code: docs/api.md from
 * the doc comments of the public exports, the rule tables of docs/rules.md from the registry, the version tables of
 * docs/versions.md and README.md from the matrix. Nothing here reads ../shared.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderApiDocs } = require('../../scripts/lib/api-docs') as { renderApiDocs(): { markdown: string; undocumented: string[] } };

describe('docs/api.md', () => {
  const api = renderApiDocs();

  test('is the rendering of the doc comments of src/index.ts (npm run docs)', () => {
    expect(read('docs/api.md') === api.markdown).toBe(true);
  }, 60_000);

  test('has a section for every exported name of src/index.ts', () => {
    const index = read('src/index.ts');
    const names = [...index.matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim()).filter(Boolean));
    const namespaces = [...index.matchAll(/^export \* as (\w+)/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(50);
    const headings = new Set([...api.markdown.matchAll(/^### \w+ `(\w+)`$/gm)].map((m) => m[1]));
    for (const name of [...names, ...namespaces]) expect([name, headings.has(name)]).toEqual([name, true]);
  });

  test('carries the doc comment, the type and the @default of a prop', () => {
    const props = api.markdown.slice(api.markdown.indexOf('### interface `ClusterSpecProps`'));
    expect(props).toMatch(/- `clusterName`: `string`\n {2}Cluster name: 1-32 lowercase letters/);
    expect(props).toMatch(/- `kubeProxyReplacement\?`: `boolean`\n {2}Replace kube-proxy with Cilium's eBPF datapath\.\n\n {2}Default: `true`\./);
  });
});

describe('docs/rules.md', () => {
  test('its rule tables are the rendering of the registry (npm run docs)', () => {
    const doc = read('docs/rules.md');
    expect(spliceRuleTables(doc) === doc).toBe(true);
  });

  test('the tables list every registered violation id and every version-choice id', () => {
    const tables = renderRuleTables();
    for (const id of [...registeredRuleIds(), ...VERSION_RULE_IDS]) expect([id, tables.includes(`\`${id}\``)]).toEqual([id, true]);
  });

  test('a stale block is replaced, and a document without the markers is refused', () => {
    const stale = `intro\n${RULE_TABLES_BEGIN}\n| old |\n${RULE_TABLES_END}\n`;
    expect(spliceRuleTables(stale)).toBe(`intro\n${RULE_TABLES_BEGIN}\n${renderRuleTables()}\n${RULE_TABLES_END}\n`);
    expect(() => spliceRuleTables('no markers')).toThrow(/exactly one/);
  });
});

describe('the version tables', () => {
  test.each(['README.md', 'docs/versions.md'])('%s holds the rendering of the matrix (npm run docs)', (rel) => {
    const doc = read(rel);
    expect(doc.split(VERSION_TABLES_BEGIN)).toHaveLength(2);
    expect(spliceVersionTables(doc) === doc).toBe(true);
    expect(doc).toContain(renderVersionTables());
  });
});

test('scripts/render-docs.js --check passes on the committed docs and fails naming a stale file', () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'render-docs.js'), '--check'], { cwd: ROOT, stdio: 'pipe' });
  let failure: any;
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'render-docs.js'), '--check', 'extra'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    failure = err;
  }
  expect(failure?.status).toBe(2);
}, 120_000);

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');

/** Pages other branches of this wave add; a link to one is accepted only while the page is absent. Empty this list once they are merged. */
const PAGES_ADDED_ELSEWHERE: string[] = [];

test('every relative link of README.md and docs/*.md names a file (and heading) that exists', () => {
  const pages = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const text = read(page).replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, hash] = target.split('#');
      const rel = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
      if (!fs.existsSync(path.join(ROOT, rel))) {
        if (!PAGES_ADDED_ELSEWHERE.includes(rel)) broken.push(`${page}: ${target} (no file ${rel})`);
        continue;
      }
      if (hash && rel.endsWith('.md')) {
        const anchors = new Set([...read(rel).matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1])));
        if (!anchors.has(hash)) broken.push(`${page}: ${target} (no heading #${hash} in ${rel})`);
      }
    }
  }
  expect(broken).toEqual([]);
});
