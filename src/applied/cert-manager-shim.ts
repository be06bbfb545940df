import { isIP } from 'net';
import { appendTo, namespaceOf, readListener } from './gateway-objects';
import { KubeObject, labelsOf } from './objects';
import { parseGoDuration } from '../private/syntax';

/**
 * cert-manager's gateway-shim (pkg/controller/certificate-shim/sync.go, cert-manager v1.20.3, the same at
 * v1.19.6): a Gateway or ListenerSet annotated `cert-manager.io/issuer` or `cert-manager.io/cluster-issuer` gets one
 * Certificate per Secret its HTTPS/TLS-terminate listeners reference, named like the Secret, in the Secret's
 * namespace, with the hostnames of those listeners. It only runs with the controller flag `--enable-gateway-api`
 * (off by default, internal/apis/config/controller/v1alpha1/defaults.go).
 */

/** An event the shim records on the Gateway (`kubectl describe gateway`). */
export interface ShimEvent {
  /** `Gateway/<ns>/<name>` or `ListenerSet/<ns>/<name>`. */
  readonly object: string;
  /** Event type. */
  readonly type: 'Normal' | 'Warning';
  /** Event reason (`CreateCertificate`, `BadConfig`). */
  readonly reason: string;
  /** Event message. */
  readonly message: string;
}

/** What the shim does with the applied objects. */
export interface ShimResult {
  /** The Certificates it creates (owned by their Gateway). */
  readonly certificates: readonly KubeObject[];
  /** The events it records, in order. */
  readonly events: readonly ShimEvent[];
  /** Objects whose sync fails with an error (logged and retried, no event, no Certificate): bad duration annotations. */
  readonly errors: readonly { readonly object: string; readonly message: string }[];
}

const ISSUER = 'cert-manager.io/issuer';
const CLUSTER_ISSUER = 'cert-manager.io/cluster-issuer';
const ISSUER_KIND = 'cert-manager.io/issuer-kind';
const ISSUER_GROUP = 'cert-manager.io/issuer-group';

