import { KindCiliumClusterProps } from '../cluster/kind-cilium-cluster';
import { invalid } from '../errors';
import { checkPlainData } from '../private/plain-data';
import { isPlainObject } from '../private/syntax';

/**
 * The overrides a preset merges into its cluster description, checked as plain data (like every description) before
 * the preset reads them: its `clusterName` names the construct. `preset` prefixes the fields of the messages.
 */
export function checkPresetOverrides(preset: string, overrides: unknown): Partial<KindCiliumClusterProps> {
  const checked = checkPlainData(preset, overrides === undefined ? {} : overrides);
  if (!isPlainObject(checked)) {
    invalid('invalid-type', preset, 'the overrides are not an object', 'pass an object of cluster props, e.g. { clusterName: "lab", workers: 2 }');
  }
  return checked as Partial<KindCiliumClusterProps>;
}
