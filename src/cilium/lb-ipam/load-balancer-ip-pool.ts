import { Construct, IConstruct } from 'constructs';
import {
  CiliumLoadBalancerIpPool,
  CiliumLoadBalancerIpPoolSpecAllowFirstLastIPs,
  CiliumLoadBalancerIpPoolSpecServiceSelectorMatchExpressionsOperator,
} from '../../../imports/cilium';
import { KindCiliumCluster } from '../../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../../cluster/library-labels';
import { invalid } from '../../errors';
import { PoolBlockFact, PlatformFactSource, PlatformFacts } from '../../model/platform-model';
import { formatIpv4, Ipv4Cidr, Ipv4Range, parseIpv4, parseIpv4Cidr, rangeSize } from '../../private/ipv4';
import { resolveObjectName } from '../../private/names';
import { checkProps, propsShape } from '../../private/props';
import { LABEL_SELECTOR_SHAPE, resolveSelector, toCrdSelector } from '../../private/selectors';
import { defaultPoolRange } from '../../spec/docker-network';
import { CiliumLabelSelector } from '../label-selector';

type ServiceSelectorOperator = CiliumLoadBalancerIpPoolSpecServiceSelectorMatchExpressionsOperator;

/** A pool block given as a CIDR, e.g. `{ cidr: '172.18.250.0/24' }`. IPv4 only. */
export interface PoolCidrBlock {
  /** Canonical IPv4 CIDR (host bits zero). */
  readonly cidr: string;
}

/** A pool block given as an inclusive address range, e.g. `{ start: '172.18.250.100', stop: '172.18.250.254' }`. IPv4 only. */
export interface PoolRangeBlock {
  /** First address of the range. */
  readonly start: string;
  /** Last address of the range (inclusive, not lower than `start`). */
  readonly stop: string;
}

/** One block of a CiliumLoadBalancerIPPool: a CIDR or a start/stop range. */
export type PoolBlock = PoolCidrBlock | PoolRangeBlock;

/** Props of {@link LoadBalancerIpPool}. */
export interface LoadBalancerIpPoolProps {
  /** `metadata.name` (DNS-1123 subdomain). @default - derived from the construct id (and its path below the cluster), e.g. `PublicPool` -> `public-pool` */
  readonly name?: string;
  /**
   * Address blocks of the pool (IPv4 CIDRs or start/stop ranges).
   * @default - one range from the high end of the cluster's docker network, see {@link defaultPoolBlock}
   */
  readonly blocks?: PoolBlock[];
  /** Only Services matching this selector get addresses from the pool. @default - every Service */
  readonly serviceSelector?: CiliumLabelSelector;
  /** Stop allocating new addresses from the pool (existing ones stay). @default false */
  readonly disabled?: boolean;
  /**
   * Whether the first and last address of each CIDR block may be allocated (`spec.allowFirstLastIPs`
   * `"Yes"`/`"No"`). Cilium ignores it for /31 and /32 blocks and for start/stop ranges. With `false`, a block such as
   * `172.18.255.0/24` may end on the docker network's broadcast address: the rules judge the addresses handed out.
   * @default - field omitted, which Cilium treats as `"Yes"`
   */
  readonly allowFirstLastIps?: boolean;
}

const POOL_SYMBOL = Symbol.for('cdk8s-kind-cilium.LoadBalancerIpPool');

/** Block keys given on the pool itself (`cidrs` is the CRD's deprecated list): they belong inside `blocks`. */
const POOL_BLOCK_HINTS: Readonly<Record<string, string>> = {
  cidr: 'put it inside blocks: blocks: [{ cidr: "172.18.250.0/24" }] (a pool has a list of blocks, each a cidr or a start/stop range)',
  cidrs: 'list each CIDR as a block: blocks: [{ cidr: "172.18.250.0/24" }] (spec.cidrs is deprecated in Cilium; this library writes spec.blocks)',
  start: 'put the range inside blocks: blocks: [{ start: "172.18.250.100", stop: "172.18.250.254" }]',
  stop: 'put the range inside blocks: blocks: [{ start: "172.18.250.100", stop: "172.18.250.254" }]',
};
const POOL_SHAPE = propsShape<LoadBalancerIpPoolProps>('LoadBalancerIpPool', {
  name: 'string',
  blocks: { list: propsShape<Partial<PoolCidrBlock & PoolRangeBlock>>('pool block', { cidr: 'string', start: 'string', stop: 'string' }) },
  serviceSelector: LABEL_SELECTOR_SHAPE,
  disabled: 'boolean',
  allowFirstLastIps: 'boolean',
}, POOL_BLOCK_HINTS);

