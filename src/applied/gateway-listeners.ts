import { GatewayControllerFacts } from './gateway-facts';
import { sniHostnamesIntersect } from './gateway-hostnames';
import { AppliedIndex, Condition, GATEWAY_API_GROUP, Listener, RouteKind, SecretRef, appendTo, condition, tlsSecretProblem } from './gateway-objects';

/**
 * Listener validation as Cilium's Gateway reconciler does it (operator/pkg/gateway-api/gateway_reconcile.go
 * `validateListener`, `conflictedGatewayListeners`, `listenerPairConflict`, v1.20 branch point 3ab8efdd), with
 * the reasons of Gateway API `apis/v1/gateway_types.go` (ListenerConditionReason).
 */

/** How one `tls.certificateRefs[]` entry of a listener resolves. */
export interface CertificateRefState {
  /** The Secret's namespace (the listener owner's when not written). */
  readonly namespace: string;
  /** The Secret name. */
  readonly name: string;
  /**
   * `Resolved`; `InvalidKind` (not a core Secret); `RefNotPermitted` (another namespace without a ReferenceGrant
   * from this Gateway/ListenerSet); `NotFound`; `Malformed` (no PEM certificate or key).
   */
  readonly state: 'Resolved' | 'InvalidKind' | 'RefNotPermitted' | 'NotFound' | 'Malformed';
  /** Why, in words. */
  readonly message: string;
}

/** What {@link validateListener} finds. */
export interface ListenerValidation {
  /** False when the listener is not `Accepted`. */
  readonly valid: boolean;
  /** The `Accepted: False` reason when not valid (`Invalid`, `UnsupportedProtocol`, `UnsupportedValue`). */
  readonly invalidReason: string;
  /** Why it is not valid, in Cilium's words. */
  readonly invalidMessages: readonly string[];
  /** Route kinds in the listener status `supportedKinds`. */
  readonly supportedKinds: readonly RouteKind[];
  /** `ResolvedRefs: False` when a reference does not resolve; `undefined` when every reference resolves. */
  readonly unresolved?: Condition;
  /** Every certificate reference and how it resolves (Cilium stops at the first failure; all are listed here). */
  readonly certificateRefs: readonly CertificateRefState[];
}

/** The object that owns a listener, for reference checks. */
export interface ListenerOwner {
  /** Which kind owns the listener (the `from` of a ReferenceGrant). */
  readonly kind: 'Gateway' | 'ListenerSet';
  /** The owner's namespace. */
  readonly namespace: string;
}

/**
 * How one listener certificateRef resolves (the per-reference part of Cilium's `validateListener`): a core Secret,
 * permitted by a ReferenceGrant when in another namespace, existing, with PEM in `tls.crt` and `tls.key`.
 */
export function certificateRefState(ref: SecretRef, owner: ListenerOwner, index: AppliedIndex): CertificateRefState {
  const namespace = ref.namespace ?? owner.namespace;
  const base = { namespace, name: ref.name };
  if (ref.group !== '' || ref.kind !== 'Secret') {
    return { ...base, state: 'InvalidKind', message: `certificateRef ${ref.group}/${ref.kind} ${ref.name} is not a core Secret` };
  }
  if (!index.referenceAllowed(GATEWAY_API_GROUP, owner.kind, owner.namespace, 'Secret', ref.name, namespace)) {
    return { ...base, state: 'RefNotPermitted', message: `no ReferenceGrant in ${namespace} lets ${owner.kind}s of ${owner.namespace} use Secret ${ref.name}` };
  }
  const secret = index.secrets.get(`${namespace}/${ref.name}`);
  if (!secret) return { ...base, state: 'NotFound', message: `Secret ${namespace}/${ref.name} does not exist` };
  const problem = tlsSecretProblem(secret);
  return problem ? { ...base, state: 'Malformed', message: `Secret ${namespace}/${ref.name}: ${problem}` } : { ...base, state: 'Resolved', message: '' };
}

/**
 * Validates one listener like Cilium's `validateListener`:
 *
 * - a protocol the controller does not serve: not valid, `UnsupportedProtocol`;
 * - `allowedRoutes.kinds` naming a kind the protocol cannot carry: `ResolvedRefs: False, InvalidRouteKinds`,
 *   `supportedKinds` keeps the valid ones; none valid makes the listener invalid (conformance
 *   GatewayInvalidRouteKind). Commit 14325177cb (PR #46203) had kept such a listener accepted; the ListenerSet
 *   rework 371d0fb80d brought the check back, and the branch point's golden
 *   testdata/gateway/gateway-invalid-route-kind expects `Accepted: False, Invalid`;
 * - each `tls.certificateRefs[]`, in order, until one fails: not a core Secret or a missing or malformed Secret
 *   gives `InvalidCertificateRef`, another namespace without a ReferenceGrant `RefNotPermitted` (conformance
 *   GatewayInvalidTLSConfiguration, GatewaySecretMissingReferenceGrant); the listener is then invalid;
 * - a `TLS` listener in `Terminate` mode: invalid, `UnsupportedValue`, no supported kinds (Cilium serves TLS
 *   listeners in Passthrough mode only).
 */
