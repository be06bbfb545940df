import * as YAML from 'yaml';
import { BundleFile } from './render';
import { PlatformConfigError, Violation } from '../errors';

/**
 * Private key material in text, whatever put it there (a `ciliumValuesOverrides` value, a Secret's `data`, an
 * env value, a script). The bundle is committed and pushed, so a key in it is published. The kind covers every
 * text form a private key takes:
 * - PEM armour of any private key type (RFC 7468 `-----BEGIN <type> PRIVATE KEY-----`: PKCS#8, encrypted PKCS#8,
 *   RSA, EC, DSA, OpenSSH, PGP `PRIVATE KEY BLOCK`, SSH2 `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`) and PuTTY key files;
 * - base64 (standard or URL-safe, padded or not, wrapped over lines or `\n` escapes) or hex of the DER structures
 *   of a private key: PKCS#1 RSAPrivateKey, DSA (OpenSSL), SEC1 ECPrivateKey, PKCS#8 PrivateKeyInfo/OneAsymmetricKey
 *   (RFC 5958), EncryptedPrivateKeyInfo (PKCS#5/#12 algorithms), PKCS#12 (PFX), the OpenSSH `openssh-key-v1` blob;
 * - base64 of text that holds any of the above (a PEM file, a kubeconfig, a values file), to any depth.
 * Certificates, CSRs and public keys are not key material and pass.
 */
export interface KeyMaterial {
  /** Offset in the text where the key (or the encoded blob holding it) starts. */
  readonly offset: number;
  /** What was found, e.g. `a PEM "RSA PRIVATE KEY" block`, `base64 of DER PKCS#8 private key`. */
  readonly what: string;
}

const PEM_PRIVATE = /-{3,}\s?BEGIN ((?:[A-Z0-9]+ ){0,4})PRIVATE KEY(?: BLOCK)?\s?-{3,}/gi;
const PUTTY = /PuTTY-User-Key-File-\d+:/g;
/**
 * A run of base64 (and URL-safe base64) characters, possibly wrapped: pieces of at least 16 characters (the lines
 * of a wrapped blob; prose words rarely are that long) with whitespace or `\n`, `\r`, `\t` escapes between them.
 */
const BLOB = /[A-Za-z0-9+/_-]{16,}(?:(?:[ \t\r\n]|\\[nrt])+[A-Za-z0-9+/_-]{16,})*(?:(?:[ \t\r\n]|\\[nrt])+[A-Za-z0-9+/_-]+)?/g;
const SEPARATORS = /[ \t\r\n]|\\[nrt]/g;
const HEX = /[0-9a-fA-F]{96,}/g;
/** Printable ASCII text long enough to hold a key, in decoded bytes. */
const TEXT = /[\x20-\x7e\t\r\n]{64,}/g;
/** The smallest private key in DER (an Ed25519 or X25519 PKCS#8 key) is 48 bytes: 64 base64 characters, 96 hex digits. */
const MIN_BASE64 = 64;
const MAX_DEPTH = 4;

/** Private key material in `text` (see {@link KeyMaterial}), in text order. */
export function findPrivateKeyMaterial(text: string): KeyMaterial[] {
  const found: KeyMaterial[] = [];
  scanText(text, 0, (offset, what) => found.push({ offset, what }));
  return found.sort((a, b) => a.offset - b.offset);
}

type Report = (offset: number, what: string) => void;

function scanText(text: string, depth: number, report: Report): void {
  // The body of an armoured key is the key again: one finding per block.
  const blocks: [number, number][] = [];
  for (const m of text.matchAll(PEM_PRIVATE)) {
    report(m.index!, `a PEM "${m[1]}PRIVATE KEY" block`);
    const end = text.indexOf('END', m.index! + m[0].length);
    blocks.push([m.index!, end < 0 ? text.length : end]);
  }
  for (const m of text.matchAll(PUTTY)) {
    report(m.index!, 'a PuTTY private key file');
    blocks.push([m.index!, text.length]);
  }
  if (depth >= MAX_DEPTH) return;
  for (const m of text.matchAll(BLOB)) {
    const run = m[0];
    if (run.length < MIN_BASE64 || blocks.some(([from, to]) => m.index! >= from && m.index! < to)) continue;
    const joined = run.replace(SEPARATORS, '');
    if (joined.length < MIN_BASE64) continue;
    /** Where the `i`-th character of `joined` is in `text` (only computed for a finding). */
    const at = (i: number): number => {
      let kept = -1;
      for (let p = 0; p < run.length; p++) {
        if (run[p] === '\\') p++;
        else if (!/[ \t\r\n]/.test(run[p]) && ++kept >= i) return m.index! + p;
      }
      return m.index! + run.length - 1;
    };
    let hit = false;
    const reportOnce = (i: number, what: string) => {
      if (!hit) report(at(i), what);
      hit = true;
    };
    // A blob can start at any piece of the run (e.g. after a long word): try all four base64 alignments and every offset.
    for (let a = 0; a < 4 && !hit; a++) {
      scanBytes(Buffer.from(joined.slice(a), 'base64'), 'base64', depth, (byte, what) => reportOnce(a + Math.floor(byte * 4 / 3), what));
    }
    for (const h of joined.matchAll(HEX)) {
      for (let a = 0; a < 2 && !hit; a++) {
        scanBytes(Buffer.from(h[0].slice(a), 'hex'), 'hex', depth, (byte, what) => reportOnce(h.index! + a + byte * 2, what));
      }
    }
  }
}

