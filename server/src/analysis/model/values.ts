import type { SyntaxNode } from '../parse/syntax';

/** Where a tainted (request) or trusted (subject) value entered the function. */
export interface Source {
  /** Stable within one function: guards verify sources by id. */
  id: string;
  /** Human wording for messages: "path parameter `user_id`". */
  label: string;
  node: SyntaxNode;
  /** A subject that authenticates only the code it dominates or guards (knowledge `SubjectScope`). */
  scope?: 'path' | 'checked';
}

/** Objects the model recognises by their construction. */
export type ObjKind =
  | 'boto3' | 'session' | 'dynamoResource' | 'dynamoClient' | 'table' | 'batchWriter'
  | 'fastapiApp' | 'apiRouter' | 'flaskApp' | 'blueprint' | 'chaliceApp'
  | 'flaskRequest' | 'flaskG' | 'flaskSession' | 'chaliceRequest' | 'chaliceContext'
  | 'lambdaEvent' | 'lambdaRequestContext' | 'starletteRequest'
  | 'pynamoModel' | 'pynamoItem' | 'pydanticModel' | 'pydanticInstance'
  | 'conditionBuilder' | 'exception'
  /** An instance of a class of the workspace (a repository, a service): its methods have summaries. */
  | 'instance'
  /** A class of another workspace module (constructing it gives an `instance`). */
  | 'classRef';

export type DbLevel = 'response' | 'item' | 'items';

/** One element of a boto3.dynamodb.conditions chain: Key("pk").eq(v) & Attr("owner").eq(u). */
export interface CondTerm {
  builder: 'Key' | 'Attr';
  attr: string;
  op: string;
  value: Value;
  node: SyntaxNode;
  /** Taint of the attribute name when it is not a literal (`Attr(body["field"])`). */
  nameValue?: Value;
}

export interface DictEntry {
  key: string;
  keyNode: SyntaxNode;
  valueNode: SyntaxNode;
  value: Value;
}

/**
 * The abstract value of a Python expression. Every field is optional and "absent" means "nothing
 * known", so joining two values is a field-wise union. Kept as plain data so summaries can be
 * cached and compared.
 */
export interface Value {
  request?: Source[];
  subject?: Source[];
  /** The whole request payload (or a dict/loop built from all of its keys): mass assignment. */
  payload?: Source;
  /** Iterating this yields payload keys/values (`body.items()`). */
  payloadIter?: Source;
  /** Went through an allow-list filter. */
  filtered?: boolean;
  /**
   * Request input that went through a validation fixing what the caller may choose: allow-list
   * membership, a format check (regex, Enum/Literal, UUID/date parsing), an upper bound
   * (`min(x, MAX)`, `x <= MAX`, `Query(le=...)`). See also `TableCall.validated`.
   */
  checked?: boolean;
  /** A freshly generated identifier (uuid4, secrets.token_*, ulid). */
  fresh?: SyntaxNode;
  /** Built only from literals/constants. */
  constant?: boolean;
  str?: string;
  obj?: ObjKind;
  /** Table name for `table`, class name for pynamo/pydantic objects and instances. */
  name?: string;
  /** File of the module defining an `instance`'s or `classRef`'s class, when not this file. */
  module?: string;
  /** Whole DynamoDB read results flowing here: table-call id -> level. */
  dbWhole?: Map<number, DbLevel>;
  /** Any value derived from a read's result (for fetch-then-check). */
  dbFrom?: number[];
  /** Exception text or DynamoDB error detail (`str(e)`, `e.response["Error"]`, `traceback.format_exc()`). */
  error?: Source;
  /** For read results: the value of the key they were fetched with (a check of the item's owner verifies it). */
  keyedBy?: Value;
  dict?: DictEntry[];
  /** Element value of a list/tuple/set literal or a comprehension. */
  elem?: Value;
  /**
   * Of a list or tuple built element by element (a literal, `append`): each element's own value,
   * so `TransactItems=[debit(...), credit(...)]` keeps every entry's dict, where `elem` joins them
   * into one value without structure. "May contain": joins take the union. At most MAX_ELEMS.
   */
  elems?: Value[];
  cond?: CondTerm[];
  /** Helper-summary mode: derived from these parameter indexes. */
  params?: number[];
  /** For pynamo items: the value of their hash key; for a condition builder, of its attribute name when not a literal. */
  key?: Value;
  /** Set on request sources when the FastAPI parameter is a Pydantic body model. */
  model?: string;
  /** Of a dict literal: taint of its keys not written as strings (`ScanFilter={body["field"]: ...}`). Not joined. */
  computedKeys?: Value;
  /**
   * For `instance`s: the `self.<name>` attributes its `__init__` bound from constructor arguments
   * (a repository passed to a service, a table passed to a repository, a path id). At most
   * MAX_ATTRS, nested at most MAX_ATTR_DEPTH deep.
   */
  attrs?: InstanceAttr[];
}

