// Analyzer findings -> LSP diagnostics. The analyzer's ranges are already LSP-shaped (0-based
// lines, UTF-16 columns), so only severity and decoration change here.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { Names } from '../protocol';
import { ruleDocUrl, type Finding, type Range, type Severity } from '../analysis';
import { pathToUri } from './uri';

/** `source` of every diagnostic we publish; code actions only touch diagnostics carrying it. */
export const DIAGNOSTIC_SOURCE = Names.diagnosticSource;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * Round-tripped by clients that support `data`; code actions match findings by rule and range
 * anyway. Nothing about fixes here: they are computed only when code actions are requested.
 */
export interface DiagnosticData {
  rule: string;
}

export function toDiagnostic(uri: string, f: Finding): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity],
    source: DIAGNOSTIC_SOURCE,
    code: f.rule,
    codeDescription: { href: ruleDocUrl(f.rule) },
    message: f.message,
    data: { rule: f.rule } satisfies DiagnosticData,
  };
  if (f.related.length > 0) {
    // A layer in another module: its own document's URI.
    d.relatedInformation = f.related.map((r) => ({ location: { uri: r.path ? pathToUri(r.path) : uri, range: r.range }, message: r.message }));
  }
  return d;
}

export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}
