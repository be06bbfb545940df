import * as fs from 'fs';
import { announceL2, L2Node } from '../../src/applied/l2-announcements';
import {
  ALLOW_FIRST_LAST_IPS_DEFAULT, LB_IPAM_REQUEST_SATISFIED, LbIpamEvent, LbIpamResult, LbIpamServiceResult, LbIpamSettings,
  lbIpamSettingsFromHelmValues, POOL_CONDITIONS, simulateLbIpam,
} from '../../src/applied/lb-ipam';
import { ipInRange, parseIp, parsePrefix } from '../../src/applied/lb-ipam-addresses';
import { KubeObject } from '../../src/applied/objects';
import { CILIUM_MINORS } from '../../src/spec/version-matrix';
import { describeWithReference, readReference, referencePath } from '../support/reference';

/**
 * Every case of `behaviour-cases/lb-ipam.json` (README.md of that folder gives the fields), run
 * through the LB-IPAM and L2 models. Each disagreement is either fixed in the model or listed in DEVIATIONS with its
 * upstream source; the list is checked both ways (a listed deviation that starts agreeing fails, as does an unlisted one).
 */

const CASES_FILE = 'behaviour-cases/lb-ipam.json';

/**
 * Known disagreements, by `<case>[/step <n>][/config <n>] <subject> <field>`. Each names its source. Keep it short:
 * a model bug is fixed, not listed.
 */
const DEVIATIONS: Readonly<Record<string, string>> = {
  // The file names the condition as lb-ipam.rst shows it; lbipam.go (1.18 to the 1.20 branch point and after) writes
  // `cilium.io/IPAMRequestSatisfied`, as its pool conditions `cilium.io/...` (the pool CRD's printer column
  // `cilium.io/PoolConflict` in every minor; the cases' own pool expectations use `cilium.io/IPsUsed`, `cilium.io/PoolConflict`).
  'file conditionType': 'operator/pkg/lbipam/lbipam.go ciliumSvcRequestSatisfiedCondition = "cilium.io/IPAMRequestSatisfied"',
  // The Gateway's Programmed condition belongs to the Gateway API model, not to LB-IPAM (the address is checked).
  'lb-29-gateway-spec-addresses gateway:default/my-gateway Programmed': 'out of scope: Gateway API controller (operator/pkg/gateway-api/gateway_reconcile.go)',
  'lb-30-gateway-infrastructure-annotation-wins gateway:default/my-gateway Programmed': 'out of scope: Gateway API controller (operator/pkg/gateway-api/gateway_reconcile.go)',
};

/**
 * How each step's `change` becomes events: the change text as the case writes it (checked, so a changed case is
 * noticed), and one or more alternatives (`A (or B)` changes run both).
 */
