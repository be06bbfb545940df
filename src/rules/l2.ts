import { Violation } from '../errors';
import { exampleInterface, kprEnabled, v, values } from './common';
import { ClusterRule } from './rule';
import { compileRe2, l2InterfaceForDevice } from '../private/re2';

/** L2 announcements: the policy, the Helm switch and the interfaces. */
export const L2_RULES: readonly ClusterRule[] = [
  {
    id: 'l2-needs-l2announcements',
    emits: ['l2-announces-nothing', 'l2-needs-kube-proxy-replacement', 'l2-needs-l2announcements'],
    summary: 'an L2 announcement policy needs l2announcements.enabled and kube-proxy replacement',
    check: (m) => m.l2Policies.flatMap((p) => {
      const out: Violation[] = [];
      if (values(m).l2announcements?.enabled !== true) {
        out.push(v('l2-needs-l2announcements', p.field, 'the policy exists but Cilium l2announcements is not enabled, so no ARP answers are sent',
          `set l2Announcements: { enabled: true } on the cluster ${m.spec.clusterName}`));
      }
      if (!kprEnabled(m)) {
        out.push(v('l2-needs-kube-proxy-replacement', p.field, 'L2 announcements require kube-proxy replacement',
          `set kubeProxyReplacement: true on the cluster ${m.spec.clusterName}`));
      }
      if (!p.loadBalancerIPs && !p.externalIPs) {
        out.push(v('l2-announces-nothing', p.field, 'neither loadBalancerIPs nor externalIPs is announced', 'set loadBalancerIPs: true'));
      }
      return out;
    }),
  },
  {
    id: 'l2-interfaces-match-devices',
    emits: ['l2-interfaces-match-devices'],
    suggests: ['l2-interfaces-match-devices'],
    summary: 'every L2 policy interface regex matches a Cilium device',
    check: (m) => {
      // The devices prop owns the Helm key `devices` (an override of it is refused: helm-value-owned-by-prop).
      const devices = m.spec.devices;
      return m.l2Policies.flatMap((p) => p.interfaces.flatMap((re, i) => {
        // Cilium matches interfaces with Go's regexp (RE2, unanchored MatchString): RE2 decides, never RegExp.
        const compiled = compileRe2(re);
        if (!compiled.ok) {
          return [v('l2-interfaces-match-devices', `${p.field}.interfaces[${i}]`, `"${re}" is not a valid RE2 regular expression: ${compiled.error}`,
            'use a regex such as ^eth[0-9]+$', { target: 'construct-props', path: ['interfaces', i], value: '^eth[0-9]+$' })];
        }
        if (devices.some((d) => compiled.regex.matcher(exampleInterface(d)).find())) return [];
        const suggestion = l2InterfaceForDevice(devices[0] ?? 'eth0');
        return [v('l2-interfaces-match-devices', `${p.field}.interfaces[${i}]`,
          `"${re}" matches none of the Cilium devices [${devices.join(', ')}], so no node answers ARP for the pool`,
          `use a regex matching the devices (e.g. ${suggestion}) or add the interface to the cluster's devices`,
          { target: 'construct-props', path: ['interfaces', i], value: suggestion })];
      }));
    },
  },
  {
    id: 'l2announcements-need-kpr',
    emits: ['l2announcements-need-kpr'],
    summary: 'L2 announcements run only with kube-proxy replacement',
    check: (m) => values(m).l2announcements?.enabled === true && !kprEnabled(m) ? [v('l2announcements-need-kpr', `${m.field}.l2Announcements`,
      'Cilium L2 announcements require kube-proxy replacement; without it no LoadBalancer IP is announced',
      'set kubeProxyReplacement: true, or drop l2Announcements')] : [],
  },
];