export interface InstanceAttr {
  name: string;
  value: Value;
}

export const EMPTY: Value = Object.freeze({}) as Value;

// Bounds on every abstract value (bounded by construction): whatever the input, a value holds at
// most this many sources, read ids, condition terms and dict entries, and nests `elem`/`keyedBy`
// at most this deep. Beyond them the value is widened (the oldest entries dropped, nesting cut),
// which can only lose precision, never grow work.
export const MAX_SET = 32;
export const MAX_DICT_ENTRIES = 256;
export const MAX_NESTING = 6;
export const MAX_ATTRS = 8;
export const MAX_ATTR_DEPTH = 3;
/** DynamoDB transactions hold up to 100 actions; real code builds a few. Beyond this, only `elem`. */
export const MAX_ELEMS = 16;

function unionBy<T>(a: T[] | undefined, b: T[] | undefined, key: (t: T) => unknown): T[] | undefined {
  if (!a?.length) return b?.length ? b : undefined;
  if (!b?.length) return a;
  if (a.length >= MAX_SET) return a;
  const seen = new Set(a.map(key));
  const out = a.slice();
  for (const t of b) {
    if (out.length >= MAX_SET) break;
    if (!seen.has(key(t))) out.push(t);
  }
  return out;
}

/**
 * Dict entries of several lists in order, an entry written on both sides of a branch kept once
 * (the later occurrence, so `dictGet` sees what it saw before), at most MAX_DICT_ENTRIES (the
 * latest). Branch merges used to concatenate both arms' lists: nested `if`s multiplied them.
 */
export function mergeEntries(...lists: Array<readonly DictEntry[] | undefined>): DictEntry[] {
  // Fast path for the common branch merge: one arm appended to the other's list.
  if (lists.length === 2 && lists[0] && lists[1]) {
    const [a, b] = lists as [readonly DictEntry[], readonly DictEntry[]];
    if (isPrefix(a, b) && b.length <= MAX_DICT_ENTRIES) return b.slice();
    if (isPrefix(b, a) && a.length <= MAX_DICT_ENTRIES) return [...a.slice(b.length), ...b];
  }
  const all: DictEntry[] = [];
  for (const l of lists) if (l) for (const e of l) all.push(e);
  // One entry per written site (key node, value node): offsets packed in one number.
  const sites = new Set<number>();
  const out: DictEntry[] = [];
  for (let i = all.length - 1; i >= 0 && out.length < MAX_DICT_ENTRIES; i--) {
    const e = all[i]!;
    const site = e.keyNode.start * 2 ** 26 + e.valueNode.start;
    if (sites.has(site)) continue;
    sites.add(site);
    out.push(e);
  }
  return out.reverse();
}

function isPrefix(short: readonly DictEntry[], long: readonly DictEntry[]): boolean {
  if (short.length > long.length) return false;
  for (let i = 0; i < short.length; i++) if (short[i] !== long[i]) return false;
  return true;
}

const byId = (s: Source) => s.id;

/** Union of what two values may carry (used for `a + b`, f-strings, branch merges...). */
export function join(a: Value, b: Value, depth = 0): Value {
  if (a === b) return a;
  if (isEmpty(a)) return stripConstant(b, a);
  if (isEmpty(b)) return stripConstant(a, b);
  const out: Value = {};
  const request = unionBy(a.request, b.request, byId);
  if (request) out.request = request;
  const subject = unionBy(a.subject, b.subject, byId);
  if (subject) out.subject = subject;
  const payload = a.payload ?? b.payload;
  if (payload) out.payload = payload;
  const payloadIter = a.payloadIter ?? b.payloadIter;
  if (payloadIter) out.payloadIter = payloadIter;
  if (a.filtered && b.filtered) out.filtered = true;
  // Checked only if every side that carries request input was checked.
  if ((a.checked || b.checked) && (a.checked || !a.request?.length) && (b.checked || !b.request?.length)) out.checked = true;
  const fresh = a.fresh ?? b.fresh;
  if (fresh) out.fresh = fresh;
  const error = a.error ?? b.error;
  if (error) out.error = error;
  if (a.constant && b.constant) out.constant = true;
  if (a.dbWhole || b.dbWhole) out.dbWhole = unionMap(a.dbWhole, b.dbWhole);
  const dbFrom = unionBy(a.dbFrom, b.dbFrom, (x) => x);
  if (dbFrom) out.dbFrom = dbFrom;
  const params = unionBy(a.params, b.params, (x) => x);
  if (params) out.params = params;
  if ((a.keyedBy || b.keyedBy) && depth < MAX_NESTING) out.keyedBy = join(a.keyedBy ?? EMPTY, b.keyedBy ?? EMPTY, depth + 1);
  if (a.obj && a.obj === b.obj) {
    out.obj = a.obj;
    if (a.name === b.name && a.name !== undefined) out.name = a.name;
    if (a.module === b.module && a.module !== undefined) out.module = a.module;
    if (out.name !== undefined && (a.attrs ?? b.attrs)) out.attrs = (a.attrs ?? b.attrs)!;
  }
  const cond = unionBy(a.cond, b.cond, (c) => c);
  if (cond) out.cond = cond;
  if ((a.elem || b.elem) && depth < MAX_NESTING) out.elem = join(a.elem ?? EMPTY, b.elem ?? EMPTY, depth + 1);
  if ((a.elems || b.elems) && depth < MAX_NESTING) out.elems = unionElems(a.elems, b.elems);
  return out;
}

