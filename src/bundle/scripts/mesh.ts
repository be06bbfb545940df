import { scriptHeader, SHELL_FUNCTIONS, sq, checkTableReport, CHECK_TABLE_FUNCTIONS } from './shell';
import { PROBE_FLOW_FUNCTION, PROBE_TIMEOUT_SECONDS } from './verify';

/** Everything the fleet scripts of one Cluster Mesh (`dist/<mesh>/`) need, as plain data. */
export interface MeshOpsPlan {
  readonly mesh: string;
  /** `dist/<mesh>`. */
  readonly dir: string;
  /** Gitignored folder of the shared CA (`.kind-cilium/<mesh>`). */
  readonly caDir: string;
  /** The members in apply order (by name), each with its own scripts in `manifestsDir`. */
  readonly members: readonly MeshMemberPlan[];
  /** The global-service demo to probe, when the mesh has it. */
  readonly demo?: MeshDemoPlan;
}

/** One member of {@link MeshOpsPlan}. */
export interface MeshMemberPlan {
  readonly clusterName: string;
  readonly context: string;
  /** `dist/<member>`: its preflight/apply/verify/teardown scripts. */
  readonly manifestsDir: string;
  /** URL of the global Service from inside this member. */
  readonly serviceUrl?: string;
}

/** The demo verify.sh probes. */
export interface MeshDemoPlan {
  readonly namespace: string;
  readonly client: string;
  readonly intruder: string;
  readonly container: string;
  /** Requests per member to the global Service (answers must name every member). */
  readonly probes: number;
}

/** Bounds of the fleet waits, in seconds. */
export const MESH_TIMEOUTS = {
  /** Every agent of a member reports every remote cluster ready. */
  clusterMesh: 600,
} as const;

/** The files of `dist/<mesh>/`, in the order a person runs them. */
export function renderMeshScripts(plan: MeshOpsPlan): { readonly name: string; readonly content: string }[] {
  return [
    { name: 'shared-ca.sh', content: renderSharedCaScript(plan) },
    { name: 'apply.sh', content: renderMeshApply(plan) },
    { name: 'verify.sh', content: renderMeshVerify(plan) },
    { name: 'teardown.sh', content: renderMeshTeardown(plan) },
  ];
}

/** `shared-ca.sh`: creates the mesh's CA once (openssl, mode 0600 key) and the helm values file carrying it. */
function renderSharedCaScript(plan: MeshOpsPlan): string {
  const dir = sq(plan.caDir);
  const lines = [
    ...scriptHeader(plan.mesh, [
      'Creates (once) the CA every member of the Cluster Mesh trusts',
      `Writes ${plan.caDir}/ca.crt, ca.key and ca-values.yaml (tls.ca for helm); the folder is gitignored and never part of the bundle.`,
      'Safe to run again: an existing CA is reused, so members installed earlier keep trusting it.',
    ]),
    '',
    'command -v openssl >/dev/null || { echo "ERROR: openssl is needed to create the mesh CA" >&2; exit 1; }',
    `mkdir -p ${dir}`,
    'umask 077',
    `if [ -s ${dir}/ca.key ] && [ -s ${dir}/ca.crt ]; then`,
    `  echo "    mesh CA ${plan.caDir}/ca.crt exists: reusing it"`,
    'else',
    `  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1095 -subj ${sq(`/CN=Cilium Cluster Mesh CA ${plan.mesh}`)} \\`,
    '    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \\',
    `    -keyout ${dir}/ca.key -out ${dir}/ca.crt 2>/dev/null`,
    `  echo "    mesh CA created in ${plan.caDir}"`,
    'fi',
    `{ echo 'tls:'; echo '  ca:'; echo "    cert: $(base64 < ${dir}/ca.crt | tr -d '\\n')"; echo "    key: $(base64 < ${dir}/ca.key | tr -d '\\n')"; } > ${dir}/ca-values.yaml`,
  ];
  return `${lines.join('\n')}\n`;
}

const READY_FN = [
  '# mesh_ready CONTEXT N: every cilium agent of the cluster reports "ClusterMesh: N/N remote clusters ready".',
  'mesh_ready() {',
  '  local ctx="$1" n="$2" pods pod',
  '  pods="$(kubectl --context "$ctx" -n kube-system get pods -l k8s-app=cilium -o name 2>/dev/null)" || return 1',
  '  [ -n "$pods" ] || return 1',
  '  for pod in $pods; do',
  '    kubectl --context "$ctx" -n kube-system exec "$pod" -c cilium-agent -- cilium-dbg status 2>/dev/null \\',
  '      | grep -q "ClusterMesh:[[:space:]]*$n/$n remote clusters ready" || return 1',
  '  done',
  '}',
];

