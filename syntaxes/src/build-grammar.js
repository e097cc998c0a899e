#!/usr/bin/env node
'use strict';
// Source of syntaxes/dynamodb-expression.injection.tmLanguage.json.
//
// The grammar needs one string rule per (language x prefix kind x single/triple quote): 16
// near-identical rules. Writing them by hand invites drift between copies, so they are generated
// here. Run `node syntaxes/src/build-grammar.js` after editing; `scripts/test-grammar.js` fails
// when the committed JSON differs from what this file produces.
//
// How the injection works (see syntaxes/README.md for the user-facing version):
//  - it is injected into source.python outside strings and comments, with `L:` priority so that
//    it wins over MagicPython's own rules that start at the same character (the keyword-argument
//    rule `name=` in call arguments, and the string rules for dict keys);
//  - a "value region" starts at `KeyConditionExpression=` (or a `"KeyConditionExpression":` dict
//    key) and ends before the next `,` `)` `]` `}` `;` `#` at its own nesting level, or at the end
//    of the line. Inside it our own string rules come first; everything else is handed back to
//    MagicPython (`source.python#expression`), which keeps nested calls such as `Key("pk").eq(x)`
//    balanced so the region cannot end inside them;
//  - begin/end rules carry state across lines, so a triple-quoted string or a parenthesised
//    implicit concatenation that spans lines stays highlighted until it closes.

const fs = require('fs');
const path = require('path');

const OUT = path.join(__dirname, '..', 'dynamodb-expression.injection.tmLanguage.json');
const SCOPE_NAME = 'source.python.dynamodb-expression.injection';

// boto3 parameters whose value is a DynamoDB expression / a PartiQL statement.
const EXPRESSION_PARAMS = [
  'KeyConditionExpression',
  'FilterExpression',
  'ConditionExpression',
  'UpdateExpression',
  'ProjectionExpression',
];
const PARTIQL_PARAMS = ['Statement'];

// Keywords are case-insensitive in DynamoDB; function names are case-sensitive in expressions.
// The look-behind keeps `a.delete`, `#set` and `:add` (path segments, placeholders) unhighlighted,
// but accepts a word right after a `\n`/`\t`/`\r` escape ("SET a = :a\nREMOVE b").
const NOT_IN_PATH = '(?:(?<![\\w.#:])|(?<=\\\\[nrt]))';
const word = (words) => `(?i)${NOT_IN_PATH}(?:${words.join('|')})\\b`;
const call = (words, caseInsensitive) =>
  `${caseInsensitive ? '(?i)' : ''}${NOT_IN_PATH}(?:${words.join('|')})(?=\\s*\\()`;

// Word operators also get `keyword.operator.wordlike`: VS Code's default themes colour that like a
// keyword (as they do for Python's `and`/`or`/`not`), while plain `keyword.operator` is not coloured.
const WORDLIKE = 'keyword.operator.wordlike.dynamodb';

const placeholders = [
  {
    match: '(#)[A-Za-z0-9_]+',
    name: 'variable.other.expression-name.dynamodb',
    captures: { 1: { name: 'punctuation.definition.variable.dynamodb' } },
  },
  {
    match: '(:)[A-Za-z0-9_]+',
    name: 'variable.parameter.expression-value.dynamodb',
    captures: { 1: { name: 'punctuation.definition.variable.dynamodb' } },
  },
];

const sharedPunctuation = [
  { match: '\\(', name: 'punctuation.section.parens.begin.dynamodb' },
  { match: '\\)', name: 'punctuation.section.parens.end.dynamodb' },
  { match: ',', name: 'punctuation.separator.comma.dynamodb' },
  { match: '\\.', name: 'punctuation.accessor.dynamodb' },
];

const expressionGuts = [
  ...placeholders,
  {
    match: call(
      [
        'attribute_exists',
        'attribute_not_exists',
        'attribute_type',
        'begins_with',
        'contains',
        'size',
        'if_not_exists',
        'list_append',
      ],
      false,
    ),
    name: 'support.function.dynamodb',
  },
  { match: word(['SET', 'REMOVE', 'ADD', 'DELETE']), name: 'keyword.control.dynamodb' },
  { match: word(['AND', 'OR', 'NOT']), name: `keyword.operator.logical.dynamodb ${WORDLIKE}` },
  { match: word(['BETWEEN', 'IN']), name: `keyword.operator.comparison.dynamodb ${WORDLIKE}` },
  // DynamoDB has no `!=` / `==`: flag them, they are the usual mistake.
  { match: '!=|==', name: 'invalid.illegal.operator.dynamodb' },
  { match: '<>|<=|>=|=|<|>', name: 'keyword.operator.comparison.dynamodb' },
  { match: '[+-]', name: 'keyword.operator.arithmetic.dynamodb' },
  {
    match: '(\\[)\\s*(\\d+)\\s*(\\])',
    captures: {
      1: { name: 'punctuation.section.brackets.begin.dynamodb' },
      2: { name: 'constant.numeric.integer.dynamodb' },
      3: { name: 'punctuation.section.brackets.end.dynamodb' },
    },
  },
  ...sharedPunctuation,
];

