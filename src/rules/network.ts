import { Violation } from '../errors';
import { allocatableOf, blocksOf, hostSockets, socketsClash, v } from './common';
import { ClusterRule } from './rule';
import { formatIpv4, formatRange, Ipv4Range, joinList, parseIpv4, rangeContains, rangeIntersection, rangesOverlap } from '../private/ipv4';
import { defaultPoolRange, dockerReservedRanges } from '../spec/docker-network';
import { SubnetRole, subnetExample } from '../spec/subnet-examples';

/** Addresses: subnets, LB pools and host ports of one cluster. */
export const NETWORK_RULES: readonly ClusterRule[] = [
  {
    id: 'subnets-overlap',
    emits: ['subnets-overlap'],
    suggests: ['subnets-overlap'],
    summary: 'pod, service and docker network subnets are disjoint',
    check: (m) => {
      const nets: [SubnetRole, Ipv4Range, string][] = [
        ['podSubnet', m.spec.podSubnet, m.spec.podSubnet.cidr],
        ['serviceSubnet', m.spec.serviceSubnet, m.spec.serviceSubnet.cidr],
        ['dockerNetworkSubnet', m.spec.dockerNetworkSubnet, m.spec.dockerNetworkSubnet.cidr],
      ];
      const out: Violation[] = [];
      for (let i = 0; i < nets.length; i++) {
        for (let j = i + 1; j < nets.length; j++) {
          if (rangesOverlap(nets[i][1], nets[j][1])) {
            // The docker network is what docker made (the host decides it), so the fix moves the cluster's own subnet.
            const move = nets[j][0] === 'dockerNetworkSubnet' ? nets[i][0] : nets[j][0];
            const subnets = Object.fromEntries(nets.map(([role, , text]) => [role, text]));
            const example = subnetExample(move, subnets);
            out.push(v('subnets-overlap', `${m.field}.${nets[j][0]}`, `${nets[j][2]} overlaps ${nets[i][0]} ${nets[i][2]}`,
              `choose disjoint ranges, e.g. ${move}: '${example}'`, { target: 'cluster-props', path: [move], value: example }));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'pool-outside-docker-subnet',
    emits: ['pool-outside-docker-subnet'],
    summary: 'every LB pool block lies inside the kind docker network (L2 announcements answer ARP there)',
    check: (m) => blocksOf(m).filter((b) => !rangeContains(m.spec.dockerNetworkSubnet, b.range)).map((b) => v(
      'pool-outside-docker-subnet', b.field,
      `block ${b.text}${b.text === formatRange(b.range) ? '' : ` (${formatRange(b.range)})`} is outside the kind docker network ${m.spec.dockerNetworkSubnet.cidr}, so nothing on the host can reach it`,
      `pick addresses inside ${m.spec.dockerNetworkSubnet.cidr} above those docker hands to nodes (e.g. a high /24), or set dockerNetworkSubnet to the IPv4 subnet \`docker network inspect kind\` reports`)),
  },
  {
    id: 'pool-avoids-docker-addresses',
    emits: ['pool-covers-docker-addresses'],
    suggests: ['pool-covers-docker-addresses'],
    summary: 'no LB pool block covers an address docker uses on the kind network (network address, gateway, node addresses, broadcast)',
    // Judged on the addresses LB-IPAM hands out: a CIDR block of a pool with allowFirstLastIPs: No never gives out its
    // first and last address, so a /24 ending on the broadcast address is fine then (seed 003: 172.18.255.0/24).
    check: (m) => blocksOf(m).flatMap((b) => {
      const reserved = dockerReservedRanges(m.spec.dockerNetworkSubnet);
      const covered = reserved.flatMap((r) => {
        const shared = rangeIntersection(r, allocatableOf(b));
        return shared ? [`${formatRange(shared)} (${r.reason})`] : [];
      });
      if (covered.length === 0) return [];
      const problem = `block ${b.text} covers ${joinList(covered)}; with L2 announcements the cluster would answer ARP for them`;
      if (b.withoutFirstLast && !reserved.some((r) => rangesOverlap(r, b.withoutFirstLast!))) {
        return [v('pool-covers-docker-addresses', b.field, problem,
          `set allowFirstLastIps: false on the pool: Cilium then never hands out the block's first and last address (${formatIpv4(b.range.first)}, `
            + `${formatIpv4(b.range.last)}), and the rest of ${b.text} is clear of docker's addresses`,
          { target: 'construct-props', path: ['allowFirstLastIps'], value: false })];
      }
      const suggestion = defaultPoolRange(m.spec.dockerNetworkSubnet);
      const fits = typeof suggestion !== 'string';
      const index = /\.blocks\[(\d+)\]$/.exec(b.field)?.[1];
      return [v('pool-covers-docker-addresses', b.field, problem,
        fits
          ? `use addresses at the high end of ${m.spec.dockerNetworkSubnet.cidr}, e.g. { start: '${suggestion.start}', stop: '${suggestion.stop}' } (or omit blocks for that default)`
          : `use a larger docker network than ${m.spec.dockerNetworkSubnet.cidr} (set dockerNetworkSubnet to the IPv4 subnet \`docker network inspect kind\` reports)`,
        fits && index !== undefined
          ? { target: 'construct-props', path: ['blocks', Number(index)], value: { start: suggestion.start, stop: suggestion.stop } } : undefined)];
    }),
  },
  {
    id: 'pools-overlap',
    emits: ['pools-overlap'],
    summary: 'LB pool blocks do not overlap each other',
    check: (m) => {
      const blocks = blocksOf(m);
      const out: Violation[] = [];
      for (let i = 0; i < blocks.length; i++) {
        for (let j = i + 1; j < blocks.length; j++) {
          const shared = rangeIntersection(blocks[i].range, blocks[j].range);
          if (shared) {
            out.push(v('pools-overlap', blocks[j].field,
              `block ${blocks[j].text} overlaps ${blocks[i].field} (${blocks[i].text}): both hold ${formatRange(shared)}; Cilium marks both pools as conflicting`,
              'make the blocks disjoint'));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'pool-overlaps-cluster-subnet',
    emits: ['pool-overlaps-cluster-subnet'],
    summary: 'LB pool blocks overlap neither the pod nor the service subnet',
    check: (m) => blocksOf(m).flatMap((b) => ([['podSubnet', m.spec.podSubnet], ['serviceSubnet', m.spec.serviceSubnet]] as const)
      .flatMap(([name, net]) => {
        const shared = rangeIntersection(net, b.range);
        return shared ? [{ name, net, shared }] : [];
      })
      .map(({ name, net, shared }) => v('pool-overlaps-cluster-subnet', b.field, `block ${b.text} overlaps the ${name} ${net.cidr}: both hold ${formatRange(shared)}`,
        `move the block into the docker network ${m.spec.dockerNetworkSubnet.cidr}, outside the ${name}`))),
  },
  {
    id: 'lb-services-exceed-pool',
    emits: ['lb-services-exceed-pool'],
    summary: 'there are at least as many pool addresses as LoadBalancer Services',
    check: (m) => {
      const capacity = m.pools.filter((p) => !p.disabled && !p.hasServiceSelector).reduce((n, p) => n + p.size, 0);
      const selective = m.pools.some((p) => !p.disabled && p.hasServiceSelector);
      const needed = m.loadBalancerServices.length;
      if (needed === 0 || selective && capacity === 0) return [];
      if (needed > capacity) {
        return [v('lb-services-exceed-pool', m.loadBalancerServices[needed - 1].field,
          `${needed === 1 ? '1 LoadBalancer Service needs an address' : `${needed} LoadBalancer Services need addresses`} but the pools offer ${capacity}; `
            + `${needed - capacity === 1 ? 'one stays' : `${needed - capacity} stay`} <pending>`,
          capacity === 0 ? 'add a CiliumLoadBalancerIPPool (LoadBalancerIpPool construct) to the cluster' : 'widen a pool block or add another pool')];
      }
      return [];
    },
  },
  {
    id: 'lb-requested-addresses',
    emits: ['lb-address-outside-pool', 'lb-address-requested-twice'],
    summary: 'every address a LoadBalancer Service requests (lbipam.cilium.io/ips) lies in an enabled pool and is requested once',
    check: (m) => {
      const blocks = blocksOf(m);
      const owners = new Map<number, { field: string; sharingKey?: string }>();
      const out: Violation[] = [];
      for (const service of m.loadBalancerServices) {
        for (const ip of service.requestedIps ?? []) {
          const field = `${service.field} (annotation lbipam.cilium.io/ips)`;
          const address = parseIpv4(ip);
          // an address LB-IPAM holds back (first/last of a CIDR block with allowFirstLastIPs: No) is never assigned
          if (address === undefined || !blocks.some((b) => rangeContains(allocatableOf(b), { first: address, last: address }))) {
            out.push(v('lb-address-outside-pool', field,
              `${ip} requested by Service ${service.namespace}/${service.name} is in no enabled LB pool of the cluster; Cilium never assigns it and the Service stays <pending>`,
              blocks.length === 0 ? 'add a LoadBalancerIpPool whose blocks contain the address'
                : `request an address inside ${blocks.map((b) => b.text).join(', ')}, or widen a pool`));
            continue;
          }
          const first = owners.get(address);
          if (first && (first.sharingKey === undefined || first.sharingKey !== service.sharingKey)) {
            out.push(v('lb-address-requested-twice', field,
              `${ip} is also requested by ${first.field}; Cilium gives it to one Service and leaves the other <pending>`,
              'request another address, or give both Services the same lbipam.cilium.io/sharing-key annotation (ports must differ)'));
          } else if (!first) {
            owners.set(address, { field, ...(service.sharingKey !== undefined ? { sharingKey: service.sharingKey } : {}) });
          }
        }
      }
      return out;
    },
  },
  {
    id: 'duplicate-host-ports',
    emits: ['duplicate-host-ports'],
    summary: 'no two host port mappings bind the same host socket',
    check: (m) => {
      const sockets = hostSockets(m);
      const out: Violation[] = [];
      for (let i = 0; i < sockets.length; i++) {
        for (let j = i + 1; j < sockets.length; j++) {
          const a = sockets[i];
          const b = sockets[j];
          if (socketsClash(a, b)) {
            out.push(v('duplicate-host-ports', b.field, `host port ${b.protocol} ${b.address}:${b.port} is already bound by ${a.field}; docker would fail to start the node`,
              'use a different hostPort'));
          }
        }
      }
      return out;
    },
  },
];
