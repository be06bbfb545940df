import * as fc from 'fast-check';
import { announceL2, ciliumDevices, L2Input, L2Node, l2RequiresLocalBackend } from '../../src/applied/l2-announcements';
import { parseIp } from '../../src/applied/lb-ipam-addresses';
import { KubeObject, selectorMatches } from '../../src/applied/objects';
import { compileRe2 } from '../../src/private/re2';

/**
 * The L2 announcement model (pkg/l2announcer/l2announcer.go) without the reference folder: device lists, the
 * version gate for externalTrafficPolicy Local, and properties over random policies, Services and kind nodes.
 */

const NODES: readonly L2Node[] = [
  { name: 'c-control-plane', labels: { 'kubernetes.io/hostname': 'c-control-plane', 'node-role.kubernetes.io/control-plane': '' } },
  { name: 'c-worker', labels: { 'kubernetes.io/hostname': 'c-worker', 'node-role.kubernetes.io/worker': '' } },
  { name: 'c-worker2', labels: { 'kubernetes.io/hostname': 'c-worker2', 'node-role.kubernetes.io/worker': '' } },
];
const SETTINGS = { l2announcementsEnabled: true, kubeProxyReplacement: true, ciliumVersion: '1.20.0' };

const policy = (name: string, spec: object): KubeObject => ({ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumL2AnnouncementPolicy', metadata: { name }, spec });
const lbService = (name: string, ip: string, extra: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'apps', ...(labels ? { labels } : {}) },
  spec: { type: 'LoadBalancer', ...extra },
  status: { loadBalancer: { ingress: [{ ip }] } },
});
const input = (over: Partial<L2Input>): L2Input => ({
  policies: [policy('p', { loadBalancerIPs: true, interfaces: ['^eth[0-9]+'] })], services: [], nodes: NODES, devices: ['eth0'], settings: SETTINGS, ...over,
});

describe('Cilium devices and the externalTrafficPolicy Local gate', () => {
  test.each([
    [undefined, ['eth0']],
    ['', ['eth0']],
    [[], ['eth0']],
    ['eth0', ['eth0']],
    ['eth0 eth1', ['eth0', 'eth1']],
    ['eth0,eth1', ['eth0', 'eth1']],
    [['eth+'], ['eth0', 'eth1']],
    [['eth+', 'eth0'], ['eth0', 'eth1']],
    [['bond0'], ['bond0']],
  ])('Helm devices %j on a node with eth0, eth1, lo gives %j', (helm, expected) => {
    expect(ciliumDevices(helm, ['eth0', 'eth1', 'lo'])).toEqual(expected);
  });

  test.each([
    ['1.18.12', false], ['1.19.6', false], ['1.20.0', false], ['1.20.1', false], ['1.20.2', true], ['v1.20.3', true], ['1.21.0', true], ['1.21.0-pre.0', true], ['2.0.0', true],
  ])('Cilium %s requires a local backend for externalTrafficPolicy Local: %s', (version, gated) => {
    expect(l2RequiresLocalBackend(version)).toBe(gated);
  });
});

