import { spawnSync } from 'child_process';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { addAllPresets, ClusterMesh, KindCiliumCluster, meshPlatform, renderBundle, validateApp } from '../../src';
import { toYaml } from '../../src/private/yaml';
import { helmValuesFacts } from '../../src/spec/values-by-minor';
import { CILIUM_MINOR_FACTS, ciliumMinorOf } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { configError } from '../support/config-error';
import { ciliumConfig, helmReadValues, helmTemplate, helmTemplateRun } from '../support/helm';
import { kubectlBinary, kubectlReadBack, kustomize } from '../support/kubectl';
import { describeWithReference } from '../support/reference';
import { validateBundleFile } from '../support/reference-schemas';
import { renderApp, writeBundle } from '../support/render';

/** The chart of every minor of the matrix (the 1.21 preview included). */
const CHARTS = CILIUM_MINOR_FACTS.map((f) => f.latestPatch);

function threeClusterMesh(app: App, pools = false, ciliumVersion?: string): ClusterMesh {
  const mesh = new ClusterMesh(app, 'trio', { name: 'trio' });
  ['alpha', 'beta', 'gamma'].forEach((clusterName, i) => mesh.addCluster({
    clusterName,
    ...(ciliumVersion ? ciliumVersionProps(ciliumVersion) : {}),
    ...(pools ? { meshPool: { start: `172.18.248.${10 * i + 10}`, stop: `172.18.248.${10 * i + 19}` }, podSubnet: `10.${100 + i}.0.0/16`, serviceSubnet: `10.${110 + i}.0.0/16` } : {}),
  }));
  return mesh;
}

describe('allocation', () => {
  test('the preset: ids 1 and 2, cluster.name = kind name, disjoint subnets, apiservers at the first pool addresses', () => {
    const mesh = meshPlatform(new App());
    const s = (c: (typeof mesh.members)[number]) => c.spec;
    expect(mesh.members.map((c) => [c.clusterName, s(c).ciliumCluster.name, s(c).ciliumCluster.id, s(c).podSubnet.cidr, s(c).serviceSubnet.cidr]))
      .toEqual([['mesh-east', 'mesh-east', 1, '10.244.0.0/16', '10.96.0.0/16'], ['mesh-west', 'mesh-west', 2, '10.245.0.0/16', '10.97.0.0/16']]);
    expect(mesh.memberAddresses.map((m) => m.apiserverIp)).toEqual(['172.18.249.16', '172.18.249.32']);
  });

  test('explicit values are kept and the allocation goes around them', () => {
    const mesh = new ClusterMesh(new App(), 'm', { name: 'm' });
    mesh.addCluster({ clusterName: 'a', ciliumCluster: { id: 1 }, podSubnet: '10.245.0.0/16' });
    const b = mesh.addCluster({ clusterName: 'b' });
    expect([b.spec.ciliumCluster.id, b.spec.podSubnet.cidr]).toEqual([2, '10.244.0.0/16']);
    expect(mesh.members[0].spec.podSubnet.cidr).toBe('10.245.0.0/16');
  });

  test('the member values: clustermesh-apiserver as a LoadBalancer at the pool address, every peer listed with ips', () => {
    const mesh = threeClusterMesh(new App());
    const values = mesh.members[0].ciliumValues() as any;
    expect(values.cluster).toEqual({ name: 'alpha', id: 1 });
    expect(values.clustermesh).toEqual({
      useAPIServer: true,
      apiserver: { service: { type: 'LoadBalancer', annotations: { 'lbipam.cilium.io/ips': '172.18.249.16' } }, tls: { auto: { enabled: true, method: 'helm' } } },
      config: { enabled: true, clusters: [{ name: 'beta', ips: ['172.18.249.32'], port: 2379 }, { name: 'gamma', ips: ['172.18.249.48'], port: 2379 }] },
    });
    expect(values.tls).toBeUndefined();
  });

  test('maxConnectedClusters 511 reaches the values and lets ids above 255 through', () => {
    const mesh = new ClusterMesh(new App(), 'big', { name: 'big', maxConnectedClusters: 511 });
    const c = mesh.addCluster({ clusterName: 'far', ciliumCluster: { id: 400 } });
    mesh.addCluster({ clusterName: 'near' });
    expect((c.ciliumValues() as any).clustermesh.maxConnectedClusters).toBe(511);
    expect(c.violations()).toEqual([]);
  });
});