/**
 * The address range a pool without `blocks` gets: deterministic, at the HIGH end of the kind docker
 * network, far from the gateway and node addresses docker hands out from the bottom (see
 * {@link defaultPoolRange} for the layout).
 *
 * @param dockerSubnet the cluster's docker network (`cluster.spec.dockerNetworkSubnet`)
 * @param index how many default pools the cluster already has (0 for the first)
 * @param field the prop named in errors
 * @throws PlatformConfigError (rule `no-default-pool-block`) when the subnet is smaller than /27 or has no room left
 */
export function defaultPoolBlock(dockerSubnet: Ipv4Cidr, index = 0, field = 'blocks'): PoolRangeBlock {
  if (!Number.isInteger(index) || index < 0) {
    invalid('no-default-pool-block', field, `default pool index ${index} is not a non-negative integer`, 'pass the number of default pools already in the cluster (0, 1, ...)');
  }
  const range = defaultPoolRange(dockerSubnet, index);
  if (typeof range === 'string') {
    invalid('no-default-pool-block', field, range, dockerSubnet.prefix > 27
      ? 'give the pool explicit blocks inside the docker network (e.g. blocks: [{ start, stop }]), or set dockerNetworkSubnet on the cluster to what `docker network inspect kind` reports'
      : 'give the pool explicit blocks inside the docker network (e.g. blocks: [{ start, stop }])');
  }
  return range;
}

/**
 * Usable addresses of one parsed block, following Cilium LB-IPAM: with `allowFirstLastIPs: "No"` the
 * first and last address of a CIDR block are reserved unless the block is a /31 or /32; start/stop ranges
 * are never reduced.
 */
export function poolBlockSize(range: Ipv4Range, fromCidr: boolean, allowFirstLastIps: boolean): number {
  return rangeSize(allocatableRange(range, fromCidr, allowFirstLastIps));
}

/** The addresses LB-IPAM hands out from one parsed block (see {@link poolBlockSize}). */
export function allocatableRange(range: Ipv4Range, fromCidr: boolean, allowFirstLastIps: boolean): Ipv4Range {
  return fromCidr && !allowFirstLastIps && rangeSize(range) > 2 ? { first: range.first + 1, last: range.last - 1 } : range;
}

/**
 * A CiliumLoadBalancerIPPool (`cilium.io/v2`, `spec.blocks`): addresses Cilium LB-IPAM hands to Services
 * of type LoadBalancer. Validates its own fields; containment in the docker network and overlaps are
 * checked by the cluster's rules.
 */
export class LoadBalancerIpPool extends Construct implements PlatformFactSource {
  /** True when `x` is a LoadBalancerIpPool (works across duplicated module copies). */
  public static isLoadBalancerIpPool(x: unknown): x is LoadBalancerIpPool {
    return typeof x === 'object' && x !== null && (x as any)[POOL_SYMBOL] === true;
  }

  /** `metadata.name` of the pool. */
  public readonly name: string;
  /** The blocks as rendered into `spec.blocks`. */
  public readonly blocks: readonly PoolBlock[];
  /** Usable addresses in the pool (after `allowFirstLastIPs`). */
  public readonly size: number;
  /** True when `blocks` was omitted and {@link defaultPoolBlock} chose the range. */
  public readonly usesDefaultBlocks: boolean;
  /** The generated API object (escape hatch). */
  public readonly apiObject: CiliumLoadBalancerIpPool;
  private readonly facts: Partial<PlatformFacts>;

