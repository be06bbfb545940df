import {
  CiliumNetworkPolicySpecEgress,
  CiliumNetworkPolicySpecEgressToPorts,
  CiliumNetworkPolicySpecEgressToPortsPortsProtocol,
  CiliumNetworkPolicySpecIngressToPorts,
  CiliumNetworkPolicySpecIngressToPortsPortsProtocol,
} from '../../../imports/cilium';
import { invalid } from '../../errors';
import { propsShape, required } from '../../private/props';
import { compileRe2 } from '../../private/re2';
import { resolveSelector } from '../../private/selectors';
import { CILIUM_MINOR_FACTS, CiliumMinor, ciliumMinorFacts } from '../../spec/version-matrix';

/**
 * A Cilium entity: a reserved identity that is not a pod.
 * `world` is everything outside the cluster, `ingress` is Cilium's Envoy (Ingress / Gateway API),
 * `host` the local node, `remote-node` the other nodes, `cluster` every in-cluster identity, `all` everything,
 * `cluster-mesh` every identity of the clusters of the mesh (Cilium 1.20 only: its policy CRDs are the first
 * to list it, PR #47225; an older minor's API server rejects it, so it is refused there).
 */
export type CiliumEntity = 'world' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'health' | 'all' | 'cluster-mesh';

/**
 * L4 protocol of a policy port; `ANY` matches TCP, UDP and SCTP. The policy CRDs of each Cilium minor
 * list what it accepts: 1.18 `TCP`, `UDP`, `SCTP`, `ANY`; 1.19 adds `VRRP`, `IGMP`; 1.20 adds `GRE`, `IPIP`,
 * `IPV6`, `ESP`, `AH`. A protocol the cluster's minor lacks is refused.
 */
export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY' | 'VRRP' | 'IGMP' | 'GRE' | 'IPIP' | 'IPV6' | 'ESP' | 'AH';

/** Label key Cilium gives every pod identity for its namespace (`k8s:` = the label comes from Kubernetes). */
export const POD_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** Labels of the cluster DNS pods (CoreDNS in kind) as a Cilium selector. */
export const KUBE_DNS_LABELS: Readonly<Record<string, string>> = {
  [POD_NAMESPACE_LABEL]: 'kube-system',
  'k8s:k8s-app': 'kube-dns',
};

/** One port (optionally a range) a rule allows. */
export interface PolicyPort {
  /** Port number. */
  readonly port: number;
  /** Last port of a range starting at `port`. @default - just `port` */
  readonly endPort?: number;
  /** @default 'TCP' */
  readonly protocol?: PolicyProtocol;
}

/**
 * One allowed HTTP request shape (Cilium L7 rule, enforced by Envoy). `method` and `path` are regular
 * expressions matched against the whole method / URL path, e.g. `{ method: 'POST', path: '/v1/request-landing' }`.
 * Both are RE2 and visible ASCII: a method is a token and a path arrives percent-encoded (RFC 9110, RFC 9112), so a
 * space, a control character, a line break or other non-ASCII text could never match and is refused.
 */
export interface HttpRequestRule {
  /** Method regex. @default - any method */
  readonly method?: string;
  /** URL path regex (must start with `/`). @default - any path */
  readonly path?: string;
}

/** Pods a policy talks to, by namespace and labels. */
export interface PodPeer {
  /** Namespace of the pods. @default - the policy's namespace */
  readonly namespace?: string;
  /** Labels the pods carry. @default - every pod of the namespace */
  readonly labels?: Record<string, string>;
}

/** Pods an app may connect to. */
export interface EgressPodPeer extends PodPeer {
  /** Ports it may connect to (at most 40: the CRD's `toPorts[].ports` maxItems). @default - any port */
  readonly ports?: PolicyPort[];
}

/** A Cilium entity an app may connect to, e.g. `{ entity: 'kube-apiserver' }`. */
export interface EgressEntityPeer {
  /** The entity. */
  readonly entity: CiliumEntity;
  /** Ports it may connect to (at most 40: the CRD's `toPorts[].ports` maxItems). @default - any port */
  readonly ports?: PolicyPort[];
}

/**
 * External names an app may connect to (Cilium `toFQDNs`; the DNS proxy learns their addresses from the app's
 * own lookups). Give exactly one of `name` or `pattern`.
 */
export interface EgressFqdnPeer {
  /** Exact name, e.g. `api.github.com`. */
  readonly name?: string;
  /** Wildcard pattern, e.g. `*.github.com` (`*` matches within one label). */
  readonly pattern?: string;
  /** Ports it may connect to. @default [{ port: 443, protocol: 'TCP' }] */
  readonly ports?: PolicyPort[];
}

/** Props of {@link AppNetworkPolicy}. */

