import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KindCiliumCluster, runSynthesis } from '../../src';

describe('runSynthesis (the cdk8s app entry point)', () => {
  let root: string;
  let stderr: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-run-'));
    stderr = '';
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('bad input: exit code 1, the field and fix on stderr, previous output untouched', () => {
    runSynthesis((app) => new KindCiliumCluster(app, 'dev', { clusterName: 'dev' }), { rootDir: root });
    expect(process.exitCode).toBeUndefined();
    const before = fs.readFileSync(path.join(root, 'kind/dev.yaml'), 'utf8');

    runSynthesis((app) => new KindCiliumCluster(app, 'dev', { clusterName: 'dev', routingMode: 'tunnel', loadBalancer: { mode: 'dsr' } }), { rootDir: root });
    expect(process.exitCode).toBe(1);
    expect(stderr).toContain('previous output left untouched');
    expect(stderr).toMatch(/dev\.loadBalancer\.mode: .*Fix: set routingMode: native/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace for bad input
    expect(fs.readFileSync(path.join(root, 'kind/dev.yaml'), 'utf8')).toBe(before);
  });

  test('an invalid prop caught at construction is reported the same way', () => {
    runSynthesis((app) => new KindCiliumCluster(app, 'x', { clusterName: 'Not_Valid' }), { rootDir: root });
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/clusterName: .*Fix: /);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});
