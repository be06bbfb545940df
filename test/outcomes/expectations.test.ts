import { ApiObject, App } from 'cdk8s';
import { workload, zt } from './flow-support';
import {
  AppNetworkPolicy, ExpectFlow, ExpectFlowProps, ExpectUrl, ExpectUrlProps, KindCiliumCluster, LoadBalancerIpPool,
  LocalCertificateAuthority, LocalGateway, NginxDemo, renderBundle, StarWarsDemo, validateApp, Violation,
} from '../../src';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { clusterOutcomes } from '../../src/outcomes';
import { Outcome } from '../../src/outcomes/outcome';
import { configError, refusals } from '../support/config-error';

/**
 * Stated outcomes (ExpectFlow, ExpectUrl; src/outcomes/expectations.ts), through the public API: a statement that
 * holds is accepted and shows in verify.sh and platform.md; one that does not is refused with the verdict and the fix.
 */

const IDS = ['expected-flow-failed', 'expected-url-failed'];

/** web may reach api (both ends), db admits nobody. */
function shop(opts: { deny?: boolean } = {}) {
  const z = zt(opts);
  workload(z.cluster, 'web', { networkPolicy: 'none' });
  workload(z.cluster, 'api', { allowFrom: [{ labels: { app: 'web' } }] });
  workload(z.cluster, 'db', { networkPolicy: 'none' });
  new AppNetworkPolicy(z.cluster, 'web-out', { namespace: 'shop', appLabels: { app: 'web' }, egressTo: [{ labels: { app: 'api' }, ports: [{ port: 8080 }] }] });
  return z;
}

const pods = (app: string) => ({ namespace: 'shop', labels: { app } });

function violations(app: App): Violation[] {
  return refusals(() => validateApp(app)).filter((v) => IDS.includes(v.rule));
}

function stated(cluster: KindCiliumCluster): Outcome[] {
  return clusterOutcomes({ model: cluster.model(), entries: resolvedEntries(cluster) }).filter((o) => IDS.includes(o.id));
}

function bundleFile(app: App, name: string): string {
  return renderBundle(app).find((f) => f.path === `dist/dev/${name}`)!.content;
}

