import {
  CiliumPolicyEngine, CiliumPolicySettings, describePeer, identityKeepsLabel, PodPeer, PolicyFlow, PolicyPeer,
} from '../../src/applied/cilium-policy';
import { dnsPatternRegex } from '../../src/applied/cilium-policy-ports';
import { re2MatchesFully } from '../../src/private/re2';

/** Unit cases of the policy engine that do not need the reference folder; each names the upstream rule it checks. */

const cnp = (namespace: string, name: string, spec: any): any => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (name: string, spec: any): any => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const pod = (namespace: string, app: string, extra: Partial<PodPeer> = {}): PodPeer => ({ namespace, name: app, labels: { app }, ...extra });
const engine = (objects: any[], options?: CiliumPolicySettings) => CiliumPolicyEngine.fromObjects(objects, options);
/** `allowed` or `denied-<side> <how>`. */
const outcome = (e: CiliumPolicyEngine, flow: PolicyFlow) => {
  const v = e.verdict(flow);
  return v.verdict === 'allowed' ? 'allowed' : `${v.verdict} ${v.how}`;
};

const web = pod('demo', 'web');
const api = pod('demo', 'api');
const other = pod('other', 'web');
const dns = pod('kube-system', 'coredns', { labels: { 'k8s-app': 'kube-dns' } });

describe('policies the agent refuses have no effect and are reported (pkg/policy/api/rule_validation.go)', () => {
  const ingress = (rule: any) => cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [rule] });
  const egress = (rule: any) => cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [rule] });
  test.each<[string, any, RegExp, CiliumPolicySettings?]>([
    ['no spec at all', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'demo' } }, /spec or specs/],
    ['a spec without rules', cnp('demo', 'p', { endpointSelector: {}, enableDefaultDeny: { ingress: true } }), /at least one of Ingress/],
    ['empty rule lists', cnp('demo', 'p', { endpointSelector: {}, ingress: [], egress: [] }), /at least one of Ingress/],
    ['neither selector', cnp('demo', 'p', { ingress: [{}] }), /one of EndpointSelector or NodeSelector/],
    ['both selectors', ccnp('p', { endpointSelector: {}, nodeSelector: {}, ingress: [{}] }), /both EndpointSelector and NodeSelector/],
    ['a CNP with a nodeSelector', cnp('demo', 'p', { nodeSelector: {}, ingress: [{}] }), /cannot have NodeSelector/],
    ['fromEndpoints with fromEntities in one rule', ingress({ fromEndpoints: [{}], fromEntities: ['world'] }), /combining/],
    ['toFQDNs with toEndpoints in one rule', egress({ toFQDNs: [{ matchName: 'a.io' }], toEndpoints: [{}] }), /combining/],
    ['an unknown entity', ingress({ fromEntities: ['internet'] }), /unsupported entity: internet/],
    ['fromNodes without nodeSelectorLabels', ingress({ fromNodes: [{}] }), /enable-node-selector-labels/],
    ['DNS rules on ingress', ingress({ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }), /DNS rules are not allowed on ingress/],
    ['HTTP rules on UDP', ingress({ toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }], rules: { http: [{}] } }] }), /only apply to TCP/],
    ['HTTP rules without a protocol (ANY)', ingress({ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{}] } }] }), /only apply to TCP \(not ANY\)/],
    ['L7 rules on port 0', ingress({ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }], rules: { http: [{}] } }] }), /port is 0/],
    ['DNS rules without ports', egress({ toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] }), /port 53 must be specified/],
    ['DNS rules on a range', egress({ toPorts: [{ ports: [{ port: '53', endPort: 54 }], rules: { dns: [{ matchPattern: '*' }] } }] }), /port ranges/],
    ['an invalid path regex', ingress({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ path: '/(' }] } }] }), /invalid path regex/],
    ['a regex RE2 refuses (lookahead)', ingress({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ path: '/(?=a)' }] } }] }), /invalid path regex/],
    ['ICMPs with toPorts', ingress({ icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [{ port: '80' }] }] }), /ICMPs block/],
    ['an unknown ICMP type name', ingress({ icmps: [{ fields: [{ type: 'Ping' }] }] }), /ICMP type Ping not found/],
    ['a port without a number', ingress({ toPorts: [{ ports: [{ protocol: 'TCP' }] }] }), /port must be specified/],
    ['a port above 65535', ingress({ toPorts: [{ ports: [{ port: '70000' }] }] }), /unable to parse port/],
    ['a CIDR that is not one', ingress({ fromCIDR: ['10.0.0.0/33'] }), /unable to parse CIDR/],
    ['an except outside its CIDR', ingress({ fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['11.0.0.0/8'] }] }), /does not contain/],
    ['a CIDR rule with cidr and group', ingress({ fromCIDRSet: [{ cidr: '10.0.0.0/8', cidrGroupRef: 'g' }] }), /more than one of/],
    ['matchName and matchPattern together', egress({ toFQDNs: [{ matchName: 'a.io', matchPattern: '*.a.io' }] }), /only one of MatchName or MatchPattern/],
    ['a header match with an unknown action', ingress({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ headerMatches: [{ name: 'x', mismatch: 'DROP' }] }] } }] }), /Invalid header action/],
    ['L7 rules without the L7 proxy', ingress({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }), /L7 proxy is not enabled/, { l7Proxy: false }],
    ['a listener on ingress', ingress({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], listener: { envoyConfig: { name: 'x' }, name: 'l' } }] }), /Listener is not allowed on ingress/],
    ['L7 rules in a host policy (ingress)', ccnp('p', { nodeSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }), /host ingress/],
  ])('%s', (_what, policy, reason, ...options) => {
    // (A rest parameter: a fourth declared parameter would make Jest wait for a `done` callback on 3-item rows.)
    const e = engine([policy], options[0]);
    expect(e.rejected).toEqual([{ policy: expect.stringContaining('/p'), reason: expect.stringMatching(reason) }]);
    // A refused policy puts nobody in default deny.
    expect(outcome(e, { from: web, to: api, port: 80 })).toBe('allowed');
  });

  test('one bad spec refuses the whole object, specs included', () => {
    const e = engine([cnp('demo', 'p', undefined)].map((p) => ({
      ...p,
      specs: [
        { endpointSelector: {}, ingress: [{}] },
        { endpointSelector: {}, ingress: [{ fromEntities: ['nope'] }] },
      ],
    })));
    expect(e.rejected).toHaveLength(1);
    expect(e.enforcement(api).ingress.enforced).toBe(false);
  });

  test('deprecated fromRequires and cloud groups are reported as ignored', () => {
    const e = engine([cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromRequires: [{}], fromGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }] })]);
    expect(e.imports[0].ignored).toEqual([expect.stringMatching(/fromRequires/), expect.stringMatching(/fromGroups/)]);
    // A group selects no peer offline; the rule still puts the endpoint in default deny.
    expect(outcome(e, { from: { ip: '1.2.3.4' }, to: api, port: 80 })).toBe('denied-ingress drop');
  });
});

