import { describeWithReference } from '../support/reference';
import {
  ajvClassFor,
  referenceProfile,
  BUILTIN_KINDS,
  celRuleCoverage,
  goRegexToJs,
  isCidr,
  parseYamlDocuments,
  servedCustomResourceKinds,
  validateCiliumValues,
  validateKindConfig,
  validateManifest,
  validateBundleFile,
  validateManifests,
  validateYamlManifests,
  yaml11Differences,
} from '../support/reference-schemas';

/**
 * Self-tests of the validator module: each validator must REJECT known-bad input (so a green
 * conformance test means something) and ACCEPT good input. Inputs are written by hand from the
 * upstream API definitions, not copied from the library's output.
 */

const IMAGE = 'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f';

/** A valid kind config; each bad case below changes one thing. */
function goodKindConfig(): Record<string, any> {
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: 'dev',
    networking: { ipFamily: 'ipv4', podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16', disableDefaultCNI: true, kubeProxyMode: 'none' },
    nodes: [
      { role: 'control-plane', image: IMAGE, extraPortMappings: [{ containerPort: 30080, hostPort: 8080, listenAddress: '127.0.0.1', protocol: 'TCP' }] },
      { role: 'worker', image: IMAGE, labels: { tier: 'app' } },
    ],
  };
}

test('Go regex classes are rewritten for the u flag', () => {
  expect(goRegexToJs('^\\PC*$')).toBe('^\\P{C}*$');
  expect(goRegexToJs('\\pL+\\pN')).toBe('\\p{L}+\\p{N}');
  // an escaped backslash followed by "pL" is a literal backslash, not a class
  expect(goRegexToJs('a\\\\pL')).toBe('a\\\\pL');
  const printable = new RegExp(goRegexToJs('^\\PC*$'), 'u');
  expect(printable.test('policy 1')).toBe(true);
  expect(printable.test('bell\u0007')).toBe(false);
});

test('Go regex translation: classes inside brackets, already-translated classes, non-ASCII input', () => {
  expect(goRegexToJs('^[\\PC]+$')).toBe('^[\\P{C}]+$');
  expect(goRegexToJs('\\pL\\pN')).toBe('\\p{L}\\p{N}');
  expect(goRegexToJs('\\p{L}')).toBe('\\p{L}'); // idempotent on ECMAScript syntax
  expect(goRegexToJs('\\\\pL')).toBe('\\\\pL');
  expect(new RegExp(goRegexToJs('^[\\PC]*$'), 'u').test('héllo')).toBe(true);
});

test('cidr format follows Go net.ParseCIDR (IPv4 or IPv6, prefix required)', () => {
  expect(isCidr('10.0.0.0/8')).toBe(true);
  expect(isCidr('10.0.0.1/8')).toBe(true); // host bits are allowed by ParseCIDR
  expect(isCidr('fd00::/64')).toBe(true);
  expect(isCidr('10.0.0.0')).toBe(false);
  expect(isCidr('10.0.0.0/33')).toBe(false);
  expect(isCidr('300.0.0.0/8')).toBe(false);
});

test('ajv class is picked from the declared draft', () => {
  expect(() => ajvClassFor({ $schema: 'http://json-schema.org/draft-04/schema#' })).toThrow(/unsupported/);
  expect(ajvClassFor({ $schema: 'http://json-schema.org/draft-07/schema#' }).name).toBe('Ajv');
  expect(ajvClassFor({ $schema: 'https://json-schema.org/draft/2020-12/schema' }).name).toBe('Ajv2020');
});

