import { deepMerge } from '../private/deep-merge';
import { ClusterSpec } from '../spec/cluster-spec';

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
}

/**
 * Renders Helm values for Cilium 1.18 from the cluster description. Only keys that exist in the 1.18
 * chart are written (no `hostServices`, `externalIPs.enabled`, `hostPort.enabled`; `kubeProxyReplacement`
 * is a boolean, never `strict`).
 */
export function renderCiliumValues(spec: ClusterSpec, features: CiliumFeatureFlags): CiliumHelmValues {
  const values: CiliumHelmValues = {
    cluster: { name: spec.clusterName },
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
        metrics: { enabled: [...spec.hubble.metrics] },
        peerService: { clusterDomain: spec.dnsDomain },
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
  return deepMerge(values, spec.ciliumValuesOverrides);
}