describe('identities and selectors (pkg/labels, pkg/labelsfilter, Documentation/security/policy/kubernetes.rst)', () => {
  test.each([
    ['app', true], ['app.kubernetes.io/name', true], ['pod-template-hash', false], ['controller-revision-hash', false],
    ['kubernetes.io/os', false], ['statefulset.kubernetes.io/pod-name', false], ['topology.kubernetes.io/zone', false],
    ['node.beta.kubernetes.io/x', false], ['annotation.foo', false], ['io.kubernetes.pod.name', false], ['k8s-app', true],
  ])('the default label filter keeps %s: %s', (key, kept) => {
    expect(identityKeepsLabel(key)).toBe(kept);
  });

  test('a selector on a label the identity drops never matches', () => {
    const e = engine([cnp('demo', 'p', { endpointSelector: { matchLabels: { 'pod-template-hash': 'abc' } }, ingress: [{}] })]);
    expect(e.enforcement(pod('demo', 'x', { labels: { 'pod-template-hash': 'abc' } })).ingress.enforced).toBe(false);
  });

  test('label sources: k8s: and any: match pod labels, reserved: matches only reserved identities', () => {
    const policy = (selector: any) => engine([ccnp('p', { endpointSelector: selector, ingress: [{}] })]);
    expect(policy({ matchLabels: { 'k8s:app': 'api' } }).enforcement(api).ingress.enforced).toBe(true);
    expect(policy({ matchLabels: { 'any:app': 'api' } }).enforcement(api).ingress.enforced).toBe(true);
    expect(policy({ matchLabels: { 'reserved:app': 'api' } }).enforcement(api).ingress.enforced).toBe(false);
    expect(policy({ matchExpressions: [{ key: 'reserved:ingress', operator: 'Exists' }] }).enforcement('ingress').ingress.enforced).toBe(true);
    expect(policy({ matchExpressions: [{ key: 'reserved:ingress', operator: 'Exists' }] }).enforcement(api).ingress.enforced).toBe(false);
  });

  test('a CNP selects its own namespace only, whatever namespace its endpointSelector names', () => {
    const e = engine([cnp('demo', 'p', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] })]);
    expect(e.enforcement(other).ingress.enforced).toBe(false);
    // The policy's namespace replaces the one written (ParseToCiliumRule warns and removes it).
    expect(e.enforcement(web).ingress.enforced).toBe(true);
  });

  test('peer selectors naming namespace labels or the service account', () => {
    const team = pod('team-a', 'client', { namespaceLabels: { team: 'a' }, serviceAccount: 'robot' });
    const byNsLabel = engine([cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'a' } }] }] })]);
    expect(outcome(byNsLabel, { from: team, to: api, port: 80 })).toBe('allowed');
    expect(outcome(byNsLabel, { from: { ...team, namespaceLabels: {} }, to: api, port: 80 })).toBe('denied-ingress drop');
    const byMetadataName = engine([cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'team-a' } }] }] })]);
    expect(outcome(byMetadataName, { from: team, to: api, port: 80 })).toBe('allowed');
    const bySa = engine([cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'robot' } }] }] })]);
    expect(outcome(bySa, { from: { ...web, serviceAccount: 'robot' }, to: api, port: 80 })).toBe('allowed');
    expect(outcome(bySa, { from: web, to: api, port: 80 })).toBe('denied-ingress drop');
  });

  test('a CCNP peer selector without a namespace selects pods only (it gets "has a namespace")', () => {
    const e = engine([ccnp('p', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}] }] })]);
    expect(outcome(e, { from: other, to: api, port: 80 })).toBe('allowed');
    for (const entity of ['ingress', 'health', 'remote-node', 'world'] as PolicyPeer[]) {
      expect([entity, outcome(e, { from: entity, to: api, port: 80 })]).toEqual([entity, 'denied-ingress drop']);
    }
  });

  test('the Cilium minor sets the defaults that changed: local-cluster selectors from 1.19, the cluster-mesh entity from 1.20', () => {
    const remote = { ...web, cluster: 'east' };
    const policies = [cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] })];
    expect(outcome(engine(policies, { ciliumMinor: '1.18' }), { from: remote, to: api, port: 80 })).toBe('allowed');
    expect(outcome(engine(policies, { ciliumMinor: '1.19' }), { from: remote, to: api, port: 80 })).toBe('denied-ingress drop');
    const mesh = [cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster-mesh'] }] })];
    expect(engine(mesh, { ciliumMinor: '1.19' }).rejected).toEqual([{ policy: 'CiliumNetworkPolicy/demo/p', reason: 'unsupported entity: cluster-mesh' }]);
    expect(outcome(engine(mesh, { ciliumMinor: '1.20' }), { from: remote, to: api, port: 80 })).toBe('allowed');
  });

  test('policyDefaultLocalCluster: peer selectors select this cluster unless they name one', () => {
    const remote = { ...web, cluster: 'east' };
    const policies = [cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] })];
    expect(outcome(engine(policies), { from: remote, to: api, port: 80 })).toBe('denied-ingress drop');
    expect(outcome(engine(policies, { policyDefaultLocalCluster: false }), { from: remote, to: api, port: 80 })).toBe('allowed');
    const named = [cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'app': 'web', 'io.cilium.k8s.policy.cluster': 'east' } }] }] })];
    expect(outcome(engine(named), { from: remote, to: api, port: 80 })).toBe('allowed');
  });

  test('a pod of another cluster is not enforced here (its own cluster enforces its egress)', () => {
    const e = engine([ccnp('deny-all', { endpointSelector: {}, egress: [{}] })]);
    expect(e.enforcement({ ...web, cluster: 'east' }).egress.enforced).toBe(false);
    expect(e.enforcement(web).egress.enforced).toBe(true);
  });
});

