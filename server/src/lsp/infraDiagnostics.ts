// DG601 in the editor: diagnostics on the policy statements of infrastructure files (YAML, JSON,
// HCL, CDK Python), pushed for the whole service whenever one of its templates is opened, edited or
// saved, or one of its Python files is saved (what the code needs changed). An open template's
// unsaved text is what every analysis reads; editing it also re-analyses the service's open
// Python files (tables, keys, handlers and authorizers come from it).

import { CodeActionKind, type CodeAction, type CodeActionParams, type Connection, type DidChangeTextDocumentParams, type DidOpenTextDocumentParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analyzer, Finding } from '../analysis';
import { infraRootOf, setInfraOverlay } from '../analysis/infra/discover';
import { templateFindings } from '../analysis/infra/service';
import { isAbsolute, relative } from 'path';
import { toDiagnostic } from './convert';
import { pathToUri, uriToPath } from './uri';

const INFRA_FILE = /(\.(ya?ml|json|template|tf)|[/\\]cdk[/\\].*\.py|stack\w*\.py)$/i;

export function isInfraUri(uri: string): boolean {
  return INFRA_FILE.test(uri);
}

/** Quiet time after the last keystroke in a template before the service is re-analysed. */
const EDIT_DEBOUNCE_MS = 300;

export class InfraDiagnostics {
  /** Service root -> URIs that got DG601 diagnostics, so a fixed statement's diagnostic is cleared. */
  private readonly published = new Map<string, Set<string>>();
  /** Last findings per URI, for the quick fix that replaces a statement. */
  private readonly findings = new Map<string, Finding[]>();
  /** Open infrastructure documents: their unsaved text is what the analysis reads (discover.ts overlay). */
  private readonly open = new Map<string, TextDocument>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** `onServiceChanged(root)`: the model of that service changed, so its open Python files are re-analysed. */
  constructor(private readonly connection: Connection, private readonly analyzer: Analyzer, private readonly onServiceChanged: (root: string) => void = () => undefined) {}

  didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.open.set(uri, TextDocument.create(uri, languageId, version, text));
    this.edited(uri, text, 0);
  }

  didChange(params: DidChangeTextDocumentParams): void {
    const doc = this.open.get(params.textDocument.uri);
    if (!doc) return;
    const next = TextDocument.update(doc, params.contentChanges, params.textDocument.version);
    this.open.set(doc.uri, next);
    this.edited(doc.uri, next.getText(), EDIT_DEBOUNCE_MS);
  }

  didClose(uri: string): void {
    if (!this.open.delete(uri)) return;
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    // The file on disk is the truth again (an editor closing without saving drops the edits).
    const file = uriToPath(uri);
    if (!file) return;
    setInfraOverlay(file, undefined);
    this.refresh(uri);
    const root = infraRootOf(file);
    if (root) this.onServiceChanged(root);
  }

  /** The template's text changed in the editor: DG601 for its service, and its Python files again. */
  private edited(uri: string, text: string, delayMs: number): void {
    const file = uriToPath(uri);
    if (!file) return;
    setInfraOverlay(file, text);
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      this.refresh(uri);
      const root = infraRootOf(file);
      if (root && delayMs > 0) this.onServiceChanged(root);
    }, delayMs));
  }

  codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    const r = params.range;
    const out: CodeAction[] = [];
    for (const f of this.findings.get(uri) ?? []) {
      const touches = f.range.start.line <= r.end.line && f.range.end.line >= r.start.line;
      if (!touches) continue;
      for (const fix of f.fixes) {
        out.push({ title: fix.title, kind: CodeActionKind.QuickFix, isPreferred: fix.isPreferred, diagnostics: [toDiagnostic(uri, f)], edit: { changes: { [uri]: fix.edits } } });
      }
    }
    return out;
  }

  refresh(uri: string): void {
    const file = uriToPath(uri);
    const root = file ? infraRootOf(file) : undefined;
    if (!file || !root) return;
    let findings;
    try {
      findings = templateFindings([file], this.analyzer);
    } catch (e) {
      this.connection.console.warn(`DynamoGuard: infrastructure analysis failed: ${(e as Error).message}`);
      return;
    }
    const byUri = new Map<string, ReturnType<typeof toDiagnostic>[]>();
    for (const old of this.published.get(root) ?? []) this.findings.delete(old);
    for (const t of findings) {
      const u = pathToUri(t.file);
      byUri.set(u, [...(byUri.get(u) ?? []), toDiagnostic(u, t.finding)]);
      this.findings.set(u, [...(this.findings.get(u) ?? []), t.finding]);
    }
    for (const old of this.published.get(root) ?? []) if (!byUri.has(old)) byUri.set(old, []);
    for (const [u, diagnostics] of byUri) void this.connection.sendDiagnostics({ uri: u, diagnostics }).catch(() => undefined);
    this.published.set(root, new Set([...byUri].filter(([, d]) => d.length > 0).map(([u]) => u)));
  }
}


/** Open Python documents of the service at `root` (they depend on its infrastructure code). */
export function inService(file: string | undefined, root: string): boolean {
  if (!file) return false;
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
