import { invalid, PlatformConfigError, Violation } from '../errors';
import { GitOpsOptions, GitOpsSpec, resolveGitOps } from './gitops';
import { KindConfigOptions, kubeletRefusesLabel, NODE_ROLE_LABEL_PREFIX, ResolvedKindConfig, resolveKindConfigOptions } from './kind-node-settings';
import { LocalRegistryOptions, ResolvedLocalRegistry, resolveLocalRegistry } from './local-registry';
import { subnetExample } from './subnet-examples';
import {
  checkGatewayApi, CiliumMinor, ciliumMinorFacts, ComponentVersionInput, DEFAULT_CERT_MANAGER_VERSION, DEFAULT_CILIUM_VERSION,
  GATEWAY_API_PAIRING_RULE_IDS, resolveComponentVersions, VersionViolation,
} from './version-matrix';
import { Ipv4Cidr, isIpv6Address, parseIpv4, parseIpv4Cidr } from '../private/ipv4';
import { checkPlainData } from '../private/plain-data';
import { propKeys, rejectUnknownKeys } from '../private/props';
import { DNS_SUBDOMAIN_RE, isPlainObject, LABEL_KEY_RE, LABEL_VALUE_RE, parseGoDuration } from '../private/syntax';

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

/**
 * One Hubble metric with its options, the typed form of Cilium's `name:key=value;flag` string
 * (`{ name: 'dns', options: { query: true, ignoreAAAA: true } }` renders as `dns:query;ignoreAAAA`,
 * `{ name: 'httpV2', options: { exemplars: true, labelsContext: ['source_namespace', 'destination_namespace'] } }`
 * as `httpV2:exemplars=true;labelsContext=source_namespace,destination_namespace`: `exemplars` is read by value,
 * see {@link HUBBLE_METRIC_BOOLEAN_OPTIONS}).
 */
export interface HubbleMetric {
  /** A metric of Cilium's registry: see {@link HUBBLE_METRIC_NAMES}. `http` and `httpV2` are mutually exclusive. */
  readonly name: HubbleMetricName;
  /**
   * Options: `true` writes the bare flag (`query`) for an option Cilium reads by presence and `key=true` for one it
   * reads by value (`exemplars` of `http`/`httpV2`; a bare `exemplars` would leave exemplars off), `false` leaves the
   * option out; a string writes `key=value`, a list `key=a,b` (e.g. `labelsContext`). An option read by value takes
   * only `true` or `false` (as a boolean or a string), in typed and string metrics alike: any other value is refused,
   * since the agent would read it as off.
   * `sourceContext` / `destinationContext` alternatives are written as a list joined by `|` only when given as one
   * string, e.g. `'workload-name|reserved-identity'`. Keys and values are visible ASCII without `;`, `:` or `=`. @default - none
   */
  readonly options?: Record<string, boolean | string | string[]>;
}

/**
 * The Hubble metrics of Cilium's metric registry (`pkg/hubble/metrics`, the same names in 1.18, 1.19 and 1.20; see
 * https://docs.cilium.io/en/stable/observability/metrics/#hubble-exported-metrics).
 */
export const HUBBLE_METRIC_NAMES = [
  'dns', 'drop', 'flow', 'flows-to-world', 'http', 'httpV2', 'icmp', 'kafka', 'policy', 'port-distribution', 'tcp',
] as const;

/** A Hubble metric name (see {@link HUBBLE_METRIC_NAMES}). */
export type HubbleMetricName = typeof HUBBLE_METRIC_NAMES[number];

/**
 * The boolean options of Cilium's Hubble metric handlers and how each handler reads them. Cilium splits an option
 * at the first `=` and gives a bare `key` the value "" (`pkg/hubble/metrics/api/options.go` ParseOptions); a
 * `presence` option is on when the key is there at all (dns `query`/`ignoreAAAA`, `pkg/hubble/metrics/dns/handler.go`;
 * flows-to-world `any-drop`/`port`/`syn-only`, `flows-to-world/handler.go`), a `value` option only when its value is
 * exactly `true` (`exemplars`: `options["exemplars"] == "true"`, `pkg/hubble/metrics/http/handler.go`, used by `http`
 * and `httpV2`). Same in Cilium 1.18-1.20.
 */
export const HUBBLE_METRIC_BOOLEAN_OPTIONS: Readonly<Partial<Record<HubbleMetricName, Readonly<Record<string, 'presence' | 'value'>>>>> = {
  'dns': { query: 'presence', ignoreAAAA: 'presence' },
  'flows-to-world': { 'any-drop': 'presence', 'port': 'presence', 'syn-only': 'presence' },
  'http': { exemplars: 'value' },
  'httpV2': { exemplars: 'value' },
};

/**
 * Hubble's static flow exporter (Helm `hubble.export.static`, the same keys in Cilium 1.18-1.20): each agent writes
 * flows as JSON lines to a file on its node, rotated by size. Given as an object, it is enabled.
 */
export interface HubbleFlowExportOptions {
  /** File the agent writes (inside the agent container). @default '/var/run/cilium/hubble/events.log' */
  readonly filePath?: string;
  /** Flow fields to keep (`fieldMask`), e.g. ['time', 'source', 'destination', 'verdict']. @default - every field */
  readonly fieldMask?: string[];
  /** Export only flows matching one of these Hubble flow filters (`allowList`), e.g. [{ verdict: ['DROPPED'] }]. @default - every flow */
  readonly allowList?: Record<string, unknown>[];
  /** Drop flows matching one of these filters (`denyList`), e.g. [{ source_pod: ['kube-system/'] }]. @default - none */
  readonly denyList?: Record<string, unknown>[];
  /** Rotate the file at this size, in MB (1-1024). @default 10 */
  readonly fileMaxSizeMb?: number;
  /** Rotated files kept (0-100). @default 5 */
  readonly fileMaxBackups?: number;
}

