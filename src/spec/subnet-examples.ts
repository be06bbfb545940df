import { Ipv4Range, parseIpv4Cidr, rangesOverlap } from '../private/ipv4';

/**
 * The example CIDR a fix names for a cluster subnet. An example is only a fix when the cluster accepts it, so it
 * must be an IPv4 CIDR (the cluster is IPv4 only) and lie clear of the cluster's other subnets: a hint of
 * `10.244.0.0/16` for an IPv6 `dockerNetworkSubnet`, or for a pod subnet next to a service subnet of `10.244.0.0/16`,
 * would be refused for overlapping the next time (trust issue 19, point 8). Pure functions.
 */

/** The subnets of a cluster description a fix can name. */
export type SubnetRole = 'podSubnet' | 'serviceSubnet' | 'dockerNetworkSubnet';

/** Candidates per role, the kind/kubeadm/docker default first. */
const CANDIDATES: Readonly<Record<SubnetRole, readonly string[]>> = {
  podSubnet: ['10.244.0.0/16', '10.245.0.0/16', '10.246.0.0/16', '10.200.0.0/16'],
  serviceSubnet: ['10.96.0.0/16', '10.97.0.0/16', '10.98.0.0/16', '10.201.0.0/16'],
  // docker's default address pools hand out 172.17-31.0.0/16 to bridge networks; kind's network usually gets 172.18.
  dockerNetworkSubnet: ['172.18.0.0/16', '172.19.0.0/16', '172.20.0.0/16', '172.21.0.0/16'],
};

/** The raw subnet props of a description (any type: they may be the invalid values being reported). */
export type SubnetProps = Partial<Record<SubnetRole, unknown>>;

/**
 * An IPv4 CIDR for `role` that overlaps none of the other subnets of `props` that parse (and, for the subnets left
 * at their defaults, none of those defaults).
 */
export function subnetExample(role: SubnetRole, props: SubnetProps): string {
  const others = (Object.keys(CANDIDATES) as SubnetRole[]).filter((r) => r !== role).flatMap((r): Ipv4Range[] => {
    const parsed = parseIpv4Cidr(typeof props[r] === 'string' ? props[r] as string : CANDIDATES[r][0]);
    return typeof parsed === 'string' ? [] : [parsed];
  });
  const fits = CANDIDATES[role].find((c) => !others.some((o) => rangesOverlap(o, parseIpv4Cidr(c) as Ipv4Range)));
  return fits ?? CANDIDATES[role][0];
}
