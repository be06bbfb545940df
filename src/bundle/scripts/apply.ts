import { applyRegistryLines } from './local-registry';
import { ADOPT_ENV, clusterStateFunction, markCommand, ownershipProblemCalls } from './ownership';
import { assign, comment, dqs, PRIVATE_DIR_FUNCTION, raw, scriptHeader, SHELL_FUNCTIONS, sh } from './shell';
import { CERT_MANAGER_API_TIMEOUT, PROBE_ISSUER_FUNCTION } from '../apply-plan';
import { ClusterOpsPlan } from '../ops-plan';

/** Bounds of the waits in apply.sh, in seconds. */
export const APPLY_TIMEOUTS = {
  /** cert-manager webhook serving with its CA bundle injected (cainjector), and answering a dry-run create. */
  certManagerApi: CERT_MANAGER_API_TIMEOUT,
  /** Each LoadBalancer Service gets an address from its pool. */
  loadBalancerAddress: 180,
  /** Each Certificate is Ready. */
  certificate: 300,
  /** Each Gateway is Programmed. */
  gateway: 300,
  /** Each Deployment of the bundle is Available. */
  deployment: 300,
} as const;

/** The Issuer apply.sh dry-runs against the cert-manager webhook (server side; nothing is created). */
const PROBE_ISSUER = 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata:\n  name: kc-webhook-probe\n  namespace: cert-manager\nspec:\n  selfSigned: {}';

/** The steps apply.sh prints and times: preflight, the install plan, then the readiness waits. */
export function applyStepIds(plan: ClusterOpsPlan): string[] {
  return ['preflight', ...plan.steps.map((s) => s.id), 'ready'];
}

/**
 * The end of a bootstrap script instead of apply.sh's readiness waits: one step that hands the cluster to a GitOps
 * engine (src/gitops/bootstrap-script.ts). Every line goes through the `sh`/`dqs` tags of ./shell.ts.
 */
export interface ApplyHandOff {
  /** Step id, e.g. `flux`. */
  readonly id: string;
  readonly description: string;
  /** Script header lines. */
  readonly purpose: readonly string[];
  readonly lines: readonly string[];
  /** The last line it prints. */
  readonly done: string;
}

/**
 * `dist/<c>/apply.sh`: preflight, then every step of the plan, then bounded waits. Every step is safe to
 * repeat: a cluster this bundle created from the same kind config is reused, Helm is `upgrade --install`, manifests
 * are applied. A run that failed half-way is finished by running the script again. A cluster of the same name that
 * the bundle did not create, or created from another kind config, is refused unless `KC_ADOPT_CLUSTER=1`.
 */
