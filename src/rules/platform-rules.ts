import { Violation } from '../errors';
import { formatRange, Ipv4Range, rangeContains, rangesOverlap } from '../net/ipv4';
import { PlatformModel } from '../platform/platform-model';
import { GATEWAY_API_FOR_CILIUM, minorOf, SUPPORTED_CERT_MANAGER_MINORS, SUPPORTED_CILIUM_MINORS } from '../versions';

/**
 * Every cross-object rule of the platform, in one place. Each rule reads the whole model
 * (description, rendered kind config and Helm values, contributed facts) and returns violations
 * that name the offending prop/object and the fix.
 */
export interface PlatformRule {
  /** Stable id, used in errors and tests. */
  readonly id: string;
  /** One line: what the rule guarantees. */
  readonly summary: string;
  /** Returns the violations of this rule (empty when it holds). */
  check(model: PlatformModel): Violation[];
}

type Values = Record<string, any>;

function values(model: PlatformModel): Values {
  return model.ciliumValues as Values;
}

function kprEnabled(model: PlatformModel): boolean {
  return values(model).kubeProxyReplacement === true;
}

function v(rule: string, field: string, problem: string, fix: string): Violation {
  return { rule, field, problem, fix };
}

/** A device name from Cilium `devices` as an example interface name (`eth+` -> `eth0`). */
function exampleInterface(device: string): string {
  return device.endsWith('+') ? `${device.slice(0, -1)}0` : device;
}

/** A port mapping's host socket, for duplicate detection. */
interface HostSocket { field: string; address: string; port: number; protocol: string }

function hostSockets(model: PlatformModel): HostSocket[] {
  const sockets: HostSocket[] = [];
  model.kindConfig.nodes.forEach((node, n) => (node.extraPortMappings ?? []).forEach((m, i) => sockets.push({
    field: `${model.field}.kind.nodes[${n}].extraPortMappings[${i}] (hostPortMappings)`,
    address: m.listenAddress,
    port: m.hostPort,
    protocol: m.protocol,
  })));
  if (model.kindConfig.networking.apiServerPort !== undefined) {
    sockets.push({ field: `${model.field}.apiServerPort`, address: '127.0.0.1', port: model.kindConfig.networking.apiServerPort, protocol: 'TCP' });
  }
  return sockets;
}

const blocksOf = (model: PlatformModel) => model.pools.filter((p) => !p.disabled).flatMap((p) => p.blocks);

