import { v } from './common';
import { ClusterRule } from './rule';

/** Network policy: default deny keeps the cluster working. */
export const POLICY_RULES: readonly ClusterRule[] = [
  {
    id: 'default-deny-allows-dns',
    emits: ['default-deny-allows-dns'],
    summary: 'a default-deny policy keeps DNS egress to kube-dns',
    check: (m) => m.defaultDenyPolicies.filter((p) => !p.allowsDnsEgress).map((p) => v('default-deny-allows-dns', p.field,
      'denies all egress without allowing DNS to kube-dns, so every lookup in the cluster times out', 'allow egress to kube-dns on UDP and TCP 53 (the ClusterDefaultDeny construct does by default)')),
  },
];