type Mutation = (s: Fixture, previous: LbIpamResult) => LbIpamEvent[];
const STEPS: Readonly<Record<string, readonly { change: string; alternatives: readonly Mutation[] }[]>> = {
  'lb-01-no-matching-pool': [{
    change: 'relabel example/service-red to color: blue',
    alternatives: [(s) => [upsertService(relabel(s.service('example/service-red'), { color: 'blue' }))]],
  }],
  'lb-05-no-reserves-first-last': [{
    change: 'set pool-a spec.allowFirstLastIPs: Yes',
    alternatives: [(s) => [upsertPool(withSpec(s.pool('pool-a'), { allowFirstLastIPs: 'Yes' }))]],
  }],
  'lb-11-requested-ip-in-no-pool': [{
    change: 'create pool-b with block 10.0.20.0/24 (or add that block to pool-a)',
    alternatives: [
      () => [upsertPool(pool('pool-b', [{ cidr: '10.0.20.0/24' }]))],
      (s) => [upsertPool(withSpec(s.pool('pool-a'), { blocks: [...s.pool('pool-a').spec.blocks, { cidr: '10.0.20.0/24' }] }))],
    ],
  }],
  'lb-12-sharing-key-same-namespace': [{
    change: "change service-b's sharing key to key-2",
    alternatives: [(s) => [upsertService(annotate(s.service('default/service-b'), { 'lbipam.cilium.io/sharing-key': 'key-2' }))]],
  }],
  'lb-20-disabled-pool': [
    {
      change: 'set pool-a spec.disabled: true, then create default/service-b (type LoadBalancer)',
      alternatives: [(s) => {
        s.disabled = withSpec(s.pool('pool-a'), { disabled: true });
        return [upsertPool(s.disabled), upsertService(lbService('default', 'service-b'))];
      }],
    },
    {
      change: 'set pool-a spec.disabled: false',
      alternatives: [(s) => [upsertPool(withSpec(s.disabled!, { disabled: false }))]],
    },
  ],
  'lb-21-overlapping-pools': [{
    change: 'remove 10.0.10.0/24 from pool-b',
    alternatives: [(s) => [upsertPool(withSpec(s.pool('pool-b'), { blocks: s.pool('pool-b').spec.blocks.filter((b: any) => b.cidr !== '10.0.10.0/24') }))]],
  }],
  'lb-22-overlap-inside-one-pool': [{
    change: 'keep only 10.0.10.0/24',
    alternatives: [(s) => [upsertPool(withSpec(s.pool('pool-a'), { blocks: [{ cidr: '10.0.10.0/24' }] }))]],
  }],
  'lb-23-exhaustion': [{
    change: 'change the block to 10.0.10.0/29',
    alternatives: [(s) => [upsertPool(withSpec(s.pool('pool-a'), { blocks: [{ cidr: '10.0.10.0/29' }] }))]],
  }],
  'lb-24-two-pools-match': [{
    change: 'delete the pool that supplied the address',
    alternatives: [(_s, previous) => [{ kind: 'delete-pool', name: previous.services['default/service-a'].pools[0] }]],
  }],
  'lb-27-non-loadbalancer-types': [
    { change: 'type: LoadBalancer', alternatives: [(s) => [upsertService(withServiceSpec(s.service('default/service-a'), { type: 'LoadBalancer' }))]] },
    { change: 'type: NodePort', alternatives: [(s) => [upsertService(withServiceSpec(s.service('default/service-a'), { type: 'NodePort' }))]] },
  ],
  'lb-28-selection-lost': [{
    change: 'relabel service-a color: green (or change the pool selector to color: green while the Service stays blue)',
    alternatives: [
      (s) => [upsertService(relabel(s.service('default/service-a'), { color: 'green' }))],
      (s) => [upsertPool(withSpec(s.pool('pool-a'), { serviceSelector: { matchLabels: { color: 'green' } } }))],
    ],
  }],
};

// ---- fixtures -----------------------------------------------------------------------------------------------------

interface Fixture {
  readonly pool: (name: string) => KubeObject;
  readonly service: (key: string) => KubeObject;
  disabled?: KubeObject;
}

const upsertPool = (p: KubeObject): LbIpamEvent => ({ kind: 'upsert-pool', pool: p });
const upsertService = (s: KubeObject): LbIpamEvent => ({ kind: 'upsert-service', service: s });
const pool = (name: string, blocks: object[]): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name }, spec: { blocks } });
const lbService = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type: 'LoadBalancer' } });
const withSpec = (o: KubeObject, spec: object): KubeObject => ({ ...o, spec: { ...o.spec, ...spec } });
const withServiceSpec = withSpec;
const relabel = (o: KubeObject, labels: Record<string, string>): KubeObject => ({ ...o, metadata: { ...o.metadata, labels } });
const annotate = (o: KubeObject, annotations: Record<string, string>): KubeObject =>
  ({ ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...annotations } } });

/**
 * The Service Cilium's Gateway API controller generates for a Gateway (lb-29, lb-30): `cilium-gateway-<name>`, the two
 * owner labels, the infrastructure labels and annotations, and `spec.addresses` (IPAddress) as `io.cilium/lb-ipam-ips`
 * unless the infrastructure annotations set it (`operator/pkg/model/ingestion/gateway.go`, `translation/gateway-api/translator.go`).
 * A test fixture: the Gateway API model owns this translation.
 */
