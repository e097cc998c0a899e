import type { Language, TreeCursor } from 'web-tree-sitter';
import type { Position, Range } from '../types';
import { lineOfOffset } from './lines';

/**
 * A plain-JS mirror of a tree-sitter subtree. Every property read on a web-tree-sitter node crosses
 * into wasm (~0.5-1 µs); the analyzer touches each node many times, so we copy a top-level
 * statement once with a cursor and let every rule work on ordinary objects.
 */
export interface SyntaxNode {
  type: string;
  named: boolean;
  /** Field name in the parent (`function`, `arguments`, `left`...), or null. */
  field: string | null;
  start: number;
  end: number;
  startRow: number;
  startCol: number;
  endRow: number;
  endCol: number;
  children: SyntaxNode[];
  parent: SyntaxNode | null;
  /** True when this subtree contains a syntax error (ERROR or MISSING node). */
  hasError: boolean;
}

// Tokens that carry no meaning for the analysis: skipping them keeps the mirror ~30% smaller.
const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', ';', '.', 'comment', '->', '@']);

/**
 * Copy the node under `cursor` (and its subtree) into SyntaxNodes. `starts` is the text's line
 * table (lines.ts lineStarts): rows and columns are derived from the two offsets in JS rather
 * than read as points, and type, named-ness and field come from ids looked up in tables, so a node
 * costs four wasm crossings instead of ten (the mirror was a third of a scan).
 */
export function mirror(cursor: TreeCursor, starts: readonly number[], grammar: Language, parent: SyntaxNode | null = null): SyntaxNode {
  // MISSING nodes can only be under an erroneous node: error-free statements skip that read.
  const exact = cursor.currentNode.hasError;
  const lang = tablesOf(grammar);
  const root = makeNode(cursor, lang, starts, parent, exact);
  // Iterative walk so deeply nested code cannot overflow the JS stack.
  const stack: SyntaxNode[] = [root];
  if (!cursor.gotoFirstChild()) return root;
  for (;;) {
    const id = cursor.nodeTypeId;
    const type = lang.type(id);
    const keep = type !== 'comment' && (lang.named(id, cursor) || !PUNCTUATION.has(type));
    let descended = false;
    if (keep) {
      const top = stack[stack.length - 1]!;
      const node = makeNode(cursor, lang, starts, top, exact, id);
      top.children.push(node);
      if (node.hasError) markError(top);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        descended = true;
      }
    }
    if (descended) continue;
    while (!cursor.gotoNextSibling()) {
      if (stack.length === 1) {
        cursor.gotoParent();
        root.children = root.children.slice();
        return root;
      }
      cursor.gotoParent();
      const done = stack.pop()!;
      // push() leaves room for 17 children; an exact copy saves a quarter of a kept mirror's heap.
      done.children = done.children.slice();
      if (done.hasError && done.parent) markError(done.parent);
    }
  }
}

function markError(node: SyntaxNode | null): void {
  for (let n = node; n && !n.hasError; n = n.parent) n.hasError = true;
}

/** Per-language tables, filled on first sight of each id (a symbol's name and named-ness never change). */
interface LanguageTables {
  type(id: number): string;
  named(id: number, cursor: TreeCursor): boolean;
  field(id: number): string | null;
}

const tables = new WeakMap<Language, LanguageTables>();

function tablesOf(lang: Language): LanguageTables {
  let t = tables.get(lang);
  if (!t) {
    const namedById = new Map<number, boolean>();
    t = {
      // web-tree-sitter's own fallback: ids without a name are ERROR.
      type: (id) => lang.types[id] || 'ERROR',
      named(id, c) {
        let v = namedById.get(id);
        if (v === undefined) namedById.set(id, (v = c.nodeIsNamed));
        return v;
      },
      field: (id) => lang.fields[id] ?? null,
    };
    tables.set(lang, t);
  }
  return t;
}

function makeNode(cursor: TreeCursor, lang: LanguageTables, starts: readonly number[], parent: SyntaxNode | null, exact: boolean, typeId = cursor.nodeTypeId): SyntaxNode {
  const type = lang.type(typeId);
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  const startRow = lineOfOffset(starts, start);
  const endRow = end === start ? startRow : lineOfOffset(starts, end);
  return {
    type,
    named: lang.named(typeId, cursor),
    field: lang.field(cursor.currentFieldId),
    start,
    end,
    startRow,
    startCol: start - starts[startRow]!,
    endRow,
    endCol: end - starts[endRow]!,
    children: [],
    parent,
    hasError: type === 'ERROR' || (exact && cursor.nodeIsMissing),
  };
}

// ---- small helpers every model/rule uses -------------------------------------------------------

export function field(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const c of node.children) if (c.field === name) return c;
  return undefined;
}

export function fields(node: SyntaxNode, name: string): SyntaxNode[] {
  return node.children.filter((c) => c.field === name);
}

export function named(node: SyntaxNode): SyntaxNode[] {
  return node.children.filter((c) => c.named);
}

export function firstNamed(node: SyntaxNode): SyntaxNode | undefined {
  return node.children.find((c) => c.named);
}

export function rangeOf(node: SyntaxNode): Range {
  return { start: { line: node.startRow, character: node.startCol }, end: { line: node.endRow, character: node.endCol } };
}

export function startOf(node: SyntaxNode): Position {
  return { line: node.startRow, character: node.startCol };
}

/** Depth-first pre-order visit; return false from `fn` to skip a subtree. */
export function visit(node: SyntaxNode, fn: (n: SyntaxNode) => boolean | void): void {
  const stack: SyntaxNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (fn(n) === false) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
}

export function ancestors(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

/** Shift a reused subtree after an edit above it moved it by whole lines. */
export function shift(node: SyntaxNode, deltaOffset: number, deltaRows: number): void {
  if (deltaOffset === 0 && deltaRows === 0) return;
  visit(node, (n) => {
    n.start += deltaOffset;
    n.end += deltaOffset;
    n.startRow += deltaRows;
    n.endRow += deltaRows;
  });
}
