import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { helmBinOrUndefined } from '../support/tools';

/**
 * Every command the project gives for reading the kind network's subnet picks the IPv4 subnet, whatever the order
 * docker lists a dual-stack network's IPAM entries in (trust issue 19, point 8: the README read
 * `(index .IPAM.Config 0)`, which can be the IPv6 entry).
 *
 * The commands are collected from README.md, docs/*.md and the committed scripts (`$(docker network inspect kind …)`);
 * each Go template is evaluated by Go's text/template (helm's, over the values `{ IPAM: { Config: [...] } }`), and the
 * rest of the shell pipeline runs in bash over that output.
 */

const ROOT = path.join(__dirname, '..', '..');
const IPV4 = '172.18.0.0/16';
const IPV6 = 'fc00:f853:ccd:e793::/64';
const ORDERS: readonly (readonly string[])[] = [[IPV4, IPV6], [IPV6, IPV4], [IPV4]];

interface Command {
  readonly source: string;
  /** The shell command, starting at `docker network inspect`. */
  readonly text: string;
}

function markdownCommands(): Command[] {
  const files = ['README.md', ...(fs.existsSync(path.join(ROOT, 'docs')) ? fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [])];
  return files.flatMap((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return [...text.matchAll(/`(docker network inspect kind [^`]*)`/g)].map((m) => ({ source: file, text: m[1] }));
  });
}

function scriptCommands(): Command[] {
  const dist = path.join(ROOT, 'dist');
  const scripts = fs.readdirSync(dist).flatMap((d) => (fs.statSync(path.join(dist, d)).isDirectory()
    ? fs.readdirSync(path.join(dist, d)).filter((f) => f.endsWith('.sh')).map((f) => `dist/${d}/${f}`) : []));
  return scripts.flatMap((file) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/\$\((docker network inspect kind [^)]*)\)/g)]
    .map((m) => ({ source: file, text: m[1] })));
}

const COMMANDS = [...markdownCommands(), ...scriptCommands()];
const UNIQUE = [...new Map(COMMANDS.map((c) => [c.text, c])).values()];

/** The Go template of `-f '…'` and the command with `docker network inspect … -f '…'` replaced by `cat`. */
function split(command: string): { template: string; pipeline: string } {
  const m = /^docker network inspect kind -f '([^']*)'(.*)$/s.exec(command);
  if (!m) throw new Error(`not a docker network inspect -f '…' command: ${command}`);
  return { template: m[1], pipeline: `cat${m[2]}` };
}

/** Evaluates a Go template over `{ IPAM: { Config: subnets } }` with helm's text/template. */
function goTemplate(helm: string, template: string, subnets: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-docker-tmpl-'));
  try {
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: t\nversion: 0.0.1\n');
    fs.writeFileSync(path.join(dir, 'values.yaml'), JSON.stringify({ IPAM: { Config: subnets.map((s) => ({ Subnet: s })) } }));
    fs.writeFileSync(path.join(dir, 'templates', '_t.tpl'), `{{- define "t" }}{{ with .Values }}${template}{{ end }}{{ end }}`);
    fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), 'out: {{ include "t" . | b64enc | quote }}\n');
    const out = execFileSync(helm, ['template', dir], { encoding: 'utf8' });
    const encoded = /out: "([^"]*)"/.exec(out)![1];
    return Buffer.from(encoded, 'base64').toString('utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the README or the docs, and the preflight scripts, give commands that read the kind subnet', () => {
  expect(COMMANDS.some((c) => c.source === 'README.md' || c.source.startsWith('docs/'))).toBe(true);
  expect(COMMANDS.some((c) => c.source.endsWith('preflight.sh'))).toBe(true);
});

test.each(UNIQUE.map((c) => [c.source, c.text]))('%s: %s never indexes the IPAM entries by position', (_source, text) => {
  expect(text).not.toMatch(/index \.IPAM\.Config/);
});

const helm = helmBinOrUndefined();
(helm ? test.each(UNIQUE.map((c) => [c.source, c.text])) : test.skip.each([['helm', 'not available']]))(
  '%s: %s yields the IPv4 subnet, whatever order docker lists the entries in', (_source, text) => {
    const { template, pipeline } = split(text);
    for (const order of ORDERS) {
      const printed = goTemplate(helm!, template, order);
      const out = execFileSync('bash', ['-c', pipeline.replace(/2>\/dev\/null/g, '')], { input: printed, encoding: 'utf8' });
      expect([order, out.split(/\s+/).filter((s) => s !== '')]).toEqual([order, [IPV4]]);
    }
  });
