import * as fs from 'fs';
import { isIPv6 } from 'net';
import * as path from 'path';
import Ajv, { AnySchema, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

/**
 * Validates synthesized objects against the openAPIV3Schema of upstream CRDs kept (read-only) outside
 * the repo. Stricter than the API server in one respect: unknown fields are errors, because the server
 * would silently prune them (e.g. `spec.cidrs` instead of `spec.blocks`).
 */

/** Folder with the upstream reference files (`cilium-1.18/…`); absent on machines without it. */
export const REFERENCE_DIR = path.resolve(__dirname, '../../../shared/reference');

/** True when the reference folder exists. */
export function referenceAvailable(): boolean {
  return fs.existsSync(REFERENCE_DIR);
}

const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4_CIDR = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}/(3[0-2]|[12]?[0-9])$`);

/** Kubernetes `format: cidr` (Go net.ParseCIDR: IPv4 or IPv6, host bits allowed). */
function isCidr(value: string): boolean {
  if (IPV4_CIDR.test(value)) return true;
  const [addr, prefix, extra] = value.split('/');
  return extra === undefined && prefix !== undefined && /^(12[0-8]|1[01][0-9]|[1-9]?[0-9])$/.test(prefix) && isIPv6(addr);
}

/** Go regexp classes that JavaScript writes differently (`\PC` -> `\P{C}`, `\pL` -> `\p{L}`). */
function goPatternToJs(pattern: string): string {
  return pattern.replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}');
}

/** Rewrites a Kubernetes structural schema for ajv: Go patterns, closed objects. */
function prepare(schema: any): any {
  if (Array.isArray(schema)) return schema.map(prepare);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'pattern' && typeof value === 'string') {
      out.pattern = goPatternToJs(value);
    } else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, prepare(v)]));
    } else {
      out[key] = prepare(value);
    }
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
  addFormats(ajv);
  ajv.addFormat('cidr', { type: 'string', validate: isCidr });
  for (const keyword of [
    'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-int-or-string',
    'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-validations',
  ]) {
    ajv.addKeyword(keyword);
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction>();

/**
 * A validator for one served version of a CRD file below {@link REFERENCE_DIR}, e.g.
 * `crdValidator('cilium-1.18/ciliumloadbalancerippools.yaml', 'v2')`. Returns the error list (empty when valid).
 */
export function crdValidator(file: string, version: string): (object: unknown) => string[] {
  const key = `${file}#${version}`;
  let validate = cache.get(key);
  if (!validate) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(REFERENCE_DIR, file), 'utf8')).map((d) => d.toJS());
    const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition');
    const served = crd?.spec?.versions?.find((v: any) => v.name === version);
    if (!served?.schema?.openAPIV3Schema) throw new Error(`${file} has no openAPIV3Schema for version ${version}`);
    validate = newAjv().compile(prepare(served.schema.openAPIV3Schema) as AnySchema);
    cache.set(key, validate);
  }
  const fn = validate;
  return (object: unknown) => (fn(object) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`));
}

/** DNS-1123 subdomain check for `metadata.name` (the CRD schemas leave metadata open). */
export function isDnsSubdomain(name: unknown): boolean {
  return typeof name === 'string' && name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
