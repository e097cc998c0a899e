import { field, type SyntaxNode } from '../../parse/syntax';
import type { FunctionSummary, LayerHop, TableCall } from '../facts';
import { conditionBindsSubject, extractKeys } from '../tableCalls';
import { EMPTY, join, MAX_ATTR_DEPTH, MAX_NESTING, type CondTerm, type DbLevel, type InstanceAttr, type Value } from '../values';
import { CallFlow } from './calls';
import type { FunctionInfo } from '../module';
import type { Args, Kwargs, State, SummaryRef } from './state';
import { ATTR_PARAM_BASE, keptAttrs, objectPart } from '../instances';

/** Table calls one summary may carry, and hops of one chain: bounded however deep the layering. */
const MAX_LAYER_CALLS = 32;
const MAX_HOPS = 8;

/** A summarised callee: where it is, and how call arguments map to its parameters. */
export interface Callee {
  summary: FunctionSummary;
  /** Parameter names in order (for keyword arguments). */
  params: string[];
  /** Parameters before the first argument (1 for a method's `self`). */
  offset: number;
  label: string;
  /** File of the callee when it is another module. */
  path?: string;
  /** The receiver's constructor-given attributes (parameters ATTR_PARAM_BASE + k of a specialised summary). */
  attrs?: readonly InstanceAttr[];
  /** A PynamoDB item receiver's key: what its model method's `self` key (parameter 0) stands for. */
  receiverKey?: Value;
}

/**
 * Layers: a call into a function or method of the workspace applies that function's summary —
 * its guards verify the caller's values, its table calls are re-made here with the caller's
 * arguments in place of the parameters (anchored on this call, `via` leading down to the
 * DynamoDB call), and its return value is the summary's, arguments substituted. Composes
 * through any number of layers because a summary already holds its callees' calls.
 */
