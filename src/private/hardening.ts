import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { invalid } from '../errors';
import { propsShape, required } from './props';

/** Namespace labels that make the API server enforce the `restricted` Pod Security Standard. */
export const RESTRICTED_POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

/** CPU and memory of one container: requests and limits. */
export interface ContainerSizing {
  /** CPU request in millicores. */
  readonly cpuRequestMillis: number;
  /** CPU limit in millicores. */
  readonly cpuLimitMillis: number;
  /** Memory request in MiB. */
  readonly memoryRequestMebibytes: number;
  /** Memory limit in MiB. */
  readonly memoryLimitMebibytes: number;
}

/** @internal The shape of {@link ContainerSizing}: all four values are given together. */
export const CONTAINER_SIZING_SHAPE = propsShape<ContainerSizing>('resources', {
  cpuRequestMillis: required('number'), cpuLimitMillis: required('number'), memoryRequestMebibytes: required('number'), memoryLimitMebibytes: required('number'),
});

/**
 * @internal Throws unless every value is a positive integer and no request exceeds its limit (the API server refuses a
 * request above the limit: `spec.containers[].resources.requests: Invalid value: must be less than or equal to ... limit`).
 */
export function checkContainerSizing(field: string, s: ContainerSizing): ContainerSizing {
  for (const key of ['cpuRequestMillis', 'cpuLimitMillis', 'memoryRequestMebibytes', 'memoryLimitMebibytes'] as const) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 1) {
      invalid('invalid-resources', `${field}.${key}`, `${s[key]} is not a positive whole number`, 'give millicores and MiB as whole numbers of at least 1');
    }
  }
  if (s.cpuRequestMillis > s.cpuLimitMillis) {
    invalid('invalid-resources', `${field}.cpuRequestMillis`, `${s.cpuRequestMillis}m is above the limit ${s.cpuLimitMillis}m; the API server refuses a request above its limit`,
      'make cpuRequestMillis at most cpuLimitMillis');
  }
  if (s.memoryRequestMebibytes > s.memoryLimitMebibytes) {
    invalid('invalid-resources', `${field}.memoryRequestMebibytes`, `${s.memoryRequestMebibytes}Mi is above the limit ${s.memoryLimitMebibytes}Mi; the API server refuses a request above its limit`,
      'make memoryRequestMebibytes at most memoryLimitMebibytes');
  }
  return s;
}

/** @internal cdk8s-plus resources from a {@link ContainerSizing}. */
export function containerResources(s: ContainerSizing): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(s.cpuRequestMillis), limit: kplus.Cpu.millis(s.cpuLimitMillis) },
    memory: { request: Size.mebibytes(s.memoryRequestMebibytes), limit: Size.mebibytes(s.memoryLimitMebibytes) },
  };
}

/**
 * A container security context that passes the `restricted` Pod Security Standard: runs as `user`
 * (non-root), no privilege escalation, every capability dropped, read-only root filesystem, RuntimeDefault seccomp.
 */
export function restrictedContainerSecurity(user: number, group: number = user): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/**
 * @internal Throws unless `value` is an image reference pinned by a tag other than `latest` (a digest is welcome). A
 * reference is visible ASCII (the distribution reference grammar), so a space, a control character or a line break is refused.
 */
export function checkPinnedImage(field: string, value: string): string {
  const match = /^([\x21-\x3f\x41-\x7e]+?)(?::([\w][\w.-]{0,127}))?(@sha256:[a-f0-9]{64})?$/.exec(typeof value === 'string' ? value : '');
  const tag = match?.[2];
  if (!match || (tag === undefined && match[3] === undefined) || tag === 'latest') {
    invalid('unpinned-image', field, `"${value}" is not pinned`, 'use an explicit version tag (optionally with @sha256:<digest>), never latest or no tag');
  }
  return value;
}