export function validateListener(l: Listener, owner: ListenerOwner, index: AppliedIndex, facts: GatewayControllerFacts): ListenerValidation {
  let valid = true;
  let invalidReason = 'Invalid';
  const messages: string[] = [];
  let unresolved: Condition | undefined;
  const allSupported = facts.listenerProtocols[l.protocol];
  if (allSupported === undefined) {
    messages.push('Unsupported Listener Protocol.');
    invalidReason = 'UnsupportedProtocol';
    valid = false;
  }
  let supportedKinds: readonly RouteKind[] = allSupported ?? [];
  const kinds = l.allowedRoutes.kinds;
  if (kinds && kinds.length > 0) {
    supportedKinds = (allSupported ?? []).filter((k) => kinds.some((a) => a.kind === k && (a.group === '' ? GATEWAY_API_GROUP : a.group) === GATEWAY_API_GROUP));
    if (supportedKinds.length !== kinds.length) {
      unresolved = condition(false, 'InvalidRouteKinds', 'Unsupported Route Kinds in allowedRoutes.kinds');
      if (supportedKinds.length === 0) {
        messages.push('None of the Allowed Route Kinds are supported.');
        valid = false;
      }
    }
  }
  const certificateRefs = (l.tls?.certificateRefs ?? []).map((ref) => certificateRefState(ref, owner, index));
  const firstFailure = certificateRefs.find((c) => c.state !== 'Resolved');
  if (firstFailure) {
    const reason = firstFailure.state === 'RefNotPermitted' ? 'RefNotPermitted' : 'InvalidCertificateRef';
    unresolved = condition(false, reason, reason === 'RefNotPermitted' ? 'CertificateRef is not permitted' : 'Invalid CertificateRef');
    messages.push(`Invalid CertificateRef: ${firstFailure.message}.`);
    valid = false;
  }
  if (l.tls && l.protocol === 'TLS' && l.tls.mode === 'Terminate') {
    valid = false;
    messages.push('Using TLSRoute with TLS.mode Terminate is unsupported.');
    invalidReason = 'UnsupportedValue';
    supportedKinds = [];
  }
  return { valid, invalidReason, invalidMessages: messages, supportedKinds, unresolved, certificateRefs };
}

function isL4(protocol: string): boolean {
  return protocol === 'TCP' || protocol === 'UDP';
}

function isHttpsPassthroughPair(a: Listener, b: Listener): boolean {
  const passthrough = (l: Listener) => l.protocol === 'TLS' && l.tls?.mode === 'Passthrough';
  return (a.protocol === 'HTTPS' && passthrough(b)) || (b.protocol === 'HTTPS' && passthrough(a));
}

/**
 * Whether two listeners of one Gateway (or of a Gateway and its ListenerSets) conflict, and why (Cilium
 * `listenerPairConflict`): only on the same port; an L4 listener owns its port (TCP with UDP is fine);
 * HTTPS and TLS passthrough clash when their SNI names can overlap; listeners of one protocol clash on the same
 * hostname (`HostnameConflict`).
 */
export function listenerPairConflict(a: Listener, b: Listener): 'ProtocolConflict' | 'HostnameConflict' | undefined {
  if (a.port !== b.port) return undefined;
  if (isL4(a.protocol) || isL4(b.protocol)) {
    return isL4(a.protocol) && isL4(b.protocol) && a.protocol !== b.protocol ? undefined : 'ProtocolConflict';
  }
  if (isHttpsPassthroughPair(a, b)) return sniHostnamesIntersect(a.hostname ?? '', b.hostname ?? '') ? 'ProtocolConflict' : undefined;
  if (a.protocol === b.protocol && (a.hostname ?? '*') === (b.hostname ?? '*')) return 'HostnameConflict';
  return undefined;
}

/** The conflicted listeners of one Gateway by name, each with its reason and message (Cilium `conflictedGatewayListeners`). */
export function gatewayListenerConflicts(listeners: readonly Listener[]): Map<string, { readonly reason: string; readonly message: string }> {
  const conflicts = new Map<string, { reason: string; message: string }>();
  // Pairs of listeners on one port only: group by port first, so a Gateway with many ports stays cheap.
  const byPort = new Map<number, Listener[]>();
  for (const l of listeners) appendTo(byPort, l.port, l);
  for (const group of byPort.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const reason = listenerPairConflict(group[i], group[j]);
        if (!reason) continue;
        const what = reason === 'HostnameConflict' ? 'overlapping hostnames' : 'incompatible protocols';
        conflicts.set(group[i].name, { reason, message: `Listener conflicts with listener "${group[j].name}": same port ${group[i].port} has ${what}.` });
        conflicts.set(group[j].name, { reason, message: `Listener conflicts with listener "${group[i].name}": same port ${group[j].port} has ${what}.` });
      }
    }
  }
  return conflicts;
}
