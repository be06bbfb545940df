import { Violation } from '../errors';
import { v } from './common';
import { AppRule, ClusterRule } from './rule';
import { PlatformModel } from '../model/platform-model';
import { coveringCidr, formatIpv4, Ipv4Cidr, parseIpv4, parseIpv4Cidr, rangeContains, rangesOverlap } from '../private/ipv4';
import { clusterMeshValues } from '../render/cilium-values';
import { MeshMembership } from '../spec/mesh-membership';

/** The members of each mesh of the app, by mesh name (in cluster order). */
function meshes(models: readonly PlatformModel[]): Map<string, { model: PlatformModel; membership: MeshMembership }[]> {
  const out = new Map<string, { model: PlatformModel; membership: MeshMembership }[]>();
  for (const model of models) {
    for (const membership of model.meshMemberships) {
      const members = out.get(membership.mesh) ?? [];
      members.push({ model, membership });
      out.set(membership.mesh, members);
    }
  }
  return out;
}

const name = (m: PlatformModel) => m.spec.clusterName;

/** Every pair (a, b) of distinct members of each mesh, a before b. */
function pairs<T>(list: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  list.forEach((a, i) => list.slice(i + 1).forEach((b) => out.push([a, b])));
  return out;
}

/** Leaf paths of `expected` (arrays are leaves) whose value in `actual` differs. */
interface Contradiction { path: string; want: unknown; got: unknown }

function contradictions(expected: Record<string, unknown>, actual: Record<string, unknown> | undefined, prefix: string): Contradiction[] {
  const out: Contradiction[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const got = actual?.[key];
    if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
      out.push(...contradictions(want as Record<string, unknown>, got !== null && typeof got === 'object' ? got as Record<string, unknown> : undefined, path));
    } else if (JSON.stringify(want) !== JSON.stringify(got)) {
      out.push({ path, want, got });
    }
  }
  return out;
}

