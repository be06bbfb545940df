import { parseIpv4Cidr, rangeContains } from '../private/ipv4';
import { ClusterSpec } from '../spec/cluster-spec';
import { MeshMembership } from '../spec/mesh-membership';

/**
 * One owner per Helm key: every Cilium Helm values key the typed description renders is listed ONCE below, with the
 * prop that decides it. `renderCiliumValues` builds the values from this table alone (a key no row lists is never
 * written by the library), so the list of owned keys and the renderer cannot drift.
 *
 * Why the owner wins (and an override of an owned key is refused by the rule `helm-value-owned-by-prop`, naming the
 * prop to use) rather than the merged values being read back into the description: the typed prop is the one source
 * of the kind config, the manifests (L2 interfaces from `devices`, mesh peers from `cluster.name`), the scripts and the
 * rules. An override changes only the Helm values, so every output and every rule that follows the prop would disagree
 * with what is installed; reading the values back would have to teach every other output and rule to re-derive itself
 * from Helm values, one key at a time, and each key it missed would be a hole (as `cluster.name`, `cluster.id`,
 * `devices` and `ipam.mode` were). With one owner, an accepted override installs the value the description renders
 * (or a declared equivalent: {@link HelmKeyOwner.accepts}), so a rule that reads the description and a rule that reads
 * the merged values judge the same installation.
 */

/** Features contributed by constructs added to the cluster (not by the cluster props). */
export interface CiliumFeatureFlags {
  /** A Gateway is part of the platform: Cilium's Gateway API controller must run. */
  readonly gatewayApi: boolean;
  /** The cluster is a member of a Cluster Mesh. @default - not a member */
  readonly mesh?: MeshMembership;
}

/** Port the kube-apiserver listens on inside a kind control-plane node. */
export const KIND_API_SERVER_INTERNAL_PORT = 6443;

/**
 * The host name Cilium uses to reach the API server without kube-proxy, as kind names its containers: the one
 * control-plane node `<name>-control-plane`, or with 2+ control planes kind's HAProxy container
 * `<name>-external-load-balancer`, which balances over every API server.
 */
export function kindApiServerHost(clusterName: string, controlPlaneNodes: number): string {
  return controlPlaneNodes >= 2 ? `${clusterName}-external-load-balancer` : `${clusterName}-control-plane`;
}

/**
 * Every `k8sServiceHost` that reaches this cluster's API server: kind's control-plane container, with 2+ control planes
 * also its external load balancer, and `auto`: the chart then reads the server of `kube-public/cluster-info`, which
 * kubeadm writes from kind's `controlPlaneEndpoint` (one of those two names, port 6443). `helm upgrade --install` (what
 * apply.sh runs) can look it up; only an offline `helm template` cannot (1.19+ fails, 1.18 writes a literal "auto").
 */
export function kindApiServerHosts(clusterName: string, controlPlaneNodes: number): string[] {
  return [`${clusterName}-control-plane`, ...(controlPlaneNodes >= 2 ? [`${clusterName}-external-load-balancer`] : []), 'auto'];
}

/**
 * The Helm values a Cluster Mesh member needs (every key exists in charts 1.18, 1.19, 1.20 and 1.21.0-pre.0):
 * - `clustermesh.useAPIServer` with the clustermesh-apiserver Service of type LoadBalancer at a fixed pool address
 *   (`lbipam.cilium.io/ips`): node addresses are assigned by docker at `kind create` time and unknown at synth time,
 *   the pool address is ours;
 * - `clustermesh.config.clusters` as a list (accepted by every supported chart; 1.19+ also takes a map) of every peer
 *   with `ips`: the chart then points the agents (and KVStoreMesh) at `https://<name>.<domain>:<port>` and maps that
 *   name to the `ips`, so the apiserver certificate, whose SANs include `*.mesh.cilium.io`, verifies. Where the map
 *   goes depends on the chart (`HelmValuesFacts.meshPeerAddresses`): `hostAliases` of the pods that dial peers up to
 *   1.20, and from 1.20 the `cilium-host-aliases` block of each peer's entry in the `cilium-clustermesh` /
 *   `cilium-kvstoremesh` Secret, which is the only place from 1.21 (the agents dial through a static dialer);
 * - `clustermesh.apiserver.tls.auto.method: helm`: the chart signs the certificates with the top-level `tls.ca`,
 *   which apply.sh passes from the mesh's shared CA (generated at apply time, never written into the bundle).
 */
