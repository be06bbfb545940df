import { App } from 'cdk8s';
import {
  KindCiliumCluster, KindCiliumClusterProps, L2AnnouncementPolicy, L2AnnouncementPolicyProps, LoadBalancerIpPool, LoadBalancerIpPoolProps,
  LocalCertificateAuthority, LocalGateway,
} from '../../src';
import { FixSuggestion } from '../../src/errors';
import { registeredRuleIds, suggestingRuleIds } from '../../src/rules/registry';

/**
 * Fix hints that fix (trust issue, kind 6): for the rules whose fix names a concrete value, the violation carries
 * it as a structured `suggestion`; applying it to the description (or the construct's props) makes the rule pass.
 */

type ClusterProps = Omit<KindCiliumClusterProps, 'clusterName'>;

interface SuggestionCase {
  readonly props: ClusterProps;
  /** Props of the one construct a `construct-props` suggestion patches. */
  readonly constructProps?: Record<string, unknown>;
  readonly add?: (cluster: KindCiliumCluster, constructProps: any) => void;
}

const withGateway = (c: KindCiliumCluster) => {
  new LoadBalancerIpPool(c, 'pool', { blocks: [{ cidr: '172.18.255.0/28' }] });
  new LocalGateway(c, 'gateway', { certificateAuthority: new LocalCertificateAuthority(c, 'ca') });
};
const l2 = (c: KindCiliumCluster, props: L2AnnouncementPolicyProps) => new L2AnnouncementPolicy(c, 'l2', props);
const pool = (c: KindCiliumCluster, props: LoadBalancerIpPoolProps) => new LoadBalancerIpPool(c, 'pool', props);
const GATEWAY_PORTS = [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30443, hostPort: 8443 }];

