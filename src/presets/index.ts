import { Construct } from 'constructs';
import { dnsHubblePlatform } from './dns-hubble';
import { kprNativePlatform } from './kpr-native';
import { meshPlatform } from './mesh';
import { nativeXdpPlatform } from './native-xdp';
import { zeroTrustPlatform } from './zero-trust';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';

export { dnsHubblePlatform, kprNativePlatform, meshPlatform, nativeXdpPlatform, zeroTrustPlatform };
export type { MeshPlatformProps } from './mesh';

/** Adds every preset cluster (and the preset mesh's members) to `scope`: the default app's bundle. */
export function addAllPresets(scope: Construct): KindCiliumCluster[] {
  return [dnsHubblePlatform(scope), kprNativePlatform(scope), nativeXdpPlatform(scope), zeroTrustPlatform(scope), ...meshPlatform(scope).members];
}
