// The API reference (docs/api.md), rendered from the public exports of src/index.ts and their doc comments with
// the TypeScript compiler API: every exported class, interface, type, function and constant, in the order and
// sections of src/index.ts, with each public member's type, doc comment and @default. Deterministic (no dates,
// no absolute paths), so a test can compare the committed file with a fresh rendering.
'use strict';
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..');
const INDEX = path.join(ROOT, 'src', 'index.ts');

const HEADER = [
  '# API reference',
  '',
  '<!-- generated from the doc comments of src/index.ts\'s exports by scripts/render-docs.js (npm run docs); do not edit -->',
  '',
  'Every public export of `cdk8s-kind-cilium`, in the sections of `src/index.ts`. Members inherited from cdk8s',
  '(`Chart`, `ApiObject`, `Construct`) are not repeated. Regenerate with `npm run docs`; a test fails when this file',
  'is stale.',
  '',
];

/** A doc comment's parts as Markdown: `{@link X}` becomes `X` in backticks. */
function partsToMarkdown(parts) {
  let out = '';
  let inLink = false;
  let linkTarget = '';
  let linkText = '';
  for (const p of parts ?? []) {
    if (p.kind === 'link') {
      if (p.text.startsWith('{@link')) { inLink = true; linkTarget = ''; linkText = ''; } else if (inLink) {
        out += `\`${(linkText || linkTarget).trim()}\``;
        inLink = false;
      }
    } else if (inLink) {
      if (p.kind === 'linkText') linkText += p.text; else linkTarget += p.text;
    } else {
      out += p.text;
    }
  }
  return out.trim();
}

function tagText(tag) {
  if (typeof tag.text === 'string') return tag.text.trim();
  return partsToMarkdown(tag.text);
}

/** The doc comment of a symbol: its text and the tags a reader needs (@default, @deprecated, @example, @see). */
function docOf(symbol, checker) {
  const text = partsToMarkdown(symbol.getDocumentationComment(checker));
  const tags = symbol.getJsDocTags(checker);
  const internal = tags.some((t) => t.name === 'internal');
  const extra = [];
  for (const t of tags) {
    const value = tagText(t);
    if (t.name === 'default') extra.push(`Default: ${value.startsWith('-') ? value.replace(/^-\s*/, '') : value.includes('`') ? value : `\`${value}\``}.`);
    else if (t.name === 'deprecated') extra.push(`**Deprecated.** ${value}`);
    else if (t.name === 'see') extra.push(`See ${value}.`);
    else if (t.name === 'example') extra.push(`Example:\n\n${value.includes('```') ? value : `\`\`\`ts\n${value}\n\`\`\``}`);
  }
  return { text, extra, internal };
}

/** One line of source text, comments dropped and runs of whitespace collapsed (types spread over lines stay readable in a table). */
const oneLine = (s) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').replace(/\{ ;?/g, '{ ').trim();

function typeText(decl, symbol, checker) {
  if (decl && decl.type) return oneLine(decl.type.getText());
  return checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl ?? symbol.valueDeclaration), undefined, ts.TypeFormatFlags.NoTruncation);
}

function signatureText(name, decl) {
  const typeParams = decl.typeParameters ? `<${decl.typeParameters.map((t) => oneLine(t.getText())).join(', ')}>` : '';
  const params = decl.parameters.map((p) => oneLine(p.getText())).join(', ');
  const ret = decl.type ? `: ${oneLine(decl.type.getText())}` : '';
  return `${name}${typeParams}(${params})${ret}`;
}

function isPublicMember(member) {
  const flags = ts.getCombinedModifierFlags(member);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  if (member.name && ts.isPrivateIdentifier(member.name)) return false;
  return true;
}

function indent(text) {
  return text.split('\n').map((l) => (l.length > 0 ? `  ${l}` : l)).join('\n');
}

/** A member as a list item: name, type, doc comment, tags. */
function memberItem(label, doc) {
  const body = [doc.text || '*(no doc comment)*', ...doc.extra].join('\n\n');
  return `- ${label}\n${indent(body)}`;
}

/** The members (properties, methods, constructor) declared by a class or interface itself. */
function members(decl, checker, undocumented, owner) {
  const items = [];
  for (const m of decl.members) {
    if (!isPublicMember(m)) continue;
    if (ts.isIndexSignatureDeclaration(m)) {
      items.push(`- \`${oneLine(m.getText()).replace(/;$/, '')}\``);
      continue;
    }
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (ts.getCombinedModifierFlags(p) & (ts.ModifierFlags.Public | ts.ModifierFlags.Readonly)) {
          // parameter properties are members too
          const sym = checker.getSymbolAtLocation(p.name);
          if (sym) items.push(memberItem(`\`${p.name.getText()}\`: \`${typeText(p, sym, checker)}\``, docOf(sym, checker)));
        }
      }
      continue;
    }
    const sym = m.name ? checker.getSymbolAtLocation(m.name) : undefined;
    if (!sym) continue;
    const doc = docOf(sym, checker);
    if (doc.internal) continue;
    const name = m.name.getText();
    const isStatic = ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static ? 'static ' : '';
    if (!doc.text) undocumented.push(`${owner}.${name}`);
    if (ts.isMethodDeclaration(m) || ts.isMethodSignature(m)) {
      items.push(memberItem(`\`${isStatic}${signatureText(name, m)}\``, doc));
    } else if (ts.isGetAccessorDeclaration(m)) {
      items.push(memberItem(`\`${isStatic}${name}\`: \`${m.type ? oneLine(m.type.getText()) : typeText(undefined, sym, checker)}\` (read-only)`, doc));
    } else if (ts.isSetAccessorDeclaration(m)) {
      continue;
    } else {
      const optional = m.questionToken ? '?' : '';
      items.push(memberItem(`\`${isStatic}${name}${optional}\`: \`${typeText(m, sym, checker)}\``, doc));
    }
  }
  return items;
}

