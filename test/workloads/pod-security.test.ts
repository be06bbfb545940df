import { App, Testing } from 'cdk8s';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { PlatformConfigError } from '../../src/errors';
import { checkPinnedImage } from '../../src/private/hardening';
import { NginxDemo } from '../../src/workloads/nginx-demo';
import { StarWarsDemo } from '../../src/workloads/star-wars-demo';

/** Every workload of both demos, synthesized. */
function workloads(): any[] {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
  new LoadBalancerIpPool(cluster, 'pool');
  new NginxDemo(cluster, 'nginx');
  new StarWarsDemo(cluster, 'star-wars');
  return Testing.synth(cluster).filter((m) => ['Deployment', 'Pod', 'StatefulSet', 'DaemonSet'].includes(m.kind));
}

/** Sysctls the `restricted` (and `baseline`) Pod Security Standard allows. */
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range'];
/** Volume types the `restricted` standard allows (of those this bundle could use). */
const RESTRICTED_VOLUME_TYPES = ['emptyDir', 'configMap', 'secret', 'projected', 'downwardAPI', 'persistentVolumeClaim'];

const podSpecOf = (m: any) => (m.kind === 'Pod' ? m.spec : m.spec.template.spec);
const cases = workloads().flatMap((m) => podSpecOf(m).containers.map((c: any) => [`${m.metadata.namespace}/${m.metadata.name}/${c.name}`, m, c]));

describe('pod security of every demo workload', () => {
  test('both demos contribute workloads', () => {
    expect(cases.map(([name]) => name)).toEqual([
      'demo/nginx/nginx', 'star-wars/deathstar/deathstar', 'star-wars/tiefighter/spaceship', 'star-wars/xwing/spaceship',
    ]);
  });

  test.each(cases)('%s runs as non-root without privilege escalation', (_name, m, c) => {
    const pod = podSpecOf(m);
    const sc = c.securityContext;
    expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
    expect(sc.runAsUser ?? pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.privileged).toBe(false);
    expect(sc.capabilities).toEqual({ drop: ['ALL'] });
    expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(pod.hostNetwork).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const s of pod.securityContext?.sysctls ?? []) expect(SAFE_SYSCTLS).toContain(s.name);
    for (const v of pod.volumes ?? []) expect(Object.keys(v).filter((k) => k !== 'name').every((k) => RESTRICTED_VOLUME_TYPES.includes(k))).toBe(true);
  });

  test.each(cases)('%s sets requests and limits', (_name, _m, c) => {
    for (const kind of ['requests', 'limits']) {
      expect(c.resources?.[kind]?.cpu).toMatch(/^\d+m?$/);
      expect(c.resources?.[kind]?.memory).toMatch(/^\d+(Mi|Gi)$/);
    }
  });

  test.each(cases)('%s uses a pinned image that is never latest', (_name, _m, c) => {
    expect(c.image).toMatch(/^[^\s:@]+:[\w][\w.-]*(@sha256:[a-f0-9]{64})?$/);
    expect(c.image).not.toMatch(/:latest(@|$)/);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
  });

  test.each(cases)('%s has a readiness probe on a declared port', (_name, _m, c) => {
    const probe = c.readinessProbe;
    expect(probe).toBeDefined();
    const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
    expect(c.ports.map((p: any) => p.containerPort)).toContain(port);
  });

  test.each(cases)('%s can write where it must: /tmp is an emptyDir', (_name, m, c) => {
    const needsTmp = !c.image.startsWith('quay.io/cilium/starwars');
    if (!needsTmp) return;
    const mount = c.volumeMounts.find((v: any) => v.mountPath === '/tmp');
    expect(podSpecOf(m).volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
  });
});

describe('checkPinnedImage', () => {
  test.each([
    ['nginx:1.29.4-alpine', true],
    ['quay.io/cilium/starwars:v2.1@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8', true],
    ['localhost:5000/app:v1', true],
    ['nginx@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8', true],
    ['nginx', false],
    ['nginx:latest', false],
    ['localhost:5000/app', false],
    ['nginx:1.29 ', false],
  ])('%s pinned: %s', (image, pinned) => {
    if (pinned) expect(checkPinnedImage('f', image)).toBe(image);
    else expect(() => checkPinnedImage('f', image)).toThrow(PlatformConfigError);
  });
});