describe('entities (pkg/policy/api/entity.go)', () => {
  // allow-localhost off, so that `host` is judged by the entities alone.
  const allowFrom = (...entities: string[]) => engine([cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEntities: entities }] })], { allowLocalhost: 'policy' });
  test.each<[string, PolicyPeer, boolean]>([
    ['cluster', 'host', true], ['cluster', 'remote-node', true], ['cluster', 'kube-apiserver', true], ['cluster', 'ingress', true],
    ['cluster', 'health', true], ['cluster', pod('x', 'y'), true], ['cluster', { ...web, cluster: 'east' }, false], ['cluster', 'world', false],
    ['cluster-mesh', { ...web, cluster: 'east' }, true], ['cluster-mesh', 'world', false],
    ['world', { ip: '8.8.8.8' }, true], ['world', { fqdn: 'a.io' }, true], ['world', 'remote-node', false],
    ['all', { ip: '8.8.8.8' }, true], ['all', 'remote-node', true], ['none', 'world', false], ['none', pod('x', 'y'), false],
    ['kube-apiserver', 'kube-apiserver', true], ['kube-apiserver', 'host', false], ['unmanaged', 'unmanaged', true],
    // The API server's identity depends on where it runs (identity 7 on another node; the host identity on this one).
    ['remote-node', 'kube-apiserver', true], ['host', 'kube-apiserver', false],
    ['host', { entity: 'kube-apiserver', runsOn: 'host' }, true], ['kube-apiserver', { entity: 'kube-apiserver', runsOn: 'host' }, true],
    ['world', { entity: 'kube-apiserver', runsOn: 'outside' }, true], ['cluster', { entity: 'kube-apiserver', runsOn: 'outside' }, true],
  ])('%s selects %j: %s', (entity, peer, expected) => {
    expect(outcome(allowFrom(entity), { from: peer, to: api, port: 80 }) === 'allowed').toBe(expected);
  });
});

