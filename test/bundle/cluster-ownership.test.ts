import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { FakeHost, FakeState } from './harness';
import { addAllPresets, KindCiliumCluster, KindCiliumClusterProps, renderBundle, synthesizeBundle } from '../../src';
import { CLUSTER_MARK } from '../../src/render/kind-config';

/** Trust III point 6: the scripts act only on clusters this bundle created (or was told to adopt). */

const C = 'own';
const NODES = [`${C}-control-plane`];
const BASE: KindCiliumClusterProps = { clusterName: C, workers: 0 };

function kindConfigOf(props: KindCiliumClusterProps): any {
  const app = new App();
  new KindCiliumCluster(app, 'c', props);
  return YAML.parse(renderBundle(app).find((f) => f.path === `kind/${props.clusterName}.yaml`)!.content);
}

const markOf = (config: any): Record<string, string> => config.nodes[0].labels;

describe('the kind config marks the cluster: bundle name and the hash of everything kind sets at creation', () => {
  test('every preset cluster carries the mark on its first control-plane node, and only there', () => {
    const app = new App();
    addAllPresets(app);
    const configs = renderBundle(app).filter((f) => f.path.startsWith('kind/')).map((f) => YAML.parse(f.content));
    expect(configs.length).toBe(6);
    for (const config of configs) {
      expect(config.nodes[0].role).toBe('control-plane');
      expect(markOf(config)[CLUSTER_MARK.bundle]).toBe('cdk8s-kind-cilium');
      expect(markOf(config)[CLUSTER_MARK.configHash]).toMatch(/^[0-9a-f]{40}$/);
      for (const node of config.nodes.slice(1)) expect(Object.keys(node.labels ?? {}).filter((k) => k.startsWith('cdk8s-kind-cilium/'))).toEqual([]);
    }
    expect(new Set(configs.map((c) => markOf(c)[CLUSTER_MARK.configHash])).size).toBe(6);
  });

  // Every kind of change kind applies only at creation changes the hash; a change helm applies does not.
  const creationChanges: [string, KindCiliumClusterProps][] = [
    ['pod subnet', { ...BASE, podSubnet: '10.50.0.0/16' }],
    ['service subnet', { ...BASE, serviceSubnet: '10.51.0.0/16' }],
    ['DNS domain', { ...BASE, dnsDomain: 'lab.internal' }],
    ['node image (Kubernetes version)', { ...BASE, kubernetesVersion: '1.35' }],
    ['a worker more', { ...BASE, workers: 1 }],
    ['a host port', { ...BASE, hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }] }],
    ['the API server port', { ...BASE, apiServerPort: 6443 }],
    ['kube-proxy kept', { ...BASE, kubeProxyReplacement: false }],
  ];
  const base = markOf(kindConfigOf(BASE))[CLUSTER_MARK.configHash];
  test.each(creationChanges)('%s changes the config hash', (_label, props) => {
    expect(markOf(kindConfigOf(props))[CLUSTER_MARK.configHash]).not.toBe(base);
  });
  test('the same description gives the same hash; Helm-only changes (Hubble, value overrides) keep it', () => {
    expect(markOf(kindConfigOf(BASE))[CLUSTER_MARK.configHash]).toBe(base);
    expect(markOf(kindConfigOf({ ...BASE, hubble: { enabled: false } }))[CLUSTER_MARK.configHash]).toBe(base);
    expect(markOf(kindConfigOf({ ...BASE, ciliumValuesOverrides: { debug: { enabled: true } } }))[CLUSTER_MARK.configHash]).toBe(base);
  });
});

