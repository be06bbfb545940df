import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppNetworkPolicy } from '../cilium/policy/app-network-policy';
import { ClusterDefaultDeny } from '../cilium/policy/cluster-default-deny';
import { PodPeer, POD_PEER_SHAPE } from '../cilium/policy/peers';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { invalid } from '../errors';
import { HttpRouteBackend } from '../gateway/http-route';
import { checkContainerSizing, checkPinnedImage, ContainerSizing, containerResources, CONTAINER_SIZING_SHAPE, restrictedContainerSecurity, RESTRICTED_POD_SECURITY_LABELS } from '../private/hardening';
import { parseIpv4 } from '../private/ipv4';
import { BUILT_IN_NAMESPACES } from '../private/names';
import { checkProps, propsShape, required } from '../private/props';
import { checkNamespace, isPlainObject, LABEL_KEY_RE, LABEL_VALUE_RE } from '../private/syntax';

export { BUILT_IN_NAMESPACES };
export type { ContainerSizing };

/** Cilium LB-IPAM's annotation requesting addresses for a LoadBalancer Service (comma-separated). */
export const LB_IPAM_IPS_ANNOTATION = 'lbipam.cilium.io/ips';

/** Annotation carrying the reason a workload runs without the non-root hardening. */
export const HARDENING_OPT_OUT_ANNOTATION = 'cdk8s-kind-cilium/runs-as-root';

/** How a {@link TestWorkload}'s Service is exposed. */
export type TestWorkloadServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** One port of a {@link TestWorkload}. */
export interface TestWorkloadPort {
  /** Service port. */
  readonly port: number;
  /** Container port. @default - same as port */
  readonly containerPort?: number;
  /** Port name (Service and container); required by Kubernetes when there are several ports. @default - none for a single port, `<protocol>-<port>` otherwise */
  readonly name?: string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /** Fixed NodePort (30000-32767) for NodePort and LoadBalancer Services. @default - Kubernetes picks one */
  readonly nodePort?: number;
}

/** A probe: an HTTP GET when `path` is given, a TCP connect otherwise. */
export interface TestWorkloadProbe {
  /** HTTP path, e.g. `/`: starts with `/`, visible ASCII only (a request target; percent-encode anything else). @default - TCP connect */
  readonly path?: string;
  /** Container port probed (1-65535). @default - the first container port */
  readonly port?: number;
}

/** The explicit opt-out of the non-root hardening, for images that need root (e.g. plain `nginx`, which binds 80 and switches user). */
export interface RunAsRootOptions {
  /** Why the image needs root; written on the Deployment as the `cdk8s-kind-cilium/runs-as-root` annotation. */
  readonly reason: string;
}