describe('CIDR peers (Documentation/security/policy/layer3.rst, CIDR based)', () => {
  const to = (rule: any, options?: CiliumPolicySettings) => engine([cnp('demo', 'p', { endpointSelector: {}, egress: [rule] })], options);
  test('toCIDR, toCIDRSet with except, a bare address, IPv6', () => {
    const e = to({ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] });
    expect(outcome(e, { from: api, to: { ip: '10.2.3.4' }, port: 443 })).toBe('allowed');
    expect(outcome(e, { from: api, to: { ip: '10.1.3.4' }, port: 443 })).toBe('denied-egress drop');
    expect(outcome(to({ toCIDR: ['192.0.2.10'] }), { from: api, to: { ip: '192.0.2.10' }, port: 443 })).toBe('allowed');
    expect(outcome(to({ toCIDR: ['2001:db8::/32'] }), { from: api, to: { ip: '2001:db8::1' }, port: 443 })).toBe('allowed');
    expect(outcome(to({ toCIDR: ['2001:db8::/32'] }), { from: api, to: { ip: '10.0.0.1' }, port: 443 })).toBe('denied-egress drop');
  });
  test('CIDR rules never select pods or nodes, unless policyCIDRMatchMode has nodes', () => {
    const rule = { toCIDR: ['0.0.0.0/0'] };
    expect(outcome(to(rule), { from: api, to: web, port: 80 })).toBe('denied-egress drop');
    expect(outcome(to(rule), { from: api, to: { entity: 'remote-node', ip: '172.18.0.3' }, port: 80 })).toBe('denied-egress drop');
    expect(outcome(to(rule, { policyCIDRMatchMode: ['nodes'] }), { from: api, to: { entity: 'remote-node', ip: '172.18.0.3' }, port: 80 })).toBe('allowed');
    // An outside address whose IP is unknown is only covered by a /0 without exceptions.
    expect(outcome(to(rule), { from: api, to: 'world', port: 80 })).toBe('allowed');
    expect(outcome(to({ toCIDR: ['8.0.0.0/8'] }), { from: api, to: 'world', port: 80 })).toBe('denied-egress drop');
  });
  test('cidrGroupRef and cidrGroupSelector read CiliumCIDRGroups', () => {
    const group = { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'partners', labels: { kind: 'partner' } }, spec: { externalCIDRs: ['198.51.100.0/24'] } };
    const policy = (set: any) => cnp('demo', 'p', { endpointSelector: {}, egress: [{ toCIDRSet: [set] }] });
    for (const set of [{ cidrGroupRef: 'partners' }, { cidrGroupSelector: { matchLabels: { kind: 'partner' } } }]) {
      expect(outcome(engine([policy(set), group]), { from: api, to: { ip: '198.51.100.7' }, port: 443 })).toBe('allowed');
      expect(outcome(engine([policy(set)]), { from: api, to: { ip: '198.51.100.7' }, port: 443 })).toBe('denied-egress drop');
    }
  });
});

describe('toServices (pkg/policy/k8s/service.go)', () => {
  const svc = (name: string, namespace: string, spec: any, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec });
  const policy = (toServices: any[], toPorts?: any[]) => cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toServices, ...(toPorts ? { toPorts } : {}) }] });
  test('a Service with a selector selects its pods, in its namespace', () => {
    const objects = [svc('db', 'data', { selector: { app: 'db' } }, { tier: 'data' })];
    for (const ts of [{ k8sService: { serviceName: 'db', namespace: 'data' } }, { k8sService: { serviceName: 'db' } }, { k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } } } }]) {
      const e = engine([policy([ts]), ...objects]);
      expect(outcome(e, { from: web, to: pod('data', 'db'), port: 5432 })).toBe('allowed');
      expect(outcome(e, { from: web, to: pod('demo', 'db'), port: 5432 })).toBe('denied-egress drop');
    }
  });
  test('a Service without a selector selects the addresses of its EndpointSlices (outside the cluster)', () => {
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'ext-1', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'ext' } }, endpoints: [{ addresses: ['203.0.113.9'] }] };
    const e = engine([policy([{ k8sService: { serviceName: 'ext', namespace: 'demo' } }]), svc('ext', 'demo', { ports: [{ port: 443 }] }), slice]);
    expect(outcome(e, { from: web, to: { ip: '203.0.113.9' }, port: 443 })).toBe('allowed');
    expect(outcome(e, { from: web, to: { ip: '203.0.113.10' }, port: 443 })).toBe('denied-egress drop');
  });
  test('a toServices rule that selects no Service selects no peer', () => {
    const e = engine([policy([{ k8sService: { serviceName: 'missing' } }])]);
    expect(outcome(e, { from: web, to: pod('data', 'db'), port: 5432 })).toBe('denied-egress drop');
  });
});

