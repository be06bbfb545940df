import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { FakeHost, Run } from './harness';
import { KindCiliumCluster, renderBundle, zeroTrustPlatform } from '../../src';
import { applyPlan } from '../../src/bundle/apply-plan';
import { ClusterOpsPlan, clusterOpsPlan } from '../../src/bundle/ops-plan';
import { renderClusterScripts } from '../../src/bundle/scripts/index';
import { MeshOpsPlan, renderMeshScripts } from '../../src/bundle/scripts/mesh';
import { prepareClusters } from '../../src/cluster/app-validation';
import { KindCiliumCluster as Cluster } from '../../src/cluster/kind-cilium-cluster';
import { componentVersionsOf } from '../../src/spec/versions';

/**
 * Trust III point 6: every value in every script is quoted. The kind of fault is "a value reaches bash unquoted", so
 * the test gives EVERY value position of a cluster's scripts a value made of every shell metacharacter, runs the four
 * scripts on the recording host and checks that (1) nothing a value says ever ran (a canary file), (2) each value
 * reached the tools as one intact argument, (3) shellcheck finds nothing. Kubernetes itself allows such names: the
 * names of custom resources (Certificates, Gateways, pools) are only checked as path segments (no `/`, no `%`), an
 * HTTPRoute path may hold `$&'()*+,;=:@!~`, a kubectl context name is free text, and a checkout may live in any folder.
 */

const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-quoting-'));
const canary = path.join(root, 'CANARY');

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * Every construct bash gives a meaning to, each aimed at creating the canary file should it ever run (relative: the
 * scripts run from the bundle root; no `/`, which no object name and no single path component can hold).
 */
function hostile(original: string): string {
  const c = path.basename(canary);
  return `${original} $(touch ${c}) \`touch ${c}\` '; touch ${c}; ' "; touch ${c}; " |touch ${c}& >${c}.2`
    + ' * ?[a]{x,y} ~ $HOME ${IFS} ! # \\ -n\n--help';
}

/** The zero-trust preset's ops plan (every kind of row: waits, pools, probes, entry points, flows, CA). */
interface Paths { kindConfigPath: string; ciliumValuesPath: string; manifestsDir: string }
function zeroTrustPlan(paths: Paths): { plan: ClusterOpsPlan; kindConfig: string } {
  const app = new App();
  zeroTrustPlatform(app);
  const [{ cluster, model, objects }] = prepareClusters<Cluster>(app);
  const versions = componentVersionsOf(cluster.spec);
  const steps = applyPlan({ spec: cluster.spec, versions, needsGatewayApi: true, needsCertManager: true, ...paths });
  const plan = clusterOpsPlan({ cluster, model, objects, steps, versions, ...paths });
  const kindConfig = renderBundle(app).find((f) => f.path === 'kind/zero-trust.yaml')!.content;
  return { plan, kindConfig };
}

/** Replaces every string leaf equal to a key of `map` (anywhere in the plan), so related fields stay consistent. */
function substitute<T>(value: T, map: Map<string, string>): T {
  if (typeof value === 'string') return (map.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, map)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, map)])) as T;
  return value;
}

