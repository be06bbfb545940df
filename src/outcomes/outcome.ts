import { AppliedPlatform } from '../applied/platform';
import { Violation } from '../errors';

/**
 * Intended outcomes (issue 18): what each object of a bundle is for, in the apply model's terms ("Service shop/web
 * gets an address", "HTTPRoute shop/web is attached to gateway/local", "web → api on 8080/TCP passes"), judged
 * against the applied state ({@link AppliedPlatform}). A failing outcome refuses synthesis, naming the outcome, the
 * object and the apply step that breaks it, and the fix. A probeable outcome becomes a row of `verify.sh` and
 * every outcome a line of `platform.md`.
 */

/** What `verify.sh` checks live for an outcome, from a kind node container (inside the kind network). */
export type LiveProbe =
  /** The Service has its address (`status.loadBalancer.ingress[0].ip`) and it answers TCP on `port` from a node. */
  | { readonly kind: 'lb-address'; readonly namespace: string; readonly name: string; readonly ip: string; readonly port: number }
  /**
   * `curl` of the URL through `address` (`--resolve host:port:address`) gives `expect` (a class: 2xx, 3xx, 4xx). `via`
   * `host`: the URL a browser on the host uses, through the kind port mapping (`address` is its listen address); `via`
   * `kind-network`: from a container on the kind network, to the Gateway's LoadBalancer address and listener port.
   */
  | { readonly kind: 'url'; readonly url: string; readonly address: string; readonly expect: string; readonly via: 'host' | 'kind-network' }
  /** The Certificate is `Ready`. */
  | { readonly kind: 'certificate'; readonly namespace: string; readonly name: string }
  /** The Gateway is `Programmed`. */
  | { readonly kind: 'gateway'; readonly namespace: string; readonly name: string }
  /**
   * A connection from a pod of `from` (namespace and labels) to `to` (`host:port` of the Service fronting the port),
   * expected to get a response (`response`), Envoy's 403 (`http-403`) or nothing (`timeout`). When no Service fronts
   * the port, `toPods` names the server pods and the probe dials a running one's pod IP on `port` (`to` is then
   * `namespace/workload`, for reading).
   */
  | {
    readonly kind: 'flow';
    readonly from: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
    readonly to: string;
    readonly toPods?: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
    readonly port: number;
    readonly http?: { readonly method: string; readonly path: string };
    readonly expect: 'response' | 'http-403' | 'timeout';
  };

/** One intended outcome and whether it holds once the bundle is applied. */
export interface Outcome {
  /** The violation id reported when it does not hold (a registered rule id). */
  readonly id: string;
  /** The outcome in plain words, e.g. `Service shop/web gets an address from a pool`. */
  readonly statement: string;
  /** The construct path of the object whose purpose it is (where a failure is reported). */
  readonly field: string;
  /** Whether the applied state gives it. */
  readonly holds: boolean;
  /** What the applied state shows (the address, the URL, the verdict), for `platform.md`. */
  readonly observed: string;
  /** When it does not hold: why, in the controller's words. */
  readonly problem?: string;
  /** When it does not hold: the apply step that breaks it (`bundle`, `cilium`, ...). @default 'bundle' */
  readonly step?: string;
  /** When it does not hold: how to fix it. */
  readonly fix?: string;
  /** How `verify.sh` checks it live, when it can. */
  readonly probe?: LiveProbe;
  /** The section of `platform.md` it belongs to. */
  readonly section: OutcomeSection;
}

/** The sections of `platform.md`, in order. */
export type OutcomeSection = 'objects' | 'addresses' | 'routes' | 'certificates' | 'flows';

/** A family of intended outcomes over one cluster's applied state (one file of `src/outcomes/`). */
export interface OutcomeRule {
  /** Stable id of the family. */
  readonly id: string;
  /** Every violation id its failing outcomes carry. */
  readonly emits: readonly string[];
  /** One line: what it guarantees. */
  readonly summary: string;
  /**
   * Fact rule ids that report the same fault earlier, with the prop to change: when one of them fires for the
   * cluster, this family's violations are left out (its outcomes still show in `platform.md`). @default none
   */
  readonly defersTo?: readonly string[];
  /** Every intended outcome of the cluster, holding or not. */
  outcomes(applied: AppliedPlatform): Outcome[];
}

/** The failing outcomes as violations: the outcome, what breaks it and at which step, and the fix. */
export function outcomeViolations(cluster: string, outcomes: readonly Outcome[]): Violation[] {
  return outcomes.filter((o) => !o.holds).map((o) => ({
    rule: o.id,
    field: o.field,
    problem: `cluster ${cluster}: intended "${o.statement}", but once applied (step ${o.step ?? 'bundle'}) ${o.problem ?? o.observed}`,
    fix: o.fix ?? 'see docs/apply-model.md',
  }));
}
