import * as semver from 'semver';
import { CILIUM_MINOR_FACTS, CiliumMinorFacts, STABLE_CILIUM_MINOR_FACTS } from './cilium-minors';
import { KIND_RELEASES, KindNodeImage, KindRelease, publishedNodeImage, kindReleaseOf } from './kind-releases';
import { compareMinor, minorOfKubernetes, normalizeKubernetes } from './kubernetes-versions';
import { At, ComponentVersionInput, VERSION_RULES, violation, VersionViolation } from './version-choices';

/**
 * Resolves the node image of a cluster (kind release, Kubernetes version, custom image) against the
 * Cilium minor's tested Kubernetes range: the part of {@link resolveComponentVersions} that picks
 * `kindest/node` images. Every refusal names a valid combination.
 */

/** The outcome of {@link resolveNode}: violations, or the kind release, image and Kubernetes version. */
export interface NodeResolution {
  readonly violations: readonly VersionViolation[];
  readonly resolved?: { readonly kindRelease: KindRelease; readonly image: string; readonly kubernetes: string | undefined };
  /** True when the choice was accepted only because of `allowUnsupportedPair`. */
  readonly outsideMatrix: boolean;
}

/** Releases newest first. */
export const RELEASES_NEWEST_FIRST: readonly KindRelease[] = [...KIND_RELEASES].reverse();

/** True when a Kubernetes version (minor or patch) lies inside the Cilium minor's tested range. */
export function inRange(kubernetes: string, facts: CiliumMinorFacts): boolean {
  return compareMinor(kubernetes, facts.kubernetes.min) >= 0 && compareMinor(kubernetes, facts.kubernetes.max) <= 0;
}

/** Images of a release matching a requested Kubernetes version (a minor matches every patch), newest first. */
function imagesFor(release: KindRelease, kubernetes: string): KindNodeImage[] {
  return release.images.filter((i) => (kubernetes.split('.').length === 2 ? minorOfKubernetes(i.kubernetes) === kubernetes : i.kubernetes === kubernetes));
}

/** The newest image of a release inside a Cilium minor's range. */
function newestInRange(release: KindRelease, facts: CiliumMinorFacts): KindNodeImage | undefined {
  return release.images.find((i) => inRange(i.kubernetes, facts));
}

/**
 * The node image for the version choices: a custom `nodeImage`, the image of `kubernetesVersion`, or the newest image
 * inside the Cilium minor's range, from `kindRelease` or the newest release that publishes one.
 */
export function resolveNode(input: ComponentVersionInput, facts: CiliumMinorFacts, at: At, allow: boolean): NodeResolution {
  let requestedRelease: KindRelease | undefined;
  if (input.kindRelease !== undefined) {
    requestedRelease = kindReleaseOf(input.kindRelease);
    if (requestedRelease === undefined) {
      const k8s = input.kubernetesVersion !== undefined ? normalizeKubernetes(input.kubernetesVersion) : undefined;
      const best = RELEASES_NEWEST_FIRST.find((r) => (k8s !== undefined ? imagesFor(r, k8s).length > 0 : newestInRange(r, facts) !== undefined))
        ?? RELEASES_NEWEST_FIRST[0];
      return {
        violations: [violation(VERSION_RULES.kindReleaseUnsupported, at('kindRelease'),
          `kind '${input.kindRelease}' is not in the matrix (${KIND_RELEASES.map((r) => r.release).join(', ')}); node images are tied to the kind release that published them`,
          [{ kindRelease: best.release }])],
        outsideMatrix: false,
      };
    }
  }
  if (input.nodeImage !== undefined) {
    return resolveCustomImage(input, input.nodeImage, requestedRelease, facts, at, allow);
  }
  if (input.kubernetesVersion !== undefined) {
    return resolveByKubernetes(input.kubernetesVersion, requestedRelease, facts, at, allow);
  }
  // Default: the newest image inside the range, from the requested release or the newest release that has one.
  for (const release of requestedRelease ? [requestedRelease] : RELEASES_NEWEST_FIRST) {
    const image = newestInRange(release, facts);
    if (image) {
      return { violations: [], outsideMatrix: false, resolved: { kindRelease: release, image: image.image, kubernetes: image.kubernetes } };
    }
  }
  const release = requestedRelease ?? RELEASES_NEWEST_FIRST[0];
  return {
    violations: [unavailable(`${facts.kubernetes.min}-${facts.kubernetes.max}`, release, facts, at)],
    outsideMatrix: false,
  };
}

