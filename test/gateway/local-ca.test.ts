import { App, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { find, ofKind, ztCluster } from './fixtures';
import { PlatformConfigError } from '../../src';
import { CERT_MANAGER_GROUP, LocalCertificateAuthority } from '../../src/cert-manager/local-ca';

describe('LocalCertificateAuthority', () => {
  test('self-signed ClusterIssuer -> ECDSA P-256 CA Certificate -> CA ClusterIssuer, names wired', () => {
    const cluster = ztCluster();
    const ca = new LocalCertificateAuthority(cluster, 'ca');
    const manifests = Testing.synth(cluster);

    expect(ofKind(manifests, 'ClusterIssuer')).toHaveLength(2);
    const selfSigned = find(manifests, 'ClusterIssuer', 'local-selfsigned');
    expect(selfSigned.apiVersion).toBe('cert-manager.io/v1');
    expect(selfSigned.spec).toEqual({ selfSigned: {} });

    const caCert = find(manifests, 'Certificate', 'local-ca');
    expect(caCert.metadata.namespace).toBe('cert-manager');
    expect(caCert.spec).toMatchObject({
      isCA: true,
      commonName: 'zt local CA',
      secretName: 'local-ca',
      duration: '87600h',
      renewBefore: '720h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Never' },
      issuerRef: { name: 'local-selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });

    const caIssuer = find(manifests, 'ClusterIssuer', 'local-ca');
    expect(caIssuer.spec).toEqual({ ca: { secretName: caCert.spec.secretName } });

    expect(ca.issuerName).toBe('local-ca');
    expect(ca.issuerRef).toEqual({ name: 'local-ca', kind: 'ClusterIssuer', group: CERT_MANAGER_GROUP });
    expect(ca.exportCommand).toBe("kubectl --context kind-zt -n cert-manager get secret local-ca -o jsonpath='{.data.ca\\.crt}' | base64 -d > local-ca.crt");
  });

  test('names derive from the name prop; key rotation and lifetimes are configurable', () => {
    const cluster = ztCluster();
    const ca = new LocalCertificateAuthority(cluster, 'ca', { name: 'dev', commonName: 'Dev CA', duration: '8760h', renewBefore: '240h', rotateKeyOnRenewal: true });
    const manifests = Testing.synth(cluster);
    expect(ca.selfSignedIssuerName).toBe('dev-selfsigned');
    expect(ca.caSecretName).toBe('dev-ca');
    const caCert = find(manifests, 'Certificate', 'dev-ca');
    expect(caCert.spec).toMatchObject({ commonName: 'Dev CA', duration: '8760h', renewBefore: '240h', privateKey: { rotationPolicy: 'Always' } });
    expect(caCert.spec.issuerRef.name).toBe('dev-selfsigned');
    expect(find(manifests, 'ClusterIssuer', 'dev-ca').spec.ca.secretName).toBe('dev-ca');
  });

  test('synthesis is deterministic', () => {
    const render = () => {
      const cluster = ztCluster();
      new LocalCertificateAuthority(cluster, 'ca');
      return JSON.stringify(Testing.synth(cluster));
    };
    expect(render()).toBe(render());
  });

  test.each([
    [{ name: 'Local_CA' }, 'zt/ca.name', 'invalid-ca-name'],
    [{ namespace: '' }, 'zt/ca.namespace', 'invalid-namespace'],
    [{ commonName: 'x'.repeat(65) }, 'zt/ca.commonName', 'invalid-common-name'],
    [{ duration: '30m' }, 'zt/ca.duration', 'invalid-certificate-duration'],
    [{ duration: '1 year' }, 'zt/ca.duration', 'invalid-certificate-duration'],
    [{ duration: '2160h', renewBefore: '2160h' }, 'zt/ca.renewBefore', 'invalid-certificate-renew-before'],
    [{ renewBefore: '1m' }, 'zt/ca.renewBefore', 'invalid-certificate-renew-before'],
  ])('invalid props %j throw naming %s', (props, field, rule) => {
    const cluster = ztCluster();
    let error: unknown;
    try {
      new LocalCertificateAuthority(cluster, 'ca', props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformConfigError);
    const err = error as PlatformConfigError;
    expect(err.rules).toEqual([rule]);
    expect(err.violations[0].field).toBe(field);
    expect(err.message).toContain('Fix:');
  });

  test('must live inside a KindCiliumCluster', () => {
    const app = new App();
    expect(() => new LocalCertificateAuthority(new Construct(app, 'loose'), 'ca')).toThrow(/outside-cluster|inside a KindCiliumCluster/);
  });
});
