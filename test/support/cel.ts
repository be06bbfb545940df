import * as fs from 'fs';
import { CelScalar, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import * as YAML from 'yaml';

/**
 * CEL rules (`x-kubernetes-validations`) of CRD schemas, evaluated with `@bufbuild/cel` (plus its
 * strings extension) the way the API server applies them on CREATE:
 *
 * - a rule applies at the schema node that declares it, with `self` bound to the value there; the
 *   object and its schema are walked together (properties, items, additionalProperties), so a rule
 *   on a list item runs once per item;
 * - a rule runs only where the value is present (and not null);
 * - transition rules (those that mention `oldSelf`) only run on UPDATE and are skipped;
 * - values are typed by the schema: `integer` (and int-or-string numbers) are CEL `int`, `number`
 *   is `double`, objects are CEL maps (so `has(self.x)` tests presence);
 * - a rule that evaluates to anything but `true`, or fails to evaluate (e.g. a missing function), is
 *   a failure: nothing is skipped silently.
 *
 * The caller applies schema defaults first (the API server defaults before it validates).
 */

type Schema = Record<string, any>;

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

/** One rule that did not hold. */
export interface CelFailure {
  /** JSON pointer of the node the rule is declared on (plus the rule's `fieldPath`, if any). */
  readonly path: string;
  /** The rule's message (its text when it has none). */
  readonly message: string;
  readonly rule: string;
  /** Set when the rule could not be evaluated (rather than evaluating to false). */
  readonly error?: string;
}

/** `path: message (CEL)` — the form reference-schemas.ts reports. */
export function formatCelFailure(f: CelFailure): string {
  return `${f.path || '/'}: ${f.message} (CEL)${f.error ? ` [evaluation error: ${f.error}]` : ''}`;
}

/** True for transition rules (they compare with the old object and only run on update). */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

const env = celEnv({ variables: { self: CelScalar.DYN }, funcs: strings });
/** A compiled rule: evaluates with `self` bound. */
export type CelProgram = (bindings: { self: any }) => unknown;
const programs = new Map<string, CelProgram | Error>();

/** Compiles (once) a rule; returns the parse error instead of throwing. */
export function compileRule(text: string): CelProgram | Error {
  let p = programs.get(text);
  if (p === undefined) {
    try {
      p = plan(env, parse(text)) as CelProgram;
    } catch (e) {
      p = e instanceof Error ? e : new Error(String(e));
    }
    programs.set(text, p);
  }
  return p;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** CEL keywords that Kubernetes escapes as `__word__` when they name a schema property. */
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/**
 * A schema property name as CEL rules spell it (Kubernetes escaping: `namespace` -> `__namespace__`,
 * `__` -> `__underscores__`, `.` -> `__dot__`, `-` -> `__dash__`, `/` -> `__slash__`). Keys of
 * maps (additionalProperties) are map keys, not fields, and are never escaped.
 */
export function escapeCelField(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__|[./-]/g, (m) => ({ '__': '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' }[m]!));
}

/** The value as CEL sees it at a schema node: maps for objects (fields escaped), bigint for integers. */
function toCel(value: unknown, schema: Schema | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (isObject(value)) {
    const isStruct = (k: string) => schema?.properties?.[k] !== undefined;
    return new Map(Object.entries(value).map(([k, v]) => [isStruct(k) ? escapeCelField(k) : k, toCel(v, childSchema(schema, k))]));
  }
  if (typeof value === 'number') {
    const type = schema?.type;
    if (type === 'number') return value;
    if (Number.isInteger(value) && (type === 'integer' || type === undefined)) return BigInt(value);
  }
  return value;
}

function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (!schema) return undefined;
  if (schema.properties?.[key]) return schema.properties[key];
  if (isObject(schema.additionalProperties)) return schema.additionalProperties;
  return undefined;
}

function pointer(parts: readonly (string | number)[]): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function fieldPathPointer(fieldPath: string | undefined): string {
  if (!fieldPath) return '';
  return fieldPath.replace(/\[['"]?([^'"\]]+)['"]?\]/g, '.$1').split('.').filter(Boolean).map((p) => `/${p}`).join('');
}

