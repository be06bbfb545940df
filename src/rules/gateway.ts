import { Violation } from '../errors';
import { kprEnabled, v, values } from './common';
import { ClusterRule } from './rule';
import { gatewayApiPairingViolations } from '../spec/cluster-spec';
import { GATEWAY_API_PAIRING_RULE_IDS } from '../spec/version-matrix';

/** Gateway API: what a Cilium Gateway needs to get an address and be reachable from the host. */
export const GATEWAY_RULES: readonly ClusterRule[] = [
  {
    id: 'gateway-prerequisites',
    emits: ['gateway-needs-gateway-api', 'gateway-needs-kpr', 'gateway-needs-pool'],
    summary: 'a Gateway needs kube-proxy replacement, gatewayAPI.enabled and a pool to get its address',
    check: (m) => m.gateways.flatMap((g) => {
      const out: Violation[] = [];
      if (!kprEnabled(m)) {
        out.push(v('gateway-needs-kpr', g.field, "Cilium's Gateway API controller requires kube-proxy replacement", `set kubeProxyReplacement: true on the cluster ${m.spec.clusterName}`));
      }
      if (values(m).gatewayAPI?.enabled !== true) {
        out.push(v('gateway-needs-gateway-api', `${m.field}.ciliumValues.gatewayAPI.enabled`, 'is not true although a Gateway is defined', 'drop the override that disables gatewayAPI'));
      }
      if (!m.pools.some((p) => !p.disabled)) {
        out.push(v('gateway-needs-pool', g.field, 'the Gateway Service is a LoadBalancer and never becomes Programmed without a pool address',
          'add a LoadBalancerIpPool to the cluster'));
      }
      return out;
    }),
  },
  {
    // Only a cluster with a Gateway installs Gateway API (the apply plan's gateway-api-crds step): elsewhere the pin has
    // no effect, so it is not judged (a malformed tag is refused when the cluster is constructed).
    id: 'gateway-api-release-pairs',
    emits: [...GATEWAY_API_PAIRING_RULE_IDS],
    suggests: [...GATEWAY_API_PAIRING_RULE_IDS],
    summary: 'on a cluster with a Gateway, versions.gatewayApi is the Cilium minor\'s pair (another release needs allowUnsupportedPair; below the operator minimum never)',
    check: (m) => (m.gateways.length > 0 ? gatewayApiPairingViolations(m.spec, m.field) : []),
  },
  {
    id: 'gateway-nodeports-mapped',
    emits: ['gateway-nodeports-mapped'],
    suggests: ['gateway-nodeports-mapped'],
    summary: 'kind publishes exactly the Gateway NodePorts to the host',
    check: (m) => {
      const containerPorts = new Set(m.kindConfig.nodes.flatMap((n) => (n.extraPortMappings ?? []).map((p) => p.containerPort)));
      return m.gateways.flatMap((g) => ([['httpNodePort', g.httpNodePort], ['httpsNodePort', g.httpsNodePort]] as const)
        .filter(([, nodePort]) => !containerPorts.has(nodePort))
        .map(([name, nodePort]) => v('gateway-nodeports-mapped', `${g.field}.${name}`,
          `NodePort ${nodePort} is not published by kind (containerPorts: [${[...containerPorts].join(', ')}]), so the host cannot reach the Gateway`,
          `add { containerPort: ${nodePort}, hostPort: ${nodePort} } to hostPortMappings of the cluster ${m.spec.clusterName}`,
          { target: 'cluster-props', path: ['hostPortMappings', '-'], value: { containerPort: nodePort, hostPort: nodePort } })));
    },
  },
];