/** Hubble observability settings. */
export interface HubbleOptions {
  /** @default true */
  readonly enabled?: boolean;
  /** Deploy hubble-relay. @default true */
  readonly relay?: boolean;
  /** Deploy hubble-ui. It needs hubble-relay: `ui: true` with `relay: false` is rejected. @default - same as relay */
  readonly ui?: boolean;
  /**
   * Hubble metrics to enable (Helm `hubble.metrics.enabled`, a list): typed ({@link HubbleMetric}) or Cilium's own
   * strings (`'dns:query;ignoreAAAA'`). Names outside Cilium's registry are refused (the agent would fail to start:
   * "metric ... does not exist"), as are duplicates and `http` together with `httpV2` (they register the same series).
   * @default ['dns','drop','tcp','flow','icmp','httpV2']
   */
  readonly metrics?: (string | HubbleMetric)[];
  /** Serve the metrics in OpenMetrics format (`hubble.metrics.enableOpenMetrics`; needed for exemplars). @default false */
  readonly openMetrics?: boolean;
  /** Export flows to a file on each node (`hubble.export.static`). @default - no export */
  readonly export?: HubbleFlowExportOptions;
}

/** Hubble settings with every default applied; metrics are Cilium's strings. */
export interface ResolvedHubbleOptions {
  readonly enabled: boolean;
  readonly relay: boolean;
  readonly ui: boolean;
  /** Cilium metric strings, e.g. `dns:query;ignoreAAAA`. */
  readonly metrics: string[];
  readonly openMetrics: boolean;
  /** The static exporter; undefined when flows are not exported. */
  readonly export?: Required<Omit<HubbleFlowExportOptions, 'allowList' | 'denyList'>> & { readonly allowList: string[]; readonly denyList: string[] };
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
   * Helm (its chart default included).
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

/** Default Hubble metrics (Helm `hubble.metrics.enabled` is a list in Cilium 1.18). */
export const DEFAULT_HUBBLE_METRICS = ['dns', 'drop', 'tcp', 'flow', 'icmp', 'httpV2'];

/** The role label the apply step gives every worker unless `workerLabels` gives it a value. */
const DEFAULT_WORKER_ROLE_LABEL = `${NODE_ROLE_LABEL_PREFIX}worker`;

/**
 * Cluster names accepted by every consumer: Cilium's `cluster.name` (at most 32 lower-case alphanumerics
 * or '-', alphanumeric at both ends), kind (`^[a-z0-9.-]+$`), docker container names and file names.
 */
const CLUSTER_NAME_RE = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** Pod range the controller-manager hands each node (kubeadm's default `node-cidr-mask-size` for IPv4). */
const NODE_POD_CIDR_PREFIX = 24;
/** kubeadm: the node mask may be at most 16 bits longer than the pod subnet mask (PodSubnetNodeMaskMaxDiff). */
const POD_SUBNET_MIN_PREFIX = NODE_POD_CIDR_PREFIX - 16;
/** kubeadm: "specified service subnet is too large" below /12 (MaximumBitsForServiceSubnet = 20). */
const SERVICE_SUBNET_MIN_PREFIX = 12;
/** kubeadm gives kube-dns the 10th address of the service subnet, so it needs at least 16 addresses. */
const SERVICE_SUBNET_MAX_PREFIX = 28;
/** Largest Cilium `cluster.id` with the default `clustermesh.maxConnectedClusters` (255). */
const CILIUM_MAX_CLUSTER_ID = 255;
/** client-go leader election: renewDeadline must exceed retryPeriod x JitterFactor. */
const LEADER_ELECTION_JITTER = 1.2;

// Every key of each props object, so that a key JavaScript/JSON callers misspell is refused (rule `unknown-prop`).
const CLUSTER_PROPS = propKeys<ClusterSpecProps>()(
  'clusterName', 'nodeImage', 'kubernetesVersion', 'kindRelease', 'controlPlaneNodes', 'workers', 'workerLabels', 'podSubnet',
  'serviceSubnet', 'dnsDomain', 'dockerNetworkSubnet', 'apiServerPort', 'kubeProxyReplacement', 'routingMode', 'tunnelProtocol',
  'ciliumVersion', 'hubble', 'hostPortMappings', 'l2Announcements', 'devices', 'masquerade', 'loadBalancer', 'operatorReplicas',
  'ciliumCluster', 'imagePullPolicy', 'versions', 'ciliumValuesOverrides', 'gitops', 'kindConfig', 'localRegistry');
const HUBBLE_PROPS = propKeys<HubbleOptions>()('enabled', 'relay', 'ui', 'metrics', 'openMetrics', 'export');
const HUBBLE_METRIC_PROPS = propKeys<HubbleMetric>()('name', 'options');
const HUBBLE_EXPORT_PROPS = propKeys<HubbleFlowExportOptions>()('filePath', 'fieldMask', 'allowList', 'denyList', 'fileMaxSizeMb', 'fileMaxBackups');
const HOST_PORT_MAPPING_PROPS = propKeys<HostPortMapping>()('containerPort', 'hostPort', 'listenAddress', 'protocol');
const L2_ANNOUNCEMENT_PROPS = propKeys<L2AnnouncementOptions>()('enabled', 'leaseDuration', 'leaseRenewDeadline', 'leaseRetryPeriod');
const MASQUERADE_PROPS = propKeys<MasqueradeOptions>()('bpf', 'ipMasqAgent', 'nonMasqueradeCidrs');
const LOAD_BALANCER_PROPS = propKeys<LoadBalancerOptions>()('acceleration', 'mode', 'dsrDispatch');
const CILIUM_CLUSTER_PROPS = propKeys<CiliumClusterOptions>()('name', 'id', 'maxConnectedClusters');
/** Keys of {@link ComponentVersionInput} that live under `versions` in {@link ClusterSpecProps}. */
const VERSION_PROPS = propKeys<VersionOptions>()('gatewayApi', 'certManager', 'allowUnsupportedPair', 'allowPreRelease');

// ------------------------------------------------------------------------------------------------
// Input guards. JavaScript and JSON callers can pass any type; every guard answers a wrong type with
// a PlatformConfigError naming the field (never a TypeError, never a silent coercion).
// `undefined` means "not given" (the default applies); `null` is a wrong type like any other.
// ------------------------------------------------------------------------------------------------

/** A short, safe description of a value of the wrong type, for messages. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return `the string ${JSON.stringify(value)}`;
    case 'number': return `the number ${value}`;
    case 'boolean': return `the boolean ${value}`;
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

function wrongType(field: string, value: unknown, expected: string, fix: string): never {
  return invalid('invalid-type', field, `is ${describeValue(value)}, not ${expected}`, fix);
}


/**
 * An optional group of options (`hubble`, `masquerade`, ...): undefined when not given. With `known`, a key
 * outside it is refused (rule `unknown-prop`); `what` names the group in that message (default: the last
 * segment of `field`).
 */
function optionalObject<T extends object>(field: string, value: T | undefined, example: string, known?: readonly string[],
  what = field.slice(field.lastIndexOf('.') + 1), hints: Readonly<Record<string, string>> = {}): Partial<T> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) wrongType(field, value, 'an object', `write it as an object, e.g. ${example}, or leave it out for the defaults`);
  if (known) rejectUnknownKeys(field, value, known, what, hints);
  return value as Partial<T>;
}