function evaluate(rule: CelRule, value: unknown, schema: Schema, at: readonly (string | number)[]): CelFailure | undefined {
  const where = pointer(at) + fieldPathPointer(rule.fieldPath);
  const message = rule.message ?? rule.rule;
  const program = compileRule(rule.rule);
  if (program instanceof Error) return { path: where, message, rule: rule.rule, error: `does not parse: ${program.message}` };
  let result: unknown;
  try {
    result = program({ self: toCel(value, schema) });
  } catch (e) {
    result = e;
  }
  if (result === true) return undefined;
  if (isCelError(result) || result instanceof Error) {
    return { path: where, message, rule: rule.rule, error: (result as Error).message };
  }
  if (result !== false) return { path: where, message, rule: rule.rule, error: `evaluated to ${String(result)}, not a bool` };
  return { path: where, message, rule: rule.rule };
}

/**
 * Evaluates every (non-transition) CEL rule of `schema` and its sub-schemas against `value`.
 * Returns the failures, `[]` when every rule holds. `at` is the JSON pointer prefix of `value`.
 */
export function celValidate(schema: Schema | undefined, value: unknown, at: readonly (string | number)[] = []): CelFailure[] {
  if (!schema || value === undefined || value === null) return [];
  const failures: CelFailure[] = [];
  for (const rule of (schema['x-kubernetes-validations'] ?? []) as CelRule[]) {
    if (isTransitionRule(rule)) continue;
    const f = evaluate(rule, value, schema, at);
    if (f) failures.push(f);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => failures.push(...celValidate(schema.items, item, [...at, i])));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) failures.push(...celValidate(childSchema(schema, k), v, [...at, k]));
  }
  return failures;
}

/** Every rule declared in a schema (depth first), with the schema path it is declared at. */
export function collectRules(schema: Schema | undefined, at = ''): { at: string; rule: CelRule }[] {
  if (!isObject(schema)) return [];
  const out = ((schema['x-kubernetes-validations'] ?? []) as CelRule[]).map((rule) => ({ at: at || '/', rule }));
  for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out.push(...collectRules(s, `${at}/${k}`));
  if (isObject(schema.items)) out.push(...collectRules(schema.items, `${at}/*`));
  if (isObject(schema.additionalProperties)) out.push(...collectRules(schema.additionalProperties, `${at}/*`));
  return out;
}

/** A CRD file's schemas by `apiVersion kind` (every served version). */
export function loadCrdSchemas(file: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS())) {
    if (doc?.kind !== 'CustomResourceDefinition') continue;
    for (const v of doc.spec.versions ?? []) {
      if (v.served && v.schema?.openAPIV3Schema) out.set(`${doc.spec.group}/${v.name} ${doc.spec.names.kind}`, v.schema.openAPIV3Schema);
    }
  }
  return out;
}

/** Every served CRD schema of a set of CRD files (e.g. those of `gateway-api-v1.3.0/`, including `experimental/`), each read from `resolve(file)`. */
export function loadCrdFiles(files: readonly string[], resolve: (file: string) => string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  // Standard channel first: an experimental file only adds kinds/versions the standard one lacks.
  const ordered = files.filter((f) => /\.ya?ml$/.test(f)).sort()
    .sort((a, b) => Number(a.includes('experimental/')) - Number(b.includes('experimental/')));
  for (const f of ordered) {
    for (const [k, s] of loadCrdSchemas(resolve(f))) if (!out.has(k)) out.set(k, s);
  }
  return out;
}

/**
 * A copy of `value` with the schema's `default`s filled in where a field is missing, as the API
 * server does before it validates (structural defaulting: only inside objects that are present).
 */
export function withDefaults(schema: Schema | undefined, value: unknown): unknown {
  if (!schema) return value;
  if (Array.isArray(value)) return value.map((v) => withDefaults(schema.items, v));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withDefaults(childSchema(schema, k), v);
  for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    if (out[k] === undefined && s.default !== undefined) out[k] = withDefaults(s, structuredClone(s.default));
  }
  return out;
}

/** Defaults `obj` with its schema, then {@link celValidate}s it. */
export function celValidateObject(schema: Schema, obj: unknown): CelFailure[] {
  return celValidate(schema, withDefaults(schema, obj));
}
