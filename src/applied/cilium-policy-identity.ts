import { parseIpv4, parseIpv6 } from '../private/ipv4';

/**
 * Who takes part in a flow, as Cilium's policy engine sees it: every peer becomes a security identity, a set of
 * labels with a source (`k8s:app=web`, `reserved:ingress`), and policy selectors are matched against those labels.
 *
 * Upstream: `Documentation/security/policy/layer3.rst` (endpoints, entities, CIDR), `Documentation/security/policy/kubernetes.rst`
 * (namespace and service-account labels), `pkg/labels/labels.go` (sources), `pkg/labelsfilter/filter.go` (which pod
 * labels become identity labels), `pkg/policy/api/entity.go` (entities as selectors).
 */

/**
 * The reserved identities a flow can start or end at, by Cilium's entity names (`pkg/policy/api/entity.go`):
 * - `world`: outside the cluster (see {@link WorldPeer} for an address or a DNS name);
 * - `host`: the local node (kubelet probes come from it); `remote-node`: another node of the cluster;
 * - `kube-apiserver`: the API server; `ingress`: Cilium's Envoy for Ingress and Gateway API;
 * - `health`: cilium-health endpoints; `init`: an endpoint whose labels are not known yet; `unmanaged`: a pod Cilium does not manage.
 */
export type ReservedEntity = 'world' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'health' | 'init' | 'unmanaged';

/** Every {@link ReservedEntity}, in a stable order. */
export const RESERVED_ENTITIES: readonly ReservedEntity[] = ['world', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'init', 'unmanaged'];

