import { apply, gateway, http, httpRoute, https, namespace, service } from './gateway-builders';
import { tlsSecretData } from './tls-fixtures';
import { gatewayHttpRequest } from '../../src/applied/gateway-api';
import { HttpOutcome, HttpRequest } from '../../src/applied/gateway-dataplane';
import { KubeObject } from '../../src/applied/objects';

/**
 * Which backend answers a request, as Cilium programs Envoy (route configuration per protocol, virtual host by
 * Host header, Cilium's route order). Hand-written; the conformance requests run in gateway-api.cases.test.ts.
 */

const base: KubeObject[] = [namespace('infra'), ...['v1', 'v2', 'v3', 'v4'].map((n) => service('infra', n))];
const to = (name: string, port = 8080) => ({ name, port });

function answer(outcome: HttpOutcome): string {
  if (outcome.kind === 'forward') return outcome.backends.map((b) => b.service.split('/')[1] + (b.state === 'Resolved' ? '' : `(${b.state})`)).join('+');
  if (outcome.kind === 'status') return `${outcome.status}${outcome.location ? ` ${outcome.location}` : ''}`;
  return 'refused';
}

function ask(objects: KubeObject[], req: Partial<HttpRequest>): string {
  const state = apply([...base, ...objects]);
  return answer(gatewayHttpRequest(state, 'infra/gw', { port: 80, tls: false, host: 'app.example', path: '/', ...req }));
}

describe('route order within a virtual host (Cilium SortableRoute)', () => {
  const objects = [
    gateway('infra', 'gw', [http()]),
    httpRoute('infra', 'r', [{ name: 'gw' }], [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [to('v1')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api/' } }], backendRefs: [to('v2')] },
      { matches: [{ path: { type: 'Exact', value: '/api' } }], backendRefs: [to('v3')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }], backendRefs: [to('v4')] },
    ]),
  ];
  test.each<[string, Partial<HttpRequest>, string]>([
    ['the exact path beats every prefix', { path: '/api' }, 'v3'],
    ['the exact path ignores the query', { path: '/api?x=1' }, 'v3'],
    ['a longer prefix matches whole path segments', { path: '/api/users' }, 'v2'],
    ['a prefix does not match a longer segment', { path: '/apis' }, 'v1'],
    ['with a method, the method route wins among equal prefixes', { path: '/api/users', method: 'POST' }, 'v4'],
  ])('%s', (_what, req, backend) => {
    expect(ask(objects, req)).toBe(backend);
  });
});

describe('virtual hosts: the Host header picks one, then only its routes count', () => {
  const objects = [
    gateway('infra', 'gw', [http('any'), http('wild', 80, { hostname: '*.example.com' }), http('exact', 80, { hostname: 'a.example.com' })]),
    httpRoute('infra', 'catch-all', [{ name: 'gw', sectionName: 'any' }], [{ matches: [{ path: { type: 'PathPrefix', value: '/any' } }], backendRefs: [to('v1')] }]),
    httpRoute('infra', 'wild', [{ name: 'gw', sectionName: 'wild' }], [{ backendRefs: [to('v2')] }]),
    httpRoute('infra', 'exact', [{ name: 'gw', sectionName: 'exact' }], [{ backendRefs: [to('v3')] }]),
  ];
  test.each<[string, string, string]>([
    ['an exact hostname', 'a.example.com', 'v3'],
    ['an exact hostname with a port (Cilium adds host:* domains)', 'a.example.com:8080', 'v3'],
    ['a name under the wildcard', 'b.example.com', 'v2'],
    ['several labels under the wildcard (suffix match)', 'x.y.example.com', 'v2'],
    ['the wildcard\'s own domain is not under it', 'example.com', '404'],
    ['a wildcard host with a port: Envoy reads "*.example.com:*" as a literal suffix, so it falls to "*"', 'b.example.com:8080', '404'],
    ['another name goes to the catch-all listener\'s routes only', 'other.org', '404'],
  ])('%s', (_what, host, backend) => {
    expect(ask(objects, { host, path: '/' })).toBe(backend);
  });

  test('the catch-all listener serves its path on any other name', () => {
    expect(ask(objects, { host: 'other.org', path: '/any/x' })).toBe('v1');
  });
});

