import { CIDR_OVERLAPS_FUNCTION, inotifyCheck, KIND_NODES_ON_HOST, PORT_IN_USE_FUNCTION, PREFLIGHT_PRELUDE } from './host-checks';
import { ADOPT_ENV, clusterStateFunction, ownershipProblemCalls } from './ownership';
import { comment, dqs, raw, scriptHeader, SHELL_FUNCTIONS, sh } from './shell';
import { ClusterOpsPlan } from '../ops-plan';

export { INOTIFY_INSTANCES_PER_NODE, INOTIFY_MIN_WATCHES, INSTALL_HINTS } from './host-checks';

/**
 * `dist/<c>/preflight.sh`: checks the host before anything is created, and changes nothing. Every failed check
 * prints its fix; the script exits 1 after running all checks. Run first by apply.sh, also on its own. Checks: the
 * tools and their versions; cgroup v2 when the node image needs it; the cluster of that name (created by this
 * bundle from this kind config, or refused); the docker network `kind` (its subnet, or, before it exists, the
 * networks holding the expected subnet); every host socket of the kind config; the inotify limits; what a docker
 * VM (Docker Desktop) changes.
 */
export function renderPreflightScript(plan: ClusterOpsPlan): string {
  const v = plan.minToolVersions;
  const nodes = plan.nodes.length;
  const problems = ownershipProblemCalls(plan, 'problem');
  const lines = [
    ...scriptHeader(plan.clusterName, [
      'Preflight for the kind + Cilium cluster',
      'Checks the host (tools, cgroup version, docker network, host sockets, inotify limits, an existing cluster); changes nothing.',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    dqs`echo "preflight for kind cluster ${plan.clusterName}"`,
    '',
    ...PREFLIGHT_PRELUDE,
    'check_version() {',
    '  local tool="$1" have="$2" want="$3"',
    '  if [ -z "$have" ]; then problem "cannot read the $tool version" "install $tool $want or later"',
    '  elif version_at_least "$have" "$want"; then ok "$tool $have (>= $want)"',
    '  else problem "$tool $have is older than $want" "install $tool $want or later"',
    '  fi',
    '}',
    'if command -v kind >/dev/null 2>&1; then',
    sh`  check_version kind "$(kind version 2>/dev/null | grep -oE 'v[0-9]+\\.[0-9]+\\.[0-9]+' | head -n 1)" ${v.kind}`,
    'fi',
    'if command -v kubectl >/dev/null 2>&1; then',
    sh`  check_version kubectl "$(kubectl version --client 2>/dev/null | grep -oE 'v[0-9]+\\.[0-9]+\\.[0-9]+' | head -n 1)" ${v.kubectl}`,
    'fi',
    'if command -v helm >/dev/null 2>&1; then',
    sh`  check_version helm "$(helm version --short 2>/dev/null | grep -oE 'v[0-9]+\\.[0-9]+\\.[0-9]+' | head -n 1)" ${v.helm}`,
    'fi',
    '',
    ...cgroupCheck(plan),
    '',
    '# An existing cluster of this name: reused only when this bundle created it from this kind config.',
    ...clusterStateFunction(plan),
    'CLUSTER_EXISTS=0',
    'if [ "$DOCKER_OK" = 0 ] || ! command -v kind >/dev/null 2>&1; then',
    dqs`  skipped "whether kind cluster ${plan.clusterName} exists"`,
    'else',
    '  cluster_state',
    '  [ "$CLUSTER_STATE" = absent ] || CLUSTER_EXISTS=1',
    '  case "$CLUSTER_STATE" in',
    dqs`    absent) info "no kind cluster ${plan.clusterName} yet: apply.sh creates it (marked with the label ${plan.mark.bundleLabel} on ${plan.mark.node})" ;;`,
    dqs`    ours) info "kind cluster ${plan.clusterName} exists, created by this bundle from this kind config: apply.sh reuses it" ;;`,
    '    unmarked|stale)',
    sh`      if [ "\${${raw(ADOPT_ENV)}:-}" = 1 ]; then`,
    dqs`        info "kind cluster ${plan.clusterName} is $CLUSTER_STATE, and ${ADOPT_ENV}=1: apply.sh adopts it and marks it"`,
    '      elif [ "$CLUSTER_STATE" = unmarked ]; then',
    sh`        ${problems.unmarked}`,
    '      else',
    sh`        ${problems.stale}`,
    '      fi ;;',
    sh`    *) ${problems['other-nodes']} ;;`,
    '  esac',
    'fi',
    '',
    ...networkCheck(plan),
    '',
    ...socketChecks(plan),
    comment(`inotify limits: kind needs about 128 instances per node container on the host (this cluster: ${nodes}, plus every other kind node already there).`),
    ...KIND_NODES_ON_HOST,
    'other_nodes=0',
    'if [ "$DOCKER_OK" = 0 ]; then',
    '  skipped "counting the kind nodes already on the host (the inotify need below counts this cluster only)"',
    'elif [ "$CLUSTER_EXISTS" = 0 ]; then',
    '  other_nodes="$(kind_nodes_on_host)"',
    'fi',
    ...inotifyCheck(`other_nodes + ${nodes}`, `cluster ${plan.clusterName}`),
    '',
    ...dockerVmNotes(plan),
    '',
    'if [ "$FAILED" != 0 ]; then',
    dqs`  echo "preflight failed for ${plan.clusterName}: nothing was created; fix the problems above and run again" >&2`,
    '  exit 1',
    'fi',
    dqs`echo "preflight ok for ${plan.clusterName}"`,
  ];
  return `${lines.join('\n')}\n`;
}

/** cgroup v2 for node images of Kubernetes 1.35+: their kubelet refuses to start on cgroup v1. */
function cgroupCheck(plan: ClusterOpsPlan): string[] {
  const k8s = plan.versions.kubernetes;
  const lines = [
    '# The cgroup version of the docker host (the VM\'s under Docker Desktop): kind node images of Kubernetes 1.35+ need v2.',
    'if [ "$DOCKER_OK" = 0 ]; then',
    '  skipped "the cgroup version of the docker host"',
    'else',
    '  cgroup="$(docker info -f \'{{.CgroupVersion}}\' 2>/dev/null || true)"',
  ];
  if (plan.cgroupV2Only === true) {
    lines.push(
      '  if [ "$cgroup" = 2 ]; then ok "docker runs cgroup v2 (needed by the Kubernetes of the node image)"',
      '  elif [ -z "$cgroup" ]; then info "cannot read the cgroup version of docker (docker info CgroupVersion); the node image needs cgroup v2"',
      dqs`  else problem "docker runs cgroup v$cgroup, but the node image is Kubernetes ${k8s ?? ''}, whose kubelet refuses cgroup v1 (from 1.35 on; kind v0.31 release notes): the nodes would never become Ready" "boot the docker host with cgroup v2 (systemd.unified_cgroup_hierarchy=1; every current distribution's default), or pin an older Kubernetes on the cluster ${plan.clusterName} (kubernetesVersion: '1.34') and synthesize again"`,
      '  fi',
    );
  } else if (plan.cgroupV2Only === false) {
    lines.push(dqs`  ok "docker runs cgroup v\${cgroup:-?} (the node image's Kubernetes ${k8s ?? ''} runs on v1 and v2)"`);
  } else {
    lines.push(
      '  if [ "$cgroup" = 2 ]; then ok "docker runs cgroup v2"',
      '  else info "docker runs cgroup v${cgroup:-?}, and the Kubernetes version of the custom node image is unknown: images of 1.35+ need cgroup v2"',
      '  fi',
    );
  }
  lines.push('fi');
  return lines;
}

/**
 * The docker network `kind`: its IPv4 subnet must be the one the bundle was synthesized for. Before it exists, docker
 * gives kind the first free subnet of its address pools, so a network that already holds the expected subnet (or part
 * of it) sends kind elsewhere, where no pool address answers.
 */
function networkCheck(plan: ClusterOpsPlan): string[] {
  const subnet = plan.dockerNetworkSubnet;
  return [
    '# The docker network kind uses must be the subnet the bundle (pools, L2, Cilium values) was synthesized for.',
    ...CIDR_OVERLAPS_FUNCTION,
    'if [ "$DOCKER_OK" = 0 ]; then',
    '  skipped "the subnet of the docker network kind"',
    'elif docker network inspect kind >/dev/null 2>&1; then',
    '  subnets="$(docker network inspect kind -f \'{{range .IPAM.Config}}{{.Subnet}} {{end}}\' 2>/dev/null | tr \' \' \'\\n\' | grep -F . | grep -v : || true)"',
    sh`  if printf '%s\\n' "$subnets" | grep -qxF ${subnet}; then`,
    dqs`    ok "docker network kind is ${subnet}"`,
    '  else',
    '    actual="$(printf \'%s\\n\' "$subnets" | head -n 1)"',
    dqs`    problem "docker network kind has IPv4 subnet \${actual:-none}, but this bundle was synthesized for ${subnet}: every LoadBalancer IP would be unreachable" "set dockerNetworkSubnet: '\${actual}' on the cluster ${plan.clusterName} (and pool blocks inside it), then synthesize again (npx cdk8s synth)"`,
    '  fi',
    'else',
    '  holders=\'\'',
    '  while IFS= read -r net; do',
    '    [ -n "$net" ] || continue',
    '    for s in $(docker network inspect "$net" -f \'{{range .IPAM.Config}}{{.Subnet}} {{end}}\' 2>/dev/null); do',
    '      case "$s" in *:*) continue ;; esac',
    sh`      if cidr_overlaps "$s" ${subnet}; then holders="\${holders:+$holders, }$net ($s)"; fi`,
    '    done',
    '  done < <(docker network ls --format \'{{.Name}}\' 2>/dev/null || true)',
    '  if [ -n "$holders" ]; then',
    dqs`    problem "docker network kind does not exist yet, and ${subnet} is already held by: $holders. Docker would give kind another subnet, where no LoadBalancer pool address answers" "remove that network if nothing uses it (docker network rm NAME), or set dockerNetworkSubnet on the cluster ${plan.clusterName} to a free subnet (and pool blocks inside it), then synthesize again"`,
    '  else',
    dqs`    info "docker network kind does not exist yet: kind creates it; no docker network holds ${subnet} (docker picks the first free subnet of its address pools; if that is another one, preflight says so on the next run)"`,
    '  fi',
    'fi',
  ];
}

/** Every host socket of the kind config must be free, unless this cluster, which binds them, already runs. */
function socketChecks(plan: ClusterOpsPlan): string[] {
  if (plan.hostPorts.length === 0) return [];
  return [
    '# Every host socket of the kind config (extraPortMappings, apiServerPort) must be free, unless this cluster already runs.',
    ...PORT_IN_USE_FUNCTION,
    'if [ "$CLUSTER_EXISTS" = 0 ]; then',
    ...plan.hostPorts.map((p) => {
      const where = `${p.address}:${p.port}/${p.protocol} (${p.source})`;
      return sh`  if port_in_use ${p.protocol} ${p.port}; then `
        + dqs`problem "host socket ${where} is already in use" "stop what listens there (ss -lntup 'sport = :${p.port}'), or set another port in ${p.source} and synthesize again"; else ok "host socket ${where} is free"; fi`;
    }),
    'fi',
    '',
  ];
}

/** Under a docker VM, LoadBalancer addresses live on the VM's network: reachable from containers, not from the host. */
function dockerVmNotes(plan: ClusterOpsPlan): string[] {
  if (plan.poolRanges.length === 0) return [];
  const pools = plan.poolRanges.map((r) => `${r.first}-${r.last}`).join(', ');
  const published = plan.hostPorts.filter((p) => p.source.startsWith('hostPortMappings')).map((p) => `${p.address}:${p.port}`);
  return [
    'if [ "$DOCKER_VM" = 1 ]; then',
    dqs`  info "docker runs in a VM (Docker Desktop): LoadBalancer addresses (${pools}) answer inside the docker network kind (from containers, and verify.sh probes them from there), not from this host${published.length > 0 ? `; from this host use the published ports ${published.join(', ')}` : ''}"`,
    'fi',
  ];
}
