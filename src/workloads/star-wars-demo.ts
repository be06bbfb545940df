import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { TestWorkload, TestWorkloadServiceType } from './test-workload';
import { AppNetworkPolicy } from '../cilium/policy/app-network-policy';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { invalid } from '../errors';
import { checkPinnedImage, containerResources, RESTRICTED_POD_SECURITY_LABELS, restrictedContainerSecurity } from '../private/hardening';
import { BUILT_IN_NAMESPACES } from '../private/names';
import { checkProps, propsShape } from '../private/props';
import { checkNamespace } from '../private/syntax';

/** The deathstar HTTP API of Cilium's Star Wars demo (listens on 80), pinned as in Cilium's `http-sw-app.yaml`. */
export const STAR_WARS_DEATHSTAR_IMAGE =
  'quay.io/cilium/starwars:v2.1@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8';

/** The spaceship (client) image of Cilium's Star Wars demo: json-server with curl, pinned as upstream. */
export const STAR_WARS_SPACESHIP_IMAGE =
  'quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603';

/** Labels of the demo's pods, as upstream: `org` is the faction, `class` the ship. */
export const STAR_WARS_LABELS = {
  deathstar: { org: 'empire', class: 'deathstar' },
  tiefighter: { org: 'empire', class: 'tiefighter' },
  xwing: { org: 'alliance', class: 'xwing' },
} as const;

/** The only request the deathstar accepts: empire ships asking for a landing. */
export const DEATHSTAR_LANDING_REQUEST = { method: 'POST', path: '/v1/request-landing' } as const;

/** Props of {@link StarWarsDemo}. */
export interface StarWarsDemoProps {
  /** Namespace of the demo. @default 'star-wars' */
  readonly namespace?: string;
  /**
   * Create the Namespace (with the `restricted` Pod Security labels). Refused for the built-in namespaces
   * (`default`, `kube-system`, `kube-public`, `kube-node-lease`). @default - true, except for built-in namespaces
   */
  readonly createNamespace?: boolean;
  /**
   * Type of the deathstar Service. A `LoadBalancer` (or `NodePort`) deathstar is reachable from outside the cluster; its
   * policy then also admits `world` (and `remote-node`, for traffic SNATed by another node), still only for
   * `POST /v1/request-landing`. @default 'ClusterIP' (as upstream)
   */
  readonly deathstarServiceType?: TestWorkloadServiceType;
  /** Pool addresses requested for a LoadBalancer deathstar (annotation `lbipam.cilium.io/ips`). @default - the next free one */
  readonly deathstarLoadBalancerIps?: string[];
  /** Deathstar replicas. @default 2 (as upstream) */
  readonly deathstarReplicas?: number;
  /** Deathstar image. @default STAR_WARS_DEATHSTAR_IMAGE */
  readonly deathstarImage?: string;
  /** Spaceship (tiefighter, xwing) image. @default STAR_WARS_SPACESHIP_IMAGE */
  readonly spaceshipImage?: string;
}

const STAR_WARS_SHAPE = propsShape<StarWarsDemoProps>('StarWarsDemo', {
  namespace: 'string',
  createNamespace: 'boolean',
  deathstarServiceType: 'string',
  deathstarLoadBalancerIps: { list: 'string' },
  deathstarReplicas: 'number',
  deathstarImage: 'string',
  spaceshipImage: 'string',
});

/** UID of `nobody`: the deathstar binary needs no account of its own. */
const NOBODY = 65534;
/** UID of the `node` user of the json-mock image (node:*-slim base). */
const NODE_USER = 1000;
/** Port the spaceships' json-server listens on (upstream uses 80; the image reads `$PORT`). */
const SPACESHIP_PORT = 8080;

