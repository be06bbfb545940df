import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CiliumHelmValues, renderCiliumValues } from '../cilium/helm-values';
import { formatViolation, PlatformConfigError } from '../errors';
import { KindClusterConfig, renderKindConfig } from '../kind/kind-config';
import { checkPlatform } from '../rules/platform-rules';
import { BUNDLE_NAME, BUNDLE_VERSION } from '../versions';
import { ClusterSpec, ClusterSpecProps, resolveClusterSpec } from './cluster-spec';
import { emptyFacts, PlatformFacts, PlatformModel } from './platform-model';

/** Props of {@link KindCiliumCluster}: the cluster description. */
export interface KindCiliumClusterProps extends ClusterSpecProps {}

const CLUSTER_SYMBOL = Symbol.for('cdk8s-kind-cilium.KindCiliumCluster');

/**
 * One kind + Cilium cluster. It is a cdk8s Chart: Cilium resources, gateway and workloads added
 * inside it become its manifests, and it derives the kind config and Cilium Helm values from the
 * same description, so the three cannot disagree. Cross-object rules run when it is validated.
 */
export class KindCiliumCluster extends Chart {
  /** Finds the cluster a construct belongs to, or throws naming the construct. */
  public static of(scope: IConstruct): KindCiliumCluster {
    for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
      if (KindCiliumCluster.isKindCiliumCluster(c)) return c;
    }
    throw new PlatformConfigError({
      rule: 'outside-cluster',
      field: scope.node.path || '(root)',
      problem: 'this construct must be created inside a KindCiliumCluster',
      fix: 'pass the KindCiliumCluster (or a construct inside it) as the scope',
    });
  }

  /** True when `x` is a KindCiliumCluster (works across duplicated module copies). */
  public static isKindCiliumCluster(x: unknown): x is KindCiliumCluster {
    return typeof x === 'object' && x !== null && (x as any)[CLUSTER_SYMBOL] === true;
  }

  /** The checked description with every default applied. */
  public readonly spec: ClusterSpec;
  private readonly facts: PlatformFacts = emptyFacts();

  constructor(scope: Construct, id: string, props: KindCiliumClusterProps) {
    const spec = resolveClusterSpec(props);
    super(scope, id, {
      labels: {
        'app.kubernetes.io/part-of': BUNDLE_NAME,
        'app.kubernetes.io/version': BUNDLE_VERSION,
        'app.kubernetes.io/managed-by': BUNDLE_NAME,
      },
    });
    Object.defineProperty(this, CLUSTER_SYMBOL, { value: true });
    this.spec = spec;
    this.node.addValidation({ validate: () => this.violations().map(formatViolation) });
  }

  /** The kind cluster name. */
  public get clusterName(): string {
    return this.spec.clusterName;
  }

  /** Records facts about a construct of this cluster for the cross-object rules. Used by this library's constructs. */
  public addFacts(facts: Partial<PlatformFacts>): void {
    for (const key of Object.keys(facts) as (keyof PlatformFacts)[]) {
      (this.facts[key] as unknown[]).push(...(facts[key] as unknown[]));
    }
  }

  /** The kind `Cluster` config (written to `kind/<cluster>.yaml`). */
  public kindConfig(): KindClusterConfig {
    return renderKindConfig(this.spec);
  }

  /** The Cilium Helm values (written to `cilium-values/<cluster>.yaml`). */
  public ciliumValues(): CiliumHelmValues {
    return renderCiliumValues(this.spec, { gatewayApi: this.facts.gateways.length > 0 });
  }

  /** The platform as the rules see it. */
  public model(): PlatformModel {
    return {
      field: this.node.path,
      spec: this.spec,
      kindConfig: this.kindConfig(),
      ciliumValues: this.ciliumValues(),
      pools: [...this.facts.pools],
      l2Policies: [...this.facts.l2Policies],
      gateways: [...this.facts.gateways],
      loadBalancerServices: [...this.facts.loadBalancerServices],
      defaultDenyPolicies: [...this.facts.defaultDenyPolicies],
    };
  }

  /** Every cross-object rule this cluster breaks (empty when consistent). */
  public violations() {
    return checkPlatform(this.model());
  }

  /** Throws a {@link PlatformConfigError} listing every broken rule. */
  public assertValid(): void {
    const violations = this.violations();
    if (violations.length > 0) throw new PlatformConfigError(violations);
  }
}
