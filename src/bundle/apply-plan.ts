import { raw, sh } from './scripts/shell';
import { CRD_CATALOG, crdName } from '../private/crd-catalog';
import { ClusterSpec } from '../spec/cluster-spec';
import { ComponentVersions, gatewayApiCrdUrls, installSources } from '../spec/versions';

/** The Cilium CRDs of the kinds this library emits: the agent creates them, the bundle needs them established. */
const CILIUM_CRDS_TO_WAIT_FOR = CRD_CATALOG.filter((c) => c.source === 'cilium' && c.module).map((c) => `crd/${crdName(c)}`);

/** How long apply.sh waits for the cert-manager API (webhook CA bundle injected, a dry-run create answered), seconds. */
export const CERT_MANAGER_API_TIMEOUT = 300;

/**
 * The shell function apply.sh defines to probe the cert-manager API: `probe_issuer <context>` dry-runs an Issuer on the
 * server (nothing is created); it passes once the webhook answers with its CA bundle injected.
 */
export const PROBE_ISSUER_FUNCTION = 'probe_issuer';

/** One step of bringing a cluster up, in order. */
export interface ApplyStep {
  /** Short id, e.g. `kind`, `gateway-api-crds`. */
  readonly id: string;
  /** What the step does and why it comes here. */
  readonly description: string;
  /**
   * Shell commands, run from the repository root, exactly as apply.sh runs them, waits included (`wait_until`,
   * `nonempty` and `probe_issuer` are apply.sh's shell functions); every value in them is quoted (`sh` in ./scripts/shell.ts).
   */
  readonly commands: readonly string[];
}

/** What a cluster's bundle needs installed before its manifests. */
export interface ApplyPlanInput {
  readonly spec: ClusterSpec;
  readonly versions: ComponentVersions;
  /** A Gateway is defined: Gateway API CRDs must exist before Cilium starts. */
  readonly needsGatewayApi: boolean;
  /** cert-manager objects are in the bundle: cert-manager must run before it is applied. */
  readonly needsCertManager: boolean;
  /** Output paths relative to the repository root. */
  readonly kindConfigPath: string;
  readonly ciliumValuesPath: string;
  /**
   * The kustomization folder, applied last; `undefined` when the cluster has no Kubernetes objects
   * (then there is no `bundle` step: `kubectl apply -k` fails on an empty build).
   */
  readonly manifestsDir: string | undefined;
  /**
   * The cluster is a Cluster Mesh member: its Cilium step first runs the mesh's `shared-ca.sh` (creates the mesh CA
   * in the gitignored folder once) and passes the CA values file to helm after the generated values.
   */
  readonly meshCa?: { readonly script: string; readonly valuesFile: string };
}

/** kind's node container names: `<name>-control-plane`, `<name>-control-plane2`, `<name>-worker`, `<name>-worker2`, ... */
export function kindNodeNames(spec: ClusterSpec): { controlPlanes: string[]; workers: string[] } {
  const numbered = (base: string, n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? base : `${base}${i + 1}`));
  return {
    controlPlanes: numbered(`${spec.clusterName}-control-plane`, spec.controlPlaneNodes),
    workers: numbered(`${spec.clusterName}-worker`, spec.workers),
  };
}

/**
 * The apply order, as data: kind -> Gateway API CRDs -> Cilium -> cert-manager -> bundle (only when
 * there are manifests). `bundle.json` lists it; `apply.sh` runs it between preflight and the readiness
 * waits (see ./ops-plan.ts).
 */