/** @internal Cilium's `matchName` syntax. */
export const FQDN_NAME_RE = /^([-a-zA-Z0-9_]+[.]?)+$/;
/** @internal Cilium's `matchPattern` syntax. */
export const FQDN_PATTERN_RE = /^([-a-zA-Z0-9_*]+[.]?)+$/;
const ENTITIES: readonly CiliumEntity[] = ['world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'all', 'cluster-mesh'];
const PROTOCOLS: readonly PolicyProtocol[] = ['TCP', 'UDP', 'SCTP', 'ANY', 'VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH'];
/** @internal The shape of a {@link PolicyPort} (see `checkProps`). */
export const POLICY_PORT_SHAPE = propsShape<PolicyPort>('policy port', { port: required('number'), endPort: 'number', protocol: 'string' });
/** @internal The shape of a {@link PodPeer}. */
export const POD_PEER_SHAPE = propsShape<PodPeer>('pod peer', { namespace: 'string', labels: { map: 'string' } });

/** The oldest supported Cilium minor whose policy CRDs list `value` (entity or protocol). */
function firstMinorWith(value: string, of: 'entities' | 'protocols'): CiliumMinor | undefined {
  return CILIUM_MINOR_FACTS.find((f) => f.networkPolicy[of].includes(value))?.minor;
}

/** @internal Throws unless the Cilium minor's policy CRDs list the entity or protocol (CiliumNetworkPolicy v2 enums). */
function checkForMinor(rule: string, field: string, value: string, of: 'entities' | 'protocols', minor: CiliumMinor): void {
  const facts = ciliumMinorFacts(minor);
  if (facts.networkPolicy[of].includes(value)) return;
  const from = firstMinorWith(value, of);
  const what = of === 'entities' ? 'entity' : 'protocol';
  invalid(rule, field, `the ${what} "${value}" does not exist in Cilium ${minor}: its CiliumNetworkPolicy CRD rejects it (${facts.networkPolicy.source})`,
    `${from ? `use Cilium ${ciliumMinorFacts(from).latestPatch} or later (ciliumVersion), or ` : ''}use one of ${
      (of === 'entities' ? ENTITIES : PROTOCOLS).filter((e) => facts.networkPolicy[of].includes(e)).join(', ')}`);
}

/** @internal Throws unless `labels` is a non-empty set of valid Kubernetes labels. */
export function checkLabels(field: string, labels: Record<string, string> | undefined, allowEmpty: boolean): Record<string, string> {
  const entries = Object.entries(labels ?? {});
  if (!allowEmpty && entries.length === 0) {
    invalid('invalid-selector', field, 'is empty, so the policy would select every pod of the namespace',
      'give the labels of the app\'s pods, e.g. { app: "nginx" }');
  }
  resolveSelector(field, { matchLabels: labels ?? {} });
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** Most ports one Cilium `toPorts` entry takes (`maxItems: 40` in the CiliumNetworkPolicy CRD of 1.18-1.20). */
const MAX_PORTS_PER_RULE = 40;

/** @internal Checks ports and renders them as Cilium `toPorts[].ports` (port numbers are strings in the CRD). */
export function renderPorts(
  field: string, ports: readonly PolicyPort[], minor: CiliumMinor,
): { port: string; endPort?: number; protocol: PolicyProtocol }[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    invalid('invalid-port', field, 'is an empty list', 'list at least one port, e.g. [{ port: 8080 }], or leave the prop out');
  }
  if (ports.length > MAX_PORTS_PER_RULE) {
    invalid('too-many-ports', field, `lists ${ports.length} ports, but a Cilium policy rule takes at most ${MAX_PORTS_PER_RULE} (CRD: toPorts[].ports maxItems: 40, every Cilium minor)`,
      'use port ranges (endPort) to cover consecutive ports, or split the ports over several policies');
  }
  return ports.map((p, i) => {
    const f = `${field}[${i}]`;
    if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) {
      invalid('invalid-port', `${f}.port`, `${JSON.stringify(p?.port)} is not a port number`, 'use an integer between 1 and 65535');
    }
    if (p.endPort !== undefined && (!Number.isInteger(p.endPort) || p.endPort < p.port || p.endPort > 65535)) {
      invalid('invalid-port', `${f}.endPort`, `${JSON.stringify(p.endPort)} does not end a range starting at ${p.port}`, `use an integer between ${p.port} and 65535`);
    }
    const protocol = p.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) {
      invalid('invalid-protocol', `${f}.protocol`, `${JSON.stringify(protocol)} is not a policy protocol`, `use one of ${PROTOCOLS.join(', ')}`);
    }
    checkForMinor('protocol-not-in-cilium-minor', `${f}.protocol`, protocol, 'protocols', minor);
    return { port: String(p.port), ...(p.endPort !== undefined && p.endPort !== p.port ? { endPort: p.endPort } : {}), protocol };
  });
}

