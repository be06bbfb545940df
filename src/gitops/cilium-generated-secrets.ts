import { CiliumMinor } from '../spec/cilium-minors';

/**
 * The Secrets the Cilium chart fills with certificates `helm template` generates afresh on each render (its
 * `tls.auto.method: helm` default), by minor. From 1.19 the chart labels each of them
 * `cilium.io/helm-template-non-idempotent: "true"` (templates `cilium-ca-secret.yaml`, `hubble/tls-helm/*.yaml`,
 * `clustermesh-apiserver/tls-helm/*.yaml` of the 1.19.6, 1.20.0 and 1.21.0-pre.0 chart archives; Cilium's
 * `Documentation/configuration/argocd-issues.rst` names them as the drift Argo CD shows); 1.18 marks none, so
 * nothing is listed for it. A test reads the chart archives and compares. Argo CD ignores their `data`
 * (`ignoreDifferences` with `RespectIgnoreDifferences=true`), so the certificates in the cluster (the bootstrap's,
 * and a mesh's shared CA) are neither shown as drift nor replaced.
 */
export const CILIUM_GENERATED_SECRETS: Readonly<Record<CiliumMinor, readonly string[]>> = {
  '1.18': [],
  '1.19': helmTlsSecrets(),
  '1.20': helmTlsSecrets(),
  '1.21': helmTlsSecrets(),
};

function helmTlsSecrets(): readonly string[] {
  return [
    'cilium-ca',
    'clustermesh-apiserver-admin-cert',
    'clustermesh-apiserver-local-cert',
    'clustermesh-apiserver-remote-cert',
    'clustermesh-apiserver-server-cert',
    'hubble-metrics-server-certs',
    'hubble-relay-client-certs',
    'hubble-relay-server-certs',
    'hubble-server-certs',
    'hubble-ui-client-certs',
  ];
}
