import { App } from 'cdk8s';
import { CERT_MANAGER_RELEASE_MANIFEST_CONFIG, applyCertManager } from '../../src/applied/cert-manager';
import { GatewayApiState, applyGatewayApi, gatewayHttpRequest } from '../../src/applied/gateway-api';
import { HttpOutcome } from '../../src/applied/gateway-dataplane';
import { ciliumGatewayControllerFacts } from '../../src/applied/gateway-facts';
import { KubeObject } from '../../src/applied/objects';
import { LocalCertificateAuthority } from '../../src/cert-manager/local-ca';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { LocalGateway, LocalGatewayProps } from '../../src/gateway/local-gateway';
import { zeroTrustPlatform } from '../../src/presets/zero-trust';
import { ciliumMinorFacts } from '../../src/spec/version-matrix';
import { addNamespaces, emittedObjects, ztCluster } from '../gateway/fixtures';

/**
 * The library's own Gateway and certificate authority, synthesized and run through the cert-manager and Gateway
 * models the way the integrator chains them (cert-manager's issued Secrets feed the Gateway model). A working
 * platform must come out working, and the issue-18 scenarios must come out broken.
 */

interface Applied {
  readonly objects: KubeObject[];
  readonly certManager: ReturnType<typeof applyCertManager>;
  readonly gateways: GatewayApiState;
}

function applyCluster(cluster: KindCiliumCluster): Applied {
  const objects = emittedObjects(cluster) as KubeObject[];
  const certManager = applyCertManager(objects, CERT_MANAGER_RELEASE_MANIFEST_CONFIG);
  const facts = ciliumGatewayControllerFacts(ciliumMinorFacts(cluster.spec.ciliumMinor).gatewayApi);
  const gateways = applyGatewayApi({ objects: [...objects, ...certManager.issuedSecretObjects], facts, serviceAddresses: () => ['172.18.255.200'] });
  return { objects, certManager, gateways };
}

function answer(o: HttpOutcome): string {
  if (o.kind === 'forward') return o.backends.map((b) => `${b.service}:${b.port}${b.state === 'Resolved' ? '' : ` ${b.state}`}`).join('+');
  return o.kind === 'status' ? `${o.status}${o.location ? ` ${o.location}` : ''}` : `refused: ${o.why}`;
}

function withGateway(props: Partial<LocalGatewayProps> & { caNamespace?: string }, ...add: ((g: LocalGateway) => void)[]): Applied {
  const cluster = ztCluster();
  const ca = new LocalCertificateAuthority(cluster, 'ca', props.caNamespace ? { namespace: props.caNamespace } : {});
  const { caNamespace: _ignored, ...gatewayProps } = props;
  const gw = new LocalGateway(cluster, 'gateway', { certificateAuthority: ca, ...gatewayProps });
  // The CA's namespace exists (the variant is about cert-manager reading the CA Secret from its own namespace).
  if (props.caNamespace) addNamespaces(cluster, props.caNamespace);
  for (const f of add) f(gw);
  return applyCluster(cluster);
}

