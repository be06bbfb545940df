import { compareMinor, KUBEADM_CONFIG_APIS } from './kubernetes-versions';

/**
 * kind releases of the version matrix and the digest-pinned node images each one published, with what a
 * release's node images need (the kubeadm config API kind writes for them, cgroup v2). Pure data and
 * lookups; every row cites its upstream source.
 *
 * kind releases have a `v`: `v0.33.0`; Kubernetes versions do not: `1.36.4`.
 */

/** One node image published with a kind release. */
export interface KindNodeImage {
  /** Kubernetes patch version, e.g. `1.36.1`. */
  readonly kubernetes: string;
  /** Image reference pinned by digest, `kindest/node:v<kubernetes>@sha256:<64 hex>`. */
  readonly image: string;
  /** True for the release's default image (the one `kind create cluster` uses without `--image`). */
  readonly default: boolean;
}

/** A kind release and the node images published with it. */
export interface KindRelease {
  /** Release tag, e.g. `v0.32.0`. */
  readonly release: string;
  /**
   * kubernetes-sigs/kind tag commit; `undefined` when the tag is in no snapshot read (v0.33.0: the kind snapshot
   * ends at 0.33.0-alpha), in which case {@link source} names the release page the images were read from.
   */
  readonly commit: string | undefined;
  /** Images published with the release, newest Kubernetes first. */
  readonly images: readonly KindNodeImage[];
  /**
   * Kubernetes minor from which this release generates kubeadm `v1beta4` configs (`undefined`: v1beta3 for every
   * Kubernetes from 1.23; below 1.23 every release writes v1beta2). See {@link kubeadmApiVersionFor}.
   */
  readonly kubeadmV1beta4From: string | undefined;
  /** Upstream provenance. */
  readonly source: string;
}

const nodeImage = (k8s: string, digest: string, isDefault = false): KindNodeImage =>
  ({ kubernetes: k8s, image: `kindest/node:v${k8s}@sha256:${digest}`, default: isDefault });

/**
 * kind releases v0.29.0 to v0.33.0, oldest first. The v1alpha4 Cluster config is identical from v0.29.0 to v0.32.0
 * and to kind main at 0.33.0-alpha (2026-08-21, the newest kind tree read), which is what the kind config renderer writes.
 */
export const KIND_RELEASES: readonly KindRelease[] = [
  {
    release: 'v0.29.0',
    commit: '200b3aac0b5ff698426715db9b4d13288bd470a3',
    images: [
      nodeImage('1.33.1', '050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f', true),
      nodeImage('1.32.5', 'e3b2327e3a5ab8c76f5ece68936e4cafaa82edf58486b769727ab0b3b97a5b0d'),
      nodeImage('1.31.9', 'b94a3a6c06198d17f59cca8c6f486236fa05e2fb359cbd75dabbfc348a10b211'),
      nodeImage('1.30.13', '397209b3d947d154f6641f2d0ce8d473732bd91c87d9575ade99049aa33cd648'),
    ],
    kubeadmV1beta4From: undefined,
    source: 'kind v0.29.0 pkg/apis/config/defaults/image.go (blob c1e19f80) + release notes',
  },
  {
    release: 'v0.30.0',
    commit: '9a205e8c8540557602240f8766d3c95c51c23c4c',
    images: [
      nodeImage('1.34.0', '7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a', true),
      nodeImage('1.33.4', '25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2'),
      nodeImage('1.32.8', 'abd489f042d2b644e2d033f5c2d900bc707798d075e8186cb65e3f1367a9d5a1'),
      nodeImage('1.31.12', '0f5cc49c5e73c0c2bb6e2df56e7df189240d83cf94edfa30946482eb08ec57d2'),
    ],
    kubeadmV1beta4From: undefined,
    source: 'kind v0.30.0 pkg/apis/config/defaults/image.go (blob 5628362d) + release notes',
  },
  {
    release: 'v0.31.0',
    commit: 'a323333ff9efd8099f95a8a6b5c86c75a210d00f',
    images: [
      nodeImage('1.35.0', '452d707d4862f52530247495d180205e029056831160e22870e37e3f6c1ac31f', true),
      nodeImage('1.34.3', '08497ee19eace7b4b5348db5c6a1591d7752b164530a36f855cb0f2bdcbadd48'),
      nodeImage('1.33.7', 'd26ef333bdb2cbe9862a0f7c3803ecc7b4303d8cea8e814b481b09949d353040'),
      nodeImage('1.32.11', '5fc52d52a7b9574015299724bd68f183702956aa4a2116ae75a63cb574b35af8'),
      nodeImage('1.31.14', '6f86cf509dbb42767b6e79debc3f2c32e4ee01386f0489b3b2be24b0a55aac2b'),
    ],
    kubeadmV1beta4From: undefined,
    source: 'kind v0.31.0 image.go (blob 103b2430); other images from kubernetes-sigs/cluster-api test/infrastructure/kind/mapper.go (blob caf44567)',
  },
  {
    release: 'v0.32.0',
    commit: 'cda67ef8588f6bfdac5358233f2471cb2149ecaf',
    images: [
      nodeImage('1.36.1', '3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5', true),
      nodeImage('1.35.5', 'ce977ae6d65918d0b58a5f8b5e940429c2ce42fa3a5619ec2bbc60b949c0ac95'),
      nodeImage('1.34.8', '02722c2dedddcfc00febf5d27fbeb9b7b2c14294c82109ff4a85d89ac9ba3256'),
      nodeImage('1.33.12', '3f5c8443c620245e4d355cfe09e96a91ead32ceaa569d3f1ca9edf0cb2fe2ff4'),
    ],
    kubeadmV1beta4From: '1.36',
    source: 'kind v0.32.0 image.go (blob 486dbe91); other images from cluster-api mapper.go (blob caf44567); '
      + 'release notes (cloudfoundry/kind-deployment PR #417): kubeadm v1beta4 for 1.36.0+, new images need kind >= v0.32 for `kind load`',
  },
  {
    release: 'v0.33.0',
    commit: undefined,
    images: [
      nodeImage('1.37.0', 'a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5', true),
      nodeImage('1.36.4', '099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed'),
      nodeImage('1.35.8', '07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0'),
      nodeImage('1.34.11', '44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d'),
    ],
    kubeadmV1beta4From: '1.36',
    source: 'kind v0.33.0 release page github.com/kubernetes-sigs/kind/releases/tag/v0.33.0 (default image 1.37.0 and the other images with '
      + 'digests; also polarsquad/krops PR #112); base image containerd v2.3.4; kubeadm v1beta4 from 1.36.0: kind main fed26882 (0.33.0-alpha) '
      + 'pkg/cluster/internal/kubeadm/config.go (blob 6cf1f9ca, the same as at v0.32.0)',
  },
];

