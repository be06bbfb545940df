import { parseIp } from './lb-ipam-addresses';
import { ControllerSettings, LbIpamController } from './lb-ipam-controller';
import { LbIpamCondition, POOL_CONDITIONS, isConflicting, poolCounts, rangeDisabled } from './lb-ipam-pools';
import { BGP_CONTROL_PLANE_CLASS, L2_ANNOUNCER_CLASS } from './lb-ipam-services';
import { KubeObject, namespacedName } from './objects';

/**
 * Cilium LB-IPAM, offline: which address each LoadBalancer Service gets from the CiliumLoadBalancerIPPools, or why
 * it stays pending, with the Service condition and the pool status exactly as Cilium's operator writes them.
 *
 * Modelled after `operator/pkg/lbipam/lbipam.go` (controller), `service_store.go` (service view, sharing rules),
 * `pool.go`/`lbrange.go` (pools, ranges, conflicts), `pkg/ipalloc/ipalloc.go` (which free address comes next),
 * `pkg/annotation/k8s.go` (annotation names and aliases) and `Documentation/network/lb-ipam.rst`, at the Cilium v1.20
 * branch point (`../shared/reference/behaviour-cases/README.md` names the files and blobs; they are unchanged at
 * v1.21.0-pre.0). Checked case by case against `../shared/reference/behaviour-cases/lb-ipam.json`
 * (test/applied/lb-ipam.cases.test.ts lists every deviation with its source).
 *
 * Upstream iterates pools and, in its catch-up passes, Services in Go map order. The model iterates pools in the order
 * they were created and Services in creation order, and says per Service whether the outcome is the same in every
 * order (`exact`). Requested addresses are exact unless contested; a generic address is exact when only one pool can
 * supply it and the Services were handled one by one.
 */

/**
 * The Service condition LB-IPAM writes (`lbipam.go` `ciliumSvcRequestSatisfiedCondition`) in every supported minor
 * (1.18–1.21; its pool conditions are `cilium.io/...` too, as the pool CRD's printer column `cilium.io/PoolConflict`
 * shows). `Documentation/network/lb-ipam.rst` and the behaviour cases still show the older name
 * `io.cilium/lb-ipam-request-satisfied`; reasons and messages are unchanged.
 */
export const LB_IPAM_REQUEST_SATISFIED = 'cilium.io/IPAMRequestSatisfied';

/**
 * `allowFirstLastIPs` when a pool leaves it out, per Cilium minor: `Yes` in 1.18, 1.19, 1.20 and 1.21 (the CRD has no
 * default and describes "`Yes` or undefined" as allocatable; `lbipam.go` holds back first/last only for the literal
 * `No`). Source: `spec.allowFirstLastIPs` in `../shared/reference/cilium-1.{18,19,20,21}/ciliumloadbalancerippools.yaml`.
 */
export const ALLOW_FIRST_LAST_IPS_DEFAULT: Readonly<Record<string, 'Yes' | 'No'>> = {
  '1.18': 'Yes',
  '1.19': 'Yes',
  '1.20': 'Yes',
  '1.21': 'Yes',
};

/** Operator settings, by their Helm names, that change what LB-IPAM does. */
export interface LbIpamSettings {
  /** Helm `enableLBIPAM`: without it no Service gets an address and no condition is written. @default true */
  readonly enableLBIPAM?: boolean;
  /**
   * Helm `defaultLBServiceIPAM`: `lbipam` serves Services without `spec.loadBalancerClass`; `nodeipam` or `none`
   * leave them to another controller (LB-IPAM ignores them). @default 'lbipam'
   */
  readonly defaultLBServiceIPAM?: string;
  /** Helm `l2announcements.enabled`: LB-IPAM also serves `loadBalancerClass: io.cilium/l2-announcer`. @default false */
  readonly l2announcementsEnabled?: boolean;
  /** Helm `bgpControlPlane.enabled`: LB-IPAM also serves `loadBalancerClass: io.cilium/bgp-control-plane`. @default false */
  readonly bgpControlPlaneEnabled?: boolean;
  /** Helm `ipv4.enabled`: the family a Service without `ipFamilies` gets. @default true */
  readonly ipv4Enabled?: boolean;
  /** Helm `ipv6.enabled`. @default false */
  readonly ipv6Enabled?: boolean;
  /**
   * Cilium's `bpf-lb-proto-diff` option (`extraConfig`; 1.18: Helm `loadBalancer.protocolDifferentiation.enabled`): with it, ports of Services sharing a key clash
   * only with the same number and protocol (cilium/cilium#34691). @default true
   */
  readonly protocolDifferentiation?: boolean;
  /** The Cilium minor (`1.18` ... `1.21`): decides `allowFirstLastIPs` when a pool leaves it out. @default '1.20' */
  readonly ciliumMinor?: string;
}

