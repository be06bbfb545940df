import { invalid } from '../errors';
import { Ipv4Cidr, parseIpv4, parseIpv4Cidr } from '../net/ipv4';
import { DEFAULT_CERT_MANAGER_VERSION, DEFAULT_CILIUM_VERSION, DEFAULT_KIND_NODE_IMAGE, GATEWAY_API_FOR_CILIUM, minorOf } from '../versions';

/** How Cilium carries pod traffic between nodes. */
export type RoutingMode = 'tunnel' | 'native';

/** A host port published by the kind control-plane node (docker `-p`). */
export interface HostPortMapping {
  /** Port inside the node container, e.g. a NodePort such as 30080. */
  readonly containerPort: number;
  /** Port on the host. @default - same as containerPort */
  readonly hostPort?: number;
  /** Host address to bind. @default '127.0.0.1' (never all interfaces unless asked) */
  readonly listenAddress?: string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Hubble observability settings. */
export interface HubbleOptions {
  /** @default true */
  readonly enabled?: boolean;
  /** Deploy hubble-relay. @default true */
  readonly relay?: boolean;
  /** Deploy hubble-ui (needs relay). @default true */
  readonly ui?: boolean;
  /** Hubble metrics to enable (Helm `hubble.metrics.enabled`, a list). @default ['dns','drop','tcp','flow','icmp','httpV2'] */
  readonly metrics?: string[];
}

/** Cilium L2 announcements (ARP answers for LoadBalancer IPs) and their lease timings. */
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
  /** `loadBalancer.mode`; dsr/hybrid need native routing. @default 'snat' */
  readonly mode?: 'snat' | 'dsr' | 'hybrid';
}

/** Pinned external releases; the pairing is checked (see the version matrix in the README). */
export interface VersionOptions {
  /** Gateway API CRD release to install before Cilium. @default - the release paired with the Cilium minor (v1.3.0 for 1.18) */
  readonly gatewayApi?: string;
  /** cert-manager release. @default 'v1.19.6' */
  readonly certManager?: string;
  /** Accept a Gateway API / cert-manager release outside the checked matrix. @default false */
  readonly allowUnsupportedPair?: boolean;
}

/** One description of a kind + Cilium cluster. */
export interface ClusterSpecProps {
  /** kind cluster name (`^[a-z0-9.-]+$`); also names the output files and the control-plane node `<name>-control-plane`. */
  readonly clusterName: string;
  /** kind node image, pinned tag@digest. @default kindest/node v1.33.1 pinned by digest */
  readonly nodeImage?: string;
  /** Number of control-plane nodes. @default 1 */
  readonly controlPlaneNodes?: number;
  /** Number of worker nodes. @default 1 */
  readonly workers?: number;
  /** Extra labels for worker nodes (kubelet `--node-labels`; `kubernetes.io`/`k8s.io` prefixes are restricted by the kubelet). */
  readonly workerLabels?: Record<string, string>;
  /** Pod CIDR. @default '10.244.0.0/16' */
  readonly podSubnet?: string;
  /** Service CIDR. @default '10.96.0.0/16' */
  readonly serviceSubnet?: string;
  /** Cluster DNS domain. @default 'cluster.local' */
  readonly dnsDomain?: string;
  /** Subnet of the docker network kind attaches nodes to (`docker network inspect kind`). @default '172.18.0.0/16' */
  readonly dockerNetworkSubnet?: string;
  /** Host port of the API server. @default - kind picks a free port */
  readonly apiServerPort?: number;
  /** Replace kube-proxy with Cilium's eBPF datapath. @default true */
  readonly kubeProxyReplacement?: boolean;
  /** @default 'tunnel' */
  readonly routingMode?: RoutingMode;
  /** Cilium chart version. @default '1.18.4' */
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
  /** cilium-operator replicas. @default 1 */
  readonly operatorReplicas?: number;
  /** External release pins. */
  readonly versions?: VersionOptions;
  /**
   * Escape hatch: values deep-merged over the generated Cilium Helm values. The cross-object rules still
   * check the merged result, so an override cannot silently contradict the kind config.
   */
  readonly ciliumValuesOverrides?: Record<string, unknown>;
}

