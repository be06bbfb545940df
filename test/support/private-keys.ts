import { generateKeyPairSync, KeyObject, randomBytes } from 'crypto';

/**
 * Private keys of every type and container format, generated at test time (none is ever committed), and the
 * text encodings a key takes in a values file or a manifest. The kind the key-material check must refuse.
 */
export interface PrivateKeySample {
  /** e.g. `ec P-384 sec1`. */
  readonly name: string;
  /** The PEM text (armoured), as a key file holds it. */
  readonly pem: string;
  /** The DER bytes inside the armour. */
  readonly der: Buffer;
}

/** A PEM body: base64 wrapped at 64 characters, between the armour lines. */
export function armour(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function derOfPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/^[A-Za-z-]+: .*$/gm, ''), 'base64');
}

// A minimal DER writer, for the formats node cannot export (OpenSSL's DSA form, PKCS#12).
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, Math.floor(n / 256), n % 256]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
function int(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}
function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  for (let b = base % mod, e = exp; e > 0n; e /= 2n, b = (b * b) % mod) if (e % 2n === 1n) result = (result * b) % mod;
  return result;
}

/** Reads the DER integers of a DSA PKCS#8 key (p, q, g in the parameters, x in the key octets). */
function dsaIntegers(pkcs8: Buffer): bigint[] {
  const ints: bigint[] = [];
  const walk = (buf: Buffer) => {
    for (let p = 0; p < buf.length;) {
      const tag = buf[p];
      let len = buf[p + 1];
      let start = p + 2;
      if (len >= 0x80) {
        const n = len - 0x80;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
        start += n;
      }
      const content = buf.subarray(start, start + len);
      if (tag === 0x02) ints.push(BigInt(`0x${content.toString('hex') || '0'}`));
      else if (tag === 0x30 || tag === 0x04) walk(content);
      p = start + len;
    }
  };
  walk(pkcs8);
  return ints.slice(1); // drop the version
}

/** Every private key sample (about 30): RSA, RSA-PSS, DSA, EC (4 curves), EdDSA, ECDH-X, DH, OpenSSH, PKCS#12. */
export function privateKeySamples(): PrivateKeySample[] {
  const out: PrivateKeySample[] = [];
  const add = (name: string, pem: string, der = derOfPem(pem)) => out.push({ name, pem, der });
  const pkcs8 = (name: string, key: KeyObject) => {
    add(`${name} pkcs8`, key.export({ type: 'pkcs8', format: 'pem' }) as string);
    const encrypted = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    add(`${name} encrypted pkcs8`, encrypted);
  };
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  pkcs8('rsa 1024', rsa);
  add('rsa 1024 pkcs1', rsa.export({ type: 'pkcs1', format: 'pem' }) as string);
  add('rsa 1024 pkcs1 encrypted (DEK-Info)', rsa.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' }) as string,
    rsa.export({ type: 'pkcs1', format: 'der' }));
  const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  add('rsa 2048 pkcs1', rsa2048.export({ type: 'pkcs1', format: 'pem' }) as string);
  pkcs8('rsa-pss 1024', generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).privateKey);
  for (const curve of ['prime256v1', 'secp384r1', 'secp521r1', 'secp256k1']) {
    const ec = generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
    pkcs8(`ec ${curve}`, ec);
    add(`ec ${curve} sec1`, ec.export({ type: 'sec1', format: 'pem' }) as string);
  }
  for (const type of ['ed25519', 'ed448', 'x25519', 'x448'] as const) pkcs8(type, generateKeyPairSync(type as 'ed25519').privateKey);
  // @types/node lists no 'dh' overload; node generates finite-field DH keys all the same.
  const generate = generateKeyPairSync as unknown as (type: string, options: object) => { privateKey: KeyObject };
  pkcs8('dh modp2', generate('dh', { group: 'modp2' }).privateKey);
  const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).privateKey;
  pkcs8('dsa 1024', dsa);
  const [p, q, g, x] = dsaIntegers(dsa.export({ type: 'pkcs8', format: 'der' }));
  const dsaDer = seq(int(0n), int(p), int(q), int(g), int(modPow(g, x, p)), int(x));
  add('dsa 1024 OpenSSL (DSA PRIVATE KEY)', armour('DSA PRIVATE KEY', dsaDer), dsaDer);
  // OpenSSH's own format: the magic, then (here random) key records.
  const openssh = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), randomBytes(400)]);
  add('OpenSSH', armour('OPENSSH PRIVATE KEY', openssh), openssh);
  // PKCS#12: version 3, authSafe ContentInfo of type data (1.2.840.113549.1.7.1), macData.
  const p12 = seq(int(3n), seq(tlv(0x06, Buffer.from('2a864886f70d010701', 'hex')), tlv(0xa0, tlv(0x04, randomBytes(300)))),
    seq(seq(seq(tlv(0x06, Buffer.from('608648016503040201', 'hex'))), tlv(0x04, randomBytes(32))), tlv(0x04, randomBytes(8)), int(2048n)));
  add('PKCS#12', armour('PKCS12', p12), p12);
  return out;
}

/** Armoured private keys in formats that have no DER this check could parse (PGP, PuTTY, SSH2). */
export function armourOnlySamples(): string[] {
  const body = randomBytes(300).toString('base64').replace(/.{64}/g, '$&\n');
  return [
    `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n`,
    `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "key"\n${body}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n`,
    `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: key\nPublic-Lines: 2\n${body}\nPrivate-Lines: 1\n${body}\n`,
  ];
}

/** How a value may carry a key: the text encodings a key takes on its way into YAML. */
export const KEY_ENCODINGS: Readonly<Record<string, (k: PrivateKeySample, width: number) => string>> = {
  'PEM': (k) => k.pem,
  'PEM with CRLF': (k) => k.pem.replace(/\n/g, '\r\n'),
  'base64 of the PEM': (k) => Buffer.from(k.pem).toString('base64'),
  'base64 of the PEM, wrapped': (k, w) => Buffer.from(k.pem).toString('base64').replace(new RegExp(`.{${w}}`, 'g'), '$&\n'),
  'URL-safe base64 of the PEM, no padding': (k) => Buffer.from(k.pem).toString('base64url'),
  'base64 of base64 of the PEM': (k) => Buffer.from(Buffer.from(k.pem).toString('base64')).toString('base64'),
  'base64 of the DER': (k) => k.der.toString('base64'),
  'base64 of the DER, wrapped (CRLF)': (k, w) => k.der.toString('base64').replace(new RegExp(`.{${w}}`, 'g'), '$&\r\n'),
  'base64 of the DER, wrapped with spaces': (k, w) => k.der.toString('base64').replace(new RegExp(`.{${w}}`, 'g'), '$& '),
  'URL-safe base64 of the DER, no padding': (k) => k.der.toString('base64url'),
  'hex of the DER': (k) => k.der.toString('hex'),
  'upper-case hex of the DER': (k) => k.der.toString('hex').toUpperCase(),
  'base64 of a kubeconfig holding base64 of the PEM': (k) => Buffer.from(
    `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: ${Buffer.from(k.pem).toString('base64')}\n`).toString('base64'),
};
