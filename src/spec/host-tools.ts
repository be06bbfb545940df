/**
 * The host tools (kind, kubectl, helm) a bundle is applied with in the e2e workflow, pinned by version and by the
 * sha256 of the linux/amd64 download (the GitHub-hosted ubuntu runner). The workflow verifies each download with
 * `sha256sum -c` before installing it. kind is the release of the node image (kind builds node images per release);
 * kubectl is the node image's Kubernetes version (kubectl supports one minor of skew either way); helm is one
 * release of the line the bundle's minimum (3.8) belongs to.
 *
 * The digests were not downloaded here (no internet): each is the one several independent public repositories pin
 * for that URL, and the helm one is also printed on the helm release page. A wrong digest fails the workflow's
 * install step loudly; it can never install another binary.
 */

/** One downloadable binary (or archive), pinned. */
export interface PinnedDownload {
  /** Release tag, e.g. `v0.32.0`. */
  readonly version: string;
  /** The linux/amd64 download. */
  readonly url: string;
  /** Its sha256, lowercase hex. */
  readonly sha256: string;
  /** Where the digest was read. */
  readonly source: string;
}

const kindBinary = (version: string, sha256: string, source: string): PinnedDownload =>
  ({ version, url: `https://github.com/kubernetes-sigs/kind/releases/download/${version}/kind-linux-amd64`, sha256, source });
const kubectlBinary = (version: string, sha256: string, source: string): PinnedDownload =>
  ({ version, url: `https://dl.k8s.io/release/${version}/bin/linux/amd64/kubectl`, sha256, source });

/** kind binaries by release tag. */
export const KIND_BINARIES: Readonly<Record<string, PinnedDownload>> = {
  'v0.32.0': kindBinary('v0.32.0', '50030de23cf40a18505f20426f6a8506bedf13c6e509244bd1fa9463721b0f54',
    'kind-linux-amd64.sha256sum of the release, as pinned by several public CI setups (integration workflows, install scripts)'),
  'v0.33.0': kindBinary('v0.33.0', 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
    'kind-linux-amd64.sha256sum of the release, as pinned by public install scripts and platform fact sheets'),
};

/** kubectl binaries by Kubernetes version (no leading v), the node images' versions. */
export const KUBECTL_BINARIES: Readonly<Record<string, PinnedDownload>> = {
  '1.36.1': kubectlBinary('v1.36.1', '629d3f410e09bf49b64ae7079f7f0bda1191efed311f7d37fdbab0ad5b0ec2b7',
    'dl.k8s.io kubectl.sha256 of the release, as pinned by many public Makefiles, Dockerfiles and workflows'),
  '1.36.4': kubectlBinary('v1.36.4', '8b8f088da2dab964f853b38464033b1be15ede2839eca751482357c45abdd05a',
    'dl.k8s.io kubectl.sha256 of the release, as pinned by public workflows and install scripts'),
};

/** The helm release the e2e workflow installs (a tar.gz holding `linux-amd64/helm`). */
export const HELM_BINARY: PinnedDownload = {
  version: 'v3.18.4',
  url: 'https://get.helm.sh/helm-v3.18.4-linux-amd64.tar.gz',
  sha256: 'f8180838c23d7c7d797b208861fecb591d9ce1690d8704ed1e4cb8e2add966c1',
  source: 'helm v3.18.4 release page (helm-v3.18.4-linux-amd64.tar.gz.sha256sum)',
};

/** The host tools of one cluster: `kind` or `kubectl` is `undefined` for a version with no pin yet. */
export interface HostToolPins {
  readonly kind?: PinnedDownload;
  readonly kubectl?: PinnedDownload;
  readonly helm: PinnedDownload;
}

/** The pinned tools for a kind release and a Kubernetes version (`1.36.1`, no leading v). */
export function hostToolPins(kindRelease: string, kubernetes: string | undefined): HostToolPins {
  return {
    kind: KIND_BINARIES[kindRelease],
    kubectl: kubernetes === undefined ? undefined : KUBECTL_BINARIES[kubernetes],
    helm: HELM_BINARY,
  };
}