/** Props of {@link TestWorkload}. */
export interface TestWorkloadProps {
  /** Name of the Deployment (and the container). A DNS-1123 label. */
  readonly name: string;
  /** Name of the Service. @default - same as name */
  readonly serviceName?: string;
  /** Namespace of the objects. @default 'default' */
  readonly namespace?: string;
  /**
   * Emit the Namespace (with `restricted` Pod Security labels; `baseline` with {@link TestWorkloadProps.runAsRoot}).
   * Refused for the built-in namespaces (`default`, `kube-system`, `kube-public`, `kube-node-lease`): the cluster owns them,
   * and applying them would relabel (and on `kubectl delete -k`, delete) them. A namespace no object creates is reported by
   * the intended outcome `namespace-not-created` (app validation). @default - true, except for built-in namespaces and a namespace another object of the cluster already
   * creates (e.g. an earlier workload in the same namespace)
   */
  readonly createNamespace?: boolean;
  /** Image, pinned by a tag other than `latest` (a digest is welcome). */
  readonly image: string;
  /** Ports (at least one). */
  readonly ports: TestWorkloadPort[];
  /** Pod labels, also the Deployment and Service selector. @default { 'app.kubernetes.io/name': name } */
  readonly labels?: Record<string, string>;
  /** Labels on the Deployment, the Service and the pods that are not part of the selector. @default - none */
  readonly extraLabels?: Record<string, string>;
  /**
   * Deployment replicas, 1-20. 0, which Kubernetes accepts, is refused on purpose: a test workload exists to answer
   * the probes of `verify.sh` and the flows its policy allows; leave the construct out instead. @default 1
   */
  readonly replicas?: number;
  /** Readiness probe. @default - TCP connect to the first container port */
  readonly readiness?: TestWorkloadProbe;
  /** Liveness probe. @default - none */
  readonly liveness?: TestWorkloadProbe;
  /** Service type. @default 'ClusterIP' */
  readonly serviceType?: TestWorkloadServiceType;
  /**
   * Addresses to request from a Cilium LB pool (annotation `lbipam.cilium.io/ips`); LoadBalancer only. The rules check
   * each lies in a pool of the cluster and is requested once (`lb-address-outside-pool`, `lb-address-requested-twice`).
   * @default - the next free pool address
   */
  readonly loadBalancerIps?: string[];
  /** UID (and GID) the container runs as; ignored with runAsRoot. Ports below 1024 get `net.ipv4.ip_unprivileged_port_start=0`. @default 65532 */
  readonly user?: number;
  /**
   * Opt out of the non-root hardening for an image that needs root: runs as the image's user with its capabilities and a
   * writable root filesystem (no privilege escalation, RuntimeDefault seccomp and resources stay). @default - non-root,
   * read-only root filesystem, every capability dropped
   */
  readonly runAsRoot?: RunAsRootOptions;
  /** Writable directories (size-limited emptyDir volumes, 64 MiB each), e.g. ['/tmp']. @default - none */
  readonly writablePaths?: string[];
  /**
   * CPU and memory requests/limits: all four, positive whole numbers, each request at most its limit (the API server
   * refuses a request above its limit). @default 10m/200m CPU, 16/64 MiB memory
   */
  readonly resources?: ContainerSizing;
  /** Environment variables. Names are printable ASCII other than `=` (the API server's rule); values any text. @default - none */
  readonly env?: Record<string, string>;
  /**
   * The onboarding {@link AppNetworkPolicy} letting traffic to the ports in: `'auto'` adds it when a {@link ClusterDefaultDeny}
   * is in the cluster when this workload is created (a default deny added later is reported at validation), `'always'`
   * adds it anyway, `'none'` never. It admits clients outside the cluster (`world`, and `remote-node` for SNATed
   * traffic) for NodePort and LoadBalancer Services, Cilium's gateway when `allowFromGateway`, and `allowFrom` pods.
   * A policy that would admit none of them (a ClusterIP Service without `allowFromGateway` or `allowFrom`) is refused
   * (`empty-app-policy`): set one of them, or `'none'`.
   * @default 'auto'
   */
  readonly networkPolicy?: 'auto' | 'always' | 'none';
  /**
   * Let Cilium's gateway (`ingress` entity) in through the policy, on the workload's ports. Needed for every
   * workload behind a route under a `ClusterDefaultDeny`, which does not let the gateway in by itself: a route to
   * a backend that does not admit it is refused (`gateway-backend-denied`).
   * @default false
   */
  readonly allowFromGateway?: boolean;
  /** Pods let in through the policy. @default - none */
  readonly allowFrom?: PodPeer[];
}

const PROBE_SHAPE = propsShape<TestWorkloadProbe>('probe', { path: 'string', port: 'number' });
/** @internal The shape of {@link RunAsRootOptions}. */
export const RUN_AS_ROOT_SHAPE = propsShape<RunAsRootOptions>('runAsRoot', { reason: required('string') });
const WORKLOAD_SHAPE = propsShape<TestWorkloadProps>('TestWorkload', {
  name: required('string'),
  serviceName: 'string',
  namespace: 'string',
  createNamespace: 'boolean',
  image: required('string'),
  ports: required({
    list: propsShape<TestWorkloadPort>('TestWorkload port', { port: required('number'), containerPort: 'number', name: 'string', protocol: 'string', nodePort: 'number' }),
  }),
  labels: { map: 'string' },
  extraLabels: { map: 'string' },
  replicas: 'number',
  readiness: PROBE_SHAPE,
  liveness: PROBE_SHAPE,
  serviceType: 'string',
  loadBalancerIps: { list: 'string' },
  user: 'number',
  runAsRoot: RUN_AS_ROOT_SHAPE,
  writablePaths: { list: 'string' },
  resources: CONTAINER_SIZING_SHAPE,
  env: { map: 'string' },
  networkPolicy: 'string',
  allowFromGateway: 'boolean',
  allowFrom: { list: POD_PEER_SHAPE },
});

