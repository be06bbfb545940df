import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * `npx cdk8s-kind-cilium init <dir> --from <tarball>` (src/bin/cdk8s-kind-cilium.ts): the lab depends on the tarball
 * by a path relative to itself, so the lab still installs when it is moved or cloned together with the tarball.
 */
test('--from a tarball: the dependency is file:<path relative to the lab>, which npm resolves from the lab', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-init-'));
  try {
    const bin = path.join(__dirname, '..', '..', 'src', 'bin', 'cdk8s-kind-cilium.ts');
    const run = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), bin, 'init', 'labs/mylab', '--from', './cdk8s-kind-cilium-0.1.0.tgz'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') } });
    expect([run.status, /wrote a lab with cluster mylab/.test(run.stderr)]).toEqual([0, true]);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'labs', 'mylab', 'package.json'), 'utf8'));
    expect(pkg.dependencies['cdk8s-kind-cilium']).toBe('file:../../cdk8s-kind-cilium-0.1.0.tgz');
    expect(path.resolve(dir, 'labs', 'mylab', '../../cdk8s-kind-cilium-0.1.0.tgz')).toBe(path.join(dir, 'cdk8s-kind-cilium-0.1.0.tgz'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