function bool(field: string, value: unknown, defaultValue: boolean): boolean {
  if (value === undefined) return defaultValue;
  if (typeof value !== 'boolean') wrongType(field, value, 'a boolean', 'write true or false without quotes');
  return value as boolean;
}

function text(field: string, value: unknown, defaultValue: string | undefined, fix: string): string {
  if (value === undefined && defaultValue !== undefined) return defaultValue;
  if (typeof value !== 'string') wrongType(field, value, 'a string', fix);
  return value as string;
}

function integer(field: string, value: unknown, defaultValue: number | undefined, min: number, max: number, fix: string): number {
  if (value === undefined && defaultValue !== undefined) return defaultValue;
  if (typeof value !== 'number') wrongType(field, value, 'a number', `write it as a number without quotes; ${fix}`);
  const n = value as number;
  if (!Number.isInteger(n) || n < min || n > max) {
    invalid('invalid-number', field, `${n} is not an integer between ${min} and ${max}`, fix);
  }
  return n;
}

function port(field: string, value: unknown, defaultValue?: number): number {
  return integer(field, value, defaultValue, 1, 65535, 'use a TCP/UDP port number between 1 and 65535');
}

function oneOf<T extends string>(rule: string, field: string, value: unknown, allowed: readonly T[], defaultValue: T, what: string): T {
  if (value === undefined) return defaultValue;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalid(rule, field, typeof value === 'string' ? `"${value}" is not ${what}` : `is ${describeValue(value)}, not ${what}`,
      `use ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

function list(field: string, value: unknown, defaultValue: readonly unknown[], fix: string): unknown[] {
  if (value === undefined) return [...defaultValue];
  if (!Array.isArray(value)) wrongType(field, value, 'a list', fix);
  return [...(value as unknown[])];
}

function stringList(field: string, value: unknown, defaultValue: readonly string[], fix: string): string[] {
  return list(field, value, defaultValue, fix).map((item, i) => text(`${field}[${i}]`, item, undefined, fix));
}

function stringRecord(field: string, value: unknown, fix: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) wrongType(field, value, 'an object of string keys and values', fix);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = text(`${field}["${key}"]`, item, undefined, fix);
  }
  return out;
}

/** An IPv4 CIDR prop; `example` is what the fix names (an accepted value: see {@link subnetExample}). */
function cidr(field: string, value: unknown, defaultValue: string | undefined, example: string): Ipv4Cidr {
  const fix = `give an IPv4 network address with prefix length, e.g. ${example} (IPv6 and dual-stack are not supported yet)`;
  const parsed = parseIpv4Cidr(text(field, value, defaultValue, fix));
  if (typeof parsed === 'string') invalid('invalid-cidr', field, parsed, fix);
  return parsed;
}

function duration(field: string, value: unknown, defaultValue: string): string {
  const d = text(field, value, defaultValue, 'write it as a Go duration string like 3s, 500ms or 1m30s');
  if (parseGoDuration(d) === undefined) {
    invalid('invalid-duration', field, `"${d}" is not a Go duration`, 'write it like 3s, 500ms or 1m30s');
  }
  return d;
}


/** The prefix of field names before the name is checked: the cluster name when it is valid, else `props`. */
function descriptionField(props: ClusterSpecProps): string {
  try {
    return typeof props.clusterName === 'string' && CLUSTER_NAME_RE.test(props.clusterName) ? props.clusterName : 'props';
  } catch {
    return 'props';
  }
}

/** Applies defaults and checks every single field. Cross-object rules live in `src/rules`. */
export function resolveClusterSpec(input: ClusterSpecProps): ClusterSpec {
  if (!isPlainObject(input)) {
    wrongType('props', input, 'an object', 'pass the cluster description as an object, e.g. { clusterName: "dev" }');
  }
  // The description is plain data through and through (overrides included): one check, then a copy no getter or later change reaches.
  const props = checkPlainData(descriptionField(input), input);
  const name = props.clusterName;
  const validName = typeof name === 'string' && CLUSTER_NAME_RE.test(name);
  // Unknown keys first, so a misspelt key (`clustername`) is named rather than reported as a missing value.
  rejectUnknownKeys(validName ? name : 'props', props, CLUSTER_PROPS, 'KindCiliumCluster');
  if (!validName) {
    invalid('invalid-cluster-name', 'clusterName',
      typeof name === 'string' ? `"${name}" is not a valid cluster name` : `is ${describeValue(name)}, not a cluster name`,
      'use 1-32 lowercase letters, digits or "-", starting and ending with a letter or digit (Cilium\'s cluster.name allows no more; '
      + 'the name also becomes the kind cluster, the docker containers <name>-control-plane, the output files and the kubectl context kind-<name>)');
  }
  const f = (field: string) => `${name}.${field}`;

  const controlPlaneNodes = integer(f('controlPlaneNodes'), props.controlPlaneNodes, 1, 1, 5,
    'kind needs at least one control-plane node; use 1 (or 3 for an HA control plane)');
  const workers = integer(f('workers'), props.workers, 1, 0, 50, 'use 0-50 worker nodes');
  const nodes = controlPlaneNodes + workers;

  const labelFix = 'use a qualified key (prefix/name) and a string value of at most 63 alphanumerics, "-", "_" or "."';
  const allWorkerLabels = stringRecord(f('workerLabels'), props.workerLabels, labelFix);
  const workerLabels: Record<string, string> = {};
  const nodeRoleLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(allWorkerLabels)) {
    if (!LABEL_KEY_RE.test(key) || !LABEL_VALUE_RE.test(value)) {
      invalid('invalid-node-label', f(`workerLabels["${key}"]`), `"${key}=${value}" is not a valid Kubernetes label`, labelFix);
    }
    if (key.startsWith(NODE_ROLE_LABEL_PREFIX)) {
      // The kubelet may not self-assign node-role labels (NodeRestriction): the apply step sets them.
      nodeRoleLabels[key] = value;
      continue;
    }
    if (kubeletRefusesLabel(key)) {
      invalid('kubelet-restricted-label', f(`workerLabels["${key}"]`),
        `the kubelet refuses to self-assign "${key}" via --node-labels, so the node would never join`,
        `use a label under node.kubernetes.io/ or your own prefix; ${NODE_ROLE_LABEL_PREFIX}<role> labels are applied after creation by the generated apply script`);
    }
    workerLabels[key] = value;
  }
  if (!Object.keys(nodeRoleLabels).some((k) => k === DEFAULT_WORKER_ROLE_LABEL)) nodeRoleLabels[DEFAULT_WORKER_ROLE_LABEL] = '';

  const podExample = subnetExample('podSubnet', props);
  const podSubnet = cidr(f('podSubnet'), props.podSubnet, '10.244.0.0/16', podExample);
  // kubeadm (run by kind) hands every node a /24 of the pod subnet and validates the sizes up front.
  if (podSubnet.prefix > NODE_POD_CIDR_PREFIX) {
    invalid('pod-subnet-too-small', f('podSubnet'),
      `${podSubnet.cidr} is smaller than the /${NODE_POD_CIDR_PREFIX} pod range kubeadm gives each node, so \`kind create cluster\` fails`,
      `use a /${NODE_POD_CIDR_PREFIX} or larger pod subnet, e.g. ${podExample}`);
  }
  if (podSubnet.prefix < POD_SUBNET_MIN_PREFIX) {
    invalid('pod-subnet-too-large', f('podSubnet'),
      `${podSubnet.cidr} is larger than kubeadm allows (at most 16 bits between the pod subnet and the node /${NODE_POD_CIDR_PREFIX} ranges)`,
      `use a pod subnet between /${POD_SUBNET_MIN_PREFIX} and /${NODE_POD_CIDR_PREFIX}, e.g. ${podExample}`);
  }
  const nodeRanges = 2 ** (NODE_POD_CIDR_PREFIX - podSubnet.prefix);
  if (nodeRanges < nodes) {
    const needed = NODE_POD_CIDR_PREFIX - Math.ceil(Math.log2(nodes));
    invalid('pod-subnet-too-small', f('podSubnet'),
      `${podSubnet.cidr} holds ${nodeRanges} node pod range(s) of /${NODE_POD_CIDR_PREFIX} but the cluster has ${nodes} nodes; the nodes without a range never become Ready`,
      `use a /${needed} or larger pod subnet (e.g. ${podExample}), or fewer nodes`);
  }
  const serviceExample = subnetExample('serviceSubnet', props);
  const serviceSubnet = cidr(f('serviceSubnet'), props.serviceSubnet, '10.96.0.0/16', serviceExample);
  if (serviceSubnet.prefix < SERVICE_SUBNET_MIN_PREFIX) {
    invalid('service-subnet-too-large', f('serviceSubnet'),
      `${serviceSubnet.cidr} is larger than kubeadm allows ("specified service subnet is too large": the mask must be /${SERVICE_SUBNET_MIN_PREFIX} or longer)`,
      `use a service subnet between /${SERVICE_SUBNET_MIN_PREFIX} and /${SERVICE_SUBNET_MAX_PREFIX}, e.g. ${serviceExample}`);
  }
  if (serviceSubnet.prefix > SERVICE_SUBNET_MAX_PREFIX) {
    invalid('service-subnet-too-small', f('serviceSubnet'),
      `${serviceSubnet.cidr} is too small: kubeadm gives the cluster DNS Service the 10th address of the service subnet`,
      `use a service subnet between /${SERVICE_SUBNET_MIN_PREFIX} and /${SERVICE_SUBNET_MAX_PREFIX}, e.g. ${serviceExample}`);
  }
  const dockerNetworkSubnet = cidr(f('dockerNetworkSubnet'), props.dockerNetworkSubnet, '172.18.0.0/16',
    `${subnetExample('dockerNetworkSubnet', props)} (the IPv4 subnet \`docker network inspect kind\` reports)`);

  const dnsDomain = text(f('dnsDomain'), props.dnsDomain, 'cluster.local', 'write the domain as a string, e.g. cluster.local');
  if (!DNS_SUBDOMAIN_RE.test(dnsDomain) || dnsDomain.length > 253) {
    invalid('invalid-dns-domain', f('dnsDomain'), `"${dnsDomain}" is not a DNS domain`, 'use lowercase labels separated by dots, e.g. cluster.local');
  }

  // kind accepts 0 (a random free port), like hostPortMappings[].hostPort.
  const apiServerPort = props.apiServerPort === undefined ? undefined
    : integer(f('apiServerPort'), props.apiServerPort, undefined, 0, 65535, 'use a TCP port between 1 and 65535, or 0 for a random free one');
  const kubeProxyReplacement = bool(f('kubeProxyReplacement'), props.kubeProxyReplacement, true);
  const routingMode = oneOf<RoutingMode>('invalid-routing-mode', f('routingMode'), props.routingMode, ['tunnel', 'native'], 'tunnel', 'a routing mode');
  if (routingMode === 'native' && props.tunnelProtocol !== undefined) {
    invalid('tunnel-protocol-needs-tunnel', f('tunnelProtocol'), `is "${String(props.tunnelProtocol)}" but routingMode is native, which uses no tunnel`,
      'drop tunnelProtocol, or set routingMode: tunnel');
  }
  const tunnelProtocol = routingMode === 'tunnel'
    ? oneOf<TunnelProtocol>('invalid-tunnel-protocol', f('tunnelProtocol'), props.tunnelProtocol, ['vxlan', 'geneve'], 'vxlan', 'a tunnel protocol')
    : undefined;

  const resolved = resolveVersions(name, props);

  const hubbleProps = optionalObject(f('hubble'), props.hubble, '{ relay: true, ui: true }', HUBBLE_PROPS) ?? {};
  const hubbleEnabled = bool(f('hubble.enabled'), hubbleProps.enabled, true);
  const relay = bool(f('hubble.relay'), hubbleProps.relay, true);
  const ui = bool(f('hubble.ui'), hubbleProps.ui, relay);
  const metrics = hubbleMetrics(f('hubble.metrics'), hubbleProps.metrics);
  const openMetrics = bool(f('hubble.openMetrics'), hubbleProps.openMetrics, false);
  const flowExport = hubbleExport(f('hubble.export'), hubbleProps.export);
  if (hubbleEnabled && ui && !relay) {
    invalid('hubble-ui-needs-relay', f('hubble.ui'),
      'hubble-ui reads flows from hubble-relay, but relay is false; the Cilium chart refuses to install hubble-ui without hubble.relay.enabled',
      'set hubble.relay: true (the default), or hubble.ui: false');
  }
  const hubble: ResolvedHubbleOptions = {
    enabled: hubbleEnabled,
    relay: hubbleEnabled && relay,
    ui: hubbleEnabled && ui,
    metrics: hubbleEnabled ? metrics : [],
    openMetrics: hubbleEnabled && openMetrics,
    ...(hubbleEnabled && flowExport ? { export: flowExport } : {}),
  };

  const mappingFix = 'list port mappings as objects, e.g. [{ containerPort: 30080, hostPort: 8080 }]';
  const hostPortMappings = list(f('hostPortMappings'), props.hostPortMappings, [], mappingFix).map((item, i) => {
    const field = f(`hostPortMappings[${i}]`);
    if (!isPlainObject(item)) wrongType(field, item, 'an object', mappingFix);
    rejectUnknownKeys(field, item, HOST_PORT_MAPPING_PROPS, 'host port mapping');
    const m = item as Partial<HostPortMapping>;
    const listenAddress = text(`${field}.listenAddress`, m.listenAddress, '127.0.0.1', 'write the address as a string, e.g. "127.0.0.1"');
    if (parseIpv4(listenAddress) === undefined && !isIpv6Address(listenAddress)) {
      invalid('invalid-listen-address', `${field}.listenAddress`, `"${listenAddress}" is not an IP address`,
        'use 127.0.0.1 (default, host only), 0.0.0.0 or :: to expose on every interface, or another IPv4/IPv6 address of the host');
    }
    const protocol = oneOf('invalid-protocol', `${field}.protocol`, m.protocol, ['TCP', 'UDP', 'SCTP'] as const, 'TCP', 'a port-mapping protocol');
    const containerPort = port(`${field}.containerPort`, m.containerPort);
    const hostPort = integer(`${field}.hostPort`, m.hostPort, containerPort, 0, 65535,
      'use a host port between 1 and 65535, or 0 for a random free port chosen by kind');
    return { containerPort, hostPort, listenAddress, protocol };
  });

  const l2Props = optionalObject(f('l2Announcements'), props.l2Announcements, '{ enabled: true }', L2_ANNOUNCEMENT_PROPS);
  const l2Announcements: Required<L2AnnouncementOptions> = {
    enabled: l2Props ? bool(f('l2Announcements.enabled'), l2Props.enabled, true) : false,
    leaseDuration: duration(f('l2Announcements.leaseDuration'), l2Props?.leaseDuration, '3s'),
    leaseRenewDeadline: duration(f('l2Announcements.leaseRenewDeadline'), l2Props?.leaseRenewDeadline, '1s'),
    leaseRetryPeriod: duration(f('l2Announcements.leaseRetryPeriod'), l2Props?.leaseRetryPeriod, '200ms'),
  };
  checkLeaseTimings(f('l2Announcements'), l2Announcements);

  const devices = stringList(f('devices'), props.devices, ['eth0'], 'list the device names, e.g. ["eth0"]');
  if (devices.length === 0 || devices.some((d) => !/^[A-Za-z0-9_.+*-]{1,15}$/.test(d))) {
    invalid('invalid-devices', f('devices'), `${JSON.stringify(devices)} is not a list of network device names`,
      'list the node interfaces Cilium should attach to, e.g. ["eth0"] on kind (a trailing "+" matches a prefix, as in Cilium)');
  }

  const masqueradeProps = optionalObject(f('masquerade'), props.masquerade, '{ bpf: true }', MASQUERADE_PROPS) ?? {};
  const masquerade: Required<MasqueradeOptions> = {
    bpf: bool(f('masquerade.bpf'), masqueradeProps.bpf, false),
    ipMasqAgent: bool(f('masquerade.ipMasqAgent'), masqueradeProps.ipMasqAgent, false),
    nonMasqueradeCidrs: list(f('masquerade.nonMasqueradeCidrs'), masqueradeProps.nonMasqueradeCidrs, [podSubnet.cidr, dockerNetworkSubnet.cidr],
      'list CIDRs as strings, e.g. ["10.244.0.0/16", "172.18.0.0/16"]')
      .map((c, i) => cidr(f(`masquerade.nonMasqueradeCidrs[${i}]`), c, undefined, podSubnet.cidr).cidr),
  };

  const loadBalancerProps = optionalObject(f('loadBalancer'), props.loadBalancer, '{ mode: "snat" }', LOAD_BALANCER_PROPS) ?? {};
  const acceleration = oneOf('invalid-acceleration', f('loadBalancer.acceleration'), loadBalancerProps.acceleration,
    ['disabled', 'native', 'best-effort'] as const, 'disabled', 'an XDP acceleration mode');
  const mode = oneOf('invalid-lb-mode', f('loadBalancer.mode'), loadBalancerProps.mode, ['snat', 'dsr', 'hybrid'] as const, 'snat', 'a load-balancer mode');
  const dsrDispatch = loadBalancerProps.dsrDispatch === undefined ? undefined
    : oneOf('invalid-dsr-dispatch', f('loadBalancer.dsrDispatch'), loadBalancerProps.dsrDispatch, ['opt', 'ipip', 'geneve'] as const, 'opt', 'a DSR dispatch mode');

  const operatorReplicas = integer(f('operatorReplicas'), props.operatorReplicas, 1, 1, 3,
    'use 1 on a small kind cluster (2 needs two nodes that can host the operator)');
  if (operatorReplicas > nodes) {
    invalid('operator-replicas-exceed-nodes', f('operatorReplicas'),
      `${operatorReplicas} cilium-operator replicas need ${operatorReplicas} nodes (the chart's required pod anti-affinity allows one per node) but the cluster has ${nodes}; the rest stay Pending`,
      `use operatorReplicas: ${nodes} or fewer, or add workers`);
  }

  const ciliumClusterProps = optionalObject(f('ciliumCluster'), props.ciliumCluster, '{ name: "kind-lab", id: 1 }', CILIUM_CLUSTER_PROPS) ?? {};
  const ciliumClusterName = text(f('ciliumCluster.name'), ciliumClusterProps.name, name, 'write the name as a string, e.g. "kind-lab"');
  if (!CLUSTER_NAME_RE.test(ciliumClusterName)) {
    invalid('invalid-cluster-name', f('ciliumCluster.name'), `"${ciliumClusterName}" is not a valid Cilium cluster.name`,
      'use 1-32 lowercase letters, digits or "-", starting and ending with a letter or digit (Cilium refuses longer names)');
  }
  const maxConnectedClusters = ciliumClusterProps.maxConnectedClusters ?? CILIUM_MAX_CLUSTER_ID;
  if (maxConnectedClusters !== 255 && maxConnectedClusters !== 511) {
    invalid('invalid-max-connected-clusters', f('ciliumCluster.maxConnectedClusters'),
      `${JSON.stringify(maxConnectedClusters)} is not accepted by the Cilium chart (it fails unless clustermesh.maxConnectedClusters is 255 or 511)`,
      'use 255 (the default) or 511');
  }
  const ciliumClusterId = integer(f('ciliumCluster.id'), ciliumClusterProps.id, 0, 0, maxConnectedClusters,
    `use 0 (no Cluster Mesh) or 1-${maxConnectedClusters}, unique per cluster of a mesh${maxConnectedClusters === 255 ? ' (ids up to 511 need maxConnectedClusters: 511)' : ''}`);
  if (ciliumClusterId !== 0 && ciliumClusterName === 'default') {
    invalid('cilium-cluster-id-needs-name', f('ciliumCluster.id'),
      `${ciliumClusterId} is set while cluster.name is "default"; the Cilium agent refuses a non-zero cluster ID with the default name`,
      'give ciliumCluster.name a name of its own, or leave the id at 0');
  }
  const imagePullPolicy = props.imagePullPolicy === undefined ? undefined
    : oneOf<ImagePullPolicy>('invalid-pull-policy', f('imagePullPolicy'), props.imagePullPolicy, ['Always', 'IfNotPresent', 'Never'], 'IfNotPresent', 'an image pull policy');

  const ciliumValuesOverrides = optionalObject(f('ciliumValuesOverrides'), props.ciliumValuesOverrides, '{ operator: { rollOutPods: true } }') ?? {};
  const gitops = resolveGitOps(f('gitops'), props.gitops);
  const kindConfig = resolveKindConfigOptions(f('kindConfig'), props.kindConfig,
    { controlPlaneNodes, workers, kubeadmApiVersion: resolved.kubeadmApiVersion, workerLabels });
  const localRegistry = resolveLocalRegistry(f('localRegistry'), props.localRegistry);

  return {
    clusterName: name,
    nodeImage: resolved.nodeImage,
    kindRelease: resolved.kindRelease,
    kubernetesVersion: resolved.kubernetesVersion,
    kubeadmApiVersion: resolved.kubeadmApiVersion,
    controlPlaneNodes,
    workers,
    workerLabels,
    nodeRoleLabels,
    podSubnet,
    serviceSubnet,
    dnsDomain,
    dockerNetworkSubnet,
    apiServerPort,
    kubeProxyReplacement,
    routingMode,
    ...(tunnelProtocol ? { tunnelProtocol } : {}),
    ciliumVersion: resolved.ciliumVersion,
    ciliumMinor: resolved.ciliumMinor,
    hubble,
    hostPortMappings,
    l2Announcements,
    devices,
    masquerade,
    loadBalancer: { acceleration, mode, ...(dsrDispatch ? { dsrDispatch } : {}) },
    operatorReplicas,
    ciliumCluster: { name: ciliumClusterName, id: ciliumClusterId, maxConnectedClusters },
    ...(imagePullPolicy ? { imagePullPolicy } : {}),
    versions: resolved.versions,
    ciliumValuesOverrides,
    ...(gitops ? { gitops } : {}),
    kindConfig,
    ...(localRegistry ? { localRegistry } : {}),
  };
}

