import { Ipv4Range } from '../private/ipv4';
import { CiliumFeatureFlags, CiliumHelmValues } from '../render/cilium-values';
import { KindClusterConfig } from '../render/kind-config';
import { ClusterSpec } from '../spec/cluster-spec';
import { MeshMembership } from '../spec/mesh-membership';

/**
 * Plain-data facts that constructs contribute about themselves, so the cross-object rules
 * (`src/rules`) can check the whole platform without knowing construct classes.
 * Every `field` is a path the user recognises in messages, e.g. `dev/pool.blocks[1]`.
 */

/** One block of a CiliumLoadBalancerIPPool. */
export interface PoolBlockFact {
  readonly field: string;
  /** As written: a CIDR or `start-stop`. */
  readonly text: string;
  readonly range: Ipv4Range;
  /**
   * The addresses Cilium LB-IPAM hands out from the block: `range` without its first and last address when the pool
   * sets `allowFirstLastIPs: No` and the block is a CIDR larger than a /31 (Cilium ignores the setting for /31, /32 and
   * start/stop ranges). @default range
   */
  readonly allocatable?: Ipv4Range;
  /**
   * For a CIDR block larger than a /31 whose pool hands out its first and last address: the addresses left with
   * `allowFirstLastIps: false` (what a fix can offer instead of another range). @default - no such block
   */
  readonly withoutFirstLast?: Ipv4Range;
}

/** A CiliumLoadBalancerIPPool. */
export interface PoolFact {
  readonly field: string;
  readonly name: string;
  readonly disabled: boolean;
  readonly blocks: readonly PoolBlockFact[];
  /** Usable addresses (after allowFirstLastIPs). */
  readonly size: number;
  /** True when the pool only serves services matching a selector. */
  readonly hasServiceSelector: boolean;
}

/** A CiliumL2AnnouncementPolicy. */
export interface L2PolicyFact {
  readonly field: string;
  readonly name: string;
  /** Interface regexes (`spec.interfaces`). */
  readonly interfaces: readonly string[];
  readonly loadBalancerIPs: boolean;
  readonly externalIPs: boolean;
}

/** A Gateway served by Cilium, whose Service is a LoadBalancer pinned to NodePorts. */
export interface GatewayFact {
  readonly field: string;
  readonly name: string;
  readonly httpNodePort: number;
  readonly httpsNodePort: number;
}

/** A Service of type LoadBalancer (consumes one pool address). */
export interface LoadBalancerServiceFact {
  readonly field: string;
  readonly name: string;
  readonly namespace: string;
  /** Addresses requested with Cilium's `lbipam.cilium.io/ips` annotation, as written; absent when none. */
  readonly requestedIps?: readonly string[];
  /** Cilium's `lbipam.cilium.io/sharing-key`: Services with the same key may share an address. */
  readonly sharingKey?: string;
  /**
   * The Service's ports, for a Service no rendered object describes (one the Cilium chart creates, e.g.
   * `clustermesh-apiserver`); a rendered Service's own `spec.ports` are read from the object.
   */
  readonly ports?: readonly { readonly port: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }[];
}

/** A Namespace object of the cluster. */
export interface NamespaceFact {
  readonly field: string;
  readonly name: string;
}

