import type { KindCiliumClusterProps } from '../../src';
import { ciliumMinorFacts, ciliumMinorOf, normalizeCiliumVersion } from '../../src/spec/version-matrix';

/**
 * Cluster props that select a Cilium version, with the opt-in a pre-release of the matrix needs
 * (`versions.allowPreRelease` for 1.21.0-pre.0), so tests that iterate every minor of the matrix reach the
 * preview through the public API exactly as a user opts in.
 */
export function ciliumVersionProps(ciliumVersion: string): Pick<KindCiliumClusterProps, 'ciliumVersion' | 'versions'> {
  const minor = ciliumMinorOf(normalizeCiliumVersion(ciliumVersion));
  const preRelease = minor !== undefined && ciliumMinorFacts(minor).preRelease;
  return { ciliumVersion, ...(preRelease ? { versions: { allowPreRelease: true } } : {}) };
}
