import { PodPeer } from '../../src/applied/cilium-policy';
import { KubeObject, labelsOf, namespacedName, selectorMatches } from '../../src/applied/objects';
import { applyPlatform } from '../../src/applied/platform';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';

/**
 * The `applied` oracle of `npm run fuzz` (issue 18, "model vs oracle"): the upstream-checked controller models of
 * `src/applied/` (LB-IPAM, Cilium's Gateway API controller, cert-manager, Cilium's policy engine) run over the objects
 * as kubectl reads them back from the written manifest, and judge the platform independently of the library's
 * outcome families (`src/outcomes/`). An accepted description must come out working; a description refused only by
 * outcome ids must come out broken (a working platform is never refused).
 */

const BUILT_IN = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

interface Pod {
  readonly peer: PodPeer;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number }[];
}

function podsOf(objects: readonly KubeObject[]): Pod[] {
  const nsLabels = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, labelsOf(o)]));
  return objects.flatMap((o) => {
    const template = WORKLOAD_KINDS.has(o.kind) ? o.spec?.template : o.kind === 'Pod' ? o : undefined;
    if (!template) return [];
    const namespace = o.metadata.namespace ?? 'default';
    const containers: any[] = template.spec?.containers ?? [];
    return [{
      peer: {
        namespace,
        labels: template.metadata?.labels ?? {},
        name: `${namespace}/${o.metadata.name}`,
        serviceAccount: template.spec?.serviceAccountName ?? 'default',
        namespaceLabels: nsLabels.get(namespace) ?? {},
      },
      ports: containers.flatMap((c) => c.ports ?? []),
    }];
  });
}

