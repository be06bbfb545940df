import { v } from './common';
import { ClusterRule } from './rule';
import { BUILT_IN_NAMESPACES } from '../private/names';

/** Workloads: the namespaces they need. */
export const WORKLOAD_RULES: readonly ClusterRule[] = [
  {
    id: 'namespace-not-created',
    emits: ['namespace-not-created'],
    summary: 'every namespace a workload (pods or a Service) uses is built in or created by a Namespace object of the cluster',
    check: (m) => {
      const created = new Set(m.namespaces.map((n) => n.name));
      return m.namespaceUses.filter((u) => !created.has(u.namespace) && !BUILT_IN_NAMESPACES.includes(u.namespace)).map((u) => v(
        'namespace-not-created', `${u.field}.metadata.namespace`,
        `${u.kind} ${u.name} is in namespace "${u.namespace}", which no Namespace object of the cluster creates; \`kubectl apply -k\` fails with "namespaces \\"${u.namespace}\\" not found"`,
        `create it in the cluster (e.g. createNamespace: true on the workload, or a Namespace object), or use an existing namespace (${BUILT_IN_NAMESPACES.join(', ')})`));
    },
  },
];
