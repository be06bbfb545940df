/**
 * `node synth-app-child.js <root> <campaign app name>`: builds that app (`campaign-apps.ts`) and runs the whole
 * `synthesizeBundle` (lock, recovery, render, key check, write) in its own process, with the hooks of `synth-child.ts`.
 */
import { campaignApp } from './campaign-apps';
import { childMain } from './child-hooks';
import { synthesizeBundle } from '../../src';

childMain((root, name) => {
  synthesizeBundle(campaignApp(name), { rootDir: root, cdk8sOutdir: undefined });
});