/** {@link ClusterSpecProps} with every default applied and every field checked. */
export interface ClusterSpec {
  readonly clusterName: string;
  readonly nodeImage: string;
  readonly controlPlaneNodes: number;
  readonly workers: number;
  readonly workerLabels: Record<string, string>;
  readonly podSubnet: Ipv4Cidr;
  readonly serviceSubnet: Ipv4Cidr;
  readonly dnsDomain: string;
  readonly dockerNetworkSubnet: Ipv4Cidr;
  readonly apiServerPort?: number;
  readonly kubeProxyReplacement: boolean;
  readonly routingMode: RoutingMode;
  readonly ciliumVersion: string;
  readonly hubble: Required<HubbleOptions>;
  readonly hostPortMappings: Required<HostPortMapping>[];
  readonly l2Announcements: Required<L2AnnouncementOptions>;
  readonly devices: string[];
  readonly masquerade: Required<MasqueradeOptions>;
  readonly loadBalancer: Required<LoadBalancerOptions>;
  readonly operatorReplicas: number;
  readonly versions: Required<VersionOptions>;
  readonly ciliumValuesOverrides: Record<string, unknown>;
}

/** Default Hubble metrics (Helm `hubble.metrics.enabled` is a list in Cilium 1.18). */
export const DEFAULT_HUBBLE_METRICS = ['dns', 'drop', 'tcp', 'flow', 'icmp', 'httpV2'];

/** Label prefixes the kubelet accepts in `--node-labels` inside the kubernetes.io / k8s.io namespaces. */
const KUBELET_ALLOWED_LABEL_PREFIXES = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];
const KUBELET_ALLOWED_LABELS = [
  'beta.kubernetes.io/arch', 'beta.kubernetes.io/instance-type', 'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'kubernetes.io/arch', 'kubernetes.io/hostname', 'kubernetes.io/os',
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
];
const DURATION_RE = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const LABEL_KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function cidr(field: string, value: string): Ipv4Cidr {
  const parsed = parseIpv4Cidr(value);
  if (typeof parsed === 'string') {
    invalid('invalid-cidr', field, parsed, 'give an IPv4 network address with prefix length, e.g. 10.244.0.0/16 (IPv6 and dual-stack are not supported yet)');
  }
  return parsed;
}

function integer(field: string, value: number, min: number, max: number, fix: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid('invalid-number', field, `${value} is not an integer between ${min} and ${max}`, fix);
  }
  return value;
}

function port(field: string, value: number): number {
  return integer(field, value, 1, 65535, 'use a TCP/UDP port number between 1 and 65535');
}

function duration(field: string, value: string): string {
  if (!DURATION_RE.test(value)) {
    invalid('invalid-duration', field, `"${value}" is not a Go duration`, 'write it like 3s, 500ms or 1m30s');
  }
  return value;
}

