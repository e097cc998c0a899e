import type { SyntaxNode } from '../parse/syntax';
import type { Span } from './ast';

// Decoding of Python string literals with a map from every decoded character back to the source
// text, so a word found in an expression can be underlined (and edited) where it is written:
// escapes, r/u/f prefixes, triple quotes, implicit concatenation `"a " "b"` and parentheses.

export interface DecodedLiteral {
  /** The constant text; each unknown region (interpolation) is one U+FFFF character. */
  text: string;
  /** Source offsets [srcStart[i], srcEnd[i]) of decoded character i in the document. */
  srcStart: number[];
  srcEnd: number[];
  /** Unknown regions of `text` (f-string interpolations, `\N{...}` escapes). */
  holes: Span[];
  /** The string nodes the text came from. */
  parts: SyntaxNode[];
}

const HOLE = '\uffff';

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** Strip parentheses around an expression: `("a" "b")`. */
export function unparenthesize(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = n.children.filter((c) => c.named);
    if (inner.length !== 1) return n;
    n = inner[0]!;
  }
  return n;
}

export function isStringLiteral(node: SyntaxNode): boolean {
  const n = unparenthesize(node);
  return n.type === 'string' || n.type === 'concatenated_string';
}

/**
 * Decode a string literal node (`string`, `concatenated_string`, possibly parenthesised).
 * Returns undefined for bytes and template strings, which are not expression text.
 */
export function decodeLiteral(node: SyntaxNode, doc: string): DecodedLiteral | undefined {
  const n = unparenthesize(node);
  const parts = n.type === 'string' ? [n] : n.type === 'concatenated_string' ? n.children.filter((c) => c.type === 'string') : [];
  if (parts.length === 0) return undefined;
  const out: DecodedLiteral = { text: '', srcStart: [], srcEnd: [], holes: [], parts };
  const chars: string[] = [];
  for (const part of parts) if (!decodePart(part, doc, out, chars)) return undefined;
  out.text = chars.join('');
  return out;
}

function decodePart(node: SyntaxNode, doc: string, out: DecodedLiteral, chars: string[]): boolean {
  const startTok = node.children.find((c) => c.type === 'string_start');
  const endTok = node.children.find((c) => c.type === 'string_end');
  if (!startTok || !endTok) return false;
  const opener = doc.slice(startTok.start, startTok.end);
  const prefix = opener.replace(/["']+$/, '').toLowerCase();
  if (prefix.includes('b') || prefix.includes('t')) return false;
  const raw = prefix.includes('r');
  const fmt = prefix.includes('f');
  const interpolations = node.children.filter((c) => c.type === 'interpolation');

  const push = (ch: string, s: number, e: number) => {
    chars.push(ch);
    out.srcStart.push(s);
    out.srcEnd.push(e);
  };
  const hole = (s: number, e: number) => {
    out.holes.push({ start: chars.length, end: chars.length + 1 });
    push(HOLE, s, e);
  };

  let i = startTok.end;
  const end = endTok.start;
  let k = 0;
  while (i < end) {
    const interp = interpolations[k];
    if (interp && i >= interp.start) {
      hole(interp.start, interp.end);
      i = interp.end;
      k++;
      continue;
    }
    const c = doc[i]!;
    if (fmt && (c === '{' || c === '}') && doc[i + 1] === c) {
      push(c, i, i + 2);
      i += 2;
      continue;
    }
    if (raw || c !== '\\' || i + 1 >= end) {
      push(c, i, i + 1);
      i++;
      continue;
    }
    const e = doc[i + 1]!;
    if (e === '\n' || e === '\r') {
      // Line continuation inside the literal: produces nothing.
      i += e === '\r' && doc[i + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (SIMPLE_ESCAPES[e] !== undefined) {
      push(SIMPLE_ESCAPES[e]!, i, i + 2);
      i += 2;
      continue;
    }
    const m = /^(?:[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})/.exec(doc.slice(i + 1, Math.min(end, i + 64)));
    if (!m) {
      // Unknown escape: Python keeps the backslash.
      push('\\', i, i + 1);
      i++;
      continue;
    }
    const body = m[0];
    const len = 1 + body.length;
    if (body[0] === 'N') {
      hole(i, i + len);
    } else {
      const code = body[0] === 'x' || body[0] === 'u' || body[0] === 'U' ? parseInt(body.slice(1), 16) : parseInt(body, 8);
      const s = code <= 0x10ffff ? String.fromCodePoint(code) : HOLE;
      for (const unit of s) for (let u = 0; u < unit.length; u++) push(unit[u]!, i, i + len);
    }
    i += len;
  }
  return true;
}

/** Document span of decoded characters [start, end). */
export function sourceSpan(lit: DecodedLiteral, start: number, end: number): Span {
  if (lit.srcStart.length === 0) {
    const p = lit.parts[0]!;
    return { start: p.start, end: p.end };
  }
  const s = Math.min(start, lit.srcStart.length - 1);
  const e = Math.max(s, Math.min(end, lit.srcEnd.length) - 1);
  return { start: lit.srcStart[s]!, end: lit.srcEnd[e]! };
}

/** True when decoded [start, end) is written verbatim in the source (no escapes inside). */
export function isVerbatim(lit: DecodedLiteral, start: number, end: number, doc: string): boolean {
  if (end <= start || end > lit.text.length) return false;
  const s = lit.srcStart[start]!;
  const e = lit.srcEnd[end - 1]!;
  return e - s === end - start && doc.slice(s, e) === lit.text.slice(start, end);
}

/** The literal string node's value when it is a plain constant (used for dict keys). */
export function constantString(node: SyntaxNode, doc: string): string | undefined {
  const lit = decodeLiteral(node, doc);
  if (!lit || lit.holes.length) return undefined;
  return lit.text;
}
