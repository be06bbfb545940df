import { v } from './common';
import { MESH_CLUSTER_RULES } from './mesh';
import { CiliumPolicyEngine, PodPeer } from '../applied/cilium-policy';
import { announceL2, ciliumDevices, L2Node } from '../applied/l2-announcements';
import { assignLoadBalancerAddresses, lbIpamSettingsFromHelmValues, withLoadBalancerStatus } from '../applied/lb-ipam';
import { KubeObject } from '../applied/objects';
import { Violation } from '../errors';
import { PlatformModel } from '../model/platform-model';
import { parseIpv4 } from '../private/ipv4';
import {
  CLUSTERMESH_APISERVER_PORT, GLOBAL_SERVICE_ANNOTATION, MESH_DEMO, MeshMembership, POLICY_CLUSTER_LABEL,
} from '../spec/mesh-membership';

/**
 * The Cluster Mesh as applied, over the whole fleet (issue 18, point 7): what LB-IPAM, the L2 announcer and Cilium's
 * policy engine (`src/applied/`) do with every object of each member, whoever wrote it (escape-hatch patches included),
 * and what the members must agree on. Each check names the member, the field, the value and the fix.
 */

/** One cluster of the app with its resolved objects, each with the construct path that wrote it. */
export interface FleetCluster {
  readonly model: PlatformModel;
  readonly entries: readonly { readonly path: string; readonly object: Record<string, any> }[];
}

/** A rule across the members of each mesh that reads their objects. */
export interface FleetRule {
  readonly id: string;
  readonly emits: readonly string[];
  readonly summary: string;
  /** The ids whose violations carry a machine-readable suggestion (none yet). */
  readonly suggests?: readonly string[];
  check(clusters: readonly FleetCluster[]): Violation[];
}

interface Member extends FleetCluster {
  readonly membership: MeshMembership;
}

const clusterName = (m: PlatformModel) => m.spec.clusterName;
const FACT_RULE = MESH_CLUSTER_RULES.find((r) => r.id === 'mesh-apiserver-unreachable');

function meshesOf(clusters: readonly FleetCluster[]): Map<string, Member[]> {
  const out = new Map<string, Member[]>();
  for (const c of clusters) {
    for (const membership of c.model.meshMemberships) {
      out.set(membership.mesh, [...(out.get(membership.mesh) ?? []), { ...c, membership }]);
    }
  }
  return out;
}

const objectsOf = (c: FleetCluster): KubeObject[] => c.entries.map((e) => e.object as KubeObject);
const isKind = (o: Record<string, any>, apiGroup: string, kind: string) => o.kind === kind && String(o.apiVersion ?? '').split('/').length === (apiGroup === '' ? 1 : 2)
  && (apiGroup === '' || String(o.apiVersion).startsWith(`${apiGroup}/`));

/**
 * The kind nodes of a member as the L2 announcer sees them: `<cluster>-control-plane`, `-control-plane2`, ...,
 * `<cluster>-worker`, `-worker2`, ... (kind's naming), with the labels kubeadm and the kubelet set
 * (`kubernetes.io/hostname`, `kubernetes.io/os`, the control-plane role) and the kind config's `labels`.
 */
export function kindNodes(model: PlatformModel): L2Node[] {
  const counts: Record<string, number> = {};
  return model.kindConfig.nodes.map((node) => {
    counts[node.role] = (counts[node.role] ?? 0) + 1;
    const name = `${clusterName(model)}-${node.role}${counts[node.role] > 1 ? counts[node.role] : ''}`;
    return {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        ...(node.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        ...(node.labels ?? {}),
      },
    };
  });
}

/**
 * The `kube-system/clustermesh-apiserver` Service as the Cilium chart renders it from the member's merged values
 * (`templates/clustermesh-apiserver/service.yaml` of charts 1.18-1.21: labels, annotations, type, class, traffic policy).
 */
