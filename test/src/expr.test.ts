// The DynamoDB expression language: lexer, parsers, validation, the request verdict, Python
// literal decoding with source maps, and the DG402/DG403/DG404 rules end to end.

import * as assert from 'assert';
import { Analyzer, applyEdits, type Finding } from '../../server/out/analysis';
import {
  attributeNames, attributeValues, bareNames, checkRequest, decodeLiteral, parseCondition, parseProjection, parseUpdate,
  tokenize, validateCondition, validateKeyCondition, validateProjection, validateUpdate,
  type DictState, type ExprNode, type ExprSpec, type Issue, type RequestSpec,
} from '../../server/out/analysis/expr';
import type { SyntaxNode } from '../../server/out/analysis/parse/syntax';

const none = () => undefined;

function cond(text: string): ExprNode {
  const r = parseCondition(text);
  assert.deepStrictEqual(r.errors, [], `${text}: ${JSON.stringify(r.errors)}`);
  return r.root!;
}

/** A compact s-expression of a condition AST (structure only). */
function shape(n: ExprNode): string {
  switch (n.type) {
    case 'path': return n.elements.map((e) => (e.kind === 'index' ? `[${e.index}]` : e.name)).join('.');
    case 'value': return n.name;
    case 'function': return `${n.name}(${n.args.map(shape).join(', ')})`;
    case 'paren': return `(${shape(n.inner)})`;
    case 'compare': return `[${shape(n.left)} ${n.op} ${shape(n.right)}]`;
    case 'between': return `[${shape(n.subject)} BETWEEN ${shape(n.low)} ${shape(n.high)}]`;
    case 'in': return `[${shape(n.subject)} IN ${n.list.map(shape).join(' ')}]`;
    case 'and': case 'or': return `{${shape(n.left)} ${n.type.toUpperCase()} ${shape(n.right)}}`;
    case 'not': return `{NOT ${shape(n.arg)}}`;
    case 'arith': return `[${shape(n.left)} ${n.op} ${shape(n.right)}]`;
  }
}

/** The text an error span covers. */
function at(text: string, e: { start: number; end: number }): string {
  return text.slice(e.start, e.end);
}

function known(entries: Record<string, string | undefined>, complete = true): DictState {
  return { state: 'known', entries: new Map(Object.entries(entries)), complete };
}

function request(exprs: ExprSpec[], names: DictState = { state: 'absent' }, values: DictState = { state: 'absent' }, extra: Partial<RequestSpec> = {}): Issue[] {
  return checkRequest({ exprs, names, values, ...extra }).issues;
}

const summary = (issues: Issue[]) => issues.map((i) => `${i.rule}:${i.messageId}:${i.data.word ?? i.data.placeholder ?? i.data.key ?? i.data.code ?? ''}`).sort();

describe('expression lexer', function () {
  it('produces tokens with offsets, placeholders and two-character comparators', function () {
    const text = 'a.#b[0] <= :v AND x<>y';
    const toks = tokenize(text).map((t) => `${t.kind}:${t.text}@${t.start}`);
    assert.deepStrictEqual(toks, ['name:a@0', '.:.@1', 'attrName:#b@2', '[:[@4', 'number:0@5', ']:]@6', '<=:<=@8', 'value::v@11', 'name:AND@14', 'name:x@18', '<>:<>@19', 'name:y@21', 'eof:@22']);
  });

  it('marks characters outside the language (and unusual whitespace) as invalid', function () {
    assert.deepStrictEqual(tokenize('a ; b\u00a0').filter((t) => t.kind === 'invalid').map((t) => t.text), [';', '\u00a0']);
  });
});

