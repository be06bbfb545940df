import fc from 'fast-check';
import { apply, cond, gateway, grant, http, httpRoute, https, namespace, parentOf, service } from './gateway-builders';
import { tlsSecretData } from './tls-fixtures';
import { computeHosts } from '../../src/applied/gateway-hostnames';
import { KubeObject } from '../../src/applied/objects';

/**
 * Properties that enumerate a whole kind against an oracle written from the Gateway API spec, not from the model:
 * namespace admission (`allowedRoutes.namespaces`), hostname intersection, and ReferenceGrant matching.
 */

describe('allowedRoutes.namespaces: every from / selector / namespace-label combination', () => {
  const keys = ['team', 'env', 'kubernetes.io/metadata.name'];
  const values = ['a', 'b', 'apps', 'infra'];
  const labelSet = fc.dictionary(fc.constantFrom('team', 'env'), fc.constantFrom(...values), { maxKeys: 2 });
  const scenario = fc.record({
    from: fc.constantFrom('All', 'Same', 'Selector', 'None'),
    selector: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 2 }),
    routeInGatewayNamespace: fc.boolean(),
    namespaceCreated: fc.boolean(),
    labels: labelSet,
  });

  /** The spec (apis/v1/gateway_types.go RouteNamespaces): the namespace's labels as applied include kubernetes.io/metadata.name. */
  function oracle(s: {
    from: string;
    selector: Record<string, string>;
    routeInGatewayNamespace: boolean;
    namespaceCreated: boolean;
    labels: Record<string, string>;
  }, routeNs: string): boolean {
    switch (s.from) {
      case 'All': return true;
      case 'Same': return s.routeInGatewayNamespace;
      case 'Selector': {
        if (!s.namespaceCreated && !s.routeInGatewayNamespace) return false;
        const applied = s.routeInGatewayNamespace ? { 'kubernetes.io/metadata.name': 'infra' } : { ...s.labels, 'kubernetes.io/metadata.name': routeNs };
        return Object.entries(s.selector).every(([k, v]) => (applied as Record<string, string>)[k] === v);
      }
      default: return false;
    }
  }

  test('Accepted and attachedRoutes follow the spec', () => {
    fc.assert(fc.property(scenario, (s) => {
      const routeNs = s.routeInGatewayNamespace ? 'infra' : 'apps';
      const objects: KubeObject[] = [namespace('infra'), service(routeNs, 'web'),
        gateway('infra', 'gw', [http('h', 80, { allowedRoutes: { namespaces: { from: s.from, ...(s.from === 'Selector' ? { selector: { matchLabels: s.selector } } : {}) } } })]),
        httpRoute(routeNs, 'r', [{ name: 'gw', namespace: 'infra' }])];
      if (!s.routeInGatewayNamespace && s.namespaceCreated) objects.push(namespace('apps', s.labels));
      const state = apply(objects);
      const admitted = oracle(s, routeNs);
      expect(cond(parentOf(state, `HTTPRoute/${routeNs}/r`).conditions?.Accepted)).toBe(admitted ? 'True/Accepted' : 'False/NotAllowedByListeners');
      expect(state.gateways[0].listeners[0].attachedRoutes).toBe(admitted ? 1 : 0);
    }), { numRuns: 400, seed: 20261204 });
  });
});