describeWithReference(`both meshes pass the official chart (helm template, ${CHARTS.join(' / ')})`, ['charts'], () => {
  const cases: [string, (app: App, version: string) => ClusterMesh][] = [
    ['two clusters (preset, values for 1.20 rendered by every chart)', (app) => meshPlatform(app)],
    ['three clusters (members described with that Cilium version)', (app, version) => threeClusterMesh(app, false, version)],
  ];
  for (const [label, build] of cases) {
    for (const version of CHARTS) {
      test(`${label}, chart ${version}`, async () => {
        const app = new App();
        const mesh = build(app, version);
        expect(() => validateApp(app)).not.toThrow();
        for (const member of mesh.members) {
          const docs = await helmTemplate(toYaml(member.ciliumValues()), version);
          const config = ciliumConfig(docs);
          expect([member.clusterName, config['cluster-name'], config['cluster-id']]).toEqual([member.clusterName, member.clusterName, String(member.spec.ciliumCluster.id)]);
          const service = docs.find((d) => d.kind === 'Service' && d.metadata?.name === 'clustermesh-apiserver');
          const own = mesh.memberAddresses.find((m) => m.cluster === member)!.apiserverIp;
          expect([service?.spec?.type, service?.metadata?.annotations?.['lbipam.cilium.io/ips']]).toEqual(['LoadBalancer', own]);
          // The agents' remote-cluster config: one entry per peer at https://<peer>.mesh.cilium.io:2379, the name mapped to the peer's address.
          const secret = docs.find((d) => d.kind === 'Secret' && d.metadata?.name === 'cilium-kvstoremesh')
            ?? docs.find((d) => d.kind === 'Secret' && d.metadata?.name === 'cilium-clustermesh');
          const peers = mesh.memberAddresses.filter((m) => m.cluster !== member);
          // The name resolves to the peer's pool address where this chart puts it (HelmValuesFacts.meshPeerAddresses): the
          // `cilium-host-aliases` block of the peer's Secret entry (1.20+), and/or hostAliases of the pods that dial peers (up to 1.20).
          const places = helmValuesFacts(ciliumMinorOf(version)!).meshPeerAddresses;
          const aliases = docs.flatMap((d) => d.spec?.template?.spec?.hostAliases ?? []);
          if (!places.includes('pod-host-aliases')) expect([version, aliases]).toEqual([version, []]);
          for (const peer of peers) {
            const entry = Buffer.from(secret!.data[peer.cluster.clusterName], 'base64').toString('utf8');
            const host = `${peer.cluster.clusterName}.mesh.cilium.io`;
            const remote = YAML.parse(entry);
            expect(remote.endpoints).toEqual([`https://${host}:2379`]);
            const inSecret = (remote['cilium-host-aliases'] ?? []).some((a: any) => a.hostname === host && a.ips.includes(peer.apiserverIp));
            const inPods = aliases.some((a: any) => a.ip === peer.apiserverIp && a.hostnames.includes(host));
            expect([version, member.clusterName, host, { inSecret, inPods }]).toEqual([version, member.clusterName, host, {
              inSecret: places.includes('secret-host-aliases'), inPods: places.includes('pod-host-aliases'),
            }]);
          }
          expect(Object.keys(secret!.data).filter((k) => !k.includes('.') && !k.startsWith('common-') && !k.startsWith('local-')).sort())
            .toEqual(peers.map((p) => p.cluster.clusterName).sort());
        }
      }, 60_000);
    }
  }
});

describe('the three-cluster mesh passes the same oracles as single clusters', () => {
  const bundle = renderApp((app) => [...threeClusterMesh(app).members]);
  const root = writeBundle(bundle.files);
  const yamlFiles = bundle.files.filter((f) => /\.ya?ml$/.test(f.path));

  test('the bundle: three members and the fleet scripts', () => {
    expect(bundle.files.map((f) => f.path).filter((p) => p.startsWith('dist/trio/'))).toEqual(['dist/trio/apply.sh', 'dist/trio/platform.md', 'dist/trio/preflight.sh', 'dist/trio/shared-ca.sh', 'dist/trio/teardown.sh', 'dist/trio/verify.sh']);
    expect(JSON.parse(bundle.read('dist/bundle.json')).meshes).toEqual([{
      name: 'trio',
      members: ['alpha', 'beta', 'gamma'],
      caDir: '.kind-cilium/trio',
      platformPage: 'dist/trio/platform.md',
      scripts: { sharedCa: 'dist/trio/shared-ca.sh', preflight: 'dist/trio/preflight.sh', apply: 'dist/trio/apply.sh', verify: 'dist/trio/verify.sh', teardown: 'dist/trio/teardown.sh' },
    }]);
  });

  describeWithReference('reference schemas (kind config, chart values.schema.json, CRD and core schemas)', ['kind-schema', 'helm-values', 'crds'], () => {
    test.each(yamlFiles.map((f) => f.path))('%s', (p) => {
      expect([p, validateBundleFile(p, bundle.read(p)) ?? []]).toEqual([p, []]);
    });
  });

  (kubectlBinary() ? describe : describe.skip)('kubectl kustomize and read-back, helm read-back', () => {
    test.each(['alpha', 'beta', 'gamma'])('kustomize dist/%s yields the manifest', async (c) => {
      const built = await kustomize(path.join(root, 'dist', c));
      const manifest = YAML.parseAllDocuments(bundle.read(`dist/${c}/${c}.k8s.yaml`)).map((d) => d.toJS()).filter((d) => d);
      expect(built.length).toBe(manifest.length);
    });
    test.each(yamlFiles.map((f) => f.path).filter((p) => !p.startsWith('cilium-values/')))('kubectl reads back %s', async (p) => {
      const ours = YAML.parseAllDocuments(bundle.read(p)).map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
      expect(await kubectlReadBack(path.join(root, p))).toStrictEqual(ours);
    });
    test.each(yamlFiles.map((f) => f.path).filter((p) => p.startsWith('cilium-values/')))('helm reads back %s', async (p) => {
      expect(await helmReadValues(bundle.read(p))).toStrictEqual(YAML.parse(bundle.read(p)));
    });
  });

  // Without shellcheck installed this is skipped (test/bundle/scripts.test.ts prints the notice).
  (spawnSync('shellcheck', ['--version']).status === 0 ? test : test.skip)('shellcheck: the fleet scripts and every member script are clean', () => {
    const scripts = bundle.files.filter((f) => f.path.endsWith('.sh')).map((f) => path.join(root, f.path));
    expect(scripts).toHaveLength(3 * 4 + 5);
    const result = spawnSync('shellcheck', ['--severity=style', ...scripts], { encoding: 'utf8' });
    expect([result.stdout + result.stderr, result.status]).toEqual(['', 0]);
  });
});

