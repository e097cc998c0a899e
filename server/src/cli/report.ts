// The scan's result in one format-neutral shape, and its CLI.md JSON rendering.

import * as path from 'path';
import type { Finding, RelatedLocation, Severity } from '../analysis';

export interface ReportedFinding {
  /** Relative to the current directory, `/` separators. */
  path: string;
  finding: Finding;
  /** Trimmed source line the finding starts on (SARIF fingerprints). */
  lineText: string;
}

export interface ReportedError {
  path: string;
  message: string;
}

export interface ScanReport {
  version: string;
  /** Absolute directory the paths are relative to. */
  cwd: string;
  findings: ReportedFinding[];
  /** Files analysed (not counting errors). */
  files: number;
  lines: number;
  durationMs: number;
  errors: ReportedError[];
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The one order every format uses: path, then position, then rule. */
export function compareFindings(a: ReportedFinding, b: ReportedFinding): number {
  const fa = a.finding.range.start;
  const fb = b.finding.range.start;
  return byCodeUnits(a.path, b.path) || (a.finding.cell ?? 0) - (b.finding.cell ?? 0) || fa.line - fb.line || fa.character - fb.character || byCodeUnits(a.finding.rule, b.finding.rule) || byCodeUnits(a.finding.message, b.finding.message);
}

export function countBySeverity(findings: readonly ReportedFinding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.finding.severity]++;
  return counts;
}

/** The file of a related location as the report names files: relative to its cwd, `/` separators. */
export function relatedPath(report: Pick<ScanReport, 'cwd'>, findingPath: string, r: RelatedLocation): string {
  if (!r.path) return findingPath;
  return path.relative(report.cwd, r.path).split(path.sep).join('/') || findingPath;
}

/** CLI.md's JSON document. Lines and columns are 1-based (columns count UTF-16 code units). */
export function toJson(report: ScanReport): string {
  const doc = {
    version: report.version,
    findings: report.findings.map(({ path, finding }) => ({
      path,
      // Notebooks (CLI.md): the cell, 1-based among all the notebook's cells; lines are the cell's.
      ...(finding.cell !== undefined ? { cell: finding.cell + 1 } : {}),
      line: finding.range.start.line + 1,
      column: finding.range.start.character + 1,
      endLine: finding.range.end.line + 1,
      endColumn: finding.range.end.character + 1,
      rule: finding.rule,
      name: finding.name,
      severity: finding.severity,
      message: finding.message,
      // Related information leads from a layered finding down to its DynamoDB call, maybe in other files.
      related: finding.related.map((r) => ({
        path: relatedPath(report, path, r),
        line: r.range.start.line + 1,
        column: r.range.start.character + 1,
        endLine: r.range.end.line + 1,
        endColumn: r.range.end.character + 1,
        message: r.message,
      })),
      fixes: finding.fixes.map((fix) => ({
        title: fix.title,
        edits: fix.edits.map((e) => ({
          line: e.range.start.line + 1,
          column: e.range.start.character + 1,
          endLine: e.range.end.line + 1,
          endColumn: e.range.end.character + 1,
          newText: e.newText,
        })),
      })),
    })),
    files: report.files,
    lines: report.lines,
    durationMs: report.durationMs,
    errors: report.errors.map((e) => ({ path: e.path, message: e.message })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
