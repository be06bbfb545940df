import { KubeObject, labelsOf } from './objects';

/**
 * Pod Security admission (the API server's built-in `PodSecurity` plugin, enabled in every kind cluster with the
 * default configuration: no exemptions, `privileged` where a namespace has no label). A pod is refused at creation
 * when it breaks a check of its namespace's `pod-security.kubernetes.io/enforce` level; a Deployment (or any other
 * workload) is accepted, but its controller never gets a pod. The checks are the Pod Security Standards' baseline and
 * restricted policies (https://kubernetes.io/docs/concepts/security/pod-security-standards/, the `latest` version;
 * the implementation is `k8s.io/pod-security-admission/policy`), limited to the fields a pod template of a bundle can
 * set. Windows-only fields (`hostProcess`) are left out: kind nodes are Linux.
 */

/** A Pod Security Standard level, loosest first. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The namespace label that selects the enforced level. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** One broken check: the policy's name (as the API server's message gives it) and what breaks it. */
export interface PodSecurityFinding {
  /** The check, e.g. `allowPrivilegeEscalation != false` (the API server's wording). */
  readonly check: string;
  /** The offending fields, e.g. `container "web" must set securityContext.allowPrivilegeEscalation=false`. */
  readonly detail: string;
}

/**
 * The level a Namespace enforces: its `pod-security.kubernetes.io/enforce` label, `privileged` without one (the
 * admission plugin's default). An unknown value is refused when the Namespace is applied; it is read as `privileged`.
 */
export function enforcedLevel(namespace: Pick<KubeObject, 'metadata'> | undefined): PodSecurityLevel {
  const level = namespace ? labelsOf(namespace)[POD_SECURITY_ENFORCE_LABEL] : undefined;
  return level === 'baseline' || level === 'restricted' ? level : 'privileged';
}

/** The pod template of a workload object (`spec.template`, a CronJob's job template's, or a Pod itself); else undefined. */
export function podTemplateOf(o: KubeObject): { metadata?: Record<string, any>; spec?: Record<string, any> } | undefined {
  const kind = `${o.apiVersion}/${o.kind}`;
  if (kind === 'v1/Pod') return { metadata: o.metadata, spec: o.spec };
  if (kind === 'batch/v1/CronJob') return o.spec?.jobTemplate?.spec?.template ?? {};
  if (POD_TEMPLATE_KINDS.includes(kind)) return o.spec?.template ?? {};
  return undefined;
}

/** Workload kinds whose `spec.template` is a pod template (`apiVersion/kind`). */
export const POD_TEMPLATE_KINDS: readonly string[] = [
  'apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'apps/v1/ReplicaSet', 'batch/v1/Job', 'v1/ReplicationController',
];

interface Container { readonly name?: string; readonly securityContext?: Record<string, any>; readonly ports?: readonly Record<string, any>[] }
interface Pod { readonly metadata: Record<string, any>; readonly spec: Record<string, any>; readonly containers: readonly Container[] }

interface Check {
  readonly level: 'baseline' | 'restricted';
  readonly name: string;
  /** Offending fields (empty when the pod passes). */
  readonly test: (pod: Pod) => string[];
}

const cname = (c: Container) => `container "${c.name ?? '?'}"`;
const eachContainer = (pod: Pod, bad: (c: Container) => string | undefined) => pod.containers.flatMap((c) => {
  const problem = bad(c);
  return problem ? [`${cname(c)} ${problem}`] : [];
});

