import type { ClusterOpsPlan } from '../../src/bundle/ops-plan';
import type { MeshOpsPlan } from '../../src/bundle/scripts/mesh';
import { flowUrl, POD_IP, resolveOf, selectorOf } from '../../src/bundle/scripts/verify-outcomes';
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
    ...clusters.flatMap(outcomeResponses),
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

/** A status of the class an outcome's url probe expects (`2xx` -> 200), or the exact status it names. */
function statusOf(expect: string): string {
  return /^[1-5]xx$/.test(expect) ? `${expect[0]}${expect[0] === '3' ? '01' : expect[0] === '4' ? '04' : '00'}` : expect;
}

/**
 * The answers to the intended-outcome rows of a cluster's verify.sh (`plan.outcomes`): each Service has the address
 * its outcome expects, each URL gives its expected status, and each flow probe finds a client pod whose curl gets the
 * expected outcome (a response, Envoy's 403, or a timeout). `kubectl wait` succeeds on the fake host by default.
 */
export function outcomeResponses(plan: ClusterOpsPlan): NonNullable<FakeState['responses']> {
  const ctx = esc(plan.context);
  return plan.outcomes.flatMap(({ probe }) => {
    switch (probe.kind) {
      case 'lb-address':
        return [{ match: `--context ${ctx} -n ${esc(probe.namespace)} get service ${esc(probe.name)} -o jsonpath=\\{\\.status`, stdout: probe.ip }];
      case 'url':
        return [{ match: `^(docker run .* |curl .*)--resolve ${esc(resolveOf(probe.url, probe.address))} ${esc(probe.url)}$`, stdout: statusOf(probe.expect) }];
      case 'flow': {
        const selector = selectorOf(probe.from.labels);
        const ns = esc(probe.from.namespace);
        // A server no Service fronts: its running pod's IP (10.244.9.9) replaces POD_IP in the URL.
        const url = flowUrl(probe).replace(POD_IP, '10.244.9.9');
        const server = probe.toPods
          ? [{ match: `--context ${ctx} -n ${esc(probe.toPods.namespace)} get pods -l ${esc(selectorOf(probe.toPods.labels))} --field-selector=status\\.phase=Running -o jsonpath=\\{\\.items\\[0\\]\\.status\\.podIP`, stdout: '10.244.9.9' }]
          : [];
        return [
          ...server,
          { match: `--context ${ctx} -n ${ns} get pods ${selector ? `-l ${esc(selector)} ` : ''}--field-selector`, stdout: 'probe-client' },
          probe.expect === 'timeout'
            ? { match: `--context ${ctx} -n ${ns} exec probe-client -- curl .* -X ${esc(probe.http?.method ?? 'GET')} ${esc(url)}$`, stdout: '000 0.000000', code: 28 }
            : { match: `--context ${ctx} -n ${ns} exec probe-client -- curl .* -X ${esc(probe.http?.method ?? 'GET')} ${esc(url)}$`, stdout: probe.expect === 'http-403' ? '403 0.001000' : '200 0.001000' },
        ];
      }
      default:
        return [];
    }
  });
}
