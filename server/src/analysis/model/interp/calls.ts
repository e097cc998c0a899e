import { field, type SyntaxNode } from '../../parse/syntax';
import type { TableCall } from '../facts';
import { ERROR_TEXT_CALL, KNOWN_CALLS, METHOD_MODELS, PYNAMO_ACTIONS, VALIDATING_CALL } from '../knowledge/frameworks';
import {
  CONVERSION_BUILTINS, LOOKUP_METHODS, MODEL_PARSE_METHODS, MUTATING_METHODS, OPAQUE_BUILTINS, PAYLOAD_DUMP_METHODS,
  PAYLOAD_ITER_METHODS, REFLECTIVE_BUILTINS, SEQUENCE_BUILTINS, SIGNER_RECEIVER, STRING_METHODS, UNSIGN_METHODS, PYNAMO_WHOLE_VIEWS,
} from '../knowledge/python';
import type { FunctionInfo } from '../module';
import { CLIENT_METHODS, DYNAMO_ONLY_KWARGS, FRESH_CALL, PYNAMO_CLASS_METHODS, READ_METHODS, WRITE_METHODS } from '../names';
import { conditionBindsSubject, extractKeys, filterSelection } from '../tableCalls';
import { constant, derived, EMPTY, join, joinAll, mergeEntries, MAX_SET, unionElems, type DbLevel, type Value } from '../values';
import { enumClasses } from './declarations';
import { ExpressionFlow } from './expressions';
import { alternative, derivedOrSelf, elementOf, formattedFrom, spreadCarry, type Args, type Kwargs, type State } from './state';

/**
 * Calls: builtins, framework and SDK calls (from the knowledge tables), constructors, methods of
 * known objects, calls of the file's own functions through their summaries, and table calls
 * (the sinks), recorded with the guards in force.
 */
