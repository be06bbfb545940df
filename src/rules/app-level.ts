import { Violation } from '../errors';
import { blocksOf, HostSocket, hostSockets, socketsClash, v } from './common';
import { AppRule } from './rule';
import { PlatformModel, PoolBlockFact } from '../model/platform-model';
import { formatRange, rangeIntersection } from '../private/ipv4';

/** A pool block with the index of its cluster. */
interface OwnedBlock { readonly cluster: number; readonly block: PoolBlockFact }

/**
 * Pool blocks of different clusters that overlap, by a sweep over the blocks sorted by first address:
 * O(n log n) in the number of blocks. Keeps the two furthest-reaching blocks of distinct clusters seen
 * so far, so each block is compared with the furthest block of another cluster.
 */
function crossClusterPoolClashes(models: readonly PlatformModel[]): Violation[] {
  const blocks: OwnedBlock[] = [];
  models.forEach((m, cluster) => blocksOf(m).forEach((block) => blocks.push({ cluster, block })));
  blocks.sort((a, b) => a.block.range.first - b.block.range.first || a.cluster - b.cluster);
  let best: OwnedBlock | undefined;
  let second: OwnedBlock | undefined; // furthest-reaching block of a cluster other than best's
  const out: Violation[] = [];
  for (const b of blocks) {
    const other = best && best.cluster !== b.cluster ? best : second;
    if (other && other.block.range.last >= b.block.range.first) {
      out.push(v('pools-overlap-across-clusters', b.block.field,
        `block ${b.block.text} overlaps ${other.block.field} (${other.block.text}) of cluster ${models[other.cluster].spec.clusterName} on the same docker network: `
          + `both hold ${formatRange(rangeIntersection(b.block.range, other.block.range)!)} and would answer ARP for them`,
        'give each cluster its own block (e.g. a different high /24 or range)'));
    }
    if (!best || b.block.range.last > best.block.range.last) {
      if (best && best.cluster !== b.cluster) second = best;
      best = b;
    } else if (b.cluster !== best.cluster && (!second || b.block.range.last > second.block.range.last)) {
      second = b;
    }
  }
  return out;
}

/** The rules across the clusters of one app, in linear time (indexes by name and by protocol:port, a sweep for ranges). */
export const APP_RULES: readonly AppRule[] = [
  {
    id: 'duplicate-cluster-name',
    emits: ['duplicate-cluster-name'],
    summary: 'cluster names are unique in an app (kind cluster names and output files)',
    check: (models) => {
      const seen = new Map<string, PlatformModel>();
      const out: Violation[] = [];
      for (const m of models) {
        const first = seen.get(m.spec.clusterName);
        if (first) {
          out.push(v('duplicate-cluster-name', `${m.field}.clusterName`, `"${m.spec.clusterName}" is already used by ${first.field}; kind cluster names and output files must be unique`,
            'give each cluster its own clusterName'));
        } else {
          seen.set(m.spec.clusterName, m);
        }
      }
      return out;
    },
  },
  {
    id: 'pools-overlap-across-clusters',
    emits: ['pools-overlap-across-clusters'],
    summary: 'LB pool blocks of different clusters do not overlap (all kind clusters of a host share one docker network)',
    check: crossClusterPoolClashes,
  },
  {
    id: 'duplicate-host-ports-across-clusters',
    emits: ['duplicate-host-ports'],
    summary: 'no two clusters bind the same host socket',
    check: (models) => {
      const byPort = new Map<string, { cluster: number; socket: HostSocket }[]>();
      const out: Violation[] = [];
      models.forEach((m, cluster) => {
        for (const socket of hostSockets(m)) {
          const key = `${socket.protocol}:${socket.port}`;
          const bound = byPort.get(key) ?? [];
          const clash = bound.find((b) => b.cluster !== cluster && socketsClash(b.socket, socket));
          if (clash) {
            out.push(v('duplicate-host-ports', socket.field,
              `host port ${socket.protocol} ${socket.address}:${socket.port} is also bound by ${clash.socket.field} of cluster ${models[clash.cluster].spec.clusterName}; both clusters cannot run at once`,
              'use a different hostPort'));
          }
          bound.push({ cluster, socket });
          byPort.set(key, bound);
        }
      });
      return out;
    },
  },
];

/** Identity of a Kubernetes object in a cluster. */
export interface ObjectIdentity { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }

/**
 * Two objects of one cluster with the same group, kind, namespace and name would overwrite each
 * other on apply: reports the second one (rule `duplicate-object-names`).
 */
export function checkDuplicateObjects(field: string, objects: readonly ObjectIdentity[]): Violation[] {
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const o of objects) {
    const group = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/')[0] : '';
    const id = `${group}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (seen.has(id)) {
      out.push(v('duplicate-object-names', `${field}: ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`,
        'two objects share this kind, namespace and name; the second would overwrite the first on apply', 'give one of them another name'));
    }
    seen.add(id);
  }
  return out;
}

/** Ids {@link checkDuplicateObjects} can emit. */
export const OBJECT_RULE_IDS: readonly string[] = ['duplicate-object-names'];