describe('announceL2', () => {
  test('nothing is announced without l2announcements or kube-proxy replacement, whatever the policies', () => {
    const svc = lbService('web', '172.18.0.200');
    for (const settings of [{ ...SETTINGS, l2announcementsEnabled: false }, { ...SETTINGS, kubeProxyReplacement: false }]) {
      const a = announceL2(input({ services: [svc], settings })).services['apps/web'];
      expect(a.verdict).toBe('not-announced');
      expect(a.reasons[0]).toMatch(/l2announcements|kube-proxy/);
    }
  });

  test('a holder that has no matching device answers nothing: the verdict then depends on the lease', () => {
    const nodes = NODES.map((n) => (n.name === 'c-worker2' ? { ...n, devices: ['ens3'] } : n));
    const a = announceL2(input({ services: [lbService('web', '172.18.0.200')], nodes })).services['apps/web'];
    expect(a.verdict).toBe('depends-on-lease');
    expect(a.candidates.map((c) => [c.node, c.entries.length])).toEqual([['c-control-plane', 1], ['c-worker', 1], ['c-worker2', 0]]);
  });

  test('IPv6 addresses are not answered (ARP only)', () => {
    const a = announceL2(input({ services: [lbService('web', 'fd00::10')] })).services['apps/web'];
    expect(a.verdict).toBe('not-announced');
    expect(a.reasons.join(' ')).toMatch(/IPv6/);
  });

  test('an interface regex that RE2 refuses makes the agents reject the policy (io.cilium/bad-interface-regex)', () => {
    const r = announceL2(input({ policies: [policy('bad', { loadBalancerIPs: true, interfaces: ['eth(?=0)'] })], services: [lbService('web', '172.18.0.200')] }));
    expect(r.policyErrors.map((e) => [e.policy, e.condition])).toEqual([['bad', 'io.cilium/bad-interface-regex']]);
    expect(r.services['apps/web'].verdict).toBe('not-announced');
  });

  describe('externalTrafficPolicy Local', () => {
    const local = lbService('web', '172.18.0.200', { externalTrafficPolicy: 'Local', selector: { app: 'web' } });
    const gateway = lbService('cilium-gateway-gw', '172.18.0.201', { externalTrafficPolicy: 'Local' }, { 'io.cilium.gateway/owning-gateway': 'gw' });
    const run = (version: string, endpoints?: readonly string[], svc = local) =>
      announceL2(input({ services: [svc], settings: { ...SETTINGS, ciliumVersion: version }, ...(endpoints ? { localEndpointNodes: { [`apps/${svc.metadata.name}`]: endpoints } } : {}) }))
        .services[`apps/${svc.metadata.name}`];

    test.each([
      ['1.20.1', undefined, 'unknown'],
      ['1.20.1', ['c-worker'], 'depends-on-lease'],
      ['1.20.1', ['c-control-plane', 'c-worker', 'c-worker2'], 'announced'],
      ['1.20.1', [], 'not-announced'],
      ['1.20.2', undefined, 'unknown'],
      ['1.20.2', ['c-worker'], 'announced'],
      ['1.20.2', [], 'not-announced'],
    ] as const)('Cilium %s, backends on %j: %s', (version, endpoints, verdict) => {
      const a = run(version, endpoints);
      expect(a.verdict).toBe(verdict);
      if (version === '1.20.2' && endpoints?.length === 1) expect(a.holder).toBe('c-worker');
    });

    test('from 1.20.2 a Gateway Service (synthetic backend on no node) is never announced; before, it is unknown', () => {
      expect(run('1.20.2', undefined, gateway).verdict).toBe('not-announced');
      expect(run('1.20.2', undefined, gateway).reasons.join(' ')).toMatch(/Gateway/);
      expect(run('1.19.6', undefined, gateway).verdict).toBe('unknown');
    });
  });

  // ---- properties ----------------------------------------------------------------------------------------------

  const INTERFACES = [undefined, ['^eth[0-9]+'], ['eth0'], ['^eno'], ['eth1', 'eth0'], ['(']];
  const NODE_SELECTORS = [undefined, { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
    { matchLabels: { 'kubernetes.io/hostname': 'c-worker' } }, { matchLabels: { role: 'edge' } }];
  const SERVICE_SELECTORS = [undefined, { matchLabels: { color: 'red' } }, { matchLabels: { 'io.kubernetes.service.namespace': 'apps' } }, {}];
  const policyArb = (i: number) => fc.record({
    interfaces: fc.constantFrom(...INTERFACES),
    nodeSelector: fc.constantFrom(...NODE_SELECTORS),
    serviceSelector: fc.constantFrom(...SERVICE_SELECTORS),
    loadBalancerIPs: fc.boolean(),
    externalIPs: fc.boolean(),
  }).map((p) => policy(`p${i}`, Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))));
  const serviceArb = (i: number) => fc.record({
    ingress: fc.subarray(['172.18.0.200', '172.18.0.201', 'fd00::1']),
    externalIPs: fc.constantFrom(undefined, [], ['192.168.2.1']),
    cls: fc.constantFrom(undefined, undefined, 'io.cilium/l2-announcer', 'io.cilium/bgp-control-plane'),
    color: fc.constantFrom(undefined, 'red'),
    namespace: fc.constantFrom('apps', 'other'),
  }).map((s): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `s${i}`, namespace: s.namespace, ...(s.color ? { labels: { color: s.color } } : {}) },
    spec: { type: 'LoadBalancer', ...(s.externalIPs ? { externalIPs: s.externalIPs } : {}), ...(s.cls ? { loadBalancerClass: s.cls } : {}) },
    status: { loadBalancer: { ingress: s.ingress.map((ip) => ({ ip })) } },
  }));
  const scenario = fc.record({
    policies: fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(i)))),
    services: fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => serviceArb(i)))),
    devices: fc.constantFrom(['eth0'], ['eth0', 'eth1'], ['eno1']),
  });

  test('what is announced is exactly what a selecting policy allows, on devices its regexes match, by nodes it selects', () => {
    fc.assert(fc.property(scenario, (sc) => {
      const r = announceL2(input(sc));
      const valid = sc.policies.filter((p) => !(p.spec.interfaces ?? []).some((re: string) => !compileRe2(re).ok));
      expect(r.policyErrors.map((e) => e.policy).sort()).toEqual(sc.policies.filter((p) => !valid.includes(p)).map((p) => p.metadata.name).sort());
      for (const svc of sc.services) {
        const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
        const a = r.services[key];
        const labels = { ...(svc.metadata.labels ?? {}), 'io.kubernetes.service.namespace': svc.metadata.namespace!, 'io.kubernetes.service.name': svc.metadata.name };
        const lb: string[] = svc.status.loadBalancer.ingress.map((i: any) => i.ip);
        const ext: string[] | undefined = svc.spec.externalIPs;
        if (lb.length === 0 && ext === undefined) { expect(a).toBeUndefined(); continue; }
        expect(a.lease).toBe(`kube-system/cilium-l2announce-${svc.metadata.namespace}-${svc.metadata.name}`);
        const foreign = svc.spec.loadBalancerClass !== undefined && svc.spec.loadBalancerClass !== 'io.cilium/l2-announcer';
        const selecting = foreign ? [] : valid.filter((p) => (p.spec.serviceSelector === undefined || selectorMatches(p.spec.serviceSelector, labels))
          && ((p.spec.loadBalancerIPs === true && lb.length > 0) || (p.spec.externalIPs === true && ext !== undefined)));
        const onSomeNode = selecting.filter((p) => NODES.some((n) => !p.spec.nodeSelector || selectorMatches(p.spec.nodeSelector, n.labels)));
        expect([...a.policies].sort()).toEqual(onSomeNode.map((p) => p.metadata.name).sort());
        if (selecting.length === 0) { expect(a.verdict).toBe('not-announced'); continue; }
        expect(a.holder !== undefined).toBe(a.candidates.length === 1);
        for (const c of a.candidates) {
          const node = NODES.find((n) => n.name === c.node)!;
          const here = selecting.filter((p) => !p.spec.nodeSelector || selectorMatches(p.spec.nodeSelector, node.labels));
          expect(here.length).toBeGreaterThan(0);
          for (const e of c.entries) {
            expect(sc.devices).toContain(e.interface);
            expect(parseIp(e.ip)!.bits).toBe(32);
            const picks = (re: string) => { const compiled = compileRe2(re); return compiled.ok && compiled.regex.matcher(e.interface).find(); };
            expect(here.some((p) => (p.spec.interfaces === undefined || p.spec.interfaces.some(picks))
              && ((p.spec.loadBalancerIPs === true && lb.includes(e.ip)) || (p.spec.externalIPs === true && (ext ?? []).includes(e.ip))))).toBe(true);
          }
        }
        if (a.verdict === 'announced') {
          expect(a.candidates.length).toBeGreaterThan(0);
          expect(a.candidates.every((c) => c.entries.length > 0)).toBe(true);
        }
        if (a.verdict === 'depends-on-lease') expect(a.candidates.some((c) => c.entries.length === 0)).toBe(true);
      }
    }), { numRuns: 400, seed: 20261206 });
  });
});
