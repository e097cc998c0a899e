import type { SyntaxNode } from '../parse/syntax';
import type { KeyPart, TableCall } from './facts';
import type { ModuleStructure } from './module';
import { parseUpdate } from '../expr/parser';
import { dictGet, EMPTY, join, unwrapTyped, type CondTerm, type Source, type Value } from './values';

// Which values a table call uses as its key, per API shape. RULES.md: `Key=`, the key attributes
// of `Item=` in a put, a key condition's value, a PartiQL parameter, a PynamoDB hash/range key.

const KEYISH = /^(pk|sk|PK|SK|id|Id|ID|.*_id|.*Id|.*_key|hash_key|range_key)$/;

function partsFromDict(value: Value, node: SyntaxNode, schema?: string[]): KeyPart[] {
  // `{self.pk_field: serialize(pk)}`: attribute names not known, values are (evalDict lifts their taint).
  if (!value.dict?.length) {
    if (value.request || value.subject || value.params) return [{ node, value, partition: true }];
    return [];
  }
  return value.dict.map((e, i) => ({
    attr: e.key,
    node: e.valueNode,
    value: unwrapTyped(e.value),
    partition: schema ? schema[0] === e.key : i === 0,
  }));
}

/** Key parts of an Item: the schema's key attributes when known, else the first entry and id-like names. */
function partsFromItem(value: Value, node: SyntaxNode, schema?: string[]): KeyPart[] {
  if (!value.dict) return value.request ? [{ node, value, partition: true }] : [];
  const entries = value.dict.filter((e, i) => (schema ? schema.includes(e.key) : i === 0 || /^(pk|sk|PK|SK)$/.test(e.key)));
  return entries.map((e, i) => ({ attr: e.key, node: e.valueNode, value: unwrapTyped(e.value), partition: schema ? schema[0] === e.key : i === 0 }));
}

