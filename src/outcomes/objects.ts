import { Outcome, OutcomeRule } from './outcome';
import {
  EarlierApplySteps, crdStepOf, earlierApplySteps, namespacesBeforeBundle, replacedSystemObject, systemObjects,
} from '../applied/apply-steps';
import { bundleCrdScopes, groupKind, scopeOf } from '../applied/object-scope';
import { KubeObject, groupOf, objectRef } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';
import { POD_SECURITY_ENFORCE_LABEL, enforcedLevel, podSecurityFindings, podTemplateOf } from '../applied/pod-security';
import { BUILT_IN_NAMESPACES } from '../private/names';

/**
 * What `kubectl apply -k` of the bundle step does with each object, whoever wrote it (issue 18, the "kubectl apply"
 * part of the apply model): its namespace exists, its CRD is installed, it replaces nothing Kubernetes or an earlier
 * step owns, and the pods of its pod template are admitted by Pod Security admission. The earlier steps are the apply
 * plan's (`src/bundle/apply-plan.ts`, decided by `earlierApplySteps`).
 */

interface Placed {
  readonly object: KubeObject;
  readonly path: string;
  /** The namespace it is applied in; undefined for a cluster-scoped object. */
  readonly namespace: string | undefined;
}

/** Every object of the bundle with the namespace it lands in (`default` when a namespaced object names none). */
function placed(applied: AppliedPlatform): Placed[] {
  const crds = bundleCrdScopes(applied.objects);
  return applied.entries.map((e) => {
    const object = e.object as KubeObject;
    const scope = scopeOf(object, crds);
    const ns = object.metadata?.namespace;
    const namespace = scope === 'namespaced' ? (ns || 'default') : scope === 'unknown' && ns ? ns : undefined;
    return { object, path: e.path, namespace };
  });
}

const isNamespaceObject = (o: KubeObject) => o.kind === 'Namespace' && o.apiVersion === 'v1';
const stepsOf = (applied: AppliedPlatform): EarlierApplySteps => earlierApplySteps(applied.model, applied.objects);
const label = (o: KubeObject) => objectRef(o);

function namespaceOutcomes(applied: AppliedPlatform): Outcome[] {
  const before = namespacesBeforeBundle(stepsOf(applied));
  const inBundle = new Set(applied.objects.filter(isNamespaceObject).map((o) => o.metadata.name));
  return placed(applied).filter((p) => p.namespace !== undefined).map(({ object, path, namespace }) => {
    const ns = namespace!;
    const by = inBundle.has(ns) ? 'a Namespace object of the bundle' : before.has(ns) ? `the ${before.get(ns)} step` : undefined;
    return {
      id: 'namespace-not-created',
      statement: `the namespace of ${label(object)} exists when the bundle is applied`,
      field: `${path}.metadata.namespace`,
      holds: by !== undefined,
      observed: by ? `namespace ${ns} is created by ${by}` : `nothing creates namespace ${ns}`,
      problem: `${object.kind} ${object.metadata.name} is in namespace "${ns}", which nothing creates (no Namespace object of the cluster, not built in, `
        + `no earlier step); \`kubectl apply -k\` fails with "namespaces \\"${ns}\\" not found"`,
      fix: `add a Namespace object named "${ns}" to the cluster (e.g. createNamespace: true on a TestWorkload in it, or new ApiObject(cluster, 'ns', `
        + `{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: '${ns}' } })), or use an existing namespace (${[...BUILT_IN_NAMESPACES, ...inBundle].join(', ')})`,
      section: 'objects',
    };
  });
}

function systemObjectOutcomes(applied: AppliedPlatform): Outcome[] {
  const owned = systemObjects(stepsOf(applied));
  return placed(applied).map(({ object, path, namespace }) => {
    const hit = replacedSystemObject(object, namespace, owned);
    const where = namespace ? `${namespace}/${object.metadata.name}` : object.metadata.name;
    return {
      id: 'object-replaces-system-object',
      statement: `${label(object)} replaces nothing Kubernetes or an earlier step owns`,
      field: `${path}.metadata.name`,
      holds: hit === undefined,
      observed: hit ? `${object.kind} ${where} is ${hit.owner}'s (step ${hit.step})` : 'a name of its own',
      problem: `${object.kind} ${where} is ${hit?.owner}'s object (created in step ${hit?.step}); applying it overwrites that object `
        + `(the ${object.kind} ${where} the cluster runs on), and ${hit?.owner} fights over it`,
      step: 'bundle',
      fix: `give the ${object.kind} another name (or another namespace than ${namespace ?? 'the cluster scope'}); configure ${hit?.owner} through its own settings instead`,
      section: 'objects',
    };
  });
}

