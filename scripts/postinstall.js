#!/usr/bin/env node
// Builds the command line after `npm install` in a clone of the repository — what pre-commit's
// `language: node` hooks do before `npm pack` — so the packed CLI has its compiled server/out.
// In an installed package (no TypeScript sources) there is nothing to build: exit quietly.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const sources = path.join(root, 'server', 'src');
const built = path.join(root, 'server', 'out', 'cli', 'main.js');
if (!fs.existsSync(sources) || fs.existsSync(built)) process.exit(0);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  process.exit(0); // a production-only install: `npm run build` needs the dev dependencies
}
const r = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
