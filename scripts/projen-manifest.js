#!/usr/bin/env node
// Writes `.jsii` at the package root: the manifest projen reads (node_modules/projen/lib/inventory.js, `readManifest`
// and `discover`) to find the lab project type when a user runs `npx projen new --from cdk8s-kind-cilium`, and again
// on every `npx projen` of such a lab (`.projenrc.json` names the type). This package is not built with jsii: the
// manifest describes only that one class and its options struct, read from the TypeScript sources:
//   src/projen/lab-project.ts          the class KindCiliumLabProject (its doc comment; base: projen.Project)
//   src/projen/lab-project-options.ts  the interface KindCiliumLabProjectOptions (properties, optionality, docs, @default)
//   node scripts/projen-manifest.js            # write .jsii when stale
//   node scripts/projen-manifest.js --check    # exit 1 when .jsii is stale (writes nothing)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const CLASS = 'KindCiliumLabProject';
const OPTIONS = 'KindCiliumLabProjectOptions';
/** The `projen new` name of the type (projen would derive `kind_cilium_lab` from the class name). */
const PJID = 'kind-cilium-lab';

function parse(file) {
  const abs = path.join(root, file);
  return ts.createSourceFile(abs, fs.readFileSync(abs, 'utf8'), ts.ScriptTarget.ES2020, true);
}

/** The doc comment of a node: its summary (first sentence), remarks (the rest) and its `@default`. */
function docsOf(node) {
  const jsDoc = (node.jsDoc ?? [])[0];
  if (!jsDoc) throw new Error(`${node.name?.getText()} has no doc comment`);
  const text = ts.getTextOfJSDocComment(jsDoc.comment) ?? '';
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  const docs = { summary: end < 0 ? flat : flat.slice(0, end + 1) };
  if (end >= 0 && flat.slice(end + 1).trim() !== '') docs.remarks = flat.slice(end + 1).trim();
  for (const tag of jsDoc.tags ?? []) {
    if (tag.tagName.text === 'default') docs.default = (ts.getTextOfJSDocComment(tag.comment) ?? '').replace(/\s+/g, ' ').trim();
  }
  return docs;
}

/** jsii type reference of a property type: string, number, boolean and arrays of them (all `projen new` can pass). */
function typeOf(node, where) {
  const text = node.getText().replace(/^readonly\s+/, '');
  const primitive = { string: 'string', number: 'number', boolean: 'boolean' };
  if (primitive[text]) return { primitive: primitive[text] };
  const array = /^(string|number|boolean)\[\]$/.exec(text);
  if (array) return { collection: { kind: 'array', elementtype: { primitive: array[1] } } };
  throw new Error(`${where}: type ${text} has no jsii form here (use string, number, boolean or an array of them)`);
}

/** The manifest object, deterministic for given sources and package.json. */
function projenManifest() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const assembly = pkg.name;
  const optionsFile = parse('src/projen/lab-project-options.ts');
  const iface = optionsFile.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === OPTIONS);
  if (!iface) throw new Error(`src/projen/lab-project-options.ts has no interface ${OPTIONS}`);
  const classFile = parse('src/projen/lab-project.ts');
  const cls = classFile.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === CLASS);
  if (!cls) throw new Error(`src/projen/lab-project.ts has no class ${CLASS}`);
  const base = cls.heritageClauses?.[0]?.types[0]?.expression.getText();
  if (base !== 'Project') throw new Error(`${CLASS} must extend projen's Project (the manifest says projen.Project), not ${base}`);

  const properties = iface.members.filter(ts.isPropertySignature).map((m) => {
    const name = m.name.getText();
    const prop = { abstract: true, docs: docsOf(m), immutable: true, name, type: typeOf(m.type, `${OPTIONS}.${name}`) };
    if (m.questionToken) prop.optional = true;
    return prop;
  });
  const types = {
    [`${assembly}.${CLASS}`]: {
      assembly,
      base: 'projen.Project',
      docs: { ...docsOf(cls), custom: { pjid: PJID } },
      fqn: `${assembly}.${CLASS}`,
      initializer: { parameters: [{ name: 'options', type: { fqn: `${assembly}.${OPTIONS}` } }] },
      kind: 'class',
      name: CLASS,
    },
    [`${assembly}.${OPTIONS}`]: {
      assembly,
      datatype: true,
      docs: docsOf(iface),
      fqn: `${assembly}.${OPTIONS}`,
      kind: 'interface',
      name: OPTIONS,
      properties,
    },
  };
  const body = {
    schema: 'jsii/0.10.0',
    name: assembly,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    homepage: pkg.homepage ?? '',
    repository: { type: 'git', url: pkg.repository?.url ?? '' },
    author: { name: pkg.author?.name ?? assembly, roles: ['author'] },
    jsiiVersion: 'none (hand-written by scripts/projen-manifest.js; describes the projen project type only)',
    // No `dependencies`: projen would resolve each from the package folder; it always reads its own manifest anyway.
    types,
  };
  const fingerprint = crypto.createHash('sha256').update(JSON.stringify(body)).digest('base64');
  return { ...body, fingerprint };
}

function render() {
  return `${JSON.stringify(projenManifest(), undefined, 2)}\n`;
}

module.exports = { projenManifest, render, PJID };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== '--check')) {
    process.stderr.write('usage: node scripts/projen-manifest.js [--check]\n');
    process.exit(2);
  }
  const file = path.join(root, '.jsii');
  const fresh = render();
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === fresh) process.exit(0);
  if (args.includes('--check')) {
    process.stderr.write('.jsii is stale: run `npm run projen-manifest` (node scripts/projen-manifest.js)\n');
    process.exit(1);
  }
  fs.writeFileSync(file, fresh);
  process.stderr.write('wrote .jsii\n');
}
