import { execFile } from 'child_process';
import * as os from 'os';
import { toolEnv } from './tools';

/** Result of one tool run. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** At most this many tool processes at once per jest worker (the binaries are CPU-bound Go programs). */
const MAX_PARALLEL = Math.max(2, Math.min(4, os.cpus().length));
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Runs a binary with {@link toolEnv} (no kubeconfig, throwaway Helm home), with a process limit
 * shared by every caller in this worker. Never rejects on a non-zero exit: the caller asserts on
 * `code` and gets `stderr` for the message.
 */
export function runTool(bin: string, args: readonly string[]): Promise<RunResult> {
  return slot(() => new Promise<RunResult>((resolve, reject) => {
    execFile(bin, args, { env: toolEnv(), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
        reject(new Error(`${bin}: ${error.message}`)); // could not start (ENOENT, EACCES)
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  }));
}

/** Like {@link runTool}, but throws with the tool's stderr when it exits non-zero. */
export async function runToolOk(bin: string, args: readonly string[]): Promise<string> {
  const r = await runTool(bin, args);
  if (r.code !== 0) {
    throw new Error(`${[bin.split('/').pop(), ...args].join(' ')} exited ${r.code}:\n${r.stderr.trim()}`);
  }
  return r.stdout;
}

/**
 * Parses a stream of concatenated JSON values (what `kubectl ... -o json` prints for several objects)
 * into a list.
 */
export function parseJsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new Error(`unexpected ${JSON.stringify(c)} at ${i} outside a JSON object`);
    }
  }
  if (depth !== 0 || inString) throw new Error('truncated JSON stream');
  return out;
}