/** `field.Error` strings as Kubernetes formats them (k8s.io/apimachinery/pkg/util/validation/field). */
const fieldError = {
  required: (path: string, detail: string) => `${path}: Required value: ${detail}`,
  invalid: (path: string, value: string, detail: string) => `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`,
  notSupported: (path: string, value: string, valid: readonly string[]) =>
    `${path}: Unsupported value: ${JSON.stringify(value)}: supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
};

/** `ErrorList.ToAggregate().Error()`: one error as is, several as `[a, b]`. */
function aggregate(errs: readonly string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

/** The issuer the annotations name, or the annotation errors (`issuerForIngressLike`; no default issuer is configured). */
function issuerFor(annotations: Readonly<Record<string, string>>): { name: string; kind: string; group: string } | { errors: string[] } {
  let name = '';
  let kind = '';
  let group = '';
  const has = (k: string) => Object.prototype.hasOwnProperty.call(annotations, k);
  if (has(ISSUER)) [name, kind] = [annotations[ISSUER], 'Issuer'];
  if (has(CLUSTER_ISSUER)) [name, kind] = [annotations[CLUSTER_ISSUER], 'ClusterIssuer'];
  if (has(ISSUER_KIND)) kind = annotations[ISSUER_KIND];
  if (has(ISSUER_GROUP)) group = annotations[ISSUER_GROUP];
  const errors: string[] = [];
  if (name.length === 0) errors.push('failed to determine issuer name to be used for ingress resource');
  if (has(ISSUER) && has(CLUSTER_ISSUER)) errors.push(`both "${ISSUER}" and "${CLUSTER_ISSUER}" may not be set`);
  if (has(CLUSTER_ISSUER) && has(ISSUER_GROUP)) errors.push(`both "${CLUSTER_ISSUER}" and "${ISSUER_GROUP}" may not be set`);
  if (has(CLUSTER_ISSUER) && has(ISSUER_KIND)) errors.push(`both "${CLUSTER_ISSUER}" and "${ISSUER_KIND}" may not be set`);
  return errors.length > 0 ? { errors } : { name, kind, group };
}

/** The problems of one listener block (`validateGatewayListenerBlock`). */
function listenerErrors(path: string, l: any, namespace: string): string[] {
  const errs: string[] = [];
  if (!l.hostname) errs.push(fieldError.required(`${path}.hostname`, 'the hostname cannot be empty'));
  if (!l.tls) return [...errs, fieldError.required(`${path}.tls`, 'the TLS block cannot be empty')];
  const refs: any[] = Array.isArray(l.tls.certificateRefs) ? l.tls.certificateRefs : [];
  if (refs.length === 0) errs.push(fieldError.required(`${path}.tls.certificateRef`, 'listener has no certificateRefs'));
  refs.forEach((ref, i) => {
    const p = `${path}.tls.certificateRef[${i}]`;
    const g = ref?.group ?? '';
    const k = ref?.kind ?? 'Secret';
    if (g !== 'core' && g !== '') errs.push(fieldError.notSupported(`${p}.group`, g, ['core', '']));
    if (k !== 'Secret' && k !== '') errs.push(fieldError.notSupported(`${p}.kind`, k, ['Secret', '']));
    if (ref?.namespace !== undefined && ref.namespace !== namespace) {
      errs.push(fieldError.invalid(`${p}.namespace`, ref.namespace, 'cross-namespace secret references are not allowed in listeners'));
    }
  });
  const mode = l.tls.mode ?? 'Terminate';
  if (mode !== 'Terminate') errs.push(fieldError.notSupported(`${path}.tls.mode`, mode, ['Terminate']));
  return errs;
}

/**
 * The Certificates the gateway-shim creates for the Gateways and ListenerSets among `objects`, and the events it
 * records. Per annotated object, in object order:
 *
 * - annotation errors (both `issuer` and `cluster-issuer`, ...) give one `BadConfig` event and nothing else;
 * - each HTTPS or TLS listener that is not Passthrough is validated (a hostname, a TLS block with certificateRefs
 *   to core Secrets in the same namespace, mode Terminate); an invalid one is skipped with a `BadConfig` event;
 * - each referenced Secret gets a Certificate of that name with the hostnames (IP addresses to `ipAddresses`) of
 *   every listener naming it, the issuer of the annotations, `usages: [digital signature, key encipherment]`, the
 *   object's labels (without `applyset.kubernetes.io/part-of`) and `common-name`/`duration`/`renew-before`
 *   annotations translated; an event `CreateCertificate` follows;
 * - a Certificate of that name that already exists (applied, or created for an earlier Gateway) is left alone.
 */
export function gatewayShimCertificates(objects: readonly KubeObject[]): ShimResult {
  const existing = new Set(objects.filter((o) => o.kind === 'Certificate' && o.apiVersion.startsWith('cert-manager.io/'))
    .map((o) => `${namespaceOf(o)}/${o.metadata.name}`));
  const certificates: KubeObject[] = [];
  const events: ShimEvent[] = [];
  const errors: { object: string; message: string }[] = [];
  for (const o of objects) {
    if (!o.apiVersion.startsWith('gateway.networking.k8s.io/') || (o.kind !== 'Gateway' && o.kind !== 'ListenerSet')) continue;
    const annotations = o.metadata.annotations ?? {};
    if (annotations[ISSUER] === undefined && annotations[CLUSTER_ISSUER] === undefined) continue;
    const namespace = namespaceOf(o);
    const ref = `${o.kind}/${namespace}/${o.metadata.name}`;
    const issuer = issuerFor(annotations);
    if ('errors' in issuer) {
      events.push({ object: ref, type: 'Warning', reason: 'BadConfig', message: `Could not determine issuer for ingress due to bad annotations: ${aggregate(issuer.errors)}` });
      continue;
    }
    const hosts = new Map<string, string[]>();
    const listeners: any[] = Array.isArray(o.spec?.listeners) ? o.spec.listeners : [];
    listeners.forEach((l, i) => {
      if (l?.protocol !== 'HTTPS' && l?.protocol !== 'TLS') return;
      if (l.tls?.mode === 'Passthrough') return;
      const errs = listenerErrors(`spec.listeners[${i}]`, l, namespace);
      if (errs.length > 0) {
        events.push({ object: ref, type: 'Warning', reason: 'BadConfig', message: `Skipped a listener block: ${aggregate(errs)}` });
        return;
      }
      for (const r of readListener(l).tls!.certificateRefs) {
        const key = `${r.namespace ?? namespace}/${r.name}`;
        appendTo(hosts, key, String(l.hostname));
      }
    });
    const duration = annotations['cert-manager.io/duration'];
    const renewBefore = annotations['cert-manager.io/renew-before'];
    const badDuration = [[duration, 'cert-manager.io/duration'], [renewBefore, 'cert-manager.io/renew-before']]
      .find(([v]) => v !== undefined && parseGoDuration(v) === undefined);
    if (badDuration) {
      // translateAnnotations fails (helper.go): the sync returns the error before creating anything, and retries.
      errors.push({ object: ref, message: `invalid ingress annotation "${badDuration[1]}": time: invalid duration ${JSON.stringify(badDuration[0])}` });
      continue;
    }
    const labels = { ...labelsOf(o) };
    delete labels['applyset.kubernetes.io/part-of'];
    for (const [key, hostnames] of hosts) {
      if (existing.has(key)) continue;
      existing.add(key);
      const [ns, name] = key.split('/');
      const spec: Record<string, unknown> = {
        dnsNames: hostnames.filter((h) => isIP(h) === 0),
        secretName: name,
        issuerRef: { name: issuer.name, kind: issuer.kind, group: issuer.group },
        usages: ['digital signature', 'key encipherment'],
      };
      const ips = hostnames.filter((h) => isIP(h) !== 0);
      if (ips.length > 0) spec.ipAddresses = ips;
      if (annotations['cert-manager.io/common-name'] !== undefined) spec.commonName = annotations['cert-manager.io/common-name'];
      if (duration !== undefined) spec.duration = duration;
      if (renewBefore !== undefined) spec.renewBefore = renewBefore;
      certificates.push({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: {
          name,
          namespace: ns,
          labels,
          ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, controller: true, blockOwnerDeletion: true }],
        },
        spec,
      });
      events.push({ object: ref, type: 'Normal', reason: 'CreateCertificate', message: `Successfully created Certificate "${name}"` });
    }
  }
  return { certificates, events, errors };
}
