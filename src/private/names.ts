import { createHash } from 'crypto';
import { IConstruct } from 'constructs';
import { invalid } from '../errors';
import { DNS_SUBDOMAIN_RE } from './syntax';

/**
 * The `metadata.name` of an object of this library: `name` when given (checked as a DNS-1123 subdomain),
 * otherwise the construct ids below `root` (the cluster), kebab-cased and joined with `-` (at most 63 characters;
 * longer names are cut and suffixed with a hash of the path). Used by this library's Cilium constructs.
 */
export function resolveObjectName(construct: IConstruct, root: IConstruct, name: string | undefined, fallback: string): string {
  if (name !== undefined) {
    if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN_RE.test(name)) {
      invalid('invalid-name', `${construct.node.path}.name`, `${JSON.stringify(name)} is not a valid Kubernetes object name`,
        'use at most 253 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit (DNS-1123 subdomain)');
    }
    return name;
  }
  const ids = construct.node.scopes.slice(root.node.scopes.length).map((c) => c.node.id);
  const slug = ids.join('-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length === 0) return fallback;
  if (slug.length <= 63) return slug;
  const hash = createHash('sha256').update(ids.join('/')).digest('hex').slice(0, 8);
  return `${slug.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}


/** Namespaces every cluster has (kubeadm and the API server create them): never emitted, never needing creation. */
export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
