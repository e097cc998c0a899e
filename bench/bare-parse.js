#!/usr/bin/env node
'use strict';
// The floor for the CLI's throughput: walk the same directories, read every *.py file and parse
// it with tree-sitter (web-tree-sitter + tree-sitter-python wasm, as the analyzer does), nothing
// else. Prints one JSON document: {files, lines, bytes, syntaxErrorFiles, durationMs}.
//
// Usage: node bench/bare-parse.js [DIR ...]   (default: bench/corpus)

const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');

const started = performance.now();
// The CLI's default skips; no .gitignore handling (the corpus has none below its root).
const SKIP = new Set(['.venv', 'venv', 'node_modules', '.git', '__pycache__', 'site-packages']);

function walk(dir, out) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) walk(abs, out);
    } else if (e.isFile() && e.name.endsWith('.py')) {
      out.push(abs);
    }
  }
  return out;
}

async function main() {
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init({ locateFile: () => require.resolve('web-tree-sitter/tree-sitter.wasm') });
  const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);

  const roots = process.argv.length > 2 ? process.argv.slice(2) : [path.join(__dirname, 'corpus')];
  const files = [];
  for (const r of roots) {
    const abs = path.resolve(r);
    if (fs.statSync(abs).isDirectory()) walk(abs, files);
    else files.push(abs);
  }
  let lines = 0;
  let bytes = 0;
  let syntaxErrorFiles = 0;
  for (const file of files) {
    const buf = fs.readFileSync(file);
    bytes += buf.length;
    const text = buf.toString('utf8');
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    if (text.length && !text.endsWith('\n')) lines++;
    const tree = parser.parse(text);
    if (!tree) throw new Error(`no tree for ${file}`);
    if (tree.rootNode.hasError) syntaxErrorFiles++;
    tree.delete();
  }
  process.stdout.write(JSON.stringify({ files: files.length, lines, bytes, syntaxErrorFiles, durationMs: Math.round(performance.now() - started) }) + '\n');
}

main().catch((e) => {
  console.error(`bare-parse: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