/**
 * Reads {@link LbIpamSettings} from merged Cilium Helm values (`enableLBIPAM`, `defaultLBServiceIPAM`,
 * `l2announcements.enabled`, `bgpControlPlane.enabled`, `ipv4.enabled`, `ipv6.enabled`,
 * `extraConfig['bpf-lb-proto-diff']`, on 1.18 `loadBalancer.protocolDifferentiation.enabled`), each absent key taking
 * the chart's default.
 */
export function lbIpamSettingsFromHelmValues(values: Readonly<Record<string, any>>, ciliumMinor: string): LbIpamSettings {
  // 1.18's chart writes the option from loadBalancer.protocolDifferentiation.enabled; later charts only take extraConfig.
  const protoDiff = values.extraConfig?.['bpf-lb-proto-diff'] ?? (ciliumMinor === '1.18' ? values.loadBalancer?.protocolDifferentiation?.enabled : undefined);
  return {
    enableLBIPAM: values.enableLBIPAM !== false,
    defaultLBServiceIPAM: typeof values.defaultLBServiceIPAM === 'string' ? values.defaultLBServiceIPAM : 'lbipam',
    l2announcementsEnabled: values.l2announcements?.enabled === true,
    bgpControlPlaneEnabled: values.bgpControlPlane?.enabled === true,
    ipv4Enabled: values.ipv4?.enabled !== false,
    ipv6Enabled: values.ipv6?.enabled === true,
    protocolDifferentiation: protoDiff === undefined ? true : String(protoDiff) !== 'false',
    ciliumMinor,
  };
}

function controllerSettings(s: LbIpamSettings = {}): ControllerSettings {
  const minor = s.ciliumMinor ?? '1.20';
  const allowFirstLastIPsDefault = ALLOW_FIRST_LAST_IPS_DEFAULT[minor];
  if (!allowFirstLastIPsDefault) {
    throw new Error(`LB-IPAM model: no allowFirstLastIPs default known for Cilium ${minor} (known: ${Object.keys(ALLOW_FIRST_LAST_IPS_DEFAULT).join(', ')})`);
  }
  return {
    enabled: s.enableLBIPAM !== false,
    responsibility: {
      defaultIpam: (s.defaultLBServiceIPAM ?? 'lbipam') === 'lbipam',
      classes: [...(s.bgpControlPlaneEnabled ? [BGP_CONTROL_PLANE_CLASS] : []), ...(s.l2announcementsEnabled ? [L2_ANNOUNCER_CLASS] : [])],
    },
    families: { ipv4: s.ipv4Enabled !== false, ipv6: s.ipv6Enabled === true },
    protocolDifferentiation: s.protocolDifferentiation !== false,
    allowFirstLastIPsDefault,
  };
}

/** One change the operator sees, in order. */
export type LbIpamEvent =
  | { readonly kind: 'upsert-pool'; readonly pool: KubeObject }
  | { readonly kind: 'delete-pool'; readonly name: string }
  | { readonly kind: 'upsert-service'; readonly service: KubeObject }
  | { readonly kind: 'delete-service'; readonly service: string };

/** What LB-IPAM did with one Service. */
export interface LbIpamServiceResult {
  /** `namespace/name`. */
  readonly service: string;
  /**
   * `assigned`: the condition is True (every requested address, or one address per requested family).
   * `pending`: LB-IPAM serves the Service but the condition is False, or no condition is written (no pool exists
   * yet: LB-IPAM waits dormant for the first one); `ips` may still list the part it got. `ignored`: not
   * `type: LoadBalancer`, a `loadBalancerClass` Cilium does not serve, or LB-IPAM disabled.
   */
  readonly result: 'assigned' | 'pending' | 'ignored';
  /** `status.loadBalancer.ingress[].ip` as LB-IPAM writes them (Go's address format), in order; `[]` when ignored. */
  readonly ips: readonly string[];
  /** The pools the addresses come from, without repeats, in the order of `ips`. */
  readonly pools: readonly string[];
  /** The `cilium.io/IPAMRequestSatisfied` condition ({@link LB_IPAM_REQUEST_SATISFIED}); `null` when none is written. */
  readonly condition: LbIpamCondition | null;
  /**
   * True when upstream gives this outcome (result, addresses, condition) in every order it may visit pools and
   * Services; false when it depends on Go map order (several pools could supply the address, or Services competing for
   * one pool were handled in one unordered pass, e.g. all Services that exist when the first pool appears). Then
   * `ips` is the model's stable pick (pools in creation order, Services in creation order).
   */
  readonly exact: boolean;
  /** Further observations: ignored unparsable requests, shares that upstream drops later, operator crashes. */
  readonly notes: readonly string[];
}

