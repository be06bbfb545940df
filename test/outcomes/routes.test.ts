import { ApiObject, App, JsonPatch } from 'cdk8s';
import { failing, gatewayCluster, outcomesOf, violationsOf } from './routes-support';
import { KindCiliumCluster, LoadBalancerIpPool, LocalGateway } from '../../src';
import { applyPlatform } from '../../src/applied/platform';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { addAllPresets } from '../../src/presets';

/**
 * The routes family (src/outcomes/routes.ts) through the public API: LocalGateway, addHttpRoute, raw ApiObject
 * routes, ReferenceGrants and JsonPatch. Each fault is refused with its id; the presets keep every outcome.
 */

const ROUTE_IDS = ['gateway-not-programmed', 'route-not-attached', 'route-refs-unresolved', 'route-url-not-served'];
const routeViolations = (c: KindCiliumCluster) => violationsOf(c).filter((v) => ROUTE_IDS.includes(v.rule));

function service(scope: KindCiliumCluster, id: string, namespace: string, name: string, port = 80): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ port }] } });
}

function rawRoute(scope: KindCiliumCluster, id: string, namespace: string, spec: Record<string, unknown>): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: id, namespace },
    spec: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'local', namespace: 'gateway' }], ...spec },
  });
}

describe('every preset keeps every routes and certificates outcome', () => {
  const clusters = addAllPresets(new App());
  test.each(clusters.map((c) => [c.clusterName, c]))('%s', (_name, cluster) => {
    expect(failing(outcomesOf(cluster as KindCiliumCluster))).toEqual([]);
  });

  test('zero-trust: the Gateway, the nginx route and its two URLs, with probes for verify.sh', () => {
    const zt = clusters.find((c) => c.clusterName === 'zero-trust')!;
    const routes = outcomesOf(zt).filter((o) => o.section === 'routes');
    expect(routes.map((o) => [o.id, o.observed])).toEqual([
      ['gateway-not-programmed', expect.stringMatching(/^Accepted True \(Accepted\), Programmed True \(Programmed\), address 172\.18\./)],
      ['route-not-attached', 'attached to Gateway/gateway/local/http, Gateway/gateway/local/https'],
      ['route-refs-unresolved', 'Service demo/nginx port 80'],
      ['route-url-not-served', 'http://nginx.localhost:30080/ → forwarded to demo/nginx:80'],
      ['route-url-not-served', 'https://nginx.localhost:30443/ → forwarded to demo/nginx:80'],
    ]);
    const address = applyPlatform({ model: zt.model(), entries: resolvedEntries(zt) }).gatewayApi.gateways[0].addresses[0];
    expect(routes.map((o) => o.probe)).toEqual([
      { kind: 'gateway', namespace: 'gateway', name: 'local' },
      undefined,
      undefined,
      // Reached as a browser on the host reaches them: through kind's port mappings of the pinned NodePorts.
      { kind: 'url', url: 'http://nginx.localhost:30080/', address: '127.0.0.1', expect: '2xx', via: 'host' },
      { kind: 'url', url: 'https://nginx.localhost:30443/', address: '127.0.0.1', expect: '2xx', via: 'host' },
    ]);
    expect(address).toMatch(/^172\.18\./);
  });
});

test('URLs use the host ports kind maps the Gateway NodePorts to', () => {
  const cluster = gatewayCluster({}, (g, c) => {
    service(c, 'web', 'gateway', 'web');
    g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
  });
  expect(outcomesOf(cluster).filter((o) => o.id === 'route-url-not-served').map((o) => o.observed)).toEqual([
    'http://app.localhost:30080/ → forwarded to gateway/web:80',
    'https://app.localhost:30443/ → forwarded to gateway/web:80',
  ]);
  const mapped = new KindCiliumCluster(new App(), 'm', { clusterName: 'm', hostPortMappings: [{ containerPort: 30080, hostPort: 8080 }, { containerPort: 30443, hostPort: 8443 }] });
  new LoadBalancerIpPool(mapped, 'pool');
  service(mapped, 'web', 'gateway', 'web');
  new LocalGateway(mapped, 'gateway', { certificateAuthority: { issuerRef: { name: 'x', kind: 'ClusterIssuer', group: 'cert-manager.io' } } })
    .addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
  expect(outcomesOf(mapped).filter((o) => o.id === 'route-url-not-served').map((o) => o.statement.split(' ')[0])).toEqual(['http://app.localhost:8080/', 'https://app.localhost:8443/']);
});

test('gateway-not-programmed: a pool patched to select other Services leaves the Gateway without an address', () => {
  const cluster = gatewayCluster();
  (cluster.node.findChild('pool') as LoadBalancerIpPool).apiObject.addJsonPatch(JsonPatch.add('/spec/serviceSelector', { matchLabels: { app: 'web' } }));
  const [v] = routeViolations(cluster);
  expect([v.rule, v.field]).toEqual(['gateway-not-programmed', 'zt/gateway/Gateway']);
  expect(v.problem).toContain('Service gateway/cilium-gateway-local (Programmed False, AddressNotAssigned)');
  expect(v.fix).toContain('serviceSelector selects Service gateway/cilium-gateway-local');
});