export function clusterMeshValues(mesh: MeshMembership): Record<string, unknown> {
  return {
    clustermesh: {
      useAPIServer: true,
      ...(mesh.maxConnectedClusters !== 255 ? { maxConnectedClusters: mesh.maxConnectedClusters } : {}),
      apiserver: {
        service: { type: 'LoadBalancer', annotations: { 'lbipam.cilium.io/ips': mesh.apiserverIp } },
        tls: { auto: { enabled: true, method: 'helm' } },
      },
      config: {
        enabled: true,
        clusters: mesh.peers.map((p) => ({ name: p.name, ips: [p.ip], port: p.port })),
      },
    },
  };
}

/** The chart's image keys of the components this platform deploys (present in Cilium 1.18, 1.19, 1.20 and 1.21.0-pre.0). */
export const CILIUM_IMAGE_KEYS: readonly string[] = [
  'image', 'operator.image', 'envoy.image', 'hubble.relay.image', 'hubble.ui.backend.image', 'hubble.ui.frontend.image', 'certgen.image',
];

/** One Helm values key the typed description renders, and its owner. */
export interface HelmKeyOwner {
  /** Path of the key in the Helm values, one segment per map level (a segment may hold dots, e.g. an annotation name). */
  readonly path: readonly string[];
  /** The prop (or construct) that owns the key: what a user sets instead of overriding it. */
  readonly prop: string;
  /** How to get another value through the owner, for the fix (the end of "remove the override and ..."). */
  readonly use: string;
  /**
   * Every prop whose value can change the key, as dotted prop paths of `KindCiliumClusterProps`, or `LocalGateway` /
   * `ClusterMesh` for the features constructs add. The enumeration test varies each prop and checks that every key it
   * changes names it here. Empty for a guard row: no prop renders the key, and the platform needs the chart's default
   * (`chartDefault`), e.g. `agent`.
   */
  readonly decidedBy: readonly string[];
  /** The value the description renders, or `undefined` when the key is left to the chart in this description. */
  readonly render: (spec: ClusterSpec, features: CiliumFeatureFlags) => unknown;
  /**
   * What every supported chart (1.18-1.21) acts on when the key is absent or `null` (a `null` in an override removes
   * the key in Helm): an override with this value installs the same platform as leaving the key out. Absent when the
   * chart has no default the library relies on.
   */
  readonly chartDefault?: unknown;
  /**
   * Other values that install the same platform, or one no rule judges differently (e.g. the string `"true"` for
   * `true`, which the chart renders the same); `rendered` is what the description renders (`undefined`: left out).
   * @default - only the rendered value (or, when it is left out, the chart default)
   */
  readonly accepts?: (value: unknown, rendered: unknown, spec: ClusterSpec, merged: Record<string, unknown>) => boolean;
}

const key = (dotted: string) => dotted.split('.');

/** True when `cidr` is an IPv4 CIDR that covers the cluster's pod subnet. */
function coversPodSubnet(cidr: string, spec: ClusterSpec): boolean {
  const parsed = parseIpv4Cidr(cidr);
  return typeof parsed !== 'string' && rangeContains(parsed, spec.podSubnet);
}
/** The chart renders `true`/`false` and `"true"`/`"false"` alike for these keys. */
const sameBoolean = (value: unknown, rendered: unknown) => (value === true || value === 'true' || value === false || value === 'false')
  && String(value) === String(rendered);
/** A positive integer at least as large as the rendered one (more API headroom never changes a rule's verdict). */
const atLeast = (value: unknown, rendered: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0
  && (typeof rendered !== 'number' || value >= rendered);
/** Cilium's `devices` as a list: the chart joins a list with spaces and takes a space- or comma-separated string as is. */
const deviceList = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String)
  : typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : undefined);

const hubbleOn = (spec: ClusterSpec) => spec.hubble.enabled;
const hubbleExport = (field: keyof NonNullable<ClusterSpec['hubble']['export']>, chartDefault: unknown): HelmKeyOwner => ({
  path: ['hubble', 'export', 'static', field],
  prop: `hubble.export.${field}`,
  use: `set hubble.export.${field}`,
  decidedBy: ['hubble.export', 'hubble.enabled'],
  render: (spec) => spec.hubble.export?.[field],
  chartDefault,
});
const lbCustomised = (spec: ClusterSpec) => spec.loadBalancer.acceleration !== 'disabled' || spec.loadBalancer.mode !== 'snat'
  || spec.loadBalancer.dsrDispatch !== undefined;
