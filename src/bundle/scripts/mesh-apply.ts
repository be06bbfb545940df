import { inotifyCheck, PREFLIGHT_PRELUDE } from './host-checks';
import { MeshOpsPlan, MESH_TIMEOUTS, READY_FN } from './mesh-plan';
import { assign, dqs, raw, scriptHeader, SHELL_FUNCTIONS, sh } from './shell';

/**
 * What parallel creation of a fleet's members needs from the docker host (the VM's under Docker Desktop), read from
 * `docker info` (`NCPU`, `MemTotal`). Estimates, not limits: a kind node running Cilium settles near 1 GiB (control
 * plane: etcd, API server, controllers; every node: kubelet, containerd, the Cilium agent), and each cluster coming up
 * (image unpacking, kubeadm init, the Cilium rollout) keeps about two CPUs busy. Below them the members are created one
 * after another, which needs less at any moment and ends in the same fleet.
 */
export const PARALLEL_NEEDS = { memoryMiBPerNode: 1024, cpusPerMember: 2 } as const;

/** Environment variable forcing the fleet's creation mode: `1` in parallel, `0` one member after another. */
export const PARALLEL_ENV = 'KC_PARALLEL';

function fleetNodes(plan: MeshOpsPlan): number {
  return plan.members.reduce((n, m) => n + m.nodes, 0);
}

/**
 * `dist/<mesh>/preflight.sh`: checks every member (its own preflight.sh) and then what the whole fleet needs at once,
 * before anything is created: the inotify limits for every node of every member plus the kind nodes already on the
 * host, and whether the docker host has the CPUs and memory to create the members in parallel. Changes nothing;
 * exits 1 when a member or the fleet would fail. The creation mode it decides is written to the file named by
 * `KC_PARALLEL_DECISION` (`1` parallel, `0` one after another), which the mesh's apply.sh reads.
 */