/** The version props that are cluster props, not `versions` keys. */
const TOP_LEVEL_VERSION_PROPS = ['ciliumVersion', 'kubernetesVersion', 'kindRelease', 'nodeImage'] as const;

/** Fixes for a top-level version prop written inside `versions` (e.g. `versions: { ciliumVersion: '1.18.12' }`). */
function topLevelVersionHints(versions: unknown): Record<string, string> {
  const given = isPlainObject(versions) ? versions as Record<string, unknown> : {};
  return Object.fromEntries(TOP_LEVEL_VERSION_PROPS.map((key) => [key,
    `move it to the top-level ${key}: { ${key}: ${JSON.stringify(given[key] ?? '...')}, ... } next to clusterName `
    + `(versions holds only ${VERSION_PROPS.join(', ')})`]));
}

/**
 * The version matrix names its flat input keys (`gatewayApi`, `allowUnsupportedPair: true`); on the cluster
 * props those three live under `versions`, so messages name them as the user writes them.
 */
function nestVersionKeys(message: string): string {
  return message.replace(new RegExp(`(?<![.\\w])(${VERSION_PROPS.join('|')})\\b`, 'g'), 'versions.$1');
}

/**
 * Checks and resolves every version choice with the version matrix (`resolveComponentVersions`), so all
 * version violations are reported together, each with a fix naming a valid combination.
 */
