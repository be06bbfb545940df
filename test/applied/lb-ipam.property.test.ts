import * as fc from 'fast-check';
import { ALLOW_FIRST_LAST_IPS_DEFAULT, LbIpamResult, LbIpamSettings, simulateLbIpam, LbIpamEvent, assignLoadBalancerAddresses } from '../../src/applied/lb-ipam';
import { ipInRange, parseIp } from '../../src/applied/lb-ipam-addresses';
import { parseBlocks } from '../../src/applied/lb-ipam-pools';
import { serviceView, sharingIncompatibility } from '../../src/applied/lb-ipam-services';
import { KubeObject, namespacedName, selectorMatches } from '../../src/applied/objects';
import { CILIUM_MINORS } from '../../src/spec/version-matrix';

/**
 * Properties of the LB-IPAM model that hold for any pools and Services (no reference folder needed): what upstream
 * guarantees by construction (no address twice outside a valid sharing group, every address from an enabled pool that
 * selects the Service, requests honoured or refused with a reason that is true), and the model's own promise that an
 * outcome marked `exact` does not depend on the order in which upstream visits pools and Services.
 */

// ---- generators: small, colliding address space so pools overlap, fill up and share --------------------------------

const BLOCKS = [
  { cidr: '10.0.0.0/30' }, { cidr: '10.0.0.4/31' }, { cidr: '10.0.0.6/32' }, { cidr: '10.0.0.8/29' }, { cidr: '10.0.0.0/28' },
  { start: '10.0.0.20', stop: '10.0.0.22' }, { start: '10.0.0.24' }, { cidr: 'fd00::/126' }, { cidr: '10.0.0.300/30' },
];
const REQUESTS = ['10.0.0.0', '10.0.0.1', '10.0.0.3', '10.0.0.5', '10.0.0.9', '10.0.0.15', '10.0.0.21', '10.0.0.40', 'fd00::1', 'not-an-ip'];
const SELECTORS = [undefined, undefined, { matchLabels: { color: 'red' } }, { matchExpressions: [{ key: 'color', operator: 'In', values: ['red', 'blue'] }] },
  { matchLabels: { 'io.kubernetes.service.namespace': 'a' } }, {}];

const poolArb = (i: number, timestamps: boolean) => fc.record({
  blocks: fc.subarray(BLOCKS, { minLength: 1, maxLength: 2 }),
  serviceSelector: fc.constantFrom(...SELECTORS),
  allowFirstLastIPs: fc.constantFrom(undefined, 'Yes', 'No'),
  disabled: fc.constantFrom(false, false, false, true),
}).map((p): KubeObject => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumLoadBalancerIPPool',
  // Pools are either unapplied (no timestamps, as in a bundle) or were created in index order.
  metadata: { name: `pool-${i}`, ...(timestamps ? { creationTimestamp: `2026-01-01T00:00:0${i}Z` } : {}) },
  spec: {
    blocks: p.blocks,
    ...(p.serviceSelector !== undefined ? { serviceSelector: p.serviceSelector } : {}),
    ...(p.allowFirstLastIPs ? { allowFirstLastIPs: p.allowFirstLastIPs } : {}),
    ...(p.disabled ? { disabled: true } : {}),
  },
}));

const serviceArb = (i: number) => fc.record({
  namespace: fc.constantFrom('a', 'b'),
  color: fc.constantFrom(undefined, 'red', 'blue'),
  type: fc.constantFrom('LoadBalancer', 'LoadBalancer', 'LoadBalancer', 'ClusterIP'),
  lbClass: fc.constantFrom(undefined, undefined, undefined, 'example.com/other', 'io.cilium/l2-announcer'),
  requests: fc.oneof(fc.constant([] as string[]), fc.constant([] as string[]), fc.subarray(REQUESTS, { minLength: 1, maxLength: 2 })),
  viaSpec: fc.boolean(),
  sharingKey: fc.constantFrom(undefined, undefined, 'k1', 'k2'),
  crossNs: fc.constantFrom(undefined, undefined, '*', 'a', 'b'),
  ports: fc.subarray([{ port: 80 }, { port: 81, protocol: 'UDP' }, { port: 443 }, { port: 80, protocol: 'UDP' }], { maxLength: 2 }),
  etp: fc.constantFrom(undefined, 'Cluster', 'Local'),
  dualStack: fc.boolean(),
}).map((s): KubeObject => {
  const annotations: Record<string, string> = {};
  const spec: Record<string, unknown> = { type: s.type, ports: s.ports, selector: { app: `s${i % 2}` } };
  if (s.requests.length > 0) {
    if (s.viaSpec) spec.loadBalancerIP = s.requests[0];
    const rest = s.viaSpec ? s.requests.slice(1) : s.requests;
    if (rest.length > 0) annotations[i % 2 === 0 ? 'lbipam.cilium.io/ips' : 'io.cilium/lb-ipam-ips'] = rest.join(',');
  }
  if (s.sharingKey) annotations['lbipam.cilium.io/sharing-key'] = s.sharingKey;
  if (s.crossNs) annotations['lbipam.cilium.io/sharing-cross-namespace'] = s.crossNs;
  if (s.lbClass) spec.loadBalancerClass = s.lbClass;
  if (s.etp) spec.externalTrafficPolicy = s.etp;
  if (s.dualStack) spec.ipFamilyPolicy = 'PreferDualStack';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: s.namespace, ...(s.color ? { labels: { color: s.color } } : {}), annotations },
    spec,
  };
});

