import type { FileFacts } from '../model/facts';
import { lineOfOffset, lineStarts } from '../parse/lines';
import type { SyntaxNode } from '../parse/syntax';
import type { Range, TextEdit } from '../types';

// Positions inside Python string literals and removal of one item from a bracketed list. Shared
// by rules that anchor on a word inside a literal (a projection, a key id) and fixes that drop an
// entry (a projected attribute, a `#name` mapping, a keyword argument).

export interface SimpleString {
  /** The literal's value. */
  value: string;
  /** File offset of the value's first character: value[i] is at contentStart + i in the source. */
  contentStart: number;
}

/**
 * A string literal whose source text between the quotes is its value: no f-string
 * interpolation, no escape sequences (raw strings are fine), not implicitly concatenated.
 * Anything else returns undefined and callers anchor on the whole argument instead.
 */
export function simpleString(text: string, node: SyntaxNode): SimpleString | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.children.find((c) => c.type === 'string_start');
  const end = node.children.find((c) => c.type === 'string_end');
  if (!start || !end) return undefined;
  const parts = node.children.filter((c) => c.type !== 'string_start' && c.type !== 'string_end');
  if (parts.some((c) => c.type !== 'string_content' || c.children.some((x) => x.type === 'escape_sequence' || x.type === 'interpolation'))) return undefined;
  const prefix = text.slice(start.start, start.end);
  if (/[bf]/i.test(prefix)) return undefined;
  return { value: text.slice(start.end, end.start), contentStart: start.end };
}

const startsCache = new WeakMap<FileFacts, number[]>();

/** LSP range of the file offsets [start, end). */
export function offsetRange(facts: FileFacts, start: number, end: number): Range {
  let starts = startsCache.get(facts);
  if (!starts) {
    starts = lineStarts(facts.text);
    startsCache.set(facts, starts);
  }
  const pos = (offset: number) => {
    const line = lineOfOffset(starts!, offset);
    return { line, character: offset - starts![line]! };
  };
  return { start: pos(start), end: pos(end) };
}

/**
 * Delete `item` from the bracketed `container` (argument list, dict, list) with one of the commas
 * around it, so `f(a, b, c)` loses `b, ` and a trailing-comma multi-line layout stays intact.
 */
export function removeItem(facts: FileFacts, container: SyntaxNode, item: SyntaxNode): TextEdit {
  const items = container.children.filter((c) => c.named);
  const i = items.indexOf(item);
  const next = items[i + 1];
  const prev = items[i - 1];
  let from = item.start;
  let to = item.end;
  if (next) to = next.start;
  else if (prev) from = prev.end;
  else {
    // The only item: also drop a trailing comma before the closing bracket.
    const tail = /^\s*,/.exec(facts.text.slice(item.end, container.end - 1));
    if (tail) to = item.end + tail[0].length;
  }
  return { range: offsetRange(facts, from, to), newText: '' };
}
