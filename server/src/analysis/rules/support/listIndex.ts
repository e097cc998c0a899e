import type { FileFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import type { Value } from '../../model/values';
import { field, type SyntaxNode } from '../../parse/syntax';

/**
 * A list index (`"REMOVE items[" + str(i) + "]"`, `f"items[{i}]"`, `"options[{}]".format(n)`) that
 * is a number (`int(...)`, `str(i)`, `len(...)`) or a value not taken from the request: it can only
 * pick an element (a non-number is a ValidationException), so it is not an injection. Text
 * formatted only with `%d` is a number whatever the value.
 */
export function listIndex(facts: FileFacts, target: SyntaxNode, value: Value | undefined, bad: SyntaxNode): boolean {
  const text = textOf(facts.text, bad).replace(/^\{\s*|\s*\}$/g, '');
  const numeric = /^(int|len)\(|^str\(\s*(\w+|int\(.*\)|len\(.*\))\s*\)$|^\w+$/.test(text);
  if (!numeric || (/^\w+$/.test(text) && value?.request)) return false;
  // `"...[%d]" % i`: `%d` only formats a number (anything else raises before DynamoDB sees it).
  const pct = bad.parent?.type === 'binary_operator' && field(bad.parent, 'right') === bad ? textOf(facts.text, field(bad.parent, 'left')!) : '';
  const specs = pct.replace(/%%/g, '').match(/%[^a-z]*[a-z]/gi) ?? [];
  if (specs.length && specs.every((s) => /d$|i$/.test(s))) return true;
  const before = facts.text.slice(target.start, bad.start);
  if (/\[\s*\{?$|\[["']\s*\+\s*$/.test(before)) return true;
  const fmt = bad.parent?.type === 'argument_list' ? bad.parent.parent : undefined;
  const fn = fmt?.type === 'call' ? field(fmt, 'function') : undefined;
  const str = fn?.type === 'attribute' && textOf(facts.text, field(fn, 'attribute')!) === 'format' ? textOf(facts.text, field(fn, 'object')!) : '';
  return /\{\}/.test(str) && !/(^|[^[])\{\}/.test(str.replace(/\[\{\}\]/g, ''));
}

