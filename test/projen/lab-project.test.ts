import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { LAB_CHECK_COMMAND, LAB_GITIGNORE, labFiles } from '../../src/bundle/lab-template';
import { BUNDLE_DIRS } from '../../src/bundle/render';
import { librarySpecOf } from '../../src/projen/lab-project';
import { KindCiliumLabProject } from '../../src/projen/lazy-lab-project';
import { configError } from '../support/config-error';

// The projen project type end to end (npm pack, `npx projen new --from <tarball>`, npm install, synth, shellcheck,
// check-bundle) is scripts/projen-lab-check.sh, run by scripts/lab-check.sh from .ci/run. Here: the manifest projen
// reads, projen's own discovery of the type, the files a synthesis writes, and that the library never loads projen.

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifestScript = require('../../scripts/projen-manifest.js') as { PJID: string; render(): string };
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('.jsii manifest', () => {
  test('is fresh (run `npm run projen-manifest` after editing src/projen/)', () => {
    expect(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8')).toBe(manifestScript.render());
  });

  test('ships in the package', () => {
    expect(pkg.files).toContain('.jsii');
  });

  test("projen's inventory finds exactly the lab project type, with every option of the TypeScript interface", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const inventory = require('projen/lib/inventory') as { discover(...dirs: string[]): { moduleName: string; pjid: string; fqn: string; options: { name: string; optional?: boolean; switch: string }[] }[] };
    const types = inventory.discover(ROOT).filter((t) => t.moduleName === pkg.name);
    expect(types.map((t) => [t.pjid, t.fqn])).toEqual([[manifestScript.PJID, `${pkg.name}.KindCiliumLabProject`]]);
    const options = Object.fromEntries(types[0].options.map((o) => [o.name, { optional: o.optional ?? false, switch: o.switch }]));
    expect(options).toEqual({
      name: { optional: false, switch: 'name' },
      outdir: { optional: true, switch: 'outdir' },
      clusterName: { optional: true, switch: 'cluster-name' },
      deps: { optional: true, switch: 'deps' },
      devDeps: { optional: true, switch: 'dev-deps' },
    });
  });
});

describe('librarySpecOf', () => {
  const lib = { name: 'cdk8s-kind-cilium', version: '0.1.0' };
  test.each([
    ['cdk8s-kind-cilium', '^0.1.0'],
    ['cdk8s-kind-cilium@~0.1.2', '~0.1.2'],
    ['../cdk8s-kind-cilium-0.1.0.tgz', 'file:../cdk8s-kind-cilium-0.1.0.tgz'],
    ['/tmp/x/cdk8s-kind-cilium-0.2.0-rc.1.tgz', 'file:/tmp/x/cdk8s-kind-cilium-0.2.0-rc.1.tgz'],
    ['file:./cdk8s-kind-cilium-0.1.0.tgz', 'file:./cdk8s-kind-cilium-0.1.0.tgz'],
    ['cdk8s-kind-cilium-extra', undefined],
    ['other@^1', undefined],
    ['./other-0.1.0.tgz', undefined],
    ['./cdk8s-kind-cilium-0.1.0.tgz/evil', undefined],
  ])('%s -> %s', (entry, spec) => {
    expect(librarySpecOf(entry, lib)).toBe(spec);
  });
});

