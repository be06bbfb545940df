import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppNetworkPolicy } from '../cilium/policy/app-network-policy';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { invalid } from '../errors';
import { HttpRouteBackend } from '../gateway/http-route';
import { checkPinnedImage, containerResources, restrictedContainerSecurity, RESTRICTED_POD_SECURITY_LABELS } from '../private/hardening';
import { checkNamespace } from '../private/syntax';

/**
 * nginx built to run unprivileged (UID 101, listens on 8080, temp files under /tmp), pinned by tag and digest
 * (nginx 1.29.4 on Alpine 3.23).
 */
export const NGINX_UNPRIVILEGED_IMAGE =
  'nginxinc/nginx-unprivileged:1.29.4-alpine3.23@sha256:a6c4f61f456b85b8fdf7ec7ab28cc3e299440e6fb4a9dea520e5fd8fd440025e';

/** Props of {@link NginxDemo}. */
export interface NginxDemoProps {
  /** Namespace of the demo. @default 'demo' */
  readonly namespace?: string;
  /** Create the Namespace (with the `restricted` Pod Security labels). @default true */
  readonly createNamespace?: boolean;
  /** Image; must run unprivileged and listen on 8080. @default NGINX_UNPRIVILEGED_IMAGE */
  readonly image?: string;
  /** Deployment replicas. @default 2 */
  readonly replicas?: number;
  /** Name of the Deployment, Service and app label. @default 'nginx' */
  readonly name?: string;
  /** Service port (forwarded to container port 8080). @default 80 */
  readonly servicePort?: number;
  /**
   * Make the Service a `LoadBalancer` (gets an address from the Cilium LB pool and lets clients outside the
   * cluster, the `world` entity, in). When false it is a ClusterIP Service reachable through the gateway only.
   * @default true
   */
  readonly loadBalancer?: boolean;
}

/**
 * A hardened nginx demo: Namespace (Pod Security `restricted`), a Deployment of unprivileged nginx
 * (UID 101, port 8080, read-only root filesystem with an emptyDir on /tmp, requests/limits, readiness probe),
 * a Service (LoadBalancer by default) and an {@link AppNetworkPolicy} letting the gateway (`ingress` entity)
 * and, for a LoadBalancer, outside clients (`world`) reach port 8080. Use {@link NginxDemo.backend} as the
 * backend of a gateway HTTPRoute.
 */
export class NginxDemo extends Construct {
  /** The container port nginx-unprivileged listens on. */
  public static readonly CONTAINER_PORT = 8080;

  /** Namespace of every object of the demo. */
  public readonly namespace: string;
  /** Labels of the nginx pods. */
  public readonly appLabels: Readonly<Record<string, string>>;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Name of the Service. */
  public readonly serviceName: string;
  /** Port of the Service. */
  public readonly servicePort: number;
  /** The Service as a gateway backend (`{ name, namespace, port }`). */
  public readonly backend: HttpRouteBackend;
  /** The policy letting traffic in. */
  public readonly networkPolicy: AppNetworkPolicy;

  constructor(scope: Construct, id: string, props: NginxDemoProps = {}) {
    super(scope, id);
    KindCiliumCluster.of(this);
    const path = this.node.path;
    this.namespace = checkNamespace(`${path}.namespace`, props.namespace ?? 'demo');
    const name = checkNamespace(`${path}.name`, props.name ?? 'nginx');
    const image = checkPinnedImage(`${path}.image`, props.image ?? NGINX_UNPRIVILEGED_IMAGE);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 20) {
      invalid('invalid-number', `${path}.replicas`, `${replicas} is not an integer between 1 and 20`, 'use 1-20 replicas');
    }
    this.servicePort = props.servicePort ?? 80;
    if (!Number.isInteger(this.servicePort) || this.servicePort < 1 || this.servicePort > 65535) {
      invalid('invalid-port', `${path}.servicePort`, `${this.servicePort} is not a port number`, 'use an integer between 1 and 65535');
    }
    const loadBalancer = props.loadBalancer ?? true;
    this.appLabels = { 'app.kubernetes.io/name': name };

    if (props.createNamespace ?? true) {
      new kplus.Namespace(this, 'Namespace', { metadata: { name: this.namespace, labels: { ...RESTRICTED_POD_SECURITY_LABELS } } });
    }

    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, namespace: this.namespace },
      replicas,
      select: false,
      podMetadata: { labels: { ...this.appLabels } },
      securityContext: { ensureNonRoot: true, user: 101, group: 101 },
      automountServiceAccountToken: false,
      containers: [{
        name: 'nginx',
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ number: NginxDemo.CONTAINER_PORT, name: 'http' }],
        readiness: kplus.Probe.fromHttpGet('/', { port: NginxDemo.CONTAINER_PORT }),
        liveness: kplus.Probe.fromTcpSocket({ port: NginxDemo.CONTAINER_PORT }),
        resources: containerResources({ cpuRequestMillis: 10, cpuLimitMillis: 200, memoryRequestMebibytes: 16, memoryLimitMebibytes: 64 }),
        securityContext: restrictedContainerSecurity(101),
        volumeMounts: [{ path: '/tmp', volume: tmp }],
      }],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...this.appLabels } }));

    this.serviceName = name;
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, namespace: this.namespace },
      type: loadBalancer ? kplus.ServiceType.LOAD_BALANCER : kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: this.servicePort, targetPort: NginxDemo.CONTAINER_PORT }],
    });
    for (const [key, value] of Object.entries(this.appLabels)) this.service.selectLabel(key, value);
    this.backend = { name, namespace: this.namespace, port: this.servicePort };

    this.networkPolicy = new AppNetworkPolicy(this, 'Policy', {
      name: `${name}-ingress`,
      namespace: this.namespace,
      appLabels: { ...this.appLabels },
      allowFromGateway: true,
      allowFromWorld: loadBalancer,
      // LoadBalancer traffic that the announcing node forwards to a pod on another node is SNATed to
      // that node's address (externalTrafficPolicy Cluster) and arrives as `remote-node`, not `world`.
      ...(loadBalancer ? { allowFromEntities: ['remote-node' as const] } : {}),
      ingressPorts: [{ port: NginxDemo.CONTAINER_PORT }],
    });
    labelLibraryObjects(this);
  }
}
