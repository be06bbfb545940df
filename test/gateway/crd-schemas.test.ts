import { Testing } from 'cdk8s';
import { CrdValidator, REFERENCE_DIR, referenceAvailable, translateGoRegex } from './crd-validator';
import { ztCluster } from './fixtures';
import { LocalCertificateAuthority } from '../../src/gateway/local-ca';
import { LocalGateway } from '../../src/gateway/local-gateway';

const GROUPS = ['gateway.networking.k8s.io/', 'cert-manager.io/'];

test('Go regex classes translate to ECMAScript unicode classes', () => {
  expect(translateGoRegex('^[\\PC]+$')).toBe('^[\\P{C}]+$');
  expect(translateGoRegex('\\pL\\pN')).toBe('\\p{L}\\p{N}');
  expect(translateGoRegex('\\p{L}')).toBe('\\p{L}');
  expect(translateGoRegex('\\\\pL')).toBe('\\\\pL');
  expect(new RegExp(translateGoRegex('^[\\PC]*$'), 'u').test('héllo')).toBe(true);
});

const haveReference = referenceAvailable();
if (!haveReference) {
  // eslint-disable-next-line no-console
  console.warn(`NOTICE: upstream CRDs not found in ${REFERENCE_DIR}; skipping Gateway API / cert-manager schema validation.`);
}

(haveReference ? describe : describe.skip)('emitted Gateway API and cert-manager objects satisfy the upstream CRD schemas', () => {
  let validator: CrdValidator;
  beforeAll(() => {
    validator = new CrdValidator();
  });

  function emitted(redirect: boolean): any[] {
    const cluster = ztCluster();
    const ca = new LocalCertificateAuthority(cluster, 'ca');
    const gateway = new LocalGateway(cluster, 'gateway', {
      certificateAuthority: ca,
      redirectHttpToHttps: redirect,
      ...(redirect ? { routeNamespaceLabels: { 'gateway-access': 'true' } } : {}),
    });
    gateway.addHttpRoute('demo', { namespace: 'demo', hostnames: ['demo.localhost'], backend: { name: 'echo', port: 8080 }, pathPrefix: '/api' });
    gateway.addHttpRoute('cross', { namespace: 'routes', backend: { name: 'echo', port: 80, namespace: 'apps' } });
    return Testing.synth(cluster).filter((o) => GROUPS.some((g) => String(o.apiVersion).startsWith(g)));
  }

  test('the served versions we emit are loaded', () => {
    expect(validator.kinds).toEqual(expect.arrayContaining([
      'gateway.networking.k8s.io/v1/Gateway',
      'gateway.networking.k8s.io/v1/HTTPRoute',
      'gateway.networking.k8s.io/v1beta1/ReferenceGrant',
      'cert-manager.io/v1/Certificate',
      'cert-manager.io/v1/ClusterIssuer',
    ]));
  });

  test.each([false, true])('redirectHttpToHttps=%s: every object validates', (redirect) => {
    const objects = emitted(redirect);
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['Certificate', 'Certificate', 'ClusterIssuer', 'ClusterIssuer', 'Gateway', 'HTTPRoute', 'HTTPRoute', 'ReferenceGrant']));
    for (const o of objects) {
      expect(validator.covers(o)).toBe(true);
      expect(validator.errors(o)).toEqual([]);
    }
  });

  test('the validator rejects broken objects (it is not vacuous)', () => {
    const objects = emitted(false);
    const gateway = objects.find((o) => o.kind === 'Gateway');
    const broken = JSON.parse(JSON.stringify(gateway));
    broken.spec.listeners[0].port = 0;
    broken.spec.listeners[1].hostname = 'Not A Hostname';
    expect(validator.errors(broken).length).toBeGreaterThanOrEqual(2);

    const cert = JSON.parse(JSON.stringify(objects.find((o) => o.kind === 'Certificate')));
    delete cert.spec.issuerRef.name;
    cert.spec.privateKey.algorithm = 'DSA';
    expect(validator.errors(cert).join('\n')).toMatch(/name/);
    expect(validator.errors(cert).join('\n')).toMatch(/allowed values|enum/);
    expect(() => validator.errors({ apiVersion: 'gateway.networking.k8s.io/v9', kind: 'Gateway' })).toThrow(/no served CRD version/);
  });
});
