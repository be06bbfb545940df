import { v } from './common';
import { Violation } from '../errors';
import { checkCrdSchema, SchemaFolders } from '../private/crd-schema';

/** A resolved Kubernetes object with the construct path of the ApiObject that wrote it. */
export interface ObjectAtPath {
  /** Construct path of the ApiObject (e.g. `dev/web-policy/Resource`). */
  readonly path: string;
  /** The resolved object (`ApiObject.toJson()`). */
  readonly object: Record<string, any>;
}

/** Ids {@link checkCustomObjects} can emit (reported with a cluster's rules: `cluster.violations()`, synth, `renderBundle`). */
export const CRD_SCHEMA_RULE_IDS: readonly string[] = ['crd-schema'];

function label(o: Record<string, any>): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? '(unnamed)'}`;
}

/**
 * Every custom object of a cluster checked against its CRD's structural schema, as the API server would
 * on apply: `maxItems`, `maxLength`, patterns, enums, formats, required and unknown fields, served versions
 * (see src/private/crd-schema.ts). One violation per broken limit, its field the construct path of the
 * ApiObject plus the path inside the object (`dev/web/Resource.spec.ingress[0].toPorts[0].ports`).
 */
export function checkCustomObjects(objects: readonly ObjectAtPath[], folders?: SchemaFolders): Violation[] {
  const out: Violation[] = [];
  for (const { path, object } of objects) {
    for (const e of checkCrdSchema(object, folders) ?? []) {
      out.push(v('crd-schema', e.path ? `${path}.${e.path}` : path,
        `${e.message}, got ${e.value} (${e.keyword} in the ${object.apiVersion} ${object.kind} CRD schema: the API server refuses ${label(object)})`,
        e.fix));
    }
  }
  return out;
}
