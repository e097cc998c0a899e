// Which attribute names a Python file's DynamoDB writes store, per function, read statically:
// literal keys of `Item=` dicts (through local names, `x["k"] = ...`, `x.update({...})`, splats),
// `Key=` keys, `SET`/`ADD` targets of update expressions, and allow-list comprehensions
// (`{k: v for k, v in x.items() if k in ALLOWED}` keeps only ALLOWED's literal names). Used to
// check that a fix never drops an attribute the original code wrote.

import type { Node } from 'web-tree-sitter';
import { withPythonTree } from './pyparse';

const WRITES = new Set(['put_item', 'update_item', 'save']);

type Keys = Set<string>;

function str(n: Node | null | undefined): string | undefined {
  if (!n || n.type !== 'string') return undefined;
  const m = /^[rbuRBU]*("|')(.*)\1$/s.exec(n.text);
  return m ? m[2] : undefined;
}

function moduleSets(root: Node): Map<string, Keys> {
  const out = new Map<string, Keys>();
  for (const st of root.namedChildren) {
    const a = st?.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type === 'identifier' && right && (right.type === 'set' || right.type === 'list' || right.type === 'tuple')) {
      out.set(left.text, new Set(right.namedChildren.map((c) => str(c)).filter((s): s is string => s !== undefined)));
    }
  }
  return out;
}

function keysOf(n: Node | null | undefined, env: Map<string, Keys>, sets: Map<string, Keys>): Keys {
  const out: Keys = new Set();
  if (!n) return out;
  switch (n.type) {
    case 'dictionary':
      for (const c of n.namedChildren) {
        if (c?.type === 'pair') {
          const k = str(c.childForFieldName('key'));
          if (k !== undefined) out.add(k);
        } else if (c?.type === 'dictionary_splat') for (const k of keysOf(c.namedChildren[0], env, sets)) out.add(k);
      }
      return out;
    case 'identifier':
      return new Set(env.get(n.text) ?? []);
    case 'parenthesized_expression':
      return keysOf(n.namedChildren[0], env, sets);
    case 'dictionary_comprehension': {
      const filter = n.namedChildren.find((c) => c?.type === 'if_clause');
      const cond = filter?.namedChildren[0];
      const allowed = cond?.type === 'comparison_operator' ? sets.get(cond.namedChildren[1]?.text ?? '') : undefined;
      const forIn = n.namedChildren.find((c) => c?.type === 'for_in_clause');
      const iter = forIn?.childForFieldName('right');
      const base = iter?.type === 'call' ? iter.childForFieldName('function')?.childForFieldName('object') : undefined;
      for (const k of keysOf(base, env, sets)) if (!filter || allowed?.has(k)) out.add(k);
      return out;
    }
    case 'call': {
      const fn = n.childForFieldName('function');
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn?.type === 'identifier' && fn.text === 'dict') {
        for (const a of args) {
          if (a?.type === 'keyword_argument') out.add(a.childForFieldName('name')!.text);
          else for (const k of keysOf(a, env, sets)) out.add(k);
        }
      } else if (fn?.type === 'attribute' && ['copy', 'dict', 'model_dump'].includes(fn.childForFieldName('attribute')!.text)) {
        return keysOf(fn.childForFieldName('object'), env, sets);
      }
      return out;
    }
    default:
      return out;
  }
}

function updateTargets(expr: string, names: Map<string, string>): string[] {
  const out: string[] = [];
  for (const clause of expr.split(/\b(?=SET|ADD|REMOVE|DELETE)\b/i)) {
    const m = /^(SET|ADD)\s+([\s\S]*)$/i.exec(clause.trim());
    if (!m) continue;
    for (const action of m[2]!.split(',')) {
      const path = /^\s*([#\w.[\]]+)\s*(=|\s)/.exec(action)?.[1];
      if (path && !/^\W*$/.test(path)) out.push(names.get(path) ?? path);
    }
  }
  return out;
}

function walkFunction(fn: Node, sets: Map<string, Keys>, written: Keys): void {
  const env = new Map<string, Keys>();
  const visit = (n: Node) => {
    if (n.type === 'function_definition' && n !== fn) return;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (right) for (const c of right.namedChildren) if (c) visit(c);
      if (left?.type === 'identifier') env.set(left.text, keysOf(right, env, sets));
      else if (left?.type === 'subscript') {
        const obj = left.childForFieldName('value');
        const k = str(left.childForFieldName('subscript'));
        if (obj?.type === 'identifier' && k !== undefined) env.set(obj.text, new Set([...(env.get(obj.text) ?? []), k]));
      }
      return;
    }
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      const method = f?.type === 'attribute' ? f.childForFieldName('attribute')!.text : '';
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      const obj = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
      if (method === 'update' && obj?.type === 'identifier' && env.has(obj.text)) {
        for (const k of keysOf(args[0], env, sets)) env.get(obj.text)!.add(k);
      }
      if (WRITES.has(method)) {
        const kw = new Map<string, Node>();
        for (const a of args) if (a?.type === 'keyword_argument') kw.set(a.childForFieldName('name')!.text, a.childForFieldName('value')!);
        for (const k of keysOf(kw.get('Item'), env, sets)) written.add(k);
        for (const k of keysOf(kw.get('Key'), env, sets)) written.add(k);
        const names = new Map<string, string>();
        const ean = kw.get('ExpressionAttributeNames');
        for (const p of ean?.type === 'dictionary' ? ean.namedChildren : []) {
          const k = str(p?.childForFieldName('key'));
          const v = str(p?.childForFieldName('value'));
          if (k && v) names.set(k, v);
        }
        const ue = str(kw.get('UpdateExpression'));
        if (ue) for (const t of updateTargets(ue, names)) written.add(t);
      }
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  const body = fn.childForFieldName('body');
  if (body) visit(body);
}

/** `function name -> attribute names written`, for every function of the file. */
export async function writtenKeys(text: string): Promise<Map<string, Keys>> {
  return withPythonTree(text, (root) => {
    const sets = moduleSets(root);
    const out = new Map<string, Keys>();
    const stack: Node[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'function_definition') {
        const written: Keys = new Set();
        walkFunction(n, sets, written);
        const name = n.childForFieldName('name')!.text;
        out.set(`${name}@${out.has(name) ? n.startPosition.row : ''}`, written);
      }
      for (const c of n.namedChildren) if (c) stack.push(c);
    }
    return out;
  });
}