/** An HTTP probe path: an origin-form request target (RFC 9112 §3.2.1), printable ASCII without spaces. */
const HTTP_GET_PATH_RE = /^\/[\x21-\x7e]*$/;
/** Kubernetes env var names: printable ASCII but "=" (`validation.IsEnvVarName`, relaxed in 1.32+), never empty. */
const ENV_NAME_RE = /^[\x20-\x3c\x3e-\x7e]+$/;

const DEFAULT_SIZING: ContainerSizing = { cpuRequestMillis: 10, cpuLimitMillis: 200, memoryRequestMebibytes: 16, memoryLimitMebibytes: 64 };
const DEFAULT_USER = 65532;
const PRIVILEGED_PORT_LIMIT = 1024;

/**
 * A test workload as lab write-ups define them: a Deployment plus a Service (ClusterIP, NodePort or LoadBalancer,
 * optionally with a requested pool address), in an existing namespace or a new one, secure by default (non-root,
 * read-only root filesystem, no capabilities, RuntimeDefault seccomp, resources, pinned image), and, under a
 * {@link ClusterDefaultDeny}, the {@link AppNetworkPolicy} that lets its clients in.
 *
 * @example
 * new TestWorkload(cluster, 'web', {
 *   name: 'nginx', serviceName: 'test-lb', namespace: 'webtests', image: 'nginx:1.29.4',
 *   labels: { svc: 'test-lb' }, ports: [{ port: 80 }], readiness: { path: '/' }, serviceType: 'LoadBalancer',
 *   runAsRoot: { reason: 'the official nginx image binds port 80 and switches to the nginx user as root' },
 * });
 */
export class TestWorkload extends Construct {
  /** Namespace of every object. */
  public readonly namespace: string;
  /** Pod labels (and selector). */
  public readonly appLabels: Readonly<Record<string, string>>;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Name of the Service. */
  public readonly serviceName: string;
  /** First Service port. */
  public readonly servicePort: number;
  /** The Service as a gateway backend (`{ name, namespace, port }`, first port). */
  public readonly backend: HttpRouteBackend;
  /** The Namespace, when this workload creates it. */
  public readonly namespaceObject?: kplus.Namespace;
  /** The onboarding policy, when added. */
  public readonly networkPolicy?: AppNetworkPolicy;

