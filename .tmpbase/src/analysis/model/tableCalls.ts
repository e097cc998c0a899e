import type { SyntaxNode } from '../parse/syntax';
import type { KeyPart, TableCall } from './facts';
import type { ModuleStructure } from './module';
import { dictGet, EMPTY, unwrapTyped, type CondTerm, type Value } from './values';

// Which values a table call uses as its key, per API shape. RULES.md: `Key=`, the key attributes
// of `Item=` in a put, a key condition's value, a PartiQL parameter, a PynamoDB hash/range key.

const KEYISH = /^(pk|sk|PK|SK|id|Id|ID|.*_id|.*Id|.*_key|hash_key|range_key)$/;

function partsFromDict(value: Value, node: SyntaxNode, schema?: string[]): KeyPart[] {
  if (!value.dict) {
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
    return keyTerms.map((c, i) => ({ attr: c.attr, node: c.node, value: c.value, partition: i === 0 && c.op === 'eq' }));
  }
  const expr = kce.value.str;
  const eav = call.kwargs.get('ExpressionAttributeValues')?.value;
  const ean = call.kwargs.get('ExpressionAttributeNames')?.value;
  if (expr === undefined) {
    // Expression built dynamically: its taint is the key's.
    return kce.value.request ? [{ node: kce.node, value: kce.value, partition: true }] : [];
  }
  const parts: KeyPart[] = [];
  const re = /(#?[A-Za-z_][\w.]*)\s*=\s*(:[A-Za-z0-9_]+)|begins_with\s*\(\s*(#?[A-Za-z_][\w.]*)\s*,\s*(:[A-Za-z0-9_]+)\s*\)|(#?[A-Za-z_][\w.]*)\s+BETWEEN\s+(:[A-Za-z0-9_]+)|(#?[A-Za-z_][\w.]*)\s*(?:<=|>=|<|>)\s*(:[A-Za-z0-9_]+)/gi;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    const name = m[1] ?? m[3] ?? m[5] ?? m[7]!;
    const ph = m[2] ?? m[4] ?? m[6] ?? m[8]!;
    const attr = name.startsWith('#') ? (ean && dictGet(ean, name)?.value.str) ?? name : name;
    const entry = eav ? dictGet(eav, ph) : undefined;
    const value = entry ? unwrapTyped(entry.value) : eav && !eav.dict ? eav : EMPTY;
    parts.push({ attr, node: entry?.valueNode ?? kce.node, value, partition: parts.length === 0 && m[1] !== undefined });
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
      const entries = ti.value.elem ? [ti.value.elem] : [];
      const out: KeyPart[] = [];
      for (const e of entries) {
        for (const op of ['Get', 'Update', 'Delete', 'Put', 'ConditionCheck']) {
          const inner = dictGet(e, op);
          if (!inner) continue;
          const key = dictGet(inner.value, op === 'Put' ? 'Item' : 'Key');
          if (key) out.push(...(op === 'Put' ? partsFromItem(key.value, key.valueNode) : partsFromDict(key.value, key.valueNode)));
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
