import { field, type SyntaxNode } from '../../parse/syntax';
import { ATTRIBUTE_SOURCES, IMPORTED_NAMES, INDEX_SOURCES } from '../knowledge/frameworks';
import { PYNAMO_WHOLE_VIEWS } from '../knowledge/python';
import {
  constant, derived, dictGet, EMPTY, isEmpty, join, joinAll, MAX_DICT_ENTRIES, MAX_ELEMS, mergeEntries, type DbLevel, type DictEntry, type Source, type Value,
} from '../values';
import { enumClasses, modelFieldValidated } from './declarations';
import { GuardFlow } from './guards';
import {
  alternative, derivedOrSelf, elementOf, forkState, formattedFrom, keyTaint, MAX_DEPTH, spreadCarry, type State,
} from './state';

/**
 * Expressions: evaluates Python expressions to abstract `Value`s (names, literals, attributes,
 * subscripts, comprehensions), with framework sources read from the knowledge tables, and binds
 * values to assignment targets.
 */
export abstract class ExpressionFlow extends GuardFlow {
  protected abstract evalCall(node: SyntaxNode, state: State): Value;
  /** `obj.prop` for a `@property` of a workspace class (./layers.ts). */
  protected abstract readProperty(recv: Value, attr: string, node: SyntaxNode, state: State): Value | undefined;

  eval(node: SyntaxNode, state: State): Value {
    if (this.depth > MAX_DEPTH) return EMPTY;
    this.tick();
    this.depth++;
    try {
      return this.evalInner(node, state);
    } finally {
      this.depth--;
    }
  }

  protected lookup(name: string, state: State, node: SyntaxNode): Value {
    const local = state.env.get(name);
    if (local) return local;
    const global = this.ctx.globals.get(name);
    if (global) return global;
    const imp = this.ctx.structure.imports.get(name);
    if (imp) return this.importedValue(imp.qualified, node);
    if (this.ctx.structure.classes.has(name)) return this.classValue(name);
    return EMPTY;
  }

  protected classValue(name: string): Value {
    const cls = this.ctx.structure.classes.get(name)!;
    const bases = cls.bases.map((b) => this.t(b));
    const qualified = bases.map((b) => this.qualify(b));
    if (qualified.some((q) => /pynamodb\.models\.Model$|^pynamodb\..*Model$/.test(q)) || (cls.hashKey && bases.some((b) => /Model$/.test(b)))) {
      return { obj: 'pynamoModel', name };
    }
    if (qualified.some((q) => /^pydantic\.|BaseModel$/.test(q)) || bases.some((b) => this.ctx.structure.classes.has(b) && this.classValue(b).obj === 'pydanticModel')) {
      return { obj: 'pydanticModel', name };
    }
    return { name };
  }

  protected importedValue(qualified: string, node: SyntaxNode): Value {
    const known = IMPORTED_NAMES[qualified];
    if (known) return this.read(known, node, {});
    return this.ctx.imported(qualified) ?? EMPTY;
  }

