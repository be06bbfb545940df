import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { registerAppValidation } from './app-validation';
import { apiObjectsOf, resolvedEntries } from './cluster-objects';
import { formatViolation, PlatformConfigError, Violation } from '../errors';
import { ciliumFeaturesOf, emptyFacts, isPlatformFactSource, LoadBalancerServiceFact, mergeFacts, PlatformFacts, PlatformModel } from '../model/platform-model';
import { CiliumHelmValues, renderCiliumValues } from '../render/cilium-values';
import { KindClusterConfig, renderKindConfig } from '../render/kind-config';
import { checkCustomObjects } from '../rules/crd-schema';
import { checkPlatform } from '../rules/registry';
import { ClusterSpec, ClusterSpecProps, resolveClusterSpec } from '../spec/cluster-spec';
import { crdSchemaFolders } from '../spec/version-matrix';

/** Props of {@link KindCiliumCluster}: the cluster description. See {@link ClusterSpecProps} for every field. */
export interface KindCiliumClusterProps extends ClusterSpecProps {}

const CLUSTER_SYMBOL = Symbol.for('cdk8s-kind-cilium.KindCiliumCluster');

/**
 * One kind + Cilium cluster. It is a cdk8s Chart: Cilium resources, gateway and workloads added
 * inside it become its manifests, and it derives the kind config and Cilium Helm values from the
 * same description, so the three cannot disagree.
 *
 * Single fields are checked when it is constructed (a {@link PlatformConfigError} naming the field).
 * Cross-object rules run when the app is validated (`app.synth()`, `Testing.synth()`, `renderBundle`),
 * on facts pulled from the constructs at that moment; rules across clusters run once per app.
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

  constructor(scope: Construct, id: string, props: KindCiliumClusterProps) {
    const spec = resolveClusterSpec(props);
    // No Chart labels: those would land on the user's objects too. The library's constructs label their
    // own objects (labelLibraryObjects).
    super(scope, id);
    Object.defineProperty(this, CLUSTER_SYMBOL, { value: true });
    this.spec = spec;
    this.node.addValidation({ validate: () => this.violations().map(formatViolation) });
    registerAppValidation(this.node.root);
  }

  /** The kind cluster name. */
  public get clusterName(): string {
    return this.spec.clusterName;
  }

  /** The kind `Cluster` config (written to `kind/<cluster>.yaml`). */
  public kindConfig(): KindClusterConfig {
    return renderKindConfig(this.spec);
  }

  /** The Cilium Helm values (written to `cilium-values/<cluster>.yaml`), from the description and the constructs now in the cluster. */
  public ciliumValues(): CiliumHelmValues {
    return this.renderValues(this.facts());
  }

  /** The platform as the rules see it, built from the constructs now in the cluster. */
  public model(): PlatformModel {
    const facts = this.facts();
    return {
      field: this.node.path,
      spec: this.spec,
      kindConfig: this.kindConfig(),
      ciliumValues: this.renderValues(facts),
      ...facts,
    };
  }

  /**
   * Every cross-object rule of this cluster it breaks, and every limit of a CRD schema one of its custom
   * objects breaks (`crd-schema`: the API server would refuse the object). Empty when consistent. Rules
   * across clusters run at app level.
   */
  public violations(): Violation[] {
    const folders = crdSchemaFolders(this.spec.ciliumMinor, this.spec.versions.gatewayApi, this.spec.versions.certManager);
    return [...checkPlatform(this.model()), ...checkCustomObjects(resolvedEntries(this), folders)];
  }

  /** Throws a {@link PlatformConfigError} listing every broken rule of this cluster. */
  public assertValid(): void {
    const violations = this.violations();
    if (violations.length > 0) throw new PlatformConfigError(violations);
  }

  private renderValues(facts: PlatformFacts): CiliumHelmValues {
    return renderCiliumValues(this.spec, ciliumFeaturesOf(facts));
  }

  /**
   * Facts pulled from the construct tree: what this library's constructs report about themselves, and
   * every Service of type LoadBalancer, whoever wrote it (a construct of this library, cdk8s-plus or a raw ApiObject).
   */
  private facts(): PlatformFacts {
    const facts = emptyFacts();
    const services: LoadBalancerServiceFact[] = [];
    for (const c of this.node.findAll()) {
      if (isPlatformFactSource(c)) mergeFacts(facts, c._platformFacts());
    }
    for (const o of apiObjectsOf(this)) {
      const service = loadBalancerService(o);
      if (service) services.push(service);
      if (o.kind === 'Namespace' && o.apiVersion === 'v1') facts.namespaces.push({ field: o.node.path, name: o.metadata.name ?? o.name });
      if (WORKLOAD_KINDS.includes(`${o.apiVersion}/${o.kind}`)) {
        facts.namespaceUses.push({ field: o.node.path, kind: o.kind, name: o.metadata.name ?? o.name, namespace: o.metadata.namespace ?? 'default' });
      }
    }
    facts.loadBalancerServices.push(...services);
    return facts;
  }
}

/** Objects that run pods or route to them: their namespace must exist. */
const WORKLOAD_KINDS = ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'apps/v1/ReplicaSet', 'batch/v1/Job', 'batch/v1/CronJob', 'v1/Pod', 'v1/Service'];

function loadBalancerService(o: ApiObject): LoadBalancerServiceFact | undefined {
  if (o.kind !== 'Service' || o.apiVersion !== 'v1') return undefined;
  const json = o.toJson() as { spec?: { type?: string }; metadata?: { annotations?: Record<string, string> } };
  if (json.spec?.type !== 'LoadBalancer') return undefined;
  const annotations = json.metadata?.annotations ?? {};
  const ips = annotations['lbipam.cilium.io/ips'];
  const sharingKey = annotations['lbipam.cilium.io/sharing-key'];
  return {
    field: o.node.path,
    name: o.metadata.name ?? o.name,
    namespace: o.metadata.namespace ?? 'default',
    ...(ips !== undefined ? { requestedIps: ips.split(',').map((ip) => ip.trim()).filter((ip) => ip.length > 0) } : {}),
    ...(sharingKey !== undefined ? { sharingKey } : {}),
  };
}