describe('responses Envoy gives itself, and refused connections', () => {
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'infra' }, data: tlsSecretData() };
  test.each<[string, KubeObject[], Partial<HttpRequest>, string]>([
    ['no usable backend: 500', [gateway('infra', 'gw', [http()]), httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [to('missing')] }])], {}, '500'],
    ['one of two backends missing: the rest serve', [gateway('infra', 'gw', [http()]),
      httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [to('missing'), to('v1')] }])], {}, 'v1'],
    ['a port the Service lacks: forwarded, Envoy finds no endpoint', [gateway('infra', 'gw', [http()]),
      httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [to('v1', 9999)] }])], {}, 'v1(PortNotOnService)'],
    ['no route: 404', [gateway('infra', 'gw', [http()])], {}, '404'],
    ['a port without a listener', [gateway('infra', 'gw', [http()])], { port: 8080 }, 'refused'],
    ['plain HTTP to an HTTPS-only port', [gateway('infra', 'gw', [https('s', 'tls')]), secret, httpRoute('infra', 'r', [{ name: 'gw' }])], { port: 443 }, 'refused'],
    ['HTTPS with a certificate', [gateway('infra', 'gw', [https('s', 'tls')]), secret, httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [to('v1')] }])],
      { port: 443, tls: true }, 'v1'],
    ['HTTPS whose Secret is missing: the handshake fails', [gateway('infra', 'gw', [https('s', 'tls')]), httpRoute('infra', 'r', [{ name: 'gw' }])],
      { port: 443, tls: true }, 'refused'],
    ['HTTPS to a name no listener serves', [gateway('infra', 'gw', [https('s', 'tls', { hostname: 'a.example' })]), secret, httpRoute('infra', 'r', [{ name: 'gw' }])],
      { port: 443, tls: true, host: 'b.example' }, 'refused'],
  ])('%s', (_what, objects, req, expected) => {
    expect(ask(objects, req)).toBe(expected);
  });

  test('the LocalGateway HTTP-to-HTTPS redirect answers 301 with the HTTPS host port', () => {
    const redirect = httpRoute('infra', 'redirect', [{ name: 'gw', sectionName: 'http' }],
      [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 30443, statusCode: 301 } }] }]);
    expect(ask([gateway('infra', 'gw', [http('http', 80, { allowedRoutes: { namespaces: { from: 'Same' } } })]), redirect], { host: 'app.localhost:30080', path: '/x?y=1' }))
      .toBe('301 https://app.localhost:30443/x?y=1');
  });

  test('a scheme-changing redirect only matches requests not already on that scheme (X-Forwarded-Proto)', () => {
    const objects = [gateway('infra', 'gw', [http(), https('s', 'tls')]), secret, httpRoute('infra', 'r', [{ name: 'gw' }], [
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ])];
    expect([ask(objects, { host: 'a.example', port: 80 }), ask(objects, { host: 'a.example', port: 443, tls: true })]).toEqual(['301 https://a.example/', '404']);
  });

  test('Cilium pools the backends of equal matches that reach one virtual host from different ports (cilium/cilium#33221)', () => {
    const objects = [gateway('infra', 'gw', [http('a', 80, { hostname: 'foo.com' }), http('b', 8080, { hostname: 'foo.com' })]),
      httpRoute('infra', 'ra', [{ name: 'gw', sectionName: 'a' }], [{ backendRefs: [to('v1')] }]),
      httpRoute('infra', 'rb', [{ name: 'gw', sectionName: 'b' }], [{ backendRefs: [to('v2')] }])];
    expect([ask(objects, { host: 'foo.com', port: 80 }), ask(objects, { host: 'foo.com:8080', port: 8080 })]).toEqual(['v1+v2', 'v1+v2']);
  });

  test('a Gateway that is not programmed by the controller refuses everything', () => {
    expect(ask([gateway('infra', 'gw', [http()], { gatewayClassName: 'other' })], {})).toBe('refused');
  });
});
