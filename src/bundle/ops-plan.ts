import { IConstruct } from 'constructs';
import { ApplyStep, kindNodeNames } from './apply-plan';
import { LocalCertificateAuthority } from '../cert-manager/local-ca';
import { LocalGateway } from '../gateway/local-gateway';
import { PlatformModel } from '../model/platform-model';
import { LiveProbe, Outcome } from '../outcomes/outcome';
import { formatIpv4 } from '../private/ipv4';
import { toYaml } from '../private/yaml';
import { CLUSTER_MARK } from '../render/kind-config';
import { hostSockets } from '../rules/common';
import { CONTAINERD_CERTS_DIR, localRegistryHostingConfigMap, registryHostsToml } from '../spec/local-registry';
import { requiresCgroupV2 } from '../spec/version-matrix';
import { BUNDLE_NAME, ComponentVersions } from '../spec/versions';
import { NginxDemo } from '../workloads/nginx-demo';
import { DEATHSTAR_LANDING_REQUEST, StarWarsDemo } from '../workloads/star-wars-demo';

/**
 * Everything the generated scripts (`preflight.sh`, `apply.sh`, `verify.sh`, `teardown.sh`) of one cluster
 * need, as plain data. The scripts are rendered from this alone (src/bundle/scripts), so a fleet can reuse
 * the per-cluster steps by building one plan per cluster.
 */
export interface ClusterOpsPlan {
  readonly clusterName: string;
  /** kubectl context kind creates: `kind-<clusterName>`. */
  readonly context: string;
  /** Paths relative to the repository root. */
  readonly kindConfigPath: string;
  readonly ciliumValuesPath: string;
  readonly manifestsDir: string;
  /** Where apply.sh/verify.sh export the local CA certificate (deleted by teardown.sh). */
  readonly caFile?: string;
  /** kind node container names, control planes first. */
  readonly nodes: readonly string[];
  /**
   * How the bundle marks the cluster it creates: labels of the first control-plane node, set by the kind config
   * (see `CLUSTER_MARK` in src/render/kind-config.ts). The scripts adopt, reuse or delete only a cluster that carries them.
   */
  readonly mark: ClusterMark;
  /** IPv4 subnet of the docker network `kind` the bundle was synthesized for (`dockerNetworkSubnet`). */
  readonly dockerNetworkSubnet: string;
  /**
   * Every host socket the kind config binds: each `extraPortMappings` entry and the API server port
   * (`networking.apiServerPort`, on kind's `apiServerAddress` 127.0.0.1). Port 0 (docker picks one) is never probed.
   */
  readonly hostPorts: readonly HostPortCheck[];
  /** The local registry apply.sh creates or reuses (kind's recipe); undefined when the cluster has none. */
  readonly localRegistry?: LocalRegistryPlan;
  /**
   * The node image's Kubernetes drops cgroup v1 (1.35+, kind v0.31 release notes): the docker host must run cgroup v2.
   * `undefined` when the image's Kubernetes version is unknown (a custom image whose tag names none).
   */
  readonly cgroupV2Only: boolean | undefined;
  /** Minimum versions of the host tools. */
  readonly minToolVersions: Readonly<Record<'kind' | 'kubectl' | 'helm', string>>;
  /** The pinned component versions, named in the script headers. */
  readonly versions: ComponentVersions;
  /** The install steps after preflight, in order (also listed in bundle.json as `applyOrder`). */
  readonly steps: readonly ApplyStep[];
  /** What apply.sh waits for after the bundle is applied, and verify.sh checks. */
  readonly waits: BundleWaits;
  /**
   * The live reachability rows of verify.sh: every TCP port of every LoadBalancer Service, probed at the Service's
   * address from a container on the kind network (see {@link LoadBalancerProbe}). Built from the rendered Services and
   * the chart's Services the model knows of; a later apply model may supply them instead.
   */
  readonly loadBalancerProbes: readonly LoadBalancerProbe[];
  /** LoadBalancer IP pools (inclusive ranges, dotted quads) the Service addresses must come from. */
  readonly poolRanges: readonly { readonly pool: string; readonly first: string; readonly last: string }[];
  /** cert-manager is installed: wait for its webhook CA bundle before applying Certificates. */
  readonly certManager: boolean;
  /** The local CA to export, when the bundle has one. */
  readonly localCa?: { readonly namespace: string; readonly secretName: string };
  /** Published gateway entry points to call from the host. */
  readonly entryPoints: readonly EntryPointCheck[];
  /** Allowed and denied flows, probed live from inside the cluster. */
  readonly flows: readonly FlowProbe[];
  /** Hubble relay is enabled: verify its Service has ready endpoints. */
  readonly hubbleRelay: boolean;
  /**
   * The cluster's intended outcomes that verify.sh checks live (issue 18): every outcome of `clusterOutcomes` with a
   * probe, in the order the outcome families give them. The rows of verify.sh they replace (a LoadBalancer Service's
   * own rows, a demo flow of the same client pods, method, Service, port and path) are left out.
   */
  readonly outcomes: readonly ProbedOutcome[];
}

