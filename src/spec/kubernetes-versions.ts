import * as semver from 'semver';

/**
 * Kubernetes versions as the version matrix spells and compares them: no `v`, either a minor (`1.36`) or
 * a patch (`1.36.4`); and the kubeadm config APIs each Kubernetes version's kubeadm reads. Pure data and functions.
 */

/** Compares the minors of two Kubernetes versions (`1.33.12` vs `1.34`): negative, 0 or positive. */
export function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** The minor of a Kubernetes version: `1.36.4` → `1.36`. */
export function minorOfKubernetes(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** `1.33`, `1.33.12`, `v1.33.12` → `1.33` / `1.33.12`; anything else (pre-releases included) → undefined. */
export function normalizeKubernetes(version: string): string | undefined {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  if (/^\d+\.\d+$/.test(bare)) return bare;
  return semver.valid(bare) === bare && semver.prerelease(bare) === null ? bare : undefined;
}

/** A kubeadm config API version (`kubeadm.k8s.io/v1betaN`) and the Kubernetes minors whose kubeadm reads it. */
export interface KubeadmConfigApi {
  /** `kubeadm.k8s.io/v1beta3`. */
  readonly apiVersion: string;
  /** First Kubernetes minor whose kubeadm reads it. */
  readonly from: string;
  /** First Kubernetes minor whose kubeadm no longer reads it (`undefined`: still read). */
  readonly removedIn: string | undefined;
  readonly source: string;
}

/** The kubeadm config API versions, oldest first. */
export const KUBEADM_CONFIG_APIS: readonly KubeadmConfigApi[] = [
  {
    apiVersion: 'kubeadm.k8s.io/v1beta2',
    from: '1.15',
    removedIn: '1.27',
    source: 'kubeadm config API v1beta3 reference (kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta3): kubeadm v1.15 and later '
      + 'migrate v1beta1 to v1beta2, v1.27 and later no longer read v1beta2 (kubernetes/kubernetes PR #114540)',
  },
  {
    apiVersion: 'kubeadm.k8s.io/v1beta3',
    from: '1.22',
    removedIn: '1.37',
    source: 'kubeadm config API v1beta3 reference: introduced with kubeadm v1.22, deprecated for v1beta4 "to be removed in 1.34 or later" '
      + '(k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta3 package doc); Kubernetes 1.37\'s kubeadm no longer reads it, so '
      + 'versioned v1beta3 kubeadmConfigPatches fail on 1.37 node images (kind v0.33.0 release; dajudge/kindcontainer PR #481)',
  },
  {
    apiVersion: 'kubeadm.k8s.io/v1beta4',
    from: '1.31',
    removedIn: undefined,
    source: 'kubeadm config API v1beta4 reference (kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4): introduced with kubeadm v1.31',
  },
];
