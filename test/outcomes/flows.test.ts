import { ApiObject, App } from 'cdk8s';
import { IMAGE, workload, zt } from './flow-support';
import {
  AppNetworkPolicy, ClusterDefaultDeny, KindCiliumCluster, StarWarsDemo,
  validateApp, Violation,
} from '../../src';
import { CiliumPolicyEngine } from '../../src/applied/cilium-policy';
import { KubeObject } from '../../src/applied/objects';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { clusterOutcomes } from '../../src/outcomes';
import { Outcome } from '../../src/outcomes/outcome';
import { configError, refusals } from '../support/config-error';

/**
 * The intended flows (src/outcomes/flows.ts), through the public API: what the policies of a bundle intend, read
 * from the policy objects, judged end to end by Cilium's policy engine; refused at validation when it fails.
 */

const FLOW_IDS = ['flow-denied', 'flow-not-denied', 'gateway-backend-denied'];

/** The flow violations `validateApp` reports (none: []). */
function flowViolations(app: App): Violation[] {
  return refusals(() => validateApp(app)).filter((v) => FLOW_IDS.includes(v.rule));
}

/** The AppNetworkPolicy props a flow fix suggests (`add an AppNetworkPolicy { ... }`), read as the literal it is. */
function suggestedPolicy(fix: string): any {
  const literal = /add an AppNetworkPolicy (\{.*\}) \(policies add up\)|add an AppNetworkPolicy (\{.*\})$/.exec(fix)!;
  return new Function(`return (${literal[1] ?? literal[2]});`)();
}

function engineOf(cluster: KindCiliumCluster): CiliumPolicyEngine {
  return CiliumPolicyEngine.fromObjects(resolvedEntries(cluster).map((e) => e.object as KubeObject));
}

function outcomes(cluster: KindCiliumCluster): Outcome[] {
  return clusterOutcomes({ model: cluster.model(), entries: resolvedEntries(cluster) }).filter((o) => o.section === 'flows');
}

