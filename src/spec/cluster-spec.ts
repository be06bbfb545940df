import { invalid } from '../errors';
import {
  CiliumClusterOptions, ClusterSpec, ClusterSpecProps, HostPortMapping, ImagePullPolicy, L2AnnouncementOptions, LoadBalancerOptions,
  MasqueradeOptions, RoutingMode, TunnelProtocol,
} from './cluster-props';
import { resolveVersions } from './cluster-version-props';
import { bool, cidr, describeValue, duration, integer, list, oneOf, optionalObject, port, stringList, stringRecord, text, wrongType } from './field-readers';
import { resolveGitOps } from './gitops';
import { HUBBLE_PROPS, hubbleExport, hubbleMetrics, ResolvedHubbleOptions } from './hubble-options';
import { kubeletRefusesLabel, NODE_ROLE_LABEL_PREFIX, resolveKindConfigOptions } from './kind-node-settings';
import { resolveLocalRegistry } from './local-registry';
import { subnetExample } from './subnet-examples';
import { isIpv6Address, parseIpv4 } from '../private/ipv4';
import { checkPlainData } from '../private/plain-data';
import { propKeys, rejectUnknownKeys } from '../private/props';
import { DNS_SUBDOMAIN_RE, isPlainObject, LABEL_KEY_RE, LABEL_VALUE_RE, parseGoDuration } from '../private/syntax';

// The cluster description's types, its Hubble options and its version props live in files of their own (one concept
// per file); they are re-exported here so `./cluster-spec` stays the one import for the whole description.
export type {
  CiliumClusterOptions, ClusterSpec, ClusterSpecProps, HostPortMapping, ImagePullPolicy, L2AnnouncementOptions, LoadBalancerOptions,
  MasqueradeOptions, RoutingMode, TunnelProtocol, VersionOptions,
} from './cluster-props';
export type { HubbleFlowExportOptions, HubbleMetric, HubbleMetricName, HubbleOptions, ResolvedHubbleOptions } from './hubble-options';
export { DEFAULT_HUBBLE_METRICS, HUBBLE_METRIC_BOOLEAN_OPTIONS, HUBBLE_METRIC_NAMES } from './hubble-options';
export { gatewayApiPairingViolations } from './cluster-version-props';

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
const HOST_PORT_MAPPING_PROPS = propKeys<HostPortMapping>()('containerPort', 'hostPort', 'listenAddress', 'protocol');
const L2_ANNOUNCEMENT_PROPS = propKeys<L2AnnouncementOptions>()('enabled', 'leaseDuration', 'leaseRenewDeadline', 'leaseRetryPeriod');
const MASQUERADE_PROPS = propKeys<MasqueradeOptions>()('bpf', 'ipMasqAgent', 'nonMasqueradeCidrs');
const LOAD_BALANCER_PROPS = propKeys<LoadBalancerOptions>()('acceleration', 'mode', 'dsrDispatch');
const CILIUM_CLUSTER_PROPS = propKeys<CiliumClusterOptions>()('name', 'id', 'maxConnectedClusters');

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
