import * as path from 'path';
import * as YAML from 'yaml';
import { helmReadValues } from '../support/helm';
import { kubectlReadBack } from '../support/kubectl';
import { renderApp, writeBundle } from '../support/render';

/**
 * Oracle: the Go YAML readers (sigs.k8s.io/yaml on go-yaml: YAML 1.1 scalar rules) read every YAML
 * file of the bundle exactly as our YAML 1.2 reading of the text says: same keys, same values, same
 * TYPES (a string stays a string). Needs no reference data.
 *
 * - Files whose documents are Kubernetes-style objects (apiVersion + kind): kind/<c>.yaml,
 *   dist/<c>/<c>.k8s.yaml and dist/<c>/kustomization.yaml go through
 *   `kubectl annotate --local -f FILE -o json` (kubectl's decoder; kind decodes its config with the
 *   same library).
 * - cilium-values/<c>.yaml has no apiVersion/kind, so kubectl cannot read it. Helm is the consumer,
 *   so Helm is the oracle: `helm template` of a one-template chart that prints `.Values` as JSON
 *   (see helmReadValues), i.e. exactly the object Helm builds from the file.
 * - dist/bundle.json (JSON) and dist/<c>/apply.sh (shell) are not YAML and are not checked here.
 */

const bundle = renderApp();
const root = writeBundle(bundle.files);

const kubectlFiles = bundle.files.map((f) => f.path).filter((p) => /^kind\/.*\.yaml$|^dist\/.*\.ya?ml$/.test(p));
const helmFiles = bundle.files.map((f) => f.path).filter((p) => /^cilium-values\/.*\.yaml$/.test(p));

/** Our own reading of a file: every non-empty YAML 1.2 document, as plain JSON. */
function ourReading(text: string): unknown[] {
  return YAML.parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
}

test('the bundle has YAML files of every kind to read back', () => {
  expect(kubectlFiles.filter((p) => p.startsWith('kind/'))).toHaveLength(bundle.clusters.length);
  expect(kubectlFiles.filter((p) => p.endsWith('.k8s.yaml'))).toHaveLength(bundle.clusters.length);
  expect(helmFiles).toHaveLength(bundle.clusters.length);
});

describe('kubectl reads back what we wrote', () => {
  test.each(kubectlFiles)('%s', async (file) => {
    const fromKubectl = await kubectlReadBack(path.join(root, file));
    const ours = ourReading(bundle.read(file));
    expect(fromKubectl.length).toBeGreaterThan(0);
    // toStrictEqual: types included ("1" vs 1, "true" vs true).
    expect(fromKubectl).toStrictEqual(ours);
  });
});

describe('helm reads back the values we wrote', () => {
  test.each(helmFiles)('%s', async (file) => {
    const fromHelm = await helmReadValues(bundle.read(file));
    const ours = ourReading(bundle.read(file));
    expect(ours).toHaveLength(1);
    expect(fromHelm).toStrictEqual(ours[0]);
  });
});

describe('the oracles are not blind', () => {
  test('kubectl exposes a YAML 1.1 reading that differs from ours', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: on\n  b: 0o17\n  c: "on"\n';
    const file = path.join(writeBundle([{ path: 'x.yaml', content: text }]), 'x.yaml');
    const fromKubectl = await kubectlReadBack(file);
    expect(fromKubectl).not.toStrictEqual(ourReading(text));
    expect(fromKubectl[0].data.c).toBe('on');
  });

  test('helm exposes a YAML 1.1 reading that differs from ours', async () => {
    const text = 'cluster:\n  name: yes\nport: "6443"\n';
    const fromHelm = await helmReadValues(text) as any;
    expect(fromHelm.cluster.name).toBe(true);
    expect(fromHelm.port).toBe('6443');
    expect(fromHelm).not.toStrictEqual(YAML.parse(text));
  });
});
