import { Construct } from 'constructs';
import {
  CiliumNetworkPolicy,
  CiliumNetworkPolicySpecEgress,
  CiliumNetworkPolicySpecEgressToEntities,
  CiliumNetworkPolicySpecEgressToPorts,
  CiliumNetworkPolicySpecEgressToPortsPortsProtocol,
  CiliumNetworkPolicySpecIngress,
  CiliumNetworkPolicySpecIngressFromEntities,
  CiliumNetworkPolicySpecIngressToPorts,
  CiliumNetworkPolicySpecIngressToPortsPortsProtocol,
} from '../../imports/cilium';
import { invalid } from '../errors';
import { resolveObjectName, resolveSelector } from './load-balancer-ip-pool';
import { KindCiliumCluster } from '../platform/kind-cilium-cluster';
import { DNS_LABEL_RE } from '../validation/syntax';

/**
 * A Cilium entity: a reserved identity that is not a pod.
 * `world` is everything outside the cluster, `ingress` is Cilium's Envoy (Ingress / Gateway API),
 * `host` the local node, `remote-node` the other nodes, `cluster` every in-cluster identity, `all` everything.
 */
export type CiliumEntity = 'world' | 'cluster' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'health' | 'all';

/** L4 protocol of a policy port; `ANY` matches TCP, UDP and SCTP. */
export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

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
  /** Ports it may connect to. @default - any port */
  readonly ports?: PolicyPort[];
}

/** A Cilium entity an app may connect to, e.g. `{ entity: 'kube-apiserver' }`. */
export interface EgressEntityPeer {
  /** The entity. */
  readonly entity: CiliumEntity;
  /** Ports it may connect to. @default - any port */
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
export interface AppNetworkPolicyProps {
  /** `metadata.name`. @default - the construct ids below the cluster, kebab-cased */
  readonly name?: string;
  /** Namespace of the app (and of the policy). */
  readonly namespace: string;
  /** Labels selecting the app's pods (`endpointSelector.matchLabels`). */
  readonly appLabels: Record<string, string>;
  /**
   * Ports the app serves. Every ingress source below is limited to them.
   * @default - any port (only allowed when `httpRules` is not set)
   */
  readonly ingressPorts?: PolicyPort[];
  /**
   * L7 rules for every ingress source of this policy: only these HTTP requests reach the app on `ingressPorts`.
   * @default - no L7 filtering
   */
  readonly httpRules?: HttpRequestRule[];
  /** Let Cilium's Envoy (Gateway API / Ingress, the `ingress` entity) in. @default false */
  readonly allowFromGateway?: boolean;
  /** Let clients outside the cluster in (the `world` entity, e.g. through a LoadBalancer Service). @default false */
  readonly allowFromWorld?: boolean;
  /** Pods allowed in. @default - none */
  readonly allowFrom?: PodPeer[];
  /** Further entities allowed in. @default - none */
  readonly allowFromEntities?: CiliumEntity[];
  /** Pods the app may connect to. @default - none */
  readonly egressTo?: EgressPodPeer[];
  /** Entities the app may connect to. @default - none */
  readonly egressToEntities?: EgressEntityPeer[];
  /** External names the app may connect to. @default - none */
  readonly egressFqdns?: EgressFqdnPeer[];
}

const FQDN_NAME_RE = /^([-a-zA-Z0-9_]+[.]?)+$/;
const FQDN_PATTERN_RE = /^([-a-zA-Z0-9_*]+[.]?)+$/;
const ENTITIES: readonly CiliumEntity[] = ['world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'all'];
const PROTOCOLS: readonly PolicyProtocol[] = ['TCP', 'UDP', 'SCTP', 'ANY'];

/** @internal Throws unless `value` is a namespace name (DNS-1123 label). */
export function checkNamespace(field: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL_RE.test(value)) {
    invalid('invalid-namespace', field, `${JSON.stringify(value)} is not a namespace name`,
      'use at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit');
  }
  return value;
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

/** @internal Checks ports and renders them as Cilium `toPorts[].ports` (port numbers are strings in the CRD). */
export function renderPorts(field: string, ports: readonly PolicyPort[]): { port: string; endPort?: number; protocol: PolicyProtocol }[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    invalid('invalid-port', field, 'is an empty list', 'list at least one port, e.g. [{ port: 8080 }], or leave the prop out');
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
      invalid('invalid-protocol', `${f}.protocol`, `${JSON.stringify(protocol)} is not a policy protocol`, 'use TCP, UDP, SCTP or ANY');
    }
    return { port: String(p.port), ...(p.endPort !== undefined && p.endPort !== p.port ? { endPort: p.endPort } : {}), protocol };
  });
}

