import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Scripted state of the fake host (see fake-tools.js). */
export interface FakeState {
  /** kind clusters by name, with their node names. */
  clusters?: Record<string, string[]>;
  /** IPv4 subnet of the docker network `kind`; absent: no such network. */
  network?: string;
  kindVersion?: string;
  failOnce?: string[];
  fail?: string[];
  responses?: { match: string; stdout?: string; code?: number }[];
  portsInUse?: number[];
}

/** The result of one script run on the fake host. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Tool calls of this run, one line each ("tool arg..."). */
  readonly calls: string[];
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

  /** Runs `bash <script>` (a path relative to root). */
  public run(script: string): Run {
    const log = path.join(this.dir, 'calls.log');
    fs.writeFileSync(log, '');
    const result = spawnSync('bash', [script], {
      cwd: this.root,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: `${this.bin}:${process.env.PATH}`,
        HOME: this.dir,
        FAKE_STATE: this.dir,
        KC_POLL_INTERVAL: '0',
        KC_INOTIFY_DIR: this.inotify,
      },
    });
    return {
      code: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      calls: fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.length > 0),
    };
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
