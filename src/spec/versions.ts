import type { ClusterSpec } from './cluster-spec';
import { gatewayApiRelease } from './gateway-api-releases';
import { ciliumMinorFacts, ciliumMinorOf } from './version-matrix';

export { BUNDLE_NAME, BUNDLE_VERSION } from './bundle-identity';

/**
 * The exact version of every external component a cluster's bundle installs, as named in
 * `dist/bundle.json` and `apply.sh`. Resolved from the one version matrix (`src/spec/version-matrix.ts`).
 */
export interface ComponentVersions {
  /** Cilium Helm chart version, e.g. `1.20.0`. */
  readonly cilium: string;
  /** Gateway API CRD release installed before Cilium, e.g. `v1.6.1`. */
  readonly gatewayApi: string;
  /** cert-manager release, e.g. `v1.20.4`. */
  readonly certManager: string;
  /** kind release the node image was published with (`kind create cluster` needs at least this kind), e.g. `v0.33.0`. */
  readonly kindRelease: string;
  /** kind node image (tag@digest). */
  readonly kindNodeImage: string;
  /** Kubernetes version of the node image, e.g. `1.36.4` (absent for a custom image whose tag names none). */
  readonly kubernetes?: string;
}

/**
 * Where each component is installed from (upstream URLs and chart coordinates; nothing vendored).
 * `gatewayApiExperimentalCrds` lists the experimental CRDs the Cilium minor needs on top of the standard
 * install (the TLSRoute CRD for 1.18 and 1.19; none for 1.20, whose Gateway API v1.6.1 standard install
 * serves TLSRoute v1), as `gatewayApiExperimentalCrd1`, `…2` keys; never one the release's standard install already
 * creates (its `safe-upgrades` admission policy refuses that update: 1.19 with v1.6.1 under `allowUnsupportedPair`).
 */
export function installSources(v: ComponentVersions): Record<string, string> {
  const minor = ciliumMinorOf(v.cilium);
  // An experimental CRD the release's standard install already creates is never laid over it: from v1.5 the standard
  // install's ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io denies exactly that update (and without
  // it, the experimental CRD would replace the standard one). With v1.6.1, TLSRoute comes from the standard install.
  const standard = gatewayApiRelease(v.gatewayApi)?.standardFiles ?? [];
  const extra = (minor === undefined ? [] : ciliumMinorFacts(minor).gatewayApi.extraCrds).filter((file) => !standard.includes(file.split('/').pop()!));
  return {
    gatewayApiStandardCrds: `https://github.com/kubernetes-sigs/gateway-api/releases/download/${v.gatewayApi}/standard-install.yaml`,
    ...Object.fromEntries(extra.map((file, i) => [
      `gatewayApiExperimentalCrd${i + 1}`,
      `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${v.gatewayApi}/config/crd/${file}`,
    ])),
    ciliumHelmRepo: 'https://helm.cilium.io/',
    ciliumChart: 'cilium/cilium',
    certManagerManifest: `https://github.com/cert-manager/cert-manager/releases/download/${v.certManager}/cert-manager.yaml`,
  };
}

/** The Gateway API CRD manifests to apply before Cilium, in order (standard install, then the minor's experimental CRDs). */
export function gatewayApiCrdUrls(v: ComponentVersions): string[] {
  const src = installSources(v);
  return Object.keys(src).filter((k) => k.startsWith('gatewayApi')).map((k) => src[k]);
}

/** The pinned versions of a resolved cluster description. */
export function componentVersionsOf(spec: ClusterSpec): ComponentVersions {
  return {
    cilium: spec.ciliumVersion,
    gatewayApi: spec.versions.gatewayApi,
    certManager: spec.versions.certManager,
    kindRelease: spec.kindRelease,
    kindNodeImage: spec.nodeImage,
    ...(spec.kubernetesVersion !== undefined ? { kubernetes: spec.kubernetesVersion } : {}),
  };
}
