import { X509Certificate } from 'crypto';
import { FACTS_1_20, GW, apply, cond, gateway, grant, http, httpRoute, https, namespace, parentOf, service } from './gateway-builders';
import { CA_CERT_PEM, LEAF_CERT_PEM, tlsSecretData } from './tls-fixtures';
import { ciliumGatewayServices } from '../../src/applied/gateway-api';
import { ciliumGatewayControllerFacts } from '../../src/applied/gateway-facts';
import { ciliumGatewayServiceName, shortenK8sResourceName } from '../../src/applied/gateway-service';
import { KubeObject } from '../../src/applied/objects';
import { ciliumMinorFacts } from '../../src/spec/version-matrix';

/**
 * Hand-written cases for every reason the Gateway model gives, runnable on every clone (the conformance cases need
 * the reference folder). The expectations follow Cilium's operator at the v1.20 branch point; each names its rule.
 */

const base: KubeObject[] = [namespace('infra'), namespace('apps', { team: 'a' }), service('infra', 'web'), service('apps', 'web')];
const secret = (ns: string, name: string, data: Record<string, string> = tlsSecretData()): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: ns }, data });

describe('route parent conditions: one scenario per reason', () => {
  const gw = (listeners: any[]) => gateway('infra', 'gw', listeners);
  test.each<[string, KubeObject[], string, string]>([
    ['a route in the Gateway namespace, from: Same', [gw([http('h', 80, { allowedRoutes: { namespaces: { from: 'Same' } } })]),
      httpRoute('infra', 'r', [{ name: 'gw' }])], 'True/Accepted', 'True/ResolvedRefs'],
    ['a route in another namespace, from: Same (Cilium CheckGatewayAllowedForNamespace)',
      [gw([http('h', 80, { allowedRoutes: { namespaces: { from: 'Same' } } })]), httpRoute('apps', 'r', [{ name: 'gw', namespace: 'infra' }])],
      'False/NotAllowedByListeners', 'True/ResolvedRefs'],
    ['a Selector that does not select the route namespace', [gw([http('h', 80, { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'b' } } } } })]),
      httpRoute('apps', 'r', [{ name: 'gw', namespace: 'infra' }])], 'False/NotAllowedByListeners', 'True/ResolvedRefs'],
    ['allowedRoutes.kinds without HTTPRoute (CheckGatewayRouteKindAllowed)', [gw([http('h', 80, { allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }] } })]),
      httpRoute('infra', 'r', [{ name: 'gw' }])], 'False/NotAllowedByListeners', 'True/ResolvedRefs'],
    ['only a TCP listener (CheckGatewayMatchingProtocol)', [gw([{ name: 't', port: 9000, protocol: 'TCP' }]), httpRoute('infra', 'r', [{ name: 'gw' }])],
      'False/NotAllowedByListeners', 'True/ResolvedRefs'],
    ['parentRef.port without a listener (CheckGatewayMatchingPorts)', [gw([http()]), httpRoute('infra', 'r', [{ name: 'gw', port: 81 }])],
      'False/NoMatchingParent', 'True/ResolvedRefs'],
    ['sectionName without a listener (CheckGatewayMatchingSection)', [gw([http()]), httpRoute('infra', 'r', [{ name: 'gw', sectionName: 'nope' }])],
      'False/NoMatchingParent', 'True/ResolvedRefs'],
    ['route hostnames outside the listener hostname', [gw([http('h', 80, { hostname: '*.example.com' })]),
      httpRoute('infra', 'r', [{ name: 'gw' }], undefined, ['example.com', 'other.org'])], 'False/NoMatchingListenerHostname', 'True/ResolvedRefs'],
    ['a missing backend Service', [gw([http()]), httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ name: 'nope', port: 80 }] }])],
      'True/Accepted', 'False/BackendNotFound'],
    ['a backend in another namespace without a ReferenceGrant', [gw([http()]),
      httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ name: 'web', namespace: 'apps', port: 8080 }] }])], 'True/Accepted', 'False/RefNotPermitted'],
    ['a backend in another namespace with a ReferenceGrant', [gw([http()]),
      grant('apps', 'g', [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }], [{ group: '', kind: 'Service' }]),
      httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ name: 'web', namespace: 'apps', port: 8080 }] }])], 'True/Accepted', 'True/ResolvedRefs'],
    ['a backend of another kind', [gw([http()]), httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ group: 'x.io', kind: 'Bucket', name: 'web', port: 1 }] }])],
      'True/Accepted', 'False/InvalidKind'],
    ['a Service backend without a port', [gw([http()]), httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ name: 'web' }] }])],
      'True/Accepted', 'False/InvalidKind'],
    ['a backend port the Service does not expose (Cilium never reads Service ports; behaviour case gw-24)',
      [gw([http()]), httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ name: 'web', port: 9999 }] }])], 'True/Accepted', 'True/ResolvedRefs'],
    ['a path regex RE2 refuses (ValidateMatchRegexps)', [gw([http()]),
      httpRoute('infra', 'r', [{ name: 'gw' }], [{ matches: [{ path: { type: 'RegularExpression', value: '/(a' } }], backendRefs: [{ name: 'web', port: 8080 }] }])],
    'False/UnsupportedValue', 'True/ResolvedRefs'],
  ])('%s', (_what, objects, accepted, resolved) => {
    const p = parentOf(apply([...base, ...objects]), `HTTPRoute/${objects[objects.length - 1].metadata.namespace}/r`);
    expect([cond(p.conditions?.Accepted), cond(p.conditions?.ResolvedRefs)]).toEqual([accepted, resolved]);
    expect(p.attachedListeners.length > 0).toBe(accepted === 'True/Accepted');
  });

  test('sectionName and port that pick no single listener: Cilium leaves Accepted True, but the route attaches nowhere', () => {
    const state = apply([...base, gateway('infra', 'gw', [http('a', 80), http('b', 8080)]), httpRoute('infra', 'r', [{ name: 'gw', sectionName: 'a', port: 8080 }])]);
    const p = parentOf(state, 'HTTPRoute/infra/r');
    expect(cond(p.conditions?.Accepted)).toBe('True/Accepted');
    expect(p.attachedListeners).toEqual([]);
    expect(state.gateways[0].listeners.map((l) => l.attachedRoutes)).toEqual([0, 0]);
  });

  test('no status is written for a parent the controller does not own', () => {
    const objects = [...base, gateway('infra', 'other', [http()], { gatewayClassName: 'nginx' }),
      httpRoute('infra', 'r', [{ name: 'missing' }, { name: 'other' }])];
    const r = apply(objects).routes[0];
    expect(r.reconciled).toBe(false);
    expect(r.parents.map((p) => p.conditions)).toEqual([undefined, undefined]);
    expect(r.parents.map((p) => p.noStatusReason)).toEqual(['Gateway infra/missing does not exist', 'Gateway infra/other: GatewayClass nginx does not exist']);
  });

  test('a route kind the controller does not reconcile gets no status (TCPRoute before Cilium 1.20)', () => {
    const facts = ciliumGatewayControllerFacts(ciliumMinorFacts('1.19').gatewayApi);
    const tcp = { apiVersion: GW, kind: 'TCPRoute', metadata: { name: 't', namespace: 'infra' }, spec: { parentRefs: [{ name: 'gw' }], rules: [] } };
    const state = apply([...base, gateway('infra', 'gw', [http(), { name: 't', port: 9000, protocol: 'TCP' }]), tcp], undefined, facts);
    expect(state.routes[0].reconciled).toBe(false);
    expect(cond(state.gateways[0].listeners[1].conditions.Accepted)).toBe('False/UnsupportedProtocol');
  });

  test('a TCP listener without the TCPRoute CRD: accepted (Cilium knows the protocol), but TCPRoutes get no status', () => {
    const facts = ciliumGatewayControllerFacts(ciliumMinorFacts('1.20').gatewayApi, { missingRouteCrds: ['TCPRoute'] });
    const tcp = { apiVersion: GW, kind: 'TCPRoute', metadata: { name: 't', namespace: 'infra' }, spec: { parentRefs: [{ name: 'gw' }], rules: [] } };
    const state = apply([...base, gateway('infra', 'gw', [{ name: 't', port: 9000, protocol: 'TCP' }]), tcp], undefined, facts);
    const l = state.gateways[0].listeners[0];
    expect([cond(l.conditions.Accepted), l.supportedKinds, state.routes[0].reconciled]).toEqual(['True/Accepted', ['TCPRoute'], false]);
  });

  test('a route namespace the bundle does not create is not selected (issue 18: gateway-access label missing)', () => {
    const gwSel = gateway('infra', 'gw', [http('h', 80, { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'gateway-access': 'true' } } } } })]);
    const unlabelled = apply([...base, gwSel, service('shop', 'web'), httpRoute('shop', 'r', [{ name: 'gw', namespace: 'infra' }])]);
    expect(cond(parentOf(unlabelled, 'HTTPRoute/shop/r').conditions?.Accepted)).toBe('False/NotAllowedByListeners');
    const labelled = apply([...base, gwSel, namespace('shop', { 'gateway-access': 'true' }), service('shop', 'web'), httpRoute('shop', 'r', [{ name: 'gw', namespace: 'infra' }])]);
    expect(cond(parentOf(labelled, 'HTTPRoute/shop/r').conditions?.Accepted)).toBe('True/Accepted');
  });
});

