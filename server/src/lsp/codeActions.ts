// Quick fixes for DynamoGuard diagnostics and the source.fixAll.dynamoGuard action.
//
// Edits are always computed from findings of the document's *current* version, matched to the
// request's diagnostics by rule and range: a diagnostic from an older version that no longer
// lines up gets no edit rather than one aimed at the wrong line. Edits are sent as versioned
// TextDocumentEdits when the client supports them, so it refuses to apply them to newer text.

import { pathToFileURL } from 'url';
import {
  CodeActionKind,
  TextDocumentEdit,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type RemoteConsole,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { checkText, ruleDocPath, withSuppression, type Analyzer, type Finding, type WorkspaceIndex } from '../analysis';
import { Commands, Names, type ShowDocumentationArgs } from '../protocol';
import { DIAGNOSTIC_SOURCE, sameRange } from './convert';
import type { DiagnosticsEngine, Snapshot } from './diagnostics';
import type { DocumentStore } from './documents';

/** Our fix-all kind; a sub-kind of source.fixAll so `codeActionsOnSave: {"source.fixAll": ...}` runs it. */
export const FIX_ALL_KIND = Names.fixAllKind;

export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, FIX_ALL_KIND];

export interface CodeActionContext {
  analyzer: Analyzer;
  engine: DiagnosticsEngine;
  documents: DocumentStore;
  console: RemoteConsole;
  workspace: WorkspaceIndex;
  /** Client supports `documentChanges` (versioned edits) in WorkspaceEdit. */
  documentChanges: boolean;
}

export async function provideCodeActions(params: CodeActionParams, ctx: CodeActionContext): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const doc = ctx.documents.get(uri);
  if (!doc) return [];
  // Requests are processed in order, so this is the version the client had when it asked.
  const requestedVersion = doc.version;
  const only = params.context.only;
  const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string');
  const wantQuickFixes = ours.length > 0 && isRequested(only, CodeActionKind.QuickFix);
  // Fix-all re-analyses the file several times: only when explicitly asked (save, Source Action menu).
  const wantFixAll = only !== undefined && isRequested(only, FIX_ALL_KIND);
  if (!wantQuickFixes && !wantFixAll) return [];

  const snap = await ctx.engine.snapshot(uri);
  if (!snap || snap.doc !== doc || snap.version !== requestedVersion || doc.version !== requestedVersion) return [];

  const actions: CodeAction[] = [];
  if (wantQuickFixes) actions.push(...quickFixes(ours, snap, ctx));
  if (wantFixAll) {
    const fixAll = fixAllAction(snap, ctx);
    if (fixAll) actions.push(fixAll);
  }
  // Analysis is synchronous, but be strict anyway: never hand out edits for text that moved on.
  return doc.version === requestedVersion ? actions : [];
}

/** LSP kinds are hierarchical: asking for `source` or `source.fixAll` includes `source.fixAll.dynamoGuard`. */
export function isRequested(only: string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

function quickFixes(diagnostics: Diagnostic[], snap: Snapshot, ctx: CodeActionContext): CodeAction[] {
  const fixes: CodeAction[] = [];
  const suppressions: CodeAction[] = [];
  const docs: CodeAction[] = [];
  const usedFindings = new Set<Finding>();
  const suppressedLines = new Set<string>();
  const documented = new Set<string>();
  const uri = snap.doc.uri;

  for (const d of diagnostics) {
    const code = String(d.code);
    const matching = snap.findings.filter((f) => f.rule === code && sameRange(f.range, d.range) && !usedFindings.has(f));
    for (const f of matching) {
      usedFindings.add(f);
      for (const fix of f.fixes) {
        fixes.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: fix.isPreferred,
          edit: workspaceEdit(uri, snap.version, fix.edits, ctx.documentChanges),
        });
      }
    }
    const line = d.range.start.line;
    // Only for a live finding: a stale diagnostic's line may now hold other code.
    if (matching.length > 0 && !suppressedLines.has(`${code}:${line}`)) {
      suppressedLines.add(`${code}:${line}`);
      const edit = suppressionEdit(snap, line, code, ctx);
      if (edit) {
        suppressions.push({
          title: `Disable ${code} for this line`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          edit: workspaceEdit(uri, snap.version, [edit], ctx.documentChanges),
        });
      }
    }
    if (!documented.has(code)) {
      documented.add(code);
      const args: ShowDocumentationArgs = { rule: code, uri: pathToFileURL(ruleDocPath(code)).toString() };
      const title = `Show documentation for ${code}`;
      docs.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        command: { title, command: Commands.showDocumentation, arguments: [args] },
      });
    }
  }
  // Preferred fixes first (stable sort keeps the analyzer's order otherwise).
  fixes.sort((a, b) => Number(b.isPreferred ?? false) - Number(a.isPreferred ?? false));
  return [...fixes, ...suppressions, ...docs];
}

