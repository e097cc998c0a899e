// Configuration mistakes shown where they are written: diagnostics in pyproject.toml (unknown
// key, unknown rule code, wrong type, bad severity, TOML syntax) with a quick fix to the closest
// valid spelling. An open pyproject.toml is checked as typed (pull, or push for clients without
// pull); a pyproject.toml the server read from disk but that is not open gets pushed
// diagnostics, so a broken project file shows in the Problems panel without being opened.

import {
  CodeActionKind,
  DiagnosticSeverity,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type DidChangeTextDocumentParams,
  type DidOpenTextDocumentParams,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkPyprojectText, type ConfigIssue } from '../analysis';
import { Names } from '../protocol';
import { sameRange } from './convert';
import { pathKey, pathToUri, uriToPath } from './uri';

export const isPyprojectUri = (uri: string): boolean => /(^|[/\\])pyproject\.toml$/i.test(uri);

const NO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function issueToDiagnostic(issue: ConfigIssue): Diagnostic {
  return {
    range: issue.range ?? NO_RANGE,
    severity: DiagnosticSeverity.Error,
    source: Names.diagnosticSource,
    code: issue.kind,
    message: issue.message,
  };
}

/** Mistakes in the buffer's text; nothing for a pyproject.toml that does not mention us. */
export function checkBuffer(text: string): ConfigIssue[] {
  return text.includes('dynamo-guard') ? checkPyprojectText(text).issues : [];
}

export class ConfigDiagnostics {
  private readonly docs = new Map<string, TextDocument>();
  /** Last mistakes found on disk, by path key (for files that are not open). */
  private readonly disk = new Map<string, { uri: string; key: string; issues: ConfigIssue[] }>();

  constructor(
    private readonly connection: Connection,
    private readonly pull: boolean,
    /** The client takes versioned edits (WorkspaceEdit.documentChanges). */
    private readonly documentChanges: boolean,
  ) {}

  open(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.docs.set(uri, TextDocument.create(uri, languageId, version, text));
    // Pull clients now ask for this document: drop what was pushed, or it would show twice.
    if (this.pull) this.publish(uri, []);
    else this.publishBuffer(uri);
  }

  change(params: DidChangeTextDocumentParams): void {
    const doc = this.docs.get(params.textDocument.uri);
    if (!doc) return;
    this.docs.set(doc.uri, TextDocument.update(doc, params.contentChanges, params.textDocument.version));
    if (!this.pull) this.publishBuffer(doc.uri);
  }

  close(uri: string): void {
    if (!this.docs.delete(uri)) return;
    const p = uriToPath(uri);
    const onDisk = p ? this.disk.get(pathKey(p)) : undefined;
    this.publish(uri, onDisk ? onDisk.issues.map(issueToDiagnostic) : []);
  }

  isOpen(uri: string): boolean {
    return this.docs.has(uri);
  }

  /** `textDocument/diagnostic` for an open pyproject.toml. */
  diagnostics(uri: string): DocumentDiagnosticReport {
    const doc = this.docs.get(uri);
    return { kind: 'full', items: doc ? checkBuffer(doc.getText()).map(issueToDiagnostic) : [] };
  }

  /** The settings store read `file` from disk and found `issues` (maybe none). */
  onDiskIssues(file: string, issues: ConfigIssue[]): void {
    const k = pathKey(file);
    const key = JSON.stringify(issues);
    const prev = this.disk.get(k);
    if (prev?.key === key) return;
    const uri = prev?.uri ?? pathToUri(file);
    this.disk.set(k, { uri, key, issues });
    // An open document is checked from its buffer instead.
    if ([...this.docs.keys()].some((u) => uriToPath(u) !== undefined && pathKey(uriToPath(u)!) === k)) return;
    this.publish(uri, issues.map(issueToDiagnostic));
  }

  /** Quick fixes: replace a misspelled key, rule code or level with the closest valid one. */
  codeActions(params: CodeActionParams): CodeAction[] {
    const doc = this.docs.get(params.textDocument.uri);
    if (!doc) return [];
    const wanted = params.context.diagnostics.filter((d) => d.source === Names.diagnosticSource);
    const actions: CodeAction[] = [];
    for (const issue of checkBuffer(doc.getText())) {
      if (!issue.replacement) continue;
      const diagnostic = wanted.find((d) => d.message === issue.message && sameRange(d.range, issue.range ?? NO_RANGE));
      if (!diagnostic) continue;
      const edit = { range: issue.replacement.range, newText: issue.replacement.newText };
      actions.push({
        title: issue.replacement.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: this.documentChanges
          ? { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: [edit] }] }
          : { changes: { [doc.uri]: [edit] } },
      });
    }
    return actions;
  }

  private publishBuffer(uri: string): void {
    const doc = this.docs.get(uri);
    if (doc) this.publish(uri, checkBuffer(doc.getText()).map(issueToDiagnostic), doc.version);
  }

  private publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    void this.connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics }).catch(() => undefined);
  }
}
