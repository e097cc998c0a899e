// `--format github`: GitHub Actions workflow commands, which the runner turns into annotations on
// the pull request's diff (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).

import type { Severity } from '../analysis';
import type { ScanReport } from './report';
import { summaryLine } from './text';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/** The message part: `%`, CR and LF would end or corrupt the command. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: also `:` and `,`, which separate properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function toGithub(report: ScanReport): string {
  const out: string[] = [];
  for (const { path, finding } of report.findings) {
    const r = finding.range;
    const props = [
      `file=${escapeProperty(path)}`,
      `line=${r.start.line + 1}`,
      `col=${r.start.character + 1}`,
      `endLine=${r.end.line + 1}`,
      `endColumn=${r.end.character + 1}`,
      `title=${escapeProperty(`${finding.rule}`)}`,
    ];
    out.push(`::${COMMAND[finding.severity]} ${props.join(',')}::${escapeData(`${finding.message} (${finding.name})`)}`);
  }
  for (const e of report.errors) out.push(`::error file=${escapeProperty(e.path)},title=${escapeProperty('DynamoGuard')}::${escapeData(e.message)}`);
  out.push(summaryLine(report));
  return `${out.join('\n')}\n`;
}
