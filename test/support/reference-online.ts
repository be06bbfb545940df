import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OnlineSource } from './reference-files';

/**
 * The only part of `npm run fetch-reference` that touches the network (kept thin: everything else, the
 * verification included, is tested offline). A chart is pulled with `helm pull` from Cilium's Helm repository
 * (`HELM_BIN`, else `helm` on the PATH), or downloaded from cilium/charts on GitHub when helm is not there; any
 * other file is one HTTPS GET. The caller checks every byte against its pin.
 */
export async function downloadOnline(source: OnlineSource, dest: string): Promise<void> {
  if (source.kind === 'helm-chart') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fetch-reference-'));
    try {
      execFileSync(process.env.HELM_BIN ?? 'helm', ['pull', source.chart, '--repo', source.repo, '--version', source.version, '--destination', dir],
        { stdio: 'pipe', timeout: 300_000 });
      fs.copyFileSync(path.join(dir, `${source.chart}-${source.version}.tgz`), dest);
      return;
    } catch {
      // no helm, or the repository is unreachable: the same archive from GitHub below
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const response = await fetch(source.url, { redirect: 'follow', signal: AbortSignal.timeout(300_000) });
  if (!response.ok) throw new Error(`GET ${source.url}: HTTP ${response.status}`);
  fs.writeFileSync(dest, Buffer.from(await response.arrayBuffer()));
}
