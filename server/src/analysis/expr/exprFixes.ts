import { EditBuilder, pyString } from '../fixes/edits';
import type { FileFacts } from '../model/facts';
import { field, type SyntaxNode } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import { offsetRange } from './locate';
import { isVerbatim, unparenthesize } from './pyLiteral';
import type { DictEntrySite } from './pyResolve';
import type { DictSite, RequestSite } from './requests';

// Quick fixes of the expression rules: #placeholders for reserved words, ExpressionAttributeNames
// entries, and removal of unused ExpressionAttributeNames/Values entries.

function replaceOffsets(facts: FileFacts, start: number, end: number, newText: string): TextEdit {
  return { range: offsetRange(facts, start, end), newText };
}

function within(node: { start: number; end: number }, container: SyntaxNode): boolean {
  return node.start >= container.start && node.end <= container.end;
}

/** Edits that make `placeholder` -> `attr` available in the request's ExpressionAttributeNames. */
function ensureNameEntry(facts: FileFacts, site: RequestSite, placeholder: string, attr: string): TextEdit[] | undefined {
  const b = new EditBuilder(facts);
  const entryText = `${pyString(placeholder, facts)}: ${pyString(attr, facts)}`;
  const names = site.names;
  if (names) {
    const existing = names.resolved?.entries.find((e) => e.key === placeholder);
    if (existing) return existing.value === attr ? [] : undefined;
    const node = unparenthesize(names.node);
    if (node.type === 'dictionary') {
      const e = b.addDictEntry(node, pyString(placeholder, facts), pyString(attr, facts));
      return e ? [e] : undefined;
    }
    // A dict built elsewhere (maybe shared by other calls): extend it for this request only.
    return [replaceOffsets(facts, names.node.start, names.node.end, `{**${facts.text.slice(names.node.start, names.node.end)}, ${entryText}}`)];
  }
  // Absent: only when no `**kwargs` could already carry it (a duplicate keyword is a TypeError).
  if (site.spec.names.state !== 'absent') return undefined;
  const e = site.containerKind === 'call'
    ? b.addKeywordArgument(site.container, 'ExpressionAttributeNames', `{${entryText}}`)
    : b.addDictEntry(site.container, pyString('ExpressionAttributeNames', facts), `{${entryText}}`);
  return e ? [e] : undefined;
}

/** DG402: write `#word` for every bare use of `word` in this request, and map it. */
export function reservedWordFix(facts: FileFacts, site: RequestSite, word: string): Fix | undefined {
  const used = new Set(site.analyses.flatMap((a) => a.placeholders.map((p) => p.text)));
  const mapped = new Map(site.names?.resolved?.entries.map((e) => [e.key, e.value]) ?? []);
  let placeholder: string | undefined;
  for (let i = 0; i < 10 && !placeholder; i++) {
    const candidate = i === 0 ? `#${word}` : `#${word}_${i}`;
    if (mapped.has(candidate)) {
      if (mapped.get(candidate) === word) placeholder = candidate;
    } else if (!used.has(candidate)) {
      placeholder = candidate;
    }
  }
  if (!placeholder) return undefined;
  const edits: TextEdit[] = [];
  let safe = true;
  site.analyses.forEach((a, i) => {
    const lit = site.exprs[i]!.literal;
    if (!lit) return;
    for (const n of a.names) {
      if (n.name !== word || !isVerbatim(lit, n.start, n.end, facts.text)) continue;
      const s = lit.srcStart[n.start]!;
      const e = lit.srcEnd[n.end - 1]!;
      edits.push(replaceOffsets(facts, s, e, placeholder!));
      // Editing a literal that lives outside the call may change other calls that use it.
      if (!within({ start: s, end: e }, site.container)) safe = false;
    }
  });
  if (!edits.length) return undefined;
  const nameEdits = ensureNameEntry(facts, site, placeholder, word);
  if (!nameEdits) return undefined;
  return {
    title: `Use ${placeholder} for the reserved word \`${word}\` (ExpressionAttributeNames)`,
    edits: [...edits, ...nameEdits],
    isPreferred: true,
    safe,
  };
}

/** DG403: add `"#name": "name"` for a missing #placeholder whose attribute is obvious. */
export function missingNameFix(facts: FileFacts, site: RequestSite, placeholder: string, attr: string, safe: boolean): Fix | undefined {
  const edits = ensureNameEntry(facts, site, placeholder, attr);
  if (!edits?.length) return undefined;
  return { title: `Add "${placeholder}": "${attr}" to ExpressionAttributeNames`, edits, isPreferred: true, safe };
}

/** Range that deletes `node` from a comma-separated list (its comma and the space after it included). */
function listItemDeletion(facts: FileFacts, node: SyntaxNode): TextEdit | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  const items = parent.children.filter((c) => c.named);
  const i = items.indexOf(node);
  if (i === -1) return undefined;
  const next = items[i + 1];
  if (next) return replaceOffsets(facts, node.start, next.start, '');
  const prev = items[i - 1];
  if (prev) return replaceOffsets(facts, prev.end, node.end, '');
  return undefined;
}

