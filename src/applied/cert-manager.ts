import { X509Certificate, createPrivateKey } from 'crypto';
import { ShimEvent, gatewayShimCertificates } from './cert-manager-shim';
import { CertificateRefState, certificateRefState } from './gateway-listeners';
import { AppliedIndex, CERT_MANAGER_CERTIFICATE_NAME_ANNOTATION, appendTo, Condition, condition, namespaceOf, readListener } from './gateway-objects';
import { KubeObject } from './objects';

/**
 * cert-manager applied offline (cert-manager v1.20.3, the reasons and messages checked the same at v1.19.6):
 * whether each Issuer and ClusterIssuer becomes Ready, which Certificates are issued and so which Secrets will
 * exist, the Certificates the gateway-shim creates, and whether each Gateway HTTPS listener's certificateRef is
 * served. Issuers of type `selfSigned` and `ca` are modelled (the ones a local platform can run offline); ACME,
 * Vault and Venafi issuers talk to outside services and are reported `Unknown`.
 */

/** The cert-manager controller settings that change the outcome. */
export interface CertManagerConfig {
  /**
   * `--cluster-resource-namespace`: where ClusterIssuers read their Secrets. The binary defaults to `kube-system`
   * (internal/apis/config/controller/v1alpha1/defaults.go); the chart and the release manifest pass the controller's
   * own namespace (deploy/charts/cert-manager/templates/deployment.yaml, make/manifests.mk).
   */
  readonly clusterResourceNamespace: string;
  /** `--enable-gateway-api`: runs the gateway-shim. @default false (defaults.go `enableGatewayAPI`) */
  readonly enableGatewayAPI: boolean;
}

/** cert-manager as this library installs it: the release manifest `cert-manager.yaml` in namespace `cert-manager`, no extra flags. */
export const CERT_MANAGER_RELEASE_MANIFEST_CONFIG: CertManagerConfig = { clusterResourceNamespace: 'cert-manager', enableGatewayAPI: false };

/** The state of one Issuer or ClusterIssuer. */
export interface IssuerState {
  /** `ClusterIssuer/<name>` or `Issuer/<ns>/<name>`. */
  readonly ref: string;
  /** `selfSigned`, `ca`, `acme`, `vault`, `venafi`, or `undefined` when none is set (the webhook refuses such an issuer). */
  readonly type?: string;
  /** The `Ready` condition (`Unknown` for types the model does not run). */
  readonly Ready: Condition;
  /** For a CA issuer: the Secret it reads (`<resource namespace>/<secretName>`). */
  readonly secret?: string;
}

/** The state of one Certificate (applied or created by the gateway-shim). */
export interface CertificateState {
  /** `<ns>/<name>`. */
  readonly ref: string;
  /** `<ns>/<secretName>`. */
  readonly secret: string;
  /** The issuer it names (`ClusterIssuer/<name>`, `Issuer/<ns>/<name>`, or `<group>/<kind>/<name>` for external issuers). */
  readonly issuer: string;
  /** Whether cert-manager issues it, so its Secret will hold `tls.crt`, `tls.key` and `ca.crt`. */
  readonly issued: boolean;
  /** `spec.isCA`. */
  readonly isCA: boolean;
  /** `spec.dnsNames`. */
  readonly dnsNames: readonly string[];
  /** The `Ready` condition. */
  readonly Ready: Condition;
  /** Its CertificateRequest (`<ns>/<name>-1`) and that request's `Ready`; absent when cert-manager does not act on it. */
  readonly request?: { readonly ref: string; readonly Ready: Condition };
  /** `gateway-shim` when the shim creates it. */
  readonly createdBy?: 'gateway-shim';
}

/** A Secret that will exist. */
export interface SecretState {
  /** `<ns>/<name>`. */
  readonly ref: string;
  /** `applied` (an object of the bundle) or `issued` (written by cert-manager for a Certificate). */
  readonly source: 'applied' | 'issued';
  /** The data keys it holds (`[]` when unknown). */
  readonly keys: readonly string[];
  /** The Certificate that issues it. */
  readonly certificate?: string;
}

/** How a certificateRef of a Gateway listener (HTTPS, or TLS Terminate) is served. */
export interface ListenerCertificate {
  /** `<ns>/<gateway>/<listener>`. */
  readonly listener: string;
  /** How the reference resolves (with the issued Secrets counted as existing). */
  readonly certificateRef: CertificateRefState;
  /** The Certificate that issues the Secret, when one does. */
  readonly certificate?: string;
  /** Whether Envoy gets a certificate from it: the reference resolves to a Secret that will exist. */
  readonly served: boolean;
}