  constructor(scope: Construct, id: string, props: LoadBalancerIpPoolProps = {}) {
    super(scope, id);
    Object.defineProperty(this, POOL_SYMBOL, { value: true });
    const cluster = KindCiliumCluster.of(this);
    const path = this.node.path;
    props = checkProps(path, props, POOL_SHAPE);

    this.name = resolveObjectName(this, cluster, props.name, 'lb-pool');
    const serviceSelector = resolveSelector(`${path}.serviceSelector`, props.serviceSelector);

    const allowFirstLast = props.allowFirstLastIps;
    if (allowFirstLast !== undefined && typeof allowFirstLast !== 'boolean') {
      invalid('invalid-pool-field', `${path}.allowFirstLastIps`, `${JSON.stringify(allowFirstLast)} is not a boolean`, 'use true ("Yes") or false ("No")');
    }
    const disabled = props.disabled ?? false;
    if (typeof disabled !== 'boolean') {
      invalid('invalid-pool-field', `${path}.disabled`, `${JSON.stringify(disabled)} is not a boolean`, 'use true or false');
    }

    let requested: readonly PoolBlock[];
    if (props.blocks === undefined) {
      const index = cluster.node.findAll()
        .filter((c: IConstruct) => c !== this && LoadBalancerIpPool.isLoadBalancerIpPool(c) && c.usesDefaultBlocks).length;
      requested = [defaultPoolBlock(cluster.spec.dockerNetworkSubnet, index, `${path}.blocks`)];
      this.usesDefaultBlocks = true;
    } else {
      if (!Array.isArray(props.blocks) || props.blocks.length === 0) {
        invalid('invalid-pool-block', `${path}.blocks`, 'is empty, so the pool offers no address',
          'list at least one block, e.g. [{ cidr: "172.18.250.0/24" }], or omit blocks to get a range at the top of the docker network');
      }
      requested = props.blocks;
      this.usesDefaultBlocks = false;
    }

    const parsed = requested.map((b, i) => parseBlock(`${path}.blocks[${i}]`, b));
    this.blocks = parsed.map((p) => p.block);
    this.size = parsed.reduce((n, p) => n + poolBlockSize(p.range, p.fromCidr, allowFirstLast ?? true), 0);

    this.apiObject = new CiliumLoadBalancerIpPool(this, 'Resource', {
      metadata: { name: this.name },
      spec: {
        blocks: this.blocks.map((b) => ({ ...b })),
        disabled,
        ...(allowFirstLast === undefined ? {} : {
          allowFirstLastIPs: allowFirstLast ? CiliumLoadBalancerIpPoolSpecAllowFirstLastIPs.YES : CiliumLoadBalancerIpPoolSpecAllowFirstLastIPs.NO,
        }),
        ...(serviceSelector ? { serviceSelector: toCrdSelector<ServiceSelectorOperator>(serviceSelector) } : {}),
      },
    });

    this.facts = {
      pools: [{
        field: path,
        name: this.name,
        disabled,
        blocks: parsed.map((p): PoolBlockFact => {
          const allocatable = allocatableRange(p.range, p.fromCidr, allowFirstLast ?? true);
          const reducible = allocatable === p.range && p.fromCidr && rangeSize(p.range) > 2;
          return {
            field: p.field,
            text: p.text,
            range: p.range,
            ...(allocatable !== p.range ? { allocatable } : {}),
            ...(reducible ? { withoutFirstLast: allocatableRange(p.range, true, false) } : {}),
          };
        }),
        size: this.size,
        hasServiceSelector: serviceSelector !== undefined,
      }],
    };
    labelLibraryObjects(this);
  }

  /** @internal */
  public _platformFacts(): Partial<PlatformFacts> {
    return this.facts;
  }
}

interface ParsedBlock {
  readonly field: string;
  readonly block: PoolBlock;
  readonly text: string;
  readonly range: Ipv4Range;
  readonly fromCidr: boolean;
}

function parseBlock(field: string, block: PoolBlock): ParsedBlock {
  const b = (block ?? {}) as Partial<PoolCidrBlock & PoolRangeBlock>;
  const hasCidr = b.cidr !== undefined;
  const hasRange = b.start !== undefined || b.stop !== undefined;
  if (hasCidr === hasRange) {
    invalid('invalid-pool-block', field, hasCidr ? 'sets both cidr and start/stop' : 'sets neither cidr nor start/stop',
      'give either { cidr: "172.18.250.0/24" } or { start: "172.18.250.100", stop: "172.18.250.254" }');
  }
  if (hasCidr) {
    const cidr = parseIpv4Cidr(String(b.cidr));
    if (typeof cidr === 'string') {
      invalid('invalid-pool-block', `${field}.cidr`, cidr,
        'use a canonical IPv4 CIDR with the host bits zero, e.g. 172.18.250.0/24 (IPv6 pools are not supported yet)');
    }
    return { field, block: { cidr: cidr.cidr }, text: cidr.cidr, range: { first: cidr.first, last: cidr.last }, fromCidr: true };
  }
  const address = (key: 'start' | 'stop'): number => {
    const value = b[key];
    const parsed = typeof value === 'string' ? parseIpv4(value) : undefined;
    if (parsed === undefined) {
      invalid('invalid-pool-block', `${field}.${key}`, value === undefined ? 'is missing (start and stop go together)' : `${JSON.stringify(value)} is not an IPv4 address`,
        `write a dotted-quad IPv4 address such as 172.18.250.${key === 'start' ? '100' : '254'} (IPv6 pools are not supported yet)`);
    }
    return parsed;
  };
  const first = address('start');
  const last = address('stop');
  if (first > last) {
    invalid('invalid-pool-block', field, `start ${formatIpv4(first)} is above stop ${formatIpv4(last)}`, 'swap start and stop so that start <= stop');
  }
  const start = formatIpv4(first);
  const stop = formatIpv4(last);
  return { field, block: { start, stop }, text: `${start}-${stop}`, range: { first, last }, fromCidr: false };
}