/** Delete a whole statement that sits alone on its lines. */
function statementDeletion(facts: FileFacts, stmt: SyntaxNode): TextEdit | undefined {
  const text = facts.text;
  const lineStart = text.lastIndexOf('\n', stmt.start - 1) + 1;
  if (text.slice(lineStart, stmt.start).trim() !== '') return undefined;
  let lineEnd = text.indexOf('\n', stmt.end);
  if (lineEnd === -1) lineEnd = text.length;
  if (!/^\s*(#.*)?$/.test(text.slice(stmt.end, lineEnd).replace(/\r$/, ''))) return undefined;
  return replaceOffsets(facts, lineStart, Math.min(text.length, lineEnd + 1), '');
}

const PURE_CALL = /^(str|int|float|bool|Decimal|len|set|list|dict|tuple)$/;

/** Removing the entry also removes its value expression: only safe when evaluating it has no effect. */
function sideEffectFree(facts: FileFacts, node: SyntaxNode): boolean {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'await' || n.type === 'yield' || n.type === 'named_expression') return false;
    if (n.type === 'call') {
      const f = field(n, 'function');
      if (!f || !PURE_CALL.test(facts.text.slice(f.start, f.end))) return false;
    }
    stack.push(...n.children);
  }
  return true;
}

function entryRemoval(facts: FileFacts, e: DictEntrySite): TextEdit | undefined {
  return e.holderKind === 'subscript' ? statementDeletion(facts, e.holder) : listItemDeletion(facts, e.holder);
}

/** Remove the whole `ExpressionAttributeValues=...` argument (or entry pair). */
function dictRemoval(facts: FileFacts, d: DictSite): TextEdit | undefined {
  if (d.holder.type !== 'keyword_argument' && d.holder.type !== 'pair') return undefined;
  return listItemDeletion(facts, d.holder) ?? (d.holder.type === 'keyword_argument' ? replaceOffsets(facts, d.holder.start, d.holder.end, '') : undefined);
}

/** DG403: remove an unused entry (the whole argument when it was the last one). */
export function removeEntryFix(facts: FileFacts, site: RequestSite, which: 'names' | 'values', key: string, all: readonly RequestSite[]): Fix | undefined {
  const d = which === 'names' ? site.names : site.values;
  if (!d?.resolved) return undefined;
  const doomed = d.resolved.entries.filter((e) => e.key === key);
  if (!doomed.length) return undefined;
  const last = d.resolved.entries.every((e) => e.key === key);
  const edits = last ? [dictRemoval(facts, d)] : doomed.map((e) => entryRemoval(facts, e));
  if (edits.some((e) => !e)) return undefined;
  return {
    title: last ? `Remove ${d.label} (its only entry ${key} is unused)` : `Remove the unused ${key} from ${d.label}`,
    edits: edits as TextEdit[],
    isPreferred: true,
    safe: doomed.every((e) => sideEffectFree(facts, e.valueNode)) && builtForThisRequest(facts, site, d, all),
  };
}

/** The dict is a literal in this request, or a variable no other request of the file passes. */
function builtForThisRequest(facts: FileFacts, site: RequestSite, d: DictSite, all: readonly RequestSite[]): boolean {
  const node = unparenthesize(d.node);
  if (node.type !== 'identifier') return within(node, site.container);
  const name = facts.text.slice(node.start, node.end);
  const sameName = (x: DictSite | undefined) => {
    const n = x ? unparenthesize(x.node) : undefined;
    return !!n && n.type === 'identifier' && facts.text.slice(n.start, n.end) === name;
  };
  // A dict bound in this function is only shared within it; a module-level one, file-wide.
  const fn = site.call.fn.node;
  const lit = d.resolved?.literal;
  // Module-level code shares its names with the whole file.
  const local = site.call.fn.name !== '<module>' && !!lit && lit.start >= fn.start && lit.end <= fn.end;
  return !all.some((o) => o !== site && (!local || o.call.fn === site.call.fn) && (sameName(o.names) || sameName(o.values)));
}

/** DG403: an empty ExpressionAttributeNames/Values argument is removed. */
export function removeEmptyDictFix(facts: FileFacts, site: RequestSite, which: 'names' | 'values'): Fix | undefined {
  const d = which === 'names' ? site.names : site.values;
  if (!d) return undefined;
  const e = dictRemoval(facts, d);
  return e ? { title: `Remove the empty ${d.label}`, edits: [e], isPreferred: true, safe: true } : undefined;
}

/** DG403: `{"uid": v}` -> `{":uid": v}` when `:uid` is what the expressions use. */
export function renameKeyFix(facts: FileFacts, site: RequestSite, which: 'names' | 'values', key: string, to: string): Fix | undefined {
  const d = which === 'names' ? site.names : site.values;
  const entry = d?.resolved?.entries.find((e) => e.key === key);
  if (!entry) return undefined;
  const k = unparenthesize(entry.keyNode);
  if (k.type !== 'string') return undefined;
  return {
    title: `Rename the key "${key}" to "${to}"`,
    edits: [replaceOffsets(facts, k.start, k.end, pyString(to, facts))],
    isPreferred: true,
    safe: true,
  };
}