// Quoted identifiers and string literals stop at either quote kind and at a backslash: the Python
// string's closing quote must never be swallowed, and we cannot know which quote that is here.
// They also stop at braces so that `'{pk}'` in an f-string still shows the replacement field.
const quoted = (open, close, name, edge) => ({
  match: `(${open})([^"'{}\\\\\\n]*)(${close})`,
  name,
  captures: {
    1: { name: `punctuation.definition.${edge}.begin.dynamodb` },
    3: { name: `punctuation.definition.${edge}.end.dynamodb` },
  },
});

const partiqlGuts = [
  // Escaped forms first, before Python's escape-sequence rule claims the backslash.
  quoted('\\\\"', '\\\\"', 'variable.other.quoted-identifier.dynamodb', 'identifier'),
  quoted("\\\\'", "\\\\'", 'string.quoted.single.dynamodb', 'string'),
  quoted('"', '"', 'variable.other.quoted-identifier.dynamodb', 'identifier'),
  quoted("'", "'", 'string.quoted.single.dynamodb', 'string'),
  { match: '\\?', name: 'variable.parameter.positional.dynamodb' },
  {
    match: call(
      ['exists', 'begins_with', 'attribute_type', 'contains', 'size', 'list_append', 'set_add', 'set_delete'],
      true,
    ),
    name: 'support.function.dynamodb',
  },
  {
    match: `(?i)${NOT_IN_PATH}RETURNING\\s+(?:ALL|MODIFIED)\\s+(?:OLD|NEW)\\b`,
    name: 'keyword.control.dynamodb',
  },
  {
    match: word([
      'SELECT',
      'FROM',
      'WHERE',
      'INSERT',
      'INTO',
      'VALUE',
      'UPDATE',
      'SET',
      'REMOVE',
      'DELETE',
      'EXISTS',
      'ORDER\\s+BY',
      'ASC',
      'DESC',
    ]),
    name: 'keyword.control.dynamodb',
  },
  { match: word(['AND', 'OR', 'NOT']), name: `keyword.operator.logical.dynamodb ${WORDLIKE}` },
  { match: word(['BETWEEN', 'IN', 'IS']), name: `keyword.operator.comparison.dynamodb ${WORDLIKE}` },
  { match: word(['MISSING', 'NULL', 'TRUE', 'FALSE']), name: 'constant.language.dynamodb' },
  { match: `${NOT_IN_PATH}\\d+(?:\\.\\d+)?\\b`, name: 'constant.numeric.dynamodb' },
  { match: '<<', name: 'punctuation.definition.bag.begin.dynamodb' },
  { match: '>>', name: 'punctuation.definition.bag.end.dynamodb' },
  { match: '==', name: 'invalid.illegal.operator.dynamodb' },
  { match: '<>|!=|<=|>=|=|<|>', name: 'keyword.operator.comparison.dynamodb' },
  { match: '\\*', name: 'variable.language.wildcard.dynamodb' },
  { match: '\\|\\||[+\\-/]', name: 'keyword.operator.arithmetic.dynamodb' },
  { match: '\\{', name: 'punctuation.definition.tuple.begin.dynamodb' },
  { match: '\\}', name: 'punctuation.definition.tuple.end.dynamodb' },
  { match: '\\[', name: 'punctuation.definition.list.begin.dynamodb' },
  { match: '\\]', name: 'punctuation.definition.list.end.dynamodb' },
  { match: ':', name: 'punctuation.separator.key-value.dynamodb' },
  ...sharedPunctuation,
];

const LANGS = {
  expression: { params: EXPRESSION_PARAMS, meta: 'meta.expression.dynamodb', braceFormat: true },
  // `{...}` is a PartiQL tuple, so Python's str.format highlighting stays out of PartiQL strings.
  partiql: { params: PARTIQL_PARAMS, meta: 'meta.statement.partiql.dynamodb', braceFormat: false },
};

const py = (rule) => ({ include: `source.python#${rule}` });

// Prefix kinds, mirroring MagicPython's string families (b"" is left to MagicPython: boto3 wants str).
const KINDS = [
  { id: 'plain', prefix: '(?:\\b([uU]))?', raw: false, f: false },
  { id: 'raw', prefix: '\\b([rR])', raw: true, f: false },
  { id: 'fstring', prefix: '\\b([fF])', raw: false, f: true },
  { id: 'raw-fstring', prefix: '\\b([rR][fF]|[fF][rR])', raw: true, f: true },
];

function pythonGuts(kind, multi, braceFormat) {
  if (kind.f) {
    return [
      py(kind.raw ? 'fstring-raw-guts' : 'fstring-guts'),
      py(multi ? 'fstring-illegal-multi-brace' : 'fstring-illegal-single-brace'),
      py(multi ? 'fstring-multi-brace' : 'fstring-single-brace'),
    ];
  }
  const guts = kind.raw
    ? [py('string-consume-escape'), py('string-formatting')]
    : [py('escape-sequence-unicode'), py('escape-sequence'), py('string-line-continuation'), py('string-formatting')];
  return braceFormat ? [...guts, py('string-brace-formatting')] : guts;
}