  constructor(scope: Construct, id: string, props: TestWorkloadProps) {
    super(scope, id);
    const cluster = KindCiliumCluster.of(this);
    const path = this.node.path;
    props = checkProps(path, props, WORKLOAD_SHAPE);
    const name = checkNamespace(`${path}.name`, props.name);
    this.namespace = checkNamespace(`${path}.namespace`, props.namespace ?? 'default');
    this.serviceName = checkNamespace(`${path}.serviceName`, props.serviceName ?? name);
    const image = checkPinnedImage(`${path}.image`, props.image);
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 20) {
      invalid('invalid-number', `${path}.replicas`, `${replicas} is not an integer between 1 and 20`, 'use 1-20 replicas (a test workload exists to answer verify.sh; leave the construct out rather than scaling it to 0)');
    }
    this.appLabels = checkLabelSet(`${path}.labels`, props.labels ?? { 'app.kubernetes.io/name': name }, false);
    const extraLabels = checkLabelSet(`${path}.extraLabels`, props.extraLabels ?? {}, true);
    const serviceType = props.serviceType ?? 'ClusterIP';
    if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(serviceType)) {
      invalid('invalid-service-type', `${path}.serviceType`, `"${serviceType}" is not a Service type`, 'use "ClusterIP", "NodePort" or "LoadBalancer"');
    }
    const ports = checkPorts(`${path}.ports`, props.ports, serviceType);
    const resources = props.resources === undefined ? DEFAULT_SIZING : checkContainerSizing(`${path}.resources`, props.resources);
    this.servicePort = ports[0].port;
    const lbIps = props.loadBalancerIps ?? [];
    if (lbIps.length > 0 && serviceType !== 'LoadBalancer') {
      invalid('lb-address-needs-load-balancer', `${path}.loadBalancerIps`, `addresses are requested for a ${serviceType} Service; Cilium LB-IPAM only serves LoadBalancer Services`,
        'set serviceType: "LoadBalancer" or drop loadBalancerIps');
    }
    lbIps.forEach((ip, i) => {
      if (typeof ip !== 'string' || parseIpv4(ip) === undefined) {
        invalid('invalid-lb-address', `${path}.loadBalancerIps[${i}]`, `${JSON.stringify(ip)} is not an IPv4 address`, 'give an address of one of the cluster\'s LB pools, e.g. "172.18.250.120"');
      }
    });
    const runAsRoot = props.runAsRoot;
    if (runAsRoot !== undefined && (!isPlainObject(runAsRoot) || typeof runAsRoot.reason !== 'string' || runAsRoot.reason.trim() === '')) {
      invalid('run-as-root-needs-reason', `${path}.runAsRoot.reason`, 'the opt-out of the non-root hardening gives no reason',
        'write why the image needs root, e.g. { reason: "the official nginx image binds port 80 as root" }, or use an unprivileged image');
    }
    const user = props.user ?? DEFAULT_USER;
    if (!Number.isInteger(user) || user < 1 || user > 2147483647) {
      invalid('invalid-number', `${path}.user`, `${user} is not a non-root UID`, 'use a UID between 1 and 2147483647 (or runAsRoot to opt out)');
    }

    const builtIn = BUILT_IN_NAMESPACES.includes(this.namespace);
    if (props.createNamespace === true && builtIn) {
      invalid('built-in-namespace', `${path}.createNamespace`,
        `"${this.namespace}" is a built-in namespace: the cluster owns it, and emitting it would relabel it (and \`kubectl delete -k\` would delete it)`,
        'leave createNamespace out (or false) for built-in namespaces, or use a namespace of your own');
    }
    // Another object of the cluster (e.g. an earlier workload in the same namespace) may already create it:
    // by default a second one would duplicate the Namespace object (rule duplicate-object-names).
    const alreadyCreated = cluster.node.findAll().some((c) => c !== this && ApiObject.isApiObject(c)
      && c.kind === 'Namespace' && c.apiVersion === 'v1' && c.metadata.name === this.namespace);
    if (props.createNamespace ?? (!builtIn && !alreadyCreated)) {
      const level = runAsRoot ? { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'latest' } : RESTRICTED_POD_SECURITY_LABELS;
      this.namespaceObject = new kplus.Namespace(this, 'Namespace', { metadata: { name: this.namespace, labels: { ...level } } });
    }

    const volumes = (props.writablePaths ?? []).map((p, i) => {
      if (typeof p !== 'string' || !/^\/[A-Za-z0-9._/-]*$/.test(p)) {
        invalid('invalid-path', `${path}.writablePaths[${i}]`, `${JSON.stringify(p)} is not an absolute path`, 'use absolute paths such as /tmp');
      }
      const volumeName = p.replace(/^\/+|\/+$/g, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'root';
      return { path: p, volume: kplus.Volume.fromEmptyDir(this, `Volume${i}`, volumeName, { sizeLimit: Size.mebibytes(64) }) };
    });
    const firstContainerPort = ports[0].containerPort;
    const probe = (p: TestWorkloadProbe | undefined, field: string) => {
      if (p === undefined) return undefined;
      const port = p.port ?? firstContainerPort;
      if (!Number.isInteger(port) || port < 1 || port > 65535) invalid('invalid-port', `${field}.port`, `${port} is not a port number`, 'use an integer between 1 and 65535');
      if (p.path !== undefined && !HTTP_GET_PATH_RE.test(p.path)) {
        invalid('invalid-path', `${field}.path`, `${JSON.stringify(p.path)} is not an HTTP path`,
          'start with "/" and use printable ASCII without spaces (an HTTP request target; other characters are percent-encoded, e.g. %20)');
      }
      return p.path !== undefined ? kplus.Probe.fromHttpGet(p.path, { port }) : kplus.Probe.fromTcpSocket({ port });
    };
    const lowPort = ports.some((p) => p.containerPort < PRIVILEGED_PORT_LIMIT);
    const env = props.env ?? {};
    for (const key of Object.keys(env)) {
      if (!ENV_NAME_RE.test(key)) {
        invalid('invalid-env-name', `${path}.env[${JSON.stringify(key)}]`, `${JSON.stringify(key)} is not an environment variable name`,
          'use printable ASCII other than "=" (the API server\'s rule for env names), e.g. LOG_LEVEL');
      }
    }

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: {
        name,
        namespace: this.namespace,
        ...(Object.keys(extraLabels).length > 0 ? { labels: { ...extraLabels } } : {}),
        ...(runAsRoot ? { annotations: { [HARDENING_OPT_OUT_ANNOTATION]: runAsRoot.reason } } : {}),
      },
      replicas,
      select: false,
      podMetadata: { labels: { ...this.appLabels, ...extraLabels } },
      securityContext: runAsRoot
        ? { ensureNonRoot: false }
        : {
          ensureNonRoot: true,
          user,
          group: user,
          ...(lowPort ? { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
        },
      automountServiceAccountToken: false,
      containers: [{
        name,
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        // One container port per (number, protocol): two Service ports may target the same container port.
        ports: ports.filter((p, i) => ports.findIndex((q) => q.containerPort === p.containerPort && q.protocol === p.protocol) === i).map((p) => ({
          number: p.containerPort,
          ...(p.name ? { name: p.name } : {}),
          ...(p.protocol === 'UDP' ? { protocol: kplus.Protocol.UDP } : {}),
        })),
        ...(Object.keys(env).length > 0
          ? { envVariables: Object.fromEntries(Object.entries(env).map(([k, val]) => [k, kplus.EnvValue.fromValue(val)])) }
          : {}),
        readiness: probe(props.readiness ?? {}, `${path}.readiness`),
        ...(props.liveness ? { liveness: probe(props.liveness, `${path}.liveness`) } : {}),
        resources: containerResources(resources),
        securityContext: runAsRoot ? rootContainerSecurity() : restrictedContainerSecurity(user),
        ...(volumes.length > 0 ? { volumeMounts: volumes } : {}),
      }],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...this.appLabels } }));

    this.service = new kplus.Service(this, 'Service', {
      metadata: {
        name: this.serviceName,
        namespace: this.namespace,
        ...(Object.keys(extraLabels).length > 0 ? { labels: { ...extraLabels } } : {}),
        ...(lbIps.length > 0 ? { annotations: { [LB_IPAM_IPS_ANNOTATION]: lbIps.join(',') } } : {}),
      },
      type: SERVICE_TYPES[serviceType],
      ports: ports.map((p) => ({
        port: p.port,
        targetPort: p.containerPort,
        ...(p.name ? { name: p.name } : {}),
        ...(p.protocol === 'UDP' ? { protocol: kplus.Protocol.UDP } : {}),
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
      })),
    });
    for (const [key, value] of Object.entries(this.appLabels)) this.service.selectLabel(key, value);
    this.backend = { name: this.serviceName, namespace: this.namespace, port: this.servicePort };

    const mode = props.networkPolicy ?? 'auto';
    if (!['auto', 'always', 'none'].includes(mode)) {
      invalid('invalid-network-policy-mode', `${path}.networkPolicy`, `"${mode}" is not a policy mode`, 'use "auto", "always" or "none"');
    }
    const hasDefaultDeny = () => cluster.node.findAll().some((c) => c instanceof ClusterDefaultDeny);
    if (mode === 'always' || (mode === 'auto' && hasDefaultDeny())) {
      const external = serviceType !== 'ClusterIP';
      if (!external && props.allowFromGateway !== true && !(props.allowFrom && props.allowFrom.length > 0)) {
        invalid('empty-app-policy', path, `its onboarding policy (networkPolicy ${JSON.stringify(mode)}) would let no client in, so it would have no effect`,
          'set allowFromGateway: true and/or allowFrom: [{ labels: { ... } }] (the clients to let in), or networkPolicy: "none" (no onboarding policy; under a ClusterDefaultDeny nothing then reaches it)');
      }
      this.networkPolicy = new AppNetworkPolicy(this, 'Policy', {
        name: `${name}-ingress`,
        namespace: this.namespace,
        appLabels: { ...this.appLabels },
        allowFromGateway: props.allowFromGateway ?? false,
        allowFromWorld: external,
        // Traffic a node forwards to a pod on another node is SNATed to that node's address (externalTrafficPolicy
        // Cluster) and arrives as `remote-node`, not `world`.
        ...(external ? { allowFromEntities: ['remote-node' as const] } : {}),
        ...(props.allowFrom ? { allowFrom: props.allowFrom } : {}),
        ingressPorts: ports.map((p) => ({ port: p.containerPort, ...(p.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}) })),
      });
    } else if (mode === 'auto') {
      this.node.addValidation({
        validate: () => (hasDefaultDeny()
          ? [`${path}.networkPolicy: "auto" found no ClusterDefaultDeny when the workload was created, but the cluster has one now, so nothing lets clients in. Fix: create the ClusterDefaultDeny before the workload, or set networkPolicy: "always"`]
          : []),
      });
    }
    labelLibraryObjects(this);
  }
}

