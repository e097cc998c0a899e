// The skip rule (analysis/prescan.ts): a file decided "cannot matter" from its text must be one a
// full analysis reports nothing on. Checked on every rule fixture and fix golden (both ways: it
// must skip plain code and keep anything DynamoDB-shaped), and on imports of project modules.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, InMemoryWorkspaceIndex, cannotMatter, importedModules } from '../../server/out/analysis';
import { emptySummary } from '../../server/out/analysis/model/workspace';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');

describe('prescan: files that cannot produce a finding', function () {
  this.timeout(120000);
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });

  it('never skips a fixture or golden that has findings', () => {
    let skipped = 0;
    let total = 0;
    for (const dir of ['rules', 'fixes']) {
      for (const f of fs.readdirSync(path.join(FIXTURES, dir)).filter((n) => n.endsWith('.py'))) {
        const text = fs.readFileSync(path.join(FIXTURES, dir, f), 'utf8');
        total++;
        if (!cannotMatter(text, undefined, undefined)) continue;
        skipped++;
        assert.deepStrictEqual(analyzer.analyzeText(text).findings.map((x) => x.rule), [], f);
      }
    }
    assert.ok(total > 100 && skipped < total);
  });

  it('skips plain Python, keeps DynamoDB, text-rule and framework vocabulary', () => {
    assert.ok(cannotMatter('import os\n\ndef add(a, b):\n    return a + b\n', undefined, undefined));
    for (const text of ['import boto3\n', 'x = t.get_item(Key=k)\n', 'T.query(KeyConditionExpression="a = :b")\n', 'KEY = "AKIAABCDEFGHIJKLMNOP"\n',
      'c = make(endpoint_url="http://x")\n', 'from flask import Flask\n', 'def require_owner(x):\n    pass\n']) {
      assert.ok(!cannotMatter(text, undefined, undefined), text);
    }
  });

  it('keeps a file importing a project module that exports something (a table defined elsewhere)', () => {
    const index = new InMemoryWorkspaceIndex(['/p']);
    index.set('/p/store.py', { ...emptySummary(), tables: { orders: { kind: 'table' } } });
    index.set('/p/util.py', emptySummary());
    const uses = (imp: string) => cannotMatter(`${imp}\n\ndef handler(event, context):\n    return orders.get(event)\n`, '/p/main.py', index);
    assert.strictEqual(uses('from store import orders'), false);
    assert.strictEqual(uses('import store'), false);
    assert.strictEqual(uses('from . import (\n    util,\n    store,\n)'), false);
    assert.strictEqual(uses('from util import helper'), true);
    assert.deepStrictEqual(importedModules('import a.b, c as d\nfrom .e import f\n  from g import (h)\n'), ['a.b', 'c', '.e', 'g']);
  });
});
