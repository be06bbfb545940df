import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { FakeHost, FakeState, Run, TimedCall } from './harness';
import { meshPlatform, synthesizeBundle } from '../../src';

/** How long the stand-in `kind create cluster` takes: long enough that overlapping creations show in the record. */
const CREATE_MS = 1500;
const MEMBERS = ['mesh-east', 'mesh-west'];

let root: string;

/** Every member as apply.sh leaves it: its nodes and the bundle's mark (the labels of its kind config's first node). */
function created(): Pick<FakeState, 'clusters' | 'labels'> {
  const clusters: Record<string, string[]> = {};
  const labels: Record<string, Record<string, string>> = {};
  for (const m of MEMBERS) {
    const config = YAML.parse(fs.readFileSync(path.join(root, `kind/${m}.yaml`), 'utf8'));
    clusters[m] = [`${m}-control-plane`, `${m}-worker`];
    labels[m] = config.nodes[0].labels;
  }
  return { clusters, labels };
}

/** The recorded `kind create cluster` of a member. */
function creation(run: Run, member: string): TimedCall {
  const calls = run.timed.filter((c) => c.tool === 'kind' && c.args[0] === 'create' && c.args.includes(`kind/${member}.yaml`));
  expect([member, calls.length]).toEqual([member, 1]);
  return calls[0];
}