describe('built-in kinds get structural checks (no reference needed)', () => {
  test('accepts well-formed objects', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'a' } } })).toEqual([]);
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' }, spec: {} })).toEqual([]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'apps' } })).toEqual([]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }] })).toEqual([]);
  });

  test.each([
    ['missing name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, /metadata\/name: is required/],
    ['no metadata', { apiVersion: 'v1', kind: 'ConfigMap' }, /\/metadata: must be an object/],
    ['uppercase name', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'Web' } }, /DNS-1123 subdomain/],
    ['namespace with a dot', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }, /DNS-1123 label/],
    ['service starting with a digit', { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web' } }, /DNS-1035/],
    ['numeric label value', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { n: 1 } } }, /labels\/n: value must be a string/],
    ['bad label key', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { 'a b': 'x' } } }, /not a valid label key/],
    ['namespace on a cluster-scoped kind', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'x' } }, /cluster-scoped/],
    ['unknown metadata field', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', label: { a: 'b' } } }, /unknown field "label"/],
    ['removed apiVersion', { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd' } }, /not served at extensions\/v1beta1.*apps\/v1/],
    ['no apiVersion', { kind: 'Pod', metadata: { name: 'p' } }, /\/apiVersion: is required/],
    ['not an object', ['a'], /expected a Kubernetes object/],
  ])('rejects %s', (_label, obj, expected) => {
    const errors = validateManifest(obj);
    expect(errors.join('\n')).toMatch(expected);
  });

  test('an unknown custom resource is an error, never a silent pass', () => {
    expect(validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }).join('\n'))
      .toMatch(/unknown kind Widget in example.com\/v1/);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } })).not.toEqual([]);
  });

  test('the built-in table lists the kinds a platform bundle uses', () => {
    for (const [apiVersion, kind] of [['v1', 'Namespace'], ['apps/v1', 'Deployment'], ['v1', 'Service'], ['v1', 'Pod'], ['v1', 'ServiceAccount'], ['v1', 'ConfigMap'], ['v1', 'Secret']]) {
      expect(BUILTIN_KINDS[apiVersion][kind]).toBeDefined();
    }
  });
});