/** Every way the applied platform of `cluster` (objects as read back from its manifest) does not work. */
export function appliedProblems(cluster: KindCiliumCluster, objects: readonly KubeObject[]): string[] {
  const model = cluster.model();
  const applied = applyPlatform({ model, entries: objects.map((object) => ({ path: `${object.kind}/${namespacedName(object)}`, object })) });
  const out: string[] = [];
  const name = cluster.clusterName;
  const hasCertManager = objects.some((o) => o.apiVersion.startsWith('cert-manager.io/'));
  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  // kubectl apply: every namespaced object lands in a namespace that exists.
  for (const o of objects) {
    const ns = o.metadata.namespace;
    if (ns !== undefined && !namespaces.has(ns) && !BUILT_IN.has(ns) && !(hasCertManager && ns === 'cert-manager')) {
      out.push(`${name}: ${o.kind} ${ns}/${o.metadata.name}: namespace ${ns} is never created`);
    }
  }
  // LB-IPAM: every LoadBalancer Service Cilium serves gets an address.
  for (const [svc, r] of Object.entries(applied.lbIpam.services)) {
    if (r.result === 'pending') out.push(`${name}: Service ${svc} stays pending: ${r.condition?.message ?? r.notes.join('; ')}`);
  }
  // L2 announcements: where they reach the addresses (on, or a policy exists), every assigned address is answered.
  const l2InUse = (model.ciliumValues as Record<string, any>).l2announcements?.enabled === true || objects.some((o) => o.kind === 'CiliumL2AnnouncementPolicy');
  for (const [svc, r] of Object.entries(applied.lbIpam.services)) {
    if (!l2InUse || r.result !== 'assigned') continue;
    const verdict = applied.l2.services[svc]?.verdict ?? 'not-announced';
    if (verdict !== 'announced') out.push(`${name}: the address of Service ${svc} is ${verdict} on the kind network`);
  }
  // Gateway API: Gateways programmed, every route accepted with its references resolved.
  for (const g of applied.gatewayApi.gateways.filter((x) => x.managed)) {
    if (g.conditions?.Programmed.status !== 'True') out.push(`${name}: ${g.ref} is not Programmed: ${g.conditions?.Programmed.message}`);
  }
  for (const r of applied.gatewayApi.routes) {
    for (const p of r.parents) {
      if (p.conditions?.Accepted.status !== 'True') out.push(`${name}: ${r.ref} is not accepted by ${JSON.stringify(p.resolved)}: ${p.conditions?.Accepted.message ?? p.noStatusReason}`);
      else if (p.conditions.ResolvedRefs.status !== 'True') out.push(`${name}: ${r.ref} does not resolve its references: ${p.conditions.ResolvedRefs.message}`);
    }
  }
  // cert-manager: every issuer Ready, every Certificate issued.
  for (const i of applied.certManager.issuers) if (i.Ready.status !== 'True') out.push(`${name}: ${i.ref} is not Ready: ${i.Ready.message}`);
  for (const c of applied.certManager.certificates) if (!c.issued) out.push(`${name}: Certificate ${c.ref} is never issued: ${c.Ready.message}`);
  // Cilium policy: every route backend admits the Gateway's Envoy (else the route answers 503).
  const pods = podsOf(objects);
  const services = new Map(objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1').map((o) => [namespacedName(o), o]));
  for (const r of applied.gatewayApi.routes.filter((x) => x.kind === 'HTTPRoute')) {
    if (!r.parents.some((p) => p.conditions?.Accepted.status === 'True')) continue;
    for (const b of r.backends) {
      const svc = services.get(b.service);
      if (!svc?.spec?.selector) continue;
      const backendNs = svc.metadata.namespace ?? 'default';
      const sp = (svc.spec.ports ?? []).find((p: any) => p.port === b.port);
      for (const pod of pods.filter((p) => p.peer.namespace === backendNs && selectorMatches({ matchLabels: svc.spec.selector }, p.peer.labels))) {
        const target = sp?.targetPort ?? sp?.port;
        const port = typeof target === 'number' ? target : pod.ports.find((p) => p.name === target)?.containerPort;
        if (port === undefined) continue;
        const v = applied.policy.verdict({ from: 'ingress', to: pod.peer, port, protocol: 'TCP' });
        if (v.verdict !== 'allowed') out.push(`${name}: ${r.ref} → ${pod.peer.name}:${port} is ${v.verdict} (${v.reason}); the route answers 503`);
      }
    }
  }
  // Cilium policy: every pod an ingress allow rule names can reach the pods it protects, end to end (plain
  // matchLabels selectors only; the rest is the outcome families' and the policy cases' business).
  for (const o of objects.filter((x) => x.kind === 'CiliumNetworkPolicy')) {
    const ns = o.metadata.namespace ?? 'default';
    for (const spec of [o.spec, ...(o.specs ?? [])].filter(Boolean)) {
      const subject = plainSelector(spec.endpointSelector, ns);
      if (!subject) continue;
      const servers = pods.filter((p) => p.peer.namespace === subject.namespace && selectorMatches({ matchLabels: subject.labels }, p.peer.labels));
      for (const rule of spec.ingress ?? []) {
        if ((rule.toPorts ?? []).some((tp: any) => tp.rules)) continue;
        const ports: number[] = (rule.toPorts ?? []).flatMap((tp: any) => (tp.ports ?? []).map((p: any) => Number(p.port)));
        if (ports.some((p) => !Number.isInteger(p) || p <= 0)) continue;
        for (const sel of rule.fromEndpoints ?? []) {
          const peer = plainSelector(sel, ns);
          if (!peer) continue;
          const clients = pods.filter((p) => p.peer.namespace === peer.namespace && selectorMatches({ matchLabels: peer.labels }, p.peer.labels));
          for (const server of servers) {
            for (const client of clients) {
              for (const port of ports.length ? ports : server.ports.map((p) => p.containerPort)) {
                const v = applied.policy.verdict({ from: client.peer, to: server.peer, port, protocol: 'TCP' });
                if (v.verdict !== 'allowed') out.push(`${name}: ${client.peer.name} → ${server.peer.name}:${port}, allowed by ${ns}/${o.metadata.name}, is ${v.verdict} (${v.reason})`);
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * A CNP endpoint selector made only of `matchLabels` on pod labels and, optionally, the pod namespace (`k8s:` or
 * `any:` sources): its namespace and labels; `undefined` for anything else (expressions, other reserved keys).
 */
function plainSelector(sel: any, policyNamespace: string): { namespace: string; labels: Record<string, string> } | undefined {
  if (!sel || typeof sel !== 'object' || (sel.matchExpressions ?? []).length > 0) return undefined;
  let namespace = policyNamespace;
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries<string>(sel.matchLabels ?? {})) {
    const bare = key.replace(/^(k8s|any):/, '');
    if (bare === 'io.kubernetes.pod.namespace') namespace = value;
    else if (bare.startsWith('io.') || bare.includes(':')) return undefined;
    else labels[bare] = value;
  }
  return { namespace, labels };
}
