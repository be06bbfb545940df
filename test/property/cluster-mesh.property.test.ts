import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterMesh, meshPlatform, PlatformConfigError, validateApp } from '../../src';
import type { MeshMemberOptions } from '../../src';
import { CILIUM_MINOR_FACTS } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';

/**
 * The Cluster Mesh kind, enumerated: random fleets of 2-4 members (routing modes, tunnel protocols, pod subnets,
 * native routing CIDRs on the mesh or as member overrides, global Services with or without the same ports). The
 * verdict of an independent oracle (per-address coverage, brute-force covering prefix, plain comparisons) is the set
 * of rule ids the library must report: exactly those, and nothing else, so a fleet that works is never refused.
 */

const RUNS = 120;

// ----- the oracle: its own address arithmetic, no code of src/ -----

const addr = (text: string) => text.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const text = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
/** [first, last] of `a.b.c.d/n`. */
function span(cidr: string): [number, number] {
  const [a, n] = cidr.split('/');
  const size = 2 ** (32 - Number(n));
  const first = Math.floor(addr(a) / size) * size;
  return [first, first + size - 1];
}
/** `outer` holds every address of `inner`: its first and its last. */
const covers = (outer: string, inner: string) => {
  const [o1, o2] = span(outer);
  const [i1, i2] = span(inner);
  return o1 <= i1 && i2 <= o2;
};
/** The longest prefix, tried from /32 down, whose block around the lowest subnet covers every subnet. */
function smallestCovering(subnets: readonly string[]): string {
  const low = Math.min(...subnets.map((s) => span(s)[0]));
  for (let n = 32; n >= 0; n--) {
    const size = 2 ** (32 - n);
    const candidate = `${text(Math.floor(low / size) * size)}/${n}`;
    if (subnets.every((s) => covers(candidate, s))) return candidate;
  }
  throw new Error('unreachable');
}

// ----- fleets -----

interface MemberPlan {
  readonly routing: 'native' | 'vxlan' | 'geneve';
  readonly podSubnet: string;
  /** An `ipv4NativeRoutingCIDR` override (native members only). */
  readonly override?: string;
  /** Global Services declared here: name -> port. */
  readonly globals: Readonly<Record<string, number>>;
}
interface FleetPlan {
  readonly members: readonly MemberPlan[];
  readonly meshCidr?: string;
}

/** A CIDR in 10.0.0.0/8 of /8-/18: sometimes covering the pod subnets, sometimes not. */
const routingCidr = fc.integer({ min: 8, max: 18 }).chain((n) => fc.integer({ min: 0, max: 2 ** (n - 8) - 1 })
  .map((i) => `${text(10 * 2 ** 24 + i * 2 ** (32 - n))}/${n}`));

const fleet: fc.Arbitrary<FleetPlan> = fc.integer({ min: 2, max: 4 }).chain((count) => fc.record({
  // distinct second octets 100-199 keep pod subnets apart; /16-/20 blocks at the start of each /16
  octets: fc.uniqueArray(fc.integer({ min: 100, max: 199 }), { minLength: count, maxLength: count }),
  prefixes: fc.array(fc.integer({ min: 16, max: 20 }), { minLength: count, maxLength: count }),
  // mostly one routing mode, so that the CIDR verdicts are reached
  mode: fc.constantFrom<'native' | 'vxlan' | 'geneve'>('native', 'native', 'vxlan', 'geneve'),
  odd: fc.array(fc.option(fc.constantFrom<'native' | 'vxlan' | 'geneve'>('native', 'vxlan', 'geneve'), { freq: 5 }), { minLength: count, maxLength: count }),
  overrides: fc.array(fc.option(routingCidr, { freq: 3 }), { minLength: count, maxLength: count }),
  meshCidr: fc.option(routingCidr, { freq: 2 }),
  globals: fc.array(fc.dictionary(fc.constantFrom('cart', 'search'), fc.constantFrom(80, 8080), { maxKeys: 2 }), { minLength: count, maxLength: count }),
}).map((r): FleetPlan => ({
  members: r.octets.map((o, i) => {
    const routing = r.odd[i] ?? r.mode;
    return {
      routing,
      podSubnet: `10.${o}.0.0/${r.prefixes[i]}`,
      ...(routing === 'native' && r.overrides[i] !== null ? { override: r.overrides[i]! } : {}),
      globals: r.globals[i],
    };
  }),
  ...(r.meshCidr !== null ? { meshCidr: r.meshCidr } : {}),
})));

