// The options of the projen project type `KindCiliumLabProject` (`npx projen new --from cdk8s-kind-cilium`).
// No import of projen here: the library's typings name this interface, and a consumer without projen must still
// compile them. scripts/projen-manifest.js reads this file to write the package's `.jsii` manifest, where projen
// finds the project type and turns each property into a `projen new` switch (`clusterName` -> `--cluster-name`).

/**
 * Options of a kind + Cilium lab made by projen. `projen new --from cdk8s-kind-cilium` writes them to
 * `.projenrc.json`; edit them there and run `npx projen`.
 */
export interface KindCiliumLabProjectOptions {
  /**
   * npm name of the lab (its package.json `name`).
   *
   * @default $BASEDIR
   */
  readonly name: string;

  /**
   * Folder of the lab; `projen new` sets it to the current folder.
   *
   * @default "."
   */
  readonly outdir?: string;

  /**
   * Name of the kind cluster in the sample `src/main.ts` (written once; the library's `clusterName` rule applies).
   *
   * @default the folder's name, lowercased, other characters as `-`, at most 32; `lab` if empty
   */
  readonly clusterName?: string;

  /**
   * More runtime dependencies of the lab, as `name` or `name@range`, after this library and its peers.
   *
   * @default none
   */
  readonly deps?: string[];

  /**
   * Development dependencies of the lab, as `name` or `name@range`. An entry naming this library (`cdk8s-kind-cilium`,
   * `cdk8s-kind-cilium@<range>`, or a path to its packed `cdk8s-kind-cilium-<version>.tgz`) is how the lab depends on
   * it: `projen new --from <spec>` puts its spec here, and the lab lists it under `dependencies`.
   *
   * @default none (the lab depends on `cdk8s-kind-cilium@^<this version>`)
   */
  readonly devDeps?: string[];
}
