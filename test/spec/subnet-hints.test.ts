import { App } from 'cdk8s';
import { KindCiliumCluster, KindCiliumClusterProps, PlatformConfigError } from '../../src';

/**
 * A subnet hint is a fix only when the cluster accepts it (trust issue 19, point 8: the IPv6 dockerNetworkSubnet hint
 * named 10.244.0.0/16, which then overlapped the pod subnet). For every subnet prop, every kind of refusal (IPv6,
 * host bits, not a CIDR, out of kubeadm's size limits), on descriptions whose other subnets sit where the defaults
 * would be named: the example the fix names, once set, is accepted with no violation.
 */

type Props = Omit<KindCiliumClusterProps, 'clusterName'>;
type SubnetField = 'podSubnet' | 'serviceSubnet' | 'dockerNetworkSubnet' | 'masquerade.nonMasqueradeCidrs';

const BASES: readonly Props[] = [
  {},
  { podSubnet: '10.96.0.0/16', serviceSubnet: '10.244.0.0/16' },
  { podSubnet: '10.245.0.0/16', serviceSubnet: '10.244.0.0/16' },
  { podSubnet: '172.18.0.0/16', dockerNetworkSubnet: '172.19.0.0/16' },
  { serviceSubnet: '172.18.0.0/16', dockerNetworkSubnet: '10.88.0.0/16' },
  { podSubnet: '10.96.0.0/16', serviceSubnet: '10.97.0.0/16', dockerNetworkSubnet: '10.244.0.0/16' },
];

const ALWAYS_BAD = ['fd00:10:244::/56', '2001:db8::/64', '::/0', '10.244.0.1/16', 'not-a-cidr', '10.244.0.0'];
const BAD: Readonly<Record<SubnetField, readonly string[]>> = {
  'podSubnet': [...ALWAYS_BAD, '10.0.0.0/25', '10.0.0.0/7'],
  'serviceSubnet': [...ALWAYS_BAD, '10.0.0.0/11', '10.0.0.0/29'],
  'dockerNetworkSubnet': ALWAYS_BAD,
  'masquerade.nonMasqueradeCidrs': ALWAYS_BAD,
};

function withField(base: Props, field: SubnetField, value: string): Props {
  if (field === 'masquerade.nonMasqueradeCidrs') return { ...base, masquerade: { nonMasqueradeCidrs: [value] } };
  return { ...base, [field]: value };
}

const build = (props: Props) => new KindCiliumCluster(new App(), 'dev', { clusterName: 'dev', ...props });

const ROWS = BASES.flatMap((base) => (Object.keys(BAD) as SubnetField[]).flatMap((field) => BAD[field].map((bad) => ({ base, field, bad }))));

test('every base description is accepted', () => {
  for (const base of BASES) expect([base, build(base).violations()]).toEqual([base, []]);
});

test.each(ROWS)('$field: $bad on $base is refused with an example that is accepted', ({ base, field, bad }) => {
  let error: unknown;
  try {
    build(withField(base, field, bad));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PlatformConfigError);
  const [violation] = (error as PlatformConfigError).violations;
  expect(violation.field).toBe(field === 'masquerade.nonMasqueradeCidrs' ? 'dev.masquerade.nonMasqueradeCidrs[0]' : `dev.${field}`);
  const example = /e\.g\. (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(violation.fix)?.[1];
  expect([violation.fix, example]).toEqual([violation.fix, expect.any(String)]);
  const fixed = withField(base, field, example!);
  expect([fixed, build(fixed).violations()]).toEqual([fixed, []]);
});

test('subnets-overlap suggests moving the cluster\'s own subnet (never the docker network docker made) to a free range', () => {
  const cases: Props[] = [
    { dockerNetworkSubnet: '10.244.0.0/16' },
    { serviceSubnet: '10.244.0.0/16' },
    { podSubnet: '172.18.0.0/16' },
    { podSubnet: '10.96.0.0/12', serviceSubnet: '10.96.0.0/16' },
  ];
  for (const props of cases) {
    const overlaps = build(props).violations().filter((v) => v.rule === 'subnets-overlap');
    expect(overlaps.length).toBeGreaterThan(0);
    let fixed: Record<string, unknown> = { ...props };
    for (const v of overlaps) {
      expect(v.suggestion?.target).toBe('cluster-props');
      expect(v.suggestion?.path).not.toEqual(['dockerNetworkSubnet']);
      expect(v.fix).toContain(String(v.suggestion!.value));
      fixed = { ...fixed, [v.suggestion!.path[0]]: v.suggestion!.value };
    }
    expect([fixed, build(fixed as Props).violations()]).toEqual([fixed, []]);
  }
});
