import { ClusterOpsPlan, flowOutcome } from '../ops-plan';
import { exportCaLines } from './apply';
import { checkTableReport, CHECK_TABLE_FUNCTIONS, dqs, PRIVATE_DIR_FUNCTION, raw, scriptHeader, SHELL_FUNCTIONS, sh } from './shell';
import { coversFlow, outcomeRows, PROBE_TIMEOUT_SECONDS } from './verify-outcomes';

export { PROBE_TIMEOUT_SECONDS } from './verify-outcomes';

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
  `  out="$(kubectl --context "$1" -n "$2" exec "deploy/$3" -c "$4" -- curl -s -g -o /dev/null -w '%{http_code}' --max-time ${PROBE_TIMEOUT_SECONDS} -X "$5" "$6" 2>"$PROBE_ERR")" || rc=$?`,
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
 * Shell function `reach IMAGE IP PORT`: whether IP:PORT accepts a TCP connection from a throwaway container of IMAGE
 * (the kind node image: it has curl) on the docker network `kind`. Prints `answers (HTTP <status>)`,
 * `answers (curl exit N)` (connected, but not HTTP: TLS, etcd), `no connection (curl exit N)`, or an ERROR when
 * docker could not run the container (never read as a missing answer). curl's `time_connect` tells a connection.
 */
export const REACH_FUNCTION: readonly string[] = [
  '# reach IMAGE IP PORT: does IP:PORT answer from inside the docker network kind (outside every cluster node)?',
  'reach() {',
  '  local out rc=0 code connect',
  `  out="$(docker run --rm --network kind --entrypoint curl "$1" -s -g -o /dev/null -w '%{http_code} %{time_connect}' --connect-timeout ${PROBE_TIMEOUT_SECONDS} --max-time ${PROBE_TIMEOUT_SECONDS + 3} "http://$2:$3/" 2>/dev/null)" || rc=$?`,
  '  code="${out%% *}"',
  '  connect="${out##* }"',
  '  if [ "$rc" -ge 125 ] && [ "$rc" -le 127 ]; then echo "ERROR: docker run failed (exit $rc)"',
  '  elif [ -n "$connect" ] && [ "$connect" != "$out" ] && [ "$(echo "$connect" | tr -d \'0.\')" != "" ]; then',
  '    if [ "$rc" = 0 ]; then echo "answers (HTTP $code)"; else echo "answers (curl exit $rc)"; fi',
  '  else echo "no connection (curl exit $rc)"',
  '  fi',
  '}',
];

/**
 * Every other TCP port of a Service whose address an outcome row probes (the row probes one port): each answers from
 * the kind network on the address the model expects.
 */
function otherPortRows(plan: ClusterOpsPlan): string[] {
  return plan.outcomes.flatMap(({ probe }) => (probe.kind !== 'lb-address' ? [] : plan.loadBalancerProbes
    .filter((p) => p.namespace === probe.namespace && p.name === probe.name && p.port !== probe.port)
    .flatMap((p) => [
      sh`obs="$(reach "$NODE_IMAGE" ${probe.ip} ${p.port})"`,
      ...reachCheck(p),
    ])));
}

/** The check of one TCP port of a LoadBalancer Service reached from the kind network, once `obs` holds what `reach` saw. */
function reachCheck(p: { readonly namespace: string; readonly name: string; readonly port: number }): string[] {
  return [
    'case "$obs" in answers*) res=PASS ;; *) res=FAIL ;; esac',
    sh`check ${`LoadBalancer ${p.namespace}/${p.name} port ${p.port}, from the kind network`} answers "$obs" "$res"`,
  ];
}

/**
 * `dist/<c>/verify.sh`: checks the running platform against the description. Prints a table of expected vs
 * observed and exits 1 on any mismatch. Checks: Cilium agents and operator ready; each LoadBalancer address
 * in a pool, and every TCP port of it answering from inside the kind network (the L2 announcement's job); the
 * published gateway entry points answer (HTTPS verified with the local CA); the policy flow matrix (allowed and
 * denied flows, probed from the client pods); one row per intended outcome with a live probe (`plan.outcomes`, see
 * {@link outcomeRows}), which replaces the rows above of the Service or demo flow it covers; Hubble relay
 * endpoints when enabled.
 */
