import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../server/out/analysis';
import { renderIndex, renderRuleDoc } from '../../server/out/analysis/rules/docs';

const docsDir = path.join(__dirname, '..', '..', 'docs', 'rules');

describe('rule documentation', () => {
  it('registry is sorted by code and codes are unique', () => {
    const codes = RULES.map((r) => r.meta.code);
    assert.deepStrictEqual(codes, [...codes].sort());
    assert.strictEqual(new Set(codes).size, codes.length);
  });

  for (const rule of RULES) {
    it(`${rule.meta.code} has every heading and matches docs/rules/${rule.meta.code}.md`, () => {
      const d = rule.meta.docs;
      for (const [k, v] of Object.entries(d)) assert.ok(Array.isArray(v) ? v.length > 0 : String(v).trim().length > 20, `${rule.meta.code}: docs.${k} is empty`);
      const file = path.join(docsDir, `${rule.meta.code}.md`);
      assert.ok(fs.existsSync(file), `${file} missing: run \`npm run docs\``);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), renderRuleDoc(rule.meta), `${file} is out of date: run \`npm run docs\``);
    });
  }

  it('docs/rules/README.md index is up to date', () => {
    assert.strictEqual(fs.readFileSync(path.join(docsDir, 'README.md'), 'utf8'), renderIndex(RULES.map((r) => r.meta)), 'run `npm run docs`');
  });

  it('rule module files stay small (one rule a file, 2-8 KB guideline, hard cap 10 KB)', () => {
    const dir = path.join(__dirname, '..', '..', 'server', 'src', 'analysis', 'rules');
    for (const f of fs.readdirSync(dir).filter((x) => /^DG\d{3}-/.test(x))) {
      const size = fs.statSync(path.join(dir, f)).size;
      assert.ok(size <= 10 * 1024, `${f} is ${size} bytes`);
    }
  });
});
