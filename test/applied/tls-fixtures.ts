import { generateKeyPairSync } from 'crypto';

/**
 * TLS material for the apply-model tests. The certificates were made once with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 36500 -addext basicConstraints=critical,CA:TRUE|FALSE`
 * and their keys thrown away: the models only check that a Secret holds a PEM certificate (Cilium) or an X.509
 * certificate that is or is not a CA plus a parseable key (cert-manager's CA issuer), never that key and
 * certificate belong together. The key is generated per run.
 */

/** A self-signed CA certificate (basicConstraints CA:TRUE). */
export const CA_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUUwlxKCCcdBVZ0NMttDIRd7e/tnEwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTYXBwbHktbW9kZWwgdGVzdCBDQTAgFw0yNjEyMDQxNjE0NTFa
GA8yMTI2MTExMDE2MTQ1MVowHjEcMBoGA1UEAwwTYXBwbHktbW9kZWwgdGVzdCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABI4zk3MVrdPJy6BaLTm4wMoIrTww
INRmukqoT5bz53zm1b3/qfyjM3qzjlcdyUXAgbG+eXkzUDPdZRFeWhsO9KGjUzBR
MB0GA1UdDgQWBBSNx/CSbBf4yOAgzvb1H6PhHF1M8DAfBgNVHSMEGDAWgBSNx/CS
bBf4yOAgzvb1H6PhHF1M8DAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIQCBr0J9Noit+DnaPCY2VlUkNdvN2wxERlHywDr/U5MQswIgTrM5rGkOHXOP
19YGq/xMDpPO9iAp2Hp4z6TFGOwo+68=
-----END CERTIFICATE-----
`;

/** A self-signed leaf certificate (basicConstraints CA:FALSE). */
export const LEAF_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBgjCCASigAwIBAgIUHWmgwFbsMq+DG3iwUvguvrhpxH8wCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMbGVhZi5leGFtcGxlMCAXDTI2MTIwNDE2MTQ1MVoYDzIxMjYx
MTEwMTYxNDUxWjAXMRUwEwYDVQQDDAxsZWFmLmV4YW1wbGUwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQDAViNOeYtl5JVsStzgeIOKtV9AL8iWxQl0fSVrwQW8QCF
hzpk00E1f1eNMOG+6pRPSB7fVz93a4kd1JzvqvLMo1AwTjAdBgNVHQ4EFgQUa8xR
3ybwdrGGQv7fmD/xGFgqshMwHwYDVR0jBBgwFoAUa8xR3ybwdrGGQv7fmD/xGFgq
shMwDAYDVR0TAQH/BAIwADAKBggqhkjOPQQDAgNIADBFAiEA3wRcKt9g7AnyS8p2
m3CwsaQ1DSgOoqBWgpprHPnnxY8CIB8Pfxv+q6olMr668Izjnqbz2I93bBFrzpdq
dy3cKZil
-----END CERTIFICATE-----
`;

/** A fresh P-256 private key in PKCS#8 PEM. */
export const KEY_PEM: string = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Secret `data` (base64) holding `cert` and {@link KEY_PEM}. */
export function tlsSecretData(cert: string = CA_CERT_PEM): Record<string, string> {
  return { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(KEY_PEM).toString('base64') };
}