/** Partition-key equality of a KeyConditionExpression: builder chain or `pk = :v` string. */
function partsFromKeyCondition(call: TableCall): KeyPart[] {
  const kce = call.kwargs.get('KeyConditionExpression');
  if (!kce) return [];
  if (kce.value.cond?.length) {
    const keyTerms = kce.value.cond.filter((c: CondTerm) => c.builder === 'Key');
    return keyTerms.map((c, i) => ({ attr: c.attr, node: c.node, value: c.value, partition: i === 0 && c.op === 'eq', op: c.op }));
  }
  const expr = kce.value.str;
  const eav = call.kwargs.get('ExpressionAttributeValues')?.value;
  const ean = call.kwargs.get('ExpressionAttributeNames')?.value;
  if (expr === undefined) {
    // Expression built dynamically: its taint is the key's.
    return kce.value.request ? [{ node: kce.node, value: kce.value, partition: true }] : [];
  }
  const parts: KeyPart[] = [];
  // Names only start at a token boundary (the lookbehinds): without them a long run of name
  // characters is rescanned from every position, quadratic in the expression's length.
  const re = /(?<![\w.#])(#?[A-Za-z_][\w.]*)\s*=\s*(:[A-Za-z0-9_]+)|begins_with\s*\(\s*(#?[A-Za-z_][\w.]*)\s*,\s*(:[A-Za-z0-9_]+)\s*\)|(?<![\w.#])(#?[A-Za-z_][\w.]*)\s+BETWEEN\s+(:[A-Za-z0-9_]+)|(?<![\w.#])(#?[A-Za-z_][\w.]*)\s*(?:<=|>=|<|>)\s*(:[A-Za-z0-9_]+)/gi;
  const upper = /\s+AND\s+(:[A-Za-z0-9_]+)/iy;
  // A key condition has at most two terms; a few more covers malformed ones without growing.
  for (let m = re.exec(expr); m && parts.length < 8; m = re.exec(expr)) {
    const name = m[1] ?? m[3] ?? m[5] ?? m[7]!;
    const ph = m[2] ?? m[4] ?? m[6] ?? m[8]!;
    const attr = name.startsWith('#') ? (ean && dictGet(ean, name)?.value.str) ?? name : name;
    const entry = eav ? dictGet(eav, ph) : undefined;
    let value = entry ? unwrapTyped(entry.value) : eav && !eav.dict ? eav : EMPTY;
    const op = m[1] !== undefined ? 'eq' : m[3] !== undefined ? 'begins_with' : m[5] !== undefined ? 'between' : 'range';
    // `sk BETWEEN :a AND :b`: the upper bound is chosen as freely as the lower one.
    upper.lastIndex = re.lastIndex;
    const high = op === 'between' ? upper.exec(expr) : null;
    const highEntry = high && eav ? dictGet(eav, high[1]!) : undefined;
    if (highEntry) value = join(value, unwrapTyped(highEntry.value));
    parts.push({ attr, node: entry?.valueNode ?? kce.node, value, partition: parts.length === 0 && m[1] !== undefined, op });
  }
  return parts;
}

export function extractKeys(call: TableCall, recv: Value, structure: ModuleStructure, schemaOf?: (t?: string) => string[] | undefined): KeyPart[] {
  const schema = schemaOf?.(call.tableName);
  const kw = call.kwargs;
  if (call.api === 'pynamo') {
    if (recv.obj === 'pynamoItem') {
      const key = recv.key ?? EMPTY;
      return key.request || key.subject || key.params ? [{ node: call.receiver, value: key, partition: true }] : [];
    }
    const cls = structure.classes.get(call.pynamoModel ?? '');
    const first = call.args[0] ?? (cls?.hashKey ? kw.get(cls.hashKey) : undefined) ?? kw.get('hash_key');
    if (!first) return [];
    if (call.method === 'batch_get') return [{ node: first.node, value: first.value.elem ?? first.value, partition: true }];
    const parts: KeyPart[] = [{ attr: cls?.hashKey, node: first.node, value: first.value, partition: true } as KeyPart];
    const second = call.args[1] ?? kw.get('range_key');
    if (second && call.method === 'get') parts.push({ attr: cls?.rangeKey, node: second.node, value: second.value, partition: false } as KeyPart);
    return parts;
  }
  switch (call.method) {
    case 'get_item':
    case 'update_item':
    case 'delete_item': {
      const key = kw.get('Key');
      return key ? partsFromDict(key.value, key.node, schema) : [];
    }
    case 'put_item': {
      const item = kw.get('Item');
      return item ? partsFromItem(item.value, item.node, schema) : [];
    }
    case 'query':
      return partsFromKeyCondition(call);
    case 'batch_get_item': {
      const ri = kw.get('RequestItems');
      if (!ri) return [];
      const out: KeyPart[] = [];
      for (const tbl of ri.value.dict ?? [{ key: '', keyNode: ri.node, valueNode: ri.node, value: ri.value }]) {
        const keys = dictGet(tbl.value, 'Keys');
        const v = keys?.value ?? tbl.value;
        const elem = v.elem ?? v;
        out.push(...partsFromDict(elem, keys?.valueNode ?? tbl.valueNode));
      }
      return out;
    }
    case 'transact_get_items':
    case 'transact_write_items': {
      const ti = kw.get('TransactItems');
      if (!ti) return [];
      // Each entry on its own when the list is known element by element (entries built by factories).
      const entries = [...(ti.value.elems ?? [])];
      if (ti.value.elem && !entries.includes(ti.value.elem)) entries.push(ti.value.elem);
      const out: KeyPart[] = [];
      for (const e of entries) {
        for (const op of ['Get', 'Update', 'Delete', 'Put', 'ConditionCheck']) {
          const inner = dictGet(e, op);
          if (!inner) continue;
          const key = dictGet(inner.value, op === 'Put' ? 'Item' : 'Key');
          if (!key) continue;
          const parts = op === 'Put' ? partsFromItem(key.value, key.valueNode) : partsFromDict(key.value, key.valueNode);
          const cond = dictGet(inner.value, 'ConditionExpression')?.value.str;
          if (op === 'Put' && cond && /attribute_not_exists/.test(cond)) for (const p of parts) p.createOnly = true;
          out.push(...parts);
        }
      }
      return out;
    }
    case 'execute_statement': {
      const stmt = kw.get('Statement');
      const params = kw.get('Parameters');
      const out: KeyPart[] = [];
      if (stmt && (stmt.value.request || stmt.value.subject)) out.push({ node: stmt.node, value: stmt.value, partition: true });
      if (params && /\bWHERE\b/i.test(stmt?.value.str ?? 'WHERE')) {
        const v = params.value.elem ? unwrapTyped(params.value.elem) : params.value;
        out.push({ node: params.node, value: v, partition: true });
      }
      return out;
    }
    default:
      void KEYISH;
      return [];
  }
}

/** `ConditionExpression` that binds an attribute to the subject: `owner_id = :uid` with `:uid` subject-derived. */
export function conditionBindsSubject(call: TableCall): boolean {
  const ce = call.kwargs.get('ConditionExpression') ?? call.kwargs.get('condition');
  if (!ce) return false;
  if (ce.value.cond?.length) return ce.value.cond.some((c) => c.op === 'eq' && !!c.value.subject?.length);
  const expr = ce.value.str;
  const eav = call.kwargs.get('ExpressionAttributeValues')?.value;
  if (expr === undefined || !eav) return false;
  const re = /(#?[A-Za-z_][\w.]*)\s*=\s*(:[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)\s*=\s*(#?[A-Za-z_][\w.]*)/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    const ph = m[2] ?? m[3]!;
    const entry = dictGet(eav, ph);
    if (entry && unwrapTyped(entry.value).subject?.length) return true;
  }
  // PynamoDB: `condition=(Note.owner_id == user.id)` evaluates to a comparison we do not model.
  return false;
}

/**
 * Attributes compared with a subject-derived value in an expression argument (`FilterExpression`,
 * `ConditionExpression`): `owner_id = :uid`, `contains(members, :uid)`, `Attr("owner_id").eq(user.id)`.
 */
export function subjectTerms(call: TableCall, kwarg: string): Array<{ attr: string; node: SyntaxNode }> {
  return expressionTerms(call, kwarg, (v) => !!v.subject?.length);
}

/** Attributes compared (`=`, `contains`) in an expression argument with a value `pick` accepts, and that value. */
export function expressionTerms(call: TableCall, kwarg: string, pick: (v: Value) => boolean): Array<{ attr: string; node: SyntaxNode; value: Value }> {
  const arg = call.kwargs.get(kwarg);
  if (!arg) return [];
  if (arg.value.cond?.length) {
    return arg.value.cond.filter((c) => (c.op === 'eq' || c.op === 'contains') && pick(c.value)).map((c) => ({ attr: c.attr, node: c.node, value: c.value }));
  }
  const expr = arg.value.str;
  const eav = call.kwargs.get('ExpressionAttributeValues')?.value;
  const ean = call.kwargs.get('ExpressionAttributeNames')?.value;
  if (expr === undefined || !eav) return [];
  const out: Array<{ attr: string; node: SyntaxNode; value: Value }> = [];
  const re = /(#?[A-Za-z_][\w.]*)\s*=\s*(:[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)\s*=\s*(#?[A-Za-z_][\w.]*)|contains\s*\(\s*(#?[A-Za-z_][\w.]*)\s*,\s*(:[A-Za-z0-9_]+)\s*\)/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    const name = m[1] ?? m[4] ?? m[5]!;
    const entry = dictGet(eav, m[2] ?? m[3] ?? m[6]!);
    const value = entry ? unwrapTyped(entry.value) : undefined;
    if (!entry || !value || !pick(value)) continue;
    out.push({ attr: name.startsWith('#') ? (ean && dictGet(ean, name)?.value.str) ?? name : name, node: entry.valueNode, value });
  }
  return out;
}

/** One attribute a write sets, with the value it gets. */
export interface WrittenAttribute {
  attr: string;
  value: Value;
  /** Where the attribute is named: dict key, keyword argument, `#name` entry, the expression, `item.attr` target. */
  node: SyntaxNode;
  /** The value expression: dict value, keyword value, `:value` entry, assignment right side. */
  valueNode: SyntaxNode;
  via: 'Item' | 'AttributeUpdates' | 'UpdateExpression' | 'pynamo';
  /** UpdateExpression only: the action's span in the expression text, its `#name` and its `:values`. */
  action?: { start: number; end: number; name?: string; placeholders: string[] };
}

/**
 * What a write sets: `Item=` entries of a put, `SET`/`ADD`/`DELETE` actions of a literal
 * `UpdateExpression` (names and values resolved through the attribute dicts), `AttributeUpdates`,
 * PynamoDB constructor keywords / `item.attr = v` before `save()` and `Model.attr.set(v)` actions.
 */
export function writtenAttributes(call: TableCall): WrittenAttribute[] {
  if (!call.isWrite) return [];
  const kw = call.kwargs;
  const out: WrittenAttribute[] = [];
  if (call.api === 'pynamo') {
    if (call.method === 'save') {
      for (const e of call.receiverValue.dict ?? []) out.push({ attr: e.key, value: e.value, node: e.keyNode, valueNode: e.valueNode, via: 'pynamo' });
    } else if (call.method === 'update') {
      const actions = kw.get('actions')?.value ?? call.args[0]?.value;
      for (const t of actions?.elem?.cond ?? actions?.cond ?? []) {
        const valueNode = t.node.children.find((c) => c.type === 'argument_list')?.children.find((c) => c.named) ?? t.node;
        if (t.op !== 'remove') out.push({ attr: t.attr, value: t.value, node: t.node, valueNode, via: 'pynamo' });
      }
    }
    return out;
  }
  const item = kw.get('Item');
  if (item && call.method === 'put_item') {
    for (const e of item.value.dict ?? []) out.push({ attr: e.key, value: unwrapTyped(e.value), node: e.keyNode, valueNode: e.valueNode, via: 'Item' });
  }
  const au = kw.get('AttributeUpdates');
  for (const e of au?.value.dict ?? []) {
    const v = dictGet(e.value, 'Value');
    out.push({ attr: e.key, value: unwrapTyped(v?.value ?? e.value), node: e.keyNode, valueNode: v?.valueNode ?? e.valueNode, via: 'AttributeUpdates' });
  }
  const ue = kw.get('UpdateExpression');
  const text = ue?.value.str;
  if (ue && text !== undefined) {
    const eav = kw.get('ExpressionAttributeValues')?.value;
    const ean = kw.get('ExpressionAttributeNames')?.value;
    for (const clause of parseUpdate(text).root?.clauses ?? []) {
      if (clause.keyword === 'REMOVE') continue;
      for (const action of clause.actions) {
        const first = action.path.elements[0];
        if (!first || first.kind === 'index') continue;
        const nameEntry = first.kind === 'attrName' && ean ? dictGet(ean, first.name) : undefined;
        const attr = first.kind === 'name' ? first.name : nameEntry?.value.str;
        if (!attr) continue;
        const placeholders = [...text.slice(action.path.end, action.end).matchAll(/:[A-Za-z0-9_]+/g)].map((m) => m[0]);
        const entries = placeholders.map((p) => (eav ? dictGet(eav, p) : undefined));
        const value = entries.reduce<Value>((acc, e) => join(acc, e ? unwrapTyped(e.value) : EMPTY), EMPTY);
        const only = entries.length === 1 ? entries[0] : undefined;
        out.push({
          attr,
          value: entries.some((e) => !e) && eav && !eav.dict ? join(value, eav) : value,
          node: nameEntry?.valueNode ?? ue.node,
          valueNode: only?.valueNode ?? ue.node,
          via: 'UpdateExpression',
          action: { start: action.start, end: action.end, ...(first.kind === 'attrName' ? { name: first.name } : {}), placeholders },
        });
      }
    }
  }
  return out;
}

/**
 * Request values a read's `FilterExpression` matches attributes with (`Attr("id").eq(body["id"])`,
 * `id = :id` with `:id` from the body): the request picks the items returned. None when the filter
 * also binds an attribute to the subject (the caller's own items only).
 */
export function filterSelection(call: TableCall): Source[] {
  const arg = call.kwargs.get('FilterExpression') ?? call.kwargs.get('filter_condition');
  const through = (v: Value): Source[] => (v.request ?? []).map((s) => ({ ...s, label: `${s.label} (through the items its filter selects)` }));
  if (!arg || subjectTerms(call, 'FilterExpression').length) return [];
  // A query of the caller's own partition picks among the caller's items only.
  if (call.keys.some((k) => k.value.subject?.length)) return [];
  // PynamoDB `filter_condition=(Model.attr == value)`: a comparison, not a builder chain.
  if (call.api === 'pynamo') return arg.value.subject?.length ? [] : through(arg.value);
  if (arg.value.cond?.length) return arg.value.cond.filter((c) => c.op === 'eq').flatMap((c) => through(c.value));
  const expr = arg.value.str;
  const eav = call.kwargs.get('ExpressionAttributeValues')?.value;
  if (expr === undefined || !eav) return [];
  const out: Source[] = [];
  const re = /#?[A-Za-z_][\w.]*\s*=\s*(:[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)\s*=\s*#?[A-Za-z_][\w.]*/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) out.push(...through(unwrapTyped(dictGet(eav, m[1] ?? m[2]!)?.value ?? EMPTY)));
  return out;
}
