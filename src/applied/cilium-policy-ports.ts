import { RE2JS } from 're2js';
import { NamedPort } from './cilium-policy-identity';
import { compileRe2 } from '../private/re2';

/**
 * Layer 4 and layer 7 of a Cilium policy rule: ports, ICMP types, HTTP and DNS rules, and how a flow matches them.
 *
 * Upstream: `Documentation/security/policy/layer4.rst` (ports, `endPort`, protocol `ANY`, named ports, ICMP),
 * `Documentation/security/policy/layer7.rst` (HTTP and DNS rules), `pkg/policy/api/rule_validation.go` (what the
 * agent refuses), `pkg/fqdn/matchpattern/matchpattern.go` (DNS patterns), cilium/proxy `cilium/network_policy.cc`
 * (how Envoy matches HTTP rules and header matches).
 */

/** The protocols a flow can use. `ANY` asks for TCP, UDP and SCTP at once (the strictest verdict of the three). */
export type FlowProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6' | 'ANY' | 'VRRP' | 'IGMP' | 'GRE' | 'IPIP' | 'IPV6' | 'ESP' | 'AH';

/** Protocols with ports; `ANY` in a policy means these three (`mergeL4Filter` in `pkg/policy/rule.go`). */
export const PORT_PROTOCOLS: readonly FlowProtocol[] = ['TCP', 'UDP', 'SCTP'];

/** Extended IP protocols without ports (they need `--enable-extended-ip-protocols`; Cilium 1.19+/1.20+ CRDs). */
const EXTENDED_PROTOCOLS = ['VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH'];

