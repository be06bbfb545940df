import { deepMerge } from '../private/deep-merge';
import { ClusterSpec } from '../spec/cluster-spec';
import { MeshMembership } from '../spec/mesh-membership';
import { adaptValuesToMinor } from '../spec/values-by-minor';

/** Cilium Helm values as a plain JSON object (written to `cilium-values/<cluster>.yaml`). */
export type CiliumHelmValues = Record<string, unknown>;

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

/** Features contributed by constructs added to the cluster (not by the cluster props). */
export interface CiliumFeatureFlags {
  /** A Gateway is part of the platform: Cilium's Gateway API controller must run. */
  readonly gatewayApi: boolean;
  /** The cluster is a member of a Cluster Mesh. @default - not a member */
  readonly mesh?: MeshMembership;
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
export function clusterMeshValues(mesh: MeshMembership): CiliumHelmValues {
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

/**
 * Renders Helm values for the cluster's Cilium minor (1.18, 1.19, 1.20, or the 1.21 preview) from the cluster description.
 * Only keys every supported chart has are generated (no `hostServices`, `externalIPs.enabled`,
 * `hostPort.enabled`, `nodePort.enabled`; `kubeProxyReplacement` is a boolean, never `strict`), and
 * `k8sServiceHost` is the control-plane node, never `auto` (from 1.19 the chart fails on `auto` without a
 * cluster to look it up in). The merged values (description plus `ciliumValuesOverrides`) are adapted to
 * the minor (`adaptValuesToMinor`: e.g. `gatewayAPI.gatewayClass.create` becomes the string the 1.18/1.19
 * schema requires); keys the minor removed are reported by the `helm-values-for-minor` rule.
 */
export function renderCiliumValues(spec: ClusterSpec, features: CiliumFeatureFlags): CiliumHelmValues {
  const values: CiliumHelmValues = {
    cluster: { name: spec.ciliumCluster.name, ...(spec.ciliumCluster.id !== 0 ? { id: spec.ciliumCluster.id } : {}) },
    kubeProxyReplacement: spec.kubeProxyReplacement,
    ...(spec.kubeProxyReplacement
      ? { k8sServiceHost: kindApiServerHost(spec.clusterName, spec.controlPlaneNodes), k8sServicePort: KIND_API_SERVER_INTERNAL_PORT }
      : {}),
    ipam: { mode: 'kubernetes' },
    routingMode: spec.routingMode,
    ...(spec.routingMode === 'native'
      ? { ipv4NativeRoutingCIDR: spec.podSubnet.cidr, autoDirectNodeRoutes: true }
      : { tunnelProtocol: spec.tunnelProtocol ?? 'vxlan' }),
    devices: [...spec.devices],
    operator: { replicas: spec.operatorReplicas },
    hubble: spec.hubble.enabled
      ? {
        enabled: true,
        relay: { enabled: spec.hubble.relay },
        ui: { enabled: spec.hubble.ui },
        metrics: { enabled: [...spec.hubble.metrics], ...(spec.hubble.openMetrics ? { enableOpenMetrics: true } : {}) },
        peerService: { clusterDomain: spec.dnsDomain },
        ...(spec.hubble.export ? { export: { static: { enabled: true, ...spec.hubble.export } } } : {}),
      }
      : { enabled: false },
  };
  if (spec.l2Announcements.enabled) {
    values.l2announcements = {
      enabled: true,
      leaseDuration: spec.l2Announcements.leaseDuration,
      leaseRenewDeadline: spec.l2Announcements.leaseRenewDeadline,
      leaseRetryPeriod: spec.l2Announcements.leaseRetryPeriod,
    };
    // Each announced service holds a lease renewed every retry period: give the agent API headroom.
    values.k8sClientRateLimit = { qps: 50, burst: 100 };
  }
  if (spec.masquerade.bpf) {
    values.bpf = { masquerade: true };
  }
  if (spec.masquerade.ipMasqAgent) {
    values.ipMasqAgent = {
      enabled: true,
      config: { nonMasqueradeCIDRs: [...spec.masquerade.nonMasqueradeCidrs], masqLinkLocal: false },
    };
  }
  if (spec.loadBalancer.acceleration !== 'disabled' || spec.loadBalancer.mode !== 'snat' || spec.loadBalancer.dsrDispatch !== undefined) {
    values.loadBalancer = {
      acceleration: spec.loadBalancer.acceleration,
      mode: spec.loadBalancer.mode,
      ...(spec.loadBalancer.dsrDispatch ? { dsrDispatch: spec.loadBalancer.dsrDispatch } : {}),
    };
  }
  if (features.gatewayApi) {
    values.gatewayAPI = { enabled: true };
  }
  if (features.mesh) {
    Object.assign(values, clusterMeshValues(features.mesh));
    // Native routing between members: every member's pods are routed natively, not only this member's.
    if (spec.routingMode === 'native') values.ipv4NativeRoutingCIDR = features.mesh.nativeRoutingCidr;
  } else if (spec.ciliumCluster.maxConnectedClusters !== 255) {
    values.clustermesh = { maxConnectedClusters: spec.ciliumCluster.maxConnectedClusters };
  }
  const pulled = spec.imagePullPolicy === undefined ? values : deepMerge(values, pullPolicyValues(spec.imagePullPolicy));
  return adaptValuesToMinor(deepMerge(pulled, spec.ciliumValuesOverrides), spec.ciliumMinor).values;
}

/** The chart's image keys of the components this platform deploys (present in Cilium 1.18, 1.19, 1.20 and 1.21.0-pre.0). */
export const CILIUM_IMAGE_KEYS: readonly string[] = [
  'image', 'operator.image', 'envoy.image', 'hubble.relay.image', 'hubble.ui.backend.image', 'hubble.ui.frontend.image', 'certgen.image',
];

function pullPolicyValues(policy: string): CiliumHelmValues {
  const out: CiliumHelmValues = {};
  for (const key of CILIUM_IMAGE_KEYS) {
    let node = out;
    for (const part of key.split('.')) node = (node[part] ??= {}) as CiliumHelmValues;
    node.pullPolicy = policy;
  }
  return out;
}

