import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

/**
 * Validates emitted objects against the upstream CRD `openAPIV3Schema` (read-only reference data in
 * /work/shared/reference, never copied into the repo). Gateway-test-local helper.
 */

/** Folder with the upstream reference data. */
export const REFERENCE_DIR = path.resolve(__dirname, '../../../shared/reference');

/** CRD folders used by the gateway tests. */
export const GATEWAY_CRD_DIRS = ['gateway-api-v1.4.0', 'cert-manager-v1.19'];

/** True when every folder of {@link GATEWAY_CRD_DIRS} exists. */
export function referenceAvailable(): boolean {
  return GATEWAY_CRD_DIRS.every((d) => fs.existsSync(path.join(REFERENCE_DIR, d)));
}

type Schema = Record<string, any>;

/** Go/RE2 `\pL`, `\PC` single-letter classes -> ECMAScript `\p{L}`, `\P{C}` (needs the `u` flag). */
export function translateGoRegex(pattern: string): string {
  // Escaped backslashes are consumed pairwise, so `\\pL` (a literal backslash, then "pL") is left alone.
  return pattern.replace(/\\\\|\\([pP])([A-Za-z])/g, (m: string, p?: string, c?: string) => (p ? `\\${p}{${c}}` : m));
}

/** Deep-copies a structural schema, rewriting every `pattern` keyword (not properties named "pattern"). */
function fixSchema(schema: Schema): Schema {
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = { ...schema };
  if (typeof out.pattern === 'string') out.pattern = translateGoRegex(out.pattern);
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, fixSchema(v as Schema)]));
  }
  if (out.items) out.items = Array.isArray(out.items) ? out.items.map(fixSchema) : fixSchema(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = fixSchema(out.additionalProperties);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(out[key])) out[key] = out[key].map(fixSchema);
  }
  if (out.not) out.not = fixSchema(out.not);
  return out;
}

function collectFormats(schema: any, into: Set<string>): void {
  if (schema === null || typeof schema !== 'object') return;
  if (typeof schema.format === 'string') into.add(schema.format);
  for (const v of Object.values(schema)) collectFormats(v, into);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Validators keyed by `group/version/Kind`, built from the served versions of the reference CRDs. */
export class CrdValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(dirs: readonly string[] = GATEWAY_CRD_DIRS) {
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: true, validateFormats: true });
    addFormats(ajv);
    ajv.addFormat('cidr', {
      type: 'string',
      validate: (s: string) => {
        const [ip, prefix, extra] = s.split('/');
        return extra === undefined && IPV4.test(ip) && /^(3[0-2]|[12]?\d)$/.test(prefix ?? '') || /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s);
      },
    });
    const crds: Schema[] = [];
    for (const dir of dirs) {
      const full = path.join(REFERENCE_DIR, dir);
      for (const file of fs.readdirSync(full).filter((f) => f.endsWith('.yaml')).sort()) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(full, file), 'utf8'))) {
          const crd = doc.toJS();
          if (crd?.kind === 'CustomResourceDefinition') crds.push(crd);
        }
      }
    }
    const formats = new Set<string>();
    crds.forEach((crd) => collectFormats(crd.spec.versions, formats));
    for (const f of formats) {
      if (!(ajv.formats as Record<string, unknown>)[f]) ajv.addFormat(f, true);
    }
    for (const crd of crds) {
      for (const version of crd.spec.versions) {
        if (!version.served || !version.schema?.openAPIV3Schema) continue;
        const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        this.validators.set(key, ajv.compile(fixSchema(version.schema.openAPIV3Schema)));
      }
    }
  }

  /** Keys (`group/version/Kind`) of every served version loaded. */
  public get kinds(): string[] {
    return [...this.validators.keys()].sort();
  }

  /** True when a schema exists for the object's apiVersion and kind. */
  public covers(obj: { apiVersion: string; kind: string }): boolean {
    return this.validators.has(`${obj.apiVersion}/${obj.kind}`);
  }

  /** Schema errors of one object (`[]` when valid); throws when no served CRD version matches. */
  public errors(obj: Record<string, any>): string[] {
    const validate = this.validators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) throw new Error(`no served CRD version for ${obj.apiVersion} ${obj.kind}`);
    const label = `${obj.kind}/${obj.metadata?.name}`;
    if (validate(obj)) return [];
    return (validate.errors ?? []).map((e) => `${label}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
}
