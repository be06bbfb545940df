import { KindCiliumCluster, LocalCertificateAuthority, LocalGateway, PlatformConfigError, validateApp, Violation } from '../../src';
import { resolvedEntries } from '../../src/cluster/cluster-objects';
import { LocalGatewayProps } from '../../src/gateway/local-gateway';
import { clusterOutcomes } from '../../src/outcomes';
import { Outcome } from '../../src/outcomes/outcome';
import { ztCluster } from '../gateway/fixtures';

/** Test support of the routes and certificates outcome families. */

/** Every intended outcome of the cluster as applied. */
export function outcomesOf(cluster: KindCiliumCluster): Outcome[] {
  return clusterOutcomes({ model: cluster.model(), entries: resolvedEntries(cluster) });
}

/** The violations `validateApp` throws for the cluster's app (`[]` when it passes). */
export function violationsOf(cluster: KindCiliumCluster): Violation[] {
  try {
    validateApp(cluster.node.root);
    return [];
  } catch (e) {
    if (e instanceof PlatformConfigError) return [...e.violations];
    throw e;
  }
}

/** The failing outcomes, as `id statement` lines. */
export function failing(outcomes: readonly Outcome[]): string[] {
  return outcomes.filter((o) => !o.holds).map((o) => `${o.id} ${o.statement}`);
}

/** The `zt` cluster (NodePorts published, a pool) with a CA (optionally in `caNamespace`) and a LocalGateway. */
export function gatewayCluster(props: Partial<LocalGatewayProps> & { caNamespace?: string } = {},
  add?: (g: LocalGateway, c: KindCiliumCluster) => void): KindCiliumCluster {
  const cluster = ztCluster();
  const { caNamespace, ...gatewayProps } = props;
  const ca = new LocalCertificateAuthority(cluster, 'ca', caNamespace ? { namespace: caNamespace } : {});
  const gw = new LocalGateway(cluster, 'gateway', { certificateAuthority: ca, ...gatewayProps });
  add?.(gw, cluster);
  return cluster;
}