const l2 = (field: 'leaseDuration' | 'leaseRenewDeadline' | 'leaseRetryPeriod'): HelmKeyOwner => ({
  path: ['l2announcements', field],
  prop: `l2Announcements.${field}`,
  use: `set l2Announcements: { ${field}: ... }`,
  decidedBy: ['l2Announcements'],
  render: (spec) => (spec.l2Announcements.enabled ? spec.l2Announcements[field] : undefined),
});
const MESH_USE = 'describe the mesh with ClusterMesh.addCluster (it writes every clustermesh key of its members)';
const mesh = (path: string[], pick: (m: MeshMembership) => unknown, chartDefault?: unknown): HelmKeyOwner => ({
  path,
  prop: 'ClusterMesh',
  use: MESH_USE,
  decidedBy: ['ClusterMesh'],
  render: (_spec, features) => (features.mesh ? pick(features.mesh) : undefined),
  ...(chartDefault !== undefined ? { chartDefault } : {}),
});

/** The table, in the order the keys are written (the output is deterministic). */
export const HELM_KEY_OWNERS: readonly HelmKeyOwner[] = [
  {
    path: key('cluster.name'),
    prop: 'ciliumCluster.name',
    use: 'set ciliumCluster.name (checked: at most 32 lower-case alphanumerics or "-")',
    decidedBy: ['ciliumCluster.name', 'clusterName'],
    render: (spec) => spec.ciliumCluster.name,
  },
  {
    path: key('cluster.id'),
    prop: 'ciliumCluster.id',
    use: 'set ciliumCluster.id (checked: 0-255, or 0-511 with maxConnectedClusters: 511)',
    decidedBy: ['ciliumCluster.id'],
    render: (spec) => (spec.ciliumCluster.id !== 0 ? spec.ciliumCluster.id : undefined),
    chartDefault: 0,
  },
  {
    path: key('kubeProxyReplacement'),
    prop: 'kubeProxyReplacement',
    use: 'set kubeProxyReplacement (the kind config follows it: kubeProxyMode none)',
    decidedBy: ['kubeProxyReplacement'],
    render: (spec) => spec.kubeProxyReplacement,
    accepts: sameBoolean,
  },
  {
    path: key('k8sServiceHost'),
    prop: 'kubeProxyReplacement',
    use: "leave it out (the kind control-plane host is rendered), or use 'auto'",
    decidedBy: ['kubeProxyReplacement', 'clusterName', 'controlPlaneNodes'],
    render: (spec) => (spec.kubeProxyReplacement ? kindApiServerHost(spec.clusterName, spec.controlPlaneNodes) : undefined),
    chartDefault: '',
    // `auto` looks the host up in kube-public/cluster-info, unless the override points the lookup elsewhere.
    accepts: (value, rendered, spec, merged) => (value === undefined && rendered === undefined)
      || (typeof value === 'string' && kindApiServerHosts(spec.clusterName, spec.controlPlaneNodes).includes(value)
        && (value !== 'auto' || (merged.k8sServiceLookupConfigMapName === undefined && merged.k8sServiceLookupNamespace === undefined))),
  },
  {
    path: key('k8sServicePort'),
    prop: 'kubeProxyReplacement',
    use: 'leave it out (6443, the API server port inside kind, is rendered)',
    decidedBy: ['kubeProxyReplacement'],
    render: (spec) => (spec.kubeProxyReplacement ? KIND_API_SERVER_INTERNAL_PORT : undefined),
    chartDefault: '',
    accepts: (value, rendered) => (value === undefined && rendered === undefined)
      || ((typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) && Number(value) === KIND_API_SERVER_INTERNAL_PORT),
  },
  {
    // Cilium takes pod addresses from the node pod CIDRs kubeadm carves from podSubnet; the subnet rules, the native
    // routing CIDR and masquerading all follow podSubnet, which another IPAM mode would leave behind.
    path: key('ipam.mode'),
    prop: 'podSubnet',
    use: 'set podSubnet (Cilium IPAM mode kubernetes hands out the node pod CIDRs kubeadm carves from it)',
    decidedBy: ['podSubnet'],
    render: () => 'kubernetes',
  },
  {
    path: key('routingMode'), prop: 'routingMode', use: 'set routingMode', decidedBy: ['routingMode'], render: (spec) => spec.routingMode,
  },
  {
    path: key('ipv4NativeRoutingCIDR'),
    prop: 'podSubnet',
    use: 'set podSubnet, or give a CIDR covering it (a mesh: ClusterMesh nativeRoutingCidr, covering every member\'s pod subnet)',
    decidedBy: ['podSubnet', 'routingMode'],
    // A mesh's native members route every member's pods natively (the mesh's covering CIDR).
    render: (spec, features) => (spec.routingMode !== 'native' ? undefined : features.mesh?.nativeRoutingCidr ?? spec.podSubnet.cidr),
    // Anything wider only widens what is not masqueraded (native-routing.rst); the rules native-routing-cidr and
    // mesh-native-routing-cidr judge what it must cover.
    accepts: (value, rendered, spec) => rendered !== undefined && typeof value === 'string' && coversPodSubnet(value, spec),
    chartDefault: '',
  },
  {
    path: key('autoDirectNodeRoutes'),
    prop: 'routingMode',
    use: "set routingMode: 'native' (kind nodes share one L2 network, so it always routes directly)",
    decidedBy: ['routingMode'],
    render: (spec) => (spec.routingMode === 'native' ? true : undefined),
    chartDefault: false,
  },
  {
    path: key('tunnelProtocol'),
    prop: 'tunnelProtocol',
    use: 'set tunnelProtocol',
    decidedBy: ['tunnelProtocol', 'routingMode'],
    render: (spec) => (spec.routingMode === 'native' ? undefined : spec.tunnelProtocol ?? 'vxlan'),
    chartDefault: '',
  },
  {
    path: key('devices'),
    prop: 'devices',
    use: 'set devices (the L2 policies\' default interfaces follow them)',
    decidedBy: ['devices'],
    render: (spec) => [...spec.devices],
    accepts: (value, rendered) => JSON.stringify(deviceList(value)) === JSON.stringify(rendered),
  },
  // The agent itself and where it reads its configuration: the platform needs the chart's cilium-agent DaemonSet on
  // every node, reading cilium-config (chart values.yaml: `agent: true`, `preflight.enabled: false`,
  // `daemon.configSources` / `daemon.allowedConfigOverrides` unset; templates/cilium-agent/daemonset.yaml renders no
  // agent without `agent`, and `configSources` replaces the config-map source of `cilium-dbg build-config`).
  {
    path: key('agent'),
    prop: 'KindCiliumCluster (the Cilium agent on every node)',
    use: 'leave agent to the chart: without the agent DaemonSet the kind nodes have no CNI',
    decidedBy: [],
    render: () => undefined,
    chartDefault: true,
  },
  {
    path: key('preflight.enabled'),
    prop: 'KindCiliumCluster (the Cilium agent on every node)',
    use: 'leave preflight to the chart: with it the chart renders the pre-flight check instead of the agent',
    decidedBy: [],
    render: () => undefined,
    chartDefault: false,
  },
  {
    path: key('daemon.configSources'),
    prop: 'KindCiliumCluster (the agent reads cilium-config, which the rules judge)',
    use: 'leave daemon.configSources to the chart and set the configuration through the props or its Helm keys',
    decidedBy: [],
    render: () => undefined,
    chartDefault: null,
  },
  {
    path: key('daemon.allowedConfigOverrides'),
    prop: 'KindCiliumCluster (the agent reads cilium-config, which the rules judge)',
    use: 'leave daemon.allowedConfigOverrides to the chart (daemon.blockedConfigOverrides only restricts overrides and stays yours)',
    decidedBy: [],
    render: () => undefined,
    chartDefault: null,
  },
  {
    path: key('operator.replicas'),
    prop: 'operatorReplicas',
    use: 'set operatorReplicas (checked against the node count)',
    decidedBy: ['operatorReplicas'],
    render: (spec) => spec.operatorReplicas,
  },
  {
    path: key('hubble.enabled'), prop: 'hubble.enabled', use: 'set hubble: { enabled }', decidedBy: ['hubble.enabled'], render: (spec) => spec.hubble.enabled,
  },
  {
    path: key('hubble.relay.enabled'),
    prop: 'hubble.relay',
    use: 'set hubble: { relay }',
    decidedBy: ['hubble.relay', 'hubble.enabled'],
    render: (spec) => (hubbleOn(spec) ? spec.hubble.relay : undefined),
    chartDefault: false,
  },
  {
    path: key('hubble.ui.enabled'),
    prop: 'hubble.ui',
    use: 'set hubble: { ui } (it needs the relay)',
    decidedBy: ['hubble.ui', 'hubble.relay', 'hubble.enabled'],
    render: (spec) => (hubbleOn(spec) ? spec.hubble.ui : undefined),
    chartDefault: false,
  },
  {
    path: key('hubble.metrics.enabled'),
    prop: 'hubble.metrics',
    use: 'set hubble: { metrics } (checked against Cilium\'s metric registry)',
    decidedBy: ['hubble.metrics', 'hubble.enabled'],
    render: (spec) => (hubbleOn(spec) ? [...spec.hubble.metrics] : undefined),
    chartDefault: null,
  },
  {
    path: key('hubble.metrics.enableOpenMetrics'),
    prop: 'hubble.openMetrics',
    use: 'set hubble: { openMetrics }',
    decidedBy: ['hubble.openMetrics', 'hubble.enabled'],
    render: (spec) => (hubbleOn(spec) && spec.hubble.openMetrics ? true : undefined),
    chartDefault: false,
  },
  {
    path: key('hubble.peerService.clusterDomain'),
    prop: 'dnsDomain',
    use: 'set dnsDomain (kubeadm, CoreDNS and hubble-relay share it)',
    decidedBy: ['dnsDomain', 'hubble.enabled'],
    render: (spec) => (hubbleOn(spec) ? spec.dnsDomain : undefined),
    chartDefault: 'cluster.local',
  },
  {
    path: key('hubble.export.static.enabled'),
    prop: 'hubble.export',
    use: 'set hubble: { export: { ... } }',
    decidedBy: ['hubble.export', 'hubble.enabled'],
    render: (spec) => (spec.hubble.export ? true : undefined),
    chartDefault: false,
  },
  hubbleExport('filePath', '/var/run/cilium/hubble/events.log'),
  hubbleExport('fieldMask', []),
  hubbleExport('allowList', []),
  hubbleExport('denyList', []),
  hubbleExport('fileMaxSizeMb', 10),
  hubbleExport('fileMaxBackups', 5),
  {
    path: key('l2announcements.enabled'),
    prop: 'l2Announcements',
    use: 'set l2Announcements: {} (or { enabled: false })',
    decidedBy: ['l2Announcements'],
    render: (spec) => (spec.l2Announcements.enabled ? true : undefined),
    chartDefault: false,
  },
  l2('leaseDuration'),
  l2('leaseRenewDeadline'),
  l2('leaseRetryPeriod'),
  // Each announced service holds a lease renewed every retry period: the agent API gets headroom. More is accepted.
  {
    path: key('k8sClientRateLimit.qps'),
    prop: 'l2Announcements',
    use: 'leave it out, or raise it (at least the rendered 50)',
    decidedBy: ['l2Announcements'],
    render: (spec) => (spec.l2Announcements.enabled ? 50 : undefined),
    accepts: (value, rendered) => atLeast(value, rendered),
  },
  {
    path: key('k8sClientRateLimit.burst'),
    prop: 'l2Announcements',
    use: 'leave it out, or raise it (at least the rendered 100)',
    decidedBy: ['l2Announcements'],
    render: (spec) => (spec.l2Announcements.enabled ? 100 : undefined),
    accepts: (value, rendered) => atLeast(value, rendered),
  },
  {
    // The chart's default is null, which its templates treat as false.
    path: key('bpf.masquerade'),
    prop: 'masquerade.bpf',
    use: 'set masquerade: { bpf } (checked: it needs kube-proxy replacement)',
    decidedBy: ['masquerade.bpf'],
    render: (spec) => (spec.masquerade.bpf ? true : undefined),
    chartDefault: false,
  },
  {
    path: key('ipMasqAgent.enabled'),
    prop: 'masquerade.ipMasqAgent',
    use: 'set masquerade: { ipMasqAgent } (checked: it needs masquerade.bpf)',
    decidedBy: ['masquerade.ipMasqAgent'],
    render: (spec) => (spec.masquerade.ipMasqAgent ? true : undefined),
    chartDefault: false,
  },
  {
    path: key('ipMasqAgent.config.nonMasqueradeCIDRs'),
    prop: 'masquerade.nonMasqueradeCidrs',
    use: 'set masquerade: { nonMasqueradeCidrs }',
    decidedBy: ['masquerade.ipMasqAgent', 'masquerade.nonMasqueradeCidrs', 'podSubnet', 'dockerNetworkSubnet'],
    render: (spec) => (spec.masquerade.ipMasqAgent ? [...spec.masquerade.nonMasqueradeCidrs] : undefined),
  },
  {
    path: key('ipMasqAgent.config.masqLinkLocal'),
    prop: 'masquerade.ipMasqAgent',
    use: 'leave it out (link-local traffic is never masqueraded)',
    decidedBy: ['masquerade.ipMasqAgent'],
    render: (spec) => (spec.masquerade.ipMasqAgent ? false : undefined),
  },
  {
    path: key('loadBalancer.acceleration'),
    prop: 'loadBalancer.acceleration',
    use: 'set loadBalancer: { acceleration }',
    decidedBy: ['loadBalancer'],
    render: (spec) => (lbCustomised(spec) ? spec.loadBalancer.acceleration : undefined),
    chartDefault: 'disabled',
  },
  {
    // Not in values.yaml: the agent's --bpf-lb-mode default.
    path: key('loadBalancer.mode'),
    prop: 'loadBalancer.mode',
    use: 'set loadBalancer: { mode }',
    decidedBy: ['loadBalancer'],
    render: (spec) => (lbCustomised(spec) ? spec.loadBalancer.mode : undefined),
    chartDefault: 'snat',
  },
  {
    // Not in values.yaml: the agent's --bpf-lb-dsr-dispatch default.
    path: key('loadBalancer.dsrDispatch'),
    prop: 'loadBalancer.dsrDispatch',
    use: 'set loadBalancer: { dsrDispatch }',
    decidedBy: ['loadBalancer'],
    render: (spec) => (lbCustomised(spec) ? spec.loadBalancer.dsrDispatch : undefined),
    chartDefault: 'opt',
  },
  {
    path: key('gatewayAPI.enabled'),
    prop: 'LocalGateway',
    use: 'add a LocalGateway to the cluster to turn it on (the apply plan then installs the Gateway API CRDs first), or leave it out',
    decidedBy: ['LocalGateway'],
    render: (_spec, features) => (features.gatewayApi ? true : undefined),
    chartDefault: false,
  },
  mesh(key('clustermesh.useAPIServer'), () => true, false),
  {
    path: key('clustermesh.maxConnectedClusters'),
    prop: 'ciliumCluster.maxConnectedClusters',
    use: 'set ciliumCluster.maxConnectedClusters (255 or 511)',
    decidedBy: ['ciliumCluster.maxConnectedClusters', 'ClusterMesh'],
    render: (spec, features) => {
      const max = features.mesh ? features.mesh.maxConnectedClusters : spec.ciliumCluster.maxConnectedClusters;
      return max !== 255 ? max : undefined;
    },
    chartDefault: 255,
  },
  mesh(key('clustermesh.apiserver.service.type'), () => 'LoadBalancer', 'NodePort'),
  mesh(['clustermesh', 'apiserver', 'service', 'annotations', 'lbipam.cilium.io/ips'], (m) => m.apiserverIp),
  mesh(key('clustermesh.apiserver.tls.auto.enabled'), () => true, true),
  mesh(key('clustermesh.apiserver.tls.auto.method'), () => 'helm', 'helm'),
  mesh(key('clustermesh.config.enabled'), () => true, false),
  mesh(key('clustermesh.config.clusters'), (m) => m.peers.map((p) => ({ name: p.name, ips: [p.ip], port: p.port })), []),
  ...CILIUM_IMAGE_KEYS.map((image): HelmKeyOwner => ({
    path: [...key(image), 'pullPolicy'],
    prop: 'imagePullPolicy',
    use: 'set imagePullPolicy (it sets every image of the chart this platform runs)',
    decidedBy: ['imagePullPolicy'],
    render: (spec) => spec.imagePullPolicy,
    chartDefault: 'IfNotPresent',
  })),
];

/** The values the description renders (no overrides): every row of {@link HELM_KEY_OWNERS} that renders a value, in order. */
export function renderOwnedValues(spec: ClusterSpec, features: CiliumFeatureFlags): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const row of HELM_KEY_OWNERS) {
    const value = row.render(spec, features);
    if (value === undefined) continue;
    let node = values;
    for (const segment of row.path.slice(0, -1)) node = (node[segment] ??= {}) as Record<string, unknown>;
    node[row.path[row.path.length - 1]] = value;
  }
  return values;
}