/** An HTTP request, as Envoy's policy filter sees it. */
export interface HttpRequest {
  /** The method (`:method`), e.g. `GET`. */
  readonly method: string;
  /** The request target as sent (`:path`), query string included: a rule's `path` regex must match all of it. */
  readonly path: string;
  /** The `Host` header (`:authority`). @default '' */
  readonly host?: string;
  /** Other request headers (names compare case-insensitively). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One compiled `rules.http` entry. */
export interface HttpRuleMatcher {
  /** `method`, matched against the whole method. */
  readonly method?: RE2JS;
  /** `path`, matched against the whole request target. */
  readonly path?: RE2JS;
  /** `host`, matched against the whole `Host` header. */
  readonly host?: RE2JS;
  /** `headers`: each must be present (with this exact value when one is given); names in lower case. */
  readonly headers: readonly { readonly name: string; readonly value?: string }[];
  /** `headerMatches`: `value` empty means presence; `mismatch` (LOG, ADD, DELETE, REPLACE) lets a mismatch through. */
  readonly headerMatches: readonly { readonly name: string; readonly value: string; readonly secret: boolean; readonly mismatch?: string }[];
  /** The rule constrains nothing (`{}`): every request passes. */
  readonly allowsAll: boolean;
}

/** One compiled `rules.dns` entry or `toFQDNs` selector: a full-match regex over lower-case names with a trailing dot. */
export interface DnsMatcher {
  readonly regex: RE2JS;
  /** `matchPattern: "*"` (any name). */
  readonly allowsAll: boolean;
  /** The selector as written, for messages. */
  readonly text: string;
}

/** A `toPorts[].ports[]` entry (one per concrete protocol), with the L7 rules of its `toPorts` item. */
export interface PortEntry {
  readonly kind: 'port';
  /** `true` for port `0` (every port) and for extended protocols, which have no ports. */
  readonly wildcardPort: boolean;
  /** First port (numeric ports). */
  readonly first?: number;
  /** Last port of an `endPort` range (= `first` without one). */
  readonly last?: number;
  /** The named port (lower case), resolved against the destination pod's container ports. */
  readonly name?: string;
  /** The concrete protocols it covers (`ANY` expanded to TCP, UDP, SCTP). */
  readonly protocols: readonly string[];
  /** HTTP rules (Envoy); `undefined` without. */
  readonly http?: readonly HttpRuleMatcher[];
  /** DNS rules (the agent's DNS proxy); `undefined` without. */
  readonly dns?: readonly DnsMatcher[];
  /** Allowed TLS SNIs (`serverNames`); `undefined` without. */
  readonly serverNames?: readonly string[];
}

/** An `icmps[].fields[]` entry. */
export interface IcmpEntry {
  readonly kind: 'icmp';
  readonly family: 'IPv4' | 'IPv6';
  readonly type: number;
}

/** One layer-4 match of a rule. */
export type L4Entry = PortEntry | IcmpEntry;

/** ICMP type names (`icmpIpv4TypeNameToCode` / `icmpIpv6TypeNameToCode` in `pkg/policy/api/icmp.go`). */
const ICMP_TYPES: Record<'IPv4' | 'IPv6', Record<string, number>> = {
  IPv4: {
    EchoReply: 0,
    DestinationUnreachable: 3,
    Redirect: 5,
    Echo: 8,
    EchoRequest: 8,
    RouterAdvertisement: 9,
    RouterSelection: 10,
    TimeExceeded: 11,
    ParameterProblem: 12,
    Timestamp: 13,
    TimestampReply: 14,
    Photuris: 40,
    ExtendedEchoRequest: 42,
    ExtendedEchoReply: 43,
  },
  IPv6: {
    DestinationUnreachable: 1,
    PacketTooBig: 2,
    TimeExceeded: 3,
    ParameterProblem: 4,
    EchoRequest: 128,
    EchoReply: 129,
    MulticastListenerQuery: 130,
    MulticastListenerReport: 131,
    MulticastListenerDone: 132,
    RouterSolicitation: 133,
    RouterAdvertisement: 134,
    NeighborSolicitation: 135,
    NeighborAdvertisement: 136,
    RedirectMessage: 137,
    RouterRenumbering: 138,
    ICMPNodeInformationQuery: 139,
    ICMPNodeInformationResponse: 140,
    InverseNeighborDiscoverySolicitation: 141,
    InverseNeighborDiscoveryAdvertisement: 142,
    HomeAgentAddressDiscoveryRequest: 144,
    HomeAgentAddressDiscoveryReply: 145,
    MobilePrefixSolicitation: 146,
    MobilePrefixAdvertisement: 147,
    DuplicateAddressRequestCodeSuffix: 157,
    DuplicateAddressConfirmationCodeSuffix: 158,
    ExtendedEchoRequest: 160,
    ExtendedEchoReply: 161,
  },
};

/** Compiles the `icmps` of a rule, or returns the agent's refusal. */
export function compileIcmps(icmps: readonly any[]): IcmpEntry[] | string {
  const out: IcmpEntry[] = [];
  for (const rule of icmps) {
    const fields = rule?.fields ?? [];
    if (fields.length > 40) return 'too many ICMP types, the max is 40';
    for (const f of fields) {
      const family = f?.family ?? 'IPv4';
      if (family !== 'IPv4' && family !== 'IPv6') return `wrong ICMP family: ${family}`;
      const raw = f?.type;
      const type = typeof raw === 'number' ? raw : /^[0-9]+$/.test(String(raw)) ? Number(raw) : ICMP_TYPES[family as 'IPv4' | 'IPv6'][String(raw)];
      if (type === undefined || type > 255) return `ICMP type ${raw} not found in ${family}`;
      out.push({ kind: 'icmp', family, type });
    }
  }
  return out;
}

/** A port written as a name: an IANA service name (`iana.IsSvcName`), compared in lower case. */
function isServiceName(port: string): boolean {
  return port.length > 0 && port.length <= 15 && /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/.test(port);
}

/** Go's `strconv.ParseUint(s, 0, 16)` for the digits a CRD port can hold (a leading `0` means octal). */
function parsePortNumber(port: string): number | undefined {
  if (!/^[0-9]+$/.test(port)) return undefined;
  const value = port.length > 1 && port.startsWith('0') ? (/^[0-7]+$/.test(port) ? parseInt(port, 8) : NaN) : Number(port);
  return Number.isInteger(value) && value <= 65535 ? value : undefined;
}

/** Compiles one `toPorts` item (with its L7 rules), or returns the agent's refusal (`PortRule.sanitize`). */
export function compilePortRule(pr: any, opts: { readonly ingress: boolean; readonly deny: boolean }): PortEntry[] | string {
  const rules = opts.deny ? undefined : pr?.rules;
  const httpRules: any[] | undefined = rules?.http;
  const dnsRules: any[] | undefined = rules?.dns;
  const hasL7 = (httpRules?.length ?? 0) > 0 || (dnsRules?.length ?? 0) > 0;
  if (opts.ingress && dnsRules?.length) return 'DNS rules are not allowed on ingress';
  const serverNames: string[] | undefined = opts.deny ? undefined : pr?.serverNames;
  if (serverNames?.length && hasL7 && !pr?.terminatingTLS) return 'ServerNames are not allowed with L7 rules without TLS termination';
  if (serverNames?.includes('')) return 'empty server name is not allowed';
  if (!opts.deny && pr?.listener && opts.ingress) return `Listener is not allowed on ingress (${pr.listener.name})`;
  if (!opts.deny && pr?.listener && hasL7) return `Listener is not allowed with L7 rules (${pr.listener.name})`;
  if (hasL7 && httpRules !== undefined && dnsRules !== undefined) return 'multiple L7 protocol rule types specified in single rule';
  const ports: any[] = pr?.ports ?? [];
  if (ports.length > 40) return 'too many ports, the max is 40';
  if (dnsRules !== undefined && ports.length === 0) return 'port 53 must be specified for DNS rules';
  // An empty list is no rule at all (`L7Rules.IsEmpty`).
  const http = httpRules?.length ? compileHttpRules(httpRules) : undefined;
  if (typeof http === 'string') return http;
  const dns = dnsRules?.length ? compileDnsSelectors(dnsRules) : undefined;
  if (typeof dns === 'string') return dns;
  const out: PortEntry[] = [];
  for (const p of ports) {
    const portText = p?.port === undefined ? '' : String(p.port);
    const protocol = String(p?.protocol ?? '').toUpperCase() || 'ANY';
    if (!['TCP', 'UDP', 'SCTP', 'ANY', ...EXTENDED_PROTOCOLS].includes(protocol)) return `invalid protocol "${p?.protocol}"`;
    if (hasL7 && !dnsRules?.length && protocol !== 'TCP') return `L7 rules can only apply to TCP (not ${protocol}) except for DNS rules`;
    const protocols = protocol === 'ANY' ? [...PORT_PROTOCOLS] : [protocol];
    const extended = EXTENDED_PROTOCOLS.includes(protocol);
    if (portText === '') {
      if (!extended) return 'port must be specified';
      out.push({ kind: 'port', wildcardPort: true, protocols, http, dns, serverNames });
      continue;
    }
    if (isServiceName(portText)) {
      out.push({ kind: 'port', wildcardPort: false, name: portText.toLowerCase(), protocols, http, dns, serverNames });
      continue;
    }
    if (extended && portText !== '0') return 'port must be empty or 0';
    const first = parsePortNumber(portText);
    if (first === undefined) return `unable to parse port "${portText}"`;
    const endPort = typeof p?.endPort === 'number' ? p.endPort : 0;
    if (dnsRules?.length && endPort > first) return 'DNS rules do not support port ranges';
    if (first === 0 && hasL7) return 'L7 rules can not be used when a port is 0';
    out.push({ kind: 'port', wildcardPort: first === 0 || extended, first, last: endPort > first ? endPort : first, protocols, http, dns, serverNames });
  }
  return out;
}

/** Compiled RE2 patterns by source (policies repeat the same few patterns; compiling is the costly part of an import). */
const REGEX_CACHE = new Map<string, RE2JS | string>();

function compileRegex(text: string, what: string): RE2JS | string {
  let compiled = REGEX_CACHE.get(text);
  if (compiled === undefined) {
    const c = compileRe2(text);
    compiled = c.ok ? c.regex : c.error;
    if (REGEX_CACHE.size < 10_000) REGEX_CACHE.set(text, compiled);
  }
  return typeof compiled === 'string' ? `invalid ${what} regex "${text}": ${compiled}` : compiled;
}

/** Compiles `rules.http` (`PortRuleHTTP.Sanitize`: method and path must compile as RE2; header matches need a name and a known action). */
export function compileHttpRules(rules: readonly any[]): HttpRuleMatcher[] | string {
  const out: HttpRuleMatcher[] = [];
  for (const r of rules) {
    const rx: { method?: RE2JS; path?: RE2JS; host?: RE2JS } = {};
    for (const field of ['method', 'path', 'host'] as const) {
      if (!r?.[field]) continue;
      const compiled = compileRegex(String(r[field]), field);
      if (typeof compiled === 'string') return compiled;
      rx[field] = compiled;
    }
    // `headers` entries are "Name" (presence) or "Name: value" / "Name value" (exact value), as Cilium hands them to Envoy.
    const headers = (r?.headers ?? []).map((h: string) => {
      const [name, ...rest] = String(h).split(' ');
      return rest.length ? { name: name.replace(/:+$/, '').toLowerCase(), value: rest.join(' ') } : { name: name.toLowerCase() };
    });
    const headerMatches = [];
    for (const m of r?.headerMatches ?? []) {
      if (!m?.name) return 'Header name missing';
      if (m.mismatch && !['LOG', 'ADD', 'DELETE', 'REPLACE'].includes(m.mismatch)) return `Invalid header action: ${m.mismatch}`;
      if (m.secret && !m.secret.name) return 'Secret name missing';
      headerMatches.push({ name: String(m.name).toLowerCase(), value: String(m.value ?? ''), secret: Boolean(m.secret), mismatch: m.mismatch });
    }
    const allowsAll = !rx.method && !rx.path && !rx.host && headers.length === 0 && headerMatches.length === 0;
    out.push({ ...rx, headers, headerMatches, allowsAll });
  }
  return out;
}

/** True when Envoy's policy filter lets `req` through `rule` (every field must match; regexes match the whole value). */
export function httpRuleAllows(rule: HttpRuleMatcher, req: HttpRequest): boolean {
  const headers = new Map(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (rule.method && !rule.method.matcher(req.method).matches()) return false;
  if (rule.path && !rule.path.matcher(req.path).matches()) return false;
  if (rule.host && !rule.host.matcher(req.host ?? '').matches()) return false;
  for (const h of rule.headers) {
    const value = headers.get(h.name);
    if (value === undefined || (h.value !== undefined && value !== h.value)) return false;
  }
  for (const m of rule.headerMatches) {
    // A secret's value is unknown offline: it never matches. A mismatch with an action (LOG, ADD, ...) lets the request through.
    const value = headers.get(m.name);
    const matches = !m.secret && (m.value === '' ? value !== undefined : value === m.value);
    if (!matches && !m.mismatch) return false;
  }
  return true;
}

/** A DNS name as the DNS proxy compares it: lower case with a trailing dot (`dns.FQDN`). */
export function fqdnOf(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

const DNS_CHARS = '[-a-zA-Z0-9_]';

/**
 * The anchored RE2 regex of a `matchPattern` (`ToAnchoredRegexp` in `pkg/fqdn/matchpattern/matchpattern.go`): `*`
 * alone matches every name, a leading `**.` one or more whole labels, any other `*` zero or more characters within one label.
 */
export function dnsPatternRegex(pattern: string): string {
  const p = pattern.trim().toLowerCase();
  if (/^\*+\.?$/.test(p)) return `(^(${DNS_CHARS}+[.])+$)|(^[.]$)`;
  let rx = fqdnOf(p).replace(/\./g, '[.]');
  rx = rx.replace(/^\*{2,}\[\.\]/, `(${DNS_CHARS}+([.]${DNS_CHARS}+){0,})[.]`);
  rx = rx.replace(/\*+/g, `${DNS_CHARS}*`);
  return `^${rx}$`;
}

/** Compiles `toFQDNs` selectors or `rules.dns` entries (`FQDNSelector.sanitize`), or returns the agent's refusal. */
export function compileDnsSelectors(selectors: readonly any[]): DnsMatcher[] | string {
  const out: DnsMatcher[] = [];
  for (const s of selectors) {
    const name = s?.matchName;
    const pattern = s?.matchPattern;
    if (name && pattern) return 'only one of MatchName or MatchPattern is allowed in an FQDNSelector';
    if (name !== undefined && !/^[-a-zA-Z0-9_.]+$/.test(String(name))) return `Invalid characters in MatchName: "${name}"`;
    if (pattern !== undefined && String(pattern).length > 0 && !/^[-a-zA-Z0-9_.*]+$/.test(String(pattern))) return `Invalid characters in MatchPattern: "${pattern}"`;
    if (String(name ?? pattern ?? '').length > 255) return 'MatchName/MatchPattern must be <= 255 characters long';
    const text = name !== undefined ? `matchName ${name}` : `matchPattern ${pattern}`;
    const source = name ? `^${fqdnOf(String(name)).replace(/\./g, '[.]')}$` : dnsPatternRegex(String(pattern ?? ''));
    const compiled = compileRegex(source, 'DNS');
    if (typeof compiled === 'string') return compiled;
    out.push({ regex: compiled, allowsAll: !name && /^\*+\.?$/.test(String(pattern ?? '').trim()), text });
  }
  return out;
}

/** True when a DNS matcher selects `name`. */
export function dnsMatches(m: DnsMatcher, name: string): boolean {
  return m.regex.matcher(fqdnOf(name)).matches();
}

/** What a flow offers for layer-4 matching. */
export interface L4Query {
  /** A concrete protocol (never `ANY`). */
  readonly protocol: Exclude<FlowProtocol, 'ANY'>;
  /** The destination port (0 for protocols without ports). */
  readonly port: number;
  /** The ICMP type (ICMP and ICMPv6 only). */
  readonly icmpType: number;
  /** The named container ports of the destination pod. */
  readonly namedPorts: readonly NamedPort[];
}

/** True when one layer-4 entry matches the flow. */
export function l4EntryMatches(e: L4Entry, q: L4Query): boolean {
  if (e.kind === 'icmp') {
    return (q.protocol === 'ICMP' && e.family === 'IPv4' && e.type === q.icmpType) || (q.protocol === 'ICMPv6' && e.family === 'IPv6' && e.type === q.icmpType);
  }
  if (!e.protocols.includes(q.protocol)) return false;
  if (e.wildcardPort) return true;
  if (e.name !== undefined) {
    return q.namedPorts.some((np) => np.name.toLowerCase() === e.name && np.port === q.port && (np.protocol ?? 'TCP') === q.protocol);
  }
  return e.first! <= q.port && q.port <= e.last!;
}
