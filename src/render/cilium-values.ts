import { CiliumFeatureFlags, renderOwnedValues } from './helm-key-owners';
import { deepMerge } from '../private/deep-merge';
import { ClusterSpec } from '../spec/cluster-spec';
import { adaptValuesToMinor } from '../spec/values-by-minor';

export type { CiliumFeatureFlags } from './helm-key-owners';
export { CILIUM_IMAGE_KEYS, clusterMeshValues, KIND_API_SERVER_INTERNAL_PORT, kindApiServerHost, kindApiServerHosts } from './helm-key-owners';

/** Cilium Helm values as a plain JSON object (written to `cilium-values/<cluster>.yaml`). */
export type CiliumHelmValues = Record<string, unknown>;

/**
 * Renders Helm values for the cluster's Cilium minor (1.18, 1.19, 1.20, or the 1.21 preview) from the cluster description.
 * Every key comes from one row of the owner table (`HELM_KEY_OWNERS` in ./helm-key-owners.ts), so only keys every
 * supported chart has are generated (no `hostServices`, `externalIPs.enabled`, `hostPort.enabled`, `nodePort.enabled`;
 * `kubeProxyReplacement` is a boolean, never `strict`), and `k8sServiceHost` is the control-plane node. The merged
 * values (description plus `ciliumValuesOverrides`) are adapted to the minor (`adaptValuesToMinor`: e.g.
 * `gatewayAPI.gatewayClass.create` becomes the string the 1.18/1.19 schema requires, a key no row owns); keys the
 * minor removed are reported by the `helm-values-for-minor` rule, overrides of owned keys by `helm-value-owned-by-prop`.
 */
export function renderCiliumValues(spec: ClusterSpec, features: CiliumFeatureFlags): CiliumHelmValues {
  return adaptValuesToMinor(deepMerge(renderOwnedValues(spec, features), spec.ciliumValuesOverrides), spec.ciliumMinor).values;
}
