import { values } from './common';
import { ClusterRule } from './rule';
import { adaptValuesToMinor, VALUES_RULE_IDS } from '../spec/values-by-minor';

/**
 * Versions. The version choices themselves (Cilium, Kubernetes / kind node image, Gateway API, cert-manager)
 * are field checks of the cluster description, resolved with the version matrix when the cluster is
 * constructed (`resolveClusterSpec`). This rule checks the merged Helm values against the Cilium minor.
 */
export const VERSION_RULES: readonly ClusterRule[] = [
  {
    id: 'helm-values-for-minor',
    emits: [...VALUES_RULE_IDS],
    summary: 'the merged Helm values hold no key the chosen Cilium minor removed, no value its chart cannot render offline, and no value '
      + 'its chart refuses on the cluster\'s Kubernetes version',
    check: (m) => adaptValuesToMinor(values(m), m.spec.ciliumMinor, `${m.field}.ciliumValues`, m.spec.kubernetesVersion).violations.map((v) => ({
      rule: v.rule, field: v.field, problem: v.problem, fix: v.fix,
    })),
  },
];
