import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterMesh, KindCiliumCluster, meshPlatform, renderBundle, runSynthesis, zeroTrustPlatform } from '../../src';
import { synthesisReport } from '../../src/bundle/synthesis-report';

/** What a successful synthesis tells the user: on stderr (the cdk8s CLI swallows the app's stdout), per cluster, and what to run next. */

function capture(run: () => void): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    stderr += String(chunk);
    return true;
  });
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

describe('runSynthesis reports on stderr', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-report-'));
  });
  afterEach(() => {
    process.exitCode = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('one cluster: the files it wrote and the next commands, nothing on stdout', () => {
    const { stdout, stderr } = capture(() => runSynthesis((app) => zeroTrustPlatform(app, { clusterName: 'mylab' }), { rootDir: root }));
    expect(process.exitCode).toBeUndefined();
    expect(stdout).toBe('');
    const written = fs.readdirSync(root, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(root, f)).isFile());
    expect(stderr).toContain(`cdk8s-kind-cilium: wrote ${written.length} files`);
    expect(stderr).toMatch(/mylab: kind\/mylab\.yaml, cilium-values\/mylab\.yaml, dist\/mylab\/ \(/);
    const next = stderr.slice(stderr.indexOf('next:'));
    expect(next.indexOf('bash dist/mylab/preflight.sh')).toBeGreaterThan(0);
    expect(next.indexOf('bash dist/mylab/apply.sh')).toBeGreaterThan(next.indexOf('bash dist/mylab/preflight.sh'));
    // every command it names is a file it wrote
    for (const [, script] of stderr.matchAll(/bash (\S+\.sh)/g)) expect(fs.existsSync(path.join(root, script))).toBe(true);
  });

  test('a failed synthesis prints no report', () => {
    const { stderr } = capture(() => runSynthesis((app) => new KindCiliumCluster(app, 'x', { clusterName: 'Not_Valid' }), { rootDir: root }));
    expect(process.exitCode).toBe(1);
    expect(stderr).not.toContain('wrote');
    expect(stderr).not.toContain('next:');
  });
});

describe('synthesisReport', () => {
  test('a mesh: its members as clusters, and the mesh\'s scripts as the next commands (not the members\' apply.sh)', () => {
    const app = new App();
    meshPlatform(app);
    new KindCiliumCluster(app, 'solo', { clusterName: 'solo' });
    const report = synthesisReport(renderBundle(app));
    expect(report).toMatch(/^ {2}mesh-east: /m);
    expect(report).toMatch(/^ {2}mesh \(Cluster Mesh of mesh-east, mesh-west\): dist\/mesh\/ \(/m);
    const next = report.slice(report.indexOf('next:'));
    expect(next).toContain('bash dist/mesh/apply.sh');
    expect(next).not.toContain('bash dist/mesh-east/apply.sh');
    expect(next).toContain('bash dist/mesh-east/preflight.sh');
    expect(next).toContain('bash dist/solo/preflight.sh, then bash dist/solo/apply.sh');
  });

  test('each cluster and mesh counts exactly the files under its names; the counts add up to the total', () => {
    const app = new App();
    const mesh = new ClusterMesh(app, 'm', { name: 'm' });
    ['a', 'b', 'c'].forEach((clusterName) => mesh.addCluster({ clusterName }));
    zeroTrustPlatform(app);
    const files = renderBundle(app);
    const report = synthesisReport(files);
    const counts = [...report.matchAll(/\((\d+) files?\)/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0) + 1 /* bundle.json */).toBe(files.length);
    expect(report).toContain(`wrote ${files.length} files`);
  });

  test('many clusters: a short report (the first few, then how many more, all in dist/bundle.json)', () => {
    const app = new App();
    for (let i = 0; i < 40; i++) {
      new KindCiliumCluster(app, `c${i}`, { clusterName: `c${i}`, podSubnet: `10.${i}.0.0/16`, serviceSubnet: `10.${100 + i}.0.0/16` });
    }
    const report = synthesisReport(renderBundle(app));
    expect(report.split('\n').length).toBeLessThan(30);
    expect(report).toMatch(/and \d+ more clusters \(listed in dist\/bundle\.json\)/);
  });
});
