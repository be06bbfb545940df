import { renderMeshApply, renderMeshPreflight } from './mesh-apply';
import { MeshOpsPlan, READY_FN } from './mesh-plan';
import { checkTableReport, CHECK_TABLE_FUNCTIONS, dqs, PRIVATE_DIR_FUNCTION, scriptHeader, SHELL_FUNCTIONS, sh } from './shell';
import { PROBE_FLOW_FUNCTION, PROBE_TIMEOUT_SECONDS } from './verify';

export type { MeshDemoPlan, MeshMemberPlan, MeshOpsPlan } from './mesh-plan';
export { MESH_TIMEOUTS } from './mesh-plan';

/** The files of `dist/<mesh>/`, in the order a person runs them. */
export function renderMeshScripts(plan: MeshOpsPlan): { readonly name: string; readonly content: string }[] {
  return [
    { name: 'shared-ca.sh', content: renderSharedCaScript(plan) },
    { name: 'preflight.sh', content: renderMeshPreflight(plan) },
    { name: 'apply.sh', content: renderMeshApply(plan) },
    { name: 'verify.sh', content: renderMeshVerify(plan) },
    { name: 'teardown.sh', content: renderMeshTeardown(plan) },
  ];
}

/** Seconds shared-ca.sh waits for another run of it (the lock) before it gives up. */
export const SHARED_CA_LOCK_SECONDS = 120;

/**
 * `shared-ca.sh`: creates the mesh's CA once (openssl) and the helm values file carrying it, in a private folder
 * (mode 0700, its own `.gitignore` of `*`). The key and the values file are forced to mode 0600 on every run, also when
 * they exist with another mode (a checkout, a copy). One run at a time (a lock folder), and every file is written to
 * a temporary name and renamed into place, so members installing in parallel never read a half-written file.
 */
