import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { threadId } from 'worker_threads';
import { PlatformConfigError } from '../errors';

/** The lock folder of an output root. It holds exactly one entry, `holder.<base64url JSON>`, naming the run that holds it. */
export const LOCK_DIR = '.synth-lock';
/** Rule id of the error a run gets when another run holds the lock. */
export const LOCKED_RULE = 'output-root-locked';

/** Who holds a lock: enough to tell whether that process still runs. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 time the holder took the lock. */
  readonly startedAt: string;
  /** Linux: the holder's start time in clock ticks since boot (`/proc/<pid>/stat` field 22), to tell a reused pid apart. */
  readonly procStart?: string;
  /** The holder's worker thread (0: the main thread): runs in two threads of one process have the same pid. */
  readonly thread?: number;
  readonly nonce: string;
}

/** The nonces of the locks this thread holds now. */
const heldHere = new Set<string>();

const HOLDER_PREFIX = 'holder.';

/** The name of the lock folder's entry for holder `h`. @internal (tests plant locks with it) */
export function encodeHolder(h: LockHolder): string {
  return HOLDER_PREFIX + Buffer.from(JSON.stringify(h), 'utf8').toString('base64url');
}

function decodeHolder(entry: string): LockHolder | undefined {
  try {
    const h = JSON.parse(Buffer.from(entry.slice(HOLDER_PREFIX.length), 'base64url').toString('utf8')) as LockHolder;
    if (Number.isSafeInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' && typeof h.startedAt === 'string') return h;
  } catch {
    // not one of ours
  }
  return undefined;
}

/** `/proc/<pid>/stat` field 22 (start time), or undefined where there is no procfs. */
function procStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * True when the holder is a process on this host that no longer runs (or whose pid now belongs to another
 * process), or this very thread when it no longer holds that lock (a release that failed).
 */
function holderIsDead(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return false; // cannot tell: another machine sharing the folder
  if (h.pid === process.pid && (h.thread ?? 0) === threadId) return !heldHere.has(h.nonce);
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    return false; // EPERM: alive, another user's
  }
  if (h.procStart !== undefined) {
    const now = procStart(h.pid);
    if (now !== undefined && now !== h.procStart) return true; // the pid was reused
  }
  return false;
}

function lockedError(lockDir: string, h: LockHolder | undefined, why?: string): PlatformConfigError {
  const who = h
    ? `pid ${h.pid} on host "${h.host}", started ${h.startedAt}${h.host === os.hostname() ? '' : ' (another host: this run cannot tell whether it still runs)'}`
    : why ?? 'an unknown holder';
  return new PlatformConfigError({
    rule: LOCKED_RULE,
    field: lockDir,
    problem: `another synthesis is writing this output root (lock held by ${who}); two runs at once would mix their files`,
    fix: `wait until it has finished, then synthesize again. If that process no longer runs, remove the lock with \`rm -r '${lockDir}'\` `
      + '(a lock whose process has died on this host is taken over automatically)',
  });
}

/** A held lock; {@link OutputLock.release} gives it back. */
export interface OutputLock {
  readonly holder: LockHolder;
  /** Removes the lock (never throws: a lock left behind by a failed release is taken over by the next run, its process being gone). */
  release(): void;
}

/**
 * Takes the lock of `rootDir` or throws a {@link PlatformConfigError} (rule {@link LOCKED_RULE}) at once, naming the
 * lock folder, the holder's pid, host and start time, and how to clear it.
 *
 * Taking a free lock renames a complete temporary folder to `.synth-lock` (atomic; it fails when another run's
 * lock is there). A lock whose process has died on this host is taken over by renaming its holder entry to
 * this run's: only one of several runs racing for the same dead lock can rename that entry.
 */
export function acquireOutputLock(rootDir: string): OutputLock {
  const lockDir = path.join(rootDir, LOCK_DIR);
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    ...(procStart(process.pid) !== undefined ? { procStart: procStart(process.pid) } : {}),
    thread: threadId,
    nonce: randomBytes(6).toString('hex'),
  };
  const mine = encodeHolder(holder);
  const content = `${JSON.stringify(holder)}\n`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const tmp = path.join(rootDir, `${LOCK_DIR}.new-${process.pid}-${holder.nonce}`);
    fs.mkdirSync(tmp);
    try {
      fs.writeFileSync(path.join(tmp, mine), content, { flag: 'wx' });
      fs.renameSync(tmp, lockDir); // succeeds when there is no lock (or an empty folder left by a release)
      return held(lockDir, mine, holder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      fs.rmSync(tmp, { recursive: true, force: true });
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw err;
    }
    const st = fs.lstatSync(lockDir, { throwIfNoEntry: false });
    if (st === undefined) continue; // released meanwhile
    if (!st.isDirectory()) throw lockedError(lockDir, undefined, `a ${st.isSymbolicLink() ? 'symbolic link' : 'file'} named ${LOCK_DIR}, not a lock this library made`);
    let entries: string[];
    try {
      entries = fs.readdirSync(lockDir).filter((e) => e.startsWith(HOLDER_PREFIX));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (entries.length === 0) continue; // being released
    const current = entries.length === 1 ? decodeHolder(entries[0]) : undefined;
    if (current === undefined) throw lockedError(lockDir, undefined, `entries this library cannot read (${entries.join(', ')})`);
    if (!holderIsDead(current)) throw lockedError(lockDir, current);
    try {
      fs.renameSync(path.join(lockDir, entries[0]), path.join(lockDir, mine)); // the takeover: only one run can move this entry
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another run took it over (or it was released): look again
      throw err;
    }
    try {
      fs.writeFileSync(path.join(lockDir, mine), content);
    } catch {
      // the entry's name is what counts; its content is for people
    }
    return held(lockDir, mine, holder);
  }
  throw lockedError(lockDir, undefined, 'runs that keep taking and releasing it');
}

function held(lockDir: string, entry: string, holder: LockHolder): OutputLock {
  heldHere.add(holder.nonce);
  const root = path.dirname(lockDir);
  // Leftovers of runs that died while taking the lock (their pid is in the name).
  for (const name of fs.readdirSync(root)) {
    const m = new RegExp(`^${LOCK_DIR.replace('.', '\\.')}\\.new-(\\d+)-`).exec(name);
    if (m && holderIsDead({ ...holder, pid: Number(m[1]), procStart: undefined })) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
  return {
    holder,
    release: () => {
      heldHere.delete(holder.nonce);
      try {
        fs.unlinkSync(path.join(lockDir, entry));
        fs.rmdirSync(lockDir);
      } catch {
        // see OutputLock.release
      }
    },
  };
}
