import * as path from 'path';
import * as YAML from 'yaml';
import { kustomize } from '../support/kubectl';
import { renderApp, writeBundle } from '../support/render';

/**
 * Oracle: `kubectl kustomize` (kustomize built into the extracted kubectl) consumes each rendered
 * dist/<cluster> folder as Argo CD / Flux would, and yields exactly the objects of the manifest file.
 * Needs no reference data.
 */

const bundle = renderApp();
const root = writeBundle(bundle.files);
const clusters = bundle.files.filter((f) => f.path.endsWith('/kustomization.yaml')).map((f) => f.path.split('/')[1]);

const identity = (o: any): string => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

test('every cluster has a kustomization', () => {
  expect(clusters.sort()).toEqual(bundle.clusters.map((c) => c.clusterName).sort());
});

test.each(clusters)('%s', async (cluster) => {
  const built = await kustomize(path.join(root, 'dist', cluster));
  const manifest = YAML.parseAllDocuments(bundle.read(`dist/${cluster}/${cluster}.k8s.yaml`))
    .map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
  expect(built.length).toBeGreaterThan(0);
  expect(built).toHaveLength(manifest.length);
  expect(built.map(identity).sort()).toEqual(manifest.map(identity).sort());
});
