import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { renderWorkflows } from './bundle/ci-workflows';
import { renderBundleWithPlans } from './bundle/render';
import { addAllPresets } from './presets/index';

// `npx projen workflows`: writes .github/workflows/ci.yml and e2e.yml from the default app's bundle (every preset).
const root = process.argv[2] ?? process.cwd();
const app = new App();
addAllPresets(app);
for (const file of renderWorkflows(renderBundleWithPlans(app))) {
  const target = path.join(root, file.path);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}
