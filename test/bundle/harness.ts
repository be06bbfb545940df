import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Scripted state of the fake host (see fake-tools.js). */
export interface FakeState {
  /** kind clusters by name, with their node names. */
  clusters?: Record<string, string[]>;
  /** kubectl contexts that name a cluster other than `kind-<name>` (context -> cluster). */
  contexts?: Record<string, string>;
  /** Labels of each cluster's first control-plane node (kind create sets them from the config's nodes[0].labels). */
  labels?: Record<string, Record<string, string>>;
  /** IPv4 subnet of the docker network `kind`; absent: no such network. */
  network?: string;
  /** Other docker networks and their subnets (`bridge` is always 172.17.0.0/16). */
  networks?: Record<string, string[]>;
  /** `docker info` answers: CgroupVersion (default '2'), OperatingSystem, NCPU (4), MemTotal in bytes (16 GiB). */
  cgroupVersion?: string;
  operatingSystem?: string;
  ncpu?: number;
  memTotal?: number;
  kindVersion?: string;
  failOnce?: string[];
  fail?: string[];
  /** Calls matching `match` (a regex source) take `ms` milliseconds. */
  delays?: { match: string; ms: number }[];
  responses?: { match: string; stdout?: string; code?: number }[];
  portsInUse?: number[];
}

/** One recorded tool call: its exact argv and when it ran (epoch ms). */
export interface TimedCall {
  readonly tool: string;
  readonly args: string[];
  readonly start: number;
  readonly end: number;
}

/** The result of one script run on the fake host. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Tool calls of this run, one line each ("tool arg..."), in the order they started. */
  readonly calls: string[];
  /** The same calls with exact argv and times, in the order they ended. */
  readonly timed: TimedCall[];
  /** Wall time of the whole run, ms. */
  readonly ms: number;
}

const TOOLS = ['docker', 'kind', 'kubectl', 'helm', 'curl', 'ss'];

/**
 * A fake host: recording stand-ins for docker, kind, kubectl, helm, curl and ss first on PATH, answering from
 * a state file; inotify limits from a scratch folder. Scripts run from `root` (a synthesized bundle).
 */
export class FakeHost {
  public readonly dir: string;
  private readonly bin: string;
  private readonly inotify: string;

  constructor(public readonly root: string, state: FakeState) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-fakehost-'));
    this.bin = path.join(this.dir, 'bin');
    this.inotify = path.join(this.dir, 'inotify');
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.inotify);
    fs.writeFileSync(path.join(this.inotify, 'max_user_instances'), '8192\n');
    fs.writeFileSync(path.join(this.inotify, 'max_user_watches'), '1048576\n');
    const fake = path.join(__dirname, 'fake-tools.js');
    for (const tool of TOOLS) {
      fs.writeFileSync(path.join(this.bin, tool), `#!/usr/bin/env bash\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(fake)} ${tool} "$@"\n`, { mode: 0o755 });
    }
    this.setState(state);
  }

  public state(): FakeState {
    return JSON.parse(fs.readFileSync(path.join(this.dir, 'state.json'), 'utf8'));
  }

  public setState(state: FakeState): void {
    fs.writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify(state, null, 2));
  }

  public setInotify(instances: number, watches: number): void {
    fs.writeFileSync(path.join(this.inotify, 'max_user_instances'), `${instances}\n`);
    fs.writeFileSync(path.join(this.inotify, 'max_user_watches'), `${watches}\n`);
  }

  /** Runs `bash <script>` (a path relative to root), or `bash -c <script>` with `{ inline: true }`. */
  public run(script: string, options: { env?: Record<string, string>; inline?: boolean } = {}): Run {
    const log = path.join(this.dir, 'calls.log');
    const timedLog = path.join(this.dir, 'calls.jsonl');
    fs.writeFileSync(log, '');
    fs.writeFileSync(timedLog, '');
    const started = Date.now();
    const result = spawnSync('bash', options.inline ? ['-c', script] : [script], {
      cwd: this.root,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: `${this.bin}:${process.env.PATH}`,
        HOME: this.dir,
        FAKE_STATE: this.dir,
        KC_POLL_INTERVAL: '0',
        KC_INOTIFY_DIR: this.inotify,
        ...options.env,
      },
    });
    return {
      code: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      calls: fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.length > 0),
      timed: fs.readFileSync(timedLog, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as TimedCall),
      ms: Date.now() - started,
    };
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