/** `dist/<mesh>/apply.sh`: the shared CA, every member's own apply.sh, then the bounded wait for the mesh. */
function renderMeshApply(plan: MeshOpsPlan): string {
  const remotes = plan.members.length - 1;
  const lines = [
    ...scriptHeader(plan.mesh, [
      'Brings up every cluster of the Cilium Cluster Mesh',
      `Members, in order: ${plan.members.map((m) => m.clusterName).join(', ')}. Each runs its own dist/<member>/apply.sh, whose Cilium`,
      `step installs with the mesh's shared CA (${plan.caDir}, created by shared-ca.sh, gitignored). Then waits until`,
      `every agent of every member reports all ${remotes} remote cluster(s) ready. Safe to run again. Undo with teardown.sh.`,
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    ...READY_FN,
    '',
    'STARTED=$SECONDS',
    `echo "==> mesh ${plan.mesh}: shared CA"`,
    `bash ${sq(`${plan.dir}/shared-ca.sh`)}`,
  ];
  for (const m of plan.members) {
    lines.push(`echo "==> mesh ${plan.mesh}: cluster ${m.clusterName}"`, `bash ${sq(`${m.manifestsDir}/apply.sh`)}`);
  }
  lines.push(`echo "==> mesh ${plan.mesh}: wait for Cluster Mesh on every agent"`);
  for (const m of plan.members) {
    lines.push(`wait_until ${MESH_TIMEOUTS.clusterMesh} ${sq(`ClusterMesh: ${remotes}/${remotes} remote clusters ready on every agent of ${m.clusterName}`)} mesh_ready ${sq(m.context)} ${remotes}`);
  }
  lines.push('', `echo "mesh ${plan.mesh} is up in $((SECONDS - STARTED))s; check it with: bash ${plan.dir}/verify.sh"`);
  return `${lines.join('\n')}\n`;
}

/** `dist/<mesh>/verify.sh`: each member's verify.sh, then the mesh checks, as one table. */
function renderMeshVerify(plan: MeshOpsPlan): string {
  const remotes = plan.members.length - 1;
  const names = plan.members.map((m) => m.clusterName).sort();
  const lines = [
    ...scriptHeader(plan.mesh, [
      'Live verification of the Cilium Cluster Mesh',
      "Runs every member's verify.sh, then checks: Cluster Mesh status on every agent, the global Service answered by",
      'every member from each side, and the cross-cluster policy (mesh clients allowed, the intruder denied).',
      'Prints expected vs observed for every check; exits 1 on any mismatch.',
    ]),
    '',
    ...SHELL_FUNCTIONS,
    '',
    ...READY_FN,
    '',
    ...CHECK_TABLE_FUNCTIONS,
    '',
  ];
  for (const m of plan.members) {
    lines.push(`if bash ${sq(`${m.manifestsDir}/verify.sh`)}; then obs=passed; else obs=failed; fi`, `check ${sq(`${m.manifestsDir}/verify.sh`)} passed "$obs"`);
  }
  lines.push('', '# Cluster Mesh status on every agent.');
  for (const m of plan.members) {
    lines.push(`if mesh_ready ${sq(m.context)} ${remotes}; then obs=${sq(`${remotes}/${remotes} ready`)}; else obs='not all ready'; fi`,
      `check ${sq(`ClusterMesh on every agent of ${m.clusterName}`)} ${sq(`${remotes}/${remotes} ready`)} "$obs"`);
  }
  const demo = plan.demo;
  if (demo) {
    lines.push(
      '',
      `# The global Service from each side: ${demo.probes} requests from the client must be answered by every member.`,
      '# answers CONTEXT DEPLOYMENT URL: the distinct answers (cluster names) of the requests, comma-separated.',
      'answers() {',
      `  kubectl --context "$1" -n ${sq(demo.namespace)} exec "deploy/$2" -c ${sq(demo.container)} -- sh -c \\`,
      `    "for i in \\$(seq 1 ${demo.probes}); do curl -s --max-time ${PROBE_TIMEOUT_SECONDS} \\"$3\\"; echo; done" 2>/dev/null \\`,
      "    | grep -v '^$' | sort -u | paste -sd, - || true",
      '}',
      '# The intruder is denied at L3: curl must have run in its pod and timed out (an exec failure is an ERROR).',
      ...PROBE_FLOW_FUNCTION,
    );
    for (const m of plan.members) {
      if (!m.serviceUrl) continue;
      lines.push(
        `obs="$(answers ${sq(m.context)} ${sq(demo.client)} ${sq(m.serviceUrl)})"`,
        `check ${sq(`global service from ${m.clusterName}/${demo.client}: answered by`)} ${sq(names.join(','))} "\${obs:-none}"`,
        `check ${sq(`global service from ${m.clusterName}/${demo.intruder} (policy deny)`)} timeout "$(probe_flow ${sq(m.context)} ${sq(demo.namespace)} ${sq(demo.intruder)} ${sq(demo.container)} GET ${sq(m.serviceUrl)})"`,
      );
    }
  }
  lines.push(...checkTableReport(`mesh ${plan.mesh}`));
  return `${lines.join('\n')}\n`;
}

/** `dist/<mesh>/teardown.sh`: every member's teardown.sh, then the shared CA folder. */
function renderMeshTeardown(plan: MeshOpsPlan): string {
  const lines = [
    ...scriptHeader(plan.mesh, ['Deletes every cluster of the Cilium Cluster Mesh and its shared CA', 'Safe to run again.']),
    '',
    ...plan.members.map((m) => `bash ${sq(`${m.manifestsDir}/teardown.sh`)}`),
    `rm -rf ${sq(plan.caDir)}`,
    `echo "teardown of mesh ${plan.mesh} done"`,
  ];
  return `${lines.join('\n')}\n`;
}
