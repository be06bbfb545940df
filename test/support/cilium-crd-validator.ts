/**
 * Validates synthesized Cilium policies against the openAPIV3Schema of the upstream Cilium 1.18 CRDs, read
 * (never copied) from the shared reference folder. Objects are closed (unknown fields are errors: the API
 * server would prune them silently), Go regex classes (`\PC`) are rewritten for JavaScript and a `cidr`
 * format is added.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { AnySchema, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

/** The shared upstream reference folder (outside the repo); may be absent. */
export const CILIUM_REFERENCE_DIR = path.resolve(__dirname, '../../../shared/reference', 'cilium-1.18');

/** CRD file of each policy kind below {@link CILIUM_REFERENCE_DIR}. */
const CRD_FILES: Record<string, string> = {
  CiliumNetworkPolicy: 'ciliumnetworkpolicies.yaml',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies.yaml',
};

/** True when the upstream CRDs are available; prints why validation is skipped otherwise. */
export function ciliumCrdsAvailable(): boolean {
  const ok = Object.values(CRD_FILES).every((f) => fs.existsSync(path.join(CILIUM_REFERENCE_DIR, f)));
  if (!ok) {
    // eslint-disable-next-line no-console
    console.warn(`Cilium CRD validation SKIPPED: upstream CRDs not found in ${CILIUM_REFERENCE_DIR}`);
  }
  return ok;
}

/** `describe` when the CRDs are available, `describe.skip` (with a console notice) otherwise. */
export function describeWithCiliumCrds(name: string, fn: () => void): void {
  (ciliumCrdsAvailable() ? describe : describe.skip)(name, fn);
}

const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:.]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

function goToJsPattern(pattern: string): string {
  return pattern.replace(/\\([pP])([A-Za-z])(?!\{)/g, '\\$1{$2}');
}

function prepare(schema: any): any {
  if (Array.isArray(schema)) return schema.map(prepare);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description') continue;
    if (key === 'pattern' && typeof value === 'string') out.pattern = goToJsPattern(value);
    else if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, prepare(v)]));
    else out[key] = prepare(value);
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(kind: string): ValidateFunction {
  const cached = validators.get(kind);
  if (cached) return cached;
  const file = CRD_FILES[kind];
  if (!file) throw new Error(`no CRD known for kind ${kind}`);
  const crd = parseAllDocuments(fs.readFileSync(path.join(CILIUM_REFERENCE_DIR, file), 'utf8'))
    .map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
  const version = crd.spec.versions.find((v: any) => v.name === 'v2');
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });
  addFormats(ajv);
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => IPV4_CIDR.test(s) || IPV6_CIDR.test(s) });
  // ajv-formats has no idn-hostname (used by `rules.http[].host`): labels of up to 63 non-space characters.
  ajv.addFormat('idn-hostname', { type: 'string', validate: (s: string) => s.length <= 253 && s.split('.').every((l) => /^[^\s.]{1,63}$/u.test(l)) });
  const validate = ajv.compile(prepare(version.schema.openAPIV3Schema) as AnySchema);
  validators.set(kind, validate);
  return validate;
}

/** Errors of one synthesized CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (empty when valid). */
export function validateCiliumPolicy(object: any): string[] {
  const validate = validatorFor(object.kind);
  const errors: string[] = [];
  if (object.apiVersion !== 'cilium.io/v2') errors.push(`apiVersion ${object.apiVersion} is not cilium.io/v2`);
  if (!validate(object)) {
    errors.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
  }
  return errors;
}
