import * as path from 'path';
import { ApiObject, App, JsonPatch } from 'cdk8s';
import { AppNetworkPolicy, ClusterDefaultDeny, KindCiliumCluster, renderBundle } from '../../src';
import { configError } from '../support/config-error';
import { ciliumConfig, helmReadValues, helmTemplate, K8sObject } from '../support/helm';
import { kustomize } from '../support/kubectl';
import { describeWithReference } from '../support/reference';
import { writeBundle } from '../support/render';

/**
 * The two attacks of issue 19, point 1, replayed: a string with Unicode line breaks (U+2028, U+2029, U+0085), which
 * Go's YAML reader (helm, kubectl, kustomize) takes as line breaks, used to become new YAML in the synthesized files.
 * Each is now inert: the string reaches the reader as ONE string, and nothing else changes.
 */

const INJECTED_PATH = '/healthz\u2028    - fromEntities:\u2028        - all';

function policyApp(): { app: App; policy: AppNetworkPolicy } {
  const app = new App();
  const cluster = new KindCiliumCluster(app, 'inj', { clusterName: 'inj' });
  new ClusterDefaultDeny(cluster, 'deny');
  new ApiObject(cluster, 'demo-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
  const policy = new AppNetworkPolicy(cluster, 'web', {
    namespace: 'demo', appLabels: { app: 'web' }, allowFromGateway: true, ingressPorts: [{ port: 8080 }], httpRules: [{ method: 'GET', path: '/healthz' }],
  });
  return { app, policy };
}

async function kustomized(app: App): Promise<K8sObject[]> {
  const files = renderBundle(app).filter((f) => f.path.startsWith('dist/inj/') && f.path.endsWith('.yaml'));
  return kustomize(path.join(writeBundle(files), 'dist/inj'));
}

describe('an AppNetworkPolicy HTTP path that injected `fromEntities: [all]`', () => {
  test('is refused as a prop: no HTTP path carries a line break', () => {
    const error = configError(() => new AppNetworkPolicy(policyApp().policy.node.scope as KindCiliumCluster, 'evil', {
      namespace: 'demo', appLabels: { app: 'web' }, ingressPorts: [{ port: 8080 }], httpRules: [{ path: INJECTED_PATH }],
    }));
    expect(error.violations).toEqual([expect.objectContaining({ rule: 'invalid-http-rule', field: 'inj/evil.httpRules[0].path' })]);
  });

  test('is inert even when it reaches the manifest (escape hatch): kustomize builds one ingress rule, the path intact', async () => {
    const { app, policy } = policyApp();
    policy.apiObject.addJsonPatch(JsonPatch.replace('/spec/ingress/0/toPorts/0/rules/http/0/path', INJECTED_PATH));
    const cnp = (await kustomized(app)).find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'web')!;
    expect(cnp.spec.ingress).toEqual([{
      fromEntities: ['ingress'],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: INJECTED_PATH }] } }],
    }]);
    expect(JSON.stringify(cnp)).not.toContain('"all"');
  });
});

describeWithReference('an extraConfig note that became an agent flag through the Cilium 1.20 chart', ['charts'], () => {
  test('helm reads the note as one string, and the chart renders it as one cilium-config entry: no agent flag', async () => {
    const note = 'x\u2028extraArgs:\u2028- --enable-policy=never';
    const app = new App();
    new KindCiliumCluster(app, 'inj', { clusterName: 'inj', ciliumVersion: '1.20.0', ciliumValuesOverrides: { extraConfig: { note } } });
    const values = renderBundle(app).find((f) => f.path === 'cilium-values/inj.yaml')!.content;
    expect(((await helmReadValues(values)) as { extraConfig: unknown }).extraConfig).toEqual({ note });
    const docs = await helmTemplate(values, '1.20.0');
    const config = ciliumConfig(docs);
    // The chart re-emits extraConfig with Helm's toYaml (go-yaml), which writes U+2028 raw inside quotes: the entry
    // keeps its words (a reader folds the break into a space), and no other key appears.
    expect(config.note.replace(/[\s\u2028]+/g, ' ')).toBe('x extraArgs: - --enable-policy=never');
    expect(config).not.toHaveProperty('extraArgs');
    expect(config['enable-policy']).toBe('default');
    const agent = docs.find((d) => d.kind === 'DaemonSet' && d.metadata.name === 'cilium')!;
    const args = agent.spec.template.spec.containers.flatMap((c: K8sObject) => [...(c.args ?? []), ...(c.command ?? [])]);
    expect(args.join(' ')).not.toContain('enable-policy');
  });
});
