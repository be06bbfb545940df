import { Construct } from 'constructs';
import { KindCiliumCluster } from '../platform/kind-cilium-cluster';

/** Adds every preset cluster to `scope` (the default app). */
export function addAllPresets(scope: Construct): KindCiliumCluster[] {
  return [new KindCiliumCluster(scope, 'dev', { clusterName: 'dev' })];
}
