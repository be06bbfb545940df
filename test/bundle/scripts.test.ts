import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { FakeHost, FakeState } from './harness';
import { addAllPresets, synthesizeBundle, zeroTrustPlatform } from '../../src';
import { renderBundleWithPlans } from '../../src/bundle/render';
import { outcomeResponses } from '../support/healthy-host';

const C = 'zero-trust';
const NODES = [`${C}-control-plane`, `${C}-worker`, `${C}-worker2`];
const SUBNET = '172.18.0.0/16';
/**
 * The answers of a healthy cluster: webhook CA injected, LB addresses from the pools, entry points and allowed flows
 * answer; then (in beforeAll) the answers to the intended-outcome rows the apply model gives verify.sh.
 */
let HEALTHY: FakeState['responses'] = [
  { match: 'get validatingwebhookconfiguration cert-manager-webhook', stdout: 'LS0tLS1CRUdJTi...' },
  { match: '-n gateway get service cilium-gateway-local', stdout: '172.18.250.100' },
  { match: '-n demo get service nginx', stdout: '172.18.250.101' },
  { match: 'get secret local-ca', stdout: 'Q0EK' },
  { match: '^curl .*(http|https)://nginx\\.localhost:(30080|30443)/$', stdout: '200' },
  { match: 'exec deploy/tiefighter .* -X POST http://deathstar\\S+/v1/request-landing$', stdout: '200' },
  { match: 'exec deploy/tiefighter .* -X PUT ', stdout: '403' },
  // Dropped flows: the client pod ran curl, which timed out (kubectl exec passes on curl's exit 28).
  { match: 'exec deploy/(xwing|tiefighter) ', stdout: '000', code: 28 },
  { match: 'get endpoints hubble-relay', stdout: '10.244.1.7' },
  // Every LoadBalancer port answers from a container on the kind network (the L2 announcement answers ARP).
  { match: '^docker run --rm --network kind --entrypoint curl \\S+ .* http://172\\.18\\.250\\.\\d+:80/$', stdout: '200 0.001234' },
  { match: '^docker run --rm --network kind --entrypoint curl \\S+ .* http://172\\.18\\.250\\.100:443/$', stdout: '400 0.001234' },
];

/** The cluster as apply.sh leaves it: its nodes, and the bundle's mark on the control plane (from the kind config). */
function created(): Pick<FakeState, 'clusters' | 'labels'> {
  const config = YAML.parse(fs.readFileSync(path.join(root, `kind/${C}.yaml`), 'utf8'));
  return { clusters: { [C]: NODES }, labels: { [C]: config.nodes[0].labels } };
}

let root: string;
let host: FakeHost;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-scripts-'));
  const app = new App();
  zeroTrustPlatform(app);
  const [plan] = renderBundleWithPlans(app).clusterPlans;
  HEALTHY = [...HEALTHY!, ...outcomeResponses(plan)];
  synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  host = new FakeHost(root, { network: SUBNET, responses: HEALTHY });
});
afterEach(() => host.dispose());

function index(calls: string[], pattern: RegExp): number {
  const i = calls.findIndex((c) => pattern.test(c));
  expect([pattern.source, i >= 0]).toEqual([pattern.source, true]);
  return i;
}

