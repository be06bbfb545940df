import { Construct } from 'constructs';
import { KUBE_DNS_LABELS, kubeDnsEgressRule, POD_NAMESPACE_LABEL, podSelector } from './peers';
import {
  CiliumClusterwideNetworkPolicy,
  CiliumClusterwideNetworkPolicySpec,
  CiliumNetworkPolicySpec,
  CiliumNetworkPolicySpecEgress,
  CiliumNetworkPolicySpecEgressToEntities,
  CiliumNetworkPolicySpecEgressToPortsPortsProtocol,
  CiliumNetworkPolicySpecEndpointSelectorMatchExpressionsOperator,
  CiliumNetworkPolicySpecIngress,
  CiliumNetworkPolicySpecIngressFromEntities,
  CiliumNetworkPolicySpecIngressToPortsPortsProtocol,
} from '../../../imports/cilium';
import { KindCiliumCluster } from '../../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../../cluster/library-labels';
import { invalid } from '../../errors';
import { PlatformFactSource, PlatformFacts } from '../../model/platform-model';
import { resolveObjectName } from '../../private/names';
import { checkProps, propsShape } from '../../private/props';
import { checkNamespace } from '../../private/syntax';

/** Namespaces {@link ClusterDefaultDeny} never selects: the platform's own components. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'cert-manager', 'local-path-storage'];

/** Port of the cert-manager webhook (cert-manager v1.19 `--secure-port`). */
export const CERT_MANAGER_WEBHOOK_PORT = 10250;

/** Port of the Hubble server on every Cilium agent (host network), which hubble-relay dials. */
export const HUBBLE_SERVER_PORT = 4244;

/** Port hubble-relay serves its gRPC API on (hubble-ui and the `hubble` CLI connect to it). */
export const HUBBLE_RELAY_PORT = 4245;

/** Props of {@link ClusterDefaultDeny}. */
export interface ClusterDefaultDenyProps {
  /** `metadata.name` of the default-deny policy; allowances are named `<name>-<component>`. @default - the construct ids below the cluster, kebab-cased */
  readonly name?: string;
  /** Namespaces left alone besides {@link SYSTEM_NAMESPACES} (e.g. a monitoring stack). @default [] */
  readonly exemptNamespaces?: string[];
  /**
   * Let every workload pod resolve names via kube-dns (UDP/TCP 53, through Cilium's DNS proxy so that
   * `toFQDNs` rules and Hubble DNS visibility work). Turning it off breaks every lookup and is reported by
   * the `default-deny-allows-dns` rule.
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * Let every workload pod reach the Kubernetes API server (`kube-apiserver` entity). Off by default:
   * application pods rarely need the API; give the few that do an {@link AppNetworkPolicy} with
   * `egressToEntities: [{ entity: 'kube-apiserver' }]`.
   * @default false
   */
  readonly allowApiServerEgress?: boolean;
  /**
   * Removed (issue 19, Trust III): the policy used to let Cilium's Envoy (Gateway API / Ingress, the `ingress`
   * entity) reach every workload pod on every port, which bypassed each app's own ports and L7 rules (the Gateway
   * could send `PUT /v1/exhaust-port` to the star-wars deathstar, or reach a never-onboarded pod on 5432). Under
   * default deny the Gateway now reaches only what an app onboards with `allowFromGateway: true`
   * ({@link AppNetworkPolicy}, `TestWorkload`, `NginxDemo`), on that app's ports and HTTP rules; a route to a
   * backend that does not admit it is refused (`gateway-backend-denied`, the route would answer 503).
   *
   * Leaving it out, or `false`, is accepted and changes nothing. `true` is refused
   * (`gateway-blanket-ingress-removed`) rather than kept as an opt-in: a blanket allowance would silently reopen
   * the bypass in every namespace, and the per-app prop says the same for the apps that need it.
   * @deprecated onboard each app behind the Gateway with `allowFromGateway: true` instead
   * @default false
   */
  readonly allowIngressFromGateway?: boolean;
  /**
   * Emit the clusterwide allowances that keep CoreDNS, Hubble and cert-manager working should their pods
   * ever come under a default-deny policy (they are additive: `enableDefaultDeny` is false, so on their own
   * they change nothing).
   * @default true
   */
  readonly systemAllowances?: boolean;
}

