import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { FakeHost, FakeState } from './harness';
import { KindCiliumCluster, KindCiliumClusterProps, synthesizeBundle } from '../../src';
import { DEFAULT_REGISTRY_IMAGE } from '../../src/spec/local-registry';

/** The local registry (kind's recipe) on a recording host: apply.sh creates or reuses it, teardown.sh removes only what it created. */

const C = 'reg';
const REG = 'kind-registry';
const PROPS: KindCiliumClusterProps = { clusterName: C, workers: 1, localRegistry: {} };
const MARKER = `.kind-cilium/${C}/registry-created`;

let root: string;
let host: FakeHost | undefined;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-reg-'));
  const app = new App();
  new KindCiliumCluster(app, 'c', PROPS);
  synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  host?.dispose();
  host = undefined;
  fs.rmSync(path.join(root, '.kind-cilium'), { recursive: true, force: true });
});
const start = (state: FakeState): FakeHost => {
  host = new FakeHost(root, { network: '172.18.0.0/16', ...state });
  return host;
};
const registryCalls = (calls: string[]) => calls.filter((c) => /^docker (run -d|rm|start|network connect)/.test(c));

test('the kind config carries kind\'s containerd patch (config_path = /etc/containerd/certs.d)', () => {
  const config = YAML.parse(fs.readFileSync(path.join(root, `kind/${C}.yaml`), 'utf8'));
  expect(config.containerdConfigPatches).toEqual(['[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n']);
});

test('apply.sh creates the registry (pinned image, 127.0.0.1:5001), writes every node\'s hosts.toml, joins it to kind, applies the ConfigMap; teardown removes it', () => {
  const h = start({});
  const apply = h.run(`dist/${C}/apply.sh`);
  expect([apply.code, apply.stderr]).toEqual([0, '']);
  expect(registryCalls(apply.calls)).toEqual([
    `docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name ${REG} ${DEFAULT_REGISTRY_IMAGE}`,
    `docker network connect kind ${REG}`,
  ]);
  for (const node of [`${C}-control-plane`, `${C}-worker`]) {
    expect(apply.calls).toContain(`docker exec ${node} mkdir -p /etc/containerd/certs.d/localhost:5001`);
    expect(apply.calls).toContain(`docker exec -i ${node} cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml`);
  }
  expect(apply.calls.some((c) => c.startsWith(`kubectl --context kind-${C} apply -f -`))).toBe(true);
  const script = fs.readFileSync(path.join(root, `dist/${C}/apply.sh`), 'utf8');
  expect(script).toContain('  name: local-registry-hosting\n  namespace: kube-public');
  expect(script).toContain('host: "localhost:5001"');
  expect(fs.readFileSync(path.join(root, MARKER), 'utf8')).toBe(`${REG}\n`);
  expect(h.state().containers?.[REG]).toMatchObject({ running: true, published: '127.0.0.1:5001', networks: ['bridge', 'kind'] });

  // A second run reuses it.
  const again = h.run(`dist/${C}/apply.sh`);
  expect([again.code, again.stderr]).toEqual([0, '']);
  expect(registryCalls(again.calls)).toEqual([]);
  expect(again.stdout).toContain(`registry ${REG} already runs on 127.0.0.1:5001: reused`);

  const down = h.run(`dist/${C}/teardown.sh`);
  expect(down.code).toBe(0);
  expect(registryCalls(down.calls)).toEqual([`docker rm -f ${REG}`]);
  expect(h.state().containers).toEqual({});
  expect(fs.existsSync(path.join(root, path.dirname(MARKER)))).toBe(false);
});

test('a registry that already runs on the same port is reused, and teardown leaves it', () => {
  const h = start({ containers: { [REG]: { running: true, published: '127.0.0.1:5001', networks: ['bridge', 'kind'] } } });
  const pre = h.run(`dist/${C}/preflight.sh`);
  expect([pre.code, pre.stderr]).toEqual([0, '']);
  expect(pre.stdout).toContain(`registry ${REG} runs on 127.0.0.1:5001: apply.sh reuses it`);
  const apply = h.run(`dist/${C}/apply.sh`);
  expect([apply.code, apply.stderr]).toEqual([0, '']);
  expect(registryCalls(apply.calls)).toEqual([]);
  expect(fs.existsSync(path.join(root, MARKER))).toBe(false);
  const down = h.run(`dist/${C}/teardown.sh`);
  expect(down.code).toBe(0);
  expect(registryCalls(down.calls)).toEqual([]);
  expect(down.stdout).toContain(`registry ${REG} not created by this bundle's apply.sh: left alone`);
  expect(h.state().containers?.[REG]?.running).toBe(true);
});

test('a stopped registry of that name, bound as planned, is started and reused (not created, not removed)', () => {
  const h = start({ containers: { [REG]: { running: false, published: '127.0.0.1:5001', networks: ['bridge'] } } });
  const apply = h.run(`dist/${C}/apply.sh`);
  expect([apply.code, apply.stderr]).toEqual([0, '']);
  expect(registryCalls(apply.calls)).toEqual([`docker start ${REG}`, `docker network connect kind ${REG}`]);
  expect(h.run(`dist/${C}/teardown.sh`).code).toBe(0);
  expect(h.state().containers?.[REG]).toBeDefined();
});

test('a container of that name published on another port is refused by preflight and apply, never touched', () => {
  const h = start({ containers: { [REG]: { running: true, published: '127.0.0.1:5000', networks: ['bridge'] } } });
  const pre = h.run(`dist/${C}/preflight.sh`);
  expect(pre.code).toBe(1);
  expect(pre.stderr).toContain(`a container ${REG} exists, published on 127.0.0.1:5000, not 127.0.0.1:5001`);
  const apply = h.run(`dist/${C}/apply.sh`);
  expect(apply.code).toBe(1);
  expect(registryCalls(apply.calls)).toEqual([]);
});

test('a stopped container of that name bound to another port is refused too: started, it would come back there', () => {
  const h = start({ containers: { [REG]: { running: false, published: '127.0.0.1:5000', networks: ['bridge'] } } });
  const pre = h.run(`dist/${C}/preflight.sh`);
  expect(pre.code).toBe(1);
  expect(pre.stderr).toContain(`a container ${REG} exists, published on 127.0.0.1:5000, not 127.0.0.1:5001`);
  const apply = h.run(`dist/${C}/apply.sh`);
  expect(apply.code).toBe(1);
  expect(registryCalls(apply.calls)).toEqual([]);
});

test('preflight refuses a registry host port held by something else', () => {
  const h = start({ portsInUse: [5001] });
  const pre = h.run(`dist/${C}/preflight.sh`);
  expect(pre.code).toBe(1);
  expect(pre.stderr).toContain('host socket 127.0.0.1:5001/TCP (localRegistry.hostPort) is already in use');
});

test('teardown keeps a registry it created while another kind cluster still runs, and says how to remove it', () => {
  const h = start({});
  expect(h.run(`dist/${C}/apply.sh`).code).toBe(0);
  h.setState({ ...h.state(), clusters: { ...h.state().clusters, other: ['other-control-plane'] } });
  const down = h.run(`dist/${C}/teardown.sh`);
  expect(down.code).toBe(0);
  expect(registryCalls(down.calls)).toEqual([]);
  expect(down.stdout).toContain(`registry ${REG} kept: kind clusters other still run and may pull from it (remove it later with: docker rm -f ${REG})`);
});
