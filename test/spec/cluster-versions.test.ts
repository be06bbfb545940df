import { ApiObject, App, Testing } from 'cdk8s';
import {
  AppNetworkPolicy, KindCiliumCluster, KindCiliumClusterProps, LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, renderBundle, Violation,
} from '../../src';
import { CILIUM_MINOR_FACTS, ciliumMinorFacts, GATEWAY_API_RELEASES, KIND_RELEASES, kindReleaseOf } from '../../src/spec/version-matrix';
import { ciliumVersionProps } from '../support/cilium-versions';
import { configError } from '../support/config-error';

/** The version choices of a cluster description, resolved with the version matrix at construction. */

const cluster = (props: Partial<KindCiliumClusterProps> = {}) => new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });

/** The violations of a cluster with a LocalGateway (its NodePorts published, a pool): Gateway API is installed. */
function withGateway(props: Partial<KindCiliumClusterProps>): Violation[] {
  const c = cluster({ hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }], ...props });
  new LoadBalancerIpPool(c, 'pool');
  new LocalGateway(c, 'gateway', { certificateAuthority: new LocalCertificateAuthority(c, 'ca') });
  return c.violations();
}

describe('version choices of a cluster', () => {
  test('defaults: Cilium 1.20.0, Gateway API v1.6.1, cert-manager v1.20.4, kind v0.33.0 with Kubernetes 1.36.4 (kubeadm v1beta4)', () => {
    const spec = cluster().spec;
    expect([spec.ciliumVersion, spec.ciliumMinor, spec.kindRelease, spec.kubernetesVersion]).toEqual(['1.20.0', '1.20', 'v0.33.0', '1.36.4']);
    expect(spec.kubeadmApiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(cluster({ ciliumVersion: '1.18.12' }).spec.kubeadmApiVersion).toBe('kubeadm.k8s.io/v1beta3');
    expect(spec.versions).toEqual({ gatewayApi: 'v1.6.1', certManager: 'v1.20.4', allowUnsupportedPair: false, allowPreRelease: false });
    expect(spec.nodeImage).toBe(kindReleaseOf('v0.33.0')!.images.find((i) => i.kubernetes === '1.36.4')!.image);
  });

  test.each([
    ['1.18.4', '1.18', 'v1.3.0', '1.33.12'],
    ['1.18.12', '1.18', 'v1.3.0', '1.33.12'],
    ['1.19.6', '1.19', 'v1.4.1', '1.35.8'],
    ['1.20.0', '1.20', 'v1.6.1', '1.36.4'],
  ])('Cilium %s: minor %s, Gateway API %s, newest Kubernetes in range %s', (ciliumVersion, minor, gatewayApi, k8s) => {
    const spec = cluster({ ciliumVersion }).spec;
    expect([spec.ciliumMinor, spec.versions.gatewayApi, spec.kubernetesVersion]).toEqual([minor, gatewayApi, k8s]);
    expect(spec.nodeImage).toMatch(new RegExp(`^kindest/node:v${k8s.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
  });

  test('kubernetesVersion and kindRelease pick the digest-pinned image', () => {
    const spec = cluster({ ciliumVersion: '1.19.6', kubernetesVersion: '1.33', kindRelease: 'v0.31' }).spec;
    expect([spec.kindRelease, spec.kubernetesVersion]).toEqual(['v0.31.0', '1.33.7']);
    expect(spec.nodeImage).toBe(KIND_RELEASES.find((r) => r.release === 'v0.31.0')!.images.find((i) => i.kubernetes === '1.33.7')!.image);
  });

  test('Cilium 1.18 with Kubernetes 1.36 is refused, the fix names a valid pair', () => {
    const e = configError(() => cluster({ ciliumVersion: '1.18.12', kubernetesVersion: '1.36' }));
    expect(e.rules).toEqual(['kubernetes-version-outside-cilium-range']);
    expect(e.violations[0].field).toBe('dev.kubernetesVersion');
    expect(e.violations[0].problem).toContain('outside the range Cilium 1.18 is tested on (1.30-1.33');
    expect(e.violations[0].fix).toContain("kubernetesVersion: '1.33'");
    expect(e.violations[0].fix).toContain("ciliumVersion: '1.20.0'");
    // the named pairs are accepted
    expect(cluster({ ciliumVersion: '1.18.12', kubernetesVersion: '1.33' }).spec.kubernetesVersion).toBe('1.33.12');
    expect(cluster({ ciliumVersion: '1.20.0', kubernetesVersion: '1.36' }).spec.kubernetesVersion).toBe('1.36.4');
  });

  test('kindRelease v0.33.0 works; Kubernetes 1.37 (its default image) is refused with a fix naming a valid pair, or accepted with the opt-in', () => {
    expect(cluster({ kindRelease: 'v0.33.0' }).spec).toMatchObject({ kindRelease: 'v0.33.0', kubernetesVersion: '1.36.4' });
    const e = configError(() => cluster({ kindRelease: 'v0.33.0', kubernetesVersion: '1.37' }));
    expect(e.rules).toEqual(['kubernetes-version-outside-cilium-range']);
    expect(e.violations[0].field).toBe('dev.kubernetesVersion');
    expect(e.violations[0].fix).toContain("kubernetesVersion: '1.36'");
    expect(e.violations[0].fix).toContain('versions.allowUnsupportedPair: true');
    expect(cluster({ kindRelease: 'v0.33.0', kubernetesVersion: '1.36' }).violations()).toEqual([]);
    const accepted = cluster({ kindRelease: 'v0.33.0', kubernetesVersion: '1.37', versions: { allowUnsupportedPair: true } });
    expect([accepted.spec.kubernetesVersion, accepted.spec.kubeadmApiVersion]).toEqual(['1.37.0', 'kubeadm.k8s.io/v1beta4']);
    expect(accepted.kindConfig().nodes.map((n) => n.image)).toEqual([kindReleaseOf('v0.33.0')!.images[0].image, kindReleaseOf('v0.33.0')!.images[0].image]);
  });

  test('Cilium 1.21.0-pre.0 needs versions.allowPreRelease; refused without, with a fix naming the prop paths the user writes', () => {
    const e = configError(() => cluster({ ciliumVersion: '1.21.0-pre.0' }));
    expect(e.violations.map((v) => [v.rule, v.field])).toEqual([['cilium-pre-release-not-allowed', 'dev.ciliumVersion']]);
    expect(e.violations[0].fix).toBe("set versions.allowPreRelease: true, or ciliumVersion: '1.20.0'");
    const spec = cluster({ ciliumVersion: '1.21.0-pre.0', versions: { allowPreRelease: true } }).spec;
    expect([spec.ciliumVersion, spec.ciliumMinor, spec.kubernetesVersion, spec.versions.allowPreRelease]).toEqual(['1.21.0-pre.0', '1.21', '1.36.4', true]);
    // allowUnsupportedPair is not a pre-release opt-in
    expect(configError(() => cluster({ ciliumVersion: '1.21.0-pre.0', versions: { allowUnsupportedPair: true } })).rules)
      .toEqual(['cilium-pre-release-not-allowed']);
    expect(configError(() => cluster({ ciliumVersion: '1.21.0-pre.0', versions: { allowPreRelease: 'yes' as any } })).violations[0])
      .toMatchObject({ rule: 'invalid-type', field: 'dev.versions.allowPreRelease' });
  });

  test('networkDriver.enabled (new in the 1.21 chart) on Kubernetes 1.33 is refused like the chart refuses it; 1.34 is fine', () => {
    const props = { ciliumVersion: '1.21.0-pre.0', versions: { allowPreRelease: true }, ciliumValuesOverrides: { networkDriver: { enabled: true } } };
    const v = cluster({ ...props, kubernetesVersion: '1.33' }).violations();
    expect(v.map((x) => [x.rule, x.field])).toEqual([['helm-value-needs-newer-kubernetes', 'dev.ciliumValues.networkDriver.enabled']]);
    expect(cluster({ ...props, kubernetesVersion: v[0].fix.match(/kubernetesVersion: '([\d.]+)'/)![1] }).violations()).toEqual([]);
  });

  test('Cilium 1.20 with Gateway API v1.4.x and a Gateway is refused even with allowUnsupportedPair (below the operator minimum)', () => {
    for (const allowUnsupportedPair of [false, true]) {
      const v = withGateway({ ciliumVersion: '1.20.0', versions: { gatewayApi: 'v1.4.1', allowUnsupportedPair } });
      expect(v.map((x) => x.rule)).toEqual(['gateway-api-below-cilium-minimum']);
      expect(v[0].field).toBe('dev.versions.gatewayApi');
      expect(v[0].fix).toContain("gatewayApi: 'v1.6.1'");
      expect(v[0].fix).toContain("ciliumVersion: '1.19.6'");
      expect(v[0].suggestion).toEqual({ target: 'cluster-props', path: ['versions', 'gatewayApi'], value: 'v1.6.1' });
      expect(withGateway({ ciliumVersion: '1.20.0', versions: { gatewayApi: 'v1.6.1', allowUnsupportedPair } })).toEqual([]);
    }
  });

  test.each(CILIUM_MINOR_FACTS.map((f) => f.latestPatch))(
    'Cilium %s: a Gateway API pin on a cluster without a Gateway is accepted (no Gateway API CRDs are installed), whatever the release',
    (version) => {
      for (const gatewayApi of [...GATEWAY_API_RELEASES.map((r) => r.version), 'v1.4.0', 'v1.1.0', 'v1.7.0']) {
        const app = new App();
        const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', ...ciliumVersionProps(version), versions: { ...ciliumVersionProps(version).versions, gatewayApi } });
        new LoadBalancerIpPool(c, 'pool');
        expect([gatewayApi, c.violations()]).toEqual([gatewayApi, []]);
        const index = JSON.parse(renderBundle(app).find((f) => f.path === 'dist/bundle.json')!.content);
        expect(index.clusters[0].applyOrder.map((s: { id: string }) => s.id)).not.toContain('gateway-api-crds');
      }
    });

  test('a malformed Gateway API pin is refused at construction, Gateway or not', () => {
    expect(configError(() => cluster({ versions: { gatewayApi: '1.6.1' } })).rules).toEqual(['gateway-api-version-invalid']);
  });

  test('messages name the prop paths the user writes: versions.gatewayApi, versions.allowUnsupportedPair', () => {
    const [gw] = withGateway({ ciliumVersion: '1.19.6', versions: { gatewayApi: 'v1.4.0' } });
    expect(gw.fix).toBe("set versions.gatewayApi: 'v1.4.1', or set versions.allowUnsupportedPair: true to take responsibility for the pairing");
    const k8s = configError(() => cluster({ ciliumVersion: '1.18.12', kubernetesVersion: '1.36' })).violations[0];
    expect(k8s.fix).toContain('versions.allowUnsupportedPair: true');
    const [below] = withGateway({ ciliumVersion: '1.20.0', versions: { gatewayApi: 'v1.4.1', allowUnsupportedPair: true } });
    expect(below.problem).toContain('so versions.allowUnsupportedPair does not apply');
    const cm = configError(() => cluster({ versions: { certManager: 'v1.22.0' } })).violations[0];
    expect(cm.fix).toBe("set versions.certManager: 'v1.20.4', or versions.certManager: 'v1.21.2', or versions.certManager: 'v1.19.6', "
      + 'or set versions.allowUnsupportedPair: true');
  });

  test('version refusals cite upstream sources, not the unshipped reference notes', () => {
    const cases: Partial<KindCiliumClusterProps>[] = [
      { ciliumVersion: '1.18.12', kubernetesVersion: '1.36' }, { ciliumVersion: '1.19.6', kubernetesVersion: '1.36' },
      { ciliumVersion: '1.20.0', kubernetesVersion: '1.32' },
    ];
    expect(withGateway({ ciliumVersion: '1.20.0', versions: { gatewayApi: 'v1.4.1' } }).map((v) => v.problem).join()).toMatch(/operator/);
    for (const props of cases) {
      const e = configError(() => cluster(props));
      expect(e.message).toMatch(/cilium v1\.\d+|cilium upgrade|Documentation|operator/);
      expect(e.message).not.toMatch(/VERSIONS-SOURCES|VERSIONS\.md|CILIUM-HELM\.md|§/);
    }
  });

  test.each(['ciliumVersion', 'kubernetesVersion', 'kindRelease', 'nodeImage'])('%s written inside versions: move it to the top level', (key) => {
    const e = configError(() => cluster({ versions: { [key]: '1.18.12' } as never }));
    expect(e.violations.map((v) => [v.rule, v.field])).toEqual([['unknown-prop', `dev.versions.${key}`]]);
    expect(e.violations[0].fix).toMatch(new RegExp(`^move it to the top-level ${key}: \\{ ${key}: "1\\.18\\.12", \\.\\.\\. \\}`));
    expect(e.violations[0].fix).not.toContain('remove it');
  });

  test('ciliumVersion with a leading v (as helm accepts it) is normalised once: spec, bundle.json and apply.sh name 1.18.12', () => {
    const app = new App();
    const c = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', ciliumVersion: 'v1.18.12' });
    expect([c.spec.ciliumVersion, c.spec.ciliumMinor, c.spec.versions.gatewayApi]).toEqual(['1.18.12', '1.18', 'v1.3.0']);
    const files = renderBundle(app);
    const index = JSON.parse(files.find((f) => f.path === 'dist/bundle.json')!.content);
    expect(index.clusters[0].versions.cilium).toBe('1.18.12');
    const apply = files.find((f) => f.path === 'dist/dev/apply.sh')!.content;
    expect(apply).toContain('--version 1.18.12 ');
    expect(apply).not.toContain('v1.18.12');
  });

  test.each([
    ['1.18', /the chart needs a full X\.Y\.Z patch release, e\.g\. 1\.18\.12/],
    ['v1.18', /the chart needs a full X\.Y\.Z patch release, e\.g\. 1\.18\.12/],
    ['1.20.0-rc.0', /only stable X\.Y\.Z chart releases are supported, e\.g\. 1\.20\.0/],
  ])('ciliumVersion %s: the reason fits what was written', (ciliumVersion, reason) => {
    const e = configError(() => cluster({ ciliumVersion }));
    expect(e.violations[0].problem).toMatch(reason);
    expect(e.violations[0].problem).not.toContain('leading v');
  });

  test('every version violation is reported at once, with its field', () => {
    const e = configError(() => cluster({ ciliumVersion: '1.19.6', kubernetesVersion: '1.36', versions: { gatewayApi: '1.3', certManager: 'v1.18.0' } }));
    expect(e.violations.map((v) => [v.rule, v.field])).toEqual([
      ['kubernetes-version-outside-cilium-range', 'dev.kubernetesVersion'],
      ['gateway-api-version-invalid', 'dev.versions.gatewayApi'],
      ['cert-manager-version-unsupported', 'dev.versions.certManager'],
    ]);
  });

  test.each([['1.17.3'], ['1.21.0'], ['v1.20'], ['1.20']])('Cilium %s is refused with a supported version in the fix', (ciliumVersion) => {
    const e = configError(() => cluster({ ciliumVersion }));
    expect(e.rules).toEqual(['cilium-version-unsupported']);
    expect(e.violations[0].field).toBe('dev.ciliumVersion');
    expect(e.violations[0].fix).toMatch(/ciliumVersion: '1\.(18|19|20)\.\d+'/);
  });

  test('a custom nodeImage stays possible, pinned by digest; an unpinned one is refused', () => {
    const image = KIND_RELEASES.find((r) => r.release === 'v0.30.0')!.images.find((i) => i.kubernetes === '1.33.4')!.image;
    expect(cluster({ nodeImage: image }).spec.nodeImage).toBe(image);
    expect(cluster({ nodeImage: image }).kindConfig().nodes.map((n) => n.image)).toEqual([image, image]);
    const e = configError(() => cluster({ nodeImage: 'kindest/node:v1.36.1' }));
    expect(e.rules).toEqual(['kind-node-image-not-pinned']);
    expect(e.violations[0].field).toBe('dev.nodeImage');
  });

  test('wrong types are named before the matrix is consulted', () => {
    expect(configError(() => cluster({ kubernetesVersion: 1.36 as any })).violations[0]).toMatchObject({ rule: 'invalid-type', field: 'dev.kubernetesVersion' });
    expect(configError(() => cluster({ kindRelease: ['v0.32'] as any })).violations[0]).toMatchObject({ rule: 'invalid-type', field: 'dev.kindRelease' });
  });
});

describe('Helm values follow the minor', () => {
  test('an override with a key the minor removed is a violation; the same override is fine on the older minor', () => {
    const overrides = { nodePort: { enabled: true } };
    expect(cluster({ ciliumVersion: '1.18.12', ciliumValuesOverrides: overrides }).violations()).toEqual([]);
    const violations = cluster({ ciliumVersion: '1.19.6', ciliumValuesOverrides: overrides }).violations();
    expect(violations.map((v) => [v.rule, v.field])).toEqual([['helm-value-removed-in-minor', 'dev.ciliumValues.nodePort.enabled']]);
    expect(violations[0].fix).toContain('kubeProxyReplacement');
  });

  test.each(CILIUM_MINOR_FACTS.map((f) => f.latestPatch))('k8sServiceHost: auto is accepted on %s, with one control plane and with three', (version) => {
    // helm upgrade --install reads the server of kube-public/cluster-info, which kubeadm writes from kind's
    // controlPlaneEndpoint (<name>-control-plane:6443, or <name>-external-load-balancer:6443 with 2+ control planes).
    for (const controlPlaneNodes of [1, 3]) {
      const c = cluster({ ...ciliumVersionProps(version), controlPlaneNodes, ciliumValuesOverrides: { k8sServiceHost: 'auto' } });
      expect([version, controlPlaneNodes, c.violations()]).toEqual([version, controlPlaneNodes, []]);
      expect((c.ciliumValues() as any).k8sServiceHost).toBe('auto');
    }
  });

  test('k8sServiceHost: auto with the lookup pointed at another ConfigMap is refused (the host would not be the cluster\'s)', () => {
    const c = cluster({ ciliumValuesOverrides: { k8sServiceHost: 'auto', k8sServiceLookupConfigMapName: 'elsewhere' } });
    expect(c.violations().map((v) => [v.rule, v.field])).toEqual([['helm-value-owned-by-prop', 'dev.ciliumValuesOverrides.k8sServiceHost']]);
  });

  test('gatewayAPI.gatewayClass.create is written as the string every minor\'s schema accepts', () => {
    for (const ciliumVersion of ['1.18.12', '1.19.6', '1.20.0']) {
      const values = cluster({ ciliumVersion, ciliumValuesOverrides: { gatewayAPI: { gatewayClass: { create: true } } } }).ciliumValues() as any;
      expect([ciliumVersion, values.gatewayAPI.gatewayClass.create]).toEqual([ciliumVersion, 'true']);
    }
  });
});

describe('policy entities and protocols follow the minor\'s CRDs', () => {
  const policy = (ciliumVersion: string, props: Record<string, unknown>) => {
    const c = cluster({ ciliumVersion });
    new ApiObject(c, 'demo-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    new AppNetworkPolicy(c, 'web', { namespace: 'demo', appLabels: { app: 'web' }, ...props });
    return Testing.synth(c).find((o) => o.kind === 'CiliumNetworkPolicy');
  };

  test('the cluster-mesh entity exists only in Cilium 1.20', () => {
    expect(ciliumMinorFacts('1.20').networkPolicy.entities).toContain('cluster-mesh');
    expect(policy('1.20.0', { egressToEntities: [{ entity: 'cluster-mesh' }] }).spec.egress[1].toEntities).toEqual(['cluster-mesh']);
    for (const version of ['1.18.12', '1.19.6']) {
      const e = configError(() => policy(version, { egressToEntities: [{ entity: 'cluster-mesh' }] }));
      expect(e.violations[0]).toMatchObject({ rule: 'entity-not-in-cilium-minor', field: 'dev/web.egressToEntities[0].entity' });
      expect(e.violations[0].fix).toContain('use Cilium 1.20.0 or later');
    }
  });

  test('VRRP exists from 1.19, GRE from 1.20', () => {
    expect(policy('1.19.6', { ingressPorts: [{ port: 112, protocol: 'VRRP' }], allowFromWorld: true }).spec.ingress[0].toPorts[0].ports[0].protocol).toBe('VRRP');
    expect(configError(() => policy('1.18.12', { ingressPorts: [{ port: 112, protocol: 'VRRP' }], allowFromWorld: true })).violations[0])
      .toMatchObject({ rule: 'protocol-not-in-cilium-minor', field: 'dev/web.ingressPorts[0].protocol' });
    expect(configError(() => policy('1.19.6', { egressToEntities: [{ entity: 'world', ports: [{ port: 1, protocol: 'GRE' }] }] })).rules)
      .toEqual(['protocol-not-in-cilium-minor']);
    expect(policy('1.20.0', { egressToEntities: [{ entity: 'world', ports: [{ port: 1, protocol: 'GRE' }] }] })).toBeDefined();
  });
});
