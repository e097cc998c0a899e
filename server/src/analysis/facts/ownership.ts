import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { modelClass } from './models';
import { matchesAny } from '../model/names';
import { rangeOf, type SyntaxNode } from '../parse/syntax';
import type { RelatedLocation } from '../types';

// Owned items (RULES.md): a read by id is BOLA only when the table's items belong to someone.
// Evidence, strongest first: the key itself names a user; an owner attribute in the key schema
// or the PynamoDB model; items of the table written with a subject-derived attribute; other calls
// keyed by the subject; a comparison of a fetched item's attribute with the subject. A shared
// catalogue (products, categories) read by id has none of these and is not reported.

const OWNER_ATTR = /(^|_)(owner|user|users|customer|account|member|tenant|org|organization|team|workspace|company|author|creator|created_by|uid|sub|principal|username|email)(_?(id|no|number))?$|^(ownerId|userId|customerId|accountId|tenantId|authorId|orgId)$/i;
/** Tables whose items are personal by nature (knowledge as data): a note or an order always has an owner. */
const PERSONAL_TABLE = /(^|[-_])(notes?|orders?|messages?|invoices?|payments?|carts?|baskets?|documents?|files?|uploads?|profiles?|accounts?|sessions?|addresses|bookings?|reservations?|subscriptions?|wallets?|transactions?|tickets?|conversations?|chats?|todos?|tasks?|photos?|posts?|drafts?|users?|customers?|members?)($|[-_])/i;
const PRIVILEGE = /^(role|roles|is_admin|admin|permissions|scopes|groups|verified|balance|credits|plan)$/i;

export interface Ownership {
  /** Why the table's items are owned, for the message's related information. */
  message: string;
  node: SyntaxNode;
  /** Seen in another module of the workspace (related information cannot point there: say it in the message). */
  remote?: boolean;
}

export function isOwnerAttribute(facts: FileFacts, attr: string): boolean {
  return OWNER_ATTR.test(attr) || (matchesAny(attr, facts.settings.ownerAttributes) && !PRIVILEGE.test(attr));
}

/** The table's name: the resource's `Table("x")`, or a typed client's `TableName="x"`. */
function tableNameOf(call: TableCall): string | undefined {
  if (call.tableName ?? call.kwargs.has('TableName')) return call.tableName ?? call.kwargs.get('TableName')!.value.str;
  // `batch_get_item(RequestItems={"notes": {...}})` on one table.
  const tables = call.kwargs.get('RequestItems')?.value.dict;
  return tables?.length === 1 ? tables[0]!.key : undefined;
}

function tableLabel(facts: FileFacts, call: TableCall): string {
  return tableNameOf(call) ?? call.pynamoModel ?? textOf(facts.text, call.receiver);
}

function where(facts: FileFacts, node: SyntaxNode): string {
  const file = facts.path ? facts.path.split(/[\\/]/).pop() : 'line';
  return `${file}:${node.startRow + 1}`;
}

/** Evidence that the items `call` reads belong to someone, or undefined for a shared table. */
export function ownedItems(facts: FileFacts, call: TableCall): Ownership | undefined {
  const table = tableLabel(facts, call);
  for (const k of call.keys) {
    if (k.attr && isOwnerAttribute(facts, k.attr)) return { message: `The key \`${k.attr}\` names a user: items of \`${table}\` belong to one`, node: k.node };
  }
  for (const k of call.keys) {
    const named = (k.value.request ?? []).find((src) => src.id.startsWith('param:') && isOwnerAttribute(facts, src.id.slice(6)));
    if (named) return { message: `The key is built from ${named.label}, which names a user`, node: named.node };
  }
  const name = tableNameOf(call);
  if (name && PERSONAL_TABLE.test(name)) return { message: `Items of \`${name}\` are personal by nature (owned-table names)`, node: call.methodNode };
  const schema = facts.keySchema(name);
  const inSchema = schema?.find((a) => isOwnerAttribute(facts, a));
  if (inSchema) return { message: `The key schema of \`${table}\` has the owner attribute \`${inSchema}\``, node: call.methodNode };
  const model = modelClass(facts, call.pynamoModel);
  const field = model?.fields.find((f) => isOwnerAttribute(facts, f));
  if (model && field) {
    // A model of another module: its node lies in that file, so anchor on the call and say so in the message.
    if (facts.module.classes.get(model.name) !== model) return { message: `The model \`${model.name}\` (imported) has the owner attribute \`${field}\``, node: call.methodNode, remote: true };
    return { message: `The model \`${model.name}\` has the owner attribute \`${field}\``, node: model.node };
  }
  const used = [...call.usedFields, ...projected(call)].find((a) => isOwnerAttribute(facts, a));
  if (used) return { message: `Items of \`${table}\` carry the owner attribute \`${used}\``, node: call.methodNode };
  const local = localEvidence(facts, call);
  if (local) return local;
  // Another module of the workspace writes or guards the same table.
  const remote = name ? facts.workspace?.ownedTable?.(name) : undefined;
  if (remote && remote.file !== facts.path) return { message: remote.message, node: call.methodNode, remote: true };
  return undefined;
}

