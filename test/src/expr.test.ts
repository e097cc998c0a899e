// The DynamoDB expression language: lexer, parsers, validation, the request verdict. Python
// literals and the DG402/DG403/DG404 rules end to end are in exprPython.test.ts.

import * as assert from 'assert';
import {
  attributeNames, attributeValues, bareNames, checkRequest, parseCondition, parseProjection, parseUpdate,
  tokenize, validateCondition, validateKeyCondition, validateProjection, validateUpdate,
  type DictState, type ExprNode, type ExprSpec, type Issue, type RequestSpec,
} from '../../server/out/analysis/expr';

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