function resolveVersions(name: string, props: ClusterSpecProps) {
  const f = (field: string) => `${name}.${field}`;
  const versionText = (field: string, value: unknown, example: string) =>
    (value === undefined ? undefined : text(f(field), value, undefined, `write it as a string, e.g. "${example}"`));
  const versionsProps = optionalObject(f('versions'), props.versions, `{ certManager: "${DEFAULT_CERT_MANAGER_VERSION}" }`, VERSION_PROPS,
    'versions', topLevelVersionHints(props.versions)) ?? {};
  const input: ComponentVersionInput = {
    ciliumVersion: versionText('ciliumVersion', props.ciliumVersion, DEFAULT_CILIUM_VERSION),
    kubernetesVersion: versionText('kubernetesVersion', props.kubernetesVersion, '1.36'),
    kindRelease: versionText('kindRelease', props.kindRelease, 'v0.33'),
    nodeImage: versionText('nodeImage', props.nodeImage, 'kindest/node:v1.36.4@sha256:<digest>'),
    gatewayApi: versionText('versions.gatewayApi', versionsProps.gatewayApi, 'v1.6.1'),
    certManager: versionText('versions.certManager', versionsProps.certManager, DEFAULT_CERT_MANAGER_VERSION),
    allowUnsupportedPair: bool(f('versions.allowUnsupportedPair'), versionsProps.allowUnsupportedPair, false),
    allowPreRelease: bool(f('versions.allowPreRelease'), versionsProps.allowPreRelease, false),
  };
  // The Gateway API pairing matters only where the bundle installs Gateway API (a cluster with a Gateway): the rule
  // gateway-api-release-pairs judges it then (gatewayApiPairingViolations); a malformed tag is refused here.
  const result = resolveComponentVersions(input, '');
  const refused = result.ok ? [] : result.violations.filter((v) => !GATEWAY_API_PAIRING_RULE_IDS.includes(v.rule));
  if (refused.length > 0) throw new PlatformConfigError(refused.map((v) => nestedVersionViolation(name, v)));
  const resolvedWithPair = result.ok ? result : resolveComponentVersions({ ...input, gatewayApi: undefined }, '');
  if (!resolvedWithPair.ok) throw new PlatformConfigError(resolvedWithPair.violations.map((v) => nestedVersionViolation(name, v)));
  const r = { ...resolvedWithPair.versions, gatewayApi: input.gatewayApi ?? resolvedWithPair.versions.gatewayApi };
  return {
    ciliumVersion: r.cilium,
    ciliumMinor: r.ciliumMinor,
    nodeImage: r.kindNodeImage,
    kindRelease: r.kindRelease,
    kubernetesVersion: r.kubernetes,
    kubeadmApiVersion: r.kubeadmApiVersion,
    versions: {
      gatewayApi: r.gatewayApi,
      certManager: r.certManager,
      allowUnsupportedPair: input.allowUnsupportedPair === true,
      allowPreRelease: input.allowPreRelease === true,
    },
  };
}