function renderSharedCaScript(plan: MeshOpsPlan): string {
  const dir = plan.caDir;
  const lock = `${dir}/.lock`;
  const lines = [
    ...scriptHeader(plan.mesh, [
      'Creates (once) the CA every member of the Cluster Mesh trusts',
      `Writes ${plan.caDir}/ca.crt, ca.key and ca-values.yaml (tls.ca for helm); the folder has its own .gitignore of "*" and is never part of the bundle.`,
      'Safe to run again, also in parallel: an existing CA is reused, so members installed earlier keep trusting it; keys are kept at mode 0600.',
    ]),
    '',
    ...PRIVATE_DIR_FUNCTION,
    '',
    'command -v openssl >/dev/null || { echo "ERROR: openssl is needed to create the mesh CA" >&2; exit 1; }',
    'umask 077',
    sh`private_dir ${dir}`,
    `deadline=$((SECONDS + ${SHARED_CA_LOCK_SECONDS}))`,
    sh`until mkdir ${lock} 2>/dev/null; do`,
    '  if [ "$SECONDS" -ge "$deadline" ]; then',
    dqs`    echo "ERROR: ${lock} is held for ${SHARED_CA_LOCK_SECONDS}s: another shared-ca.sh runs, or one was killed (then remove ${lock})" >&2`,
    '    exit 1',
    '  fi',
    '  sleep 1',
    'done',
    sh`trap ${`rmdir ${sqInner(lock)}`} EXIT`,
    sh`if [ -s ${`${dir}/ca.key`} ] && [ -s ${`${dir}/ca.crt`} ]; then`,
    dqs`  echo "    mesh CA ${plan.caDir}/ca.crt exists: reusing it"`,
    'else',
    // The subject is cosmetic: the mesh name with every character openssl's -subj parser reads specially replaced,
    // within the 64 characters a CN may hold (RFC 5280 ub-common-name).
    sh`  if ! openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1095 -subj ${`/CN=${`Cilium Cluster Mesh CA ${plan.mesh}`.replace(/[^A-Za-z0-9 ._-]/g, '-').slice(0, 64)}`} \\`,
    '    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \\',
    sh`    -keyout ${`${dir}/ca.key.tmp`} -out ${`${dir}/ca.crt.tmp`} 2>${`${dir}/openssl.log`}; then`,
    sh`    cat ${`${dir}/openssl.log`} >&2`,
    '    echo "ERROR: openssl could not create the mesh CA (its messages are above)" >&2',
    '    exit 1',
    '  fi',
    sh`  rm -f ${`${dir}/openssl.log`}`,
    sh`  mv -f ${`${dir}/ca.key.tmp`} ${`${dir}/ca.key`}`,
    sh`  mv -f ${`${dir}/ca.crt.tmp`} ${`${dir}/ca.crt`}`,
    dqs`  echo "    mesh CA created in ${plan.caDir}"`,
    'fi',
    sh`chmod 600 ${`${dir}/ca.key`}`,
    sh`{ echo 'tls:'; echo '  ca:'; echo "    cert: $(base64 < ${`${dir}/ca.crt`} | tr -d '\\n')"; echo "    key: $(base64 < ${`${dir}/ca.key`} | tr -d '\\n')"; } > ${`${dir}/ca-values.yaml.tmp`}`,
    sh`chmod 600 ${`${dir}/ca-values.yaml.tmp`}`,
    sh`mv -f ${`${dir}/ca-values.yaml.tmp`} ${`${dir}/ca-values.yaml`}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `s` quoted for a single-quoted word that is itself inside another single-quoted word (a trap command). */
function sqInner(s: string): string {
  return `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
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
    lines.push(sh`if bash ${`${m.manifestsDir}/verify.sh`}; then obs=passed; else obs=failed; fi`, sh`check ${`${m.manifestsDir}/verify.sh`} passed "$obs"`);
  }
  lines.push('', '# Cluster Mesh status on every agent.');
  for (const m of plan.members) {
    lines.push(sh`if mesh_ready ${m.context} ${remotes}; then obs=${`${remotes}/${remotes} ready`}; else obs='not all ready'; fi`,
      sh`check ${`ClusterMesh on every agent of ${m.clusterName}`} ${`${remotes}/${remotes} ready`} "$obs"`);
  }
  const demo = plan.demo;
  if (demo) {
    lines.push(
      '',
      `# The global Service from each side: ${demo.probes} requests from the client must be answered by every member.`,
      '# answers CONTEXT DEPLOYMENT URL: the distinct answers (cluster names) of the requests, comma-separated.',
      'answers() {',
      sh`  kubectl --context "$1" -n ${demo.namespace} exec "deploy/$2" -c ${demo.container} -- sh -c \\`,
      `    "for i in \\$(seq 1 ${demo.probes}); do curl -s -g --max-time ${PROBE_TIMEOUT_SECONDS} \\"$3\\"; echo; done" 2>/dev/null \\`,
      "    | grep -v '^$' | sort -u | paste -sd, - || true",
      '}',
      '# The intruder is denied at L3: curl must have run in its pod and timed out (an exec failure is an ERROR).',
      ...PROBE_FLOW_FUNCTION,
    );
    for (const m of plan.members) {
      if (!m.serviceUrl) continue;
      lines.push(
        sh`obs="$(answers ${m.context} ${demo.client} ${m.serviceUrl})"`,
        sh`check ${`global service from ${m.clusterName}/${demo.client}: answered by`} ${names.join(',')} "\${obs:-none}"`,
        sh`check ${`global service from ${m.clusterName}/${demo.intruder} (policy deny)`} timeout "$(probe_flow ${m.context} ${demo.namespace} ${demo.intruder} ${demo.container} GET ${m.serviceUrl})"`,
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
    ...plan.members.map((m) => sh`bash ${`${m.manifestsDir}/teardown.sh`}`),
    sh`rm -rf ${plan.caDir}`,
    dqs`echo "teardown of mesh ${plan.mesh} done"`,
  ];
  return `${lines.join('\n')}\n`;
}