export function clustermeshApiserverService(values: Record<string, any>): KubeObject {
  const service = values.clustermesh?.apiserver?.service ?? {};
  const type = service.type ?? 'NodePort';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'clustermesh-apiserver',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'clustermesh-apiserver', 'app.kubernetes.io/part-of': 'cilium', 'app.kubernetes.io/name': 'clustermesh-apiserver', ...(values.commonLabels ?? {}), ...(service.labels ?? {}) },
      annotations: { ...(values.clustermesh?.annotations ?? {}), ...(service.annotations ?? {}) },
    },
    spec: {
      type,
      selector: { 'k8s-app': 'clustermesh-apiserver' },
      ports: [{ port: CLUSTERMESH_APISERVER_PORT, protocol: 'TCP' }],
      ...(type === 'LoadBalancer' && service.loadBalancerClass ? { loadBalancerClass: service.loadBalancerClass } : {}),
      externalTrafficPolicy: service.externalTrafficPolicy ?? 'Cluster',
    },
  };
}

/** The member's clustermesh-apiserver as applied: the addresses LB-IPAM assigns it and the L2 announcer answers for. */
export interface AppliedApiserver {
  /** `status.loadBalancer.ingress` as LB-IPAM writes it (`[]` when pending). */
  readonly assigned: readonly string[];
  /** The addresses answered by ARP on the kind network (`[]` when not announced). */
  readonly announced: readonly string[];
  /** Why the mesh's address for it is not reachable from the peers; undefined when it is. */
  readonly unreachable?: string;
}

/**
 * Runs LB-IPAM and the L2 announcer over the member's objects plus the chart's clustermesh-apiserver Service, and
 * says whether `membership.apiserverIp` (the address every peer's values name, which the chart writes into the peers'
 * `cilium-host-aliases` from 1.20, the only place from 1.21) is assigned to it and announced on the kind network.
 */
export function appliedApiserver(member: FleetCluster, membership: MeshMembership): AppliedApiserver {
  const { model } = member;
  const values = model.ciliumValues as Record<string, any>;
  const ip = membership.apiserverIp;
  const network = model.spec.dockerNetworkSubnet;
  const parsed = parseIpv4(ip);
  const objects = objectsOf(member);
  const apiserver = clustermeshApiserverService(values);
  // The chart's Service exists from helm install on; kubectl apply then creates the bundle's Services before its pools.
  const services = [apiserver, ...objects.filter((o) => isKind(o, '', 'Service'))];
  const lb = assignLoadBalancerAddresses({
    pools: objects.filter((o) => o.kind === 'CiliumLoadBalancerIPPool'),
    services,
    servicesBeforePools: true,
    settings: lbIpamSettingsFromHelmValues(values, model.spec.ciliumMinor),
  });
  const assigned = lb.services['kube-system/clustermesh-apiserver'];
  const l2 = announceL2({
    policies: objects.filter((o) => o.kind === 'CiliumL2AnnouncementPolicy'),
    services: withLoadBalancerStatus([apiserver], lb),
    nodes: kindNodes(model),
    devices: ciliumDevices(values.devices),
    settings: {
      l2announcementsEnabled: values.l2announcements?.enabled === true,
      kubeProxyReplacement: String(values.kubeProxyReplacement) === 'true',
      ciliumVersion: model.spec.ciliumVersion,
    },
  });
  const announced = l2.services['kube-system/clustermesh-apiserver'];
  const state = {
    assigned: assigned?.result === 'assigned' ? [...assigned.ips] : [],
    announced: announced?.verdict === 'announced' ? [...announced.ips] : [],
  };
  let unreachable: string | undefined;
  if (parsed === undefined || parsed < network.first || parsed > network.last) {
    unreachable = `the clustermesh-apiserver address ${ip} is outside the kind network ${network.cidr}, which every member's nodes share`;
  } else if (!state.assigned.includes(ip)) {
    const why = assigned?.condition?.message ?? assigned?.notes.join('; ') ?? '';
    unreachable = `LB-IPAM leaves the clustermesh-apiserver Service ${assigned?.result ?? 'ignored'}, not assigned ${ip} (${why || 'no pool that selects it holds the address'})`;
  } else if (!assigned.exact) {
    unreachable = `whether LB-IPAM assigns ${ip} to the clustermesh-apiserver depends on the order it handles the member's Services (another Service competes for the address)`;
  } else if (!state.announced.includes(ip)) {
    unreachable = `the L2 announcer does not announce ${ip} (${announced?.verdict ?? 'not-announced'}: ${announced?.reasons.join('; ') || 'no CiliumL2AnnouncementPolicy announces it'})`;
  }
  return { ...state, ...(unreachable !== undefined ? { unreachable } : {}) };
}

