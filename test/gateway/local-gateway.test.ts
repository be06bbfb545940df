import { ApiObject, App, Testing } from 'cdk8s';
import { emittedObjects, find, ofKind, ztCluster } from './fixtures';
import { KindCiliumCluster, PlatformConfigError, validateApp } from '../../src';
import { LocalCertificateAuthority } from '../../src/cert-manager/local-ca';
import { LoadBalancerIpPool } from '../../src/cilium/lb-ipam/load-balancer-ip-pool';
import { LocalGateway, LocalGatewayProps } from '../../src/gateway/local-gateway';
import { configError } from '../support/config-error';

function gatewayIn(cluster: KindCiliumCluster, props: Partial<LocalGatewayProps> = {}) {
  const ca = new LocalCertificateAuthority(cluster, 'ca');
  const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: ca, ...props });
  return { ca, gateway };
}

describe('LocalGateway', () => {
  test('Gateway: class cilium, HTTP :80, HTTPS :443 for *.localhost and localhost, TLS terminated with the issued Secret', () => {
    const cluster = ztCluster();
    const { ca, gateway } = gatewayIn(cluster);
    const manifests = Testing.synth(cluster);

    expect(find(manifests, 'Namespace', 'gateway')).toBeDefined();
    const gw = find(manifests, 'Gateway', 'local');
    expect(gw.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gw.metadata.namespace).toBe('gateway');
    expect(gw.spec.gatewayClassName).toBe('cilium');
    const [http, https, apex] = gw.spec.listeners;
    expect(gw.spec.listeners).toHaveLength(3);
    expect(http).toMatchObject({ name: 'http', protocol: 'HTTP', port: 80 });
    expect(http.hostname).toBeUndefined();
    expect(http.tls).toBeUndefined();
    for (const l of [https, apex]) {
      expect(l).toMatchObject({ protocol: 'HTTPS', port: 443 });
      expect(l.tls).toEqual({ mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'local-tls' }] });
    }
    expect(https).toMatchObject({ name: 'https', hostname: '*.localhost' });
    expect(apex).toMatchObject({ name: 'https-apex', hostname: 'localhost' });
    for (const l of gw.spec.listeners) {
      expect(l.allowedRoutes).toEqual({ kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }], namespaces: { from: 'All' } });
    }

    // The Secret the listeners reference is issued in the same namespace by the CA ClusterIssuer.
    const cert = find(manifests, 'Certificate', 'local-tls');
    expect(cert.metadata.namespace).toBe('gateway');
    expect(cert.spec).toMatchObject({
      secretName: 'local-tls',
      dnsNames: ['*.localhost', 'localhost'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { name: ca.issuerName, kind: 'ClusterIssuer', group: 'cert-manager.io' },
      duration: '2160h',
      renewBefore: '720h',
    });
    expect(find(manifests, 'ClusterIssuer', cert.spec.issuerRef.name).spec.ca).toBeDefined();
    expect(gateway.urls).toEqual({ http: 'http://localhost:30080', https: 'https://localhost:30443' });
  });

  test('the cilium-gateway-<name> Service is a LoadBalancer pinned to the NodePorts, emitted before the Gateway', () => {
    const cluster = ztCluster();
    const { gateway } = gatewayIn(cluster);
    const manifests = Testing.synth(cluster);
    const svc = find(manifests, 'Service', 'cilium-gateway-local');
    expect(gateway.serviceName).toBe('cilium-gateway-local');
    expect(svc.metadata.namespace).toBe('gateway');
    expect(svc.metadata.labels).toMatchObject({ 'gateway.networking.k8s.io/gateway-name': 'local', 'io.cilium.gateway/owning-gateway': 'local' });
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.selector).toBeUndefined();
    expect(svc.spec.ports).toEqual([
      { name: 'port-80', port: 80, protocol: 'TCP', nodePort: 30080 },
      { name: 'port-443', port: 443, protocol: 'TCP', nodePort: 30443 },
    ]);
    const index = (kind: string) => manifests.findIndex((m) => m.kind === kind);
    expect(index('Service')).toBeLessThan(index('Gateway'));
  });

  test('custom NodePorts, names and hostname flow into Service, facts and rules', () => {
    const cluster = ztCluster({ hostPortMappings: [{ containerPort: 31080, hostPort: 8080 }, { containerPort: 31443, hostPort: 8443 }] });
    const { gateway } = gatewayIn(cluster, { name: 'edge', namespace: 'ingress', hostname: '*.dev.localhost', httpNodePort: 31080, httpsNodePort: 31443 });
    const manifests = Testing.synth(cluster);
    expect(find(manifests, 'Service', 'cilium-gateway-edge').spec.ports.map((p: any) => p.nodePort)).toEqual([31080, 31443]);
    expect(find(manifests, 'Gateway', 'edge').spec.listeners.map((l: any) => l.hostname)).toEqual([undefined, '*.dev.localhost', 'dev.localhost']);
    expect(find(manifests, 'Certificate', 'edge-tls').spec.dnsNames).toEqual(['*.dev.localhost', 'dev.localhost']);
    expect(gateway.hostHttpsPort).toBe(8443);
    expect(gateway.urls.https).toBe('https://dev.localhost:8443');
    const model = cluster.model();
    expect(model.gateways).toEqual([{ field: 'zt/gateway', name: 'edge', httpNodePort: 31080, httpsNodePort: 31443 }]);
    expect(model.loadBalancerServices).toEqual([{ field: 'zt/gateway/Service', name: 'cilium-gateway-edge', namespace: 'ingress' }]);
    expect(cluster.violations()).toEqual([]);
  });

  test('a gateway turns on gatewayAPI in the Cilium Helm values', () => {
    const cluster = ztCluster();
    expect(cluster.ciliumValues().gatewayAPI).toBeUndefined();
    gatewayIn(cluster);
    expect(cluster.ciliumValues().gatewayAPI).toEqual({ enabled: true });
    expect(cluster.violations()).toEqual([]);
  });

  describe('cluster rules', () => {
    test('kind not publishing the HTTPS NodePort -> gateway-nodeports-mapped', () => {
      const cluster = ztCluster({ hostPortMappings: [{ containerPort: 30080 }] });
      gatewayIn(cluster);
      const violations = cluster.violations();
      expect(violations.map((v) => v.rule)).toEqual(['gateway-nodeports-mapped']);
      expect(violations[0].field).toBe('zt/gateway.httpsNodePort');
      expect(violations[0].fix).toContain('containerPort: 30443');
      expect(() => Testing.synth(cluster)).toThrow(/30443/);
    });

    test('kubeProxyReplacement: false -> gateway-needs-kpr', () => {
      const cluster = ztCluster({ kubeProxyReplacement: false });
      gatewayIn(cluster);
      const violations = cluster.violations();
      expect(violations.map((v) => v.rule)).toContain('gateway-needs-kpr');
      expect(violations.find((v) => v.rule === 'gateway-needs-kpr')!.field).toBe('zt/gateway');
    });

    test('no LB pool -> gateway-needs-pool (and the Service would stay pending)', () => {
      const cluster = ztCluster({}, false);
      gatewayIn(cluster);
      const rules = cluster.violations().map((v) => v.rule);
      expect(rules).toContain('gateway-needs-pool');
      expect(rules).toContain('lb-services-exceed-pool');
      new LoadBalancerIpPool(cluster, 'pool');
      expect(cluster.violations()).toEqual([]);
    });

    test('overriding gatewayAPI.enabled off -> refused (LocalGateway owns the key) and gateway-needs-gateway-api', () => {
      const cluster = ztCluster({ ciliumValuesOverrides: { gatewayAPI: { enabled: false } } });
      gatewayIn(cluster);
      expect(cluster.violations().map((v) => v.rule)).toEqual(['helm-value-owned-by-prop', 'gateway-needs-gateway-api']);
    });
  });

  describe('invalid props name the prop and the fix', () => {
    test.each([
      [{ httpNodePort: 80 }, 'zt/gateway.httpNodePort', 'invalid-node-port'],
      [{ httpNodePort: 29999 }, 'zt/gateway.httpNodePort', 'invalid-node-port'],
      [{ httpsNodePort: 32768 }, 'zt/gateway.httpsNodePort', 'invalid-node-port'],
      [{ httpsNodePort: 30443.5 }, 'zt/gateway.httpsNodePort', 'invalid-node-port'],
      [{ httpNodePort: 30443, httpsNodePort: 30443 }, 'zt/gateway.httpsNodePort', 'duplicate-node-port'],
      [{ name: 'x'.repeat(49) }, 'zt/gateway.name', 'invalid-gateway-name'],
      [{ name: 'My.Gateway' }, 'zt/gateway.name', 'invalid-gateway-name'],
      [{ namespace: 'Gateway' }, 'zt/gateway.namespace', 'invalid-namespace'],
      [{ hostname: '127.0.0.1' }, 'zt/gateway.hostname', 'invalid-hostname'],
      [{ hostname: 'demo.*.localhost' }, 'zt/gateway.hostname', 'invalid-hostname'],
      [{ routeNamespaceLabels: {} }, 'zt/gateway.routeNamespaceLabels', 'empty-route-namespace-selector'],
      [{ certificateDuration: '90d' }, 'zt/gateway.certificateDuration', 'invalid-certificate-duration'],
      [{ certificateRenewBefore: '4000h' }, 'zt/gateway.certificateRenewBefore', 'invalid-certificate-renew-before'],
    ])('%j -> %s', (props, field, rule) => {
      const err = configError(() => gatewayIn(ztCluster(), props as Partial<LocalGatewayProps>));
      expect(err.rules).toEqual([rule]);
      expect(err.violations[0].field).toBe(field);
      expect(err.message).toMatch(new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+\\. Fix: .+`));
    });

    test('the NodePort error explains the range and how to publish the port', () => {
      const err = configError(() => gatewayIn(ztCluster(), { httpsNodePort: 443 }));
      expect(err.violations[0].problem).toContain('30000-32767');
      expect(err.violations[0].fix).toContain('hostPortMappings');
    });
  });

  test('options: no apex listener, namespace selector, existing namespace', () => {
    const cluster = ztCluster();
    gatewayIn(cluster, { apexListener: false, routeNamespaceLabels: { 'gateway-access': 'true' }, createNamespace: false });
    // Nothing creates the namespace: reported by namespace-not-created (app validation: the bundle as applied).
    expect(cluster.violations()).toEqual([]);
    expect([...new Set(configError(() => validateApp(cluster.node.root)).violations.map((x) => x.rule))]).toEqual(['namespace-not-created']);
    new ApiObject(cluster, 'existing-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gateway' } });
    const manifests = Testing.synth(cluster);
    expect(ofKind(manifests, 'Namespace').map((n: any) => n.metadata.name)).toEqual(['gateway']);
    const gw = find(manifests, 'Gateway', 'local');
    expect(gw.spec.listeners.map((l: any) => l.name)).toEqual(['http', 'https']);
    for (const l of gw.spec.listeners) {
      expect(l.allowedRoutes.namespaces).toEqual({ from: 'Selector', selector: { matchLabels: { 'gateway-access': 'true' } } });
    }
    expect(find(manifests, 'Certificate', 'local-tls').spec.dnsNames).toEqual(['*.localhost']);
  });

  test('a non-wildcard hostname gets one HTTPS listener', () => {
    const cluster = ztCluster();
    const { gateway } = gatewayIn(cluster, { hostname: 'app.localhost' });
    const gw = find(Testing.synth(cluster), 'Gateway', 'local');
    expect(gw.spec.listeners.map((l: any) => [l.name, l.hostname])).toEqual([['http', undefined], ['https', 'app.localhost']]);
    expect(gateway.apexHostname).toBeUndefined();
    expect(gateway.urls.https).toBe('https://app.localhost:30443');
  });

  test('redirectHttpToHttps: HTTP only redirects to the host HTTPS port and accepts routes from its own namespace', () => {
    const cluster = ztCluster({ hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443, hostPort: 8443 }] });
    const { gateway } = gatewayIn(cluster, { redirectHttpToHttps: true });
    const manifests = Testing.synth(cluster);
    const http = find(manifests, 'Gateway', 'local').spec.listeners[0];
    expect(http.allowedRoutes.namespaces).toEqual({ from: 'Same' });
    const redirect = find(manifests, 'HTTPRoute', 'local-https-redirect');
    expect(gateway.redirectRoute).toBeDefined();
    expect(redirect.metadata.namespace).toBe('gateway');
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'local', namespace: 'gateway', sectionName: 'http' }]);
    expect(redirect.spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 8443, statusCode: 301 } }] }]);
  });

  test('must live inside a KindCiliumCluster', () => {
    const app = new App();
    const ca = { issuerRef: { name: 'x', kind: 'ClusterIssuer' as const, group: 'cert-manager.io' as const } };
    expect(() => new LocalGateway(app, 'gw', { certificateAuthority: ca })).toThrow(PlatformConfigError);
  });

  test('synthesis is deterministic', () => {
    const render = () => {
      const cluster = ztCluster();
      const { gateway } = gatewayIn(cluster);
      new ApiObject(cluster, 'demo-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
      gateway.addHttpRoute('b', { namespace: 'demo', hostnames: ['b.localhost'], backend: { name: 'b', port: 80 } });
      gateway.addHttpRoute('a', { namespace: 'demo', hostnames: ['a.localhost'], backend: { name: 'a', port: 80 } });
      return JSON.stringify(emittedObjects(cluster));
    };
    const first = render();
    expect(render()).toBe(first);
    expect(first).toContain('"dnsNames":["*.localhost","localhost","a.localhost","b.localhost"]');
  });
});