describe('apply.sh on a recording host', () => {
  test('first run: preflight, then kind, Gateway API CRDs, Cilium, cert-manager (CA bundle), bundle, waits; steps numbered and timed', () => {
    const run = host.run(`dist/${C}/apply.sh`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const steps = [...run.stdout.matchAll(/^==> \[(\d+)\/(\d+)\] ([a-z-]+):/gm)].map((m) => `${m[1]}/${m[2]} ${m[3]}`);
    expect(steps).toEqual(['1/7 preflight', '2/7 kind', '3/7 gateway-api-crds', '4/7 cilium', '5/7 cert-manager', '6/7 bundle', '7/7 ready']);
    expect(run.stdout.match(/^ {4}\[\d\/7\] done in \d+s$/gm)).toHaveLength(7);
    const order = [
      /^docker network inspect kind/,
      /^kind create cluster --config kind\/zero-trust\.yaml$/,
      /^kubectl --context kind-zero-trust label node zero-trust-worker /,
      /^kubectl .* apply --server-side -f .*gateway-api.*standard-install\.yaml$/,
      /^helm upgrade --install cilium /,
      /^kubectl .* apply -f .*cert-manager\.yaml$/,
      /get validatingwebhookconfiguration cert-manager-webhook/,
      /create --dry-run=server -f -/,
      /apply -k dist\/zero-trust$/,
      /-n demo get service nginx/,
      /wait --for=condition=Ready certificate\/local-tls/,
      /wait --for=condition=Programmed gateway\/local/,
    ].map((p) => index(run.calls, p));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(host.state().clusters).toEqual({ [C]: NODES });
    expect(fs.readFileSync(path.join(root, `.kind-cilium/${C}/local-ca.crt`), 'utf8')).toBe('CA\n');
    // The folder apply.sh exports into ignores itself in any repository.
    expect(fs.readFileSync(path.join(root, `.kind-cilium/${C}/.gitignore`), 'utf8')).toBe('*\n');
  });

  test('helm never uses --wait (the chart\'s LoadBalancer Services get addresses only later); the Cilium rollouts and CRDs are waited for, bounded', () => {
    const run = host.run(`dist/${C}/apply.sh`);
    expect(run.code).toBe(0);
    const helm = run.calls.filter((c) => c.startsWith('helm '));
    expect(helm.length).toBeGreaterThan(0);
    for (const c of helm) expect(c).not.toMatch(/(^| )--wait(=| |$)/);
    const order = [
      /^helm upgrade --install cilium /,
      /^kubectl --context kind-zero-trust -n kube-system rollout status daemonset\/cilium --timeout=\d+[sm]$/,
      /^kubectl --context kind-zero-trust -n kube-system rollout status deployment\/cilium-operator --timeout=\d+[sm]$/,
      /^kubectl --context kind-zero-trust wait --for condition=established --timeout=\d+[sm] crd\/ciliumloadbalancerippools\.cilium\.io/,
      /apply -k dist\/zero-trust$/,
    ].map((p) => index(run.calls, p));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('a run that failed in step 4 (helm) is finished by a second run, without recreating the cluster', () => {
    host.setState({ ...host.state(), failOnce: ['helm upgrade --install cilium'] });
    const first = host.run(`dist/${C}/apply.sh`);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain('apply.sh failed in step 4/7');
    expect(first.calls.some((c) => c.startsWith('kind create cluster'))).toBe(true);
    expect(first.calls.some((c) => c.includes('apply -k'))).toBe(false);

    const second = host.run(`dist/${C}/apply.sh`);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.calls.filter((c) => c.startsWith('kind create') || c.startsWith('kind delete'))).toEqual([]);
    expect(second.stdout).toContain('kind cluster zero-trust already exists, created by this bundle from the same kind config: reusing it (not recreated)');
    expect(second.stdout).toContain('preflight ok');
    index(second.calls, /^helm upgrade --install cilium /);
    index(second.calls, /apply -k dist\/zero-trust$/);
    expect(host.state().clusters).toEqual({ [C]: NODES });
  });

  test('a wrong docker subnet stops at preflight, names the dockerNetworkSubnet to set, and creates nothing', () => {
    host.setState({ ...host.state(), network: '172.19.0.0/16' });
    const run = host.run(`dist/${C}/apply.sh`);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("set dockerNetworkSubnet: '172.19.0.0/16' on the cluster zero-trust");
    expect(run.stderr).toContain('apply.sh failed in step 1/7');
    const mutating = run.calls.filter((c) => /^(kind (create|delete)|helm (upgrade|install|repo)|kubectl .*(apply|label|create|delete))/.test(c));
    expect(mutating).toEqual([]);
    expect(host.state().clusters ?? {}).toEqual({});
  });

  test('preflight names every host problem with its fix: taken ports, low inotify limits, old tools, a cluster with other nodes', () => {
    host.setState({ ...host.state(), portsInUse: [30443], kindVersion: 'v0.20.0' });
    host.setInotify(128, 8192);
    const run = host.run(`dist/${C}/preflight.sh`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('host socket 127.0.0.1:30443/TCP (hostPortMappings[1]) is already in use');
    expect(run.stdout).toContain('ok    host socket 127.0.0.1:30080/TCP (hostPortMappings[0]) is free');
    expect(run.stderr).toContain('fix: sudo sysctl fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288');
    expect(run.stderr).toContain('kind v0.20.0 is older than 0.33.0'); // the node image's kind release
    expect(run.stderr).toContain('nothing was created');
    host.setState({ ...host.state(), portsInUse: [], kindVersion: undefined, ...created(), clusters: { [C]: [`${C}-control-plane`] } });
    host.setInotify(8192, 1048576);
    const other = host.run(`dist/${C}/preflight.sh`);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`kind cluster ${C} exists with other nodes (${C}-control-plane; expected ${NODES.join(' ')})`);
    expect(other.stderr).toContain(`fix: recreate it: bash dist/${C}/teardown.sh && bash dist/${C}/apply.sh`);
  });

  test('preflight with the docker daemon down: names the fix, skips what needs the daemon, still runs every other check and prints the summary', () => {
    host.setState({ ...host.state(), fail: ['docker ', 'kind get'] });
    const run = host.run(`dist/${C}/preflight.sh`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the docker daemon is not reachable');
    expect(run.stderr).toContain('fix: start docker');
    expect(run.stdout).toMatch(/ok {4}inotify limits/);
    expect(run.stdout).toContain('skipped');
    expect(run.stdout).toMatch(/ok {4}kubectl v1\.33\.1/);
    expect(run.stderr).toContain('preflight failed for zero-trust: nothing was created; fix the problems above and run again');
  });

  test('preflight gives each missing tool its own install hint', () => {
    const script = fs.readFileSync(path.join(root, `dist/${C}/preflight.sh`), 'utf8');
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-nobin-'));
    try {
      // Only bash and the coreutils the script needs; no docker, kind, kubectl or helm.
      for (const t of ['bash', 'cat', 'grep', 'head', 'sort', 'tr', 'sed', 'wc', 'dirname']) {
        const found = spawnSync('bash', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
        if (found) fs.symlinkSync(found, path.join(bin, t));
      }
      fs.writeFileSync(path.join(root, `dist/${C}/preflight-copy.sh`), script);
      const run = spawnSync(path.join(bin, 'bash'), [`dist/${C}/preflight-copy.sh`], { cwd: root, encoding: 'utf8', env: { PATH: bin, KC_INOTIFY_DIR: path.join(bin, 'none') } });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/helm is not installed.*\n.*fix: .*https:\/\/helm\.sh\/docs\/intro\/install\//);
      expect(run.stderr).toMatch(/kubectl is not installed.*\n.*fix: .*https:\/\/kubernetes\.io\/docs\/tasks\/tools\//);
      expect(run.stderr).toMatch(/kind is not installed.*\n.*fix: .*https:\/\/kind\.sigs\.k8s\.io\/docs\/user\/quick-start\//);
      expect(run.stderr).toMatch(/docker is not installed.*\n.*fix: .*https:\/\/docs\.docker\.com\/engine\/install\//);
      expect(run.stderr).toContain('preflight failed for zero-trust');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
      fs.rmSync(path.join(root, `dist/${C}/preflight-copy.sh`), { force: true });
    }
  });

  test('every wait is bounded, and the cert-manager API wait comes before any Certificate is applied', () => {
    const script = fs.readFileSync(path.join(root, `dist/${C}/apply.sh`), 'utf8');
    const lines = script.split('\n');
    const waits = lines.filter((l) => /kubectl .*(wait|rollout status)/.test(l));
    expect(waits.filter((l) => /rollout status (daemonset\/cilium|deployment\/cilium-operator) /.test(l))).toHaveLength(2);
    for (const h of lines.filter((l) => /^helm /.test(l))) expect(h).not.toMatch(/ --wait\b/);
    expect(waits.length).toBeGreaterThan(5);
    for (const l of waits) expect(l).toMatch(/--timeout=\d+[sm]\b/);
    const untils = lines.filter((l) => /^wait_until /.test(l));
    expect(untils.length).toBeGreaterThanOrEqual(4);
    for (const l of untils) expect(l).toMatch(/^wait_until \d+ '/);
    expect(script.indexOf('cert-manager-webhook -o \'jsonpath={.webhooks[0].clientConfig.caBundle}\''))
      .toBeLessThan(script.indexOf('apply -k dist/zero-trust'));
    expect(script.indexOf('probe_issuer\n')).toBeLessThan(script.indexOf('apply -k dist/zero-trust'));
  });

  test('a wait that never succeeds fails, naming what did not become ready', () => {
    host.setState({ ...host.state(), responses: HEALTHY!.filter((r) => !r.match.includes('nginx') || r.match.includes('curl')) });
    const script = path.join(root, `dist/${C}/apply.sh`);
    const fast = path.join(root, `dist/${C}/apply-fast.sh`);
    // Same script with the LoadBalancer wait bounded to 1 s instead of 180 s.
    fs.writeFileSync(fast, fs.readFileSync(script, 'utf8').replace(/wait_until 180 /g, 'wait_until 1 '));
    try {
      const run = host.run(`dist/${C}/apply-fast.sh`);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('timed out after 1s waiting for an address from the pool for LoadBalancer Service demo/nginx');
    } finally {
      fs.rmSync(fast);
    }
  });
});

describe('verify.sh and teardown.sh on a recording host', () => {
  beforeEach(() => {
    host.setState({ ...host.state(), ...created() });
  });

  test('a healthy cluster passes every check; the table lists expected vs observed', () => {
    const run = host.run(`dist/${C}/verify.sh`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^CHECK\s+EXPECTED\s+OBSERVED\s+RESULT$/m);
    expect(run.stdout).toMatch(/^xwing -> deathstar POST \/v1\/request-landing \(L3 deny\)\s+timeout\s+timeout\s+PASS$/m);
    expect(run.stdout).toMatch(/^tiefighter -> deathstar PUT \/v1\/exhaust-port \(L7 deny\)\s+HTTP 403\s+HTTP 403\s+PASS$/m);
    // The allowed landing request is an intended outcome: probed from a running tiefighter pod.
    expect(run.stdout).toMatch(/^POST http:\/\/deathstar\.star-wars:80\/v1\/request-landing \[flow-denied: star-wars\/tiefighter → star-wars\/deathstar .*\]\s+response\s+response \(HTTP 200\)\s+PASS$/m);
    // The address rows: the intended outcome (the address the model gives, answering on the Service's first port) ...
    expect(run.stdout).toMatch(/^Service demo\/nginx has 172\.18\.250\.101 and 172\.18\.250\.101:80 answers \[lb-address-pending: .*\]\s+172\.18\.250\.101 answers\s+172\.18\.250\.101 answers \(HTTP 200\)\s+PASS$/m);
    // ... and every other TCP port of it, from a throwaway node-image container on the kind network.
    expect(run.stdout).not.toMatch(/^LoadBalancer demo\/nginx port/m);
    expect(run.stdout).toMatch(/^LoadBalancer gateway\/cilium-gateway-local port 443, from the kind network\s+answers\s+answers \(HTTP 400\)\s+PASS$/m);
    const image = YAML.parse(fs.readFileSync(path.join(root, `kind/${C}.yaml`), 'utf8')).nodes[0].image;
    index(run.calls, new RegExp(`^docker run --rm --network kind --entrypoint curl ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*http://172\\.18\\.250\\.101:80/$`));
    expect(run.stdout).toMatch(/^https:\/\/nginx\.localhost:30443\/ \(via 127\.0\.0\.1\)\s+HTTP 200\s+HTTP 200\s+PASS$/m);
    expect(run.stdout).toMatch(/^hubble relay .*reachable\s+PASS$/m);
    index(run.calls, /^curl .*--cacert \.kind-cilium\/zero-trust\/local-ca\.crt .*https:\/\/nginx\.localhost:30443\/$/);
    expect(run.stdout).toMatch(/verify: all \d+ checks passed/);
  });

  test('a mismatch (xwing reaches the deathstar; an address outside the pools) fails with the rows showing it', () => {
    host.setState({
      ...host.state(),
      responses: [
        { match: 'exec deploy/xwing ', stdout: '200' },
        { match: '-n demo get service nginx', stdout: '172.18.0.5' },
        // The gateway's address is in the pool, but nobody answers ARP for it: curl never connects.
        { match: '^docker run .* http://172\\.18\\.250\\.100:', stdout: '000 0.000000', code: 28 },
        ...HEALTHY!,
      ],
    });
    const run = host.run(`dist/${C}/verify.sh`);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^xwing -> deathstar POST \/v1\/request-landing \(L3 deny\)\s+timeout\s+HTTP 200\s+FAIL$/m);
    expect(run.stdout).toMatch(/^Service demo\/nginx has 172\.18\.250\.101 .*\]\s+172\.18\.250\.101 answers\s+address 172\.18\.0\.5\s+FAIL$/m);
    expect(run.stdout).toMatch(/^Service gateway\/cilium-gateway-local has 172\.18\.250\.100 and 172\.18\.250\.100:80 answers .*\]\s+172\.18\.250\.100 answers\s+172\.18\.250\.100 no connection \(curl exit 28\)\s+FAIL$/m);
    expect(run.stdout).toMatch(/^LoadBalancer gateway\/cilium-gateway-local port 443, from the kind network\s+answers\s+no connection \(curl exit 28\)\s+FAIL$/m);
    expect(run.stderr).toMatch(/verify: 4 of \d+ checks failed for zero-trust/);
  });

  test('a deny is not "anything but 200": an exec that did not run curl is an ERROR, an L7 deny must be 403, an L3 deny a timeout', () => {
    host.setState({
      ...host.state(),
      fail: ['exec deploy/xwing '],
      responses: [
        { match: 'exec deploy/tiefighter .* -X PUT ', stdout: '500' },
        { match: 'exec deploy/tiefighter .*nginx', stdout: '000', code: 7 },
        ...HEALTHY!,
      ],
    });
    const run = host.run(`dist/${C}/verify.sh`);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^xwing -> deathstar POST \/v1\/request-landing \(L3 deny\)\s+timeout\s+ERROR: kubectl exec did not run curl \(exit 1: fake kubectl: injected failure\)\s+FAIL$/m);
    expect(run.stdout).toMatch(/^tiefighter -> deathstar PUT \/v1\/exhaust-port \(L7 deny\)\s+HTTP 403\s+HTTP 500\s+FAIL$/m);
    expect(run.stdout).toMatch(/^tiefighter -> nginx \(egress deny\)\s+timeout\s+curl exit 7 \(HTTP 000\)\s+FAIL$/m);
    expect(run.stderr).toMatch(/verify: 3 of \d+ checks failed for zero-trust/);
  });

  test('a flow probe with no answer at all (kubectl printed nothing) is an ERROR, not a deny', () => {
    host.setState({ ...host.state(), responses: [{ match: 'exec deploy/xwing ', stdout: '' }, ...HEALTHY!] });
    const run = host.run(`dist/${C}/verify.sh`);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^xwing -> deathstar POST \/v1\/request-landing \(L3 deny\)\s+timeout\s+ERROR: kubectl exec did not run curl \(exit 0\)\s+FAIL$/m);
  });

  test('teardown deletes the cluster and the exported CA, and is safe to repeat', () => {
    fs.mkdirSync(path.join(root, `.kind-cilium/${C}`), { recursive: true });
    fs.writeFileSync(path.join(root, `.kind-cilium/${C}/local-ca.crt`), 'CA\n');
    expect(host.run(`dist/${C}/teardown.sh`).code).toBe(0);
    expect(host.state().clusters).toEqual({});
    expect(fs.existsSync(path.join(root, `.kind-cilium/${C}/local-ca.crt`))).toBe(false);
    const again = host.run(`dist/${C}/teardown.sh`);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to delete');
  });
});

describe('shellcheck', () => {
  const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  const available = shellcheck.status === 0;
  if (!available) {
    // CI installs shellcheck (.ci/run); without it this check cannot run here.
    process.stdout.write('NOTICE: shellcheck is not installed; skipping the shellcheck of the generated scripts (apt-get install -y shellcheck)\n');
  }
  (available ? test : test.skip)('every generated script of every preset is clean', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-shellcheck-'));
    try {
      const app = new App();
      addAllPresets(app);
      const files = synthesizeBundle(app, { rootDir: dir, cdk8sOutdir: undefined }).filter((f) => f.path.endsWith('.sh'));
      // 4 scripts per cluster (six preset clusters) and the mesh's 5 fleet scripts.
      expect(files).toHaveLength(29);
      const result = spawnSync('shellcheck', ['--severity=style', ...files.map((f) => path.join(dir, f.path))], { encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
