// Fix-all is trusted blindly (it runs on save), so for EVERY fixture that has safe fixes: applying
// it a second time changes nothing, the result parses, no finding of a rule that was silent
// before appears, and every attribute the original code wrote is still written by the fixed code.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, type Finding } from '../../server/out/analysis';
import { formatSyntaxProblems, pythonSyntaxProblems } from './helpers/pyparse';
import { writtenKeys } from './helpers/writtenKeys';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DIRS = ['test/fixtures/fixes', 'test/fixtures/rules'].map((d) => path.join(REPO_ROOT, d));
// Interactions with rules still being built elsewhere, listed so they stay visible: DG106 (issue 7)
// reads the inserted `if user_id != <subject>: abort(403)` guard as a client-asserted identity.
const KNOWN_INTERACTIONS = new Set(['DG106']);
const files = DIRS.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')).map((f) => path.join(d, f))).sort();

function countByRule(findings: Finding[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of findings) out.set(f.rule, (out.get(f.rule) ?? 0) + 1);
  return out;
}

describe('fix-all on every fixture (idempotent, parses, no new finding, no attribute dropped)', function () {
  this.timeout(60000);
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });

  it('the written-keys reader sees a dropped server-set field', async () => {
    const before = 'def f(body, user):\n    item = dict(body)\n    item["owner_id"] = user\n    t.put_item(Item=item)\n';
    const after = 'ALLOWED = {"a"}\ndef f(body, user):\n    item = dict(body)\n    item["owner_id"] = user\n    t.put_item(Item={k: v for k, v in item.items() if k in ALLOWED})\n';
    assert.deepStrictEqual([...(await writtenKeys(before)).get('f@')!], ['owner_id']);
    assert.deepStrictEqual([...(await writtenKeys(after)).get('f@')!], []);
  });

  let withFixes = 0;

  for (const file of files) {
    it(path.relative(REPO_ROOT, file), async () => {
      const input = fs.readFileSync(file, 'utf8');
      const options = { path: file };
      const first = analyzer.fixAll(input, options);
      if (first.text === input) return;
      withFixes++;
      const problems: string[] = [];
      const second = analyzer.fixAll(first.text, options);
      if (second.text !== first.text) problems.push(`not idempotent: a second fix-all applied ${second.fixed} more fix(es)`);
      const syntax = await pythonSyntaxProblems(first.text);
      if (syntax.length) problems.push(`does not parse:\n${formatSyntaxProblems(path.basename(file), syntax)}`);
      const beforeCounts = countByRule(analyzer.analyzeText(input, options).findings);
      for (const f of analyzer.analyzeText(first.text, options).findings) {
        if (!beforeCounts.has(f.rule) && !KNOWN_INTERACTIONS.has(f.rule)) problems.push(`new ${f.rule} at line ${f.range.start.line + 1}: ${f.message}`);
      }
      const was = await writtenKeys(input);
      const now = await writtenKeys(first.text);
      for (const [fn, keys] of was) {
        const kept = now.get(fn) ?? new Set();
        const lost = [...keys].filter((k) => !kept.has(k));
        if (lost.length) problems.push(`${fn.replace(/@$/, '')} no longer writes ${lost.join(', ')}`);
      }
      assert.deepStrictEqual(problems, [], `${path.basename(file)} after fix-all:\n${first.text}`);
    });
  }

  it('exercised fix-all on a good share of the fixtures', () => {
    assert.ok(withFixes >= 40, `only ${withFixes} fixtures had safe fixes`);
  });
});
