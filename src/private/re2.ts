import { RE2JS } from 're2js';

/**
 * The one regex engine for patterns handed to Cilium (Go `regexp`, RE2 syntax: L2 `interfaces`) or to
 * Envoy (RE2: HTTP `method`/`path` rules). `re2js` is a port of Go's/RE2's parser and matcher, so what it
 * accepts (`(?i)`, `(?P<name>...)`, `[[:alnum:]]`) and refuses (lookaround, backreferences, `a++`) is what
 * upstream accepts and refuses. JavaScript `RegExp` never decides whether such a pattern is valid or matches.
 */

/** A compiled RE2 pattern, or the RE2 parser's error message. */
export type Re2Compiled = { readonly ok: true; readonly regex: RE2JS } | { readonly ok: false; readonly error: string };

/** Compiles `pattern` with RE2 syntax (Go's `regexp.Compile`). */
export function compileRe2(pattern: string): Re2Compiled {
  try {
    return { ok: true, regex: RE2JS.compile(pattern) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** True when `pattern` compiles as RE2 and matches somewhere in `input` (Go's `MatchString`: unanchored). */
export function re2Finds(pattern: string, input: string): boolean {
  const compiled = compileRe2(pattern);
  return compiled.ok && compiled.regex.matcher(input).find();
}

/** True when the RE2 `pattern` matches the whole of `input` (Envoy's `safe_regex` full match). */
export function re2MatchesFully(pattern: string, input: string): boolean {
  const compiled = compileRe2(pattern);
  return compiled.ok && compiled.regex.matcher(input).matches();
}

/** `text` with every RE2 metacharacter escaped (Go's `regexp.QuoteMeta`). */
export function re2Quote(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * The anchored RE2 interface regex for one Cilium device: `eth0` -> `^eth0$`; a trailing `+` (Cilium's prefix
 * wildcard, as in `devices: eth+`) becomes `.*`, so `eth+` -> `^eth.*$`, which matches `eth0`, `eth1`, ...
 */
export function l2InterfaceForDevice(device: string): string {
  return device.endsWith('+') ? `^${re2Quote(device.slice(0, -1))}.*$` : `^${re2Quote(device)}$`;
}