describe('condition parser', function () {
  it('gives NOT precedence over AND over OR', function () {
    assert.strictEqual(shape(cond('a = :a OR b = :b AND NOT c = :c')), '{[a = :a] OR {[b = :b] AND {NOT [c = :c]}}}');
    assert.strictEqual(shape(cond('NOT a = :a AND b = :b')), '{{NOT [a = :a]} AND [b = :b]}');
    assert.strictEqual(shape(cond('(a = :a OR b = :b) AND c = :c')), '{({[a = :a] OR [b = :b]}) AND [c = :c]}');
  });

  it('parses BETWEEN, IN, functions, nested paths and case-insensitive keywords', function () {
    assert.strictEqual(shape(cond('a.b[2].c between :lo and :hi')), '[a.b.[2].c BETWEEN :lo :hi]');
    assert.strictEqual(shape(cond('#s IN (:a, :b, c)')), '[#s IN :a :b c]');
    assert.strictEqual(shape(cond('begins_with(sk, :p) AND size(tags) > :n')), '{begins_with(sk, :p) AND [size(tags) > :n]}');
    assert.strictEqual(shape(cond('x = :v AND y = :w')), '{[x = :v] AND [y = :w]}');
  });

  it('anchors syntax errors on the offending token', function () {
    const cases: Array<[string, string]> = [
      ['a == :v', '='],
      ['a = :v b = :w', 'b'],
      ['a IN :x', ':x'],
      ['and = :v', 'and'],
      ['a = :v ; b = :w', ';'],
      ['a = :v OR', 'OR'],
      ['begins_with(a :v)', ':v'],
    ];
    for (const [text, token] of cases) {
      const r = parseCondition(text);
      assert.strictEqual(r.errors.length, 1, text);
      assert.strictEqual(r.errors[0]!.code, 'syntax', text);
      assert.strictEqual(at(text, r.errors[0]!), token, `${text}: ${r.errors[0]!.message}`);
    }
    assert.strictEqual(parseCondition('').errors[0]!.code, 'empty');
  });

  it('collects the bare names of document paths only (not functions, keywords or placeholders)', function () {
    const r = parseCondition('attribute_exists(status) AND data.size > :n AND #name = size(items)');
    assert.deepStrictEqual(bareNames(r.root!).map((n) => n.name), ['status', 'data', 'size', 'items']);
    assert.deepStrictEqual(attributeNames('#a = :b AND #c.#d = :e').map((n) => n.text), ['#a', '#c', '#d']);
    assert.deepStrictEqual(attributeValues('#a = :b AND #c.#d = :e').map((n) => n.text), [':b', ':e']);
  });
});

describe('condition validation', function () {
  const errs = (text: string, resolve: (p: string) => string | undefined = none) => validateCondition(cond(text), resolve).map((e) => `${e.code}@${at(text, e)}`);

  it('checks function names (case-sensitive), arity and document-path operands', function () {
    assert.deepStrictEqual(errs('Begins_with(a, :v)'), ['unknownFunction@Begins_with']);
    assert.deepStrictEqual(errs('attribute_exist(a)'), ['unknownFunction@attribute_exist']);
    assert.deepStrictEqual(errs('attribute_exists(a, b)'), ['arity@attribute_exists']);
    assert.deepStrictEqual(errs('attribute_not_exists(:v)'), ['needsPath@:v']);
    assert.deepStrictEqual(errs('attribute_type(a, b)'), ['operandType@b']);
    assert.deepStrictEqual(errs('begins_with(size(a), :v)'), ['operandType@size(a)']);
  });

  it('rejects functions used as operands, size() as a condition and operands as conditions', function () {
    assert.deepStrictEqual(errs('begins_with(a, :v) = :w'), ['misusedFunction@begins_with']);
    assert.deepStrictEqual(errs('size(a)'), ['misusedFunction@size']);
    assert.deepStrictEqual(errs('a = :v AND b'), ['notCondition@b']);
    assert.deepStrictEqual(errs('size(a) > :n'), []);
  });

  it('rejects redundant parentheses and operands compared with themselves (through #names too)', function () {
    assert.deepStrictEqual(errs('((a = :v))'), ['parens@(']);
    assert.deepStrictEqual(errs('((a)) = :v'), ['parens@(']);
    assert.deepStrictEqual(errs('(a = :v) AND (b = :v)'), []);
    assert.deepStrictEqual(errs('a.b = a.b'), ['distinct@=']);
    assert.deepStrictEqual(errs('#x = a', (p) => (p === '#x' ? 'a' : undefined)), ['distinct@=']);
    assert.deepStrictEqual(errs('#x = a'), []);
    assert.deepStrictEqual(errs('contains(tags, tags)'), ['distinct@contains']);
  });
});

