// Expressions in Python code: string literals decoded with source maps, and the DG402/DG403/DG404
// rules end to end. The expression language itself is tested in expr.test.ts.

import * as assert from 'assert';
import { Analyzer, applyEdits, type Finding } from '../../server/out/analysis';
import { decodeLiteral } from '../../server/out/analysis/expr';
import type { SyntaxNode } from '../../server/out/analysis/parse/syntax';

describe('Python string literals with source maps', function () {
  let analyzer: Analyzer;
  before(async function () {
    analyzer = await Analyzer.create();
  });

  /** Decode the right-hand side of the first assignment in `source`. */
  function decodeFirst(source: string) {
    const doc = analyzer.createDocument(source);
    try {
      const stmt = doc.units[0]!.node;
      const assignment = stmt.children[0]!;
      const rhs = assignment.children.find((c: SyntaxNode) => c.field === 'right')!;
      return decodeLiteral(rhs, source);
    } finally {
      doc.dispose();
    }
  }

  it('decodes escapes, prefixes, triple quotes and implicit concatenation', function () {
    assert.strictEqual(decodeFirst('x = "a\\tb\\x41\\u00e9\\\\"\n')!.text, 'a\tbA\u00e9\\');
    assert.strictEqual(decodeFirst("x = r'a\\tb'\n")!.text, 'a\\tb');
    assert.strictEqual(decodeFirst('x = ("SET a = :a, "\n     \'b = :b\')\n')!.text, 'SET a = :a, b = :b');
    assert.strictEqual(decodeFirst('x = """SET\n  a = :a"""\n')!.text, 'SET\n  a = :a');
    assert.strictEqual(decodeFirst('x = "a\\\nb"\n')!.text, 'ab');
    assert.strictEqual(decodeFirst('x = b"SET a = :a"\n'), undefined);
  });

  it('maps every decoded character back to its source text', function () {
    const source = 'x = ("SET da\\x74a = :d, "\n     f"{{y}} {z} = :z")\n';
    const lit = decodeFirst(source)!;
    assert.strictEqual(lit.text, 'SET data = :d, {y} \uffff = :z');
    const t = lit.text.indexOf('t');
    assert.strictEqual(source.slice(lit.srcStart[t], lit.srcEnd[t]), '\\x74');
    const d = lit.text.indexOf(':d');
    assert.strictEqual(source.slice(lit.srcStart[d], lit.srcEnd[d + 1]), ':d');
    const brace = lit.text.indexOf('{');
    assert.strictEqual(source.slice(lit.srcStart[brace], lit.srcEnd[brace]), '{{');
    assert.strictEqual(lit.holes.length, 1);
    assert.strictEqual(source.slice(lit.srcStart[lit.holes[0]!.start], lit.srcEnd[lit.holes[0]!.start]), '{z}');
  });
});