/** A container port with a name, for named ports in `toPorts` (`port: "http"`). */
export interface NamedPort {
  /** The port's name (IANA service name, compared case-insensitively as Cilium lower-cases it). */
  readonly name: string;
  /** The port number (1-65535). */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/**
 * A pod. Cilium derives its identity from the pod's labels (after the default label filter of
 * `pkg/labelsfilter/filter.go`: `pod-template-hash`, `controller-revision-hash`, `*.kubernetes.io/*` other than
 * `app.kubernetes.io/*` and the like never reach the identity) plus `io.kubernetes.pod.namespace`,
 * `io.cilium.k8s.policy.serviceaccount`, `io.cilium.k8s.policy.cluster` and one `io.cilium.k8s.namespace.labels.<key>`
 * per label of its Namespace (`Documentation/security/policy/kubernetes.rst`).
 */
export interface PodPeer {
  /** The pod's namespace. */
  readonly namespace: string;
  /** The pod's own labels (without the labels Cilium adds). */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod's name, for messages only. */
  readonly name?: string;
  /** The pod's service account. @default 'default' (what Kubernetes assigns when none is named) */
  readonly serviceAccount?: string;
  /**
   * The labels of the pod's Namespace as applied. `kubernetes.io/metadata.name` is always added (the API server sets it).
   * @default {}
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** The Cluster Mesh cluster the pod runs in. @default the engine's `clusterName` */
  readonly cluster?: string;
  /** The pod's named container ports, for `toPorts` that name a port. @default [] */
  readonly namedPorts?: readonly NamedPort[];
}

/** A reserved identity with details: a node's address and labels (for CIDR rules in `policyCIDRMatchMode: [nodes]` and `fromNodes`). */
export interface EntityPeer {
  /** The entity (use {@link WorldPeer} for `world`). */
  readonly entity: Exclude<ReservedEntity, 'world'>;
  /** The node's address (`host` and `remote-node` only). */
  readonly ip?: string;
  /** The node's labels (`host` and `remote-node` only; `fromNodes`/`toNodes` and host policies select them). @default {} */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /**
   * Where the API server runs (`kube-apiserver` only), which decides its identity (`pkg/identity/numericidentity.go`,
   * `pkg/labels/labels.go`): on another node of the cluster it is identity 7 (`reserved:kube-apiserver` and
   * `reserved:remote-node`); on the endpoint's own node it is the `host` identity with `reserved:kube-apiserver`
   * (so `allow-localhost` applies); outside the cluster it is `reserved:kube-apiserver` and `reserved:world`.
   * In kind the API server runs on the control-plane node.
   * @default 'remote-node'
   */
  readonly runsOn?: 'remote-node' | 'host' | 'outside';
}

/** An address outside the cluster (`world`): an IP, a name learnt from DNS (what `toFQDNs` selects), or both. */
export interface WorldPeer {
  /** The address (IPv4 or IPv6). Unknown when absent: then only `/0` CIDR rules can select it. */
  readonly ip?: string;
  /** The DNS name the client looked up to get the address. */
  readonly fqdn?: string;
}

/** One end of a flow: a pod, a reserved entity by name, an entity with details, or an outside address. */
export type PolicyPeer = PodPeer | ReservedEntity | EntityPeer | WorldPeer;

/** True when `peer` is a pod. */
export function isPodPeer(peer: PolicyPeer): peer is PodPeer {
  return typeof peer === 'object' && 'namespace' in peer;
}

/** The entity a peer is (`undefined` for a pod); every {@link WorldPeer} is `world`. */
export function entityOf(peer: PolicyPeer): ReservedEntity | undefined {
  if (typeof peer === 'string') return peer;
  if ('namespace' in peer) return undefined;
  return 'entity' in peer ? peer.entity : 'world';
}

/** Short text for a peer in messages and test titles: `ns/name` (or `ns/k=v,...`), `world(1.1.1.1)`, `world(fqdn:x.io)`, `host`. */
export function describePeer(peer: PolicyPeer): string {
  if (typeof peer === 'string') return peer;
  if ('namespace' in peer) {
    const cluster = peer.cluster ? `${peer.cluster}:` : '';
    if (peer.name) return `${cluster}${peer.namespace}/${peer.name}`;
    const labels = Object.entries(peer.labels).map(([k, v]) => `${k}=${v}`).join(',');
    return `${cluster}${peer.namespace}/${labels || '*'}`;
  }
  if ('entity' in peer) return peer.ip ? `${peer.entity}(${peer.ip})` : peer.entity;
  const parts = [peer.fqdn !== undefined ? `fqdn:${peer.fqdn}` : undefined, peer.ip].filter((p) => p !== undefined);
  return parts.length ? `world(${parts.join(' ')})` : 'world';
}

// ---------------------------------------------------------------------------------------------
// Identity labels
// ---------------------------------------------------------------------------------------------

/** Label keys Cilium adds to pods (`pkg/k8s/apis/cilium.io/const.go`). */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
/** The cluster a pod belongs to. */
export const POLICY_CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
/** The pod's service account. */
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
/** Prefix of the copies of the Namespace's labels. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/**
 * The identity-relevant part of a label key under Cilium's default label filter (`defaultLabelPrefixCfg` in
 * `pkg/labelsfilter/filter.go`). Each entry is a prefix pattern (anchored at the key's start): `include` keeps,
 * otherwise it ignores; the longest include beats the shortest ignore. `contains` reproduces the greedy `.*x`
 * pattern (its match ends after the last occurrence), `rest` the greedy `x.*` pattern (it runs to the key's end).
 */
const LABEL_FILTER: readonly { readonly text: string; readonly include: boolean; readonly form?: 'contains' | 'rest' }[] = [
  { text: POD_NAMESPACE_LABEL, include: true },
  { text: 'io.cilium.k8s.namespace.labels', include: true },
  { text: 'app.kubernetes.io', include: true },
  { text: POLICY_CLUSTER_LABEL, include: true },
  { text: SERVICE_ACCOUNT_LABEL, include: true },
  { text: 'io.kubernetes', include: false },
  { text: 'kubernetes.io', include: false },
  { text: 'statefulset.kubernetes.io/pod-name', include: false },
  { text: 'apps.kubernetes.io/pod-index', include: false },
  { text: 'batch.kubernetes.io/job-completion-index', include: false },
  { text: 'batch.kubernetes.io/controller-uid', include: false },
  { text: 'beta.kubernetes.io', include: false, form: 'contains' },
  { text: 'k8s.io', include: false },
  { text: 'pod-template-generation', include: false },
  { text: 'pod-template-hash', include: false },
  { text: 'controller-revision-hash', include: false },
  { text: 'controller-uid', include: false },
  { text: 'annotation', include: false, form: 'rest' },
  { text: 'etcd_node', include: false },
  { text: 'topology.kubernetes.io', include: false },
];

/**
 * True when Cilium's default label filter keeps a `k8s:` label key in the identity (`filterLabels` in
 * `pkg/labelsfilter/filter.go`). A selector on a dropped key (`pod-template-hash`, `kubernetes.io/os`, ...) never
 * matches with `In`/`Exists`.
 */
export function identityKeepsLabel(key: string): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of LABEL_FILTER) {
    let length = 0;
    if (p.form === 'contains') {
      const at = key.lastIndexOf(p.text);
      length = at < 0 ? 0 : at + p.text.length;
    } else if (key.startsWith(p.text)) {
      length = p.form === 'rest' ? key.length : p.text.length;
    }
    if (length === 0) continue;
    if (p.include) included = Math.max(included, length);
    else if (ignored === 0 || length < ignored) ignored = length;
  }
  return ignored === 0 || included > ignored;
}