function gatewayService(gw: KubeObject): KubeObject {
  const infra = gw.spec?.infrastructure ?? {};
  const addresses = (gw.spec?.addresses ?? []).filter((a: any) => (a.type ?? 'IPAddress') === 'IPAddress').map((a: any) => a.value);
  const annotations: Record<string, string> = { ...(infra.annotations ?? {}) };
  if (addresses.length > 0 && annotations['io.cilium/lb-ipam-ips'] === undefined) annotations['io.cilium/lb-ipam-ips'] = addresses.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `cilium-gateway-${gw.metadata.name}`,
      namespace: gw.metadata.namespace,
      labels: { ...(infra.labels ?? {}), 'io.cilium.gateway/owning-gateway': gw.metadata.name, 'gateway.networking.k8s.io/gateway-name': gw.metadata.name },
      annotations,
    },
    spec: { type: 'LoadBalancer', ports: (gw.spec?.listeners ?? []).map((l: any) => ({ port: l.port })) },
  };
}

/** Helm settings by dotted name (`l2announcements.enabled`) into nested values. */
function settingsFromConfig(config: Record<string, unknown> | undefined): LbIpamSettings {
  const values: Record<string, any> = {};
  for (const [dotted, v] of Object.entries(config ?? {})) {
    const parts = dotted.split('.');
    let at = values;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {});
    at[parts[parts.length - 1]] = v;
  }
  return lbIpamSettingsFromHelmValues(values, '1.20');
}

// ---- comparing ----------------------------------------------------------------------------------------------------

function within(ip: string, cidr: string): boolean {
  const a = parseIp(ip);
  const p = parsePrefix(cidr);
  return a !== undefined && typeof p !== 'string' && ipInRange(a, p.first, p.last);
}

/** Disagreements of one Service with its expectation, as `<field>: <detail>`. */
type Disagreements = Record<string, string>;

function compareService(e: any, got: LbIpamServiceResult | undefined, result: LbIpamResult, previous: LbIpamResult | undefined): Disagreements {
  const out: Record<string, string> = {};
  if (!got) return { result: 'not in the model result' };
  const prev = (key: string) => previous?.services[key];
  if (e.result === 'unchanged') {
    const before = prev(got.service)?.ips ?? [];
    if (JSON.stringify(before) !== JSON.stringify(got.ips)) out.result = `expected unchanged ${JSON.stringify(before)}, got ${JSON.stringify(got.ips)}`;
  } else if (e.result !== undefined && e.result !== got.result) {
    out.result = `expected ${e.result}, got ${got.result} (${JSON.stringify(got.condition)})`;
  }
  if (e.ips !== undefined && JSON.stringify(e.ips) !== JSON.stringify(got.ips)) out.ips = `expected ${JSON.stringify(e.ips)}, got ${JSON.stringify(got.ips)}`;
  if (e.ips !== undefined && e.ips.length > 0 && !got.exact) out.exact = `the case pins ${JSON.stringify(e.ips)} but the model calls the outcome order-dependent`;
  if (e.within !== undefined && !(got.ips.length > 0 && got.ips.every((ip) => within(ip, e.within)))) out.within = `expected within ${e.within}, got ${JSON.stringify(got.ips)}`;
  if (e.withinAnyOf !== undefined) {
    if (!(got.ips.length > 0 && got.ips.every((ip) => e.withinAnyOf.some((c: string) => within(ip, c))))) out.withinAnyOf = `expected within ${e.withinAnyOf.join(' | ')}, got ${JSON.stringify(got.ips)}`;
    if (e.withinAnyOf.length > 1 && got.exact) out.exact = 'several pools may supply the address but the model calls it exact';
  }
  if (e.sameIpAs !== undefined) {
    const other = result.services[e.sameIpAs]?.ips ?? [];
    if (got.ips.length === 0 || JSON.stringify(other) !== JSON.stringify(got.ips)) out.sameIpAs = `expected the ips of ${e.sameIpAs} ${JSON.stringify(other)}, got ${JSON.stringify(got.ips)}`;
  }
  if (e.differentIpFrom !== undefined) {
    const other = result.services[e.differentIpFrom]?.ips ?? [];
    if (got.ips.length === 0 || got.ips.some((ip) => other.includes(ip))) out.differentIpFrom = `expected other ips than ${e.differentIpFrom} ${JSON.stringify(other)}, got ${JSON.stringify(got.ips)}`;
  }
  const condition = e.condition !== undefined ? e.condition : (Array.isArray(e.conditions) && e.conditions.length === 0 ? null : undefined);
  if (condition === null && got.condition !== null) out.condition = `expected no condition, got ${JSON.stringify(got.condition)}`;
  if (condition) {
    for (const f of ['status', 'reason', 'message'] as const) {
      if (condition[f] !== undefined && condition[f] !== got.condition?.[f]) out[`condition.${f}`] = `expected ${JSON.stringify(condition[f])}, got ${JSON.stringify(got.condition?.[f])}`;
    }
  }
  if (e.addressReleased) {
    const before = prev(got.service)?.ips ?? [];
    const held = Object.values(result.services).flatMap((s) => s.ips);
    const usedBefore = Object.values(previous?.pools ?? {}).reduce((n, p) => n + p.ipsUsed, 0);
    const usedNow = Object.values(result.pools).reduce((n, p) => n + p.ipsUsed, 0);
    if (before.length === 0 || before.some((ip) => held.includes(ip)) || usedNow >= usedBefore) out.addressReleased = `expected ${JSON.stringify(before)} released (used ${usedBefore} -> ${usedNow})`;
  }
  return out;
}