describe('ExpectFlow', () => {
  test('a flow the policies allow, stated allowed: accepted, a verify.sh row expecting a response and a platform.md line', () => {
    const { app, cluster } = shop();
    new ExpectFlow(cluster, 'web-to-api', { from: pods('web'), to: pods('api'), port: 8080, expect: 'allowed' });
    expect(violations(app)).toEqual([]);
    const [o, ...rest] = stated(cluster);
    expect(rest).toEqual([]);
    expect([o.holds, o.field, o.section]).toEqual([true, 'dev/web-to-api', 'flows']);
    expect(o.statement).toBe('shop/web → shop/api on TCP/8080 is allowed, as ExpectFlow dev/web-to-api states');
    expect(o.probe).toEqual({ kind: 'flow', from: { namespace: 'shop', labels: expect.objectContaining({ app: 'web' }) }, to: 'api.shop:8080', port: 8080, expect: 'response' });
    expect(bundleFile(app, 'verify.sh')).toContain(o.statement);
    expect(bundleFile(app, 'platform.md')).toContain(o.statement);
  });

  test.each(['allowed', 'denied'] as const)('a port the server\'s containers do not listen on (the Service port), stated %s: refused with the container port; the fix is accepted', (expect_) => {
    const z = zt();
    workload(z.cluster, 'web', { networkPolicy: 'none' });
    workload(z.cluster, 'api', { ports: [{ port: 80, containerPort: 8080 }], allowFrom: [{ labels: { app: 'web' } }] });
    new AppNetworkPolicy(z.cluster, 'web-out', { namespace: 'shop', appLabels: { app: 'web' }, egressTo: [{ labels: { app: 'api' }, ports: [{ port: 8080 }] }] });
    new ExpectFlow(z.cluster, 'x', { from: pods('web'), to: pods('api'), port: 80, expect: expect_ });
    const [v, ...rest] = violations(z.app);
    expect(rest).toEqual([]);
    expect([v.rule, v.field]).toEqual(['expected-flow-failed', 'dev/x.port']);
    expect(v.problem).toContain('the containers of shop/api listen on TCP/8080; a flow to TCP/80 reaches no listener (80 is the port of Service shop/api, which forwards to TCP/8080: flows are judged pod to pod, on the container port)');
    expect(v.fix).toBe('state port 8080 (the container port Service shop/api forwards 80 to)');
    const fixed = zt();
    workload(fixed.cluster, 'web', { networkPolicy: 'none' });
    workload(fixed.cluster, 'api', { ports: [{ port: 80, containerPort: 8080 }], allowFrom: [{ labels: { app: 'web' } }] });
    new AppNetworkPolicy(fixed.cluster, 'web-out', { namespace: 'shop', appLabels: { app: 'web' }, egressTo: [{ labels: { app: 'api' }, ports: [{ port: 8080 }] }] });
    new ExpectFlow(fixed.cluster, 'x', { from: pods('web'), to: pods('api'), port: 8080, expect: 'allowed' });
    expect(violations(fixed.app)).toEqual([]);
    expect(stated(fixed.cluster)[0].probe).toEqual(expect.objectContaining({ to: 'api.shop:80', port: 8080 }));
  });

  test('a flow default deny drops, stated denied: accepted, probed as a timeout', () => {
    const { app, cluster } = shop();
    new ExpectFlow(cluster, 'web-not-db', { from: pods('web'), to: pods('db'), port: 8080, expect: 'denied' });
    expect(violations(app)).toEqual([]);
    const [o] = stated(cluster);
    expect([o.holds, o.probe?.kind === 'flow' && o.probe.expect]).toEqual([true, 'timeout']);
    expect(bundleFile(app, 'verify.sh')).toContain('shop/web → shop/db on TCP/8080 is denied');
  });

  test('a flow default deny drops, stated allowed: refused with the verdict and the egressTo to add', () => {
    const { app, cluster } = shop();
    new ExpectFlow(cluster, 'web-to-db', { from: pods('web'), to: pods('db'), port: 8080, expect: 'allowed' });
    const [v, ...rest] = violations(app);
    expect(rest).toEqual([]);
    expect([v.rule, v.field]).toEqual(['expected-flow-failed', 'dev/web-to-db']);
    expect(v.problem).toContain('intended "shop/web → shop/db on TCP/8080 is allowed, as ExpectFlow dev/web-to-db states"');
    expect(v.problem).toContain('Cilium denies it: denied-egress at shop/web');
    expect(v.fix).toBe('let shop/web out: add an AppNetworkPolicy { namespace: \'shop\', appLabels: {"app":"web"}, egressTo: [{ namespace: \'shop\', labels: {"app":"db"}, ports: [{ port: 8080 }] }] } (policies add up), or add the peer to egressTo of dev/web-out where that is an AppNetworkPolicy');
  });

  test('without any policy, a flow stated denied passes: refused, the fix names default deny', () => {
    const { app, cluster } = zt({ deny: false });
    workload(cluster, 'web', { networkPolicy: 'none' });
    workload(cluster, 'db', { networkPolicy: 'none' });
    new ExpectFlow(cluster, 'web-not-db', { from: pods('web'), to: pods('db'), port: 8080, expect: 'denied' });
    const [v, ...rest] = violations(app);
    expect(rest).toEqual([]);
    expect(v.rule).toBe('expected-flow-failed');
    expect(v.problem).toContain('Cilium lets it through');
    expect(v.fix).toContain('no policy restricts shop/db\'s ingress or shop/web\'s egress, so Cilium lets everything through: add a ClusterDefaultDeny');
  });

  test('an allow rule lets a flow stated denied through: refused, naming the rule to narrow', () => {
    const { app, cluster } = shop();
    new ExpectFlow(cluster, 'web-not-api', { from: pods('web'), to: pods('api'), port: 8080, expect: 'denied' });
    const [v] = violations(app);
    expect(v.fix).toMatch(/^narrow CiliumNetworkPolicy\/shop\/.+ so it no longer lets shop\/web reach shop\/api on TCP\/8080, or state expect: 'allowed'$/);
  });

  test('HTTP: the star-wars L7 rules let a tiefighter land and answer 403 to exhaust-port, as stated', () => {
    const { app, cluster } = zt();
    new StarWarsDemo(cluster, 'sw');
    const tie = { namespace: 'star-wars', labels: { class: 'tiefighter' } };
    const deathstar = { namespace: 'star-wars', labels: { class: 'deathstar' } };
    new ExpectFlow(cluster, 'land', { from: tie, to: deathstar, port: 80, http: { method: 'POST', path: '/v1/request-landing' }, expect: 'allowed' });
    new ExpectFlow(cluster, 'exhaust', { from: tie, to: deathstar, port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' }, expect: 'denied' });
    expect(violations(app)).toEqual([]);
    const probes = stated(cluster).map((o) => o.probe?.kind === 'flow' && [o.probe.http?.method, o.probe.expect]);
    expect(probes).toEqual([['POST', 'response'], ['PUT', 'http-403']]);
  });

  test.each([
    ['from', { from: pods('wbe'), to: pods('api') }, 'from selects no pod of the bundle (pods {app=wbe} of namespace shop): the pods of namespace shop carry {app=web}'],
    ['to', { from: pods('web'), to: { namespace: 'shopp', labels: { app: 'api' } } }, 'to selects no pod of the bundle (pods {app=api} of namespace shopp): the bundle runs no pod in namespace shopp'],
  ])('a selector that matches no pod (%s) is refused, naming what the bundle runs', (end, ends, problem) => {
    const { app, cluster } = shop();
    new ExpectFlow(cluster, 'x', { ...ends, port: 8080, expect: 'allowed' } as ExpectFlowProps);
    const [v, ...rest] = violations(app);
    expect(rest).toEqual([]);
    expect([v.rule, v.field]).toEqual(['expected-flow-failed', `dev/x.${end}`]);
    expect(v.problem).toContain(problem);
  });

  const FLOW_BASE: ExpectFlowProps = { from: pods('web'), to: pods('api'), port: 8080, expect: 'allowed' };
  test.each<[string, Record<string, unknown>, string]>([
    ['a namespace that is not a DNS label', { from: { namespace: 'Shop' } }, 'dev/x.from.namespace'],
    ['a label that is not a Kubernetes label', { to: { namespace: 'shop', labels: { 'a b': 'c' } } }, 'dev/x.to.labels["a b"]'],
    ['port 0', { port: 0 }, 'dev/x.port'],
    ['port 70000', { port: 70000 }, 'dev/x.port'],
    ['protocol ICMP', { protocol: 'ICMP' }, 'dev/x.protocol'],
    ['HTTP over UDP', { protocol: 'UDP', http: {} }, 'dev/x.http'],
    ['a method that is not a token', { http: { method: 'GE T' } }, 'dev/x.http.method'],
    ['a path without the leading /', { http: { path: 'v1' } }, 'dev/x.http.path'],
    ['a path with a #fragment (curl never sends it: the probe would ask for another path)', { http: { path: '/#frag' } }, 'dev/x.http.path'],
    ['expect maybe', { expect: 'maybe' }, 'dev/x.expect'],
    ['an unknown prop', { verdict: 'allowed' }, 'dev/x.verdict'],
    ['a missing port', { port: undefined }, 'dev/x.port'],
  ])('refused at construction: %s', (_what, change, field) => {
    const { cluster } = zt();
    const v = configError(() => new ExpectFlow(cluster, 'x', { ...FLOW_BASE, ...change } as ExpectFlowProps)).violations;
    expect(v.map((x) => x.field)).toEqual([field]);
  });
});

describe('ExpectUrl', () => {
  function nginxShop() {
    const z = zt({ gateway: true });
    const nginx = new NginxDemo(z.cluster, 'nginx');
    z.gateway!.addHttpRoute('nginx', { namespace: nginx.namespace, hostnames: ['nginx.localhost'], backend: nginx.backend });
    return { ...z, nginx };
  }

  test('a URL a route serves, forwarded to the stated backend: accepted, a url row through the host and a platform.md line', () => {
    const { app, cluster, nginx } = nginxShop();
    new ExpectUrl(cluster, 'home', { url: 'https://nginx.localhost:30443/index.html', backend: nginx.backend });
    expect(violations(app)).toEqual([]);
    const [o] = stated(cluster);
    expect([o.holds, o.section, o.field]).toEqual([true, 'routes', 'dev/home']);
    expect(o.probe).toEqual({ kind: 'url', url: 'https://nginx.localhost:30443/index.html', address: '127.0.0.1', expect: '2xx', via: 'host' });
    expect(bundleFile(app, 'verify.sh')).toContain(o.statement);
    expect(bundleFile(app, 'platform.md')).toContain(o.statement);
  });

  test('a stated backend port the Service does not have (the container port): refused at backend.port with the Service ports; the fix holds', () => {
    const { app, cluster, nginx } = nginxShop();
    new ExpectUrl(cluster, 'home', { url: 'https://nginx.localhost:30443/', backend: { ...nginx.backend, port: 8080 } });
    const [v, ...rest] = violations(app);
    expect(rest).toEqual([]);
    expect([v.rule, v.field]).toEqual(['expected-url-failed', 'dev/home.backend.port']);
    expect(v.problem).toContain(`Service ${nginx.namespace}/nginx has no port 8080 (its ports: 80)`);
    expect(v.fix).toBe('state the Service port (80), e.g. backend: workload.backend');
    const again = nginxShop();
    new ExpectUrl(again.cluster, 'home', { url: 'https://nginx.localhost:30443/', backend: { ...again.nginx.backend, port: 80 } });
    expect(violations(again.app)).toEqual([]);
    const none = nginxShop();
    new ExpectUrl(none.cluster, 'home', { url: 'https://nginx.localhost:30443/', backend: { namespace: 'demo', name: 'nowhere', port: 80 } });
    expect(violations(none.app).map((x) => [x.field, x.problem.includes('the bundle has no Service demo/nowhere')])).toEqual([['dev/home.backend', true]]);
  });

  test('a route without hostnames serves every name under the listener\'s *.localhost, judged by Envoy\'s virtual hosts', () => {
    const app = new App();
    const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', hostPortMappings: [{ containerPort: 30080, hostPort: 80 }, { containerPort: 30443, hostPort: 443 }] });
    new LoadBalancerIpPool(cluster, 'pool');
    const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: new LocalCertificateAuthority(cluster, 'ca') });
    const nginx = new NginxDemo(cluster, 'nginx');
    gateway.addHttpRoute('nginx', { namespace: nginx.namespace, backend: nginx.backend });
    new ExpectUrl(cluster, 'any', { url: 'https://anything.localhost/x?y=1', backend: nginx.backend });
    expect(violations(app)).toEqual([]);
    expect(stated(cluster)[0].observed).toBe(`https://anything.localhost/x?y=1 → forwarded to ${nginx.namespace}/nginx:80 (Resolved) (Gateway gateway/local)`);
    // On another host port the Host header carries the port; the Envoy model (src/applied/gateway-hostnames.ts,
    // selectVirtualHost) matches no virtual host for it (404), so the statement is refused, not taken on trust.
    const other = zt({ gateway: true });
    const n2 = new NginxDemo(other.cluster, 'nginx');
    other.gateway!.addHttpRoute('nginx', { namespace: n2.namespace, backend: n2.backend });
    new ExpectUrl(other.cluster, 'any', { url: 'https://anything.localhost:30443/' });
    expect(violations(other.app)[0].problem).toContain('answered 404 by Envoy: no virtual host for anything.localhost:30443');
  });

  test('no Gateway at all: refused, the fix names the LocalGateway and route to add', () => {
    const { app, cluster } = zt({ deny: false });
    new ExpectUrl(cluster, 'home', { url: 'http://localhost:30080/' });
    const [v] = violations(app);
    expect(v.problem).toContain('the bundle has no HTTPRoute attached to a Gateway');
    expect(v.fix).toBe('add a LocalGateway and an HTTPRoute for the URL (gateway.addHttpRoute)');
  });

  test('a hostname no route serves: refused, Envoy answers 404', () => {
    const { app, cluster } = nginxShop();
    new ExpectUrl(cluster, 'shop', { url: 'https://shop.localhost:30443/' });
    const [v, ...rest] = violations(app);
    expect(rest).toEqual([]);
    expect([v.rule, v.field]).toEqual(['expected-url-failed', 'dev/shop']);
    expect(v.problem).toContain('answered 404 by Envoy: no virtual host for shop.localhost:30443');
    expect(v.fix).toContain('attach an HTTPRoute whose hostnames and path match https://shop.localhost:30443/');
  });

  test('forwarded, but not to the stated backend: refused', () => {
    const { app, cluster, nginx } = nginxShop();
    // Another Service of the bundle, which the route does not forward to.
    new ApiObject(cluster, 'other', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: nginx.namespace }, spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } });
    new ExpectUrl(cluster, 'home', { url: 'https://nginx.localhost:30443/', backend: { ...nginx.backend, name: 'other' } });
    const [v] = violations(app);
    expect(v.problem).toContain(`does not forward it to ${nginx.namespace}/other:`);
  });

  test('a port no Gateway answers on: refused, naming the origins the routes answer on', () => {
    const { app, cluster } = nginxShop();
    new ExpectUrl(cluster, 'home', { url: 'https://nginx.localhost:9443/' });
    const [v] = violations(app);
    expect([v.rule, v.field]).toEqual(['expected-url-failed', 'dev/home.url']);
    expect(v.problem).toContain('no Gateway with an attached HTTPRoute answers https on port 9443; they answer http on port 30080, https on port 30443 (the routes\' URLs: http://nginx.localhost:30080, https://nginx.localhost:30443)');
    expect(v.fix).toBe('use the scheme and port of a Gateway listener (http on port 30080, https on port 30443): the host port kind maps to its NodePort');
  });

  test.each<[string, Partial<ExpectUrlProps>, string]>([
    ['not a URL', { url: 'nginx.localhost' }, 'dev/x.url'],
    ['ftp', { url: 'ftp://nginx.localhost/' }, 'dev/x.url'],
    ['a fragment', { url: 'https://nginx.localhost/#top' }, 'dev/x.url'],
    ['user info', { url: 'https://me:pw@nginx.localhost/' }, 'dev/x.url'],
    ['a backend name that is not a DNS label', { backend: { name: 'Web', port: 80 } }, 'dev/x.backend.name'],
    ['a backend port 0', { backend: { name: 'web', port: 0 } }, 'dev/x.backend.port'],
  ])('refused at construction: %s', (_what, change, field) => {
    const { cluster } = zt();
    const v = configError(() => new ExpectUrl(cluster, 'x', { url: 'https://nginx.localhost:30443/', ...change } as ExpectUrlProps)).violations;
    expect(v.map((x) => x.field)).toEqual([field]);
  });
});
