import { tlsSecretData } from './tls-fixtures';
import { CERT_MANAGER_RELEASE_MANIFEST_CONFIG, CertManagerConfig, CertManagerState, applyCertManager } from '../../src/applied/cert-manager';
import { applyGatewayApi } from '../../src/applied/gateway-api';
import { ciliumGatewayControllerFacts } from '../../src/applied/gateway-facts';
import { KubeObject } from '../../src/applied/objects';
import { ciliumMinorFacts } from '../../src/spec/version-matrix';
import { describeWithReference, readReference } from '../support/reference';

/**
 * Runs every case of `behaviour-cases/cert-manager.json` through the cert-manager model (and,
 * for the Gateway listener expectations, the Gateway model over the applied objects plus the Secrets cert-manager
 * issues, as the integrator wires them). Disagreements must be listed in DEVIATIONS with a source; there are none.
 */
const DEVIATIONS: Readonly<Record<string, string>> = {};

interface Cond { status: string; reason?: string | null; message?: string }

/** `<n>` (generated suffix) and `<lister error>` (generated error text) match anything. */
function textMatches(actual: string, expected: string): boolean {
  const pattern = expected.split(/(<n>|<lister error>)/).map((part) => (part === '<n>' || part === '<lister error>' ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${pattern}$`, 's').test(actual);
}

function condOk(actual: { status: string; reason: string; message: string } | undefined, want: Cond): boolean {
  return actual !== undefined && actual.status === want.status
    && (want.reason === undefined || want.reason === null || actual.reason === want.reason)
    && (want.message === undefined || textMatches(actual.message, want.message));
}

function show(c: { status: string; reason: string; message: string } | undefined): string {
  return c ? `${c.status}/${c.reason} "${c.message}"` : 'absent';
}

/** The case's objects; TLS Secrets written without data hold a CA key pair (the cases say they are valid). */
function caseObjects(c: any): KubeObject[] {
  return c.objects.map((o: any) => (o.kind === 'Secret' && o.data === undefined ? { ...o, data: tlsSecretData() } : o));
}

function configOf(c: any, clusterResourceNamespace?: string): CertManagerConfig {
  return {
    clusterResourceNamespace: clusterResourceNamespace ?? c.config?.clusterResourceNamespace
      ?? CERT_MANAGER_RELEASE_MANIFEST_CONFIG.clusterResourceNamespace,
    enableGatewayAPI: (c.config?.controllerFlags ?? []).includes('--enable-gateway-api'),
  };
}

function checkIssuers(id: string, state: CertManagerState, want: Record<string, any>, out: Map<string, string>, prefix = 'issuers'): void {
  for (const [ref, e] of Object.entries(want)) {
    const got = state.issuers.find((i) => i.ref === ref)?.Ready;
    if (!condOk(got, e.Ready)) out.set(`${id}/${prefix}/${ref}`, `${ref} Ready: want ${JSON.stringify(e.Ready)}, got ${show(got)}`);
  }
}

function subsetEqual(actual: any, expected: any): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((x, i) => subsetEqual(actual[i], x));
  }
  return actual !== null && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => subsetEqual(actual[k], v));
}

function disagreements(c: any): Map<string, string> {
  const out = new Map<string, string>();
  const objects = caseObjects(c);
  const e = c.expected;
  const state = applyCertManager(objects, configOf(c));
  checkIssuers(c.id, state, e.issuers ?? {}, out);
  for (const [ref, want] of Object.entries<any>(e.certificates ?? {})) {
    const got = state.certificates.find((x) => x.ref === ref)?.Ready;
    if (!condOk(got, want.Ready)) out.set(`${c.id}/certificates/${ref}`, `${ref} Ready: want ${JSON.stringify(want.Ready)}, got ${show(got)}`);
  }
  for (const [ref, want] of Object.entries<any>(e.certificateRequests ?? {})) {
    const got = state.certificates.find((x) => x.request && textMatches(x.request.ref, ref))?.request?.Ready;
    if (!condOk(got, want.Ready)) out.set(`${c.id}/certificateRequests/${ref}`, `${ref} Ready: want ${JSON.stringify(want.Ready)}, got ${show(got)}`);
  }
  for (const [ref, want] of Object.entries<string>(e.secrets ?? {})) {
    const got = state.secrets.find((s) => s.ref === ref);
    const keys = /\(([^)]*)\)/.exec(want)?.[1].split(',').map((k) => k.trim()) ?? [];
    const ok = want.startsWith('absent') ? got === undefined : got !== undefined && keys.every((k) => got.keys.includes(k));
    if (!ok) out.set(`${c.id}/secrets/${ref}`, `${ref}: want ${want}, got ${got ? `exists (${got.keys.join(', ')})` : 'absent'}`);
  }
  if (e.gatewayListeners) {
    const facts = ciliumGatewayControllerFacts(ciliumMinorFacts('1.20').gatewayApi);
    const gw = applyGatewayApi({ objects: [...objects, ...state.issuedSecretObjects], facts, serviceAddresses: () => ['172.18.255.200'] });
    for (const [ref, want] of Object.entries<any>(e.gatewayListeners)) {
      const [ns, name, listener] = ref.split('/');
      const l = gw.gateways.find((g) => g.namespace === ns && g.name === name)?.listeners.find((x) => x.name === listener);
      const problems: string[] = [];
      if (!l) problems.push('no listener status');
      for (const type of ['Accepted', 'ResolvedRefs', 'Programmed'] as const) {
        if (want[type] && !condOk(l?.conditions[type], want[type])) problems.push(`${type}: want ${JSON.stringify(want[type])}, got ${show(l?.conditions[type])}`);
      }
      if (want.attachedRoutes !== undefined && l?.attachedRoutes !== want.attachedRoutes) problems.push(`attachedRoutes ${l?.attachedRoutes}`);
      if (want.supportedKinds && !want.supportedKinds.every((k: any) => l?.supportedKinds.includes(k))) problems.push(`supportedKinds ${l?.supportedKinds}`);
      if (problems.length > 0) out.set(`${c.id}/gatewayListeners/${ref}`, `${ref}: ${problems.join('; ')}`);
    }
  }
  for (const [i, b] of (e.byInstall ?? []).entries()) {
    checkIssuers(c.id, applyCertManager(objects, configOf(c, b.clusterResourceNamespace)), b.issuers, out, `byInstall/${i}`);
  }
  for (const [ref, want] of Object.entries<any>(e.createdCertificates ?? {})) {
    const got = state.createdCertificates.find((x) => `${x.metadata.namespace}/${x.metadata.name}` === ref);
    const owner = (got?.metadata.ownerReferences as any[] | undefined)?.[0];
    const ownerText = owner ? `${owner.kind} ${got!.metadata.namespace}/${owner.name}${owner.controller ? ' (controller)' : ''}` : undefined;
    if (!got || !subsetEqual(got.spec, want.spec) || (want.ownerReference !== undefined && ownerText !== want.ownerReference)) {
      out.set(`${c.id}/createdCertificates/${ref}`, `${ref}: want ${JSON.stringify(want)}, got ${JSON.stringify(got?.spec)} owner ${ownerText}`);
    }
  }
  for (const ref of e.notCreated ?? []) {
    if (state.createdCertificates.some((x) => `${x.metadata.namespace}/${x.metadata.name}` === ref)) out.set(`${c.id}/notCreated/${ref}`, `${ref} was created`);
  }
  if (e.events) {
    // Every listed event must occur, and the Warnings exactly (cm-11: passthrough listeners are skipped silently).
    const events = state.events.map((ev) => `${ev.type} ${ev.reason} ${ev.message}`);
    const warnings = (list: readonly string[]) => JSON.stringify(list.filter((x) => x.startsWith('Warning ')).sort());
    if (!e.events.every((x: string) => events.includes(x)) || warnings(events) !== warnings(e.events)) {
      out.set(`${c.id}/events`, `want ${JSON.stringify(e.events)}, got ${JSON.stringify(events)}`);
    }
  }
  return out;
}

describeWithReference('cert-manager model vs the cert-manager behaviour cases', ['behaviour-cases'], () => {
  const data: { cases: any[] } = JSON.parse(readReference('behaviour-cases/cert-manager.json'));
  const cases: [string, any][] = data.cases.map((c) => [c.id, c]);

  test('the case file holds the 11 cases this test was written against', () => {
    expect(data.cases).toHaveLength(11);
  });

  test.each(cases)('%s', (_id, c) => {
    const found = disagreements(c);
    expect([...found.entries()].filter(([k]) => !(k in DEVIATIONS)).map(([k, v]) => `${k}: ${v}`)).toEqual([]);
    expect(Object.keys(DEVIATIONS).filter((k) => k.startsWith(`${c.id}/`) && !found.has(k))).toEqual([]);
  });
});
