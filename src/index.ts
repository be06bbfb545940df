// The public API of cdk8s-kind-cilium. Everything else (src/private, rules internals, renderers) is internal.

// ---- Errors ----
export { PlatformConfigError } from './errors';
export type { Violation } from './errors';

// ---- The cluster description and the cluster ----
export type { ClusterSpecProps, ClusterSpec, RoutingMode, HostPortMapping, HubbleOptions, ResolvedHubbleOptions, HubbleMetric, HubbleMetricName, HubbleFlowExportOptions, CiliumClusterOptions, ImagePullPolicy, L2AnnouncementOptions, MasqueradeOptions, LoadBalancerOptions, VersionOptions } from './spec/cluster-spec';
export { HUBBLE_METRIC_NAMES } from './spec/cluster-spec';
export type { KindConfigOptions, KindNodeOptions, KindExtraMount, KubeadmConfigPatch, ResolvedKindConfig, ResolvedKindNode, ResolvedKindMount } from './spec/kind-node-settings';
export type { LocalRegistryOptions, ResolvedLocalRegistry } from './spec/local-registry';
export { DEFAULT_REGISTRY_IMAGE } from './spec/local-registry';
export { BUNDLE_NAME, BUNDLE_VERSION } from './spec/versions';
export type { GitOpsOptions, GitOpsEngine, GitOpsSpec } from './spec/gitops';
export type { ComponentVersions } from './spec/versions';
export { CILIUM_MINOR_FACTS, KIND_RELEASES, GATEWAY_API_RELEASES, CERT_MANAGER_LINES, DEFAULT_CILIUM_VERSION, DEFAULT_CERT_MANAGER_VERSION, resolveComponentVersions } from './spec/version-matrix';
export type { CiliumMinor, CiliumMinorFacts, KindRelease, KindNodeImage, GatewayApiRelease, CertManagerLine, ComponentVersionInput, ResolvedComponentVersions, ComponentVersionResolution, VersionViolation } from './spec/version-matrix';
export type { KindClusterConfig, KindNode, KindNetworking, KindPortMapping } from './render/kind-config';
export type { CiliumHelmValues } from './render/cilium-values';
export type { PlatformModel, PlatformFacts, PoolFact, PoolBlockFact, L2PolicyFact, GatewayFact, LoadBalancerServiceFact, DefaultDenyFact, NamespaceFact, NamespaceUseFact, ExpectationFact, ExpectedPodsFact } from './model/platform-model';
export { KindCiliumCluster } from './cluster/kind-cilium-cluster';
export type { KindCiliumClusterProps } from './cluster/kind-cilium-cluster';
export { ExpectFlow, ExpectUrl } from './cluster/platform-expectation';
export type { ExpectFlowProps, ExpectUrlProps, ExpectedPods, ExpectedHttpRequest, ExpectedBackend } from './cluster/platform-expectation';

// ---- Cilium constructs ----
export type { CiliumLabelSelector, CiliumSelectorRequirement, SelectorOperator } from './cilium/label-selector';
export { LoadBalancerIpPool } from './cilium/lb-ipam/load-balancer-ip-pool';
export type { LoadBalancerIpPoolProps, PoolBlock, PoolCidrBlock, PoolRangeBlock } from './cilium/lb-ipam/load-balancer-ip-pool';
export { L2AnnouncementPolicy } from './cilium/l2/l2-announcement-policy';
export type { L2AnnouncementPolicyProps } from './cilium/l2/l2-announcement-policy';
export type { CiliumEntity, PolicyProtocol, PolicyPort, HttpRequestRule, PodPeer, EgressPodPeer, EgressEntityPeer, EgressFqdnPeer } from './cilium/policy/peers';
export { AppNetworkPolicy } from './cilium/policy/app-network-policy';
export type { AppNetworkPolicyProps } from './cilium/policy/app-network-policy';
export { ClusterDefaultDeny } from './cilium/policy/cluster-default-deny';
export type { ClusterDefaultDenyProps } from './cilium/policy/cluster-default-deny';

// ---- cert-manager and Gateway API constructs ----
export { LocalCertificateAuthority } from './cert-manager/local-ca';
export type { LocalCertificateAuthorityProps, ICertificateIssuer, CertManagerIssuerRef } from './cert-manager/local-ca';
export { GatewayHttpRoute } from './gateway/http-route';
export type { GatewayHttpRouteProps, GatewayHttpRouteOptions, HttpRouteBackend, IHttpRouteParent } from './gateway/http-route';
export { LocalGateway } from './gateway/local-gateway';
export type { LocalGatewayProps } from './gateway/local-gateway';

// ---- Test workloads ----
export { TestWorkload, BUILT_IN_NAMESPACES, LB_IPAM_IPS_ANNOTATION, HARDENING_OPT_OUT_ANNOTATION } from './workloads/test-workload';
export type { TestWorkloadProps, TestWorkloadPort, TestWorkloadProbe, TestWorkloadServiceType, RunAsRootOptions, ContainerSizing } from './workloads/test-workload';
export { NginxDemo } from './workloads/nginx-demo';
export type { NginxDemoProps } from './workloads/nginx-demo';
export { StarWarsDemo } from './workloads/star-wars-demo';
export type { StarWarsDemoProps } from './workloads/star-wars-demo';

// ---- Cluster Mesh ----
export { ClusterMesh, MeshMember } from './mesh/cluster-mesh';
export type { ClusterMeshProps, MeshMemberOptions } from './mesh/cluster-mesh';
export { MeshGlobalServiceDemo, MESH_DEMO, MESH_ECHO_IMAGE, GLOBAL_SERVICE_ANNOTATION, POLICY_CLUSTER_LABEL } from './mesh/global-service-demo';
export type { MeshGlobalServiceDemoProps } from './mesh/global-service-demo';
export type { MeshRoster } from './mesh/mesh-roster';
export type { MeshMembership, MeshPeer } from './spec/mesh-membership';

// ---- Presets ----
export { dnsHubblePlatform, kprNativePlatform, meshPlatform, nativeXdpPlatform, zeroTrustPlatform, addAllPresets } from './presets';
export type { MeshPlatformProps } from './presets';

// ---- Synthesis ----
export { renderBundle, validateApp } from './bundle/render';
export type { BundleFile, BundleClusterIndex, BundleMeshIndex } from './bundle/render';
export type { ApplyStep } from './bundle/apply-plan';
export { upgradeView, formatUpgradeView } from './bundle/upgrade-view';
export type { UpgradeView, ClusterUpgrade, UpgradeNote, ValueChange, ApiVersionChange } from './bundle/upgrade-view';
export { synthesizeBundle, runSynthesis } from './bundle/synthesize';
export type { SynthesizeOptions } from './bundle/synthesize';

// ---- Lab repositories: the projen project type (loads projen only when constructed) ----
export { KindCiliumLabProject } from './projen/lazy-lab-project';
export type { KindCiliumLab, KindCiliumLabProjectConstructor } from './projen/lazy-lab-project';
export type { KindCiliumLabProjectOptions } from './projen/lab-project-options';

// ---- Generated bindings (L1), as namespaces ----
export * as cilium from '../imports/cilium';
export * as gatewayApi from '../imports/gateway-api';
export * as certManager from '../imports/cert-manager';
