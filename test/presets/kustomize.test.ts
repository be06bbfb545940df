import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { addAllPresets, renderBundle } from '../../src';

/** `kubectl kustomize` (kustomize built into kubectl) consumes each cluster folder as Argo CD / Flux would. */
function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = kubectlAvailable();
if (!available) {
  process.stderr.write('[kustomize] kubectl not found on PATH: `kubectl kustomize` test skipped (Debian: apt-get install kubernetes-client)\n');
}

(available ? describe : describe.skip)('kubectl kustomize builds every cluster folder', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-kustomize-'));
  const app = new App();
  addAllPresets(app);
  const files = renderBundle(app);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
    fs.writeFileSync(path.join(root, f.path), f.content);
  }
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const clusters = files.filter((f) => f.path.endsWith('/kustomization.yaml')).map((f) => f.path.split('/')[1]);

  test.each(clusters)('%s', (cluster) => {
    const built = execFileSync('kubectl', ['kustomize', path.join(root, 'dist', cluster)], { encoding: 'utf8' });
    const identity = (o: any) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const fromKustomize = YAML.parseAllDocuments(built).map((d) => identity(d.toJS())).sort();
    const fromBundle = YAML.parseAllDocuments(fs.readFileSync(path.join(root, 'dist', cluster, `${cluster}.k8s.yaml`), 'utf8'))
      .map((d) => identity(d.toJS())).sort();
    expect(fromKustomize.length).toBeGreaterThan(0);
    expect(fromKustomize).toEqual(fromBundle);
  });
});
