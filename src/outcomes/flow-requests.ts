import { HttpRequest } from '../applied/cilium-policy';
import { HttpRuleMatcher, httpRuleAllows } from '../applied/cilium-policy-ports';

/**
 * Concrete HTTP requests for an L7 rule's intended outcomes: one its `rules.http` lets through (the flow the rule
 * intends to pass) and one none of them lets through (the flow it intends Envoy to answer with 403). The rules are
 * RE2 regexes; a request is built from the literal text of `method` and `path` and kept only when the rule
 * itself matches it (`httpRuleAllows`), so a regex this cannot instantiate gives no request and no outcome.
 */

/** Methods tried, in order. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** A literal the regex most likely matches: anchors dropped, `.*`/`.+`/classes instantiated, escapes resolved. */
function literalOf(pattern: string): string {
  return pattern
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\(\?[imsU]+\)/g, '')
    .replace(/\[\^?[^\]]*\]([*+?]|\{\d+(,\d*)?\})?/g, 'x')
    .replace(/\.\*\??/g, '')
    .replace(/\.\+\??/g, 'x')
    .replace(/\\d[*+]?/g, '1')
    .replace(/\\([^a-zA-Z0-9])/g, '$1')
    .replace(/[()]/g, '');
}

function candidates(pattern: string | undefined, fallback: readonly string[]): string[] {
  if (pattern === undefined) return [...fallback];
  const literal = literalOf(pattern);
  const alternatives = literal.includes('|') ? literal.split('|') : [];
  return [literal, ...alternatives, ...fallback];
}

/** A request `rule` lets through, or undefined when none can be built (secret header values, unusual regexes). */
export function requestAllowedBy(rule: HttpRuleMatcher): HttpRequest | undefined {
  const headers: Record<string, string> = {};
  for (const h of rule.headers) headers[h.name] = h.value ?? 'x';
  for (const m of rule.headerMatches) {
    if (m.secret) continue;
    headers[m.name] = m.value === '' ? 'x' : m.value;
  }
  const hosts = candidates(rule.host?.pattern(), ['']);
  for (const method of candidates(rule.method?.pattern(), METHODS)) {
    for (const path of candidates(rule.path?.pattern(), ['/'])) {
      for (const host of hosts) {
        const req: HttpRequest = { method, path, ...(host ? { host } : {}), ...(Object.keys(headers).length ? { headers } : {}) };
        if (httpRuleAllows(rule, req)) return req;
      }
    }
  }
  return undefined;
}

/**
 * A request none of `rules` lets through, next to one they allow (`near`): another method on the same path first
 * (`PUT /v1/request-landing` next to `POST /v1/request-landing`), then another path. Undefined when they allow
 * every request tried.
 */
export function requestDeniedBy(rules: readonly HttpRuleMatcher[], near: HttpRequest | undefined): HttpRequest | undefined {
  const base = near ?? { method: 'GET', path: '/' };
  const tries: HttpRequest[] = [
    ...['PUT', 'DELETE', 'POST', 'PATCH', 'GET'].map((method) => ({ ...base, method })),
    { method: base.method, path: base.path },
    { ...base, path: '/denied-by-policy' },
    { ...base, method: 'PUT', path: '/denied-by-policy' },
  ];
  return tries.find((req) => !rules.some((r) => httpRuleAllows(r, req)));
}

/** `POST /v1/request-landing`. */
export function describeRequest(req: HttpRequest): string {
  return `${req.method} ${req.path}`;
}
