// Message wording that reviewers read first: where the key comes from (a body model is not a query
// parameter), what a drained read returns (only totals is not "the whole table"), and why an
// anonymous handler without request input is still reported.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../../server/out/analysis';

const RULES_DIR = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'rules');

describe('finding wording', function () {
  let analyzer: Analyzer;
  before(async function () {
    analyzer = await Analyzer.create();
  });

  function messages(fixture: string, rule: string): Map<number, string> {
    const file = path.join(RULES_DIR, fixture);
    const findings = analyzer.analyzeText(fs.readFileSync(file, 'utf8'), { path: file }).findings.filter((f) => f.rule === rule);
    return new Map(findings.map((f) => [f.range.start.line + 1, f.message]));
  }

  it('DG101 names a body model, a header and a path parameter as such', function () {
    const m = messages('DG101_body_model_label.py', 'DG101');
    assert.match(m.get(14) ?? '', /from request body `body`/);
    assert.match(m.get(20) ?? '', /from header `x_invoice_id`/);
    for (const text of m.values()) assert.doesNotMatch(text, /query parameter/);
  });

  it('DG203 says "returns the whole table" only when the items are returned', function () {
    const m = messages('DG203_aggregates.py', 'DG203');
    assert.match(m.get(29) ?? '', /to compute the counts or sums it returns/);
    assert.doesNotMatch(m.get(29) ?? '', /returns the whole/);
    assert.match(m.get(15) ?? '', /reads and returns the whole table/);
  });

  it('DG102 says why a handler without request input needs a caller', function () {
    const m = messages('DG102_exposed.py', 'DG102');
    assert.match(m.get(17) ?? '', /returns the items of every owner from `scan`/);
    assert.match(m.get(24) ?? '', /serves the admin route `\/staff\/admin\/members\/total`/);
  });
});