/** What the oracle expects the library to refuse, as rule ids. */
function oracle(plan: FleetPlan): string[] {
  const out = new Set<string>();
  if (new Set(plan.members.map((m) => m.routing)).size > 1) out.add('mesh-routing-mode-mismatch');
  const podSubnets = plan.members.map((m) => m.podSubnet);
  const meshCidr = plan.meshCidr ?? smallestCovering(podSubnets);
  plan.members.forEach((m, i) => {
    if (m.routing !== 'native') return;
    const cidr = m.override ?? meshCidr;
    if (!covers(cidr, m.podSubnet)) {
      out.add('native-routing-cidr');
      // an override is owned by podSubnet: one that misses the member's own pod subnet is not a value it accepts
      if (m.override !== undefined) out.add('helm-value-owned-by-prop');
    }
    if (podSubnets.some((s, j) => j !== i && !covers(cidr, s))) out.add('mesh-native-routing-cidr');
  });
  for (const name of ['cart', 'search']) {
    const ports = plan.members.map((m) => m.globals[name]).filter((p) => p !== undefined);
    if (new Set(ports).size > 1) out.add('mesh-global-service-mismatch');
  }
  return [...out].sort();
}

function build(plan: FleetPlan): { app: App; mesh: ClusterMesh } {
  const app = new App();
  const mesh = new ClusterMesh(app, 'fleet', { name: 'fleet', ...(plan.meshCidr ? { nativeRoutingCidr: plan.meshCidr } : {}) });
  plan.members.forEach((m, i) => {
    const options: MeshMemberOptions = {
      clusterName: `m${i}`,
      podSubnet: m.podSubnet,
      serviceSubnet: `10.${200 + i}.0.0/16`,
      ...(m.routing === 'native' ? { routingMode: 'native' } : { tunnelProtocol: m.routing }),
      ...(m.override ? { ciliumValuesOverrides: { ipv4NativeRoutingCIDR: m.override } } : {}),
    };
    const cluster = mesh.addCluster(options);
    if (Object.keys(m.globals).length > 0) {
      new ApiObject(cluster, 'shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    }
    for (const [name, port] of Object.entries(m.globals)) {
      new ApiObject(cluster, `global-${name}`, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'shop', annotations: { 'service.cilium.io/global': 'true' } },
        spec: { selector: { app: name }, ports: [{ name: 'http', port, protocol: 'TCP' }] },
      });
    }
  });
  return { app, mesh };
}

function refusedIds(app: App): string[] {
  try {
    validateApp(app);
    return [];
  } catch (e) {
    if (!(e instanceof PlatformConfigError)) throw e;
    return [...new Set(e.violations.map((v) => v.rule))].sort();
  }
}

describe('the oracle itself', () => {
  test('coverage and the covering prefix on known cases', () => {
    expect(covers('10.0.0.0/8', '10.244.0.0/16')).toBe(true);
    expect(covers('10.244.0.0/16', '10.245.0.0/16')).toBe(false);
    expect(smallestCovering(['10.244.0.0/16', '10.245.0.0/16'])).toBe('10.244.0.0/15');
    expect(smallestCovering(['10.100.0.0/20', '10.199.0.0/16'])).toBe('10.0.0.0/8');
    expect(oracle({ members: [{ routing: 'native', podSubnet: '10.100.0.0/16', globals: {} }, { routing: 'vxlan', podSubnet: '10.101.0.0/16', globals: {} }] }))
      .toEqual(['mesh-routing-mode-mismatch']);
  });
});

test(`random fleets: the library refuses exactly what the oracle expects (${RUNS} fleets)`, () => {
  const seen = new Set<string>();
  fc.assert(fc.property(fleet, (plan) => {
    const { app, mesh } = build(plan);
    const expected = oracle(plan);
    expected.forEach((id) => seen.add(id));
    if (expected.length === 0) seen.add('accepted');
    expect(refusedIds(app)).toEqual(expected);
    // what is rendered for a native member without an override is the mesh's CIDR or the smallest covering one
    const covering = plan.meshCidr ?? smallestCovering(plan.members.map((m) => m.podSubnet));
    mesh.members.forEach((cluster, i) => {
      const values = cluster.ciliumValues() as Record<string, unknown>;
      const m = plan.members[i];
      if (m.routing === 'native') expect(values.ipv4NativeRoutingCIDR).toBe(m.override ?? covering);
      else expect(values.ipv4NativeRoutingCIDR).toBeUndefined();
    });
  }), { numRuns: RUNS, seed: 18 });
  // the runs reach every verdict of the kind, and fleets that work
  expect([...seen].sort()).toEqual(['accepted', 'helm-value-owned-by-prop', 'mesh-global-service-mismatch', 'mesh-native-routing-cidr', 'mesh-routing-mode-mismatch', 'native-routing-cidr']);
});

describe('every mesh preset stays accepted', () => {
  test.each([2, 3, 4])('meshPlatform with %i members', (n) => {
    const app = new App();
    meshPlatform(app, { name: `mesh${n}`, clusterNames: Array.from({ length: n }, (_, i) => `mesh${n}-c${i}`) });
    expect(refusedIds(app)).toEqual([]);
  });

  test.each(CILIUM_MINOR_FACTS.map((f) => f.latestPatch))('meshPlatform on Cilium %s', (version) => {
    const app = new App();
    const props = ciliumVersionProps(version);
    meshPlatform(app, { ciliumVersion: props.ciliumVersion, ...(props.versions ? { versions: props.versions } : {}) });
    expect(refusedIds(app)).toEqual([]);
  });
});
