import { assign, comment, sh } from './shell';
import { LiveProbe } from '../../outcomes/outcome';
import { FlowProbe, ProbedOutcome } from '../ops-plan';

/**
 * The rows of `verify.sh` that check the intended outcomes live (issue 18): every outcome of the cluster with a
 * {@link LiveProbe} becomes exactly one row, `outcome_<kind> ID STATEMENT ARGS...`, which runs the probe and adds a
 * line to the expected-vs-observed table naming what it checked and the outcome's statement. Every value is one
 * single-quoted word ({@link sh}); the functions quote every parameter they pass on.
 */

/** Timeout of each probe (curl `--max-time`), seconds: a dropped flow costs this much. */
export const PROBE_TIMEOUT_SECONDS = 5;

/** The shell function each probe kind runs (its row's first word). */
export const OUTCOME_ROW_FUNCTIONS: Readonly<Record<LiveProbe['kind'], string>> = {
  'lb-address': 'outcome_lb_address',
  'url': 'outcome_url',
  'certificate': 'outcome_certificate',
  'gateway': 'outcome_gateway',
  'flow': 'outcome_flow',
};

/** How long `kubectl wait` waits for a Certificate's `Ready` or a Gateway's `Programmed`, seconds. */
export const OUTCOME_WAIT_SECONDS = 60;

/** `host:port:address` for curl's `--resolve`: the URL's host and port (the scheme's default when none is written). */
export function resolveOf(url: string, address: string): string {
  const u = new URL(url);
  const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
  return `${u.hostname}:${port}:${address}`;
}

