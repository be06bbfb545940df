import * as fc from 'fast-check';
import { CiliumPolicyEngine, PodPeer, PolicyFlow, PolicyPeer } from '../../src/applied/cilium-policy';

/**
 * Properties of whole kinds of policy sets, over random CNPs and CCNPs in a small universe of pods and entities:
 * - an allow rule (without L7 rules) never turns an allowed flow into a denied one, unless its policy puts the flow's
 *   end into default deny (`Documentation/security/policy/intro.rst`: the union of rules is allowed);
 * - a deny rule that covers a flow always wins (`Documentation/security/policy/deny.rst`), except an egress deny on
 *   traffic to a Gateway/Ingress address, which never meets the client's egress policy (and a pod reaching itself,
 *   which never meets policy at all);
 * - a CNP decides only for pods of its own namespace, and its peer selectors without a namespace requirement admit
 *   only pods of its own namespace (`Documentation/security/policy/kubernetes.rst`);
 * - the order of the objects does not change any verdict.
 */

const RUNS = 250;
const NAMESPACES = ['a', 'b'];
const APPS = ['x', 'y', 'z'];
const PODS: PodPeer[] = NAMESPACES.flatMap((namespace) => APPS.map((app) => ({ namespace, name: app, labels: { app } })));
const OTHERS: PolicyPeer[] = ['world', { ip: '203.0.113.7' }, { ip: '10.1.2.3' }, { fqdn: 'api.example.com' }, 'host', 'remote-node', 'kube-apiserver', 'ingress', 'health'];
const PEERS: PolicyPeer[] = [...PODS, ...OTHERS];

const NS_KEY = 'io.kubernetes.pod.namespace';
const selector = fc.oneof(
  fc.constant({}),
  fc.constantFrom(...APPS).map((app) => ({ matchLabels: { app } })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ matchLabels: { [`k8s:${NS_KEY}`]: ns } })),
  fc.tuple(fc.constantFrom(...APPS), fc.constantFrom(...NAMESPACES)).map(([app, ns]) => ({ matchLabels: { app, [NS_KEY]: ns } })),
  fc.subarray(APPS, { minLength: 1 }).map((values) => ({ matchExpressions: [{ key: 'app', operator: 'NotIn', values }] })),
  fc.constant({ matchExpressions: [{ key: 'reserved:ingress', operator: 'Exists' }] }),
);
const toPorts = fc.option(fc.constantFrom(
  [{ ports: [{ port: '80', protocol: 'TCP' }] }],
  [{ ports: [{ port: '53', protocol: 'UDP' }] }],
  [{ ports: [{ port: '8000', endPort: 8100, protocol: 'ANY' }] }],
  [{ ports: [{ port: '0', protocol: 'TCP' }] }],
), { nil: undefined });

type Dir = 'ingress' | 'egress';
const peerPart = (dir: Dir) => {
  const [endpoints, entities, cidrSet] = dir === 'ingress' ? ['fromEndpoints', 'fromEntities', 'fromCIDRSet'] : ['toEndpoints', 'toEntities', 'toCIDRSet'];
  const parts: fc.Arbitrary<Record<string, unknown>>[] = [
    fc.constant({}),
    fc.array(selector, { minLength: 1, maxLength: 2 }).map((s) => ({ [endpoints]: s })),
    fc.subarray(['world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'all'], { minLength: 1 }).map((e) => ({ [entities]: e })),
    fc.constantFrom('10.0.0.0/8', '203.0.113.0/24', '0.0.0.0/0').map((cidr) => ({ [cidrSet]: [{ cidr }] })),
  ];
  if (dir === 'egress') parts.push(fc.constant({ toFQDNs: [{ matchPattern: '*.example.com' }] }));
  return fc.oneof(...parts);
};
const rule = (dir: Dir) => fc.tuple(peerPart(dir), toPorts).map(([peers, ports]) => (ports ? { ...peers, toPorts: ports } : peers));
/** A DNS rule (so that toFQDNs can learn names) is an L7 rule: only in the base policies. */
const dnsRule = fc.constant({ toEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] });

let counter = 0;
const policy = (opts: { readonly withDns?: boolean } = {}) => fc.record({
  clusterwide: fc.boolean(),
  namespace: fc.constantFrom(...NAMESPACES),
  endpointSelector: selector,
  dir: fc.constantFrom<Dir>('ingress', 'egress'),
  enableDefaultDeny: fc.option(fc.boolean(), { nil: undefined }),
}).chain((p) => fc.array(opts.withDns && p.dir === 'egress' ? fc.oneof(rule(p.dir), dnsRule) : rule(p.dir), { minLength: 1, maxLength: 3 }).map((rules) => {
  const name = `p${counter++}`;
  const spec = {
    endpointSelector: p.endpointSelector,
    ...(p.enableDefaultDeny === undefined ? {} : { enableDefaultDeny: { [p.dir]: p.enableDefaultDeny } }),
    [p.dir]: rules,
  };
  const object: any = p.clusterwide
    ? { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec }
    : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: p.namespace }, spec };
  return object;
}));
const flow: fc.Arbitrary<PolicyFlow> = fc.record({
  from: fc.constantFrom(...PEERS),
  to: fc.constantFrom(...PEERS),
  port: fc.constantFrom(80, 53, 8050, 443),
  protocol: fc.constantFrom<PolicyFlow['protocol']>('TCP', 'UDP'),
});
const flows = fc.array(flow, { minLength: 1, maxLength: 12 });
const summary = (e: CiliumPolicyEngine, f: PolicyFlow) => {
  const v = e.verdict(f);
  return `${v.verdict} ${v.how ?? ''} ${v.at ?? ''}`;
};

