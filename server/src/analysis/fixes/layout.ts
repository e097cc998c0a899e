import type { Fix, TextEdit } from '../types';
import { LINE_LENGTH } from './format';

// Every line a fix inserts or rewrites is laid out as Black would lay it out (line length 88), so
// a project formatted by Black neither sees its formatter rewrite what a fix wrote nor gets lines
// a reviewer has to scroll. Rules build their edits as plain text; this pass re-lays out, after
// the fact, only the lines that came out too long. Long lines the fix did not touch stay as the
// user wrote them. Past Black's stable style, too-long string literals are split into implicit
// concatenations in parentheses (what Black's string processing does), because nothing else
// makes them fit.

/** Columns as Black counts them: characters (code points). */
export function width(line: string): number {
  let n = 0;
  for (const _ of line) n++;
  return n;
}

/** Recursion bound of one line's layout: brackets and delimiters nest at most this deep. */
const MAX_DEPTH = 12;
/** Lines longer than this are left alone: generated code, not something a fix writes. */
const MAX_SOURCE = 4_000;

/** `fix` with every too-long line it inserts or rewrites re-laid out (whole lines replaced). */
export function layoutFix(text: string, fix: Fix, unit: string): Fix {
  const lines = text.split('\n');
  const groups: Array<{ from: number; to: number; edits: TextEdit[] }> = [];
  const byStart = [...fix.edits].sort((a, b) => a.range.start.line - b.range.start.line);
  for (const e of byStart) {
    const last = groups[groups.length - 1];
    if (last && e.range.start.line <= last.to) {
      last.to = Math.max(last.to, e.range.end.line);
      last.edits.push(e);
    } else groups.push({ from: e.range.start.line, to: e.range.end.line, edits: [e] });
  }
  let changed = false;
  const out: TextEdit[] = [];
  for (const g of groups) {
    // Keep the original order of the group's edits: inserts at one position apply in array order.
    const edits = fix.edits.filter((e) => g.edits.includes(e));
    const laid = g.from < lines.length ? layoutGroup(lines, g.from, Math.min(g.to, lines.length - 1), edits, unit) : undefined;
    if (laid) {
      out.push(laid);
      changed = true;
    } else out.push(...edits);
  }
  return changed ? { ...fix, edits: out } : fix;
}

/** One edit replacing lines from..to with their edited text, long new lines re-laid out; undefined when nothing is long. */
function layoutGroup(lines: string[], from: number, to: number, edits: TextEdit[], unit: string): TextEdit | undefined {
  const span = lines.slice(from, to + 1);
  const starts = [0];
  for (const l of span) starts.push(starts[starts.length - 1]! + l.length + 1);
  const offset = (p: { line: number; character: number }) => {
    const row = Math.min(Math.max(p.line - from, 0), span.length - 1);
    return starts[row]! + Math.min(p.character, span[row]!.length);
  };
  let after = span.join('\n');
  const sorted = edits.map((e, i) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText, i }))
    .sort((a, b) => b.s - a.s || b.e - a.e || b.i - a.i);
  for (const e of sorted) after = after.slice(0, e.s) + e.t + after.slice(e.e);
  const pool = new Map<string, number>();
  for (const l of span) pool.set(l, (pool.get(l) ?? 0) + 1);
  let touched = false;
  const result = after.split('\n').map((raw) => {
    const kept = pool.get(raw) ?? 0;
    if (kept > 0) {
      pool.set(raw, kept - 1);
      return raw;
    }
    const cr = raw.endsWith('\r');
    const line = cr ? raw.slice(0, -1) : raw;
    if (width(line) <= LINE_LENGTH || line.length > MAX_SOURCE) return raw;
    const indent = /^[ \t]*/.exec(line)![0];
    const laid = layoutLine(indent, line.slice(indent.length), unit);
    if (laid.length === 1) return raw;
    touched = true;
    return laid.join(cr ? '\r\n' : '\n') + (cr ? '\r' : '');
  });
  if (!touched) return undefined;
  return { range: { start: { line: from, character: 0 }, end: { line: to, character: span[span.length - 1]!.length } }, newText: result.join('\n') };
}

/**
 * Lay out one logical line (`content`, balanced, at `indent`) in lines of at most 88 columns the
 * way Black's right-hand split and delimiter split do. A line it cannot split comes back as is.
 */
export function layoutLine(indent: string, content: string, unit: string, depth = 0): string[] {
  const flat = indent + content;
  if (width(flat) <= LINE_LENGTH || depth > MAX_DEPTH) return [flat];
  return split(indent, content, unit, depth) ?? [flat];
}

