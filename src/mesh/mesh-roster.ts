import type { KindCiliumCluster } from '../cluster/kind-cilium-cluster';

/**
 * The members of a Cluster Mesh, as the constructs placed in each member read them (the global-service demo names
 * every member's cluster in its policy). {@link ClusterMesh} is one; the roster is its own file so that the mesh and
 * the constructs it adds to each member do not import each other.
 */
export interface MeshRoster {
  /** The member clusters, in the order they were added (read lazily, at synthesis, so members added later count). */
  readonly members: readonly KindCiliumCluster[];
}
