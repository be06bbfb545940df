import { CelScalar, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import * as YAML from 'yaml';
import { CILIUM_MINORS, ciliumMinorFacts, GATEWAY_API_RELEASES } from '../../src/spec/version-matrix';
import { gatewayApiCrdUrls } from '../../src/spec/versions';
import { describeWithReference, readReference, referenceHas } from '../support/reference';

/**
 * Trust issue 19, point 9: the plan never needs to break an admission policy it installs. Every Cilium minor with
 * every Gateway API release (the supported pairs and those `allowUnsupportedPair` admits): the CRD manifests
 * apply.sh applies, in order, are run through the ValidatingAdmissionPolicies they install, the release's own
 * `safe-upgrades.gateway.networking.k8s.io` (its CEL, evaluated with @bufbuild/cel: `object` the CRD applied,
 * `oldObject` the one it updates). A first install and a re-run (every CRD an update of itself) are both admitted.
 */

type Obj = Record<string, any>;
const env = celEnv({ variables: { object: CelScalar.DYN, oldObject: CelScalar.DYN }, funcs: strings });

/** The reference file a Gateway API CRD URL of the plan names (`<release>/config/crd/<file>` or the standard install). */
function documentsOf(url: string, release: string): Obj[] {
  const folder = `gateway-api-${release}`;
  if (url.endsWith('/standard-install.yaml')) {
    const files = GATEWAY_API_RELEASES.find((r) => r.version === release)!.standardFiles;
    return files.flatMap((f) => YAML.parseAllDocuments(readReference(`${folder}/${f}`)).map((d) => d.toJSON() as Obj)).filter(Boolean);
  }
  const file = /\/config\/crd\/(.+)$/.exec(url)![1];
  return YAML.parseAllDocuments(readReference(`${folder}/${file}`)).map((d) => d.toJSON() as Obj).filter(Boolean);
}

/**
 * CEL's global form `matches(s, re)` written as the method `s.matches(re)` (the same standard function; @bufbuild/cel
 * has only the method overload). The first argument of every call in the policies is a plain field path.
 */
const globalMatches = (expr: string) => expr.replace(/(?<![.\w])matches\(([^,()]+),\s*('[^']*')\)/g, '$1.matches($2)');

/** Applies the documents in order against an API server holding `crds` and the admission policies applied so far. */
function applyAll(docs: readonly Obj[], crds: Map<string, Obj>, policies: Obj[]): string[] {
  const denied: string[] = [];
  for (const doc of docs) {
    if (doc.kind === 'ValidatingAdmissionPolicy') {
      policies.push(doc);
      continue;
    }
    if (doc.kind !== 'CustomResourceDefinition') continue;
    const old = crds.get(doc.metadata.name) ?? null;
    for (const policy of policies) {
      for (const v of policy.spec.validations as { expression: string; message: string }[]) {
        const result = plan(env, parse(globalMatches(v.expression)))({ object: doc, oldObject: old });
        if (isCelError(result)) throw new Error(`${policy.metadata.name}: ${String(result)}`);
        if (result !== true) denied.push(`${doc.metadata.name} (${doc.metadata.annotations?.['gateway.networking.k8s.io/channel']}): ${v.message}`);
      }
    }
    crds.set(doc.metadata.name, doc);
  }
  return denied;
}

describeWithReference('the Gateway API CRDs of the plan pass the admission policies the plan installs', ['crds'], () => {
  const pairs = CILIUM_MINORS.flatMap((minor) => GATEWAY_API_RELEASES.map((r) => [minor, r.version] as const));

  test.each(pairs)('Cilium %s with Gateway API %s: first apply and re-run admitted', (minor, release) => {
    if (!referenceHas(`gateway-api-${release}/gateway.networking.k8s.io_gateways.yaml`)) throw new Error(`no reference folder gateway-api-${release}`);
    const urls = gatewayApiCrdUrls({ cilium: ciliumMinorFacts(minor).latestPatch, gatewayApi: release, certManager: 'v1.20.4', kindRelease: 'v0.33.0', kindNodeImage: 'x' });
    const docs = urls.flatMap((u) => documentsOf(u, release));
    const crds = new Map<string, Obj>();
    const policies: Obj[] = [];
    expect(applyAll(docs, crds, policies)).toEqual([]);
    expect(applyAll(docs, crds, policies)).toEqual([]); // apply.sh run again
    // A minor that needs the TLSRoute CRD beside the standard install still has it (from the standard install or its own).
    if (ciliumMinorFacts(minor).gatewayApi.extraCrds.some((f) => f.endsWith('_tlsroutes.yaml'))) expect(crds.has('tlsroutes.gateway.networking.k8s.io')).toBe(true);
  });

  test('the oracle denies what the issue reports: v1.6.1 experimental TLSRoute laid over its standard install', () => {
    const docs = [...documentsOf('https://x/v1.6.1/standard-install.yaml', 'v1.6.1'), ...documentsOf('https://x/v1.6.1/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml', 'v1.6.1')];
    const denied = applyAll(docs, new Map(), []);
    expect(denied).toEqual([expect.stringMatching(/^tlsroutes\.gateway\.networking\.k8s\.io \(experimental\): Installing experimental CRDs on top of standard channel CRDs is prohibited/)]);
  });
});