/** @internal Checks an entity name. */
export function checkEntity(field: string, entity: CiliumEntity): CiliumEntity {
  if (!ENTITIES.includes(entity)) {
    invalid('invalid-entity', field, `${JSON.stringify(entity)} is not a Cilium entity`, `use one of ${ENTITIES.join(', ')}`);
  }
  return entity;
}

function checkRegex(field: string, value: string): void {
  try {
    new RegExp(value);
  } catch {
    invalid('invalid-http-rule', field, `${JSON.stringify(value)} is not a regular expression`, 'write an RE2-compatible regex, e.g. /v1/.* or GET|HEAD');
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
export function egressToPorts(field: string, ports: readonly PolicyPort[] | undefined): CiliumNetworkPolicySpecEgressToPorts[] | undefined {
  if (ports === undefined) return undefined;
  return [{
    ports: renderPorts(field, ports).map((p) => ({ ...p, protocol: p.protocol as CiliumNetworkPolicySpecEgressToPortsPortsProtocol })),
  }];
}

/** @internal Cilium `toPorts` for ingress from checked ports and HTTP rules (undefined = any port). */
export function ingressToPorts(field: string, ports: readonly PolicyPort[] | undefined, http: readonly HttpRequestRule[] | undefined):
CiliumNetworkPolicySpecIngressToPorts[] | undefined {
  if (ports === undefined) return undefined;
  return [{
    ports: renderPorts(field, ports).map((p) => ({ ...p, protocol: p.protocol as CiliumNetworkPolicySpecIngressToPortsPortsProtocol })),
    ...(http ? { rules: { http: http.map((r) => ({ ...(r.method ? { method: r.method } : {}), ...(r.path ? { path: r.path } : {}) })) } } : {}),
  }];
}

/**
 * Lets an app through a default-deny cluster in one statement: a namespaced `CiliumNetworkPolicy`
 * (cilium.io/v2) selecting the app's pods, allowing ingress from the gateway, the outside world and/or
 * given pods on the app's ports (optionally only given HTTP requests), and egress to given pods, entities
 * and external names.
 *
 * Cilium semantics to keep in mind: an ingress section puts the app's pods into ingress default-deny (only
 * what some policy allows gets in), an egress section does the same for egress. Whenever this policy
 * restricts egress it therefore also allows DNS to kube-dns, so the app keeps resolving names (and
 * `egressFqdns` works) even without a {@link ClusterDefaultDeny}.
 *
 * @example
 * new AppNetworkPolicy(cluster, 'web', {
 *   namespace: 'demo', appLabels: { app: 'nginx' },
 *   allowFromGateway: true, ingressPorts: [{ port: 8080 }],
 * });
 */
export class AppNetworkPolicy extends Construct {
  /** `metadata.name` of the policy. */
  public readonly name: string;
  /** Namespace of the policy and the app. */
  public readonly namespace: string;
  /** The generated API object (escape hatch). */
  public readonly apiObject: CiliumNetworkPolicy;

  constructor(scope: Construct, id: string, props: AppNetworkPolicyProps) {
    super(scope, id);
    const cluster = KindCiliumCluster.of(this);
    const path = this.node.path;
    this.name = resolveObjectName(this, cluster, props.name, 'app-policy');
    this.namespace = checkNamespace(`${path}.namespace`, props.namespace);
    const appLabels = checkLabels(`${path}.appLabels`, props.appLabels, false);

    if (props.httpRules !== undefined) {
      if (props.ingressPorts === undefined) {
        invalid('http-rules-need-ports', `${path}.httpRules`, 'L7 rules apply to ports, but ingressPorts is not set',
          'set ingressPorts to the port(s) the app serves HTTP on, e.g. [{ port: 80 }]');
      }
      if (!Array.isArray(props.httpRules) || props.httpRules.length === 0) {
        invalid('invalid-http-rule', `${path}.httpRules`, 'is an empty list, which Cilium reads as "any request"', 'list at least one rule or leave the prop out');
      }
      props.httpRules.forEach((r, i) => {
        if (r.method !== undefined) checkRegex(`${path}.httpRules[${i}].method`, r.method);
        if (r.path !== undefined) {
          checkRegex(`${path}.httpRules[${i}].path`, r.path);
          if (!r.path.startsWith('/')) {
            invalid('invalid-http-rule', `${path}.httpRules[${i}].path`, `"${r.path}" does not start with "/"`, 'match the whole URL path, e.g. /v1/request-landing');
          }
        }
      });
    }

    const ingress = this.ingressRules(path, props);
    const egress = this.egressRules(path, props);
    if (ingress.length === 0 && egress.length === 0) {
      invalid('empty-app-policy', path, 'allows nothing in and nothing out, so it would have no effect',
        'set at least one of allowFromGateway, allowFromWorld, allowFrom, allowFromEntities, egressTo, egressToEntities or egressFqdns');
    }

    this.apiObject = new CiliumNetworkPolicy(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        endpointSelector: { matchLabels: appLabels },
        ...(ingress.length > 0 ? { ingress } : {}),
        ...(egress.length > 0 ? { egress } : {}),
      },
    });
  }

  private ingressRules(path: string, props: AppNetworkPolicyProps): CiliumNetworkPolicySpecIngress[] {
    const entities = new Set<CiliumEntity>();
    if (props.allowFromGateway) entities.add('ingress');
    if (props.allowFromWorld) entities.add('world');
    (props.allowFromEntities ?? []).forEach((e, i) => entities.add(checkEntity(`${path}.allowFromEntities[${i}]`, e)));
    const toPorts = ingressToPorts(`${path}.ingressPorts`, props.ingressPorts, props.httpRules);
    const rules: CiliumNetworkPolicySpecIngress[] = [];
    if (entities.size > 0) {
      rules.push({ fromEntities: [...entities].sort().map((e) => e as CiliumNetworkPolicySpecIngressFromEntities), ...(toPorts ? { toPorts } : {}) });
    }
    const peers = props.allowFrom ?? [];
    if (peers.length > 0) {
      rules.push({
        fromEndpoints: peers.map((p, i) => podSelector(
          checkNamespace(`${path}.allowFrom[${i}].namespace`, p.namespace ?? props.namespace),
          checkLabels(`${path}.allowFrom[${i}].labels`, p.labels, true))),
        ...(toPorts ? { toPorts } : {}),
      });
    }
    return rules;
  }

  private egressRules(path: string, props: AppNetworkPolicyProps): CiliumNetworkPolicySpecEgress[] {
    const rules: CiliumNetworkPolicySpecEgress[] = [];
    (props.egressTo ?? []).forEach((p, i) => {
      const f = `${path}.egressTo[${i}]`;
      const toPorts = egressToPorts(`${f}.ports`, p.ports);
      rules.push({
        toEndpoints: [podSelector(checkNamespace(`${f}.namespace`, p.namespace ?? props.namespace), checkLabels(`${f}.labels`, p.labels, true))],
        ...(toPorts ? { toPorts } : {}),
      });
    });
    (props.egressToEntities ?? []).forEach((p, i) => {
      const f = `${path}.egressToEntities[${i}]`;
      const toPorts = egressToPorts(`${f}.ports`, p.ports);
      rules.push({ toEntities: [checkEntity(`${f}.entity`, p.entity) as CiliumNetworkPolicySpecEgressToEntities], ...(toPorts ? { toPorts } : {}) });
    });
    (props.egressFqdns ?? []).forEach((p, i) => {
      const f = `${path}.egressFqdns[${i}]`;
      if ((p.name === undefined) === (p.pattern === undefined)) {
        invalid('invalid-fqdn', f, p.name === undefined ? 'sets neither name nor pattern' : 'sets both name and pattern', 'give either { name: "api.github.com" } or { pattern: "*.github.com" }');
      }
      if (p.name !== undefined && !FQDN_NAME_RE.test(p.name)) {
        invalid('invalid-fqdn', `${f}.name`, `${JSON.stringify(p.name)} is not a DNS name`, 'use letters, digits, "-" and "_" separated by dots, e.g. api.github.com');
      }
      if (p.pattern !== undefined && !FQDN_PATTERN_RE.test(p.pattern)) {
        invalid('invalid-fqdn', `${f}.pattern`, `${JSON.stringify(p.pattern)} is not a DNS pattern`, 'use a name with "*" wildcards, e.g. *.github.com');
      }
      rules.push({
        toFqdNs: [p.name !== undefined ? { matchName: p.name } : { matchPattern: p.pattern }],
        toPorts: egressToPorts(`${f}.ports`, p.ports ?? [{ port: 443, protocol: 'TCP' }]),
      });
    });
    return rules.length > 0 ? [kubeDnsEgressRule(), ...rules] : [];
  }
}