const CASES: Record<string, readonly SuggestionCase[]> = {
  'l2-interfaces-match-devices': [
    { props: { l2Announcements: {} }, constructProps: { interfaces: ['^wlan0$'] }, add: l2 },
    // the hint used to be ^eth+$, which does not match eth0
    { props: { l2Announcements: {}, devices: ['eth+'] }, constructProps: { interfaces: ['^wlan0$'] }, add: l2 },
    { props: { l2Announcements: {}, devices: ['bond0.100', 'eth+'] }, constructProps: { interfaces: ['^wlan0$'] }, add: l2 },
    { props: { l2Announcements: {} }, constructProps: { interfaces: ['^eth0$', 'eth[[:digit:]]{2,}$'] }, add: l2 },
  ],
  'native-routing-cidr': [{ props: { routingMode: 'native', ciliumValuesOverrides: { ipv4NativeRoutingCIDR: '10.250.0.0/16' } } }],
  'cluster-domain': [{ props: { dnsDomain: 'cluster.internal', ciliumValuesOverrides: { hubble: { peerService: { clusterDomain: 'cluster.local' } } } } }],
  'kpr-needs-k8s-service-host': [
    { props: { ciliumValuesOverrides: { k8sServiceHost: 'localhost' } } },
    { props: { controlPlaneNodes: 3, ciliumValuesOverrides: { k8sServiceHost: 'dev-control-plane-2' } } },
  ],
  'kpr-needs-k8s-service-port': [{ props: { ciliumValuesOverrides: { k8sServicePort: 443 } } }],
  'gateway-nodeports-mapped': [
    { props: {}, add: withGateway },
    { props: { hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }] }, add: withGateway },
  ],
  'operator-replicas-fit-nodes': [{ props: { workers: 0, ciliumValuesOverrides: { operator: { replicas: 3 } } } }],
  'auto-direct-node-routes-needs-native-routing': [{ props: { ciliumValuesOverrides: { autoDirectNodeRoutes: true } } }],
  'dsr-geneve-needs-geneve-tunnel': [{ props: { loadBalancer: { mode: 'snat', dsrDispatch: 'geneve' } } }],
  'helm-value-owned-by-prop': [
    { props: { ciliumValuesOverrides: { cluster: { name: 'a'.repeat(40) } } } },
    { props: { ciliumValuesOverrides: { cluster: { id: 999 } } } },
    { props: { ciliumValuesOverrides: { ipam: { mode: 'cluster-pool' } } } },
  ],
  'gateway-api-cilium-mismatch': [{ props: { ciliumVersion: '1.19.6', hostPortMappings: GATEWAY_PORTS, versions: { gatewayApi: 'v1.4.0' } }, add: withGateway }],
  'gateway-api-below-cilium-minimum': [
    { props: { hostPortMappings: GATEWAY_PORTS, versions: { gatewayApi: 'v1.4.1', allowUnsupportedPair: true } }, add: withGateway },
  ],
  'subnets-overlap': [
    { props: { serviceSubnet: '10.244.0.0/16' } },
    { props: { dockerNetworkSubnet: '10.96.0.0/16' } },
    { props: { podSubnet: '10.96.0.0/12', serviceSubnet: '10.96.0.0/16' } },
  ],
  'pool-covers-docker-addresses': [
    // seed 003: the last address of the /24 is docker's broadcast address; allowFirstLastIps: false holds it back
    { props: { l2Announcements: {} }, constructProps: { blocks: [{ cidr: '172.18.255.0/24' }] }, add: pool },
    { props: {}, constructProps: { blocks: [{ cidr: '172.18.0.0/24' }] }, add: pool },
  ],
};

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** Sets (or, for a last element `-`, appends) `value` at `path` below `root`, creating objects on the way. */
function setAt(root: Record<string, any>, path: readonly (string | number)[], value: unknown): void {
  let node: any = root;
  path.slice(0, -1).forEach((key, i) => {
    if (node[key] === undefined) node[key] = path[i + 1] === '-' || typeof path[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  const last = path[path.length - 1];
  if (last === '-') node.push(value);
  else node[last] = value;
}

function build(c: SuggestionCase, props: ClusterProps, constructProps: Record<string, unknown> | undefined): KindCiliumCluster {
  const cluster = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });
  c.add?.(cluster, constructProps);
  return cluster;
}

function apply(c: SuggestionCase, s: FixSuggestion): [ClusterProps, Record<string, unknown> | undefined] {
  const props = clone(c.props) as Record<string, any>;
  const constructProps = c.constructProps ? clone(c.constructProps) : undefined;
  if (s.target === 'helm-values') setAt(props, ['ciliumValuesOverrides', ...s.path], s.value);
  else if (s.target === 'cluster-props') setAt(props, s.path, s.value);
  else setAt(constructProps!, s.path, s.value);
  return [props as ClusterProps, constructProps];
}

test('the table has a case for exactly the ids whose rules declare suggestions (a new suggestion needs a case here)', () => {
  expect(Object.keys(CASES).sort()).toEqual(suggestingRuleIds());
  expect(suggestingRuleIds().filter((id) => !registeredRuleIds().includes(id))).toEqual([]);
});

const ROWS = Object.entries(CASES).flatMap(([id, cases]) => cases.map((c, n) => ({ id, n: n + 1, c })));

test.each(ROWS)('$id (case $n): the suggested value is the one the fix names, and applying it makes the rule pass', ({ id, c }) => {
  const before = build(c, c.props, c.constructProps).violations().filter((v) => v.rule === id);
  expect(before.length).toBeGreaterThan(0);
  let props = c.props;
  let constructProps = c.constructProps;
  for (const violation of before) {
    expect([id, violation.suggestion !== undefined]).toEqual([id, true]);
    const s = violation.suggestion!;
    const shown = typeof s.value === 'object' ? null : String(s.value);
    if (shown !== null) expect(violation.fix).toContain(shown);
    [props, constructProps] = apply({ ...c, props, constructProps }, s);
  }
  expect(build(c, props, constructProps).violations().filter((v) => v.rule === id)).toEqual([]);
});
