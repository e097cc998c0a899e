// Read, decode and analyse one file. Runs in the main thread (--jobs 1) or in a worker, and must
// give the same answer in both, so everything it returns is plain cloneable data.

import * as fs from 'fs';
import type { DynamoGuardSettings } from '../protocol';
import { decodeSource, mayExport, summarizeDocument, type Analyzer, type Finding, type ModuleSummary, type WorkspaceIndex } from '../analysis';

export type FileOutcome =
  | {
      file: string;
      ok: true;
      findings: Finding[];
      lines: number;
      /** Trimmed text of each finding's first line (same order), for SARIF fingerprints. */
      lineTexts: string[];
      /** Parts of the file that could not be analysed (budget exceeded): reported under `errors`. */
      errors?: string[];
    }
  | { file: string; ok: false; message: string };

function readError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'cannot read: no such file (dangling symbolic link?)';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read: permission denied';
    case 'EISDIR':
      return 'cannot read: is a directory';
    case 'ELOOP':
      return 'cannot read: too many levels of symbolic links';
    default:
      return `cannot read: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}`;
  }
}

export async function analyzeFile(
  analyzer: Analyzer,
  file: string,
  settings: DynamoGuardSettings,
  workspace: WorkspaceIndex | undefined,
  withFixes = true,
): Promise<FileOutcome> {
  let bytes: Uint8Array;
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) return { file, ok: false, message: 'not a regular file; skipped' };
    // Checked before reading so a stray multi-GB file costs nothing; same wording as decodeSource.
    const limit = settings.maxFileSizeKb * 1024;
    if (limit > 0 && stat.size > limit) {
      return {
        file,
        ok: false,
        message: `file is ${Math.round(stat.size / 1024)} KB, over the ${settings.maxFileSizeKb} KB limit (maxFileSizeKb / max-file-size-kb); skipped`,
      };
    }
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    return { file, ok: false, message: readError(e) };
  }
  const decoded = decodeSource(bytes, settings.maxFileSizeKb);
  if (!decoded.ok) return { file, ok: false, message: decoded.message };
  try {
    const result = analyzer.analyzeText(decoded.text, { settings, path: file, workspace });
    if (result.skipped) return { file, ok: false, message: result.skipped };
    const lines = result.findings.length > 0 ? decoded.text.split('\n') : [];
    const lineTexts = result.findings.map((f) => (lines[f.range.start.line] ?? '').trim());
    // Plain data: a finding's lazy fixes hold the whole file's syntax tree until read, which for a
    // large scan kept every analysed file alive. Compute them now (json/sarif) or drop them (text).
    const findings: Finding[] = result.findings.map((f) => ({
      rule: f.rule, name: f.name, severity: f.severity, message: f.message, range: f.range, related: f.related,
      fixes: withFixes ? f.fixes : [],
    }));
    return { file, ok: true, findings, lines: result.lines, lineTexts, ...(result.errors ? { errors: result.errors } : {}) };
  } catch (e) {
    // A bug in one rule must not lose the rest of the report; show it as this file's error.
    const detail = process.env['DYNAMO_GUARD_DEBUG'] ? (e as Error).stack : (e as Error).message;
    return { file, ok: false, message: `internal error while analysing (please report it): ${detail}` };
  }
}

/**
 * First pass of a scan: what this module exports to others (tables, auth functions, guard
 * helpers). Unreadable files and files that cannot export anything give no summary.
 */
export async function summarizeFile(analyzer: Analyzer, file: string, settings: DynamoGuardSettings): Promise<ModuleSummary | undefined> {
  let text: string;
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile() || (settings.maxFileSizeKb > 0 && stat.size > settings.maxFileSizeKb * 1024)) return undefined;
    const decoded = decodeSource(await fs.promises.readFile(file), settings.maxFileSizeKb);
    if (!decoded.ok) return undefined;
    text = decoded.text;
  } catch {
    return undefined;
  }
  if (!mayExport(text)) return undefined;
  const doc = analyzer.createDocument(text);
  try {
    return summarizeDocument(doc, settings, file);
  } catch {
    return undefined;
  } finally {
    doc.dispose();
  }
}
