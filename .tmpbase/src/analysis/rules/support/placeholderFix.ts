import { EditBuilder, mergeInsertions, pyString, replaceNode } from '../../fixes/edits';
import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import { field, type SyntaxNode } from '../../parse/syntax';
import type { Fix, TextEdit } from '../../types';
import { StringBuilds } from './stringBuild';

// DG401's fix: rewrite the non-constant interpolations of an f-string expression into
// `:placeholders` (+ ExpressionAttributeValues) or PartiQL `?` (+ Parameters), when every one of
// them stands where a value goes. Anything else (a name, a clause, a table) gets no fix.

/** Text before an interpolation that makes it a value: a comparison, `+`/`-` arithmetic, BETWEEN, a function's second argument. */
const VALUE_BEFORE = /(?:[=<>]|\s[+-]|\bBETWEEN|\bBETWEEN\s+\S+\s+AND|\b(?:begins_with|contains|list_append|if_not_exists)\s*\(\s*[#:\w.[\]]+\s*,)\s*$/i;
const VALUE_AFTER = /^(?:\s|\)|,|$)/;

interface Hole { node: SyntaxNode; expr: SyntaxNode; quoted: boolean; from: number; to: number }

function placeholderBase(text: string, expr: SyntaxNode): string {
  let raw = 'value';
  if (expr.type === 'identifier') raw = textOf(text, expr);
  else if (expr.type === 'attribute') raw = textOf(text, field(expr, 'attribute')!);
  else {
    const key = /\[\s*["'](\w+)["']\s*\]$|\.get\(\s*["'](\w+)["']/.exec(textOf(text, expr));
    if (key) raw = key[1] ?? key[2]!;
  }
  const clean = raw.replace(/\W+/g, '_').replace(/^[\d_]+/, '');
  return clean || 'value';
}

/** The non-constant interpolations of `str`, or undefined when one of them is not in a value position. */
function holes(facts: FileFacts, fnFacts: FunctionFacts, str: SyntaxNode): Hole[] | undefined {
  const text = facts.text;
  const builds = new StringBuilds(text, fnFacts.fn, facts.globals);
  const kids = str.children;
  const open = kids.find((c) => c.type === 'string_start')?.end ?? str.start;
  const close = kids.find((c) => c.type === 'string_end')?.start ?? str.end;
  const out: Hole[] = [];
  for (let i = 0; i < kids.length; i++) {
    const n = kids[i]!;
    if (n.type !== 'interpolation') continue;
    const expr = field(n, 'expression');
    if (!expr || builds.analyze(expr).konst) continue;
    if (field(n, 'type_conversion') || field(n, 'format_specifier')) return undefined;
    const before = text.slice(open, n.start);
    const after = text.slice(n.end, close);
    const q = /['"]$/.exec(before)?.[0];
    const quoted = !!q && after.startsWith(q);
    const lead = quoted ? before.slice(0, -1) : before;
    if (!VALUE_BEFORE.test(lead) || !VALUE_AFTER.test(quoted ? after.slice(1) : after)) return undefined;
    out.push({ node: n, expr, quoted, from: n.start - (quoted ? 1 : 0), to: n.end + (quoted ? 1 : 0) });
  }
  return out.length ? out : undefined;
}

/** The string with the holes replaced; drops the `f` prefix when nothing is left to interpolate. */
function rewrite(facts: FileFacts, str: SyntaxNode, hs: Hole[], names: string[]): string {
  let s = textOf(facts.text, str);
  for (let i = hs.length - 1; i >= 0; i--) s = s.slice(0, hs[i]!.from - str.start) + names[i] + s.slice(hs[i]!.to - str.start);
  const remaining = str.children.filter((c) => c.type === 'interpolation').length - hs.length;
  if (remaining === 0) {
    const prefix = /^[A-Za-z]*/.exec(s)![0];
    s = prefix.replace(/f/i, '') + s.slice(prefix.length).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  }
  return s;
}

export function placeholderFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, str: SyntaxNode, partiql: boolean): Fix | undefined {
  if (str.parent?.type !== 'keyword_argument') return undefined;
  const hs = holes(facts, fnFacts, str);
  if (!hs) return undefined;
  const text = facts.text;
  const b = new EditBuilder(facts);
  const exprText = (h: Hole) => textOf(text, h.expr);
  const safe = hs.every((h) => h.quoted);
  const edits: Array<TextEdit | undefined> = [];
  if (partiql) {
    if (call.kwargs.has('Parameters') || textOf(text, str).includes('?')) return undefined;
    edits.push(replaceNode(str, rewrite(facts, str, hs, hs.map(() => '?'))));
    const params = hs.map((h) => (h.quoted ? `{${pyString('S', facts)}: ${exprText(h)}}` : `{${pyString('N', facts)}: str(${exprText(h)})}`));
    edits.push(b.addKeywordArgument(call.node, 'Parameters', `[${params.join(', ')}]`));
    return done(edits, 'Use ? and Parameters instead of interpolating values', safe);
  }
  if (call.api === 'client' && !safe) return undefined;
  const eav = call.kwargs.get('ExpressionAttributeValues');
  const taken = new Set([...(eav?.value.dict ?? []).map((e) => e.key), ...(textOf(text, str).match(/:\w+/g) ?? [])]);
  const byExpr = new Map<string, string>();
  const names = hs.map((h) => {
    const known = byExpr.get(exprText(h));
    if (known) return known;
    const base = ':' + placeholderBase(text, h.expr);
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    byExpr.set(exprText(h), name);
    return name;
  });
  edits.push(replaceNode(str, rewrite(facts, str, hs, names)));
  const entries = [...byExpr].map(([expr, name]) => {
    const quoted = hs.find((h) => exprText(h) === expr)!.quoted;
    const value = call.api === 'client' ? `{${pyString(quoted ? 'S' : 'N', facts)}: ${expr}}` : expr;
    return [pyString(name, facts), value] as const;
  });
  if (!eav) edits.push(b.addKeywordArgument(call.node, 'ExpressionAttributeValues', `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`));
  else if (eav.node.type === 'dictionary') for (const [k, v] of entries) edits.push(b.addDictEntry(eav.node, k, v));
  else edits.push({ range: replaceNode(eav.node, '').range, newText: `{**${textOf(text, eav.node)}, ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}` });
  return done(edits, `Use ${names.filter((n, i) => names.indexOf(n) === i).join(', ')} in ExpressionAttributeValues`, safe);
}

function done(edits: Array<TextEdit | undefined>, title: string, safe: boolean): Fix | undefined {
  if (edits.some((e) => !e)) return undefined;
  return { title, edits: mergeInsertions(edits), isPreferred: true, safe };
}