/** LB-IPAM's status of one pool. */
export interface LbIpamPoolStatus {
  readonly name: string;
  /** Why upstream refuses the pool's blocks (it then never registers the pool: no range, no status). */
  readonly invalid?: string;
  /** `cilium.io/PoolConflict` is True: the pool overlaps itself or an older pool and none of its blocks allocate. */
  readonly conflicting: boolean;
  /** No block of the pool allocates new addresses (`spec.disabled`, or a conflict). */
  readonly allBlocksDisabled: boolean;
  /** The pool conditions by type (`cilium.io/PoolConflict`, `cilium.io/IPsTotal`, `cilium.io/IPsAvailable`, `cilium.io/IPsUsed`). */
  readonly conditions: Readonly<Record<string, LbIpamCondition>>;
  /** Addresses in all blocks (decimal; IPv6 pools exceed 2^53). */
  readonly ipsTotal: string;
  /** Addresses still free (decimal). */
  readonly ipsAvailable: string;
  /** Addresses allocated, held-back first/last addresses included; a shared address counts once. */
  readonly ipsUsed: number;
  /**
   * False when which of two overlapping pools loses depends on Go map order (equal or missing `creationTimestamp`,
   * or an overlap with such a pool).
   */
  readonly exact: boolean;
}

/** The applied state of LB-IPAM. */
export interface LbIpamResult {
  /** Every Service known at the end, by `namespace/name`, in creation order. */
  readonly services: Readonly<Record<string, LbIpamServiceResult>>;
  /** Every pool known at the end, by name, in creation order. */
  readonly pools: Readonly<Record<string, LbIpamPoolStatus>>;
}

/**
 * Runs LB-IPAM over a sequence of changes, in order, as the operator would see them; returns the statuses after the
 * last one. Pure; linear in the number of events and objects except where upstream compares pools pairwise (pools are
 * few) and Services sharing one key (compared within the key). `poolVisitOrder` stands for Go's map iteration over
 * pools (default: creation order); checks pass other orders to confirm that `exact` outcomes do not depend on it.
 */
export function simulateLbIpam(events: readonly LbIpamEvent[], settings?: LbIpamSettings, poolVisitOrder?: <T>(pools: T[]) => T[]): LbIpamResult {
  const c = new LbIpamController(controllerSettings(settings), poolVisitOrder);
  for (const e of events) {
    switch (e.kind) {
      case 'upsert-pool': c.upsertPool(e.pool); break;
      case 'delete-pool': c.deletePool(e.name); break;
      case 'upsert-service': c.upsertService(e.service); break;
      case 'delete-service': c.deleteService(e.service); break;
    }
  }
  return readResult(c);
}

/** Input of {@link assignLoadBalancerAddresses}. */
export interface LbIpamInput {
  /** CiliumLoadBalancerIPPools (`cilium.io/v2` or `v2alpha1`), in creation order. */
  readonly pools: readonly KubeObject[];
  /** Services in creation order (any type; non-LoadBalancer ones come back `ignored`). */
  readonly services: readonly KubeObject[];
  readonly settings?: LbIpamSettings;
  /**
   * The Services exist before the first pool: LB-IPAM, dormant until then, takes them all in one unordered pass when
   * the first pool appears, and the later pools in further passes. So it is for Cilium's own LoadBalancer Services, and
   * for a bundle applied with `kubectl apply -k`, whose default (legacy) kustomize order creates Services before
   * custom objects such as pools. Otherwise the pools exist first and each Service is handled as it is created. For a
   * mix (e.g. the Service Cilium generates for a Gateway appears after the pools) give the events to {@link simulateLbIpam}.
   * @default false
   */
  readonly servicesBeforePools?: boolean;
}