describe('KindCiliumLabProject synthesis', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pjlab-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

  test('writes the files of lab-template.ts, the check-bundle task and a .gitignore that keeps the bundle', () => {
    const tgz = '../cdk8s-kind-cilium-0.1.0.tgz';
    const project = new KindCiliumLabProject({ name: 'my-lab', outdir: dir, devDeps: [tgz, 'extra-tool@^3'], deps: ['@scope/lib@^2'] });
    project.synth();
    const clusterName = path.basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, '-');
    expect(project.clusterName).toBe(clusterName);
    const expected = labFiles({ name: 'my-lab', clusterName, librarySpec: `file:${tgz}`, library: pkg });
    for (const file of ['cdk8s.yaml', 'tsconfig.json', 'src/main.ts', 'README.md']) expect([file, read(file)]).toEqual([file, expected[file]]);

    const written = JSON.parse(read('package.json'));
    const template = JSON.parse(expected['package.json']);
    expect(written.dependencies).toEqual({ ...template.dependencies, '@scope/lib': '^2' });
    expect(written.devDependencies).toEqual({ ...template.devDependencies, 'projen': expect.stringMatching(/^\^\d+\.\d+\.\d+/), 'extra-tool': '^3' });
    expect(written.devDependencies['@types/node']).toBe('^20');

    const ignore = read('.gitignore').split('\n');
    for (const line of LAB_GITIGNORE) expect(ignore).toContain(line);
    for (const bundleDir of BUNDLE_DIRS) expect(ignore.filter((l) => l.replace(/^[!/]+/, '').startsWith(bundleDir))).toEqual([]);

    const tasks = JSON.parse(read('.projen/tasks.json')).tasks;
    expect(tasks['check-bundle'].steps).toEqual([{ exec: LAB_CHECK_COMMAND }]);
    expect(tasks.default.steps).toEqual([{ builtin: 'run-projenrc-json' }]);
  });

  test('takes options made in another realm, as projen passes them (`new` runs in a vm context)', () => {
    const options = vm.runInNewContext('({ name: "lab", outdir: dir, clusterName: "edge", devDeps: ["cdk8s-kind-cilium@^0.1.0"] })', { dir });
    expect(Object.getPrototypeOf(options)).not.toBe(Object.prototype);
    new KindCiliumLabProject(options).synth();
    expect(JSON.parse(read('package.json')).dependencies['cdk8s-kind-cilium']).toBe('^0.1.0');
    const misspelt = vm.runInNewContext('({ name: "lab", outdir: dir, clusterNmae: "edge" })', { dir });
    expect(configError(() => new KindCiliumLabProject(misspelt)).rules).toEqual(['unknown-prop']);
  });

  test('src/main.ts and README.md are written once; a second synthesis keeps the user\'s edits', () => {
    new KindCiliumLabProject({ name: 'lab', outdir: dir, clusterName: 'edge' }).synth();
    fs.writeFileSync(path.join(dir, 'src/main.ts'), '// mine\n');
    new KindCiliumLabProject({ name: 'lab', outdir: dir, clusterName: 'edge' }).synth();
    expect(read('src/main.ts')).toBe('// mine\n');
    expect(JSON.parse(read('package.json')).dependencies['cdk8s-kind-cilium']).toBe(`^${pkg.version}`);
  });

  test.each([
    [{ name: 'lab', clusterNmae: 'edge' }, 'unknown-prop', 'options.clusterNmae'],
    [{ name: 'lab', devDeps: 'projen' }, 'invalid-type', 'options.devDeps'],
    [{ name: 'lab', clusterName: 'Bad_Name' }, 'invalid-cluster-name', 'clusterName'],
    [{ clusterName: 'edge' }, 'missing-prop', 'options.name'],
  ])('%j is refused (%s at %s)', (options, rule, field) => {
    const { rules, violations } = configError(() => new KindCiliumLabProject({ outdir: dir, ...options } as never));
    expect(rules).toContain(rule);
    expect(violations.map((v) => v.field)).toContain(field);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('the library without projen', () => {
  test('loading src/index.ts never loads projen; only constructing the lab project does', () => {
    jest.isolateModules(() => {
      jest.doMock('projen', () => { throw new Error('projen was loaded'); });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib = require('../../src') as typeof import('../../src');
      expect(typeof lib.KindCiliumLabProject).toBe('function');
      expect(typeof lib.KindCiliumCluster).toBe('function');
      expect({ ...lib }.KindCiliumLabProject).toBe(lib.KindCiliumLabProject); // projen's `new` spreads the module
      expect(() => new lib.KindCiliumLabProject({ name: 'lab', outdir: os.tmpdir() })).toThrow('projen was loaded');
    });
    jest.dontMock('projen');
  });
});