const DEFAULT_DENY_SHAPE = propsShape<ClusterDefaultDenyProps>('ClusterDefaultDeny', {
  name: 'string',
  exemptNamespaces: { list: 'string' },
  allowDns: 'boolean',
  allowApiServerEgress: 'boolean',
  allowIngressFromGateway: 'boolean',
  systemAllowances: 'boolean',
});

/**
 * Default deny for every workload namespace: a `CiliumClusterwideNetworkPolicy` (cilium.io/v2) with
 * `enableDefaultDeny` on ingress and egress, selecting every pod outside {@link SYSTEM_NAMESPACES} and
 * `exemptNamespaces`. What it still allows:
 * - egress to kube-dns on UDP/TCP 53 (`allowDns`),
 * - egress to the API server only when `allowApiServerEgress` is set.
 *
 * Everything else an app needs is opened per app with {@link AppNetworkPolicy}, the Gateway included: Cilium's
 * Envoy (the `ingress` entity) reaches only the apps onboarded with `allowFromGateway: true`, on their ports and
 * HTTP rules (a route to any other backend is refused, `gateway-backend-denied`). Kubelet probes keep
 * working because Cilium always lets the local node reach its pods.
 *
 * Next to it come explicit, additive allowances for the platform components (`systemAllowances`):
 * CoreDNS, hubble-relay / hubble-ui and cert-manager (webhook from the API server on 10250, API server
 * egress). It records a `defaultDenyPolicies` fact whose `allowsDnsEgress` is computed from the rendered
 * egress rules, so the `default-deny-allows-dns` rule checks what is actually emitted.
 */
export class ClusterDefaultDeny extends Construct implements PlatformFactSource {
  /** `metadata.name` of the default-deny policy. */
  public readonly name: string;
  /** Every namespace the policy leaves alone (system ones first, then `exemptNamespaces`, deduplicated). */
  public readonly exemptNamespaces: readonly string[];
  /** True when the rendered egress rules let the selected pods reach kube-dns on UDP and TCP 53. */
  public readonly allowsDnsEgress: boolean;
  /** The default-deny policy (escape hatch). */
  public readonly apiObject: CiliumClusterwideNetworkPolicy;
  /** The additive allowances for platform components, by component (`kube-dns`, `hubble`, `cert-manager`). */
  public readonly allowances: Readonly<Record<string, CiliumClusterwideNetworkPolicy>>;
  private readonly facts: Partial<PlatformFacts>;

