import fc from 'fast-check';
import { CA_CERT_PEM, LEAF_CERT_PEM, tlsSecretData } from './tls-fixtures';
import { CERT_MANAGER_RELEASE_MANIFEST_CONFIG, CertManagerConfig, applyCertManager } from '../../src/applied/cert-manager';
import { KubeObject } from '../../src/applied/objects';

/** Hand-written cases and properties of the cert-manager model, runnable without the reference folder. */

const CM = 'cert-manager.io/v1';
const config = CERT_MANAGER_RELEASE_MANIFEST_CONFIG;
const clusterIssuer = (name: string, spec: any): KubeObject => ({ apiVersion: CM, kind: 'ClusterIssuer', metadata: { name }, spec });
const issuer = (ns: string, name: string, spec: any): KubeObject => ({ apiVersion: CM, kind: 'Issuer', metadata: { name, namespace: ns }, spec });
const certificate = (ns: string, name: string, issuerRef: any, extra: any = {}): KubeObject =>
  ({ apiVersion: CM, kind: 'Certificate', metadata: { name, namespace: ns }, spec: { secretName: name, dnsNames: [`${name}.localhost`], issuerRef, ...extra } });
const secret = (ns: string, name: string, data?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: ns }, ...(data ? { data } : {}) });
const ready = (o: { status: string; reason: string } | undefined) => (o ? `${o.status}/${o.reason}` : 'absent');

describe('issuer readiness', () => {
  test.each<[string, KubeObject[], string, string]>([
    ['selfSigned', [clusterIssuer('i', { selfSigned: {} })], 'True/IsReady', ''],
    ['CA with a CA key pair in the cluster resource namespace', [clusterIssuer('i', { ca: { secretName: 'ca' } }), secret('cert-manager', 'ca', tlsSecretData(CA_CERT_PEM))],
      'True/KeyPairVerified', 'Signing CA verified'],
    ['CA whose certificate is not a CA', [clusterIssuer('i', { ca: { secretName: 'ca' } }), secret('cert-manager', 'ca', tlsSecretData(LEAF_CERT_PEM))],
      'False/ErrInvalidKeyPair', 'Error getting keypair for CA issuer: certificate is not a CA'],
    ['CA whose Secret has no data', [clusterIssuer('i', { ca: { secretName: 'ca' } }), secret('cert-manager', 'ca')],
      'False/ErrGetKeyPair', 'Error getting keypair for CA issuer: no data for "tls.crt" in secret \'cert-manager/ca\''],
    ['CA whose Secret is not PEM', [clusterIssuer('i', { ca: { secretName: 'ca' } }), secret('cert-manager', 'ca', { 'tls.crt': 'SGVsbG8=', 'tls.key': 'SGVsbG8=' })],
      'False/ErrGetKeyPair', 'Error getting keypair for CA issuer: error decoding certificate PEM block'],
    ['ClusterIssuer CA whose Secret is in another namespace (issue 18)', [clusterIssuer('i', { ca: { secretName: 'ca' } }), secret('pki', 'ca', tlsSecretData())],
      'False/ErrGetKeyPair', 'Error getting keypair for CA issuer: secret "ca" not found'],
    ['ACME (not run offline)', [clusterIssuer('i', { acme: { server: 'https://acme.example' } })], 'Unknown/NotModelled',
      'acme issuers reach outside services; the apply model does not run them'],
    ['no type', [clusterIssuer('i', {})], 'Unknown/NoIssuerType', 'no issuer type is set (the cert-manager webhook refuses this issuer)'],
  ])('%s', (_what, objects, expected, message) => {
    const i = applyCertManager(objects, config).issuers.find((x) => x.ref === 'ClusterIssuer/i')!;
    expect([ready(i.Ready), i.Ready.message]).toEqual([expected, message]);
  });

  test('a ClusterIssuer reads the cluster resource namespace the install chose; an Issuer its own namespace only', () => {
    const objects = [clusterIssuer('c', { ca: { secretName: 'ca' } }), issuer('team', 'i', { ca: { secretName: 'ca' } }), secret('kube-system', 'ca', tlsSecretData())];
    const states = (cfg: CertManagerConfig) => applyCertManager(objects, cfg).issuers.map((i) => `${i.ref}=${ready(i.Ready)}`);
    expect(states(config)).toEqual(['ClusterIssuer/c=False/ErrGetKeyPair', 'Issuer/team/i=False/ErrGetKeyPair']);
    expect(states({ ...config, clusterResourceNamespace: 'kube-system' })).toEqual(['ClusterIssuer/c=True/KeyPairVerified', 'Issuer/team/i=False/ErrGetKeyPair']);
  });
});