/**
 * Kubernetes minor from which kind node images drop cgroup v1 (the host must run cgroup v2).
 * Source: kind v0.31.0 release notes (openSUSE kind.changes, cloudfoundry/kind-deployment #247).
 */
export const CGROUP_V2_ONLY_FROM_KUBERNETES = '1.35';

/**
 * The kind release row for a tag. Accepts `v0.32.0` and the short `v0.32`; `undefined` when unknown.
 */
export function kindReleaseOf(release: string): KindRelease | undefined {
  const full = /^v\d+\.\d+$/.test(release) ? `${release}.0` : release;
  return KIND_RELEASES.find((r) => r.release === full);
}

/** The release that published this exact image reference (tag and digest), if any. */
export function publishedNodeImage(image: string): { readonly release: KindRelease; readonly image: KindNodeImage } | undefined {
  for (const release of KIND_RELEASES) {
    const found = release.images.find((i) => i.image === image);
    if (found) return { release, image: found };
  }
  return undefined;
}

/**
 * The kubeadm config apiVersion kind writes for a node image: `kubeadm.k8s.io/v1beta4` with kind ≥ v0.32.0
 * and Kubernetes ≥ 1.36, `kubeadm.k8s.io/v1beta2` below Kubernetes 1.23, otherwise `kubeadm.k8s.io/v1beta3`
 * (kind's `pkg/cluster/internal/kubeadm/config.go` picks the template by the node's Kubernetes version).
 * What the kind config renderer and `kubeadmConfigPatches` follow: a patch with another apiVersion does not
 * apply (kind skips versioned patches that do not match), and v1beta4 takes list-style `extraArgs`. Whether
 * the node's kubeadm accepts the result is {@link kubeadmApiVersionsAccepted} (1.37 refuses v1beta3).
 */
export function kubeadmApiVersionFor(kindRelease: KindRelease, kubernetes: string): string {
  const from = kindRelease.kubeadmV1beta4From;
  if (from !== undefined && compareMinor(kubernetes, from) >= 0) return 'kubeadm.k8s.io/v1beta4';
  return compareMinor(kubernetes, '1.23') < 0 ? 'kubeadm.k8s.io/v1beta2' : 'kubeadm.k8s.io/v1beta3';
}

/**
 * The kubeadm config apiVersions the kubeadm of a Kubernetes version reads (`1.37` → only v1beta4; `1.36` →
 * v1beta3 and v1beta4), oldest first, from {@link KUBEADM_CONFIG_APIS}.
 */
export function kubeadmApiVersionsAccepted(kubernetes: string): string[] {
  return KUBEADM_CONFIG_APIS
    .filter((api) => compareMinor(kubernetes, api.from) >= 0 && (api.removedIn === undefined || compareMinor(kubernetes, api.removedIn) < 0))
    .map((api) => api.apiVersion);
}

/** True when node images of this Kubernetes version need a cgroup v2 host (Kubernetes ≥ 1.35). */
export function requiresCgroupV2(kubernetes: string): boolean {
  return compareMinor(kubernetes, CGROUP_V2_ONLY_FROM_KUBERNETES) >= 0;
}
