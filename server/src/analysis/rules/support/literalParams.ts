import type { FileFacts } from '../../model/facts';
import { textOf, type FunctionInfo } from '../../model/module';
import { field, visit, type SyntaxNode } from '../../parse/syntax';
import type { Build } from './stringBuild';

// A helper parameter that every caller passes as a literal (`_set_status(order_id, "shipped_at")`)
// is a constant of the program, not input: an expression formatted from it is not injectable.
// Only the file's own callers are known, so a helper whose name is used any other way (passed as a
// callback, exported and called elsewhere with a value) keeps its parameters opaque.

const MAX_SITES = 64;
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

function isLiteral(facts: FileFacts, n: SyntaxNode | undefined): boolean {
  if (!n) return false;
  if (n.type === 'string') return !n.children.some((c) => c.type === 'interpolation');
  if (n.type === 'concatenated_string') return n.children.every((c) => c.type !== 'string' || isLiteral(facts, c));
  if (n.type === 'integer' || n.type === 'true' || n.type === 'false' || n.type === 'none') return true;
  if (n.type !== 'identifier') return false;
  const name = textOf(facts.text, n);
  return CONSTANT.test(name) || !!facts.globals.get(name)?.constant;
}

/** The call sites of `fn` in the file, or undefined when its name escapes (used other than called). */
function callSites(facts: FileFacts, fn: FunctionInfo): SyntaxNode[] | undefined {
  const method = !!fn.className;
  const sites: SyntaxNode[] = [];
  let escaped = false;
  for (const unit of facts.module.units) {
    visit(unit.node, (n) => {
      if (escaped || n.type !== 'identifier' || n === fn.nameNode || textOf(facts.text, n) !== fn.name) return !escaped;
      const p = n.parent;
      const callee = method ? (p?.type === 'attribute' && field(p, 'attribute') === n && /^(self|cls)$/.test(textOf(facts.text, field(p, 'object')!)) ? p : undefined) : n;
      const call = callee?.parent;
      if (call?.type === 'call' && field(call, 'function') === callee && sites.length < MAX_SITES) sites.push(call);
      else if (!(method && p?.type === 'attribute' && field(p, 'attribute') === n && !/^(self|cls)$/.test(textOf(facts.text, field(p, 'object')!)))) escaped = true;
      return false;
    });
    if (escaped) return undefined;
  }
  return sites;
}

/** Parameters of `fn` that every call in the file passes as a literal, bound to a constant build. */
export function literalParams(facts: FileFacts, fn: FunctionInfo): Map<string, Build> {
  const out = new Map<string, Build>();
  if (fn.name.startsWith('__') || fn.decorators.length) return out;
  const sites = callSites(facts, fn);
  if (!sites?.length) return out;
  const offset = fn.className && /^(self|cls)$/.test(fn.params[0]?.name ?? '') ? 1 : 0;
  for (const p of fn.params) {
    if (p.kind !== 'normal' || p.index < offset) continue;
    const literal = sites.every((call) => {
      const args = field(call, 'arguments')?.children.filter((c) => c.named) ?? [];
      if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return false;
      const kw = args.find((a) => a.type === 'keyword_argument' && textOf(facts.text, field(a, 'name')!) === p.name);
      const positional = args.filter((a) => a.type !== 'keyword_argument');
      const arg = kw ? field(kw, 'value') : positional[p.index - offset];
      return arg ? isLiteral(facts, arg) : isLiteral(facts, p.default);
    });
    if (literal) out.set(p.name, { konst: true, built: false });
  }
  return out;
}