describe('the zero-trust preset works once applied', () => {
  const applied = applyCluster(zeroTrustPlatform(new App()));

  test('every issuer is Ready and every Certificate issued', () => {
    expect(applied.certManager.issuers.map((i) => [i.ref, i.Ready.status])).toEqual([['ClusterIssuer/local-ca', 'True'], ['ClusterIssuer/local-selfsigned', 'True']]);
    expect(applied.certManager.certificates.map((c) => [c.ref, c.Ready.reason])).toEqual([['cert-manager/local-ca', 'Ready'], ['gateway/local-tls', 'Ready']]);
  });

  test('the Gateway is accepted and programmed, its listeners too, and the route attaches', () => {
    const [gw] = applied.gateways.gateways;
    expect([gw.conditions?.Accepted.status, gw.conditions?.Programmed.status]).toEqual(['True', 'True']);
    const c = (l: typeof gw.listeners[number]) => [l.conditions.Accepted.status, l.conditions.ResolvedRefs?.status, l.conditions.Programmed.status];
    expect(gw.listeners.map((l) => [l.name, ...c(l), l.attachedRoutes]))
      .toEqual([['http', 'True', 'True', 'True', 1], ['https', 'True', 'True', 'True', 1], ['https-apex', 'True', 'True', 'True', 0]]);
    const route = applied.gateways.routes.find((r) => r.kind === 'HTTPRoute')!;
    expect(route.parents.map((p) => [p.conditions?.Accepted.reason, p.conditions?.ResolvedRefs.reason])).toEqual([['Accepted', 'ResolvedRefs']]);
  });

  test('the Service is the one LocalGateway pre-creates (name, labels, ports)', () => {
    const [svc] = applied.gateways.services;
    const preCreated = applied.objects.find((o) => o.kind === 'Service' && o.metadata.name === svc.metadata.name && o.metadata.namespace === svc.metadata.namespace)!;
    expect(preCreated.metadata.labels).toMatchObject(svc.metadata.labels!);
    expect(preCreated.spec.ports.map((p: any) => [p.name, p.port])).toEqual(svc.spec.ports.map((p: any) => [p.name, p.port]));
  });

  test('https://nginx.localhost:30443 and http://nginx.localhost:30080 reach nginx (curl sends the port in Host)', () => {
    const ask = (port: number, tls: boolean, host: string) => answer(gatewayHttpRequest(applied.gateways, 'gateway/local', { port, tls, host, path: '/' }));
    const backend = applied.gateways.routes.find((r) => r.kind === 'HTTPRoute')!.backends[0];
    expect(ask(443, true, 'nginx.localhost:30443')).toBe(`${backend.service}:${backend.port}`);
    expect(ask(80, false, 'nginx.localhost:30080')).toBe(`${backend.service}:${backend.port}`);
    expect(ask(443, true, 'other.localhost:30443')).toBe('404');
  });
});

describe('LocalGateway variants', () => {
  test('redirectHttpToHttps: plain HTTP answers 301 to the HTTPS host port, HTTPS serves the route', () => {
    const applied = withGateway({ redirectHttpToHttps: true }, (g) => g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } }));
    const ask = (port: number, tls: boolean) => answer(gatewayHttpRequest(applied.gateways, 'gateway/local', { port, tls, host: 'app.localhost:30080', path: '/x' }));
    expect(ask(80, false)).toBe('301 https://app.localhost:30443/x');
    // Nothing creates Service gateway/web here: the route is attached, and Envoy answers 500 for want of a backend.
    expect(ask(443, true)).toBe('500');
  });

  test('issue 18: LocalCertificateAuthority in namespace pki is never Ready, so HTTPS has no certificate', () => {
    const applied = withGateway({ caNamespace: 'pki' });
    expect(applied.certManager.issuers.find((i) => i.ref === 'ClusterIssuer/local-ca')?.Ready.reason).toBe('ErrGetKeyPair');
    expect(applied.certManager.certificates.find((c) => c.ref === 'gateway/local-tls')?.Ready.reason).toBe('DoesNotExist');
    expect(applied.certManager.gatewayListeners.map((l) => [l.listener, l.served])).toEqual([['gateway/local/https', false], ['gateway/local/https-apex', false]]);
    const https = applied.gateways.gateways[0].listeners.find((l) => l.name === 'https')!;
    expect([https.conditions.ResolvedRefs?.reason, https.conditions.Programmed.status]).toEqual(['InvalidCertificateRef', 'False']);
    expect(answer(gatewayHttpRequest(applied.gateways, 'gateway/local', { port: 443, tls: true, host: 'localhost', path: '/' }))).toMatch(/^refused: TLS handshake fails/);
  });

  test('issue 18: routeNamespaceLabels with a route namespace the bundle does not label: the route is not attached', () => {
    // Namespace shop exists, without the label the listeners select.
    const applied = withGateway({ routeNamespaceLabels: { 'gateway-access': 'true' } }, (g) => addNamespaces(KindCiliumCluster.of(g), 'shop'),
      (g) => g.addHttpRoute('r', { namespace: 'shop', hostnames: ['shop.localhost'], backend: { name: 'web', port: 80 } }));
    const route = applied.gateways.routes.find((r) => r.ref === 'HTTPRoute/shop/r')!;
    expect(route.parents[0].conditions?.Accepted.reason).toBe('NotAllowedByListeners');
    expect(route.parents[0].attachedListeners).toEqual([]);
  });
});
