import { IpAddress, compareIp, parseIp } from './lb-ipam-addresses';
import { KubeObject, annotationsOf, labelsOf, namespacedName } from './objects';

/**
 * What Cilium's LB-IPAM reads from one Service (its "service view": `operator/pkg/lbipam/service_store.go`
 * `ServiceView`, filled by `serviceViewFromService` in `operator/pkg/lbipam/lbipam.go`), and the two questions it
 * asks about Services: is LB-IPAM responsible for it, and may two Services share one address.
 */

/** `lbipam.cilium.io/ips`: addresses a Service requests (comma separated). Alias read second: `io.cilium/lb-ipam-ips`. */
export const LB_IPAM_IPS = ['lbipam.cilium.io/ips', 'io.cilium/lb-ipam-ips'] as const;
/** `lbipam.cilium.io/sharing-key`: Services with the same key may share an address. Alias: `io.cilium/lb-ipam-sharing-key`. */
export const LB_IPAM_SHARING_KEY = ['lbipam.cilium.io/sharing-key', 'io.cilium/lb-ipam-sharing-key'] as const;
/**
 * `lbipam.cilium.io/sharing-cross-namespace`: the namespaces (or `*`) a Service may share its address with, comma
 * separated without trimming. Alias: `io.cilium/lb-ipam-sharing-cross-namespace`.
 */
export const LB_IPAM_SHARING_CROSS_NAMESPACE = ['lbipam.cilium.io/sharing-cross-namespace', 'io.cilium/lb-ipam-sharing-cross-namespace'] as const;

/** The labels LB-IPAM adds to every Service before matching pool selectors (`service_store.go` `svcLabels`). */
export const SERVICE_NAMESPACE_LABEL = 'io.kubernetes.service.namespace';
/** See {@link SERVICE_NAMESPACE_LABEL}. */
export const SERVICE_NAME_LABEL = 'io.kubernetes.service.name';

/** The load balancer classes Cilium serves (`pkg/k8s/apis/cilium.io/v2alpha1`: `L2AnnounceLoadBalancerClass`, `BGPLoadBalancerClass`). */
export const L2_ANNOUNCER_CLASS = 'io.cilium/l2-announcer';
/** See {@link L2_ANNOUNCER_CLASS}. */
export const BGP_CONTROL_PLANE_CLASS = 'io.cilium/bgp-control-plane';

/** One Service port as the sharing check reads it; `protocol` is `TCP` when the manifest leaves it out (API default). */
export interface ServicePortView {
  readonly port: number;
  readonly protocol: string;
}

/** LB-IPAM's view of one Service. */
export interface ServiceView {
  /** `namespace/name` (namespace `default` when absent). */
  readonly key: string;
  readonly namespace: string;
  /** The Service's labels plus `io.kubernetes.service.namespace` and `io.kubernetes.service.name` (which win). */
  readonly labels: Readonly<Record<string, string>>;
  /** Requested addresses: `spec.loadBalancerIP` first, then the annotation's; adjacent duplicates dropped. */
  readonly requestedIps: readonly IpAddress[];
  /** Requested texts that are not addresses (upstream logs and skips them). */
  readonly unparsableRequests: readonly string[];
  /** The families a Service without requests gets one address of each (`serviceIPFamilyRequest`). */
  readonly families: { readonly ipv4: boolean; readonly ipv6: boolean };
  readonly sharingKey: string;
  readonly sharingCrossNamespace: readonly string[];
  /** `spec.externalTrafficPolicy`; `Cluster` when absent (the API server's default for LoadBalancer Services). */
  readonly externalTrafficPolicy: string;
  readonly ports: readonly ServicePortView[];
  readonly selector: Readonly<Record<string, string>>;
}

/** Upstream `annotation.Get(obj, key, alias)`: the first of the keys that is present wins, even when empty. */
function annotation(o: KubeObject, keys: readonly string[]): string {
  const annotations = annotationsOf(o);
  for (const k of keys) {
    if (Object.prototype.hasOwnProperty.call(annotations, k)) return String(annotations[k]);
  }
  return '';
}