describe('ports, protocols and ICMP (Documentation/security/policy/layer4.rst)', () => {
  const ingress = (rule: any) => engine([cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}], ...rule }] })]);
  test('endPort ranges, protocol ANY (TCP, UDP, SCTP), a flow with protocol ANY is the strictest of the three', () => {
    const e = ingress({ toPorts: [{ ports: [{ port: '8000', endPort: 8100 }] }] });
    expect([8000, 8050, 8100, 8101, 7999].map((port) => outcome(e, { from: web, to: api, port }))).toEqual(['allowed', 'allowed', 'allowed', 'denied-ingress drop', 'denied-ingress drop']);
    expect(outcome(e, { from: web, to: api, port: 8001, protocol: 'SCTP' })).toBe('allowed');
    expect(outcome(e, { from: web, to: api, protocol: 'ICMP' })).toBe('denied-ingress drop');
    const tcpOnly = ingress({ toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] });
    expect(outcome(tcpOnly, { from: web, to: api, port: 53, protocol: 'ANY' })).toBe('denied-ingress drop');
    expect(outcome(ingress({ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }), { from: web, to: api, port: 53, protocol: 'ANY' })).toBe('allowed');
  });
  test('port 0 is every port of its protocol; an octal-looking port is read as Go reads it', () => {
    expect(outcome(ingress({ toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }] }] }), { from: web, to: api, port: 5353, protocol: 'UDP' })).toBe('allowed');
    expect(outcome(ingress({ toPorts: [{ ports: [{ port: '010', protocol: 'TCP' }] }] }), { from: web, to: api, port: 8 })).toBe('allowed');
  });
  test('named ports resolve against the destination pod (ingress and egress)', () => {
    const named = { ...api, namedPorts: [{ name: 'http', port: 8080 }] };
    const e = ingress({ toPorts: [{ ports: [{ port: 'HTTP', protocol: 'TCP' }] }] });
    expect(outcome(e, { from: web, to: named, port: 8080 })).toBe('allowed');
    expect(outcome(e, { from: web, to: named, port: 9090 })).toBe('denied-ingress drop');
    expect(outcome(e, { from: web, to: api, port: 8080 })).toBe('denied-ingress drop');
    const eg = engine([cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: 'http' }] }] }] })]);
    expect(outcome(eg, { from: web, to: named, port: 8080 })).toBe('allowed');
  });
  test('ICMP types by number and by name; an L3-only rule allows ICMP, a toPorts rule does not', () => {
    const e = ingress({ icmps: [{ fields: [{ type: 'EchoRequest' }, { family: 'IPv6', type: 128 }] }] });
    expect(outcome(e, { from: web, to: api, protocol: 'ICMP' })).toBe('allowed');
    expect(outcome(e, { from: web, to: api, protocol: 'ICMP', icmpType: 13 })).toBe('denied-ingress drop');
    expect(outcome(e, { from: web, to: api, protocol: 'ICMPv6' })).toBe('allowed');
    expect(outcome(e, { from: web, to: api, port: 80 })).toBe('denied-ingress drop');
    expect(outcome(ingress({}), { from: web, to: api, protocol: 'ICMP' })).toBe('allowed');
  });
  test('a flow on a port protocol needs a port', () => {
    expect(() => ingress({}).verdict({ from: web, to: api })).toThrow(/needs a port/);
  });
});