const SERVICE_TYPES: Record<TestWorkloadServiceType, kplus.ServiceType> = {
  ClusterIP: kplus.ServiceType.CLUSTER_IP,
  NodePort: kplus.ServiceType.NODE_PORT,
  LoadBalancer: kplus.ServiceType.LOAD_BALANCER,
};

/** The opt-out container context: the image's user and capabilities, writable root; still no escalation, RuntimeDefault seccomp. */
function rootContainerSecurity(): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: false,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: false,
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

function checkLabelSet(field: string, labels: Record<string, string>, allowEmpty: boolean): Record<string, string> {
  if (!isPlainObject(labels)) invalid('invalid-type', field, 'is not an object of labels', 'write labels as { key: "value" }');
  const entries = Object.entries(labels);
  if (!allowEmpty && entries.length === 0) invalid('empty-selector', field, 'is empty, so the Service would select no pod', 'give at least one label, e.g. { app: "web" }');
  for (const [key, value] of entries) {
    if (!LABEL_KEY_RE.test(key) || typeof value !== 'string' || !LABEL_VALUE_RE.test(value)) {
      invalid('invalid-label', `${field}["${key}"]`, `"${key}=${String(value)}" is not a valid Kubernetes label`,
        'use a qualified key (prefix/name) and a value of at most 63 alphanumerics, "-", "_" or "."');
    }
  }
  return { ...labels };
}

