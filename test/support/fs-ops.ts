// The real module object (not an `import *` copy), so replacing its functions reaches every caller.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeFs = require('fs');

/** Every `fs` function the write uses to change the tree. A crash or a fault can come between any two calls. */
export const MUTATING_FS_OPS = [
  'mkdirSync', 'mkdtempSync', 'writeFileSync', 'renameSync', 'linkSync', 'unlinkSync', 'rmdirSync', 'rmSync', 'copyFileSync',
] as const;
export type MutatingFsOp = typeof MUTATING_FS_OPS[number];

/** Called before the `n`-th (1-based) mutating call; `run` performs it. Return what the call returns. */
export type FsOpHook = (op: MutatingFsOp, args: unknown[], n: number, run: () => unknown) => unknown;

/** Routes every mutating `fs` call through `hook`; returns a function that puts the real ones back. */
export function interceptFsOps(hook: FsOpHook): () => void {
  const fsAny = nodeFs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const real = new Map(MUTATING_FS_OPS.map((op) => [op, fsAny[op]]));
  let n = 0;
  for (const op of MUTATING_FS_OPS) {
    const original = real.get(op)!;
    fsAny[op] = (...args: unknown[]) => {
      n += 1;
      return hook(op, args, n, () => original.apply(nodeFs, args));
    };
  }
  return () => {
    for (const [op, fn] of real) fsAny[op] = fn;
  };
}

/** An `EIO` error as the kernel would report it, naming the call. */
export function ioError(op: string, n: number): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`EIO: i/o error (simulated at ${op}, call ${n})`);
  err.code = 'EIO';
  return err;
}
