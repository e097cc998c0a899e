#!/usr/bin/env node
'use strict';
// Debugging aid for writing assertions: prints every token of a Python file with its scopes,
// tokenized by the same grammars and registry as the tests.
// Usage: node test/grammar/dump-tokens.js file.py [--plain]   (--plain: without the injection)
const fs = require('fs');
const path = require('path');
const { loadConfiguration, createRegistry } = require('vscode-tmgrammar-test/dist/common/index');

const file = process.argv[2];
if (!file) {
  console.error('usage: dump-tokens.js <file.py> [--plain]');
  process.exit(2);
}
const { grammars } = loadConfiguration(path.join(__dirname, 'grammars.json'), undefined, []);
const used = process.argv.includes('--plain') ? grammars.filter((g) => !g.injectTo) : grammars;
createRegistry(used)
  .loadGrammar('source.python')
  .then((grammar) => {
    let stack = null;
    fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, n) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      console.log(`${n + 1}: ${line}`);
      for (const t of r.tokens) {
        const text = line.slice(t.startIndex, t.endIndex);
        console.log(`   ${t.startIndex}-${t.endIndex} ${JSON.stringify(text)}  ${t.scopes.slice(1).join(' ')}`);
      }
    });
  });
