import type { ApplyStep } from '../bundle/apply-plan';

/**
 * The steps of the apply plan an engine takes over, in the plan's order. `kind` stays outside every engine (the
 * engine runs inside the cluster kind creates); the engine adopts every later step, the CNI included (bootstrap.sh
 * installs Gateway API CRDs and Cilium first, as the same Helm release, because the engine's own pods need a CNI).
 */
export type GitOpsLayerId = 'gateway-api-crds' | 'cilium' | 'cert-manager' | 'bundle';

/** One layer an engine syncs: an apply-plan step and its position. */
export interface GitOpsLayer {
  readonly id: GitOpsLayerId;
  /** Argo CD sync wave: the step's index in the apply plan (so `kind` is wave 0 and never emitted). */
  readonly wave: number;
  /** The layer before it (Flux `dependsOn`); `undefined` for the first. */
  readonly after?: GitOpsLayerId;
}

const KNOWN: readonly string[] = ['gateway-api-crds', 'cilium', 'cert-manager', 'bundle'];

/** The last plan step bootstrap.sh runs before it installs the engine: the CNI (the engine's pods need it). */
export const BOOTSTRAP_LAST_STEP = 'cilium';

/**
 * The engine's layers, derived from the apply plan and nothing else: every step but `kind`, in the plan's order, each
 * with its index as its wave and the previous one as its dependency. A step the GitOps output does not know is an
 * error in this library (a new plan step needs its engine objects).
 */
export function gitopsLayers(steps: readonly ApplyStep[]): GitOpsLayer[] {
  const layers: GitOpsLayer[] = [];
  steps.forEach((step, index) => {
    if (step.id === 'kind') return;
    if (!KNOWN.includes(step.id)) throw new Error(`apply plan step ${step.id} has no GitOps layer (src/gitops/layers.ts)`);
    const prev = layers[layers.length - 1];
    layers.push({ id: step.id as GitOpsLayerId, wave: index, ...(prev ? { after: prev.id } : {}) });
  });
  return layers;
}

/** The plan's steps bootstrap.sh runs: from the start through {@link BOOTSTRAP_LAST_STEP}. */
export function bootstrapSteps(steps: readonly ApplyStep[]): ApplyStep[] {
  const last = steps.findIndex((s) => s.id === BOOTSTRAP_LAST_STEP);
  if (last < 0) throw new Error(`apply plan has no ${BOOTSTRAP_LAST_STEP} step`);
  return steps.slice(0, last + 1);
}