const scenarioArb = fc.record({
  pools: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.boolean()).chain(([n, ts]) => fc.tuple(...Array.from({ length: n }, (_, i) => poolArb(i, ts)))),
  services: fc.integer({ min: 1, max: 7 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i)))),
  settings: fc.record({
    ipv6Enabled: fc.boolean(),
    l2announcementsEnabled: fc.boolean(),
    defaultLBServiceIPAM: fc.constantFrom('lbipam', 'lbipam', 'none'),
  }) as fc.Arbitrary<LbIpamSettings>,
  servicesBeforePools: fc.boolean(),
});

const RUNS = { numRuns: Number(process.env.LBIPAM_RUNS ?? 400), seed: Number(process.env.LBIPAM_SEED ?? 20261204) };

// ---- helpers --------------------------------------------------------------------------------------------------------

function blocksOf(pool: KubeObject) {
  const b = parseBlocks(pool);
  return typeof b === 'string' ? [] : b;
}

function containing(result: LbIpamResult, pools: readonly KubeObject[], text: string) {
  const ip = parseIp(text)!;
  return pools.filter((p) => result.pools[p.metadata.name] && !result.pools[p.metadata.name].invalid)
    .flatMap((p) => blocksOf(p).filter((b) => ipInRange(ip, b.from, b.to)).map((b) => ({ pool: p, block: b })));
}

const selects = (pool: KubeObject, svc: KubeObject) => {
  const sel = pool.spec.serviceSelector;
  return sel === undefined || selectorMatches(sel, serviceView(svc, { ipv4: true, ipv6: false }).labels);
};
const enabled = (result: LbIpamResult, pool: KubeObject) => {
  const s = result.pools[pool.metadata.name];
  return s !== undefined && !s.invalid && !s.allBlocksDisabled;
};

// ---- properties ---------------------------------------------------------------------------------------------------

