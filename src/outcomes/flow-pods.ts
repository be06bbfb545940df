import { PodPeer } from '../applied/cilium-policy';
import { appliedNamespaceLabels, KubeObject, selectorMatches } from '../applied/objects';

/**
 * The pods a bundle runs, as Cilium's policy engine sees them (labels, namespace, namespace labels, service
 * account, container ports), read from the objects whoever wrote them: the pod templates of Deployments,
 * StatefulSets and DaemonSets, and bare Pods. One {@link BundlePod} stands for every replica of its workload.
 * And how a client reaches them: the Service that fronts a container port (for the probe's `to`).
 */

/** A container port of a pod. */
export interface ContainerPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly name?: string;
}

/** The pods of one workload of the bundle. */
export interface BundlePod {
  /** `Kind/namespace/name` of the workload (or the Pod). */
  readonly workload: string;
  /** The workload object. */
  readonly object: KubeObject;
  /** The pod as the policy engine sees it (named for messages `namespace/name`). */
  readonly peer: PodPeer;
  /** Every container port (init containers excluded), in order. */
  readonly ports: readonly ContainerPort[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Every workload's pods among `objects`, in object order. */
export function bundlePods(objects: readonly KubeObject[]): BundlePod[] {
  const namespaceLabels = new Map(objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => [o.metadata.name, appliedNamespaceLabels(o)]));
  const out: BundlePod[] = [];
  for (const o of objects) {
    const isPod = o.kind === 'Pod' && o.apiVersion === 'v1';
    if (!isPod && !(WORKLOAD_KINDS.has(o.kind) && o.apiVersion === 'apps/v1')) continue;
    const template = isPod ? o : o.spec?.template;
    const spec = template?.spec;
    if (!spec || !Array.isArray(spec.containers)) continue;
    const namespace = o.metadata.namespace ?? 'default';
    const ports: ContainerPort[] = [];
    for (const c of spec.containers) {
      for (const p of c?.ports ?? []) {
        const port = Number(p?.containerPort);
        if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
        const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
        ports.push({ port, protocol, ...(typeof p.name === 'string' && p.name ? { name: p.name } : {}) });
      }
    }
    out.push({
      workload: `${o.kind}/${namespace}/${o.metadata.name}`,
      object: o,
      peer: {
        namespace,
        labels: { ...(template?.metadata?.labels ?? {}) },
        name: o.metadata.name,
        serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
        namespaceLabels: namespaceLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace },
        namedPorts: ports.filter((p) => p.name !== undefined).map((p) => ({ name: p.name!, port: p.port, protocol: p.protocol })),
      },
      ports,
    });
  }
  return out;
}

/** The Services (`v1`, with a selector) whose selector selects the pods. */
export function servicesOf(pod: BundlePod, objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((s) => s.kind === 'Service' && s.apiVersion === 'v1' && (s.metadata.namespace ?? 'default') === pod.peer.namespace
    && s.spec?.selector && Object.keys(s.spec.selector).length > 0 && selectorMatches({ matchLabels: s.spec.selector }, pod.peer.labels));
}

/** The container port a Service port's `targetPort` names on these pods (a number, a port name, or the Service port). */
export function targetPortOf(pod: BundlePod, servicePort: Record<string, any>): ContainerPort | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  const protocol = servicePort.protocol ?? 'TCP';
  if (typeof target === 'string' && !/^\d+$/.test(target)) return pod.ports.find((p) => p.name === target && p.protocol === protocol);
  const n = Number(target);
  return pod.ports.find((p) => p.port === n && p.protocol === protocol) ?? (Number.isInteger(n) ? { port: n, protocol } : undefined);
}

/**
 * How a client reaches the server in a probe: `to` `<service>.<namespace>:<service port>` when a Service fronts the
 * container port; otherwise `to` `<namespace>/<workload>` and `toPods`, the server pods, whose running pod's IP the
 * probe dials on the container port.
 */
export interface ProbeServer {
  readonly to: string;
  readonly toPods?: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
}

/** See {@link ProbeServer}. */
export function probeServer(pod: BundlePod, port: ContainerPort, objects: readonly KubeObject[]): ProbeServer {
  for (const svc of servicesOf(pod, objects)) {
    for (const sp of svc.spec?.ports ?? []) {
      const t = targetPortOf(pod, sp);
      if (t && t.port === port.port && t.protocol === port.protocol) return { to: `${svc.metadata.name}.${pod.peer.namespace}:${sp.port}` };
    }
  }
  return { to: `${pod.peer.namespace}/${pod.peer.name}`, toPods: { namespace: pod.peer.namespace, labels: pod.peer.labels } };
}

/** The probe's client: the pods' namespace and labels. */
export function probeClient(pod: BundlePod): { readonly namespace: string; readonly labels: Readonly<Record<string, string>> } {
  return { namespace: pod.peer.namespace, labels: pod.peer.labels };
}

/** `namespace/name` of a pod's workload, for messages. */
export function podName(pod: BundlePod): string {
  return `${pod.peer.namespace}/${pod.peer.name}`;
}

/** Whether two entries are the same workload (its replicas reaching each other are not an intended flow of a rule). */
export function sameWorkload(a: BundlePod, b: BundlePod): boolean {
  return a.workload === b.workload;
}
