import { scriptHeader, SHELL_FUNCTIONS, sq } from './shell';
import { ClusterOpsPlan } from '../ops-plan';

/** Bounds of the waits in apply.sh, in seconds. */
export const APPLY_TIMEOUTS = {
  /** cert-manager webhook serving with its CA bundle injected (cainjector), and answering a dry-run create. */
  certManagerApi: 300,
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
 * `dist/<c>/apply.sh`: preflight, then every step of the plan, then bounded waits. Every step is safe to
 * repeat: an existing cluster with the same nodes is reused, Helm is `upgrade --install`, manifests are
 * applied. A run that failed half-way is finished by running the script again.
 */
export function renderApplyScript(plan: ClusterOpsPlan): string {
  const name = sq(plan.clusterName);
  const ctx = sq(plan.context);
  const ids = applyStepIds(plan);
  const lines = [
    ...scriptHeader(plan.clusterName, [
      'Brings up (or finishes bringing up) the kind + Cilium cluster',
      'Safe to run again: an existing cluster with the same nodes is reused, Helm upgrades, manifests are applied.',
      'Needs docker, kind, kubectl and helm (checked by preflight.sh). Undo with teardown.sh.',
      `Versions: Cilium ${plan.versions.cilium}, Gateway API ${plan.versions.gatewayApi}, cert-manager ${plan.versions.certManager},`,
      `  kind ${plan.versions.kindRelease} node image ${plan.versions.kindNodeImage}${plan.versions.kubernetes ? ` (Kubernetes ${plan.versions.kubernetes})` : ''}`,
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    `TOTAL=${ids.length}`,
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
    '    echo "apply.sh failed in step $STEP/$TOTAL (exit $rc); fix the cause and run it again: finished steps are repeated safely" >&2',
    '  fi',
    '}',
    'trap on_exit EXIT',
    '',
    'step "preflight: check the host (changes nothing)"',
    `bash ${sq(`${plan.manifestsDir}/preflight.sh`)}`,
    'step_done',
  ];
  for (const s of plan.steps) {
    lines.push('', `# ${s.id}: ${s.description}`, `step ${sq(`${s.id}: ${s.description}`)}`);
    for (const cmd of s.commands) {
      if (s.id === 'kind' && cmd.startsWith('kind create cluster')) {
        lines.push(
          `if kind get clusters 2>/dev/null | grep -qx ${name}; then`,
          `  expected=${sq(plan.nodes.slice().sort().join(' '))}`,
          `  actual="$(kind get nodes --name ${name} | sort | tr '\\n' ' ' | sed 's/ $//')"`,
          '  if [ "$actual" != "$expected" ]; then',
          `    echo "ERROR: kind cluster ${plan.clusterName} exists with other nodes ($actual; expected $expected). Delete it: bash ${plan.manifestsDir}/teardown.sh" >&2`,
          '    exit 1',
          '  fi',
          `  echo "    kind cluster ${plan.clusterName} already exists with the same nodes: reusing it (not recreated)"`,
          'else',
          `  ${cmd}`,
          'fi',
        );
      } else {
        lines.push(cmd);
      }
    }
    if (s.id === 'cert-manager') {
      lines.push(
        '# The webhook Deployment being rolled out is not enough: its CA bundle must be injected, or Certificates',
        '# and Issuers fail with an x509 error. Wait for the caBundle, then for a server-side dry-run to pass.',
        `wait_until ${APPLY_TIMEOUTS.certManagerApi} 'the CA bundle injected into ValidatingWebhookConfiguration cert-manager-webhook' \\`,
        `  nonempty kubectl --context ${ctx} get validatingwebhookconfiguration cert-manager-webhook -o 'jsonpath={.webhooks[0].clientConfig.caBundle}'`,
        'probe_issuer() {',
        `  kubectl --context ${ctx} create --dry-run=server -f - <<'YAML'`,
        PROBE_ISSUER,
        'YAML',
        '}',
        `wait_until ${APPLY_TIMEOUTS.certManagerApi} 'the cert-manager API (a server-side dry-run create of an Issuer)' probe_issuer`,
      );
    }
    lines.push('step_done');
  }
  const w = plan.waits;
  lines.push('', '# Bounded waits: the platform is up when every address, certificate and gateway is.', 'step \'ready: wait for LoadBalancer addresses, Certificates, Gateways and Deployments\'');
  for (const s of w.loadBalancerServices) {
    lines.push(`wait_until ${APPLY_TIMEOUTS.loadBalancerAddress} ${sq(`an address from the pool for LoadBalancer Service ${s.namespace}/${s.name}`)} \\`,
      `  nonempty kubectl --context ${ctx} -n ${sq(s.namespace)} get service ${sq(s.name)} -o 'jsonpath={.status.loadBalancer.ingress[0].ip}'`);
  }
  for (const c of w.certificates) {
    lines.push(`kubectl --context ${ctx} -n ${sq(c.namespace)} wait --for=condition=Ready certificate/${c.name} --timeout=${APPLY_TIMEOUTS.certificate}s`);
  }
  for (const g of w.gateways) {
    lines.push(`kubectl --context ${ctx} -n ${sq(g.namespace)} wait --for=condition=Programmed gateway/${g.name} --timeout=${APPLY_TIMEOUTS.gateway}s`);
  }
  for (const d of w.deployments) {
    lines.push(`kubectl --context ${ctx} -n ${sq(d.namespace)} rollout status deployment/${d.name} --timeout=${APPLY_TIMEOUTS.deployment}s`);
  }
  if (plan.caFile && plan.localCa) {
    lines.push(
      `mkdir -p ${sq(plan.caFile.replace(/\/[^/]*$/, ''))}`,
      `kubectl --context ${ctx} -n ${sq(plan.localCa.namespace)} get secret ${sq(plan.localCa.secretName)} -o 'jsonpath={.data.ca\\.crt}' | base64 -d > ${sq(plan.caFile)}`,
      `echo "    local CA exported to ${plan.caFile}"`,
    );
  }
  lines.push(
    'step_done',
    '',
    `echo "cluster ${plan.clusterName} is up in $((SECONDS - STARTED))s; check it with: bash ${plan.manifestsDir}/verify.sh"`,
  );
  return `${lines.join('\n')}\n`;
}