/** Rules across the members of each Cluster Mesh of the app (`mesh-*`). */
export const MESH_APP_RULES: readonly AppRule[] = [
  {
    id: 'mesh-identity',
    emits: ['mesh-name-taken', 'mesh-duplicate-cluster-name', 'mesh-duplicate-cluster-id', 'mesh-cluster-id-out-of-range', 'mesh-cluster-name-mismatch'],
    summary: 'each mesh member has a unique Cilium cluster.name equal to its kind name and a unique cluster.id in 1..maxConnectedClusters; the mesh name is no cluster name',
    check: (models) => {
      const out: Violation[] = [];
      const clusterNames = new Set(models.map(name));
      for (const [mesh, members] of meshes(models)) {
        if (clusterNames.has(mesh)) {
          out.push(v('mesh-name-taken', `${members[0].membership.field}: mesh ${mesh}`,
            `the mesh is named "${mesh}" like the cluster ${mesh}; both would write dist/${mesh}/apply.sh`, 'give the ClusterMesh a name no cluster uses'));
        }
        for (const { model, membership } of members) {
          const { name: ciliumName, id, maxConnectedClusters } = model.spec.ciliumCluster;
          if (ciliumName !== name(model)) {
            out.push(v('mesh-cluster-name-mismatch', `${model.field}.ciliumCluster.name`,
              `cluster ${name(model)} of mesh ${mesh} has Cilium cluster.name "${ciliumName}"; the mesh names members by their kind name (fleet scripts, policies and peers use it)`,
              `leave ciliumCluster.name unset or set it to "${name(model)}"`));
          }
          if (maxConnectedClusters !== membership.maxConnectedClusters) {
            out.push(v('mesh-cluster-id-out-of-range', `${model.field}.ciliumCluster.maxConnectedClusters`,
              `cluster ${name(model)} uses maxConnectedClusters ${maxConnectedClusters} but mesh ${mesh} uses ${membership.maxConnectedClusters}; Cilium refuses to connect clusters that disagree`,
              `leave ciliumCluster.maxConnectedClusters unset or set it to ${membership.maxConnectedClusters} (the mesh's)`));
          } else if (id < 1 || id > membership.maxConnectedClusters) {
            out.push(v('mesh-cluster-id-out-of-range', `${model.field}.ciliumCluster.id`,
              `cluster ${name(model)} of mesh ${mesh} has cluster.id ${id}; a mesh member needs 1-${membership.maxConnectedClusters}`,
              `leave ciliumCluster.id unset (the mesh allocates one) or use 1-${membership.maxConnectedClusters}${membership.maxConnectedClusters === 255 ? ' (or maxConnectedClusters: 511 on the mesh for ids up to 511)' : ''}`));
          }
        }
        for (const [a, b] of pairs(members)) {
          if (a.model.spec.ciliumCluster.name === b.model.spec.ciliumCluster.name) {
            out.push(v('mesh-duplicate-cluster-name', `${b.model.field}.ciliumCluster.name`,
              `clusters ${name(a.model)} and ${name(b.model)} of mesh ${mesh} share the Cilium cluster.name "${b.model.spec.ciliumCluster.name}"; Cilium refuses to connect them`,
              'give each member its own ciliumCluster.name (leave it unset: the mesh uses the kind name)'));
          }
          if (a.model.spec.ciliumCluster.id === b.model.spec.ciliumCluster.id) {
            out.push(v('mesh-duplicate-cluster-id', `${b.model.field}.ciliumCluster.id`,
              `clusters ${name(a.model)} and ${name(b.model)} of mesh ${mesh} share cluster.id ${b.model.spec.ciliumCluster.id}; identities would collide and Cilium refuses to connect them`,
              'give each member its own ciliumCluster.id (leave it unset: the mesh allocates the smallest free one)'));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'mesh-subnets-overlap',
    emits: ['mesh-subnets-overlap'],
    summary: 'pod and service subnets of the members of a mesh do not overlap (routes and identities would be ambiguous)',
    check: (models) => {
      const out: Violation[] = [];
      for (const [mesh, members] of meshes(models)) {
        for (const [a, b] of pairs(members)) {
          const nets = (m: PlatformModel): [string, Ipv4Cidr][] => [['podSubnet', m.spec.podSubnet], ['serviceSubnet', m.spec.serviceSubnet]];
          for (const [fa, na] of nets(a.model)) {
            for (const [fb, nb] of nets(b.model)) {
              if (rangesOverlap(na, nb)) {
                out.push(v('mesh-subnets-overlap', `${b.model.field}.${fb}`,
                  `${fb} ${nb.cidr} of cluster ${name(b.model)} overlaps ${fa} ${na.cidr} of cluster ${name(a.model)} in mesh ${mesh}; Cilium routes pod and service addresses across the mesh, so they must be unique`,
                  `leave ${fb} unset (the mesh allocates a free /16) or pick a range clear of ${name(a.model)}'s ${na.cidr}`));
              }
            }
          }
        }
      }
      return out;
    },
  },
  {
    id: 'mesh-docker-network-mismatch',
    emits: ['mesh-docker-network-mismatch'],
    summary: 'the members of a mesh are described on the same docker network (their apiserver addresses are L2-announced on it)',
    check: (models) => {
      const out: Violation[] = [];
      for (const [mesh, members] of meshes(models)) {
        const first = members[0].model;
        for (const { model } of members.slice(1)) {
          if (model.spec.dockerNetworkSubnet.cidr !== first.spec.dockerNetworkSubnet.cidr) {
            out.push(v('mesh-docker-network-mismatch', `${model.field}.dockerNetworkSubnet`,
              `cluster ${name(model)} is on ${model.spec.dockerNetworkSubnet.cidr} but cluster ${name(first)} of mesh ${mesh} is on ${first.spec.dockerNetworkSubnet.cidr}; kind puts every cluster on the one docker network "kind", and the clustermesh-apiserver addresses are announced there`,
              `use dockerNetworkSubnet: "${first.spec.dockerNetworkSubnet.cidr}" on every member`));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'mesh-routing-mode',
    emits: ['mesh-routing-mode-mismatch'],
    summary: 'the members of a mesh use one routing mode (and, tunnelling, one tunnel protocol): a peer only decodes what it sends itself',
    check: (models) => {
      const out: Violation[] = [];
      const mode = (m: PlatformModel) => {
        const vals = m.ciliumValues as Record<string, any>;
        const routing = vals.routingMode === 'native' ? 'native' : 'tunnel';
        return routing === 'native' ? 'native' : `tunnel (${String(vals.tunnelProtocol ?? 'vxlan')})`;
      };
      for (const [mesh, members] of meshes(models)) {
        const first = members[0].model;
        for (const { model } of members.slice(1)) {
          if (mode(model) === mode(first)) continue;
          const routing = mode(model).startsWith('tunnel') && mode(first).startsWith('tunnel') ? 'tunnelProtocol' : 'routingMode';
          out.push(v('mesh-routing-mode-mismatch', `${model.field}.${routing}`,
            `cluster ${name(model)} of mesh ${mesh} routes ${mode(model)} but cluster ${name(first)} routes ${mode(first)}; `
            + 'a native member sends pod traffic unencapsulated, a tunnel member only accepts it from its tunnel device (and VXLAN and Geneve do not decode each other), so traffic between them is dropped',
            routing === 'routingMode'
              ? `use one routingMode on every member of mesh ${mesh} (routingMode: '${first.spec.routingMode}' like ${name(first)})`
              : `use one tunnelProtocol on every member of mesh ${mesh} (tunnelProtocol: '${String((first.ciliumValues as any).tunnelProtocol ?? 'vxlan')}' like ${name(first)})`));
        }
      }
      return out;
    },
  },
  {
    id: 'mesh-native-routing-cidr',
    emits: ['mesh-native-routing-cidr'],
    summary: "a native-routing member's ipv4NativeRoutingCIDR covers the pod subnet of every member (else traffic between clusters is masqueraded)",
    check: (models) => {
      const out = new Map<string, Violation>();
      for (const [mesh, members] of meshes(models)) {
        const covering = coveringCidr(members.map((m) => m.model.spec.podSubnet)).cidr;
        for (const { model, membership } of members) {
          const vals = model.ciliumValues as Record<string, any>;
          if (vals.routingMode !== 'native') continue;
          const cidr = typeof vals.ipv4NativeRoutingCIDR === 'string' ? parseIpv4Cidr(vals.ipv4NativeRoutingCIDR) : undefined;
          // Not a CIDR at all, or missing the member's own pods: the cluster rule native-routing-cidr reports it.
          if (cidr === undefined || typeof cidr === 'string') continue;
          const overridden = (model.spec.ciliumValuesOverrides as Record<string, unknown>).ipv4NativeRoutingCIDR !== undefined;
          const field = overridden ? `${model.field}.ciliumValuesOverrides.ipv4NativeRoutingCIDR`
            : membership.nativeRoutingCidrField ?? `${model.field}.ciliumValues.ipv4NativeRoutingCIDR`;
          for (const peer of members) {
            if (peer.model === model || rangeContains(cidr, peer.model.spec.podSubnet)) continue;
            const problem = `ipv4NativeRoutingCIDR ${cidr.cidr} of cluster ${name(model)} (mesh ${mesh}, native routing) does not cover the pod subnet ${peer.model.spec.podSubnet.cidr} of cluster ${name(peer.model)}; `
              + `traffic to those pods is masqueraded, so ${name(peer.model)} sees ${name(model)}'s node addresses instead of its pods and its policies cannot tell them apart`;
            out.set(`${field}|${peer.model.field}`, v('mesh-native-routing-cidr', field, problem,
              `use a CIDR covering every member's pod subnet: leave it unset (the mesh renders ${covering}) or give ClusterMesh nativeRoutingCidr: '${covering}' (or wider, such as 10.0.0.0/8)`));
          }
        }
      }
      return [...out.values()];
    },
  },
];

/** Rules of one mesh member (`mesh-*`). */
export const MESH_CLUSTER_RULES: readonly ClusterRule[] = [
  {
    id: 'mesh-apiserver-unreachable',
    emits: ['mesh-apiserver-unreachable'],
    summary: "a mesh member's clustermesh-apiserver address is in an enabled pool and announced by L2, so the peers' nodes reach it",
    check: (model) => model.meshMemberships.flatMap((m) => {
      const out: Violation[] = [];
      const at = `cluster ${name(model)} of mesh ${m.mesh}`;
      if (!model.spec.l2Announcements.enabled) {
        out.push(v('mesh-apiserver-unreachable', `${model.field}.l2Announcements`,
          `${at} has L2 announcements disabled; nothing answers ARP for its clustermesh-apiserver address ${m.apiserverIp}, so the other clusters cannot connect`,
          'leave l2Announcements unset on mesh members (the mesh enables it) or set l2Announcements: {}'));
      }
      if (!model.l2Policies.some((p) => p.loadBalancerIPs)) {
        out.push(v('mesh-apiserver-unreachable', `${model.field}`,
          `${at} has no CiliumL2AnnouncementPolicy announcing LoadBalancer IPs; its clustermesh-apiserver address ${m.apiserverIp} is not reachable from the other clusters`,
          'add an L2AnnouncementPolicy with loadBalancerIPs (the mesh adds one as mesh-l2)'));
      }
      const ip = parseIpv4(m.apiserverIp);
      const inPool = ip !== undefined && model.pools.some((p) => !p.disabled && p.blocks.some((b) => b.range.first <= ip && ip <= b.range.last));
      if (!inPool) {
        out.push(v('mesh-apiserver-unreachable', `${m.field}`,
          `${at}: the clustermesh-apiserver address ${m.apiserverIp} is in no enabled LoadBalancer pool of the cluster; LB-IPAM would never assign it`,
          `give the member a meshPool whose start is ${ip !== undefined ? formatIpv4(ip) : m.apiserverIp}, inside the docker network`));
      }
      return out;
    }),
  },
  {
    id: 'mesh-values-contradicted',
    emits: ['mesh-values-contradicted'],
    summary: "ciliumValuesOverrides do not contradict the mesh's clustermesh values, and no CA key is given in values (apply.sh passes the shared CA)",
    check: (model) => model.meshMemberships.flatMap((m) => {
      const values = model.ciliumValues as Record<string, any>;
      const expected = { ...clusterMeshValues(m), cluster: { name: model.spec.ciliumCluster.name, id: model.spec.ciliumCluster.id } };
      const out = contradictions(expected, values, '').map((c) => v('mesh-values-contradicted', `${model.field}.ciliumValuesOverrides.${c.path}`,
        `cluster ${name(model)} of mesh ${m.mesh}: ${c.path} is ${JSON.stringify(c.got)} but the mesh needs ${JSON.stringify(c.want)}`,
        `remove ${c.path} from ciliumValuesOverrides; describe the mesh through ClusterMesh.addCluster instead`));
      const ca = values.tls?.ca;
      if (ca && (ca.key || ca.cert)) {
        out.push(v('mesh-values-contradicted', `${model.field}.ciliumValuesOverrides.tls.ca`,
          `cluster ${name(model)} of mesh ${m.mesh}: tls.ca is given in values, so the CA (and its private key) would be committed in cilium-values/ and differ from the mesh's shared CA`,
          'remove tls.ca from ciliumValuesOverrides: apply.sh generates the shared CA in .kind-cilium/ (gitignored) and passes it to helm'));
      }
      return out;
    }),
  },
];
