import type { FileFacts } from '../model/facts';
import type { FunctionInfo } from '../model/module';
import { textOf } from '../model/module';
import { field, type SyntaxNode } from '../parse/syntax';
import type { TextEdit } from '../types';
import { splitBrackets, topLevelItems } from './format';

// Edit builders shared by every rule's fixes. They keep the file's indentation style and add to
// existing argument lists, dicts and imports instead of clobbering them.

export function at(line: number, character: number): { line: number; character: number } {
  return { line, character };
}

export function insertAt(line: number, character: number, newText: string): TextEdit {
  return { range: { start: at(line, character), end: at(line, character) }, newText };
}

export function replaceNode(node: SyntaxNode, newText: string): TextEdit {
  return { range: { start: at(node.startRow, node.startCol), end: at(node.endRow, node.endCol) }, newText };
}

// Per-file facts computed once however many fixes ask for them.
const linesOf = new WeakMap<FileFacts, string[]>();
const unitOf = new WeakMap<FileFacts, string>();

export class EditBuilder {
  private lines: string[];

  constructor(private readonly facts: FileFacts) {
    let lines = linesOf.get(facts);
    if (!lines) {
      lines = facts.text.split('\n');
      linesOf.set(facts, lines);
    }
    this.lines = lines;
  }

  text(node: SyntaxNode): string {
    return textOf(this.facts.text, node);
  }

  line(row: number): string {
    return (this.lines[row] ?? '').replace(/\r$/, '');
  }

  /** One level of indentation as the file writes it (tab, 2 or 4 spaces...). */
  indentUnit(): string {
    const cached = unitOf.get(this.facts);
    if (cached !== undefined) return cached;
    const unit = this.computeIndentUnit();
    unitOf.set(this.facts, unit);
    return unit;
  }

  private computeIndentUnit(): string {
    let tabs = 0;
    const widths = new Map<number, number>();
    let prev = 0;
    for (const raw of this.lines) {
      const line = raw.replace(/\r$/, '');
      if (!line.trim() || line.trimStart().startsWith('#')) continue;
      const ws = /^[ \t]*/.exec(line)![0];
      if (ws.includes('\t')) tabs++;
      const w = ws.length;
      if (w > prev) widths.set(w - prev, (widths.get(w - prev) ?? 0) + 1);
      prev = w;
    }
    if (tabs > 0) return '\t';
    let best = 4;
    let count = 0;
    for (const [w, c] of widths) if (c > count && w > 0 && w <= 8) [best, count] = [w, c];
    return ' '.repeat(best);
  }

  indentOf(row: number): string {
    return /^[ \t]*/.exec(this.line(row))![0];
  }

  /** Does `node` start its line (only whitespace before it)? */
  startsLine(node: SyntaxNode): boolean {
    return this.line(node.startRow).slice(0, node.startCol).trim() === '';
  }

  /** Insert whole lines before the statement `stmt`, at its indentation. `lines` may be pre-indented by extra units. */
  insertLinesBefore(stmt: SyntaxNode, lines: string[]): TextEdit | undefined {
    if (!this.startsLine(stmt)) return undefined;
    const indent = this.indentOf(stmt.startRow);
    const body = lines.map((l) => (l ? indent + l : l)).join('\n') + '\n';
    return insertAt(stmt.startRow, 0, body);
  }

  /** Append an item (`Name=value`, `"k": v`, a parameter) to a bracketed list node. */
  appendToList(listNode: SyntaxNode, items: SyntaxNode[], newItem: string): TextEdit {
    const text = this.facts.text;
    const closeOffset = listNode.end - 1;
    const last = items[items.length - 1];
    if (!last) return insertAt(listNode.endRow, listNode.endCol - 1, newItem);
    const between = text.slice(last.end, closeOffset);
    const commaIdx = between.indexOf(',');
    const multiline = listNode.endRow > last.endRow;
    if (multiline) {
      const indent = this.startsLine(last) ? this.indentOf(last.startRow) : this.indentOf(last.startRow) + this.indentUnit();
      if (commaIdx !== -1) {
        // trailing comma style: put the new item on its own line, with a trailing comma too
        const pos = this.position(last.end + commaIdx + 1);
        return insertAt(pos.line, pos.character, `\n${indent}${newItem},`);
      }
      return insertAt(last.endRow, last.endCol, `,\n${indent}${newItem}`);
    }
    if (commaIdx !== -1) {
      const pos = this.position(last.end + commaIdx + 1);
      return insertAt(pos.line, pos.character, ` ${newItem}`);
    }
    return insertAt(last.endRow, last.endCol, `, ${newItem}`);
  }

  addKeywordArgument(call: SyntaxNode, name: string, value: string): TextEdit | undefined {
    const args = field(call, 'arguments');
    if (!args || args.type !== 'argument_list') return undefined;
    return this.appendToList(args, args.children.filter((c) => c.named), `${name}=${value}`);
  }

