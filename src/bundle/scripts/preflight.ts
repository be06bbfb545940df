import { scriptHeader, SHELL_FUNCTIONS, sq } from './shell';
import { ClusterOpsPlan } from '../ops-plan';

/** inotify limits kind documents (known issues: "Pod errors due to too many open files"), per host. */
export const INOTIFY_MIN_WATCHES = 524288;
/** Instances per kind node container (kind's 512 covers about four nodes); the check scales with every kind node on the host. */
export const INOTIFY_INSTANCES_PER_NODE = 128;

/** Where each host tool's install instructions are. */
export const INSTALL_HINTS = {
  docker: 'https://docs.docker.com/engine/install/',
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  helm: 'https://helm.sh/docs/intro/install/',
} as const;

/**
 * `dist/<c>/preflight.sh`: checks the host before anything is created, and changes nothing. Every failed check
 * prints its fix; the script exits 1 after running all checks. Run first by apply.sh, also on its own.
 */
export function renderPreflightScript(plan: ClusterOpsPlan): string {
  const name = sq(plan.clusterName);
  const v = plan.minToolVersions;
  const nodes = plan.nodes.length;
  const lines = [
    ...scriptHeader(plan.clusterName, [
      'Preflight for the kind + Cilium cluster',
      'Checks the host (tools, docker network, host ports, inotify limits, existing cluster); changes nothing.',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    'FAILED=0',
    'ok() { echo "  ok    $1"; }',
    'info() { echo "  info  $1"; }',
    'problem() { echo "  FAIL  $1" >&2; echo "        fix: $2" >&2; FAILED=1; }',
    '',
    `echo "preflight for kind cluster ${plan.clusterName}"`,
    '',
    '# Tools and their minimum versions.',
    'install_hint() {',
    '  case "$1" in',
    ...Object.entries(INSTALL_HINTS).map(([tool, url]) => `    ${tool}) echo ${sq(url)} ;;`),
    '  esac',
    '}',
    'for tool in docker kind kubectl helm; do',
    '  if ! command -v "$tool" >/dev/null 2>&1; then',
    '    problem "$tool is not installed (or not on PATH)" "install $tool (see $(install_hint "$tool"))"',
    '  fi',
    'done',
    '# DOCKER_OK=1: the daemon answers; the checks that ask docker (or kind, which asks docker) are skipped otherwise.',
    'DOCKER_OK=0',
    'if command -v docker >/dev/null 2>&1; then',
    '  if docker info >/dev/null 2>&1; then ok "docker daemon reachable"; DOCKER_OK=1',
    '  else problem "the docker daemon is not reachable (docker info failed)" "start docker, and make sure this user may use it (docker group or sudo)"',
    '  fi',
    'fi',
    'skipped() { info "skipped (docker is missing or its daemon is not reachable): $1"; }',
    'check_version() {',
    '  local tool="$1" have="$2" want="$3"',
    '  if [ -z "$have" ]; then problem "cannot read the $tool version" "install $tool $want or later"',
    '  elif version_at_least "$have" "$want"; then ok "$tool $have (>= $want)"',
    '  else problem "$tool $have is older than $want" "install $tool $want or later"',
    '  fi',
    '}',
    'if command -v kind >/dev/null 2>&1; then',
    `  check_version kind "$(kind version 2>/dev/null | grep -oE 'v[0-9]+\\.[0-9]+\\.[0-9]+' | head -n 1)" ${v.kind}`,
    'fi',
    'if command -v kubectl >/dev/null 2>&1; then',
    `  check_version kubectl "$(kubectl version --client 2>/dev/null | grep -oE 'v[0-9]+\\.[0-9]+\\.[0-9]+' | head -n 1)" ${v.kubectl}`,
    'fi',
    'if command -v helm >/dev/null 2>&1; then',
    `  check_version helm "$(helm version --short 2>/dev/null | grep -oE 'v[0-9]+\\.[0-9]+\\.[0-9]+' | head -n 1)" ${v.helm}`,
    'fi',
    '',
    '# An existing cluster of this name: reused by apply.sh when its nodes match.',
    'CLUSTER_EXISTS=0',
    'if [ "$DOCKER_OK" = 0 ]; then',
    `  skipped "whether kind cluster ${plan.clusterName} exists"`,
    `elif command -v kind >/dev/null 2>&1 && kind get clusters 2>/dev/null | grep -qx ${name}; then`,
    '  CLUSTER_EXISTS=1',
    `  expected=${sq(plan.nodes.slice().sort().join(' '))}`,
    `  actual="$(kind get nodes --name ${name} 2>/dev/null | sort | tr '\\n' ' ' | sed 's/ $//')"`,
    '  if [ "$actual" = "$expected" ]; then',
    `    info "kind cluster ${plan.clusterName} exists with the expected nodes: apply.sh reuses it"`,
    '  else',
    `    problem "kind cluster ${plan.clusterName} exists with other nodes ($actual; expected $expected)" "delete it with bash ${plan.manifestsDir}/teardown.sh, then apply again"`,
    '  fi',
    'else',
    `  info "no kind cluster ${plan.clusterName} yet: apply.sh creates it"`,
    'fi',
    '',
    '# The docker network kind uses must be the subnet the bundle (pools, L2, Cilium values) was synthesized for.',
    'if [ "$DOCKER_OK" = 0 ]; then',
    '  skipped "the subnet of the docker network kind"',
    'elif command -v docker >/dev/null 2>&1 && docker network inspect kind >/dev/null 2>&1; then',
    '  subnets="$(docker network inspect kind -f \'{{range .IPAM.Config}}{{.Subnet}} {{end}}\' 2>/dev/null | tr \' \' \'\\n\' | grep -F . | grep -v : || true)"',
    `  if printf '%s\\n' "$subnets" | grep -qx ${sq(plan.dockerNetworkSubnet)}; then`,
    `    ok "docker network kind is ${plan.dockerNetworkSubnet}"`,
    '  else',
    '    actual="$(printf \'%s\\n\' "$subnets" | head -n 1)"',
    `    problem "docker network kind has IPv4 subnet \${actual:-none}, but this bundle was synthesized for ${plan.dockerNetworkSubnet}: every LoadBalancer IP would be unreachable" "set dockerNetworkSubnet: '\${actual}' on the cluster ${plan.clusterName} (and pool blocks inside it), then synthesize again (npx cdk8s synth)"`,
    '  fi',
    'else',
    `  info "docker network kind does not exist yet: kind creates it (expected ${plan.dockerNetworkSubnet}; if docker picks another subnet, preflight says so on the next run)"`,
    'fi',
    '',
  ];
  if (plan.hostPorts.length > 0) {
    lines.push(
      '# Published host ports must be free (unless this cluster, which publishes them, already runs).',
      'port_in_use() {',
      '  local proto="$1" port="$2"',
      '  if command -v ss >/dev/null 2>&1; then',
      '    if [ "$proto" = UDP ]; then ss -Hlun "sport = :$port" | grep -q .; else ss -Hltn "sport = :$port" | grep -q .; fi',
      '  else',
      '    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null',
      '  fi',
      '}',
      'if [ "$CLUSTER_EXISTS" = 0 ]; then',
      ...plan.hostPorts.map((p) => `  if port_in_use ${p.protocol} ${p.port}; then problem "host port ${p.address}:${p.port}/${p.protocol} is already in use" "stop what listens there (ss -ltnp 'sport = :${p.port}'), or publish another hostPort in hostPortMappings and synthesize again"; else ok "host port ${p.address}:${p.port}/${p.protocol} is free"; fi`),
      'fi',
      '',
    );
  }
  lines.push(
    `# inotify limits: kind needs about ${INOTIFY_INSTANCES_PER_NODE} instances per node container on the host (this cluster: ${nodes}).`,
    'INOTIFY_DIR="${KC_INOTIFY_DIR:-/proc/sys/fs/inotify}"',
    'if [ -r "$INOTIFY_DIR/max_user_instances" ]; then',
    '  other_nodes=0',
    '  if [ "$DOCKER_OK" = 0 ]; then',
    '    skipped "counting the kind nodes already on the host (the inotify need below counts this cluster only)"',
    '  elif [ "$CLUSTER_EXISTS" = 0 ]; then',
    '    other_nodes="$(docker ps -q --filter label=io.x-k8s.kind.cluster 2>/dev/null | wc -l | tr -d \' \')" || other_nodes=0',
    '  fi',
    `  need_instances=$(((other_nodes + ${nodes}) * ${INOTIFY_INSTANCES_PER_NODE}))`,
    '  [ "$need_instances" -ge 512 ] || need_instances=512',
    `  need_watches=${INOTIFY_MIN_WATCHES}`,
    '  have_instances="$(cat "$INOTIFY_DIR/max_user_instances")"',
    '  have_watches="$(cat "$INOTIFY_DIR/max_user_watches")"',
    '  if [ "$have_instances" -ge "$need_instances" ] && [ "$have_watches" -ge "$need_watches" ]; then',
    '    ok "inotify limits (instances $have_instances, watches $have_watches)"',
    '  else',
    `    problem "inotify limits too low for $((other_nodes + ${nodes})) kind nodes (instances $have_instances, need $need_instances; watches $have_watches, need $need_watches)" "sudo sysctl fs.inotify.max_user_instances=$need_instances fs.inotify.max_user_watches=$need_watches (persist it in /etc/sysctl.d/99-kind.conf)"`,
    '  fi',
    'else',
    '  info "no $INOTIFY_DIR (not Linux?): inotify limits not checked"',
    'fi',
    '',
    'if [ "$FAILED" != 0 ]; then',
    `  echo "preflight failed for ${plan.clusterName}: nothing was created; fix the problems above and run again" >&2`,
    '  exit 1',
    'fi',
    `echo "preflight ok for ${plan.clusterName}"`,
  );
  return `${lines.join('\n')}\n`;
}