/** The rules, in the order they are reported. */
export const PLATFORM_RULES: readonly PlatformRule[] = [
  {
    id: 'subnets-overlap',
    summary: 'pod, service and docker network subnets are disjoint',
    check: (m) => {
      const nets: [string, Ipv4Range, string][] = [
        ['podSubnet', m.spec.podSubnet, m.spec.podSubnet.cidr],
        ['serviceSubnet', m.spec.serviceSubnet, m.spec.serviceSubnet.cidr],
        ['dockerNetworkSubnet', m.spec.dockerNetworkSubnet, m.spec.dockerNetworkSubnet.cidr],
      ];
      const out: Violation[] = [];
      for (let i = 0; i < nets.length; i++) {
        for (let j = i + 1; j < nets.length; j++) {
          if (rangesOverlap(nets[i][1], nets[j][1])) {
            out.push(v('subnets-overlap', `${m.field}.${nets[j][0]}`, `${nets[j][2]} overlaps ${nets[i][0]} ${nets[i][2]}`,
              'choose disjoint ranges, e.g. podSubnet 10.244.0.0/16, serviceSubnet 10.96.0.0/16, docker network 172.18.0.0/16'));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'pool-outside-docker-subnet',
    summary: 'every LB pool block lies inside the kind docker network (L2 announcements answer ARP there)',
    check: (m) => blocksOf(m).filter((b) => !rangeContains(m.spec.dockerNetworkSubnet, b.range)).map((b) => v(
      'pool-outside-docker-subnet', b.field,
      `block ${b.text} (${formatRange(b.range)}) is outside the kind docker network ${m.spec.dockerNetworkSubnet.cidr}, so nothing on the host can reach it`,
      `pick addresses inside ${m.spec.dockerNetworkSubnet.cidr} above those docker hands to nodes (e.g. a high /24), or set dockerNetworkSubnet to what \`docker network inspect kind\` reports`)),
  },
  {
    id: 'pools-overlap',
    summary: 'LB pool blocks do not overlap each other',
    check: (m) => {
      const blocks = blocksOf(m);
      const out: Violation[] = [];
      for (let i = 0; i < blocks.length; i++) {
        for (let j = i + 1; j < blocks.length; j++) {
          if (rangesOverlap(blocks[i].range, blocks[j].range)) {
            out.push(v('pools-overlap', blocks[j].field, `block ${blocks[j].text} overlaps ${blocks[i].field} (${blocks[i].text}); Cilium marks both pools as conflicting`,
              'make the blocks disjoint'));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'pool-overlaps-cluster-subnet',
    summary: 'LB pool blocks overlap neither the pod nor the service subnet',
    check: (m) => blocksOf(m).flatMap((b) => ([['podSubnet', m.spec.podSubnet], ['serviceSubnet', m.spec.serviceSubnet]] as const)
      .filter(([, net]) => rangesOverlap(net, b.range))
      .map(([name, net]) => v('pool-overlaps-cluster-subnet', b.field, `block ${b.text} overlaps the ${name} ${net.cidr}`,
        `move the block into the docker network ${m.spec.dockerNetworkSubnet.cidr}, outside the ${name}`))),
  },
  {
    id: 'lb-services-exceed-pool',
    summary: 'there are at least as many pool addresses as LoadBalancer Services',
    check: (m) => {
      const capacity = m.pools.filter((p) => !p.disabled && !p.hasServiceSelector).reduce((n, p) => n + p.size, 0);
      const selective = m.pools.some((p) => !p.disabled && p.hasServiceSelector);
      const needed = m.loadBalancerServices.length;
      if (needed === 0 || selective && capacity === 0) return [];
      if (needed > capacity) {
        return [v('lb-services-exceed-pool', m.loadBalancerServices[needed - 1].field,
          `${needed} LoadBalancer Services need addresses but the pools offer ${capacity}; the rest stay <pending>`,
          capacity === 0 ? 'add a CiliumLoadBalancerIPPool (LoadBalancerIpPool construct) to the cluster' : 'widen a pool block or add another pool')];
      }
      return [];
    },
  },
  {
    id: 'l2-needs-l2announcements',
    summary: 'an L2 announcement policy needs l2announcements.enabled and kube-proxy replacement',
    check: (m) => m.l2Policies.flatMap((p) => {
      const out: Violation[] = [];
      if (values(m).l2announcements?.enabled !== true) {
        out.push(v('l2-needs-l2announcements', p.field, 'the policy exists but Cilium l2announcements is not enabled, so no ARP answers are sent',
          `set l2Announcements: { enabled: true } on the cluster ${m.spec.clusterName}`));
      }
      if (!kprEnabled(m)) {
        out.push(v('l2-needs-kube-proxy-replacement', p.field, 'L2 announcements require kube-proxy replacement',
          `set kubeProxyReplacement: true on the cluster ${m.spec.clusterName}`));
      }
      if (!p.loadBalancerIPs && !p.externalIPs) {
        out.push(v('l2-announces-nothing', p.field, 'neither loadBalancerIPs nor externalIPs is announced', 'set loadBalancerIPs: true'));
      }
      return out;
    }),
  },
  {
    id: 'l2-interfaces-match-devices',
    summary: 'every L2 policy interface regex matches a Cilium device',
    check: (m) => {
      const devices: string[] = Array.isArray(values(m).devices) ? values(m).devices : String(values(m).devices ?? '').split(/[\s,]+/).filter(Boolean);
      return m.l2Policies.flatMap((p) => p.interfaces.flatMap((re, i) => {
        let regex: RegExp;
        try {
          regex = new RegExp(re);
        } catch {
          return [v('l2-interfaces-match-devices', `${p.field}.interfaces[${i}]`, `"${re}" is not a valid regular expression`, 'use a regex such as ^eth[0-9]+$')];
        }
        return devices.some((d) => regex.test(exampleInterface(d))) ? [] : [v('l2-interfaces-match-devices', `${p.field}.interfaces[${i}]`,
          `"${re}" matches none of the Cilium devices [${devices.join(', ')}], so no node answers ARP for the pool`,
          `use a regex matching the devices (e.g. ^${devices[0] ?? 'eth0'}$) or add the interface to the cluster's devices`)];
      }));
    },
  },
  {
    id: 'kube-proxy-replacement-consistent',
    summary: 'kube-proxy replacement has k8sServiceHost/Port and kind runs no kube-proxy (and the reverse)',
    check: (m) => {
      const vals = values(m);
      const out: Violation[] = [];
      if (typeof vals.kubeProxyReplacement !== 'boolean') {
        out.push(v('kube-proxy-replacement-boolean', `${m.field}.ciliumValues.kubeProxyReplacement`,
          `${JSON.stringify(vals.kubeProxyReplacement)} is rejected by Cilium 1.18 (only true/false; "strict" was removed)`, 'use kubeProxyReplacement: true or false'));
        return out;
      }
      const kindMode = m.kindConfig.networking.kubeProxyMode;
      if (vals.kubeProxyReplacement) {
        if (vals.k8sServiceHost !== `${m.spec.clusterName}-control-plane`) {
          out.push(v('kpr-needs-k8s-service-host', `${m.field}.ciliumValues.k8sServiceHost`,
            `is ${JSON.stringify(vals.k8sServiceHost)}; without kube-proxy Cilium must reach the API server directly`,
            `set k8sServiceHost: ${m.spec.clusterName}-control-plane (drop the override)`));
        }
        if (Number(vals.k8sServicePort) !== 6443) {
          out.push(v('kpr-needs-k8s-service-port', `${m.field}.ciliumValues.k8sServicePort`, `is ${JSON.stringify(vals.k8sServicePort)}; the API server listens on 6443 inside kind`,
            'set k8sServicePort: 6443 (drop the override)'));
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
    summary: 'native routing uses the pod subnet as ipv4NativeRoutingCIDR',
    check: (m) => {
      const vals = values(m);
      if (vals.routingMode !== 'native') return [];
      return vals.ipv4NativeRoutingCIDR === m.spec.podSubnet.cidr ? [] : [v('native-routing-cidr', `${m.field}.ciliumValues.ipv4NativeRoutingCIDR`,
        `is ${JSON.stringify(vals.ipv4NativeRoutingCIDR)} but the pod subnet is ${m.spec.podSubnet.cidr}; pod traffic would be masqueraded or dropped`,
        `set it to ${m.spec.podSubnet.cidr} (drop the override)`)];
    },
  },
  {
    id: 'cluster-domain',
    summary: 'hubble.peerService.clusterDomain equals the cluster DNS domain',
    check: (m) => {
      const hubble = values(m).hubble;
      if (!hubble?.enabled) return [];
      const domain = hubble.peerService?.clusterDomain;
      return domain === m.spec.dnsDomain ? [] : [v('cluster-domain', `${m.field}.ciliumValues.hubble.peerService.clusterDomain`,
        `is ${JSON.stringify(domain)} but the cluster DNS domain is ${m.spec.dnsDomain}; hubble-relay cannot find its peers`,
        `set it to ${m.spec.dnsDomain} (drop the override)`)];
    },
  },
  {
    id: 'removed-cilium-keys',
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
  {
    id: 'datapath-prerequisites',
    summary: 'bpf masquerade, ip-masq-agent, XDP and DSR have their prerequisites',
    check: (m) => {
      const vals = values(m);
      const out: Violation[] = [];
      if (vals.bpf?.masquerade === true && !kprEnabled(m)) {
        out.push(v('bpf-masquerade-needs-kpr', `${m.field}.masquerade.bpf`, 'eBPF masquerading requires kube-proxy replacement', 'set kubeProxyReplacement: true or masquerade.bpf: false'));
      }
      if (vals.ipMasqAgent?.enabled === true && vals.bpf?.masquerade !== true) {
        out.push(v('ip-masq-agent-needs-bpf-masquerade', `${m.field}.masquerade.ipMasqAgent`, 'the eBPF ip-masq-agent only works with bpf.masquerade', 'set masquerade.bpf: true'));
      }
      const accel = vals.loadBalancer?.acceleration;
      if (accel !== undefined && accel !== 'disabled' && !kprEnabled(m)) {
        out.push(v('xdp-needs-kpr', `${m.field}.loadBalancer.acceleration`, 'XDP acceleration requires kube-proxy replacement', 'set kubeProxyReplacement: true or acceleration: disabled'));
      }
      const mode = vals.loadBalancer?.mode;
      if ((mode === 'dsr' || mode === 'hybrid') && vals.routingMode !== 'native') {
        out.push(v('dsr-needs-native-routing', `${m.field}.loadBalancer.mode`, `${mode} needs native routing (tunnel mode only supports snat)`, 'set routingMode: native or loadBalancer.mode: snat'));
      }
      return out;
    },
  },
  {
    id: 'l2announcements-need-kpr',
    summary: 'L2 announcements run only with kube-proxy replacement',
    check: (m) => values(m).l2announcements?.enabled === true && !kprEnabled(m) ? [v('l2announcements-need-kpr', `${m.field}.l2Announcements`,
      'Cilium L2 announcements require kube-proxy replacement; without it no LoadBalancer IP is announced',
      'set kubeProxyReplacement: true, or drop l2Announcements')] : [],
  },
  {
    id: 'hubble-ui-needs-relay',
    summary: 'hubble-ui is deployed only together with hubble-relay (the chart refuses otherwise)',
    check: (m) => {
      const hubble = values(m).hubble;
      if (!hubble?.ui?.enabled || hubble.relay?.enabled || hubble.ui.standalone?.enabled) return [];
      return [v('hubble-ui-needs-relay', `${m.field}.ciliumValues.hubble.ui.enabled`,
        'hubble-ui is enabled without hubble-relay; the Cilium chart fails the install ("hubble-ui requires hubble-relay")',
        'enable hubble.relay (hubble: { relay: true }) or disable hubble.ui, and drop the override that contradicts it')];
    },
  },
  {
    id: 'operator-replicas-fit-nodes',
    summary: 'no more cilium-operator replicas than nodes (the chart spreads them one per node)',
    check: (m) => {
      const replicas = values(m).operator?.replicas;
      const nodes = m.kindConfig.nodes.length;
      return typeof replicas === 'number' && replicas > nodes ? [v('operator-replicas-fit-nodes', `${m.field}.ciliumValues.operator.replicas (operatorReplicas)`,
        `${replicas} cilium-operator replicas but only ${nodes} node(s); the chart's required pod anti-affinity allows one per node, so the rest stay Pending`,
        `use at most ${nodes} replicas (operatorReplicas), and drop the override that raises it`)] : [];
    },
  },
  {
    id: 'gateway-prerequisites',
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
    id: 'gateway-nodeports-mapped',
    summary: 'kind publishes exactly the Gateway NodePorts to the host',
    check: (m) => {
      const containerPorts = new Set(m.kindConfig.nodes.flatMap((n) => (n.extraPortMappings ?? []).map((p) => p.containerPort)));
      return m.gateways.flatMap((g) => ([['httpNodePort', g.httpNodePort], ['httpsNodePort', g.httpsNodePort]] as const)
        .filter(([, nodePort]) => !containerPorts.has(nodePort))
        .map(([name, nodePort]) => v('gateway-nodeports-mapped', `${g.field}.${name}`,
          `NodePort ${nodePort} is not published by kind (containerPorts: [${[...containerPorts].join(', ')}]), so the host cannot reach the Gateway`,
          `add { containerPort: ${nodePort}, hostPort: ${nodePort} } to hostPortMappings of the cluster ${m.spec.clusterName}`)));
    },
  },
  {
    id: 'duplicate-host-ports',
    summary: 'no two host port mappings bind the same host socket',
    check: (m) => {
      const sockets = hostSockets(m);
      const out: Violation[] = [];
      for (let i = 0; i < sockets.length; i++) {
        for (let j = i + 1; j < sockets.length; j++) {
          const a = sockets[i];
          const b = sockets[j];
          const sameAddress = a.address === b.address || a.address === '0.0.0.0' || b.address === '0.0.0.0';
          if (a.port === b.port && a.protocol === b.protocol && sameAddress) {
            out.push(v('duplicate-host-ports', b.field, `host port ${b.protocol} ${b.address}:${b.port} is already bound by ${a.field}; docker would fail to start the node`,
              'use a different hostPort'));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'version-matrix',
    summary: 'Cilium, Gateway API and cert-manager releases are a checked pairing',
    check: (m) => {
      const out: Violation[] = [];
      const { ciliumVersion, versions } = m.spec;
      const minor = minorOf(ciliumVersion);
      if (!SUPPORTED_CILIUM_MINORS.includes(minor)) {
        out.push(v('cilium-version-unsupported', `${m.field}.ciliumVersion`, `Cilium ${ciliumVersion} is not supported; this library writes Helm values for Cilium ${SUPPORTED_CILIUM_MINORS.join(', ')}.x`,
          `use a ${SUPPORTED_CILIUM_MINORS[0]}.x chart version, e.g. 1.18.4`));
        return out;
      }
      const expected = GATEWAY_API_FOR_CILIUM[minor];
      if (versions.gatewayApi !== expected && !versions.allowUnsupportedPair) {
        out.push(v('gateway-api-cilium-mismatch', `${m.field}.versions.gatewayApi`,
          `Gateway API ${versions.gatewayApi} does not pair with Cilium ${ciliumVersion} (Cilium ${minor} is built and tested against ${expected})`,
          `use ${expected}, or set versions.allowUnsupportedPair: true to take responsibility for the pairing`));
      }
      if (!/^v\d+\.\d+\.\d+$/.test(versions.certManager) || (!SUPPORTED_CERT_MANAGER_MINORS.includes(minorOf(versions.certManager)) && !versions.allowUnsupportedPair)) {
        out.push(v('cert-manager-version-unsupported', `${m.field}.versions.certManager`,
          `cert-manager ${versions.certManager} is outside the checked matrix (${SUPPORTED_CERT_MANAGER_MINORS.join(', ')}.x)`,
          'use v1.19.6, or set versions.allowUnsupportedPair: true'));
      }
      return out;
    },
  },
  {
    id: 'default-deny-allows-dns',
    summary: 'a default-deny policy keeps DNS egress to kube-dns',
    check: (m) => m.defaultDenyPolicies.filter((p) => !p.allowsDnsEgress).map((p) => v('default-deny-allows-dns', p.field,
      'denies all egress without allowing DNS to kube-dns, so every lookup in the cluster times out', 'allow egress to kube-dns on UDP and TCP 53 (the ClusterDefaultDeny construct does by default)')),
  },
];

/** Runs every rule against the model. */
export function checkPlatform(model: PlatformModel): Violation[] {
  return PLATFORM_RULES.flatMap((rule) => rule.check(model));
}

/** Number of addresses in all enabled pools (reported in the bundle index). */
export function poolCapacity(model: PlatformModel): number {
  return model.pools.filter((p) => !p.disabled).reduce((n, p) => n + p.size, 0);
}

/**
 * Rules across clusters of one app. All kind clusters of a host share the docker network and the
 * host's ports, so two clusters must not claim the same pool addresses, host sockets or name.
 */
export function checkAcrossClusters(models: readonly PlatformModel[]): Violation[] {
  const out: Violation[] = [];
  const blocks = models.map(blocksOf);
  const sockets = models.map(hostSockets);
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      const a = models[i];
      const b = models[j];
      if (a.spec.clusterName === b.spec.clusterName) {
        out.push(v('duplicate-cluster-name', `${b.field}.clusterName`, `"${b.spec.clusterName}" is already used by ${a.field}; kind cluster names and output files must be unique`,
          'give each cluster its own clusterName'));
      }
      if (rangesOverlap(a.spec.dockerNetworkSubnet, b.spec.dockerNetworkSubnet)) {
        for (const bb of blocks[j]) {
          const clash = blocks[i].find((ab) => rangesOverlap(ab.range, bb.range));
          if (clash) {
            out.push(v('pools-overlap-across-clusters', bb.field, `block ${bb.text} overlaps ${clash.field} (${clash.text}) of cluster ${a.spec.clusterName} on the same docker network; both would answer ARP for the same addresses`,
              'give each cluster its own block (e.g. a different high /24 or range)'));
          }
        }
      }
      for (const sb of sockets[j]) {
        const clash = sockets[i].find((sa) => sa.port === sb.port && sa.protocol === sb.protocol
          && (sa.address === sb.address || sa.address === '0.0.0.0' || sb.address === '0.0.0.0'));
        if (clash) {
          out.push(v('duplicate-host-ports', sb.field, `host port ${sb.protocol} ${sb.address}:${sb.port} is also bound by ${clash.field} of cluster ${a.spec.clusterName}; both clusters cannot run at once`,
            'use a different hostPort'));
        }
      }
    }
  }
  return out;
}

/** Identity of a Kubernetes object in a cluster. */
interface ObjectIdentity { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }

/**
 * Two objects of one cluster with the same group, kind, namespace and name would overwrite each
 * other on apply: report the second one.
 */
export function checkDuplicateObjects(field: string, objects: readonly ObjectIdentity[]): Violation[] {
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const o of objects) {
    const group = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/')[0] : '';
    const id = `${group}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (seen.has(id)) {
      out.push(v('duplicate-object-names', `${field}: ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`,
        'two objects share this kind, namespace and name; the second would overwrite the first on apply', 'give one of them another name'));
    }
    seen.add(id);
  }
  return out;
}