/** Cluster names a selector (matchLabels, or matchExpressions with `In`) names by the cluster label, with where. */
function namedClusters(node: unknown, path: string, out: { path: string; cluster: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => namedClusters(x, `${path}[${i}]`, out));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const isClusterKey = (k: string) => k.replace(/^(k8s|any):/, '') === POLICY_CLUSTER_LABEL;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'matchLabels' && value && typeof value === 'object') {
      for (const [k, cluster] of Object.entries(value as Record<string, unknown>)) {
        if (isClusterKey(k)) out.push({ path: `${path}.matchLabels`, cluster: String(cluster) });
      }
    } else if (key === 'matchExpressions' && Array.isArray(value)) {
      value.forEach((e: any, i) => {
        if (e && isClusterKey(String(e.key)) && e.operator === 'In' && Array.isArray(e.values)) {
          for (const cluster of e.values) out.push({ path: `${path}.matchExpressions[${i}]`, cluster: String(cluster) });
        }
      });
    } else {
      namedClusters(value, `${path}.${key}`, out);
    }
  }
}

function servicePorts(o: Record<string, any>): string {
  const ports: any[] = Array.isArray(o.spec?.ports) ? o.spec.ports : [];
  return ports.map((p) => `${p.name ? `${p.name}:` : ''}${p.port}/${p.protocol ?? 'TCP'}`).sort().join(', ') || 'no ports';
}

/** Rules of each mesh over its members' objects (`mesh-*`). */
export const MESH_FLEET_RULES: readonly FleetRule[] = [
  {
    id: 'mesh-apiserver-applied',
    emits: ['mesh-apiserver-unreachable'],
    summary: "each member's clustermesh-apiserver address is assigned by LB-IPAM and announced by L2 on the shared kind network (as applied: every pool, policy and Service of the member, patches included)",
    check: (clusters) => [...meshesOf(clusters)].flatMap(([mesh, members]) => members.flatMap((member) => {
      // A member the fact rule already refuses (L2 off, no policy, address in no pool) is reported there, once.
      if (FACT_RULE?.check(member.model).length) return [];
      const why = appliedApiserver(member, member.membership).unreachable;
      return why === undefined ? [] : [v('mesh-apiserver-unreachable', `${member.membership.field}`,
        `cluster ${clusterName(member.model)} of mesh ${mesh}: ${why}; the other members cannot connect to it`,
        'leave the mesh pool (mesh-pool) and L2 policy (mesh-l2) as the mesh adds them: a pool that selects the clustermesh-apiserver Service and holds its address, '
        + 'no other Service requesting it, and a policy announcing loadBalancerIPs on nodes and interfaces Cilium manages')];
    })),
  },
  {
    id: 'mesh-global-service',
    emits: ['mesh-global-service-mismatch'],
    summary: `a global Service (${GLOBAL_SERVICE_ANNOTATION}: "true") has the same ports (name, number, protocol) in every member that declares it`,
    check: (clusters) => {
      const out: Violation[] = [];
      for (const [mesh, members] of meshesOf(clusters)) {
        const first = new Map<string, { member: Member; ports: string }>();
        for (const member of members) {
          for (const { path, object } of member.entries) {
            if (!isKind(object, '', 'Service') || String(object.metadata?.annotations?.[GLOBAL_SERVICE_ANNOTATION] ?? '').toLowerCase() !== 'true') continue;
            const key = `${object.metadata.namespace ?? 'default'}/${object.metadata.name}`;
            const ports = servicePorts(object);
            const seen = first.get(key);
            if (!seen) {
              first.set(key, { member, ports });
            } else if (seen.ports !== ports) {
              out.push(v('mesh-global-service-mismatch', `${path}.spec.ports`,
                `the global Service ${key} has ports ${ports} in cluster ${clusterName(member.model)} but ${seen.ports} in cluster ${clusterName(seen.member.model)} of mesh ${mesh}; `
                + 'Cilium merges the backends of a global Service by port, so clients of one cluster reach the other\'s backends on ports they do not serve',
                `declare ${key} with the same ports in every member (${seen.ports}), or give the different Service another name`));
            }
          }
        }
      }
      return out;
    },
  },
  {
    id: 'mesh-policy-cluster-scoped',
    emits: ['mesh-policy-unknown-cluster', 'mesh-demo-flow'],
    summary: `policies in a mesh name clusters (${POLICY_CLUSTER_LABEL}) that are members, and the global-service demo's flows pass as intended (every member's client reaches echo, no intruder does)`,
    check: (clusters) => {
      const out: Violation[] = [];
      for (const [mesh, members] of meshesOf(clusters)) {
        const names = members.map((m) => clusterName(m.model));
        for (const member of members) {
          for (const { path, object } of member.entries) {
            if (object.kind !== 'CiliumNetworkPolicy' && object.kind !== 'CiliumClusterwideNetworkPolicy') continue;
            const found: { path: string; cluster: string }[] = [];
            namedClusters(object.spec ?? {}, 'spec', found);
            namedClusters(object.specs ?? [], 'specs', found);
            for (const f of found.filter((x) => !names.includes(x.cluster))) {
              out.push(v('mesh-policy-unknown-cluster', `${path}.${f.path}`,
                `${object.kind} ${object.metadata?.name} in cluster ${clusterName(member.model)} selects ${POLICY_CLUSTER_LABEL}: ${JSON.stringify(f.cluster)}, which is no member of mesh ${mesh}; it selects no endpoint`,
                `name a member by its cluster name, one of: ${names.join(', ')}`));
            }
          }
          if (member.membership.demo) out.push(...demoFlows(mesh, member, names));
        }
      }
      return out;
    },
  },
];