/** Capabilities baseline lets a container add (the Docker default set). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
/** The sysctls baseline allows (namespaced and isolated; `latest`). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
/** SELinux types baseline allows (empty is allowed too). */
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
/** Volume types restricted allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const capNames = (list: unknown) => (Array.isArray(list) ? list.map(String) : []);
const seccompType = (ctx: Record<string, any> | undefined): string | undefined => ctx?.seccompProfile?.type;
const volumeType = (v: Record<string, any>) => Object.keys(v).find((k) => k !== 'name') ?? '(none)';

/** The checks, as the Pod Security Standards list them (baseline, then what restricted adds). */
export const POD_SECURITY_CHECKS: readonly Check[] = [
  {
    level: 'baseline',
    name: 'host namespaces',
    test: ({ spec }) => (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true).map((k) => `${k}=true`),
  },
  { level: 'baseline', name: 'privileged', test: (pod) => eachContainer(pod, (c) => (c.securityContext?.privileged === true ? 'must not set securityContext.privileged=true' : undefined)) },
  {
    level: 'baseline',
    name: 'capabilities',
    test: (pod) => eachContainer(pod, (c) => {
      const extra = capNames(c.securityContext?.capabilities?.add).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
      return extra.length > 0 ? `must not include ${extra.join(', ')} in securityContext.capabilities.add` : undefined;
    }),
  },
  {
    level: 'baseline',
    name: 'hostPath volumes',
    test: ({ spec }) => (spec.volumes ?? []).filter((v: Record<string, any>) => v.hostPath !== undefined).map((v: Record<string, any>) => `volume "${v.name}" is a hostPath`),
  },
  {
    level: 'baseline',
    name: 'hostPort',
    test: (pod) => eachContainer(pod, (c) => {
      const ports = (c.ports ?? []).filter((p) => typeof p.hostPort === 'number' && p.hostPort !== 0).map((p) => p.hostPort);
      return ports.length > 0 ? `uses hostPort ${ports.join(', ')}` : undefined;
    }),
  },
  {
    level: 'baseline',
    name: 'AppArmor',
    test: (pod) => [
      ...(pod.spec.securityContext?.appArmorProfile?.type === 'Unconfined' ? ['pod must not set securityContext.appArmorProfile.type=Unconfined'] : []),
      ...eachContainer(pod, (c) => (c.securityContext?.appArmorProfile?.type === 'Unconfined' ? 'must not set securityContext.appArmorProfile.type=Unconfined' : undefined)),
      ...Object.entries(pod.metadata.annotations ?? {}).filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v === 'unconfined').map(([k]) => `annotation ${k}=unconfined`),
    ],
  },
  {
    level: 'baseline',
    name: 'seLinuxOptions',
    test: (pod) => [pod.spec.securityContext, ...pod.containers.map((c) => c.securityContext)].flatMap((ctx, i) => {
      const se = ctx?.seLinuxOptions;
      if (!se) return [];
      const who = i === 0 ? 'pod' : cname(pod.containers[i - 1]);
      const bad = [
        ...(se.type !== undefined && se.type !== '' && !SELINUX_TYPES.has(se.type) ? [`type "${se.type}"`] : []),
        ...(se.user ? [`user "${se.user}"`] : []),
        ...(se.role ? [`role "${se.role}"`] : []),
      ];
      return bad.length > 0 ? [`${who} sets seLinuxOptions ${bad.join(', ')}`] : [];
    }),
  },
  { level: 'baseline', name: 'procMount', test: (pod) => eachContainer(pod, (c) => (c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default' ? `sets procMount=${c.securityContext.procMount}` : undefined)) },
  {
    level: 'baseline',
    name: 'seccompProfile',
    test: (pod) => [
      ...(seccompType(pod.spec.securityContext) === 'Unconfined' ? ['pod must not set securityContext.seccompProfile.type=Unconfined'] : []),
      ...eachContainer(pod, (c) => (seccompType(c.securityContext) === 'Unconfined' ? 'must not set securityContext.seccompProfile.type=Unconfined' : undefined)),
    ],
  },
  {
    level: 'baseline',
    name: 'forbidden sysctls',
    test: ({ spec }) => (spec.securityContext?.sysctls ?? []).filter((s: Record<string, any>) => !SAFE_SYSCTLS.has(s.name)).map((s: Record<string, any>) => `sysctl ${s.name}`),
  },
  {
    level: 'restricted',
    name: 'restricted volume types',
    test: ({ spec }) => (spec.volumes ?? []).filter((v: Record<string, any>) => !RESTRICTED_VOLUMES.has(volumeType(v))).map((v: Record<string, any>) => `volume "${v.name}" uses ${volumeType(v)}`),
  },
  { level: 'restricted', name: 'allowPrivilegeEscalation != false', test: (pod) => eachContainer(pod, (c) => (c.securityContext?.allowPrivilegeEscalation !== false ? 'must set securityContext.allowPrivilegeEscalation=false' : undefined)) },
  {
    level: 'restricted',
    name: 'runAsNonRoot != true',
    test: (pod) => {
      const podLevel = pod.spec.securityContext?.runAsNonRoot;
      if (podLevel === false) return ['pod must not set securityContext.runAsNonRoot=false'];
      return eachContainer(pod, (c) => {
        const own = c.securityContext?.runAsNonRoot;
        if (own === false) return 'must not set securityContext.runAsNonRoot=false';
        return own !== true && podLevel !== true ? 'must set securityContext.runAsNonRoot=true (or the pod must)' : undefined;
      });
    },
  },
  {
    level: 'restricted',
    name: 'runAsUser=0',
    test: (pod) => [
      ...(pod.spec.securityContext?.runAsUser === 0 ? ['pod must not set runAsUser=0'] : []),
      ...eachContainer(pod, (c) => (c.securityContext?.runAsUser === 0 ? 'must not set runAsUser=0' : undefined)),
    ],
  },
  {
    level: 'restricted',
    name: 'seccompProfile (restricted)',
    test: (pod) => {
      const ok = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = seccompType(pod.spec.securityContext);
      return eachContainer(pod, (c) => {
        const own = seccompType(c.securityContext);
        return ok(own) || (own === undefined && ok(podType)) ? undefined : 'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" (or the pod must)';
      });
    },
  },
  {
    level: 'restricted',
    name: 'unrestricted capabilities',
    test: (pod) => eachContainer(pod, (c) => {
      const caps = c.securityContext?.capabilities ?? {};
      const problems = [
        ...(capNames(caps.drop).includes('ALL') ? [] : ['must set securityContext.capabilities.drop=["ALL"]']),
        ...capNames(caps.add).filter((cap) => cap !== 'NET_BIND_SERVICE').map((cap) => `must not add ${cap}`),
      ];
      return problems.length > 0 ? problems.join(' and ') : undefined;
    }),
  },
];

/**
 * The checks of `level` a pod template breaks (empty when admitted). Every container counts: init, ephemeral and
 * regular ones. `privileged` admits everything.
 */
export function podSecurityFindings(
  template: { metadata?: Record<string, any>; spec?: Record<string, any> },
  level: PodSecurityLevel,
): PodSecurityFinding[] {
  if (level === 'privileged') return [];
  const spec = template.spec ?? {};
  const pod: Pod = {
    metadata: template.metadata ?? {},
    spec,
    containers: [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])],
  };
  return POD_SECURITY_CHECKS
    .filter((c) => level === 'restricted' || c.level === 'baseline')
    .flatMap((c) => {
      const bad = c.test(pod);
      return bad.length > 0 ? [{ check: c.name, detail: bad.join('; ') }] : [];
    });
}
