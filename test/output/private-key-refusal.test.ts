import { generateKeyPairSync, KeyObject } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as fc from 'fast-check';
import { KindCiliumCluster, renderBundle, synthesizeBundle } from '../../src';
import { findPrivateKeyMaterial, refusePrivateKeyMaterial } from '../../src/bundle/key-material';
import { configError } from '../support/config-error';
import { snapshot } from '../support/output-tree';
import { armour, armourOnlySamples, KEY_ENCODINGS, PrivateKeySample, privateKeySamples } from '../support/private-keys';
import { PUBLIC_PEM_FIXTURES } from '../support/public-pem-fixtures';
import { renderApp } from '../support/render';

const KEYS = privateKeySamples();
const ENCODINGS = Object.keys(KEY_ENCODINGS);

/** Public material in the same shapes as the keys: certificates, a CSR, public keys (SPKI and PKCS#1). */
const PUBLIC: PrivateKeySample[] = [
  ...Object.entries(PUBLIC_PEM_FIXTURES).map(([name, pem]) => ({ name, pem, der: Buffer.from(pem.replace(/-----[^-]+-----|\n/g, ''), 'base64') })),
  ...[
    ['rsa', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey],
    ['ec P-256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey],
    ['ed25519', generateKeyPairSync('ed25519').publicKey],
    ['x448', generateKeyPairSync('x448').publicKey],
  ].flatMap(([type, publicKey]) => {
    const key = publicKey as KeyObject;
    const spki = key.export({ type: 'spki', format: 'der' });
    const out = [{ name: `${type} public key (SPKI)`, pem: armour('PUBLIC KEY', spki), der: spki }];
    if (type === 'rsa') {
      const pkcs1 = key.export({ type: 'pkcs1', format: 'der' });
      out.push({ name: 'rsa public key (PKCS#1)', pem: armour('RSA PUBLIC KEY', pkcs1), der: pkcs1 });
    }
    return out;
  }),
];

const sample = fc.record({
  key: fc.constantFrom(...KEYS),
  encoding: fc.constantFrom(...ENCODINGS),
  width: fc.integer({ min: 16, max: 120 }),
});
const encode = (s: { key: PrivateKeySample; encoding: string; width: number }) => KEY_ENCODINGS[s.encoding](s.key, s.width);

describe('private key material is found in any text, whatever the encoding and the text around it', () => {
  test('every key type and format, every encoding, any prefix and suffix: found, inside the encoded key', () => {
    fc.assert(fc.property(sample, fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (s, prefix, suffix) => {
      const encoded = encode(s);
      const found = findPrivateKeyMaterial(prefix + encoded + suffix);
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.offset).toBeGreaterThanOrEqual(prefix.length - 1);
        expect(f.offset).toBeLessThan(prefix.length + encoded.length);
      }
    }), { numRuns: 200 });
  });

  test('armoured formats without a DER this check parses (PGP, SSH2, PuTTY) are found by their armour', () => {
    for (const text of armourOnlySamples()) expect(findPrivateKeyMaterial(`note: ${text}`)).toHaveLength(1);
  });

  test('certificates, CSRs and public keys in the same encodings are not key material', () => {
    fc.assert(fc.property(fc.constantFrom(...PUBLIC), fc.constantFrom(...ENCODINGS), fc.integer({ min: 16, max: 120 }),
      fc.string({ unit: 'binary' }), (pub, encoding, width, around) => {
        expect(findPrivateKeyMaterial(around + KEY_ENCODINGS[encoding](pub, width) + around)).toEqual([]);
      }), { numRuns: 300 });
  });

  test('random bytes in base64 or hex, and arbitrary strings, are not key material', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 48, maxLength: 4096 }), fc.string({ unit: 'binary', maxLength: 500 }), (bytes, text) => {
      const b = Buffer.from(bytes);
      expect(findPrivateKeyMaterial(`${b.toString('base64')}\n${b.toString('base64url')}\n${b.toString('hex')}\n${text}`)).toEqual([]);
    }), { numRuns: 300 });
  });

  test('no preset bundle holds anything that looks like a key (no false alarm on real output)', () => {
    expect(() => refusePrivateKeyMaterial(renderApp().files)).not.toThrow();
  });
});

