import { Construct } from 'constructs';
import { ClusterMesh } from '../mesh/cluster-mesh';
import { checkProps, propsShape } from '../private/props';
import { isPlainObject } from '../private/syntax';
import type { VersionOptions } from '../spec/cluster-spec';
import type { GitOpsOptions } from '../spec/gitops';

/** Props of {@link meshPlatform}. */
export interface MeshPlatformProps {
  /** Mesh name (`dist/<name>/`). @default 'mesh' */
  readonly name?: string;
  /** Member kind cluster names (two or more). @default ['mesh-east', 'mesh-west'] */
  readonly clusterNames?: string[];
  /**
   * Cilium chart version of every member (members of one mesh run the same Cilium, so an upgrade can be rehearsed
   * with the upgrade view). @default - the library's default (see `ciliumVersion` on the cluster)
   */
  readonly ciliumVersion?: string;
  /**
   * External release pins and opt-ins of every member (as `versions` on a cluster), e.g. `{ allowPreRelease: true }`
   * with `ciliumVersion: '1.21.0-pre.0'`. @default - the matrix's defaults for the Cilium version
   */
  readonly versions?: VersionOptions;
  /** Opt-in GitOps output of the fleet (`ClusterMesh`'s `gitops`). @default none */
  readonly gitops?: GitOpsOptions;
}

// Each member's cluster description checks the keys of `versions` (one list per props type: VERSION_PROPS in spec/cluster-version-props.ts).
const VERSIONS_SHAPE = { expected: 'an object of version options', test: (value: object) => isPlainObject(value) };
// resolveGitOps (through ClusterMesh) checks the keys of `gitops`.
const GITOPS_SHAPE = { expected: 'an object of GitOps options', test: (value: object) => isPlainObject(value) };
const MESH_PLATFORM_SHAPE = propsShape<MeshPlatformProps>('meshPlatform', {
  name: 'string',
  clusterNames: { list: 'string' },
  ciliumVersion: 'string',
  versions: VERSIONS_SHAPE,
  gitops: GITOPS_SHAPE,
});

/**
 * Preset 5: a Cilium Cluster Mesh of two kind clusters (`mesh-east`, `mesh-west`: one worker each, ids 1 and 2,
 * pod subnets 10.244.0.0/16 and 10.245.0.0/16, service subnets 10.96.0.0/16 and 10.97.0.0/16, clustermesh-apiservers
 * at 172.18.249.16 and 172.18.249.32), with the global-service demo in both. `bash dist/mesh/apply.sh` brings it up.
 */
export function meshPlatform(scope: Construct, props: MeshPlatformProps = {}): ClusterMesh {
  props = checkProps('meshPlatform', props, MESH_PLATFORM_SHAPE);
  // The name is also the construct id: an empty one (refused by ClusterMesh) must not reach the constructs library first.
  const mesh = new ClusterMesh(scope, props.name || 'mesh', { name: props.name ?? 'mesh', ...(props.gitops !== undefined ? { gitops: props.gitops } : {}) });
  for (const clusterName of props.clusterNames ?? ['mesh-east', 'mesh-west']) {
    mesh.addCluster({
      clusterName,
      workers: 1,
      ...(props.ciliumVersion !== undefined ? { ciliumVersion: props.ciliumVersion } : {}),
      ...(props.versions !== undefined ? { versions: props.versions } : {}),
    });
  }
  return mesh;
}