  constructor(scope: Construct, id: string, props: ClusterDefaultDenyProps = {}) {
    super(scope, id);
    const cluster = KindCiliumCluster.of(this);
    const path = this.node.path;
    props = checkProps(path, props, DEFAULT_DENY_SHAPE);
    this.name = resolveObjectName(this, cluster, props.name, 'default-deny');

    const extra = (props.exemptNamespaces ?? []).map((ns, i) => checkNamespace(`${path}.exemptNamespaces[${i}]`, ns));
    this.exemptNamespaces = [...new Set([...SYSTEM_NAMESPACES, ...extra])];

    if (props.allowIngressFromGateway === true) {
      invalid('gateway-blanket-ingress-removed', `${path}.allowIngressFromGateway`,
        'is true, but ClusterDefaultDeny no longer lets the Gateway\'s Envoy reach every workload pod on every port (that bypassed each app\'s own ports and HTTP rules)',
        'leave allowIngressFromGateway out and set allowFromGateway: true on the policy of each app behind the Gateway (AppNetworkPolicy, TestWorkload or NginxDemo)');
    }
    // enableDefaultDeny needs both sections present; an empty rule `{}` allows nothing.
    const ingress: CiliumNetworkPolicySpecIngress[] = [{}];
    const egressRules: CiliumNetworkPolicySpecEgress[] = [];
    if (props.allowDns ?? true) egressRules.push(kubeDnsEgressRule());
    if (props.allowApiServerEgress ?? false) egressRules.push({ toEntities: [CiliumNetworkPolicySpecEgressToEntities.KUBE_HYPHEN_APISERVER] });
    const egress = egressRules.length > 0 ? egressRules : [{}];
    this.allowsDnsEgress = egressAllowsKubeDns(egress);

    this.apiObject = new CiliumClusterwideNetworkPolicy(this, 'Resource', {
      metadata: { name: this.name },
      spec: clusterwide({
        description: 'Default deny for workload namespaces: only DNS and explicitly allowed flows pass (apps let the gateway in with allowFromGateway).',
        // Exists first: NotIn alone also matches endpoints without a namespace label, i.e. Cilium's
        // reserved:ingress (Envoy) identity, and default deny there would cut the Gateway path.
        endpointSelector: {
          matchExpressions: [{
            key: POD_NAMESPACE_LABEL,
            operator: CiliumNetworkPolicySpecEndpointSelectorMatchExpressionsOperator.EXISTS,
          }, {
            key: POD_NAMESPACE_LABEL,
            operator: CiliumNetworkPolicySpecEndpointSelectorMatchExpressionsOperator.NOT_IN,
            values: [...this.exemptNamespaces],
          }],
        },
        enableDefaultDeny: { ingress: true, egress: true },
        ingress,
        egress,
      }),
    });

    const allowances: Record<string, CiliumClusterwideNetworkPolicy> = {};
    if (props.systemAllowances ?? true) {
      for (const [component, spec] of Object.entries(systemAllowanceSpecs(cluster))) {
        allowances[component] = new CiliumClusterwideNetworkPolicy(this, component, {
          metadata: { name: `${this.name}-${component}`.slice(0, 253) },
          spec: clusterwide({ ...spec, enableDefaultDeny: { ingress: false, egress: false } }),
        });
      }
    }
    this.allowances = allowances;

    this.facts = { defaultDenyPolicies: [{ field: path, name: this.name, allowsDnsEgress: this.allowsDnsEgress }] };
    labelLibraryObjects(this);
  }

  /** @internal */
  public _platformFacts(): Partial<PlatformFacts> {
    return this.facts;
  }
}

/**
 * The CNP and CCNP rule schemas are identical (same CRD definitions); the generated bindings only differ in
 * type names and nominal enums, whose values are the same strings. Rules are built once with the CNP types.
 */
function clusterwide(spec: CiliumNetworkPolicySpec): CiliumClusterwideNetworkPolicySpec {
  return spec as unknown as CiliumClusterwideNetworkPolicySpec;
}

const TCP = CiliumNetworkPolicySpecIngressToPortsPortsProtocol.TCP;
const UDP = CiliumNetworkPolicySpecIngressToPortsPortsProtocol.UDP;
const ETCP = CiliumNetworkPolicySpecEgressToPortsPortsProtocol.TCP;
const E = CiliumNetworkPolicySpecEgressToEntities;