describe('listener conditions', () => {
  const listenerOf = (listeners: any[], extra: KubeObject[] = []) => apply([...base, ...extra, gateway('infra', 'gw', listeners)]).gateways[0].listeners;
  test.each<[string, any[], KubeObject[], string, string]>([
    ['a valid HTTP listener', [http()], [], 'True/Accepted', 'True/ResolvedRefs'],
    ['an unsupported protocol', [{ name: 'x', port: 1, protocol: 'FOO' }, http()], [], 'False/UnsupportedProtocol', 'absent'],
    ['kinds naming only an unknown kind', [http('h', 80, { allowedRoutes: { kinds: [{ kind: 'Bogus' }] } })], [], 'False/Invalid', 'False/InvalidRouteKinds'],
    ['kinds naming a valid and an unknown kind', [http('h', 80, { allowedRoutes: { kinds: [{ kind: 'Bogus' }, { kind: 'HTTPRoute' }] } })], [],
      'True/Accepted', 'False/InvalidRouteKinds'],
    ['HTTPS with its Secret', [https('s', 'tls')], [secret('infra', 'tls')], 'True/Accepted', 'True/ResolvedRefs'],
    ['HTTPS with a missing Secret', [https('s', 'tls')], [], 'False/Invalid', 'False/InvalidCertificateRef'],
    ['HTTPS with a Secret without PEM', [https('s', 'tls')], [secret('infra', 'tls', { 'tls.crt': 'SGVsbG8=', 'tls.key': 'SGVsbG8=' })],
      'False/Invalid', 'False/InvalidCertificateRef'],
    ['HTTPS with a ConfigMap reference', [https('s', 'tls', { tls: { certificateRefs: [{ group: '', kind: 'ConfigMap', name: 'tls' }] } })], [secret('infra', 'tls')],
      'False/Invalid', 'False/InvalidCertificateRef'],
    ['HTTPS with a Secret in another namespace, no grant', [https('s', 'tls', { tls: { certificateRefs: [{ name: 'tls', namespace: 'apps' }] } })], [secret('apps', 'tls')],
      'False/Invalid', 'False/RefNotPermitted'],
    ['HTTPS with a Secret in another namespace, granted', [https('s', 'tls', { tls: { certificateRefs: [{ name: 'tls', namespace: 'apps' }] } })],
      [secret('apps', 'tls'), grant('apps', 'g', [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra' }], [{ group: '', kind: 'Secret', name: 'tls' }])],
      'True/Accepted', 'True/ResolvedRefs'],
    ['a cert-manager issued Secret (annotated, no data yet)', [https('s', 'tls')],
      [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'infra', annotations: { 'cert-manager.io/certificate-name': 'tls' } } }],
      'True/Accepted', 'True/ResolvedRefs'],
    ['TLS in Terminate mode (Cilium serves Passthrough only)', [{ name: 't', port: 443, protocol: 'TLS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'tls' }] } }, http()],
      [secret('infra', 'tls')], 'False/UnsupportedValue', 'absent'],
  ])('%s', (_what, listeners, extra, accepted, resolved) => {
    const l = listenerOf(listeners, extra)[0];
    expect([cond(l.conditions.Accepted), cond(l.conditions.ResolvedRefs)]).toEqual([accepted, resolved]);
  });

  test.each<[string, any, any, string | undefined]>([
    ['two HTTP listeners, one port, one hostname', http('a'), http('b'), 'HostnameConflict'],
    ['two HTTP listeners, one port, different hostnames', http('a', 80, { hostname: 'a.com' }), http('b', 80, { hostname: 'b.com' }), undefined],
    ['TCP and HTTP on one port', { name: 'a', port: 80, protocol: 'TCP' }, http('b'), 'ProtocolConflict'],
    ['TCP and UDP on one port', { name: 'a', port: 53, protocol: 'TCP' }, { name: 'b', port: 53, protocol: 'UDP' }, undefined],
    ['HTTPS and TLS passthrough with overlapping names', https('a', 'tls'), { name: 'b', port: 443, protocol: 'TLS', hostname: 'x.com', tls: { mode: 'Passthrough' } }, 'ProtocolConflict'],
  ])('conflicts: %s', (_what, a, b, reason) => {
    const ls = listenerOf([a, b], [secret('infra', 'tls')]);
    expect(ls.map((l) => l.conditions.Conflicted?.reason)).toEqual([reason, reason]);
  });
});

describe('Gateway conditions and its Service', () => {
  test('a Gateway of a class nobody installs, or of another controller, is left alone', () => {
    const state = apply([gateway('infra', 'a', [http()], { gatewayClassName: 'missing' }),
      { apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'nginx' }, spec: { controllerName: 'example.com/nginx' } },
      gateway('infra', 'b', [http()], { gatewayClassName: 'nginx' })]);
    expect(state.gateways.map((g) => [g.managed, g.conditions, g.service])).toEqual([[false, undefined, undefined], [false, undefined, undefined]]);
    expect(state.gateways[1].unmanagedReason).toBe('GatewayClass nginx belongs to controller example.com/nginx');
  });

  test.each<[string, KubeObject[], string, string, boolean]>([
    ['an address from LB-IPAM', [gateway('infra', 'gw', [http()])], 'True/Accepted', 'True/Programmed', true],
    ['spec.infrastructure.parametersRef', [gateway('infra', 'gw', [http()], { infrastructure: { parametersRef: { group: 'x', kind: 'Y', name: 'z' } } })],
      'False/InvalidParameters', 'Unknown/Pending', false],
    ['a hostname in spec.addresses', [gateway('infra', 'gw', [http()], { addresses: [{ type: 'Hostname', value: 'gw.example' }] })],
      'False/UnsupportedAddress', 'False/ListenersNotReady', false],
    ['a static address LB-IPAM did not assign', [gateway('infra', 'gw', [http()], { addresses: [{ value: '10.9.9.9' }] })], 'True/Accepted', 'False/AddressNotUsable', true],
    ['no valid listener', [gateway('infra', 'gw', [{ name: 'x', port: 1, protocol: 'FOO' }])], 'False/ListenersNotValid', 'False/ListenersNotValid', false],
  ])('%s', (_what, objects, accepted, programmed, hasService) => {
    const g = apply([...base, ...objects]).gateways[0];
    expect([cond(g.conditions?.Accepted), cond(g.conditions?.Programmed), g.service !== undefined]).toEqual([accepted, programmed, hasService]);
  });

  test('without an address the Gateway and its listeners wait (Programmed False)', () => {
    const g = apply([...base, gateway('infra', 'gw', [http()])], []).gateways[0];
    expect([cond(g.conditions?.Programmed), cond(g.listeners[0].conditions.Programmed)]).toEqual(['False/AddressNotAssigned', 'False/Pending']);
  });

  test('the Service: name, labels and annotations from spec.infrastructure, spec.addresses, one port per listener port', () => {
    const gw = gateway('infra', 'gw', [http('h', 80), https('s', 'tls'), { name: 'd', port: 53, protocol: 'UDP' }, { name: 't', port: 53, protocol: 'TCP' }], {
      infrastructure: { labels: { pool: 'gw' }, annotations: { 'lbipam.cilium.io/sharing-key': 'k' } },
      addresses: [{ type: 'IPAddress', value: '172.18.255.10' }],
    });
    const [svc] = ciliumGatewayServices([...base, secret('infra', 'tls'), gw], FACTS_1_20);
    expect(svc.metadata).toMatchObject({
      name: 'cilium-gateway-gw',
      namespace: 'infra',
      labels: { 'io.cilium.gateway/owning-gateway': 'gw', 'gateway.networking.k8s.io/gateway-name': 'gw', 'pool': 'gw' },
      annotations: { 'lbipam.cilium.io/sharing-key': 'k', 'io.cilium/lb-ipam-ips': '172.18.255.10' },
    });
    expect(svc.spec).toEqual({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ports: [{ name: 'port-53', port: 53, protocol: 'TCP' }, { name: 'port-53-udp', port: 53, protocol: 'UDP' },
        { name: 'port-80', port: 80, protocol: 'TCP' }, { name: 'port-443', port: 443, protocol: 'TCP' }],
    });
  });

  test('the Service from a CiliumGatewayClassConfig (Cilium testdata basic_http_listener_load_balancer)', () => {
    const objects: KubeObject[] = [
      {
        apiVersion: GW,
        kind: 'GatewayClass',
        metadata: { name: 'lb' },
        spec: { controllerName: 'io.cilium/gateway-controller', parametersRef: { group: 'cilium.io', kind: 'CiliumGatewayClassConfig', name: 'cfg', namespace: 'default' } },
      },
      {
        apiVersion: 'cilium.io/v2alpha1',
        kind: 'CiliumGatewayClassConfig',
        metadata: { name: 'cfg', namespace: 'default' },
        spec: {
          service: {
            type: 'LoadBalancer',
            externalTrafficPolicy: 'Local',
            ipFamilies: ['IPv4', 'IPv6'],
            ipFamilyPolicy: 'PreferDualStack',
            loadBalancerClass: 'cilium',
            loadBalancerSourceRangesPolicy: 'Deny',
            loadBalancerSourceRanges: ['10.0.0.0/8'],
            allocateLoadBalancerNodePorts: true,
            trafficDistribution: 'PreferClose',
          },
        },
      },
      gateway('default', 'my-gateway', [http('prod-web-gw')], { gatewayClassName: 'lb' }),
    ];
    const [svc] = ciliumGatewayServices(objects, FACTS_1_20);
    expect(svc.metadata.annotations).toEqual({ 'service.cilium.io/src-ranges-policy': 'Deny' });
    expect(svc.spec).toEqual({
      type: 'LoadBalancer',
      ports: [{ name: 'port-80', port: 80, protocol: 'TCP' }],
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
      allocateLoadBalancerNodePorts: true,
      loadBalancerClass: 'cilium',
      trafficDistribution: 'PreferClose',
      externalTrafficPolicy: 'Local',
      loadBalancerSourceRanges: ['10.0.0.0/8'],
    });
  });

  test('host network: a NodePort Service without externalTrafficPolicy', () => {
    const facts = ciliumGatewayControllerFacts(ciliumMinorFacts('1.20').gatewayApi, { hostNetwork: true });
    const [svc] = ciliumGatewayServices([gateway('infra', 'gw', [http()])], facts);
    expect([svc.spec.type, svc.spec.externalTrafficPolicy]).toEqual(['NodePort', undefined]);
  });

  test('long names are shortened as pkg/shortener does (vector from sha256sum, not from the model)', () => {
    const name = 'a-very-long-gateway-name-that-goes-well-past-the-dns-label-limit';
    expect(ciliumGatewayServiceName(name)).toBe('cilium-gateway-a-very-long-gateway-name-that-goes-we-7kk769fcbb');
    expect(shortenK8sResourceName('x'.repeat(63))).toBe('x'.repeat(63));
  });

  test('ListenerSets: only with allowedListeners, and a listener conflicting with the Gateway loses', () => {
    const ls = (ns: string, name: string, listeners: any[]): KubeObject =>
      ({ apiVersion: GW, kind: 'ListenerSet', metadata: { name, namespace: ns }, spec: { parentRef: { name: 'gw', namespace: 'infra' }, listeners } });
    const objects = [...base, gateway('infra', 'gw', [http()], { allowedListeners: { namespaces: { from: 'Same' } } }),
      ls('infra', 'mine', [http('dup'), http('other', 8080)]), ls('apps', 'theirs', [http('x', 9090)])];
    const state = apply(objects);
    const [mine, theirs] = state.listenerSets;
    expect(mine.listeners.map((l) => [l.name, cond(l.conditions.Accepted)])).toEqual([['dup', 'False/HostnameConflict'], ['other', 'True/Accepted']]);
    expect([mine.attached, cond(mine.conditions?.Accepted), theirs.attached, cond(theirs.conditions?.Accepted)])
      .toEqual([true, 'True/Accepted', false, 'False/NotAllowed']);
    expect(state.gateways[0].service?.spec.ports.map((p: any) => p.port)).toEqual([80, 8080]);
  });

  test('the CA certificate fixture is a CA (the TLS fixtures are what they say)', () => {
    expect([new X509Certificate(CA_CERT_PEM).ca, new X509Certificate(LEAF_CERT_PEM).ca]).toEqual([true, false]);
  });
});
