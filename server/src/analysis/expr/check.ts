import type { ExprError, ExprKind, NameRef, ParsedRoot, Span } from './ast';
import { CONDITION_KEYWORDS, tokenize, UPDATE_KEYWORDS, type Token } from './lexer';
import { parseCondition, parseProjection, parseUpdate, type ParseResult } from './parser';
import { isReservedWord } from './reservedWords';
import { validateKeyCondition } from './keyCondition';
import { pathHead, pathsOf, pathText, validateCondition, validateProjection, validateUpdate, type NameResolver } from './validate';

// The request-level verdict shared by DG402/DG403/DG404 and the differential test against
// dynalite: given the expressions of one DynamoDB request and what is statically known about its
// ExpressionAttributeNames/Values, list everything DynamoDB would reject.

export interface ExprSpec {
  kind: ExprKind;
  text: string;
  /** Unknown regions of `text` (f-string interpolations), as [start, end) offsets. */
  holes?: Span[];
  /**
   * The text is not known, but it is assembled only from these constant pieces (a `join` of
   * appended literals): its placeholders are among theirs. `text` is then empty.
   */
  pool?: string[];
}

export type DictState =
  | { state: 'absent' }
  | { state: 'unknown' }
  /** `entries`: key -> string value when known (for names). `complete`: no other key can be present. */
  | { state: 'known'; entries: Map<string, string | undefined>; complete: boolean };

/** The DynamoDB operation the expressions are sent with. */
export type Operation = 'query' | 'scan' | 'get' | 'put' | 'update' | 'delete' | 'other';

export interface RequestSpec {
  operation?: Operation;
  exprs: ExprSpec[];
  /** Some expression argument of the request is not a known string (built dynamically, a conditions builder). */
  opaque?: boolean;
  names: DictState;
  values: DictState;
  /**
   * Key schema [partition, sort?] of what the request reads or writes, when known (a table whose
   * create_table call is visible; not an index): key conditions, filters and key paths are checked against it.
   */
  keySchema?: readonly string[];
}

export type IssueRule = 'DG402' | 'DG403' | 'DG404';

export interface Issue {
  rule: IssueRule;
  messageId: string;
  data: Record<string, string>;
  /** Index into `RequestSpec.exprs` when the issue is anchored in an expression. */
  expr?: number;
  span?: Span;
  /** Anchored at an entry (or the whole) of ExpressionAttributeNames/Values. */
  dict?: 'names' | 'values';
  key?: string;
}

export interface ExprAnalysis {
  spec: ExprSpec;
  complete: boolean;
  root?: ParsedRoot;
  errors: ExprError[];
  /** Bare names in document paths (complete expressions) or candidate names (partial ones). */
  names: NameRef[];
  /** #name and :value tokens. */
  placeholders: Array<Span & { text: string }>;
}

export const EXPRESSION_LABEL: Readonly<Record<ExprKind, string>> = {
  key: 'KeyConditionExpression',
  filter: 'FilterExpression',
  condition: 'ConditionExpression',
  update: 'UpdateExpression',
  projection: 'ProjectionExpression',
};

const NAME_KEY = /^#[A-Za-z0-9_]+$/;
const VALUE_KEY = /^:[A-Za-z0-9_]+$/;

export function resolverFor(names: DictState): NameResolver {
  if (names.state !== 'known') return () => undefined;
  return (ph) => names.entries.get(ph);
}

/** Parse and validate one complete expression. */
const MAX_EXPRESSION_BYTES = 4096;

