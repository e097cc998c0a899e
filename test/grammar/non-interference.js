'use strict';
// Differential check: tokenizes real Python files with and without the injection and requires
// the same scopes everywhere except inside the strings the injection highlights (and their
// quotes/prefixes, and the parameter name before them). A begin/end rule that fails to close
// would shift every later line of the file, so this catches state leaks that hand-written
// assertions only sample.
const fs = require('fs');
const path = require('path');
const { loadConfiguration, createRegistry } = require('vscode-tmgrammar-test/dist/common/index');

const OURS = /(^| )meta\.(expression|statement\.partiql)\.dynamodb( |$)/;
// Scopes that legitimately differ on the edges of an injected value.
const EDGE = /(^| )(punctuation\.definition\.string\.(begin|end)\.python|storage\.type\.string\.python|variable\.parameter\.function-call\.python|keyword\.operator\.assignment\.python)( |$)/;

function charScopes(tokens, length) {
  const out = new Array(length + 1).fill('');
  for (const t of tokens) {
    const s = t.scopes.slice(1).filter((x) => !x.endsWith('.dynamodb')).join(' ');
    for (let i = t.startIndex; i < Math.min(t.endIndex, out.length); i++) out[i] = s;
  }
  return out;
}

function rawScopes(tokens, i) {
  const t = tokens.find((tok) => tok.startIndex <= i && i < tok.endIndex);
  return t ? t.scopes.join(' ') : '';
}

/** Returns a list of human-readable differences (empty when the files tokenize alike). */
async function compareFiles(configPath, files) {
  const { grammars } = loadConfiguration(configPath, undefined, []);
  const withInjection = await createRegistry(grammars).loadGrammar('source.python');
  const plain = await createRegistry(grammars.filter((g) => !g.injectTo)).loadGrammar('source.python');
  const problems = [];
  for (const file of files) {
    let a = null;
    let b = null;
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n];
      const ra = withInjection.tokenizeLine(line, a);
      const rb = plain.tokenizeLine(line, b);
      a = ra.ruleStack;
      b = rb.ruleStack;
      const sa = charScopes(ra.tokens, line.length);
      const sb = charScopes(rb.tokens, line.length);
      for (let i = 0; i < line.length; i++) {
        if (sa[i] === sb[i]) continue;
        const full = rawScopes(ra.tokens, i);
        if (OURS.test(full) || EDGE.test(full)) continue;
        problems.push(`${file}:${n + 1}:${i + 1}: ${JSON.stringify(line.trim().slice(0, 80))}\n    with injection: ${sa[i]}\n    without:        ${sb[i]}`);
        break;
      }
    }
  }
  return problems;
}

/** Every .py file under the given directories (relative to root), skipping node_modules. */
function pythonFiles(root, dirs) {
  const out = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
    }
  };
  dirs.forEach((d) => walk(path.join(root, d)));
  return out.sort();
}

module.exports = { compareFiles, pythonFiles };