describe('apply.sh and teardown.sh on a recording host', () => {
  let root: string;
  let mark: Record<string, string>;
  let host: FakeHost;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-own-'));
    const app = new App();
    new KindCiliumCluster(app, 'c', BASE);
    synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
    mark = markOf(YAML.parse(fs.readFileSync(path.join(root, `kind/${C}.yaml`), 'utf8')));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  afterEach(() => host.dispose());
  const start = (state: FakeState) => {
    host = new FakeHost(root, { network: '172.18.0.0/16', ...state });
  };
  const mutating = (calls: string[]) => calls.filter((c) => /^(kind (create|delete)|helm (upgrade|repo)|kubectl .* (apply|label|create|delete))/.test(c));

  test('a cluster created by apply.sh carries the mark and is reused by the next run; teardown deletes it', () => {
    start({});
    expect(host.run(`dist/${C}/apply.sh`).code).toBe(0);
    expect(host.state().labels?.[C]).toEqual(mark);
    const again = host.run(`dist/${C}/apply.sh`);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toContain(`kind cluster ${C} already exists, created by this bundle from the same kind config: reusing it (not recreated)`);
    expect(again.calls.filter((c) => c.startsWith('kind create'))).toEqual([]);
    const down = host.run(`dist/${C}/teardown.sh`);
    expect(down.code).toBe(0);
    expect(down.calls.filter((c) => c.startsWith('kind delete'))).toEqual([`kind delete cluster --name ${C}`]);
  });

  test('an unmarked cluster of the same name (made by hand) is refused by preflight, apply and teardown', () => {
    start({ clusters: { [C]: NODES }, labels: { [C]: {} } });
    const pre = host.run(`dist/${C}/preflight.sh`);
    expect(pre.code).toBe(1);
    expect(pre.stderr).toContain(`FAIL  kind cluster ${C} exists but this bundle did not create it (no cdk8s-kind-cilium/bundle=cdk8s-kind-cilium label on node ${C}-control-plane, or its API does not answer)`);
    const apply = host.run(`dist/${C}/apply.sh`);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(`fix: delete it if you do not need it (kind delete cluster --name ${C}), or take it over: KC_ADOPT_CLUSTER=1 bash dist/${C}/apply.sh installs into it and marks it`);
    expect(mutating(apply.calls)).toEqual([]);
    const down = host.run(`dist/${C}/teardown.sh`);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`ERROR: kind cluster ${C} was not created by this bundle`);
    expect(mutating(down.calls)).toEqual([]);
    expect(host.state().clusters).toEqual({ [C]: NODES });
  });

  test('a cluster whose API does not answer reads as unmarked: never adopted, never deleted', () => {
    start({ clusters: { [C]: NODES } });
    host.setState({ ...host.state(), fail: [`--context kind-${C} get node`] });
    const down = host.run(`dist/${C}/teardown.sh`);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('or its API does not answer): not deleted');
    expect(mutating(down.calls)).toEqual([]);
  });

  test('KC_ADOPT_CLUSTER=1 adopts an unmarked cluster: installs into it and marks it, so teardown deletes it later', () => {
    start({ clusters: { [C]: NODES }, labels: { [C]: { 'kubernetes.io/hostname': `${C}-control-plane` } } });
    const pre = host.run(`dist/${C}/preflight.sh`, { env: { KC_ADOPT_CLUSTER: '1' } });
    expect([pre.code, pre.stderr]).toEqual([0, '']);
    expect(pre.stdout).toContain(`info  kind cluster ${C} is unmarked, and KC_ADOPT_CLUSTER=1: apply.sh adopts it and marks it`);
    const apply = host.run(`dist/${C}/apply.sh`, { env: { KC_ADOPT_CLUSTER: '1' } });
    expect([apply.code, apply.stderr]).toEqual([0, '']);
    expect(apply.stdout).toContain(`kind cluster ${C} (unmarked) adopted (KC_ADOPT_CLUSTER=1) and marked: teardown.sh will delete it`);
    expect(apply.calls.filter((c) => c.startsWith('kind create'))).toEqual([]);
    expect(host.state().labels?.[C]).toEqual({ 'kubernetes.io/hostname': `${C}-control-plane`, ...mark });
    expect(host.run(`dist/${C}/teardown.sh`).code).toBe(0);
    expect(host.state().clusters).toEqual({});
  });

  test('a cluster this bundle created from another kind config is refused with the fix to recreate it; following the fix works', () => {
    start({ clusters: { [C]: NODES }, labels: { [C]: { ...mark, [CLUSTER_MARK.configHash]: 'a'.repeat(40) } } });
    const apply = host.run(`dist/${C}/apply.sh`);
    expect(apply.code).toBe(1);
    // Its preflight (step 1) already refuses; the kind step would refuse the same way.
    expect(apply.stderr).toContain(`FAIL  kind cluster ${C} was created by this bundle from another kind config (config hash ${'a'.repeat(40)}, now ${mark[CLUSTER_MARK.configHash]}`);
    expect(apply.stderr).toContain(`fix: recreate it: bash dist/${C}/teardown.sh && bash dist/${C}/apply.sh`);
    expect(mutating(apply.calls)).toEqual([]);
    expect(host.run(`bash dist/${C}/teardown.sh && bash dist/${C}/apply.sh`, { inline: true }).code).toBe(0);
    expect(host.state().labels?.[C]).toEqual(mark);
  });
});
