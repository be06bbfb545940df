import { Construct } from 'constructs';
import { dnsHubblePlatform } from './dns-hubble';
import { kprNativePlatform } from './kpr-native';
import { nativeXdpPlatform } from './native-xdp';
import { zeroTrustPlatform } from './zero-trust';
import { KindCiliumCluster } from '../cluster/kind-cilium-cluster';

export { dnsHubblePlatform, kprNativePlatform, nativeXdpPlatform, zeroTrustPlatform };

/** Adds every preset cluster to `scope`: the default app's bundle. */
export function addAllPresets(scope: Construct): KindCiliumCluster[] {
  return [dnsHubblePlatform(scope), kprNativePlatform(scope), nativeXdpPlatform(scope), zeroTrustPlatform(scope)];
}
