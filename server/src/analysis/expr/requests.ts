import type { FileFacts, TableCall } from '../model/facts';
import { field, type SyntaxNode } from '../parse/syntax';
import type { ExprKind } from './ast';
import { checkRequest, type DictState, type ExprAnalysis, type ExprSpec, type Issue, type Operation, type RequestSpec } from './check';
import { isStringLiteral, unparenthesize, type DecodedLiteral } from './pyLiteral';
import { resolveConstant, resolveDict, resolveStringLiteral, resolveStringPool, type ResolvedDict, type Scope } from './pyResolve';

// From table calls to DynamoDB requests: which expressions a call sends (as keyword arguments, in
// `**params`, or inside transaction / batch entries), their text and where each character is
// written, and what is known about ExpressionAttributeNames/Values. Computed once per analysis
// and shared by DG402, DG403 and DG404 (and the dynalite differential test).

export const EXPRESSION_KWARGS: ReadonlyArray<[string, ExprKind]> = [
  ['KeyConditionExpression', 'key'],
  ['FilterExpression', 'filter'],
  ['ConditionExpression', 'condition'],
  ['UpdateExpression', 'update'],
  ['ProjectionExpression', 'projection'],
];

export interface ExprSite {
  kind: ExprKind;
  label: string;
  /** The argument's value node: the anchor when the text cannot be mapped into a literal. */
  argNode: SyntaxNode;
  /** The literal the text was decoded from (positions map into it). */
  literal?: DecodedLiteral;
  literalNode?: SyntaxNode;
}

export interface DictSite {
  label: 'ExpressionAttributeNames' | 'ExpressionAttributeValues';
  /** The argument's value node. */
  node: SyntaxNode;
  /** The `Name=value` argument or `"Name": value` pair (removed when the dict becomes empty). */
  holder: SyntaxNode;
  resolved?: ResolvedDict;
}

export interface RequestSite {
  call: TableCall;
  /** The call, or the entry dict of a transaction / batch request. */
  container: SyntaxNode;
  containerKind: 'call' | 'entry';
  exprs: ExprSite[];
  names?: DictSite;
  values?: DictSite;
  spec: RequestSpec;
  issues: Issue[];
  analyses: ExprAnalysis[];
}

const cache = new WeakMap<FileFacts, RequestSite[]>();
const perCall = new WeakMap<TableCall, { key: string; sites: RequestSite[] }>();

const OPERATIONS: Readonly<Record<string, Operation>> = {
  query: 'query', scan: 'scan', get_item: 'get', put_item: 'put', update_item: 'update', delete_item: 'delete',
  // Entries of transactions and batches.
  Get: 'get', Put: 'put', Update: 'update', Delete: 'delete', ConditionCheck: 'other', batch_get_item: 'get',
};

/** Every DynamoDB request with string expressions in the file (calls in functions, methods, module-level code and class bodies). */
export function requestSites(facts: FileFacts): RequestSite[] {
  let sites = cache.get(facts);
  if (sites) return sites;
  sites = [];
  const units = facts.doc.units.map((u) => u.node);
  const schemaKey = JSON.stringify([...facts.schemas]);
  // Module-level code and class bodies (scripts, notebook cells) resolve names in the module.
  const groups: Array<{ fn?: SyntaxNode; calls: readonly TableCall[] }> = [
    ...facts.functions.map((f) => ({ fn: f.fn.node, calls: f.calls })),
    { calls: facts.moduleCalls },
  ];
  for (const group of groups) {
    const scope: Scope = { ...(group.fn ? { fn: group.fn } : {}), module: facts.module.statements, units, doc: facts.text };
    for (const call of group.calls) {
      // Made inside a layer (its expressions are checked there) or PynamoDB (no expression strings).
      if (call.api === 'pynamo' || call.via) continue;
      // A call object survives edits elsewhere (the per-function facts cache); its sites hold
      // document offsets, so they are reused only while the call has not moved.
      const key = `${call.node.start}:${schemaKey}`;
      const memo = perCall.get(call);
      if (memo && memo.key === key) {
        sites.push(...memo.sites);
        continue;
      }
      const own: RequestSite[] = [];
      const site = callSite(facts, call, scope);
      if (site) own.push(site);
      own.push(...entrySites(facts, call, scope));
      perCall.set(call, { key, sites: own });
      sites.push(...own);
    }
  }
  cache.set(facts, sites);
  return sites;
}