describe('multi-document YAML', () => {
  test('each document is validated and errors name the document', () => {
    const text = [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n',
      '',
    ].join('---\n');
    expect(parseYamlDocuments(text)).toHaveLength(2);
    const errors = validateYamlManifests(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^doc 1: ConfigMap Bad_Name: \/metadata\/name/);
  });

  test('YAML syntax errors are reported, not thrown', () => {
    expect(validateYamlManifests('a: [1, 2\n').join('\n')).toMatch(/YAML document 0/);
  });

  test('values a YAML 1.1 reader (kubectl, Helm) decodes differently are reported', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    enabled: on\n';
    expect(yaml11Differences(text)).toEqual(['doc 0: /metadata/labels/enabled: "on" (YAML 1.2) vs true (YAML 1.1)']);
    expect(validateYamlManifests(text)).toHaveLength(1);
    expect(yaml11Differences('a: "on"\nb: 1\n')).toEqual([]);
  });

  test('validateManifests prefixes the index', () => {
    expect(validateManifests([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ok' } }, { apiVersion: 'v1', kind: 'Namespace' }]))
      .toEqual(['doc 1: Namespace (unnamed): /metadata: must be an object with at least a name']);
  });
});

describeWithReference('kind config schema (kind.x-k8s.io/v1alpha4, draft-07)', ['kind-schema'], () => {
  test('accepts a valid config', () => {
    expect(validateKindConfig(goodKindConfig())).toEqual([]);
    expect(validateKindConfig({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' })).toEqual([]);
  });

  test.each<[string, (c: Record<string, any>) => void, RegExp]>([
    ['a metadata key (kind decodes strictly)', (c) => { c.metadata = { name: 'dev' }; }, /^\/: unknown field "metadata"/],
    ['a port as a string', (c) => { c.nodes[0].extraPortMappings[0].containerPort = '80'; }, /\/nodes\/0\/extraPortMappings\/0\/containerPort: must be integer/],
    ['a port above 65535', (c) => { c.nodes[0].extraPortMappings[0].hostPort = 70000; }, /hostPort: must be <= 65535/],
    ['a non-integer apiServerPort', (c) => { c.networking.apiServerPort = 6443.5; }, /\/networking\/apiServerPort: must be integer/],
    ['an unknown node role', (c) => { c.nodes[1].role = 'master'; }, /\/nodes\/1\/role: must be equal to one of the allowed values/],
    ['no control-plane node', (c) => { c.nodes = [{ role: 'worker' }]; }, /\/nodes/],
    ['an IPv6 pod subnet in an ipv4 cluster', (c) => { c.networking.podSubnet = 'fd00::/56'; }, /\/networking\/podSubnet: must match pattern/],
    ['a wrong apiVersion', (c) => { c.apiVersion = 'kind.x-k8s.io/v1alpha3'; }, /\/apiVersion: must be equal to constant/],
    ['an upper-case cluster name', (c) => { c.name = 'Dev'; }, /\/name: must match pattern/],
    ['a numeric node label value', (c) => { c.nodes[1].labels = { tier: 1 }; }, /\/nodes\/1\/labels\/tier: must be string/],
    ['an unknown networking key', (c) => { c.networking.dnsDomain = 'cluster.internal'; }, /\/networking: unknown field "dnsDomain"/],
    ['an unknown kube-proxy mode', (c) => { c.networking.kubeProxyMode = 'disabled'; }, /kubeProxyMode: must be equal to one of the allowed values/],
  ])('rejects %s', (_label, mutate, expected) => {
    const config = goodKindConfig();
    mutate(config);
    const errors = validateKindConfig(config);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(expected);
  });
});

describeWithReference('Cilium Helm values schema (chart 1.18)', ['helm-values'], () => {
  test('accepts valid values', () => {
    expect(validateCiliumValues({
      kubeProxyReplacement: true,
      k8sServiceHost: 'dev-control-plane',
      k8sServicePort: 6443,
      routingMode: 'native',
      autoDirectNodeRoutes: true,
      hubble: { enabled: true, relay: { enabled: true }, metrics: { enabled: ['dns', 'drop'] } },
      l2announcements: { enabled: true },
      operator: { replicas: 1 },
    })).toEqual([]);
    expect(validateCiliumValues({})).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['kubeProxyReplacement: 5', { kubeProxyReplacement: 5 }, /\/kubeProxyReplacement: must be string,boolean/],
    ['hubble.metrics.enabled as a string', { hubble: { metrics: { enabled: 'dns,drop' } } }, /\/hubble\/metrics\/enabled: must be null,array/],
    ['operator.replicas as a string', { operator: { replicas: '1' } }, /\/operator\/replicas: must be integer/],
    ['l2announcements.enabled as a string', { l2announcements: { enabled: 'true' } }, /\/l2announcements\/enabled: must be boolean/],
    ['cluster.name as a boolean (what YAML 1.1 makes of `name: on`)', { cluster: { name: true } }, /\/cluster\/name: must be string/],
    ['k8sServicePort as a float', { k8sServicePort: 6443.5 }, /\/k8sServicePort: must be string,integer/],
  ])('rejects %s', (_label, values, expected) => {
    const errors = validateCiliumValues(values);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(expected);
  });

  test('documented limit: unknown keys pass the chart schema', () => {
    // The chart schema has no additionalProperties: false; removed keys such as hostServices are not
    // caught here (the library's removed-cilium-keys rule covers the known ones).
    expect(validateCiliumValues({ hostServices: { enabled: true } })).toEqual([]);
  });
});

describeWithReference('CRD validation (Cilium 1.19, Gateway API v1.4.1, cert-manager v1.19)', ['crds'], () => {
  const profile = referenceProfile('1.19');
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });

  test('covers every served version named in the reference README', () => {
    const kinds = servedCustomResourceKinds(profile);
    for (const k of [
      'cilium.io/v2 CiliumLoadBalancerIPPool', 'cilium.io/v2alpha1 CiliumLoadBalancerIPPool', 'cilium.io/v2alpha1 CiliumL2AnnouncementPolicy',
      'cilium.io/v2 CiliumNetworkPolicy', 'cilium.io/v2 CiliumClusterwideNetworkPolicy', 'cilium.io/v2 CiliumCIDRGroup',
      'gateway.networking.k8s.io/v1 Gateway', 'gateway.networking.k8s.io/v1 GatewayClass', 'gateway.networking.k8s.io/v1 HTTPRoute',
      'gateway.networking.k8s.io/v1 GRPCRoute', 'gateway.networking.k8s.io/v1beta1 ReferenceGrant', 'gateway.networking.k8s.io/v1alpha2 TLSRoute',
      'cert-manager.io/v1 Issuer', 'cert-manager.io/v1 ClusterIssuer', 'cert-manager.io/v1 Certificate', 'cert-manager.io/v1 CertificateRequest',
    ]) {
      expect(kinds).toContain(k);
    }
    expect(kinds).not.toContain('cilium.io/v2 CiliumL2AnnouncementPolicy');
  });

  const good: [string, Record<string, unknown>][] = [
    ['CiliumLoadBalancerIPPool v2', { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: meta('pool'), spec: { blocks: [{ cidr: '172.18.255.0/24' }, { start: '172.18.254.10', stop: '172.18.254.20' }] } }],
    ['CiliumLoadBalancerIPPool v2alpha1', { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumLoadBalancerIPPool', metadata: meta('pool'), spec: { blocks: [{ cidr: '172.18.255.0/24' }] } }],
    ['CiliumL2AnnouncementPolicy v2alpha1', { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumL2AnnouncementPolicy', metadata: meta('l2'), spec: { loadBalancerIPs: true, interfaces: ['^eth[0-9]+$'] } }],
    ['CiliumNetworkPolicy', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta('allow', 'apps'), spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }], log: { value: 'allow web' } } }],
    ['CiliumClusterwideNetworkPolicy', { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: meta('deny'), spec: { endpointSelector: {}, enableDefaultDeny: { egress: true }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] } }],
    ['CiliumCIDRGroup', { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: meta('office'), spec: { externalCIDRs: ['192.0.2.0/24'] } }],
    ['GatewayClass', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: meta('cilium'), spec: { controllerName: 'io.cilium/gateway-controller' } }],
    ['Gateway', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('web', 'infra'), spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.local.test', tls: { certificateRefs: [{ name: 'tls' }] } }] } }],
    ['HTTPRoute', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('web', 'apps'), spec: { parentRefs: [{ name: 'web', namespace: 'infra', sectionName: 'https' }], hostnames: ['app.local.test'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }] } }],
    ['GRPCRoute', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: meta('grpc', 'apps'), spec: { parentRefs: [{ name: 'web', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'grpc', port: 9000 }] }] } }],
    ['ReferenceGrant', { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: meta('routes', 'apps'), spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }], to: [{ group: '', kind: 'Service' }] } }],
    ['TLSRoute v1alpha2 (experimental)', { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TLSRoute', metadata: meta('tls', 'apps'), spec: { parentRefs: [{ name: 'web', namespace: 'infra' }], hostnames: ['db.local.test'], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] } }],
    ['Issuer', { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('selfsigned', 'infra'), spec: { selfSigned: {} } }],
    ['ClusterIssuer', { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: meta('local-ca'), spec: { ca: { secretName: 'local-ca' } } }],
    ['Certificate', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('local-ca', 'cert-manager'), spec: { isCA: true, commonName: 'local CA', secretName: 'local-ca', duration: '8760h0m0s', privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: 'selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' } } }],
    ['CertificateRequest', { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: meta('req', 'infra'), spec: { request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----').toString('base64'), issuerRef: { name: 'local-ca', kind: 'ClusterIssuer' } } }],
  ];

  test.each(good)('accepts a valid %s', (_label, obj) => {
    expect(validateManifest(obj, profile)).toEqual([]);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a CiliumLoadBalancerIPPool v2 with spec.cidrs instead of spec.blocks',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: meta('pool'), spec: { cidrs: [{ cidr: '172.18.255.0/24' }] } },
      /\/spec: unknown field "cidrs"/],
    ['a pool block that is not a CIDR',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: meta('pool'), spec: { blocks: [{ cidr: '172.18.255.0' }] } },
      /\/spec\/blocks\/0\/cidr: must match format "cidr"/],
    ['a namespaced pool (the kind is cluster-scoped)',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: meta('pool', 'kube-system'), spec: { blocks: [{ cidr: '172.18.255.0/24' }] } },
      /cluster-scoped/],
    ['a CiliumL2AnnouncementPolicy at cilium.io/v2 (not served)',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumL2AnnouncementPolicy', metadata: meta('l2'), spec: { loadBalancerIPs: true } },
      /not served at version v2 \(served: cilium.io\/v2alpha1\)/],
    ['an L2 policy with loadBalancerIPs as a string',
      { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumL2AnnouncementPolicy', metadata: meta('l2'), spec: { loadBalancerIPs: 'true' } },
      /\/spec\/loadBalancerIPs: must be boolean/],
    ['a CNP rule with only enableDefaultDeny (no ingress/egress)',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta('deny', 'apps'), spec: { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true } } },
      /\/spec: must match a schema in anyOf/],
    ['a CCNP with both endpointSelector and nodeSelector',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: meta('x'), spec: { endpointSelector: {}, nodeSelector: {}, ingress: [{}] } },
      /\/spec: must match exactly one schema in oneOf/],
    ['a CNP log value with a control character (Go \\PC pattern)',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta('p', 'apps'), spec: { endpointSelector: {}, ingress: [{}], log: { value: 'bell\u0007' } } },
      /\/spec\/log\/value: must match pattern/],
    ['a CiliumCIDRGroup without externalCIDRs',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: meta('g'), spec: {} },
      /\/spec: must have required property 'externalCIDRs'/],
    ['a Gateway missing gatewayClassName',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('web', 'infra'), spec: { listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
      /\/spec: must have required property 'gatewayClassName'/],
    ['a Gateway listener port as a string',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('web', 'infra'), spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: '80', protocol: 'HTTP' }] } },
      /\/spec\/listeners\/0\/port: must be integer/],
    ['a Gateway with duplicate listener names (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('web', 'infra'), spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'http', port: 8080, protocol: 'HTTP' }] } },
      /Listener name must be unique within the Gateway \(CEL\)/],
    ['an HTTPS listener without certificateRefs (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('web', 'infra'), spec: { gatewayClassName: 'cilium', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: {} }] } },
      /certificateRefs or options must be specified when mode is Terminate \(CEL\)/],
    ['an HTTP listener with tls (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta('web', 'infra'), spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'x' }] } }] } },
      /tls must not be specified for protocols/],
    ['an HTTPRoute Service backendRef without port (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('web', 'apps'), spec: { parentRefs: [{ name: 'web' }], rules: [{ backendRefs: [{ name: 'web' }] }] } },
      /\/spec\/rules\/0\/backendRefs\/0: Must have port for Service reference \(CEL\)/],
    ['an HTTPRoute filter whose type does not match its field (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('web', 'apps'), spec: { rules: [{ filters: [{ type: 'RequestRedirect', urlRewrite: { hostname: 'a.test' } }] }] } },
      /filter.requestRedirect must be specified for RequestRedirect filter.type/],
    // Upstream's "sectionName must be specified" rule only fires when ONE of the refs has a sectionName;
    // two bare refs to the same parent break the "must be unique" rule (the former hand-coded check said otherwise).
    ['two parentRefs to the same Gateway without sectionName (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('web', 'apps'), spec: { parentRefs: [{ name: 'web' }, { name: 'web' }] } },
      /\/spec\/parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent \(CEL\)/],
    ['two parentRefs to the same Gateway, only one with a sectionName (CEL)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('web', 'apps'), spec: { parentRefs: [{ name: 'web', namespace: 'infra' }, { name: 'web', namespace: 'infra', sectionName: 'https' }] } },
      /sectionName must be specified when parentRefs includes 2 or more references to the same parent \(CEL\)/],
    ['a ReferenceGrant at gateway.networking.k8s.io/v1 (not served in v1.4.1)',
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ReferenceGrant', metadata: meta('g', 'apps'), spec: { from: [], to: [] } },
      /not served at version v1/],
    ['a Certificate with a wrong privateKey algorithm',
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('c', 'infra'), spec: { secretName: 'c', commonName: 'c', privateKey: { algorithm: 'DSA' }, issuerRef: { name: 'ca' } } },
      /\/spec\/privateKey\/algorithm: must be equal to one of the allowed values: \["RSA","ECDSA","Ed25519"\]/],
    ['a Certificate without secretName',
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('c', 'infra'), spec: { commonName: 'c', issuerRef: { name: 'ca' } } },
      /\/spec: must have required property 'secretName'/],
    ['a Certificate without any subject or SAN (cert-manager webhook)',
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('c', 'infra'), spec: { secretName: 'c', issuerRef: { name: 'ca' } } },
      /at least one of commonName/],
    ['an ECDSA key of 2048 bits (cert-manager webhook)',
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('c', 'infra'), spec: { secretName: 'c', dnsNames: ['a.test'], privateKey: { algorithm: 'ECDSA', size: 2048 }, issuerRef: { name: 'ca' } } },
      /must be 256, 384 or 521 for ECDSA/],
    ['a ClusterIssuer with two issuer types (cert-manager webhook)',
      { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: meta('x'), spec: { selfSigned: {}, ca: { secretName: 'x' } } },
      /may not specify more than one issuer type/],
    ['a CertificateRequest whose request is not base64',
      { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', metadata: meta('r', 'infra'), spec: { request: 'not base64!', issuerRef: { name: 'ca' } } },
      /\/spec\/request: must match format "byte"/],
    ['a custom resource with an invalid name',
      { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: meta('Office_1'), spec: { externalCIDRs: ['192.0.2.0/24'] } },
      /\/metadata\/name: "Office_1" must be a DNS-1123 subdomain/],
    ['an unknown top-level field', { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: meta('g'), spec: { externalCIDRs: [] }, data: {} },
      /^CiliumCIDRGroup g: \/: unknown field "data"/],
    ['a null where the schema is not nullable', { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: meta('pool'), spec: { blocks: null } },
      /\/spec\/blocks: must be array/],
  ];

  test.each(bad)('rejects %s', (_label, obj, expected) => {
    const errors = validateManifest(obj, profile);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(expected);
  });

  test('validation does not mutate the input (defaults are applied to a copy)', () => {
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta('web', 'apps'), spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } };
    const before = JSON.stringify(route);
    expect(validateManifest(route, profile)).toEqual([]);
    expect(JSON.stringify(route)).toBe(before);
  });

  test('every CEL rule of the reference CRDs parses with the evaluator; only transition rules are skipped', () => {
    for (const [apiVersion, kind] of [
      ['gateway.networking.k8s.io/v1', 'Gateway'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
      ['gateway.networking.k8s.io/v1', 'GRPCRoute'],
      ['gateway.networking.k8s.io/v1alpha2', 'TLSRoute'],
      ['gateway.networking.k8s.io/v1', 'BackendTLSPolicy'],
    ]) {
      const coverage = celRuleCoverage(apiVersion, kind);
      expect({ kind, unparseable: coverage.unparseable }).toEqual({ kind, unparseable: [] });
      expect(coverage.evaluated.length).toBeGreaterThan(0);
    }
    const cnp = celRuleCoverage('cilium.io/v2', 'CiliumNetworkPolicy');
    // Cilium 1.20 (the default profile) adds one CEL rule to the CNP; its other constraints are anyOf/oneOf.
    expect(cnp).toEqual({ evaluated: ['spec or specs must be provided'], transition: [], unparseable: [] });
    const route = celRuleCoverage('gateway.networking.k8s.io/v1', 'HTTPRoute');
    expect(route.evaluated).toEqual(expect.arrayContaining(['Must have port for Service reference', 'RequestRedirect filter must not be used together with backendRefs']));
    expect(celRuleCoverage('gateway.networking.k8s.io/v1', 'GatewayClass').transition).toContain('Value is immutable');
  });
});