/** @internal Checks an entity name, and that the cluster's Cilium minor knows it. */
export function checkEntity(field: string, entity: CiliumEntity, minor: CiliumMinor): CiliumEntity {
  if (!ENTITIES.includes(entity)) {
    invalid('invalid-entity', field, `${JSON.stringify(entity)} is not a Cilium entity`, `use one of ${ENTITIES.join(', ')}`);
  }
  checkForMinor('entity-not-in-cilium-minor', field, entity, 'entities', minor);
  return entity;
}

/**
 * @internal Throws unless `value` compiles as an RE2 regular expression: Envoy matches Cilium's HTTP `method` and
 * `path` rules with RE2 (`safe_regex`), so RE2 decides (`(?i)`, `(?P<name>...)`, `[[:alpha:]]` pass; lookaround and
 * backreferences do not), never JavaScript's RegExp.
 */
export function checkRegex(field: string, value: string): void {
  // An HTTP method is a token and a request path visible ASCII (RFC 9110 §9.1, RFC 9112 §3.2: anything else arrives
  // percent-encoded), so a rule holding a space, a control character, a line break (U+2028) or other non-ASCII text
  // can never match a request; a line break would also end the YAML line for a reader that does not escape it.
  const stray = typeof value === 'string' ? /[^\x21-\x7e]/u.exec(value)?.[0] : undefined;
  if (stray !== undefined) {
    invalid('invalid-http-rule', field, `${JSON.stringify(value)} holds U+${stray.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, which no HTTP method or path carries (they are visible ASCII; other characters arrive percent-encoded)`,
      'match the request as it arrives: visible ASCII only, e.g. /caf%C3%A9 instead of /café, and no spaces');
  }
  const compiled = typeof value === 'string' ? compileRe2(value) : { ok: false as const, error: 'not a string' };
  if (!compiled.ok) {
    invalid('invalid-http-rule', field, `${JSON.stringify(value)} is not a valid RE2 regular expression (Envoy matches it with RE2): ${compiled.error}`,
      'write an RE2 regex (no lookaround or backreferences), e.g. /v1/.* or GET|HEAD');
  }
}

/** @internal Selector of pods in `namespace` (always explicit, so the rule reads the same in a CNP and a CCNP). */
export function podSelector(namespace: string, labels: Record<string, string>) {
  return { matchLabels: { [POD_NAMESPACE_LABEL]: namespace, ...labels } };
}

/**
 * @internal The egress rule that lets pods resolve names through kube-dns on UDP and TCP 53. The DNS L7 rule
 * (`matchPattern: '*'`) sends lookups through Cilium's DNS proxy, which `toFQDNs` rules and Hubble DNS
 * visibility need; it allows every name.
 */
export function kubeDnsEgressRule(): CiliumNetworkPolicySpecEgress {
  return {
    toEndpoints: [{ matchLabels: { ...KUBE_DNS_LABELS } }],
    toPorts: [{
      ports: [
        { port: '53', protocol: CiliumNetworkPolicySpecEgressToPortsPortsProtocol.UDP },
        { port: '53', protocol: CiliumNetworkPolicySpecEgressToPortsPortsProtocol.TCP },
      ],
      rules: { dns: [{ matchPattern: '*' }] },
    }],
  };
}

/** @internal Cilium `toPorts` for egress from checked ports (undefined = any port). */
export function egressToPorts(
  field: string, ports: readonly PolicyPort[] | undefined, minor: CiliumMinor,
): CiliumNetworkPolicySpecEgressToPorts[] | undefined {
  if (ports === undefined) return undefined;
  return [{
    ports: renderPorts(field, ports, minor).map((p) => ({ ...p, protocol: p.protocol as CiliumNetworkPolicySpecEgressToPortsPortsProtocol })),
  }];
}

/** @internal Cilium `toPorts` for ingress from checked ports and HTTP rules (undefined = any port). */
export function ingressToPorts(
  field: string, ports: readonly PolicyPort[] | undefined, http: readonly HttpRequestRule[] | undefined, minor: CiliumMinor,
): CiliumNetworkPolicySpecIngressToPorts[] | undefined {
  if (ports === undefined) return undefined;
  return [{
    ports: renderPorts(field, ports, minor).map((p) => ({ ...p, protocol: p.protocol as CiliumNetworkPolicySpecIngressToPortsPortsProtocol })),
    ...(http ? { rules: { http: http.map((r) => ({ ...(r.method ? { method: r.method } : {}), ...(r.path ? { path: r.path } : {}) })) } } : {}),
  }];
}