/**
 * Which address each Service gets: the pools and Services created in the order given (see
 * {@link LbIpamInput.servicesBeforePools}), then the statuses LB-IPAM writes. Pool selectors see the Service's own
 * labels plus `io.kubernetes.service.namespace` and `io.kubernetes.service.name`, never its Namespace's labels
 * (`service_store.go` `svcLabels`), so Namespaces are not an input.
 */
export function assignLoadBalancerAddresses(input: LbIpamInput): LbIpamResult {
  const pools: LbIpamEvent[] = input.pools.map((pool) => ({ kind: 'upsert-pool', pool }));
  const services: LbIpamEvent[] = input.services.map((service) => ({ kind: 'upsert-service', service }));
  return simulateLbIpam(input.servicesBeforePools ? [...services, ...pools] : [...pools, ...services], input.settings);
}

/**
 * The Services with `status.loadBalancer.ingress` set to what LB-IPAM assigned (`[]` for pending or ignored ones), for
 * the L2 model (./l2-announcements.ts) and anything else that reads Service addresses. The input objects are not changed.
 */
export function withLoadBalancerStatus(services: readonly KubeObject[], result: LbIpamResult): KubeObject[] {
  return services.map((svc) => {
    const r = result.services[namespacedName(svc)];
    if (!r || r.result === 'ignored') return svc;
    return { ...svc, status: { ...(svc.status ?? {}), loadBalancer: { ingress: r.ips.map((ip) => ({ ip })) } } };
  });
}

function readResult(c: LbIpamController): LbIpamResult {
  const services: Record<string, LbIpamServiceResult> = {};
  for (const [key, obj] of c.objects) {
    const sv = c.state(key);
    const persisted = c.statuses.get(key);
    if (!sv) {
      const dormant = c.serves(obj) && c.pools.size === 0;
      services[key] = {
        service: namespacedName(obj),
        result: dormant ? 'pending' : 'ignored',
        ips: [],
        pools: [],
        condition: null,
        exact: true,
        notes: dormant ? ['no CiliumLoadBalancerIPPool exists: LB-IPAM waits dormant and writes no condition'] : [],
      };
      continue;
    }
    const ips = persisted?.ingress ?? sv.ingress;
    const condition = persisted?.condition ?? sv.condition;
    const poolOf = (text: string) => {
      const ip = parseIp(text);
      return sv.allocated.find((a) => ip && a.ip.bits === ip.bits && a.ip.value === ip.value)?.range.pool.name;
    };
    const pools = [...new Set(ips.map(poolOf).filter((p): p is string => p !== undefined))];
    const notes = [...sv.notes];
    for (const name of pools) {
      const pool = c.pools.get(name);
      if (pool && isConflicting(pool)) {
        notes.push(`holds an address of pool ${name}, which became conflicting after it was allocated: Cilium keeps the address but the pool that won the conflict may hand the same address out again (${pool.conditions[POOL_CONDITIONS.conflict].message})`);
      }
    }
    const exact = sv.failureExact && sv.allocated.every((a) => a.exact);
    services[key] = {
      service: key,
      result: condition?.status === 'True' ? 'assigned' : 'pending',
      ips: [...ips],
      pools,
      condition,
      exact,
      notes,
    };
  }
  const pools: Record<string, LbIpamPoolStatus> = {};
  for (const name of c.poolOrder) {
    const pool = c.pools.get(name);
    const invalid = c.invalidPools.get(name);
    if (!pool) {
      if (invalid !== undefined) {
        pools[name] = { name, invalid, conflicting: false, allBlocksDisabled: true, conditions: {}, ipsTotal: '0', ipsAvailable: '0', ipsUsed: 0, exact: true };
      }
      continue;
    }
    const counts = poolCounts(pool);
    pools[name] = {
      name,
      ...(invalid !== undefined ? { invalid } : {}),
      conflicting: isConflicting(pool),
      allBlocksDisabled: pool.ranges.every(rangeDisabled),
      conditions: { ...pool.conditions },
      ipsTotal: counts.total.toString(),
      ipsAvailable: counts.available.toString(),
      ipsUsed: counts.used,
      exact: !pool.conflictUncertain,
    };
  }
  return { services, pools };
}

export { POOL_CONDITIONS };
export type { LbIpamCondition };
