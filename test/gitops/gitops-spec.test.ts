import { App } from 'cdk8s';
import { renderBundle } from '../../src/bundle/render';
import { KindCiliumCluster } from '../../src/cluster/kind-cilium-cluster';
import { PlatformConfigError } from '../../src/errors';
import { CILIUM_GENERATED_SECRETS } from '../../src/gitops/cilium-generated-secrets';
import { ClusterMesh } from '../../src/mesh/cluster-mesh';
import { CILIUM_MINOR_FACTS } from '../../src/spec/cilium-minors';
import { resolveGitOps } from '../../src/spec/gitops';
import { ciliumVersionProps } from '../support/cilium-versions';
import { helmTemplate } from '../support/helm';
import { describeWithReference } from '../support/reference';

const violations = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlatformConfigError) return e.violations.map((v) => `${v.rule} ${v.field}`);
    throw e;
  }
  return [];
};

describe('the gitops option', () => {
  test('defaults: revision main, the repository root', () => {
    expect(resolveGitOps('dev.gitops', { engine: 'flux', repoUrl: 'git@github.com:me/platform.git' }))
      .toEqual({ engine: 'flux', repoUrl: 'git@github.com:me/platform.git', revision: 'main', path: '' });
    expect(resolveGitOps('dev.gitops', undefined)).toBeUndefined();
  });

  test('every problem is reported at once, each naming its field', () => {
    expect(violations(() => resolveGitOps('dev.gitops', { engine: 'helm', repoUrl: 'ftp://x/y', revision: 'a..b', path: '../up' }))).toEqual([
      'invalid-gitops dev.gitops.engine', 'invalid-gitops dev.gitops.repoUrl', 'invalid-gitops dev.gitops.revision', 'invalid-gitops dev.gitops.path',
    ]);
  });

  test.each([
    ['repoUrl', 'https://github.com/me/p.git', true], ['repoUrl', 'ssh://git@host/p.git', true], ['repoUrl', 'git@host:me/p.git', true],
    ['repoUrl', 'https://host/p .git', false], ['repoUrl', 'file:///tmp/p', false], ['repoUrl', '', false],
    ['revision', 'release/1.0', true], ['revision', 'feature x', false], ['revision', 'main.lock', false], ['revision', '-x', false], ['revision', 'a:b', false],
    ['path', '.', true], ['path', 'clusters/local', true], ['path', '/abs', false], ['path', 'a/../b', false], ['path', 'a/', false], ['path', 'a b', false],
  ])('%s %j accepted: %s', (field, value, ok) => {
    const props = { engine: 'argocd', repoUrl: 'https://github.com/me/p.git', [field]: value };
    expect(violations(() => resolveGitOps('dev.gitops', props))).toEqual(ok ? [] : [`invalid-gitops dev.gitops.${field}`]);
  });

  test('an unknown key is refused with the closest known one', () => {
    expect(() => resolveGitOps('dev.gitops', { engine: 'flux', repoUrl: 'https://h/p.git', branch: 'main' })).toThrow(/branch/);
  });

  test('a mesh member that sets its own gitops while the mesh sets one is refused', () => {
    const mesh = new ClusterMesh(new App(), 'm', { name: 'm', gitops: { engine: 'flux', repoUrl: 'https://h/p.git' } });
    expect(violations(() => mesh.addCluster({ clusterName: 'a', gitops: { engine: 'argocd', repoUrl: 'https://h/p.git' } }))).toEqual(['invalid-gitops m.addCluster.gitops']);
  });

  test('a mesh under Argo CD on a chart that marks no generated Secret (1.18) is refused; Flux takes the shared CA from a Secret', () => {
    const facts = CILIUM_MINOR_FACTS.find((f) => f.minor === '1.18')!;
    for (const engine of ['argocd', 'flux'] as const) {
      const app = new App();
      const mesh = new ClusterMesh(app, 'm', { name: 'm', gitops: { engine, repoUrl: 'https://h/p.git' } });
      mesh.addCluster({ clusterName: 'a', ...ciliumVersionProps(facts.latestPatch) });
      mesh.addCluster({ clusterName: 'b', ...ciliumVersionProps(facts.latestPatch) });
      expect([engine, violations(() => renderBundle(app))]).toEqual([engine, engine === 'argocd' ? ['gitops-mesh-ca a.gitops.engine'] : []]);
    }
  });

  test('a cluster of every minor renders its GitOps output with either engine', () => {
    for (const facts of CILIUM_MINOR_FACTS) {
      for (const engine of ['argocd', 'flux'] as const) {
        const app = new App();
        new KindCiliumCluster(app, 'c', { clusterName: 'c', ...ciliumVersionProps(facts.latestPatch), gitops: { engine, repoUrl: 'https://h/p.git' } });
        expect(renderBundle(app).some((f) => f.path === 'dist/c/bootstrap.sh')).toBe(true);
      }
    }
  });
});

describeWithReference('the Secrets Argo CD ignores are those the chart marks as regenerated on each render', ['charts'], () => {
  const values = [
    'cluster: {name: c1, id: 1}',
    'hubble: {enabled: true, relay: {enabled: true, tls: {server: {enabled: true}}}, ui: {enabled: true}, metrics: {enabled: [dns], tls: {enabled: true}}}',
    'clustermesh: {useAPIServer: true}',
  ].join('\n');
  test.each(CILIUM_MINOR_FACTS.map((f) => [f.minor, f.latestPatch]))('Cilium %s (chart %s)', async (minor, patch) => {
    const docs = await helmTemplate(values, patch);
    const marked = docs.filter((d) => d.kind === 'Secret' && d.metadata?.labels?.['cilium.io/helm-template-non-idempotent'] === 'true').map((d) => d.metadata.name).sort();
    expect(marked).toEqual([...CILIUM_GENERATED_SECRETS[minor as keyof typeof CILIUM_GENERATED_SECRETS]].sort());
    // The chart renders these Secrets on every minor; only the marked ones are listed.
    expect(docs.some((d) => d.kind === 'Secret' && d.metadata?.name === 'hubble-server-certs')).toBe(true);
  });
});