/** Additive allowances for the platform components that run in the exempt namespaces. */
function systemAllowanceSpecs(cluster: KindCiliumCluster): Record<string, CiliumNetworkPolicySpec> {
  const specs: Record<string, CiliumNetworkPolicySpec> = {
    'kube-dns': {
      description: 'CoreDNS: answers every in-cluster client, forwards upstream, watches the API server.',
      endpointSelector: { matchLabels: { ...KUBE_DNS_LABELS } },
      ingress: [{
        fromEntities: [CiliumNetworkPolicySpecIngressFromEntities.CLUSTER],
        toPorts: [{ ports: [{ port: '53', protocol: UDP }, { port: '53', protocol: TCP }] }],
      }],
      egress: [
        { toEntities: [E.KUBE_HYPHEN_APISERVER] },
        {
          toEntities: [E.WORLD, E.HOST, E.REMOTE_HYPHEN_NODE],
          toPorts: [{ ports: [{ port: '53', protocol: CiliumNetworkPolicySpecEgressToPortsPortsProtocol.UDP }, { port: '53', protocol: ETCP }] }],
        },
      ],
    },
    'cert-manager': {
      description: 'cert-manager: the API server calls its webhook; controller, cainjector and webhook use the API.',
      endpointSelector: { matchLabels: { [POD_NAMESPACE_LABEL]: 'cert-manager' } },
      ingress: [{
        fromEntities: [CiliumNetworkPolicySpecIngressFromEntities.KUBE_HYPHEN_APISERVER],
        toPorts: [{ ports: [{ port: String(CERT_MANAGER_WEBHOOK_PORT), protocol: TCP }] }],
      }],
      egress: [kubeDnsEgressRule(), { toEntities: [E.KUBE_HYPHEN_APISERVER] }],
    },
  };
  const hubble = cluster.spec.hubble;
  if (hubble.enabled && hubble.relay) {
    const relay = podSelector('kube-system', { 'k8s:k8s-app': 'hubble-relay' });
    const ui = podSelector('kube-system', { 'k8s:k8s-app': 'hubble-ui' });
    specs['hubble-relay'] = {
      description: 'hubble-relay: dials the Hubble server of every agent and serves hubble-ui / the CLI.',
      endpointSelector: relay,
      ...(hubble.ui ? { ingress: [{ fromEndpoints: [ui], toPorts: [{ ports: [{ port: String(HUBBLE_RELAY_PORT), protocol: TCP }] }] }] } : {}),
      egress: [
        kubeDnsEgressRule(),
        { toEntities: [E.HOST, E.REMOTE_HYPHEN_NODE], toPorts: [{ ports: [{ port: String(HUBBLE_SERVER_PORT), protocol: ETCP }] }] },
      ],
    };
    if (hubble.ui) {
      specs['hubble-ui'] = {
        description: 'hubble-ui: its backend reads flows from hubble-relay and objects from the API server.',
        endpointSelector: ui,
        egress: [
          kubeDnsEgressRule(),
          { toEndpoints: [relay], toPorts: [{ ports: [{ port: String(HUBBLE_RELAY_PORT), protocol: ETCP }] }] },
          { toEntities: [E.KUBE_HYPHEN_APISERVER] },
        ],
      };
    }
  }
  return specs;
}

function stripSource(key: string): string {
  return key.replace(/^(k8s|any):/, '');
}

/** A Cilium endpoint selector, as far as {@link egressAllowsKubeDns} reads it. */
interface LabelSelectorLike {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Does a Cilium selector (matchLabels + matchExpressions) select a pod with these labels? */
function selects(selector: LabelSelectorLike, labels: Record<string, string>): boolean {
  const plain = Object.fromEntries(Object.entries(labels).map(([k, v]) => [stripSource(k), v]));
  const labelsOk = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => plain[stripSource(k)] === v);
  const exprsOk = (selector.matchExpressions ?? []).every((e) => {
    const value = plain[stripSource(e.key)];
    switch (e.operator) {
      case 'In': return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn': return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
      default: return false;
    }
  });
  return labelsOk && exprsOk;
}

/**
 * True when egress rules (Cilium semantics) let a pod reach kube-dns on both UDP 53 and TCP 53 for every
 * name: some rule selects the kube-dns pods (by endpoint labels, the `cluster`/`all` entity, or no L3
 * peer with ports), its ports cover 53 for the protocol, and any DNS L7 rule on that port matches `*`.
 */
export function egressAllowsKubeDns(egress: readonly CiliumNetworkPolicySpecEgress[]): boolean {
  const covers = (protocol: 'UDP' | 'TCP') => egress.some((rule) => {
    const hasPeer = [rule.toEndpoints, rule.toEntities, rule.toFqdNs, rule.toCidr, rule.toCidrSet, rule.toServices, rule.toNodes, rule.toGroups]
      .some((peers) => peers !== undefined);
    const selectsDns = hasPeer
      ? (rule.toEndpoints ?? []).some((s) => selects(s, KUBE_DNS_LABELS))
        || (rule.toEntities ?? []).some((e) => e === E.CLUSTER || e === E.ALL)
      : rule.toPorts !== undefined;
    if (!selectsDns) return false;
    if (rule.toPorts === undefined) return true;
    return rule.toPorts.some((tp) => {
      const portOk = tp.ports === undefined || tp.ports.length === 0 || tp.ports.some((p) => {
        const first = Number(p.port);
        const last = p.endPort ?? first;
        const proto = p.protocol ?? 'ANY';
        return (first === 0 || (first <= 53 && 53 <= last)) && (proto === 'ANY' || proto === protocol);
      });
      const dns = tp.rules?.dns;
      return portOk && (dns === undefined || dns.some((d) => d.matchPattern === '*'));
    });
  });
  return covers('UDP') && covers('TCP');
}