/**
 * Rewrite the anchor line with a `# dynamo-guard: ignore[...]` comment. Skipped where a comment
 * would change the program: a line continued with a backslash, or a line ending inside a
 * multi-line string (the "comment" would become string content).
 */
function suppressionEdit(snap: Snapshot, line: number, code: string, ctx: CodeActionContext): TextEdit | undefined {
  const text = lineText(snap.doc.text, line);
  if (/\\\s*$/.test(text)) return undefined;
  if (lineEndsInsideString(snap, line, ctx)) return undefined;
  const newLine = withSuppression(text, code, snap.settings.disableComment);
  if (newLine === undefined) return undefined;
  return { range: { start: { line, character: 0 }, end: { line, character: text.length } }, newText: newLine };
}

interface NodeLike {
  type: string;
  startRow: number;
  endRow: number;
  children: NodeLike[];
}

function lineEndsInsideString(snap: Snapshot, line: number, ctx: CodeActionContext): boolean {
  let units: Array<{ node: NodeLike }>;
  try {
    units = ctx.documents.parse(snap.doc).units;
  } catch {
    return false;
  }
  const spansLineEnd = (n: NodeLike) => n.startRow <= line && n.endRow > line;
  let level: NodeLike[] = units.map((u) => u.node);
  for (;;) {
    const node = level.find(spansLineEnd);
    if (!node) return false;
    if (node.type === 'string') return true;
    level = node.children;
  }
}

function lineText(doc: TextDocument, line: number): string {
  return doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
}

function fixAllAction(snap: Snapshot, ctx: CodeActionContext): CodeAction | undefined {
  const { settings } = snap;
  const text = snap.doc.text.getText();
  if (!settings.enable || checkText(text, settings.maxFileSizeKb)) return undefined;
  let fixed: { text: string; fixed: number };
  try {
    fixed = ctx.analyzer.fixAll(text, { settings, workspace: ctx.workspace, ...(snap.doc.path ? { path: snap.doc.path } : {}) });
  } catch (e) {
    ctx.console.error(`DynamoGuard: fix all failed for ${snap.doc.uri}: ${String((e as Error)?.stack ?? e)}`);
    return undefined;
  }
  if (fixed.text === text) return undefined;
  return {
    title: `Fix all auto-fixable DynamoGuard problems (${fixed.fixed})`,
    kind: FIX_ALL_KIND,
    edit: workspaceEdit(snap.doc.uri, snap.version, [minimalEdit(snap.doc.text, fixed.text)], ctx.documentChanges),
  };
}

/**
 * One edit turning the document into `next`, trimmed to the changed middle so the editor keeps
 * cursors, folding and undo granularity outside it (a whole-text replacement would reset them).
 */
export function minimalEdit(doc: TextDocument, next: string): TextEdit {
  const old = doc.getText();
  let prefix = 0;
  const max = Math.min(old.length, next.length);
  while (prefix < max && old.charCodeAt(prefix) === next.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && old.charCodeAt(old.length - 1 - suffix) === next.charCodeAt(next.length - 1 - suffix)) suffix++;
  // Never split a surrogate pair or a CRLF between the kept and replaced parts.
  while (prefix > 0 && isLowSurrogateOrLf(old, prefix)) prefix--;
  while (suffix > 0 && isLowSurrogateOrLf(old, old.length - suffix)) suffix--;
  return {
    range: { start: doc.positionAt(prefix), end: doc.positionAt(old.length - suffix) },
    newText: next.slice(prefix, next.length - suffix),
  };
}

function isLowSurrogateOrLf(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  const p = s.charCodeAt(i - 1);
  return (c >= 0xdc00 && c <= 0xdfff && p >= 0xd800 && p <= 0xdbff) || (c === 10 && p === 13);
}

function workspaceEdit(uri: string, version: number, edits: TextEdit[], documentChanges: boolean): WorkspaceEdit {
  return documentChanges
    ? { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] }
    : { changes: { [uri]: edits } };
}
