import { ApiObject, App, Testing } from 'cdk8s';
import { AppNetworkPolicy, KindCiliumCluster, PlatformConfigError, TestWorkload } from '../../src';
import { configError } from '../support/config-error';

/**
 * Faults the description fuzzer (`npm run fuzz`, test/support/fuzz-*.ts) found: descriptions the library
 * accepted (or crashed on) although upstream refuses them / Kubernetes accepts them.
 */

const newCluster = () => new KindCiliumCluster(new App(), 'lab', { clusterName: 'lab' });
const ports = (n: number) => Array.from({ length: n }, (_, i) => ({ port: 1000 + i }));

describe('policy ports: the CRD allows at most 40 per toPorts entry (toPorts[].ports maxItems: 40)', () => {
  test.each([
    ['ingressPorts', { ingressPorts: ports(41) }, 'anp.ingressPorts'],
    ['egressToEntities ports', { egressToEntities: [{ entity: 'world' as const, ports: ports(41) }] }, 'anp.egressToEntities[0].ports'],
    ['egressFqdns ports', { egressFqdns: [{ name: 'api.example.com', ports: ports(41) }] }, 'anp.egressFqdns[0].ports'],
    ['egressTo ports', { egressTo: [{ labels: { app: 'db' }, ports: ports(41) }] }, 'anp.egressTo[0].ports'],
  ])('41 %s are refused with the CRD reason', (_, extra, field) => {
    const e = configError(() => new AppNetworkPolicy(newCluster(), 'anp', { namespace: 'shop', appLabels: { app: 'web' }, allowFromWorld: true, ...extra }));
    expect(e.rules).toEqual(['too-many-ports']);
    expect(e.message).toContain(field);
    expect(e.message).toMatch(/41 ports.*at most 40/);
  });

  test('exactly 40 ports are accepted', () => {
    const c = newCluster();
    new ApiObject(c, 'shop-namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    new AppNetworkPolicy(c, 'anp', { namespace: 'shop', appLabels: { app: 'web' }, allowFromWorld: true, ingressPorts: ports(40) });
    const cnp = Testing.synth(c).find((o) => o.kind === 'CiliumNetworkPolicy');
    expect(cnp.spec.ingress[0].toPorts[0].ports).toHaveLength(40);
  });
});

describe('TestWorkload: two Service ports may target one container port (Kubernetes allows it)', () => {
  test('the container lists the port once, both Service ports target it', () => {
    const c = newCluster();
    let thrown: unknown;
    try {
      new TestWorkload(c, 'wl', { name: 'echo', image: 'ghcr.io/example/echo:v1', ports: [{ port: 1 }, { port: 443, containerPort: 1 }] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeUndefined();
    const objs = Testing.synth(c);
    const deployment = objs.find((o) => o.kind === 'Deployment');
    const service = objs.find((o) => o.kind === 'Service');
    expect(deployment.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort)).toEqual([1]);
    expect(service.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual([[1, 1], [443, 1]]);
  });

  test('the same container port with TCP and UDP stays two container ports', () => {
    const c = newCluster();
    new TestWorkload(c, 'wl', { name: 'dns', image: 'ghcr.io/example/dns:v1', ports: [{ port: 53 }, { port: 53, protocol: 'UDP' }] });
    const deployment = Testing.synth(c).find((o) => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].ports.map((p: any) => `${p.protocol ?? 'TCP'}/${p.containerPort}`)).toEqual(['TCP/53', 'UDP/53']);
  });

  test('PlatformConfigError stays the only error type for bad ports', () => {
    expect(() => new TestWorkload(newCluster(), 'wl', { name: 'x', image: 'ghcr.io/example/x:v1', ports: [{ port: 0 }] })).toThrow(PlatformConfigError);
  });
});