/** The labels of one security identity: `source` -> `key` -> value (`pkg/labels`). */
export class IdentityLabels {
  private readonly bySource = new Map<string, Map<string, string>>();

  /** Adds a label (the first value of a source/key pair wins). */
  public add(source: string, key: string, value: string): this {
    let keys = this.bySource.get(source);
    if (!keys) this.bySource.set(source, keys = new Map());
    if (!keys.has(key)) keys.set(key, value);
    return this;
  }

  /**
   * The value of `key` from `source`, where the source `any` matches every source (`LabelArray.Has`: `k8s.foo`
   * has `any.foo`, but `any.foo` does not have `k8s.foo`).
   */
  public lookup(source: string, key: string): string | undefined {
    if (source !== 'any') return this.bySource.get(source)?.get(key);
    for (const keys of this.bySource.values()) {
      const value = keys.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** A stable text of every label, for caches (`k8s:app=web;reserved:host=`). */
  public key(): string {
    return [...this.bySource.entries()].flatMap(([source, keys]) => [...keys.entries()].map(([k, v]) => `${source}:${k}=${v}`)).sort().join(';');
  }
}

/** The engine settings that change identities. */
export interface IdentityContext {
  /** The name of the cluster whose engine this is (`cluster.name`). */
  readonly clusterName: string;
}

/** The security identity of a peer (see {@link PodPeer} for what Cilium adds to a pod). */
export function identityOf(peer: PolicyPeer, ctx: IdentityContext): IdentityLabels {
  const id = new IdentityLabels();
  if (isPodPeer(peer)) {
    // The labels Cilium adds come first: a pod label of the same key does not override them.
    id.add('k8s', POD_NAMESPACE_LABEL, peer.namespace);
    id.add('k8s', SERVICE_ACCOUNT_LABEL, peer.serviceAccount ?? 'default');
    id.add('k8s', POLICY_CLUSTER_LABEL, peer.cluster ?? ctx.clusterName);
    const nsLabels = { ...peer.namespaceLabels, 'kubernetes.io/metadata.name': peer.namespace };
    for (const [k, v] of Object.entries(nsLabels)) id.add('k8s', NAMESPACE_LABELS_PREFIX + k, v);
    for (const [k, v] of Object.entries(peer.labels)) if (identityKeepsLabel(k)) id.add('k8s', k, v);
    return id;
  }
  const entity = entityOf(peer)!;
  id.add('reserved', entity, '');
  if (entity === 'kube-apiserver') {
    const runsOn = typeof peer === 'object' && 'entity' in peer ? peer.runsOn ?? 'remote-node' : 'remote-node';
    id.add('reserved', runsOn === 'outside' ? 'world' : runsOn, '');
  }
  if (entity === 'world' && typeof peer === 'object' && 'ip' in peer && peer.ip !== undefined) {
    id.add('reserved', parseIpv4(peer.ip) !== undefined ? 'world-ipv4' : 'world-ipv6', '');
  }
  if (typeof peer === 'object' && 'entity' in peer) {
    for (const [k, v] of Object.entries(peer.nodeLabels ?? {})) id.add('k8s', k, v);
  }
  if (entity === 'host' || entity === 'remote-node') id.add('k8s', POLICY_CLUSTER_LABEL, ctx.clusterName);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Selectors with label sources
// ---------------------------------------------------------------------------------------------

/** One requirement of an endpoint selector, with the label source made explicit (`any` when the key had no prefix). */
export interface SourcedRequirement {
  /** The label source (`k8s`, `reserved`, ...), or `any`. */
  readonly source: string;
  /** The label key without the source. */
  readonly key: string;
  /** The Kubernetes selector operator (`matchLabels` entries are `In` with one value). */
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** The values of `In`/`NotIn`. */
  readonly values: readonly string[];
}

/** An endpoint selector as Cilium holds it after `EndpointSelector.Sanitize()`: every key carries a source. */
export interface SourcedSelector {
  /** Every requirement must hold; none selects every identity. */
  readonly requirements: readonly SourcedRequirement[];
}

/** Splits `k8s:app` into `['k8s', 'app']`; `$host` is `reserved:host`; an unprefixed key gets `fallback` (`parseSource` in `pkg/labels/labels.go`). */
export function splitSource(key: string, fallback = 'any'): [string, string] {
  if (key.startsWith('$')) return ['reserved', key.slice(1)];
  const colon = key.indexOf(':');
  return colon < 0 ? [fallback, key] : [key.slice(0, colon), key.slice(colon + 1)];
}

/** A Kubernetes label selector as written in a policy (keys may carry a source prefix). */
export interface RawLabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/**
 * Reads a policy's label selector the way `NewESFromK8sLabelSelector("any:", ...)` does: keys without a source get
 * `any`. Returns an error text for an operator the API server would not have let through.
 */
export function sourcedSelector(raw: RawLabelSelector | undefined, fallback = 'any'): SourcedSelector | string {
  const requirements: SourcedRequirement[] = [];
  for (const [k, v] of Object.entries(raw?.matchLabels ?? {})) {
    const [source, key] = splitSource(k, fallback);
    requirements.push({ source, key, operator: 'In', values: [String(v)] });
  }
  for (const e of raw?.matchExpressions ?? []) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return `unknown selector operator "${e.operator}"`;
    if ((e.operator === 'In' || e.operator === 'NotIn') && !(e.values?.length)) return `operator ${e.operator} on "${e.key}" needs values`;
    const [source, key] = splitSource(e.key, fallback);
    requirements.push({ source, key, operator: e.operator as SourcedRequirement['operator'], values: (e.values ?? []).map(String) });
  }
  return { requirements };
}

/** The same selector with more requirements. */
export function withRequirements(selector: SourcedSelector, ...more: SourcedRequirement[]): SourcedSelector {
  return { requirements: [...selector.requirements, ...more] };
}

/** True when the selector has a requirement on `source:key` (`EndpointSelector.HasKey`). */
export function hasKey(selector: SourcedSelector, source: string, key: string): boolean {
  return selector.requirements.some((r) => r.source === source && r.key === key);
}

/** True when the selector has a requirement whose `source:key` starts with `prefix` (`EndpointSelector.HasKeyPrefix`). */
export function hasKeyPrefix(selector: SourcedSelector, prefix: string): boolean {
  return selector.requirements.some((r) => `${r.source}:${r.key}`.startsWith(prefix));
}

/** Label-selector semantics over identity labels; an empty selector selects every identity. */
export function selects(selector: SourcedSelector, id: IdentityLabels): boolean {
  return selector.requirements.every((r) => {
    const value = id.lookup(r.source, r.key);
    switch (r.operator) {
      case 'In': return value !== undefined && r.values.includes(value);
      case 'NotIn': return value === undefined || !r.values.includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
    }
  });
}

const reserved = (name: string): SourcedSelector => ({ requirements: [{ source: 'reserved', key: name, operator: 'Exists', values: [] }] });

/**
 * The selectors of an entity (`EntitySelectorMapping` and `InitEntities` in `pkg/policy/api/entity.go`): `all` is the
 * wildcard, `cluster` every reserved in-cluster identity plus the pods of this cluster, `cluster-mesh` the same plus
 * the pods of every cluster (Cilium 1.20+ CRD), `none` nothing. `undefined` for an unknown entity.
 */
export function entitySelectors(entity: string, clusterName: string): readonly SourcedSelector[] | undefined {
  const inCluster = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'].map(reserved);
  const cluster = (operator: 'In' | 'Exists'): SourcedSelector => ({
    requirements: [{ source: 'k8s', key: POLICY_CLUSTER_LABEL, operator, values: operator === 'In' ? [clusterName] : [] }],
  });
  switch (entity) {
    case 'all': return [{ requirements: [] }];
    case 'world': return [reserved('world'), reserved('world-ipv4'), reserved('world-ipv6')];
    case 'world-ipv4': case 'world-ipv6': case 'host': case 'init': case 'ingress': case 'remote-node':
    case 'health': case 'unmanaged': case 'kube-apiserver': case 'none':
      return [reserved(entity)];
    case 'cluster': return [...inCluster, cluster('In')];
    case 'cluster-mesh': return [...inCluster, cluster('Exists')];
    default: return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// CIDR maths (IPv4 and IPv6)
// ---------------------------------------------------------------------------------------------

/** A parsed CIDR prefix: family, network bits and length. */
export interface Prefix {
  /** IPv4 or IPv6. */
  readonly family: 4 | 6;
  /** The address as a number (host bits may be set). */
  readonly bits: bigint;
  /** The prefix length. */
  readonly length: number;
}

function addressBits(ip: string): { family: 4 | 6; bits: bigint } | undefined {
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return { family: 4, bits: BigInt(v4) };
  const v6 = parseIpv6(ip);
  if (v6 === undefined) return undefined;
  return { family: 6, bits: v6.reduce((acc, g) => acc * 65536n + BigInt(g), 0n) };
}

/**
 * Parses `addr/len` (or a bare address, which `fromCIDR`/`toCIDR` accept as a host prefix: `api.CIDR.sanitize`).
 * Host bits are ignored as `netip.Prefix.Contains` ignores them. `undefined` when it is not one.
 */
export function parsePrefix(text: string, allowBareAddress: boolean): Prefix | undefined {
  const [addr, len, extra] = String(text).split('/');
  if (extra !== undefined) return undefined;
  const a = addressBits(addr);
  if (!a) return undefined;
  const max = a.family === 4 ? 32 : 128;
  if (len === undefined) return allowBareAddress ? { ...a, length: max } : undefined;
  if (!/^[0-9]{1,3}$/.test(len) || Number(len) > max) return undefined;
  return { family: a.family, bits: a.bits, length: Number(len) };
}

/** True when `ip` lies inside `prefix` (same family). */
export function prefixContains(prefix: Prefix, ip: string): boolean {
  const a = addressBits(ip);
  if (!a || a.family !== prefix.family) return false;
  const unit = 2n ** BigInt((prefix.family === 4 ? 32 : 128) - prefix.length);
  return a.bits / unit === prefix.bits / unit;
}

/** True when `inner` lies inside `outer` (same family, at least as long). */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.length < outer.length) return false;
  const unit = 2n ** BigInt((outer.family === 4 ? 32 : 128) - outer.length);
  return outer.bits / unit === inner.bits / unit;
}