function podSecurityOutcomes(applied: AppliedPlatform): Outcome[] {
  const namespaces = new Map(applied.entries.filter((e) => isNamespaceObject(e.object as KubeObject))
    .map((e) => [e.object.metadata.name as string, e]));
  return placed(applied).flatMap(({ object, path, namespace }) => {
    const template = podTemplateOf(object);
    if (!template || namespace === undefined) return [];
    const nsEntry = namespaces.get(namespace);
    const level = enforcedLevel(nsEntry?.object as KubeObject | undefined);
    const findings = podSecurityFindings(template, level);
    const templateField = object.kind === 'Pod' ? path : object.kind === 'CronJob' ? `${path}.spec.jobTemplate.spec.template` : `${path}.spec.template`;
    return [{
      id: 'pod-security-refused',
      statement: `the pods of ${label(object)} pass Pod Security admission in namespace ${namespace}`,
      field: templateField,
      holds: findings.length === 0,
      observed: `namespace ${namespace} enforces ${level}${findings.length === 0 ? ' and the pod template meets it' : ''}`,
      problem: `namespace "${namespace}" enforces the "${level}" Pod Security Standard (label ${POD_SECURITY_ENFORCE_LABEL} on the Namespace written by ${nsEntry?.path}), `
        + `and the pod template of ${object.kind} ${object.metadata.name} breaks it: ${findings.map((f) => `${f.check} (${f.detail})`).join('; ')}; `
        + 'the API server refuses its pods at creation (see https://kubernetes.io/docs/concepts/security/pod-security-standards/)',
      step: 'bundle',
      fix: `make the pod template meet "${level}" (e.g. drop runAsRoot and run as a non-root user), or run it in a namespace of its own `
        + `whose ${POD_SECURITY_ENFORCE_LABEL} label allows it (a TestWorkload with runAsRoot labels its own namespace baseline)`,
      section: 'objects',
    }];
  });
}

function crdOutcomes(applied: AppliedPlatform): Outcome[] {
  const steps = stepsOf(applied);
  const crds = bundleCrdScopes(applied.objects);
  return applied.entries.flatMap((e) => {
    const object = e.object as KubeObject;
    const group = groupOf(String(object.apiVersion ?? ''));
    const step = crdStepOf(group, steps);
    if (!step || crds.has(groupKind(object))) return [];
    const why = step.step === 'gateway-api-crds'
      ? 'it runs only for a cluster with a LocalGateway'
      : step.step === 'cert-manager' ? 'it runs only when the bundle holds cert-manager.io objects' : 'it always runs';
    return [{
      id: 'crd-not-installed',
      statement: `the CRD of ${label(object)} (${group}) is installed by an earlier step`,
      field: `${e.path}.apiVersion`,
      holds: step.runs,
      observed: step.runs ? `installed by step ${step.step}` : `step ${step.step} does not run`,
      problem: `${object.kind} ${object.metadata.name} is a ${group} object, whose CRDs only the apply step ${step.step} installs, and ${why}: `
        + `\`kubectl apply -k\` fails with 'no matches for kind "${object.kind}" in version "${object.apiVersion}"'`,
      step: 'bundle',
      fix: step.step === 'gateway-api-crds'
        ? 'add a LocalGateway to the cluster (the apply plan then installs the Gateway API CRDs and Cilium serves them), or drop the object'
        : `drop the object, or add what makes the ${step.step} step run`,
      section: 'objects',
    }];
  });
}

/** The "kubectl apply" outcomes of every object of the bundle. */
export const OBJECT_OUTCOME_RULES: readonly OutcomeRule[] = [
  {
    id: 'namespace-not-created',
    emits: ['namespace-not-created'],
    summary: 'every namespaced object\'s namespace exists when the bundle is applied: a Namespace object of the cluster, built in, or created by an earlier step (cert-manager)',
    outcomes: namespaceOutcomes,
  },
  {
    id: 'crd-not-installed',
    emits: ['crd-not-installed'],
    summary: 'every cilium.io, gateway.networking.k8s.io and cert-manager.io object\'s CRD is installed by an earlier apply step (Cilium, Gateway API CRDs, cert-manager)',
    outcomes: crdOutcomes,
  },
  {
    id: 'object-replaces-system-object',
    emits: ['object-replaces-system-object'],
    summary: 'no object replaces one Kubernetes (default/kubernetes, kube-dns, coredns), Cilium\'s chart or cert-manager owns',
    outcomes: systemObjectOutcomes,
  },
  {
    id: 'pod-security-refused',
    emits: ['pod-security-refused'],
    summary: 'every pod template passes Pod Security admission under its namespace\'s pod-security.kubernetes.io/enforce level as applied',
    outcomes: podSecurityOutcomes,
  },
];