export function analyzeExpression(spec: ExprSpec, resolve: NameResolver, keySchema?: readonly string[]): ExprAnalysis {
  if (spec.holes?.length) return scanPartial(spec);
  // DynamoDB rejects any expression over 4 KB; checking only that keeps every later step
  // (parser, validator, which recurse over the tree) bounded however long the literal is.
  const bytes = spec.text.length > MAX_EXPRESSION_BYTES / 3 ? new TextEncoder().encode(spec.text).length : 0;
  if (bytes > MAX_EXPRESSION_BYTES) {
    const message = `The expression is ${bytes} bytes long: DynamoDB rejects expressions over 4 KB`;
    return { spec, complete: false, errors: [{ code: 'syntax', message, start: 0, end: spec.text.length }], names: [], placeholders: [] };
  }
  let result: ParseResult<ParsedRoot>;
  const errors: ExprError[] = [];
  switch (spec.kind) {
    case 'update': {
      const r = parseUpdate(spec.text);
      if (r.root) errors.push(...validateUpdate(r.root, resolve));
      result = r;
      break;
    }
    case 'projection': {
      const r = parseProjection(spec.text);
      if (r.root) errors.push(...validateProjection(r.root, resolve));
      result = r;
      break;
    }
    default: {
      const r = parseCondition(spec.text);
      if (r.root) {
        const semantic = validateCondition(r.root, resolve);
        errors.push(...semantic);
        // Shape errors of a key condition only make sense once the condition itself is valid.
        if (spec.kind === 'key' && semantic.length === 0) errors.push(...validateKeyCondition(r.root, resolve, keySchema));
      }
      result = r;
    }
  }
  const placeholders = tokenize(spec.text)
    .filter((t) => (t.kind === 'attrName' || t.kind === 'value') && t.text.length > 1)
    .map((t) => ({ text: t.text, start: t.start, end: t.end }));
  const out: ExprAnalysis = { spec, complete: true, errors: [...result.errors, ...errors], names: result.names, placeholders };
  if (result.root) out.root = result.root;
  return out;
}

const ALL_KEYWORDS = new Set([...CONDITION_KEYWORDS, ...UPDATE_KEYWORDS]);

/**
 * An expression with unknown parts (f-string interpolations) cannot be parsed. Only its constant
 * segments are scanned, token by token, and only tokens that cannot be glued to an unknown part:
 * names that are not keywords or function names, and placeholders.
 */
function scanPartial(spec: ExprSpec): ExprAnalysis {
  const holes = [...spec.holes!].sort((a, b) => a.start - b.start);
  const names: NameRef[] = [];
  const placeholders: Array<Span & { text: string }> = [];
  const segments: Span[] = [];
  let pos = 0;
  for (const h of holes) {
    segments.push({ start: pos, end: h.start });
    pos = h.end;
  }
  segments.push({ start: pos, end: spec.text.length });
  segments.forEach((seg, si) => {
    const toks = tokenize(spec.text, seg.start, seg.end).filter((t) => t.kind !== 'eof');
    const touches = (t: Token) => (si > 0 && t.start === seg.start) || (si < segments.length - 1 && t.end === seg.end);
    toks.forEach((t, i) => {
      if (touches(t)) return;
      if ((t.kind === 'attrName' || t.kind === 'value') && t.text.length > 1) placeholders.push({ text: t.text, start: t.start, end: t.end });
      if (t.kind !== 'name' || ALL_KEYWORDS.has(t.text.toUpperCase())) return;
      const next = toks[i + 1];
      if (next?.kind === '(' || (next === undefined && si < segments.length - 1)) return;
      names.push({ name: t.text, start: t.start, end: t.end });
    });
  });
  return { spec, complete: false, errors: [], names, placeholders };
}

const MAX_ISSUES_PER_REQUEST = 50;

/** Everything DynamoDB would reject in this request, as rule issues. */
export function checkRequest(req: RequestSpec): { issues: Issue[]; analyses: ExprAnalysis[] } {
  const resolve = resolverFor(req.names);
  const analyses = req.exprs.map((spec) =>
    spec.pool ? { spec, complete: false, errors: [], names: [], placeholders: [] } : analyzeExpression(spec, resolve, spec.kind === 'key' ? req.keySchema : undefined));
  const issues: Issue[] = [];

  analyses.forEach((a, expr) => {
    const label = EXPRESSION_LABEL[a.spec.kind];
    for (const e of a.errors) {
      issues.push({ rule: 'DG404', messageId: 'invalid', data: { detail: e.message, expression: label, code: e.code }, expr, span: { start: e.start, end: e.end } });
    }
    for (const n of a.names) {
      if (isReservedWord(n.name)) issues.push({ rule: 'DG402', messageId: 'reserved', data: { word: n.name, expression: label }, expr, span: { start: n.start, end: n.end } });
    }
  });

  schemaIssues(req, analyses, resolve, issues);
  placeholderIssues(req, analyses, issues);
  // One request rarely has more than a handful; a generated one can have one per string part.
  if (issues.length > MAX_ISSUES_PER_REQUEST) issues.length = MAX_ISSUES_PER_REQUEST;
  return { issues, analyses };
}

