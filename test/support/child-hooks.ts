/**
 * The hooks of a child synthesis (`synth-child.ts`, `synth-app-child.ts`), for the crash and concurrency tests.
 *
 * Environment hooks (on the n-th mutating `fs` call, counted from the start; see `test/support/fs-ops.ts`):
 * - `KC_KILL_AT_OP=n`: SIGKILL this process, after doing half of that call when it can be half done (half a
 *   file written, part of a folder deleted), else before it;
 * - `KC_HOLD_AT_OP=n` with `KC_HOLD_FILE=path`: print `HOLD` and wait until that file exists;
 * - `KC_HOLD_AT_STAGING=1` with `KC_HOLD_FILE=path`: the same, once the staging folder is made (the lock is held);
 * - `KC_SIGNAL_STAGING=1`: print `STAGING` when the staging folder is made (timed kills aim after it);
 * - `KC_PRINT_OPS=1`: print `OPS <count>` at exit; `KC_TRACE_OPS=1`: print `OP <n> <call> <first argument>` for each.
 * Exit code 0 on success, 1 with the message on stderr on failure (as `runSynthesis` does).
 */
import * as fs from 'fs';
import * as path from 'path';
import { interceptFsOps } from './fs-ops';

/** The hooks and the exit code around `synthesize` (run in this process). */
export function childMain(synthesize: (root: string, source: string) => void): void {
  process.exitCode = main(synthesize);
}

function say(line: string): void {
  fs.writeSync(1, `${line}\n`);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Half of a call's effect, for the ones that can be half done by a crash. */
function halfDo(op: string, args: unknown[]): void {
  if (op === 'writeFileSync' && typeof args[0] === 'string') {
    const data = String(args[1]);
    fs.appendFileSync(args[0], data.slice(0, Math.floor(data.length / 2)));
  } else if (op === 'rmSync' && typeof args[0] === 'string' && fs.lstatSync(args[0], { throwIfNoEntry: false })?.isDirectory()) {
    const walk = (dir: string): string[] => fs.readdirSync(dir).flatMap((n) => {
      const full = path.join(dir, n);
      return fs.lstatSync(full).isDirectory() ? walk(full) : [full];
    });
    const all = walk(args[0]);
    for (const f of all.slice(0, Math.ceil(all.length / 2))) fs.unlinkSync(f);
  }
}

function main(synthesize: (root: string, source: string) => void): number {
  const [root, source] = process.argv.slice(2);
  const killAt = Number(process.env.KC_KILL_AT_OP ?? 0);
  const holdAt = Number(process.env.KC_HOLD_AT_OP ?? 0);
  let count = 0;
  interceptFsOps((op, args, n, run) => {
    count = n;
    if (process.env.KC_TRACE_OPS) say(`OP ${n} ${op} ${String(args[0])}`);
    if (n === killAt) {
      halfDo(op, args);
      process.kill(process.pid, 'SIGKILL');
      sleep(10_000); // SIGKILL is delivered before this returns
    }
    const hold = () => {
      say('HOLD');
      while (!fs.existsSync(process.env.KC_HOLD_FILE!)) sleep(5);
    };
    if (n === holdAt) hold();
    const result = run();
    if (op === 'mkdtempSync' && process.env.KC_SIGNAL_STAGING) say('STAGING');
    if (op === 'mkdtempSync' && process.env.KC_HOLD_AT_STAGING) hold();
    return result;
  });
  try {
    synthesize(root, source);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  } finally {
    if (process.env.KC_PRINT_OPS) say(`OPS ${count}`);
  }
  return 0;
}