describe('route-not-attached: every allowedRoutes mode × route namespace × namespace labels', () => {
  const modes = ['All', 'Same', 'Selector'] as const;
  const namespaces = ['gateway', 'shop'] as const;
  const labelStates = ['absent', 'unlabelled', 'labelled'] as const;
  const cases = modes.flatMap((mode) => namespaces.flatMap((ns) => labelStates.map((labels) => ({ mode, ns, labels }))));

  test.each(cases)('from $mode, route in $ns, namespace $labels', ({ mode, ns, labels }) => {
    const cluster = gatewayCluster({ createNamespace: !(ns === 'gateway' && labels === 'absent') }, (g, c) => {
      const allowed = { from: mode, ...(mode === 'Selector' ? { selector: { matchLabels: { 'gateway-access': 'true' } } } : {}) };
      for (const i of [0, 1, 2]) g.apiObject.addJsonPatch(JsonPatch.replace(`/spec/listeners/${i}/allowedRoutes/namespaces`, allowed));
      if (ns === 'shop' && labels !== 'absent') new ApiObject(c, 'shop-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
      if (labels === 'labelled') {
        const nsObject = ns === 'gateway' ? g.node.findChild('Namespace') as ApiObject : c.node.findChild('shop-ns') as ApiObject;
        nsObject.metadata.addLabel('gateway-access', 'true');
      }
      service(c, 'web', ns, 'web');
      g.addHttpRoute('r', { namespace: ns, hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
    });
    // The oracle: Gateway API's allowedRoutes semantics over the namespace's labels as applied.
    const admitted = mode === 'All' || (mode === 'Same' ? ns === 'gateway' : labels === 'labelled');
    const applied = applyPlatform({ model: cluster.model(), entries: resolvedEntries(cluster) });
    const parent = applied.gatewayApi.routes.find((r) => r.ref === `HTTPRoute/${ns}/r`)!.parents[0];
    expect(parent.attachedListeners.length > 0).toBe(admitted);
    const found = routeViolations(cluster);
    expect(found.map((v) => v.rule)).toEqual(admitted ? [] : ['route-not-attached']);
    if (!admitted) {
      expect(found[0].field).toBe('zt/gateway/r/Route');
      expect(found[0].problem).toContain('NotAllowedByListeners');
      if (mode === 'Selector') {
        expect(found[0].problem).toMatch(labels === 'absent' ? `no object of the bundle creates Namespace ${ns}` : new RegExp(`Namespace ${ns} as applied has labels \\{.*kubernetes.io/metadata.name=${ns}\\}$`));
        expect(found[0].fix).toContain('{gateway-access=true}');
      }
    }
  });

  test('issue 18: routeNamespaceLabels and a route namespace the bundle emits without the label', () => {
    const cluster = gatewayCluster({ routeNamespaceLabels: { 'gateway-access': 'true' } }, (g, c) => {
      new ApiObject(c, 'shop-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
      service(c, 'web', 'shop', 'web');
      g.addHttpRoute('r', { namespace: 'shop', hostnames: ['shop.localhost'], backend: { name: 'web', port: 80 } });
    });
    const [v] = routeViolations(cluster);
    expect(v.rule).toBe('route-not-attached');
    expect(v.problem).toContain('HTTPRoute is not allowed to attach to this Gateway due to namespace restrictions');
    expect(v.fix).toBe('label Namespace shop with {gateway-access=true} (its metadata.labels), or move the route to a namespace that has them');
  });

  test('hostname and sectionName mismatches carry Cilium\'s reason', () => {
    const cluster = gatewayCluster({}, (_g, c) => {
      service(c, 'web', 'gateway', 'web');
      const backendRefs = [{ name: 'web', port: 80 }];
      // The HTTP listener has no hostname, so the Gateway accepts the route, but the https listener it names does not take it.
      rawRoute(c, 'other-host', 'gateway', { hostnames: ['app.example.com'], parentRefs: [{ name: 'local', namespace: 'gateway', sectionName: 'https' }], rules: [{ backendRefs }] });
      rawRoute(c, 'no-section', 'gateway', { parentRefs: [{ name: 'local', namespace: 'gateway', sectionName: 'nope' }], rules: [{ backendRefs }] });
    });
    expect(routeViolations(cluster).map((v) => v.problem.match(/\(([A-Za-z]+)\)/)![1])).toEqual(['Accepted', 'NoMatchingParent']);
    expect(routeViolations(cluster)[0].problem).toContain('but no listener picked by sectionName, port, hostname, kinds and namespaces takes it');
  });
});

describe('route-refs-unresolved: backend namespace × ReferenceGrant × Service and port', () => {
  const cases = [false, true].flatMap((crossNamespace) => ['none', 'grant', 'wrong-kind'].flatMap((grant) => ['service', 'no-service', 'other-port'].map((svc) => ({ crossNamespace, grant, svc }))))
    .filter((c) => c.crossNamespace || c.grant === 'none');

  test.each(cases)('cross-namespace $crossNamespace, grant $grant, $svc', ({ crossNamespace, grant, svc }) => {
    const backendNs = crossNamespace ? 'apps' : 'gateway';
    const cluster = gatewayCluster({}, (_g, c) => {
      if (svc !== 'no-service') service(c, 'api', backendNs, 'api', svc === 'other-port' ? 8080 : 80);
      rawRoute(c, 'r', 'gateway', { hostnames: ['api.localhost'], rules: [{ backendRefs: [{ name: 'api', namespace: backendNs, port: 80 }] }] });
      if (grant !== 'none') {
        new ApiObject(c, 'grant', {
          apiVersion: 'gateway.networking.k8s.io/v1beta1',
          kind: 'ReferenceGrant',
          metadata: { name: 'grant', namespace: backendNs },
          spec: { from: [{ group: 'gateway.networking.k8s.io', kind: grant === 'grant' ? 'HTTPRoute' : 'GRPCRoute', namespace: 'gateway' }], to: [{ group: '', kind: 'Service' }] },
        });
      }
    });
    const permitted = !crossNamespace || grant === 'grant';
    const resolves = permitted && svc === 'service';
    const refs = routeViolations(cluster).filter((v) => v.rule === 'route-refs-unresolved');
    expect(refs.length).toBe(resolves ? 0 : 1);
    if (!permitted) expect(refs[0].fix).toBe('add a ReferenceGrant in namespace apps from HTTPRoutes of namespace gateway to Service api');
    else if (svc === 'no-service') expect(refs[0].problem).toContain('BackendNotFound');
    else if (svc === 'other-port') expect(refs[0].problem).toContain('PortNotOnService');
    // A URL reaches the backend exactly when the reference resolves.
    expect(routeViolations(cluster).some((v) => v.rule === 'route-url-not-served')).toBe(!resolves);
  });

  test('addHttpRoute to another namespace emits the ReferenceGrant, so it resolves', () => {
    const cluster = gatewayCluster({}, (g, c) => {
      service(c, 'api', 'apps', 'api');
      g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['api.localhost'], backend: { name: 'api', port: 80, namespace: 'apps' } });
    });
    expect(routeViolations(cluster)).toEqual([]);
  });
});

test('route-url-not-served: a more specific redirect of another route takes the URL', () => {
  const cluster = gatewayCluster({}, (g, c) => {
    service(c, 'web', 'gateway', 'web');
    g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
    rawRoute(c, 'moved', 'gateway', {
      hostnames: ['app.localhost'],
      rules: [{ matches: [{ path: { type: 'Exact', value: '/' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'elsewhere.localhost', statusCode: 302 } }] }],
    });
  });
  const found = routeViolations(cluster);
  expect(found.map((v) => [v.rule, v.field])).toEqual([['route-url-not-served', 'zt/gateway/r/Route'], ['route-url-not-served', 'zt/gateway/r/Route']]);
  expect(found[0].problem).toContain('http://app.localhost:30080/ is not this rule\'s backend: the request is answered 302 (Location http://elsewhere.localhost/)');
  expect(found[0].fix).toContain('no other route of Gateway gateway/local takes first');
});

test('the family defers to the fact rules: no pool reports gateway-needs-pool only', () => {
  const app = new App();
  const bare = new KindCiliumCluster(app, 'b', { clusterName: 'b', hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }] });
  new LocalGateway(bare, 'gateway', { certificateAuthority: { issuerRef: { name: 'local-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } });
  expect(failing(outcomesOf(bare)).filter((o) => o.startsWith('gateway-not-programmed'))).toHaveLength(1);
  expect(violationsOf(bare).map((v) => v.rule).filter((r) => ROUTE_IDS.includes(r) || r === 'gateway-needs-pool')).toEqual(['gateway-needs-pool']);
});

test('gateway-not-programmed: a raw Gateway without LocalGateway has no controller (gatewayAPI.enabled stays off)', () => {
  const cluster = new KindCiliumCluster(new App(), 'raw', { clusterName: 'raw' });
  new LoadBalancerIpPool(cluster, 'pool');
  new ApiObject(cluster, 'gw', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'default' },
    spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
  });
  const [v] = routeViolations(cluster);
  expect([v.rule, v.field]).toEqual(['gateway-not-programmed', 'raw/gw']);
  expect(v.problem).toContain('gatewayAPI.enabled is not true');
});
