import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { addAllPresets, BundleFile, KindCiliumCluster, renderBundle } from '../../src';

/** A bundle rendered in memory through the public API, with the clusters that made it. */
export interface RenderedBundle {
  readonly clusters: KindCiliumCluster[];
  readonly files: BundleFile[];
  /** A file's content by path (throws when the bundle has no such file). */
  read(p: string): string;
  /** The Cilium chart version the bundle index (dist/bundle.json) names for a cluster. */
  ciliumVersion(cluster: string): string;
}

/** Renders the clusters `build` adds to a fresh App (default: every preset). */
export function renderApp(build: (app: App) => KindCiliumCluster[] = addAllPresets): RenderedBundle {
  const app = new App();
  const clusters = build(app);
  const files = renderBundle(app);
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const read = (p: string): string => {
    const content = byPath.get(p);
    if (content === undefined) throw new Error(`bundle has no ${p}`);
    return content;
  };
  const index = JSON.parse(read('dist/bundle.json')) as { clusters: { name: string; versions: { cilium: string } }[] };
  const ciliumVersion = (cluster: string): string => {
    const entry = index.clusters.find((c) => c.name === cluster);
    if (!entry) throw new Error(`dist/bundle.json lists no cluster ${cluster}`);
    return entry.versions.cilium;
  };
  return { clusters, files, read, ciliumVersion };
}

/** Writes bundle files below a new temp folder (removed at process exit) and returns the folder. */
export function writeBundle(files: readonly BundleFile[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-bundle-'));
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
    fs.writeFileSync(path.join(root, f.path), f.content);
  }
  return root;
}
