// tree-sitter-python's external scanner is quadratic in the length of a run of comment lines
// (blank lines in between or not) that follows an indented block: at each comment it looks ahead
// over the rest of the run to decide the indentation. 4,000 such lines took 42 s; a few dozen cost
// nothing. The parser is therefore given the text with the comments of long runs replaced by spaces:
// the same length and the same line breaks, so every offset and position in the tree is the
// text's own. Nothing reads comments from the tree (the mirror drops them; suppressions such as
// `# noqa` and `# dynamo-guard: ignore` are read from the text itself).

/** Comment lines in one run beyond which the run is masked (the scanner's cost grows with its square). */
export const MAX_COMMENT_RUN = 32;

/**
 * `text` with the comments of every run of more than MAX_COMMENT_RUN full-line comments replaced
 * by spaces, or `text` itself when there is no such run (almost always: one cheap line pass).
 */
export function maskLongCommentRuns(text: string): string {
  if (!hasLongRunShape(text)) return text;
  const comments = fullLineComments(text);
  const masked: Array<[number, number]> = [];
  let run: Array<[number, number]> = [];
  let runEndLine = -1;
  const flush = () => {
    if (run.length > MAX_COMMENT_RUN) masked.push(...run);
    run = [];
  };
  for (const c of comments) {
    // Only blank lines may separate two comments of one run.
    if (run.length && !onlyBlankBetween(text, runEndLine, c.lineStart)) flush();
    run.push([c.start, c.end]);
    runEndLine = c.end;
  }
  flush();
  if (!masked.length) return text;
  const parts: string[] = [];
  let pos = 0;
  for (const [s, e] of masked) {
    parts.push(text.slice(pos, s), ' '.repeat(e - s));
    pos = e;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/** Line-level pre-check: some stretch of comment-or-blank lines holds more than MAX_COMMENT_RUN comments. */
function hasLongRunShape(text: string): boolean {
  let comments = 0;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    let i = pos;
    while (i < nl && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 12 || text.charCodeAt(i) === 13)) i++;
    if (i < nl && text.charCodeAt(i) === 35 /* # */) {
      if (++comments > MAX_COMMENT_RUN) return true;
    } else if (i < nl) comments = 0;
    pos = nl + 1;
  }
  return false;
}

function onlyBlankBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 12 && c !== 13 && c !== 10) return false;
  }
  return true;
}

/**
 * Comments that are alone on their line, found by a small lexer that skips string literals (a
 * `#` line inside a docstring is text, and blanking it could remove the string's closing quotes).
 */
function fullLineComments(text: string): Array<{ start: number; end: number; lineStart: number }> {
  const out: Array<{ start: number; end: number; lineStart: number }> = [];
  let lineStart = 0;
  let codeOnLine = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = i + 1;
      codeOnLine = false;
      i++;
    } else if (c === '#') {
      let e = text.indexOf('\n', i);
      if (e === -1) e = n;
      if (text[e - 1] === '\r') e--;
      if (!codeOnLine) out.push({ start: i, end: e, lineStart });
      i = e;
    } else if (c === '"' || c === "'") {
      codeOnLine = true;
      i = stringEnd(text, i);
    } else {
      if (c !== ' ' && c !== '\t' && c !== '\f' && c !== '\r') codeOnLine = true;
      i++;
    }
  }
  return out;
}

/** Offset after the string literal whose opening quote is at `i` (prefix letters are code before it). */
function stringEnd(text: string, i: number): number {
  const q = text[i]!;
  const triple = text[i + 1] === q && text[i + 2] === q;
  let j = i + (triple ? 3 : 1);
  while (j < text.length) {
    const c = text[j]!;
    if (c === '\\') {
      j += 2;
    } else if (triple ? c === q && text[j + 1] === q && text[j + 2] === q : c === q) {
      return j + (triple ? 3 : 1);
    } else if (!triple && c === '\n') {
      // An unterminated one-line string ends at the line break (as the tokenizer reports it).
      return j;
    } else j++;
  }
  return j;
}