/** Elements of either list, each kept once (by identity), at most MAX_ELEMS. */
export function unionElems(a: readonly Value[] | undefined, b: readonly Value[] | undefined): Value[] {
  const out: Value[] = [];
  for (const l of [a, b]) for (const v of l ?? []) if (out.length < MAX_ELEMS && !out.includes(v)) out.push(v);
  return out;
}

/**
 * `join` that keeps the structure both sides share: entries of the same dict key are joined
 * (recursively, at most MAX_NESTING deep), other entries kept. For a function's returns, so a
 * factory returning one of two request dicts is still seen as a dict (`join` drops dicts: a
 * branch merge of unrelated dicts must not grow). Bounded by MAX_DICT_ENTRIES and MAX_ELEMS.
 */
export function joinShaped(a: Value, b: Value, depth = 0): Value {
  const out = join(a, b, depth);
  if (a === b || isEmpty(a) || isEmpty(b) || depth >= MAX_NESTING) return out;
  if (a.dict && b.dict) {
    const entries: DictEntry[] = a.dict.slice(0, MAX_DICT_ENTRIES);
    for (const e of b.dict) {
      const i = entries.findIndex((x) => x.key === e.key);
      if (i >= 0) entries[i] = { ...entries[i]!, value: joinShaped(entries[i]!.value, e.value, depth + 1) };
      else if (entries.length < MAX_DICT_ENTRIES) entries.push(e);
    }
    out.dict = entries;
  }
  return out;
}

function unionMap<K, V>(a: Map<K, V> | undefined, b: Map<K, V> | undefined): Map<K, V> {
  const out = new Map(a);
  for (const [k, v] of b ?? []) if (out.size < MAX_SET || out.has(k)) out.set(k, v);
  return out;
}

function stripConstant(v: Value, other: Value): Value {
  // Joining with "nothing known" must not keep the constant claim: `x = CONST if c else unknown()`.
  if (!v.constant || other.constant) return v;
  const { constant: _c, str: _s, ...rest } = v;
  return rest;
}

export function joinAll(values: Value[]): Value {
  return values.reduce((acc, v) => join(acc, v), EMPTY);
}

export function isEmpty(v: Value): boolean {
  for (const _ in v) return false;
  return true;
}

export function isRequest(v: Value): boolean {
  return !!v.request?.length;
}

export function isSubject(v: Value): boolean {
  return !!v.subject?.length;
}

/** Keep only taint (request/subject/params/db derivation): what a derived scalar carries. */
export function derived(v: Value): Value {
  const out: Value = {};
  if (v.request) out.request = v.request;
  if (v.subject) out.subject = v.subject;
  if (v.params) out.params = v.params;
  if (v.dbFrom) out.dbFrom = v.dbFrom;
  if (v.keyedBy) out.keyedBy = v.keyedBy;
  if (v.fresh) out.fresh = v.fresh;
  if (v.error) out.error = v.error;
  if (v.constant) out.constant = true;
  if (v.checked) out.checked = true;
  return out;
}

/**
 * Request sources of `v` that no validation covers: none when the value itself was checked
 * (`min(x, MAX)`, a narrowed variable), else those not in any of the given sets of source ids
 * (`TableCall.validated`, and `TableCall.verified` where equality with the subject also counts).
 */
export function unvalidatedSources(v: Value, ...covered: ReadonlyArray<ReadonlySet<string>>): Source[] {
  if (v.checked || !v.request?.length) return [];
  return v.request.filter((s) => !covered.some((set) => set.has(s.id)));
}

export function constant(str?: string): Value {
  return str === undefined ? { constant: true } : { constant: true, str };
}

export function dictGet(v: Value, key: string): DictEntry | undefined {
  if (!v.dict) return undefined;
  for (let i = v.dict.length - 1; i >= 0; i--) if (v.dict[i]!.key === key) return v.dict[i];
  return undefined;
}

/** boto3 client values are typed (`{"S": x}`): look through the type wrapper. */
export function unwrapTyped(v: Value): Value {
  if (v.dict && v.dict.length === 1 && /^(S|N|B|BOOL|SS|NS|BS|L|M|NULL)$/.test(v.dict[0]!.key)) return v.dict[0]!.value;
  return v;
}