/**
 * Cilium's Star Wars demo (https://docs.cilium.io/en/stable/gettingstarted/demo/), hardened and under
 * default deny:
 * - `deathstar`: Deployment (2 replicas, labels `org=empire, class=deathstar`) + ClusterIP Service on port 80;
 * - `tiefighter` (`org=empire, class=tiefighter`) and `xwing` (`org=alliance, class=xwing`): one-replica
 *   Deployments to `kubectl exec` curl from (upstream uses bare Pods);
 * - the L3/L4/L7 policy of the docs: only `org=empire` reaches the deathstar, on TCP 80, and only with
 *   `POST /v1/request-landing`;
 * - egress for both ships to the deathstar on TCP 80 (plus DNS), so that the xwing is stopped by the
 *   deathstar's policy as in the docs, not by its own default deny.
 *
 * Try it: `kubectl -n star-wars exec deploy/tiefighter -- curl -s -XPOST deathstar/v1/request-landing`
 * (Ship landed); the same with `-XPUT deathstar/v1/exhaust-port` gets "Access denied" from Envoy, and from
 * `deploy/xwing` the request times out.
 *
 * Hardening over upstream: every container runs as non-root with a read-only root filesystem, no
 * capabilities, RuntimeDefault seccomp, requests/limits and readiness probes. The deathstar binds port 80 as
 * `nobody` thanks to the namespaced sysctl `net.ipv4.ip_unprivileged_port_start=0` (allowed by the
 * `restricted` Pod Security Standard); the ships' json-server listens on 8080 instead of 80.
 */
export class StarWarsDemo extends Construct {
  /** Port of the deathstar Service and container. */
  public static readonly DEATHSTAR_PORT = 80;

  /** Namespace of every object of the demo. */
  public readonly namespace: string;
  /** The deathstar workload (Deployment + Service). */
  public readonly deathstarWorkload: TestWorkload;
  /** The deathstar Deployment. */
  public readonly deathstar: kplus.Deployment;
  /** The deathstar Service (`deathstar:80`). */
  public readonly deathstarService: kplus.Service;
  /** The tiefighter Deployment (empire). */
  public readonly tiefighter: kplus.Deployment;
  /** The xwing Deployment (alliance). */
  public readonly xwing: kplus.Deployment;
  /** The deathstar's L3/L4/L7 ingress policy. */
  public readonly deathstarPolicy: AppNetworkPolicy;
  /** Egress policies of the ships, by ship. */
  public readonly spaceshipPolicies: Readonly<Record<'tiefighter' | 'xwing', AppNetworkPolicy>>;

