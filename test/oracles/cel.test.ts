import * as YAML from 'yaml';
import { CelFailure, celValidateObject, escapeCelField, formatCelFailure, loadCrdFiles } from '../support/cel';
import { describeWithReference, referenceFilesIn, referencePath } from '../support/reference';
import { renderApp } from '../support/render';

/**
 * Oracle: every CEL rule (`x-kubernetes-validations`) of the Gateway API CRDs of the release the
 * bundle installs, evaluated with @bufbuild/cel against every Gateway API object the zero-trust
 * preset writes (after schema defaulting, as the API server does). Negative tests break known rules
 * in copies of those objects, so a green run means the evaluator can fail.
 */

type Obj = Record<string, any>;

test('schema property names are escaped as Kubernetes CEL spells them', () => {
  expect(escapeCelField('namespace')).toBe('__namespace__');
  expect(escapeCelField('x-y.z/w__v')).toBe('x__dash__y__dot__z__slash__w__underscores__v');
  expect(escapeCelField('sectionName')).toBe('sectionName');
});

describeWithReference('Gateway API CEL rules (zero-trust preset)', ['crds'], () => {
  const bundle = renderApp();
  const cluster = bundle.clusters.find((c) => c.clusterName === 'zero-trust');
  if (!cluster) throw new Error('no zero-trust preset');
  const release = cluster.spec.versions.gatewayApi;
  const crdFiles = referenceFilesIn(`gateway-api-${release}`);
  const schemas = loadCrdFiles(crdFiles, referencePath);
  const objects = YAML.parseAllDocuments(bundle.read('dist/zero-trust/zero-trust.k8s.yaml'))
    .map((d) => d.toJS() as Obj)
    .filter((o) => String(o?.apiVersion).startsWith('gateway.networking.k8s.io/'));
  const key = (o: Obj) => `${o.apiVersion} ${o.kind}`;
  const failures = (o: Obj): CelFailure[] => {
    const schema = schemas.get(key(o));
    if (!schema) throw new Error(`gateway-api ${release} serves no ${key(o)}`);
    return celValidateObject(schema, o);
  };
  const messages = (o: Obj) => failures(o).map(formatCelFailure);
  const find = (kind: string): Obj => {
    const o = objects.find((x) => x.kind === kind);
    if (!o) throw new Error(`zero-trust writes no ${kind}`);
    return structuredClone(o);
  };

  test(`the reference has the CRDs of the release the bundle installs (${release})`, () => {
    expect(crdFiles.length).toBeGreaterThan(0);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Gateway', 'HTTPRoute']));
  });

  test.each(objects.map((o) => [`${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, o] as const))('%s passes every CEL rule', (_label, o) => {
    expect(messages(o)).toEqual([]);
  });

  describe('the evaluator catches violations', () => {
    test('HTTPRoute: a Service backendRef without a port', () => {
      const route = find('HTTPRoute');
      delete route.spec.rules[0].backendRefs[0].port;
      expect(messages(route)).toEqual(['/spec/rules/0/backendRefs/0: Must have port for Service reference (CEL)']);
    });

    test('HTTPRoute: a RequestRedirect filter together with backendRefs', () => {
      const route = find('HTTPRoute');
      route.spec.rules[0].filters = [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }];
      expect(messages(route).join('\n')).toMatch(/^\/spec\/rules\/0: RequestRedirect filter must not be used together with backendRefs \(CEL\)$/m);
    });

    test('HTTPRoute: a filter whose type does not match its field', () => {
      const route = find('HTTPRoute');
      route.spec.rules[0].filters = [{ type: 'RequestHeaderModifier', urlRewrite: { hostname: 'a.localhost' } }];
      const text = messages(route).join('\n');
      expect(text).toMatch(/\/spec\/rules\/0\/filters\/0: filter.urlRewrite must be nil if the filter.type is not URLRewrite \(CEL\)/);
      expect(text).toMatch(/\/spec\/rules\/0\/filters\/0: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type \(CEL\)/);
    });

    test('HTTPRoute: two references to the same parent with the same sectionName', () => {
      const route = find('HTTPRoute');
      const parent = { ...route.spec.parentRefs[0], sectionName: 'https' };
      route.spec.parentRefs = [parent, { ...parent }];
      expect(messages(route).join('\n')).toMatch(/\/spec\/parentRefs: sectionName must be unique/);
    });

    test('Gateway: duplicate listener names', () => {
      const gw = find('Gateway');
      gw.spec.listeners[1].name = gw.spec.listeners[0].name;
      expect(messages(gw).join('\n')).toMatch(/^\/spec\/listeners: Listener name must be unique within the Gateway \(CEL\)$/m);
    });

    test('Gateway: tls on an HTTP listener', () => {
      const gw = find('Gateway');
      const http = gw.spec.listeners.findIndex((l: Obj) => l.protocol === 'HTTP');
      gw.spec.listeners[http].tls = { mode: 'Terminate', certificateRefs: [{ name: 'x' }] };
      // Declared on the listener list, so reported there.
      expect(messages(gw)).toEqual(["/spec/listeners: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'] (CEL)"]);
    });

    test('Gateway: an HTTPS listener without certificateRefs (mode defaults to Terminate)', () => {
      const gw = find('Gateway');
      const https = gw.spec.listeners.findIndex((l: Obj) => l.protocol === 'HTTPS');
      gw.spec.listeners[https].tls = {};
      expect(messages(gw).join('\n')).toMatch(new RegExp(`/spec/listeners/${https}/tls: certificateRefs or options must be specified when mode is Terminate \\(CEL\\)`));
    });

    test('transition rules (oldSelf) are skipped on create', () => {
      const gwc = schemas.get('gateway.networking.k8s.io/v1 GatewayClass');
      expect(gwc).toBeDefined();
      expect(celValidateObject(gwc!, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'io.cilium/gateway-controller' } })).toEqual([]);
    });
  });
});