export function renderApplyScript(plan: ClusterOpsPlan, handOff?: ApplyHandOff): string {
  const ctx = plan.context;
  const ids = handOff ? ['preflight', ...plan.steps.map((s) => s.id), handOff.id] : applyStepIds(plan);
  const refusals = ownershipProblemCalls(plan, 'refuse');
  const lines = [
    ...scriptHeader(plan.clusterName, [
      ...(handOff ? handOff.purpose : ['Brings up (or finishes bringing up) the kind + Cilium cluster',
        'Safe to run again: a cluster this bundle created from the same kind config is reused, Helm upgrades, manifests are applied.']),
      `A kind cluster of the same name that this bundle did not create is refused unless ${ADOPT_ENV}=1 (then it is adopted and marked).`,
      'Needs docker, kind, kubectl and helm (checked by preflight.sh). Undo with teardown.sh.',
      `Versions: Cilium ${plan.versions.cilium}, Gateway API ${plan.versions.gatewayApi}, cert-manager ${plan.versions.certManager},`,
      `  kind ${plan.versions.kindRelease} node image ${plan.versions.kindNodeImage}${plan.versions.kubernetes ? ` (Kubernetes ${plan.versions.kubernetes})` : ''}`,
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    ...PRIVATE_DIR_FUNCTION,
    '',
    assign('TOTAL', ids.length),
    'STEP=0',
    'STARTED=$SECONDS',
    'step() {',
    '  STEP=$((STEP + 1))',
    '  STEP_STARTED=$SECONDS',
    '  echo "==> [$STEP/$TOTAL] $1"',
    '}',
    'step_done() {',
    '  echo "    [$STEP/$TOTAL] done in $((SECONDS - STEP_STARTED))s"',
    '}',
    'on_exit() {',
    '  local rc=$?',
    '  if [ "$rc" != 0 ]; then',
    `    echo "${handOff ? 'bootstrap.sh' : 'apply.sh'} failed in step $STEP/$TOTAL (exit $rc); fix the cause and run it again: finished steps are repeated safely" >&2`,
    '  fi',
    '}',
    'trap on_exit EXIT',
    'refuse() { echo "ERROR: $1" >&2; echo "       fix: $2" >&2; exit 1; }',
    '',
    ...clusterStateFunction(plan),
    '',
    ...(plan.steps.some((s) => s.commands.some((c) => c.includes(PROBE_ISSUER_FUNCTION))) ? [
      `# ${PROBE_ISSUER_FUNCTION} <context>: dry-runs an Issuer against the cert-manager webhook (server side; nothing is created).`,
      `${PROBE_ISSUER_FUNCTION}() {`,
      '  kubectl --context "$1" create --dry-run=server -f - <<\'YAML\'',
      PROBE_ISSUER,
      'YAML',
      '}',
      '',
    ] : []),
    'step "preflight: check the host (changes nothing)"',
    sh`bash ${`${plan.manifestsDir}/preflight.sh`}`,
    'step_done',
  ];
  for (const s of plan.steps) {
    lines.push('', comment(`${s.id}: ${s.description}`), sh`step ${`${s.id}: ${s.description}`}`);
    for (const cmd of s.commands) {
      if (s.id === 'kind' && cmd.startsWith('kind create cluster')) {
        lines.push(
          'cluster_state',
          'case "$CLUSTER_STATE" in',
          `  absent) ${cmd} ;;`,
          dqs`  ours) echo "    kind cluster ${plan.clusterName} already exists, created by this bundle from the same kind config: reusing it (not recreated)" ;;`,
          '  unmarked|stale)',
          sh`    if [ "\${${raw(ADOPT_ENV)}:-}" = 1 ]; then`,
          `      ${markCommand(plan)}`,
          dqs`      echo "    kind cluster ${plan.clusterName} ($CLUSTER_STATE) adopted (${ADOPT_ENV}=1) and marked: teardown.sh will delete it"`,
          '    elif [ "$CLUSTER_STATE" = unmarked ]; then',
          sh`      ${refusals.unmarked}`,
          '    else',
          sh`      ${refusals.stale}`,
          '    fi ;;',
          sh`  *) ${refusals['other-nodes']} ;;`,
          'esac',
        );
      } else {
        lines.push(cmd);
      }
    }
    // The local registry joins the kind network kind creates, and each node needs its hosts.toml: after the cluster.
    if (s.id === 'kind') lines.push(...applyRegistryLines(plan));
    lines.push('step_done');
  }
  if (handOff) {
    lines.push('', comment(`${handOff.id}: ${handOff.description}`), sh`step ${`${handOff.id}: ${handOff.description}`}`, ...handOff.lines, 'step_done', '', handOff.done);
    return `${lines.join('\n')}\n`;
  }
  const w = plan.waits;
  lines.push('', '# Bounded waits: the platform is up when every address, certificate and gateway is.', 'step \'ready: wait for LoadBalancer addresses, Certificates, Gateways and Deployments\'');
  for (const s of w.loadBalancerServices) {
    lines.push(sh`wait_until ${APPLY_TIMEOUTS.loadBalancerAddress} ${`an address from the pool for LoadBalancer Service ${s.namespace}/${s.name}`} \\`,
      sh`  nonempty kubectl --context ${ctx} -n ${s.namespace} get service ${s.name} -o 'jsonpath={.status.loadBalancer.ingress[0].ip}'`);
  }
  for (const c of w.certificates) {
    lines.push(sh`kubectl --context ${ctx} -n ${c.namespace} wait --for=condition=Ready ${`certificate/${c.name}`} ${`--timeout=${APPLY_TIMEOUTS.certificate}s`}`);
  }
  for (const g of w.gateways) {
    lines.push(sh`kubectl --context ${ctx} -n ${g.namespace} wait --for=condition=Programmed ${`gateway/${g.name}`} ${`--timeout=${APPLY_TIMEOUTS.gateway}s`}`);
  }
  for (const d of w.deployments) {
    lines.push(sh`kubectl --context ${ctx} -n ${d.namespace} rollout status ${`deployment/${d.name}`} ${`--timeout=${APPLY_TIMEOUTS.deployment}s`}`);
  }
  if (plan.caFile && plan.localCa) lines.push(...exportCaLines(plan, plan.caFile, plan.localCa, false), dqs`echo "    local CA exported to ${plan.caFile}"`);
  lines.push(
    'step_done',
    '',
    dqs`echo "cluster ${plan.clusterName} is up in $((SECONDS - STARTED))s; check it with: bash ${plan.manifestsDir}/verify.sh"`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the local CA certificate of the cluster to `caFile`, in a private folder (its own `.gitignore`, see
 * {@link PRIVATE_DIR_FUNCTION}). `tolerant`: a missing Secret leaves an empty file instead of failing (verify.sh).
 */
export function exportCaLines(plan: ClusterOpsPlan, caFile: string, ca: { namespace: string; secretName: string }, tolerant: boolean): string[] {
  return [
    sh`private_dir ${caFile.replace(/\/[^/]*$/, '')}`,
    sh`kubectl --context ${plan.context} -n ${ca.namespace} get secret ${ca.secretName} -o 'jsonpath={.data.ca\\.crt}'${raw(tolerant ? ' 2>/dev/null' : '')} | base64 -d > ${caFile}${raw(tolerant ? ' || true' : '')}`,
  ];
}