const OPEN: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * `s` with what is inside string literals replaced by `x` and what is inside brackets by `_`
 * (same length), so top-level structure can be found with plain regexes. Undefined when the line
 * is not a self-contained piece of code (unbalanced, a comment, a triple-quoted string, a `\`).
 */
function mask(s: string): string | undefined {
  const out: string[] = [];
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      if (s.startsWith(c + c + c, i)) return undefined;
      let j = i + 1;
      while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
      if (j >= s.length) return undefined;
      out.push(depth > 0 ? '_' : c, (depth > 0 ? '_' : 'x').repeat(j - i - 1), depth > 0 ? '_' : c);
      i = j;
      continue;
    }
    if (c === '#' || c === '\\') return undefined;
    if ('([{'.includes(c)) {
      out.push(depth > 0 ? '_' : c);
      depth++;
    } else if (')]}'.includes(c)) {
      depth--;
      if (depth < 0) return undefined;
      out.push(depth > 0 ? '_' : c);
    } else out.push(depth > 0 ? '_' : c);
  }
  return depth === 0 ? out.join('') : undefined;
}

/** Bracket pair at top level of `m` closed at `close`: its opening index. */
function openingOf(m: string, close: number): number {
  return m.lastIndexOf(OPEN[m[close]!]!, close - 1);
}

type Kind = 'def' | 'trailer' | 'collection';

function split(indent: string, content: string, unit: string, depth: number): string[] | undefined {
  const m = mask(content);
  if (m === undefined) return undefined;
  const def = /^(?:async\s+)?def\s+\w+\s*\(/.exec(m);
  if (def) {
    const open = def[0].length - 1;
    const close = m.indexOf(')', open);
    return bracketSplit(indent, content.slice(0, open + 1), content.slice(open + 1, close), content.slice(close), unit, 'def', depth);
  }
  const end = content.length - /[,:]?\s*$/.exec(m)![0].length;
  const tail = content.slice(end);
  const value = valueStart(m.slice(0, end));
  const close = ')]}'.includes(m[end - 1] ?? '') ? end - 1 : -1;
  const open = close >= 0 ? openingOf(m, close) : -1;
  const body = open >= 0 ? content.slice(open + 1, close) : '';
  if (open >= 0 && body.trim() && width(indent + content.slice(0, open + 1)) <= LINE_LENGTH) {
    // Black omits the optional parentheses around a value that ends in a bracket when nothing but
    // a name or call chain comes before that bracket.
    const before = m.slice(value ?? 0, open).replace(/^await\s+/, '');
    if (!/\s/.test(before.trim())) return bracketSplit(indent, content.slice(0, open + 1), body, content.slice(close), unit, kindOf(m, open), depth);
  }
  if (value !== undefined) return wrap(indent, content.slice(0, value), content.slice(value, end), tail, unit, depth);
  if (delimiter(m.slice(0, end)) || isStringLiteral(m.slice(0, end))) return wrap(indent, '', content.slice(0, end), tail, unit, depth);
  if (open >= 0 && body.trim()) return bracketSplit(indent, content.slice(0, open + 1), body, content.slice(close), unit, kindOf(m, open), depth);
  return undefined;
}

/** A call's or subscript's brackets (Black may keep their body on one line) or a literal's. */
function kindOf(m: string, open: number): Kind {
  return open > 0 && /[\w)\]]/.test(m[open - 1]!) ? 'trailer' : 'collection';
}

/** Where the value of `x = v`, `k=v`, `"k": v`, `return v`, `if v` starts in masked `m`. */
function valueStart(m: string): number | undefined {
  const kw = /^(?:return|yield|if|elif|while|assert|del)\s+(?=\S)/.exec(m);
  if (kw) return kw[0].length;
  const assign = /(?<![=!<>:])=(?!=)\s*(?=\S)/.exec(m);
  if (assign && !/^(?:lambda|for|with)\b/.test(m)) return assign.index + assign[0].length;
  const key = /^[^:]*?:\s+(?=\S)/.exec(m);
  if (key && !/^(?:lambda|else|try|finally|class|for|with)\b/.test(m)) return key[0].length;
  return undefined;
}

function isStringLiteral(m: string): boolean {
  return /^(?:[rRbBuUfF]{0,2}(["'])x*\1\s*)+$/.test(m);
}

/** `head(` + the value on its own lines + `)tail`: Black's invisible parentheses made visible. */
function wrap(indent: string, head: string, value: string, tail: string, unit: string, depth: number): string[] {
  return [`${indent}${head}(`, ...bodyLines(indent + unit, value.trim(), unit, depth + 1, true), `${indent})${tail}`];
}

/** Split the text between a pair of brackets (`head` ends with the opening one, `tail` starts with the closing one). */
function bracketSplit(indent: string, head: string, body: string, tail: string, unit: string, kind: Kind, depth: number): string[] {
  const inner = indent + unit;
  const m = mask(body) ?? '';
  const items = commaItems(body, m);
  const magic = /,\s*$/.test(m);
  const first = indent + head;
  const last = indent + tail;
  if (items.length <= 1 && !magic) {
    const only = items[0] ?? body.trim();
    const lines = kind === 'def' ? layoutLine(inner, `${only},`, unit, depth + 1) : bodyLines(inner, only, unit, depth + 1, kind === 'collection');
    return [first, ...lines, last];
  }
  const hugged = inner + items.join(', ');
  if (!magic && kind !== 'collection' && width(hugged) <= LINE_LENGTH) return [first, hugged, last];
  return [first, ...items.flatMap((it) => layoutLine(inner, `${it},`, unit, depth + 1)), last];
}

/** Top-level comma-separated items; a comprehension is one item (its `for k, v` commas bind tighter). */
function commaItems(body: string, m: string): string[] {
  if (/\sfor\s/.test(m)) return [body.trim()];
  return topLevelSplit(body, m, /,/g).map((s) => s.trim()).filter((s) => s !== '');
}

/** Black's delimiter split of a bracket's body, from the loosest-binding delimiter down. */
function bodyLines(inner: string, body: string, unit: string, depth: number, explodeCommas: boolean): string[] {
  const m = mask(body);
  if (m === undefined) return [inner + body];
  const commas = commaItems(body, m);
  if (commas.length > 1 && (explodeCommas || width(inner + body) > LINE_LENGTH)) return commas.flatMap((it) => layoutLine(inner, `${it},`, unit, depth + 1));
  if (width(inner + body) <= LINE_LENGTH || depth > MAX_DEPTH) return [inner + body];
  const d = delimiter(m);
  if (d) return topLevelSplit(body, m, d, true).map((p) => p.trim()).flatMap((p) => partLines(inner, p, unit, depth + 1));
  return partLines(inner, body.trim(), unit, depth + 1);
}

/** One operand of a delimiter split: a string literal is cut into pieces, anything else laid out. */
function partLines(inner: string, part: string, unit: string, depth: number): string[] {
  const m = mask(part);
  if (m !== undefined && isStringLiteral(m) && width(inner + part) > LINE_LENGTH) return splitString(part, LINE_LENGTH - width(inner)).map((p) => inner + p);
  return layoutLine(inner, part, unit, depth);
}

/** The loosest top-level delimiter of masked `m` (comprehension, ternary, boolean, strings, arithmetic). */
function delimiter(m: string): RegExp | undefined {
  if (/\sfor\s/.test(m)) return /\s(?=(?:async\s+)?for\s|if\s)/g;
  if (/\sif\s.*\selse\s/.test(m)) return /\s(?=if\s|else\s)/g;
  if (/\s(?:or|and)\s/.test(m)) return /\s(?=(?:or|and)\s)/g;
  if (/^(?:[rRbBuUfF]{0,2}(["'])x*\1\s*){2,}$/.test(m)) return /(?<=["'])\s+(?=[rRbBuUfF]{0,2}["'])/g;
  if (/\s[+-]\s/.test(m)) return /\s(?=[+-]\s)/g;
  return undefined;
}

/** `s` cut where `sep` matches its masked twin `m` (separators dropped unless `keep`). */
function topLevelSplit(s: string, m: string, sep: RegExp, keep = false): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const hit of m.matchAll(sep)) {
    parts.push(s.slice(start, hit.index));
    start = hit.index! + (keep ? 0 : hit[0].length);
  }
  parts.push(s.slice(start));
  return parts;
}

/**
 * A string literal cut before spaces (as Black's string processing does) into pieces of at most `room` columns (never inside an
 * f-string's replacement field or an escape); pieces without a field lose the `f` prefix.
 */
export function splitString(literal: string, room: number): string[] {
  const pm = /^([rRbBuUfF]{0,2})(["'])/.exec(literal);
  if (!pm || !literal.endsWith(pm[2]!) || literal.length < pm[0].length + 1) return [literal];
  const [, prefix, q] = pm as unknown as [string, string, string];
  const isF = /f/i.test(prefix);
  const fits = room - prefix.length - 2;
  const pieces: string[] = [];
  let rest = literal.slice(prefix.length + 1, -1);
  while (width(rest) > fits) {
    let best = -1;
    let first = -1;
    let braces = 0;
    for (let k = 0; k < rest.length - 1; k++) {
      const c = rest[k]!;
      if (c === '\\') {
        k++;
        continue;
      }
      if (isF && (c === '{' || c === '}')) {
        if (rest[k + 1] === c) k++;
        else braces += c === '{' ? 1 : -1;
        continue;
      }
      if (c !== ' ' || braces !== 0 || k === 0) continue;
      if (width(rest.slice(0, k)) <= fits) best = k;
      else if (first < 0) first = k;
    }
    const cut = best > 0 ? best : first;
    if (cut <= 0) break;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces.map((p) => `${isF && !/[{}]/.test(p) ? prefix.replace(/f/i, '') : prefix}${q}${p}${q}`);
}