describe('layer 7 (Documentation/security/policy/layer7.rst, cilium/proxy network_policy.cc)', () => {
  const http = (rules: any[], extra: any[] = []) => engine([cnp('demo', 'p', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: rules } }] }, ...extra],
  })]);
  test('method, path, host and headers must all match; regexes match the whole value', () => {
    const e = http([{ method: 'GET', path: '/v1/.*', host: 'api\\.example\\.com', headers: ['X-Team: blue', 'X-Trace'] }]);
    const req = { method: 'GET', path: '/v1/items', host: 'api.example.com', headers: { 'x-team': 'blue', 'X-Trace': '1' } };
    expect(outcome(e, { from: web, to: api, port: 80, http: req })).toBe('allowed');
    expect(outcome(e, { from: web, to: api, port: 80, http: { ...req, host: 'api.example.com:80' } })).toBe('denied-ingress http-403');
    expect(outcome(e, { from: web, to: api, port: 80, http: { ...req, headers: { 'x-team': 'red', 'x-trace': '1' } } })).toBe('denied-ingress http-403');
    expect(outcome(e, { from: web, to: api, port: 80, http: { ...req, path: '/v2/items' } })).toBe('denied-ingress http-403');
    expect(outcome(e, { from: web, to: api, port: 80, http: { ...req, path: '/v1/items?page=2' } })).toBe('allowed');
    // An L3 mismatch is still a drop, not a 403.
    expect(outcome(e, { from: other, to: api, port: 80, http: req })).toBe('denied-ingress drop');
  });
  test('header matches: a mismatch denies unless the rule names an action; a secret value is unknown offline', () => {
    const e = http([{ headerMatches: [{ name: 'x-token', value: 'abc' }] }]);
    expect(outcome(e, { from: web, to: api, port: 80, http: { method: 'GET', path: '/', headers: { 'x-token': 'abc' } } })).toBe('allowed');
    expect(outcome(e, { from: web, to: api, port: 80, http: { method: 'GET', path: '/' } })).toBe('denied-ingress http-403');
    const logged = http([{ headerMatches: [{ name: 'x-token', value: 'abc', mismatch: 'LOG' }] }]);
    expect(outcome(logged, { from: web, to: api, port: 80, http: { method: 'GET', path: '/' } })).toBe('allowed');
    const secret = http([{ headerMatches: [{ name: 'x-token', secret: { name: 's', namespace: 'demo' } }] }]);
    expect(outcome(secret, { from: web, to: api, port: 80, http: { method: 'GET', path: '/', headers: { 'x-token': 'abc' } } })).toBe('denied-ingress http-403');
  });
  test('an allow without HTTP rules for the same peer (L3-only or same port) lets every request through', () => {
    const landing = { method: 'POST', path: '/land' };
    expect(outcome(http([{ method: 'GET' }]), { from: web, to: api, port: 80, http: landing })).toBe('denied-ingress http-403');
    expect(outcome(http([{ method: 'GET' }], [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }]), { from: web, to: api, port: 80, http: landing })).toBe('allowed');
    const l4 = [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }];
    expect(outcome(http([{ method: 'GET' }], l4), { from: web, to: api, port: 80, http: landing })).toBe('allowed');
    // Another port's allow does not.
    const otherPort = [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] }];
    expect(outcome(http([{ method: 'GET' }], otherPort), { from: web, to: api, port: 80, http: landing })).toBe('denied-ingress http-403');
  });
  test('L7 rules on one side only: egress HTTP rules are enforced by the client\'s Envoy (denied-egress 403)', () => {
    const e = engine([cnp('demo', 'p', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    })]);
    expect(outcome(e, { from: web, to: api, port: 80, http: { method: 'GET', path: '/x' } })).toBe('allowed');
    const v = e.verdict({ from: web, to: api, port: 80, http: { method: 'DELETE', path: '/x' } });
    expect([v.verdict, v.how, v.at, v.clientSees, v.hops[0].ingress.basis]).toEqual(['denied-egress', 'http-403', 'demo/web', 'http-403', 'not-enforced']);
  });

  test('an L7 port without a request given passes only when every request would', () => {
    expect(outcome(http([{ method: 'GET' }]), { from: web, to: api, port: 80 })).toBe('denied-ingress http-403');
    expect(outcome(http([{}]), { from: web, to: api, port: 80 })).toBe('allowed');
    // The local node's probes pass: allow-localhost is an L3-only allow.
    expect(outcome(http([{ method: 'GET' }]), { from: 'host', to: api, port: 80, http: { method: 'PUT', path: '/' } })).toBe('allowed');
  });

  const dnsPolicy = (dnsRules: any[], enableDefaultDeny?: any, extra: any[] = []) => engine([ccnp('dns', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ...(enableDefaultDeny ? { enableDefaultDeny } : {}),
    egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: dnsRules } }] }, ...extra],
  })]);
  test('DNS rules answer REFUSED for other names, even under enableDefaultDeny: false (intro.rst warning)', () => {
    for (const e of [dnsPolicy([{ matchName: 'cilium.io' }]), dnsPolicy([{ matchName: 'cilium.io' }], { egress: false, ingress: false })]) {
      expect(outcome(e, { from: web, to: dns, port: 53, protocol: 'UDP', dns: 'Cilium.IO.' })).toBe('allowed');
      expect(outcome(e, { from: web, to: dns, port: 53, protocol: 'UDP', dns: 'example.com' })).toBe('denied-egress dns-refused');
    }
    // An L3-only allow to kube-dns does not widen the DNS proxy's rules on port 53; a rule on port 53 itself does.
    const l3 = [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }] }];
    expect(outcome(dnsPolicy([{ matchName: 'cilium.io' }], undefined, l3), { from: web, to: dns, port: 53, protocol: 'UDP', dns: 'example.com' })).toBe('denied-egress dns-refused');
    const port53 = [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }];
    expect(outcome(dnsPolicy([{ matchName: 'cilium.io' }], undefined, port53), { from: web, to: pod('demo', 'dns'), port: 53, protocol: 'UDP', dns: 'x.io' })).toBe('allowed');
  });
  test.each([
    ['*', 'anything.example.com', true], ['*.cilium.io', 'www.cilium.io', true], ['*.cilium.io', 'cilium.io', false],
    ['*.cilium.io', 'a.b.cilium.io', false], ['**.cilium.io', 'a.b.cilium.io', true], ['**.cilium.io', 'cilium.io', false],
    ['*cilium.io', 'subcilium.io', true], ['*cilium.io', 'www.cilium.io', false], ['sub*.cilium.io', 'subdomain.cilium.io', true],
    ['sub*.cilium.io', 'www.cilium.io', false], ['special*service.api.cilium.io', 'special-region1-service.api.cilium.io', true],
  ])('DNS pattern %s matches %s: %s (matchpattern.go and the CRD examples)', (pattern, name, expected) => {
    expect(re2MatchesFully(dnsPatternRegex(pattern), `${name}.`)).toBe(expected);
  });
  test('toFQDNs selects a name only once a DNS rule lets the DNS proxy see its lookup (dns.rst)', () => {
    const fqdn = { toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
    const withoutDns = engine([cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [fqdn] })]);
    const v = withoutDns.verdict({ from: web, to: { fqdn: 'api.github.com' }, port: 443 });
    expect(v.verdict).toBe('denied-egress');
    expect(v.reason).toMatch(/never learnt/);
    expect(outcome(dnsPolicy([{ matchPattern: '*.github.com' }], undefined, [fqdn]), { from: web, to: { fqdn: 'api.github.com' }, port: 443 })).toBe('allowed');
    expect(outcome(dnsPolicy([{ matchName: 'other.io' }], undefined, [fqdn]), { from: web, to: { fqdn: 'api.github.com' }, port: 443 })).toBe('denied-egress drop');
  });
  test('serverNames allow only the listed TLS names', () => {
    const e = engine([cnp('demo', 'p', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['api.github.com'] }] }] })]);
    expect(outcome(e, { from: web, to: { ip: '140.82.112.5' }, port: 443, sni: 'api.github.com' })).toBe('allowed');
    expect(outcome(e, { from: web, to: { ip: '140.82.112.5' }, port: 443, sni: 'evil.io' })).toBe('denied-egress drop');
  });
});