export abstract class LayerFlow extends CallFlow {
  protected callFunction(fn: FunctionInfo, node: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value {
    const summary = this.ctx.summary(fn.name);
    if (!summary) return EMPTY;
    return this.applySummary({ summary, params: fn.params.map((p) => p.name), offset: 0, label: fn.name }, node, this.anchorOf(node), args, kwargs, state);
  }

  protected callImported(qualified: string, node: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value | undefined {
    const f = this.ctx.foreign?.(qualified);
    if (!f) return undefined;
    const label = qualified.slice(qualified.lastIndexOf('.') + 1);
    if (f.kind === 'function') return this.applySummary({ summary: f.summary, params: f.params, offset: 0, label, path: f.path }, node, this.anchorOf(node), args, kwargs, state);
    if (f.value.obj === 'classRef') return this.instanceOf({ obj: 'instance', name: f.value.name ?? '', ...(f.value.module ? { module: f.value.module } : {}) }, args, kwargs);
    if (f.value.obj === 'pynamoModel' || f.value.obj === 'pydanticModel') return undefined;
    return undefined;
  }

  protected callMethod(recv: Value, method: string, node: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value | undefined {
    const ref = this.methodRef(recv, method);
    if (!ref) return undefined;
    return this.applySummary(this.methodCallee(recv, method, ref), node, this.anchorOf(node), args, kwargs, state);
  }

  /** `obj.prop` where `prop` is a `@property` of the object's class: its summary, applied without arguments. */
  protected readProperty(recv: Value, attr: string, node: SyntaxNode, state: State): Value | undefined {
    const ref = this.methodRef(recv, attr);
    if (!ref?.property) return undefined;
    return this.applySummary(this.methodCallee(recv, attr, ref), node, this.anchorOf(node), [], new Map(), state);
  }

  private methodRef(recv: Value, method: string): SummaryRef | undefined {
    if (!recv.name) return undefined;
    const attrs = recv.obj === 'instance' ? recv.attrs : undefined;
    return recv.module ? this.ctx.foreignMethod?.(recv.module, recv.name, method, attrs) : this.ctx.methodSummary?.(recv.name, method, attrs);
  }

  private methodCallee(recv: Value, method: string, ref: SummaryRef): Callee {
    // On the class itself only a classmethod gets its first parameter implicitly.
    const onClass = recv.obj !== 'instance' && recv.obj !== 'pynamoItem' && recv.obj !== 'pynamoModel';
    const offset = ref.binding === 'static' || (onClass && ref.binding !== 'class') ? 0 : 1;
    const callee: Callee = { summary: ref.summary, params: ref.params, offset, label: method };
    if (recv.module) callee.path = recv.module;
    if (recv.obj === 'instance' && recv.attrs?.length) callee.attrs = recv.attrs;
    // A model's own method on an item: `self.save()` inside writes the item the caller holds.
    if (recv.obj === 'pynamoItem') callee.receiverKey = recv.key ?? EMPTY;
    return callee;
  }

  /** An instance of a workspace class with the attributes its `__init__` binds from these arguments. */
  protected instanceOf(inst: Value, args: Args, kwargs: Kwargs): Value {
    if (!inst.name) return inst;
    const template = this.ctx.initTemplate?.(inst.name, inst.module);
    if (!template?.attrs.length) return inst;
    const argAt = (i: number): Value | undefined => {
      const name = template.params[i];
      return (name !== undefined ? kwargs.get(name)?.value : undefined) ?? args[i - 1]?.value;
    };
    const attrs = keptAttrs(template.attrs.map((a) => ({ name: a.name, value: inModule(substitute(a.value, argAt, new Map(), 0), inst.module) })));
    return attrs ? { ...inst, attrs } : inst;
  }

  protected applySummary(callee: Callee, node: SyntaxNode, anchor: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value {
    const { summary } = callee;
    const argAt = (i: number): Value | undefined => {
      if (i >= ATTR_PARAM_BASE) return callee.attrs?.[i - ATTR_PARAM_BASE]?.value;
      if (i === 0 && callee.receiverKey) return callee.receiverKey;
      const name = callee.params[i];
      const byName = name !== undefined ? kwargs.get(name)?.value : undefined;
      return byName ?? args[i - callee.offset]?.value;
    };
    if (summary.isAuth) return this.subjectRead(node, `\`${callee.label}()\``);
    // Guard helpers: `ensure_owner(note_id, user)` verifies note_id from here on.
    if (summary.guardPairs.length) {
      let applied = false;
      for (const [i, j] of summary.guardPairs) {
        const a = argAt(i);
        const b = j === -1 ? { subject: [{ id: `subject:${node.start}`, label: `\`${callee.label}()\``, node }] } : argAt(j);
        if (!a || !b) continue;
        this.applyGuard({ left: a, right: b }, state, true);
        if (this.mode === 'helper') {
          for (const pi of a.params ?? []) for (const pj of j === -1 ? [-1] : b.params ?? []) if (pi !== pj) this.guardPairs.push([pi, pj]);
        }
        applied = true;
      }
      if (applied) this.guardCalls.push(node);
    }
    const ids = new Map<number, number>();
    for (const c of summary.calls) {
      if (this.calls.length >= 4 * MAX_LAYER_CALLS) break;
      const made = this.remake(c, callee, node, anchor, argAt, ids, state);
      // One call per DynamoDB call reached from this anchor (a layer calling the same helper twice).
      const bottom = made?.via?.[made.via.length - 1]?.node;
      const dup = this.calls.find((x) => x.methodNode === anchor && x.via?.[x.via.length - 1]?.node === bottom);
      if (dup && made) {
        ids.set(c.id, dup.id);
        continue;
      }
      if (made && this.mode !== 'module') this.calls.push(made);
    }
    // The return value with the arguments in place of the parameters.
    const ret = summary.returns;
    let out = substitute(ret, argAt, ids, 0);
    if (ret.subject?.length) out = { ...out, subject: [{ id: `subject:${node.start}`, label: `\`${callee.label}()\``, node }] };
    if (ret.request?.length) out = { ...out, request: [{ id: `request:${node.start}`, label: `\`${callee.label}()\``, node }] };
    if (ret.keyedBy) out.keyedBy = substitute(ret.keyedBy, argAt, ids, 1);
    // An instance made in another module (a factory returning a repository) is of that module's class.
    if (callee.path) out = inModule(out, callee.path);
    return out;
  }

  /** The callee's table call `c` as made from this call site. */
  private remake(
    c: TableCall,
    callee: Callee,
    node: SyntaxNode,
    anchor: SyntaxNode,
    argAt: (i: number) => Value | undefined,
    ids: Map<number, number>,
    state: State,
  ): TableCall | undefined {
    const id = this.ctx.nextCallId();
    ids.set(c.id, id);
    const sub = (v: Value) => substitute(v, argAt, ids, 0);
    const inner: LayerHop[] = c.via ?? [{ node: c.methodNode, label: `\`${c.method}\``, ...(callee.path ? { path: callee.path } : {}) }];
    const hops: LayerHop[] = [
      { node: anchor, label: `\`${callee.label}\`` },
      ...inner.map((h) => (callee.path && !h.path ? { ...h, path: callee.path } : h)),
    ].slice(0, MAX_HOPS);
    const kwargs: Kwargs = new Map();
    for (const [k, v] of c.kwargs) kwargs.set(k, { ...v, value: sub(v.value) });
    const receiverValue = sub(c.receiverValue);
    const made: TableCall = {
      ...c,
      id,
      node,
      methodNode: anchor,
      receiverValue,
      kwargs,
      args: c.args.map((a) => ({ ...a, value: sub(a.value) })),
      keys: c.keys.map((k) => ({ ...k, value: sub(k.value) })),
      statement: this.currentStatement ?? node,
      verified: new Set([...state.verified, ...c.verified]),
      validated: new Set([...state.validated, ...c.validated]),
      usedFields: new Set(c.usedFields),
      fn: this.fn!,
      via: hops,
    };
    delete made.loop;
    if (this.loops.length) made.loop = this.loops[this.loops.length - 1]!;
    if (!made.tableName && receiverValue.obj === 'table' && receiverValue.name) made.tableName = receiverValue.name;
    // Keys re-read from the substituted arguments (a wrapper's `Key=key` is the caller's dict);
    // PynamoDB keys need the model's module, so they keep the callee's reading.
    if (c.api !== 'pynamo') made.keys = extractKeys(made, receiverValue, this.ctx.structure, (t) => this.ctx.keySchema(t));
    made.conditionBindsSubject = c.conditionBindsSubject || conditionBindsSubject(made);
    return made;
  }

  /** Summary of the function a call statement calls (this file's or an imported one). */
  protected calleeSummary(call: SyntaxNode): FunctionSummary | undefined {
    const fn = field(call, 'function');
    if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute')) return undefined;
    const name = this.t(fn);
    if (fn.type === 'identifier' && this.ctx.structure.topFunctions.has(name)) return this.ctx.summary(name);
    const q = this.qualify(name);
    if (q === name) return undefined;
    const f = this.ctx.foreign?.(q);
    return f?.kind === 'function' ? f.summary : undefined;
  }

  /** The name token a layered finding anchors on: `get_order` in `service.get_order(x)`. */
  protected anchorOf(call: SyntaxNode): SyntaxNode {
    if (call.type === 'attribute') return field(call, 'attribute') ?? call;
    const fn = field(call, 'function')!;
    return fn.type === 'attribute' ? field(fn, 'attribute') ?? fn : fn;
  }
}

/** `v` with parameter references replaced by the arguments' values and table-call ids renumbered. */
export function substitute(v: Value, argAt: (i: number) => Value | undefined, ids: ReadonlyMap<number, number>, depth: number): Value {
  if (v === EMPTY) return v;
  let out: Value = { ...v };
  delete out.params;
  if (v.dbFrom) out.dbFrom = v.dbFrom.map((i) => ids.get(i) ?? i);
  if (v.dbWhole) {
    const m = new Map<number, DbLevel>();
    for (const [i, lvl] of v.dbWhole) m.set(ids.get(i) ?? i, lvl);
    out.dbWhole = m;
  }
  // Too deep to substitute: elements would keep the callee's parameter numbers.
  if (depth >= MAX_NESTING) delete out.elems;
  if (depth < MAX_NESTING) {
    if (v.dict) out.dict = v.dict.map((e) => ({ ...e, value: substitute(e.value, argAt, ids, depth + 1) }));
    if (v.elem) out.elem = substitute(v.elem, argAt, ids, depth + 1);
    if (v.elems) out.elems = v.elems.map((e) => substitute(e, argAt, ids, depth + 1));
    if (v.keyedBy) out.keyedBy = substitute(v.keyedBy, argAt, ids, depth + 1);
    if (v.key) out.key = substitute(v.key, argAt, ids, depth + 1);
    if (v.cond) out.cond = v.cond.map((t): CondTerm => ({ ...t, value: substitute(t.value, argAt, ids, depth + 1) }));
    if (v.attrs) out.attrs = v.attrs.map((a) => ({ name: a.name, value: substitute(a.value, argAt, ids, depth + 1) }));
  }
  // A dict literal lists its entries' parameters at the top too (evalDict's union); those arrive
  // through the substituted entries. Joining them again as whole values would drop the dict and
  // give every entry the taint of one (`{"id": conn_id, "topic": body_field}` keyed by the body).
  const inEntries = new Set(out.dict ? v.dict!.flatMap((e) => e.value.params ?? []) : []);
  const dict = out.dict;
  const object = out.obj ? objectPart(out) : undefined;
  for (const i of v.params ?? []) {
    if (inEntries.has(i)) continue;
    const a = argAt(i);
    if (!a) continue;
    // A parameter that is the whole value (a table passed in, a key passed down) becomes the argument.
    const bare = Object.keys(out).length === 0;
    out = bare ? a : join(out, a);
  }
  // An object built from a parameter (`EntryBuilder(table_name)`) stays that object whatever the argument.
  if (object && out.obj !== object.obj) out = { ...out, ...object };
  if (dict) {
    // What evalDict lifts from its entries: their taint, and the whole read results they hold.
    for (const e of dict) {
      const lifted: Value = {};
      if (e.value.request) lifted.request = e.value.request;
      if (e.value.subject) lifted.subject = e.value.subject;
      if (e.value.dbWhole) lifted.dbWhole = e.value.dbWhole;
      if (e.value.dbFrom) lifted.dbFrom = e.value.dbFrom;
      // Inside a summary, the caller's parameters the entries now hold (a factory called by a factory).
      if (e.value.params) lifted.params = e.value.params;
      out = join(out, lifted);
    }
    // A copy: `join` may hand back one of its sides (an argument's value, or the frozen EMPTY).
    out = { ...out, dict };
  }
  return out;
}

/** A value from the module at `path`: its workspace objects without a module are that module's classes (attributes too). */
export function inModule(v: Value, path: string | undefined, depth = 0): Value {
  if (!path || !v.obj) return v;
  let out = v;
  if ((v.obj === 'instance' || v.obj === 'classRef') && !v.module) out = { ...out, module: path };
  if (v.attrs?.length && depth < MAX_ATTR_DEPTH) out = { ...out, attrs: v.attrs.map((a) => ({ name: a.name, value: inModule(a.value, path, depth + 1) })) };
  return out;
}