describe('LB-IPAM model properties (any pools, any Services)', () => {
  test('no address is given to two Services unless they share a key and are compatible, or a pool conflict re-issued it (noted)', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const r = assignLoadBalancerAddresses(sc);
      const holders = new Map<string, KubeObject[]>();
      for (const svc of sc.services) for (const ip of r.services[namespacedName(svc)].ips) holders.set(ip, [...(holders.get(ip) ?? []), svc]);
      for (const [ip, svcs] of holders) {
        for (let i = 0; i < svcs.length; i++) {
          for (let j = i + 1; j < svcs.length; j++) {
            const a = serviceView(svcs[i], { ipv4: true, ipv6: false });
            const b = serviceView(svcs[j], { ipv4: true, ipv6: false });
            if (a.sharingKey !== '' && sharingIncompatibility(a, b, true) === undefined) continue;
            // Upstream keeps allocations of a pool that turns conflicting, and the winning pool hands the address out again.
            expect(containing(r, sc.pools, ip).map((h) => h.pool.metadata.name).length).toBeGreaterThan(1);
            const noted = [svcs[i], svcs[j]].filter((s) => r.services[namespacedName(s)].notes.some((n) => n.includes('became conflicting')));
            expect(noted.length).toBeGreaterThan(0);
          }
        }
      }
    }), RUNS);
  });

  test('every address lies in a block of an enabled pool that selects the Service, never a held-back first/last address', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const r = assignLoadBalancerAddresses(sc);
      for (const svc of sc.services) {
        const got = r.services[namespacedName(svc)];
        for (const ip of got.ips) {
          const all = containing(r, sc.pools, ip);
          const homes = all.filter((h) => enabled(r, h.pool));
          // An address stays with its Service when its pool turns conflicting later (noted).
          if (homes.length === 0) expect(all.length > 0 && got.notes.some((n) => n.includes('became conflicting'))).toBe(true);
          const selecting = all.filter((h) => selects(h.pool, svc));
          // A Service joining a sharing key's address is not checked against that pool's selector (noted, see lb-ipam-controller.ts).
          if (selecting.length === 0) expect(got.notes.some((n) => n.includes('does not select this Service'))).toBe(true);
          for (const h of all.filter((x) => got.pools.includes(x.pool.metadata.name))) {
            const heldBack = h.pool.spec.allowFirstLastIPs === 'No' && h.block.fromCidr && h.block.to.value - h.block.from.value >= 2n;
            if (heldBack) expect([h.block.from.value, h.block.to.value]).not.toContain(parseIp(ip)!.value);
          }
          expect(got.pools.length).toBeGreaterThan(0);
        }
      }
    }), RUNS);
  });

  test('a request is honoured exactly, or the Service is pending with the reason upstream gives, and that reason is true', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const r = assignLoadBalancerAddresses(sc);
      for (const svc of sc.services) {
        const got = r.services[namespacedName(svc)];
        if (got.result === 'ignored') continue;
        const view = serviceView(svc, { ipv4: true, ipv6: sc.settings.ipv6Enabled === true });
        const requested = view.requestedIps.map((ip) => REQUESTS.find((t) => parseIp(t)?.value === ip.value && parseIp(t)?.bits === ip.bits)!);
        if (requested.length === 0) continue;
        for (const ip of got.ips) expect(requested).toContain(ip);
        if (got.result === 'assigned') {
          expect([...got.ips].sort()).toEqual([...new Set(requested)].sort());
          continue;
        }
        const reason = got.condition?.reason;
        // Where upstream's operator crashes, the condition stays as it was: nothing to check.
        if (got.notes.some((n) => n.includes('crashes'))) continue;
        if (reason === undefined) {
          expect(got.notes.join(' ')).toMatch(/dormant/);
          continue;
        }
        const ipOf = (msg: string) => /'([^']+)'/.exec(msg)![1];
        const ip = ipOf(got.condition!.message);
        const homes = containing(r, sc.pools, ip).filter((h) => enabled(r, h.pool));
        switch (reason) {
          case 'no_pool': expect(homes).toEqual([]); break;
          case 'pool_selector_mismatch': expect(homes.length > 0 && homes.every((h) => !selects(h.pool, svc))).toBe(true); break;
          case 'already_allocated':
          case 'already_allocated_incompatible_service': {
            const others = Object.values(r.services).filter((o) => o.service !== got.service && o.ips.includes(ip));
            const heldBack = homes.some((h) => h.pool.spec.allowFirstLastIPs === 'No' && h.block.fromCidr
              && h.block.to.value - h.block.from.value >= 2n && [h.block.from.value, h.block.to.value].includes(parseIp(ip)!.value));
            expect(others.length > 0 || heldBack).toBe(true);
            break;
          }
          default: throw new Error(`unexpected reason ${reason}`);
        }
      }
    }), RUNS);
  });

  test('a Service without requests gets one address per family, or no_pool / out_of_ips when true', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const r = assignLoadBalancerAddresses(sc);
      for (const svc of sc.services) {
        const got = r.services[namespacedName(svc)];
        const view = serviceView(svc, { ipv4: true, ipv6: sc.settings.ipv6Enabled === true });
        if (got.result === 'ignored' || view.requestedIps.length > 0 || view.unparsableRequests.length > 0) continue;
        const fams = got.ips.map((ip) => parseIp(ip)!.bits);
        if (got.result === 'assigned') {
          expect(fams.filter((b) => b === 32).length).toBe(view.families.ipv4 ? 1 : 0);
          expect(fams.filter((b) => b === 128).length).toBe(view.families.ipv6 ? 1 : 0);
          continue;
        }
        const missing = view.families.ipv6 && !fams.includes(128) ? 128 : 32;
        const candidates = sc.pools.filter((p) => enabled(r, p) && selects(p, svc))
          .flatMap((p) => blocksOf(p).filter((b) => b.from.bits === missing));
        if (got.condition?.reason === 'no_pool') expect(candidates).toEqual([]);
        else if (got.condition?.reason === 'out_of_ips') expect(candidates.length).toBeGreaterThan(0);
        else if (got.condition !== null) throw new Error(`unexpected ${JSON.stringify(got.condition)}`);
      }
    }), RUNS);
  });

  test('LB-IPAM ignores exactly the Services it does not serve, and writes them no condition', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const r = assignLoadBalancerAddresses(sc);
      for (const svc of sc.services) {
        const got = r.services[namespacedName(svc)];
        const cls = svc.spec.loadBalancerClass;
        const served = svc.spec.type === 'LoadBalancer' && (cls === undefined
          ? (sc.settings.defaultLBServiceIPAM ?? 'lbipam') === 'lbipam'
          : cls === 'io.cilium/l2-announcer' && sc.settings.l2announcementsEnabled === true);
        expect(got.result === 'ignored').toBe(!served);
        if (!served) expect(got.condition).toBeNull();
      }
    }), RUNS);
  });

  test('pool counts: used = distinct addresses held + held-back addresses; total = used + available', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const r = assignLoadBalancerAddresses(sc);
      for (const pool of sc.pools) {
        const st = r.pools[pool.metadata.name];
        if (!st || st.invalid) continue;
        expect(BigInt(st.ipsTotal)).toBe(BigInt(st.ipsUsed) + BigInt(st.ipsAvailable));
        expect(st.conditions['cilium.io/IPsUsed'].message).toBe(String(st.ipsUsed));
        const size = blocksOf(pool).reduce((n, b) => n + b.to.value - b.from.value + 1n, 0n);
        expect(BigInt(st.ipsTotal)).toBe(size);
      }
    }), RUNS);
  });

  test('an outcome marked exact is the same in every order upstream may visit pools (Go map order) and Services (unordered passes)', () => {
    const permutations = <T>(xs: readonly T[]) => (xs.length <= 1 ? [xs] : [xs, [...xs].reverse(), [...xs.slice(1), xs[0]]]);
    const outcome = (r: LbIpamResult, key: string) => JSON.stringify([r.services[key].result, r.services[key].ips, r.services[key].condition]);
    fc.assert(fc.property(scenarioArb, (sc) => {
      const base = assignLoadBalancerAddresses(sc);
      const variants: LbIpamResult[] = [];
      const visitOrders = [<T>(xs: T[]) => [...xs].reverse(), <T>(xs: T[]) => [...xs.slice(1), ...xs.slice(0, 1)]];
      const events = (services: readonly KubeObject[]): LbIpamEvent[] => {
        const p = sc.pools.map((pool) => ({ kind: 'upsert-pool' as const, pool }));
        const s = services.map((service) => ({ kind: 'upsert-service' as const, service }));
        return sc.servicesBeforePools ? [...s, ...p] : [...p, ...s];
      };
      // Go map order over pools, wherever upstream iterates them.
      for (const order of visitOrders) variants.push(simulateLbIpam(events(sc.services), sc.settings, order));
      // All Services that exist when the first pool appears are visited in Go map order too.
      if (sc.servicesBeforePools) {
        for (const services of permutations(sc.services)) {
          variants.push(simulateLbIpam(events(services), sc.settings));
          variants.push(simulateLbIpam(events(services), sc.settings, visitOrders[0]));
        }
      }
      for (const key of Object.keys(base.services)) {
        if (!base.services[key].exact) continue;
        for (const v of variants) expect(outcome(v, key)).toBe(outcome(base, key));
      }
    }), RUNS);
  });

  test('exactness is not vacuous: the generated scenarios have both exact and order-dependent outcomes', () => {
    const samples = fc.sample(scenarioArb, { numRuns: 200, seed: 7 });
    const flags = samples.flatMap((sc) => Object.values(assignLoadBalancerAddresses(sc).services).filter((s) => s.result !== 'ignored').map((s) => s.exact));
    expect(flags.filter((f) => f).length).toBeGreaterThan(50);
    expect(flags.filter((f) => !f).length).toBeGreaterThan(10);
  });

  test('every Cilium minor the library supports has an allowFirstLastIPs default (the cases test checks them against the CRDs)', () => {
    for (const minor of CILIUM_MINORS) expect(ALLOW_FIRST_LAST_IPS_DEFAULT[minor]).toMatch(/^(Yes|No)$/);
    expect(() => assignLoadBalancerAddresses({ pools: [], services: [], settings: { ciliumMinor: '1.9' } })).toThrow(/no allowFirstLastIPs default known for Cilium 1.9/);
  });
});