/** An outcome that `verify.sh` checks live: its violation id, its statement and its probe. */
export interface ProbedOutcome {
  /** The outcome's rule id (written into its row, so a failed row can be traced to docs/rules.md). */
  readonly id: string;
  /** The outcome in plain words, printed in its row. */
  readonly statement: string;
  readonly probe: LiveProbe;
}

/** A published host port. */
export interface HostPortCheck {
  readonly address: string;
  readonly port: number;
  readonly protocol: string;
  /** What binds it, e.g. `hostPortMappings[0]` or `apiServerPort`. */
  readonly source: string;
}

/** The mark of a cluster the bundle created: labels on one node, read back by the scripts. */
export interface ClusterMark {
  /** The node that carries the labels (the first control-plane node). */
  readonly node: string;
  /** Label key and value naming the bundle. */
  readonly bundleLabel: string;
  readonly bundle: string;
  /** Label key and value of the kind config hash. */
  readonly configHashLabel: string;
  readonly configHash: string;
}

/**
 * One port of a LoadBalancer Service that verify.sh reaches at the Service's address, from inside the kind network but
 * outside every cluster node: a throwaway container of the node image (which has curl) on the docker network `kind`.
 * Not from a node itself: with kube-proxy replacement, Cilium's socket LB translates a node's own connections to the
 * backend before any packet leaves, so a probe from a node would pass without the L2 announcement answering ARP.
 */
