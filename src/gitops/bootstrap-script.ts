import { ARGOCD_APPLICATION_HEALTH_LUA, ARGOCD_INSTALL, FLUX_CLI } from './engine-pins';
import { meshCaSecretName } from './flux-output';
import { bootstrapSteps } from './layers';
import type { ClusterOpsPlan } from '../bundle/ops-plan';
import { renderApplyScript } from '../bundle/scripts/apply';
import { dqs, sh } from '../bundle/scripts/shell';
import type { GitOpsEngine } from '../spec/gitops';
import type { PinnedDownload } from '../spec/host-tools';

/** Where bootstrap.sh keeps the engine downloads (inside the gitignored `.kind-cilium/`, a private folder). */
export const ENGINE_DOWNLOADS = '.kind-cilium/engines';

/** What bootstrap.sh of one cluster needs beyond its operations plan. */
export interface BootstrapInput {
  readonly engine: GitOpsEngine;
  /** `dist/<c>/gitops`. */
  readonly gitopsDir: string;
  /** A mesh member: the mesh's name and its shared CA values file (made by the Cilium step, never in git). */
  readonly meshCa?: { readonly mesh: string; readonly valuesFile: string };
}

function download(pin: PinnedDownload, file: string): string[] {
  return [
    sh`private_dir ${ENGINE_DOWNLOADS}`,
    sh`curl -fsSL --retry 3 -o ${file} ${pin.url}`,
    sh`echo ${`${pin.sha256}  ${file}`} | sha256sum -c -`,
  ];
}

/**
 * `dist/<c>/bootstrap.sh`: the apply plan through Cilium, run exactly as apply.sh runs it (preflight, the kind cluster
 * with the bundle's mark so teardown.sh deletes it, the Gateway API CRDs, the `cilium` Helm release in
 * `kube-system`), then the engine, pinned by version and sha256, handed the rest: the engine adopts the Cilium release
 * and applies every later layer in the plan's order. Safe to run again, like apply.sh.
 */
export function renderBootstrapScript(plan: ClusterOpsPlan, input: BootstrapInput): string {
  const ctx = plan.context;
  const argo = input.engine === 'argocd';
  const pin = argo ? ARGOCD_INSTALL : FLUX_CLI;
  const lines: string[] = [];
  if (argo) {
    const file = `${ENGINE_DOWNLOADS}/argocd-${pin.version}-install.yaml`;
    const patch = JSON.stringify({ data: { 'resource.customizations.health.argoproj.io_Application': ARGOCD_APPLICATION_HEALTH_LUA } });
    lines.push(
      ...download(pin, file),
      sh`kubectl --context ${ctx} create namespace argocd --dry-run=client -o yaml | kubectl --context ${ctx} apply -f -`,
      sh`kubectl --context ${ctx} apply -n argocd --server-side --force-conflicts -f ${file}`,
      sh`kubectl --context ${ctx} wait --for condition=established --timeout=2m crd/applications.argoproj.io crd/applicationsets.argoproj.io`,
      sh`kubectl --context ${ctx} -n argocd patch configmap argocd-cm --type merge -p ${patch}`,
      sh`kubectl --context ${ctx} -n argocd rollout status deployment/argocd-repo-server --timeout=5m`,
      sh`kubectl --context ${ctx} -n argocd rollout status statefulset/argocd-application-controller --timeout=5m`,
      sh`kubectl --context ${ctx} apply -f ${`${input.gitopsDir}/argocd/root.yaml`}`,
    );
  } else {
    const file = `${ENGINE_DOWNLOADS}/flux-${pin.version}-linux-amd64.tar.gz`;
    lines.push(
      ...download(pin, file),
      sh`tar -xzf ${file} -C ${ENGINE_DOWNLOADS} flux`,
      sh`${`${ENGINE_DOWNLOADS}/flux`} install --context ${ctx} --components=source-controller,kustomize-controller,helm-controller`,
      ...(input.meshCa ? [sh`kubectl --context ${ctx} -n flux-system create secret generic ${meshCaSecretName(input.meshCa.mesh)} ${`--from-file=values.yaml=${input.meshCa.valuesFile}`} --dry-run=client -o yaml | kubectl --context ${ctx} apply -f -`] : []),
      sh`kubectl --context ${ctx} apply -k ${`${input.gitopsDir}/flux`}`,
    );
  }
  const engine = argo ? `Argo CD ${pin.version}` : `Flux ${pin.version}`;
  return renderApplyScript({ ...plan, steps: bootstrapSteps(plan.steps) }, {
    id: input.engine,
    description: `Install ${engine} (download checked against its pinned sha256) and hand it the rest: it adopts the cilium release and syncs every later layer of the apply plan, in order, from git.`,
    purpose: [
      `Bootstraps the kind + Cilium cluster for GitOps with ${engine}`,
      'Runs the apply plan through Cilium as apply.sh does (the engine\'s pods need the CNI), then installs the engine and hands it the rest.',
      'Safe to run again. Needs docker, kind, kubectl, helm, curl and sha256sum. Undo with teardown.sh.',
    ],
    lines,
    done: dqs`echo "cluster ${plan.clusterName} is handed to ${engine} in $((SECONDS - STARTED))s: it syncs the rest from git; follow it with kubectl --context ${ctx} get ${argo ? 'applications -n argocd' : 'kustomizations,helmreleases -n flux-system'}"`,
  });
}
