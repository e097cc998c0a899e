#!/usr/bin/env node
'use strict';
// `npm run test:grammar`: tests the DynamoDB-expression injection grammar.
//  1. the committed syntaxes/*.tmLanguage.json must equal what syntaxes/src/build-grammar.js
//     generates (the JSON is generated; a hand edit would be lost on the next build);
//  2. every `include` must resolve: vscode-textmate silently ignores a missing rule, so a typo in
//     `source.python#...` would only show up as an untested, unhighlighted corner;
//  3. the assertion files test/grammar/cases/*.test.py are run by vscode-tmgrammar-test against
//     the vendored VS Code Python grammar with our injection on top;
//  4. the repository's Python files must tokenize exactly as without the injection outside the
//     strings it highlights (test/grammar/non-interference.js).
// Exits non-zero when anything fails.
// Options: --python-grammar <file>  use another copy of the Python grammar (e.g. the one in a VS
//          Code install) instead of test/grammar/fixtures/MagicPython.tmLanguage.json.
//          --corpus <dir>           add a directory to the step-4 corpus (repeatable), e.g. bench/corpus.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const CONFIG = path.join(ROOT, 'test', 'grammar', 'grammars.json');
const CASES = 'test/grammar/cases/**/*.test.py';
// Small enough to stay well under a second; bench/corpus (100k lines) is opt-in via --corpus.
const CORPUS = ['examples', 'test/fixtures', 'test/grammar/cases'];

function fail(message) {
  console.error(`test-grammar: ${message}`);
  process.exit(1);
}

function checkGenerated() {
  const { render, OUT } = require(path.join(ROOT, 'syntaxes', 'src', 'build-grammar.js'));
  // CRLF-tolerant: a Windows checkout with autocrlf must not read as stale.
  if (fs.readFileSync(OUT, 'utf8').replace(/\r\n/g, '\n') !== render()) {
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
  // Same manifest with the host grammar swapped. vscode-tmgrammar-test joins every path onto the
  // manifest's folder (even absolute ones), so paths are rewritten relative to the temp folder.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-grammar-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const manifest = JSON.parse(fs.readFileSync(CONFIG, 'utf8'));
  for (const g of manifest.contributes.grammars) {
    const abs = g.scopeName === 'source.python' ? path.resolve(pythonGrammar) : path.resolve(path.dirname(CONFIG), g.path);
    g.path = path.relative(dir, abs);
  }
  fs.writeFileSync(path.join(dir, 'grammars.json'), JSON.stringify(manifest));
  return path.join(dir, 'grammars.json');
}

function optionValues(name) {
  const values = [];
  process.argv.forEach((arg, i) => {
    if (arg !== name) return;
    if (!process.argv[i + 1]) fail(`${name} needs a value`);
    values.push(process.argv[i + 1]);
  });
  return values;
}

async function checkNonInterference(config, extraDirs) {
  const { compareFiles, pythonFiles } = require(path.join(ROOT, 'test', 'grammar', 'non-interference.js'));
  const files = pythonFiles(ROOT, [...CORPUS, ...extraDirs]);
  const problems = await compareFiles(config, files);
  problems.slice(0, 20).forEach((p) => console.error(p));
  console.log(`${problems.length ? '✖' : '✓'} non-interference: ${files.length} Python files, ${problems.length} lines differ outside injected strings`);
  return problems.length === 0;
}

async function main() {
  const pythonGrammar = optionValues('--python-grammar').pop();

  const injection = checkGenerated();
  const pythonPath = pythonGrammar || path.join(path.dirname(CONFIG), 'fixtures', 'MagicPython.tmLanguage.json');
  checkIncludes(injection, JSON.parse(fs.readFileSync(pythonPath, 'utf8')));

  const cli = require.resolve('vscode-tmgrammar-test/dist/unit.js', { paths: [ROOT] });
  const config = configFor(pythonGrammar);
  const run = spawnSync(process.execPath, [cli, '--config', config, CASES], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
  });
  process.stdout.write(run.stdout || '');
  process.stderr.write(run.stderr || '');
  // The CLI prints one line per file; count them for a summary CI logs can read.
  let passed = (run.stdout.match(/run successfuly\./g) || []).length;
  let failed = (run.stdout.match(/ failed$/gm) || []).length;
  if (run.status !== 0 && failed === 0) failed = 1; // parse error or crash: reported above
  if (await checkNonInterference(config, optionValues('--corpus'))) passed++;
  else failed++;
  console.log(`grammar: ${passed} passed, ${failed} failed`);
  if (failed > 0 || passed === 0) process.exit(1);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
