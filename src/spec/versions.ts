/** The package version stamped on every synthesized object (`app.kubernetes.io/version`). Kept equal to package.json by a test. */
export const BUNDLE_VERSION = '0.1.0';

/** Name of this bundle, used for `app.kubernetes.io/part-of` and `managed-by`. */
export const BUNDLE_NAME = 'cdk8s-kind-cilium';

/** kind node image: Kubernetes v1.33.1 built for kind v0.29+, pinned by digest. Cilium 1.18 supports Kubernetes 1.30-1.33. */
export const DEFAULT_KIND_NODE_IMAGE =
  'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f';

/** Default Cilium chart version. */
export const DEFAULT_CILIUM_VERSION = '1.18.4';

/** Default cert-manager release. */
export const DEFAULT_CERT_MANAGER_VERSION = 'v1.19.6';

/**
 * Gateway API release each Cilium minor is built and tested against.
 * Cilium 1.18 -> Gateway API v1.3.0; Cilium 1.19 -> v1.4.0.
 */
/* eslint-disable @stylistic/quote-props -- version keys must stay strings ('1.10' is not 1.1) */
export const GATEWAY_API_FOR_CILIUM: Readonly<Record<string, string>> = {
  '1.18': 'v1.3.0',
  '1.19': 'v1.4.0',
};
/* eslint-enable @stylistic/quote-props */

/** Cilium minors whose Helm values this library generates (values keys differ between minors). */
export const SUPPORTED_CILIUM_MINORS = ['1.18'];

/** cert-manager minors the CA chain is written for (cert-manager.io/v1). */
export const SUPPORTED_CERT_MANAGER_MINORS = ['v1.19'];

/** Pinned versions of every external component the bundle depends on. */
export interface ComponentVersions {
  /** kind node image (tag@digest). */
  readonly kindNodeImage: string;
  /** Cilium Helm chart version, e.g. `1.18.4`. */
  readonly cilium: string;
  /** Gateway API CRD release installed before Cilium, e.g. `v1.3.0`. */
  readonly gatewayApi: string;
  /** cert-manager release, e.g. `v1.19.6`. */
  readonly certManager: string;
}

/** Where each component is installed from (upstream URLs and chart coordinates; nothing vendored). */
export function installSources(v: ComponentVersions) {
  return {
    gatewayApiStandardCrds: `https://github.com/kubernetes-sigs/gateway-api/releases/download/${v.gatewayApi}/standard-install.yaml`,
    gatewayApiTlsRouteCrd: `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${v.gatewayApi}/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml`,
    ciliumHelmRepo: 'https://helm.cilium.io/',
    ciliumChart: 'cilium/cilium',
    certManagerManifest: `https://github.com/cert-manager/cert-manager/releases/download/${v.certManager}/cert-manager.yaml`,
  };
}

/** `1.18.4` -> `1.18`; `v1.19.6` -> `v1.19`. */
export function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