/** Same identity as `sameTable`: a name, else a PynamoDB model, else the receiver's text. */
function tableKey(facts: FileFacts, c: TableCall): string {
  const name = tableNameOf(c);
  if (name !== undefined) return `name:${name}`;
  if (c.pynamoModel) return `model:${c.pynamoModel}`;
  return `recv:${textOf(facts.text, c.receiver)}`;
}

/** Per file, the first evidence for each table: one pass over the calls, not one per read (3,000 handlers). */
const evidenceByTable = new WeakMap<FileFacts, Map<string, Ownership>>();

function localEvidence(facts: FileFacts, call: TableCall): Ownership | undefined {
  let byTable = evidenceByTable.get(facts);
  if (!byTable) {
    byTable = new Map();
    for (const f of facts.functions) {
      for (const c of f.calls) {
        const key = tableKey(facts, c);
        if (byTable.has(key)) continue;
        const found = callEvidence(facts, f, c, key.slice(key.indexOf(':') + 1));
        if (found) byTable.set(key, found);
      }
    }
    evidenceByTable.set(facts, byTable);
  }
  return byTable.get(tableKey(facts, call));
}

/** Evidence that one call gives about its table's items (`f` is the function making it). */
function callEvidence(facts: FileFacts, f: FunctionFacts, c: TableCall, table: string): Ownership | undefined {
  // A call made in a layer has its nodes in the layer's file: anchor on the call into it.
  const via = c.via ? ` through \`${f.fn.name}\`` : '';
  for (const e of c.kwargs.get('Item')?.value.dict ?? []) {
    if (!e.value.subject?.length) continue;
    if (c.via) return { message: `Items of \`${table}\` are written with a caller-derived \`${e.key}\`${via} at ${where(facts, c.methodNode)}`, node: c.methodNode };
    return { message: `Items of \`${table}\` are written with \`${e.key} = ${textOf(facts.text, e.valueNode)}\` at ${where(facts, e.keyNode)}`, node: e.keyNode };
  }
  const bySubject = c.keys.find((k) => k.value.subject?.length);
  if (bySubject) return { message: `\`${table}\` is keyed by the caller at ${where(facts, c.via ? c.methodNode : bySubject.node)}`, node: c.via ? c.methodNode : bySubject.node };
  if (c.postChecked) return { message: `Items of \`${table}\` are checked against the caller after \`${c.method}\` at ${where(facts, c.methodNode)}`, node: c.methodNode };
  return undefined;
}

/** Writes, keys or checks in `facts` showing that the items `matches` touches belong to someone. */
function evidenceIn(facts: FileFacts, matches: (c: TableCall) => boolean, table: string): Ownership | undefined {
  for (const f of facts.functions) {
    for (const c of f.calls) {
      const found = matches(c) ? callEvidence(facts, f, c, table) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/** Evidence in `facts` (another module, for the workspace index) that items of `tableName` are owned. */
export function ownedEvidenceIn(facts: FileFacts, tableName: string): { message: string; line: number } | undefined {
  const o = evidenceIn(facts, (c) => tableNameOf(c) === tableName, tableName);
  return o ? { message: o.message, line: o.node.startRow + 1 } : undefined;
}

export function ownershipRelated(o: Ownership): RelatedLocation {
  return { range: rangeOf(o.node), message: o.message };
}

function projected(call: TableCall): string[] {
  const p = call.kwargs.get('ProjectionExpression')?.value.str;
  return p ? p.split(',').map((x) => x.trim()) : [];
}
