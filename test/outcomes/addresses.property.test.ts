import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import { KindCiliumCluster, L2AnnouncementPolicy, LoadBalancerIpPool, PlatformConfigError, Violation, validateApp } from '../../src';
import { applyPlatform } from '../../src/applied/platform';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { OUTCOME_RULES } from '../../src/outcomes';

/**
 * The `addresses` outcomes over random descriptions (pools with and without serviceSelectors, Services with labels,
 * requested addresses, sharing keys and ports, an L2 policy with and without serviceSelector), built through the public
 * API: wherever the apply model leaves a LoadBalancer Service pending or its address unannounced, validation refuses it
 * (unless a fact rule the family defers to names the fault already); wherever every LoadBalancer Service is assigned
 * (in every order), shares as its sharing key says and is announced, no address outcome refuses it.
 */

const RUNS = { numRuns: Number(process.env.ADDRESSES_RUNS ?? 150), seed: Number(process.env.ADDRESSES_SEED ?? 20261205) };

const tier = fc.constantFrom(undefined, 'a', 'b');
const poolArb = fc.record({ size: fc.integer({ min: 1, max: 3 }), tier });
const serviceArb = fc.record({
  tier,
  port: fc.constantFrom(80, 81),
  // an address of pool `pool` (possibly past its end), or none
  request: fc.option(fc.record({ pool: fc.integer({ min: 0, max: 1 }), offset: fc.integer({ min: 0, max: 3 }) }), { nil: undefined }),
  sharingKey: fc.option(fc.constant('k'), { nil: undefined }),
});
const scenarioArb = fc.record({
  pools: fc.array(poolArb, { minLength: 1, maxLength: 2 }),
  services: fc.array(serviceArb, { minLength: 1, maxLength: 3 }),
  l2Policy: fc.option(fc.record({ tier }), { nil: undefined }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

const address = (pool: number, offset: number) => `172.18.25${pool}.${10 + offset}`;
const selector = (t: string | undefined) => (t === undefined ? {} : { serviceSelector: { matchLabels: { tier: t } } });

function build(sc: Scenario): KindCiliumCluster {
  const c = new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', l2Announcements: {} });
  sc.pools.forEach((p, i) => new LoadBalancerIpPool(c, `pool${i}`, { blocks: [{ start: address(i, 0), stop: address(i, p.size - 1) }], ...selector(p.tier) }));
  sc.services.forEach((s, i) => new ApiObject(c, `svc${i}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `svc${i}`,
      namespace: 'default',
      ...(s.tier ? { labels: { tier: s.tier } } : {}),
      annotations: {
        ...(s.request ? { 'lbipam.cilium.io/ips': address(s.request.pool, s.request.offset) } : {}),
        ...(s.sharingKey ? { 'lbipam.cilium.io/sharing-key': s.sharingKey } : {}),
      },
    },
    spec: { type: 'LoadBalancer', selector: { app: `svc${i}` }, ports: [{ port: s.port }] },
  }));
  if (sc.l2Policy) new L2AnnouncementPolicy(c, 'l2', selector(sc.l2Policy.tier));
  return c;
}

function appViolations(app: App): readonly Violation[] {
  try {
    validateApp(app);
    return [];
  } catch (e) {
    if (e instanceof PlatformConfigError) return e.violations;
    throw e;
  }
}

const family = (id: string) => OUTCOME_RULES.find((r) => r.id === id)!;
const ADDRESS_IDS = ['lb-address-pending', 'lb-address-not-shared', 'lb-address-not-announced'];

test('pending or unannounced is refused; assigned in every order, shared and announced is accepted', () => {
  let refused = 0;
  let accepted = 0;
  fc.assert(fc.property(scenarioArb, (sc) => {
    const c = build(sc);
    const facts = new Set(c.violations().map((v) => v.rule));
    const found = appViolations(c.node.root as App);
    const applied = applyPlatform({ model: c.model(), entries: resolvedEntries(c) });
    const deferred = (id: string) => (family(id).defersTo ?? []).some((f) => facts.has(f));
    const reported = (rule: string, name: string) => found.some((v) => v.rule === rule && v.field === `dev/${name}`);
    const services = sc.services.map((_, i) => ({ name: `svc${i}`, lb: applied.lbIpam.services[`default/svc${i}`], l2: applied.l2.services[`default/svc${i}`] }));
    for (const s of services) {
      if (s.lb.result === 'pending' && !deferred('lb-addresses')) expect([s.name, reported('lb-address-pending', s.name)]).toEqual([s.name, true]);
      if (s.lb.result === 'assigned' && s.l2?.verdict !== 'announced' && !deferred('lb-announcements')) {
        expect([s.name, reported('lb-address-not-announced', s.name)]).toEqual([s.name, true]);
      }
    }
    if (found.some((v) => ADDRESS_IDS.includes(v.rule))) refused++;
    const shares = (key: string) => {
      const group = services.filter((_, i) => sc.services[i].sharingKey === key);
      return group.every((s) => s.lb.ips.some((ip) => group[0].lb.ips.includes(ip)));
    };
    const working = services.every((s) => s.lb.result === 'assigned' && s.lb.exact && s.l2?.verdict === 'announced') && shares('k');
    if (working) {
      accepted++;
      expect(found.filter((v) => ADDRESS_IDS.includes(v.rule))).toEqual([]);
      if (facts.size === 0) expect(found).toEqual([]);
    }
  }), RUNS);
  // Both sides of the property are exercised.
  if (process.env.ADDRESSES_STATS) console.log({ refused, accepted });
  expect([refused > 0, accepted > 0]).toEqual([true, true]);
});
