import { PORT_IN_USE_FUNCTION } from './host-checks';
import { dqs, sh } from './shell';
import { ClusterOpsPlan, LocalRegistryPlan } from '../ops-plan';

/**
 * The local registry's lines of the generated scripts, kind's recipe (https://kind.sigs.k8s.io/docs/user/local-registry/):
 * apply.sh creates the `registry` container or reuses a running one of the same name published on the same host port
 * (refusing one published elsewhere), writes each node's `hosts.toml`, joins the container to the `kind` network and
 * applies the `local-registry-hosting` ConfigMap; preflight.sh checks the host port; teardown.sh removes the container
 * only when apply.sh created it (the marker file in `.kind-cilium/<cluster>/`) and no other kind cluster still runs.
 */

/**
 * `registry_state`: sets `REGISTRY_STATE` to absent, ours (running, published as planned), stopped (published as
 * planned), or elsewhere (bound to another host port, running or not: a stopped one would come back there).
 */
function registryStateFunction(r: LocalRegistryPlan): string[] {
  return [
    '# registry_state: sets REGISTRY_STATE to absent, ours, stopped or elsewhere (published on another host port).',
    'registry_state() {',
    '  local running published',
    sh`  running="$(docker container inspect -f '{{.State.Running}}' ${r.name} 2>/dev/null || true)"`,
    '  if [ -z "$running" ]; then REGISTRY_STATE=absent; return; fi',
    // The configured binding (HostConfig), which a stopped container keeps too (`docker port` prints nothing for it).
    sh`  published="$(docker container inspect -f ${`{{with index .HostConfig.PortBindings "${r.containerPort}/tcp"}}{{(index . 0).HostIp}}:{{(index . 0).HostPort}}{{end}}`} ${r.name} 2>/dev/null || true)"`,
    sh`  if [ "$published" != ${r.published} ]; then REGISTRY_STATE=elsewhere; REGISTRY_PUBLISHED="$published"`,
    '  elif [ "$running" != true ]; then REGISTRY_STATE=stopped',
    '  else REGISTRY_STATE=ours',
    '  fi',
    '}',
  ];
}

/** apply.sh: the commands of the `local-registry` step (after the cluster exists). */
export function applyRegistryLines(plan: ClusterOpsPlan): string[] {
  const r = plan.localRegistry;
  if (!r) return [];
  const marker = r.createdMarker;
  return [
    ...registryStateFunction(r),
    'registry_state',
    'case "$REGISTRY_STATE" in',
    '  absent)',
    sh`    docker run -d --restart=always -p ${`${r.published}:${r.containerPort}`} --network bridge --name ${r.name} ${r.image}`,
    sh`    private_dir ${marker.replace(/\/[^/]*$/, '')}`,
    sh`    printf '%s\\n' ${r.name} > ${marker}`,
    dqs`    echo "    registry ${r.name} created on ${r.published} (teardown.sh removes it)" ;;`,
    '  stopped)',
    sh`    docker start ${r.name} >/dev/null`,
    dqs`    echo "    registry ${r.name} existed (stopped): started and reused" ;;`,
    dqs`  ours) echo "    registry ${r.name} already runs on ${r.published}: reused (teardown.sh leaves it unless apply.sh created it)" ;;`,
    '  *)',
    dqs`    refuse "a container ${r.name} already exists, published on \${REGISTRY_PUBLISHED:-no host port}, not ${r.published}" "remove it (docker rm -f ${r.name}), or set localRegistry.name / localRegistry.hostPort to match it and synthesize again" ;;`,
    'esac',
    '# Each node pulls localhost:<port>/... from the registry container by name (containerd hosts.toml).',
    ...plan.nodes.flatMap((node) => [
      sh`docker exec ${node} mkdir -p ${r.hostsDir}`,
      sh`printf '%s' ${r.hostsToml} | docker exec -i ${node} cp /dev/stdin ${`${r.hostsDir}/hosts.toml`}`,
    ]),
    sh`if [ "$(docker container inspect -f '{{json .NetworkSettings.Networks.kind}}' ${r.name})" = null ]; then docker network connect kind ${r.name}; fi`,
    sh`kubectl --context ${plan.context} apply -f - <<'YAML'`,
    // Fixed data under a quoted heredoc delimiter: nothing in it expands.
    r.configMapYaml.trimEnd(),
    'YAML',
  ];
}

/** preflight.sh: the registry's host port is free, or held by the registry apply.sh reuses. */
export function preflightRegistryLines(plan: ClusterOpsPlan): string[] {
  const r = plan.localRegistry;
  if (!r) return [];
  const where = `${r.published}/TCP (localRegistry.hostPort)`;
  return [
    '# The local registry: reused when it runs published as planned; otherwise its host port must be free.',
    ...PORT_IN_USE_FUNCTION,
    ...registryStateFunction(r),
    'if [ "$DOCKER_OK" = 0 ]; then',
    dqs`  skipped "the local registry ${r.name}"`,
    'else',
    '  registry_state',
    '  case "$REGISTRY_STATE" in',
    dqs`    ours) ok "registry ${r.name} runs on ${r.published}: apply.sh reuses it" ;;`,
    dqs`    elsewhere) problem "a container ${r.name} exists, published on \${REGISTRY_PUBLISHED:-no host port}, not ${r.published}" "remove it (docker rm -f ${r.name}), or set localRegistry.name / localRegistry.hostPort to match it" ;;`,
    '    *)',
    sh`      if port_in_use TCP ${r.hostPort}; then `
      + dqs`problem "host socket ${where} is already in use" "stop what listens there (ss -lntup 'sport = :${r.hostPort}'), or set another localRegistry.hostPort and synthesize again"; else ok "host socket ${where} is free"; fi ;;`,
    '  esac',
    'fi',
    '',
  ];
}

/**
 * teardown.sh (after the cluster is deleted): removes the registry only when this cluster's apply.sh created it, and
 * only when no other kind cluster still runs (it may pull from it); otherwise says what it kept.
 */
export function teardownRegistryLines(plan: ClusterOpsPlan): string[] {
  const r = plan.localRegistry;
  if (!r) return [];
  const marker = r.createdMarker;
  const dir = marker.replace(/\/[^/]*$/, '');
  return [
    sh`if [ -f ${marker} ]; then`,
    '  OTHERS="$(kind get clusters 2>/dev/null | tr \'\\n\' \' \' | sed \'s/ *$//\')"',
    '  if [ -n "$OTHERS" ]; then',
    dqs`    echo "registry ${r.name} kept: kind clusters $OTHERS still run and may pull from it (remove it later with: docker rm -f ${r.name})"`,
    '  else',
    sh`    docker rm -f ${r.name} >/dev/null 2>&1 || true`,
    sh`    rm -f ${marker}`,
    // The marker's private folder goes too when nothing else (the exported CA) is kept there.
    sh`    if [ -z "$(find ${dir} -mindepth 1 ! -name .gitignore -print -quit)" ]; then rm -f ${`${dir}/.gitignore`}; rmdir ${dir}; fi`,
    dqs`    echo "registry ${r.name} removed (created by apply.sh)"`,
    '  fi',
    'else',
    dqs`  echo "registry ${r.name} not created by this bundle's apply.sh: left alone"`,
    'fi',
  ];
}