/** Where a user value can carry a key into the bundle, and the file and key path the refusal must name. */
interface Place {
  readonly build: (cluster: KindCiliumCluster, key: string, value: string) => void;
  readonly file: string;
  readonly keyPath: (key: string) => string;
}
const PLACES: Record<string, Place> = {
  'ciliumValuesOverrides (Helm values)': {
    build: () => undefined, // set as a cluster prop below
    file: 'cilium-values/dev.yaml',
    keyPath: (key) => `podAnnotations.${key.replace(/\./g, '\\.')}`,
  },
  'a Secret\'s stringData': {
    build: (cluster, key, value) => {
      new ApiObject(cluster, 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls-key', namespace: 'default' }, stringData: { [key]: value } });
    },
    file: 'dist/dev/dev.k8s.yaml',
    keyPath: (key) => `Secret default/tls-key: stringData.${key.replace(/\./g, '\\.')}`,
  },
  'a Secret\'s data (base64 of the value)': {
    build: (cluster, key, value) => {
      new ApiObject(cluster, 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls-key', namespace: 'default' }, data: { [key]: Buffer.from(value).toString('base64') } });
    },
    file: 'dist/dev/dev.k8s.yaml',
    keyPath: (key) => `Secret default/tls-key: data.${key.replace(/\./g, '\\.')}`,
  },
  'an annotation, inside other text': {
    build: (cluster, key, value) => {
      new ApiObject(cluster, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: 'default', annotations: { [`example.com/${key}`]: `see: ${value} (rotated yearly)` } } });
    },
    file: 'dist/dev/dev.k8s.yaml',
    keyPath: (key) => `ConfigMap default/notes: metadata.annotations.example\\.com/${key.replace(/\./g, '\\.')}`,
  },
};

describe('synthesis refuses a bundle with private key material in any file, before anything is written', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-keys-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test.each(Object.keys(PLACES))('through %s: refused, naming the file, line and key path, and the fix', (place) => {
    const where = PLACES[place];
    fc.assert(fc.property(sample, fc.stringMatching(/^[a-z][a-z0-9]{0,8}(?:\.[a-z0-9]{1,5})?$/), (s, key) => {
      const value = encode(s);
      const build = () => {
        const app = new App();
        const cluster = new KindCiliumCluster(app, 'dev', {
          clusterName: 'dev',
          ...(where.file.startsWith('cilium-values/') ? { ciliumValuesOverrides: { podAnnotations: { [key]: value } } } : {}),
        });
        where.build(cluster, key, value);
        return app;
      };
      const err = configError(() => synthesizeBundle(build(), { rootDir: root, cdk8sOutdir: undefined }));
      expect(new Set(err.rules)).toEqual(new Set(['private-key-in-bundle']));
      const v = err.violations.find((x) => x.field.startsWith(`${where.file}:`));
      expect(v).toBeDefined();
      expect(v!.field).toContain(`(${where.keyPath(key)})`);
      expect(v!.fix).toMatch(where.file.startsWith('cilium-values/') ? /remove it from ciliumValuesOverrides/ : /remove it from the object or prop/);
      // The line named holds the key: it shares text with the encoded value (or the base64 of it).
      const line = Number(/:(\d+) /.exec(v!.field)![1]);
      const text = renderBundle(build()).find((f) => f.path === where.file)!.content.split('\n')[line - 1];
      const haystack = `${value}${Buffer.from(value).toString('base64')}`;
      expect(Array.from({ length: Math.max(0, text.length - 7) }, (_, i) => text.slice(i, i + 8)).some((w) => haystack.includes(w))).toBe(true);
      // Nothing was written.
      expect(snapshot(root)).toEqual({});
    }), { numRuns: 12 });
  }, 120_000);

  test('a certificate in a Secret or in the Helm values is accepted', () => {
    const cert = PUBLIC_PEM_FIXTURES['EC P-256 serving certificate (subjectAltName)'];
    const app = new App();
    const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', ciliumValuesOverrides: { podAnnotations: { ca: cert } } });
    new ApiObject(cluster, 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ca', namespace: 'default' }, data: { 'ca.crt': Buffer.from(cert).toString('base64') } });
    synthesizeBundle(app, { rootDir: root, cdk8sOutdir: undefined });
    expect(fs.readFileSync(path.join(root, 'dist/dev/dev.k8s.yaml'), 'utf8')).toContain(Buffer.from(cert).toString('base64'));
  });
});
