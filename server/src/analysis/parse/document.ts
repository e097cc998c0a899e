import type { Parser, Point, Tree } from 'web-tree-sitter';
import type { Range } from '../types';
import { maskLongCommentRuns } from './commentRuns';
import { lineOfOffset, lineStarts } from './lines';
import { mirror, shift, type SyntaxNode } from './syntax';

/** One top-level statement: the unit of caching and re-analysis. */
export interface Unit {
  node: SyntaxNode;
  text: string;
}

/** An LSP-style content change: a range in the *current* text, or a whole-text replacement. */
export interface ContentChange {
  range?: Range;
  text: string;
}


/**
 * Python (and LSP) end a line at a lone CR too; tree-sitter does not, so a classic-Mac file would
 * parse as one long line. One code unit for another keeps every offset and position unchanged.
 */
export function normalizeLoneCr(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

function pointAfter(start: Point, inserted: string): Point {
  const lastNl = inserted.lastIndexOf('\n');
  if (lastNl === -1) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - lastNl - 1 };
}

/**
 * A Python document with an incrementally maintained tree-sitter tree and mirrored top-level
 * units. Edits go through `tree.edit` + reparse with the old tree; units whose text did not
 * change are reused (shifted if lines moved) instead of being mirrored again.
 */
export class PyDocument {
  text: string;
  private tree: Tree;
  private starts: number[];
  units: Unit[] = [];
  /** Bumped on every change; analysis caches compare it. */
  version = 0;
  /** The tree was parsed from masked text (long comment runs blanked: commentRuns.ts). */
  private masked = false;
  /** The latest parse was incremental (given the previous tree). */
  private reusedOld = false;

  constructor(private readonly parser: Parser, text: string) {
    this.text = normalizeLoneCr(text);
    this.tree = this.parseOrThrow(this.text);
    this.starts = lineStarts(this.text);
    this.rebuildUnits(new Map());
  }

  get lineCount(): number {
    return this.starts.length;
  }

  get hasSyntaxError(): boolean {
    return this.units.some((u) => u.node.hasError);
  }

  offsetAt(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    const lineStart = this.starts[Math.max(0, line)]!;
    const next = line + 1 < this.starts.length ? this.starts[line + 1]! : this.text.length;
    return Math.min(lineStart + character, next);
  }

  /** 0-based line of a UTF-16 offset (binary search over line starts). */
  rowAt(offset: number): number {
    return lineOfOffset(this.starts, offset);
  }

  lineText(line: number): string {
    const s = this.starts[line] ?? this.text.length;
    const e = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    return this.text.slice(s, e).replace(/\r$/, '');
  }

  /** Apply changes in order, as LSP's incremental sync delivers them. */
  applyChanges(changes: ContentChange[]): void {
    if (this.disposed) throw new Error('PyDocument.applyChanges after dispose');
    let text = this.text;
    let starts = this.starts;
    // Where each old unit ends up: shifted by edits before it, or dirty when an edit touches it.
    let moved: Array<{ unit: Unit; start: number; end: number } | undefined> = this.units.map((unit) => ({ unit, start: unit.node.start, end: unit.node.end }));
    for (const raw of changes) {
      const change = { ...raw, text: normalizeLoneCr(raw.text) };
      if (!change.range) {
        text = change.text;
        starts = lineStarts(text);
        this.tree.delete();
        this.tree = this.parseOrThrow(text);
        moved = [];
        continue;
      }
      const { start, end } = change.range;
      const offsetOf = (line: number, ch: number) => {
        if (line >= starts.length) return text.length;
        const ls = starts[line]!;
        const next = line + 1 < starts.length ? starts[line + 1]! : text.length;
        return Math.min(ls + ch, next);
      };
      const startIndex = offsetOf(start.line, start.character);
      const oldEndIndex = Math.max(startIndex, offsetOf(end.line, end.character));
      const startPosition = { row: start.line, column: startIndex - (starts[start.line] ?? 0) };
      const oldEndPosition = { row: end.line, column: oldEndIndex - (starts[Math.min(end.line, starts.length - 1)] ?? 0) };
      text = text.slice(0, startIndex) + change.text + text.slice(oldEndIndex);
      const delta = change.text.length - (oldEndIndex - startIndex);
      moved = moved.map((m) => {
        if (!m || m.end < startIndex) return m;
        if (m.start > oldEndIndex) return { unit: m.unit, start: m.start + delta, end: m.end + delta };
        return undefined;
      });
      this.tree.edit({
        startIndex,
        oldEndIndex,
        newEndIndex: startIndex + change.text.length,
        startPosition,
        oldEndPosition,
        newEndPosition: pointAfter(startPosition, change.text),
      });
      starts = lineStarts(text);
    }
    const old = this.tree;
    this.tree = this.parseOrThrow(text, old);
    // Regions whose structure changed, even far from the edit (an opened string or bracket
    // re-lexes what follows): units there are mirrored again however unchanged their text is.
    const changed = !this.reusedOld ? [[0, text.length] as const] : old !== this.tree ? this.tree.getChangedRanges(old).map((r) => [r.startIndex, r.endIndex] as const) : [];
    if (old !== this.tree) old.delete();
    this.text = text;
    this.starts = starts;
    this.version++;
    const byStart = new Map<number, { unit: Unit; start: number; end: number }>();
    for (const m of moved) if (m && !changed.some(([s, e]) => m.start <= e && s <= m.end)) byStart.set(m.start, m);
    this.rebuildUnits(byStart);
  }

  /**
   * Free the tree-sitter tree (wasm memory). The mirrored units stay usable for analysis (the CLI
   * keeps them between its two passes); only applyChanges needs the tree. Safe to call twice.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tree.delete();
  }

  private disposed = false;

  private parseOrThrow(text: string, old?: Tree): Tree {
    const input = maskLongCommentRuns(text);
    // A mask that moved with the edit would not match the old tree's view of untouched regions:
    // masked documents (rare, hostile) are parsed afresh, which the mask keeps linear.
    const reuse = old && !this.masked && input === text ? old : null;
    this.masked = input !== text;
    this.reusedOld = !!reuse;
    const tree = this.parser.parse(input, reuse);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }

  /**
   * Top-level statements of the new tree. A unit untouched by the edits (it ends before the
   * first edited offset or starts after it) that tree-sitter still parses with the same extent is
   * reused, shifted, without crossing into wasm for its subtree again.
   */
  private rebuildUnits(reusable: Map<number, { unit: Unit; start: number; end: number }>): void {
    const units: Unit[] = [];
    const cursor = this.tree.rootNode.walk();
    // Each property read crosses into wasm: read only the two offsets per top-level statement and
    // derive rows from our own line table.
    try {
      if (cursor.gotoFirstChild()) {
        do {
          const start = cursor.startIndex;
          if (this.text.charCodeAt(start) === 35 /* # */) continue;
          const end = cursor.endIndex;
          const candidate = reusable.get(start);
          if (candidate && candidate.end === end) {
            const node = candidate.unit.node;
            shift(node, start - node.start, this.rowAt(start) - node.startRow);
            units.push(candidate.unit.text.length === end - start ? candidate.unit : { node, text: this.text.slice(start, end) });
          } else {
            units.push({ node: mirror(cursor, this.starts, this.tree.language), text: this.text.slice(start, end) });
          }
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    this.units = units;
  }
}
