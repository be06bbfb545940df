import { Construct } from 'constructs';
import {
  CiliumL2AnnouncementPolicy,
  CiliumL2AnnouncementPolicySpecNodeSelectorMatchExpressionsOperator,
  CiliumL2AnnouncementPolicySpecServiceSelectorMatchExpressionsOperator,
} from '../../../imports/cilium';
import { KindCiliumCluster } from '../../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../../cluster/library-labels';
import { invalid } from '../../errors';
import { PlatformFactSource, PlatformFacts } from '../../model/platform-model';
import { resolveObjectName } from '../../private/names';
import { checkProps, propsShape } from '../../private/props';
import { compileRe2, l2InterfaceForDevice } from '../../private/re2';
import { LABEL_SELECTOR_SHAPE, resolveSelector, toCrdSelector } from '../../private/selectors';
import { CiliumLabelSelector } from '../label-selector';

type NodeSelectorOperator = CiliumL2AnnouncementPolicySpecNodeSelectorMatchExpressionsOperator;
type ServiceSelectorOperator = CiliumL2AnnouncementPolicySpecServiceSelectorMatchExpressionsOperator;

/** Props of {@link L2AnnouncementPolicy}. */
export interface L2AnnouncementPolicyProps {
  /** `metadata.name` (DNS-1123 subdomain). @default - derived from the construct id (and its path below the cluster) */
  readonly name?: string;
  /**
   * Regular expressions (Go RE2 syntax) selecting the node interfaces that answer ARP.
   * @default - one anchored regex per Cilium device of the cluster (its `devices` prop, which owns the Helm key
   * `devices`: an override of it is refused), see {@link l2InterfacesForDevices}
   */
  readonly interfaces?: string[];
  /**
   * Nodes that announce the selected Services.
   * @default - every node without the `node-role.kubernetes.io/control-plane` label; every node when the
   * cluster has no workers (otherwise nothing would be announced)
   */
  readonly nodeSelector?: CiliumLabelSelector;
  /** Services announced by this policy. @default - every Service */
  readonly serviceSelector?: CiliumLabelSelector;
  /** Announce the LoadBalancer IPs of the selected Services. @default true */
  readonly loadBalancerIps?: boolean;
  /** Announce the external IPs of the selected Services. @default false */
  readonly externalIps?: boolean;
}

const L2_POLICY_SHAPE = propsShape<L2AnnouncementPolicyProps>('L2AnnouncementPolicy', {
  name: 'string',
  interfaces: { list: 'string' },
  nodeSelector: LABEL_SELECTOR_SHAPE,
  serviceSelector: LABEL_SELECTOR_SHAPE,
  loadBalancerIps: 'boolean',
  externalIps: 'boolean',
});

/** Node label kubeadm (and so kind) puts on control-plane nodes. */
export const CONTROL_PLANE_NODE_LABEL = 'node-role.kubernetes.io/control-plane';

/**
 * Anchored interface regexes matching the given Cilium `devices`: `eth0` -> `^eth0$`; a trailing `+`
 * (Cilium's prefix wildcard) becomes `.*`, so `eth+` -> `^eth.*$`. RE2 metacharacters are escaped.
 */
export function l2InterfacesForDevices(devices: readonly string[]): string[] {
  return [...new Set(devices.map(l2InterfaceForDevice))];
}

/**
 * A CiliumL2AnnouncementPolicy (`cilium.io/v2alpha1`): which nodes answer ARP for which Service IPs on
 * which interfaces. Validates its own fields; the cluster's rules check that L2 announcements and
 * kube-proxy replacement are enabled and that the interfaces match Cilium's devices.
 */
export class L2AnnouncementPolicy extends Construct implements PlatformFactSource {
  /** `metadata.name` of the policy. */
  public readonly name: string;
  /** The interface regexes as rendered into `spec.interfaces`. */
  public readonly interfaces: readonly string[];
  /** The generated API object (escape hatch). */
  public readonly apiObject: CiliumL2AnnouncementPolicy;
  private readonly facts: Partial<PlatformFacts>;

  constructor(scope: Construct, id: string, props: L2AnnouncementPolicyProps = {}) {
    super(scope, id);
    const cluster = KindCiliumCluster.of(this);
    const path = this.node.path;
    props = checkProps(path, props, L2_POLICY_SHAPE);

    this.name = resolveObjectName(this, cluster, props.name, 'l2-policy');

    if (props.interfaces !== undefined) {
      if (!Array.isArray(props.interfaces) || props.interfaces.length === 0) {
        invalid('invalid-l2-interfaces', `${path}.interfaces`, 'is empty, so the policy names no interface',
          'list interface regexes such as ^eth0$, or omit interfaces to match the cluster\'s Cilium devices');
      }
      props.interfaces.forEach((re, i) => checkInterfaceRegex(`${path}.interfaces[${i}]`, re));
    }
    this.interfaces = props.interfaces ? [...props.interfaces] : l2InterfacesForDevices(cluster.spec.devices);

    const nodeSelector = props.nodeSelector !== undefined
      ? resolveSelector(`${path}.nodeSelector`, props.nodeSelector)
      : cluster.spec.workers > 0
        ? { matchExpressions: [{ key: CONTROL_PLANE_NODE_LABEL, operator: 'DoesNotExist' as const }] }
        : undefined;
    const serviceSelector = resolveSelector(`${path}.serviceSelector`, props.serviceSelector);

    const loadBalancerIPs = props.loadBalancerIps ?? true;
    const externalIPs = props.externalIps ?? false;
    for (const [key, value] of [['loadBalancerIps', loadBalancerIPs], ['externalIps', externalIPs]] as const) {
      if (typeof value !== 'boolean') {
        invalid('invalid-l2-field', `${path}.${key}`, `${JSON.stringify(value)} is not a boolean`, 'use true or false');
      }
    }

    this.apiObject = new CiliumL2AnnouncementPolicy(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        interfaces: [...this.interfaces],
        loadBalancerIPs,
        externalIPs,
        ...(nodeSelector ? { nodeSelector: toCrdSelector<NodeSelectorOperator>(nodeSelector) } : {}),
        ...(serviceSelector ? { serviceSelector: toCrdSelector<ServiceSelectorOperator>(serviceSelector) } : {}),
      },
    });

    this.facts = { l2Policies: [{ field: path, name: this.name, interfaces: [...this.interfaces], loadBalancerIPs, externalIPs }] };
    labelLibraryObjects(this);
  }

  /** @internal */
  public _platformFacts(): Partial<PlatformFacts> {
    return this.facts;
  }
}

function checkInterfaceRegex(field: string, re: string): void {
  if (typeof re !== 'string' || re.length === 0) {
    invalid('invalid-l2-interfaces', field, `${JSON.stringify(re)} is not a regular expression`, 'use a regex such as ^eth0$ or ^eth[0-9]+$');
  }
  // Cilium compiles the interfaces with Go's regexp (RE2 syntax): RE2 decides, never JavaScript's RegExp.
  const compiled = compileRe2(re);
  if (!compiled.ok) {
    invalid('invalid-l2-interfaces', field, `"${re}" is not a valid RE2 regular expression (Cilium compiles it with Go's regexp): ${compiled.error}`,
      'rewrite it in RE2 syntax (no lookaround or backreferences), e.g. ^eth[0-9]+$');
  }
}
