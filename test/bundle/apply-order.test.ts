import { App } from 'cdk8s';
import { addAllPresets, renderBundle } from '../../src';

/**
 * `bundle.json` `applyOrder` is what `apply.sh` runs (trust issue 19, point 9: the index omitted the cert-manager
 * waits the script performs). The generated script is parsed into its steps (`step '<id>: …'` … `step_done`), and
 * each applyOrder step's commands must be the script's commands of that step, in order: nothing the script runs or
 * waits for in an install step is missing from the index, and nothing the index lists is skipped.
 */

interface Section {
  readonly id: string;
  readonly commands: string[];
}

/** The script's steps, each with the commands it runs (comments, step bookkeeping and kind's reuse branches left out). */
function parseSteps(script: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const start = /^step ['"]?([a-z-]+):/.exec(line);
    if (start) {
      current = { id: start[1], commands: [] };
      sections.push(current);
      continue;
    }
    if (line === 'step_done') current = undefined;
    if (current === undefined || line.trim() === '' || line.startsWith('#')) continue;
    // kind: `kind create cluster` runs in the `absent` branch of the reuse check; the other branches adopt or refuse.
    const absent = /^ {2}absent\) (.*) ;;$/.exec(line);
    if (absent) {
      current.commands.push(absent[1]);
      continue;
    }
    if (current.id === 'kind' && (line === 'cluster_state' || /^(case |esac| {2}[\w|]+\)| {2}\*\)| {4}| {6})/.test(line))) continue;
    current.commands.push(line);
  }
  return sections;
}

function bundles(): { cluster: string; applyOrder: { id: string; commands: string[] }[]; script: string }[] {
  const app = new App();
  addAllPresets(app);
  const files = renderBundle(app);
  const index = JSON.parse(files.find((f) => f.path === 'dist/bundle.json')!.content);
  return index.clusters.map((c: any) => ({
    cluster: c.name, applyOrder: c.applyOrder, script: files.find((f) => f.path === c.scripts.apply)!.content,
  }));
}

const CASES = bundles();

test('the presets cover every step kind, cert-manager included', () => {
  const ids = new Set(CASES.flatMap((c) => c.applyOrder.map((s) => s.id)));
  expect([...ids].sort()).toEqual(['bundle', 'cert-manager', 'cilium', 'gateway-api-crds', 'kind']);
});

test.each(CASES.map((c) => [c.cluster, c]))('%s: every applyOrder step is the script\'s step, command for command', (_name, c) => {
  const sections = parseSteps(c.script);
  expect(sections.map((s) => s.id)).toEqual(['preflight', ...c.applyOrder.map((s) => s.id), 'ready']);
  for (const step of c.applyOrder) {
    const section = sections.find((s) => s.id === step.id)!;
    expect([step.id, section.commands]).toEqual([step.id, step.commands]);
  }
});

test.each(CASES.filter((c) => c.applyOrder.some((s) => s.id === 'cert-manager')).map((c) => [c.cluster, c]))(
  '%s: the cert-manager step lists its waits (webhook rolled out, CA bundle injected, the API answering) before the bundle applies Issuers',
  (_name, c) => {
    const ids = c.applyOrder.map((s) => s.id);
    const certManager = c.applyOrder.find((s) => s.id === 'cert-manager')!;
    expect(ids.indexOf('cert-manager')).toBeLessThan(ids.indexOf('bundle'));
    expect(certManager.commands.some((x) => x.includes('rollout status deployment/cert-manager-webhook'))).toBe(true);
    expect(certManager.commands.some((x) => x.startsWith('wait_until') && x.includes('caBundle'))).toBe(true);
    expect(certManager.commands.some((x) => x.startsWith('wait_until') && x.includes('probe_issuer'))).toBe(true);
  });
