import { Violation } from '../errors';
import { CILIUM_CONFIG_RULE } from './cilium-config-constraints';
import { kprEnabled, kprSetting, v, values } from './common';
import { ClusterRule } from './rule';
import { parseIpv4Cidr, rangeContains } from '../private/ipv4';
import { KIND_API_SERVER_INTERNAL_PORT, kindApiServerHost, kindApiServerHosts } from '../render/cilium-values';

/**
 * Datapath: kube-proxy replacement, routing, Helm keys; Cilium's own config constraints (masquerading,
 * acceleration, DSR, tunnelling, Hubble metrics) are the declared table in cilium-config-constraints.ts.
 */
export const DATAPATH_RULES: readonly ClusterRule[] = [
  {
    id: 'kube-proxy-replacement-consistent',
    emits: ['kpr-needs-k8s-service-host', 'kpr-needs-k8s-service-port', 'kpr-with-kube-proxy', 'kube-proxy-replacement-boolean', 'no-kpr-without-kube-proxy'],
    suggests: ['kpr-needs-k8s-service-host', 'kpr-needs-k8s-service-port'],
    summary: 'kube-proxy replacement has k8sServiceHost/Port and kind runs no kube-proxy (and the reverse)',
    check: (m) => {
      const vals = values(m);
      const out: Violation[] = [];
      if (kprSetting(m) === undefined) {
        out.push(v('kube-proxy-replacement-boolean', `${m.field}.ciliumValues.kubeProxyReplacement`,
          `${JSON.stringify(vals.kubeProxyReplacement)} is rejected by Cilium 1.18 (only true/false, or the strings "true"/"false" the chart also takes; "strict" and "partial" were removed)`,
          'use kubeProxyReplacement: true or false'));
        return out;
      }
      const kindMode = m.kindConfig.networking.kubeProxyMode;
      if (kprEnabled(m)) {
        // kind names the API server's host: the control-plane container, or with 2+ control planes its HAProxy
        // container <name>-external-load-balancer (both reach an API server on 6443 from the kind network); `auto`
        // reads it from kube-public/cluster-info (kubeadm writes kind's controlPlaneEndpoint there) at install time.
        const hosts = kindApiServerHosts(m.spec.clusterName, m.spec.controlPlaneNodes);
        const preferred = kindApiServerHost(m.spec.clusterName, m.spec.controlPlaneNodes);
        if (!hosts.includes(vals.k8sServiceHost)) {
          out.push(v('kpr-needs-k8s-service-host', `${m.field}.ciliumValues.k8sServiceHost`,
            `is ${JSON.stringify(vals.k8sServiceHost)}; without kube-proxy Cilium must reach the API server directly (${hosts.join(' or ')})`,
            `set k8sServiceHost: ${preferred} (drop the override)`, { target: 'helm-values', path: ['k8sServiceHost'], value: preferred }));
        }
        if (Number(vals.k8sServicePort) !== KIND_API_SERVER_INTERNAL_PORT) {
          out.push(v('kpr-needs-k8s-service-port', `${m.field}.ciliumValues.k8sServicePort`, `is ${JSON.stringify(vals.k8sServicePort)}; the API server listens on 6443 inside kind`,
            'set k8sServicePort: 6443 (drop the override)', { target: 'helm-values', path: ['k8sServicePort'], value: KIND_API_SERVER_INTERNAL_PORT }));
        }
        if (kindMode !== 'none') {
          out.push(v('kpr-with-kube-proxy', `${m.field}.kind.networking.kubeProxyMode`, `is ${kindMode ?? 'iptables (default)'} while Cilium replaces kube-proxy; both would program services`,
            'set kubeProxyMode: none (kubeProxyReplacement: true does this)'));
        }
      } else if (kindMode === 'none') {
        out.push(v('no-kpr-without-kube-proxy', `${m.field}.kind.networking.kubeProxyMode`, 'kube-proxy is disabled but Cilium does not replace it: Services would not work',
          'enable kubeProxyReplacement, or let kind run kube-proxy'));
      }
      return out;
    },
  },
  {
    id: 'native-routing-cidr',
    emits: ['native-routing-cidr'],
    suggests: ['native-routing-cidr'],
    summary: 'native routing: ipv4NativeRoutingCIDR is an IPv4 CIDR covering the pod subnet (a wider one such as 10.0.0.0/8 is fine)',
    check: (m) => {
      const vals = values(m);
      if (vals.routingMode !== 'native') return [];
      // Cilium hands traffic to destinations inside the CIDR to the network unmasqueraded (native-routing.rst);
      // pods must be inside, anything wider only widens what is not masqueraded.
      const wanted = m.meshMemberships[0]?.nativeRoutingCidr ?? m.spec.podSubnet.cidr;
      const parsed = typeof vals.ipv4NativeRoutingCIDR === 'string' ? parseIpv4Cidr(vals.ipv4NativeRoutingCIDR) : undefined;
      if (parsed !== undefined && typeof parsed !== 'string' && rangeContains(parsed, m.spec.podSubnet)) return [];
      const why = parsed === undefined ? 'is not set' : typeof parsed === 'string' ? parsed : `does not cover the pod subnet ${m.spec.podSubnet.cidr}`;
      return [v('native-routing-cidr', `${m.field}.ciliumValues.ipv4NativeRoutingCIDR`,
        `${JSON.stringify(vals.ipv4NativeRoutingCIDR)} ${why}; with native routing, pod traffic to addresses outside it is masqueraded, so pods would reach each other with node addresses`,
        `set it to ${wanted} or a CIDR covering it (or drop the override)`, { target: 'helm-values', path: ['ipv4NativeRoutingCIDR'], value: wanted })];
    },
  },
  {
    id: 'removed-cilium-keys',
    emits: ['hubble-metrics-list', 'removed-cilium-keys'],
    summary: 'no Helm keys removed before Cilium 1.18 and the right value shapes',
    check: (m) => {
      const vals = values(m);
      const out: Violation[] = [];
      const removed: [string, unknown][] = [
        ['hostServices', vals.hostServices], ['externalIPs.enabled', vals.externalIPs?.enabled], ['hostPort.enabled', vals.hostPort?.enabled],
      ];
      for (const [key, value] of removed) {
        if (value !== undefined) {
          out.push(v('removed-cilium-keys', `${m.field}.ciliumValues.${key}`, 'was removed from Cilium; the chart ignores it silently',
            'drop it: kube-proxy replacement covers host services, external IPs and host ports'));
        }
      }
      const metrics = vals.hubble?.metrics?.enabled;
      if (metrics !== undefined && metrics !== null && !Array.isArray(metrics)) {
        out.push(v('hubble-metrics-list', `${m.field}.ciliumValues.hubble.metrics.enabled`, 'must be a list in Cilium 1.18', 'write it as a list, e.g. [dns, drop, tcp, flow]'));
      }
      return out;
    },
  },
  CILIUM_CONFIG_RULE,
  {
    id: 'operator-replicas-fit-nodes',
    emits: ['operator-replicas-fit-nodes'],
    suggests: ['operator-replicas-fit-nodes'],
    summary: 'no more cilium-operator replicas than nodes (the chart spreads them one per node)',
    check: (m) => {
      const replicas = values(m).operator?.replicas;
      const nodes = m.kindConfig.nodes.length;
      return typeof replicas === 'number' && replicas > nodes ? [v('operator-replicas-fit-nodes', `${m.field}.ciliumValues.operator.replicas (operatorReplicas)`,
        `${replicas} cilium-operator replicas but only ${nodes} node(s); the chart's required pod anti-affinity allows one per node, so the rest stay Pending`,
        `use at most ${nodes} replicas (operatorReplicas), and drop the override that raises it`,
        { target: 'helm-values', path: ['operator', 'replicas'], value: nodes })] : [];
    },
  },
];
