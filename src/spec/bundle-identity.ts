/** The bundle's own name and version: imported by the description's parts without the version matrix. */

/** The package version stamped on every synthesized object (`app.kubernetes.io/version`). Kept equal to package.json by a test. */
export const BUNDLE_VERSION = '0.1.0';

/** Name of this bundle, used for `app.kubernetes.io/part-of` and `managed-by`. */
export const BUNDLE_NAME = 'cdk8s-kind-cilium';
