#!/usr/bin/env node
'use strict';
// `npm run test:grammar`: tests the DynamoDB-expression injection grammar.
//  1. the committed syntaxes/*.tmLanguage.json must equal what syntaxes/src/build-grammar.js
//     generates (the JSON is generated; a hand edit would be lost on the next build);
//  2. every `include` must resolve: vscode-textmate silently ignores a missing rule, so a typo in
//     `source.python#...` would only show up as an untested, unhighlighted corner;
//  3. the assertion files test/grammar/cases/*.test.py are run by vscode-tmgrammar-test against
//     the vendored VS Code Python grammar with our injection on top.
// Exits non-zero when anything fails.
// Options: --python-grammar <file>  use another copy of the Python grammar (e.g. the one in a VS
//          Code install) instead of test/grammar/fixtures/MagicPython.tmLanguage.json.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const CONFIG = path.join(ROOT, 'test', 'grammar', 'grammars.json');
const CASES = 'test/grammar/cases/**/*.test.py';

function fail(message) {
  console.error(`test-grammar: ${message}`);
  process.exit(1);
}

function checkGenerated() {
  const { render, OUT } = require(path.join(ROOT, 'syntaxes', 'src', 'build-grammar.js'));
  if (fs.readFileSync(OUT, 'utf8') !== render()) {
    fail(`${path.relative(ROOT, OUT)} is stale: run \`node syntaxes/src/build-grammar.js\``);
  }
  return JSON.parse(fs.readFileSync(OUT, 'utf8'));
}

function collectIncludes(node, out) {
  if (Array.isArray(node)) node.forEach((n) => collectIncludes(n, out));
  else if (node && typeof node === 'object') {
    if (typeof node.include === 'string') out.push(node.include);
    Object.values(node).forEach((v) => collectIncludes(v, out));
  }
  return out;
}

function checkIncludes(injection, python) {
  const missing = collectIncludes(injection, []).filter((inc) => {
    if (inc.startsWith('#')) return !(inc.slice(1) in injection.repository);
    const [scope, rule] = inc.split('#');
    if (scope !== python.scopeName) return true;
    return rule !== undefined && !(rule in python.repository);
  });
  if (missing.length) fail(`unresolved includes: ${[...new Set(missing)].join(', ')}`);
}

function configFor(pythonGrammar) {
  if (!pythonGrammar) return CONFIG;
  // Same manifest with the host grammar swapped; paths made absolute so it can live in tmp.
  const manifest = JSON.parse(fs.readFileSync(CONFIG, 'utf8'));
  for (const g of manifest.contributes.grammars) {
    g.path = g.scopeName === 'source.python' ? path.resolve(pythonGrammar) : path.resolve(path.dirname(CONFIG), g.path);
  }
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-grammar-')), 'grammars.json');
  fs.writeFileSync(tmp, JSON.stringify(manifest));
  return tmp;
}

function main() {
  const i = process.argv.indexOf('--python-grammar');
  const pythonGrammar = i > 0 ? process.argv[i + 1] : undefined;
  if (i > 0 && !pythonGrammar) fail('--python-grammar needs a file');

  const injection = checkGenerated();
  const pythonPath = pythonGrammar || path.join(path.dirname(CONFIG), 'fixtures', 'MagicPython.tmLanguage.json');
  checkIncludes(injection, JSON.parse(fs.readFileSync(pythonPath, 'utf8')));

  const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js', { paths: [ROOT] });
  const run = spawnSync(process.execPath, [cli, '--config', configFor(pythonGrammar), CASES], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
  });
  process.stdout.write(run.stdout || '');
  process.stderr.write(run.stderr || '');
  // The CLI prints one line per file; count them for a summary CI logs can read.
  const passed = (run.stdout.match(/run successfuly\./g) || []).length;
  const failed = (run.stdout.match(/ failed$/gm) || []).length;
  console.log(`grammar: ${passed} passed, ${failed} failed`);
  if (run.status !== 0 || failed > 0 || passed === 0) process.exit(1);
}

main();
