import { App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { POD_SECURITY_CHECKS, enforcedLevel, podSecurityFindings, podTemplateOf } from '../../src/applied/pod-security';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { NginxDemo } from '../../src/workloads/nginx-demo';
import { StarWarsDemo } from '../../src/workloads/star-wars-demo';
import { TestWorkload } from '../../src/workloads/test-workload';

/**
 * Pod Security admission's baseline and restricted checks
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/): a pod template meeting restricted, and one
 * mutation per control, each labelled with the check it breaks and the loosest level that refuses it.
 */

type Template = { metadata: Record<string, any>; spec: Record<string, any> };

const restrictedPod = (): Template => ({
  metadata: { labels: { app: 'web' } },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
    containers: [{
      name: 'web',
      image: 'nginx:1.29.4',
      ports: [{ containerPort: 8080 }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, readOnlyRootFilesystem: true },
    }],
    volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
  },
});
const c0 = (t: Template) => t.spec.containers[0];

/**
 * [what, the check it breaks, the loosest level refusing it, the mutation, the restricted counterpart it breaks too
 * (restricted tightens baseline's capabilities, volumes and seccomp controls)]
 */
const MUTATIONS: readonly [string, string, 'baseline' | 'restricted', (t: Template) => void, string?][] = [
  ['hostNetwork', 'host namespaces', 'baseline', (t) => { t.spec.hostNetwork = true; }],
  ['hostPID', 'host namespaces', 'baseline', (t) => { t.spec.hostPID = true; }],
  ['hostIPC', 'host namespaces', 'baseline', (t) => { t.spec.hostIPC = true; }],
  ['privileged container', 'privileged', 'baseline', (t) => { c0(t).securityContext.privileged = true; }],
  ['privileged init container', 'privileged', 'baseline', (t) => { t.spec.initContainers = [{ ...c0(t), name: 'init', securityContext: { ...c0(t).securityContext, privileged: true } }]; }],
  ['capability NET_ADMIN', 'capabilities', 'baseline', (t) => { c0(t).securityContext.capabilities.add.push('NET_ADMIN'); }, 'unrestricted capabilities'],
  ['hostPath volume', 'hostPath volumes', 'baseline', (t) => { t.spec.volumes.push({ name: 'host', hostPath: { path: '/' } }); }, 'restricted volume types'],
  ['hostPort', 'hostPort', 'baseline', (t) => { c0(t).ports[0].hostPort = 8080; }],
  ['AppArmor unconfined', 'AppArmor', 'baseline', (t) => { c0(t).securityContext.appArmorProfile = { type: 'Unconfined' }; }],
  ['SELinux type spc_t', 'seLinuxOptions', 'baseline', (t) => { t.spec.securityContext.seLinuxOptions = { type: 'spc_t' }; }],
  ['procMount Unmasked', 'procMount', 'baseline', (t) => { c0(t).securityContext.procMount = 'Unmasked'; }],
  ['seccomp Unconfined', 'seccompProfile', 'baseline', (t) => { c0(t).securityContext.seccompProfile = { type: 'Unconfined' }; }, 'seccompProfile (restricted)'],
  ['sysctl kernel.msgmax', 'forbidden sysctls', 'baseline', (t) => { t.spec.securityContext.sysctls.push({ name: 'kernel.msgmax', value: '1' }); }],
  ['nfs volume', 'restricted volume types', 'restricted', (t) => { t.spec.volumes.push({ name: 'nfs', nfs: { server: 'x', path: '/' } }); }],
  ['allowPrivilegeEscalation unset', 'allowPrivilegeEscalation != false', 'restricted', (t) => { delete c0(t).securityContext.allowPrivilegeEscalation; }],
  ['runAsNonRoot unset', 'runAsNonRoot != true', 'restricted', (t) => { delete t.spec.securityContext.runAsNonRoot; }],
  ['runAsNonRoot false on the container', 'runAsNonRoot != true', 'restricted', (t) => { c0(t).securityContext.runAsNonRoot = false; }],
  ['runAsUser 0', 'runAsUser=0', 'restricted', (t) => { c0(t).securityContext.runAsUser = 0; }],
  ['seccomp unset', 'seccompProfile (restricted)', 'restricted', (t) => { delete t.spec.securityContext.seccompProfile; }],
  ['capabilities not dropped', 'unrestricted capabilities', 'restricted', (t) => { c0(t).securityContext.capabilities.drop = []; }],
  ['capability CHOWN added', 'unrestricted capabilities', 'restricted', (t) => { c0(t).securityContext.capabilities.add.push('CHOWN'); }],
];

