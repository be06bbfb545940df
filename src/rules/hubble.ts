import { v, values } from './common';
import { ClusterRule } from './rule';

/** Hubble: relay, UI and the peer service domain. */
export const HUBBLE_RULES: readonly ClusterRule[] = [
  {
    id: 'cluster-domain',
    emits: ['cluster-domain'],
    suggests: ['cluster-domain'],
    summary: 'hubble.peerService.clusterDomain equals the cluster DNS domain',
    check: (m) => {
      const hubble = values(m).hubble;
      if (!hubble?.enabled) return [];
      const domain = hubble.peerService?.clusterDomain;
      return domain === m.spec.dnsDomain ? [] : [v('cluster-domain', `${m.field}.ciliumValues.hubble.peerService.clusterDomain`,
        `is ${JSON.stringify(domain)} but the cluster DNS domain is ${m.spec.dnsDomain}; hubble-relay cannot find its peers`,
        `set it to ${m.spec.dnsDomain} (drop the override)`, { target: 'helm-values', path: ['hubble', 'peerService', 'clusterDomain'], value: m.spec.dnsDomain })];
    },
  },
  {
    id: 'hubble-ui-needs-relay',
    emits: ['hubble-ui-needs-relay'],
    summary: 'hubble-ui is deployed only together with hubble-relay (the chart refuses otherwise)',
    check: (m) => {
      const hubble = values(m).hubble;
      if (!hubble?.ui?.enabled || hubble.relay?.enabled || hubble.ui.standalone?.enabled) return [];
      return [v('hubble-ui-needs-relay', `${m.field}.ciliumValues.hubble.ui.enabled`,
        'hubble-ui is enabled without hubble-relay; the Cilium chart fails the install ("hubble-ui requires hubble-relay")',
        'enable hubble.relay (hubble: { relay: true }) or disable hubble.ui, and drop the override that contradicts it')];
    },
  },
];