/** A version matrix violation as the user meets it: the field and the messages name `versions.gatewayApi`, not `gatewayApi`. */
function nestedVersionViolation(name: string, v: VersionViolation): Violation & { suggestions: VersionViolation['suggestions'] } {
  return {
    rule: v.rule,
    field: VERSION_PROPS.includes(v.field) ? `${name}.versions.${v.field}` : `${name}.${v.field}`,
    problem: nestVersionKeys(v.problem),
    fix: nestVersionKeys(v.fix),
    suggestions: v.suggestions,
  };
}

/**
 * The Gateway API release of a cluster that installs Gateway API (it has a Gateway) against its Cilium minor: below
 * the operator's hard minimum is refused always, another release than the minor's pair unless
 * `versions.allowUnsupportedPair` (rules `gateway-api-below-cilium-minimum`, `gateway-api-cilium-mismatch`). Each
 * violation carries the first alternative of its fix as a machine-readable suggestion.
 *
 * @param field the cluster's construct path, prefix of the violation field (`dev` gives `dev.versions.gatewayApi`)
 */
export function gatewayApiPairingViolations(spec: ClusterSpec, field: string): Violation[] {
  const found = checkGatewayApi(spec.versions.gatewayApi, ciliumMinorFacts(spec.ciliumMinor), 'gatewayApi', spec.versions.allowUnsupportedPair);
  return found.filter((v) => GATEWAY_API_PAIRING_RULE_IDS.includes(v.rule)).map((v) => {
    const { suggestions, ...nested } = nestedVersionViolation(field, v);
    const [key, value] = Object.entries(suggestions[0] ?? {})[0] ?? [];
    const path = key === undefined ? undefined : VERSION_PROPS.includes(key) ? ['versions', key] : [key];
    return { ...nested, ...(path && value !== undefined ? { suggestion: { target: 'cluster-props' as const, path, value } } : {}) };
  });
}

