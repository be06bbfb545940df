import { Construct } from 'constructs';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  ClusterIssuer,
} from '../../imports/cert-manager';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';
import { labelLibraryObjects } from '../cluster/library-labels';
import { invalid } from '../errors';
import { checkProps, propsShape } from '../private/props';
import { parseGoDuration, checkDnsLabel } from '../private/syntax';
import { BUNDLE_NAME } from '../spec/versions';

const MINUTE_NS = 60e9;
const HOUR_NS = 60 * MINUTE_NS;

/** API group of every cert-manager resource (`issuerRef.group`). */
export const CERT_MANAGER_GROUP = 'cert-manager.io';

/** Namespace cert-manager is installed into; ClusterIssuers read their secrets from it (cluster resource namespace). */
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** A fully spelled-out cert-manager `issuerRef` (kind and group are always set, never defaulted). */
export interface CertManagerIssuerRef {
  /** Issuer name. */
  readonly name: string;
  /** `ClusterIssuer` (cluster-wide) or `Issuer` (same namespace as the Certificate). */
  readonly kind: 'ClusterIssuer' | 'Issuer';
  /** Always `cert-manager.io`. */
  readonly group: typeof CERT_MANAGER_GROUP;
}

/** Anything that can sign certificates for other constructs (e.g. {@link LocalCertificateAuthority}). */
export interface ICertificateIssuer {
  /** The issuer to put into a Certificate's `spec.issuerRef`. */
  readonly issuerRef: CertManagerIssuerRef;
}

/** Props of {@link LocalCertificateAuthority}. */
export interface LocalCertificateAuthorityProps {
  /**
   * Name stem: the self-signed ClusterIssuer is `<name>-selfsigned`; the CA Certificate, its Secret and
   * the CA ClusterIssuer are `<name>-ca`. A DNS label of at most 50 characters.
   * @default 'local'
   */
  readonly name?: string;
  /**
   * Namespace of the CA Certificate and Secret. The CA ClusterIssuer reads its Secret only from cert-manager's
   * cluster resource namespace, which the release manifest this library installs sets to `cert-manager`
   * (cert-manager pkg/controller/helper.go `ResourceNamespace`): with any other namespace the issuer never becomes
   * Ready and nothing it signs is issued, so synthesis refuses it (`issuer-not-ready`, naming this prop). For a CA
   * in another namespace, use a cert-manager `Issuer` there instead.
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /** Subject common name of the CA certificate (at most 64 characters). @default '<clusterName> local CA' */
  readonly commonName?: string;
  /** Validity of the CA certificate, a Go duration of at least 1h. @default '87600h' (10 years, like mkcert, so the CA you trust on the host stays valid) */
  readonly duration?: string;
  /** When to renew the CA before it expires (at least 5m, less than `duration`). @default '720h' (30 days) */
  readonly renewBefore?: string;
  /**
   * Generate a new CA key on every renewal. Off by default so a renewed CA keeps the key the host already
   * trusts (leaf certificates still rotate their keys on every renewal).
   * @default false
   */
  readonly rotateKeyOnRenewal?: boolean;
}

const CA_SHAPE = propsShape<LocalCertificateAuthorityProps>('LocalCertificateAuthority', {
  name: 'string', namespace: 'string', commonName: 'string', duration: 'string', renewBefore: 'string', rotateKeyOnRenewal: 'boolean',
});


/**
 * @internal Checks a certificate's `duration` and `renewBefore` the way cert-manager's webhook does
 * (duration >= 1h, 5m <= renewBefore < duration).
 */
export function checkCertificateDurations(field: string, durationProp: string, duration: string, renewProp: string, renewBefore: string): void {
  const d = parseGoDuration(duration);
  if (d === undefined || d < HOUR_NS) {
    invalid('invalid-certificate-duration', `${field}.${durationProp}`, `"${duration}" is not a Go duration of at least 1h (cert-manager's minimum)`,
      'write it like 2160h (90 days) or 8760h (1 year)');
  }
  const r = parseGoDuration(renewBefore);
  if (r === undefined || r < 5 * MINUTE_NS || r >= d) {
    invalid('invalid-certificate-renew-before', `${field}.${renewProp}`,
      `"${renewBefore}" must be a Go duration of at least 5m and shorter than the certificate duration ${duration}`,
      'use a fraction of the duration, e.g. 720h for a 2160h certificate');
  }
}