/** The applied state of cert-manager. */
export interface CertManagerState {
  /** Every Issuer and ClusterIssuer, by ref. */
  readonly issuers: readonly IssuerState[];
  /** Every Certificate, applied or created by the gateway-shim. */
  readonly certificates: readonly CertificateState[];
  /** Every Secret that will exist: applied ones and issued ones. */
  readonly secrets: readonly SecretState[];
  /** The Certificates the gateway-shim creates (also listed in {@link certificates}). */
  readonly createdCertificates: readonly KubeObject[];
  /** Events of the gateway-shim. */
  readonly events: readonly ShimEvent[];
  /** Objects whose shim sync fails (bad duration annotations). */
  readonly shimErrors: readonly { readonly object: string; readonly message: string }[];
  /**
   * The Secrets cert-manager writes, as objects for the Gateway model (`type: kubernetes.io/tls`, annotated
   * `cert-manager.io/certificate-name`, keys without values).
   */
  readonly issuedSecretObjects: readonly KubeObject[];
  /** Every certificateRef of every Gateway HTTPS/TLS-terminate listener. */
  readonly gatewayListeners: readonly ListenerCertificate[];
}

const ISSUER_TYPES = ['acme', 'ca', 'vault', 'selfSigned', 'venafi'] as const;

function isCertManager(o: KubeObject, kind: string): boolean {
  return o.kind === kind && o.apiVersion.startsWith('cert-manager.io/');
}

/** Why an applied Secret cannot be a CA key pair (cert-manager `kube.SecretTLSCert`/`SecretTLSKey`, then `cert.IsCA`). */
function caKeyPairProblem(secret: KubeObject): { reason: 'ErrGetKeyPair' | 'ErrInvalidKeyPair'; detail: string } | undefined {
  const ref = `${namespaceOf(secret)}/${secret.metadata.name}`;
  const value = (key: string) => (typeof secret.stringData?.[key] === 'string' ? secret.stringData[key]
    : typeof secret.data?.[key] === 'string' ? Buffer.from(secret.data[key], 'base64').toString('latin1') : undefined);
  const crt = value('tls.crt');
  if (crt === undefined) return { reason: 'ErrGetKeyPair', detail: `no data for "tls.crt" in secret '${ref}'` };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(crt);
  } catch {
    return { reason: 'ErrGetKeyPair', detail: 'error decoding certificate PEM block' };
  }
  const key = value('tls.key');
  if (key === undefined) return { reason: 'ErrGetKeyPair', detail: `no data for "tls.key" in secret '${ref}'` };
  try {
    createPrivateKey(key);
  } catch {
    return { reason: 'ErrGetKeyPair', detail: 'error decoding private key PEM block' };
  }
  return cert.ca ? undefined : { reason: 'ErrInvalidKeyPair', detail: 'certificate is not a CA' };
}

/**
 * Applies cert-manager to the objects. Dependencies resolve in any order and in linear time (each issuer and
 * Certificate is evaluated once, memoised): a CA issuer is Ready when its Secret holds a CA key pair, whether the
 * Secret is applied or issued by a Certificate (a selfSigned-issued `isCA` Certificate bootstrapping a CA, as
 * `LocalCertificateAuthority` does); a cycle issues nothing.
 *
 * - A ClusterIssuer reads its Secret from the cluster resource namespace only, an Issuer from its own namespace
 *   (pkg/controller/helper.go `ResourceNamespace`; docs "Cluster Resource Namespace").
 * - `ca`: no such Secret gives `ErrGetKeyPair` "Error getting keypair for CA issuer: ...", a certificate that is not a
 *   CA `ErrInvalidKeyPair`, else `KeyPairVerified` "Signing CA verified" (pkg/issuer/ca/setup.go). `selfSigned` is
 *   `IsReady` (pkg/issuer/selfsigned/setup.go).
 * - A Certificate whose issuer is missing gets a request `Pending` "Referenced \"Kind\" not found: ..."; one whose
 *   issuer is not Ready `Pending` "Referenced issuer does not have a Ready status condition"
 *   (pkg/controller/certificaterequests/sync.go); it then stays `Ready: False, DoesNotExist` "Issuing certificate as
 *   Secret does not exist" (internal/controller/certificates/policies/checks.go) and its Secret is absent. An issued
 *   one is `Ready: True, Ready` "Certificate is up to date and has not expired".
 * - `issuerRef.kind` defaults to `Issuer` (pkg/api/util/issuers.go `IssuerKind`): an Issuer serves only its namespace.
 */
