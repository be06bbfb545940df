import { toYaml } from '../private/yaml';
import { ClusterSpec } from '../spec/cluster-spec';

/** A kind port mapping (`extraPortMappings[]`), exactly as kind decodes it. */
export interface KindPortMapping {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly listenAddress: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A kind node (`nodes[]`). */
export interface KindNode {
  readonly role: 'control-plane' | 'worker';
  readonly image: string;
  readonly labels?: Record<string, string>;
  readonly extraPortMappings?: KindPortMapping[];
}

/** kind `networking`. */
export interface KindNetworking {
  readonly ipFamily: 'ipv4';
  readonly apiServerPort?: number;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly disableDefaultCNI: boolean;
  readonly kubeProxyMode?: 'iptables' | 'nftables' | 'ipvs' | 'none';
}

/**
 * The `kind.x-k8s.io/v1alpha4` Cluster config. kind decodes strictly: only kind's own keys
 * (no `metadata`), and integers as integers.
 */
export interface KindClusterConfig {
  readonly kind: 'Cluster';
  readonly apiVersion: 'kind.x-k8s.io/v1alpha4';
  readonly name: string;
  readonly networking: KindNetworking;
  readonly kubeadmConfigPatches?: string[];
  readonly nodes: KindNode[];
}

/**
 * The kubeadm patches that set a custom cluster DNS domain (API server certs, CoreDNS and kubelets agree).
 * Serialised like every output file, so a domain YAML would read as another type (`on`, `1:20`) stays a string
 * for kubeadm's YAML 1.1 parser. Unversioned (no `apiVersion`): kind applies such a patch to whichever kubeadm
 * config API it writes for the node image (`ClusterSpec.kubeadmApiVersion`: v1beta4 for Kubernetes 1.36+ under
 * kind v0.32+, v1beta3 before), and `networking.dnsDomain` / `clusterDomain` are spelled alike in both. A
 * versioned v1beta3 patch would be skipped on v1beta4 and fail on Kubernetes 1.37, whose kubeadm refuses v1beta3.
 */
export function dnsDomainPatches(dnsDomain: string): string[] {
  return [
    toYaml({ kind: 'ClusterConfiguration', networking: { dnsDomain } }),
    toYaml({ kind: 'KubeletConfiguration', clusterDomain: dnsDomain }),
  ];
}

/** Renders the kind config for a cluster: no default CNI (Cilium is the CNI), kube-proxy off when Cilium replaces it. */
export function renderKindConfig(spec: ClusterSpec): KindClusterConfig {
  const portMappings: KindPortMapping[] = spec.hostPortMappings.map((m) => ({
    containerPort: m.containerPort,
    hostPort: m.hostPort,
    listenAddress: m.listenAddress,
    protocol: m.protocol,
  }));
  const nodes: KindNode[] = [];
  for (let i = 0; i < spec.controlPlaneNodes; i++) {
    nodes.push({
      role: 'control-plane',
      image: spec.nodeImage,
      // Port mappings go on the first control-plane node: NodePorts answer on every node.
      ...(i === 0 && portMappings.length > 0 ? { extraPortMappings: portMappings } : {}),
    });
  }
  for (let i = 0; i < spec.workers; i++) {
    nodes.push({
      role: 'worker',
      image: spec.nodeImage,
      ...(Object.keys(spec.workerLabels).length > 0 ? { labels: sortedRecord(spec.workerLabels) } : {}),
    });
  }
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: spec.clusterName,
    networking: {
      ipFamily: 'ipv4',
      ...(spec.apiServerPort !== undefined ? { apiServerPort: spec.apiServerPort } : {}),
      podSubnet: spec.podSubnet.cidr,
      serviceSubnet: spec.serviceSubnet.cidr,
      disableDefaultCNI: true,
      ...(spec.kubeProxyReplacement ? { kubeProxyMode: 'none' as const } : {}),
    },
    ...(spec.dnsDomain !== 'cluster.local' ? { kubeadmConfigPatches: dnsDomainPatches(spec.dnsDomain) } : {}),
    nodes,
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