describe('Certificates', () => {
  const selfSigned = clusterIssuer('ss', { selfSigned: {} });
  test.each<[string, KubeObject[], string, string | undefined, boolean]>([
    ['from a Ready issuer', [selfSigned, certificate('app', 'web', { name: 'ss', kind: 'ClusterIssuer', group: 'cert-manager.io' })],
      'True/Ready', 'True/Issued', true],
    ['from a missing ClusterIssuer', [certificate('app', 'web', { name: 'nope', kind: 'ClusterIssuer' })], 'False/DoesNotExist', 'False/Pending', false],
    ['issuerRef without kind means Issuer, which only serves its own namespace', [issuer('other', 'ss', { selfSigned: {} }), certificate('app', 'web', { name: 'ss' })],
      'False/DoesNotExist', 'False/Pending', false],
    ['from an issuer that is not Ready', [clusterIssuer('ca', { ca: { secretName: 'missing' } }), certificate('app', 'web', { name: 'ca', kind: 'ClusterIssuer' })],
      'False/DoesNotExist', 'False/Pending', false],
    ['from an external issuer (another API group): cert-manager leaves the request to it', [certificate('app', 'web', { name: 'x', kind: 'AWSPCAIssuer', group: 'awspca.cert-manager.io' })],
      'False/DoesNotExist', undefined, false],
    ['with an applied empty Secret and no issuer', [secret('app', 'web'), certificate('app', 'web', { name: 'nope', kind: 'ClusterIssuer' })],
      'False/MissingData', 'False/Pending', false],
  ])('%s', (_what, objects, expected, request, issued) => {
    const state = applyCertManager(objects, config);
    const c = state.certificates.find((x) => x.ref === 'app/web')!;
    expect([ready(c.Ready), c.request ? ready(c.request.Ready) : undefined, c.issued]).toEqual([expected, request, issued]);
    expect(state.secrets.some((s) => s.ref === 'app/web')).toBe(issued || objects.some((o) => o.kind === 'Secret'));
  });

  test('an issued Secret is handed to the Gateway model as an annotated kubernetes.io/tls Secret', () => {
    const state = applyCertManager([selfSigned, certificate('app', 'web', { name: 'ss', kind: 'ClusterIssuer' })], config);
    expect(state.issuedSecretObjects).toEqual([{
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'web', namespace: 'app', annotations: { 'cert-manager.io/certificate-name': 'web' } },
    }]);
  });

  test('a CA issuer over a Certificate that is not isCA: ErrInvalidKeyPair', () => {
    const objects = [selfSigned, certificate('cert-manager', 'ca', { name: 'ss', kind: 'ClusterIssuer' }), clusterIssuer('ca', { ca: { secretName: 'ca' } })];
    expect(ready(applyCertManager(objects, config).issuers.find((i) => i.ref === 'ClusterIssuer/ca')!.Ready)).toBe('False/ErrInvalidKeyPair');
  });

  test('a CA issuer whose Secret only it could issue never bootstraps', () => {
    const objects = [clusterIssuer('ca', { ca: { secretName: 'ca' } }), certificate('cert-manager', 'ca', { name: 'ca', kind: 'ClusterIssuer' }, { isCA: true })];
    const state = applyCertManager(objects, config);
    expect([ready(state.issuers[0].Ready), state.certificates[0].issued]).toEqual(['False/ErrGetKeyPair', false]);
  });
});

