// DG601 in the editor: diagnostics on the policy statements of infrastructure files (YAML, JSON,
// HCL, CDK Python), pushed for the whole service whenever one of its templates is opened or saved,
// or one of its Python files is saved (what the code needs changed).

import { CodeActionKind, type CodeAction, type CodeActionParams, type Connection } from 'vscode-languageserver/node';
import type { Analyzer, Finding } from '../analysis';
import { infraRootOf } from '../analysis/infra/discover';
import { templateFindings } from '../analysis/infra/service';
import { toDiagnostic } from './convert';
import { pathToUri, uriToPath } from './uri';

const INFRA_FILE = /(\.(ya?ml|json|template|tf)|[/\\]cdk[/\\].*\.py|stack\w*\.py)$/i;

export function isInfraUri(uri: string): boolean {
  return INFRA_FILE.test(uri);
}

export class InfraDiagnostics {
  /** Service root -> URIs that got DG601 diagnostics, so a fixed statement's diagnostic is cleared. */
  private readonly published = new Map<string, Set<string>>();
  /** Last findings per URI, for the quick fix that replaces a statement. */
  private readonly findings = new Map<string, Finding[]>();

  constructor(private readonly connection: Connection, private readonly analyzer: Analyzer) {}

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