export function applyCertManager(objects: readonly KubeObject[], config: CertManagerConfig): CertManagerState {
  const shim = config.enableGatewayAPI ? gatewayShimCertificates(objects) : { certificates: [], events: [], errors: [] };
  const all = [...objects, ...shim.certificates];
  const shimCreated = new Set(shim.certificates.map((c) => `${namespaceOf(c)}/${c.metadata.name}`));
  const issuers = new Map<string, KubeObject>();
  const certs = new Map<string, KubeObject>();
  const appliedSecrets = new Map<string, KubeObject>();
  const bySecret = new Map<string, string[]>();
  for (const o of all) {
    if (isCertManager(o, 'ClusterIssuer')) {issuers.set(`ClusterIssuer/${o.metadata.name}`, o);} else if (isCertManager(o, 'Issuer')) {issuers.set(`Issuer/${namespaceOf(o)}/${o.metadata.name}`, o);} else if (isCertManager(o, 'Certificate')) {
      const key = `${namespaceOf(o)}/${o.metadata.name}`;
      if (certs.has(key)) continue;
      certs.set(key, o);
      const secret = `${namespaceOf(o)}/${o.spec?.secretName ?? ''}`;
      appendTo(bySecret, secret, key);
    } else if (o.kind === 'Secret' && o.apiVersion === 'v1') {appliedSecrets.set(`${namespaceOf(o)}/${o.metadata.name}`, o);}
  }

  const issuerStates = new Map<string, IssuerState>();
  const certIssued = new Map<string, boolean>();
  const visiting = new Set<string>();

  /** The first Certificate that issues a Secret, if any does. */
  const issuingCertificate = (secret: string): string | undefined => (bySecret.get(secret) ?? []).find((c) => issued(c));

  const issuerState = (ref: string): IssuerState => {
    const known = issuerStates.get(ref);
    if (known) return known;
    if (visiting.has(ref)) return { ref, Ready: condition(false, 'ErrGetKeyPair', 'Error getting keypair for CA issuer: dependency cycle') };
    visiting.add(ref);
    const o = issuers.get(ref)!;
    const type = ISSUER_TYPES.find((t) => o.spec?.[t] !== undefined);
    let state: IssuerState;
    if (type === 'selfSigned') {state = { ref, type, Ready: condition(true, 'IsReady', '') };} else if (type === 'ca') {
      const resourceNs = o.kind === 'ClusterIssuer' ? config.clusterResourceNamespace : namespaceOf(o);
      const name = String(o.spec.ca?.secretName ?? '');
      const secret = `${resourceNs}/${name}`;
      const applied = appliedSecrets.get(secret);
      const issuer = applied ? undefined : issuingCertificate(secret);
      const problem = applied ? caKeyPairProblem(applied)
        : issuer ? (certs.get(issuer)!.spec?.isCA === true ? undefined : { reason: 'ErrInvalidKeyPair' as const, detail: 'certificate is not a CA' })
          : { reason: 'ErrGetKeyPair' as const, detail: `secret "${name}" not found` };
      state = problem
        ? { ref, type, secret, Ready: condition(false, problem.reason, `Error getting keypair for CA issuer: ${problem.detail}`) }
        : { ref, type, secret, Ready: condition(true, 'KeyPairVerified', 'Signing CA verified') };
    } else if (type) {
      state = { ref, type, Ready: condition('Unknown', 'NotModelled', `${type} issuers reach outside services; the apply model does not run them`) };
    } else {
      state = { ref, Ready: condition('Unknown', 'NoIssuerType', 'no issuer type is set (the cert-manager webhook refuses this issuer)') };
    }
    visiting.delete(ref);
    issuerStates.set(ref, state);
    return state;
  };

  /** The issuer ref a Certificate names, and whether cert-manager itself serves it. */
  const issuerRefOf = (c: KubeObject): { ref: string; internal: boolean } => {
    const r = c.spec?.issuerRef ?? {};
    const group = r.group ?? '';
    const kind = r.kind || 'Issuer';
    if (group !== '' && group !== 'cert-manager.io') return { ref: `${group}/${kind}/${r.name}`, internal: false };
    return { ref: kind === 'ClusterIssuer' ? `ClusterIssuer/${r.name}` : `Issuer/${namespaceOf(c)}/${r.name}`, internal: true };
  };

  function issued(key: string): boolean {
    const known = certIssued.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return false;
    visiting.add(key);
    const { ref, internal } = issuerRefOf(certs.get(key)!);
    const result = internal && issuers.has(ref) && issuerState(ref).Ready.status === 'True';
    visiting.delete(key);
    certIssued.set(key, result);
    return result;
  }

  const certificates: CertificateState[] = [...certs.entries()].map(([key, c]) => {
    const ns = namespaceOf(c);
    const secret = `${ns}/${c.spec?.secretName ?? ''}`;
    const { ref, internal } = issuerRefOf(c);
    const ok = issued(key);
    let request: CertificateState['request'];
    const requestRef = `${key}-1`;
    if (internal && !issuers.has(ref)) {
      const kind = ref.split('/')[0];
      const lister = `${kind.toLowerCase()}.cert-manager.io "${c.spec?.issuerRef?.name}" not found`;
      request = { ref: requestRef, Ready: condition(false, 'Pending', `Referenced "${kind}" not found: ${lister}`) };
    } else if (internal && !ok) {
      request = { ref: requestRef, Ready: condition(false, 'Pending', 'Referenced issuer does not have a Ready status condition') };
    } else if (ok) {
      request = { ref: requestRef, Ready: condition(true, 'Issued', 'Certificate fetched from issuer successfully') };
    }
    const applied = appliedSecrets.get(secret);
    let ready: Condition;
    if (ok) {ready = condition(true, 'Ready', 'Certificate is up to date and has not expired');} else if (!applied) {ready = condition(false, 'DoesNotExist', 'Issuing certificate as Secret does not exist');} else if (Object.keys(applied.data ?? {}).length === 0 && Object.keys(applied.stringData ?? {}).length === 0) {
      ready = condition(false, 'MissingData', 'Issuing certificate as Secret does not contain any data');
    } else {
      ready = condition('Unknown', 'ExistingSecret', 'the applied Secret holds a certificate cert-manager did not issue; its readiness checks decode it, the model does not');
    }
    return {
      ref: key,
      secret,
      issuer: ref,
      issued: ok,
      isCA: c.spec?.isCA === true,
      dnsNames: c.spec?.dnsNames ?? [],
      Ready: ready,
      request,
      ...(shimCreated.has(key) ? { createdBy: 'gateway-shim' as const } : {}),
    };
  });
  for (const ref of issuers.keys()) issuerState(ref);

  const secrets = new Map<string, SecretState>();
  for (const [ref, s] of appliedSecrets) secrets.set(ref, { ref, source: 'applied', keys: Object.keys({ ...s.data, ...s.stringData }) });
  const issuedSecretObjects: KubeObject[] = [];
  for (const c of certificates) {
    if (!c.issued || secrets.has(c.secret)) continue;
    secrets.set(c.secret, { ref: c.secret, source: 'issued', keys: ['tls.crt', 'tls.key', 'ca.crt'], certificate: c.ref });
    const [ns, name] = c.secret.split('/');
    issuedSecretObjects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name, namespace: ns, annotations: { [CERT_MANAGER_CERTIFICATE_NAME_ANNOTATION]: c.ref.split('/')[1] } },
    });
  }

  const index = new AppliedIndex([...objects, ...issuedSecretObjects]);
  const gatewayListeners: ListenerCertificate[] = [];
  for (const [key, gw] of index.gateways) {
    for (const raw of Array.isArray(gw.spec?.listeners) ? gw.spec.listeners : []) {
      const l = readListener(raw);
      if (!l.tls || l.tls.mode !== 'Terminate') continue;
      for (const ref of l.tls.certificateRefs) {
        const state = certificateRefState(ref, { kind: 'Gateway', namespace: namespaceOf(gw) }, index);
        const certificate = secrets.get(`${state.namespace}/${state.name}`)?.certificate;
        gatewayListeners.push({ listener: `${key}/${l.name}`, certificateRef: state, certificate, served: state.state === 'Resolved' });
      }
    }
  }
  return {
    issuers: [...issuerStates.values()].sort((a, b) => a.ref.localeCompare(b.ref)),
    certificates,
    secrets: [...secrets.values()],
    createdCertificates: shim.certificates,
    events: shim.events,
    shimErrors: shim.errors,
    issuedSecretObjects,
    gatewayListeners,
  };
}
