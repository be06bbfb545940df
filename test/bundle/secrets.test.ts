import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { meshPlatform, synthesizeBundle } from '../../src';

/**
 * Trust III point 5, the scripts' half: the folders the scripts create for keys ignore themselves in any repository
 * (a consumer's has no `.kind-cilium/` line in its .gitignore), and key files are 0600 on every run.
 */

const openssl = spawnSync('openssl', ['version']).status === 0;
const git = spawnSync('git', ['--version']).status === 0;
const mode = (p: string) => (fs.statSync(p).mode % 0o1000).toString(8);

let root: string;
beforeEach(() => {
  // A consumer repository: the bundle synthesized into it, and no .gitignore of its own.
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-consumer-'));
  const app = new App();
  meshPlatform(app);
  synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const sharedCa = () => spawnSync('bash', ['dist/mesh/shared-ca.sh'], { cwd: root, encoding: 'utf8' });
const ca = (f: string) => path.join(root, '.kind-cilium/mesh', f);

(openssl && git ? test : test.skip)('in a repository without a .gitignore, `git add -A` stages the bundle but nothing of the CA folder', () => {
  expect(fs.existsSync(path.join(root, '.gitignore'))).toBe(false);
  const run = sharedCa();
  expect([run.status, run.stderr]).toEqual([0, '']);
  expect(fs.readFileSync(ca('.gitignore'), 'utf8')).toBe('*\n');
  expect(mode(path.join(root, '.kind-cilium/mesh'))).toBe('700');
  const g = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root, encoding: 'utf8' });
  g('init', '-q');
  g('add', '-A');
  const staged = g('diff', '--cached', '--name-only').stdout.split('\n').filter(Boolean);
  expect(staged).toContain('dist/mesh/shared-ca.sh');
  expect(staged.filter((f) => f.startsWith('.kind-cilium/'))).toEqual([]);
  // Even named explicitly, git refuses the ignored key (without --force).
  expect(g('add', '.kind-cilium/mesh/ca.key').status).not.toBe(0);
});

(openssl ? test : test.skip)('key files are forced to 0600 on every run, also when they exist with another mode; the .gitignore is repaired', () => {
  expect(sharedCa().status).toBe(0);
  const key = fs.readFileSync(ca('ca.key'), 'utf8');
  // A checkout or a copy left them world-readable, and someone emptied the .gitignore.
  fs.chmodSync(ca('ca.key'), 0o644);
  fs.chmodSync(ca('ca-values.yaml'), 0o644);
  fs.writeFileSync(ca('.gitignore'), '');
  const again = sharedCa();
  expect([again.status, again.stderr]).toEqual([0, '']);
  expect(again.stdout).toContain('exists: reusing it');
  expect(fs.readFileSync(ca('ca.key'), 'utf8')).toBe(key);
  expect([mode(ca('ca.key')), mode(ca('ca-values.yaml'))]).toEqual(['600', '600']);
  expect(fs.readFileSync(ca('.gitignore'), 'utf8')).toBe('*\n');
});

(openssl ? test : test.skip)('runs at the same time (members installing in parallel) make one CA, and no reader sees a half-written file', async () => {
  const runOne = () => new Promise<number>((resolve) => {
    const child = spawn('bash', ['dist/mesh/shared-ca.sh'], { cwd: root, stdio: 'ignore' });
    child.on('exit', (code) => resolve(code ?? -1));
  });
  expect(await Promise.all([runOne(), runOne(), runOne()])).toEqual([0, 0, 0]);
  const crt = fs.readFileSync(ca('ca.crt'), 'utf8');
  expect(crt.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  const values = fs.readFileSync(ca('ca-values.yaml'), 'utf8');
  expect(Buffer.from(/cert: (\S+)/.exec(values)![1], 'base64').toString()).toBe(crt);
  expect(fs.readdirSync(path.join(root, '.kind-cilium/mesh')).sort()).toEqual(['.gitignore', 'ca-values.yaml', 'ca.crt', 'ca.key']);
}, 120_000);
