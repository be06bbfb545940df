/**
 * The objects the apply model reads: plain Kubernetes JSON, as the bundle will apply it (after synthesis,
 * whoever wrote it: this library's constructs, cdk8s-plus, raw `ApiObject`s, escape-hatch patches).
 * Nothing here knows construct classes.
 */

/** A Kubernetes object as applied (the JSON of one manifest document). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: any;
}

/** A Kubernetes label selector (`metav1.LabelSelector`). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** The API group of an `apiVersion` (`''` for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * How messages and results name an object: `Kind/namespace/name`, or `Kind/name` for a cluster-scoped one
 * (the notation of `../shared/reference/behaviour-cases`).
 */
export function objectRef(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/** `namespace/name` (Services and pods in results). */
export function namespacedName(o: Pick<KubeObject, 'metadata'>, defaultNamespace = 'default'): string {
  return `${o.metadata.namespace ?? defaultNamespace}/${o.metadata.name}`;
}

/** The labels of an object (`{}` when none). */
export function labelsOf(o: Pick<KubeObject, 'metadata'>): Readonly<Record<string, string>> {
  return o.metadata.labels ?? {};
}

/** The annotations of an object (`{}` when none). */
export function annotationsOf(o: Pick<KubeObject, 'metadata'>): Readonly<Record<string, string>> {
  return o.metadata.annotations ?? {};
}

/**
 * Kubernetes label selector semantics (`metav1.LabelSelectorAsSelector`): every `matchLabels` pair and every
 * requirement must hold; an empty selector (`{}`) matches everything. `In` needs the key present with one of
 * the values, `NotIn` holds when the key is absent or its value is not listed, `Exists` / `DoesNotExist` test the key.
 * An unknown operator matches nothing (the API server would have refused it).
 * Callers decide what an absent (`undefined`) selector means: it differs between APIs.
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In': if (!has || !values.includes(labels[req.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[req.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * The labels a Namespace carries once applied: its own plus `kubernetes.io/metadata.name`, which the API server
 * sets on every Namespace (KEP-2161).
 */
export function appliedNamespaceLabels(ns: Pick<KubeObject, 'metadata'>): Record<string, string> {
  return { ...labelsOf(ns), 'kubernetes.io/metadata.name': ns.metadata.name };
}