const mutated = (...fns: ((t: Template) => void)[]) => {
  const t = restrictedPod();
  for (const f of fns) f(t);
  return t;
};
const checks = (t: Template, level: 'privileged' | 'baseline' | 'restricted') => podSecurityFindings(t, level).map((f) => f.check);

test('the restricted pod passes every level', () => {
  for (const level of ['privileged', 'baseline', 'restricted'] as const) expect(checks(restrictedPod(), level)).toEqual([]);
});

test('every check has a mutation here', () => {
  expect(new Set(MUTATIONS.map((m) => m[1]))).toEqual(new Set(POD_SECURITY_CHECKS.map((c) => c.name)));
});

const ROWS = MUTATIONS.map(([what, check, level, mutate, also]) => ({ what, check, level, mutate, also }));
test.each(ROWS)('$what breaks "$check" (refused from $level up; privileged admits it)', ({ check, level, mutate, also }) => {
  const t = mutated(mutate);
  expect(checks(t, 'restricted')).toEqual([check, ...(also ? [also] : [])]);
  expect(checks(t, 'baseline')).toEqual(level === 'baseline' ? [check] : []);
  expect(checks(t, 'privileged')).toEqual([]);
});

test('any combination of mutations breaks exactly the union of their checks', () => {
  fc.assert(fc.property(fc.subarray([...MUTATIONS.keys()]), (picked) => {
    const t = mutated(...picked.map((i) => MUTATIONS[i][3]));
    for (const level of ['baseline', 'restricted'] as const) {
      const expected = new Set(picked.filter((i) => level === 'restricted' || MUTATIONS[i][2] === 'baseline')
        .flatMap((i) => [MUTATIONS[i][1], ...(level === 'restricted' && MUTATIONS[i][4] ? [MUTATIONS[i][4]!] : [])]));
      expect(new Set(checks(t, level))).toEqual(expected);
    }
  }), { numRuns: 200 });
});

test('the pod-level runAsNonRoot and seccompProfile cover containers that leave them unset; a container setting its own wins', () => {
  const t = restrictedPod();
  expect(checks(t, 'restricted')).toEqual([]);
  c0(t).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
  delete t.spec.securityContext.seccompProfile;
  expect(checks(t, 'restricted')).toEqual([]);
});

test('enforcedLevel reads the Namespace label; none (or an unknown value) is privileged', () => {
  expect(enforcedLevel(undefined)).toBe('privileged');
  expect(enforcedLevel({ metadata: { name: 'a' } })).toBe('privileged');
  expect(enforcedLevel({ metadata: { name: 'a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } })).toBe('restricted');
  expect(enforcedLevel({ metadata: { name: 'a', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } })).toBe('baseline');
  expect(enforcedLevel({ metadata: { name: 'a', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } })).toBe('privileged');
});

test('podTemplateOf finds the template of every workload kind and nothing elsewhere', () => {
  const template = { spec: { containers: [] } };
  for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['apps/v1', 'ReplicaSet'], ['batch/v1', 'Job'], ['v1', 'ReplicationController']]) {
    expect(podTemplateOf({ apiVersion, kind, metadata: { name: 'x' }, spec: { template } })).toBe(template);
  }
  expect(podTemplateOf({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x' }, spec: { jobTemplate: { spec: { template } } } })).toBe(template);
  expect(podTemplateOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: template.spec })?.spec).toBe(template.spec);
  expect(podTemplateOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toBeUndefined();
});

test('every hardened workload of the library meets restricted (the level it labels its namespace with)', () => {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev' });
  new LoadBalancerIpPool(cluster, 'pool');
  new NginxDemo(cluster, 'nginx');
  new StarWarsDemo(cluster, 'star-wars');
  new TestWorkload(cluster, 'low', { name: 'low', namespace: 'low', image: 'nginx:1.29.4', ports: [{ port: 80 }], writablePaths: ['/tmp'] });
  const templates = Testing.synth(cluster).flatMap((o) => {
    const t = podTemplateOf(o);
    return t ? [[`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, t] as const] : [];
  });
  expect(templates.length).toBeGreaterThanOrEqual(5);
  for (const [name, t] of templates) expect([name, podSecurityFindings(t, 'restricted')]).toEqual([name, []]);
});
