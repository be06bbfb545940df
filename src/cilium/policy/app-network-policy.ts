import { Construct } from 'constructs';
import { FQDN_PATTERN_RE, checkRegex, checkEntity, FQDN_NAME_RE, kubeDnsEgressRule, PolicyPort, EgressPodPeer, HttpRequestRule, checkLabels, podSelector, egressToPorts, EgressEntityPeer, PodPeer, EgressFqdnPeer, ingressToPorts, CiliumEntity, POD_PEER_SHAPE, POLICY_PORT_SHAPE } from './peers';
import {
  CiliumNetworkPolicy,
  CiliumNetworkPolicySpecEgress,
  CiliumNetworkPolicySpecEgressToEntities,
  CiliumNetworkPolicySpecIngress,
  CiliumNetworkPolicySpecIngressFromEntities,
} from '../../../imports/cilium';
import { KindCiliumCluster } from '../../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../../cluster/library-labels';
import { invalid } from '../../errors';
import { resolveObjectName } from '../../private/names';
import { checkProps, propsShape, required } from '../../private/props';
import { checkNamespace } from '../../private/syntax';
import { CiliumMinor } from '../../spec/version-matrix';

export interface AppNetworkPolicyProps {
  /** `metadata.name`. @default - the construct ids below the cluster, kebab-cased */
  readonly name?: string;
  /** Namespace of the app (and of the policy). */
  readonly namespace: string;
  /** Labels selecting the app's pods (`endpointSelector.matchLabels`). */
  readonly appLabels: Record<string, string>;
  /**
   * Ports the app serves. Every ingress source below is limited to them.
   * At most 40 (the CRD's `toPorts[].ports` maxItems; use `endPort` ranges for more).
   * @default - any port (only allowed when `httpRules` is not set)
   */
  readonly ingressPorts?: PolicyPort[];
  /**
   * L7 rules for every ingress source of this policy: only these HTTP requests reach the app on `ingressPorts`.
   * @default - no L7 filtering
   */
  readonly httpRules?: HttpRequestRule[];
  /**
   * Let Cilium's Envoy (Gateway API / Ingress, the `ingress` entity) in, on `ingressPorts` and under `httpRules`
   * like every other source. Under a {@link ClusterDefaultDeny} this is the only way the Gateway reaches the app
   * (the default deny has no blanket allowance for it): a route whose backend pods no policy opens to the Gateway
   * is refused (`gateway-backend-denied`; it would answer 503).
   * @default false
   */
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

const PORTS = { list: POLICY_PORT_SHAPE };
const APP_POLICY_SHAPE = propsShape<AppNetworkPolicyProps>('AppNetworkPolicy', {
  name: 'string',
  namespace: required('string'),
  appLabels: required({ map: 'string' }),
  ingressPorts: PORTS,
  httpRules: { list: propsShape<HttpRequestRule>('HTTP rule', { method: 'string', path: 'string' }) },
  allowFromGateway: 'boolean',
  allowFromWorld: 'boolean',
  allowFrom: { list: POD_PEER_SHAPE },
  allowFromEntities: { list: 'string' },
  egressTo: { list: propsShape<EgressPodPeer>('egress pod peer', { namespace: 'string', labels: { map: 'string' }, ports: PORTS }) },
  egressToEntities: { list: propsShape<EgressEntityPeer>('egress entity peer', { entity: required('string'), ports: PORTS }) },
  egressFqdns: { list: propsShape<EgressFqdnPeer>('egress FQDN peer', { name: 'string', pattern: 'string', ports: PORTS }) },
});


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
    props = checkProps(path, props, APP_POLICY_SHAPE);
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
          // Leading RE2 flag groups such as (?i) do not match characters: the path proper must still start with "/".
          if (!r.path.replace(/^(\(\?[imsU]+\))+/, '').startsWith('/')) {
            invalid('invalid-http-rule', `${path}.httpRules[${i}].path`, `"${r.path}" does not start with "/"`, 'match the whole URL path, e.g. /v1/request-landing');
          }
        }
      });
    }

    const minor = cluster.spec.ciliumMinor;
    const ingress = this.ingressRules(path, props, minor);
    const egress = this.egressRules(path, props, minor);
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
    labelLibraryObjects(this);
  }

  private ingressRules(path: string, props: AppNetworkPolicyProps, minor: CiliumMinor): CiliumNetworkPolicySpecIngress[] {
    const entities = new Set<CiliumEntity>();
    if (props.allowFromGateway) entities.add('ingress');
    if (props.allowFromWorld) entities.add('world');
    (props.allowFromEntities ?? []).forEach((e, i) => entities.add(checkEntity(`${path}.allowFromEntities[${i}]`, e, minor)));
    const toPorts = ingressToPorts(`${path}.ingressPorts`, props.ingressPorts, props.httpRules, minor);
    const rules: CiliumNetworkPolicySpecIngress[] = [];
    if (entities.size > 0) {
      rules.push({ fromEntities: [...entities].sort().map((e) => e as CiliumNetworkPolicySpecIngressFromEntities), ...(toPorts ? { toPorts } : {}) });
    }
    const peers = props.allowFrom ?? [];
    if (peers.length > 0) {
      rules.push({
        fromEndpoints: peers.map((p, i) => {
          return podSelector(
            checkNamespace(`${path}.allowFrom[${i}].namespace`, p.namespace ?? props.namespace),
            checkLabels(`${path}.allowFrom[${i}].labels`, p.labels, true));
        }),
        ...(toPorts ? { toPorts } : {}),
      });
    }
    return rules;
  }

  private egressRules(path: string, props: AppNetworkPolicyProps, minor: CiliumMinor): CiliumNetworkPolicySpecEgress[] {
    const rules: CiliumNetworkPolicySpecEgress[] = [];
    (props.egressTo ?? []).forEach((p, i) => {
      const f = `${path}.egressTo[${i}]`;
      const toPorts = egressToPorts(`${f}.ports`, p.ports, minor);
      rules.push({
        toEndpoints: [podSelector(checkNamespace(`${f}.namespace`, p.namespace ?? props.namespace), checkLabels(`${f}.labels`, p.labels, true))],
        ...(toPorts ? { toPorts } : {}),
      });
    });
    (props.egressToEntities ?? []).forEach((p, i) => {
      const f = `${path}.egressToEntities[${i}]`;
      const toPorts = egressToPorts(`${f}.ports`, p.ports, minor);
      rules.push({ toEntities: [checkEntity(`${f}.entity`, p.entity, minor) as CiliumNetworkPolicySpecEgressToEntities], ...(toPorts ? { toPorts } : {}) });
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
        toPorts: egressToPorts(`${f}.ports`, p.ports ?? [{ port: 443, protocol: 'TCP' }], minor),
      });
    });
    return rules.length > 0 ? [kubeDnsEgressRule(), ...rules] : [];
  }
}
