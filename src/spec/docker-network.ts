import { formatIpv4, Ipv4Cidr, Ipv4Range } from '../private/ipv4';

/** An address range docker itself uses on the kind network, with the reason. */
export interface DockerReservedRange extends Ipv4Range {
  /** Why docker uses it, for messages. */
  readonly reason: string;
}

/**
 * Addresses of the kind docker network that docker itself hands out, which an LB pool must not cover
 * (with L2 announcements the cluster would answer ARP for them and steal their traffic), one entry per use so
 * that a message names exactly the addresses a block covers and why:
 *
 * - the network address, the first of the subnet;
 * - the gateway, the first usable address (`.1`): docker's default IPAM takes it for the bridge (moby
 *   `libnetwork/ipams/defaultipam`);
 * - the addresses docker gives containers (the kind nodes and anything else on the network): the default
 *   IPAM allocates them in order from the bottom of the subnet, so the rest of the lowest /24 (in a network of
 *   /23 or larger) or of the lower half (in a smaller one) is reserved for them;
 * - the broadcast address, the last of the subnet.
 */
export function dockerReservedRanges(subnet: Ipv4Cidr): DockerReservedRange[] {
  const size = subnet.last - subnet.first + 1;
  const nodeSpan = size >= 512 ? 256 : Math.max(2, Math.floor(size / 2));
  const ranges: DockerReservedRange[] = [
    { first: subnet.first, last: subnet.first, reason: 'the network address' },
    { first: subnet.first + 1, last: subnet.first + 1, reason: "docker's gateway" },
    {
      first: subnet.first + 2,
      last: subnet.first + nodeSpan - 1,
      reason: 'addresses docker hands to the kind nodes and other containers, in order from the bottom of the subnet',
    },
    { first: subnet.last, last: subnet.last, reason: 'the broadcast address' },
  ];
  // In a /31 or /32 the entries coincide: keep the first use of each address.
  const usable = (r: DockerReservedRange) => r.first <= r.last && r.last <= subnet.last;
  return ranges.filter((r, i) => usable(r) && !ranges.slice(0, i).some((x) => usable(x) && x.first <= r.last && r.first <= x.last));
}

/** Third octet of the default /24 in large docker networks, counted from the top: x.y.250.0/24 in a /16. */
const DEFAULT_SLOT_FROM_TOP = 6;

/**
 * The address range of the `index`-th default LB pool: deterministic, at the HIGH end of the kind docker
 * network, far from the gateway and node addresses docker hands out from the bottom, and never covering
 * a {@link dockerReservedRanges} address.
 *
 * - prefix <= 20: `.100-.254` of the /24 six from the top, one /24 lower per index
 *   (172.18.0.0/16: 172.18.250.100-172.18.250.254, then 172.18.249.100-172.18.249.254, ...);
 * - prefix 21-27: the upper half split in four aligned chunks of 1/8 of the subnet, top chunk first,
 *   without the broadcast address (172.18.0.0/24: 172.18.0.224-172.18.0.254, then .192-.223, ...).
 *
 * @returns the range, or why there is none (a subnet smaller than /27, or no room left)
 */
export function defaultPoolRange(subnet: Ipv4Cidr, index = 0): { readonly start: string; readonly stop: string } | string {
  const { prefix, first, last, cidr } = subnet;
  if (prefix <= 20) {
    const slot = 2 ** (24 - prefix) - DEFAULT_SLOT_FROM_TOP - index;
    if (slot < 1) return `the docker network ${cidr} has no room for default pool #${index + 1} (default pools use one /24 each, below the sixth /24 from the top)`;
    const base = first + slot * 256;
    return { start: formatIpv4(base + 100), stop: formatIpv4(base + 254) };
  }
  if (prefix > 27) return `the docker network ${cidr} is too small to carve a default pool from (it needs /27 or larger)`;
  if (index > 3) return `the docker network ${cidr} has room for 4 default pools in its upper half; this is #${index + 1}`;
  const chunk = 2 ** (32 - prefix) / 8;
  const start = first + (7 - index) * chunk;
  const stop = Math.min(start + chunk - 1, last - 1);
  return { start: formatIpv4(start), stop: formatIpv4(stop) };
}