describeWithReference('bundle files by path', ['kind-schema', 'helm-values', 'crds'], () => {
  const kindFile = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: dev\nnodes:\n  - role: control-plane\n';

  test('accepts valid files and leaves files it does not know to the caller', () => {
    expect(validateBundleFile('kind/dev.yaml', `# generated\n${kindFile}`)).toEqual([]);
    expect(validateBundleFile('cilium-values/dev.yaml', 'cluster:\n  name: dev\nkubeProxyReplacement: true\n')).toEqual([]);
    expect(validateBundleFile('dist/dev/dev.k8s.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n')).toEqual([]);
    expect(validateBundleFile('dist/dev/dev.k8s.yaml', '')).toEqual([]);
    expect(validateBundleFile('dist/dev/kustomization.yaml', 'resources: []\n')).toBeUndefined();
    expect(validateBundleFile('dist/bundle.json', '{}')).toBeUndefined();
  });

  test.each([
    ['kind/dev.yaml', `${kindFile}metadata:\n  name: dev\n`, /kind\/dev.yaml: \/: unknown field "metadata"/],
    ['kind/dev.yaml', `${kindFile}---\n${kindFile}`, /expected one YAML document, found 2/],
    ['kind/dev.yaml', 'kind: Cluster\nkind: Cluster\n', /kind\/dev.yaml: .*(unique|duplicate)/i],
    ['cilium-values/dev.yaml', 'cluster:\n  name: on\n', /\(as Helm reads it\): \/cluster\/name: must be string/],
    ['cilium-values/dev.yaml', 'kubeProxyReplacement: 5\n', /\/kubeProxyReplacement: must be string,boolean/],
    ['dist/dev/dev.k8s.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumL2AnnouncementPolicy\nmetadata:\n  name: l2\n', /doc 0: .*not served at version v2/],
  ])('rejects a bad %s', (file, content, expected) => {
    const errors = validateBundleFile(file, content);
    expect(errors).toBeDefined();
    expect((errors ?? []).join('\n')).toMatch(expected);
  });
});