  protected evalInner(node: SyntaxNode, state: State): Value {
    switch (node.type) {
      case 'identifier':
        return this.lookup(this.t(node), state, node);
      case 'string':
        return this.evalString(node, state);
      case 'concatenated_string': {
        const parts = node.children.filter((c) => c.type === 'string').map((c) => this.eval(c, state));
        // `"a = :a " "AND b = :b"` is one string to Python (and to a fix that split a long one).
        if (parts.every((p) => p.str !== undefined)) return constant(parts.map((p) => p.str).join(''));
        return joinAll(parts);
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return constant();
      case 'parenthesized_expression':
      case 'await': {
        const inner = node.children.find((c) => c.named);
        return inner ? this.eval(inner, state) : EMPTY;
      }
      case 'attribute':
        return this.evalAttribute(node, state);
      case 'subscript':
        return this.evalSubscript(node, state);
      case 'call':
        return this.evalCall(node, state);
      case 'binary_operator': {
        const l = this.eval(field(node, 'left')!, state);
        const r = this.eval(field(node, 'right')!, state);
        if (l.cond || r.cond) return { cond: [...(l.cond ?? []), ...(r.cond ?? [])] };
        const op = field(node, 'operator');
        return join(derivedOrSelf(l), op && this.t(op) === '%' ? formattedFrom(r) : derivedOrSelf(r));
      }
      case 'boolean_operator': {
        // `a or b` evaluates to one of its operands.
        const l = this.eval(field(node, 'left')!, state);
        const r = this.eval(field(node, 'right')!, state);
        return alternative(l, r);
      }
      case 'unary_operator':
      case 'not_operator':
      case 'comparison_operator':
        for (const c of node.children) if (c.named) this.eval(c, state);
        return EMPTY;
      case 'conditional_expression': {
        const parts = node.children.filter((c) => c.named);
        const cond = parts[1];
        if (cond) this.eval(cond, state);
        // `s if s in ALLOWED else "open"`: each branch sees what the condition proves.
        const branch = (part: SyntaxNode | undefined, truth: boolean): Value => {
          if (!part) return EMPTY;
          if (!cond || !this.validatedBy(cond, truth, state).length) return this.eval(part, state);
          const s = forkState(state);
          this.narrow(cond, truth, s);
          return this.eval(part, s);
        };
        return alternative(branch(parts[0], true), branch(parts[2], false));
      }
      case 'dictionary':
        return this.evalDict(node, state);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        const items = node.children.filter((c) => c.named).map((c) => (c.type === 'list_splat' ? elementOf(this.eval(c.children.find((x) => x.named)!, state)) : this.eval(c, state)));
        const elem = joinAll(items);
        const out: Value = { elem };
        if (items.every((i) => i.constant)) out.constant = true;
        // Element by element while small and without `*splat` (its elements are unknown in number).
        if (node.type !== 'set' && items.length <= MAX_ELEMS && !node.children.some((c) => c.type === 'list_splat')) out.elems = items;
        return out;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
        return this.evalComprehension(node, state);
      case 'named_expression': {
        const v = this.eval(field(node, 'value')!, state);
        const name = field(node, 'name');
        if (name) state.env.set(this.t(name), v);
        return v;
      }
      case 'lambda':
        return EMPTY;
      case 'keyword_argument': {
        const v = field(node, 'value');
        return v ? this.eval(v, state) : EMPTY;
      }
      case 'list_splat':
      case 'dictionary_splat': {
        const inner = node.children.find((c) => c.named);
        return inner ? this.eval(inner, state) : EMPTY;
      }
      default:
        return EMPTY;
    }
  }

  protected evalString(node: SyntaxNode, state: State): Value {
    const interps = node.children.filter((c) => c.type === 'interpolation');
    if (interps.length === 0) {
      const content = node.children.filter((c) => c.type === 'string_content').map((c) => this.t(c)).join('');
      return constant(content);
    }
    let out: Value = {};
    for (const i of interps) {
      const e = i.children.find((c) => c.named && c.type !== 'format_specifier' && c.type !== 'type_conversion');
      if (e) out = join(out, formattedFrom(this.eval(e, state)));
    }
    return out;
  }

  protected evalDict(node: SyntaxNode, state: State): Value {
    const entries: DictEntry[] = [];
    let rest: Value = EMPTY;
    let computedKeys: Value = EMPTY;
    let allConst = true;
    for (const c of node.children) {
      if (c.type === 'pair') {
        const k = field(c, 'key')!;
        const v = field(c, 'value')!;
        const kv = this.eval(k, state);
        const vv = this.eval(v, state);
        if (!vv.constant) allConst = false;
        if (kv.str !== undefined) entries.push({ key: kv.str, keyNode: k, valueNode: v, value: vv });
        else {
          rest = join(rest, join(keyTaint(kv), derivedOrSelf(vv)));
          computedKeys = join(computedKeys, derived(kv));
        }
      } else if (c.type === 'dictionary_splat') {
        const inner = c.children.find((x) => x.named);
        const v = inner ? this.eval(inner, state) : EMPTY;
        allConst = false;
        // `{**body}` copies every key of the payload: still the whole payload.
        rest = join(rest, v.dict ? joinAll(v.dict.map((e) => e.value)) : v);
        if (v.dict) entries.push(...v.dict.slice(-MAX_DICT_ENTRIES));
        if (v.payload) rest = { ...rest, payload: v.payload };
      }
    }
    const out: Value = { ...(isEmpty(rest) ? {} : spreadCarry(rest)), dict: entries };
    if (!isEmpty(computedKeys)) out.computedKeys = computedKeys;
    // Narrowing: a dict literal of chosen fields is not a whole item unless an entry is.
    const whole = new Map<number, DbLevel>();
    for (const e of entries) for (const [id, lvl] of e.value.dbWhole ?? []) whole.set(id, lvl);
    for (const [id, lvl] of rest.dbWhole ?? []) whole.set(id, lvl);
    if (whole.size) out.dbWhole = whole;
    const dbFrom = entries.flatMap((e) => e.value.dbFrom ?? []);
    if (dbFrom.length) out.dbFrom = [...new Set([...(out.dbFrom ?? []), ...dbFrom])];
    const req = entries.flatMap((e) => e.value.request ?? []);
    if (req.length) out.request = [...(out.request ?? []), ...req];
    const subj = entries.flatMap((e) => e.value.subject ?? []);
    if (subj.length) out.subject = [...(out.subject ?? []), ...subj];
    const params = entries.flatMap((e) => e.value.params ?? []);
    if (params.length) out.params = [...new Set([...(out.params ?? []), ...params])];
    if (allConst) out.constant = true;
    return out;
  }

  protected evalComprehension(node: SyntaxNode, state: State): Value {
    const local: State = { env: new Map(state.env), verified: state.verified, validated: state.validated, terminated: false };
    let filtered = false;
    let iterPayload: Source | undefined;
    for (const c of node.children) {
      if (c.type === 'for_in_clause') {
        const right = field(c, 'right');
        const iter = right ? this.eval(right, local) : EMPTY;
        if (iter.payloadIter || iter.payload) iterPayload = iter.payloadIter ?? iter.payload;
        if (iter.constant || iter.elem?.constant) filtered = true;
        const left = field(c, 'left');
        if (left) this.bind(left, elementOf(iter), local);
      } else if (c.type === 'if_clause') {
        const cond = c.children.find((x) => x.named);
        if (cond && this.isAllowListCheck(cond, local)) filtered = true;
        // `[i for i in resp["Items"] if i["owner_id"] == user.id]`: a Python-side owner filter.
        if (cond && this.mode === 'handler' && /==/.test(this.t(cond))) this.noteSubjectFilter(this.comparePairs(cond, local).match, cond);
        // `next(i for i in items if i["id"] == body["id"])`: the element is the item the request picks.
        if (cond) this.selectByRequest(cond, true, local);
      }
    }
    const body = field(node, 'body');
    let elem = EMPTY;
    if (body?.type === 'pair') {
      elem = join(this.eval(field(body, 'key')!, local), this.eval(field(body, 'value')!, local));
    } else if (body) {
      elem = this.eval(body, local);
    }
    const out: Value = { ...derivedOrSelf(elem), elem };
    if (elem.dbWhole) out.dbWhole = elem.dbWhole;
    if (iterPayload && !filtered) out.payload = iterPayload;
    if (filtered) out.filtered = true;
    return out;
  }

  protected evalAttribute(node: SyntaxNode, state: State): Value {
    const objNode = field(node, 'object')!;
    const attrNode = field(node, 'attribute')!;
    const attr = this.t(attrNode);
    // `self.table` bound in __init__ (engine puts `self.<attr>` into the method's env).
    if (objNode.type === 'identifier') {
      const dotted = this.t(node);
      const bound = state.env.get(dotted) ?? this.ctx.globals.get(dotted);
      if (bound) return bound;
      // `flask_login.current_user` after `import flask_login`, like `from flask_login import current_user`.
      const known = state.env.has(this.t(objNode)) ? undefined : IMPORTED_NAMES[this.qualify(dotted)];
      if (known) return this.read(known, node, {});
    }
    const base = this.eval(objNode, state);
    if (base.obj === 'instance') {
      const prop = this.readProperty(base, attr, node, state);
      if (prop) return prop;
      // An attribute its constructor bound (`ledger.entries`, `wallet.storage_id`).
      const bound = base.attrs?.find((a) => a.name === attr);
      if (bound) return bound.value;
    }
    const model = base.obj ? ATTRIBUTE_SOURCES[base.obj] : undefined;
    if (model) {
      const r = (Object.hasOwn(model.attrs, attr) ? model.attrs[attr] : undefined) ?? (model.pattern?.test.test(attr) ? model.pattern.read : undefined);
      if (r) return this.read(r, node, { attr });
      return model.otherwise === 'self' ? base : EMPTY;
    }
    switch (base.obj) {
      case 'pynamoItem': {
        if (PYNAMO_WHOLE_VIEWS.has(attr)) return { ...derived(base), ...(base.dbWhole ? { dbWhole: base.dbWhole } : {}) };
        const out = derived(base);
        for (const id of base.dbFrom ?? []) this.calls.find((c) => c.id === id)?.usedFields.add(attr);
        return out;
      }
      case 'boto3':
        return attr === 'session' || attr === 'Session' ? { obj: 'boto3' } : EMPTY;
      case 'pydanticInstance':
        return { ...derived(base) };
      default:
        break;
    }
    if (base.model && base.request?.length && modelFieldValidated(this.ctx, base.model, attr)) return { ...derived(base), checked: true };
    if (base.dict) {
      const e = dictGet(base, attr);
      if (e) return e.value;
    }
    if (base.dbWhole) {
      // Attribute of a whole item (pynamo) is a field; of a response it is metadata.
      return derived(base);
    }
    const out = derived(base);
    if (base.obj === 'table' && attr === 'meta') return EMPTY;
    return out;
  }

  protected evalSubscript(node: SyntaxNode, state: State): Value {
    const baseNode = field(node, 'value')!;
    const subNode = field(node, 'subscript');
    const base = this.eval(baseNode, state);
    const key = subNode ? this.eval(subNode, state) : EMPTY;
    if (baseNode.type === 'identifier' && enumClasses(this.ctx).has(this.t(baseNode))) return { ...derived(key), checked: true };
    if (baseNode.type !== 'call' && this.qualify(this.t(baseNode)) === 'os.environ') {
      const env = this.envRead(key.str);
      if (env) return env;
    }
    return this.index(base, key.str, node, key);
  }

  /** `os.environ["ORDERS_TABLE"]`: the name of the table the infrastructure code binds to it. */
  protected envRead(variable: string | undefined): Value | undefined {
    const table = variable !== undefined ? this.ctx.envTable?.(variable) : undefined;
    return table !== undefined ? { str: table, constant: true } : undefined;
  }

  /** `base[key]` and `base.get(key)`. */
  protected index(base: Value, key: string | undefined, node: SyntaxNode, keyValue: Value = EMPTY): Value {
    const model = base.obj ? INDEX_SOURCES[base.obj] : undefined;
    if (model) {
      const r = (node.type === 'call' ? model.lookup : undefined) ?? (key !== undefined && Object.hasOwn(model.keys, key) ? model.keys[key] : undefined) ?? model.any;
      return r ? this.read(r, node, { key: key ?? '', keyRepr: key ? JSON.stringify(key) : '...' }) : EMPTY;
    }
    if (base.dbWhole) {
      const next = new Map<number, DbLevel>();
      for (const [id, lvl] of base.dbWhole) {
        if (lvl === 'response' && (key === 'Item' || key === 'Attributes')) next.set(id, 'item');
        else if (lvl === 'response' && (key === 'Items' || key === 'Responses')) next.set(id, 'items');
        else if (lvl === 'items' && key === undefined) next.set(id, 'item');
        else if (lvl === 'item' && key !== undefined) this.calls.find((c) => c.id === id)?.usedFields.add(key);
      }
      const out = derived(base);
      if (next.size) out.dbWhole = next;
      return out;
    }
    if (base.dict && key !== undefined) {
      const e = dictGet(base, key);
      if (e) return e.value;
    }
    if (base.elem && key === undefined) return join(base.elem, keyTaint(keyValue));
    // `STATUS_BY_NAME[request_value]`: drawn from a constant mapping (KeyError otherwise).
    if (base.constant && base.dict && keyValue.request?.length) return { ...derived(keyValue), checked: true };
    // A field of the payload is request input, not the whole payload.
    return join(derived(base), keyTaint(keyValue));
  }

  protected bind(target: SyntaxNode, value: Value, state: State): void {
    switch (target.type) {
      case 'identifier':
        state.env.set(this.t(target), value);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list': {
        const targets = target.children.filter((c) => c.named);
        targets.forEach((tg) => this.bind(tg, value.elem ? value.elem : derivedOrSelf(value), state));
        return;
      }
      case 'attribute': {
        // `self.table = ...` in __init__ and `obj.attr = v` on a local dict-like object
        const key = this.t(target);
        state.env.set(key, value);
        // `item.role = body.role` on a PynamoDB item: its next save() writes it.
        const obj = field(target, 'object');
        const old = obj?.type === 'identifier' ? state.env.get(this.t(obj)) : undefined;
        if (old?.obj === 'pynamoItem') {
          const rhs = target.parent?.type === 'assignment' ? field(target.parent, 'right') : undefined;
          const entry: DictEntry = { key: this.t(field(target, 'attribute')!), keyNode: target, valueNode: rhs ?? target, value };
          state.env.set(this.t(obj!), { ...old, dict: mergeEntries(old.dict, [entry]) });
        }
        return;
      }
      case 'subscript': {
        const base = field(target, 'value');
        if (base?.type !== 'identifier') return;
        const name = this.t(base);
        const old = state.env.get(name) ?? this.ctx.globals.get(name) ?? EMPTY;
        const sub = field(target, 'subscript');
        const keyStr = sub ? this.eval(sub, state).str : undefined;
        if (old.dict && keyStr !== undefined && sub) {
          const entry: DictEntry = { key: keyStr, keyNode: sub, valueNode: sub, value };
          state.env.set(name, { ...old, dict: mergeEntries(old.dict, [entry]) });
        } else {
          // `vals[f":{k}"] = v` inside a loop over the payload: the dict now carries the payload.
          const keyVal = sub ? this.eval(sub, state) : EMPTY;
          state.env.set(name, join(old, join(derivedOrSelf(value), keyTaint(keyVal))));
        }
        return;
      }
      default:
        return;
    }
  }
}