/** `**x` arguments whose keys we cannot list: any keyword may come from them. */
function hasOpenSplat(call: TableCall, scope: Scope): boolean {
  for (const a of field(call.node, 'arguments')?.children ?? []) {
    if (a.type !== 'dictionary_splat') continue;
    const inner = a.children.find((c) => c.named);
    const r = inner ? resolveDict(inner, scope, call.node) : undefined;
    if (!r?.complete) return true;
  }
  return false;
}

function exprSite(kind: ExprKind, label: string, node: SyntaxNode, scope: Scope, at: SyntaxNode, flowStr: string | undefined): { site: ExprSite; spec?: ExprSpec } {
  const site: ExprSite = { kind, label, argNode: node };
  const r = resolveStringLiteral(node, scope, at);
  if (r) {
    site.literal = r.literal;
    site.literalNode = r.node;
    const spec: ExprSpec = { kind, text: r.literal.text };
    if (r.literal.holes.length) spec.holes = r.literal.holes;
    return { site, spec };
  }
  // The flow knows the constant (e.g. a module constant reassigned in a way we do not follow):
  // analyse the text, report at the argument.
  if (flowStr !== undefined && !isStringLiteral(node)) return { site, spec: { kind, text: flowStr } };
  const pool = resolveStringPool(node, scope, at);
  if (pool) return { site, spec: { kind, text: '', pool } };
  return { site };
}

function dictState(d: DictSite | undefined, absentKnown: boolean, flowKeys?: string[]): DictState {
  if (!d) return absentKnown ? { state: 'absent' } : { state: 'unknown' };
  if (!d.resolved) return { state: 'unknown' };
  const entries = new Map<string, string | undefined>();
  for (const e of d.resolved.entries) entries.set(e.key, e.value);
  // The flow's view of the dict must not know keys the syntax did not see.
  const complete = d.resolved.complete && (flowKeys ?? []).every((k) => entries.has(k));
  return { state: 'known', entries, complete };
}

/**
 * `params["FilterExpression"] = cond` then `scan(**params)`: the model points at the key string,
 * the expression is the assigned value (often a conditions object from a helper).
 */
function assignedValue(node: SyntaxNode): SyntaxNode {
  const sub = node.parent;
  const assign = sub?.type === 'subscript' && node.field === 'subscript' ? sub.parent : undefined;
  return assign?.type === 'assignment' && field(assign, 'left') === sub ? field(assign, 'right') ?? node : node;
}

function callSite(facts: FileFacts, call: TableCall, scope: Scope): RequestSite | undefined {
  const exprs: ExprSite[] = [];
  const specs: ExprSpec[] = [];
  let opaque = false;
  for (const [kw, kind] of EXPRESSION_KWARGS) {
    const arg = call.kwargs.get(kw);
    if (!arg) continue;
    if (arg.value.cond?.length) {
      opaque = true; // a boto3.dynamodb.conditions builder: boto3 writes (and escapes) it
      continue;
    }
    const { site, spec } = exprSite(kind, kw, assignedValue(arg.node), scope, call.node, arg.value.str);
    if (!spec) {
      opaque = true;
      continue;
    }
    exprs.push(site);
    specs.push(spec);
  }
  const dictArg = (label: DictSite['label']): DictSite | undefined => {
    const arg = call.kwargs.get(label);
    if (!arg) return undefined;
    const d: DictSite = { label, node: arg.node, holder: arg.argNode.type === 'keyword_argument' ? arg.argNode : arg.node.parent ?? arg.node };
    const r = resolveDict(arg.node, scope, call.node);
    if (r) d.resolved = r;
    return d;
  };
  const names = dictArg('ExpressionAttributeNames');
  const values = dictArg('ExpressionAttributeValues');
  if (!exprs.length && !names && !values) return undefined;
  if (!exprs.length && opaque) return undefined;
  const absentKnown = !hasOpenSplat(call, scope);
  const spec: RequestSpec = {
    exprs: specs,
    names: dictState(names, absentKnown, call.kwargs.get('ExpressionAttributeNames')?.value.dict?.map((e) => e.key)),
    values: dictState(values, absentKnown, call.kwargs.get('ExpressionAttributeValues')?.value.dict?.map((e) => e.key)),
  };
  if (opaque) spec.opaque = true;
  spec.operation = OPERATIONS[call.method] ?? 'other';
  if (!call.kwargs.has('IndexName')) {
    const schema = facts.keySchema(call.tableName ?? call.kwargs.get('TableName')?.value.str);
    if (schema) spec.keySchema = schema;
  }
  const { issues, analyses } = checkRequest(spec);
  const site: RequestSite = { call, container: call.node, containerKind: 'call', exprs, spec, issues, analyses };
  if (names) site.names = names;
  if (values) site.values = values;
  return site;
}

