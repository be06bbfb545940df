/**
 * Hostname semantics of Gateway API as Cilium computes them (operator/pkg/model/helpers.go `ComputeHosts`, at the
 * v1.20 branch point 3ab8efdd), and Envoy's virtual-host selection by `:authority`
 * (envoyproxy docs, "HTTP route matching": exact domains, then suffix wildcards longest first, then prefix
 * wildcards longest first, then `*`).
 */

const ALL_HOSTS = '*';

/**
 * Whether `hostname` lies under `wildcard` (`*.example.com`): it ends with the wildcard's suffix and has at
 * least one label in place of the star. `example.com` is not under `*.example.com`; `a.b.example.com` is
 * (Gateway API `Hostname`: a wildcard matches one or more labels). Cilium `hostnameMatchesWildcardHostname`.
 */
export function hostnameMatchesWildcard(hostname: string, wildcard: string): boolean {
  const suffix = wildcard.startsWith(ALL_HOSTS) ? wildcard.slice(1) : wildcard;
  return hostname.endsWith(suffix) && hostname.length > suffix.length;
}

/**
 * Whether two wildcard hostnames can match a common name: compared label by label from the right until a
 * star, every label must agree and at least one must (Cilium `wildcardHostnamesIntersect`).
 */
export function wildcardHostnamesIntersect(a: string, b: string): boolean {
  if (a === ALL_HOSTS || b === ALL_HOSTS) return true;
  if (!a.startsWith('*.') || a.length === 2 || !b.startsWith('*.') || b.length === 2) return false;
  const ra = a.split('.').reverse();
  const rb = b.split('.').reverse();
  let matching = 0;
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    if (ra[i] === ALL_HOSTS || rb[i] === ALL_HOSTS) break;
    if (ra[i] !== rb[i]) return false;
    matching++;
  }
  return matching > 0;
}

/**
 * Listener isolation (Cilium `checkHostNameIsolation`): a route hostname is left to another listener of the same
 * protocol that names it exactly, or whose wildcard covers it and is more specific (longer) than this one's.
 */
function isolatedToOtherListener(routeHostname: string, listenerHostname: string, others: readonly string[]): boolean {
  return others.some((other) => other !== listenerHostname && (routeHostname === other
    || (other.startsWith(ALL_HOSTS) && hostnameMatchesWildcard(routeHostname, other) && other.length > listenerHostname.length)));
}

/**
 * The hostnames a route serves on a listener (Gateway API "hostname intersection", Cilium `ComputeHosts`):
 *
 * - no route hostnames: the listener's hostname, or `*` when it has none;
 * - otherwise each route hostname that the listener hostname admits: equal, under the listener's wildcard,
 *   a route wildcard covering the listener's hostname (which then serves the listener's name), or the more
 *   specific of two intersecting wildcards;
 * - `otherListenerHostnames` (the hostnames of the Gateway's other listeners of the same protocol) take away
 *   names a more specific listener owns (listener isolation); pass `[]` when asking only whether the route
 *   attaches (Cilium's status checks do).
 *
 * An empty result means the route's hostnames do not intersect the listener's (`NoMatchingListenerHostname`).
 */
export function computeHosts(routeHostnames: readonly string[], listenerHostname: string | undefined,
  otherListenerHostnames: readonly string[]): string[] {
  const lh = listenerHostname ?? '';
  if (routeHostnames.length === 0) return [lh.length > 0 ? lh : ALL_HOSTS];
  const hosts: string[] = [];
  for (const rh of routeHostnames) {
    // The branches keep Cilium's order, including its fall-through from the both-wildcards case.
    if (lh.length === 0) {
      if (!isolatedToOtherListener(rh, lh, otherListenerHostnames)) hosts.push(rh);
    } else if (lh === rh) {
      hosts.push(rh);
    } else if (lh.startsWith(ALL_HOSTS) && rh.startsWith(ALL_HOSTS) && wildcardHostnamesIntersect(rh, lh)
      && !isolatedToOtherListener(rh, lh, otherListenerHostnames)) {
      hosts.push(lh.split('.').length > rh.split('.').length ? lh : rh);
    } else if (lh.startsWith(ALL_HOSTS)) {
      if (hostnameMatchesWildcard(rh, lh) && !isolatedToOtherListener(rh, lh, otherListenerHostnames)) hosts.push(rh);
    } else if (rh.startsWith(ALL_HOSTS)) {
      if (hostnameMatchesWildcard(lh, rh)) hosts.push(lh);
    }
  }
  return hosts;
}

/**
 * Whether two TLS server names (SNI) can both match one client name (`''` = any). Used for the listener
 * conflicts between HTTPS and TLS passthrough listeners (Cilium `helpers.SNIHostnamesIntersect`).
 */
export function sniHostnamesIntersect(a: string, b: string): boolean {
  const x = a === '' ? ALL_HOSTS : a;
  const y = b === '' ? ALL_HOSTS : b;
  if (x === ALL_HOSTS || y === ALL_HOSTS || x === y) return true;
  const xw = x.startsWith(ALL_HOSTS);
  const yw = y.startsWith(ALL_HOSTS);
  if (xw && yw) return wildcardHostnamesIntersect(x, y);
  if (xw) return hostnameMatchesWildcard(y, x);
  if (yw) return hostnameMatchesWildcard(x, y);
  return false;
}

/** How a domain of an Envoy virtual host matches an `:authority`, best first. */
function domainRank(domain: string, authority: string): number | undefined {
  if (domain === ALL_HOSTS) return 0;
  if (domain === authority) return 3e6;
  if (domain.startsWith(ALL_HOSTS)) {
    const suffix = domain.slice(1);
    return authority.length > suffix.length && authority.endsWith(suffix) ? 2e6 + suffix.length : undefined;
  }
  if (domain.endsWith(ALL_HOSTS)) {
    const prefix = domain.slice(0, -1);
    return authority.length > prefix.length && authority.startsWith(prefix) ? 1e6 + prefix.length : undefined;
  }
  return undefined;
}

/**
 * The virtual host Envoy picks for a request's `:authority` (the Host header, port included, lower-cased):
 * an exact domain, else the longest matching suffix wildcard (`*.example.com`), else the longest prefix
 * wildcard (`example.com:*`, which is how Cilium lets `Host: name:port` match), else `*`. `undefined` when
 * none matches (Envoy answers 404). A wildcard never matches the bare name after its star.
 */
export function selectVirtualHost<T extends { readonly domains: readonly string[] }>(vhosts: readonly T[], authority: string): T | undefined {
  const host = authority.toLowerCase();
  let best: T | undefined;
  let bestRank = -1;
  for (const vh of vhosts) {
    for (const d of vh.domains) {
      const rank = domainRank(d.toLowerCase(), host);
      if (rank !== undefined && rank > bestRank) {
        best = vh;
        bestRank = rank;
      }
    }
  }
  return best;
}

/**
 * The Envoy domains Cilium gives the virtual host of one hostname (operator/pkg/model/translation/envoy_virtual_host.go
 * `desiredVirtualHost`): `[h, h:*]`, or `[*]` for the catch-all.
 */
export function virtualHostDomains(hostname: string): string[] {
  return hostname === ALL_HOSTS ? [ALL_HOSTS] : [hostname, `${hostname}:*`];
}
