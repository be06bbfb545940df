import { createHash } from 'crypto';
import { toYaml } from '../private/yaml';
import { ClusterSpec } from '../spec/cluster-spec';
import { BUNDLE_NAME } from '../spec/versions';

/**
 * The labels that mark a kind cluster as created by this bundle, set on its first control-plane node through the kind
 * config (`nodes[].labels`, applied by the kubelet when the node registers, so a cluster carries them from its
 * creation on): the bundle name and the hash of the kind config it was created from. The scripts read them
 * (`kubectl get node`): apply.sh refuses to adopt an unmarked cluster of the same name and asks to recreate one whose
 * hash differs; teardown.sh deletes only a marked cluster. The keys are outside the `kubernetes.io` / `k8s.io`
 * namespaces, which the NodeRestriction admission plugin keeps from kubelets.
 */
export const CLUSTER_MARK = {
  /** Label key whose value is the bundle name ({@link BUNDLE_NAME}). */
  bundle: `${BUNDLE_NAME}/bundle`,
  /** Label key whose value is {@link kindConfigHash} of the kind config without these labels. */
  configHash: `${BUNDLE_NAME}/config-hash`,
} as const;

/**
 * The hash of a kind config (sha256 of its YAML, first 40 hex digits: a label value holds at most 63 characters).
 * Any change kind applies only at creation (node image, nodes, subnets, DNS domain, port mappings) changes it.
 */
export function kindConfigHash(config: KindClusterConfig): string {
  return createHash('sha256').update(toYaml(config), 'utf8').digest('hex').slice(0, 40);
}

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

/**
 * Renders the kind config for a cluster: no default CNI (Cilium is the CNI), kube-proxy off when Cilium replaces it;
 * the first control-plane node carries the {@link CLUSTER_MARK} labels (the hash covers everything else).
 */
export function renderKindConfig(spec: ClusterSpec): KindClusterConfig {
  const config = unmarkedKindConfig(spec);
  const [first, ...rest] = config.nodes;
  const labels = { [CLUSTER_MARK.bundle]: BUNDLE_NAME, [CLUSTER_MARK.configHash]: kindConfigHash(config) };
  const { extraPortMappings, ...node } = first;
  return { ...config, nodes: [{ ...node, labels: { ...node.labels, ...labels }, ...(extraPortMappings ? { extraPortMappings } : {}) }, ...rest] };
}

function unmarkedKindConfig(spec: ClusterSpec): KindClusterConfig {
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