export function renderMeshPreflight(plan: MeshOpsPlan): string {
  const names = plan.members.map((m) => m.clusterName);
  const nodes = fleetNodes(plan);
  const needCpus = plan.members.length * PARALLEL_NEEDS.cpusPerMember;
  const needMiB = nodes * PARALLEL_NEEDS.memoryMiBPerNode;
  const lines = [
    ...scriptHeader(plan.mesh, [
      'Preflight for every cluster of the Cilium Cluster Mesh, and for the whole fleet at once',
      `Runs each member's preflight.sh (${names.join(', ')}), then checks the fleet's needs: inotify limits for all ${nodes} nodes`,
      'and the kind nodes already on the host; the CPUs and memory to create the members in parallel. Changes nothing.',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    dqs`echo "preflight for mesh ${plan.mesh}: ${names.join(', ')}"`,
    ...PREFLIGHT_PRELUDE,
    '',
    '# Every member, each with its own checks (tools, cgroup, an existing cluster, its docker network, its host sockets).',
  ];
  for (const m of plan.members) {
    lines.push(
      dqs`echo "==> member ${m.clusterName}"`,
      sh`if bash ${`${m.manifestsDir}/preflight.sh`}; then ok ${`member ${m.clusterName}: preflight passed`}; else `
        + dqs`problem "member ${m.clusterName}: preflight failed (its FAIL lines above)" "fix them, then run bash ${plan.dir}/preflight.sh again"; fi`,
    );
  }
  lines.push(
    '',
    dqs`echo "==> the whole fleet (${nodes} kind nodes)"`,
    '# Kind nodes on the host that belong to no member: the fleet adds its own on top of them.',
    'other_nodes=0',
    'if [ "$DOCKER_OK" = 1 ]; then',
    sh`  other_nodes="$(docker ps --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}' 2>/dev/null | grep -cvxF ${raw(names.map((n) => sh`-e ${n}`).join(' '))} || true)"`,
    'fi',
    ...inotifyCheck(`\${other_nodes:-0} + ${nodes}`, `mesh ${plan.mesh} (every member)`),
    '',
    `# Parallel creation: ${PARALLEL_NEEDS.cpusPerMember} CPUs per member and ${PARALLEL_NEEDS.memoryMiBPerNode} MiB per node (estimates: see PARALLEL_NEEDS in the generator).`,
    assign('need_cpus', needCpus),
    assign('need_mib', needMiB),
    'PARALLEL=0',
    sh`case "\${${raw(PARALLEL_ENV)}:-}" in`,
    dqs`  1) PARALLEL=1; info "members are created in parallel (${PARALLEL_ENV}=1)" ;;`,
    dqs`  0) info "members are created one after another (${PARALLEL_ENV}=0)" ;;`,
    '  *)',
    '    if [ "$DOCKER_OK" = 1 ]; then',
    '      cpus="$(docker info -f \'{{.NCPU}}\' 2>/dev/null || true)"',
    '      mem_bytes="$(docker info -f \'{{.MemTotal}}\' 2>/dev/null || true)"',
    '      mib=$(( ${mem_bytes:-0} / 1048576 ))',
    '      if [ "${cpus:-0}" -ge "$need_cpus" ] && [ "$mib" -ge "$need_mib" ]; then',
    '        PARALLEL=1',
    dqs`        ok "members are created in parallel: docker has $cpus CPUs and $mib MiB (the fleet needs $need_cpus CPUs and $need_mib MiB)"`,
    '      else',
    dqs`        info "members are created one after another: docker has \${cpus:-?} CPUs and $mib MiB, parallel creation needs $need_cpus CPUs and $need_mib MiB (${PARALLEL_ENV}=1 forces it)"`,
    '      fi',
    '      if [ "$mib" -lt "$need_mib" ]; then',
    dqs`        info "the running fleet may need about $need_mib MiB, docker has $mib MiB: if pods are evicted or nodes stay NotReady, give docker more memory"`,
    '      fi',
    '    else',
    '      skipped "whether the members fit in parallel (they are created one after another)"',
    '    fi ;;',
    'esac',
    'if [ -n "${KC_PARALLEL_DECISION:-}" ]; then echo "$PARALLEL" > "$KC_PARALLEL_DECISION"; fi',
    '',
    'if [ "$FAILED" != 0 ]; then',
    dqs`  echo "preflight failed for mesh ${plan.mesh}: nothing was created; fix the problems above and run again" >&2`,
    '  exit 1',
    'fi',
    dqs`echo "preflight ok for mesh ${plan.mesh}"`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * `dist/<mesh>/apply.sh`: the fleet preflight (every member and the fleet's needs, before anything is created), the
 * shared CA (once, before any member needs it), every member's own apply.sh, in parallel when the preflight says the
 * host fits it (each line prefixed with `[member]`; a failed member is named, after the others finished), then the
 * join: the bounded wait until every agent of every member reports all remote clusters ready. Each phase prints its time.
 */
export function renderMeshApply(plan: MeshOpsPlan): string {
  const remotes = plan.members.length - 1;
  const names = plan.members.map((m) => m.clusterName);
  const lines = [
    ...scriptHeader(plan.mesh, [
      'Brings up every cluster of the Cilium Cluster Mesh',
      `Members: ${names.join(', ')}. First the fleet preflight (preflight.sh: every member, then the whole fleet's needs),`,
      `then the shared CA (${plan.caDir}, created by shared-ca.sh, gitignored), then each member's own dist/<member>/apply.sh,`,
      `in parallel when the preflight says the host fits it (${PARALLEL_ENV}=1 or 0 forces a mode), each line prefixed with`,
      `[member]. Then waits until every agent of every member reports all ${remotes} remote cluster(s) ready. Safe to run`,
      'again. Undo with teardown.sh.',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    ...READY_FN,
    '',
    'STARTED=$SECONDS',
    'phase() {',
    '  PHASE_STARTED=$SECONDS',
    dqs`  echo "==> mesh ${plan.mesh}: $1"`,
    '}',
    'phase_done() {',
    dqs`  echo "    mesh ${plan.mesh}: $1 done in $((SECONDS - PHASE_STARTED))s"`,
    '}',
    '# prefix NAME: every line of standard input, prefixed with [NAME] (a line break in NAME shown as a space, so that',
    '# each prefixed line is one line, written at once, and members running in parallel never split each other\'s lines).',
    'prefix() {',
    '  local line name="${1//$\'\\n\'/ }"',
    '  while IFS= read -r line || [ -n "$line" ]; do printf \'[%s] %s\\n\' "$name" "$line"; done',
    '}',
    '# run_member NAME SCRIPT: runs a member\'s apply.sh, its output prefixed with [NAME]; returns its exit code.',
    'run_member() {',
    '  local started=$SECONDS rc=0',
    '  if bash "$2" 2>&1 | prefix "$1"; then rc=0; else rc=$?; fi',
    '  printf \'[%s] apply.sh finished (exit %s) in %ss\\n\' "$1" "$rc" "$((SECONDS - started))"',
    '  return "$rc"',
    '}',
    '',
    'phase "preflight: every member and the whole fleet (changes nothing)"',
    'DECISION="$(mktemp)"',
    'trap \'rm -f "$DECISION"\' EXIT',
    sh`KC_PARALLEL_DECISION="$DECISION" bash ${`${plan.dir}/preflight.sh`}`,
    'PARALLEL="$(cat "$DECISION")"',
    'phase_done preflight',
    '',
    'phase "shared CA"',
    sh`bash ${`${plan.dir}/shared-ca.sh`}`,
    'phase_done "shared CA"',
    '',
    'FAILED_MEMBERS=()',
    'if [ "$PARALLEL" = 1 ]; then',
    dqs`  phase "clusters ${names.join(', ')}, in parallel"`,
    '  PIDS=()',
    '  NAMES=()',
    ...plan.members.flatMap((m) => [sh`  run_member ${m.clusterName} ${`${m.manifestsDir}/apply.sh`} &`, '  PIDS+=("$!")', sh`  NAMES+=(${m.clusterName})`]),
    '  for i in "${!PIDS[@]}"; do',
    '    wait "${PIDS[$i]}" || FAILED_MEMBERS+=("${NAMES[$i]}")',
    '  done',
    'else',
    dqs`  phase "clusters ${names.join(', ')}, one after another"`,
    ...plan.members.map((m) => sh`  run_member ${m.clusterName} ${`${m.manifestsDir}/apply.sh`} || FAILED_MEMBERS+=(${m.clusterName})`),
    'fi',
    'if [ "${#FAILED_MEMBERS[@]}" != 0 ]; then',
    dqs`  echo "ERROR: mesh ${plan.mesh}: member(s) failed: \${FAILED_MEMBERS[*]} (their [name] lines above say why); fix the cause and run bash ${plan.dir}/apply.sh again: finished steps are repeated safely" >&2`,
    '  exit 1',
    'fi',
    'phase_done clusters',
    '',
    'phase "join: wait for Cluster Mesh on every agent"',
  ];
  for (const m of plan.members) {
    lines.push(sh`wait_until ${MESH_TIMEOUTS.clusterMesh} ${`ClusterMesh: ${remotes}/${remotes} remote clusters ready on every agent of ${m.clusterName}`} mesh_ready ${m.context} ${remotes}`);
  }
  lines.push('phase_done join', '', dqs`echo "mesh ${plan.mesh} is up in $((SECONDS - STARTED))s; check it with: bash ${plan.dir}/verify.sh"`);
  return `${lines.join('\n')}\n`;
}
