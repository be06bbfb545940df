import { Violation } from '../errors';
import { v } from './common';
import { ClusterRule } from './rule';
import { GATEWAY_API_FOR_CILIUM, minorOf, SUPPORTED_CERT_MANAGER_MINORS, SUPPORTED_CILIUM_MINORS } from '../spec/versions';

/** Versions: the pinned releases form a checked pairing. */
export const VERSION_RULES: readonly ClusterRule[] = [
  {
    id: 'version-matrix',
    emits: ['cert-manager-version-unsupported', 'cilium-version-unsupported', 'gateway-api-cilium-mismatch'],
    summary: 'Cilium, Gateway API and cert-manager releases are a checked pairing',
    check: (m) => {
      const out: Violation[] = [];
      const { ciliumVersion, versions } = m.spec;
      const minor = minorOf(ciliumVersion);
      if (!SUPPORTED_CILIUM_MINORS.includes(minor)) {
        out.push(v('cilium-version-unsupported', `${m.field}.ciliumVersion`, `Cilium ${ciliumVersion} is not supported; this library writes Helm values for Cilium ${SUPPORTED_CILIUM_MINORS.join(', ')}.x`,
          `use a ${SUPPORTED_CILIUM_MINORS[0]}.x chart version, e.g. 1.18.4`));
        return out;
      }
      const expected = GATEWAY_API_FOR_CILIUM[minor];
      if (versions.gatewayApi !== expected && !versions.allowUnsupportedPair) {
        out.push(v('gateway-api-cilium-mismatch', `${m.field}.versions.gatewayApi`,
          `Gateway API ${versions.gatewayApi} does not pair with Cilium ${ciliumVersion} (Cilium ${minor} is built and tested against ${expected})`,
          `use ${expected}, or set versions.allowUnsupportedPair: true to take responsibility for the pairing`));
      }
      if (!/^v\d+\.\d+\.\d+$/.test(versions.certManager) || (!SUPPORTED_CERT_MANAGER_MINORS.includes(minorOf(versions.certManager)) && !versions.allowUnsupportedPair)) {
        out.push(v('cert-manager-version-unsupported', `${m.field}.versions.certManager`,
          `cert-manager ${versions.certManager} is outside the checked matrix (${SUPPORTED_CERT_MANAGER_MINORS.join(', ')}.x)`,
          'use v1.19.6, or set versions.allowUnsupportedPair: true'));
      }
      return out;
    },
  },
];