describe('CA chains resolve in dependency order, whatever the object order', () => {
  /** selfSigned -> CA 1 -> issuer 1 -> CA 2 -> ... -> issuer n -> leaf; `broken` moves one CA Secret to the wrong namespace. */
  function chain(n: number, broken?: number): KubeObject[] {
    const objects: KubeObject[] = [clusterIssuer('root', { selfSigned: {} })];
    for (let i = 1; i <= n; i++) {
      const parent = i === 1 ? 'root' : `ca-${i - 1}`;
      objects.push(certificate(i === broken ? 'elsewhere' : 'cert-manager', `ca-${i}`, { name: parent, kind: 'ClusterIssuer' }, { isCA: true }));
      objects.push(clusterIssuer(`ca-${i}`, { ca: { secretName: `ca-${i}` } }));
    }
    objects.push(certificate('app', 'leaf', { name: `ca-${n}`, kind: 'ClusterIssuer' }));
    return objects;
  }

  test('every link holds: all Ready; one broken link: everything below it fails, everything above holds', () => {
    const scenario = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n),
      fc.option(fc.integer({ min: 1, max: n }), { nil: undefined }),
      fc.shuffledSubarray([...Array(2 * n + 2).keys()], { minLength: 2 * n + 2 })));
    fc.assert(fc.property(scenario, ([n, broken, order]) => {
      const ordered = chain(n, broken);
      const objects = order.map((i) => ordered[i]);
      const state = applyCertManager(objects, config);
      for (let i = 1; i <= n; i++) {
        const ok = broken === undefined || i < broken;
        expect(state.issuers.find((x) => x.ref === `ClusterIssuer/ca-${i}`)!.Ready.status).toBe(ok ? 'True' : 'False');
      }
      expect(state.certificates.find((c) => c.ref === 'app/leaf')!.issued).toBe(broken === undefined);
    }), { numRuns: 120, seed: 20261207 });
  });
});

describe('gateway-shim', () => {
  const gw = (annotations: Record<string, string>, listeners: any[]): KubeObject =>
    ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'web', annotations }, spec: { gatewayClassName: 'cilium', listeners } });
  const httpsListener = (hostname: string, secretName: string) => ({ name: hostname, hostname, port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: secretName }] } });
  const shim = { ...config, enableGatewayAPI: true };

  test('off unless the controller runs with --enable-gateway-api (the release manifest does not)', () => {
    expect(applyCertManager([gw({ 'cert-manager.io/cluster-issuer': 'ca' }, [httpsListener('a.example', 'a')])], config).createdCertificates).toEqual([]);
  });

  test('one Certificate per Secret, IP hostnames as ipAddresses, annotations translated', () => {
    const state = applyCertManager([gw({ 'cert-manager.io/cluster-issuer': 'ca', 'cert-manager.io/duration': '2160h' },
      [httpsListener('a.example', 'tls'), httpsListener('10.0.0.1', 'tls'), httpsListener('b.example', 'b')])], shim);
    expect(state.createdCertificates.map((c) => [c.metadata.name, c.spec])).toEqual([
      ['tls', {
        dnsNames: ['a.example'],
        ipAddresses: ['10.0.0.1'],
        secretName: 'tls',
        issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: '' },
        usages: ['digital signature', 'key encipherment'],
        duration: '2160h',
      }],
      ['b', {
        dnsNames: ['b.example'],
        secretName: 'b',
        issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: '' },
        usages: ['digital signature', 'key encipherment'],
        duration: '2160h',
      }],
    ]);
    expect(state.certificates.filter((c) => c.createdBy === 'gateway-shim').map((c) => c.ref)).toEqual(['web/tls', 'web/b']);
  });

  test('bad annotations: one BadConfig event, no Certificate; a Certificate that exists already is left alone', () => {
    const both = applyCertManager([gw({ 'cert-manager.io/cluster-issuer': 'a', 'cert-manager.io/issuer': 'b' }, [httpsListener('a.example', 'tls')])], shim);
    expect(both.events.map((e) => `${e.type} ${e.reason} ${e.message}`)).toEqual([
      'Warning BadConfig Could not determine issuer for ingress due to bad annotations: both "cert-manager.io/issuer" and "cert-manager.io/cluster-issuer" may not be set',
    ]);
    const existing = applyCertManager([certificate('web', 'tls', { name: 'x' }), gw({ 'cert-manager.io/issuer': 'b' }, [httpsListener('a.example', 'tls')])], shim);
    expect(existing.createdCertificates).toEqual([]);
    const badDuration = applyCertManager([gw({ 'cert-manager.io/issuer': 'b', 'cert-manager.io/duration': 'soon' }, [httpsListener('a.example', 'tls')])], shim);
    expect([badDuration.createdCertificates, badDuration.shimErrors.map((e) => e.message)])
      .toEqual([[], ['invalid ingress annotation "cert-manager.io/duration": time: invalid duration "soon"']]);
  });
});
