/**
 * Gateway API releases of the version matrix: what each release's `standard-install.yaml` installs and
 * which versions its CRDs serve. Which release a Cilium minor pairs with is a fact of the minor
 * (`src/spec/cilium-minors.ts`). Pure data; every row cites the upstream tag it was read from.
 */

/** A Gateway API release as installed for a Cilium minor. */
export interface GatewayApiRelease {
  /** Release tag, e.g. `v1.6.1`. */
  readonly version: string;
  /** CRD kinds in the release's `standard-install.yaml`. */
  readonly standardCrds: readonly string[];
  /** Files of `config/crd/standard/` at the tag (what `standard-install.yaml` concatenates). */
  readonly standardFiles: readonly string[];
  /** Non-CRD objects in `standard-install.yaml` (v1.6.1's safe-upgrade ValidatingAdmissionPolicy + Binding). */
  readonly standardNonCrdObjects: readonly string[];
  /** `ReferenceGrant` versions the standard CRD serves. */
  readonly referenceGrantServed: readonly string[];
  /** Versions the *experimental* TLSRoute CRD serves (`config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml`). */
  readonly experimentalTlsRouteServed: readonly string[];
  /** Upstream provenance. */
  readonly source: string;
}

/** The Gateway API releases of the matrix (one per Cilium minor). */
export const GATEWAY_API_RELEASES: readonly GatewayApiRelease[] = [
  {
    version: 'v1.3.0',
    standardCrds: ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant'],
    standardFiles: [
      'gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml', 'gateway.networking.k8s.io_grpcroutes.yaml',
      'gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_referencegrants.yaml',
    ],
    standardNonCrdObjects: [],
    referenceGrantServed: ['v1beta1'],
    experimentalTlsRouteServed: ['v1alpha2'],
    source: 'kubernetes-sigs/gateway-api tag v1.3.0 (40be951c) config/crd/standard + experimental TLSRoute',
  },
  {
    version: 'v1.4.1',
    standardCrds: ['GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'BackendTLSPolicy'],
    standardFiles: [
      'gateway.networking.k8s.io_backendtlspolicies.yaml', 'gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml',
      'gateway.networking.k8s.io_grpcroutes.yaml', 'gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_referencegrants.yaml',
    ],
    standardNonCrdObjects: [],
    referenceGrantServed: ['v1beta1'],
    experimentalTlsRouteServed: ['v1alpha2', 'v1alpha3'],
    source: 'kubernetes-sigs/gateway-api tag v1.4.1 (477d172e) config/crd/standard + experimental TLSRoute',
  },
  {
    version: 'v1.6.1',
    standardCrds: [
      'GatewayClass', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'ReferenceGrant', 'BackendTLSPolicy', 'ListenerSet', 'TCPRoute', 'TLSRoute', 'UDPRoute',
    ],
    standardFiles: [
      'gateway.networking.k8s.io_backendtlspolicies.yaml', 'gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml',
      'gateway.networking.k8s.io_grpcroutes.yaml', 'gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_listenersets.yaml',
      'gateway.networking.k8s.io_referencegrants.yaml', 'gateway.networking.k8s.io_tcproutes.yaml', 'gateway.networking.k8s.io_tlsroutes.yaml',
      'gateway.networking.k8s.io_udproutes.yaml', 'gateway.networking.k8s.io_vap_safeupgrades.yaml',
    ],
    standardNonCrdObjects: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
    referenceGrantServed: ['v1', 'v1beta1'],
    experimentalTlsRouteServed: ['v1', 'v1alpha2', 'v1alpha3'],
    source: 'kubernetes-sigs/gateway-api tag v1.6.1 (8bb74df0) config/crd/standard + experimental TLSRoute',
  },
];

/** The Gateway API release row for a tag, or `undefined` when the matrix has no row for it. */
export function gatewayApiRelease(version: string): GatewayApiRelease | undefined {
  return GATEWAY_API_RELEASES.find((r) => r.version === version);
}