/**
 * Cilium's L2 announcer runs a client-go leader election per service; its config is rejected unless
 * leaseDuration > leaseRenewDeadline > 1.2 x leaseRetryPeriod and all three are positive.
 */
function checkLeaseTimings(field: string, l2: Required<L2AnnouncementOptions>): void {
  const timings = {
    // Already checked by duration(): the parse cannot fail here.
    leaseDuration: parseGoDuration(l2.leaseDuration)!,
    leaseRenewDeadline: parseGoDuration(l2.leaseRenewDeadline)!,
    leaseRetryPeriod: parseGoDuration(l2.leaseRetryPeriod)!,
  };
  for (const [key, ns] of Object.entries(timings)) {
    if (ns <= 0) invalid('invalid-lease-timing', `${field}.${key}`, `${l2[key as keyof typeof timings]} is not a positive duration`, 'give a duration greater than zero, e.g. 3s');
  }
  if (timings.leaseDuration <= timings.leaseRenewDeadline) {
    invalid('invalid-lease-timing', `${field}.leaseDuration`,
      `${l2.leaseDuration} is not longer than leaseRenewDeadline ${l2.leaseRenewDeadline}; Cilium's leader election rejects the timings and no service is announced`,
      'make leaseDuration > leaseRenewDeadline > 1.2 x leaseRetryPeriod, e.g. 3s, 1s, 200ms (the defaults)');
  }
  if (timings.leaseRenewDeadline <= Math.trunc(LEADER_ELECTION_JITTER * timings.leaseRetryPeriod)) {
    invalid('invalid-lease-timing', `${field}.leaseRenewDeadline`,
      `${l2.leaseRenewDeadline} is not longer than 1.2 x leaseRetryPeriod ${l2.leaseRetryPeriod}; Cilium's leader election rejects the timings and no service is announced`,
      'make leaseDuration > leaseRenewDeadline > 1.2 x leaseRetryPeriod, e.g. 3s, 1s, 200ms (the defaults)');
  }
}

/**
 * Cilium's own metric option syntax: `;` separates options, `=` a value, `:` the name; none may appear inside, and
 * option names and values (label and context names) are visible ASCII: a space, control or line break never is one.
 */