function comparePool(e: any, got: LbIpamResult['pools'][string] | undefined): Record<string, string> {
  if (!got) return { pool: 'not in the model result' };
  const out: Record<string, string> = {};
  if (e.conflicting !== undefined && e.conflicting !== got.conflicting) out.conflicting = `expected ${e.conflicting}, got ${got.conflicting}`;
  if (e.allBlocksDisabled !== undefined && e.allBlocksDisabled !== got.allBlocksDisabled) out.allBlocksDisabled = `expected ${e.allBlocksDisabled}, got ${got.allBlocksDisabled}`;
  for (const [type, want] of Object.entries<any>(e.conditions ?? {})) {
    const c = got.conditions[type];
    if (typeof want === 'string') {
      if (c?.message !== want) out[type] = `expected ${want}, got ${JSON.stringify(c)}`;
    } else {
      for (const f of ['status', 'reason', 'message']) {
        if (want[f] !== undefined && want[f] !== (c as any)?.[f]) out[`${type}.${f}`] = `expected ${JSON.stringify(want[f])}, got ${JSON.stringify((c as any)?.[f])}`;
      }
    }
  }
  return out;
}

/** All disagreements of one expectation block (`expected` or a step's `expect`) with the model's result. */
function compareBlock(prefix: string, expect: any, result: LbIpamResult, previous: LbIpamResult | undefined,
  gateways: Record<string, string>): Disagreements {
  const out: Record<string, string> = {};
  // `expected` has services/pools/gateways keys; a step's `expect` maps Services (`ns/name`) and pools (names) directly.
  const stepForm = !['services', 'pools', 'gateways', 'generatedServices'].some((k) => k in expect);
  const services = stepForm ? Object.fromEntries(Object.entries(expect).filter(([k]) => k.includes('/'))) : expect.services ?? {};
  for (const [key, e] of Object.entries<any>(services)) {
    for (const [f, d] of Object.entries(compareService(e, result.services[key], result, previous))) out[`${prefix} ${key} ${f}`] = d;
  }
  const pools = stepForm ? Object.fromEntries(Object.entries(expect).filter(([k]) => !k.includes('/'))) : expect.pools ?? {};
  for (const [name, e] of Object.entries<any>(pools)) {
    for (const [f, d] of Object.entries(comparePool(e, result.pools[name]))) out[`${prefix} pool:${name} ${f}`] = d;
  }
  for (const [gw, e] of Object.entries<any>(expect.gateways ?? {})) {
    const svc = result.services[gateways[gw]];
    if (e.address !== undefined && svc?.ips[0] !== e.address) out[`${prefix} gateway:${gw} address`] = `expected ${e.address}, got ${JSON.stringify(svc?.ips)}`;
    if (e.Programmed !== undefined) out[`${prefix} gateway:${gw} Programmed`] = `expected ${e.Programmed}: not modelled here`;
  }
  return out;
}

