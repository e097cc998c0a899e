#!/usr/bin/env node
// Findings per rule on a corpus of real code, and the analysis work per file (the budget's
// unit): `node bench/corpus.js <corpus-path> [--json]`. Runs the analyzer in-process with the
// whole corpus indexed (the CLI's two passes), so layered findings are counted too.
'use strict';
const fs = require('fs');
const path = require('path');
const { Analyzer, InMemoryWorkspaceIndex, mayExport, summarizeDocument, DEFAULT_SETTINGS } = require('../server/out/analysis');

function pythonFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) pythonFiles(p, out);
    else if (e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

async function main() {
  const root = path.resolve(process.argv[2] ?? '.');
  const analyzer = await Analyzer.create();
  const files = pythonFiles(root);
  const index = new InMemoryWorkspaceIndex([root]);
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  for (const [f, text] of texts) {
    if (!mayExport(text)) continue;
    const doc = analyzer.createDocument(text);
    try {
      index.set(f, summarizeDocument(doc, DEFAULT_SETTINGS, f));
    } finally {
      doc.dispose();
    }
  }
  const perRule = new Map();
  let layered = 0;
  let errors = 0;
  let maxWork = { work: 0, file: '' };
  const started = process.hrtime.bigint();
  for (const [f, text] of texts) {
    const r = analyzer.analyzeText(text, { path: f, workspace: index });
    if (r.errors) errors += r.errors.length;
    if ((r.work ?? 0) > maxWork.work) maxWork = { work: r.work, file: path.relative(root, f) };
    for (const x of r.findings) {
      perRule.set(x.rule, (perRule.get(x.rule) ?? 0) + 1);
      if (x.related.some((rel) => /DynamoDB call `\w+` is made here/.test(rel.message))) layered++;
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const total = [...perRule.values()].reduce((a, b) => a + b, 0);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ files: files.length, total, layered, errors, perRule: Object.fromEntries(perRule), maxWork, ms }));
    return;
  }
  console.log(`${files.length} files, ${total} findings (${layered} through layers), ${errors} analysis errors, ${ms.toFixed(0)} ms`);
  for (const [rule, n] of [...perRule].sort()) console.log(`  ${rule} ${n}`);
  console.log(`most work in one file: ${maxWork.work} steps (${maxWork.file})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