/** A label selector (`k=v,k2=v2`, keys sorted) for `kubectl get pods -l`; empty for no labels. */
export function selectorOf(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** The URL a flow probe requests: `http://<to>[:port]<path>` (`to` may already carry the port). */
export function flowUrl(probe: Extract<LiveProbe, { kind: 'flow' }>): string {
  const host = probe.toPods ? `${POD_IP}:${probe.port}` : /:\d+$/.test(probe.to) ? probe.to : `${probe.to}:${probe.port}`;
  return `http://${host}${probe.http?.path ?? '/'}`;
}

/** The Service (first label of the host), port and path of an HTTP URL; the URL itself when it does not parse. */
function target(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname.split('.')[0]}:${u.port || '80'}${u.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Whether an outcome's probe checks the same flow as a demo flow row of verify.sh: a flow probe from the client's
 * namespace whose labels (at least one) all hold on the client's pods, with the same method, Service, port and path.
 */
export function coversFlow(probe: LiveProbe, flow: FlowProbe): boolean {
  if (probe.kind !== 'flow' || probe.from.namespace !== flow.from.namespace) return false;
  const labels = Object.entries(probe.from.labels);
  const pod = flow.from.labels ?? {};
  return labels.length > 0 && labels.every(([k, v]) => pod[k] === v)
    && (probe.http?.method ?? 'GET') === flow.method && target(flowUrl(probe)) === target(flow.url);
}

/** The expected column of a flow row. */
export function flowExpectation(expect: 'response' | 'http-403' | 'timeout'): string {
  return expect === 'http-403' ? 'HTTP 403' : expect;
}

/** The host of a flow probe's URL that outcome_flow replaces with a running server pod's IP (no Service fronts the port). */
export const POD_IP = 'POD_IP';

/** The arguments of one row after `ID STATEMENT`, per probe kind (each becomes one quoted word). */
export function probeArguments(probe: LiveProbe): (string | number)[] {
  switch (probe.kind) {
    case 'lb-address': return [probe.namespace, probe.name, probe.ip, probe.port];
    case 'url': return [probe.url, resolveOf(probe.url, probe.address), probe.expect, probe.via];
    case 'certificate': return [probe.namespace, probe.name];
    case 'gateway': return [probe.namespace, probe.name];
    case 'flow': return [probe.from.namespace, selectorOf(probe.from.labels), flowUrl(probe), probe.http?.method ?? 'GET', flowExpectation(probe.expect),
      ...(probe.toPods ? [probe.toPods.namespace, selectorOf(probe.toPods.labels)] : [])];
  }
}

/** One row of verify.sh for a probed outcome. */
export function outcomeRow(o: ProbedOutcome): string {
  return sh`${OUTCOME_ROW_FUNCTIONS[o.probe.kind]} ${[o.id, o.statement, ...probeArguments(o.probe)]}`;
}

const LB_ADDRESS_FUNCTION = [
  '# outcome_lb_address ID STATEMENT NAMESPACE NAME IP PORT: the Service has address IP, and IP:PORT answers TCP from the',
  '# kind network (a throwaway node-image container: from a node, Cilium\'s socket LB would answer without the L2 announcement).',
  'outcome_lb_address() {',
  '  local ip obs res=FAIL',
  '  ip="$(kubectl --context "$CONTEXT" -n "$3" get service "$4" -o \'jsonpath={.status.loadBalancer.ingress[0].ip}\' 2>/dev/null || true)"',
  '  if [ "$ip" = "$5" ]; then obs="$ip $(reach "$NODE_IMAGE" "$5" "$6")"; else obs="address ${ip:-none}"; fi',
  '  case "$obs" in "$5 answers"*) res=PASS ;; esac',
  '  check "Service $3/$4 has $5 and $5:$6 answers [$1: $2]" "$5 answers" "$obs" "$res"',
  '}',
];

const URL_FUNCTION = [
  '# outcome_url ID STATEMENT URL HOST:PORT:ADDRESS EXPECT VIA: curl of URL through the address gives a status of class',
  '# EXPECT (2xx, 3xx, 4xx) or exactly EXPECT. VIA host: from this host, as a browser reaches it through the kind port',
  '# mapping (curl, or a curl container on the host network); VIA kind-network: from a container on the kind network.',
  '# HTTPS is not verified here (the certificate rows are). -g: brackets and braces of a URL are sent, not globbed.',
  'outcome_url() {',
  '  local out rc=0 code obs res=FAIL',
  `  local curl_args=(-s -g -k -o /dev/null -w '%{http_code}' --connect-timeout ${PROBE_TIMEOUT_SECONDS} --max-time ${PROBE_TIMEOUT_SECONDS + 3} --resolve "$4" "$3")`,
  '  if [ "$6" = host ] && command -v curl >/dev/null 2>&1; then out="$(curl "${curl_args[@]}" 2>/dev/null)" || rc=$?',
  '  elif [ "$6" = host ]; then out="$(docker run --rm --network host --entrypoint curl "$NODE_IMAGE" "${curl_args[@]}" 2>/dev/null)" || rc=$?',
  '  else out="$(docker run --rm --network kind --entrypoint curl "$NODE_IMAGE" "${curl_args[@]}" 2>/dev/null)" || rc=$?',
  '  fi',
  '  code="${out%% *}"',
  '  if [ "$rc" -ge 125 ] && [ "$rc" -le 127 ]; then obs="ERROR: docker run failed (exit $rc)"',
  '  elif [[ "$code" =~ ^[1-5][0-9][0-9]$ ]]; then obs="HTTP $code"',
  '  else obs="no answer (curl exit $rc)"',
  '  fi',
  '  if [[ "$5" =~ ^[1-5]xx$ ]]; then',
  '    case "$obs" in "HTTP ${5:0:1}"??) res=PASS ;; esac',
  '  elif [ "$obs" = "HTTP $5" ]; then res=PASS',
  '  fi',
  '  check "$3 via ${4##*:} answers [$1: $2]" "HTTP $5" "$obs" "$res"',
  '}',
];

const CONDITION_FUNCTIONS = [
  '# outcome_condition ID STATEMENT RESOURCE CONDITION NAMESPACE NAME: the object reaches CONDITION (kubectl wait, bounded).',
  'outcome_condition() {',
  '  local obs',
  `  if kubectl --context "$CONTEXT" -n "$5" wait --for="condition=$4" "$3/$6" --timeout=${OUTCOME_WAIT_SECONDS}s >/dev/null 2>&1; then obs="$4"; else obs="not $4"; fi`,
  '  check "${3%%.*} $5/$6 is $4 [$1: $2]" "$4" "$obs"',
  '}',
  '# outcome_certificate ID STATEMENT NAMESPACE NAME: the Certificate is Ready.',
  'outcome_certificate() { outcome_condition "$1" "$2" certificate.cert-manager.io Ready "$3" "$4"; }',
  '# outcome_gateway ID STATEMENT NAMESPACE NAME: the Gateway is Programmed.',
  'outcome_gateway() { outcome_condition "$1" "$2" gateway.gateway.networking.k8s.io Programmed "$3" "$4"; }',
];

const FLOW_FUNCTION = [
  '# outcome_flow ID STATEMENT NAMESPACE SELECTOR URL METHOD EXPECT [TO_NAMESPACE TO_SELECTOR]: curl from a running pod',
  '# matching SELECTOR in NAMESPACE (with TO_*: to the pod IP of a running server pod, the POD_IP of URL).',
  '# A response (any HTTP status but 403, or a TCP connection), Envoy\'s "HTTP 403" (L7 deny) or "timeout"',
  '# (L3/L4 deny: the packets are dropped). No pod, or an exec that did not run curl, is an ERROR, never a deny.',
  'outcome_flow() {',
  '  local pod out rc=0 code connect obs res=FAIL',
  '  if [ -n "$4" ]; then',
  '    pod="$(kubectl --context "$CONTEXT" -n "$3" get pods -l "$4" --field-selector=status.phase=Running -o \'jsonpath={.items[0].metadata.name}\' 2>/dev/null || true)"',
  '  else',
  '    pod="$(kubectl --context "$CONTEXT" -n "$3" get pods --field-selector=status.phase=Running -o \'jsonpath={.items[0].metadata.name}\' 2>/dev/null || true)"',
  '  fi',
  '  local url="$5" ip=""',
  '  if [ -n "${8:-}" ]; then',
  '    ip="$(kubectl --context "$CONTEXT" -n "$8" get pods -l "$9" --field-selector=status.phase=Running -o \'jsonpath={.items[0].status.podIP}\' 2>/dev/null || true)"',
  '    case "$ip" in *:*) ip="[$ip]" ;; esac',
  '    url="${5/POD_IP/$ip}"',
  '  fi',
  '  if [ -z "$pod" ]; then obs="ERROR: no running pod in $3 matches ${4:-(any)}"',
  '  elif [ -n "${8:-}" ] && [ -z "$ip" ]; then obs="ERROR: no running server pod in $8 matches $9"',
  '  else',
  `    out="$(kubectl --context "$CONTEXT" -n "$3" exec "$pod" -- curl -s -g -o /dev/null -w '%{http_code} %{time_connect}' --connect-timeout ${PROBE_TIMEOUT_SECONDS} --max-time ${PROBE_TIMEOUT_SECONDS} -X "$6" "$url" 2>/dev/null)" || rc=$?`,
  '    code="${out%% *}"',
  '    connect="${out##* }"',
  '    if ! [[ "$out" =~ ^[0-9]{3}\\ [0-9.]+$ ]]; then obs="ERROR: kubectl exec did not run curl in $pod (exit $rc)"',
  '    elif [ "$code" = 403 ]; then obs=\'HTTP 403\'',
  '    elif [ "$code" != 000 ]; then obs="response (HTTP $code)"',
  '    elif [ "$(echo "$connect" | tr -d \'0.\')" != "" ]; then obs="response (connected, curl exit $rc)"',
  '    elif [ "$rc" = 28 ]; then obs=timeout',
  '    else obs="no connection (curl exit $rc)"',
  '    fi',
  '  fi',
  '  case "$7:$obs" in "response:response"*|"HTTP 403:HTTP 403"|"timeout:timeout") res=PASS ;; esac',
  '  check "$6 $5 [$1: $2]" "$7" "$obs" "$res"',
  '}',
];

/**
 * The shell functions and rows checking `outcomes` live, or nothing when there are none. Needs `check` (the table),
 * `reach` and `NODE_IMAGE` when an `lb-address` or `url` row is present (see `renderVerifyScript`).
 */
export function outcomeRows(context: string, outcomes: readonly ProbedOutcome[]): string[] {
  if (outcomes.length === 0) return [];
  const kinds = new Set(outcomes.map((o) => o.probe.kind));
  return [
    '',
    '# Intended outcomes (docs/apply-model.md): one row per outcome the apply model computed that can be probed live.',
    assign('CONTEXT', context),
    ...(kinds.has('lb-address') ? LB_ADDRESS_FUNCTION : []),
    ...(kinds.has('url') ? URL_FUNCTION : []),
    ...(kinds.has('certificate') || kinds.has('gateway') ? CONDITION_FUNCTIONS : []),
    ...(kinds.has('flow') ? FLOW_FUNCTION : []),
    ...outcomes.flatMap((o) => [comment(`${o.id}: ${o.statement}`), outcomeRow(o)]),
  ];
}
