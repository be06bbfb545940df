import * as fs from 'fs';
import * as path from 'path';

/** The fields of this library's own package.json that a new lab needs (see src/bundle/lab-template.ts). */
export interface LibraryPackage {
  /** npm name of this library (`cdk8s-kind-cilium`). */
  readonly name: string;
  /** Its version: a lab made without an explicit spec depends on `^<version>`. */
  readonly version: string;
  /** Its peers (`cdk8s`, `cdk8s-plus-28`, `constructs`): a lab lists them as its own dependencies. */
  readonly peerDependencies: Record<string, string>;
  /** Its devDependencies: a lab takes the `cdk8s-cli` range from here. */
  readonly devDependencies: Record<string, string>;
}

/**
 * This library's package.json: the first one at or above `from` (the caller's `__dirname`: `lib/src/bin/` or
 * `lib/src/projen/` when installed, `src/...` in this repository). Throws when none is found up to the root.
 */
export function libraryPackage(from: string): LibraryPackage {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as LibraryPackage;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
