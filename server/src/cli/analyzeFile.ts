// Read, decode and analyse one file. Runs in the main thread (--jobs 1) or in a worker, and must
// give the same answer in both, so everything it returns is plain cloneable data.

import { createHash } from 'crypto';
import * as fs from 'fs';
import type { DynamoGuardSettings } from '../protocol';
import { cacheGet, cacheKey, cachePut, type CacheConfig } from './cache';
import { cannotMatter, countLines, decodeSource, forgetFacts, importedModuleNames, mayExport, notebook, passThroughSummary, summarizeDocument, type Analyzer, type Finding, type ModuleSummary, type PyDocument, type WorkspaceIndex } from '../analysis';

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
  | {
      file: string;
      ok: false;
      message: string;
      /** A bug or an exceeded budget (exit 2), not an unreadable or oversized file. */
      internal?: true;
    };

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

/** Where a worker caches, and the fingerprint of the cross-file knowledge this analysis depends on (cacheKeys.ts). */
export interface FileCache {
  config: CacheConfig;
  indexHash: string;
}

type Source = { ok: true; bytes: Uint8Array; text: string } | { ok: false; message: string };

/** Read and decode once; the bytes key the cache, the text is analysed. */
async function readSource(file: string, settings: DynamoGuardSettings): Promise<Source> {
  let bytes: Uint8Array;
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) return { ok: false, message: 'not a regular file; skipped' };
    // Checked before reading so a stray multi-GB file costs nothing; same wording as decodeSource.
    const limit = settings.maxFileSizeKb * 1024;
    if (limit > 0 && stat.size > limit) {
      return { ok: false, message: `file is ${Math.round(stat.size / 1024)} KB, over the ${settings.maxFileSizeKb} KB limit (maxFileSizeKb / max-file-size-kb); skipped` };
    }
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    return { ok: false, message: readError(e) };
  }
  const decoded = decodeSource(bytes, settings.maxFileSizeKb);
  return decoded.ok ? { ok: true, bytes, text: decoded.text } : decoded;
}

export async function analyzeFile(
  analyzer: Analyzer,
  file: string,
  settings: DynamoGuardSettings,
  workspace: WorkspaceIndex | undefined,
  withFixes = true,
  cache?: FileCache,
  parsed?: PyDocument,
): Promise<FileOutcome> {
  const source = await readSource(file, settings);
  if (!source.ok) return { file, ok: false, message: source.message };
  const key = cache ? cacheKey('analysis', JSON.stringify(settings), file, withFixes ? 'fixes' : '', cache.indexHash, source.bytes) : '';
  const hit = cache ? cacheGet<FileOutcome>(cache.config, key) : undefined;
  if (hit?.ok) return { ...hit, file };
  // The summary pass's mirror of this very text (PyDocument normalises lone CRs only).
  const reuse = parsed && parsed.text === source.text.replace(/\r(?!\n)/g, '\n') ? parsed : undefined;
  const outcome = analyzeText(analyzer, file, source.text, settings, workspace, withFixes, reuse);
  // A partial analysis (time budget) depends on the machine's load: never reuse it.
  if (cache && outcome.ok && !outcome.errors?.length) cachePut(cache.config, key, outcome);
  return outcome;
}

function analyzeText(analyzer: Analyzer, file: string, text: string, settings: DynamoGuardSettings, workspace: WorkspaceIndex | undefined, withFixes: boolean, parsed?: PyDocument): FileOutcome {
  if (isNotebook(file)) return analyzeNotebook(analyzer, file, text, settings, workspace, withFixes);
  // Most files of a big tree never mention DynamoDB: decided from the text (prescan.ts), they
  // cost no parse. DYNAMO_GUARD_NO_SKIP=1 analyses everything (to check the rule).
  if (!process.env['DYNAMO_GUARD_NO_SKIP'] && cannotMatter(text, file, workspace)) {
    return { file, ok: true, findings: [], lines: countLines(text), lineTexts: [] };
  }
  try {
    const options = { settings, path: file, workspace };
    const result = parsed ? analyzer.analyzeDocument(parsed, options) : analyzer.analyzeText(text, options);
    if (result.skipped) return { file, ok: false, message: result.skipped };
    const lines = result.findings.length > 0 ? text.split('\n') : [];
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
    return { file, ok: false, internal: true, message: `internal error while analysing (please report it): ${detail}` };
  }
}