/** Checks decoded bytes: a private key structure at any offset, or text (a PEM file, more base64) holding one. */
function scanBytes(buf: Buffer, encoding: string, depth: number, report: Report): void {
  const magic = buf.indexOf('openssh-key-v1\0', 0, 'latin1');
  if (magic >= 0) return report(magic, `${encoding} of an OpenSSH private key`);
  for (let p = buf.indexOf(0x30); p >= 0; p = buf.indexOf(0x30, p + 1)) {
    const what = derPrivateKey(buf, p);
    if (what !== undefined) return report(p, `${encoding} of a DER ${what}`);
  }
  // Text inside (a PEM file, a kubeconfig, more base64), also when the blob was glued to other characters.
  for (const t of buf.toString('latin1').matchAll(TEXT)) {
    scanText(t[0], depth + 1, (offset, what) => report(t.index! + offset, `${encoding} of text holding ${what}`));
  }
}

interface Tlv {
  readonly tag: number;
  /** Content start and end (exclusive). */
  readonly start: number;
  readonly end: number;
}

/** One DER TLV at `p` (definite lengths up to 4 bytes), or undefined when it does not fit in `limit`. */
function tlv(buf: Buffer, p: number, limit: number): Tlv | undefined {
  if (p + 2 > limit) return undefined;
  const tag = buf[p];
  let len = buf[p + 1];
  let start = p + 2;
  if (len >= 0x80) {
    const n = len - 0x80;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  return start + len <= limit ? { tag, start, end: start + len } : undefined;
}

/** The TLVs that exactly fill a constructed value, or undefined. */
function children(buf: Buffer, parent: Tlv, max = 12): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let p = parent.start; p < parent.end; p = out[out.length - 1].end) {
    if (out.length === max) return undefined;
    const t = tlv(buf, p, parent.end);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}

function smallInt(buf: Buffer, t: Tlv | undefined): number | undefined {
  return t !== undefined && t.tag === 0x02 && t.end - t.start === 1 ? buf[t.start] : undefined;
}

function oidStartsWith(buf: Buffer, t: Tlv | undefined, prefix: readonly number[]): boolean {
  return t !== undefined && t.tag === 0x06 && t.end - t.start >= prefix.length && prefix.every((b, i) => buf[t.start + i] === b);
}

/** 1.2.840.113549.1: PKCS. `.5` PBES1/PBES2 (PKCS#5), `.12.1` PKCS#12 PBE, `.7.1`/`.7.2` PKCS#7 data/signedData. */
const PKCS = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01];

/**
 * The private key structure (ASN.1 DER) starting at `p`, or undefined. Certificates, CSRs, SubjectPublicKeyInfo
 * and PKCS#1 public keys start with a SEQUENCE or have two integers, so none of these shapes matches them.
 */
