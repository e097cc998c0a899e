// Human output: one finding a line in the compiler format editors and CI log viewers link
// (`path:line:col:`), then a summary; ANSI colour only when a person is looking.

import type { Severity } from '../analysis';
import { countBySeverity, type ReportedError, type ScanReport } from './report';

export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  severity(sev: Severity, s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

const ANSI: Colors = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  severity: (sev, s) => (sev === 'error' ? wrap(31, 39)(s) : sev === 'warning' ? wrap(33, 39)(s) : wrap(36, 39)(s)),
};

const PLAIN: Colors = { bold: (s) => s, dim: (s) => s, severity: (_sev, s) => s };

/** https://no-color.org: any non-empty NO_COLOR disables colour; otherwise only on a TTY. */
export function pickColors(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  if (env['NO_COLOR']) return PLAIN;
  return stream.isTTY ? ANSI : PLAIN;
}

/**
 * A path as one line of text: control characters (a newline in a file name would start a fake
 * finding line) and backslashes are escaped the way Git quotes unusual paths.
 */
export function displayPath(p: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f\\]/.test(p) ? p.replace(/[\x00-\x1f\x7f\\]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : p;
}
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

export function toText(report: ScanReport, colors: Colors = PLAIN): string {
  const out: string[] = [];
  for (const { path: raw, finding } of report.findings) {
    const path = displayPath(raw);
    const cell = finding.cell !== undefined ? `cell ${finding.cell + 1}:` : '';
    const pos = `${path}:${cell}${finding.range.start.line + 1}:${finding.range.start.character + 1}:`;
    out.push(`${colors.bold(pos)} ${colors.severity(finding.severity, finding.rule)} ${colors.severity(finding.severity, `[${finding.severity}]`)} ${finding.message}`);
  }
  out.push(summaryLine(report, colors));
  return `${out.join('\n')}\n`;
}

/** `N findings (E errors, W warnings) in F files, L lines, T ms` (CLI.md; always this shape so scripts can parse it). */
export function summaryLine(report: ScanReport, colors: Colors = PLAIN): string {
  const c = countBySeverity(report.findings);
  const line = `${report.findings.length} findings (${c.error} errors, ${c.warning} warnings) in ${report.files} files, ${report.lines} lines, ${report.durationMs} ms`;
  return colors.bold(line);
}

/** `path: error: message`, for stderr. */
export function errorLines(errors: readonly ReportedError[], colors: Colors = PLAIN): string {
  return errors.map((e) => `${colors.bold(`${displayPath(e.path)}:`)} ${colors.severity('error', 'error:')} ${e.message}\n`).join('');
}