/** Rules that depend on the key schema: key attributes are scalars, not filtered in a Query, never updated. */
function schemaIssues(req: RequestSpec, analyses: ExprAnalysis[], resolve: NameResolver, issues: Issue[]): void {
  const op = req.operation;
  if (!req.keySchema?.length || !op) return;
  const keys = new Set(req.keySchema);
  analyses.forEach((a, expr) => {
    if (!a.root || a.errors.length) return;
    const kind = a.spec.kind;
    const label = EXPRESSION_LABEL[kind];
    const push = (code: string, span: Span, detail: string) =>
      issues.push({ rule: 'DG404', messageId: 'invalid', data: { detail, expression: label, code }, expr, span: { start: span.start, end: span.end } });
    const scalarsChecked = (kind === 'projection' && (op === 'get' || op === 'query' || op === 'scan')) ||
      (kind === 'filter' && (op === 'query' || op === 'scan')) || (kind === 'update' && op === 'update');
    for (const p of pathsOf(a.root)) {
      const head = pathHead(p, resolve);
      if (head === undefined || !keys.has(head)) continue;
      if (scalarsChecked && p.elements.length > 1) push('keyPath', p, `\`${pathText(p)}\` looks inside the key attribute \`${head}\`: key attributes are scalars`);
      else if (kind === 'filter' && op === 'query') push('keyInFilter', p, `a Query's FilterExpression cannot use the key attribute \`${head}\`: put that condition in KeyConditionExpression`);
    }
    if (a.root.type === 'update') {
      for (const c of a.root.clauses) {
        for (const action of c.actions) {
          const head = pathHead(action.path, resolve);
          if (head !== undefined && keys.has(head)) push('keyUpdate', action.path, `\`${head}\` is part of the table's key and cannot be updated (${c.keyword})`);
        }
      }
    }
  });
}

function placeholderIssues(req: RequestSpec, analyses: ExprAnalysis[], issues: Issue[]): void {
  const used = { names: new Set<string>(), values: new Set<string>() };
  analyses.forEach((a, expr) => {
    for (const p of a.placeholders) {
      const which = p.text.startsWith('#') ? 'names' : 'values';
      used[which].add(p.text);
      const dict = req[which];
      const missing = dict.state === 'absent' || (dict.state === 'known' && dict.complete && !dict.entries.has(p.text));
      if (!missing) continue;
      issues.push({
        rule: 'DG403',
        messageId: which === 'names' ? 'missingName' : 'missingValue',
        data: { placeholder: p.text, expression: EXPRESSION_LABEL[a.spec.kind], dict: which === 'names' ? 'ExpressionAttributeNames' : 'ExpressionAttributeValues' },
        expr,
        span: { start: p.start, end: p.end },
      });
    }
  });

  // Unused entries (and empty dicts) can only be judged when every expression is fully known, or
  // known to be built from constant pieces (an entry none of them names is unused whatever is joined).
  for (const a of analyses) for (const m of (a.spec.pool ?? []).join(' ').matchAll(/[#:][A-Za-z0-9_]+/g)) used[m[0][0] === '#' ? 'names' : 'values'].add(m[0]);
  const allKnown = !req.opaque && analyses.every((a) => a.complete || a.spec.pool);
  for (const which of ['names', 'values'] as const) {
    const dict = req[which];
    if (dict.state !== 'known') continue;
    const label = which === 'names' ? 'ExpressionAttributeNames' : 'ExpressionAttributeValues';
    const keyShape = which === 'names' ? NAME_KEY : VALUE_KEY;
    for (const key of dict.entries.keys()) {
      if (!keyShape.test(key)) {
        issues.push({ rule: 'DG403', messageId: 'badKey', data: { key, dict: label, sigil: which === 'names' ? '#' : ':' }, dict: which, key });
      }
    }
    if (!dict.complete || !allKnown) continue;
    if (dict.entries.size === 0) {
      issues.push({ rule: 'DG403', messageId: 'emptyDict', data: { dict: label }, dict: which });
      continue;
    }
    for (const key of dict.entries.keys()) {
      if (!keyShape.test(key) || used[which].has(key)) continue;
      issues.push({ rule: 'DG403', messageId: which === 'names' ? 'unusedName' : 'unusedValue', data: { placeholder: key, dict: label }, dict: which, key });
    }
  }
}