describe('deny rules, default deny and enforcement modes', () => {
  const allowAll = cnp('demo', 'allow', { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] });
  test('a deny rule wins over allows and over allow-localhost (deny.rst)', () => {
    const e = engine([allowAll, cnp('demo', 'deny', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['host', 'world'] }] })]);
    expect(outcome(e, { from: 'host', to: api, port: 8080 })).toBe('denied-ingress drop');
    expect(e.verdict({ from: { ip: '1.1.1.1' }, to: api, port: 80 }).by).toEqual({ policy: 'CiliumNetworkPolicy/demo/deny', section: 'ingressDeny', rule: 0 });
    expect(outcome(e, { from: web, to: api, port: 80 })).toBe('allowed');
  });
  test('a policy with only deny rules puts the endpoint in default deny too (the CRD: "Ingress or IngressDeny rules")', () => {
    const e = engine([cnp('demo', 'deny', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }] })]);
    expect(outcome(e, { from: web, to: api, port: 80 })).toBe('denied-ingress drop');
    expect(outcome(e, { from: 'host', to: api, port: 80 })).toBe('allowed');
  });
  test('enableDefaultDeny: false adds allowances only; enableNonDefaultDenyPolicies: false ignores it', () => {
    const soft = [cnp('demo', 'p', { endpointSelector: {}, enableDefaultDeny: { ingress: false }, ingress: [{ fromEntities: ['world'] }] })];
    expect(outcome(engine(soft), { from: web, to: api, port: 80 })).toBe('allowed');
    expect(engine(soft).verdict({ from: web, to: api, port: 80 }).hops[0].ingress.basis).toBe('default-allow');
    expect(outcome(engine(soft, { enableNonDefaultDenyPolicies: false }), { from: web, to: api, port: 80 })).toBe('denied-ingress drop');
  });
  test('policyEnforcementMode always: every endpoint is in default deny, with no allow-localhost when nothing selects it', () => {
    const e = engine([], { policyEnforcementMode: 'always' });
    expect(outcome(e, { from: web, to: api, port: 80 })).toBe('denied-egress drop');
    expect(outcome(e, { from: 'host', to: api, port: 80 })).toBe('denied-ingress drop');
    expect(outcome(e, { from: 'world', to: 'remote-node', port: 80 })).toBe('allowed');
  });
  test('policyEnforcementMode never: nothing is enforced', () => {
    const e = engine([cnp('demo', 'deny', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['all'] }] })], { policyEnforcementMode: 'never' });
    expect(outcome(e, { from: web, to: api, port: 80 })).toBe('allowed');
  });
  test('allow-localhost: policy makes the local node an ordinary peer', () => {
    const e = engine([cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] })], { allowLocalhost: 'policy' });
    expect(outcome(e, { from: 'host', to: api, port: 80 })).toBe('denied-ingress drop');
  });
  test('the init identity is always in default deny', () => {
    expect(engine([]).enforcement('init')).toMatchObject({ ingress: { defaultDeny: true }, egress: { defaultDeny: true } });
  });
  test('authentication.mode required drops unless mutual authentication is enabled', () => {
    const objects = [cnp('demo', 'p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], authentication: { mode: 'required' } }] })];
    expect(outcome(engine(objects), { from: web, to: api, port: 80 })).toBe('denied-ingress drop');
    expect(outcome(engine(objects, { mutualAuthentication: true }), { from: web, to: api, port: 80 })).toBe('allowed');
  });
  test('host policies (nodeSelector) apply only with the host firewall', () => {
    const objects = [ccnp('host', { nodeSelector: { matchLabels: { role: 'worker' } }, ingress: [{ fromEntities: ['cluster'] }] })];
    const node = { entity: 'host' as const, nodeLabels: { role: 'worker' } };
    expect(outcome(engine(objects), { from: 'world', to: node, port: 22 })).toBe('allowed');
    expect(outcome(engine(objects, { hostFirewall: true }), { from: 'world', to: node, port: 22 })).toBe('denied-ingress drop');
    expect(outcome(engine(objects, { hostFirewall: true }), { from: web, to: node, port: 22 })).toBe('allowed');
    expect(outcome(engine(objects, { hostFirewall: true }), { from: 'world', to: { entity: 'host', nodeLabels: { role: 'cp' } }, port: 22 })).toBe('allowed');
  });
});

