import { renderApplyScript } from './apply';
import { renderPreflightScript } from './preflight';
import { renderTeardownScript } from './teardown';
import { renderVerifyScript } from './verify';
import { ClusterOpsPlan } from '../ops-plan';

/** The scripts of one cluster, by file name, in the order a person runs them. */
export function renderClusterScripts(plan: ClusterOpsPlan): { readonly name: string; readonly content: string }[] {
  return [
    { name: 'preflight.sh', content: renderPreflightScript(plan) },
    { name: 'apply.sh', content: renderApplyScript(plan) },
    { name: 'verify.sh', content: renderVerifyScript(plan) },
    { name: 'teardown.sh', content: renderTeardownScript(plan) },
  ];
}
