import { CiliumPolicyEngine, FlowVerdict, PolicyFlow, PolicyPeer } from '../../src/applied/cilium-policy';
import { describeWithReference, readReference } from '../support/reference';

/**
 * Every case and flow of `behaviour-cases/cilium-policy.json` of the reference data (Cilium docs, the Star Wars demo,
 * the DNS guide, the Ingress/Gateway policy pages) against the product's policy engine.
 *
 * Reading of the corpus (its README.md):
 * - `endpoints[].id` is `namespace/name` for a pod, `world:<ip>` for an outside address, `fqdn:<name>` for an address
 *   learnt from DNS for that name, or an entity name;
 * - flows marked `after` run once `policiesAddedLater` are applied too;
 * - "Gateway traffic is two hops (pol-17..20)": in a case that lists the `ingress` identity, a flow from a client to a
 *   backend that names neither end `ingress` goes through the Gateway (`viaIngress`);
 * - `expect.at`, when given, names the enforcing identity first (`default/details (source identity: ingress)`,
 *   `ingress identity (Envoy)`): its first word is compared with the verdict's `at`.
 */

interface CaseFlow {
  readonly from: string;
  readonly to: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly http?: { readonly method: string; readonly path: string };
  readonly dnsQuery?: string;
  readonly after?: string;
  readonly expect: { readonly verdict: string; readonly how?: string; readonly at?: string };
}
interface PolicyCase {
  readonly id: string;
  readonly endpoints: readonly { readonly id: string; readonly labels?: Record<string, string>; readonly entity?: string }[];
  readonly policies: readonly any[];
  readonly policiesAddedLater?: readonly any[];
  readonly flows: readonly CaseFlow[];
}

/**
 * Flows where the engine knowingly differs from the corpus, each with its source. The test fails when a listed flow
 * starts agreeing (remove the row) or an unlisted one disagrees (fix the engine, or document it here with a source).
 */
const DEVIATIONS: readonly { readonly flow: string; readonly engine: string; readonly source: string }[] = [];

/**
 * Cases whose `after` step is written in words instead of `policiesAddedLater`: the change, applied to the case's
 * policies, as its `after` text says.
 */
const AFTER_IN_WORDS: Readonly<Record<string, (policies: readonly any[], all: readonly PolicyCase[]) => any[]>> = {
  // "apply examples/policies/l3/simple/l3.yaml (backend allows role=frontend)": pol-05 carries that file as `l3-rule`.
  'pol-07-both-sides': (policies, all) => [...policies, all.find((c) => c.id === 'pol-05-ingress-only-default-deny')!.policies.find((p) => p.metadata.name === 'l3-rule')],
  // "add ingress rule fromEntities: [ingress] to details-from-client".
  'pol-17-gateway-two-hops': (policies) => policies.map((p) => p.metadata.name !== 'details-from-client' ? p
    : { ...p, spec: { ...p.spec, ingress: [...p.spec.ingress, { fromEntities: ['ingress'] }] } }),
};


/** The peer a corpus id stands for. */
function peerOf(id: string, c: PolicyCase): PolicyPeer {
  const endpoint = c.endpoints.find((e) => e.id === id);
  if (id.startsWith('world:')) return { ip: id.slice('world:'.length) };
  if (id.startsWith('fqdn:')) return { fqdn: id.slice('fqdn:'.length) };
  if (id.includes('/')) {
    const [namespace, name] = id.split('/');
    return { namespace, name, labels: endpoint?.labels ?? {} };
  }
  return id as PolicyPeer;
}

function flowOf(f: CaseFlow, c: PolicyCase): PolicyFlow {
  const gateway = c.endpoints.some((e) => e.id === 'ingress') && f.from !== 'ingress' && f.to !== 'ingress';
  return {
    from: peerOf(f.from, c),
    to: peerOf(f.to, c),
    ...(f.port !== undefined ? { port: f.port } : {}),
    protocol: (f.protocol ?? 'TCP') as PolicyFlow['protocol'],
    ...(f.http ? { http: f.http } : {}),
    ...(f.dnsQuery !== undefined ? { dns: f.dnsQuery } : {}),
    ...(gateway ? { viaIngress: true } : {}),
  };
}

/** The verdict in the corpus' terms: `allowed`, or `denied-<side> <how> at <first word of at>`. */
function summary(v: { verdict: string; how?: string; at?: string }, withAt: boolean): string {
  if (v.verdict === 'allowed') return 'allowed';
  const at = withAt && v.at ? ` at ${v.at.split(' ')[0]}` : '';
  return `${v.verdict} ${v.how ?? 'drop'}${at}`;
}

type Row = { c: PolicyCase; f: CaseFlow; name: string };
const rowsOf = (cases: readonly PolicyCase[]): Row[] => cases.flatMap((c) => c.flows.map((f, i) => ({ c, f, name: `${c.id} #${i} ${f.from} -> ${f.to}${f.port ? `:${f.port}` : ''}/${f.protocol ?? 'TCP'}${f.after ? ' (after)' : ''}` })));

/** The policies in force for a flow: the case's, plus what its `after` step adds. */
function policiesFor(c: PolicyCase, f: CaseFlow, cases: readonly PolicyCase[]): readonly any[] {
  if (!f.after) return c.policies;
  if (c.policiesAddedLater) return [...c.policies, ...c.policiesAddedLater];
  const change = AFTER_IN_WORDS[c.id];
  if (!change) throw new Error(`${c.id}: a flow is marked after "${f.after}" but the case has no policiesAddedLater and AFTER_IN_WORDS has no entry`);
  return change(c.policies, cases);
}

function run(c: PolicyCase, f: CaseFlow, cases: readonly PolicyCase[]): FlowVerdict {
  const engine = CiliumPolicyEngine.fromObjects(policiesFor(c, f, cases));
  expect(engine.rejected).toEqual([]);
  return engine.verdict(flowOf(f, c));
}

describeWithReference('Cilium policy behaviour cases (behaviour-cases/cilium-policy.json)', ['behaviour-cases'], () => {
  const cases: readonly PolicyCase[] = JSON.parse(readReference('behaviour-cases/cilium-policy.json')).cases;
  const rows = rowsOf(cases);
  test('the corpus has its 29 cases and 94 flows', () => {
    expect([cases.length, rows.length]).toEqual([29, 94]);
  });

  test.each(rows.map((r) => [r.name, r] as const))('%s', (name, { c, f }) => {
    const verdict = run(c, f, cases);
    const expected = summary(f.expect, f.expect.at !== undefined);
    const actual = summary(verdict, f.expect.at !== undefined);
    const deviation = DEVIATIONS.find((d) => d.flow === name);
    if (deviation) {
      expect({ name, actual, note: 'listed deviation now agrees with the corpus: remove it from DEVIATIONS' }).toEqual({ name, actual: deviation.engine, note: expect.anything() });
      expect(actual).not.toEqual(expected);
    } else {
      expect({ name, actual, reason: verdict.reason }).toEqual({ name, actual: expected, reason: verdict.reason });
    }
  });

  test('every listed deviation names a flow of the corpus and a source', () => {
    for (const d of DEVIATIONS) {
      expect(rows.map((r) => r.name)).toContain(d.flow);
      expect(d.source).toMatch(/\S/);
    }
  });
});