/** A workload object (pods or a Service) placed in a namespace. */
export interface NamespaceUseFact {
  readonly field: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** A default-deny policy. */
export interface DefaultDenyFact {
  readonly field: string;
  readonly name: string;
  /** The policy lets every endpoint it selects resolve names via kube-dns (UDP+TCP 53). */
  readonly allowsDnsEgress: boolean;
}

/** Pods an expectation names: every pod of the namespace carrying all the labels. */
export interface ExpectedPodsFact {
  readonly namespace: string;
  /** Empty: every pod of the namespace. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * An outcome the user states (an `ExpectFlow` or `ExpectUrl` construct), judged by the `expectations` outcome family
 * against the applied state: a flow between pods that must be allowed or denied, or a URL that must be answered.
 */
export type ExpectationFact =
  | {
    readonly kind: 'flow';
    /** Construct path of the expectation (where a failure is reported). */
    readonly field: string;
    readonly from: ExpectedPodsFact;
    readonly to: ExpectedPodsFact;
    /** The server's container port (the port Cilium's policies see, after Service translation). */
    readonly port: number;
    readonly protocol: 'TCP' | 'UDP' | 'SCTP';
    /** The HTTP request the connection carries, when stated. */
    readonly http?: { readonly method: string; readonly path: string };
    readonly expect: 'allowed' | 'denied';
  }
  | {
    readonly kind: 'url';
    readonly field: string;
    /** The URL as a browser on the host uses it, normalised by WHATWG URL parsing. */
    readonly url: string;
    /** The Service the request must be forwarded to, when stated. */
    readonly backend?: { readonly namespace: string; readonly name: string; readonly port: number };
  };

/** Everything contributed to one cluster. */
export interface PlatformFacts {
  readonly pools: PoolFact[];
  readonly l2Policies: L2PolicyFact[];
  readonly gateways: GatewayFact[];
  readonly loadBalancerServices: LoadBalancerServiceFact[];
  readonly defaultDenyPolicies: DefaultDenyFact[];
  /** Every Namespace object of the cluster, whoever wrote it. */
  readonly namespaces: NamespaceFact[];
  /** Every workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, Service) and its namespace. */
  readonly namespaceUses: NamespaceUseFact[];
  /** The Cluster Mesh this cluster belongs to (at most one entry: a ClusterMesh creates its member clusters). */
  readonly meshMemberships: MeshMembership[];
  /** The outcomes the user states (`ExpectFlow`, `ExpectUrl`), judged once the bundle is applied. */
  readonly expectations: ExpectationFact[];
}

/** The whole platform as the rules see it: description, rendered outputs and contributed facts. */
export interface PlatformModel extends PlatformFacts {
  /** Construct path of the cluster, prefix for messages. */
  readonly field: string;
  readonly spec: ClusterSpec;
  readonly kindConfig: KindClusterConfig;
  readonly ciliumValues: CiliumHelmValues;
}

/**
 * The Helm-relevant features the constructs contribute: Cilium's Gateway API controller runs exactly when the cluster
 * has a Gateway (a LocalGateway), and a mesh member gets the mesh's values.
 */
export function ciliumFeaturesOf(facts: Pick<PlatformFacts, 'gateways' | 'meshMemberships'>): CiliumFeatureFlags {
  const mesh = facts.meshMemberships[0];
  return { gatewayApi: facts.gateways.length > 0, ...(mesh ? { mesh } : {}) };
}

/** An empty fact set. */
export function emptyFacts(): PlatformFacts {
  return {
    pools: [],
    l2Policies: [],
    gateways: [],
    loadBalancerServices: [],
    defaultDenyPolicies: [],
    namespaces: [],
    namespaceUses: [],
    meshMemberships: [],
    expectations: [],
  };
}

/**
 * A construct that describes itself to the rules. The cluster pulls these facts from its construct tree
 * each time it builds its model (at validation and rendering), so nothing depends on construction order
 * and there is no public mutator.
 */
export interface PlatformFactSource {
  /** @internal The facts of this construct. */
  _platformFacts(): Partial<PlatformFacts>;
}

/** True when `x` contributes facts (see {@link PlatformFactSource}). */
export function isPlatformFactSource(x: unknown): x is PlatformFactSource {
  return typeof x === 'object' && x !== null && typeof (x as { _platformFacts?: unknown })._platformFacts === 'function';
}

/** Appends `more` to `facts` (in place). */
export function mergeFacts(facts: PlatformFacts, more: Partial<PlatformFacts> | undefined): void {
  // A construct still in its constructor has no facts yet.
  if (more === undefined) return;
  for (const key of Object.keys(more) as (keyof PlatformFacts)[]) {
    (facts[key] as unknown[]).push(...(more[key] as unknown[]));
  }
}
