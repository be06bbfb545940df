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
  /** Number of kind nodes (control planes and workers): the fleet preflight adds up inotify and memory needs. */
  readonly nodes: number;
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

/** `mesh_ready CONTEXT N`: every cilium agent of the cluster reports "ClusterMesh: N/N remote clusters ready". */
export const READY_FN = [
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