/** Applies defaults and checks every single field. Cross-object rules live in `src/rules`. */
export function resolveClusterSpec(props: ClusterSpecProps): ClusterSpec {
  const name = props.clusterName;
  if (typeof name !== 'string' || !/^[a-z0-9]([a-z0-9.-]{0,48}[a-z0-9])?$/.test(name)) {
    invalid('invalid-cluster-name', 'clusterName', `"${name}" is not a valid kind cluster name`,
      'use 1-50 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit (kind requires ^[a-z0-9.-]+$; it also names docker containers and files)');
  }
  const f = (field: string) => `${name}.${field}`;

  const nodeImage = props.nodeImage ?? DEFAULT_KIND_NODE_IMAGE;
  if (!/^[^\s:@]+(:[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}$/.test(nodeImage)) {
    invalid('unpinned-node-image', f('nodeImage'), `"${nodeImage}" is not pinned by digest`,
      'use the exact image from the kind release notes, e.g. kindest/node:v1.33.1@sha256:<digest>; tags alone are rebuilt per kind release');
  }

  const controlPlaneNodes = integer(f('controlPlaneNodes'), props.controlPlaneNodes ?? 1, 1, 5,
    'kind needs at least one control-plane node; use 1 (or 3 for an HA control plane)');
  const workers = integer(f('workers'), props.workers ?? 1, 0, 50, 'use 0-50 worker nodes');

  const workerLabels = { ...(props.workerLabels ?? {}) };
  for (const [key, value] of Object.entries(workerLabels)) {
    if (!LABEL_KEY_RE.test(key) || typeof value !== 'string' || !LABEL_VALUE_RE.test(value)) {
      invalid('invalid-node-label', f(`workerLabels["${key}"]`), `"${key}=${value}" is not a valid Kubernetes label`,
        'use a qualified key (prefix/name) and a string value of at most 63 alphanumerics, "-", "_" or "."');
    }
    const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    const restricted = /(^|\.)(kubernetes\.io|k8s\.io)$/.test(namespace);
    if (restricted && !KUBELET_ALLOWED_LABELS.includes(key) && !KUBELET_ALLOWED_LABEL_PREFIXES.some((p) => key.startsWith(p))) {
      invalid('kubelet-restricted-label', f(`workerLabels["${key}"]`),
        `the kubelet refuses to self-assign "${key}" via --node-labels, so the node would never join`,
        'use a label under node.kubernetes.io/ or your own prefix; node-role.kubernetes.io/worker is applied after creation by the generated apply script');
    }
  }

  const podSubnet = cidr(f('podSubnet'), props.podSubnet ?? '10.244.0.0/16');
  const serviceSubnet = cidr(f('serviceSubnet'), props.serviceSubnet ?? '10.96.0.0/16');
  const dockerNetworkSubnet = cidr(f('dockerNetworkSubnet'), props.dockerNetworkSubnet ?? '172.18.0.0/16');

  const dnsDomain = props.dnsDomain ?? 'cluster.local';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(dnsDomain) || dnsDomain.length > 253) {
    invalid('invalid-dns-domain', f('dnsDomain'), `"${dnsDomain}" is not a DNS domain`, 'use lowercase labels separated by dots, e.g. cluster.local');
  }

  const apiServerPort = props.apiServerPort === undefined ? undefined : port(f('apiServerPort'), props.apiServerPort);

  const routingMode = props.routingMode ?? 'tunnel';
  if (routingMode !== 'tunnel' && routingMode !== 'native') {
    invalid('invalid-routing-mode', f('routingMode'), `"${routingMode}" is not a routing mode`, 'use "tunnel" or "native"');
  }

  const ciliumVersion = props.ciliumVersion ?? DEFAULT_CILIUM_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(ciliumVersion)) {
    invalid('invalid-cilium-version', f('ciliumVersion'), `"${ciliumVersion}" is not a Cilium chart version`, `use a plain semver such as ${DEFAULT_CILIUM_VERSION} (no leading "v")`);
  }

  const hubbleEnabled = props.hubble?.enabled ?? true;
  const hubble: Required<HubbleOptions> = {
    enabled: hubbleEnabled,
    relay: hubbleEnabled && (props.hubble?.relay ?? true),
    ui: hubbleEnabled && (props.hubble?.ui ?? true),
    metrics: hubbleEnabled ? [...(props.hubble?.metrics ?? DEFAULT_HUBBLE_METRICS)] : [],
  };

  const hostPortMappings = (props.hostPortMappings ?? []).map((m, i) => {
    const field = f(`hostPortMappings[${i}]`);
    const listenAddress = m.listenAddress ?? '127.0.0.1';
    if (parseIpv4(listenAddress) === undefined) {
      invalid('invalid-listen-address', `${field}.listenAddress`, `"${listenAddress}" is not an IPv4 address`, 'use 127.0.0.1 (default, host only) or 0.0.0.0 to expose on every interface');
    }
    const protocol = m.protocol ?? 'TCP';
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) {
      invalid('invalid-protocol', `${field}.protocol`, `"${protocol}" is not a port-mapping protocol`, 'use TCP, UDP or SCTP');
    }
    return {
      containerPort: port(`${field}.containerPort`, m.containerPort),
      hostPort: port(`${field}.hostPort`, m.hostPort ?? m.containerPort),
      listenAddress,
      protocol,
    };
  });

  const l2Enabled = props.l2Announcements ? (props.l2Announcements.enabled ?? true) : false;
  const l2Announcements: Required<L2AnnouncementOptions> = {
    enabled: l2Enabled,
    leaseDuration: duration(f('l2Announcements.leaseDuration'), props.l2Announcements?.leaseDuration ?? '3s'),
    leaseRenewDeadline: duration(f('l2Announcements.leaseRenewDeadline'), props.l2Announcements?.leaseRenewDeadline ?? '1s'),
    leaseRetryPeriod: duration(f('l2Announcements.leaseRetryPeriod'), props.l2Announcements?.leaseRetryPeriod ?? '200ms'),
  };

  const devices = [...(props.devices ?? ['eth0'])];
  if (devices.length === 0 || devices.some((d) => typeof d !== 'string' || !/^[A-Za-z0-9_.+*-]{1,15}$/.test(d))) {
    invalid('invalid-devices', f('devices'), `${JSON.stringify(devices)} is not a list of network device names`,
      'list the node interfaces Cilium should attach to, e.g. ["eth0"] on kind (a trailing "+" matches a prefix, as in Cilium)');
  }

  const masquerade: Required<MasqueradeOptions> = {
    bpf: props.masquerade?.bpf ?? false,
    ipMasqAgent: props.masquerade?.ipMasqAgent ?? false,
    nonMasqueradeCidrs: (props.masquerade?.nonMasqueradeCidrs ?? [podSubnet.cidr, dockerNetworkSubnet.cidr])
      .map((c, i) => cidr(f(`masquerade.nonMasqueradeCidrs[${i}]`), c).cidr),
  };

  const acceleration = props.loadBalancer?.acceleration ?? 'disabled';
  if (!['disabled', 'native', 'best-effort'].includes(acceleration)) {
    invalid('invalid-acceleration', f('loadBalancer.acceleration'), `"${acceleration}" is not an XDP acceleration mode`, 'use disabled, native or best-effort');
  }
  const mode = props.loadBalancer?.mode ?? 'snat';
  if (!['snat', 'dsr', 'hybrid'].includes(mode)) {
    invalid('invalid-lb-mode', f('loadBalancer.mode'), `"${mode}" is not a load-balancer mode`, 'use snat, dsr or hybrid');
  }

  const operatorReplicas = integer(f('operatorReplicas'), props.operatorReplicas ?? 1, 1, 3,
    'use 1 on a small kind cluster (2 needs two nodes that can host the operator)');

  const versions: Required<VersionOptions> = {
    gatewayApi: props.versions?.gatewayApi ?? GATEWAY_API_FOR_CILIUM[minorOf(ciliumVersion)] ?? 'unknown',
    certManager: props.versions?.certManager ?? DEFAULT_CERT_MANAGER_VERSION,
    allowUnsupportedPair: props.versions?.allowUnsupportedPair ?? false,
  };

  return {
    clusterName: name,
    nodeImage,
    controlPlaneNodes,
    workers,
    workerLabels,
    podSubnet,
    serviceSubnet,
    dnsDomain,
    dockerNetworkSubnet,
    apiServerPort,
    kubeProxyReplacement: props.kubeProxyReplacement ?? true,
    routingMode,
    ciliumVersion,
    hubble,
    hostPortMappings,
    l2Announcements,
    devices,
    masquerade,
    loadBalancer: { acceleration, mode },
    operatorReplicas,
    versions,
    ciliumValuesOverrides: props.ciliumValuesOverrides ?? {},
  };
}
