import { BundleFile } from './render';

/** The parts of `dist/bundle.json` the report reads. */
interface BundleIndex {
  readonly clusters: readonly {
    readonly name: string;
    readonly kindConfig: string;
    readonly ciliumValues: string;
    readonly scripts: Record<string, string>;
  }[];
  readonly meshes?: readonly { readonly name: string; readonly members: readonly string[]; readonly scripts: Record<string, string> }[];
}

/** Clusters and meshes listed one by one; the rest are counted (they are all in `dist/bundle.json`). */
const LISTED = 8;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `dir/` followed by the names of the files below it. */
function folder(dir: string, files: readonly string[]): string {
  const names = files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1));
  return names.length > 0 ? `${dir}/ (${names.join(', ')})` : '';
}

/**
 * What a successful synthesis tells the user (printed on stderr by `runSynthesis`, since the cdk8s CLI swallows
 * the app's stdout): how many files were written, per cluster and per Cluster Mesh which ones, and the commands
 * to run next: each standalone cluster's `preflight.sh`, then its `apply.sh`; for a mesh, its members'
 * `preflight.sh`, then the mesh's own `apply.sh` (which applies every member and waits for the mesh). At most
 * {@link LISTED} clusters and meshes are listed; the others are counted. Reads the index `dist/bundle.json`
 * among `files`.
 */
export function synthesisReport(files: readonly BundleFile[]): string {
  const paths = files.map((f) => f.path);
  const lines = [`cdk8s-kind-cilium: wrote ${plural(files.length, 'file')} (dist/, kind/, cilium-values/; the index is dist/bundle.json)`];
  const indexFile = files.find((f) => f.path === 'dist/bundle.json');
  if (indexFile === undefined) return `${lines[0]}\n`;
  const index = JSON.parse(indexFile.content) as BundleIndex;
  const meshes = index.meshes ?? [];
  const inMesh = new Set(meshes.flatMap((m) => m.members));

  const entries = [
    ...index.clusters.map((c) => {
      const own = paths.filter((p) => p === c.kindConfig || p === c.ciliumValues || p.startsWith(`dist/${c.name}/`));
      const listed = [c.kindConfig, c.ciliumValues].filter((p) => own.includes(p));
      return `  ${c.name}: ${[...listed, folder(`dist/${c.name}`, own)].filter((x) => x !== '').join(', ')} (${plural(own.length, 'file')})`;
    }),
    ...meshes.map((m) => {
      const own = paths.filter((p) => p.startsWith(`dist/${m.name}/`));
      return `  ${m.name} (Cluster Mesh of ${m.members.join(', ')}): ${folder(`dist/${m.name}`, own)} (${plural(own.length, 'file')})`;
    }),
  ];
  lines.push(...entries.slice(0, LISTED));
  if (entries.length > LISTED) lines.push(`  ... and ${entries.length - LISTED} more clusters (listed in dist/bundle.json)`);

  const next = [
    ...index.clusters.filter((c) => !inMesh.has(c.name)).map((c) =>
      `  ${c.name}: bash ${c.scripts.preflight}, then bash ${c.scripts.apply} (check it with bash ${c.scripts.verify})`),
    ...meshes.map((m) => {
      const preflights = m.members.map((name) => index.clusters.find((c) => c.name === name)?.scripts.preflight).filter((s) => s !== undefined);
      return `  ${m.name}: ${preflights.map((s) => `bash ${s}`).join(' and ')}, then bash ${m.scripts.apply} (every member, then the mesh; check it with bash ${m.scripts.verify})`;
    }),
  ];
  if (next.length > 0) {
    lines.push('next:', ...next.slice(0, LISTED));
    if (next.length > LISTED) lines.push(`  ... and the same for ${next.length - LISTED} more`);
  }
  return `${lines.join('\n')}\n`;
}
