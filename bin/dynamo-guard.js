#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is TypeScript compiled to server/out (npm run build).
const path = require('path');
const entry = path.join(__dirname, '..', 'server', 'out', 'cli', 'main.js');
let cli;
try {
  cli = require(entry);
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(entry)) {
    process.stderr.write('dynamo-guard: the CLI is not built (' + entry + ' is missing); run npm run build first\n');
    process.exit(2);
  }
  throw e;
}
cli.cliMain(process.argv.slice(2));