export abstract class CallFlow extends ExpressionFlow {
  /** A function of this file (./layers.ts). */
  protected abstract callFunction(fn: FunctionInfo, node: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value;
  /** A function, class or module member of another workspace module, by qualified name (./layers.ts). */
  protected abstract callImported(qualified: string, node: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value | undefined;
  /** A method of a workspace class instance (./layers.ts). */
  protected abstract callMethod(recv: Value, method: string, node: SyntaxNode, args: Args, kwargs: Kwargs, state: State): Value | undefined;
  /** An instance with the attributes its constructor binds from these arguments (./layers.ts). */
  protected abstract instanceOf(inst: Value, args: Args, kwargs: Kwargs): Value;

  protected evalArgs(call: SyntaxNode, state: State) {
    const args: Args = [];
    const kwargs: Kwargs = new Map();
    let splat: Value = EMPTY;
    const list = field(call, 'arguments');
    // `next(i for i in items)`: the generator is the only argument, not its parts.
    for (const a of list?.type === 'generator_expression' ? [] : list?.children ?? []) {
      if (!a.named) continue;
      if (a.type === 'keyword_argument') {
        const name = this.t(field(a, 'name')!);
        const v = field(a, 'value')!;
        kwargs.set(name, { node: v, value: this.eval(v, state), argNode: a });
      } else if (a.type === 'dictionary_splat') {
        const inner = a.children.find((c) => c.named);
        const v = inner ? this.eval(inner, state) : EMPTY;
        if (v.dict) for (const e of v.dict) kwargs.set(e.key, { node: e.valueNode, value: e.value, argNode: a });
        splat = join(splat, v);
      } else if (a.type === 'list_splat') {
        const inner = a.children.find((c) => c.named);
        splat = join(splat, inner ? this.eval(inner, state) : EMPTY);
      } else {
        args.push({ node: a, value: this.eval(a, state) });
      }
    }
    if (list?.type === 'generator_expression') args.push({ node: list, value: this.eval(list, state) });
    return { args, kwargs, splat };
  }

  protected evalCall(node: SyntaxNode, state: State): Value {
    const fnNode = field(node, 'function')!;
    const { args, kwargs, splat } = this.evalArgs(node, state);
    const allArgs = joinAll([...args.map((a) => a.value), ...[...kwargs.values()].map((k) => k.value), splat]);

    if (fnNode.type === 'attribute') {
      const recvNode = field(fnNode, 'object')!;
      const method = this.t(field(fnNode, 'attribute')!);
      const dotted = this.t(fnNode);
      const q = this.qualify(dotted);
      const special = this.knownCall(q, node, args, kwargs, allArgs);
      if (special) return special;
      const recv = this.eval(recvNode, state);
      // Methods of workspace classes, PynamoDB models' own methods included (not the library's),
      // and static/class methods called on a workspace class (`TokenService.refresh(...)`).
      const onClass = recv.obj === 'classRef' || (!recv.obj && !!recv.name && recvNode.type === 'identifier' && this.t(recvNode) === recv.name && this.ctx.structure.classes.has(recv.name));
      if (recv.obj === 'instance' || onClass || ((recv.obj === 'pynamoItem' || recv.obj === 'pynamoModel') && !METHOD_MODELS[recv.obj]?.methods(method))) {
        const layered = this.callMethod(recv, method, node, args, kwargs, state);
        if (layered) return layered;
      }
      // `services.get_order(x)`, `db.get(table, key)` on an imported module.
      const head = dotted.split('.')[0]!;
      if (!recv.obj && (q !== dotted || this.ctx.structure.imports.has(head)) && !state.env.has(head) && !this.ctx.globals.has(head)) {
        const layered = this.callImported(q, node, args, kwargs, state);
        if (layered) return layered;
      }
      return this.methodCall(node, recvNode, recv, method, args, kwargs, allArgs, state);
    }
    if (fnNode.type === 'identifier') {
      const name = this.t(fnNode);
      const local = state.env.get(name);
      const q = this.qualify(name);
      const special = this.knownCall(q, node, args, kwargs, allArgs);
      if (special) return special;
      if (local?.obj === 'pynamoModel' || local?.obj === 'pydanticModel') return this.construct(local, node, args, kwargs, allArgs);
      const cls = this.ctx.structure.classes.get(name);
      // `Status(value)` raises on anything but a member: a validation.
      if (cls && enumClasses(this.ctx).has(name)) return { ...derived(allArgs), checked: true };
      if (cls) return this.construct(this.classValue(name), node, args, kwargs, allArgs);
      const fn = this.ctx.structure.topFunctions.get(name);
      if (fn) return this.callFunction(fn, node, args, kwargs, state);
      if (this.ctx.isAuthFunction(name)) return this.subjectRead(node, `\`${name}()\``);
      const imported = this.ctx.structure.imports.get(name);
      const pairs = imported ? this.ctx.importedGuard(imported.qualified) : undefined;
      if (pairs?.length) {
        for (const [i, j] of pairs) {
          const a = args[i]?.value;
          const b = j === -1 ? { subject: [{ id: `subject:${node.start}`, label: `\`${name}()\``, node }] } : args[j]?.value;
          if (a && b) this.applyGuard({ left: a, right: b }, state, true);
        }
        this.guardCalls.push(node);
        return EMPTY;
      }
      if (imported) {
        const v = this.ctx.imported(imported.qualified + '()');
        if (v) {
          if (v.subject) return this.subjectRead(node, `\`${name}()\``);
          return v;
        }
      }
      if (local?.obj === 'classRef') return this.instanceOf({ obj: 'instance', name: local.name ?? '', ...(local.module ? { module: local.module } : {}) }, args, kwargs);
      if (imported && !local) {
        const layered = this.callImported(imported.qualified, node, args, kwargs, state);
        if (layered) return layered;
      }
      if (CONVERSION_BUILTINS.has(name)) {
        if (name === 'dict') {
          // dict(base, k=v): the base's taint (a whole payload stays one) plus known keyword entries.
          const entries = [...kwargs].map(([k, v]) => ({ key: k, keyNode: v.argNode, valueNode: v.node, value: v.value }));
          const base = args[0]?.value ?? EMPTY;
          return { ...spreadCarry(base), ...(base.constant && !kwargs.size ? { constant: true } : {}), dict: mergeEntries(base.dict, entries) };
        }
        const first = args[0]?.value ?? EMPTY;
        if (SEQUENCE_BUILTINS.has(name)) return first;
        // `next(iter, default)`: one element, or the default.
        if (name === 'next') return alternative(elementOf(first), args[1] ? derivedOrSelf(args[1].value) : EMPTY);
        return derived(first);
      }
      if (REFLECTIVE_BUILTINS.has(name)) return derived(allArgs);
      if (OPAQUE_BUILTINS.has(name)) {
        if (name === 'enumerate' || name === 'zip') return { elem: joinAll(args.map((a) => elementOf(a.value))) };
        if (name === 'min' || name === 'max') {
          const out = derived(allArgs);
          // `min(int(x), MAX_PAGE)`: an upper bound the caller cannot exceed.
          if (name === 'min' && args.length >= 2 && args.some((a) => !a.value.request?.length && (a.value.constant || /^[A-Z][A-Z0-9_]*$/.test(this.t(a.node))))) out.checked = true;
          return out;
        }
        return constant();
      }
    }
    // Unknown callee: keep taint of the arguments (a key run through `normalize()` is still chosen
    // by the caller) but nothing structural.
    this.eval(fnNode, state);
    return derived(allArgs);
  }

  /** Calls recognised by their qualified name (knowledge/frameworks.ts). */
  protected knownCall(q: string, node: SyntaxNode, args: Args, kwargs: Kwargs, allArgs: Value): Value | undefined {
    const known = KNOWN_CALLS.get(q);
    if (known) {
      const firstStr = args[0]?.value.str ?? kwargs.get('service_name')?.value.str;
      switch (known.kind) {
        case 'read':
          return this.read(known.read, node, { name: q.split('.').pop()! });
        case 'service':
          return firstStr === known.service ? { obj: known.obj } : EMPTY;
        case 'webApp': {
          const deps = kwargs.get('dependencies');
          const v: Value = { obj: known.obj };
          if (deps && this.hasAuthDependency(deps.node)) v.name = 'authenticated';
          return v;
        }
        case 'parse': {
          const v = args[0]?.value ?? EMPTY;
          return v.payload ? v : derived(v);
        }
        case 'response':
          return allArgs;
        case 'condition':
        {
          const named: Value = { obj: 'conditionBuilder', name: `${known.builder}:${firstStr ?? ''}` };
          // `Attr(body["field"])`: the caller names the attribute (DG405).
          const arg = args[0]?.value;
          if (firstStr === undefined && arg && (arg.request?.length || arg.params?.length)) named.key = derived(arg);
          return named;
        }
        case 'env':
          return this.envRead(firstStr) ?? derived(allArgs);
        default:
          return EMPTY;
      }
    }
    if (FRESH_CALL.test(q)) return { fresh: node };
    // Parsers that reject malformed input are format checks.
    if (VALIDATING_CALL.test(q)) return { ...derived(allArgs), checked: true };
    if (ERROR_TEXT_CALL.test(q)) return { error: { id: `error:${node.start}`, label: `\`${q}()\``, node } };
    return undefined;
  }

  hasAuthDependency(listNode: SyntaxNode): boolean {
    for (const c of listNode.children) {
      if (c.type !== 'call') continue;
      const callee = field(c, 'function');
      if (!callee || !/^(Depends|Security)$/.test(this.t(callee).split('.').pop()!)) continue;
      const arg = field(c, 'arguments')?.children.find((x) => x.named);
      if (arg && this.ctx.isAuthFunction(this.t(arg).split('.').pop()!)) return true;
    }
    return false;
  }

  protected construct(
    cls: Value,
    node: SyntaxNode,
    args: Args,
    kwargs: Kwargs,
    allArgs: Value,
  ): Value {
    if (cls.obj === 'pynamoModel') {
      const info = this.ctx.structure.classes.get(cls.name ?? '');
      const key = args[0]?.value ?? (info?.hashKey ? kwargs.get(info.hashKey)?.value : undefined) ?? kwargs.get('hash_key')?.value ?? EMPTY;
      const out: Value = { obj: 'pynamoItem', key, ...derived(allArgs) };
      if (cls.name) out.name = cls.name;
      if (cls.module) out.module = cls.module;
      // Attribute values by name, for rules about what a save() writes.
      const entries = [...kwargs].filter(([k]) => k !== 'hash_key' && k !== 'range_key').map(([k, v]) => ({ key: k, keyNode: v.argNode, valueNode: v.node, value: v.value }));
      if (entries.length) out.dict = entries;
      if (allArgs.payload) out.payload = allArgs.payload;
      void node;
      return out;
    }
    // A repository/service class of the workspace: its methods are summarised.
    if (!cls.obj && cls.name && this.ctx.structure.classes.get(cls.name)?.methods.some((m) => m.name !== '__init__')) {
      return this.instanceOf({ ...derived(allArgs), obj: 'instance', name: cls.name }, args, kwargs);
    }
    if (cls.obj === 'classRef') return this.instanceOf({ obj: 'instance', name: cls.name ?? '', ...(cls.module ? { module: cls.module } : {}) }, args, kwargs);
    // A Pydantic model built from an item keeps only the model's fields: narrowed.
    const out: Value = { ...derived(allArgs), obj: 'pydanticInstance' };
    if (cls.name) out.name = cls.name;
    return out;
  }

  protected methodCall(
    node: SyntaxNode,
    recvNode: SyntaxNode,
    recv: Value,
    method: string,
    args: Args,
    kwargs: Kwargs,
    allArgs: Value,
    state: State,
  ): Value {
    const methodNode = field(field(node, 'function')!, 'attribute')!;
    // `note.to_simple_dict()`: a view of the whole PynamoDB item.
    if (recv.obj === 'pynamoItem' && PYNAMO_WHOLE_VIEWS.has(method)) return { ...derived(recv), ...(recv.dbWhole ? { dbWhole: recv.dbWhole } : {}) };
    const model = recv.obj ? METHOD_MODELS[recv.obj] : undefined;
    if (model) {
      const m = model.methods(method);
      if (!m) return EMPTY;
      if (m.kind === 'sink') return this.recordCall(node, methodNode, recvNode, recv, method, m.api, args, kwargs, state);
      if (m.kind === 'read') return this.read(m.read, node, { method });
      if (m.kind === 'service') return (args[0]?.value.str ?? kwargs.get('service_name')?.value.str) === m.service ? { obj: m.obj } : EMPTY;
      const v: Value = { obj: m.obj };
      const name = m.name === 'receiver' ? recv.name : args[m.name.arg]?.value.str ?? kwargs.get(m.name.kw)?.value.str;
      if (name) v.name = name;
      return v;
    }
    switch (recv.obj) {
      case 'conditionBuilder': {
        const [builder, attr] = (recv.name ?? ':').split(':') as ['Key' | 'Attr', string];
        // `between(low, high)`: either bound may be request input.
        const value = method === 'between' ? join(args[0]?.value ?? EMPTY, args[1]?.value ?? EMPTY) : args[0]?.value ?? EMPTY;
        return { cond: [{ builder, attr, op: method, value, node, ...(recv.key ? { nameValue: recv.key } : {}) }] };
      }
      case 'pydanticInstance':
        return derived(recv);
      case 'fastapiApp':
      case 'apiRouter':
        if (method === 'include_router') {
          const deps = kwargs.get('dependencies');
          const routerArg = args[0]?.node;
          if (deps && routerArg?.type === 'identifier' && this.hasAuthDependency(deps.node)) {
            const name = this.t(routerArg);
            const v = this.ctx.globals.get(name);
            if (v) this.ctx.globals.set(name, { ...v, name: 'authenticated' });
          }
        }
        return EMPTY;
      default:
        break;
    }
    // PynamoDB update actions `User.role.set(x)`: keep which attribute gets which value.
    if (!recv.obj && PYNAMO_ACTIONS.has(method) && recvNode.type === 'attribute' && this.eval(field(recvNode, 'object')!, state).obj === 'pynamoModel') {
      const attr = this.t(field(recvNode, 'attribute')!);
      return { ...derived(allArgs), cond: [{ builder: 'Attr', attr, op: method, value: args[0]?.value ?? EMPTY, node }] };
    }
    // Unresolved receiver: accept well-known DynamoDB-only call shapes (`get_item(Key=...)`).
    if (!recv.obj && (CLIENT_METHODS.has(method) || method === 'batch_writer')) {
      const dynamoKw = [...kwargs.keys()].some((k) => DYNAMO_ONLY_KWARGS.has(k));
      if (dynamoKw) return this.recordCall(node, methodNode, recvNode, recv, method, 'unknown', args, kwargs, state);
    }
    // Payload methods.
    if (recv.payload || (recv.request && recv.model)) {
      if (PAYLOAD_DUMP_METHODS.has(method)) {
        const src = recv.payload ?? recv.request![0]!;
        // `model_dump(include={...})` is an allow-list; `exclude=` is a deny-list and still the whole payload.
        if (kwargs.has('include')) return { request: recv.request ?? [src], filtered: true };
        return { request: recv.request ?? [src], payload: src };
      }
      if (PAYLOAD_ITER_METHODS.has(method)) {
        const src = recv.payload ?? recv.request![0]!;
        const elem = derived(recv);
        return { ...derived(recv), payloadIter: src, elem: method === 'items' ? { ...elem, elem } : elem };
      }
    }
    // Signed or encrypted tokens (itsdangerous, Fernet): the caller cannot forge their content.
    if (UNSIGN_METHODS.has(method) || (method === 'loads' && SIGNER_RECEIVER.test(this.t(recvNode)))) return { ...derived(allArgs), checked: true };
    if (LOOKUP_METHODS.has(method)) {
      const key = args[0]?.value.str;
      const fallback = args[1]?.value ?? EMPTY;
      return alternative(this.index(recv, key, node), fallback.dict || fallback.elem ? EMPTY : derived(fallback));
    }
    if (MUTATING_METHODS.has(method) && recvNode.type === 'identifier') {
      const name = this.t(recvNode);
      const old = state.env.get(name) ?? this.ctx.globals.get(name) ?? EMPTY;
      const added = method === 'insert' ? args[1]?.value ?? EMPTY : allArgs;
      const merged: Value = join(old, method === 'update' ? added : { elem: added, ...derivedOrSelf(added) });
      if (old.dict && added.dict) merged.dict = mergeEntries(old.dict, added.dict);
      // `ops.append(debit(...))` on a list known element by element: one more element.
      if (old.elems && (method === 'append' || method === 'insert' || method === 'appendleft')) merged.elems = unionElems(old.elems, [args[method === 'insert' ? 1 : 0]?.value ?? EMPTY]);
      if (old.elems && method === 'extend') merged.elems = unionElems(old.elems, args[0]?.value.elems ?? [elementOf(args[0]?.value ?? EMPTY)]);
      state.env.set(name, merged);
      return EMPTY;
    }
    if (method === 'join') return join(derived(recv), derivedOrSelf(args[0]?.value.elem ? join(args[0].value, args[0].value.elem) : allArgs));
    if (method === 'format' || method === 'format_map') return joinAll([derived(recv), derived(allArgs), ...[...args.map((a) => a.value), ...[...kwargs.values()].map((k) => k.value)].map(formattedFrom)]);
    if (STRING_METHODS.has(method)) return derived(join(recv, allArgs));
    if (MODEL_PARSE_METHODS.has(method)) {
      return { ...derived(allArgs), obj: 'pydanticInstance' };
    }
    return join(derived(recv), derived(allArgs));
  }

  /**
   * What a PynamoDB condition (`(Loan.barcode == x) & (Loan.reader == y)`) compares attributes
   * with: the union of the `==` operands' values (a comparison itself evaluates to nothing).
   */
  private comparedValues(node: SyntaxNode, state: State, depth: number): Value {
    if (depth > 8) return EMPTY;
    if (node.type === 'comparison_operator') {
      if (!node.children.some((c) => !c.named && c.type === '==')) return EMPTY;
      return joinAll(node.children.filter((c) => c.named).map((c) => derived(this.eval(c, state))));
    }
    if (node.type !== 'binary_operator' && node.type !== 'parenthesized_expression') return EMPTY;
    return joinAll(node.children.filter((c) => c.named).map((c) => this.comparedValues(c, state, depth + 1)));
  }

  protected recordCall(
    node: SyntaxNode,
    methodNode: SyntaxNode,
    recvNode: SyntaxNode,
    recv: Value,
    method: string,
    api: TableCall['api'],
    args: Args,
    kwargs: Kwargs,
    state: State,
  ): Value {
    const id = this.ctx.nextCallId();
    const isPynamoItem = api === 'pynamo' && recv.obj === 'pynamoItem';
    const filter = api === 'pynamo' ? kwargs.get('filter_condition') : undefined;
    if (filter) kwargs.set('filter_condition', { ...filter, value: join(filter.value, this.comparedValues(filter.node, state, 0)) });
    const isRead = READ_METHODS.has(method) || (api === 'pynamo' && !isPynamoItem && PYNAMO_CLASS_METHODS.has(method));
    const isWrite = WRITE_METHODS.has(method) || (isPynamoItem && method !== 'refresh');
    const call: TableCall = {
      id,
      node,
      methodNode,
      method,
      api,
      receiver: recvNode,
      receiverValue: recv,
      kwargs,
      args,
      keys: [],
      statement: this.currentStatement ?? node,
      verified: new Set(state.verified),
      validated: new Set(state.validated),
      ...(this.loops.length ? { loop: this.loops[this.loops.length - 1]! } : {}),
      postChecked: false,
      conditionBindsSubject: false,
      usedFields: new Set(),
      isRead,
      isWrite,
      fn: this.fn ?? this.moduleUnit!,
    };
    if (recv.name && recv.obj !== 'pynamoModel' && recv.obj !== 'pynamoItem') call.tableName = recv.name;
    if (recv.obj === 'pynamoModel' || recv.obj === 'pynamoItem') call.pynamoModel = recv.name ?? '';
    call.keys = extractKeys(call, recv, this.ctx.structure, (t) => this.ctx.keySchema(t));
    call.conditionBindsSubject = conditionBindsSubject(call);
    if (this.mode !== 'module') this.calls.push(call);
    else if (this.moduleUnit && !this.moduleCalls.some((c) => c.node === node)) this.moduleCalls.push(call);
    if (!isRead) return { dbFrom: [id] };
    const keyedBy = call.keys.reduce<Value>((acc, k) => join(acc, derived(k.value)), EMPTY);
    // A scan or query filtered on request values returns the items the request picked (issue 7).
    const picked = method === 'scan' || method === 'query' ? filterSelection(call).slice(0, MAX_SET) : [];
    if (api === 'pynamo') {
      const whole = new Map<number, DbLevel>([[id, method === 'get' ? 'item' : 'items']]);
      // A picked item's own key is as request-chosen as the filter (`item.delete()` after the scan).
      const key = picked.length ? join(call.keys[0]?.value ?? EMPTY, { request: picked }) : call.keys[0]?.value ?? EMPTY;
      const item: Value = { obj: 'pynamoItem', dbWhole: new Map([[id, 'item']]), dbFrom: [id], key, keyedBy, ...(picked.length ? { request: picked } : {}) };
      if (call.pynamoModel) item.name = call.pynamoModel;
      if (recv.module) item.module = recv.module;
      return method === 'get' ? { ...item, dbWhole: whole } : { dbWhole: whole, dbFrom: [id], elem: item, keyedBy };
    }
    return { dbWhole: new Map([[id, 'response']]), dbFrom: [id], keyedBy, ...(picked.length ? { request: picked } : {}) };
  }
}
