import { parseAllDocuments } from 'yaml';
import type { GitOpsFile } from './cluster-input';
import type { ApplyStep } from '../bundle/apply-plan';

type Doc = { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> }; spec?: Record<string, any> };

function docs(files: readonly GitOpsFile[], match: (path: string) => boolean): Doc[] {
  return files.filter((f) => match(f.path)).flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as Doc)).filter((d) => d);
}

/**
 * Where the rendered engine objects of one cluster disagree with the order of its apply plan (what apply.sh runs),
 * read back from the files as the engine reads them. Argo CD: the Application of each plan step after `kind` has a
 * sync wave, and the waves rise strictly in the plan's order. Flux: each layer's Kustomization `dependsOn` exactly the
 * Kustomization of the step before it (the first none), and waits (`wait` or `healthChecks`) so that dependency means
 * "ready", not "applied"; each HelmRelease `dependsOn` the releases of earlier steps. Empty when they agree.
 */
export function gitopsOrderProblems(cluster: string, steps: readonly ApplyStep[], files: readonly GitOpsFile[]): string[] {
  const plan = steps.map((s) => s.id).filter((id) => id !== 'kind');
  const layerName = (id: string) => `${cluster}-${id === 'bundle' ? 'manifests' : id}`;
  const problems: string[] = [];
  const apps = docs(files, (p) => p.includes(`/${cluster}/gitops/argocd/apps/`)).filter((d) => d.kind === 'Application');
  const kustomizations = docs(files, (p) => p.endsWith(`/${cluster}/gitops/flux/kustomizations.yaml`)).filter((d) => d.kind === 'Kustomization');
  if (apps.length > 0) {
    const waveOf = new Map(apps.map((a) => [a.metadata?.name, a.metadata?.annotations?.['argocd.argoproj.io/sync-wave']]));
    if (apps.length !== plan.length) problems.push(`${apps.length} Applications for ${plan.length} plan steps (${plan.join(', ')})`);
    let previous: { id: string; wave: number } | undefined;
    for (const id of plan) {
      const text = waveOf.get(layerName(id));
      const wave = text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
      if (wave === undefined) {
        problems.push(`Application ${layerName(id)} (plan step ${id}) is missing or has no integer sync wave`);
        continue;
      }
      if (previous && wave <= previous.wave) problems.push(`Application ${layerName(id)} has sync wave ${wave}, not after ${layerName(previous.id)}'s ${previous.wave}: the plan runs ${previous.id} before ${id}`);
      previous = { id, wave };
    }
  }
  if (kustomizations.length > 0) {
    const byName = new Map(kustomizations.map((k) => [k.metadata?.name, k]));
    if (kustomizations.length !== plan.length) problems.push(`${kustomizations.length} Kustomizations for ${plan.length} plan steps (${plan.join(', ')})`);
    plan.forEach((id, i) => {
      const k = byName.get(layerName(id));
      if (!k) {
        problems.push(`no Kustomization ${layerName(id)} for plan step ${id}`);
        return;
      }
      const deps = ((k.spec?.dependsOn ?? []) as { name: string }[]).map((d) => d.name);
      const want = i === 0 ? [] : [layerName(plan[i - 1])];
      if (deps.join(',') !== want.join(',')) problems.push(`Kustomization ${layerName(id)} dependsOn [${deps.join(', ')}], not [${want.join(', ')}]: the plan runs ${i === 0 ? 'it first' : `${plan[i - 1]} right before ${id}`}`);
      if (k.spec?.wait !== true && !(Array.isArray(k.spec?.healthChecks) && k.spec.healthChecks.length > 0)) {
        problems.push(`Kustomization ${layerName(id)} neither waits nor health-checks: a dependency on it would not mean it is ready`);
      }
    });
    const releases = docs(files, (p) => p.includes(`/${cluster}/gitops/flux/`) && p.endsWith('/helm-release.yaml')).filter((d) => d.kind === 'HelmRelease');
    const releaseSteps = plan.filter((id) => releases.some((r) => r.metadata?.name === `${cluster}-${id}`));
    releaseSteps.forEach((id, i) => {
      const r = releases.find((x) => x.metadata?.name === `${cluster}-${id}`)!;
      const deps = ((r.spec?.dependsOn ?? []) as { name: string }[]).map((d) => d.name).sort();
      const want = releaseSteps.slice(0, i).map((x) => `${cluster}-${x}`).sort();
      if (deps.join(',') !== want.join(',')) problems.push(`HelmRelease ${cluster}-${id} dependsOn [${deps.join(', ')}], not the releases of earlier plan steps [${want.join(', ')}]`);
    });
  }
  if (apps.length === 0 && kustomizations.length === 0) problems.push(`no Argo CD Application or Flux Kustomization for cluster ${cluster}`);
  return problems;
}
