import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { MeshRoster } from './mesh-roster';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { RESTRICTED_POD_SECURITY_LABELS } from '../private/hardening';
import { checkProps, propsShape, required } from '../private/props';
import { GLOBAL_SERVICE_ANNOTATION, MESH_DEMO, POLICY_CLUSTER_LABEL } from '../spec/mesh-membership';
import { STAR_WARS_SPACESHIP_IMAGE } from '../workloads/star-wars-demo';

/** The echo server of the demo: answers every request with the text given (`-text`), here its cluster name. */
export const MESH_ECHO_IMAGE = 'docker.io/hashicorp/http-echo:1.0.0';

export { GLOBAL_SERVICE_ANNOTATION, MESH_DEMO, POLICY_CLUSTER_LABEL } from '../spec/mesh-membership';

/** UID the echo server runs as (the http-echo image is a static binary, any non-root user works). */
const ECHO_USER = 65532;
/** UID of the `node` user of the json-mock (curl) image, as the star-wars demo runs it. */
const NODE_USER = 1000;

/** Props of {@link MeshGlobalServiceDemo}. */
export interface MeshGlobalServiceDemoProps {
  /** The mesh whose members' `client` pods may reach echo (a {@link ClusterMesh}; read at synthesis). */
  readonly mesh: MeshRoster;
}

const MESH_DEMO_SHAPE = propsShape<MeshGlobalServiceDemoProps>('MeshGlobalServiceDemo', {
  // ClusterMesh.isClusterMesh, without importing the class (it imports this file).
  mesh: required({ expected: 'a ClusterMesh', test: (x) => (x as Record<symbol, unknown>)[Symbol.for('cdk8s-kind-cilium.ClusterMesh')] === true }),
});

function container(name: string, image: string, user: number, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: user,
      runAsGroup: user,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...extra,
  };
}

function deployment(scope: Construct, app: string, c: Record<string, unknown>, volumes: unknown[] = []): ApiObject {
  return new ApiObject(scope, app, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: MESH_DEMO.namespace, labels: { app } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [c], ...(volumes.length ? { volumes } : {}) },
      },
    },
  });
}

/**
 * The Cluster Mesh demo of one member (namespace `mesh-demo`): `echo` (http-echo answering the member's cluster name)
 * behind the global Service `echo` (`service.cilium.io/global: "true"`: Cilium balances it over the backends of every
 * member), a `client` and an `intruder` with curl, and the CiliumNetworkPolicy `echo-from-mesh-clients`: only
 * `app=client` pods of the mesh's clusters, each named by `io.cilium.k8s.policy.cluster`, may reach echo. From
 * Cilium 1.19 `clustermesh.policyDefaultLocalCluster` is true, so a selector without that label would match the local
 * cluster only: naming the peers is what lets the remote clients in. The intruder is denied everywhere.
 */
export class MeshGlobalServiceDemo extends Construct {
  constructor(scope: KindCiliumCluster, id: string, props: MeshGlobalServiceDemoProps) {
    super(scope, id);
    props = checkProps(this.node.path, props, MESH_DEMO_SHAPE);
    const clusterName = KindCiliumCluster.of(this).spec.ciliumCluster.name;
    new ApiObject(this, 'namespace', {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: MESH_DEMO.namespace, labels: { ...RESTRICTED_POD_SECURITY_LABELS } },
    });
    deployment(this, MESH_DEMO.service, container('echo', MESH_ECHO_IMAGE, ECHO_USER, {
      args: [`-listen=:${MESH_DEMO.echoPort}`, `-text=${clusterName}`],
      ports: [{ containerPort: MESH_DEMO.echoPort, name: 'http' }],
      readinessProbe: { tcpSocket: { port: MESH_DEMO.echoPort } },
    }));
    new ApiObject(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: MESH_DEMO.service, namespace: MESH_DEMO.namespace, annotations: { [GLOBAL_SERVICE_ANNOTATION]: 'true' } },
      spec: { selector: { app: MESH_DEMO.service }, ports: [{ name: 'http', port: MESH_DEMO.servicePort, targetPort: MESH_DEMO.echoPort }] },
    });
    for (const app of [MESH_DEMO.client, MESH_DEMO.intruder]) {
      deployment(this, app, container(MESH_DEMO.container, STAR_WARS_SPACESHIP_IMAGE, NODE_USER, {
        env: [{ name: 'PORT', value: '8080' }, { name: 'HOME', value: '/tmp' }, { name: 'NO_UPDATE_NOTIFIER', value: '1' }],
        resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      }), [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    }
    const mesh = props.mesh;
    new ApiObject(this, 'policy', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: MESH_DEMO.policy, namespace: MESH_DEMO.namespace },
      spec: {
        endpointSelector: { matchLabels: { app: MESH_DEMO.service } },
        ingress: [{
          fromEndpoints: Lazy.any({
            produce: () => mesh.members.map((m) => ({ matchLabels: { app: MESH_DEMO.client, [POLICY_CLUSTER_LABEL]: m.spec.ciliumCluster.name } })),
          }),
          toPorts: [{ ports: [{ port: String(MESH_DEMO.echoPort), protocol: 'TCP' }] }],
        }],
      },
    });
    labelLibraryObjects(this);
  }
}