/** Runs one case (one configuration): the objects, then every step; returns all disagreements. */
function runCase(c: any, settings: LbIpamSettings, expected: any, label: string): Record<string, string> {
  const gateways: Record<string, string> = {};
  const services: KubeObject[] = c.services.map((o: KubeObject) => {
    if (o.kind !== 'Gateway') return o;
    const svc = gatewayService(o);
    gateways[`${o.metadata.namespace}/${o.metadata.name}`] = `${svc.metadata.namespace}/${svc.metadata.name}`;
    return svc;
  });
  const out: Record<string, string> = {};
  for (const [k, gen] of Object.entries<any>(expected.generatedServices ?? {})) {
    const svc = services.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === k);
    if (!svc || JSON.stringify({ ...svc.metadata.labels }) !== JSON.stringify({ ...gen.labels }) || svc.spec.type !== gen.type
      || Object.entries<string>(gen.annotations).some(([a, v]) => svc.metadata.annotations?.[a] !== v)) out[`${label} ${k} generated`] = 'fixture differs';
  }
  const fixture: Fixture = {
    pool: (name) => c.pools.find((p: KubeObject) => p.metadata.name === name),
    service: (key) => services.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === key)!,
  };
  const base: LbIpamEvent[] = [...c.pools.map(upsertPool), ...services.map(upsertService)];
  const result = simulateLbIpam(base, settings);
  Object.assign(out, compareBlock(label, expected, result, undefined, gateways));
  const steps: any[] = c.steps ?? [];
  const table = STEPS[c.id] ?? [];
  if (table.length !== steps.length) out[`${label} steps`] = `the case has ${steps.length} steps, STEPS has ${table.length}`;
  // Each alternative runs the whole chain of steps.
  const chains = Math.max(1, ...table.map((t) => t.alternatives.length));
  for (let alt = 0; alt < chains && steps.length > 0 && table.length === steps.length; alt++) {
    const events = [...base];
    let previous = result;
    const state: Fixture = { ...fixture };
    steps.forEach((step, i) => {
      const entry = table[i];
      if (entry.change !== step.change) out[`${label}/step ${i + 1} change`] = `STEPS has "${entry.change}", the case "${step.change}"`;
      const mutate = entry.alternatives[Math.min(alt, entry.alternatives.length - 1)];
      events.push(...mutate(state, previous));
      const now = simulateLbIpam(events, settings);
      Object.assign(out, compareBlock(`${label}/step ${i + 1}${chains > 1 ? `/alt ${alt + 1}` : ''}`, step.expect, now, previous, gateways));
      previous = now;
    });
  }
  return out;
}

// ---- L2 -----------------------------------------------------------------------------------------------------------

/** Devices per L2 case: kind's `eth0`, except where the case notes name the upstream test's devices. */
const L2_DEVICES: Readonly<Record<string, readonly string[]>> = {
  'l2-08-interfaces': ['eno01', 'eth0'],
};
const KIND_NODES: readonly L2Node[] = [
  { name: 'kind-control-plane', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'kind-control-plane' } },
  { name: 'kind-worker', labels: { 'kubernetes.io/hostname': 'kind-worker' } },
];

function runL2Case(c: any): Record<string, string> {
  const out: Record<string, string> = {};
  const result = announceL2({
    policies: c.policies,
    services: c.services,
    nodes: c.nodes ?? KIND_NODES,
    devices: L2_DEVICES[c.id] ?? ['eth0'],
    settings: { l2announcementsEnabled: true, kubeProxyReplacement: true, ciliumVersion: '1.20.0' },
  });
  const expected: Record<string, any> = c.expected.announced;
  for (const [key, a] of Object.entries(result.services)) {
    const e = expected[key];
    if (!e && a.verdict !== 'not-announced') out[`${c.id} ${key} verdict`] = `not expected to be announced, got ${a.verdict} ${JSON.stringify(a.ips)}`;
  }
  for (const [key, e] of Object.entries(expected)) {
    const a = result.services[key];
    if (!a || a.verdict !== 'announced') {
      out[`${c.id} ${key} verdict`] = `expected announced, got ${a?.verdict} (${a?.reasons.join('; ')})`;
      continue;
    }
    if (JSON.stringify(e.ips) !== JSON.stringify(a.ips)) out[`${c.id} ${key} ips`] = `expected ${JSON.stringify(e.ips)}, got ${JSON.stringify(a.ips)}`;
    if (e.lease !== undefined && e.lease !== a.lease) out[`${c.id} ${key} lease`] = `expected ${e.lease}, got ${a.lease}`;
    if (e.interfaces !== undefined) {
      const ifaces = [...new Set(a.candidates.flatMap((x) => x.entries.map((en) => en.interface)))];
      if (JSON.stringify(e.interfaces) !== JSON.stringify(ifaces)) out[`${c.id} ${key} interfaces`] = `expected ${JSON.stringify(e.interfaces)}, got ${JSON.stringify(ifaces)}`;
    }
    if (typeof e.by === 'string' && !e.by.startsWith('exactly one node') && e.by !== a.holder) out[`${c.id} ${key} by`] = `expected ${e.by}, got ${a.holder ?? `one of ${a.candidates.map((x) => x.node).join(', ')}`}`;
  }
  return out;
}