describe('Gateway and Ingress traffic: two hops (ingress-reference.rst)', () => {
  const backendFromIngress = cnp('demo', 'api', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: ['ingress'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
  const lockedClient = cnp('demo', 'web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{}] });
  test("the client's own egress policy is not applied on the way to Envoy; the backend sees the source ingress", () => {
    const e = engine([backendFromIngress, lockedClient]);
    const v = e.verdict({ from: web, to: api, port: 8080, http: { method: 'GET', path: '/' }, viaIngress: true });
    expect(v.verdict).toBe('allowed');
    expect(v.hops.map((h) => [h.from, h.to, h.egress.basis, h.ingress.basis])).toEqual([
      ['demo/web', 'ingress', 'l7lb-handoff', 'not-enforced'],
      ['ingress', 'demo/api', 'not-enforced', 'allow-rule'],
    ]);
    // Directly (not through the Gateway) the client's egress applies, and the backend does not admit it.
    expect(outcome(e, { from: web, to: api, port: 8080 })).toBe('denied-egress drop');
  });
  test('a denial at the ingress identity is enforced by Envoy: 403 for HTTP, a closed connection otherwise', () => {
    const lockdown = ccnp('lockdown', { endpointSelector: { matchExpressions: [{ key: 'reserved:ingress', operator: 'Exists' }] }, ingress: [{ fromEntities: ['cluster'] }] });
    const e = engine([lockdown, backendFromIngress]);
    const v = e.verdict({ from: { ip: '203.0.113.1' }, to: api, port: 8080, http: { method: 'GET', path: '/' }, viaIngress: true });
    expect([v.verdict, v.how, v.at, v.clientSees]).toEqual(['denied-ingress', 'http-403', 'ingress', 'http-403']);
    expect(outcome(e, { from: { ip: '203.0.113.1' }, to: 'ingress', port: 8080 })).toBe('denied-ingress drop');
    expect(e.verdict({ from: { ip: '203.0.113.1' }, to: 'ingress', port: 8080 }).clientSees).toBe('reset');
    expect(outcome(e, { from: web, to: api, port: 8080, http: { method: 'GET', path: '/' }, viaIngress: true })).toBe('allowed');
  });
  test('a backend that does not admit the ingress identity drops Gateway traffic (the route answers 503)', () => {
    const e = engine([cnp('demo', 'api', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] })]);
    const v = e.verdict({ from: web, to: api, port: 8080, viaIngress: true });
    expect([v.verdict, v.how, v.at, v.clientSees]).toEqual(['denied-ingress', 'drop', 'demo/api', 'reset']);
    expect(e.verdict({ from: web, to: api, port: 8080, viaIngress: true, http: { method: 'GET', path: '/' } }).clientSees).toBe('http-503');
    expect(e.verdict({ from: other, to: api, port: 8080 }).clientSees).toBe('timeout');
  });
});

test('a pod reaching itself meets no policy, not even a deny rule', () => {
  const e = engine([cnp('demo', 'deny', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['all'] }], egressDeny: [{ toEntities: ['all'] }] })]);
  expect(e.verdict({ from: api, to: { ...api }, port: 80 }).hops[0].ingress.basis).toBe('same-pod');
  expect(outcome(e, { from: web, to: api, port: 80 })).toBe('denied-egress drop');
});

describe('verdict texts', () => {
  test('peers are described for messages', () => {
    expect([web, { namespace: 'x', labels: { a: 'b' } }, { ip: '1.1.1.1' }, { fqdn: 'a.io' }, {}, 'host', { entity: 'remote-node', ip: '10.0.0.2' }, { ...web, cluster: 'east' }]
      .map((p) => describePeer(p as PolicyPeer))).toEqual(['demo/web', 'x/a=b', 'world(1.1.1.1)', 'world(fqdn:a.io)', 'world', 'host', 'remote-node(10.0.0.2)', 'east:demo/web']);
  });
  test('a denial names the rule, the enforcer and the policies that put it in default deny', () => {
    const e = engine([cnp('demo', 'api', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] })]);
    const v = e.verdict({ from: other, to: api, port: 80 });
    expect(v).toMatchObject({ verdict: 'denied-ingress', how: 'drop', at: 'demo/api' });
    expect(v.reason).toBe('demo/api is in ingress default deny (CiliumNetworkPolicy/demo/api) and no rule allows ingress from other/web on TCP/80');
    expect(e.verdict({ from: web, to: api, port: 80 }).hops[0].ingress.reason).toBe('CiliumNetworkPolicy/demo/api ingress[0] allows ingress from demo/web on TCP/80');
  });
});