/**
 * A local certificate authority run by cert-manager: a self-signed ClusterIssuer signs a CA Certificate
 * (ECDSA P-256, `isCA: true`, Secret in the cert-manager namespace), and a CA ClusterIssuer signs
 * certificates for the rest of the platform with that Secret. Trust it on the host with
 * {@link LocalCertificateAuthority.exportCommand}. Every `issuerRef` names its kind and group.
 */
export class LocalCertificateAuthority extends Construct implements ICertificateIssuer {
  /** Name of the bootstrap self-signed ClusterIssuer (`<name>-selfsigned`). */
  public readonly selfSignedIssuerName: string;
  /** Name of the CA Certificate (`<name>-ca`). */
  public readonly caCertificateName: string;
  /** Name of the Secret holding the CA key pair (`<name>-ca`, in {@link namespace}). */
  public readonly caSecretName: string;
  /** Name of the CA ClusterIssuer that signs platform certificates (`<name>-ca`). */
  public readonly issuerName: string;
  /** Namespace of the CA Certificate and Secret (cert-manager's cluster resource namespace). */
  public readonly namespace: string;
  /** `issuerRef` of the CA ClusterIssuer, for Certificates signed by this CA. */
  public readonly issuerRef: CertManagerIssuerRef;
  /** Shell command that writes the CA certificate to `<name>-ca.crt` on the host (for `curl --cacert` or a trust store). */
  public readonly exportCommand: string;
  /** The self-signed ClusterIssuer (escape hatch). */
  public readonly selfSignedIssuer: ClusterIssuer;
  /** The CA Certificate (escape hatch). */
  public readonly caCertificate: Certificate;
  /** The CA ClusterIssuer (escape hatch; the same object as {@link apiObject}). */
  public readonly caIssuer: ClusterIssuer;
  /** The primary object, the CA ClusterIssuer (escape hatch, named as on every construct of this library). */
  public readonly apiObject: ClusterIssuer;

  constructor(scope: Construct, id: string, props: LocalCertificateAuthorityProps = {}) {
    super(scope, id);
    const cluster = KindCiliumCluster.of(this);
    const field = this.node.path;
    props = checkProps(field, props, CA_SHAPE);

    const name = checkDnsLabel('invalid-ca-name', `${field}.name`, props.name ?? 'local', 50, 'certificate authority name');
    this.namespace = checkDnsLabel('invalid-namespace', `${field}.namespace`, props.namespace ?? CERT_MANAGER_NAMESPACE, 63, 'namespace name');
    const commonName = props.commonName ?? `${cluster.clusterName} local CA`;
    if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
      invalid('invalid-common-name', `${field}.commonName`, `"${commonName}" is not a 1-64 character common name (X.509 limit)`,
        'use a short name such as "dev local CA"');
    }
    const duration = props.duration ?? '87600h';
    const renewBefore = props.renewBefore ?? '720h';
    checkCertificateDurations(field, 'duration', duration, 'renewBefore', renewBefore);

    this.selfSignedIssuerName = `${name}-selfsigned`;
    this.caCertificateName = `${name}-ca`;
    this.caSecretName = `${name}-ca`;
    this.issuerName = `${name}-ca`;
    this.issuerRef = { name: this.issuerName, kind: 'ClusterIssuer', group: CERT_MANAGER_GROUP };
    this.exportCommand = `kubectl --context kind-${cluster.clusterName} -n ${this.namespace} get secret ${this.caSecretName} `
      + `-o jsonpath='{.data.ca\\.crt}' | base64 -d > ${name}-ca.crt`;

    this.selfSignedIssuer = new ClusterIssuer(this, 'SelfSignedIssuer', {
      metadata: { name: this.selfSignedIssuerName },
      spec: { selfSigned: {} },
    });

    this.caCertificate = new Certificate(this, 'CaCertificate', {
      metadata: { name: this.caCertificateName, namespace: this.namespace },
      spec: {
        isCa: true,
        commonName,
        subject: { organizations: [BUNDLE_NAME] },
        secretName: this.caSecretName,
        duration,
        renewBefore,
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: props.rotateKeyOnRenewal
            ? CertificateSpecPrivateKeyRotationPolicy.ALWAYS
            : CertificateSpecPrivateKeyRotationPolicy.NEVER,
        },
        issuerRef: { name: this.selfSignedIssuerName, kind: 'ClusterIssuer', group: CERT_MANAGER_GROUP },
      },
    });

    this.apiObject = this.caIssuer = new ClusterIssuer(this, 'CaIssuer', {
      metadata: { name: this.issuerName },
      spec: { ca: { secretName: this.caSecretName } },
    });
    labelLibraryObjects(this);
  }
}
