import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { OBJECT_ORDER } from '../private/crd-catalog';

function kindRank(kind: string): number {
  const i = OBJECT_ORDER.indexOf(kind);
  return i < 0 ? OBJECT_ORDER.length : i;
}

/** Every ApiObject below `scope`, in construct order. */
export function apiObjectsOf(scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/** A resolved object and the construct path of the ApiObject that wrote it. */
export interface ResolvedObject {
  readonly path: string;
  readonly object: Record<string, any>;
}

/**
 * The Kubernetes objects of one cluster, resolved, in install order (kind priority, then construct order),
 * each with the construct path of its ApiObject (for messages that name the construct).
 * Not `Chart.toJson()`: cdk8s validates and walks the whole app for every chart, which makes a bundle of
 * n clusters cost O(n^2); the app is validated once.
 */
export function resolvedEntries(scope: IConstruct): ResolvedObject[] {
  return apiObjectsOf(scope)
    .map((o, i) => ({ entry: { path: o.node.path, object: o.toJson() as Record<string, any> }, i }))
    .sort((a, b) => kindRank(a.entry.object.kind) - kindRank(b.entry.object.kind) || a.i - b.i)
    .map(({ entry }) => entry);
}
