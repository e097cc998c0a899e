// DG601 findings of the services a scan touches, reported in their templates (path and line of
// the policy statement), beside the Python files' findings.

import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, isRuleEnabled, severityFor, type DynamoGuardSettingsLike } from './infraDeps';
import { templateFindings } from '../analysis/infra/service';
import type { ReportedFinding } from './report';

function within(file: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const rel = path.relative(r, file);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

export async function infraReported(
  pythonFiles: readonly string[],
  scanned: readonly string[],
  settingsFor: (file: string) => DynamoGuardSettingsLike,
  display: (abs: string) => string,
): Promise<ReportedFinding[]> {
  if (pythonFiles.length === 0) return [];
  const analyzer = await Analyzer.create();
  const out: ReportedFinding[] = [];
  const scopes = scanned.map((p) => (isDirectory(p) ? p : path.dirname(p)));
  for (const t of templateFindings(pythonFiles, analyzer)) {
    const file = path.resolve(t.file);
    const settings = settingsFor(file);
    if (!within(file, scopes) || !isRuleEnabled('DG601', settings)) continue;
    const override = severityFor('DG601', settings);
    if (override === 'off') continue;
    const finding = override ? { ...t.finding, severity: override } : t.finding;
    const lines = safeRead(file).split('\n');
    out.push({ path: display(file), finding, lineText: (lines[finding.range.start.line] ?? '').trim() });
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