describeWithReference("the chart's clustermesh guards and the field checks", ['charts'], () => {
  // [label, props, chart renders, library accepts]. The chart fails unless maxConnectedClusters is 255 or 511
  // (templates/validate.yaml); it does not range-check cluster.id, which the agent does at startup (cilium pkg/clustermesh/types:
  // ClusterIDMax follows max-connected-clusters and a larger cluster-id is refused), so the library refuses that one before the chart would let it through.
  const cases: [string, Record<string, unknown>, boolean, boolean][] = [
    ['id 300 with the default maxConnectedClusters (agent refuses)', { clusterName: 'a', ciliumCluster: { id: 300 } }, true, false],
    ['id 300 with maxConnectedClusters 511', { clusterName: 'a', ciliumCluster: { id: 300, maxConnectedClusters: 511 } }, true, true],
    ['maxConnectedClusters 300', { clusterName: 'a', ciliumCluster: { id: 3, maxConnectedClusters: 300 } }, false, false],
    ['id 255', { clusterName: 'a', ciliumCluster: { id: 255 } }, true, true],
  ];
  for (const [label, props, chartRenders, accepted] of cases) {
    for (const version of CHARTS) {
      test(`${label}: chart ${version}`, async () => {
        const { id, maxConnectedClusters } = (props.ciliumCluster ?? {}) as { id: number; maxConnectedClusters?: number };
        const values = { cluster: { name: 'a', id }, ...(maxConnectedClusters ? { clustermesh: { maxConnectedClusters } } : {}) };
        const chart = await helmTemplateRun(toYaml(values), version);
        let library = true;
        try {
          new KindCiliumCluster(new App(), 'a', props as any);
        } catch {
          library = false;
        }
        expect([label, version, chart.code === 0, library]).toEqual([label, version, chartRenders, accepted]);
      }, 60_000);
    }
  }
});

