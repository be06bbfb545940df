import { addNamespaces, emittedObjects, ztCluster } from './fixtures';
import { LocalCertificateAuthority } from '../../src/cert-manager/local-ca';
import { LocalGateway } from '../../src/gateway/local-gateway';
import { CILIUM_MINOR_FACTS } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { describeWithReference } from '../support/reference';
import { referenceProfile, servedCustomResourceKinds, validateManifest } from '../support/reference-schemas';

const GROUPS = ['gateway.networking.k8s.io/', 'cert-manager.io/'];

describeWithReference('emitted Gateway API and cert-manager objects satisfy the upstream CRD schemas', ['crds'], () => {
  /** Every synthesized object (custom resources and built-in kinds) of a CA + gateway + two routes. */
  function emittedAll(redirect: boolean, ciliumVersion?: string): any[] {
    const cluster = ztCluster(ciliumVersion ? ciliumVersionProps(ciliumVersion) : {});
    const ca = new LocalCertificateAuthority(cluster, 'ca');
    const gateway = new LocalGateway(cluster, 'gateway', {
      certificateAuthority: ca,
      redirectHttpToHttps: redirect,
      ...(redirect ? { routeNamespaceLabels: { 'gateway-access': 'true' } } : {}),
    });
    gateway.addHttpRoute('demo', { namespace: 'demo', hostnames: ['demo.localhost'], backend: { name: 'echo', port: 8080 }, pathPrefix: '/api' });
    gateway.addHttpRoute('cross', { namespace: 'routes', backend: { name: 'echo', port: 80, namespace: 'apps' } });
    addNamespaces(cluster, 'demo', 'routes', 'apps');
    return emittedObjects(cluster);
  }

  /** The Gateway API and cert-manager objects only. */
  function emitted(redirect: boolean, ciliumVersion?: string): any[] {
    return emittedAll(redirect, ciliumVersion).filter((o) => GROUPS.some((g) => String(o.apiVersion).startsWith(g)));
  }

  // Each Cilium minor against its own CRDs and the Gateway API release it pairs with (v1.3.0 / v1.4.1 / v1.6.1).
  test.each(CILIUM_MINOR_FACTS.map((f) => [f.latestPatch, f]))('Cilium %s: the served versions we emit are those of its Gateway API pair', (version, facts) => {
    const profile = referenceProfile(facts.minor);
    const served = servedCustomResourceKinds(profile);
    const used = [...new Set([false, true].flatMap((r) => emitted(r, version).map((o) => `${o.apiVersion} ${o.kind}`)))].sort();
    expect(used).toEqual([
      'cert-manager.io/v1 Certificate',
      'cert-manager.io/v1 ClusterIssuer',
      'gateway.networking.k8s.io/v1 Gateway',
      'gateway.networking.k8s.io/v1 HTTPRoute',
      `${facts.gatewayApi.referenceGrantApiVersion} ReferenceGrant`,
    ]);
    expect(used.filter((k) => !served.includes(k))).toEqual([]);
  });

  test('Cilium 1.20 emits ReferenceGrant v1, which Gateway API v1.4.1 (the 1.19 pair) does not serve', () => {
    const grant = emitted(false, '1.20.0').find((o) => o.kind === 'ReferenceGrant');
    expect(grant.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(validateManifest(grant, referenceProfile('1.19')).join('\n')).toMatch(/not served at version v1/);
    expect(validateManifest(grant, referenceProfile('1.20'))).toEqual([]);
  });

  test.each(CILIUM_MINOR_FACTS.flatMap((f) => [false, true].map((r) => [f.latestPatch, r, f.minor] as const)))(
    'Cilium %s, redirectHttpToHttps=%s: every object validates against that minor\'s references', (version, redirect, minor) => {
      const objects = emitted(redirect, version);
      const kinds = objects.map((o) => o.kind).sort();
      expect(kinds).toEqual(expect.arrayContaining(['Certificate', 'Certificate', 'ClusterIssuer', 'ClusterIssuer', 'Gateway', 'HTTPRoute', 'HTTPRoute', 'ReferenceGrant']));
      // validateManifest reports a kind it cannot check as an error, so [] also means "covered".
      for (const o of emittedAll(redirect, version)) {
        expect([`${o.kind} ${o.metadata?.name}`, validateManifest(o, referenceProfile(minor))]).toEqual([`${o.kind} ${o.metadata?.name}`, []]);
      }
    });

  test('the validator rejects broken objects (it is not vacuous)', () => {
    const objects = emitted(false);
    const gateway = objects.find((o) => o.kind === 'Gateway');
    const broken = structuredClone(gateway);
    broken.spec.listeners[0].port = 0;
    broken.spec.listeners[1].hostname = 'Not A Hostname';
    const gatewayErrors = validateManifest(broken).join('\n');
    expect(gatewayErrors).toMatch(/\/spec\/listeners\/0\/port: must be >= 1/);
    expect(gatewayErrors).toMatch(/\/spec\/listeners\/1\/hostname: must match pattern/);

    const cert = structuredClone(objects.find((o) => o.kind === 'Certificate'));
    delete cert.spec.issuerRef.name;
    cert.spec.privateKey.algorithm = 'DSA';
    const certErrors = validateManifest(cert).join('\n');
    expect(certErrors).toMatch(/\/spec\/issuerRef: must have required property 'name'/);
    expect(certErrors).toMatch(/\/spec\/privateKey\/algorithm: must be equal to one of the allowed values/);
    expect(validateManifest({ apiVersion: 'gateway.networking.k8s.io/v9', kind: 'Gateway' }).join('\n'))
      .toMatch(/Gateway\.gateway\.networking\.k8s\.io is not served at version v9/);
  });
});
