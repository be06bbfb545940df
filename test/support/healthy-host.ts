import type { ClusterOpsPlan } from '../../src/bundle/ops-plan';
import type { MeshOpsPlan } from '../../src/bundle/scripts/mesh';
import { formatIpv4, parseIpv4 } from '../../src/private/ipv4';
import type { FakeState } from '../bundle/harness';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The answers of a platform that came up as described, for the recording stand-ins, derived from the plans the scripts
 * were rendered from: each LoadBalancer Service gets an address of its cluster's first pool, every address answers from
 * the kind network, every entry point and flow gives the expected outcome, the Hubble relay has endpoints, every mesh
 * agent reports its remote clusters ready and the global Service is answered by every member. With them, verify.sh
 * passes; the tests that use them check the wiring of a sequence (which script runs when), not the platform.
 */
export function healthyResponses(clusters: readonly ClusterOpsPlan[], meshes: readonly MeshOpsPlan[] = []): NonNullable<FakeState['responses']> {
  const out: NonNullable<FakeState['responses']> = [
    { match: '^docker run --rm --network kind --entrypoint curl ', stdout: '200 0.001000' },
    { match: 'get validatingwebhookconfiguration cert-manager-webhook', stdout: 'Q0EK' },
    { match: ' get secret ', stdout: 'Q0EK' },
    { match: 'get endpoints hubble-relay', stdout: '10.244.0.9' },
  ];
  for (const plan of clusters) {
    const first = parseIpv4(plan.poolRanges[0]?.first ?? '172.18.255.1')!;
    plan.waits.loadBalancerServices.forEach((s, i) => {
      out.push({ match: `--context ${esc(plan.context)} -n ${esc(s.namespace)} get service ${esc(s.name)} -o jsonpath=\\{\\.status`, stdout: formatIpv4(first + i) });
    });
    for (const e of plan.entryPoints) {
      out.push({ match: `^curl .*${esc(`${e.scheme}://${e.hostname}:${e.port}${e.path}`)}$`, stdout: String(e.expectStatus) });
    }
    for (const f of plan.flows) {
      out.push(f.expect === 'timeout'
        ? { match: `--context ${esc(plan.context)} -n ${esc(f.from.namespace)} exec deploy/${esc(f.from.name)} .* -X ${esc(f.method)} ${esc(f.url)}$`, stdout: '000', code: 28 }
        : { match: `--context ${esc(plan.context)} -n ${esc(f.from.namespace)} exec deploy/${esc(f.from.name)} .* -X ${esc(f.method)} ${esc(f.url)}$`, stdout: String(f.expect.status) });
    }
  }
  for (const mesh of meshes) {
    const n = mesh.members.length - 1;
    out.push(
      { match: 'get pods -l k8s-app=cilium -o name', stdout: 'pod/cilium-a\npod/cilium-b' },
      { match: 'cilium-dbg status', stdout: `ClusterMesh:   ${n}/${n} remote clusters ready, 1 global-services` },
    );
    if (mesh.demo) {
      out.push(
        { match: `exec deploy/${esc(mesh.demo.client)} `, stdout: mesh.members.map((m) => m.clusterName).join('\n') },
        { match: `exec deploy/${esc(mesh.demo.intruder)} `, stdout: '000', code: 28 },
      );
    }
  }
  return out;
}