function derPrivateKey(buf: Buffer, p: number): string | undefined {
  const outer = tlv(buf, p, buf.length);
  if (outer === undefined || outer.tag !== 0x30 || outer.end - outer.start < 8) return undefined;
  const c = children(buf, outer);
  if (c === undefined || c.length < 2) return undefined;
  const version = smallInt(buf, c[0]);
  const ints = c.filter((t) => t.tag === 0x02).length;
  // RFC 8017 A.1.2 RSAPrivateKey: version, n, e, d, p, q, dP, dQ, qInv (+ otherPrimeInfos).
  if ((version === 0 || version === 1) && c.length >= 9 && c.slice(0, 9).every((t) => t.tag === 0x02)) return 'PKCS#1 RSA private key';
  // OpenSSL's DSA private key: version 0, p, q, g, y, x.
  if (version === 0 && c.length === 6 && ints === 6) return 'DSA private key';
  // RFC 5915 ECPrivateKey: version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey.
  if (version === 1 && c[1].tag === 0x04 && c.length <= 4 && c.slice(2).every((t) => t.tag === 0xa0 || t.tag === 0xa1)) return 'SEC1 EC private key';
  // RFC 5208 / 5958 PrivateKeyInfo: version 0|1, AlgorithmIdentifier, privateKey OCTET STRING, [0] attributes, [1] publicKey.
  if ((version === 0 || version === 1) && c.length >= 3 && c.length <= 5 && c[1].tag === 0x30 && c[2].tag === 0x04
    && children(buf, c[1])?.[0]?.tag === 0x06 && c.slice(3).every((t) => t.tag === 0xa0 || t.tag === 0x81 || t.tag === 0xa1)) {
    return 'PKCS#8 private key';
  }
  // RFC 5208 EncryptedPrivateKeyInfo: AlgorithmIdentifier (a PKCS#5 or PKCS#12 PBE scheme), encryptedData OCTET STRING.
  if (c.length === 2 && c[0].tag === 0x30 && c[1].tag === 0x04) {
    const alg = children(buf, c[0])?.[0];
    if (oidStartsWith(buf, alg, [...PKCS, 0x05]) || oidStartsWith(buf, alg, [...PKCS, 0x0c, 0x01])) return 'encrypted PKCS#8 private key';
  }
  // RFC 7292 PFX: version 3, authSafe ContentInfo (data or signedData), macData.
  if (version === 3 && c[1].tag === 0x30) {
    const type = children(buf, c[1])?.[0];
    if (oidStartsWith(buf, type, [...PKCS, 0x07, 0x01]) || oidStartsWith(buf, type, [...PKCS, 0x07, 0x02])) return 'PKCS#12 key store';
  }
  return undefined;
}

/** Line (1-based) of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The YAML key path holding `offset` (`data.tls\.key`), with the object's kind and name in a manifest. */
function yamlPathAt(text: string, offset: number): string | undefined {
  for (const doc of YAML.parseAllDocuments(text)) {
    if (!('contents' in doc) || doc.contents === null || doc.range[0] > offset || doc.range[2] < offset) continue;
    const keys: string[] = [];
    let node: unknown = doc.contents;
    for (let depth = 0; depth < 200 && node; depth++) {
      let nextNode: unknown;
      if (YAML.isMap(node)) {
        for (const pair of node.items) {
          const key = pair.key as YAML.Node | null;
          const value = pair.value as YAML.Node | null;
          const end = value?.range?.[2] ?? key?.range?.[2] ?? -1;
          if (key?.range && key.range[0] <= offset && offset <= end) {
            keys.push(String(YAML.isScalar(key) ? key.value : key).replace(/\./g, '\\.'));
            nextNode = value && value.range && value.range[0] <= offset ? value : undefined;
          }
        }
      } else if (YAML.isSeq(node)) {
        node.items.forEach((item, i) => {
          const r = (item as YAML.Node).range;
          if (r && r[0] <= offset && offset <= r[2]) {
            keys.push(`[${i}]`);
            nextNode = item;
          }
        });
      }
      node = nextNode;
    }
    const obj = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    const keyPath = keys.join('.').replace(/\.\[/g, '[');
    const id = obj && typeof obj.kind === 'string' && obj.metadata?.name
      ? `${obj.kind} ${obj.metadata.namespace ? `${String(obj.metadata.namespace)}/` : ''}${String(obj.metadata.name)}: `
      : '';
    return `${id}${keyPath || '(document)'}`;
  }
  return undefined;
}

function fixFor(file: string): string {
  const how = 'give the key to the cluster at apply time instead: create the Secret from a file outside the repository '
    + '(`kubectl create secret tls <name> --cert=<crt> --key=<key>`) and reference it by name, or let cert-manager issue it '
    + '(LocalCertificateAuthority)';
  if (file.startsWith('cilium-values/')) {
    return `remove it from ciliumValuesOverrides (or the prop that set it); ${how}; Cilium's chart generates its own TLS keys when `
      + 'their `auto` settings are on, and the Cluster Mesh CA is created by shared-ca.sh at apply time, never in the bundle';
  }
  return `remove it from the object or prop that carries it; ${how}`;
}

/**
 * Refuses a bundle that holds private key material in any file ({@link findPrivateKeyMaterial}): a
 * {@link PlatformConfigError} (rule `private-key-in-bundle`) naming each file, line and YAML key path, before anything is written.
 */
export function refusePrivateKeyMaterial(files: readonly BundleFile[]): void {
  const violations: Violation[] = [];
  for (const f of files) {
    for (const hit of findPrivateKeyMaterial(f.content)) {
      const where = f.path.endsWith('.yaml') ? yamlPathAt(f.content, hit.offset) : undefined;
      violations.push({
        rule: 'private-key-in-bundle',
        field: `${f.path}:${lineOf(f.content, hit.offset)}${where ? ` (${where})` : ''}`,
        problem: `holds private key material (${hit.what}); the bundle is committed and pushed, so the key would be published with it`,
        fix: fixFor(f.path),
      });
    }
  }
  if (violations.length > 0) throw new PlatformConfigError(violations);
}