  constructor(scope: Construct, id: string, props: StarWarsDemoProps = {}) {
    super(scope, id);
    KindCiliumCluster.of(this);
    const path = this.node.path;
    props = checkProps(path, props, STAR_WARS_SHAPE);
    this.namespace = checkNamespace(`${path}.namespace`, props.namespace ?? 'star-wars');
    const deathstarImage = checkPinnedImage(`${path}.deathstarImage`, props.deathstarImage ?? STAR_WARS_DEATHSTAR_IMAGE);
    const spaceshipImage = checkPinnedImage(`${path}.spaceshipImage`, props.spaceshipImage ?? STAR_WARS_SPACESHIP_IMAGE);

    const builtIn = BUILT_IN_NAMESPACES.includes(this.namespace);
    if (props.createNamespace === true && builtIn) {
      invalid('built-in-namespace', `${path}.createNamespace`,
        `"${this.namespace}" is a built-in namespace: the cluster owns it, and emitting it would relabel it (and \`kubectl delete -k\` would delete it)`,
        'leave createNamespace out (or false) for built-in namespaces, or use a namespace of your own');
    }
    if (props.createNamespace ?? !builtIn) {
      new kplus.Namespace(this, 'Namespace', { metadata: { name: this.namespace, labels: { ...RESTRICTED_POD_SECURITY_LABELS } } });
    }

    const port = StarWarsDemo.DEATHSTAR_PORT;
    const serviceType = props.deathstarServiceType ?? 'ClusterIP';
    // Binds port 80 as `nobody`: TestWorkload adds the namespaced sysctl net.ipv4.ip_unprivileged_port_start=0.
    this.deathstarWorkload = new TestWorkload(this, 'deathstar', {
      name: 'deathstar',
      namespace: this.namespace,
      createNamespace: false,
      image: deathstarImage,
      replicas: props.deathstarReplicas ?? 2,
      labels: { ...STAR_WARS_LABELS.deathstar },
      extraLabels: { 'app.kubernetes.io/name': 'deathstar' },
      ports: [{ port, name: 'http' }],
      readiness: { path: '/v1' },
      user: NOBODY,
      resources: { cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMebibytes: 16, memoryLimitMebibytes: 64 },
      serviceType,
      ...(props.deathstarLoadBalancerIps ? { loadBalancerIps: props.deathstarLoadBalancerIps } : {}),
      // The demo's own L3/L4/L7 policy below is the deathstar's onboarding policy.
      networkPolicy: 'none',
    });
    this.deathstar = this.deathstarWorkload.deployment;
    this.deathstarService = this.deathstarWorkload.service;

    this.tiefighter = this.spaceship('tiefighter', spaceshipImage);
    this.xwing = this.spaceship('xwing', spaceshipImage);

    this.deathstarPolicy = new AppNetworkPolicy(this, 'DeathstarPolicy', {
      name: 'deathstar-landing-requests',
      namespace: this.namespace,
      appLabels: { ...STAR_WARS_LABELS.deathstar },
      allowFrom: [{ labels: { org: 'empire' } }],
      ...(serviceType !== 'ClusterIP' ? { allowFromWorld: true, allowFromEntities: ['remote-node' as const] } : {}),
      ingressPorts: [{ port, protocol: 'TCP' }],
      httpRules: [{ ...DEATHSTAR_LANDING_REQUEST }],
    });
    const shipPolicy = (ship: 'tiefighter' | 'xwing') => new AppNetworkPolicy(this, `${ship}-policy`, {
      name: `${ship}-to-deathstar`,
      namespace: this.namespace,
      appLabels: { ...STAR_WARS_LABELS[ship] },
      egressTo: [{ labels: { ...STAR_WARS_LABELS.deathstar }, ports: [{ port, protocol: 'TCP' }] }],
    });
    this.spaceshipPolicies = { tiefighter: shipPolicy('tiefighter'), xwing: shipPolicy('xwing') };
    labelLibraryObjects(this);
  }

  private deployment(name: keyof typeof STAR_WARS_LABELS, replicas: number, pod: Pick<kplus.DeploymentProps, 'securityContext' | 'containers' | 'volumes'>): kplus.Deployment {
    const labels = { ...STAR_WARS_LABELS[name], 'app.kubernetes.io/name': name };
    const deployment = new kplus.Deployment(this, name, {
      metadata: { name, namespace: this.namespace, labels: { 'app.kubernetes.io/name': name } },
      replicas,
      select: false,
      podMetadata: { labels },
      automountServiceAccountToken: false,
      ...pod,
    });
    deployment.select(kplus.LabelSelector.of({ labels: { ...STAR_WARS_LABELS[name] } }));
    return deployment;
  }

  private spaceship(name: 'tiefighter' | 'xwing', image: string): kplus.Deployment {
    const tmp = kplus.Volume.fromEmptyDir(this, `${name}-tmp`, 'tmp', { sizeLimit: Size.mebibytes(64) });
    return this.deployment(name, 1, {
      securityContext: { ensureNonRoot: true, user: NODE_USER, group: NODE_USER },
      containers: [{
        name: 'spaceship',
        image,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ number: SPACESHIP_PORT, name: 'http' }],
        envVariables: {
          PORT: kplus.EnvValue.fromValue(String(SPACESHIP_PORT)),
          HOME: kplus.EnvValue.fromValue('/tmp'),
          NO_UPDATE_NOTIFIER: kplus.EnvValue.fromValue('1'),
        },
        readiness: kplus.Probe.fromTcpSocket({ port: SPACESHIP_PORT }),
        resources: containerResources({ cpuRequestMillis: 10, cpuLimitMillis: 200, memoryRequestMebibytes: 64, memoryLimitMebibytes: 128 }),
        securityContext: restrictedContainerSecurity(NODE_USER),
        volumeMounts: [{ path: '/tmp', volume: tmp }],
      }],
    });
  }
}
