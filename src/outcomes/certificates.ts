import { Outcome, OutcomeRule } from './outcome';
import { CERT_MANAGER_RELEASE_MANIFEST_CONFIG, CertificateState, IssuerState } from '../applied/cert-manager';
import { KubeObject, labelsOf, namespacedName } from '../applied/objects';
import { AppliedPlatform } from '../applied/platform';
import { BUNDLE_NAME } from '../spec/versions';

/**
 * Certificates (issue 18, the cert-manager part of the apply model): every Issuer and ClusterIssuer is Ready, every
 * Certificate is issued, and every HTTPS listener of a Gateway gets a certificate, as cert-manager v1.20 reconciles
 * the bundle's objects (`applyCertManager`, `AppliedPlatform.certManager`). Issuers that reach outside services
 * (ACME, Vault, Venafi) and Certificates of external issuers are not run by the model: their outcomes hold with
 * `Unknown` observed, never refused.
 */

/** cert-manager's cluster resource namespace as this library installs it (the release manifest). */
const RESOURCE_NAMESPACE = CERT_MANAGER_RELEASE_MANIFEST_CONFIG.clusterResourceNamespace;

function find(applied: AppliedPlatform, kind: string, key: string): KubeObject | undefined {
  return applied.objects.find((o) => o.kind === kind && String(o.apiVersion).startsWith('cert-manager.io/')
    && (kind === 'ClusterIssuer' ? o.metadata.name === key : namespacedName(o) === key));
}

function fieldOf(applied: AppliedPlatform, object: KubeObject | undefined, fallback: string): string {
  return object ? applied.pathOf(object) : `${applied.model.field}/${fallback}`;
}

/**
 * A CA ClusterIssuer whose Secret is issued (or applied) in a namespace other than cert-manager's cluster resource
 * namespace: the Certificate or Secret of that name elsewhere, if any. cert-manager reads a ClusterIssuer's Secret
 * only from that namespace (pkg/controller/helper.go `ResourceNamespace`).
 */
function misplacedCaSecret(applied: AppliedPlatform, issuer: IssuerState): KubeObject | undefined {
  if (!issuer.ref.startsWith('ClusterIssuer/') || issuer.type !== 'ca' || issuer.Ready.reason !== 'ErrGetKeyPair' || !issuer.secret) return undefined;
  const name = issuer.secret.split('/')[1];
  return applied.objects.find((o) => o.metadata?.namespace !== RESOURCE_NAMESPACE && (
    (o.kind === 'Certificate' && String(o.apiVersion).startsWith('cert-manager.io/') && o.spec?.secretName === name)
    || (o.kind === 'Secret' && o.apiVersion === 'v1' && o.metadata.name === name)));
}

/** The LocalCertificateAuthority path of the CA Certificate it wrote (`<ca>/CaCertificate`, labelled as this library's). */
function localCaPath(applied: AppliedPlatform, o: KubeObject): string | undefined {
  const path = applied.pathOf(o);
  return o.kind === 'Certificate' && labelsOf(o)['app.kubernetes.io/managed-by'] === BUNDLE_NAME && path.endsWith('/CaCertificate')
    ? path.slice(0, -'/CaCertificate'.length) : undefined;
}

function issuerOutcome(applied: AppliedPlatform, issuer: IssuerState): Outcome {
  const [kind, ...rest] = issuer.ref.split('/');
  const object = find(applied, kind, rest.join('/'));
  const field = fieldOf(applied, object, issuer.ref);
  const holds = issuer.Ready.status !== 'False';
  const observed = `Ready ${issuer.Ready.status}${issuer.Ready.reason ? ` (${issuer.Ready.reason})` : ''}${issuer.secret ? `, CA Secret ${issuer.secret}` : ''}`;
  const base = { id: 'issuer-not-ready', statement: `${kind} ${rest.join('/')} is Ready`, holds, observed, section: 'certificates' as const };
  if (holds) return { ...base, field };
  const misplaced = misplacedCaSecret(applied, issuer);
  if (misplaced) {
    const where = `${misplaced.kind} ${namespacedName(misplaced)}`;
    const ca = localCaPath(applied, misplaced);
    const problem = `${issuer.Ready.message}: the ClusterIssuer reads Secret ${issuer.secret} from cert-manager's cluster resource namespace `
      + `${RESOURCE_NAMESPACE} only, but ${where} puts it in namespace ${misplaced.metadata.namespace}, so the CA never becomes Ready and no certificate it signs is issued`;
    return ca
      ? {
        ...base,
        field: `${ca}.namespace`,
        problem: `LocalCertificateAuthority namespace "${misplaced.metadata.namespace}" can never work: ${problem}`,
        fix: `leave namespace unset (it must be ${RESOURCE_NAMESPACE} for a ClusterIssuer to read the CA Secret), or sign with an Issuer in namespace ${misplaced.metadata.namespace} instead of this ClusterIssuer`,
      }
      : { ...base, field, problem, fix: `issue or apply Secret ${issuer.secret!.split('/')[1]} in namespace ${RESOURCE_NAMESPACE}, or use an Issuer in namespace ${misplaced.metadata.namespace}` };
  }
  return {
    ...base,
    field,
    problem: `cert-manager sets Ready False (${issuer.Ready.reason}): ${issuer.Ready.message}`,
    fix: issuer.type === 'ca' ? `make Secret ${issuer.secret} exist with a CA key pair (tls.crt with isCA, tls.key), e.g. issued by an isCA Certificate`
      : 'see the cert-manager issuer documentation for this issuer type',
  };
}