/** The IP families enabled on the cluster (Helm `ipv4.enabled`, `ipv6.enabled`). */
export interface IpFamiliesEnabled {
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

function familyRequest(spec: any, enabled: IpFamiliesEnabled): { ipv4: boolean; ipv6: boolean } {
  const families: string[] = Array.isArray(spec?.ipFamilies) ? spec.ipFamilies : [];
  // Single stack without families: IPv4 when enabled, else IPv6 when enabled.
  const singleDefault = () => ({ ipv4: enabled.ipv4, ipv6: !enabled.ipv4 && enabled.ipv6 });
  const firstFamily = () => (families[0] === 'IPv4' ? { ipv4: true, ipv6: false } : { ipv4: false, ipv6: true });
  switch (spec?.ipFamilyPolicy) {
    case undefined:
    case null:
    case 'SingleStack':
      return families.length > 0 ? firstFamily() : singleDefault();
    case 'PreferDualStack':
      if (families.length === 0) return { ipv4: enabled.ipv4, ipv6: enabled.ipv6 };
      return { ipv4: families.includes('IPv4') && enabled.ipv4, ipv6: families.includes('IPv6') && enabled.ipv6 };
    case 'RequireDualStack':
      return { ipv4: enabled.ipv4, ipv6: enabled.ipv6 };
    default:
      return { ipv4: false, ipv6: false };
  }
}

/** Builds the view of one Service. */
export function serviceView(svc: KubeObject, enabled: IpFamiliesEnabled): ServiceView {
  const spec = svc.spec ?? {};
  const namespace = svc.metadata.namespace ?? 'default';
  const requestTexts: string[] = [];
  if (typeof spec.loadBalancerIP === 'string' && spec.loadBalancerIP !== '') requestTexts.push(spec.loadBalancerIP);
  const annotated = annotation(svc, LB_IPAM_IPS);
  if (annotated !== '') requestTexts.push(...annotated.split(',').map((s) => s.trim()));
  const requestedIps: IpAddress[] = [];
  const unparsableRequests: string[] = [];
  for (const text of requestTexts) {
    const ip = parseIp(text);
    if (!ip) {
      unparsableRequests.push(text);
      continue;
    }
    // slices.CompactFunc: only adjacent duplicates collapse.
    if (requestedIps.length === 0 || compareIp(requestedIps[requestedIps.length - 1], ip) !== 0) requestedIps.push(ip);
  }
  const crossNamespace = annotation(svc, LB_IPAM_SHARING_CROSS_NAMESPACE);
  const ports: ServicePortView[] = (Array.isArray(spec.ports) ? spec.ports : []).map((p: any) => ({
    port: Number(p?.port), protocol: typeof p?.protocol === 'string' ? p.protocol : 'TCP',
  }));
  return {
    key: namespacedName(svc),
    namespace,
    labels: { ...labelsOf(svc), [SERVICE_NAME_LABEL]: svc.metadata.name, [SERVICE_NAMESPACE_LABEL]: namespace },
    requestedIps,
    unparsableRequests,
    families: familyRequest(spec, enabled),
    sharingKey: annotation(svc, LB_IPAM_SHARING_KEY),
    sharingCrossNamespace: crossNamespace === '' ? [] : crossNamespace.split(','),
    externalTrafficPolicy: typeof spec.externalTrafficPolicy === 'string' ? spec.externalTrafficPolicy : 'Cluster',
    ports,
    selector: spec.selector && typeof spec.selector === 'object' ? spec.selector : {},
  };
}

/** Which Services LB-IPAM serves: the operator's settings that decide `isResponsibleForSVC`. */
export interface Responsibility {
  /** Helm `defaultLBServiceIPAM` is `lbipam`: Services without a `loadBalancerClass` are served. */
  readonly defaultIpam: boolean;
  /** Classes served: `io.cilium/bgp-control-plane` with BGP, `io.cilium/l2-announcer` with L2 announcements (`cell.go`). */
  readonly classes: readonly string[];
}

/**
 * Upstream `isResponsibleForSVC`: only `type: LoadBalancer`; without `spec.loadBalancerClass` when LB-IPAM is the
 * default IPAM; with a class only when it is one Cilium serves. Anything else LB-IPAM leaves alone, without a condition.
 */
export function isResponsible(svc: KubeObject, r: Responsibility): boolean {
  const spec = svc.spec ?? {};
  if (spec.type !== 'LoadBalancer') return false;
  if (spec.loadBalancerClass === undefined || spec.loadBalancerClass === null) return r.defaultIpam;
  return r.classes.includes(spec.loadBalancerClass);
}

function mapsEqual(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/**
 * Why two Services may not share an address, or `undefined` when they may (`service_store.go` `isCompatible`, the
 * reasons verbatim): the same sharing key; the same namespace unless BOTH list the other's namespace (or `*`) in
 * `lbipam.cilium.io/sharing-cross-namespace`; no port in common (with `protocolDifferentiation`, the default, a port
 * clashes only with the same number AND protocol: cilium/cilium#34691, behaviour case lb-14); the same
 * `externalTrafficPolicy`; and with `Local`, equal non-empty pod selectors.
 */
export function sharingIncompatibility(a: ServiceView, b: ServiceView, protocolDifferentiation: boolean): string | undefined {
  if (a.sharingKey !== b.sharingKey) return 'different sharing key';
  if (a.namespace !== b.namespace) {
    const allows = (s: ServiceView, other: string) => s.sharingCrossNamespace.includes(other) || s.sharingCrossNamespace.includes('*');
    if (!allows(a, b.namespace) || !allows(b, a.namespace)) return 'different and not permitted namespace';
  }
  for (const p1 of a.ports) {
    for (const p2 of b.ports) {
      if (p1.port === p2.port && (!protocolDifferentiation || p1.protocol === p2.protocol)) return 'same port';
    }
  }
  if (a.externalTrafficPolicy !== b.externalTrafficPolicy) return 'different ExternalTrafficPolicy';
  if (a.externalTrafficPolicy === 'Local') {
    if (Object.keys(a.selector).length === 0 || Object.keys(b.selector).length === 0 || !mapsEqual(a.selector, b.selector)) {
      return 'compatible ExternalTrafficPolicy local but selecting different set of pods';
    }
  }
  return undefined;
}
