import { Construct } from 'constructs';
import { TestWorkload, TestWorkloadServiceType, RunAsRootOptions, RUN_AS_ROOT_SHAPE } from './test-workload';
import { AppNetworkPolicy } from '../cilium/policy/app-network-policy';
import { labelLibraryObjects } from '../cluster/library-labels';
import { checkProps, propsShape } from '../private/props';

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
  /**
   * Create the Namespace (with the `restricted` Pod Security labels). Refused for the built-in namespaces
   * (`default`, `kube-system`, `kube-public`, `kube-node-lease`). @default - true, except for built-in namespaces
   */
  readonly createNamespace?: boolean;
  /** Image, pinned; with the default `containerPort` it must run unprivileged and listen on 8080. @default NGINX_UNPRIVILEGED_IMAGE */
  readonly image?: string;
  /** Deployment replicas. @default 2 */
  readonly replicas?: number;
  /** Name of the Deployment (and of the Service unless `serviceName`); also the default app label. @default 'nginx' */
  readonly name?: string;
  /** Name of the Service. @default - same as name */
  readonly serviceName?: string;
  /** Pod labels and selector. @default { 'app.kubernetes.io/name': name } */
  readonly labels?: Record<string, string>;
  /** Service port. @default 80 */
  readonly servicePort?: number;
  /** Port nginx listens on. @default 8080 (nginx-unprivileged) */
  readonly containerPort?: number;
  /**
   * Make the Service a `LoadBalancer` (gets an address from the Cilium LB pool and lets clients outside the
   * cluster, the `world` entity, in). When false it is a ClusterIP Service reachable through the gateway only.
   * Ignored when `serviceType` is given. @default true
   */
  readonly loadBalancer?: boolean;
  /** Service type. @default - 'LoadBalancer', or 'ClusterIP' with loadBalancer: false */
  readonly serviceType?: TestWorkloadServiceType;
  /** Pool addresses to request (annotation `lbipam.cilium.io/ips`). @default - the next free one */
  readonly loadBalancerIps?: string[];
  /** UID nginx runs as. @default 101 (nginx-unprivileged) */
  readonly user?: number;
  /** Opt out of the non-root hardening for the official `nginx` image (see {@link TestWorkloadProps.runAsRoot}). @default - non-root */
  readonly runAsRoot?: RunAsRootOptions;
}

const NGINX_SHAPE = propsShape<NginxDemoProps>('NginxDemo', {
  namespace: 'string',
  createNamespace: 'boolean',
  image: 'string',
  replicas: 'number',
  name: 'string',
  serviceName: 'string',
  labels: { map: 'string' },
  servicePort: 'number',
  containerPort: 'number',
  loadBalancer: 'boolean',
  serviceType: 'string',
  loadBalancerIps: { list: 'string' },
  user: 'number',
  runAsRoot: RUN_AS_ROOT_SHAPE,
});

/**
 * A hardened nginx demo, a {@link TestWorkload}: Namespace (Pod Security `restricted`), a Deployment of unprivileged nginx
 * (UID 101, port 8080, read-only root filesystem with an emptyDir on /tmp, requests/limits, readiness and liveness probes),
 * a Service (LoadBalancer by default) and an {@link AppNetworkPolicy} letting the gateway (`ingress` entity)
 * and, for a LoadBalancer, outside clients (`world`) reach the container port. Use {@link NginxDemo.backend} as the
 * backend of a gateway HTTPRoute.
 */
export class NginxDemo extends TestWorkload {
  /** The container port nginx-unprivileged listens on. */
  public static readonly CONTAINER_PORT = 8080;

  /** The policy letting traffic in (always added). */
  declare public readonly networkPolicy: AppNetworkPolicy;

  constructor(scope: Construct, id: string, props: NginxDemoProps = {}) {
    // Checked before the TestWorkload is built from the props, at the path this construct gets.
    props = checkProps([scope.node.path, id].filter((p) => p !== '').join('/'), props, NGINX_SHAPE);
    const name = props.name ?? 'nginx';
    const rootless = props.runAsRoot === undefined;
    super(scope, id, {
      name,
      ...(props.serviceName !== undefined ? { serviceName: props.serviceName } : {}),
      namespace: props.namespace ?? 'demo',
      ...(props.createNamespace !== undefined ? { createNamespace: props.createNamespace } : {}),
      image: props.image ?? NGINX_UNPRIVILEGED_IMAGE,
      replicas: props.replicas ?? 2,
      ...(props.labels ? { labels: props.labels } : {}),
      ports: [{ port: props.servicePort ?? 80, containerPort: props.containerPort ?? NginxDemo.CONTAINER_PORT, name: 'http' }],
      readiness: { path: '/' },
      liveness: {},
      serviceType: props.serviceType ?? ((props.loadBalancer ?? true) ? 'LoadBalancer' : 'ClusterIP'),
      ...(props.loadBalancerIps ? { loadBalancerIps: props.loadBalancerIps } : {}),
      ...(props.runAsRoot ? { runAsRoot: props.runAsRoot } : {}),
      user: props.user ?? 101,
      // nginx writes its temp files (client bodies, proxy buffers, pid) under /tmp in the unprivileged image.
      writablePaths: rootless ? ['/tmp'] : [],
      networkPolicy: 'always',
      allowFromGateway: true,
    });
    labelLibraryObjects(this);
  }
}