describe('key condition validation', function () {
  const keyErrs = (text: string, schema?: string[], resolve: (p: string) => string | undefined = none) => {
    const root = cond(text);
    assert.deepStrictEqual(validateCondition(root, resolve), []);
    return validateKeyCondition(root, resolve, schema).map((e) => at(text, e));
  };

  it('accepts partition equality with one sort-key condition', function () {
    for (const t of ['pk = :p', 'pk = :p AND sk < :s', 'sk BETWEEN :a AND :b AND pk = :p', 'pk = :p AND begins_with(sk, :s)', '(pk = :p) AND (sk >= :s)', ':p = pk']) {
      assert.deepStrictEqual(keyErrs(t, ['pk', 'sk']), [], t);
      assert.deepStrictEqual(keyErrs(t), [], `${t} (no schema)`);
    }
  });

  it('rejects OR, NOT, <>, IN and non-key functions on their token', function () {
    assert.deepStrictEqual(keyErrs('pk = :p OR sk = :s'), ['OR']);
    assert.deepStrictEqual(keyErrs('pk = :p AND NOT sk = :s'), ['NOT']);
    assert.deepStrictEqual(keyErrs('pk = :p AND sk <> :s'), ['<>']);
    assert.deepStrictEqual(keyErrs('pk = :p AND sk IN (:a, :b)'), ['IN']);
    assert.deepStrictEqual(keyErrs('pk = :p AND contains(sk, :s)'), ['contains']);
    assert.deepStrictEqual(keyErrs('pk = :p AND attribute_exists(sk)'), ['attribute_exists']);
    assert.deepStrictEqual(keyErrs('pk = :p AND size(sk) > :n'), ['size']);
  });

  it('requires partition-key equality, distinct keys, at most two conditions, no nesting', function () {
    assert.deepStrictEqual(keyErrs('sk > :s', ['pk', 'sk']), ['sk']);
    assert.deepStrictEqual(keyErrs('sk > :s'), ['>']);
    assert.deepStrictEqual(keyErrs('pk < :p', ['pk', 'sk']), ['<']);
    assert.deepStrictEqual(keyErrs('begins_with(pk, :p)'), ['begins_with']);
    assert.deepStrictEqual(keyErrs('pk = :p AND sk > :a AND sk < :b'), ['sk', 'sk']);
    assert.deepStrictEqual(keyErrs('pk = :p AND sk = :s AND other = :o'), ['other']);
    assert.deepStrictEqual(keyErrs('pk = :p AND status = :s', ['pk', 'sk']), ['status']);
    assert.deepStrictEqual(keyErrs('#k = :p AND status = :s', ['pk', 'status'], (p) => (p === '#k' ? 'pk' : undefined)), []);
    assert.deepStrictEqual(keyErrs('pk = :p AND sk.x = :s'), ['sk.x']);
    assert.deepStrictEqual(keyErrs('pk = sk'), ['=']);
    assert.deepStrictEqual(keyErrs('pk = :p AND sk BETWEEN :a AND sk'), ['sk']);
  });
});

describe('update and projection parsers', function () {
  const upd = (text: string, resolve: (p: string) => string | undefined = none) => {
    const r = parseUpdate(text);
    return [...r.errors, ...(r.root ? validateUpdate(r.root, resolve) : [])].map((e) => `${e.code}@${at(text, e)}`);
  };

  it('parses SET/REMOVE/ADD/DELETE clauses in any order and case', function () {
    const r = parseUpdate('set a = :a, b = b + :n REMOVE c[1], d.e ADD f :one delete g :s');
    assert.deepStrictEqual(r.errors, []);
    assert.deepStrictEqual(r.root!.clauses.map((c) => `${c.keyword}:${c.actions.length}`), ['SET:2', 'REMOVE:2', 'ADD:1', 'DELETE:1']);
    assert.deepStrictEqual(upd('SET a = list_append(if_not_exists(a, :e), :l), b = (c + :n), d = ((e))'), []);
  });

  it('reports syntax errors, unknown functions, repeated clauses and misplaced parentheses', function () {
    assert.deepStrictEqual(upd('SET a = :a b = :b'), ['syntax@b']);
    assert.deepStrictEqual(upd('SET a = :a,'), ['syntax@,']);
    assert.deepStrictEqual(upd('SET a = b + :n + :m'), ['syntax@+']);
    assert.deepStrictEqual(upd('SET remove = :v'), ['syntax@remove']);
    assert.deepStrictEqual(upd('ADD a'), ['syntax@a']);
    assert.deepStrictEqual(upd('SET a = :a SET b = :b'), ['clauseRepeated@SET']);
    assert.deepStrictEqual(upd('SET a = concat(a, :b)'), ['unknownFunction@concat']);
    assert.deepStrictEqual(upd('SET a = if_not_exists(:v, a)'), ['needsPath@:v']);
    assert.deepStrictEqual(upd('SET a = b - ((:n))'), ['parens@(']);
  });

  it('reports overlapping and conflicting paths on the later one, through #names too', function () {
    assert.deepStrictEqual(upd('SET a.b = :v REMOVE a'), ['pathOverlap@a']);
    assert.deepStrictEqual(upd('SET a = :v ADD a :n'), ['pathOverlap@a']);
    assert.deepStrictEqual(upd('SET a[0] = :v REMOVE a.b'), ['pathConflict@a.b']);
    assert.deepStrictEqual(upd('SET a[0] = :v REMOVE a[1], b'), []);
    assert.deepStrictEqual(upd('SET #x = :v REMOVE a', (p) => (p === '#x' ? 'a' : undefined)), ['pathOverlap@a']);
    assert.deepStrictEqual(upd('SET #x = :v REMOVE a'), []);
  });

  it('parses projections and reports overlapping paths', function () {
    const text = 'a, b.c, d[0], e, b';
    const r = parseProjection(text);
    assert.deepStrictEqual(r.errors, []);
    assert.deepStrictEqual(validateProjection(r.root!, none).map((e) => `${e.code}@${e.start}`), [`pathOverlap@${text.lastIndexOf('b')}`]);
    assert.strictEqual(parseProjection('a, :v').errors[0]!.code, 'syntax');
  });
});