test('an allow rule never denies an allowed flow unless its policy brings default deny', () => {
  fc.assert(fc.property(fc.array(policy({ withDns: true }), { maxLength: 4 }), policy(), flows, (base, extra, fs) => {
    const before = CiliumPolicyEngine.fromObjects(base);
    const after = CiliumPolicyEngine.fromObjects([...base, extra]);
    for (const f of fs) {
      if (!before.allows(f)) continue;
      const v = after.verdict(f);
      if (v.verdict === 'allowed') continue;
      const [end, dir] = v.verdict === 'denied-egress' ? [f.from, 'egress' as const] : [f.to, 'ingress' as const];
      expect({ flow: f, before: before.enforcement(end)[dir].defaultDeny, after: after.enforcement(end)[dir].defaultDeny })
        .toEqual({ flow: f, before: false, after: true });
    }
  }), { numRuns: RUNS });
});

test('a deny rule that covers a flow always wins', () => {
  const base = fc.array(policy({ withDns: true }), { maxLength: 4 });
  fc.assert(fc.property(base, flow, fc.constantFrom(...PODS), fc.boolean(), (objects, f0, target, byPort) => {
    // A pod reaching itself never meets policy (loopback): not a flow a deny rule can cover.
    const other = (p: PolicyPeer) => (p === target || (typeof p === 'object' && 'name' in p && p.name === target.name && 'namespace' in p && p.namespace === target.namespace) ? 'world' : p);
    const ingressFlow = { ...f0, from: other(f0.from), to: target };
    const egressFlow = { ...f0, from: target, to: other(f0.to) };
    const select = { matchLabels: { app: target.labels.app, [`k8s:${NS_KEY}`]: target.namespace } };
    const covering = byPort ? { toPorts: [{ ports: [{ port: String(f0.port), protocol: f0.protocol }] }] } : {};
    const deny = (section: string, peers: object) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: `deny-${section}` },
      spec: { endpointSelector: select, [section]: [{ ...peers, ...covering }] },
    });
    const ingress = CiliumPolicyEngine.fromObjects([...objects, deny('ingressDeny', byPort ? {} : { fromEntities: ['all'] })]);
    const egress = CiliumPolicyEngine.fromObjects([...objects, deny('egressDeny', byPort ? {} : { toEntities: ['all'] })]);
    expect(ingress.rejected.filter((r) => r.policy.includes('deny-'))).toEqual([]);
    expect({ flow: ingressFlow, allowed: ingress.allows(ingressFlow) }).toEqual({ flow: ingressFlow, allowed: false });
    if (egressFlow.to === 'ingress') {
      // The one exception: traffic to a Gateway/Ingress address is handed to Envoy before the client's egress policy
      // (bpf/bpf_lxc.c "Forward to L7 LB first before applying network policy").
      expect(egress.verdict(egressFlow).hops[0].egress.basis).toBe('l7lb-handoff');
    } else {
      expect({ flow: egressFlow, allowed: egress.allows(egressFlow) }).toEqual({ flow: egressFlow, allowed: false });
    }
  }), { numRuns: RUNS });
});

test('a CNP decides only for pods of its namespace; its selectors without a namespace admit only that namespace', () => {
  fc.assert(fc.property(fc.array(policy({ withDns: true }), { minLength: 1, maxLength: 5 }), flows, (objects, fs) => {
    const e = CiliumPolicyEngine.fromObjects(objects);
    for (const p of PODS) {
      for (const dir of ['ingress', 'egress'] as const) {
        const foreign = e.enforcement(p)[dir].policies.filter((ref) => ref.startsWith('CiliumNetworkPolicy/') && ref.split('/')[1] !== p.namespace);
        expect({ pod: p, foreign }).toEqual({ pod: p, foreign: [] });
      }
    }
    for (const f of fs) {
      for (const hop of e.verdict(f).hops) {
        for (const side of [hop.egress, hop.ingress]) {
          const by = side.by;
          if (!by || !by.policy.startsWith('CiliumNetworkPolicy/')) continue;
          const namespace = by.policy.split('/')[1];
          const subject = side.side === 'egress' ? f.from : f.to;
          const remote = side.side === 'egress' ? f.to : f.from;
          expect({ flow: f, by, subject: (subject as PodPeer).namespace }).toEqual({ flow: f, by, subject: namespace });
          const raw = objects.find((o) => `CiliumNetworkPolicy/${o.metadata.namespace}/${o.metadata.name}` === by.policy)!.spec[by.section][by.rule];
          const selectors: any[] | undefined = raw.fromEndpoints ?? raw.toEndpoints;
          const unscoped = selectors?.every((s) => !Object.keys(s.matchLabels ?? {}).some((k) => k.endsWith(NS_KEY)));
          if (unscoped && selectors!.length > 0 && typeof remote === 'object' && 'namespace' in remote) {
            expect({ flow: f, by, remote: remote.namespace }).toEqual({ flow: f, by, remote: namespace });
          }
        }
      }
    }
  }), { numRuns: RUNS });
});

test('the order of the objects does not change any verdict', () => {
  fc.assert(fc.property(fc.array(policy({ withDns: true }), { minLength: 2, maxLength: 5 }), flows, (objects, fs) => {
    const forward = CiliumPolicyEngine.fromObjects(objects);
    const backward = CiliumPolicyEngine.fromObjects([...objects].reverse());
    for (const f of fs) expect({ flow: f, v: summary(backward, f) }).toEqual({ flow: f, v: summary(forward, f) });
  }), { numRuns: RUNS });
});
