import { simpleString } from '../../fixes/literals';
import type { FileFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import { field, type SyntaxNode } from '../../parse/syntax';

// DG303's reading of `transact_write_items(TransactItems=[...])` written as dict literals: the
// entries, their key attributes and table, and whether a Put's key is freshly generated.

const OPS = new Set(['Update', 'Delete', 'Put']);

/** The `"key": value` pairs of a dict literal by (plain string) key; undefined when a `**spread` hides some. */
export function pairsOf(facts: FileFacts, dict: SyntaxNode): Map<string, SyntaxNode> | undefined {
  const out = new Map<string, SyntaxNode>();
  for (const c of dict.children) {
    if (c.type === 'dictionary_splat') return undefined;
    if (c.type !== 'pair') continue;
    const k = simpleString(facts.text, field(c, 'key')!)?.value;
    if (k !== undefined) out.set(k, c);
  }
  return out;
}

export interface Entry { op: string; keyNode: SyntaxNode; body: SyntaxNode; pairs: Map<string, SyntaxNode> }

/** `{"Update": {...}}` entries written as dict literals in the `TransactItems=[...]` list literal. */
export function entries(facts: FileFacts, list: SyntaxNode): Entry[] {
  const out: Entry[] = [];
  for (const e of list.children) {
    if (e.type !== 'dictionary') continue;
    const outer = pairsOf(facts, e);
    for (const [op, pair] of outer ?? []) {
      const body = field(pair, 'value');
      if (!OPS.has(op) || body?.type !== 'dictionary') continue;
      const pairs = pairsOf(facts, body);
      if (pairs) out.push({ op, keyNode: field(pair, 'key')!, body, pairs });
    }
  }
  return out;
}

/** The attributes of the entry's `Key`/`Item` dict literal, in order. */
export function keyAttrs(facts: FileFacts, entry: Entry): Array<{ attr: string; value: SyntaxNode }> {
  const key = entry.pairs.get(entry.op === 'Put' ? 'Item' : 'Key');
  const dict = key ? field(key, 'value') : undefined;
  if (dict?.type !== 'dictionary') return [];
  return [...(pairsOf(facts, dict) ?? [])].map(([attr, p]) => ({ attr, value: field(p, 'value')! }));
}

export function tableName(facts: FileFacts, entry: Entry): string | undefined {
  const t = entry.pairs.get('TableName');
  const v = t ? field(t, 'value') : undefined;
  if (!v) return undefined;
  if (v.type === 'string') return simpleString(facts.text, v)?.value;
  return v.type === 'identifier' ? facts.globals.get(textOf(facts.text, v))?.str : undefined;
}

const FRESH = /\b(uuid[1-7]|token_hex|token_urlsafe|ulid|ULID|ksuid|Ksuid)\b/;

/** A Put whose key attribute is generated in place or just before (`str(uuid4())`) cannot overwrite anything. */
export function freshPut(facts: FileFacts, entry: Entry, body: SyntaxNode): boolean {
  if (entry.op !== 'Put') return false;
  const schema = facts.keySchema(tableName(facts, entry));
  const bodyText = textOf(facts.text, body);
  return keyAttrs(facts, entry).some(({ attr, value }, i) => {
    if (!(schema ? schema.includes(attr) : i === 0)) return false;
    // Client API values are typed: `{"S": transfer_id}`.
    const text = textOf(facts.text, value).replace(/^\{\s*["'][A-Z]+["']\s*:\s*([\s\S]*?)\s*\}$/, '$1');
    if (FRESH.test(text)) return true;
    return /^\w+$/.test(text) && new RegExp(`\\b${text}\\s*=[^=\\n][^\\n]*${FRESH.source}`).test(bodyText);
  });
}