describe('the mesh rules name the clusters and the fix', () => {
  const violations = (build: (app: App) => void) => {
    const app = new App();
    build(app);
    return configError(() => validateApp(app)).violations;
  };
  const cases: [string, (app: App) => void, RegExp][] = [
    ['mesh-duplicate-cluster-id', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', ciliumCluster: { id: 7 } });
      m.addCluster({ clusterName: 'b', ciliumCluster: { id: 7 } });
    }, /clusters a and b of mesh m share cluster\.id 7/],
    ['mesh-duplicate-cluster-name', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', ciliumCluster: { name: 'same' } });
      m.addCluster({ clusterName: 'b', ciliumCluster: { name: 'same' } });
    }, /clusters a and b of mesh m share the Cilium cluster\.name "same"/],
    ['mesh-cluster-name-mismatch', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', ciliumCluster: { name: 'other' } });
      m.addCluster({ clusterName: 'b' });
    }, /cluster a of mesh m has Cilium cluster\.name "other"/],
    ['mesh-cluster-id-out-of-range', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', ciliumCluster: { id: 0 } });
      m.addCluster({ clusterName: 'b' });
    }, /cluster a of mesh m has cluster\.id 0; a mesh member needs 1-255/],
    ['mesh-subnets-overlap', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', podSubnet: '10.244.0.0/16' });
      m.addCluster({ clusterName: 'b', podSubnet: '10.244.0.0/16' });
    }, /podSubnet 10\.244\.0\.0\/16 of cluster b overlaps podSubnet 10\.244\.0\.0\/16 of cluster a in mesh m/],
    ['mesh-docker-network-mismatch', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a' });
      m.addCluster({ clusterName: 'b', dockerNetworkSubnet: '172.19.0.0/16' });
    }, /cluster b is on 172\.19\.0\.0\/16 but cluster a of mesh m is on 172\.18\.0\.0\/16/],
    ['mesh-name-taken', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'a' });
      m.addCluster({ clusterName: 'a' });
      m.addCluster({ clusterName: 'b' });
    }, /the mesh is named "a" like the cluster a/],
    ['mesh-apiserver-unreachable', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', l2Announcements: { enabled: false } });
      m.addCluster({ clusterName: 'b' });
    }, /cluster a of mesh m has L2 announcements disabled/],
    ['mesh-values-contradicted', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', ciliumValuesOverrides: { clustermesh: { useAPIServer: false } } });
      m.addCluster({ clusterName: 'b' });
    }, /cluster a of mesh m: clustermesh\.useAPIServer is false but the mesh needs true/],
    ['mesh-values-contradicted', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', ciliumValuesOverrides: { tls: { ca: { cert: 'Y2VydA==', key: 'a2V5' } } } });
      m.addCluster({ clusterName: 'b' });
    }, /cluster a of mesh m: tls\.ca is given in values/],
    ['pools-overlap-across-clusters', (app) => {
      const m = new ClusterMesh(app, 'm', { name: 'm' });
      m.addCluster({ clusterName: 'a', meshPool: { start: '172.18.249.16', stop: '172.18.249.40' } });
      m.addCluster({ clusterName: 'b' });
    }, /overlaps .* of cluster a on the same docker network/],
  ];
  for (const [id, build, message] of cases) {
    test(id, () => {
      const found = violations(build).filter((x) => x.rule === id);
      expect(found.length).toBeGreaterThan(0);
      expect(found.map((x) => `${x.problem} | ${x.fix}`).join('\n')).toMatch(message);
      expect(found.every((x) => x.fix.length > 0)).toBe(true);
    });
  }

  test('a mesh of one cluster is refused, naming the mesh and the fix', () => {
    const app = new App();
    new ClusterMesh(app, 'm', { name: 'm' }).addCluster({ clusterName: 'a' });
    const error = configError(() => validateApp(app));
    expect(error.violations.map((x) => [x.rule, x.field, x.problem, x.fix])).toEqual([['construct-validation', 'm',
      'mesh m has 1 member; a Cluster Mesh joins two or more clusters', 'add members with addCluster({ clusterName })']]);
    expect(error.message.match(/Fix:/g)).toHaveLength(1);
  });

  test('a construct validation without its own fix gets the generic one, once', () => {
    const app = new App();
    new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new Construct(app, 'mine').node.addValidation({ validate: () => ['the widget is not configured'] });
    const error = configError(() => validateApp(app));
    expect(error.violations.map((x) => [x.rule, x.field, x.problem, x.fix])).toEqual([
      ['construct-validation', 'mine', 'the widget is not configured', 'see the construct documentation'],
    ]);
    expect(error.message.match(/Fix:/g)).toHaveLength(1);
  });

  test('an id above 255 without maxConnectedClusters 511 is refused at construction', () => {
    const m = new ClusterMesh(new App(), 'm', { name: 'm' });
    expect(() => m.addCluster({ clusterName: 'a', ciliumCluster: { id: 300 } })).toThrow(/1-255.*maxConnectedClusters: 511/);
  });

  test('the mesh presets do not clash with the other presets (pools, host ports, names)', () => {
    const app = new App();
    addAllPresets(app);
    expect(() => validateApp(app)).not.toThrow();
  });
});

/** A PEM private key, or the base64 of one, anywhere in `text`. */
function hasPrivateKey(text: string): boolean {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return true;
  for (const token of text.match(/[A-Za-z0-9+/]{60,}={0,2}/g) ?? []) {
    if (/PRIVATE KEY/.test(Buffer.from(token, 'base64').toString('latin1'))) return true;
  }
  return false;
}

test('no private key in any synthesized file of the default bundle (the mesh CA is made at apply time)', () => {
  const app = new App();
  addAllPresets(app);
  threeClusterMesh(app, true);
  const files = renderBundle(app);
  expect(files.some((f) => f.path === 'dist/mesh/apply.sh')).toBe(true);
  expect(files.filter((f) => hasPrivateKey(f.content)).map((f) => f.path)).toEqual([]);
  // The detector itself finds a key in both forms.
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
  expect([hasPrivateKey(pem), hasPrivateKey(Buffer.from(pem).toString('base64')), hasPrivateKey('nothing here')]).toEqual([true, true, false]);
});

