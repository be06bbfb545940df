import { ClusterOpsPlan, flowOutcome } from '../ops-plan';
import { scriptHeader, SHELL_FUNCTIONS, sq, checkTableReport, CHECK_TABLE_FUNCTIONS } from './shell';

/** Timeout of each probe (curl `--max-time`), seconds: a dropped flow costs this much. */
export const PROBE_TIMEOUT_SECONDS = 5;

/**
 * Shell function `probe_flow CONTEXT NAMESPACE DEPLOYMENT CONTAINER METHOD URL`: runs curl in the client pod and
 * prints the outcome: `HTTP <status>`, `timeout` (curl exit 28: the packets were dropped), `curl exit N (HTTP <status>)`,
 * or `ERROR: kubectl exec did not run curl (...)` when curl never printed its status (missing pod, wrong context:
 * never a deny). kubectl exec exits with the remote command's exit code, so curl's 28 comes through.
 */
export const PROBE_FLOW_FUNCTION: readonly string[] = [
  'PROBE_ERR="$(mktemp)"',
  'trap \'rm -f "$PROBE_ERR"\' EXIT',
  '# probe_flow CONTEXT NAMESPACE DEPLOYMENT CONTAINER METHOD URL: the outcome of curl run in the client pod.',
  'probe_flow() {',
  '  local out rc=0 msg',
  `  out="$(kubectl --context "$1" -n "$2" exec "deploy/$3" -c "$4" -- curl -s -o /dev/null -w '%{http_code}' --max-time ${PROBE_TIMEOUT_SECONDS} -X "$5" "$6" 2>"$PROBE_ERR")" || rc=$?`,
  '  if [[ "$out" =~ ^[0-9]{3}$ ]]; then',
  '    if [ "$rc" = 0 ]; then echo "HTTP $out"',
  '    elif [ "$rc" = 28 ]; then echo timeout',
  '    else echo "curl exit $rc (HTTP $out)"',
  '    fi',
  '  else',
  '    msg="$(head -n 1 "$PROBE_ERR" | tr -d \'|\' | cut -c 1-80)"',
  '    echo "ERROR: kubectl exec did not run curl (exit $rc${msg:+: $msg})"',
  '  fi',
  '}',
];

/**
 * `dist/<c>/verify.sh`: checks the running platform against the description. Prints a table of expected vs
 * observed and exits 1 on any mismatch. Checks: Cilium agents and operator ready; each LoadBalancer address
 * in a pool; the published gateway entry points answer (HTTPS verified with the local CA); the policy flow
 * matrix (allowed and denied flows, probed from the client pods); Hubble relay endpoints when enabled.
 */
export function renderVerifyScript(plan: ClusterOpsPlan): string {
  const ctx = sq(plan.context);
  const k = `kubectl --context ${ctx}`;
  const lines = [
    ...scriptHeader(plan.clusterName, [
      'Live verification of the kind + Cilium cluster',
      'Prints expected vs observed for every check; exits 1 on any mismatch. Changes nothing but the exported CA file.',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    ...CHECK_TABLE_FUNCTIONS,
    `probe() { curl -s -o /dev/null -w '%{http_code}' --max-time ${PROBE_TIMEOUT_SECONDS} "$@" || true; }`,
    '',
    `echo "verifying kind cluster ${plan.clusterName} (context ${plan.context})"`,
    '',
    '# Cilium agents and operator.',
    `if ${k} -n kube-system rollout status daemonset/cilium --timeout=60s >/dev/null 2>&1; then obs=ready; else obs='not ready'; fi`,
    'check "cilium agents (daemonset/cilium)" ready "$obs"',
    `if ${k} -n kube-system rollout status deployment/cilium-operator --timeout=60s >/dev/null 2>&1; then obs=ready; else obs='not ready'; fi`,
    'check "cilium operator (deployment/cilium-operator)" ready "$obs"',
  ];
  if (plan.waits.loadBalancerServices.length > 0) {
    lines.push('', '# Each LoadBalancer address lies in a pool.', 'pool_of() {', '  local ip n', '  n="$(ip_to_int "$1")"');
    for (const r of plan.poolRanges) {
      lines.push(`  if [ "$n" -ge "$(ip_to_int ${r.first})" ] && [ "$n" -le "$(ip_to_int ${r.last})" ]; then echo ${sq(`pool/${r.pool}`)}; return; fi`);
    }
    lines.push('  echo "outside every pool"', '}');
    for (const s of plan.waits.loadBalancerServices) {
      lines.push(
        `ip="$(${k} -n ${sq(s.namespace)} get service ${sq(s.name)} -o 'jsonpath={.status.loadBalancer.ingress[0].ip}' 2>/dev/null || true)"`,
        'if [ -n "$ip" ]; then where="$(pool_of "$ip")"; else where=\'no address\'; fi',
        'if [ "$where" = \'no address\' ] || [ "$where" = \'outside every pool\' ]; then res=FAIL; else res=PASS; fi',
        `check ${sq(`LoadBalancer ${s.namespace}/${s.name}`)} 'an address in a pool' "\${ip:-none} ($where)" "$res"`,
      );
    }
  }
  if (plan.entryPoints.length > 0) {
    lines.push('', '# Published gateway entry points, from the host.');
    if (plan.caFile && plan.localCa) {
      lines.push(
        `mkdir -p ${sq(plan.caFile.replace(/\/[^/]*$/, ''))}`,
        `${k} -n ${sq(plan.localCa.namespace)} get secret ${sq(plan.localCa.secretName)} -o 'jsonpath={.data.ca\\.crt}' 2>/dev/null | base64 -d > ${sq(plan.caFile)} || true`,
      );
    }
    for (const e of plan.entryPoints) {
      const url = `${e.scheme}://${e.hostname}:${e.port}${e.path}`;
      const ca = e.scheme === 'https' && plan.caFile ? ` --cacert ${sq(plan.caFile)}` : '';
      lines.push(`check ${sq(`${url} (via ${e.address})`)} 'HTTP ${e.expectStatus}' "HTTP $(probe${ca} --resolve ${sq(`${e.hostname}:${e.port}:${e.address}`)} ${sq(url)})"`);
    }
  }
  if (plan.flows.length > 0) {
    lines.push(
      '',
      '# Policy flow matrix: probes from the client pods, with short timeouts. Allowed: the HTTP status; L7 deny: HTTP 403',
      '# from Envoy; L3/L4 deny: curl timed out (exit 28). An exec that did not run curl is an ERROR, never a deny.',
      ...PROBE_FLOW_FUNCTION,
      '# flow NAME EXPECTED NAMESPACE DEPLOYMENT CONTAINER METHOD URL',
      'flow() {',
      `  check "$1" "$2" "$(probe_flow ${ctx} "$3" "$4" "$5" "$6" "$7")"`,
      '}',
      ...plan.flows.map((f) => `flow ${[f.name, flowOutcome(f.expect), f.from.namespace, f.from.name, f.from.container, f.method, f.url].map(sq).join(' ')}`),
    );
  }
  if (plan.hubbleRelay) {
    lines.push(
      '',
      '# Hubble relay: its Service has ready endpoints.',
      `if nonempty ${k} -n kube-system get endpoints hubble-relay -o 'jsonpath={.subsets[*].addresses[*].ip}'; then obs=reachable; else obs='no ready endpoints'; fi`,
      'check "hubble relay (service kube-system/hubble-relay)" reachable "$obs"',
    );
  }
  lines.push(...checkTableReport(plan.clusterName));
  return `${lines.join('\n')}\n`;
}
