import { isIPv4, isIPv6 } from 'net';
import Ajv, { AnySchema, ErrorObject, Options, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';
import { celValidate, CelRule, collectRules, compileRule, formatCelFailure, isTransitionRule } from './cel';
import { readReference, referenceHas } from './reference';
import { KIND_SCHEMA_FILE } from './reference-files';
import { CRD_CATALOG, CrdEntry, crdReferenceFile } from '../../src/private/crd-catalog';
import { CiliumMinor, ciliumMinorFacts, ciliumMinorOf, crdSchemaFolders, DEFAULT_CILIUM_VERSION } from '../../src/spec/version-matrix';

/**
 * Validators for everything this library writes, checked against the upstream schemas of the reference data
 * (read through the gate in reference.ts, never copied into the repo):
 *
 * - {@link validateKindConfig}: kind's `kind.x-k8s.io/v1alpha4` Cluster JSON Schema (draft-07).
 * - {@link validateCiliumValues}: a Cilium minor's Helm chart `values.schema.json` (`cilium-1.XX/`, default: the default minor's).
 * - {@link validateManifest}: one Kubernetes object. Custom resources are checked against the
 *   `openAPIV3Schema` of the served CRD version, plus every CEL rule (`x-kubernetes-validations`,
 *   evaluated by cel.ts) and a few cert-manager admission-webhook rules; built-in kinds get structural checks only; anything else is an error.
 * - {@link validateYamlManifests}: every document of a multi-document YAML file (e.g. `dist/<c>/<c>.k8s.yaml`).
 * - {@link validateBundleFile}: one synthesized file, dispatched on its path (kind/, cilium-values/, *.k8s.yaml).
 *
 * Every validator returns a list of readable errors (`[]` when valid) naming the JSON pointer of the
 * offending value. Compiled validators are cached per schema.
 */

// ---------------------------------------------------------------------------------------------
// Error formatting
// ---------------------------------------------------------------------------------------------

/** One ajv error as `"/json/pointer: message (detail)"`. */
export function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field "${String(p.additionalProperty)}" (not in the schema)`;
    case 'enum':
      return `${where}: ${e.message}: ${JSON.stringify(p.allowedValues)}`;
    case 'const':
      return `${where}: ${e.message}: ${JSON.stringify(p.allowedValue)}`;
    case 'anyOf':
    case 'oneOf':
      return `${where}: ${e.message} (${e.keyword})`;
    default:
      return `${where}: ${e.message}`;
  }
}

function ajvErrors(validate: ValidateFunction): string[] {
  return [...new Set((validate.errors ?? []).map(formatAjvError))];
}

// ---------------------------------------------------------------------------------------------
// JSON Schema files (kind config, Helm values)
// ---------------------------------------------------------------------------------------------

type AjvClass = new (opts: Options) => Ajv;

/**
 * The ajv class for the draft a schema declares in `$schema` (ajv's default class is draft-07 and
 * also accepts draft-06 schemas). draft-04 would need `ajv-draft-04`, which is not installed.
 */
export function ajvClassFor(schema: { $schema?: string }): AjvClass {
  const declared = schema.$schema ?? 'http://json-schema.org/draft-07/schema#';
  if (/draft-0[67]\/schema/.test(declared)) return Ajv;
  if (/draft\/2019-09\/schema/.test(declared)) return Ajv2019 as unknown as AjvClass;
  if (/draft\/2020-12\/schema/.test(declared)) return Ajv2020 as unknown as AjvClass;
  throw new Error(`unsupported JSON Schema draft ${declared}`);
}

const schemaValidators = new Map<string, ValidateFunction>();

/** Compiles (once) a JSON Schema file of the reference with the ajv class its `$schema` asks for. */
function jsonSchemaValidator(file: string): ValidateFunction {
  let validate = schemaValidators.get(file);
  if (!validate) {
    const schema = JSON.parse(readReference(file));
    const AjvForDraft = ajvClassFor(schema);
    // strictSchema: unknown keywords are compile errors (so nothing in the schema is silently ignored);
    // `$comment`, `$id`, `title` and `description` are standard. strictTypes/strictRequired are off
    // because `if`/`contains` sub-schemas legitimately omit `type`.
    const ajv = new AjvForDraft({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false });
    validate = ajv.compile(schema as AnySchema);
    schemaValidators.set(file, validate);
  }
  return validate;
}

export { KIND_SCHEMA_FILE };

/**
 * The reference folders one Cilium minor's output is checked against: its own CRDs and Helm values
 * schema (`cilium-1.XX/`), the CRDs of its paired Gateway API release (`gateway-api-v1.3.0` / `v1.4.1` /
 * `v1.6.1`) and cert-manager's.
 */
export interface ReferenceProfile {
  readonly minor: CiliumMinor;
  readonly cilium: string;
  readonly gatewayApi: string;
  readonly certManager: string;
}

/** The reference profile of a Cilium minor (its Gateway API pair and folders from the version matrix). */
export function referenceProfile(minor: CiliumMinor): ReferenceProfile {
  const folders = crdSchemaFolders(minor, ciliumMinorFacts(minor).gatewayApi.release);
  return { minor, cilium: folders.cilium, gatewayApi: folders['gateway-api'], certManager: folders['cert-manager'] };
}

/** The profile of the default Cilium version: what the default bundle is checked against. */
export const DEFAULT_PROFILE: ReferenceProfile = referenceProfile(ciliumMinorOf(DEFAULT_CILIUM_VERSION)!);

/** The Cilium Helm values schema file of a minor. */
export function ciliumValuesSchemaFile(minor: CiliumMinor = DEFAULT_PROFILE.minor): string {
  return `cilium-${minor}/helm-values.schema.json`;
}

/** The CRD file of a catalog entry in a profile's folders. */
function profileCrdFile(entry: CrdEntry, profile: ReferenceProfile): string {
  const folder = entry.source === 'cilium' ? profile.cilium : entry.source === 'cert-manager' ? profile.certManager : profile.gatewayApi;
  return crdReferenceFile(entry, folder);
}

/**
 * Validates a kind `Cluster` config object (as it would be decoded from `kind/<cluster>.yaml`).
 * The schema is strict like kind's decoder: unknown keys such as `metadata` are errors, and
 * integers must be integers.
 */
export function validateKindConfig(obj: unknown): string[] {
  const validate = jsonSchemaValidator(KIND_SCHEMA_FILE);
  return validate(obj) ? [] : ajvErrors(validate);
}

/**
 * Validates Cilium Helm values against the chart's `values.schema.json` (what `helm install` runs).
 * NOTE: the chart schema has no `additionalProperties: false`, so unknown or removed keys pass it
 * silently; it catches type errors (e.g. `kubeProxyReplacement: 5`, a string where a list is expected).
 */
export function validateCiliumValues(obj: unknown, minor: CiliumMinor = DEFAULT_PROFILE.minor): string[] {
  const validate = jsonSchemaValidator(ciliumValuesSchemaFile(minor));
  return validate(obj) ? [] : ajvErrors(validate);
}

// ---------------------------------------------------------------------------------------------
// CRD openAPIV3Schema -> ajv
// ---------------------------------------------------------------------------------------------

/**
 * Go/RE2 single-letter Unicode classes (`\pL`, `\PC`) in ECMAScript form (`\p{L}`, `\P{C}`), which
 * needs the `u` flag. Escaped backslashes are consumed pairwise, so `\\pL` (a literal backslash, then
 * "pL") is left alone.
 */
export function goRegexToJs(pattern: string): string {
  return pattern.replace(/\\\\|\\([pP])([A-Za-z])/g, (m: string, p?: string, c?: string) => (p ? `\\${p}{${c}}` : m));
}

type Schema = Record<string, any>;

const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties'];
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf'];

/**
 * Rewrites one Kubernetes structural schema node for ajv:
 * - `pattern`: Go regex classes -> ECMAScript (`\PC` -> `\P{C}`); compiled with the `u` flag;
 * - `nullable: true` -> `null` added to `type` (and `enum`); without it a `null` value is an error
 *   (the API server would silently prune it, which hides mistakes);
 * - `x-kubernetes-int-or-string` without an explicit `anyOf` -> `anyOf: [integer, string]`;
 * - objects with `properties` are closed (`additionalProperties: false`) unless they carry
 *   `x-kubernetes-preserve-unknown-fields`: the API server prunes unknown fields (or, with kubectl's
 *   default strict field validation, rejects them), so e.g. `spec.cidrs` instead of `spec.blocks` is
 *   an error here. Value-validation branches (`allOf`/`anyOf`/`oneOf`/`not`) are never closed, as their
 *   `properties` only constrain fields declared elsewhere;
 * - `description` is dropped (not needed, keeps the compiled schema small).
 * The remaining `x-kubernetes-*` keywords are registered with ajv as annotations.
 */
function toAjvSchema(node: Schema, inJunctor = false): Schema {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (SCHEMA_MAP_KEYWORDS.includes(key)) {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toAjvSchema(v as Schema, inJunctor)]));
    } else if (SCHEMA_LIST_KEYWORDS.includes(key)) {
      out[key] = (value as Schema[]).map((v) => toAjvSchema(v, true));
    } else if (key === 'not') {
      out[key] = toAjvSchema(value as Schema, true);
    } else if (key === 'items') {
      out[key] = Array.isArray(value) ? value.map((v) => toAjvSchema(v, inJunctor)) : toAjvSchema(value as Schema, inJunctor);
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      out[key] = toAjvSchema(value as Schema, inJunctor);
    } else if (key === 'pattern' && typeof value === 'string') {
      out[key] = goRegexToJs(value);
    } else if (key !== 'nullable') {
      out[key] = value;
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  if (node['x-kubernetes-int-or-string'] === true && out.type === undefined && out.anyOf === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!inJunctor && out.properties && out.additionalProperties === undefined && !preserve) {
    out.additionalProperties = false;
  }
  return out;
}

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$/;
const HOSTNAME_LABEL = /^[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Kubernetes `format: cidr` (Go `net.ParseCIDR`: IPv4 or IPv6; host bits allowed). */
export function isCidr(value: string): boolean {
  if (IPV4_CIDR.test(value)) return true;
  const [addr, prefix, extra] = value.split('/');
  return extra === undefined && prefix !== undefined && /^(12[0-8]|1[01]\d|[1-9]?\d)$/.test(prefix) && isIPv6(addr);
}

/** ajv with every format the reference CRDs use (Kubernetes semantics where they differ from JSON Schema). */
function newCrdAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true, useDefaults: true, validateFormats: true });
  // date-time, uri, hostname, ipv4, ipv6, byte (base64), int32, int64, ...
  addFormats(ajv);
  ajv.addFormat('cidr', { type: 'string', validate: isCidr });
  ajv.addFormat('ip', { type: 'string', validate: (s: string) => isIPv4(s) || isIPv6(s) });
  // Kubernetes `duration` is a Go duration (3s, 1h30m), not ISO 8601 as in ajv-formats.
  ajv.addFormat('duration', { type: 'string', validate: (s: string) => GO_DURATION.test(s) });
  ajv.addFormat('idn-hostname', {
    type: 'string',
    validate: (s: string) => s.length <= 253 && s.split('.').every((part) => HOSTNAME_LABEL.test(part)),
  });
  for (const keyword of [
    'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-int-or-string',
    'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-validations',
  ]) {
    ajv.addKeyword(keyword);
  }
  return ajv;
}

/** Where the schema of each custom resource kind lives (group -> kind -> file below the reference root). */
export const CRD_FILES: Readonly<Record<string, Readonly<Record<string, string>>>> = CRD_CATALOG.reduce(
  (groups, entry) => ({ ...groups, [entry.group]: { ...groups[entry.group], [entry.kind]: crdReferenceFile(entry) } }),
  {} as Record<string, Record<string, string>>,
);

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: Schema;
}

interface LoadedCrd {
  readonly group: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly CrdVersion[];
}

const crdCache = new Map<string, LoadedCrd>();

/** True when the profile's folder holds the kind's CRD (e.g. BackendTLSPolicy is not in Gateway API v1.3.0). */
function crdInProfile(group: string, kind: string, profile: ReferenceProfile): boolean {
  const entry = CRD_CATALOG.find((e) => e.group === group && e.kind === kind);
  return entry !== undefined && referenceHas(profileCrdFile(entry, profile));
}

function loadCrd(group: string, kind: string, profile: ReferenceProfile = DEFAULT_PROFILE): LoadedCrd {
  const entry = CRD_CATALOG.find((e) => e.group === group && e.kind === kind)!;
  const file = profileCrdFile(entry, profile);
  const key = file;
  let crd = crdCache.get(key);
  if (!crd) {
    const doc = YAML.parseAllDocuments(readReference(file)).map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
    if (!doc || doc.spec?.group !== group || doc.spec?.names?.kind !== kind) {
      throw new Error(`${file} is not the CRD of ${kind}.${group}`);
    }
    crd = {
      group,
      kind,
      scope: doc.spec.scope,
      versions: doc.spec.versions.map((v: any) => ({ name: v.name, served: v.served === true, schema: v.schema?.openAPIV3Schema })),
    };
    crdCache.set(key, crd);
  }
  return crd;
}

let crdAjv: Ajv | undefined;
const crdValidators = new Map<string, ValidateFunction>();

function crdValidator(crd: LoadedCrd, version: CrdVersion, profile: ReferenceProfile): ValidateFunction {
  const key = `${profileCrdFile(CRD_CATALOG.find((e) => e.group === crd.group && e.kind === crd.kind)!, profile)}/${version.name}`;
  let validate = crdValidators.get(key);
  if (!validate) {
    if (!version.schema) throw new Error(`${key} has no openAPIV3Schema`);
    crdAjv = crdAjv ?? newCrdAjv();
    validate = crdAjv.compile(toAjvSchema(version.schema) as AnySchema);
    crdValidators.set(key, validate);
  }
  return validate;
}

/**
 * The structural-schema part of {@link validateManifest} alone (served version + openAPIV3Schema through
 * ajv, no CEL, webhook or metadata checks), for comparing verdicts with the runtime validator in
 * src/private/crd-schema.ts. `undefined` when the object is not a custom resource of {@link CRD_FILES}.
 */
export function validateCustomResourceSchema(obj: Record<string, any>, profile: ReferenceProfile = DEFAULT_PROFILE): string[] | undefined {
  const apiVersion = String(obj.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  const group = apiVersion.slice(0, Math.max(slash, 0));
  if (slash < 0 || !CRD_FILES[group]?.[obj.kind]) return undefined;
  const crd = loadCrd(group, obj.kind, profile);
  const match = crd.versions.find((v) => v.served && v.schema && v.name === apiVersion.slice(slash + 1));
  if (!match) return [`/apiVersion: ${obj.kind}.${group} is not served at ${apiVersion}`];
  const validate = crdValidator(crd, match, profile);
  return validate(structuredClone(obj)) ? [] : ajvErrors(validate);
}

/** `apiVersion kind` of every served custom resource version the reference covers (e.g. `cilium.io/v2 CiliumLoadBalancerIPPool`). */
export function servedCustomResourceKinds(profile: ReferenceProfile = DEFAULT_PROFILE): string[] {
  const out: string[] = [];
  for (const [group, kinds] of Object.entries(CRD_FILES)) {
    for (const kind of Object.keys(kinds)) {
      if (!crdInProfile(group, kind, profile)) continue;
      for (const v of loadCrd(group, kind, profile).versions.filter((x) => x.served)) out.push(`${group}/${v.name} ${kind}`);
    }
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// CEL rules (x-kubernetes-validations): every rule, evaluated by test/support/cel.ts
// ---------------------------------------------------------------------------------------------

/**
 * The CEL rules of a served CRD version, by message (rule text when there is no message):
 * `evaluated` are checked by {@link validateManifest} (through the CEL evaluator in cel.ts),
 * `transition` rules (`oldSelf`) only apply on update and are skipped, `unparseable` would be
 * reported as failures (the evaluator cannot parse them) and should stay empty.
 */
export function celRuleCoverage(apiVersion: string, kind: string): { evaluated: string[]; transition: string[]; unparseable: string[] } {
  const [group, version] = apiVersion.split('/');
  const crd = loadCrd(group, kind);
  const schema = crd.versions.find((v) => v.name === version)?.schema;
  const ruleLabel = (r: CelRule) => r.message ?? r.rule;
  const rules = collectRules(schema).map((r) => r.rule);
  const uniqueSorted = (xs: string[]) => [...new Set(xs)].sort();
  return {
    evaluated: uniqueSorted(rules.filter((r) => !isTransitionRule(r)).map(ruleLabel)),
    transition: uniqueSorted(rules.filter(isTransitionRule).map(ruleLabel)),
    unparseable: uniqueSorted(rules.filter((r) => compileRule(r.rule) instanceof Error).map(ruleLabel)),
  };
}

type Obj = Record<string, any>;
const asArray = (x: unknown): Obj[] => (Array.isArray(x) ? x.filter((y) => y && typeof y === 'object') : []);

/**
 * cert-manager's admission webhook rules (not in the CRD) that matter for a local CA, checked in
 * code: a Certificate needs a subject (commonName / literalSubject) or a SAN; key sizes must fit the
 * algorithm; an (Cluster)Issuer configures exactly one issuer type.
 */
function certManagerWebhook(kind: string, o: Obj): string[] {
  const errs: string[] = [];
  const spec = o.spec ?? {};
  if (kind === 'Certificate') {
    const identities = ['commonName', 'literalSubject', 'dnsNames', 'uris', 'emailAddresses', 'ipAddresses', 'otherNames'];
    if (!identities.some((k) => (Array.isArray(spec[k]) ? spec[k].length > 0 : Boolean(spec[k])))) {
      errs.push('/spec: at least one of commonName (or literalSubject), dnsNames, uris, emailAddresses, ipAddresses or otherNames must be set (cert-manager webhook)');
    }
    const alg = spec.privateKey?.algorithm ?? 'RSA';
    const size = spec.privateKey?.size;
    if (size !== undefined) {
      if (alg === 'RSA' && (size < 2048 || size > 8192)) errs.push('/spec/privateKey/size: must be between 2048 and 8192 for RSA (cert-manager webhook)');
      if (alg === 'ECDSA' && ![256, 384, 521].includes(size)) errs.push('/spec/privateKey/size: must be 256, 384 or 521 for ECDSA (cert-manager webhook)');
    }
  }
  if (kind === 'Issuer' || kind === 'ClusterIssuer') {
    const types = ['acme', 'ca', 'vault', 'selfSigned', 'venafi'].filter((t) => spec[t] !== undefined);
    if (types.length === 0) errs.push('/spec: at least one issuer type (acme, ca, vault, selfSigned, venafi) must be configured (cert-manager webhook)');
    if (types.length > 1) errs.push(`/spec: may not specify more than one issuer type, got ${types.join(', ')} (cert-manager webhook)`);
  }
  return errs;
}

function codeChecks(group: string, kind: string, o: Obj, schema: Schema): string[] {
  const errs = celValidate(schema, o).map(formatCelFailure);
  if (group === 'cert-manager.io') errs.push(...certManagerWebhook(kind, o));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Metadata and built-in kinds
// ---------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

type NameRule = 'subdomain' | 'label' | 'dns1035';

/** True when `name` is a DNS-1123 subdomain (the rule for most object names). */
export function isDns1123Subdomain(name: unknown): boolean {
  return typeof name === 'string' && name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** True when `name` is a DNS-1123 label (namespaces, many name segments). */
export function isDns1123Label(name: unknown): boolean {
  return typeof name === 'string' && name.length <= 63 && DNS1123_LABEL.test(name);
}

function nameOk(name: string, rule: NameRule): boolean {
  if (rule === 'label') return isDns1123Label(name);
  if (rule === 'dns1035') return name.length <= 63 && DNS1035_LABEL.test(name);
  return isDns1123Subdomain(name);
}

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'uid', 'resourceVersion',
  'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink',
]);

/**
 * Minimal ObjectMeta checks (the API server validates metadata itself; CRD schemas leave it open):
 * name present and valid, namespace only on namespaced kinds, labels/annotations string maps with
 * valid keys (and valid label values), no unknown fields.
 */
function checkMetadata(o: Obj, scope: 'Namespaced' | 'Cluster', nameRule: NameRule): string[] {
  const meta = o.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return ['/metadata: must be an object with at least a name'];
  const errs: string[] = [];
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) errs.push(`/metadata: unknown field "${key}"`);
  }
  if (typeof meta.name !== 'string' || meta.name === '') {
    errs.push('/metadata/name: is required (kubectl apply cannot use generateName)');
  } else if (!nameOk(meta.name, nameRule)) {
    const what = { subdomain: 'a DNS-1123 subdomain', label: 'a DNS-1123 label', dns1035: 'a DNS-1035 label (starts with a letter)' }[nameRule];
    errs.push(`/metadata/name: "${meta.name}" must be ${what}`);
  }
  if (meta.namespace !== undefined) {
    if (scope === 'Cluster') errs.push(`/metadata/namespace: ${o.kind} is cluster-scoped and must not set a namespace`);
    else if (!isDns1123Label(meta.namespace)) errs.push(`/metadata/namespace: "${meta.namespace}" must be a DNS-1123 label`);
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = meta[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      errs.push(`/metadata/${field}: must be a map of strings`);
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (!QUALIFIED_NAME.test(k) || k.split('/')[0].length > 253) errs.push(`/metadata/${field}/${k}: "${k}" is not a valid ${field === 'labels' ? 'label' : 'annotation'} key`);
      if (typeof v !== 'string') errs.push(`/metadata/${field}/${k}: value must be a string, got ${JSON.stringify(v)}`);
      else if (field === 'labels' && !LABEL_VALUE.test(v)) errs.push(`/metadata/labels/${k}: "${v}" is not a valid label value`);
    }
  }
  return errs;
}

interface BuiltinKind { readonly scope: 'Namespaced' | 'Cluster'; readonly name: NameRule }
const ns = (name: NameRule = 'subdomain'): BuiltinKind => ({ scope: 'Namespaced', name });
const cl = (name: NameRule = 'subdomain'): BuiltinKind => ({ scope: 'Cluster', name });

/**
 * Built-in kinds (Kubernetes 1.33) that get STRUCTURAL checks only: apiVersion/kind/metadata.name
 * present, name rule of the kind, metadata as in {@link checkMetadata}. Their specs are not
 * validated here (no OpenAPI for core types in the reference folder).
 */
export const BUILTIN_KINDS: Readonly<Record<string, Readonly<Record<string, BuiltinKind>>>> = {
  'v1': {
    Namespace: cl('label'),
    Service: ns('dns1035'),
    Pod: ns(),
    ServiceAccount: ns(),
    ConfigMap: ns(),
    Secret: ns(),
    Endpoints: ns(),
    PersistentVolumeClaim: ns(),
    PersistentVolume: cl(),
    LimitRange: ns(),
    ResourceQuota: ns(),
  },
  'apps/v1': { Deployment: ns(), DaemonSet: ns(), StatefulSet: ns(), ReplicaSet: ns() },
  'batch/v1': { Job: ns(), CronJob: ns() },
  'rbac.authorization.k8s.io/v1': { Role: ns(), RoleBinding: ns(), ClusterRole: cl(), ClusterRoleBinding: cl() },
  'networking.k8s.io/v1': { NetworkPolicy: ns(), Ingress: ns(), IngressClass: cl() },
  'policy/v1': { PodDisruptionBudget: ns() },
  'autoscaling/v2': { HorizontalPodAutoscaler: ns() },
  'scheduling.k8s.io/v1': { PriorityClass: cl() },
  'storage.k8s.io/v1': { StorageClass: cl() },
  'coordination.k8s.io/v1': { Lease: ns() },
  'discovery.k8s.io/v1': { EndpointSlice: ns() },
  'apiextensions.k8s.io/v1': { CustomResourceDefinition: cl() },
  'admissionregistration.k8s.io/v1': { ValidatingWebhookConfiguration: cl(), MutatingWebhookConfiguration: cl() },
};

// ---------------------------------------------------------------------------------------------
// validateManifest
// ---------------------------------------------------------------------------------------------

function label(o: Obj): string {
  const name = o.metadata?.name;
  const namespace = o.metadata?.namespace;
  return `${o.kind ?? '?'} ${namespace ? `${namespace}/` : ''}${name ?? '(unnamed)'}`;
}

/**
 * Validates one Kubernetes object (one YAML document of a manifest file). Returns readable errors
 * prefixed with `Kind namespace/name`, `[]` when valid.
 *
 * - custom resources of {@link CRD_FILES}: the served CRD version's openAPIV3Schema (closed objects,
 *   see `toAjvSchema`), plus every CEL rule (cel.ts) and a few cert-manager webhook rules, checked
 *   on a copy with the schema defaults applied (as the API server defaults before CEL);
 * - a group/kind the reference has but at a version that is not served (e.g. CiliumL2AnnouncementPolicy
 *   at `cilium.io/v2`) is an error;
 * - built-in kinds ({@link BUILTIN_KINDS}): structural checks only;
 * - `v1 List`: each item;
 * - anything else (unknown CRD, unknown built-in kind or version): an error, never a silent pass.
 */
export function validateManifest(obj: unknown, profile: ReferenceProfile = DEFAULT_PROFILE): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return [`manifest: expected a Kubernetes object, got ${Array.isArray(obj) ? 'an array' : JSON.stringify(obj)}`];
  }
  const o = obj as Obj;
  const errs: string[] = [];
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '') errs.push('/apiVersion: is required');
  if (typeof o.kind !== 'string' || o.kind === '') errs.push('/kind: is required');
  if (errs.length > 0) return errs.map((e) => `${label(o)}: ${e}`);

  const apiVersion: string = o.apiVersion;
  const kind: string = o.kind;
  if (apiVersion === 'v1' && kind === 'List') {
    return asArray(o.items).flatMap((item, i) => validateManifest(item, profile).map((e) => `List item ${i}: ${e}`));
  }
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);

  const builtin = BUILTIN_KINDS[apiVersion]?.[kind];
  if (builtin) {
    // Built-in kind: structural checks only (see BUILTIN_KINDS).
    return checkMetadata(o, builtin.scope, builtin.name).map((e) => `${label(o)}: ${e}`);
  }
  const builtinElsewhere = Object.entries(BUILTIN_KINDS).filter(([, kinds]) => kinds[kind]).map(([v]) => v);
  if (builtinElsewhere.length > 0 && !CRD_FILES[group]?.[kind]) {
    return [`${label(o)}: /apiVersion: ${kind} is not served at ${apiVersion} by Kubernetes 1.33 (use ${builtinElsewhere.join(' or ')})`];
  }
  if (!CRD_FILES[group]?.[kind]) {
    return [`${label(o)}: /apiVersion: unknown kind ${kind} in ${apiVersion}: no built-in kind and no reference CRD covers it, so it cannot be validated`];
  }

  if (!crdInProfile(group, kind, profile)) {
    return [`${label(o)}: /apiVersion: ${kind}.${group} is not installed with ${profile.gatewayApi} / ${profile.cilium} (no CRD in that release)`];
  }
  const crd = loadCrd(group, kind, profile);
  const served = crd.versions.filter((v) => v.served && v.schema);
  const match = served.find((v) => v.name === version);
  if (!match) {
    return [`${label(o)}: /apiVersion: ${kind}.${group} is not served at version ${version} (served: ${served.map((v) => `${group}/${v.name}`).join(', ')})`];
  }
  const validate = crdValidator(crd, match, profile);
  // ajv applies schema defaults (useDefaults) to the copy, so the CEL checks see defaulted values.
  const copy = structuredClone(o);
  if (!validate(copy)) errs.push(...ajvErrors(validate));
  errs.push(...checkMetadata(o, crd.scope, 'subdomain'));
  errs.push(...codeChecks(group, kind, copy, match.schema!));
  return [...new Set(errs)].map((e) => `${label(o)}: ${e}`);
}

/** Validates a list of objects, prefixing each error with the document index. */
export function validateManifests(objects: readonly unknown[], profile: ReferenceProfile = DEFAULT_PROFILE): string[] {
  return objects.flatMap((o, i) => validateManifest(o, profile).map((e) => `doc ${i}: ${e}`));
}

// ---------------------------------------------------------------------------------------------
// YAML files
// ---------------------------------------------------------------------------------------------

/** Parses a (multi-document) YAML text; empty documents are dropped; parse errors throw. */
export function parseYamlDocuments(text: string): unknown[] {
  return YAML.parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`YAML document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) {
      const d = firstDifference((a as Obj)[k], (b as Obj)[k], `${at}/${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${at || '/'}: ${JSON.stringify(a)} (YAML 1.2) vs ${JSON.stringify(b)} (YAML 1.1)`;
}

/**
 * Values that a YAML 1.1 reader (kubectl, Helm: sigs.k8s.io/yaml on go-yaml v2) decodes differently
 * than a YAML 1.2 reader, per document: unquoted `on`/`off`/`yes`/`no`/`y`/`n` become booleans,
 * `1:20` a base-60 number. Such a value silently changes type when the file is applied.
 */
export function yaml11Differences(text: string): string[] {
  const v12 = YAML.parseAllDocuments(text).map((d) => d.toJS());
  const v11 = YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
  return v12.flatMap((doc, i) => {
    const d = firstDifference(doc, v11[i]);
    return d ? [`doc ${i}: ${d}`] : [];
  });
}

/**
 * Validates every document of a multi-document manifest file with {@link validateManifest}, and
 * reports values whose type differs between YAML 1.2 and YAML 1.1 readers (see {@link yaml11Differences}).
 */
export function validateYamlManifests(text: string, profile: ReferenceProfile = DEFAULT_PROFILE): string[] {
  let docs: unknown[];
  try {
    docs = parseYamlDocuments(text);
  } catch (e) {
    return [(e as Error).message];
  }
  return [...validateManifests(docs, profile), ...yaml11Differences(text)];
}

/**
 * Validates one file of the synthesized bundle by its path relative to the output root:
 * - `kind/<cluster>.yaml`: parsed like kind (YAML 1.2, strict keys) and checked with {@link validateKindConfig};
 * - `cilium-values/<cluster>.yaml`: parsed like Helm (YAML 1.1, so an unquoted `on` becomes `true`) and
 *   checked with {@link validateCiliumValues}, plus {@link yaml11Differences};
 * - `*.k8s.yaml`: {@link validateYamlManifests}.
 * Returns `undefined` for files it does not validate (bundle.json, apply.sh, kustomization.yaml), so
 * the caller decides what to do with them instead of getting a silent pass.
 */
export function validateBundleFile(relativePath: string, content: string, profile: ReferenceProfile = DEFAULT_PROFILE): string[] | undefined {
  const file = relativePath.split(/[\\/]/).join('/');
  const parseOne = (version: '1.1' | '1.2'): unknown => {
    const docs = YAML.parseAllDocuments(content, { version });
    const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
    if (errors.length > 0) throw new Error(`${file}: ${errors.join('; ')}`);
    if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`);
    return docs[0].toJS();
  };
  try {
    if (/^kind\/[^/]+\.ya?ml$/.test(file)) {
      return validateKindConfig(parseOne('1.2')).map((e) => `${file}: ${e}`);
    }
    if (/^cilium-values\/[^/]+\.ya?ml$/.test(file)) {
      return [
        ...validateCiliumValues(parseOne('1.1'), profile.minor).map((e) => `${file} (as Helm reads it): ${e}`),
        ...yaml11Differences(content).map((e) => `${file}: ${e}`),
      ];
    }
    if (file.endsWith('.k8s.yaml')) return validateYamlManifests(content, profile).map((e) => `${file}: ${e}`);
  } catch (e) {
    return [(e as Error).message];
  }
  return undefined;
}
