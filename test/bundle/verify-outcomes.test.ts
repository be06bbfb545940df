import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { FakeHost } from './harness';
import { addAllPresets, ExpectFlow, KindCiliumCluster, synthesizeBundle, zeroTrustPlatform } from '../../src';
import { KubeObject, namespacedName } from '../../src/applied/objects';
import { AppliedPlatform } from '../../src/applied/platform';
import { BundleFile, renderBundleWithPlans } from '../../src/bundle/render';
import { OUTCOME_ROW_FUNCTIONS, probeArguments } from '../../src/bundle/scripts/verify-outcomes';
import { prepareClusters } from '../../src/cluster/app-validation';
import { OUTCOME_RULES, clusterOutcomes } from '../../src/outcomes';
import { LiveProbe, Outcome, OutcomeRule } from '../../src/outcomes/outcome';
import { healthyResponses } from '../support/healthy-host';

/**
 * Issue 18, "intended outcomes -> verify.sh": the outcome rows of each cluster's verify.sh are exactly the model's
 * probeable outcomes (every outcome with a probe, as `clusterOutcomes` gives it), whatever families are registered.
 * Bash itself reads the rows back (each row's words, through stand-in functions), so the comparison also proves every
 * value reached the probe as one intact word. A test-local family adds one outcome of every probe kind, with values
 * made of shell metacharacters, over whatever objects each preset has.
 */

const HOSTILE = ' $(touch CANARY) `touch CANARY` \'; touch CANARY; \' "x" |& * \\ ? ~ $HOME!';

/** One outcome of every probe kind, derived from the applied objects (LB Services, Certificates, Gateways, Deployments). */
const TEST_FAMILY: OutcomeRule = {
  id: 'test-live-probes',
  emits: ['test-live-probe'],
  summary: 'test-local family: one outcome per probe kind',
  outcomes: (applied: AppliedPlatform): Outcome[] => {
    const base = { id: 'test-live-probe', holds: true, observed: 'as intended' } as const;
    const out: Outcome[] = [];
    for (const s of Object.values(applied.lbIpam.services)) {
      if (s.result !== 'assigned') continue;
      const [namespace, name] = s.service.split('/');
      out.push({ ...base, section: 'addresses', statement: `Service ${s.service} answers${HOSTILE}`, field: `${applied.model.field}/${s.service}`, probe: { kind: 'lb-address', namespace, name, ip: s.ips[0], port: 80 } });
      out.push({ ...base, section: 'routes', statement: `http://web.localhost/ answers through ${s.ips[0]}`, field: applied.model.field, probe: { kind: 'url', url: 'http://web.localhost/a$b\'c', address: s.ips[0], expect: '2xx', via: 'host' } });
    }
    for (const c of applied.certManager.certificates) {
      const [namespace, name] = c.ref.split('/');
      out.push({ ...base, section: 'certificates', statement: `Certificate ${c.ref} is issued by ${c.issuer}`, field: applied.model.field, probe: { kind: 'certificate', namespace, name } });
    }
    for (const g of applied.objects.filter((o) => o.kind === 'Gateway')) {
      out.push({ ...base, section: 'routes', statement: `Gateway ${namespacedName(g)} is programmed`, field: applied.pathOf(g), probe: { kind: 'gateway', namespace: g.metadata?.namespace ?? 'default', name: String(g.metadata?.name) } });
    }
    const expects = ['response', 'http-403', 'timeout'] as const;
    applied.objects.filter((o: KubeObject) => o.kind === 'Deployment').forEach((d, i) => {
      const labels = { ...(d.spec?.template?.metadata?.labels ?? {}), 'x-probe': `a${HOSTILE}`.replace(/[^A-Za-z0-9._-]/g, '') };
      out.push({
        ...base,
        section: 'flows',
        statement: `${namespacedName(d)} -> api${HOSTILE}`,
        field: applied.pathOf(d),
        probe: { kind: 'flow', from: { namespace: d.metadata?.namespace ?? 'default', labels }, to: `api.${d.metadata?.namespace}.svc`, port: 8080, http: { method: 'GET', path: `/p${i}` }, expect: expects[i % 3] },
      });
    });
    return out;
  },
};

