import { App } from 'cdk8s';
import { KindCiliumCluster, LoadBalancerIpPool, NginxDemo } from '../../src';

/**
 * Small apps whose bundles differ in every way a write has to handle: files replaced (`dev` changes), files
 * added in new folders (`new`), a whole cluster's files removed (`old`), and files kept byte-identical (`web`).
 */
const APPS: Record<string, { cluster: string; demo?: boolean; pool: string }[]> = {
  a: [{ cluster: 'dev', pool: '172.18.250.0/28' }, { cluster: 'old', pool: '172.18.250.16/28', demo: true }, { cluster: 'web', pool: '172.18.250.32/28' }],
  b: [{ cluster: 'dev', pool: '172.18.250.0/28', demo: true }, { cluster: 'new', pool: '172.18.250.48/28' }, { cluster: 'web', pool: '172.18.250.32/28' }],
  c: [{ cluster: 'dev', pool: '172.18.250.64/28' }],
};

/** The names of the campaign apps. */
export const CAMPAIGN_APPS = Object.keys(APPS);

/** Adds the clusters of campaign app `name` (see {@link CAMPAIGN_APPS}) to `app`. */
export function addCampaignClusters(app: App, name: string): void {
  const clusters = APPS[name];
  if (!clusters) throw new Error(`no campaign app ${name}`);
  for (const c of clusters) {
    const cluster = new KindCiliumCluster(app, c.cluster, { clusterName: c.cluster });
    new LoadBalancerIpPool(cluster, 'pool', { blocks: [{ cidr: c.pool }] });
    if (c.demo) new NginxDemo(cluster, 'nginx');
  }
}

/** A new App with the clusters of campaign app `name`. */
export function campaignApp(name: string): App {
  const app = new App();
  addCampaignClusters(app, name);
  return app;
}