function heritage(decl) {
  return (decl.heritageClauses ?? []).map((h) => oneLine(h.getText())).join(' ');
}

/** The Markdown of one exported symbol. */
function renderSymbol(exportName, symbol, checker, undocumented) {
  const decl = symbol.declarations?.[0];
  if (!decl) return undefined;
  const doc = docOf(symbol, checker);
  if (doc.internal) return undefined;
  if (!doc.text) undocumented.push(exportName);
  const out = [];
  const docBlock = [doc.text || '*(no doc comment)*', ...doc.extra].join('\n\n');
  if (ts.isClassDeclaration(decl)) {
    out.push(`### class \`${exportName}\``, '');
    const h = heritage(decl);
    out.push(`\`class ${exportName}${h ? ` ${h}` : ''}\``, '', docBlock, '');
    const ctor = decl.members.find(ts.isConstructorDeclaration);
    if (ctor) {
      const ctorSym = checker.getSymbolAtLocation(ctor.getChildren().find((c) => c.kind === ts.SyntaxKind.ConstructorKeyword) ?? ctor);
      out.push(`\`new ${signatureText(exportName, ctor)}\``, '');
      const ctorDoc = ctorSym ? partsToMarkdown(ctorSym.getDocumentationComment(checker)) : '';
      if (ctorDoc && ctorDoc !== doc.text) out.push(ctorDoc, '');
    }
    const items = members(decl, checker, undocumented, exportName);
    if (items.length > 0) out.push(...items, '');
  } else if (ts.isInterfaceDeclaration(decl)) {
    const h = heritage(decl);
    out.push(`### interface \`${exportName}\``, '');
    if (h) out.push(`\`interface ${exportName} ${h}\``, '');
    out.push(docBlock, '');
    const items = members(decl, checker, undocumented, exportName);
    if (items.length > 0) out.push(...items, '');
  } else if (ts.isTypeAliasDeclaration(decl)) {
    out.push(`### type \`${exportName}\``, '', '```ts', `type ${exportName}${decl.typeParameters ? `<${decl.typeParameters.map((t) => t.getText()).join(', ')}>` : ''} = ${decl.type.getText()};`, '```', '', docBlock, '');
  } else if (ts.isFunctionDeclaration(decl)) {
    out.push(`### function \`${exportName}\``, '', '```ts', `function ${signatureText(exportName, decl)}`, '```', '', docBlock, '');
  } else if (ts.isVariableDeclaration(decl)) {
    out.push(`### const \`${exportName}\``, '', `\`${exportName}: ${typeText(decl, symbol, checker)}\``, '', docBlock, '');
  } else if (ts.isEnumDeclaration(decl)) {
    out.push(`### enum \`${exportName}\``, '', docBlock, '', ...decl.members.map((m) => `- \`${m.name.getText()}\``), '');
  } else {
    return undefined;
  }
  return out.join('\n');
}

/** The section headings of src/index.ts (`// ---- Name ----` comments) before each export statement. */
function sectionOf(statement, source) {
  const ranges = ts.getLeadingCommentRanges(source.text, statement.pos) ?? [];
  for (const r of ranges.reverse()) {
    const m = /^\/\/\s*-+\s*(.*?)\s*-+\s*$/.exec(source.text.slice(r.pos, r.end));
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Renders docs/api.md. Returns `{ markdown, undocumented }`: `undocumented` names every public export or member
 * without a doc comment (the rendering marks them too).
 */
function renderApiDocs() {
  const options = {
    strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true,
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, rootDir: ROOT, types: [],
  };
  const program = ts.createProgram([INDEX], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(INDEX);
  const undocumented = [];
  const sections = [];
  let current;
  for (const st of source.statements) {
    if (!ts.isExportDeclaration(st)) continue;
    const title = sectionOf(st, source);
    if (title || !current) {
      current = { title: title ?? 'Exports', blocks: [] };
      sections.push(current);
    }
    if (st.exportClause && ts.isNamespaceExport(st.exportClause)) {
      const name = st.exportClause.name.text;
      const from = st.moduleSpecifier.text;
      current.blocks.push(`### namespace \`${name}\`\n\nThe cdk8s bindings generated from the upstream CRDs (\`${from.replace(/^\.\.\//, '')}.ts\`, \`npx projen import\`, every \`description\` removed): one L1 class per kind, e.g. \`${name}.<Kind>\`, with its props interfaces.\n`);
      continue;
    }
    if (!st.exportClause || !ts.isNamedExports(st.exportClause)) continue;
    for (const el of st.exportClause.elements) {
      let sym = checker.getSymbolAtLocation(el.name);
      if (!sym) continue;
      if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const block = renderSymbol(el.name.text, sym, checker, undocumented);
      if (block) current.blocks.push(block);
    }
  }
  const toc = sections.map((s) => `- [${s.title}](#${s.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')})`);
  const body = sections.flatMap((s) => [`## ${s.title}`, '', ...s.blocks]);
  const markdown = `${[...HEADER, ...toc, '', ...body].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  return { markdown, undocumented };
}

module.exports = { renderApiDocs };