/** The demo's intended flows into `member`'s echo: every member's client passes, every intruder is denied. */
function demoFlows(mesh: string, member: Member, names: readonly string[]): Violation[] {
  const values = member.model.ciliumValues as Record<string, any>;
  const self = clusterName(member.model);
  const engine = CiliumPolicyEngine.fromObjects(objectsOf(member), {
    ciliumMinor: member.model.spec.ciliumMinor,
    clusterName: member.model.spec.ciliumCluster.name,
    ...(typeof values.clustermesh?.policyDefaultLocalCluster === 'boolean' ? { policyDefaultLocalCluster: values.clustermesh.policyDefaultLocalCluster } : {}),
  });
  const pod = (app: string, cluster: string): PodPeer => ({ namespace: MESH_DEMO.namespace, labels: { app }, cluster, name: `${cluster}/${app}` });
  const echo = pod(MESH_DEMO.service, self);
  const out: Violation[] = [];
  for (const from of names) {
    for (const [app, wanted] of [[MESH_DEMO.client, true], [MESH_DEMO.intruder, false]] as const) {
      const verdict = engine.verdict({ from: pod(app, from), to: echo, port: MESH_DEMO.echoPort, protocol: 'TCP' });
      if ((verdict.verdict === 'allowed') === wanted) continue;
      out.push(v('mesh-demo-flow', `${member.model.field}/mesh-demo/policy`,
        `the ${app} of cluster ${from} → ${self}/echo on ${MESH_DEMO.echoPort}/TCP is ${verdict.verdict} in mesh ${mesh} (${verdict.reason}), but the demo intends it ${wanted ? 'allowed' : 'denied'}`,
        `select the demo's peers by cluster: fromEndpoints with app: ${MESH_DEMO.client} and ${POLICY_CLUSTER_LABEL} naming each member (the demo's own policy ${MESH_DEMO.policy}); drop the patch or policy that changes it`));
    }
  }
  return out;
}