export function applyPlan(input: ApplyPlanInput): ApplyStep[] {
  const { spec, versions } = input;
  const src = installSources(versions);
  const ctx = `kind-${spec.clusterName}`;
  const nodes = kindNodeNames(spec);
  const labels = Object.entries(spec.nodeRoleLabels).map(([k, v]) => `${k}=${v}`);
  const steps: ApplyStep[] = [{
    id: 'kind',
    description: `Create the kind cluster (needs kind ${versions.kindRelease} or later for its node image; no default CNI; kube-proxy off when Cilium replaces it; marked as created by this bundle) and label worker nodes (the kubelet may not self-assign node-role labels)`
      + `${spec.localRegistry ? `, then create or reuse the local registry ${spec.localRegistry.name} on 127.0.0.1:${spec.localRegistry.hostPort} and point every node's containerd at it` : ''}.`,
    commands: [
      sh`kind create cluster --config ${input.kindConfigPath}`,
      ...nodes.workers.map((n) => sh`kubectl --context ${ctx} label node ${n} ${labels} --overwrite`),
    ],
  }];
  if (input.needsGatewayApi) {
    steps.push({
      id: 'gateway-api-crds',
      description: `Install Gateway API ${versions.gatewayApi} CRDs (the pair of Cilium ${versions.cilium}) before Cilium, so its Gateway API controller starts.`,
      commands: gatewayApiCrdUrls(versions).map((url) => sh`kubectl --context ${ctx} apply --server-side -f ${url}`),
    });
  }
  const meshValues = input.meshCa ? sh` --values ${input.meshCa.valuesFile}` : '';
  steps.push({
    id: 'cilium',
    description: `Install Cilium ${versions.cilium} with the generated values${input.meshCa ? ' and the mesh\'s shared CA (generated at apply time, never in the bundle)' : ''}, then wait (bounded) for the agent DaemonSet and the operator Deployment to roll out and for its CRDs (pools, L2 and network policies) to be established. No helm --wait: it also waits for every LoadBalancer Service of the chart (e.g. clustermesh-apiserver) to get an address, which only the pools applied in a later step give.`,
    commands: [
      ...(input.meshCa ? [sh`bash ${input.meshCa.script}`] : []),
      sh`helm repo add cilium ${src.ciliumHelmRepo} --force-update`,
      // No --wait (see the description); --timeout still bounds helm's own operations (hook Jobs such as certgen).
      sh`helm upgrade --install cilium ${src.ciliumChart} --kube-context ${ctx} --version ${versions.cilium} --namespace kube-system --values ${input.ciliumValuesPath}${raw(meshValues)} --timeout 10m`,
      sh`kubectl --context ${ctx} -n kube-system rollout status daemonset/cilium --timeout=10m`,
      sh`kubectl --context ${ctx} -n kube-system rollout status deployment/cilium-operator --timeout=10m`,
      sh`kubectl --context ${ctx} wait --for condition=established --timeout=5m ${CILIUM_CRDS_TO_WAIT_FOR}`,
    ],
  });
  if (input.needsCertManager) {
    steps.push({
      id: 'cert-manager',
      description: `Install cert-manager ${versions.certManager} and wait until its API answers (webhook rolled out, CA bundle injected, a server-side dry-run create of an Issuer passes): the bundle's Issuers and ClusterIssuers are refused until then.`,
      commands: [
        sh`kubectl --context ${ctx} apply -f ${src.certManagerManifest}`,
        sh`kubectl --context ${ctx} -n cert-manager rollout status deployment/cert-manager-webhook --timeout=5m`,
        // The webhook Deployment being rolled out is not enough: its CA bundle must be injected (cainjector), or
        // Certificates and Issuers fail with an x509 error.
        sh`wait_until ${CERT_MANAGER_API_TIMEOUT} 'the CA bundle injected into ValidatingWebhookConfiguration cert-manager-webhook' nonempty kubectl --context ${ctx} get validatingwebhookconfiguration cert-manager-webhook -o 'jsonpath={.webhooks[0].clientConfig.caBundle}'`,
        sh`wait_until ${CERT_MANAGER_API_TIMEOUT} 'the cert-manager API (a server-side dry-run create of an Issuer)' ${raw(PROBE_ISSUER_FUNCTION)} ${ctx}`,
      ],
    });
  }
  if (input.manifestsDir !== undefined) {
    steps.push({
      id: 'bundle',
      description: 'Apply the synthesized manifests (pools, L2 policy, network policies, gateway, workloads).',
      commands: [sh`kubectl --context ${ctx} apply -k ${input.manifestsDir}`],
    });
  }
  return steps;
}