export const isNotebook = (file: string) => /\.ipynb$/i.test(file);

/** A notebook: its code cells analysed as one module, findings placed in their cells (CLI.md). */
function analyzeNotebook(
  analyzer: Analyzer,
  file: string,
  json: string,
  settings: DynamoGuardSettings,
  workspace: WorkspaceIndex | undefined,
  withFixes: boolean,
): FileOutcome {
  const source = notebook.parseIpynb(json);
  if (!source.ok) return { file, ok: false, message: source.message };
  const nb = notebook.notebookModule(source.cells);
  try {
    const result = analyzer.analyzeText(nb.text, { settings, path: file, workspace });
    if (result.skipped) return { file, ok: false, message: result.skipped };
    const lines = nb.text.split('\n');
    const findings: Finding[] = [];
    const lineTexts: string[] = [];
    for (const f of result.findings) {
      const moved = notebook.findingInCell(nb, f);
      if (!moved) continue;
      findings.push({ rule: moved.rule, name: moved.name, severity: moved.severity, message: moved.message, range: moved.range, related: moved.related, fixes: withFixes ? moved.fixes : [], cell: moved.cell! });
      lineTexts.push((lines[f.range.start.line] ?? '').trim());
    }
    return { file, ok: true, findings, lines: result.lines, lineTexts, ...(result.errors ? { errors: result.errors } : {}) };
  } catch (e) {
    const detail = process.env['DYNAMO_GUARD_DEBUG'] ? (e as Error).stack : (e as Error).message;
    return { file, ok: false, message: `internal error while analysing (please report it): ${detail}` };
  }
}

/** What a file's analysis depends on besides its own content: its bytes' digest and the modules it imports. */
export interface FileDeps {
  digest: string;
  imports: string[];
}

/**
 * First pass of a scan: what this module exports to others (tables, auth functions, guard
 * helpers). Unreadable files and files that cannot export anything give no summary.
 */
export async function summarizeFile(
  analyzer: Analyzer,
  file: string,
  settings: DynamoGuardSettings,
  cache?: CacheConfig,
  keep?: (doc: PyDocument) => void,
): Promise<ModuleSummary | undefined> {
  return (await summarizeWithDeps(analyzer, file, settings, cache, keep)).summary;
}

/** summarizeFile, plus (with a cache) the file's dependencies for the per-import cache key (scan.ts). */
export async function summarizeWithDeps(
  analyzer: Analyzer,
  file: string,
  settings: DynamoGuardSettings,
  cache?: CacheConfig,
  keep?: (doc: PyDocument) => void,
): Promise<{ summary: ModuleSummary | undefined; deps?: FileDeps }> {
  // A notebook cannot be imported: it exports nothing to other modules.
  if (isNotebook(file)) return { summary: undefined };
  const source = await readSource(file, settings);
  if (!source.ok) return { summary: undefined };
  const deps = cache ? { digest: createHash('sha256').update(source.bytes).digest('hex'), imports: importedModuleNames(source.text) } : undefined;
  // A pass-through module still names its imports (the reverse walk from a layer to its handlers).
  if (!mayExport(source.text)) return { summary: passThroughSummary(source.text), deps };
  const key = cache ? cacheKey('summary', JSON.stringify(settings), file, source.bytes) : '';
  const hit = cache ? cacheGet<{ summary: ModuleSummary | null }>(cache, key) : undefined;
  if (hit) return { summary: hit.summary ?? undefined, deps };
  const doc = analyzer.createDocument(source.text);
  let summary: ModuleSummary | undefined;
  try {
    summary = summarizeDocument(doc, settings, file);
  } catch {
    summary = undefined;
  } finally {
    // The tree goes now; the mirror may serve this file's analysis (`keep`, worker.ts).
    doc.dispose();
    forgetFacts(doc);
  }
  keep?.(doc);
  cachePut(cache, key, { summary: summary ?? null });
  return { summary, deps };
}
