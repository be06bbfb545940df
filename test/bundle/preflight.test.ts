import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { FakeHost, FakeState } from './harness';
import { KindCiliumCluster, KindCiliumClusterProps, synthesizeBundle, zeroTrustPlatform } from '../../src';
import { KIND_RELEASES } from '../../src/spec/version-matrix';

/** Each preflight gap of the "live proof" issue, on a recording host: what the host would break is caught before anything is created. */

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function synth(build: (app: App) => void): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-preflight-'));
  roots.push(root);
  const app = new App();
  build(app);
  synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
  return root;
}

function cluster(props: KindCiliumClusterProps): string {
  return synth((app) => new KindCiliumCluster(app, props.clusterName, props));
}

function preflight(root: string, name: string, state: FakeState, inotify?: [number, number]) {
  const host = new FakeHost(root, { network: '172.18.0.0/16', ...state });
  try {
    if (inotify) host.setInotify(...inotify);
    return host.run(`dist/${name}/preflight.sh`);
  } finally {
    host.dispose();
  }
}

describe('cgroup v2 for node images of Kubernetes 1.35+', () => {
  // Every Kubernetes version the newest kind release publishes an image for, inside Cilium 1.20's tested range.
  const newest = KIND_RELEASES[KIND_RELEASES.length - 1];
  const versions = newest.images.map((i) => i.kubernetes).filter((k) => Number(k.split('.')[1]) >= 33 && Number(k.split('.')[1]) <= 36);

  test.each(versions)('Kubernetes %s on a cgroup v1 docker host', (k8s) => {
    const minor = k8s.split('.').slice(0, 2).join('.');
    const root = cluster({ clusterName: 'cg', workers: 0, kubernetesVersion: minor });
    const run = preflight(root, 'cg', { cgroupVersion: '1' });
    const needsV2 = Number(k8s.split('.')[1]) >= 35;
    expect([k8s, run.code]).toEqual([k8s, needsV2 ? 1 : 0]);
    if (needsV2) {
      expect(run.stderr).toContain(`FAIL  docker runs cgroup v1, but the node image is Kubernetes ${k8s}, whose kubelet refuses cgroup v1`);
      expect(run.stderr).toContain("pin an older Kubernetes on the cluster cg (kubernetesVersion: '1.34')");
      // The fix, applied, passes on the same host.
      const fixed = preflight(cluster({ clusterName: 'cg', workers: 0, kubernetesVersion: '1.34' }), 'cg', { cgroupVersion: '1' });
      expect([fixed.code, fixed.stderr]).toEqual([0, '']);
    } else {
      expect(run.stdout).toContain(`ok    docker runs cgroup v1 (the node image's Kubernetes ${k8s} runs on v1 and v2)`);
    }
    expect(preflight(root, 'cg', { cgroupVersion: '2' }).code).toBe(0);
  });
});

describe('every host socket of the kind config is probed, apiServerPort included', () => {
  const root = cluster({
    clusterName: 'sockets',
    workers: 0,
    apiServerPort: 6443,
    hostPortMappings: [
      { containerPort: 30080, hostPort: 8080 },
      { containerPort: 30053, hostPort: 5353, protocol: 'UDP' },
      { containerPort: 30443, hostPort: 8443, listenAddress: '0.0.0.0' },
    ],
  });
  // The sockets, read from the kind config itself (every node's extraPortMappings and networking.apiServerPort).
  const config = YAML.parse(fs.readFileSync(path.join(root, 'kind/sockets.yaml'), 'utf8'));
  const sockets: { port: number; text: string }[] = [
    ...config.nodes.flatMap((n: any) => (n.extraPortMappings ?? []).map((m: any) => ({ port: m.hostPort, text: `${m.listenAddress}:${m.hostPort}/${m.protocol}` }))),
    { port: config.networking.apiServerPort, text: `127.0.0.1:${config.networking.apiServerPort}/TCP (apiServerPort)` },
  ];

  test('the kind config binds four sockets', () => {
    expect(sockets.map((s) => s.port)).toEqual([8080, 5353, 8443, 6443]);
  });

  test.each(sockets.map((s) => [s.text, s.port] as const))('%s taken: preflight fails naming it', (text, port) => {
    const run = preflight(root, 'sockets', { portsInUse: [port] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`FAIL  host socket ${text}`);
    expect(run.stderr.match(/FAIL {2}host socket/g)).toHaveLength(1);
  });

  test('all free: each one reported free', () => {
    const run = preflight(root, 'sockets', {});
    expect([run.code, run.stderr]).toEqual([0, '']);
    for (const s of sockets) expect(run.stdout).toContain(`ok    host socket ${s.text}`);
  });
});

describe('before the kind network exists: docker networks that already hold the expected subnet', () => {
  const root = synth((app) => zeroTrustPlatform(app));
  const cases: [string, Record<string, string[]>, boolean][] = [
    ['the same /16', { compose_default: ['172.18.0.0/16'] }, true],
    ['a /24 inside it', { lab: ['172.18.5.0/24', 'fd00:1::/64'] }, true],
    ['a /12 around it', { wide: ['172.16.0.0/12'] }, true],
    ['only a neighbour', { other: ['172.19.0.0/16'] }, false],
    ['only IPv6', { v6: ['fd00:18::/64'] }, false],
  ];
  test.each(cases)('%s', (_label, networks, held) => {
    const run = preflight(root, 'zero-trust', { network: undefined, networks });
    const [name, subnets] = Object.entries(networks)[0];
    if (held) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`FAIL  docker network kind does not exist yet, and 172.18.0.0/16 is already held by: ${name} (${subnets[0]}).`);
      expect(run.stderr).toContain('fix: remove that network if nothing uses it (docker network rm NAME), or set dockerNetworkSubnet on the cluster zero-trust');
    } else {
      expect([run.code, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toContain('info  docker network kind does not exist yet: kind creates it; no docker network holds 172.18.0.0/16');
    }
  });
});

describe('Docker Desktop: the limits live in its VM, LoadBalancer addresses are not reachable from the host', () => {
  const root = synth((app) => zeroTrustPlatform(app));

  test('low host inotify limits are not the ones that count; the VM and the reachable ports are named', () => {
    const run = preflight(root, 'zero-trust', { operatingSystem: 'Docker Desktop' }, [128, 8192]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain("info  docker runs in a VM (Docker Desktop): the inotify limits that count are the VM's, not this host's; cluster zero-trust needs instances 512 and watches 524288 there.");
    expect(run.stdout).toContain('docker run --rm --privileged alpine sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288');
    expect(run.stdout).toContain('info  docker runs in a VM (Docker Desktop): LoadBalancer addresses (172.18.250.100-172.18.250.149) answer inside the docker network kind (from containers, and verify.sh probes them from there), not from this host; from this host use the published ports 127.0.0.1:30080, 127.0.0.1:30443');
  });

  test('on a Linux docker engine the same limits fail, and nothing is said about a VM', () => {
    const run = preflight(root, 'zero-trust', {}, [128, 8192]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FAIL  inotify limits too low for cluster zero-trust: 3 kind nodes (instances 128, need 512; watches 8192, need 524288)');
    expect(run.stdout).not.toContain('VM');
  });
});