/** Each outcome row of a verify.sh as bash reads it: function, id, statement, probe arguments. */
function rowsAsBashReadsThem(script: string): string[][] {
  const rows = script.split('\n').filter((l) => /^outcome_[a-z_]+ /.test(l));
  const stubs = Object.values(OUTCOME_ROW_FUNCTIONS).map((f) => `${f}() { printf '%s\\0' ${f} "$#" "$@"; }`);
  const result = spawnSync('bash', ['-c', [...stubs, ...rows].join('\n')], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  const words = result.stdout.split('\0').slice(0, -1);
  const out: string[][] = [];
  for (let i = 0; i < words.length;) {
    const n = Number(words[i + 1]);
    out.push([words[i], ...words.slice(i + 2, i + 2 + n)]);
    i += 2 + n;
  }
  return out;
}

/** What the rows must be: every probeable outcome of every cluster, as tuples. */
function expectedRows(app: App): Map<string, string[][]> {
  return new Map(prepareClusters(app).map(({ model, entries }) => [model.spec.clusterName, clusterOutcomes({ model, entries })
    .flatMap((o) => (o.probe ? [[OUTCOME_ROW_FUNCTIONS[o.probe.kind], o.id, o.statement, ...probeArguments(o.probe).map(String)]] : []))]));
}

const sorted = (rows: string[][]) => rows.map((r) => JSON.stringify(r)).sort();

function verifyScripts(files: readonly BundleFile[]): Map<string, string> {
  return new Map(files.filter((f) => /^dist\/[^/]+\/verify\.sh$/.test(f.path) && f.content.includes('verifying kind cluster'))
    .map((f) => [f.path.split('/')[1], f.content]));
}

function withFamily<T>(fn: () => T): T {
  (OUTCOME_RULES as OutcomeRule[]).push(TEST_FAMILY);
  try {
    return fn();
  } finally {
    (OUTCOME_RULES as OutcomeRule[]).splice(OUTCOME_RULES.indexOf(TEST_FAMILY), 1);
  }
}

describe('verify.sh rows are the probeable outcomes', () => {
  test('for every preset cluster, with the registered families only', () => {
    const app = new App();
    addAllPresets(app);
    const scripts = verifyScripts(renderBundleWithPlans(app).files);
    const expected = expectedRows(app);
    expect([...scripts.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [cluster, script] of scripts) {
      expect([cluster, sorted(rowsAsBashReadsThem(script))]).toEqual([cluster, sorted(expected.get(cluster)!)]);
    }
  });

  test('for every preset cluster, with a family of every probe kind and hostile values', () => withFamily(() => {
    const app = new App();
    addAllPresets(app);
    const { files, clusterPlans } = renderBundleWithPlans(app);
    const scripts = verifyScripts(files);
    const expected = expectedRows(app);
    const kinds = new Set<string>();
    for (const [cluster, script] of scripts) {
      const rows = rowsAsBashReadsThem(script);
      expect([cluster, sorted(rows)]).toEqual([cluster, sorted(expected.get(cluster)!)]);
      rows.forEach((r) => kinds.add(r[0]));
      // A Service an outcome probes is no longer checked by the generic LoadBalancer rows.
      const plan = clusterPlans.find((p) => p.clusterName === cluster)!;
      for (const o of plan.outcomes) {
        if (o.probe.kind === 'lb-address') expect(script).not.toContain(`check 'LoadBalancer ${o.probe.namespace}/${o.probe.name}'`);
      }
    }
    expect([...kinds].sort()).toEqual(Object.values(OUTCOME_ROW_FUNCTIONS).sort());
    // Every curl of every script sends its URL as written: -g (no globbing of the [ ] { } a path may hold).
    const curls = files.filter((f) => f.path.endsWith('.sh')).flatMap((f) => f.content.split('\n')
      .filter((l) => !/^\s*#/.test(l)).flatMap((l) => [...l.matchAll(/\bcurl\s+(?:"\$1"\s+)?-[a-zA-Z][^|;]*/g)].map((m) => [f.path, m[0]])));
    expect(curls.length).toBeGreaterThan(10);
    expect(curls.filter(([, c]) => !/ -g\b|^curl -s -g/.test(c))).toEqual([]);
  }));
});

describe('an outcome row replaces the generic row of what it covers, and only that', () => {
  /** The zero-trust landing request as a flow outcome, and an lb-address outcome for demo/nginx. */
  const LANDING: LiveProbe = {
    kind: 'flow',
    from: { namespace: 'star-wars', labels: { class: 'tiefighter' } },
    to: 'deathstar.star-wars.svc.cluster.local',
    port: 80,
    http: { method: 'POST', path: '/v1/request-landing' },
    expect: 'response',
  };
  const NGINX: LiveProbe = { kind: 'lb-address', namespace: 'demo', name: 'nginx', ip: '172.18.250.101', port: 80 };
  const MIRROR: OutcomeRule = {
    id: 'test-mirror',
    emits: ['test-mirror'],
    summary: 'test-local family: outcomes that cover generic rows',
    outcomes: (applied) => {
      const base = { id: 'test-mirror', holds: true, field: applied.model.field } as const;
      return [
        { ...base, section: 'flows', observed: 'allowed', statement: 'tiefighter lands', probe: LANDING },
        { ...base, section: 'addresses', observed: '172.18.250.101', statement: 'nginx has its address', probe: NGINX },
      ];
    },
  };
  const verify = () => {
    const app = new App();
    zeroTrustPlatform(app);
    return renderBundleWithPlans(app).files.find((f) => f.path === 'dist/zero-trust/verify.sh')!.content;
  };

  test('the landing flow and demo/nginx move to outcome rows; the other flows and Services keep theirs', () => {
    // Against the generic rows alone: the registered families are set aside, then the mirror family alone is added.
    const families = (OUTCOME_RULES as OutcomeRule[]).splice(0);
    let before: string;
    let after: string;
    try {
      before = verify();
      (OUTCOME_RULES as OutcomeRule[]).push(MIRROR);
      after = verify();
    } finally {
      (OUTCOME_RULES as OutcomeRule[]).splice(0, OUTCOME_RULES.length, ...families);
    }
    const flowRows = (script: string) => script.split('\n').filter((l) => l.startsWith('flow '));
    expect(flowRows(before).filter((l) => !flowRows(after).includes(l))).toEqual([expect.stringContaining('tiefighter -> deathstar POST /v1/request-landing')]);
    expect(before).toContain('check \'LoadBalancer demo/nginx\'');
    expect(after).not.toContain('check \'LoadBalancer demo/nginx\'');
    expect(after).toContain('check \'LoadBalancer gateway/cilium-gateway-local\'');
    expect(rowsAsBashReadsThem(after).map((r) => r[0]).sort()).toEqual(['outcome_flow', 'outcome_lb_address']);
  });
});

const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('the outcome rows on a recording host', () => {
  let root: string;
  let host: FakeHost;
  let plans: ReturnType<typeof renderBundleWithPlans>['clusterPlans'];
  beforeAll(() => withFamily(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-verify-outcomes-'));
    const app = new App();
    zeroTrustPlatform(app);
    plans = renderBundleWithPlans(app).clusterPlans;
    synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
  }));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  afterEach(() => host?.dispose());

  (shellcheck ? test : test.skip)('shellcheck finds nothing in a verify.sh with every kind of row', () => {
    const result = spawnSync('shellcheck', ['--severity=style', path.join(root, 'dist/zero-trust/verify.sh')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
  });

  test('a platform that came up as the model says passes every outcome row; each row names its statement', () => {
    host = new FakeHost(root, { network: '172.18.0.0/16', responses: healthyResponses(plans) });
    const run = host.run('dist/zero-trust/verify.sh');
    expect(fs.existsSync(path.join(root, 'CANARY'))).toBe(false);
    const rows = run.stdout.split('\n').filter((l) => l.includes('[test-live-probe: '));
    expect(rows).toHaveLength(plans[0].outcomes.filter((o) => o.id === 'test-live-probe').length);
    expect(run.stdout.split('\n').filter((l) => l.includes('[') && l.endsWith('FAIL'))).toEqual([]);
    for (const row of rows) expect(row).toMatch(/PASS$/);
    for (const o of plans[0].outcomes) expect(run.stdout).toContain(o.statement.slice(0, 30));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  test('every kind of live fault fails its row, and only its row', () => {
    const plan = plans[0];
    const faults: { kind: string; response: { match: string; stdout?: string; code?: number } }[] = [
      { kind: 'lb-address', response: { match: 'get service .* jsonpath=\\{\\.status', stdout: '172.18.0.9' } },
      { kind: 'url', response: { match: '--resolve ', stdout: '503' } },
      { kind: 'certificate', response: { match: 'wait --for=condition=Ready', code: 1 } },
      { kind: 'gateway', response: { match: 'wait --for=condition=Programmed', code: 1 } },
      { kind: 'flow', response: { match: 'exec probe-client -- curl', stdout: 'OCI runtime exec failed', code: 126 } },
    ];
    for (const fault of faults) {
      host?.dispose();
      host = new FakeHost(root, { network: '172.18.0.0/16', responses: [fault.response, ...healthyResponses(plans)] });
      const run = host.run('dist/zero-trust/verify.sh');
      const failed = run.stdout.split('\n').filter((l) => l.includes('[test-live-probe: ') && l.endsWith('FAIL'));
      expect([fault.kind, failed.length]).toEqual([fault.kind, plan.outcomes.filter((o) => o.id === 'test-live-probe' && o.probe.kind === fault.kind).length]);
      expect(run.code).toBe(1);
    }
  });
});

describe('a flow to pods no Service fronts: the probe dials a running server pod\'s IP', () => {
  let root: string;
  let host: FakeHost | undefined;
  afterEach(() => host?.dispose());
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the row resolves the pod IP, then curls it; no running server pod is an ERROR, never a verdict', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-verify-pods-'));
    const app = new App();
    const cluster = new KindCiliumCluster(app, 'pods', { clusterName: 'pods' });
    const deployment = (name: string) => new ApiObject(cluster, name, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.29.4', ports: [{ containerPort: 8080 }] }] } } },
    });
    deployment('web');
    deployment('api');
    new ExpectFlow(cluster, 'web-api', { from: { namespace: 'default', labels: { app: 'web' } }, to: { namespace: 'default', labels: { app: 'api' } }, port: 8080, expect: 'allowed' });
    const plans = renderBundleWithPlans(app).clusterPlans;
    const probe = plans[0].outcomes.find((o) => o.id === 'expected-flow-failed')!.probe;
    expect(probe).toEqual(expect.objectContaining({ kind: 'flow', to: 'default/api', toPods: { namespace: 'default', labels: { app: 'api' } }, port: 8080 }));
    synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
    host = new FakeHost(root, { network: '172.18.0.0/16', responses: healthyResponses(plans) });
    const run = host.run('dist/pods/verify.sh');
    const row = run.stdout.split('\n').find((l) => l.includes('[expected-flow-failed: '))!;
    expect(row).toMatch(/^GET http:\/\/POD_IP:8080\/ \[expected-flow-failed: .*\]\s+response\s+response \(HTTP 200\)\s+PASS$/);
    expect(run.calls.some((c) => /exec probe-client -- curl .* -X GET http:\/\/10\.244\.9\.9:8080\/$/.test(c))).toBe(true);
    host.dispose();
    host = new FakeHost(root, { network: '172.18.0.0/16', responses: [{ match: 'status\\.podIP', stdout: '' }, ...healthyResponses(plans)] });
    const none = host.run('dist/pods/verify.sh');
    expect(none.stdout).toMatch(/ERROR: no running server pod in default matches app=api\s+FAIL$/m);
    expect(none.code).toBe(1);
  });
});