export interface LoadBalancerProbe {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** Objects apply.sh waits for (bounded) and verify.sh checks. */
export interface BundleWaits {
  readonly loadBalancerServices: readonly NamespacedName[];
  readonly certificates: readonly NamespacedName[];
  readonly gateways: readonly NamespacedName[];
  readonly deployments: readonly NamespacedName[];
}

/** A namespaced object reference. */
export interface NamespacedName {
  readonly namespace: string;
  readonly name: string;
}

/** One request to a gateway entry point published on the host. */
export interface EntryPointCheck {
  readonly scheme: 'http' | 'https';
  /** Host address and port the request goes to (the kind port mapping). */
  readonly address: string;
  readonly port: number;
  /** Host header / SNI (a route hostname). */
  readonly hostname: string;
  readonly path: string;
  /** Expected HTTP status. */
  readonly expectStatus: number;
}

/** One flow the policies allow or deny, checked by running curl in a client pod. */
export interface FlowProbe {
  /** Short description, e.g. `tiefighter -> deathstar POST /v1/request-landing`. */
  readonly name: string;
  /**
   * The client: a Deployment whose container has curl, with the labels of its pods (`spec.template.metadata.labels`
   * of the rendered Deployment; `{}` when the bundle holds none).
   */
  readonly from: NamespacedName & { readonly container: string; readonly labels?: Readonly<Record<string, string>> };
  /** URL the client requests. */
  readonly url: string;
  readonly method: string;
  /**
   * The outcome the policies must produce, observed only when `kubectl exec` ran curl in the client pod (an exec
   * that failed is an error, never a deny):
   * - `{ status }`: curl got this HTTP status: an allowed flow (200), or an L7 deny, answered by Cilium's Envoy
   *   with 403 "Access denied" (https://docs.cilium.io/en/stable/security/http/);
   * - `'timeout'`: an L3/L4 deny: Cilium drops the packets, so curl times out (exit 28, `--max-time`).
   */
  readonly expect: { readonly status: number } | 'timeout';
}

/** How verify.sh writes the expected outcome of a flow (the observed outcome is written the same way). */
export function flowOutcome(expect: FlowProbe['expect']): string {
  return expect === 'timeout' ? 'timeout' : `HTTP ${expect.status}`;
}

/** Minimum host tool versions (kind: overridden by the node image's kind release); kubectl within one minor of the API server; Helm 3.8+ (OCI, `--kube-context`). */
export const MIN_TOOL_VERSIONS = { kind: '0.29.0', kubectl: '1.32.0', helm: '3.8.0' } as const;

/** Inputs of {@link clusterOpsPlan}. */
export interface ClusterOpsPlanInput {
  readonly cluster: IConstruct;
  readonly model: PlatformModel;
  readonly objects: readonly Record<string, any>[];
  readonly steps: readonly ApplyStep[];
  readonly versions: ComponentVersions;
  readonly kindConfigPath: string;
  readonly ciliumValuesPath: string;
  readonly manifestsDir: string;
  /** The cluster's intended outcomes (`clusterOutcomes`); those with a probe become rows of verify.sh. @default none */
  readonly outcomes?: readonly Outcome[];
}

function ref(o: Record<string, any>): NamespacedName {
  return { namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name };
}

/** What the scripts need to create, reuse, check and remove the local registry (see `LocalRegistryOptions`). */
export interface LocalRegistryPlan {
  /** Container name, also its DNS name on the `kind` network. */
  readonly name: string;
  readonly image: string;
  readonly hostPort: number;
  readonly containerPort: number;
  /** What `docker port <name> <containerPort>/tcp` prints for a registry published as the plan asks. */
  readonly published: string;
  /** The folder of the registry's `hosts.toml` in each node (`/etc/containerd/certs.d/localhost:<port>`). */
  readonly hostsDir: string;
  readonly hostsToml: string;
  /** The `local-registry-hosting` ConfigMap, as YAML. */
  readonly configMapYaml: string;
  /** The file apply.sh writes when it created the container (teardown.sh removes only then). */
  readonly createdMarker: string;
}

/** Builds the scripts' data for one cluster from its model, its rendered objects and its constructs. */
export function clusterOpsPlan(input: ClusterOpsPlanInput): ClusterOpsPlan {
  const { model, objects } = input;
  const spec = model.spec;
  const nodes = kindNodeNames(spec);
  const of = (kind: string, group: string) => objects.filter((o) => o.kind === kind && String(o.apiVersion).split('/')[0] === group);
  const constructs = input.cluster.node.findAll();
  const cas = constructs.filter((c): c is LocalCertificateAuthority => c instanceof LocalCertificateAuthority);
  const gateways = constructs.filter((c): c is LocalGateway => c instanceof LocalGateway);
  const routes = of('HTTPRoute', 'gateway.networking.k8s.io');

  const entryPoints: EntryPointCheck[] = [];
  for (const gw of gateways) {
    const attached = (r: Record<string, any>) => (r.spec?.parentRefs ?? [])
      .some((p: any) => p.name === gw.gatewayName && (p.namespace ?? r.metadata.namespace) === gw.namespace);
    const forwards = (r: Record<string, any>) => (r.spec?.rules ?? []).some((rule: any) => (rule.backendRefs ?? []).length > 0);
    const route = routes.find((r) => attached(r) && forwards(r));
    if (!route) continue;
    const hostname = (route.spec.hostnames ?? []).find((h: string) => !h.startsWith('*')) ?? (gw.apexHostname ?? gw.hostname.replace(/^\*\./, ''));
    const path = route.spec.rules?.[0]?.matches?.[0]?.path?.value ?? '/';
    entryPoints.push({ scheme: 'http', address: '127.0.0.1', port: gw.hostHttpPort, hostname, path, expectStatus: gw.redirectsHttpToHttps ? 301 : 200 });
    entryPoints.push({ scheme: 'https', address: '127.0.0.1', port: gw.hostHttpsPort, hostname, path, expectStatus: 200 });
  }

  const podLabels = (namespace: string, name: string): Record<string, string> => ({
    ...of('Deployment', 'apps').find((d) => ref(d).namespace === namespace && d.metadata?.name === name)?.spec?.template?.metadata?.labels,
  });
  const flows: FlowProbe[] = [];
  const domain = spec.dnsDomain;
  for (const demo of constructs.filter((c): c is StarWarsDemo => c instanceof StarWarsDemo)) {
    const ns = demo.namespace;
    const deathstar = `http://deathstar.${ns}.svc.${domain}:${StarWarsDemo.DEATHSTAR_PORT}`;
    const ship = (name: string) => ({ namespace: ns, name, container: 'spaceship', labels: podLabels(ns, name) });
    flows.push(
      { name: `tiefighter -> deathstar ${DEATHSTAR_LANDING_REQUEST.method} ${DEATHSTAR_LANDING_REQUEST.path}`, from: ship('tiefighter'), url: `${deathstar}${DEATHSTAR_LANDING_REQUEST.path}`, method: DEATHSTAR_LANDING_REQUEST.method, expect: { status: 200 } },
      // Denied by the L7 rule: Cilium's Envoy answers 403 "Access denied".
      { name: 'tiefighter -> deathstar PUT /v1/exhaust-port (L7 deny)', from: ship('tiefighter'), url: `${deathstar}/v1/exhaust-port`, method: 'PUT', expect: { status: 403 } },
      { name: `xwing -> deathstar ${DEATHSTAR_LANDING_REQUEST.method} ${DEATHSTAR_LANDING_REQUEST.path} (L3 deny)`, from: ship('xwing'), url: `${deathstar}${DEATHSTAR_LANDING_REQUEST.path}`, method: DEATHSTAR_LANDING_REQUEST.method, expect: 'timeout' },
    );
    // The ships may only talk to the deathstar: any other workload in the cluster is denied.
    for (const nginx of constructs.filter((c): c is NginxDemo => c instanceof NginxDemo)) {
      flows.push({ name: `tiefighter -> ${nginx.serviceName} (egress deny)`, from: ship('tiefighter'), url: `http://${nginx.serviceName}.${nginx.namespace}.svc.${domain}:${nginx.servicePort}/`, method: 'GET', expect: 'timeout' });
    }
  }

  const ca = cas[0];
  return {
    clusterName: spec.clusterName,
    context: `kind-${spec.clusterName}`,
    kindConfigPath: input.kindConfigPath,
    ciliumValuesPath: input.ciliumValuesPath,
    manifestsDir: input.manifestsDir,
    caFile: ca ? `.kind-cilium/${spec.clusterName}/local-ca.crt` : undefined,
    nodes: [...nodes.controlPlanes, ...nodes.workers],
    mark: clusterMark(model, nodes.controlPlanes[0]),
    dockerNetworkSubnet: spec.dockerNetworkSubnet.cidr,
    ...(spec.localRegistry ? {
      localRegistry: {
        name: spec.localRegistry.name,
        image: spec.localRegistry.image,
        hostPort: spec.localRegistry.hostPort,
        containerPort: spec.localRegistry.containerPort,
        published: `127.0.0.1:${spec.localRegistry.hostPort}`,
        hostsDir: `${CONTAINERD_CERTS_DIR}/localhost:${spec.localRegistry.hostPort}`,
        hostsToml: registryHostsToml(spec.localRegistry),
        configMapYaml: toYaml(localRegistryHostingConfigMap(spec.localRegistry)),
        createdMarker: `.kind-cilium/${spec.clusterName}/registry-created`,
      },
    } : {}),
    // The registry's port is probed by its own check: a running registry of that name holds it legitimately.
    hostPorts: hostSockets(model).filter((s) => s.port !== 0 && s.sharedBy === undefined)
      .map((s) => ({ address: s.address, port: s.port, protocol: s.protocol, source: s.field.slice(model.field.length + 1) })),
    cgroupV2Only: spec.kubernetesVersion === undefined ? undefined : requiresCgroupV2(spec.kubernetesVersion),
    // The node image's kind release is the oldest kind that runs it (images are built per kind release).
    minToolVersions: { ...MIN_TOOL_VERSIONS, kind: input.versions.kindRelease.replace(/^v/, '') },
    versions: input.versions,
    steps: input.steps,
    waits: {
      loadBalancerServices: model.loadBalancerServices.map((s) => ({ namespace: s.namespace, name: s.name })),
      certificates: of('Certificate', 'cert-manager.io').map(ref),
      gateways: of('Gateway', 'gateway.networking.k8s.io').map(ref),
      deployments: of('Deployment', 'apps').map(ref),
    },
    loadBalancerProbes: loadBalancerProbes(model, objects),
    poolRanges: model.pools.filter((p) => !p.disabled)
      .flatMap((p) => p.blocks.map((b) => ({ pool: p.name, first: formatIpv4(b.range.first), last: formatIpv4(b.range.last) }))),
    certManager: objects.some((o) => String(o.apiVersion).startsWith('cert-manager.io/')),
    localCa: ca ? { namespace: ca.namespace, secretName: ca.caSecretName } : undefined,
    entryPoints,
    flows,
    hubbleRelay: spec.hubble.enabled && spec.hubble.relay,
    outcomes: (input.outcomes ?? []).flatMap((o) => (o.probe ? [{ id: o.id, statement: o.statement, probe: o.probe }] : [])),
  };
}

function clusterMark(model: PlatformModel, node: string): ClusterMark {
  const labels = model.kindConfig.nodes[0].labels ?? {};
  return {
    node,
    bundleLabel: CLUSTER_MARK.bundle,
    bundle: labels[CLUSTER_MARK.bundle] ?? BUNDLE_NAME,
    configHashLabel: CLUSTER_MARK.configHash,
    configHash: labels[CLUSTER_MARK.configHash] ?? '',
  };
}

/**
 * Every TCP port of every LoadBalancer Service of the model: ports from the rendered Service, or, for a Service the
 * Cilium chart creates (the model names it without an object), the ports its fact gives.
 */
function loadBalancerProbes(model: PlatformModel, objects: readonly Record<string, any>[]): LoadBalancerProbe[] {
  const rendered = new Map(objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
    .map((o) => [`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`, o]));
  return model.loadBalancerServices.flatMap((s) => {
    const object = rendered.get(`${s.namespace}/${s.name}`);
    const ports: { port: number; protocol?: string }[] = object ? (object.spec?.ports ?? []) : (s.ports ?? []);
    return ports.filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => ({ namespace: s.namespace, name: s.name, port: p.port }));
  });
}
