import { GitOpsOptions, GitOpsSpec } from './gitops';
import { HubbleOptions, ResolvedHubbleOptions } from './hubble-options';
import { KindConfigOptions, ResolvedKindConfig } from './kind-node-settings';
import { LocalRegistryOptions, ResolvedLocalRegistry } from './local-registry';
import { CiliumMinor } from './version-matrix';
import { Ipv4Cidr } from '../private/ipv4';

/** How Cilium carries pod traffic between nodes. */
export type RoutingMode = 'tunnel' | 'native';

/** Encapsulation of the tunnel (Helm `tunnelProtocol`). */
export type TunnelProtocol = 'vxlan' | 'geneve';

/** A host port published by the kind control-plane node (docker `-p`). */
export interface HostPortMapping {
  /** Port inside the node container, e.g. a NodePort such as 30080. */
  readonly containerPort: number;
  /**
   * Port on the host, 0-65535. 0 asks kind for a random free host port (kind v1alpha4 `hostPort`: "0 = random free
   * port chosen by kind"); such mappings never clash with each other. @default - same as containerPort
   */
  readonly hostPort?: number;
  /**
   * Host address to bind: any IPv4 or IPv6 address (kind passes it to docker `-p`; `0.0.0.0` and `::` bind every
   * interface, and on Linux `::` binds IPv4 too, so both count as "every address" when host ports are checked
   * for clashes). Names such as `localhost` are refused (kind requires an IP). @default '127.0.0.1' (never all
   * interfaces unless asked)
   */
  readonly listenAddress?: string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Cilium's own identity of the cluster (Helm `cluster.name`, `cluster.id`), used by Hubble and Cluster Mesh. */
export interface CiliumClusterOptions {
  /**
   * Cilium `cluster.name`: the same rule as `clusterName` (at most 32 lower-case alphanumerics or '-'). Hubble shows it
   * in every flow. @default - the kind cluster name (`clusterName`)
   */
  readonly name?: string;
  /**
   * Cilium `cluster.id`, 0-255, or 0-511 with `maxConnectedClusters: 511` (unique per cluster in a Cluster Mesh; the
   * chart refuses an id above its `clustermesh.maxConnectedClusters`). A non-zero id needs a name other than `default`
   * (Cilium refuses it). @default 0
   */
  readonly id?: number;
  /**
   * Cilium `clustermesh.maxConnectedClusters`: 255 or 511, the only values the chart accepts. 511 lets ids reach 511
   * and halves the cluster-local identities (Cilium docs, "Cluster Mesh: Limitations"). Every cluster of a mesh must
   * use the same value. @default 255
   */
  readonly maxConnectedClusters?: number;
}

/** Pull policy of Kubernetes containers. */
export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/**
 * Cilium L2 announcements (ARP answers for LoadBalancer IPs) and their lease timings. Needs kube-proxy replacement;
 * the timings must satisfy leaseDuration > leaseRenewDeadline > 1.2 x leaseRetryPeriod (client-go leader election).
 */
export interface L2AnnouncementOptions {
  /** @default true when this object is given */
  readonly enabled?: boolean;
  /** @default '3s' */
  readonly leaseDuration?: string;
  /** @default '1s' */
  readonly leaseRenewDeadline?: string;
  /** @default '200ms' */
  readonly leaseRetryPeriod?: string;
}

/** Masquerading of pod traffic leaving the cluster. */
export interface MasqueradeOptions {
  /** eBPF masquerading (`bpf.masquerade`). Needs kube-proxy replacement. @default false */
  readonly bpf?: boolean;
  /** Run the eBPF ip-masq-agent (`ipMasqAgent.enabled`). Needs bpf masquerade. @default false */
  readonly ipMasqAgent?: boolean;
  /** CIDRs never masqueraded by the ip-masq-agent. @default - pod subnet and docker network subnet */
  readonly nonMasqueradeCidrs?: string[];
}

/** Service load-balancing datapath options. */
export interface LoadBalancerOptions {
  /** XDP acceleration (`loadBalancer.acceleration`). @default 'disabled' */
  readonly acceleration?: 'disabled' | 'native' | 'best-effort';
  /**
   * `loadBalancer.mode`. dsr/hybrid need native routing, or (Cilium >= 1.14) a Geneve tunnel
   * (`tunnelProtocol: 'geneve'`) with `dsrDispatch: 'geneve'`; Cilium refuses DSR in a VXLAN tunnel. @default 'snat'
   */
  readonly mode?: 'snat' | 'dsr' | 'hybrid';
  /**
   * How DSR passes the service address to the backend node (Helm `loadBalancer.dsrDispatch`): `opt` (IP option),
   * `ipip` (IPIP encapsulation) or `geneve` (Geneve class option; needs `tunnelProtocol: 'geneve'`, and is the
   * only dispatch Cilium accepts for DSR in tunnel mode). @default - not set: Cilium's default `opt`
   */
  readonly dsrDispatch?: 'opt' | 'ipip' | 'geneve';
}

/**
 * Pinned external releases; the pairing with the Cilium minor is checked against the version matrix
 * (`src/spec/version-matrix.ts`, README "Version matrix").
 */
export interface VersionOptions {
  /**
   * Gateway API CRD release to install before Cilium (`vX.Y.Z`).
   * Refused on a cluster with a Gateway (the only one whose bundle installs Gateway API; elsewhere the pin has no
   * effect): a release below the Cilium operator's hard minimum (Cilium 1.20 needs v1.6.1: it watches TLSRoute,
   * ReferenceGrant and BackendTLSPolicy at `v1`, upstream upgrade notes, PR #47408), even with `allowUnsupportedPair`;
   * any release other than the minor's pair unless `allowUnsupportedPair`. A tag that is not `vX.Y.Z` is always refused.
   * @default - the release paired with the Cilium minor: v1.3.0 (1.18), v1.4.1 (1.19), v1.6.1 (1.20)
   */
  readonly gatewayApi?: string;
  /**
   * cert-manager release (`vX.Y.Z`): a checked patch of the v1.19, v1.20 or v1.21 line (v1.19.6; v1.20.4, v1.20.3;
   * v1.21.2, v1.21.1), whose cert-manager.io/v1 schemas add only optional fields to v1.19.6's; another release needs
   * `allowUnsupportedPair`. @default 'v1.20.4' (a security release)
   */
  readonly certManager?: string;
  /**
   * Accept a Gateway API / cert-manager release, Kubernetes version or kind image pairing outside the checked
   * matrix, taking responsibility for it. Never accepts a malformed version, an unsupported Cilium minor, an
   * unpinned image or a Gateway API release below the operator's minimum, and does not opt in to a pre-release.
   * @default false
   */
  readonly allowUnsupportedPair?: boolean;
  /**
   * Opt in to the Cilium 1.21 preview: `ciliumVersion: '1.21.0-pre.0'`, a development pre-release (cilium/charts
   * 009b5e95) with its own row in the version matrix (Kubernetes 1.33-1.36, Gateway API v1.6.1) and its chart's checks
   * (e.g. `networkDriver.enabled` needs Kubernetes 1.34). Not a supported release, never a default: without this
   * flag that version is refused (`cilium-pre-release-not-allowed`, the fix names this flag or `ciliumVersion: '1.20.0'`).
   * No effect on a stable version.
   * @default false
   */
  readonly allowPreRelease?: boolean;
}

/**
 * One description of a kind + Cilium cluster. A key outside this interface, here or in a nested object, is refused
 * (rule `unknown-prop`, naming the closest known key) rather than ignored.
 */
export interface ClusterSpecProps {
  /**
   * Cluster name: 1-32 lowercase letters, digits or '-', alphanumeric at both ends (`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`,
   * the limit of Cilium's `cluster.name`). Also the kind cluster name, the output file names, the control-plane node
   * `<name>-control-plane` and the kubectl context `kind-<name>`.
   */
  readonly clusterName: string;
  /**
   * Custom kind node image, pinned by digest (`kindest/node:v1.36.4@sha256:<64 hex>`); overrides the lookup by
   * `kubernetesVersion`/`kindRelease`. An unpinned tag is refused (kind rebuilds node images per release). When the
   * tag names a Kubernetes version, it must lie inside the Cilium minor's tested range.
   * @default - the image of `kindRelease` for `kubernetesVersion` (see those props)
   */
  readonly nodeImage?: string;
  /**
   * Kubernetes version of the nodes: `X.Y` (newest published patch of that minor) or `X.Y.Z`. Must lie inside the
   * tested range of the Cilium minor (1.18: 1.30-1.33, 1.19: 1.31-1.35, 1.20: 1.33-1.36; Cilium's
   * requirements/compatibility docs) unless `versions.allowUnsupportedPair`; the fix names a valid pair.
   * Kubernetes 1.37 (kind v0.33.0's default image) lies in no supported range yet.
   * @default - the newest Kubernetes inside the Cilium minor's range with a published image (1.20: 1.36.4)
   */
  readonly kubernetesVersion?: string;
  /**
   * kind release whose node images are used (`v0.29.0` … `v0.33.0`, or `v0.33`): kind node images are built per
   * release, and images of v0.32+ need that kind or later. Refused when it publishes no image for `kubernetesVersion`,
   * or when it writes a kubeadm config API the node's kubeadm no longer reads (v0.31 and older write v1beta3, which
   * Kubernetes 1.37 refuses).
   * @default - the newest release publishing the chosen Kubernetes version (v0.33.0)
   */
  readonly kindRelease?: string;
  /** Number of control-plane nodes. @default 1 */
  readonly controlPlaneNodes?: number;
  /** Number of worker nodes. @default 1 */
  readonly workers?: number;
  /**
   * Labels of every worker node, with their values. kind sets them through kubelet `--node-labels` (kind `nodes[].labels`),
   * except the role labels `node-role.kubernetes.io/<role>`, which the kubelet may not self-assign (NodeRestriction):
   * the generated apply script sets those after `kind create cluster` (`kubectl label node`), e.g.
   * `{ 'node-role.kubernetes.io/worker': 'worker' }`. Other `kubernetes.io` / `k8s.io` labels outside the kubelet's
   * allowed set are refused. @default - no extra labels; the apply script labels workers `node-role.kubernetes.io/worker=`
   */
  readonly workerLabels?: Record<string, string>;
  /** Pod CIDR, /8 to /24 with one /24 per node (kubeadm gives every node a /24). @default '10.244.0.0/16' */
  readonly podSubnet?: string;
  /** Service CIDR, /12 to /28 (kubeadm's limits). @default '10.96.0.0/16' */
  readonly serviceSubnet?: string;
  /** Cluster DNS domain. @default 'cluster.local' */
  readonly dnsDomain?: string;
  /** Subnet of the docker network kind attaches nodes to (`docker network inspect kind`). @default '172.18.0.0/16' */
  readonly dockerNetworkSubnet?: string;
  /**
   * Host port of the API server, 0-65535 (kind `networking.apiServerPort`; 0 lets docker pick a free port, as
   * kind does when the field is left out). @default - kind picks a free port
   */
  readonly apiServerPort?: number;
  /** Replace kube-proxy with Cilium's eBPF datapath. @default true */
  readonly kubeProxyReplacement?: boolean;
  /** @default 'tunnel' */
  readonly routingMode?: RoutingMode;
  /**
   * Encapsulation in tunnel mode (Helm `tunnelProtocol`): `vxlan` or `geneve`. Only meaningful with
   * `routingMode: 'tunnel'` (refused with native routing). DSR in tunnel mode needs `geneve`.
   * @default 'vxlan' in tunnel mode
   */
  readonly tunnelProtocol?: TunnelProtocol;
  /**
   * Cilium Helm chart version, `X.Y.Z`: any stable patch of 1.18, 1.19 or 1.20 (the patches validated offline against
   * their chart archives are 1.18.12, 1.18.4, 1.19.6 and 1.20.0; other patches of a minor keep its values keys), or the
   * 1.21 preview `1.21.0-pre.0` with `versions.allowPreRelease: true`. A leading `v` (`v1.20.0`, which `helm --version`
   * resolves) is accepted and dropped, so the bundle names `1.20.0`. The Helm values keys, apiVersions, Gateway API
   * release, default node image and per-minor policy checks follow its minor.
   * @default '1.20.0'
   */
  readonly ciliumVersion?: string;
  /** Hubble relay, UI and metrics. @default enabled with relay, UI and the default metrics */
  readonly hubble?: HubbleOptions;
  /** Host ports published by the control-plane node. @default none */
  readonly hostPortMappings?: HostPortMapping[];
  /** L2 announcements. @default disabled */
  readonly l2Announcements?: L2AnnouncementOptions;
  /** Network devices Cilium attaches to (`devices`); L2 policy interfaces must match them. @default ['eth0'] */
  readonly devices?: string[];
  /** Masquerading options. @default iptables masquerading */
  readonly masquerade?: MasqueradeOptions;
  /** Load-balancer datapath options (XDP, DSR). @default snat, no acceleration */
  readonly loadBalancer?: LoadBalancerOptions;
  /** cilium-operator replicas (1-3, at most one per node). @default 1 */
  readonly operatorReplicas?: number;
  /** Cilium's `cluster.name` and `cluster.id`, when they differ from the kind cluster. @default - name = clusterName, id 0 */
  readonly ciliumCluster?: CiliumClusterOptions;
  /**
   * Pull policy of every Cilium image the chart deploys here (Helm `image`, `operator.image`, `envoy.image`,
   * `hubble.relay.image`, `hubble.ui.backend.image`, `hubble.ui.frontend.image`, `certgen.image` `.pullPolicy`).
   * `Never` / `IfNotPresent` with images preloaded by `kind load docker-image` work offline.
   * @default - the chart's (IfNotPresent)
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** External release pins. */
  readonly versions?: VersionOptions;
  /**
   * Escape hatch: values deep-merged over the generated Cilium Helm values, for chart keys no prop renders (e.g.
   * `operator: { rollOutPods: true }`). A key a typed prop renders has that prop as its one owner (the table in
   * `src/render/helm-key-owners.ts`: `cluster.name` is `ciliumCluster.name`, `devices` is `devices`, `ipam.mode` follows
   * `podSubnet`, `gatewayAPI.enabled` a LocalGateway, `clustermesh.*` a ClusterMesh, ...): overriding it with anything
   * but the value the prop renders (or a declared equivalent: `"true"` for `true`, `k8sServiceHost: auto`, a higher
   * `k8sClientRateLimit`) is refused, naming the prop (rule `helm-value-owned-by-prop`), because the kind config, the
   * manifests, the scripts and every rule follow the prop. The rules check the merged result. A `null` removes a key in
   * Helm (its chart default included). A cilium-config key the chart writes (from a Helm key, or a fixed value; generated
   * from the chart archives into `src/render/cilium-config-keys.generated.ts`) set through the chart's escape hatches
   * `extraConfig`, `extraArgs` or `extraEnv` (`CILIUM_<KEY>`) of the agent or the operator is refused, naming the Helm
   * key (and its prop) to set instead (rule `cilium-config-set-past-helm`): the agent would run with a setting neither
   * the chart's validation nor the rules see. Keys the chart never writes (e.g. `bpf-lb-proto-diff` on 1.19+) are yours.
   *
   * Plain data only, as a Helm values file can hold it (like the whole description): strings, finite numbers,
   * booleans, null, lists and plain objects. Refused, each naming its path: NaN and ±Infinity (Helm refuses the
   * file), functions, symbols, Dates, Maps, Sets and class instances (they would be written as junk), cycles and
   * nesting deeper than 100 levels, lone UTF-16 surrogates (no UTF-8 form), keys over 1,024 characters (YAML's
   * implicit-key limit; no Helm value is that long) and the keys `__proto__`, `constructor` and `prototype`
   * (JavaScript reads them as the object's prototype). Any other string, line breaks included, is written escaped
   * and reaches Helm unchanged. @default - none
   */
  readonly ciliumValuesOverrides?: Record<string, unknown>;
  /** Opt-in GitOps output (Argo CD or Flux objects and a bootstrap script); see {@link GitOpsOptions}. @default none */
  readonly gitops?: GitOpsOptions;
  /**
   * kind settings: feature gates, `runtimeConfig`, kubeadm patches (cluster and per node), per-node labels and
   * extra mounts (see {@link KindConfigOptions}; docs/kind-settings.md). @default - none
   */
  readonly kindConfig?: KindConfigOptions;
  /**
   * A local image registry beside the cluster, kind's documented recipe (see {@link LocalRegistryOptions}):
   * `{}` for kind's defaults (`kind-registry` on `localhost:5001`). @default - no registry
   */
  readonly localRegistry?: LocalRegistryOptions;
}

/** {@link ClusterSpecProps} with every default applied and every field checked. */
export interface ClusterSpec {
  readonly clusterName: string;
  /** Node image pinned by digest. */
  readonly nodeImage: string;
  /** kind release the node image belongs to, e.g. `v0.32.0`. */
  readonly kindRelease: string;
  /** Kubernetes version of the node image (`1.36.1`); `undefined` for a custom image whose tag names none. */
  readonly kubernetesVersion: string | undefined;
  /**
   * kubeadm config apiVersion kind writes for this node image (`kubeadm.k8s.io/v1beta4` for Kubernetes 1.36+ under
   * kind v0.32+, `kubeadm.k8s.io/v1beta3` before; `kubeadmApiVersionFor` in the version matrix): what versioned
   * `kubeadmConfigPatches` must name. `undefined` when `kubernetesVersion` is.
   */
  readonly kubeadmApiVersion: string | undefined;
  readonly controlPlaneNodes: number;
  readonly workers: number;
  /** Worker labels kind sets through the kubelet (`nodes[].labels`). */
  readonly workerLabels: Record<string, string>;
  /**
   * Worker labels the apply step sets after the nodes exist (`kubectl label node <worker> key=value`): the
   * `node-role.kubernetes.io/*` labels, which the kubelet may not self-assign. Always holds a worker role label.
   */
  readonly nodeRoleLabels: Record<string, string>;
  readonly podSubnet: Ipv4Cidr;
  readonly serviceSubnet: Ipv4Cidr;
  readonly dnsDomain: string;
  readonly dockerNetworkSubnet: Ipv4Cidr;
  readonly apiServerPort?: number;
  readonly kubeProxyReplacement: boolean;
  readonly routingMode: RoutingMode;
  /** Set in tunnel mode only. */
  readonly tunnelProtocol?: TunnelProtocol;
  readonly ciliumVersion: string;
  /** Minor of `ciliumVersion`: what the renderers and the per-minor checks follow. */
  readonly ciliumMinor: CiliumMinor;
  readonly hubble: ResolvedHubbleOptions;
  readonly hostPortMappings: Required<HostPortMapping>[];
  readonly l2Announcements: Required<L2AnnouncementOptions>;
  readonly devices: string[];
  readonly masquerade: Required<MasqueradeOptions>;
  readonly loadBalancer: Required<Omit<LoadBalancerOptions, 'dsrDispatch'>> & Pick<LoadBalancerOptions, 'dsrDispatch'>;
  readonly operatorReplicas: number;
  readonly ciliumCluster: Required<CiliumClusterOptions>;
  /** undefined: the chart's default. */
  readonly imagePullPolicy?: ImagePullPolicy;
  readonly versions: Required<VersionOptions>;
  readonly ciliumValuesOverrides: Record<string, unknown>;
  /** undefined: no GitOps output. */
  readonly gitops?: GitOpsSpec;
  /** kind settings, checked; one entry per node of each role. */
  readonly kindConfig: ResolvedKindConfig;
  /** The local registry; undefined when there is none. */
  readonly localRegistry?: ResolvedLocalRegistry;
}