// ---- the test -----------------------------------------------------------------------------------------------------

describeWithReference('LB-IPAM and L2 models against the upstream behaviour cases (behaviour-cases/lb-ipam.json)', ['behaviour-cases', 'crds'], () => {
  const doc = () => JSON.parse(readReference(CASES_FILE));

  test('the file has the 31 cases and 8 L2 cases this test was written for, and every step has an entry in STEPS', () => {
    const d = doc();
    expect(d.cases).toHaveLength(31);
    expect(d.l2Cases).toHaveLength(8);
    const withSteps = d.cases.filter((c: any) => (c.steps ?? []).length > 0).map((c: any) => c.id).sort();
    expect(Object.keys(STEPS).sort()).toEqual(withSteps);
  });

  test('every disagreement with a case is a listed deviation, and every listed deviation still disagrees', () => {
    const d = doc();
    const disagreements: Record<string, string> = {};
    for (const c of d.cases) {
      const configs: any[] = c.expected.byConfig ?? [{ config: c.config, ...c.expected }];
      configs.forEach((cfg, i) => {
        const label = configs.length > 1 ? `${c.id}/config ${i + 1}` : c.id;
        Object.assign(disagreements, runCase(c, settingsFromConfig(cfg.config), cfg, label));
      });
    }
    for (const c of d.l2Cases) Object.assign(disagreements, runL2Case(c));
    const fileType = String(d.conditionType).split(' ')[0];
    if (fileType !== LB_IPAM_REQUEST_SATISFIED) disagreements['file conditionType'] = `the file says ${fileType}, the model writes ${LB_IPAM_REQUEST_SATISFIED}`;
    const unexpected = Object.entries(disagreements).filter(([k]) => !(k in DEVIATIONS)).map(([k, v]) => `${k}: ${v}`);
    const stale = Object.keys(DEVIATIONS).filter((k) => !(k in disagreements));
    expect({ unexpected, stale }).toEqual({ unexpected: [], stale: [] });
  });

  test('allowFirstLastIPs defaults per minor agree with each minor\'s pool CRD, whose printer column reads cilium.io/PoolConflict', () => {
    const minors = [...CILIUM_MINORS].sort();
    expect(minors.length).toBeGreaterThan(0);
    expect(Object.keys(ALLOW_FIRST_LAST_IPS_DEFAULT).sort()).toEqual(minors);
    for (const minor of minors) {
      const crd = fs.readFileSync(referencePath(`cilium-${minor}/ciliumloadbalancerippools.yaml`), 'utf8');
      // Every served version describes the field the same way; "`Yes` or undefined" means allocatable.
      const descriptions = crd.match(/AllowFirstLastIPs, if set to `(Yes|No)` or undefined means that the first and last IPs of each CIDR will be allocatable/g) ?? [];
      expect(descriptions.length).toBeGreaterThanOrEqual(1);
      expect(new Set(descriptions.map((t) => /`(Yes|No)`/.exec(t)![1]))).toEqual(new Set([ALLOW_FIRST_LAST_IPS_DEFAULT[minor]]));
      expect(crd).toContain(`.status.conditions[?(@.type=="${POOL_CONDITIONS.conflict}")].status`);
    }
  });
});
