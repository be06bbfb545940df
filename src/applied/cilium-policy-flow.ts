import { describePeer, PolicyPeer } from './cilium-policy-identity';
import { FlowProtocol, HttpRequest } from './cilium-policy-ports';
import { PolicyRuleRef } from './cilium-policy-rules';

/**
 * What the policy engine is asked and what it answers: the agent settings, a flow, and the verdict with its reasons.
 * Upstream terms: `Documentation/security/policy/intro.rst` (enforcement modes, default deny),
 * `Documentation/security/policy/layer7.rst` (403 and REFUSED instead of drops).
 */

/** Agent settings that change verdicts, by their Helm value names (`../shared/reference/cilium-1.x/helm-values.yaml`). */
export interface CiliumPolicySettings {
  /**
   * The Cilium minor (`1.18`, `1.19`, ...). It sets the defaults that changed between minors
   * (`../shared/reference/VERSIONS.md`): `policyDefaultLocalCluster` is false before 1.19, and the agent knows the
   * `cluster-mesh` entity from 1.20 (before, a policy naming it is refused).
   * @default the newest behaviour (1.20+)
   */
  readonly ciliumMinor?: string;
  /** `cluster.name`: what the `cluster` entity and the cluster label of this cluster's pods say. @default 'default' */
  readonly clusterName?: string;
  /**
   * `policyEnforcementMode`: `default` enforces on endpoints some rule selects, `always` on every endpoint (no rule:
   * nothing passes, not even the local node), `never` nowhere (`Documentation/security/policy/intro.rst`).
   * @default 'default'
   */
  readonly policyEnforcementMode?: 'default' | 'always' | 'never';
  /** The agent flag `allow-localhost`: `auto` is `always` in Kubernetes (`pkg/option/config.go`). @default 'auto' */
  readonly allowLocalhost?: 'auto' | 'always' | 'policy';
  /** `clustermesh.policyDefaultLocalCluster`: peer selectors without a cluster label select this cluster only. @default true (false before 1.19) */
  readonly policyDefaultLocalCluster?: boolean;
  /** `enableNonDefaultDenyPolicies`: honour `enableDefaultDeny: false`. @default true */
  readonly enableNonDefaultDenyPolicies?: boolean;
  /** `l7Proxy`: without it the agent refuses every policy with HTTP or DNS rules. @default true */
  readonly l7Proxy?: boolean;
  /** `hostFirewall.enabled`: host policies (`nodeSelector`) are enforced on the node. @default false */
  readonly hostFirewall?: boolean;
  /** `nodeSelectorLabels`: `fromNodes`/`toNodes` are accepted. @default false */
  readonly nodeSelectorLabels?: boolean;
  /** `policyCIDRMatchMode`: with `nodes`, CIDR rules also select node addresses. @default [] */
  readonly policyCIDRMatchMode?: readonly 'nodes'[];
  /** Mutual authentication (`authentication.mutual.spire.enabled`): without it `authentication.mode: required` drops. @default false */
  readonly mutualAuthentication?: boolean;
}

/** One connection attempt: a TCP/UDP/SCTP connection, an ICMP message, an HTTP request or a DNS lookup. */
export interface PolicyFlow {
  /** The client. */
  readonly from: PolicyPeer;
  /** The server, after Service translation (a backend pod, never a ClusterIP); `ingress` for a Gateway or Ingress address. */
  readonly to: PolicyPeer;
  /** The destination port (the backend's container port). Required for TCP, UDP, SCTP and ANY. */
  readonly port?: number;
  /** @default 'TCP' */
  readonly protocol?: FlowProtocol;
  /** ICMP type for `ICMP`/`ICMPv6`. @default 8 (echo request) for ICMP, 128 for ICMPv6 */
  readonly icmpType?: number;
  /** The HTTP request, when the connection carries one. */
  readonly http?: HttpRequest;
  /** The name looked up, when the flow is a DNS query. */
  readonly dns?: string;
  /** The TLS server name the client sends (for `serverNames`). */
  readonly sni?: string;
  /** The flow goes through a Gateway or Ingress listener: two hops, `from` -> `ingress` -> `to`. @default false */
  readonly viaIngress?: boolean;
}