  /**
   * Add keyword arguments (`pairs`) and give existing ones new values (`replace`: name -> value
   * text). A call written on one line that would grow past Black's line length is re-laid out the
   * way Black does it.
   */
  editKeywordArguments(call: SyntaxNode, pairs: Array<[string, string]>, replace = new Map<string, string>()): TextEdit[] | undefined {
    const args = field(call, 'arguments');
    if (!args || args.type !== 'argument_list') return undefined;
    const added = pairs.map(([k, v]) => `${k}=${v}`);
    const items = args.children.filter((c) => c.named);
    if (args.startRow === args.endRow) {
      const row = args.startRow;
      const line = this.line(row);
      const texts = topLevelItems(line.slice(args.startCol + 1, args.endCol - 1));
      if (texts) {
        const all = [...texts.map((t) => {
          const name = /^(\w+)\s*=(?!=)/.exec(t)?.[1];
          return name && replace.has(name) ? `${name}=${replace.get(name)}` : t;
        }), ...added];
        const indent = this.indentOf(row);
        const laid = splitBrackets(indent, line.slice(indent.length, args.startCol), all, line.slice(args.endCol), this.indentUnit());
        return [{ range: { start: at(row, 0), end: at(row, line.length) }, newText: laid }];
      }
    }
    const edits: TextEdit[] = [];
    for (const item of items) {
      const name = item.type === 'keyword_argument' ? field(item, 'name') : undefined;
      const value = item.type === 'keyword_argument' ? field(item, 'value') : undefined;
      const n = name ? this.text(name) : '';
      if (value && replace.has(n)) edits.push(replaceNode(value, replace.get(n)!));
    }
    if (added.length) {
      const appended = added.map((a) => this.appendToList(args, items, a));
      edits.push({ ...appended[0]!, newText: appended.map((e) => e.newText).join(items.length ? '' : ', ') });
    }
    return edits;
  }

  addDictEntry(dict: SyntaxNode, key: string, value: string): TextEdit | undefined {
    if (dict.type !== 'dictionary') return undefined;
    return this.appendToList(dict, dict.children.filter((c) => c.named), `${key}: ${value}`);
  }

  /** Add a parameter before `*args`/`**kwargs`-style trailing parameters. */
  addParameter(fn: FunctionInfo, paramText: string): TextEdit {
    const params = fn.parametersNode.children.filter((c) => c.named);
    const kwargsIdx = params.findIndex((p) => p.type === 'dictionary_splat_pattern' || (p.type === 'typed_parameter' && p.children.some((c) => c.type === 'dictionary_splat_pattern')));
    if (kwargsIdx !== -1) {
      const before = params[kwargsIdx]!;
      return insertAt(before.startRow, before.startCol, `${paramText}, `);
    }
    return this.appendToList(fn.parametersNode, params, paramText);
  }

  position(offset: number): { line: number; character: number } {
    const before = this.facts.text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return at(line, offset - (before.lastIndexOf('\n') + 1));
  }

  /** Is `name` already bound at module level (imported, defined or assigned)? */
  isBound(name: string): boolean {
    const m = this.facts.module;
    return m.imports.has(name) || m.topFunctions.has(name) || m.classes.has(name) || this.facts.globals.has(name);
  }

  /**
   * `from module import name`, merged into an existing `from module import ...` when there is one.
   * Returns undefined when `name` is already available.
   */
  ensureImport(module: string, name: string): TextEdit | undefined {
    const imp = this.facts.module.imports.get(name);
    if (imp) return undefined;
    if (this.isBound(name)) return undefined;
    for (const stmt of this.facts.module.importNodes) {
      if (stmt.type !== 'import_from_statement') continue;
      const mod = field(stmt, 'module_name');
      if (!mod || this.text(mod) !== module) continue;
      const names = stmt.children.filter((c) => c.field === 'name');
      const last = names[names.length - 1];
      if (!last) continue;
      return insertAt(last.endRow, last.endCol, `, ${name}`);
    }
    return this.insertTopLevelLines([`from ${module} import ${name}`]);
  }

  /** New module-level lines after the last top-level import (or after the docstring/comments). */
  insertTopLevelLines(lines: string[], blankAround = false): TextEdit {
    const imports = this.facts.module.importNodes.filter((n) => n.parent === null && n.startCol === 0);
    const lastImport = imports[imports.length - 1];
    let row = 0;
    if (lastImport) row = lastImport.endRow + 1;
    else {
      const first = this.facts.module.units[0]?.node;
      if (first && first.type === 'expression_statement' && first.children[0]?.type === 'string') row = first.endRow + 1;
      while (row < this.lines.length && /^\s*#/.test(this.line(row))) row++;
    }
    const body = lines.join('\n') + '\n';
    return insertAt(row, 0, blankAround ? `\n${body}` : body);
  }
}

/** Merge edits that insert at the same position into one, keeping their order. */
export function mergeInsertions(edits: Array<TextEdit | undefined>): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    if (!e) continue;
    const same = out.find((o) => o.range.start.line === e.range.start.line && o.range.start.character === e.range.start.character &&
      o.range.end.line === o.range.start.line && o.range.end.character === o.range.start.character &&
      e.range.end.line === e.range.start.line && e.range.end.character === e.range.start.character);
    if (same) same.newText += e.newText;
    else out.push({ ...e });
  }
  return out;
}

const quoteOf = new WeakMap<FileFacts, string>();

/** A Python string literal for `s`, in the file's preferred quote style. */
export function pyString(s: string, facts: FileFacts): string {
  let q = quoteOf.get(facts);
  if (!q) {
    q = (facts.text.match(/'/g)?.length ?? 0) > (facts.text.match(/"/g)?.length ?? 0) ? "'" : '"';
    quoteOf.set(facts, q);
  }
  return q + s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`) + q;
}
