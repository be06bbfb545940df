import type { PinnedDownload } from '../spec/host-tools';

/**
 * The engines bootstrap.sh installs, pinned by version and by the sha256 of the download, verified with
 * `sha256sum -c` before anything is applied (like the host tools of src/spec/host-tools.ts). The versions are those
 * whose CRDs the tests validate every emitted object against (`../shared/reference/gitops/README.md`). The digests
 * were not downloaded here (no internet): each is the one a public repository pins for that URL. A wrong digest
 * stops bootstrap.sh before it applies anything; it can never install another file.
 */
export const ARGOCD_INSTALL: PinnedDownload = {
  version: 'v3.5.1',
  url: 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml',
  sha256: '795a3a972224da6a7f9d32c3e946445f062b60fb46028476715affeb688236e3',
  source: 'Argo CD v3.5.1 non-HA install manifest (release notes "Quick Start"), sha256 as pinned by a public bootstrap README',
};

/** The flux CLI (linux/amd64); `flux install` applies the controllers of its own release (Flux v2.9.4). */
export const FLUX_CLI: PinnedDownload = {
  version: 'v2.9.4',
  url: 'https://github.com/fluxcd/flux2/releases/download/v2.9.4/flux_2.9.4_linux_amd64.tar.gz',
  sha256: 'c2c397a52930f52d2005c01d276116b059d062de379386d58e98115380a766a2',
  source: 'flux2 v2.9.4 release archive, sha256 as pinned by a public CD workflow and its contract test',
};

/**
 * Argo CD 1.8 dropped the health of `argoproj.io/Application`; an Application of Applications needs it back to order
 * its children by sync wave (docs/operator-manual/health.md, "Argo CD App"). bootstrap.sh sets it in `argocd-cm`.
 */
export const ARGOCD_APPLICATION_HEALTH_LUA = [
  'hs = {}',
  'hs.status = "Progressing"',
  'hs.message = ""',
  'if obj.status ~= nil then',
  '  if obj.status.health ~= nil then',
  '    hs.status = obj.status.health.status',
  '    if obj.status.health.message ~= nil then',
  '      hs.message = obj.status.health.message',
  '    end',
  '  end',
  'end',
  'return hs',
].join('\n');
