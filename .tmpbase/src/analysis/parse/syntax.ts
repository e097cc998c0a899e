import type { Node as TSNode, TreeCursor } from 'web-tree-sitter';
import type { Position, Range } from '../types';

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

/** Copy the node under `cursor` (and its subtree) into SyntaxNodes. */
export function mirror(cursor: TreeCursor, parent: SyntaxNode | null = null): SyntaxNode {
  const root = makeNode(cursor, parent);
  // Iterative walk so deeply nested code cannot overflow the JS stack.
  const stack: SyntaxNode[] = [root];
  if (!cursor.gotoFirstChild()) return root;
  for (;;) {
    const type = cursor.nodeType;
    const keep = type !== 'comment' && (cursor.nodeIsNamed || !PUNCTUATION.has(type));
    let descended = false;
    if (keep) {
      const top = stack[stack.length - 1]!;
      const node = makeNode(cursor, top);
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
        return root;
      }
      cursor.gotoParent();
      const done = stack.pop()!;
      if (done.hasError && done.parent) markError(done.parent);
    }
  }
}

function markError(node: SyntaxNode | null): void {
  for (let n = node; n && !n.hasError; n = n.parent) n.hasError = true;
}

function makeNode(cursor: TreeCursor, parent: SyntaxNode | null): SyntaxNode {
  const sp = cursor.startPosition;
  const ep = cursor.endPosition;
  const type = cursor.nodeType;
  return {
    type,
    named: cursor.nodeIsNamed,
    field: cursor.currentFieldName,
    start: cursor.startIndex,
    end: cursor.endIndex,
    startRow: sp.row,
    startCol: sp.column,
    endRow: ep.row,
    endCol: ep.column,
    children: [],
    parent,
    hasError: type === 'ERROR' || cursor.nodeIsMissing,
  };
}

export function mirrorNode(node: TSNode): SyntaxNode {
  return mirror(node.walk());
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
