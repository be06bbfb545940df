import { dqs, sh } from './shell';

/** inotify limits kind documents (known issues: "Pod errors due to too many open files"), per host. */
export const INOTIFY_MIN_WATCHES = 524288;
/** Instances per kind node container (kind's 512 covers about four nodes); the check scales with every kind node on the host. */
export const INOTIFY_INSTANCES_PER_NODE = 128;
/** kind's documented floor for `fs.inotify.max_user_instances`. */
export const INOTIFY_MIN_INSTANCES = 512;

/** The inotify limits `nodes` kind node containers need on one host. */
export function inotifyNeed(nodes: number): { instances: number; watches: number } {
  return { instances: Math.max(INOTIFY_MIN_INSTANCES, nodes * INOTIFY_INSTANCES_PER_NODE), watches: INOTIFY_MIN_WATCHES };
}

/** Where each host tool's install instructions are. */
export const INSTALL_HINTS = {
  docker: 'https://docs.docker.com/engine/install/',
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  helm: 'https://helm.sh/docs/intro/install/',
} as const;

/**
 * The first checks of every preflight (a cluster's and a fleet's): the `ok`/`info`/`problem`/`skipped` reporters,
 * the tools on PATH, whether the docker daemon answers (`DOCKER_OK`), and whether docker runs in a VM
 * (`DOCKER_VM=1` for Docker Desktop, or any docker on a macOS host): then the host's own `/proc` limits are not the
 * ones the kind nodes live under, and LoadBalancer addresses on the kind network are not reachable from the host.
 */
export const PREFLIGHT_PRELUDE: readonly string[] = [
  'FAILED=0',
  'ok() { echo "  ok    $1"; }',
  'info() { echo "  info  $1"; }',
  'problem() { echo "  FAIL  $1" >&2; echo "        fix: $2" >&2; FAILED=1; }',
  'skipped() { info "skipped (docker is missing or its daemon is not reachable): $1"; }',
  '',
  '# Tools and their minimum versions.',
  'install_hint() {',
  '  case "$1" in',
  ...Object.entries(INSTALL_HINTS).map(([tool, url]) => sh`    ${tool}) echo ${url} ;;`),
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
  '# DOCKER_VM=1: docker runs in a VM (Docker Desktop, or any docker on macOS): its kernel limits and networks are not this host\'s.',
  'DOCKER_VM=0',
  'if [ "$(uname -s 2>/dev/null)" = Darwin ]; then DOCKER_VM=1; fi',
  'if [ "$DOCKER_OK" = 1 ]; then',
  '  case "$(docker info -f \'{{.OperatingSystem}}\' 2>/dev/null || true)" in',
  '    *"Docker Desktop"*) DOCKER_VM=1 ;;',
  '  esac',
  'fi',
];

/**
 * The inotify check for `nodesExpr` kind nodes (a shell arithmetic expression), naming `subject`. Under a docker VM
 * the limits that count are the VM's, which this host's /proc does not show: then it says so and how to raise them.
 */
export function inotifyCheck(nodesExpr: string, subject: string): string[] {
  const per = INOTIFY_INSTANCES_PER_NODE;
  return [
    'INOTIFY_DIR="${KC_INOTIFY_DIR:-/proc/sys/fs/inotify}"',
    `need_nodes=$((${nodesExpr}))`,
    `need_instances=$((need_nodes * ${per}))`,
    `[ "$need_instances" -ge ${INOTIFY_MIN_INSTANCES} ] || need_instances=${INOTIFY_MIN_INSTANCES}`,
    `need_watches=${INOTIFY_MIN_WATCHES}`,
    'if [ "$DOCKER_VM" = 1 ]; then',
    dqs`  info "docker runs in a VM (Docker Desktop): the inotify limits that count are the VM's, not this host's; ${subject} needs instances $need_instances and watches $need_watches there. If pods fail with 'too many open files', raise them inside the VM: docker run --rm --privileged alpine sysctl -w fs.inotify.max_user_instances=$need_instances fs.inotify.max_user_watches=$need_watches"`,
    'elif [ -r "$INOTIFY_DIR/max_user_instances" ]; then',
    '  have_instances="$(cat "$INOTIFY_DIR/max_user_instances")"',
    '  have_watches="$(cat "$INOTIFY_DIR/max_user_watches")"',
    '  if [ "$have_instances" -ge "$need_instances" ] && [ "$have_watches" -ge "$need_watches" ]; then',
    dqs`    ok "inotify limits for ${subject}: $need_nodes kind nodes (instances $have_instances, watches $have_watches)"`,
    '  else',
    dqs`    problem "inotify limits too low for ${subject}: $need_nodes kind nodes (instances $have_instances, need $need_instances; watches $have_watches, need $need_watches)" "sudo sysctl fs.inotify.max_user_instances=$need_instances fs.inotify.max_user_watches=$need_watches (persist it in /etc/sysctl.d/99-kind.conf)"`,
    '  fi',
    'else',
    '  info "no $INOTIFY_DIR (not Linux?): inotify limits not checked"',
    'fi',
  ];
}

/** `kind_nodes_on_host`: prints how many kind node containers run on the host now (0 when docker cannot tell). */
export const KIND_NODES_ON_HOST: readonly string[] = [
  'kind_nodes_on_host() {',
  '  local n',
  '  n="$(docker ps -q --filter label=io.x-k8s.kind.cluster 2>/dev/null | wc -l | tr -d \' \')" || n=0',
  '  echo "${n:-0}"',
  '}',
];

/** `cidr_overlaps A/P B/Q`: true when two IPv4 CIDRs share an address (needs `ip_to_int`). */
export const CIDR_OVERLAPS_FUNCTION: readonly string[] = [
  '# cidr_overlaps A/P B/Q: the two IPv4 CIDRs share an address.',
  'cidr_overlaps() {',
  '  local ap="${1#*/}" bp="${2#*/}" as ae bs be',
  '  as=$(( $(ip_to_int "${1%/*}") >> (32 - ap) << (32 - ap) ))',
  '  ae=$(( as + (1 << (32 - ap)) - 1 ))',
  '  bs=$(( $(ip_to_int "${2%/*}") >> (32 - bp) << (32 - bp) ))',
  '  be=$(( bs + (1 << (32 - bp)) - 1 ))',
  '  [ "$as" -le "$be" ] && [ "$bs" -le "$ae" ]',
  '}',
];

/** `port_in_use PROTOCOL PORT`: true when something listens on PORT (TCP, UDP or SCTP) on this host. */
export const PORT_IN_USE_FUNCTION: readonly string[] = [
  '# port_in_use PROTOCOL PORT: something listens there (ss; without ss, a TCP connect to 127.0.0.1).',
  'port_in_use() {',
  '  local proto="$1" port="$2" flag',
  '  case "$proto" in UDP) flag=u ;; SCTP) flag=S ;; *) flag=t ;; esac',
  '  if command -v ss >/dev/null 2>&1; then',
  '    ss -Hl"$flag"n "sport = :$port" 2>/dev/null | grep -q .',
  '  else',
  '    [ "$proto" = TCP ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null',
  '  fi',
  '}',
];
