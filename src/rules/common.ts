import { FixSuggestion, Violation } from '../errors';
import { PlatformModel, PoolBlockFact } from '../model/platform-model';
import { Ipv4Range, isUnspecifiedAddress } from '../private/ipv4';

/** The merged Helm values, loosely typed for reading. */
export type Values = Record<string, any>;

/** The model's merged Helm values (description plus overrides). */
export function values(model: PlatformModel): Values {
  return model.ciliumValues as Values;
}

/**
 * The merged `kubeProxyReplacement` as a boolean, or undefined when Cilium refuses it. The chart's schema takes a
 * boolean or a string and renders either into `kube-proxy-replacement: "true"|"false"` (checked against the chart
 * with helm template in the tests); any other string ("strict"/"partial", removed in 1.16) is refused.
 */
export function kprSetting(model: PlatformModel): boolean | undefined {
  const kpr = values(model).kubeProxyReplacement;
  if (typeof kpr === 'boolean') return kpr;
  if (kpr === 'true' || kpr === 'false') return kpr === 'true';
  return undefined;
}

/** True when the merged Helm values switch kube-proxy replacement on (`true` or the string `"true"`). */
export function kprEnabled(model: PlatformModel): boolean {
  return kprSetting(model) === true;
}

/** A violation, with the concrete value its fix names when there is one. */
export function v(rule: string, field: string, problem: string, fix: string, suggestion?: FixSuggestion): Violation {
  return suggestion ? { rule, field, problem, fix, suggestion } : { rule, field, problem, fix };
}

/** A device name from Cilium `devices` as an example interface name (`eth+` -> `eth0`). */
export function exampleInterface(device: string): string {
  return device.endsWith('+') ? `${device.slice(0, -1)}0` : device;
}

/** A port mapping's host socket, for duplicate detection. */
export interface HostSocket {
  readonly field: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: string;
  /**
   * Sockets with the same key are one shared listener, never a clash: the local registry container
   * (`registry:<name>`), which apply.sh reuses across clusters that name the same registry and port.
   */
  readonly sharedBy?: string;
}

/**
 * Every host socket a cluster binds: its host port mappings and the API server port. Each mapping is named by
 * the prop the user wrote (`dev.hostPortMappings[1]`): the kind config publishes them, in order, as the
 * `extraPortMappings` of the first control-plane node (`renderKindConfig`), so the index is the same.
 */
export function hostSockets(model: PlatformModel): HostSocket[] {
  const sockets: HostSocket[] = model.spec.hostPortMappings.map((m, i) => ({
    field: `${model.field}.hostPortMappings[${i}]`,
    address: m.listenAddress,
    port: m.hostPort,
    protocol: m.protocol,
  }));
  if (model.kindConfig.networking.apiServerPort !== undefined) {
    sockets.push({ field: `${model.field}.apiServerPort`, address: '127.0.0.1', port: model.kindConfig.networking.apiServerPort, protocol: 'TCP' });
  }
  const registry = model.spec.localRegistry;
  if (registry) {
    // kind's recipe publishes the registry on 127.0.0.1 only.
    sockets.push({ field: `${model.field}.localRegistry.hostPort`, address: '127.0.0.1', port: registry.hostPort, protocol: 'TCP', sharedBy: `registry:${registry.name}` });
  }
  return sockets;
}

/**
 * True when two sockets of the same protocol and port would clash: the same address, or one binds every address.
 * `::` counts like `0.0.0.0`: docker binds an IPv6 wildcard port dual-stack on Linux (net.ipv6.bindv6only=0), so it
 * takes the IPv4 port as well. Host port 0 never clashes: kind picks a free random port for each such mapping.
 */
export function socketsClash(a: HostSocket, b: HostSocket): boolean {
  if (a.port === 0 || b.port === 0) return false;
  if (a.sharedBy !== undefined && a.sharedBy === b.sharedBy) return false;
  return a.port === b.port && a.protocol === b.protocol
    && (a.address === b.address || isUnspecifiedAddress(a.address) || isUnspecifiedAddress(b.address));
}

/** Blocks of the enabled pools. */
export const blocksOf = (model: PlatformModel) => model.pools.filter((p) => !p.disabled).flatMap((p) => p.blocks);

/** The addresses LB-IPAM hands out from a block (its range, unless allowFirstLastIPs: No holds back the first and last). */
export const allocatableOf = (block: PoolBlockFact): Ipv4Range => block.allocatable ?? block.range;