describe('flow-denied: an allow rule names pods of the bundle, but the flow does not pass end to end', () => {
  test('api allows web in, but under ClusterDefaultDeny nothing lets web out: refused at web\'s egress, with the egressTo to add', () => {
    const { app, cluster } = zt();
    workload(cluster, 'web', { allowFromGateway: true });
    workload(cluster, 'api', { allowFrom: [{ labels: { app: 'web' } }] });
    const [v, ...rest] = flowViolations(app);
    expect(rest).toEqual([]);
    expect(v.rule).toBe('flow-denied');
    expect(v.field).toBe('dev/api/Policy/Resource');
    expect(v.problem).toContain('intended "shop/web → shop/api on TCP/8080 passes end to end, as CiliumNetworkPolicy/shop/api-ingress ingress[0] allows"');
    expect(v.problem).toContain('denied-egress at shop/web');
    expect(v.problem).toContain('shop/web is in egress default deny');
    expect(v.fix).toBe('let shop/web out: add an AppNetworkPolicy { namespace: \'shop\', appLabels: {"app":"web"}, egressTo: [{ namespace: \'shop\', labels: {"app":"api"}, ports: [{ port: 8080 }] }] } (policies add up), or add the peer to egressTo of dev/web/Policy where that is an AppNetworkPolicy');
    // The fix as written (a TestWorkload takes no egressTo: the new AppNetworkPolicy is the way): applied, it holds.
    new AppNetworkPolicy(cluster, 'fix', suggestedPolicy(v.fix!));
    expect(flowViolations(app)).toEqual([]);
  });

  test('with the egressTo on web\'s side the flow passes and the bundle is accepted; the outcome probes a response', () => {
    const { app, cluster } = zt();
    workload(cluster, 'web', { allowFromGateway: true });
    workload(cluster, 'api', { allowFrom: [{ labels: { app: 'web' } }] });
    new AppNetworkPolicy(cluster, 'web-out', { namespace: 'shop', appLabels: { app: 'web' }, egressTo: [{ labels: { app: 'api' }, ports: [{ port: 8080 }] }] });
    expect(flowViolations(app)).toEqual([]);
    const flow = outcomes(cluster).find((o) => o.statement.startsWith('shop/web → shop/api'))!;
    expect(flow.holds).toBe(true);
    expect(flow.probe).toEqual({ kind: 'flow', from: { namespace: 'shop', labels: expect.objectContaining({ app: 'web' }) }, to: 'api.shop:8080', port: 8080, expect: 'response' });
  });

  test('without a default deny nothing restricts web\'s egress: accepted', () => {
    const { app, cluster } = zt({ deny: false });
    workload(cluster, 'web', { networkPolicy: 'always', allowFromGateway: true });
    workload(cluster, 'api', { networkPolicy: 'always', allowFrom: [{ labels: { app: 'web' } }] });
    expect(flowViolations(app)).toEqual([]);
  });

  test('symmetric: web may send to api, but api admits only the gateway: refused at api\'s ingress, with the allowFrom to add', () => {
    const { app, cluster } = zt();
    workload(cluster, 'web', { allowFromGateway: true });
    workload(cluster, 'api', { allowFromGateway: true });
    new AppNetworkPolicy(cluster, 'web-out', { namespace: 'shop', appLabels: { app: 'web' }, egressTo: [{ labels: { app: 'api' } }] });
    const [v, ...rest] = flowViolations(app);
    expect(rest).toEqual([]);
    expect(v.field).toBe('dev/web-out/Resource');
    expect(v.problem).toContain('denied-ingress at shop/api');
    expect(v.fix).toBe('let shop/web in: add an AppNetworkPolicy { namespace: \'shop\', appLabels: {"app":"api"}, allowFrom: [{ namespace: \'shop\', labels: {"app":"web"} }], ingressPorts: [{ port: 8080 }] } (policies add up), or add the peer to allowFrom of dev/api/Policy where that is an AppNetworkPolicy or a TestWorkload');
    new AppNetworkPolicy(cluster, 'fix', suggestedPolicy(v.fix!));
    expect(flowViolations(app)).toEqual([]);
  });

  test('symmetric, but api lists the pods it admits and web is not one: the server decides (an intended denial, probed as a timeout)', () => {
    const { app, cluster } = zt();
    workload(cluster, 'web', { allowFromGateway: true });
    workload(cluster, 'admin', { allowFromGateway: true });
    workload(cluster, 'api', { allowFrom: [{ labels: { app: 'admin' } }] });
    new AppNetworkPolicy(cluster, 'out', { namespace: 'shop', appLabels: { tier: 'client' }, egressTo: [{ labels: { app: 'api' } }] });
    new AppNetworkPolicy(cluster, 'web-out', { namespace: 'shop', appLabels: { app: 'web' }, egressTo: [{ labels: { app: 'api' } }] });
    new AppNetworkPolicy(cluster, 'admin-out', { namespace: 'shop', appLabels: { app: 'admin' }, egressTo: [{ labels: { app: 'api' } }] });
    expect(flowViolations(app)).toEqual([]);
    const denied = outcomes(cluster).find((o) => o.statement.startsWith('shop/web → shop/api'))!;
    expect([denied.holds, denied.probe?.kind === 'flow' && denied.probe.expect]).toEqual([true, 'timeout']);
  });

  test('raw objects count too: a hand-written CNP and Deployment, no construct of the library', () => {
    const { app, cluster } = zt();
    const deployment = (name: string) => new ApiObject(cluster, `raw-${name}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: IMAGE, ports: [{ containerPort: 5432, name: 'pg' }] }] } },
      },
    });
    new ApiObject(cluster, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    deployment('web');
    deployment('db');
    new ApiObject(cluster, 'db-policy', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'pg', protocol: 'TCP' }] }] }] },
    });
    const [v] = flowViolations(app);
    expect([v.rule, v.field]).toEqual(['flow-denied', 'dev/db-policy']);
    expect(v.problem).toContain('shop/web → shop/db on TCP/5432 passes end to end');
    expect(v.fix).toContain('add an AppNetworkPolicy { namespace: \'shop\', appLabels: {"app":"web"}, egressTo: [');
  });
});

describe('flow-not-denied: HTTP rules and deny rules deny what they name', () => {
  test('the star-wars demo: tiefighter lands (POST), its PUT gets Envoy\'s 403, the xwing times out; all hold', () => {
    const { app, cluster } = zt();
    new StarWarsDemo(cluster, 'sw');
    expect(flowViolations(app)).toEqual([]);
    const rows = outcomes(cluster).map((o) => [o.id, o.holds, o.probe?.kind === 'flow' ? [o.probe.from.labels.class, o.probe.to, o.probe.http, o.probe.expect] : undefined]);
    expect(rows).toEqual([
      ['flow-denied', true, ['tiefighter', 'deathstar.star-wars:80', { method: 'POST', path: '/v1/request-landing' }, 'response']],
      ['flow-not-denied', true, ['tiefighter', 'deathstar.star-wars:80', { method: 'PUT', path: '/v1/request-landing' }, 'http-403']],
      ['flow-denied', true, ['xwing', 'deathstar.star-wars:80', undefined, 'timeout']],
    ]);
  });

  test('a second rule on the deathstar\'s port without HTTP rules lets every request through: refused', () => {
    const { app, cluster } = zt();
    new StarWarsDemo(cluster, 'sw');
    new AppNetworkPolicy(cluster, 'empire', { namespace: 'star-wars', appLabels: { class: 'deathstar' }, allowFrom: [{ labels: { class: 'tiefighter' } }], ingressPorts: [{ port: 80 }] });
    const [v, ...rest] = flowViolations(app);
    expect(rest).toEqual([]);
    expect(v.rule).toBe('flow-not-denied');
    expect(v.field).toBe('dev/sw/DeathstarPolicy/Resource');
    expect(v.problem).toContain('PUT /v1/request-landing gets Envoy\'s 403');
    expect(v.problem).toContain('restrict nothing');
    expect(v.fix).toContain('httpRules');
  });

  test('an ingressDeny rule: the named flow is dropped (an outcome that holds, probed as a timeout)', () => {
    const { app, cluster } = zt({ deny: false });
    workload(cluster, 'web', { networkPolicy: 'none' });
    workload(cluster, 'api', { networkPolicy: 'none' });
    new ApiObject(cluster, 'no-web', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'no-web', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
    });
    expect(flowViolations(app)).toEqual([]);
    const [o] = outcomes(cluster);
    expect([o.id, o.holds, o.statement, o.probe?.kind === 'flow' && o.probe.expect])
      .toEqual(['flow-not-denied', true, 'shop/web → shop/api on TCP/8080 is dropped: CiliumNetworkPolicy/shop/no-web ingressDeny[0] denies it', 'timeout']);
  });
});

describe('gateway-backend-denied: every route backend admits the Gateway\'s Envoy (issue 19, Trust III)', () => {
  test('under ClusterDefaultDeny a route to a backend that does not admit the gateway is refused, naming the route, the backend and the fix', () => {
    const { app, cluster, gateway } = zt({ gateway: true });
    const api = workload(cluster, 'api', { allowFrom: [{ labels: { app: 'web' } }] });
    gateway!.addHttpRoute('api', { namespace: 'shop', hostnames: ['api.localhost'], backend: api.backend });
    const v = flowViolations(app).find((x) => x.rule === 'gateway-backend-denied')!;
    expect(v.field).toBe('dev/gateway/api/Route');
    expect(v.problem).toContain('HTTPRoute/shop/api reaches its backend shop/api:8080 through the Gateway\'s Envoy');
    expect(v.problem).toContain('answers 503');
    expect(v.fix).toBe('set allowFromGateway: true (with ingressPorts covering TCP/8080) on the backend\'s policy dev/api/Policy (a TestWorkload or NginxDemo takes the allowFromGateway prop itself)');
  });

  test('with allowFromGateway on the backend the route is accepted; without a default deny too', () => {
    for (const [deny, allowFromGateway] of [[true, true], [false, false]]) {
      const { app, cluster, gateway } = zt({ gateway: true, deny });
      const api = workload(cluster, 'api', { allowFromGateway, networkPolicy: deny ? 'auto' : 'none' });
      gateway!.addHttpRoute('api', { namespace: 'shop', hostnames: ['api.localhost'], backend: api.backend });
      expect([deny, flowViolations(app)]).toEqual([deny, []]);
    }
  });

  test('ClusterDefaultDeny lets the gateway nowhere by itself: no deathstar PUT, no never-onboarded pod on 5432', () => {
    const { cluster } = zt();
    new StarWarsDemo(cluster, 'sw');
    const engine = engineOf(cluster);
    const deathstar = { namespace: 'star-wars', labels: { org: 'empire', class: 'deathstar' } };
    expect(engine.verdict({ from: 'ingress', to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } }).verdict).toBe('denied-ingress');
    expect(engine.verdict({ from: 'ingress', to: { namespace: 'shop', labels: { app: 'db' } }, port: 5432 }).verdict).toBe('denied-ingress');
  });

  test('allowIngressFromGateway: true is refused with the per-app fix; false is accepted and changes nothing', () => {
    const { cluster } = zt({ deny: false });
    const e = configError(() => new ClusterDefaultDeny(cluster, 'd', { allowIngressFromGateway: true }));
    expect(e.violations.map((v) => [v.rule, v.field])).toEqual([['gateway-blanket-ingress-removed', 'dev/d.allowIngressFromGateway']]);
    expect(e.violations[0].fix).toContain('allowFromGateway: true');
    const off = new ClusterDefaultDeny(zt({ deny: false }).cluster, 'd', { allowIngressFromGateway: false });
    expect(off.apiObject.toJson().spec.ingress).toEqual([{}]);
  });
});