function unavailable(kubernetes: string, release: KindRelease, facts: CiliumMinorFacts, at: At): VersionViolation {
  const suggestions: Partial<ComponentVersionInput>[] = [];
  const other = kubernetes.includes('-') ? undefined : RELEASES_NEWEST_FIRST.find((r) => imagesFor(r, kubernetes).length > 0);
  if (other) suggestions.push({ kindRelease: other.release });
  const alt = newestInRange(release, facts);
  if (alt) suggestions.push({ kubernetesVersion: minorOfKubernetes(alt.kubernetes) });
  if (suggestions.length === 0) suggestions.push({ kindRelease: RELEASES_NEWEST_FIRST[0].release });
  return violation(VERSION_RULES.kindNodeImageUnavailable, at('kubernetesVersion'),
    `kind ${release.release} publishes no digest-pinned node image for Kubernetes ${kubernetes} (it publishes ${release.images.map((i) => i.kubernetes).join(', ')})`,
    suggestions);
}

function outsideRange(kubernetes: string, facts: CiliumMinorFacts, field: string, replacement: Partial<ComponentVersionInput>): VersionViolation {
  const suggestions: Partial<ComponentVersionInput>[] = [replacement];
  const other = [...STABLE_CILIUM_MINOR_FACTS].reverse().find((f) => inRange(kubernetes, f));
  if (other) suggestions.push({ ciliumVersion: other.latestPatch });
  const none = other === undefined && !CILIUM_MINOR_FACTS.some((f) => inRange(kubernetes, f))
    ? `; no supported Cilium minor is tested on Kubernetes ${minorOfKubernetes(kubernetes)}` : '';
  return violation(VERSION_RULES.kubernetesOutsideCiliumRange, field,
    `Kubernetes ${kubernetes} is outside the range Cilium ${facts.minor} is tested on (${facts.kubernetes.min}-${facts.kubernetes.max}; `
    + `${facts.kubernetes.source})${none}`,
    suggestions, ', or set allowUnsupportedPair: true to take responsibility for the pairing');
}

function resolveByKubernetes(
  requested: string, requestedRelease: KindRelease | undefined, facts: CiliumMinorFacts, at: At, allow: boolean,
): NodeResolution {
  const kubernetes = normalizeKubernetes(requested);
  if (kubernetes === undefined) {
    return {
      violations: [violation(VERSION_RULES.kubernetesVersionInvalid, at('kubernetesVersion'),
        `'${requested}' is not a Kubernetes version (expected X.Y or X.Y.Z, e.g. '${facts.kubernetes.max}')`, [{ kubernetesVersion: facts.kubernetes.max }])],
      outsideMatrix: false,
    };
  }
  const ranged = inRange(kubernetes, facts);
  if (!ranged && !allow) {
    return { violations: [outsideRange(kubernetes, facts, at('kubernetesVersion'), { kubernetesVersion: facts.kubernetes.max })], outsideMatrix: false };
  }
  for (const release of requestedRelease ? [requestedRelease] : RELEASES_NEWEST_FIRST) {
    const image = imagesFor(release, kubernetes)[0];
    if (image) {
      return { violations: [], outsideMatrix: !ranged, resolved: { kindRelease: release, image: image.image, kubernetes: image.kubernetes } };
    }
  }
  return { violations: [unavailable(kubernetes, requestedRelease ?? RELEASES_NEWEST_FIRST[0], facts, at)], outsideMatrix: false };
}