// ---- transaction and batch entries ---------------------------------------------------------

const ENTRY_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  transact_write_items: new Set(['Update', 'Put', 'Delete', 'ConditionCheck']),
  transact_get_items: new Set(['Get']),
};

interface Entry {
  dict: SyntaxNode;
  operation: Operation;
  table?: string;
}

/** Entry dicts of `TransactItems=[{"Update": {...}}]` and `RequestItems={"table": {...}}`. */
function entryDicts(call: TableCall, scope: Scope): Entry[] {
  const out: Entry[] = [];
  const entryKeys = ENTRY_KEYS[call.method];
  if (entryKeys) {
    const list = call.kwargs.get('TransactItems')?.node;
    const l = list ? unparenthesize(list) : undefined;
    if (l?.type !== 'list' && l?.type !== 'tuple') return out;
    for (const item of l.children) {
      if (item.type !== 'dictionary') continue;
      for (const pair of item.children) {
        if (pair.type !== 'pair') continue;
        const k = field(pair, 'key');
        const v = field(pair, 'value');
        const kind = k ? resolveConstant(k, scope, call.node) ?? '' : '';
        if (v && entryKeys.has(kind) && unparenthesize(v).type === 'dictionary') out.push({ dict: unparenthesize(v), operation: OPERATIONS[kind] ?? 'other' });
      }
    }
  } else if (call.method === 'batch_get_item') {
    const items = call.kwargs.get('RequestItems')?.node;
    const d = items ? unparenthesize(items) : undefined;
    if (d?.type !== 'dictionary') return out;
    for (const pair of d.children) {
      const k = pair.type === 'pair' ? field(pair, 'key') : undefined;
      const v = pair.type === 'pair' ? field(pair, 'value') : undefined;
      if (!v || unparenthesize(v).type !== 'dictionary') continue;
      const table = k ? resolveConstant(k, scope, call.node) : undefined;
      out.push({ dict: unparenthesize(v), operation: 'get', ...(table !== undefined ? { table } : {}) });
    }
  }
  return out;
}

function entrySites(facts: FileFacts, call: TableCall, scope: Scope): RequestSite[] {
  const sites: RequestSite[] = [];
  for (const { dict: entry, operation, table } of entryDicts(call, scope)) {
    const pairs = new Map<string, SyntaxNode>();
    let open = false;
    for (const c of entry.children) {
      if (c.type === 'dictionary_splat') open = true;
      if (c.type !== 'pair') continue;
      const k = field(c, 'key');
      const key = k ? resolveConstant(k, scope, call.node) : undefined;
      if (key === undefined) open = true;
      else pairs.set(key, c);
    }
    const exprs: ExprSite[] = [];
    const specs: ExprSpec[] = [];
    let opaque = false;
    for (const [kw, kind] of EXPRESSION_KWARGS) {
      const pair = pairs.get(kw);
      const v = pair ? field(pair, 'value') : undefined;
      if (!v) continue;
      const { site, spec } = exprSite(kind, kw, v, scope, call.node, undefined);
      if (!spec) {
        opaque = true;
        continue;
      }
      exprs.push(site);
      specs.push(spec);
    }
    const dict = (label: DictSite['label']): DictSite | undefined => {
      const pair = pairs.get(label);
      const v = pair ? field(pair, 'value') : undefined;
      if (!pair || !v) return undefined;
      const d: DictSite = { label, node: v, holder: pair };
      const r = resolveDict(v, scope, call.node);
      if (r) d.resolved = r;
      return d;
    };
    const names = dict('ExpressionAttributeNames');
    const values = dict('ExpressionAttributeValues');
    if (!exprs.length && !names && !values) continue;
    if (!exprs.length && opaque) continue;
    const spec: RequestSpec = { operation, exprs: specs, names: dictState(names, !open), values: dictState(values, !open) };
    const tableNode = pairs.get('TableName') ? field(pairs.get('TableName')!, 'value') : undefined;
    const schema = facts.keySchema(table ?? (tableNode ? resolveConstant(tableNode, scope, call.node) : undefined));
    if (schema && !pairs.has('IndexName')) spec.keySchema = schema;
    if (opaque) spec.opaque = true;
    const { issues, analyses } = checkRequest(spec);
    const site: RequestSite = { call, container: entry, containerKind: 'entry', exprs, spec, issues, analyses };
    if (names) site.names = names;
    if (values) site.values = values;
    sites.push(site);
  }
  return sites;
}