function stringRule(lang, kind, multi) {
  const { meta, braceFormat } = LANGS[lang];
  const shape = `${kind.raw ? 'raw.' : ''}${multi ? 'multi' : 'single'}`;
  const str = `${kind.f ? 'string.interpolated.python ' : ''}string.quoted.${shape}.python`;
  const rule = {
    begin: `${kind.prefix}(${multi ? `'''|"""` : `['"]`})`,
    beginCaptures: {
      1: { name: 'storage.type.string.python' },
      2: { name: 'punctuation.definition.string.begin.python' },
    },
    // A single-quoted string ends at an unescaped newline too, as in MagicPython.
    end: multi ? '(\\2)' : '(\\2)|((?<!\\\\)\\n)',
    endCaptures: {
      1: { name: 'punctuation.definition.string.end.python' },
      ...(multi ? {} : { 2: { name: 'invalid.illegal.newline.python' } }),
    },
    name: kind.f ? `meta.fstring.python ${str}` : str,
    contentName: meta,
    patterns: kind.f
      ? [...pythonGuts(kind, multi, braceFormat), { include: `#${lang}-guts` }]
      : // Our guts first: the escaped PartiQL quotes must beat Python's `\"` escape.
        [{ include: `#${lang}-guts` }, ...pythonGuts(kind, multi, braceFormat)],
  };
  return rule;
}

// Everything that may follow `Name=` up to the end of the argument.
function valuePatterns(lang) {
  return [{ include: `#${lang}-strings` }, { include: `#${lang}-parens` }, { include: `#${lang}-continuation` }, py('expression')];
}

const REGION_END = '(?=[,)\\]};#])|$';

function regions(lang) {
  const names = LANGS[lang].params.join('|');
  return {
    [`${lang}-keyword-argument`]: {
      begin: `\\b(${names})\\s*(=)(?!=)`,
      beginCaptures: {
        1: { name: 'variable.parameter.function-call.python' },
        2: { name: 'keyword.operator.assignment.python' },
      },
      end: REGION_END,
      patterns: valuePatterns(lang),
    },
    [`${lang}-dict-entry`]: {
      begin: `((['"])(?:${names})(\\2))\\s*(:)`,
      beginCaptures: {
        1: { name: 'string.quoted.single.python' },
        2: { name: 'punctuation.definition.string.begin.python' },
        3: { name: 'punctuation.definition.string.end.python' },
        4: { name: 'punctuation.separator.dict.python' },
      },
      end: REGION_END,
      patterns: valuePatterns(lang),
    },
    // `Name=("a = :a "\n "AND b = :b")`: the region must survive the line break.
    [`${lang}-parens`]: {
      begin: '\\(',
      beginCaptures: { 0: { name: 'punctuation.parenthesis.begin.python' } },
      end: '\\)',
      endCaptures: { 0: { name: 'punctuation.parenthesis.end.python' } },
      patterns: valuePatterns(lang),
    },
    // `Name="..." \` + newline + `"..."`: same shape as MagicPython's line-continuation rule.
    [`${lang}-continuation`]: {
      begin: '(\\\\)\\s*$\\n?',
      beginCaptures: { 1: { name: 'punctuation.separator.continuation.line.python' } },
      end: `(?=^\\s*$)|(?!(\\s*(?:[rRuUfF]|[rR][fF]|[fF][rR])?('''|"""|["']))|\\G()$)`,
      patterns: [{ include: `#${lang}-strings` }],
    },
    [`${lang}-strings`]: {
      patterns: KINDS.flatMap((kind) => [true, false].map((multi) => ({ include: `#${lang}-string-${kind.id}-${multi ? 'multi' : 'single'}` }))),
    },
    ...Object.fromEntries(
      KINDS.flatMap((kind) =>
        [true, false].map((multi) => [`${lang}-string-${kind.id}-${multi ? 'multi' : 'single'}`, stringRule(lang, kind, multi)]),
      ),
    ),
  };
}

function buildGrammar() {
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    information_for_contributors: [
      'Generated by syntaxes/src/build-grammar.js: edit that file and run it, do not edit this one.',
    ],
    name: 'DynamoDB expressions in Python strings',
    scopeName: SCOPE_NAME,
    // f-string text is tokenized inside `meta.fstring.python` without a `string` scope on the rule;
    // a default value in `def f(FilterExpression="...")` belongs to MagicPython's parameter rules.
    injectionSelector: 'L:source.python -comment -string -meta.fstring.python -meta.function.parameters.python',
    patterns: [
      { include: '#expression-keyword-argument' },
      { include: '#expression-dict-entry' },
      { include: '#partiql-keyword-argument' },
      { include: '#partiql-dict-entry' },
    ],
    repository: {
      ...regions('expression'),
      ...regions('partiql'),
      'expression-guts': { patterns: expressionGuts },
      'partiql-guts': { patterns: partiqlGuts },
    },
  };
}

function render() {
  return JSON.stringify(buildGrammar(), null, 2) + '\n';
}

module.exports = { buildGrammar, render, OUT, SCOPE_NAME };

if (require.main === module) {
  fs.writeFileSync(OUT, render());
  console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
}
