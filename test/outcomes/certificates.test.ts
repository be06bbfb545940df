import { ApiObject, JsonPatch } from 'cdk8s';
import { failing, gatewayCluster, outcomesOf, violationsOf } from './routes-support';
import { KindCiliumCluster } from '../../src';

/**
 * The certificates family (src/outcomes/certificates.ts) through the public API: LocalCertificateAuthority,
 * LocalGateway, raw issuers and Certificates, ReferenceGrants and JsonPatch.
 */

const CERT_IDS = ['issuer-not-ready', 'certificate-not-issued', 'listener-certificate-missing'];
const certViolations = (c: KindCiliumCluster) => violationsOf(c).filter((v) => CERT_IDS.includes(v.rule));

function certManagerObject(scope: KindCiliumCluster, id: string, kind: string, metadata: Record<string, string>,
  spec: Record<string, unknown>): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'cert-manager.io/v1', kind, metadata, spec });
}

describe('LocalCertificateAuthority namespace: only cert-manager\'s cluster resource namespace works with its ClusterIssuer', () => {
  test.each([undefined, 'cert-manager', 'pki', 'gateway', 'kube-system'])('namespace %s', (namespace) => {
    const cluster = gatewayCluster(namespace ? { caNamespace: namespace } : {}, (g, c) => {
      new ApiObject(c, 'web', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'gateway' }, spec: { ports: [{ port: 80 }] } });
      g.addHttpRoute('r', { namespace: 'gateway', hostnames: ['app.localhost'], backend: { name: 'web', port: 80 } });
    });
    const works = namespace === undefined || namespace === 'cert-manager';
    const found = certViolations(cluster);
    if (works) {
      expect(failing(outcomesOf(cluster))).toEqual([]);
      return;
    }
    // The root cause names the prop; what it breaks follows, each naming the cause.
    expect(found.map((v) => [v.rule, v.field])).toEqual([
      ['issuer-not-ready', 'zt/ca.namespace'],
      ['certificate-not-issued', 'zt/gateway/Certificate'],
      ['listener-certificate-missing', 'zt/gateway/Gateway'],
      ['listener-certificate-missing', 'zt/gateway/Gateway'],
    ]);
    expect(found[0].problem).toContain(`LocalCertificateAuthority namespace "${namespace}" can never work`);
    expect(found[0].problem).toContain(`Certificate ${namespace}/local-ca puts it in namespace ${namespace}`);
    expect(found[0].fix).toBe(`leave namespace unset (it must be cert-manager for a ClusterIssuer to read the CA Secret), or sign with an Issuer in namespace ${namespace} instead of this ClusterIssuer`);
    expect(found[1].fix).toBe('make ClusterIssuer/local-ca Ready (see the issuer-not-ready violation)');
    // The HTTPS URL fails too, for want of a certificate; plain HTTP still reaches the backend.
    expect(failing(outcomesOf(cluster)).filter((o) => o.startsWith('route-url-not-served')).map((o) => o.split(' ')[1])).toEqual(['https://app.localhost:30443/']);
    expect(violationsOf(cluster).find((v) => v.rule === 'route-url-not-served')!.fix).toBe('make the listener certificate be served (see listener-certificate-missing)');
  });

  test('the fix works: a CA Issuer in its own namespace signs Certificates there', () => {
    const cluster = gatewayCluster();
    for (const name of ['pki', 'other']) new ApiObject(cluster, `ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    certManagerObject(cluster, 'ca-cert', 'Certificate', { name: 'pki-ca', namespace: 'pki' },
      { isCA: true, commonName: 'pki', secretName: 'pki-ca', issuerRef: { name: 'local-selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' } });
    certManagerObject(cluster, 'issuer', 'Issuer', { name: 'pki', namespace: 'pki' }, { ca: { secretName: 'pki-ca' } });
    certManagerObject(cluster, 'leaf', 'Certificate', { name: 'leaf', namespace: 'pki' }, { secretName: 'leaf', dnsNames: ['a.localhost'], issuerRef: { name: 'pki' } });
    expect(failing(outcomesOf(cluster))).toEqual([]);
    // ... and the same Issuer read from another namespace is not found.
    certManagerObject(cluster, 'stray', 'Certificate', { name: 'stray', namespace: 'other' }, { secretName: 'stray', issuerRef: { name: 'pki' } });
    const [v] = certViolations(cluster);
    expect([v.rule, v.field]).toEqual(['certificate-not-issued', 'zt/stray']);
    expect(v.problem).toContain('Referenced "Issuer" not found');
    expect(v.fix).toBe('create Issuer/other/pki, or point spec.issuerRef (kind and name) at an existing issuer');
  });
});

describe('issuer-not-ready and certificate-not-issued', () => {
  test('a CA ClusterIssuer whose Secret is nowhere', () => {
    const cluster = gatewayCluster();
    certManagerObject(cluster, 'orphan', 'ClusterIssuer', { name: 'orphan' }, { ca: { secretName: 'missing' } });
    const [v] = certViolations(cluster);
    expect([v.rule, v.field]).toEqual(['issuer-not-ready', 'zt/orphan']);
    expect(v.problem).toContain('ErrGetKeyPair');
    expect(v.fix).toContain('make Secret cert-manager/missing exist with a CA key pair');
  });

  test('issuers the model does not run (ACME) and Certificates of external issuers are not refused', () => {
    const cluster = gatewayCluster();
    certManagerObject(cluster, 'acme', 'ClusterIssuer', { name: 'acme' }, { acme: { server: 'https://acme.example/dir', privateKeySecretRef: { name: 'acme' }, solvers: [] } });
    certManagerObject(cluster, 'by-acme', 'Certificate', { name: 'a', namespace: 'gateway' }, { secretName: 'a', dnsNames: ['a.localhost'], issuerRef: { name: 'acme', kind: 'ClusterIssuer' } });
    certManagerObject(cluster, 'external', 'Certificate', { name: 'b', namespace: 'gateway' }, { secretName: 'b', dnsNames: ['b.localhost'], issuerRef: { name: 'step', kind: 'StepClusterIssuer', group: 'certmanager.step.sm' } });
    expect(failing(outcomesOf(cluster))).toEqual([]);
    expect(outcomesOf(cluster).filter((o) => o.id === 'certificate-not-issued' && /not run by the apply model/.test(o.observed))).toHaveLength(2);
  });

  test('a LocalGateway signed by an issuer that does not exist', () => {
    const cluster = gatewayCluster({ certificateAuthority: { issuerRef: { name: 'nope', kind: 'ClusterIssuer', group: 'cert-manager.io' } } });
    const found = certViolations(cluster);
    expect(found.map((v) => v.rule)).toEqual(['certificate-not-issued', 'listener-certificate-missing', 'listener-certificate-missing']);
    expect(found[0].problem).toContain('Referenced "ClusterIssuer" not found');
    expect(found[1].fix).toBe('make Certificate gateway/local-tls issued (see the certificate-not-issued violation)');
  });
});

describe('listener-certificate-missing: a certificate Secret in another namespace needs a ReferenceGrant', () => {
  test.each([false, true])('ReferenceGrant %s', (grant) => {
    const cluster = gatewayCluster({}, (g, c) => {
      certManagerObject(c, 'shared', 'Certificate', { name: 'shared', namespace: 'certs' },
        { secretName: 'shared', dnsNames: ['*.localhost'], issuerRef: { name: 'local-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } });
      for (const i of [1, 2]) g.apiObject.addJsonPatch(JsonPatch.replace(`/spec/listeners/${i}/tls/certificateRefs/0`, { group: '', kind: 'Secret', name: 'shared', namespace: 'certs' }));
      if (grant) {
        new ApiObject(c, 'grant', {
          apiVersion: 'gateway.networking.k8s.io/v1beta1',
          kind: 'ReferenceGrant',
          metadata: { name: 'gateways', namespace: 'certs' },
          spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway' }], to: [{ group: '', kind: 'Secret', name: 'shared' }] },
        });
      }
    });
    const found = certViolations(cluster).filter((v) => v.rule === 'listener-certificate-missing');
    expect(found.length).toBe(grant ? 0 : 2);
    if (!grant) {
      expect(found[0].problem).toContain('RefNotPermitted');
      expect(found[0].fix).toBe('add a ReferenceGrant in namespace certs from Gateways of namespace gateway to Secret shared, or issue the certificate in namespace gateway');
    }
  });
});
