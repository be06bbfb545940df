import { LAB_APP_COMMAND, LAB_CDK8S_OUTPUT, LAB_GITIGNORE, labFiles } from '../../src/bundle/lab-template';
import { LOCK_DIR } from '../../src/bundle/output-lock';
import { BUNDLE_DIRS } from '../../src/bundle/render';
import { JOURNAL_FILE, STAGING_PREFIX } from '../../src/bundle/write-journal';

// The end-to-end run (npm pack, init, install, synth) is scripts/lab-check.sh, run by .ci/run; these are the
// template's invariants, checked for every entry of the kinds they name.
const library = { name: 'cdk8s-kind-cilium', peerDependencies: { cdk8s: '^2.70.106', constructs: '^10.4.2' }, devDependencies: { 'cdk8s-cli': '^2.200.0' } };
const files = labFiles({ name: 'mylab', clusterName: 'mylab', librarySpec: 'file:/x.tgz', library });

describe('lab template', () => {
  test('.gitignore hides no bundle folder and ignores every kind of synthesis state and the local CAs', () => {
    const lines = files['.gitignore'].trim().split('\n');
    expect(lines).toEqual([...LAB_GITIGNORE]);
    for (const dir of BUNDLE_DIRS) expect(lines.filter((l) => l.replace(/^\//, '').startsWith(dir))).toEqual([]);
    for (const state of [`/${LOCK_DIR}/`, `/${JOURNAL_FILE}`, `/${STAGING_PREFIX}*`, '/.kind-cilium/', `/${LAB_CDK8S_OUTPUT}/`]) expect(lines).toContain(state);
  });

  test('cdk8s.yaml sends tsc output to stderr and keeps the CLI output out of the bundle folders', () => {
    expect(files['cdk8s.yaml']).toContain(`app: ${LAB_APP_COMMAND}\n`);
    expect(LAB_APP_COMMAND).toMatch(/^npx tsc -p \. 1>&2 && node lib\/main\.js$/);
    expect(BUNDLE_DIRS).not.toContain(LAB_CDK8S_OUTPUT);
  });

  test('package.json brings @types/node with AbortSignal, TypeScript 5.9, the library and its peers', () => {
    const pkg = JSON.parse(files['package.json']);
    expect(pkg.devDependencies['@types/node']).toBe('^20');
    expect(pkg.devDependencies.typescript).toBe('~5.9.3');
    expect(pkg.dependencies).toEqual({ 'cdk8s-kind-cilium': 'file:/x.tgz', ...library.peerDependencies });
  });

  test('main.ts pins rootDir to the repository root, not the current folder', () => {
    expect(files['src/main.ts']).toContain("rootDir: path.resolve(__dirname, '..')");
    expect(labFiles({ name: 'mylab', clusterName: 'mylab', librarySpec: 'file:/x.tgz', library })).toEqual(files);
  });
});
