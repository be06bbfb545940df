import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { renderBundle, zeroTrustPlatform } from '../../src';
import {
  CERT_MANAGER_LINES, certManagerLineOf, crdSchemaFolders, DEFAULT_CERT_MANAGER_VERSION, resolveComponentVersions, VERSION_RULES,
} from '../../src/spec/version-matrix';
import { describeWithReference, referenceFolder } from '../support/reference';
import { referenceProfile, validateManifest } from '../support/reference-schemas';

/**
 * cert-manager lines of the version matrix: every checked patch is accepted, the default is the newest
 * security release of the default line, and what the library emits (the cert-manager.io/v1 objects of the
 * local CA chain) passes the CRD schemas each line is checked against.
 */

describe('cert-manager lines', () => {
  test('v1.20.4 (a security release over v1.20.3) is the default; the v1.21 line is v1.21.2', () => {
    expect(DEFAULT_CERT_MANAGER_VERSION).toBe('v1.20.4');
    expect(CERT_MANAGER_LINES.map((l) => [l.line, l.latestPatch])).toEqual([['v1.19', 'v1.19.6'], ['v1.20', 'v1.20.4'], ['v1.21', 'v1.21.2']]);
    expect(certManagerLineOf(DEFAULT_CERT_MANAGER_VERSION)?.line).toBe('v1.20');
  });

  test('every checked patch of every line is accepted without allowUnsupportedPair, and names its line', () => {
    for (const line of CERT_MANAGER_LINES) {
      expect(line.patches[0]).toBe(line.latestPatch);
      for (const patch of line.patches) {
        const r = resolveComponentVersions({ certManager: patch }, '');
        expect([patch, r.ok && r.versions.certManager, r.ok && r.versions.outsideMatrix]).toEqual([patch, patch, false]);
        expect(certManagerLineOf(patch)).toBe(line);
      }
    }
  });

  test('a release outside the lines is refused; the fix names the default first, then the newest patch of every other line', () => {
    const r = resolveComponentVersions({ certManager: 'v1.22.0' }, '');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violations.map((v) => v.rule)).toEqual([VERSION_RULES.certManagerUnsupported]);
    expect(r.violations[0].fix).toBe("set certManager: 'v1.20.4', or certManager: 'v1.21.2', or certManager: 'v1.19.6', or set allowUnsupportedPair: true");
    for (const s of r.violations[0].suggestions) expect(resolveComponentVersions({ certManager: 'v1.22.0', ...s }, '').ok).toBe(true);
  });

  test('each line names the CRDs it is checked against: read at a tag, compared with the reference, adding only optional fields', () => {
    for (const line of CERT_MANAGER_LINES) {
      expect(line.crds.readAt).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(line.crds.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(line.crds.source.length).toBeGreaterThan(40);
      // The runtime CRD check and the reference tests may judge a line with the v1.19.6 schemas only because
      // its cert-manager.io/v1 kinds add nothing but optional fields to them.
      expect([line.line, line.crds.referenceFolder, line.crds.onlyOptionalFieldsAdded]).toEqual([line.line, 'cert-manager-v1.19', true]);
      for (const patch of line.patches) expect(crdSchemaFolders('1.20', 'v1.6.1', patch)['cert-manager']).toBe(line.crds.referenceFolder);
    }
  });
});

describeWithReference('what the library emits passes the cert-manager CRDs of every line', ['crds'], () => {
  const CERT_MANAGER_KINDS = ['Issuer', 'ClusterIssuer', 'Certificate'];

  test('the reference folder serves exactly cert-manager.io/v1 for the kinds the library emits', () => {
    for (const line of CERT_MANAGER_LINES) {
      const dir = referenceFolder(line.crds.referenceFolder);
      for (const kind of CERT_MANAGER_KINDS) {
        const file = path.join(dir, `cert-manager.io_${kind.toLowerCase()}s.yaml`);
        const crd = YAML.parse(fs.readFileSync(file, 'utf8'));
        expect([line.line, kind, crd.spec.versions.filter((v: any) => v.served).map((v: any) => v.name)]).toEqual([line.line, kind, ['v1']]);
      }
    }
  });

  test.each(CERT_MANAGER_LINES.flatMap((l) => l.patches.map((p) => [p, l] as const)))('cert-manager %s: the CA chain and gateway certificates validate', (patch, line) => {
    const app = new App();
    zeroTrustPlatform(app, { versions: { certManager: patch } });
    const files = renderBundle(app);
    const manifest = files.find((f) => f.path === 'dist/zero-trust/zero-trust.k8s.yaml')!.content;
    const objects = YAML.parseAllDocuments(manifest).map((d) => d.toJS()).filter((o) => o?.apiVersion === 'cert-manager.io/v1');
    expect(objects.map((o) => o.kind).sort()).toEqual(['Certificate', 'Certificate', 'ClusterIssuer', 'ClusterIssuer']);
    const profile = { ...referenceProfile('1.20'), certManager: line.crds.referenceFolder };
    for (const o of objects) expect([o.kind, o.metadata.name, validateManifest(o, profile)]).toEqual([o.kind, o.metadata.name, []]);
    expect(files.find((f) => f.path === 'dist/zero-trust/apply.sh')!.content)
      .toContain(`https://github.com/cert-manager/cert-manager/releases/download/${patch}/cert-manager.yaml`);
  });
});