describe('request verdict (checkRequest)', function () {
  it('flags reserved words in every expression kind, nested elements included, not escaped or function names', function () {
    const issues = request([
      { kind: 'update', text: 'SET data = :d, meta.status = :s, #n = :n' },
      { kind: 'condition', text: 'attribute_exists(pk) AND size(tags) > :z' },
      { kind: 'projection', text: 'pk, name' },
    ], known({ '#n': 'name' }), known({ ':d': undefined, ':s': undefined, ':n': undefined, ':z': undefined }));
    assert.deepStrictEqual(summary(issues), ['DG402:reserved:data', 'DG402:reserved:name', 'DG402:reserved:status']);
  });

  it('flags missing and unused placeholders, keys without sigil and empty dicts', function () {
    const exprs: ExprSpec[] = [{ kind: 'update', text: 'SET #a = :a, b = :b' }];
    assert.deepStrictEqual(summary(request(exprs, known({ '#a': 'a', '#x': 'x' }), known({ ':a': undefined, 'b': undefined }))),
      ['DG403:badKey:b', 'DG403:missingValue::b', 'DG403:unusedName:#x']);
    assert.deepStrictEqual(summary(request(exprs, { state: 'absent' }, known({ ':a': undefined, ':b': undefined }))), ['DG403:missingName:#a']);
    assert.deepStrictEqual(summary(request([{ kind: 'condition', text: 'attribute_exists(pk)' }], known({}), { state: 'absent' })), ['DG403:emptyDict:']);
    // Projections take #names only: a :value defined for them alone is unused.
    assert.deepStrictEqual(summary(request([{ kind: 'projection', text: 'a' }], { state: 'absent' }, known({ ':v': undefined }))), ['DG403:unusedValue::v']);
  });

  it('stays silent about what is not statically known', function () {
    const exprs: ExprSpec[] = [{ kind: 'update', text: 'SET a = :a, b = :b' }];
    assert.deepStrictEqual(request(exprs, { state: 'absent' }, { state: 'unknown' }), []);
    // Not complete: a used placeholder may be among the unknown keys; a known entry may be used by an opaque expression.
    assert.deepStrictEqual(request(exprs, { state: 'absent' }, known({ ':a': undefined }, false)), []);
    assert.deepStrictEqual(checkRequest({ exprs, names: { state: 'absent' }, values: known({ ':a': undefined, ':b': undefined, ':c': undefined }), opaque: true }).issues, []);
  });

  it('reads only the constant parts of an expression with unknown parts', function () {
    const text = 'SET \uffff = :v, count = count + :one, x\uffff = :w';
    const hole1 = text.indexOf('\uffff');
    const hole2 = text.lastIndexOf('\uffff');
    const spec: ExprSpec = { kind: 'update', text, holes: [{ start: hole1, end: hole1 + 1 }, { start: hole2, end: hole2 + 1 }] };
    // `count` is reserved; `x` is glued to an unknown part; unused entries cannot be judged.
    assert.deepStrictEqual(summary(request([spec], { state: 'absent' }, known({ ':v': undefined, ':zzz': undefined }))), ['DG402:reserved:count', 'DG402:reserved:count', 'DG403:missingValue::one', 'DG403:missingValue::w']);
  });

  it('checks key attributes against the key schema: not filtered in a Query, scalar, never updated', function () {
    const schema = { keySchema: ['pk', 'sk'] };
    const v = known({ ':p': undefined, ':x': undefined });
    assert.deepStrictEqual(summary(request([{ kind: 'key', text: 'pk = :p' }, { kind: 'filter', text: 'sk <> :x' }], { state: 'absent' }, v, { ...schema, operation: 'query' })), ['DG404:invalid:keyInFilter']);
    assert.deepStrictEqual(summary(request([{ kind: 'filter', text: 'sk <> :x AND pk = :p' }], { state: 'absent' }, v, { ...schema, operation: 'scan' })), []);
    assert.deepStrictEqual(summary(request([{ kind: 'projection', text: 'pk.deep' }], { state: 'absent' }, { state: 'absent' }, { ...schema, operation: 'get' })), ['DG404:invalid:keyPath']);
    assert.deepStrictEqual(summary(request([{ kind: 'update', text: 'SET sk = :x, a = :p' }], { state: 'absent' }, v, { ...schema, operation: 'update' })), ['DG404:invalid:keyUpdate']);
  });
});

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
