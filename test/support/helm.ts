import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { referenceHas, referencePath } from './reference';
import { chartFile } from './reference-files';
import { runTool } from './run';
import { helmBin } from './tools';

/**
 * `helm template` (Helm v4, extracted by tools.ts) as an oracle for the Cilium Helm values: the real
 * chart archive (reference part `charts`, see reference.ts) renders our values offline (no cluster: `helm
 * template` never contacts one; `--kube-version` sets the version the chart's capability checks see),
 * including the chart's own `values.schema.json` check and its `fail` guards.
 */

/** Chart archive of one Cilium version (the official chart of the reference; tests declare the part `charts`). */
export function ciliumChart(version: string): string {
  if (!referenceHas(chartFile(version))) throw new Error(`no Cilium chart ${version} in the reference list (the version matrix pins each minor's latest patch)`);
  return referencePath(chartFile(version));
}

/** A Kubernetes object as `helm template` prints it. */
export type K8sObject = Record<string, any>;

/** Outcome of {@link helmTemplateRun}: the exit code, stderr and (on success) the parsed documents. */
export interface HelmTemplateResult {
  readonly code: number;
  readonly stderr: string;
  readonly docs: K8sObject[];
}

let tmpRoot: string | undefined;
let tmpCount = 0;

/** A file in a per-process temp folder (removed at exit). */
export function tempFile(name: string, content: string): string {
  if (!tmpRoot) {
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-oracle-'));
    const root = tmpRoot;
    process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  }
  const dir = path.join(tmpRoot, String(tmpCount++));
  fs.mkdirSync(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function parseDocs(text: string): K8sObject[] {
  return YAML.parseAllDocuments(text).flatMap((d) => {
    if (d.errors.length > 0) throw new Error(`helm output: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS();
    return v && typeof v === 'object' ? [v as K8sObject] : [];
  });
}

/**
 * `helm template cilium <chart> --namespace kube-system -f <values>`; does not throw on a non-zero
 * exit (see {@link helmTemplate} for the throwing form).
 */
export async function helmTemplateRun(valuesYamlText: string, chartVersion: string, kubeVersion = '1.33.1'): Promise<HelmTemplateResult> {
  const chart = ciliumChart(chartVersion);
  const values = tempFile('values.yaml', valuesYamlText);
  const r = await runTool(helmBin(), [
    'template', 'cilium', chart, '--namespace', 'kube-system', '-f', values, '--kube-version', kubeVersion,
  ]);
  return { code: r.code, stderr: r.stderr, docs: r.code === 0 ? parseDocs(r.stdout) : [] };
}

/** Renders the Cilium chart with our values and returns the documents; throws with Helm's message on failure. */
export async function helmTemplate(valuesYamlText: string, chartVersion: string, kubeVersion?: string): Promise<K8sObject[]> {
  const r = await helmTemplateRun(valuesYamlText, chartVersion, kubeVersion);
  if (r.code !== 0) throw new Error(`helm template (cilium ${chartVersion}) exited ${r.code}:\n${r.stderr.trim()}`);
  return r.docs;
}

function configMapData(docs: readonly K8sObject[], name: string): Record<string, string> {
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name === name);
  if (!cm) throw new Error(`the chart rendered no ConfigMap ${name}`);
  return cm.data ?? {};
}

/** The `data` of the `cilium-config` ConfigMap (the agent's effective configuration). */
export function ciliumConfig(docs: readonly K8sObject[]): Record<string, string> {
  return configMapData(docs, 'cilium-config');
}

/** The parsed `config.yaml` of the `hubble-relay-config` ConfigMap, or undefined when the relay is off. */
export function hubbleRelayConfig(docs: readonly K8sObject[]): Record<string, unknown> | undefined {
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name === 'hubble-relay-config');
  return cm ? YAML.parse(cm.data['config.yaml']) : undefined;
}

let echoChart: string | undefined;

/**
 * A throwaway chart whose only template prints `.Values` as JSON: {@link helmReadValues} uses it to
 * see a values file exactly as Helm decodes it (sigs.k8s.io/yaml, YAML 1.1 rules), without any
 * chart logic or defaults in between.
 */
function valuesEchoChart(): string {
  if (!echoChart) {
    const chartYaml = tempFile('Chart.yaml', 'apiVersion: v2\nname: values-echo\nversion: 0.1.0\n');
    const dir = path.dirname(chartYaml);
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'templates', 'echo.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values-echo\ndata:\n  values.json: {{ toJson .Values | quote }}\n');
    echoChart = dir;
  }
  return echoChart;
}

/**
 * How Helm reads a values file: the `.Values` object Helm builds from it, as JSON (numbers,
 * booleans and strings as Helm typed them). Needs no reference data. Throws with Helm's error when
 * Helm cannot read the file.
 */
export async function helmReadValues(valuesYamlText: string): Promise<unknown> {
  const values = tempFile('values.yaml', valuesYamlText);
  const r = await runTool(helmBin(), ['template', 'echo', valuesEchoChart(), '-f', values]);
  if (r.code !== 0) throw new Error(`helm could not read the values file (exit ${r.code}):\n${r.stderr.trim()}`);
  const docs = parseDocs(r.stdout);
  return JSON.parse(String(docs[0]?.data?.['values.json']));
}
