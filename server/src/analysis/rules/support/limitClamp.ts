import { EditBuilder, mergeInsertions, replaceNode } from '../../fixes/edits';
import type { FileFacts, FunctionFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import { field, type SyntaxNode } from '../../parse/syntax';
import type { Fix } from '../../types';

// DG203's fix for a request-chosen page size: `min(int(x), MAX_PAGE)`.

const MAX_NAMES = ['MAX_PAGE', 'MAX_PAGE_SIZE', 'MAX_LIMIT', 'PAGE_SIZE_MAX', 'MAX_ITEMS'];

export function clampFix(facts: FileFacts, fnFacts: FunctionFacts, arg: { node: SyntaxNode }, name: string): Fix | undefined {
  const b = new EditBuilder(facts);
  const existing = MAX_NAMES.find((n) => facts.globals.get(n)?.constant);
  const max = existing ?? (b.isBound('MAX_PAGE') ? undefined : 'MAX_PAGE');
  if (!max) return undefined;
  const text = textOf(facts.text, arg.node);
  const param = fnFacts.fn.params.find((p) => p.name === text);
  const isInt = (arg.node.type === 'call' && /^int$/.test(textOf(facts.text, field(arg.node, 'function')!))) || arg.node.type === 'integer' ||
    (!!param?.annotation && /^(Optional\[)?int\]?$/.test(textOf(facts.text, param.annotation)));
  const edits = [replaceNode(arg.node, `min(${isInt ? text : `int(${text})`}, ${max})`)];
  if (!existing) edits.push(b.insertTopLevelLines([`${max} = 100`], true));
  return {
    title: `Clamp ${name} to ${max}`,
    edits: mergeInsertions(edits),
    isPreferred: true,
    // A bound the file already chose is safe; 100 is our guess at a page size.
    safe: !!existing,
  };
}