/** `repo[:tag]@sha256:<64 hex>` → parts; `undefined` digest when not pinned. */
function parseImage(image: string): { readonly tag: string | undefined; readonly digest: string | undefined } {
  const [name, digest] = image.split('@', 2);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return {
    tag: colon > slash ? name.slice(colon + 1) : undefined,
    digest: digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest) && name.length > 0 && !/\s/.test(name) ? digest : undefined,
  };
}

function resolveCustomImage(
  input: ComponentVersionInput, image: string, requestedRelease: KindRelease | undefined, facts: CiliumMinorFacts, at: At, allow: boolean,
): NodeResolution {
  const { tag, digest } = parseImage(image);
  const tagged = tag !== undefined && /^v\d+\.\d+\.\d+/.test(tag) ? semver.coerce(tag)?.version : undefined;
  const requested = input.kubernetesVersion !== undefined ? normalizeKubernetes(input.kubernetesVersion) : undefined;
  if (digest === undefined) {
    const k8s = tagged ?? requested;
    const release = requestedRelease ?? RELEASES_NEWEST_FIRST[0];
    const pinned = (k8s !== undefined ? RELEASES_NEWEST_FIRST.map((r) => imagesFor(r, k8s)[0]).find((i) => i !== undefined) : undefined)
      ?? newestInRange(release, facts) ?? release.images[0];
    return {
      violations: [violation(VERSION_RULES.kindNodeImageNotPinned, at('nodeImage'),
        `'${image}' is not pinned by digest; kind node images are tied to the kind release that built them and a tag can move`,
        [{ nodeImage: pinned.image }], ' (append @sha256:<digest> from the kind release notes)')],
      outsideMatrix: false,
    };
  }
  if (input.kubernetesVersion !== undefined && requested === undefined) {
    return resolveByKubernetes(input.kubernetesVersion, requestedRelease, facts, at, allow);
  }
  const published = publishedNodeImage(image);
  const kubernetes = published?.image.kubernetes ?? tagged ?? requested;
  if (requested !== undefined && kubernetes !== undefined && (tagged ?? published?.image.kubernetes) !== undefined
    && !(requested.split('.').length === 2 ? minorOfKubernetes(kubernetes) === requested : kubernetes === requested)) {
    return {
      violations: [violation(VERSION_RULES.kindNodeImageKubernetesMismatch, at('kubernetesVersion'),
        `kubernetesVersion '${input.kubernetesVersion}' disagrees with nodeImage '${image}', which runs Kubernetes ${kubernetes}`,
        [{ kubernetesVersion: kubernetes }, { kubernetesVersion: undefined }])],
      outsideMatrix: false,
    };
  }
  const violations: VersionViolation[] = [];
  let outsideMatrix = false;
  if (kubernetes !== undefined && !inRange(kubernetes, facts)) {
    if (allow) {
      outsideMatrix = true;
    } else {
      const release = requestedRelease ?? published?.release ?? RELEASES_NEWEST_FIRST[0];
      const replacement = newestInRange(release, facts) ?? RELEASES_NEWEST_FIRST.map((r) => newestInRange(r, facts)).find((i) => i !== undefined)!;
      violations.push(outsideRange(kubernetes, facts, at('nodeImage'), { nodeImage: replacement.image }));
    }
  }
  if (published && requestedRelease && published.release !== requestedRelease) {
    if (allow) {
      outsideMatrix = true;
    } else {
      violations.push(violation(VERSION_RULES.kindNodeImageReleaseMismatch, at('kindRelease'),
        `nodeImage '${image}' was published with kind ${published.release.release}, not ${requestedRelease.release}; kind node images are tied to their release`,
        [{ kindRelease: published.release.release }], ', or set allowUnsupportedPair: true'));
    }
  }
  if (violations.length > 0) return { violations, outsideMatrix: false };
  const kindRelease = requestedRelease ?? published?.release ?? RELEASES_NEWEST_FIRST[0];
  return { violations: [], outsideMatrix, resolved: { kindRelease, image, kubernetes } };
}