describe('DG402 / DG403 / DG404 on Python code', function () {
  let analyzer: Analyzer;
  before(async function () {
    analyzer = await Analyzer.create();
  });

  const HEADER = 'import boto3\nfrom boto3.dynamodb.conditions import Key\ntable = boto3.resource("dynamodb").Table("t")\n\n';

  function findings(body: string, rules = /^DG40[234]$/): Finding[] {
    return analyzer.analyzeText(HEADER + body).findings.filter((f) => rules.test(f.rule));
  }

  /** `rule line:col text` with 1-based lines counted in `body`. */
  function located(body: string, rules?: RegExp): string[] {
    const text = HEADER + body;
    const lines = text.split('\n');
    const offset = HEADER.split('\n').length - 1;
    return findings(body, rules).map((f) => `${f.rule} ${f.range.start.line - offset + 1}:${f.range.start.character} ${lines[f.range.start.line]!.slice(f.range.start.character, f.range.end.line === f.range.start.line ? f.range.end.character : undefined)}`);
  }

  it('anchors on the word inside multi-line concatenated strings and in a literal a few lines up', function () {
    const body = [
      'def f(k, v, c):',
      '    expr = "SET #n = :n, " \\',
      '        "comment = :c"',
      '    table.update_item(Key={"k": k}, UpdateExpression=expr, ConditionExpression=(',
      '        "attribute_exists(k) AND "',
      '        "size(data) < :max"),',
      '        ExpressionAttributeNames={"#n": "n"}, ExpressionAttributeValues={":n": v, ":c": c, ":max": 3})',
      '',
    ].join('\n');
    assert.deepStrictEqual(located(body), ['DG402 3:9 comment', 'DG402 6:14 data']);
  });

  it('reports at the argument when only the flow knows the constant', function () {
    const body = [
      'EXPR = "SET a = :a"',
      'EXPR = "SET status = :a"',
      'def f(k, a):',
      '    table.update_item(Key={"k": k}, UpdateExpression=EXPR, ConditionExpression="attribute_exists(k)", ExpressionAttributeValues={":a": a})',
      '',
    ].join('\n');
    const got = located(body);
    assert.deepStrictEqual(got, ['DG402 4:53 EXPR']);
  });

  it('never flags boto3.dynamodb.conditions builders', function () {
    const body = 'def f(u):\n    return table.query(KeyConditionExpression=Key("status").eq(u), ProjectionExpression="a")["Items"]\n';
    assert.deepStrictEqual(located(body), []);
  });

  it('reports a shared constant once per distinct range and message', function () {
    const body = 'PROJ = "user_id, name"\ndef f(u):\n    return table.get_item(Key={"u": u}, ProjectionExpression=PROJ)\ndef g(u):\n    return table.get_item(Key={"u": u}, ProjectionExpression=PROJ)\n';
    assert.deepStrictEqual(located(body), ['DG402 1:17 name']);
  });

  it('follows transaction entries and **params dicts', function () {
    const body = [
      'client = boto3.client("dynamodb")',
      'def f(k):',
      '    client.transact_write_items(TransactItems=[{"Update": {"TableName": "t", "Key": {"k": {"S": k}},',
      '        "UpdateExpression": "SET level = :l", "ConditionExpression": "attribute_exists(k)",',
      '        "ExpressionAttributeValues": {":l": {"N": "1"}, ":x": {"N": "2"}}}}])',
      'def g(k):',
      '    params = {"Key": {"k": k}, "KeyConditionExpression": "k = :k OR k = :j", "ExpressionAttributeValues": {":k": k, ":j": k}}',
      '    return table.query(**params)',
      '',
    ].join('\n');
    assert.deepStrictEqual(located(body), ['DG402 4:33 level', 'DG403 5:56 ":x"', 'DG404 7:65 OR']);
  });

  it('stays silent on dicts filled in loops, updated, or splatted from unknown dicts', function () {
    const body = [
      'def f(k, body):',
      '    vals = {":a": 1}',
      '    for name in ("b", "c"):',
      '        vals[f":{name}"] = body[name]',
      '    table.update_item(Key={"k": k}, UpdateExpression="SET a = :a, b = :b", ConditionExpression="attribute_exists(k)", ExpressionAttributeValues=vals)',
      'def g(k, extra):',
      '    vals = {":a": 1}',
      '    vals.update(extra)',
      '    table.update_item(Key={"k": k}, UpdateExpression="SET a = :a, b = :b", ConditionExpression="attribute_exists(k)", ExpressionAttributeValues=vals)',
      'def h(k, extra):',
      '    table.update_item(Key={"k": k}, UpdateExpression="SET a = :a, b = :b", ConditionExpression="attribute_exists(k)", ExpressionAttributeValues={":a": 1, **extra})',
      'def i(k, opts):',
      '    table.update_item(Key={"k": k}, UpdateExpression="SET a = :a, #b = :b", ConditionExpression="attribute_exists(k)", **opts)',
      '',
    ].join('\n');
    assert.deepStrictEqual(located(body), []);
  });

  it('counts entries added in a branch as present (no false "missing"), and reports truly unused ones', function () {
    const body = [
      'def f(k, body):',
      '    vals = {}',
      '    if body.get("a"):',
      '        vals[":a"] = body["a"]',
      '    vals[":z"] = 0',
      '    table.update_item(Key={"k": k}, UpdateExpression="SET a = :a", ConditionExpression="attribute_exists(k)", ExpressionAttributeValues=vals)',
      '',
    ].join('\n');
    assert.deepStrictEqual(located(body), ['DG403 5:9 ":z"']);
  });

  it('fixes are idempotent and clear the finding (fix-all)', function () {
    const body = [
      'def f(k, d, v):',
      '    table.update_item(',
      '        Key={"k": k},',
      '        UpdateExpression="SET data = :d",',
      '        ConditionExpression="attribute_exists(k) AND size(data) < :max",',
      '        ExpressionAttributeNames={"#unused": "x"},',
      '        ExpressionAttributeValues={":d": d, ":max": 10, ":v": v},',
      '    )',
      '',
    ].join('\n');
    const fixed = analyzer.fixAll(HEADER + body).text;
    assert.ok(fixed.includes('UpdateExpression="SET #data = :d"'), fixed);
    assert.ok(fixed.includes('size(#data) < :max'), fixed);
    assert.ok(fixed.includes('ExpressionAttributeNames={"#data": "data"}'), fixed);
    assert.ok(fixed.includes('ExpressionAttributeValues={":d": d, ":max": 10}'), fixed);
    assert.deepStrictEqual(analyzer.analyzeText(fixed).findings.filter((f) => /^DG40[234]$/.test(f.rule)), []);
    assert.strictEqual(analyzer.fixAll(fixed).text, fixed);
  });

  it('offers no fix for a missing :value and no DG404 fix', function () {
    const body = 'def f(k):\n    return table.query(KeyConditionExpression="k = :k OR k = :j", ExpressionAttributeValues={":k": k}, ProjectionExpression="a")\n';
    const fs = findings(body);
    assert.deepStrictEqual(fs.map((f) => `${f.rule}:${f.fixes.length}`).sort(), ['DG403:0', 'DG404:0']);
  });

  it('the DG402 fix rewrites only the literal and keeps the file valid', function () {
    const body = 'def f(k):\n    return table.get_item(Key={"k": k}, ProjectionExpression=\'k, name\')\n';
    const f = findings(body)[0]!;
    const out = applyEdits(HEADER + body, f.fixes[0]!.edits);
    // The call grew past 88 columns, so it is laid out as Black would: one argument per line.
    assert.ok(out.includes(`ProjectionExpression='k, #name',\n        ExpressionAttributeNames={"#name": "name"},\n    )`), out);
    assert.ok(out.includes('Key={"k": k},'), out);
  });
});
