import { App } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AppNetworkPolicy, ClusterDefaultDeny, KindCiliumCluster, LoadBalancerIpPool, LocalCertificateAuthority, LocalGateway, TestWorkload, validateApp,
} from '../../src';
import { configError } from '../support/config-error';

/**
 * Enumerates random onboarding choices under a ClusterDefaultDeny (three workloads; each with or without
 * allowFromGateway, allowFrom any of the others, egressTo any of the others on the served port, a blocked port or
 * every port, behind a route or not) and checks the refusals against an oracle written from Cilium's semantics
 * (default deny both ways: a flow passes only when the server lets the client in AND the client lets itself out):
 * - `flow-denied` for (client, server) exactly when the server allows the client in but the client may not go
 *   out, or the client may go out but a server that lists no pods does not let it in;
 * - `gateway-backend-denied` for a routed workload exactly when it does not admit the gateway.
 */

const NAMES = ['a', 'b', 'c'] as const;
type Name = typeof NAMES[number];
const PORT = 8080;

const choice: fc.Arbitrary<Choice> = fc.record({
  gateway: fc.boolean(),
  routed: fc.boolean(),
  allowFrom: fc.subarray<Name>([...NAMES]),
  egressTo: fc.subarray<Name>([...NAMES]),
  egressPort: fc.constantFrom<'served' | 'other' | 'any'>('served', 'other', 'any'),
});
interface Choice {
  readonly gateway: boolean;
  readonly routed: boolean;
  readonly allowFrom: Name[];
  readonly egressTo: Name[];
  readonly egressPort: 'served' | 'other' | 'any';
}

function build(choices: Record<Name, Choice>): App {
  const app = new App();
  const cluster = new KindCiliumCluster(app, 'dev', { clusterName: 'dev', hostPortMappings: [{ containerPort: 30080 }, { containerPort: 30443 }] });
  new ClusterDefaultDeny(cluster, 'default-deny');
  new LoadBalancerIpPool(cluster, 'pool');
  const gateway = new LocalGateway(cluster, 'gateway', { certificateAuthority: new LocalCertificateAuthority(cluster, 'ca') });
  for (const name of NAMES) {
    const c = choices[name];
    const from = c.allowFrom.filter((n) => n !== name);
    const w = new TestWorkload(cluster, name, {
      name,
      namespace: 'shop',
      createNamespace: name === 'a',
      image: 'nginx:1.29.4',
      labels: { app: name },
      ports: [{ port: PORT }],
      ...(c.gateway || from.length > 0 ? { allowFromGateway: c.gateway, allowFrom: from.map((n) => ({ labels: { app: n } })) } : { networkPolicy: 'none' as const }),
    });
    const to = c.egressTo.filter((n) => n !== name);
    if (to.length > 0) {
      const ports = c.egressPort === 'any' ? {} : { ports: [{ port: c.egressPort === 'served' ? PORT : 9090 }] };
      new AppNetworkPolicy(cluster, `${name}-out`, { namespace: 'shop', appLabels: { app: name }, egressTo: to.map((n) => ({ labels: { app: n }, ...ports })) });
    }
    if (c.routed) gateway.addHttpRoute(`${name}-route`, { namespace: 'shop', hostnames: [`${name}.localhost`], backend: w.backend });
  }
  return app;
}

function expected(choices: Record<Name, Choice>): string[] {
  const lets = (server: Name, client: Name) => client !== server && choices[server].allowFrom.includes(client);
  const goes = (client: Name, server: Name) => client !== server && choices[client].egressTo.includes(server) && choices[client].egressPort !== 'other';
  const lists = (server: Name) => choices[server].allowFrom.some((n) => n !== server);
  const out: string[] = [];
  for (const client of NAMES) {
    for (const server of NAMES) {
      if (client === server) continue;
      if ((lets(server, client) && !goes(client, server)) || (goes(client, server) && !lets(server, client) && !lists(server))) out.push(`flow-denied ${client}->${server}`);
    }
  }
  for (const name of NAMES) if (choices[name].routed && !choices[name].gateway) out.push(`gateway-backend-denied ${name}`);
  return out.sort();
}

function observed(app: App): string[] {
  let violations;
  try {
    validateApp(app);
    return [];
  } catch {
    violations = configError(() => validateApp(app)).violations;
  }
  return violations.map((v) => {
    if (v.rule === 'flow-denied') {
      const m = /intended "shop\/(\w) → shop\/(\w) /.exec(v.problem)!;
      return `flow-denied ${m[1]}->${m[2]}`;
    }
    if (v.rule === 'gateway-backend-denied') return `gateway-backend-denied ${/HTTPRoute\/shop\/(\w)-route/.exec(v.problem)![1]}`;
    return `${v.rule} ${v.field}`;
  }).sort();
}

test('under default deny, refused exactly when a flow the policies intend is denied (oracle: both ends must let it through)', () => {
  fc.assert(fc.property(fc.record({ a: choice, b: choice, c: choice }), (choices) => {
    expect(observed(build(choices))).toEqual(expected(choices));
  }), { numRuns: 40, seed: 20261205 });
});