interface CheckedPort { port: number; containerPort: number; name?: string; protocol: 'TCP' | 'UDP'; nodePort?: number }

function checkPorts(field: string, ports: readonly TestWorkloadPort[], serviceType: TestWorkloadServiceType): CheckedPort[] {
  if (!Array.isArray(ports) || ports.length === 0) invalid('invalid-ports', field, 'lists no port', 'give at least one port, e.g. [{ port: 80 }]');
  const isPort = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
  const out = ports.map((raw, i): CheckedPort => {
    const f = `${field}[${i}]`;
    const p = raw as TestWorkloadPort;
    const containerPort = p.containerPort ?? p.port;
    if (!isPort(p.port)) invalid('invalid-port', `${f}.port`, `${p.port} is not a port number`, 'use an integer between 1 and 65535');
    if (!isPort(containerPort)) invalid('invalid-port', `${f}.containerPort`, `${containerPort} is not a port number`, 'use an integer between 1 and 65535');
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') invalid('invalid-protocol', `${f}.protocol`, `"${protocol}" is not TCP or UDP`, 'use "TCP" or "UDP"');
    if (p.nodePort !== undefined) {
      if (serviceType === 'ClusterIP') invalid('node-port-needs-service-type', `${f}.nodePort`, 'a ClusterIP Service has no NodePort', 'set serviceType: "NodePort" or "LoadBalancer", or drop nodePort');
      if (!Number.isInteger(p.nodePort) || p.nodePort < 30000 || p.nodePort > 32767) {
        invalid('invalid-port', `${f}.nodePort`, `${p.nodePort} is outside the NodePort range`, 'use 30000-32767 (the API server\'s default --service-node-port-range)');
      }
    }
    const name = p.name ?? (ports.length > 1 ? `${protocol.toLowerCase()}-${p.port}` : undefined);
    if (name !== undefined && (typeof name !== 'string' || name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || !/[a-z]/.test(name))) {
      invalid('invalid-port-name', `${f}.name`, `${JSON.stringify(name)} is not a port name`, 'use at most 15 lowercase letters, digits or "-", with at least one letter (IANA_SVC_NAME)');
    }
    return { port: p.port, containerPort, protocol, ...(name ? { name } : {}), ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}) };
  });
  const seen = new Set<string>();
  out.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) invalid('duplicate-port', `${field}[${i}].port`, `${p.protocol} port ${p.port} is listed twice`, 'list each Service port once');
    seen.add(key);
  });
  return out;
}
