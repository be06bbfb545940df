import { ApiObject, App, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { addAllPresets, BUNDLE_NAME, BUNDLE_VERSION, KindCiliumCluster, NginxDemo } from '../../src';

const LABEL_KEYS = ['app.kubernetes.io/part-of', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];

describe('library labels', () => {
  test("a user's raw ApiObject and cdk8s-plus object in a cluster carry none of the library's labels", () => {
    const app = Testing.app();
    const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev' });
    new NginxDemo(cluster, 'nginx', { loadBalancer: false });
    new ApiObject(cluster, 'mine', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: 'demo', labels: { team: 'a' } } });
    new kplus.ConfigMap(cluster, 'plus', { metadata: { name: 'plus', namespace: 'demo' } });
    const objects = Testing.synth(cluster) as { kind: string; metadata: { name: string; labels?: Record<string, string> } }[];
    const mine = objects.find((o) => o.metadata.name === 'mine')!;
    const plus = objects.find((o) => o.metadata.name === 'plus')!;
    expect(mine.metadata.labels).toEqual({ team: 'a' });
    for (const key of LABEL_KEYS) expect(plus.metadata.labels?.[key]).toBeUndefined();
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(deployment.metadata.labels).toMatchObject({
      'app.kubernetes.io/part-of': BUNDLE_NAME,
      'app.kubernetes.io/version': BUNDLE_VERSION,
      'app.kubernetes.io/managed-by': BUNDLE_NAME,
    });
  });

  test('every object of every preset (all built by library constructs) carries them', () => {
    const app = new App();
    addAllPresets(app);
    const objects = app.charts.flatMap((c) => c.toJson()) as { metadata: { name: string; labels?: Record<string, string> } }[];
    expect(objects.length).toBeGreaterThan(40);
    for (const o of objects) {
      for (const key of LABEL_KEYS) expect([o.metadata.name, o.metadata.labels?.[key]]).toEqual([o.metadata.name, expect.any(String)]);
    }
  });
});