/** A flow's outcome. */
export type FlowVerdictKind = 'allowed' | 'denied-ingress' | 'denied-egress';

/** How a denial shows: a silent drop (timeout), Envoy's HTTP 403, or the DNS proxy's REFUSED. */
export type DenialHow = 'drop' | 'http-403' | 'dns-refused';

/** What decided one side. */
export type SideBasis =
  | 'not-enforced' | 'same-pod' | 'l7lb-handoff' | 'allow-rule' | 'default-allow' | 'allow-localhost'
  | 'deny-rule' | 'default-deny' | 'l7-http' | 'l7-dns' | 'server-name' | 'authentication';

/** The verdict of one side of one hop. */
export interface SideVerdict {
  /** `egress` of the sender or `ingress` of the receiver. */
  readonly side: 'egress' | 'ingress';
  /** The identity that enforces ({@link describePeer}). */
  readonly enforcer: string;
  /** Policy is enforced on this side (some rule selects it in this direction, or mode `always`). */
  readonly enforced: boolean;
  /** The side is in default deny for this direction. */
  readonly defaultDeny: boolean;
  /** This side lets the flow through. */
  readonly allowed: boolean;
  /** How a denial shows. */
  readonly how?: DenialHow;
  /** What decided. */
  readonly basis: SideBasis;
  /** The rule that allowed or denied (absent for defaults). */
  readonly by?: PolicyRuleRef;
  /** The policies whose rules select the enforcer in this direction. */
  readonly policies: readonly string[];
  /** In plain words. */
  readonly reason: string;
}

/** One hop: a sender's egress and a receiver's ingress. */
export interface HopVerdict {
  /** The sender ({@link describePeer}). */
  readonly from: string;
  /** The receiver. */
  readonly to: string;
  /** The sender's egress. */
  readonly egress: SideVerdict;
  /** The receiver's ingress. */
  readonly ingress: SideVerdict;
}

/**
 * What the client of a flow observes: the server's `response`; a `timeout` (a drop is silent); Envoy's `http-403`
 * (an L7 denial, or any denial Envoy enforces for the `ingress` identity on an HTTP request); `reset` when Envoy
 * closes a connection that carries no HTTP request; `http-503` when a request through a Gateway/Ingress is dropped
 * behind Envoy (its connection to the backend fails: Envoy answers 503 "upstream connect error"); the DNS proxy's `dns-refused`.
 */
export type ClientObservation = 'response' | 'timeout' | 'reset' | 'http-403' | 'http-503' | 'dns-refused';

/** The verdict for a flow. */
export interface FlowVerdict {
  /** `allowed`, or the direction that denied. */
  readonly verdict: FlowVerdictKind;
  /** How the denial shows. */
  readonly how?: DenialHow;
  /** The identity that denied (`default/web`, `ingress`, ...). */
  readonly at?: string;
  /** The rule that denied (a deny rule, an L7 rule); absent when default deny denied. */
  readonly by?: PolicyRuleRef;
  /** What the client observes (what a live probe expects), see {@link ClientObservation}. */
  readonly clientSees: ClientObservation;
  /** In plain words. */
  readonly reason: string;
  /** One hop, or two through a Gateway/Ingress. */
  readonly hops: readonly HopVerdict[];
}

/** A policy the agent refuses to import (it then has no effect), or parts of one that are not applied. */
export interface PolicyImportNote {
  readonly policy: string;
  /** Why the agent refuses the whole policy. */
  readonly rejected?: string;
  /** Fields that are accepted but have no effect offline or upstream. */
  readonly ignored: readonly string[];
}

/** Where an endpoint stands in one direction. */
export interface DirectionEnforcement {
  /** Policy is enforced (a rule selects it in this direction, or mode `always`). */
  readonly enforced: boolean;
  /** Default deny: only what a rule allows passes. */
  readonly defaultDeny: boolean;
  /** The policies with a rule selecting it in this direction. */
  readonly policies: readonly string[];
}
