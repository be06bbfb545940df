import { appliedNamespaceLabels, namespacedName, objectRef, selectorMatches } from '../../src/applied/objects';

describe('selectorMatches: Kubernetes label selector semantics', () => {
  const labels = { app: 'web', tier: 'front' };
  test.each([
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'api' } }, false],
    [{ matchLabels: { missing: '' } }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, true],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
  ])('%j matches {app: web, tier: front}: %s', (selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  test('a key inherited from Object.prototype is not a label', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {})).toBe(false);
  });
});

test('object names in the behaviour-case notation', () => {
  expect(objectRef({ kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' } })).toBe('HTTPRoute/ns/r');
  expect(objectRef({ kind: 'ClusterIssuer', metadata: { name: 'ca' } })).toBe('ClusterIssuer/ca');
  expect(namespacedName({ metadata: { name: 's' } })).toBe('default/s');
  expect(appliedNamespaceLabels({ metadata: { name: 'shop', labels: { a: 'b' } } })).toEqual({ 'a': 'b', 'kubernetes.io/metadata.name': 'shop' });
});
