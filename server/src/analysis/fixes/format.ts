// Inserted code is laid out as Black would lay it out (line length 88), so a project formatted by
// Black does not see its formatter rewrite what a fix just wrote.

export const LINE_LENGTH = 88;

/**
 * Black's right-hand split of `head(<items>)tail` starting at column `indent`: one line if it fits,
 * else the items on one indented line, else one item per line with a trailing comma.
 */
export function splitBrackets(indent: string, head: string, items: string[], tail: string, unit: string, open = '(', close = ')'): string {
  const flat = `${indent}${head}${open}${items.join(', ')}${close}${tail}`;
  if (flat.length <= LINE_LENGTH || items.length === 0) return flat;
  const inner = indent + unit;
  const hugged = `${inner}${items.join(', ')}`;
  if (hugged.length <= LINE_LENGTH && !items.some((i) => i.includes('\n'))) return `${indent}${head}${open}\n${hugged}\n${indent}${close}${tail}`;
  return `${indent}${head}${open}\n${items.map((i) => splitItem(inner, i, unit)).join('\n')}\n${indent}${close}${tail}`;
}

/** One item per line, itself split at its trailing bracket when it is still too long (as Black recurses). */
function splitItem(indent: string, item: string, unit: string): string {
  const line = `${indent}${item},`;
  if (line.length <= LINE_LENGTH) return line;
  const close = item[item.length - 1];
  const open = close === ')' ? '(' : close === '}' ? '{' : close === ']' ? '[' : undefined;
  if (!open) return line;
  const start = matchingOpen(item, item.length - 1);
  const inner = start > 0 ? topLevelItems(item.slice(start + 1, -1)) : undefined;
  if (!inner?.length) return line;
  return splitBrackets(indent, item.slice(0, start), inner, ',', unit, open, close!);
}

/** Index of the bracket opening the one closed at `end` (strings skipped); -1 when unknown. */
function matchingOpen(text: string, end: number): number {
  let depth = 0;
  let quote: string | undefined;
  let found = -1;
  for (let i = 0; i <= end; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) {
      if (depth === 0) found = i;
      depth++;
    } else if (')]}'.includes(c)) depth--;
  }
  return depth === 0 ? found : -1;
}

/** `NAME = {"a", "b"}` at module level, split like Black when too long. */
export function formatSetLiteral(name: string, items: string[], unit: string): string {
  return splitBrackets('', `${name} = `, items, '', unit, '{', '}');
}

/** Split the top-level comma-separated items of a bracket's inner text (strings and nesting respected). */
export function topLevelItems(inner: string): string[] | undefined {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') return undefined;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      items.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (quote || depth !== 0) return undefined;
  const last = inner.slice(start).trim();
  if (last) items.push(last);
  return items;
}
