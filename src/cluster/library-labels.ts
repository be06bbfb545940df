import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { BUNDLE_NAME, BUNDLE_VERSION } from '../spec/versions';

/** The labels this library puts on the objects its own constructs create, and on no others. */
export const LIBRARY_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/part-of': BUNDLE_NAME,
  'app.kubernetes.io/version': BUNDLE_VERSION,
  'app.kubernetes.io/managed-by': BUNDLE_NAME,
};

/**
 * Adds {@link LIBRARY_LABELS} to every ApiObject below `scope` (inclusive). Called at the end of each
 * library construct's constructor, so the user's own objects in the cluster (raw ApiObjects, cdk8s-plus
 * objects) are not stamped as the library's. Labels the object already has are kept (`addLabel` of the same
 * value is idempotent, so nested library constructs may call it twice).
 */
export function labelLibraryObjects(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    if (ApiObject.isApiObject(c)) {
      for (const [key, value] of Object.entries(LIBRARY_LABELS)) c.metadata.addLabel(key, value);
    }
  }
}