describe('hostname intersection against a brute-force oracle', () => {
  const labels = ['a', 'b', 'c'];
  /** Every concrete name of one to four labels over the alphabet. */
  const names: string[] = [];
  const grow = (prefix: string[]) => {
    if (prefix.length > 0) names.push(prefix.join('.'));
    if (prefix.length < 4) labels.forEach((l) => grow([...prefix, l]));
  };
  grow([]);
  /** Gateway API Hostname: an exact name, or `*.` + suffix matching one or more labels before the suffix. */
  const matches = (pattern: string, name: string) => (pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : pattern === name);
  const setOf = (pattern: string) => new Set(names.filter((n) => matches(pattern, n)));
  const hostname = fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...labels), { minLength: 1, maxLength: 2 }))
    .map(([wild, parts]) => (wild ? `*.${parts.join('.')}` : parts.join('.')));

  test('the hosts a route serves are exactly the names both the listener and a route hostname match', () => {
    fc.assert(fc.property(fc.option(hostname, { nil: undefined }), fc.array(hostname, { maxLength: 3 }), (listener, routeHostnames) => {
      const served = computeHosts(routeHostnames, listener, []);
      const listenerNames = listener === undefined ? new Set(names) : setOf(listener);
      const expected = routeHostnames.length === 0 ? listenerNames
        : new Set(names.filter((n) => listenerNames.has(n) && routeHostnames.some((h) => matches(h, n))));
      const got = served.includes('*') ? new Set(names) : new Set(served.flatMap((h) => [...setOf(h)]));
      expect([...got].sort()).toEqual([...expected].sort());
    }), { numRuns: 600, seed: 20261205 });
  });

  test('a route is refused with NoMatchingListenerHostname exactly when no name lies in both', () => {
    fc.assert(fc.property(hostname, fc.array(hostname, { minLength: 1, maxLength: 3 }), (listener, routeHostnames) => {
      const state = apply([namespace('infra'), service('infra', 'web'), gateway('infra', 'gw', [http('h', 80, { hostname: listener })]),
        httpRoute('infra', 'r', [{ name: 'gw' }], undefined, routeHostnames)]);
      const intersects = names.some((n) => matches(listener, n) && routeHostnames.some((h) => matches(h, n)));
      expect(cond(parentOf(state, 'HTTPRoute/infra/r').conditions?.Accepted)).toBe(intersects ? 'True/Accepted' : 'False/NoMatchingListenerHostname');
    }), { numRuns: 300, seed: 20261206 });
  });
});

describe('ReferenceGrant: every field right or wrong', () => {
  // Each grant field is right, wrong, or (for to.name) absent; a reference is permitted only when all are right or absent.
  const fields = ['grantNamespace', 'fromGroup', 'fromKind', 'fromNamespace', 'toGroup', 'toKind'] as const;
  const combos: { wrong: Set<string>; toName: 'right' | 'wrong' | 'absent' }[] = [];
  const subsets = fields.reduce<string[][]>((acc, f) => [...acc, ...acc.map((sub) => [...sub, f])], [[]]);
  for (const wrong of subsets) {
    for (const toName of ['right', 'wrong', 'absent'] as const) combos.push({ wrong: new Set(wrong), toName });
  }

  function grantFor(c: typeof combos[number], fromKind: string, toKind: string, toName: string): KubeObject {
    const w = (f: string, right: string, wrong: string) => (c.wrong.has(f) ? wrong : right);
    return grant(w('grantNamespace', 'apps', 'elsewhere'), 'g',
      [{ group: w('fromGroup', 'gateway.networking.k8s.io', 'x.io'), kind: w('fromKind', fromKind, 'Nope'), namespace: w('fromNamespace', 'infra', 'other') }],
      [{ group: w('toGroup', '', 'x.io'), kind: w('toKind', toKind, 'Nope'), ...(c.toName === 'absent' ? {} : { name: c.toName === 'right' ? toName : 'other' }) }]);
  }

  test.each(combos.map((c) => [`${[...c.wrong].join(',') || 'none wrong'}; to.name ${c.toName}`, c] as const))('%s', (_name, c) => {
    const permitted = c.wrong.size === 0 && c.toName !== 'wrong';
    const base = [namespace('infra'), namespace('apps'), namespace('elsewhere'), service('apps', 'web')];
    const backend = apply([...base, grantFor(c, 'HTTPRoute', 'Service', 'web'), gateway('infra', 'gw', [http()]),
      httpRoute('infra', 'r', [{ name: 'gw' }], [{ backendRefs: [{ name: 'web', namespace: 'apps', port: 8080 }] }])]);
    expect(cond(parentOf(backend, 'HTTPRoute/infra/r').conditions?.ResolvedRefs)).toBe(permitted ? 'True/ResolvedRefs' : 'False/RefNotPermitted');
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'apps' }, data: tlsSecretData() };
    const listener = apply([...base, secret, grantFor(c, 'Gateway', 'Secret', 'tls'),
      gateway('infra', 'gw', [https('s', 'tls', { tls: { certificateRefs: [{ name: 'tls', namespace: 'apps' }] } })])]).gateways[0].listeners[0];
    expect(cond(listener.conditions.ResolvedRefs)).toBe(permitted ? 'True/ResolvedRefs' : 'False/RefNotPermitted');
  });
});
