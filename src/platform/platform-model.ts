import { ClusterSpec } from './cluster-spec';
import { CiliumHelmValues } from '../cilium/helm-values';
import { KindClusterConfig } from '../kind/kind-config';
import { Ipv4Range } from '../net/ipv4';

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
}

/** A default-deny policy. */
export interface DefaultDenyFact {
  readonly field: string;
  readonly name: string;
  /** The policy lets every endpoint it selects resolve names via kube-dns (UDP+TCP 53). */
  readonly allowsDnsEgress: boolean;
}

/** Everything contributed to one cluster. */
export interface PlatformFacts {
  readonly pools: PoolFact[];
  readonly l2Policies: L2PolicyFact[];
  readonly gateways: GatewayFact[];
  readonly loadBalancerServices: LoadBalancerServiceFact[];
  readonly defaultDenyPolicies: DefaultDenyFact[];
}

/** The whole platform as the rules see it: description, rendered outputs and contributed facts. */
export interface PlatformModel extends PlatformFacts {
  /** Construct path of the cluster, prefix for messages. */
  readonly field: string;
  readonly spec: ClusterSpec;
  readonly kindConfig: KindClusterConfig;
  readonly ciliumValues: CiliumHelmValues;
}

/** An empty fact set. */
export function emptyFacts(): PlatformFacts {
  return { pools: [], l2Policies: [], gateways: [], loadBalancerServices: [], defaultDenyPolicies: [] };
}
