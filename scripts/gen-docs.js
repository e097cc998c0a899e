#!/usr/bin/env node
// Regenerates docs/rules/*.md from the built rule modules: `npm run build && node scripts/gen-docs.js`.
const fs = require('fs');
const path = require('path');
const { RULES } = require('../server/out/analysis/rules');
const { renderRuleDoc, renderIndex } = require('../server/out/analysis/rules/docs');

const dir = path.join(__dirname, '..', 'docs', 'rules');
fs.mkdirSync(dir, { recursive: true });
for (const rule of RULES) fs.writeFileSync(path.join(dir, `${rule.meta.code}.md`), renderRuleDoc(rule.meta));
fs.writeFileSync(path.join(dir, 'README.md'), renderIndex(RULES.map((r) => r.meta)));
console.log(`wrote ${RULES.length} rule pages to ${path.relative(process.cwd(), dir)}`);
