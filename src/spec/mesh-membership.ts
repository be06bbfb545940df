/** Port the clustermesh-apiserver Service listens on (the chart's etcd port). */
export const CLUSTERMESH_APISERVER_PORT = 2379;

/** Cilium's default `clustermesh.config.domain`: peers are reached as `<cluster.name>.<domain>`. */
export const CLUSTERMESH_DOMAIN = 'mesh.cilium.io';

/**
 * Cilium's annotation that merges a Service's backends across the clusters of a mesh: a Service with the same
 * namespace and name in every member that declares it (`Documentation/network/clustermesh/services.rst`).
 */
export const GLOBAL_SERVICE_ANNOTATION = 'service.cilium.io/global';

/** Label Cilium gives every endpoint: the name of the cluster it runs in (what a policy names a cluster by). */
export const POLICY_CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

/** Names of the demo's objects (the same in every member: a global Service is matched by namespace and name). */
export const MESH_DEMO = {
  namespace: 'mesh-demo',
  service: 'echo',
  servicePort: 8080,
  echoPort: 5678,
  client: 'client',
  intruder: 'intruder',
  container: 'curl',
  policy: 'echo-from-mesh-clients',
} as const;

/** One peer of a mesh member, as the member's agents reach it. */
export interface MeshPeer {
  /** The peer's Cilium `cluster.name` (equal to its kind name). */
  readonly name: string;
  /** The fixed LoadBalancer address of the peer's clustermesh-apiserver (from the peer's LB pool). */
  readonly ip: string;
  readonly port: number;
}

/**
 * What a Cluster Mesh tells one of its member clusters (pure data, reported as a platform fact by the mesh's
 * member construct and rendered into the member's Helm values).
 */
export interface MeshMembership {
  /** Construct path of the member construct (for error messages). */
  readonly field: string;
  /** Name of the mesh (`dist/<mesh>/`). */
  readonly mesh: string;
  /** `clustermesh.maxConnectedClusters` the whole mesh uses (255 or 511). */
  readonly maxConnectedClusters: number;
  /** This member's clustermesh-apiserver LoadBalancer address (a pool address, requested with `lbipam.cilium.io/ips`). */
  readonly apiserverIp: string;
  readonly port: number;
  /** Every other member, ordered by name. */
  readonly peers: readonly MeshPeer[];
  /**
   * `ipv4NativeRoutingCIDR` of a native-routing member: traffic to it leaves unmasqueraded, so it must cover the pod
   * subnet of every member (else a peer sees the node's address instead of the pod's, and its policies the wrong
   * identity). The mesh's `nativeRoutingCidr` when given, else the smallest prefix covering every member's pod subnet.
   */
  readonly nativeRoutingCidr: string;
  /** The mesh puts its global-service demo ({@link MESH_DEMO}) into every member, whose flows it intends to pass. */
  readonly demo: boolean;
  /** The field the user gave {@link MeshMembership.nativeRoutingCidr} in, when given (for messages). */
  readonly nativeRoutingCidrField?: string;
}