describe('fleet scripts on a recording host', () => {
  let host: FakeHost;
  const ready: FakeState['responses'] = [
    { match: '-n kube-system get service clustermesh-apiserver', stdout: '172.18.249.16' },
    { match: 'get pods -l k8s-app=cilium -o name', stdout: 'pod/cilium-aaaaa\npod/cilium-bbbbb' },
    { match: 'exec pod/cilium-\\w+ -c cilium-agent -- cilium-dbg status', stdout: 'ClusterMesh:   1/1 remote clusters ready, 1 global-services' },
    // The clustermesh-apiserver answers TCP on 2379 from the kind network (TLS, so curl gets no HTTP status: exit 35).
    { match: '^docker run .* http://172\\.18\\.249\\.\\d+:2379/$', stdout: '000 0.001500', code: 35 },
  ];
  const demo: FakeState['responses'] = [
    { match: 'exec deploy/client ', stdout: 'mesh-east\nmesh-west\nmesh-east\n' },
    // The intruder's packets are dropped: curl ran in its pod and timed out.
    { match: 'exec deploy/intruder ', stdout: '000', code: 28 },
  ];
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-mesh-'));
    const app = new App();
    meshPlatform(app);
    synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    fs.rmSync(path.join(root, '.kind-cilium'), { recursive: true, force: true });
    host = new FakeHost(root, { network: '172.18.0.0/16', responses: [...ready, ...demo], delays: [{ match: '^kind create cluster', ms: CREATE_MS }] });
  });
  afterEach(() => host.dispose());

  test('apply.sh: fleet preflight, the shared CA once, the members in parallel (prefixed output), then the join', () => {
    const run = host.run('dist/mesh/apply.sh');
    expect([run.code, run.stderr]).toEqual([0, '']);
    // Phases in order, each timed.
    const phases = [...run.stdout.matchAll(/^==> mesh mesh: (.*)$/gm)].map((m) => m[1]);
    expect(phases).toEqual(['preflight: every member and the whole fleet (changes nothing)', 'shared CA', 'clusters mesh-east, mesh-west, in parallel', 'join: wait for Cluster Mesh on every agent']);
    expect(run.stdout.match(/^ {4}mesh mesh: (preflight|shared CA|clusters|join) done in \d+s$/gm)).toHaveLength(4);
    expect(run.stdout).toContain('ok    members are created in parallel: docker has 4 CPUs and 16384 MiB (the fleet needs 4 CPUs and 4096 MiB)');
    // Concurrency, from the record: the two kind creations overlap in time, and each member's own lines carry its name.
    const [east, west] = MEMBERS.map((m) => creation(run, m));
    expect(east.start).toBeLessThan(west.end);
    expect(west.start).toBeLessThan(east.end);
    for (const m of MEMBERS) {
      expect(run.stdout).toMatch(new RegExp(`^\\[${m}\\] ==> \\[2/5\\] kind: `, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^\\[${m}\\] apply.sh finished \\(exit 0\\) in \\d+s$`, 'm'));
    }
    // The fleet preflight ran before anything was created; the CA before any member installs Cilium.
    const first = (re: RegExp) => run.calls.findIndex((call) => re.test(call));
    expect(first(/^docker info -f \{\{\.NCPU\}\}$/)).toBeLessThan(first(/^kind create cluster/));
    const helm = run.calls.filter((c) => c.startsWith('helm upgrade --install cilium'));
    expect(helm).toHaveLength(2);
    for (const c of MEMBERS) {
      const mine = helm.find((h) => h.includes(`--kube-context kind-${c} `))!;
      expect(mine).toContain(`--values cilium-values/${c}.yaml --values .kind-cilium/mesh/ca-values.yaml`);
      // helm --wait would never finish: the clustermesh-apiserver LoadBalancer Service gets its address from the
      // pool applied after helm. The rollouts are waited for instead, before the bundle.
      const steps = [
        first(new RegExp(`^helm upgrade --install cilium .*--kube-context kind-${c} `)),
        first(new RegExp(`^kubectl --context kind-${c} -n kube-system rollout status daemonset/cilium --timeout=\\d+[sm]$`)),
        first(new RegExp(`^kubectl --context kind-${c} -n kube-system rollout status deployment/cilium-operator --timeout=\\d+[sm]$`)),
        first(new RegExp(`^kubectl --context kind-${c} apply -k dist/${c}$`)),
      ];
      expect(steps.every((x) => x >= 0)).toBe(true);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
    }
    expect(run.calls.filter((call) => / --wait\b/.test(call))).toEqual([]);
    const statusCalls = run.calls.filter((c) => /cilium-dbg status/.test(c));
    expect(statusCalls.some((c) => c.includes('--context kind-mesh-east') && c.includes('pod/cilium-bbbbb'))).toBe(true);
    expect(statusCalls.some((c) => c.includes('--context kind-mesh-west'))).toBe(true);
    expect(run.stdout).toContain('ready: ClusterMesh: 1/1 remote clusters ready on every agent of mesh-west');
    // One CA, created once, trusted by both; its key never leaves the private folder.
    const values = YAML.parse(fs.readFileSync(path.join(root, '.kind-cilium/mesh/ca-values.yaml'), 'utf8'));
    expect(Buffer.from(values.tls.ca.cert, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(values.tls.ca.key, 'base64').toString()).toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    const crt = fs.readFileSync(path.join(root, '.kind-cilium/mesh/ca.crt'), 'utf8');
    const again = host.run('dist/mesh/apply.sh');
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toContain('mesh CA .kind-cilium/mesh/ca.crt exists: reusing it');
    expect(again.calls.filter((c) => c.startsWith('kind create'))).toEqual([]);
    expect(fs.readFileSync(path.join(root, '.kind-cilium/mesh/ca.crt'), 'utf8')).toBe(crt);
  });

  test('with too few CPUs for the fleet, the preflight chooses one member after another (and KC_PARALLEL=0 forces it)', () => {
    host.setState({ ...host.state(), ncpu: 2 });
    const run = host.run('dist/mesh/apply.sh');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('info  members are created one after another: docker has 2 CPUs and 16384 MiB, parallel creation needs 4 CPUs and 4096 MiB (KC_PARALLEL=1 forces it)');
    expect(run.stdout).toContain('==> mesh mesh: clusters mesh-east, mesh-west, one after another');
    const [east, west] = MEMBERS.map((m) => creation(run, m));
    expect(east.end).toBeLessThanOrEqual(west.start);
    // mesh-east's apply.sh was through (its bundle applied) before mesh-west's cluster was created.
    const eastBundle = run.timed.find((c) => c.tool === 'kubectl' && c.args.join(' ') === '--context kind-mesh-east apply -k dist/mesh-east')!;
    expect(eastBundle.end).toBeLessThanOrEqual(west.start);
    const forced = host.run('dist/mesh/preflight.sh', { env: { KC_PARALLEL: '0', KC_PARALLEL_DECISION: path.join(host.dir, 'decision') } });
    expect(forced.stdout).toContain('info  members are created one after another (KC_PARALLEL=0)');
    expect(fs.readFileSync(path.join(host.dir, 'decision'), 'utf8')).toBe('0\n');
  });

  test('a member that fails is named, after the other member finished; a second run completes the fleet', () => {
    host.setState({ ...host.state(), failOnce: ['helm upgrade --install cilium cilium/cilium --kube-context kind-mesh-west '] });
    const run = host.run('dist/mesh/apply.sh');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERROR: mesh mesh: member(s) failed: mesh-west (their [name] lines above say why)');
    expect(run.stdout).toMatch(/^\[mesh-west\] apply.sh failed in step 3\/5 \(exit 1\)/m);
    expect(run.stdout).toMatch(/^\[mesh-east\] apply.sh finished \(exit 0\) in \d+s$/m);
    expect(run.calls.some((c) => c === 'kubectl --context kind-mesh-east apply -k dist/mesh-east')).toBe(true);
    expect(run.stdout).not.toContain('join: wait for Cluster Mesh');
    const second = host.run('dist/mesh/apply.sh');
    expect([second.code, second.stderr]).toEqual([0, '']);
    expect(second.calls.filter((c) => c.startsWith('kind create'))).toEqual([]);
    expect(second.stdout).toContain('ready: ClusterMesh: 1/1 remote clusters ready on every agent of mesh-west');
  });

  test('the fleet preflight adds up inotify over every member and the kind nodes already there, before anything is created', () => {
    // 512 instances cover the fleet's 4 nodes, and each member alone with the 2 foreign nodes (4 nodes), but not all 6.
    host.setInotify(512, 1048576);
    host.setState({ ...host.state(), clusters: { lab: ['lab-control-plane', 'lab-worker'] } });
    for (const m of MEMBERS) expect([m, host.run(`dist/${m}/preflight.sh`).code]).toEqual([m, 0]);
    const run = host.run('dist/mesh/apply.sh');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FAIL  inotify limits too low for mesh mesh (every member): 6 kind nodes (instances 512, need 768; watches 1048576, need 524288)');
    expect(run.stderr).toContain('preflight failed for mesh mesh: nothing was created');
    expect(run.calls.filter((c) => /^(kind create|helm (upgrade|repo)|kubectl .* (apply|label))/.test(c))).toEqual([]);
    expect(fs.existsSync(path.join(root, '.kind-cilium/mesh/ca.key'))).toBe(false);
  });

  test('apply.sh fails, bounded, when the mesh never connects', () => {
    host.setState({ network: '172.18.0.0/16', responses: [ready[0], ready[1], { match: 'cilium-dbg status', stdout: 'ClusterMesh:   0/1 remote clusters ready' }] });
    // Same script with the mesh wait bounded to 1 s instead of 600 s.
    const script = fs.readFileSync(path.join(root, 'dist/mesh/apply.sh'), 'utf8');
    expect(script).toMatch(/^wait_until 600 'ClusterMesh: 1\/1 remote clusters ready on every agent of mesh-east' mesh_ready kind-mesh-east 1$/m);
    fs.writeFileSync(path.join(root, 'dist/mesh/apply-fast.sh'), script.replace(/wait_until 600 /g, 'wait_until 1 '));
    try {
      const run = host.run('dist/mesh/apply-fast.sh');
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('timed out after 1s waiting for ClusterMesh: 1/1 remote clusters ready on every agent of mesh-east');
      expect(run.stdout).toContain('==> mesh mesh: join: wait for Cluster Mesh on every agent');
    } finally {
      fs.rmSync(path.join(root, 'dist/mesh/apply-fast.sh'));
    }
  });

  test('verify.sh: answers from both clusters on either side, the intruder denied; prints the table', () => {
    host.setState({ network: '172.18.0.0/16', ...created(), responses: [...ready, ...demo] });
    const run = host.run('dist/mesh/verify.sh');
    expect(run.stdout).toMatch(/^LoadBalancer kube-system\/clustermesh-apiserver port 2379, from the kind network\s+answers\s+answers \(curl exit 35\)\s+PASS$/m);
    expect(run.stdout).toMatch(/global service from mesh-east\/client: answered by\s+mesh-east,mesh-west\s+mesh-east,mesh-west\s+PASS/);
    expect(run.stdout).toMatch(/global service from mesh-west\/intruder \(policy deny\)\s+timeout\s+timeout\s+PASS/);
    expect(run.stdout).toMatch(/ClusterMesh on every agent of mesh-west\s+1\/1 ready\s+1\/1 ready\s+PASS/);
    expect(run.calls.some((c) => /exec deploy\/client -c curl -- sh -c .*seq 1 20.*http:\/\/echo\.mesh-demo\.svc\.cluster\.local:8080\//.test(c))).toBe(true);
  });

  test('verify.sh fails when only the local cluster answers or the intruder gets through', () => {
    host.setState({ network: '172.18.0.0/16', responses: [...ready, { match: 'exec deploy/intruder ', stdout: '200' }, { match: 'exec deploy/', stdout: 'mesh-east\n' }] });
    const run = host.run('dist/mesh/verify.sh');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/global service from mesh-west\/client: answered by\s+mesh-east,mesh-west\s+mesh-east\s+FAIL/);
    expect(run.stdout).toMatch(/mesh-east\/intruder \(policy deny\)\s+timeout\s+HTTP 200\s+FAIL/);
    expect(run.stderr).toContain('checks failed for mesh mesh');
  });

  test('verify.sh: an intruder probe that never ran (exec failed, or printed nothing) is an ERROR, not a deny', () => {
    host.setState({ network: '172.18.0.0/16', fail: ['exec deploy/intruder -c curl -- curl'], responses: [...ready, demo[0]] });
    const run = host.run('dist/mesh/verify.sh');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/mesh-east\/intruder \(policy deny\)\s+timeout\s+ERROR: kubectl exec did not run curl \(exit 1: fake kubectl: injected failure\)\s+FAIL/);
    host.setState({ network: '172.18.0.0/16', responses: [...ready, demo[0], { match: 'exec deploy/intruder ', stdout: '' }] });
    const empty = host.run('dist/mesh/verify.sh');
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/mesh-west\/intruder \(policy deny\)\s+timeout\s+ERROR: kubectl exec did not run curl \(exit 0\)\s+FAIL/);
  });

  test('each member\'s values file header names the shared CA values: following it gives every member the mesh CA', () => {
    for (const c of ['mesh-east', 'mesh-west']) {
      const text = fs.readFileSync(path.join(root, `cilium-values/${c}.yaml`), 'utf8');
      const head = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
      expect(head).toContain('bash dist/mesh/apply.sh');
      expect(head).toContain('bash dist/mesh/shared-ca.sh');
      const helmLines = head.split('\n').filter((l) => l.includes('helm upgrade --install'));
      expect(helmLines.length).toBeGreaterThan(0);
      for (const l of helmLines) expect(l).toContain(`-f cilium-values/${c}.yaml -f .kind-cilium/mesh/ca-values.yaml`);
    }
  });

  test('teardown.sh deletes every member (marked: created by this bundle) and the shared CA', () => {
    fs.mkdirSync(path.join(root, '.kind-cilium/mesh'), { recursive: true });
    host.setState({ network: '172.18.0.0/16', ...created() });
    const run = host.run('dist/mesh/teardown.sh');
    expect(run.code).toBe(0);
    expect(run.calls.filter((c) => c.startsWith('kind delete'))).toEqual(['kind delete cluster --name mesh-east', 'kind delete cluster --name mesh-west']);
    expect(fs.existsSync(path.join(root, '.kind-cilium/mesh'))).toBe(false);
  });
});
