// Tokens of DynamoDB's expression language. Offsets are UTF-16 indexes into the expression text
// so a finding can be mapped back into the Python string literal it came from.

export type TokenKind =
  | 'name' // bare attribute or function name: [A-Za-z_][A-Za-z0-9_]*
  | 'attrName' // #placeholder
  | 'value' // :placeholder
  | 'number' // list index inside [ ]
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | '(' | ')' | '[' | ']' | ',' | '.' | '+' | '-'
  | 'invalid' // a character the language does not have
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const PUNCT: Record<string, TokenKind> = {
  '=': '=', '(': '(', ')': ')', '[': '[', ']': ']', ',': ',', '.': '.', '+': '+', '-': '-',
};

// DynamoDB's grammar only knows these four whitespace characters; anything else (form feed,
// non-breaking space...) is a syntax error there, so it is an `invalid` token here.
export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Characters allowed after the first one of a name or placeholder. */
export function isNamePart(c: string): boolean {
  return isLetter(c) || isDigit(c) || c === '_';
}

/** Tokenize the whole text; the last token is always `eof` (at `text.length`). */
export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isLetter(c) || c === '_') {
      while (i < to && isNamePart(text[i]!)) i++;
      out.push({ kind: 'name', text: text.slice(start, i), start, end: i });
    } else if (c === '#' || c === ':') {
      i++;
      while (i < to && isNamePart(text[i]!)) i++;
      out.push({ kind: c === '#' ? 'attrName' : 'value', text: text.slice(start, i), start, end: i });
    } else if (isDigit(c)) {
      while (i < to && isDigit(text[i]!)) i++;
      out.push({ kind: 'number', text: text.slice(start, i), start, end: i });
    } else if (c === '<') {
      const next = text[i + 1];
      const kind: TokenKind = next === '>' ? '<>' : next === '=' ? '<=' : '<';
      i += kind.length;
      out.push({ kind, text: kind, start, end: i });
    } else if (c === '>') {
      const kind: TokenKind = text[i + 1] === '=' ? '>=' : '>';
      i += kind.length;
      out.push({ kind, text: kind, start, end: i });
    } else if (PUNCT[c]) {
      i++;
      out.push({ kind: PUNCT[c]!, text: c, start, end: i });
    } else {
      // One UTF-16 unit, or a whole surrogate pair so the anchor covers the visible character.
      const code = text.charCodeAt(i);
      i += code >= 0xd800 && code <= 0xdbff && i + 1 < to ? 2 : 1;
      out.push({ kind: 'invalid', text: text.slice(start, i), start, end: i });
    }
  }
  out.push({ kind: 'eof', text: '', start: to, end: to });
  return out;
}

/**
 * Is this name token a keyword of the given set? Keywords are case-insensitive; like DynamoDB, a
 * word glued to a following `#` or `:` is not a keyword.
 */
export function isKeyword(tok: Token, keywords: ReadonlySet<string>, text: string): boolean {
  if (tok.kind !== 'name' || !keywords.has(tok.text.toUpperCase())) return false;
  const after = text[tok.end];
  return after !== '#' && after !== ':';
}

export const CONDITION_KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
export const UPDATE_KEYWORDS: ReadonlySet<string> = new Set(['SET', 'REMOVE', 'ADD', 'DELETE']);