function certificateOutcome(applied: AppliedPlatform, c: CertificateState, issuers: ReadonlyMap<string, IssuerState>): Outcome {
  const object = find(applied, 'Certificate', c.ref);
  const issuer = issuers.get(c.issuer);
  // An external issuer (another API group) or an issuer the model does not run: not judged.
  const judged = /^(ClusterIssuer|Issuer)\//.test(c.issuer) && issuer?.Ready.status !== 'Unknown';
  const holds = c.Ready.status === 'True' || !judged;
  const base = {
    id: 'certificate-not-issued',
    statement: `Certificate ${c.ref} is issued by ${c.issuer} into Secret ${c.secret}`,
    field: fieldOf(applied, object, `Certificate/${c.ref}`),
    holds,
    observed: `Ready ${c.Ready.status} (${c.Ready.reason})${judged ? '' : `; ${c.issuer} is not run by the apply model`}`,
    section: 'certificates' as const,
    probe: { kind: 'certificate' as const, namespace: c.ref.split('/')[0], name: c.ref.split('/')[1] },
  };
  if (holds) return base;
  const why = c.request ? `its CertificateRequest ${c.request.ref} is ${c.request.Ready.reason}: ${c.request.Ready.message}` : c.Ready.message;
  return {
    ...base,
    problem: `cert-manager sets Ready False (${c.Ready.reason}: ${c.Ready.message}); ${why}`,
    fix: !issuer ? `create ${c.issuer}, or point spec.issuerRef (kind and name) at an existing issuer`
      : `make ${c.issuer} Ready (see the issuer-not-ready violation)`,
  };
}

function listenerOutcomes(applied: AppliedPlatform): Outcome[] {
  return applied.certManager.gatewayListeners.map((l) => {
    const [ns, gw, listener] = l.listener.split('/');
    const gateway = applied.objects.find((o) => o.kind === 'Gateway' && String(o.apiVersion).startsWith('gateway.networking.k8s.io/') && namespacedName(o) === `${ns}/${gw}`);
    const ref = l.certificateRef;
    const secret = `${ref.namespace}/${ref.name}`;
    const issuedBy = applied.certManager.certificates.find((c) => c.secret === secret);
    const base = {
      id: 'listener-certificate-missing',
      statement: `HTTPS listener ${listener} of Gateway ${ns}/${gw} serves the certificate in Secret ${secret}`,
      field: fieldOf(applied, gateway, `Gateway/${ns}/${gw}`),
      holds: l.served,
      observed: l.served ? `Secret ${secret}${l.certificate ? ` issued by Certificate ${l.certificate}` : ' (applied)'}` : `${ref.state}: ${ref.message}`,
      section: 'certificates' as const,
    };
    if (l.served) return base;
    const fix = ref.state === 'RefNotPermitted'
      ? `add a ReferenceGrant in namespace ${ref.namespace} from Gateways of namespace ${ns} to Secret ${ref.name}, or issue the certificate in namespace ${ns}`
      : ref.state === 'InvalidKind' ? 'reference a core Secret (group "", kind Secret)'
        : issuedBy ? `make Certificate ${issuedBy.ref} issued (see the certificate-not-issued violation)`
          : `create a Certificate with secretName ${ref.name} in namespace ${ref.namespace}, or a kubernetes.io/tls Secret ${secret}`;
    return { ...base, problem: `the listener has no certificate (${ref.state}: ${ref.message}), so Envoy fails every TLS handshake on it`, fix };
  });
}

/** cert-manager's issuers Ready, Certificates issued, and every Gateway HTTPS listener served a certificate. */
export const CERTIFICATE_OUTCOMES: OutcomeRule = {
  id: 'certificates',
  emits: ['issuer-not-ready', 'certificate-not-issued', 'listener-certificate-missing'],
  summary: 'every Issuer/ClusterIssuer is Ready, every Certificate is issued, every HTTPS listener of a Gateway gets its certificate (cert-manager as applied)',
  outcomes: (applied) => {
    const issuers = new Map(applied.certManager.issuers.map((i) => [i.ref, i]));
    return [
      ...applied.certManager.issuers.map((i) => issuerOutcome(applied, i)),
      ...applied.certManager.certificates.map((c) => certificateOutcome(applied, c, issuers)),
      ...listenerOutcomes(applied),
    ];
  },
};
