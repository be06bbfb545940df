import { addNamespaces, emittedObjects, find, ofKind, ztCluster } from './fixtures';
import { PlatformConfigError } from '../../src';
import { LocalCertificateAuthority } from '../../src/cert-manager/local-ca';
import { GatewayHttpRoute, GatewayHttpRouteOptions, listenerAcceptsHostname } from '../../src/gateway/http-route';
import { LocalGateway, LocalGatewayProps } from '../../src/gateway/local-gateway';

function setup(props: Partial<LocalGatewayProps> = {}) {
  const cluster = ztCluster();
  const ca = new LocalCertificateAuthority(cluster, 'ca');
  const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: ca, ...props });
  addNamespaces(cluster, 'demo', 'routes', 'apps');
  return { cluster, gateway };
}

const GATEWAY_REF = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'local', namespace: 'gateway' };

describe('GatewayHttpRoute', () => {
  test('same-namespace backend: HTTPRoute attached to the gateway, no ReferenceGrant', () => {
    const { cluster, gateway } = setup();
    const route = gateway.addHttpRoute('demo', { namespace: 'demo', hostnames: ['demo.localhost'], backend: { name: 'echo', port: 8080 }, pathPrefix: '/api' });
    const manifests = emittedObjects(cluster);
    const r = find(manifests, 'HTTPRoute', 'demo');
    expect(r.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(r.metadata.namespace).toBe('demo');
    expect(r.spec).toEqual({
      parentRefs: [GATEWAY_REF],
      hostnames: ['demo.localhost'],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'echo', port: 8080 }],
      }],
    });
    expect(route.referenceGrant).toBeUndefined();
    expect(ofKind(manifests, 'ReferenceGrant')).toEqual([]);
    // The route hostname is added to the certificate (OpenSSL ignores single-label wildcards like *.localhost).
    expect(find(manifests, 'Certificate', 'local-tls').spec.dnsNames).toEqual(['*.localhost', 'localhost', 'demo.localhost']);
    expect(cluster.violations()).toEqual([]);
  });

  test('cross-namespace backend: backendRef namespace plus a ReferenceGrant in the backend namespace', () => {
    const { cluster, gateway } = setup();
    const route = gateway.addHttpRoute('demo', { name: 'web', namespace: 'routes', backend: { name: 'echo', port: 80, namespace: 'apps' } });
    const manifests = emittedObjects(cluster);
    const r = find(manifests, 'HTTPRoute', 'web');
    expect(r.spec.hostnames).toBeUndefined();
    expect(r.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(r.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'echo', namespace: 'apps', port: 80 }]);
    const grant = find(manifests, 'ReferenceGrant', 'httproute-routes-web');
    expect(route.referenceGrant).toBeDefined();
    // Cilium 1.20 (the default) watches ReferenceGrant v1 (Gateway API v1.6.1).
    expect(grant.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(grant.metadata.namespace).toBe('apps');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'routes' }],
      to: [{ group: '', kind: 'Service', name: 'echo' }],
    });
  });

  test.each([
    ['1.18.12', 'gateway.networking.k8s.io/v1beta1'],
    ['1.19.6', 'gateway.networking.k8s.io/v1beta1'],
    ['1.20.0', 'gateway.networking.k8s.io/v1'],
  ])('Cilium %s: the ReferenceGrant is written at %s (the version its operator watches)', (ciliumVersion, apiVersion) => {
    const cluster = ztCluster({ ciliumVersion });
    addNamespaces(cluster, 'routes', 'apps');
    const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: new LocalCertificateAuthority(cluster, 'ca') });
    const route = gateway.addHttpRoute('demo', { name: 'web', namespace: 'routes', backend: { name: 'echo', port: 80, namespace: 'apps' } });
    const grant = find(emittedObjects(cluster), 'ReferenceGrant', 'httproute-routes-web');
    expect([grant.apiVersion, route.referenceGrant?.apiVersion]).toEqual([apiVersion, apiVersion]);
    expect(grant.spec.to).toEqual([{ group: '', kind: 'Service', name: 'echo' }]);
  });

  test('GatewayHttpRoute can be created anywhere in the cluster with an explicit gateway', () => {
    const { cluster, gateway } = setup();
    new GatewayHttpRoute(cluster, 'standalone', { gateway, namespace: 'demo', backend: { name: 'echo', port: 80 } });
    expect(find(emittedObjects(cluster), 'HTTPRoute', 'standalone').spec.parentRefs).toEqual([GATEWAY_REF]);
  });

  test('with redirectHttpToHttps, routes attach only to the HTTPS listeners their hostnames intersect', () => {
    const { cluster, gateway } = setup({ redirectHttpToHttps: true });
    gateway.addHttpRoute('sub', { namespace: 'demo', hostnames: ['demo.localhost'], backend: { name: 'echo', port: 80 } });
    gateway.addHttpRoute('apex', { namespace: 'demo', hostnames: ['localhost'], backend: { name: 'echo', port: 80 } });
    gateway.addHttpRoute('all', { namespace: 'demo', backend: { name: 'echo', port: 80 } });
    const manifests = emittedObjects(cluster);
    const sections = (name: string) => find(manifests, 'HTTPRoute', name).spec.parentRefs.map((p: any) => p.sectionName);
    expect(sections('sub')).toEqual(['https']);
    expect(sections('apex')).toEqual(['https-apex']);
    expect(sections('all')).toEqual(['https', 'https-apex']);
  });

  test('hostname matching follows Gateway API rules', () => {
    expect(listenerAcceptsHostname(undefined, 'anything.example')).toBe(true);
    expect(listenerAcceptsHostname('*.localhost', 'demo.localhost')).toBe(true);
    expect(listenerAcceptsHostname('*.localhost', 'a.b.localhost')).toBe(true);
    expect(listenerAcceptsHostname('*.localhost', '*.demo.localhost')).toBe(true);
    expect(listenerAcceptsHostname('*.localhost', 'localhost')).toBe(false);
    expect(listenerAcceptsHostname('*.localhost', 'demolocalhost')).toBe(false);
    expect(listenerAcceptsHostname('localhost', 'localhost')).toBe(true);
    expect(listenerAcceptsHostname('app.localhost', '*.localhost')).toBe(true);
  });

  describe('invalid options name the field', () => {
    const base: GatewayHttpRouteOptions = { namespace: 'demo', backend: { name: 'echo', port: 8080 } };
    test.each([
      [{ hostnames: ['demo.example.com'] }, 'zt/gateway/demo.hostnames[0]', 'route-hostname-not-served'],
      [{ hostnames: ['Demo.localhost'] }, 'zt/gateway/demo.hostnames[0]', 'invalid-hostname'],
      [{ hostnames: ['a.localhost', 'a.localhost'] }, 'zt/gateway/demo.hostnames', 'duplicate-hostname'],
      [{ backend: { name: 'echo', port: 0 } }, 'zt/gateway/demo.backend.port', 'invalid-backend-port'],
      [{ backend: { name: 'Echo', port: 80 } }, 'zt/gateway/demo.backend.name', 'invalid-backend'],
      [{ backend: { name: 'echo', port: 80, namespace: 'a_b' } }, 'zt/gateway/demo.backend.namespace', 'invalid-namespace'],
      [{ namespace: '' }, 'zt/gateway/demo.namespace', 'invalid-namespace'],
      [{ name: 'Demo Route' }, 'zt/gateway/demo.name', 'invalid-route-name'],
      [{ pathPrefix: 'api' }, 'zt/gateway/demo.pathPrefix', 'invalid-path-prefix'],
      [{ pathPrefix: '/a/../b' }, 'zt/gateway/demo.pathPrefix', 'invalid-path-prefix'],
      [{ pathPrefix: '/a//b' }, 'zt/gateway/demo.pathPrefix', 'invalid-path-prefix'],
    ])('%j -> %s', (override, field, rule) => {
      const { gateway } = setup();
      let error: unknown;
      try {
        gateway.addHttpRoute('demo', { ...base, ...override } as GatewayHttpRouteOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PlatformConfigError);
      expect((error as PlatformConfigError).rules).toEqual([rule]);
      expect((error as PlatformConfigError).violations[0].field).toBe(field);
    });

    test('a hostname outside the HTTPS listeners explains which hostnames are served', () => {
      const { gateway } = setup();
      expect(() => gateway.addHttpRoute('demo', { ...base, hostnames: ['demo.example.com'] }))
        .toThrow(/matches none of the HTTPS listener hostnames \[\*\.localhost, localhost\].*Fix: use a hostname under \*\.localhost/);
    });
  });
});