export function renderVerifyScript(plan: ClusterOpsPlan): string {
  const ctx = plan.context;
  const lines = [
    ...scriptHeader(plan.clusterName, [
      'Live verification of the kind + Cilium cluster',
      'Prints expected vs observed for every check; exits 1 on any mismatch. Changes nothing but the exported CA file',
      '(LoadBalancer addresses are reached from a throwaway container of the node image on the docker network kind).',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    ...PRIVATE_DIR_FUNCTION,
    '',
    ...CHECK_TABLE_FUNCTIONS,
    `probe() { curl -s -g -o /dev/null -w '%{http_code}' --max-time ${PROBE_TIMEOUT_SECONDS} "$@" || true; }`,
    '',
    dqs`echo "verifying kind cluster ${plan.clusterName} (context ${plan.context})"`,
    '',
    '# Cilium agents and operator.',
    sh`if kubectl --context ${ctx} -n kube-system rollout status daemonset/cilium --timeout=60s >/dev/null 2>&1; then obs=ready; else obs='not ready'; fi`,
    'check "cilium agents (daemonset/cilium)" ready "$obs"',
    sh`if kubectl --context ${ctx} -n kube-system rollout status deployment/cilium-operator --timeout=60s >/dev/null 2>&1; then obs=ready; else obs='not ready'; fi`,
    'check "cilium operator (deployment/cilium-operator)" ready "$obs"',
  ];
  // A Service an outcome probes, and a demo flow an outcome probes, are checked by the outcome rows.
  const probed = new Set(plan.outcomes.flatMap((o) => (o.probe.kind === 'lb-address' ? [`${o.probe.namespace}/${o.probe.name}`] : [])));
  const services = plan.waits.loadBalancerServices.filter((s) => !probed.has(`${s.namespace}/${s.name}`));
  const flows = plan.flows.filter((f) => !plan.outcomes.some((o) => coversFlow(o.probe, f)));
  const reach = [...REACH_FUNCTION, sh`${raw('NODE_IMAGE=')}${plan.versions.kindNodeImage}`];
  if (services.length > 0) {
    lines.push('', '# Each LoadBalancer address lies in a pool, and each of its TCP ports answers inside the kind network.', 'pool_of() {', '  local n', '  n="$(ip_to_int "$1")"');
    for (const r of plan.poolRanges) {
      lines.push(sh`  if [ "$n" -ge "$(ip_to_int ${r.first})" ] && [ "$n" -le "$(ip_to_int ${r.last})" ]; then echo ${`pool/${r.pool}`}; return; fi`);
    }
    lines.push('  echo "outside every pool"', '}', ...reach);
    for (const s of services) {
      lines.push(
        sh`ip="$(kubectl --context ${ctx} -n ${s.namespace} get service ${s.name} -o 'jsonpath={.status.loadBalancer.ingress[0].ip}' 2>/dev/null || true)"`,
        'if [ -n "$ip" ]; then where="$(pool_of "$ip")"; else where=\'no address\'; fi',
        'if [ "$where" = \'no address\' ] || [ "$where" = \'outside every pool\' ]; then res=FAIL; else res=PASS; fi',
        sh`check ${`LoadBalancer ${s.namespace}/${s.name}`} 'an address in a pool' "\${ip:-none} ($where)" "$res"`,
      );
      for (const probe of plan.loadBalancerProbes.filter((p) => p.namespace === s.namespace && p.name === s.name)) {
        lines.push(
          'if [ -n "$ip" ]; then obs="$(reach "$NODE_IMAGE" "$ip" ' + sh`${probe.port}` + ')"; else obs=\'no address\'; fi',
          ...reachCheck(probe),
        );
      }
    }
  }
  if (plan.entryPoints.length > 0) {
    lines.push('', '# Published gateway entry points, from the host.');
    if (plan.caFile && plan.localCa) lines.push(...exportCaLines(plan, plan.caFile, plan.localCa, true));
    for (const e of plan.entryPoints) {
      const url = `${e.scheme}://${e.hostname}:${e.port}${e.path}`;
      const ca = e.scheme === 'https' && plan.caFile ? sh` --cacert ${plan.caFile}` : '';
      lines.push(sh`check ${`${url} (via ${e.address})`} ${`HTTP ${e.expectStatus}`} "HTTP $(probe${raw(ca)} --resolve ${`${e.hostname}:${e.port}:${e.address}`} ${url})"`);
    }
  }
  if (flows.length > 0) {
    lines.push(
      '',
      '# Policy flow matrix: probes from the client pods, with short timeouts. Allowed: the HTTP status; L7 deny: HTTP 403',
      '# from Envoy; L3/L4 deny: curl timed out (exit 28). An exec that did not run curl is an ERROR, never a deny.',
      ...PROBE_FLOW_FUNCTION,
      '# flow NAME EXPECTED NAMESPACE DEPLOYMENT CONTAINER METHOD URL',
      'flow() {',
      sh`  check "$1" "$2" "$(probe_flow ${ctx} "$3" "$4" "$5" "$6" "$7")"`,
      '}',
      ...flows.map((f) => sh`flow ${[f.name, flowOutcome(f.expect), f.from.namespace, f.from.name, f.from.container, f.method, f.url]}`),
    );
  }
  const outcomesReach = services.length === 0 && plan.outcomes.some((o) => o.probe.kind === 'lb-address' || o.probe.kind === 'url');
  lines.push(...(outcomesReach ? ['', ...reach] : []), ...outcomeRows(ctx, plan.outcomes), ...otherPortRows(plan));
  if (plan.hubbleRelay) {
    lines.push(
      '',
      '# Hubble relay: its Service has ready endpoints.',
      sh`if nonempty kubectl --context ${ctx} -n kube-system get endpoints hubble-relay -o 'jsonpath={.subsets[*].addresses[*].ip}'; then obs=reachable; else obs='no ready endpoints'; fi`,
      'check "hubble relay (service kube-system/hubble-relay)" reachable "$obs"',
    );
  }
  lines.push(...checkTableReport(plan.clusterName));
  return `${lines.join('\n')}\n`;
}
