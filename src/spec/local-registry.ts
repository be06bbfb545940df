import { PlatformConfigError, Violation } from '../errors';
import { closestKey, propKeys } from '../private/props';
import { DNS_LABEL_RE, isPlainObject } from '../private/syntax';

/**
 * A local image registry beside the cluster, kind's documented recipe (https://kind.sigs.k8s.io/docs/user/local-registry/):
 * a `registry` container on the host (published on `127.0.0.1:<hostPort>`) joined to the `kind` docker network;
 * each node's containerd reads `/etc/containerd/certs.d` (`containerdConfigPatches`, `config_path`) where apply.sh
 * writes `localhost:<hostPort>/hosts.toml` pointing at `http://<name>:5000`; and the `local-registry-hosting`
 * ConfigMap in `kube-public` (KEP-1755) tells tools (Tilt, Skaffold, ko) where to push. Push with
 * `docker push localhost:<hostPort>/app:dev`, use `image: localhost:<hostPort>/app:dev` in the cluster.
 *
 * apply.sh creates the container, or reuses a running one of the same name that publishes the same host port
 * (several clusters may share one registry); teardown.sh removes it only when apply.sh created it (recorded in
 * `.kind-cilium/<cluster>/registry-created`) and no other kind cluster uses it.
 */
export interface LocalRegistryOptions {
  /**
   * Name of the registry container, also its DNS name on the `kind` network: a DNS label (lower-case alphanumerics
   * and `-`, at most 63). @default 'kind-registry' (kind's recipe)
   */
  readonly name?: string;
  /**
   * Host port the registry is published on, 1-65535, on `127.0.0.1`: the image prefix `localhost:<hostPort>`. Refused
   * when it clashes with `apiServerPort` or a `hostPortMappings` host port; preflight.sh checks it is free (or held by
   * this registry). @default 5001 (kind's recipe: 5000 is taken by AirPlay on macOS)
   */
  readonly hostPort?: number;
  /**
   * Registry image, pinned by digest like every image of the bundle (`repo[:tag]@sha256:<64 hex>`); an unpinned tag is
   * refused. @default {@link DEFAULT_REGISTRY_IMAGE}
   */
  readonly image?: string;
}

/** {@link LocalRegistryOptions} with defaults applied. */
export interface ResolvedLocalRegistry {
  readonly name: string;
  readonly hostPort: number;
  readonly image: string;
  /** Port the registry listens on inside its container (the `registry` image's `0.0.0.0:5000`). */
  readonly containerPort: number;
}

/**
 * The registry image: Distribution's `registry:2.8.3`, the release kind's recipe runs (`registry:2`), pinned by the
 * digest of its multi-arch index as pinned by several independent public repositories (install scripts, CI workflows).
 * Not pulled here (no registry access); a wrong digest fails `docker run` loudly and never runs another image.
 */
export const DEFAULT_REGISTRY_IMAGE = 'docker.io/library/registry:2.8.3@sha256:a3d8aaa63ed8681a604f1dea0aa03f100d5895b6a58ace528858a7b332415373';

/** Port the `registry` image listens on inside its container. */
export const REGISTRY_CONTAINER_PORT = 5000;

/** The folder containerd reads registry host configs from (`hosts.toml` per registry host; containerd docs/hosts.md). */
export const CONTAINERD_CERTS_DIR = '/etc/containerd/certs.d';

/**
 * The containerd config patch of kind's recipe: the CRI plugin reads per-registry `hosts.toml` files from
 * {@link CONTAINERD_CERTS_DIR}. kind applies it to every node's `/etc/containerd/config.toml` (config version 2,
 * which kind's node images keep with containerd 2.x).
 */
export const REGISTRY_CONTAINERD_PATCH = `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${CONTAINERD_CERTS_DIR}"\n`;

/** The `hosts.toml` a node needs for the registry: pulls of `localhost:<hostPort>/...` go to the container by name over HTTP. */
export function registryHostsToml(registry: ResolvedLocalRegistry): string {
  return `[host."http://${registry.name}:${registry.containerPort}"]\n`;
}

/** The `local-registry-hosting` ConfigMap of KEP-1755 (`kube-public`), as kind's recipe writes it. */
export function localRegistryHostingConfigMap(registry: ResolvedLocalRegistry): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
    data: {
      'localRegistryHosting.v1': `host: "localhost:${registry.hostPort}"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n`,
    },
  };
}

const LOCAL_REGISTRY_PROPS = propKeys<LocalRegistryOptions>()('name', 'hostPort', 'image');
const PINNED_IMAGE_RE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$/;

/**
 * Checks and resolves {@link LocalRegistryOptions} (undefined: no registry; `{}`: the defaults). Port clashes
 * with the other host ports are a cross-field rule (`registry-host-port-clash` in `src/rules`).
 * @param field path of the prop in messages, e.g. `dev.localRegistry`
 */
export function resolveLocalRegistry(field: string, value: unknown): ResolvedLocalRegistry | undefined {
  if (value === undefined) return undefined;
  const props = value;
  const problems: Violation[] = [];
  const add = (rule: string, f: string, problem: string, fix: string) => problems.push({ rule, field: f, problem, fix });
  if (!isPlainObject(props)) {
    throw new PlatformConfigError({ rule: 'invalid-type', field, problem: 'is not an object', fix: 'write {} for kind\'s defaults, or e.g. { hostPort: 5001 }' });
  }
  for (const key of Object.keys(props)) {
    if (LOCAL_REGISTRY_PROPS.includes(key)) continue;
    const s = closestKey(key, LOCAL_REGISTRY_PROPS);
    add('unknown-prop', `${field}.${key}`, `"${key}" is not a localRegistry prop, so it would be ignored`,
      s ? `did you mean "${s}"?` : `remove it; the localRegistry props are ${LOCAL_REGISTRY_PROPS.join(', ')}`);
  }
  const name = props.name ?? 'kind-registry';
  if (typeof name !== 'string' || !DNS_LABEL_RE.test(name) || name.length > 63) {
    add('invalid-registry-name', `${field}.name`, `${JSON.stringify(name)} is not a DNS label (the container's name on the kind network)`,
      'use at most 63 lower-case letters, digits or "-", e.g. kind-registry');
  }
  const hostPort = props.hostPort ?? 5001;
  if (typeof hostPort !== 'number' || !Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
    add('invalid-number', `${field}.hostPort`, `${JSON.stringify(hostPort)} is not an integer between 1 and 65535`,
      'use a free TCP port, e.g. 5001');
  }
  const image = props.image ?? DEFAULT_REGISTRY_IMAGE;
  if (typeof image !== 'string' || !PINNED_IMAGE_RE.test(image)) {
    add('registry-image-not-pinned', `${field}.image`, `${JSON.stringify(image)} is not an image pinned by digest (repo[:tag]@sha256:<64 hex>)`,
      `pin it by digest (docker buildx imagetools inspect <image>), or leave it out for ${DEFAULT_REGISTRY_IMAGE}`);
  }
  if (problems.length > 0) throw new PlatformConfigError(problems);
  return { name: name as string, hostPort: hostPort as number, image: image as string, containerPort: REGISTRY_CONTAINER_PORT };
}
