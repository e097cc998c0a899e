// Jupyter notebooks as one Python module: the code cells in order, each starting on a new line,
// so names defined in one cell are known in the next (as when the notebook runs top to bottom).
// Positions map both ways between the module and (cell, line in the cell); the CLI (.ipynb files)
// and the language server (LSP notebook synchronisation) share this mapping.
//
// IPython syntax is not Python: line magics (`%time`, `!pip install`) and cell magics (`%%bash`)
// become comments of the same length, so every other position is unchanged and no finding can
// come from them.

import type { Finding, Position, Range, TextEdit } from './types';

export interface NotebookCell {
  /** Position among all the notebook's cells (markdown and raw included), 0-based. */
  index: number;
  text: string;
}

interface CellSpan {
  index: number;
  /** First module line of the cell. */
  startLine: number;
  /** Lines of the cell's text (a text without a final newline still counts its last line). */
  lineCount: number;
}

export interface NotebookModule {
  text: string;
  spans: CellSpan[];
}

/** Replace IPython magics by same-length comments. */
function pythonOnly(text: string): string {
  if (/^\s*%%/.test(text)) return text.replace(/^[^\n]/gm, '#');
  return text.replace(/^(\s*)[%!]/gm, '$1#');
}

/** The module made of `cells` (code cells only, in order). */
export function notebookModule(cells: readonly NotebookCell[]): NotebookModule {
  const parts: string[] = [];
  const spans: CellSpan[] = [];
  let line = 0;
  for (const cell of cells) {
    let text = pythonOnly(cell.text.replace(/\r\n?/g, '\n'));
    if (!text.endsWith('\n')) text += '\n';
    const lineCount = text.split('\n').length - 1;
    spans.push({ index: cell.index, startLine: line, lineCount });
    parts.push(text);
    line += lineCount;
  }
  return { text: parts.join(''), spans };
}

/** The cell holding module line `line` (binary search), or undefined past the end. */
function spanAt(nb: NotebookModule, line: number): CellSpan | undefined {
  let lo = 0;
  let hi = nb.spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = nb.spans[mid]!;
    if (line < s.startLine) hi = mid - 1;
    else if (line >= s.startLine + s.lineCount) lo = mid + 1;
    else return s;
  }
  return undefined;
}

export interface CellRange {
  cell: number;
  range: Range;
}

/**
 * A module range in cell coordinates. A range running past the end of its start cell (it
 * cannot, for findings: they sit on statements) is cut at the end of that cell.
 */
export function toCellRange(nb: NotebookModule, range: Range): CellRange | undefined {
  const span = spanAt(nb, range.start.line);
  if (!span) return undefined;
  const last = span.startLine + span.lineCount - 1;
  const end: Position = range.end.line > last ? { line: span.lineCount, character: 0 } : { line: range.end.line - span.startLine, character: range.end.character };
  return { cell: span.index, range: { start: { line: range.start.line - span.startLine, character: range.start.character }, end } };
}

/** A cell position in module coordinates (undefined for a cell that is not part of the module). */
export function toModulePosition(nb: NotebookModule, cell: number, pos: Position): Position | undefined {
  const span = nb.spans.find((s) => s.index === cell);
  return span ? { line: span.startLine + Math.min(pos.line, span.lineCount), character: pos.character } : undefined;
}

export function toModuleRange(nb: NotebookModule, cell: number, range: Range): Range | undefined {
  const start = toModulePosition(nb, cell, range.start);
  const end = toModulePosition(nb, cell, range.end);
  return start && end ? { start, end } : undefined;
}

/**
 * Edits per cell. Undefined when an edit spans two cells (it cannot be expressed as cell edits;
 * the caller then offers no such fix rather than a wrong one).
 */
export function toCellEdits(nb: NotebookModule, edits: readonly TextEdit[]): Map<number, TextEdit[]> | undefined {
  const out = new Map<number, TextEdit[]>();
  for (const e of edits) {
    const span = spanAt(nb, e.range.start.line) ?? nb.spans[nb.spans.length - 1];
    if (!span) return undefined;
    const last = span.startLine + span.lineCount;
    // The end may sit at column 0 of the next line: still this cell's final newline.
    if (e.range.end.line > last || (e.range.end.line === last && e.range.end.character > 0)) return undefined;
    const edit: TextEdit = {
      range: {
        start: { line: e.range.start.line - span.startLine, character: e.range.start.character },
        end: { line: e.range.end.line - span.startLine, character: e.range.end.character },
      },
      newText: e.newText,
    };
    out.set(span.index, [...(out.get(span.index) ?? []), edit]);
  }
  return out;
}

/** A finding moved into its cell: `cell` set, ranges (and fix edits) relative to the cell. */
export function findingInCell(nb: NotebookModule, f: Finding): Finding | undefined {
  const at = toCellRange(nb, f.range);
  if (!at) return undefined;
  const related = f.related.flatMap((r) => {
    const c = toCellRange(nb, r.range);
    // Related locations in another cell keep their message; the cell is named in it.
    return c ? [{ ...r, range: c.range, ...(c.cell !== at.cell ? { message: `cell ${c.cell + 1}: ${r.message}` } : {}) }] : [];
  });
  const fixes = () =>
    f.fixes.flatMap((fix) => {
      const byCell = toCellEdits(nb, fix.edits);
      // A fix that would touch other cells is not offered for this cell.
      if (!byCell || [...byCell.keys()].some((c) => c !== at.cell)) return [];
      return [{ ...fix, edits: byCell.get(at.cell) ?? [] }];
    });
  let cached: Finding['fixes'] | undefined;
  // Not `{ ...f }`: spreading would read f's lazy `fixes` and compute every fix now.
  const moved = { rule: f.rule, name: f.name, severity: f.severity, message: f.message, range: at.range, related, fixes: [] as Finding['fixes'], cell: at.cell };
  return Object.defineProperty(moved, 'fixes', {
    enumerable: true,
    configurable: true,
    get: () => (cached ??= fixes()),
  }) as Finding;
}

export type NotebookSource = { ok: true; cells: NotebookCell[] } | { ok: false; message: string };

/**
 * The Python code cells of an .ipynb (nbformat 4: `cells[].cell_type`, `source` as a string or a
 * list of lines; the kernel language from `metadata.kernelspec`/`language_info`).
 */
export function parseIpynb(json: string): NotebookSource {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    return { ok: false, message: `not a valid notebook (JSON: ${(e as Error).message}); skipped` };
  }
  const doc = nb as { cells?: unknown; metadata?: { kernelspec?: { language?: unknown }; language_info?: { name?: unknown } } };
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.cells)) return { ok: false, message: 'not a notebook (no "cells" list; nbformat 4 expected); skipped' };
  const language = doc.metadata?.language_info?.name ?? doc.metadata?.kernelspec?.language ?? 'python';
  if (typeof language === 'string' && language.toLowerCase() !== 'python') return { ok: false, message: `notebook language is ${language}, not Python; skipped` };
  const cells: NotebookCell[] = [];
  doc.cells.forEach((c: unknown, index: number) => {
    const cell = c as { cell_type?: unknown; source?: unknown };
    if (cell?.cell_type !== 'code') return;
    const text = Array.isArray(cell.source) ? cell.source.filter((s) => typeof s === 'string').join('') : typeof cell.source === 'string' ? cell.source : '';
    cells.push({ index, text });
  });
  return { ok: true, cells };
}
