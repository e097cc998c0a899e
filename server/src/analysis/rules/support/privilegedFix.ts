import { EditBuilder, mergeInsertions, pyString, replaceNode } from '../../fixes/edits';
import { removeFromList, removeStatement, removeUpdateActions } from '../../fixes/removal';
import { chooseSubject } from '../../fixes/subject';
import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import type { WrittenAttribute } from '../../model/tableCalls';
import { field, type SyntaxNode } from '../../parse/syntax';
import type { Fix, TextEdit } from '../../types';

// DG105's fix: ownership attributes get the handler's subject, other privileged attributes are removed.

const OWNER_LIKE = /^(owner|user_?id$|author|creator|created_by)/i;
const TENANT = /^tenant/i;

/** `user.id` -> `user.tenant_id`, `claims["sub"]` -> `claims["tenant_id"]`: the same object's attribute. */
function sibling(facts: FileFacts, subjectExpr: string, attr: string): string | undefined {
  const m = /^(.*?)(\.\w+|\[\s*["'][^"']+["']\s*\])$/.exec(subjectExpr);
  if (!m || !m[1]) return undefined;
  return m[2]!.startsWith('.') ? `${m[1]}.${attr}` : `${m[1]}[${pyString(attr, facts)}]`;
}

/** `{"S": x}` -> `x`. */
function inner(node: SyntaxNode): SyntaxNode {
  const pairs = node.type === 'dictionary' ? node.children.filter((c) => c.type === 'pair') : [];
  return pairs.length === 1 ? field(pairs[0]!, 'value') ?? node : node;
}

function removal(facts: FileFacts, b: EditBuilder, call: TableCall, w: WrittenAttribute, all: WrittenAttribute[]): TextEdit[] | undefined {
  if (w.via === 'UpdateExpression') return removeUpdateActions(facts, b, call, all.filter((x) => x.via === 'UpdateExpression'));
  const n = w.node;
  if (n.type === 'dictionary_splat') return undefined;
  // `update(actions=[User.role.set(x)])` cannot become an empty list.
  if (n.parent?.type === 'list' && n.parent.children.filter((c) => c.named).length < 2) return undefined;
  if (n.type === 'keyword_argument' || n.parent?.type === 'pair' || n.parent?.type === 'list') {
    const e = removeFromList(b, n.parent?.type === 'pair' ? n.parent : n);
    return e ? [e] : undefined;
  }
  const e = removeStatement(b, n);
  return e ? [e] : undefined;
}

export function privilegedFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, hits: WrittenAttribute[]): Fix | undefined {
  const b = new EditBuilder(facts);
  const edits: Array<TextEdit | undefined> = [];
  let safe = true;
  const derivedNames: string[] = [];
  const dropped: string[] = [];
  let removedUpdate = false;
  const subject = hits.some((w) => OWNER_LIKE.test(w.attr) || TENANT.test(w.attr)) ? chooseSubject(facts, fnFacts, b) : undefined;
  if (subject) edits.push(...subject.edits);
  for (const w of hits) {
    const expr = subject && (OWNER_LIKE.test(w.attr) ? subject.expr : TENANT.test(w.attr) ? sibling(facts, subject.expr, w.attr) : undefined);
    if (expr) {
      if (w.valueNode === call.kwargs.get('UpdateExpression')?.node) return undefined;
      edits.push(replaceNode(inner(w.valueNode), expr));
      // The tenant accessor is a guess from the subject's shape.
      if (subject!.guessed || !OWNER_LIKE.test(w.attr)) safe = false;
      derivedNames.push(w.attr);
      continue;
    }
    safe = false;
    dropped.push(w.attr);
    if (w.via === 'UpdateExpression' && removedUpdate) continue;
    const e = removal(facts, b, call, w, hits.filter((x) => !OWNER_LIKE.test(x.attr)));
    if (!e) return undefined;
    if (w.via === 'UpdateExpression') removedUpdate = true;
    edits.push(...e);
  }
  const parts = [derivedNames.length ? `derive ${derivedNames.join(', ')} from the caller` : '', dropped.length ? `drop ${dropped.join(', ')}` : ''].filter(Boolean);
  const title = parts.join(', ');
  return { title: title[0]!.toUpperCase() + title.slice(1), edits: mergeInsertions(edits), isPreferred: true, safe };
}