describe('a cluster whose every value is hostile', () => {
  const dir = (name: string) => `dist/${hostile(name)}`;
  const paths = { kindConfigPath: `kind/${hostile('zt')}.yaml`, ciliumValuesPath: `cilium-values/${hostile('zt')}.yaml`, manifestsDir: dir('zt') };
  let plan: ClusterOpsPlan;
  /** The hostile values that must reach a tool whole, and those verify.sh prints (check names, pool names). */
  let values: string[];
  let printed: string[];
  const runs: Record<string, Run> = {};

  beforeAll(() => {
    const base = zeroTrustPlan(paths);
    const real = base.plan;
    // Object names and namespaces of every row, pool names, the CA secret, the context, the probe image.
    const originals = new Set<string>([
      ...Object.values(real.waits).flat().flatMap((r) => [r.namespace, r.name]),
      ...real.loadBalancerProbes.flatMap((p) => [p.namespace, p.name]),
      ...real.poolRanges.map((r) => r.pool),
      ...real.flows.flatMap((f) => [f.name, f.from.namespace, f.from.name, f.from.container, f.url]),
      ...(real.localCa ? [real.localCa.namespace, real.localCa.secretName] : []),
      real.context,
    ]);
    originals.delete('default');
    const map = new Map([...originals].map((o) => [o, hostile(o)]));
    plan = {
      ...substitute(real, map),
      caFile: `.kind-cilium/${hostile('ca dir')}/local-ca.crt`,
      entryPoints: real.entryPoints.map((e) => ({ ...e, path: `/a$&'()*+,;=:@!~${e.scheme}` })),
      // The local registry's values (names are checked upstream; the scripts must not rely on that).
      localRegistry: {
        name: hostile('kind-registry'),
        image: hostile('registry:2'),
        hostPort: 5001,
        containerPort: 5000,
        published: '127.0.0.1:5001',
        hostsDir: `/etc/containerd/certs.d/${hostile('localhost:5001')}`,
        hostsToml: `[host."http://${hostile('kind-registry')}:5000"]\n`,
        configMapYaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local-registry-hosting\n  namespace: kube-public\n',
        createdMarker: `.kind-cilium/${hostile('reg dir')}/registry-created`,
      },
    };
    printed = [...real.poolRanges.map((r) => `pool/${map.get(r.pool)}`), ...real.flows.map((f) => map.get(f.name)!)];
    const registry = plan.localRegistry!;
    values = [...map.values(), plan.caFile!, paths.kindConfigPath, paths.manifestsDir, registry.name, registry.image, registry.hostsDir]
      .filter((v) => !printed.some((p) => p.endsWith(v)));
    expect([values.length, printed.length]).toEqual([expect.any(Number), 5]);
    expect(values.length).toBeGreaterThan(15);
    for (const script of renderClusterScripts(plan)) {
      fs.mkdirSync(path.join(root, paths.manifestsDir), { recursive: true });
      fs.writeFileSync(path.join(root, paths.manifestsDir, script.name), script.content);
    }
    fs.mkdirSync(path.join(root, 'kind'), { recursive: true });
    fs.writeFileSync(path.join(root, paths.kindConfigPath), base.kindConfig);
    const host = new FakeHost(root, {
      network: '172.18.0.0/16',
      contexts: { [plan.context]: 'zero-trust' },
      responses: [
        // Values hold line breaks: [\\s\\S] instead of `.`.
        { match: 'get service [\\s\\S]* -o jsonpath=\\{\\.status\\.loadBalancer\\.ingress\\[0\\]\\.ip\\}', stdout: '172.18.250.100' },
        { match: 'get validatingwebhookconfiguration', stdout: 'Q0EK' },
        { match: ' get secret ', stdout: 'Q0EK' },
      ],
    });
    try {
      for (const script of ['preflight.sh', 'apply.sh', 'verify.sh', 'teardown.sh']) runs[script] = host.run(path.join(paths.manifestsDir, script));
    } finally {
      host.dispose();
    }
  }, 600_000);

  test('no value ever ran: the canary files do not exist', () => {
    expect([fs.existsSync(canary), fs.existsSync(`${canary}.2`)]).toEqual([false, false]);
  });

  test('preflight, apply and teardown succeed; verify runs to its table (the stand-ins answer no probe)', () => {
    for (const s of ['preflight.sh', 'apply.sh', 'teardown.sh']) expect([s, runs[s].code, runs[s].stderr]).toEqual([s, 0, '']);
    expect(runs['verify.sh'].stdout).toMatch(/^CHECK\s+EXPECTED\s+OBSERVED\s+RESULT$/m);
  });

  test('every hostile value reached a tool as one intact argument (alone or as the value of a flag or object reference)', () => {
    const args = Object.values(runs).flatMap((r) => r.timed.flatMap((c) => c.args));
    const arrived = (v: string) => args.some((a) => a === v || a.endsWith(`/${v}`) || a.endsWith(`=${v}`) || a.includes(`/${v}/`) || a.startsWith(`${v}/`) || a.includes(`://${v}`));
    const missing = values.filter((v) => !arrived(v) && !/^(kind|dist|\.kind-cilium)\//.test(v));
    expect(missing).toEqual([]);
    // The kind config path and the CA file: kind read the hostile path, apply wrote the CA there.
    expect(args).toContain(paths.kindConfigPath);
    expect(fs.existsSync(path.join(root, plan.caFile!))).toBe(false); // teardown removed it again
    expect(runs['apply.sh'].stdout).toContain(`local CA exported to ${plan.caFile}`);
    for (const p of printed) expect(runs['verify.sh'].stdout).toContain(p);
  });

  test('every object reference and flag value is one argument: deployment/<name>, certificate/<name>, gateway/<name>', () => {
    const args = runs['apply.sh'].timed.flatMap((c) => c.args);
    for (const d of plan.waits.deployments) expect(args).toContain(`deployment/${d.name}`);
    for (const c of plan.waits.certificates) expect(args).toContain(`certificate/${c.name}`);
    for (const g of plan.waits.gateways) expect(args).toContain(`gateway/${g.name}`);
    const verify = runs['verify.sh'].timed.flatMap((c) => c.args);
    for (const e of plan.entryPoints) expect(verify).toContain(`${e.scheme}://${e.hostname}:${e.port}${e.path}`);
  });

  (shellcheck ? test : test.skip)('shellcheck finds nothing in the hostile scripts', () => {
    const files = ['preflight.sh', 'apply.sh', 'verify.sh', 'teardown.sh'].map((s) => path.join(root, paths.manifestsDir, s));
    const result = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    expect([result.stdout + result.stderr, result.status]).toEqual(['', 0]);
  });
});

describe('a mesh whose every value is hostile: the fleet scripts', () => {
  const member = (name: string) => ({ clusterName: hostile(name), context: hostile(`kind-${name}`), manifestsDir: `dist/${hostile(name)}`, nodes: 2, serviceUrl: hostile(`http://echo.${name}/`) });
  const plan: MeshOpsPlan = {
    mesh: hostile('mesh'),
    dir: `dist/${hostile('mesh')}`,
    caDir: `.kind-cilium/${hostile('mesh')}`,
    members: [member('east'), member('west')],
    demo: { namespace: hostile('mesh-demo'), client: hostile('client'), intruder: hostile('intruder'), container: hostile('curl'), probes: 2 },
  };
  const runs: Record<string, Run> = {};
  beforeAll(() => {
    for (const f of renderMeshScripts(plan)) {
      fs.mkdirSync(path.join(root, plan.dir), { recursive: true });
      fs.writeFileSync(path.join(root, plan.dir, f.name), f.content);
    }
    // The members' own scripts: stand-ins that print their path (their quoting is the cluster test's).
    for (const m of plan.members) {
      fs.mkdirSync(path.join(root, m.manifestsDir), { recursive: true });
      for (const s of ['preflight.sh', 'apply.sh', 'verify.sh', 'teardown.sh']) fs.writeFileSync(path.join(root, m.manifestsDir, s), 'printf \'ran %s\\n\' "$0"\n');
    }
    const host = new FakeHost(root, {
      network: '172.18.0.0/16',
      responses: [
        { match: 'get pods -l k8s-app=cilium -o name', stdout: 'pod/cilium-a' },
        { match: 'cilium-dbg status', stdout: 'ClusterMesh:   1/1 remote clusters ready' },
      ],
    });
    try {
      for (const s of ['preflight.sh', 'apply.sh', 'verify.sh', 'teardown.sh']) runs[s] = host.run(path.join(plan.dir, s));
    } finally {
      host.dispose();
    }
  }, 600_000);

  test('no value ran; the fleet scripts passed their hostile members\' scripts and values whole', () => {
    expect([fs.existsSync(canary), fs.existsSync(`${canary}.2`)]).toEqual([false, false]);
    for (const s of ['preflight.sh', 'apply.sh', 'teardown.sh']) expect([s, runs[s].code, runs[s].stderr]).toEqual([s, 0, '']);
    for (const m of plan.members) {
      for (const s of ['preflight.sh', 'teardown.sh']) expect(runs[s].stdout).toContain(`ran ${m.manifestsDir}/${s}`);
      expect(runs['verify.sh'].stdout).toContain(`ran ${m.manifestsDir}/verify.sh`);
    }
    const args = Object.values(runs).flatMap((r) => r.timed.flatMap((c) => c.args));
    for (const v of [...plan.members.flatMap((m) => [m.context, m.serviceUrl!]), plan.demo!.namespace, `deploy/${plan.demo!.intruder}`, plan.demo!.container]) {
      expect(args).toContain(v);
    }
    // Each member's apply.sh ran, every line of it prefixed with its name on one line (a line break shown as a space).
    expect(runs['apply.sh'].stdout.match(/\] apply\.sh finished \(exit 0\) in \d+s$/gm)).toHaveLength(2);
    expect(runs['apply.sh'].stdout).toContain(`[${plan.members[1].clusterName.replace(/\n/g, ' ')}] ran dist/`);
  });

  (shellcheck ? test : test.skip)('shellcheck finds nothing in the hostile fleet scripts', () => {
    const files = ['shared-ca.sh', 'preflight.sh', 'apply.sh', 'verify.sh', 'teardown.sh'].map((s) => path.join(root, plan.dir, s));
    const result = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    expect([result.stdout + result.stderr, result.status]).toEqual(['', 0]);
  });
});

describe('valid cluster names that shellcheck reads heuristically', () => {
  // c-2b: `expected=c-2b-control-plane` read as arithmetic (SC2100); names that are commands (SC2209 on `x=kind`).
  const names = ['c-2b', '0-1', 'kind', 'ls', 'a-1e5', '9'];
  (shellcheck ? test : test.skip)('no warning for any of them, with and without workers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-names-'));
    try {
      const files: string[] = [];
      for (const [i, name] of names.entries()) {
        const app = new App();
        new KindCiliumCluster(app, name, { clusterName: name, workers: i % 2 });
        for (const f of renderBundle(app).filter((x) => x.path.endsWith('.sh'))) {
          const p = path.join(dir, `${i}`, f.path);
          fs.mkdirSync(path.dirname(p), { recursive: true });
          fs.writeFileSync(p, f.content);
          files.push(p);
        }
      }
      expect(files).toHaveLength(names.length * 4);
      const result = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
      expect([result.stdout + result.stderr, result.status]).toEqual(['', 0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