const METRIC_OPTION_TEXT_RE = /^[\x21-\x39\x3c\x3e-\x7e]+$/;

function metricNameCheck(field: string, name: string): void {
  if (!(HUBBLE_METRIC_NAMES as readonly string[]).includes(name)) {
    invalid('unknown-hubble-metric', field, `"${name}" is not a Hubble metric; the Cilium agent fails to start ("metric ... does not exist")`,
      `use one of ${HUBBLE_METRIC_NAMES.join(', ')}`);
  }
}

/**
 * An option the metric's handler reads by value ({@link HUBBLE_METRIC_BOOLEAN_OPTIONS}) must be `true` or `false`:
 * a bare flag or any other value is read as off although it looks on.
 */
function valueReadCheck(field: string, name: string, key: string, value: string | undefined): void {
  if (HUBBLE_METRIC_BOOLEAN_OPTIONS[name as HubbleMetricName]?.[key] !== 'value' || value === 'true' || value === 'false') return;
  invalid('invalid-hubble-metric-option', field,
    `${name} option ${value === undefined ? `"${key}" without a value` : `"${key}=${value}"`} leaves ${key} off: the agent turns it on only for the value "true"`,
    `write ${key}=true (in a typed metric: options: { ${key}: true })`);
}

/** Metrics as Cilium strings: typed metrics rendered, strings checked (name in the registry, no duplicates, not http with httpV2). */
function hubbleMetrics(field: string, value: unknown): string[] {
  const fix = 'list metrics as Cilium strings ("dns:query;ignoreAAAA") or objects ({ name: "dns", options: { query: true } })';
  const items = list(field, value, DEFAULT_HUBBLE_METRICS, fix);
  const names: string[] = [];
  const out = items.map((item, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof item === 'string') {
      const name = item.split(':')[0];
      metricNameCheck(itemField, name);
      names.push(name);
      for (const option of item.slice(name.length + 1).split(';').filter((o) => o !== '')) {
        const [key, ...rest] = option.split('=');
        valueReadCheck(itemField, name, key, rest.length === 0 ? undefined : rest.join('='));
      }
      return item;
    }
    if (!isPlainObject(item)) wrongType(itemField, item, 'a metric string or object', fix);
    rejectUnknownKeys(itemField, item, HUBBLE_METRIC_PROPS, 'Hubble metric');
    const m = item as Partial<HubbleMetric>;
    const name = text(`${itemField}.name`, m.name, undefined, 'name the metric, e.g. { name: "dns" }');
    metricNameCheck(`${itemField}.name`, name);
    names.push(name);
    const options = m.options === undefined ? {} : m.options;
    if (!isPlainObject(options)) wrongType(`${itemField}.options`, options, 'an object', 'write options as an object, e.g. { query: true }');
    const parts = Object.entries(options as Record<string, unknown>).flatMap(([key, option]) => {
      const optionField = `${itemField}.options["${key}"]`;
      const optionFix = 'use true for a flag, a string or a list of strings of visible ASCII without ";", ":", "=" or spaces';
      if (!METRIC_OPTION_TEXT_RE.test(key)) invalid('invalid-hubble-metric-option', optionField, `"${key}" is not a metric option name`, optionFix);
      const readByValue = HUBBLE_METRIC_BOOLEAN_OPTIONS[name as HubbleMetricName]?.[key] === 'value';
      if (option === true) return [readByValue ? `${key}=true` : key];
      if (option === false) return [];
      if (readByValue) valueReadCheck(optionField, name, key, String(option));
      const values = typeof option === 'string' ? [option] : Array.isArray(option) ? option : wrongType(optionField, option, 'true, a string or a list', optionFix);
      values.forEach((x, j) => {
        if (typeof x !== 'string' || !METRIC_OPTION_TEXT_RE.test(x)) {
          invalid('invalid-hubble-metric-option', `${optionField}[${j}]`, `${JSON.stringify(x)} is not a metric option value`, optionFix);
        }
      });
      return [`${key}=${values.join(',')}`];
    });
    return parts.length > 0 ? `${name}:${parts.join(';')}` : name;
  });
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      invalid('duplicate-hubble-metric', `${field}[${i}]`, `"${name}" is listed twice; the agent refuses to register a metric twice`, 'list each metric once, with all its options');
    }
  });
  if (names.includes('http') && names.includes('httpV2')) {
    invalid('duplicate-hubble-metric', `${field}[${names.indexOf('httpV2')}]`, '"http" and "httpV2" are both listed; they are mutually exclusive in Cilium',
      'keep httpV2 (it supersedes http) and drop http');
  }
  return out;
}

function hubbleExport(field: string, value: HubbleFlowExportOptions | undefined): ResolvedHubbleOptions['export'] {
  const props = optionalObject(field, value, '{ filePath: "/var/run/cilium/hubble/events.log" }', HUBBLE_EXPORT_PROPS, 'hubble.export');
  if (props === undefined) return undefined;
  const filters = (key: 'allowList' | 'denyList') => list(`${field}.${key}`, props[key], [], 'list Hubble flow filters as objects, e.g. [{ verdict: ["DROPPED"] }]')
    .map((filter, i) => {
      if (!isPlainObject(filter)) wrongType(`${field}.${key}[${i}]`, filter, 'an object', 'write each filter as an object, e.g. { verdict: ["DROPPED"] }');
      return JSON.stringify(filter);
    });
  const filePath = text(`${field}.filePath`, props.filePath, '/var/run/cilium/hubble/events.log', 'write an absolute path as a string');
  if (!filePath.startsWith('/')) invalid('invalid-path', `${field}.filePath`, `"${filePath}" is not an absolute path`, 'use an absolute path, e.g. /var/run/cilium/hubble/events.log');
  return {
    filePath,
    fieldMask: stringList(`${field}.fieldMask`, props.fieldMask, [], 'list flow field names, e.g. ["time", "source", "destination", "verdict"]'),
    allowList: filters('allowList'),
    denyList: filters('denyList'),
    fileMaxSizeMb: integer(`${field}.fileMaxSizeMb`, props.fileMaxSizeMb, 10, 1, 1024, 'use 1-1024 MB'),
    fileMaxBackups: integer(`${field}.fileMaxBackups`, props.fileMaxBackups, 5, 0, 100, 'use 0-100 rotated files'),
  };
}
