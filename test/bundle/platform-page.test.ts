import { App } from 'cdk8s';
import { addAllPresets, renderBundle, zeroTrustPlatform } from '../../src';
import { applyPlatform } from '../../src/applied/platform';
import { renderPlatformPage } from '../../src/bundle/platform-page';
import { prepareClusters } from '../../src/cluster/app-validation';
import { clusterOutcomes } from '../../src/outcomes';
import { Outcome } from '../../src/outcomes/outcome';

/**
 * Issue 18, "Show it": `dist/<cluster>/platform.md` and `dist/<mesh>/platform.md` are part of the bundle (listed in
 * bundle.json like every file), deterministic, and say in plain words what the apply model computed: every Service
 * address, every Certificate and its issuer, every intended outcome with whether it holds, and the flow matrix.
 */

function presets(): App {
  const app = new App();
  addAllPresets(app);
  return app;
}

describe('platform.md in the bundle', () => {
  const files = renderBundle(presets());
  const index = JSON.parse(files.find((f) => f.path === 'dist/bundle.json')!.content);

  test('one page per cluster and per mesh, each listed in bundle.json (files and its entry)', () => {
    const pages = files.filter((f) => f.path.endsWith('/platform.md')).map((f) => f.path).sort();
    const expected = [...index.clusters.map((c: any) => c.platformPage), ...(index.meshes ?? []).map((m: any) => m.platformPage)].sort();
    expect(pages).toEqual(expected);
    expect(pages.length).toBe(index.clusters.length + (index.meshes ?? []).length);
    const listed = index.files.map((f: any) => f.path);
    for (const p of pages) expect(listed).toContain(p);
    for (const c of index.clusters) expect(c.platformPage).toBe(`dist/${c.name}/platform.md`);
  });

  test('deterministic: a second rendering of a fresh app gives the same pages', () => {
    const again = renderBundle(presets()).filter((f) => f.path.endsWith('/platform.md'));
    expect(again).toEqual(files.filter((f) => f.path.endsWith('/platform.md')));
  });

  test('each cluster page names every LoadBalancer address, Certificate with its issuer, and every outcome', () => {
    const app = presets();
    for (const { model, entries } of prepareClusters(app)) {
      const page = files.find((f) => f.path === `dist/${model.spec.clusterName}/platform.md`)!.content;
      const applied = applyPlatform({ model, entries });
      for (const s of Object.values(applied.lbIpam.services).filter((x) => x.result === 'assigned')) {
        expect(page).toMatch(new RegExp(`\\| ${s.service} \\| ${s.ips.join(', ').replace(/\./g, '\\.')} \\|`));
      }
      for (const c of applied.certManager.certificates) expect(page).toContain(`| ${c.ref} | ${c.issuer} |`);
      for (const o of clusterOutcomes({ model, entries })) expect(page).toContain(o.statement.replace(/\|/g, '\\|'));
    }
  });

  test('the mesh page names each member and its clustermesh-apiserver address', () => {
    for (const mesh of index.meshes ?? []) {
      const page = files.find((f) => f.path === mesh.platformPage)!.content;
      for (const member of mesh.members) expect(page).toContain(`| ${member} |`);
      expect(page).toMatch(/\| \d+\.\d+\.\d+\.\d+:\d+ \|/);
      expect(page).toContain('## Global Services');
    }
  });
});

describe('the page shows outcomes of every section, whatever the families', () => {
  const app = new App();
  zeroTrustPlatform(app);
  const [{ model, entries }] = prepareClusters(app);
  const applied = applyPlatform({ model, entries });
  const base = { id: 'x', field: 'f', observed: 'seen | piped <b>', holds: true } as const;
  const outcomes: Outcome[] = [
    { ...base, section: 'addresses', statement: 'Service demo/nginx gets 172.18.250.101', probe: { kind: 'lb-address', namespace: 'demo', name: 'nginx', ip: '172.18.250.101', port: 80 } },
    { ...base, section: 'routes', statement: 'https://nginx.localhost/ reaches demo/nginx', probe: { kind: 'url', url: 'https://nginx.localhost/', address: '172.18.250.100', expect: '2xx', via: 'kind-network' } },
    { ...base, section: 'certificates', statement: 'Certificate gateway/local is Ready', probe: { kind: 'certificate', namespace: 'gateway', name: 'local' } },
    { ...base, section: 'flows', statement: 'tiefighter lands', probe: { kind: 'flow', from: { namespace: 'star-wars', labels: { class: 'tiefighter' } }, to: 'deathstar.star-wars.svc', port: 80, http: { method: 'POST', path: '/v1/request-landing' }, expect: 'response' } },
    { ...base, section: 'flows', statement: 'xwing is dropped', probe: { kind: 'flow', from: { namespace: 'star-wars', labels: { class: 'xwing' } }, to: 'deathstar.star-wars.svc', port: 80, expect: 'timeout' } },
    { ...base, section: 'objects', statement: 'the pool is not conflicting', holds: false, problem: 'it overlaps' },
  ];
  const page = renderPlatformPage(applied, outcomes);

  test('every outcome appears once, in its section, with what verify.sh checks; cells stay cells', () => {
    const sectionOf = (text: string) => {
      const at = page.indexOf(text);
      return page.slice(0, at).match(/^## (.+)$/gm)!.pop();
    };
    expect(sectionOf('Service demo/nginx gets')).toBe('## Addresses');
    expect(sectionOf('https://nginx.localhost/ reaches')).toBe('## Routes');
    expect(sectionOf('Certificate gateway/local is Ready')).toBe('## Certificates');
    expect(sectionOf('tiefighter lands')).toBe('## Flows');
    expect(sectionOf('the pool is not conflicting')).toBe('## Other outcomes');
    expect(page).toContain('seen \\| piped &lt;b&gt;');
    expect(page).toContain('NO: it overlaps');
    expect(page).toContain('172.18.250.101:80 answers');
  });

  test('the flow matrix: one row per client, one column per destination, and a Mermaid flowchart', () => {
    expect(page).toContain('| star-wars/class=tiefighter | POST /v1/request-landing: allowed (seen \\| piped &lt;b&gt;) |');
    expect(page).toContain('| star-wars/class=xwing | denied (dropped, L3/L4) (seen \\| piped &lt;b&gt;) |');
    expect(page).toContain('```mermaid\nflowchart LR');
    expect(page).toMatch(/n\d -->\|"POST \/v1\/request-landing allowed"\| n\d/);
    expect(page).toMatch(/n\d -\.->\|"denied"\| n\d/);
  });
});
