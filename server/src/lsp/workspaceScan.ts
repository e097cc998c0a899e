// `dynamoGuard/scanWorkspace`: analyse every Python file of every workspace folder and push
// diagnostics for the files that are not open (open ones have live diagnostics already).
//
// Ownership of a file's diagnostics moves between the scan and the live analysis:
// - opening a scanned file clears what the scan pushed (pull diagnostics take over; pushing an
//   empty list avoids showing every finding twice);
// - closing a file the scan has seen re-analyses it from disk and pushes the result, so a
//   scanned workspace keeps its Problems list complete (the buffer may have been closed unsaved,
//   so the disk is the truth).

import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import type { Analyzer, Finding } from '../analysis';
import { Notifications, type ScanProgressParams, type ScanWorkspaceParams, type ScanWorkspaceResult } from '../protocol';
import { toDiagnostic } from './convert';
import { describe, type DiagnosticsEngine } from './diagnostics';
import type { DocumentStore, OpenDocument } from './documents';
import type { WorkspaceFolders } from './folders';
import { readSource, yieldToEventLoop, type ProjectFiles } from './projectFiles';
import type { EditorSettings, SettingsStore } from './settings';
import { pathKey, pathToUri } from './uri';
import type { WorkspaceIndexer } from './workspaceIndex';

/** Progress notifications at most this often (the last one is always sent). */
const PROGRESS_INTERVAL_MS = 100;

export interface ScanContext {
  connection: Connection;
  analyzer: Analyzer;
  documents: DocumentStore;
  settings: SettingsStore;
  folders: WorkspaceFolders;
  engine: DiagnosticsEngine;
  files: ProjectFiles;
  index: WorkspaceIndexer;
  /** Diagnostics of open files are pulled by the client (see the header comment). */
  pull: boolean;
}

interface ScanFile {
  path: string;
  editor: EditorSettings;
}

/** Receives every analysed file's findings with the text they were found in (SARIF export). */
export type ScanSink = (file: string, text: string, findings: readonly Finding[]) => void;

/** Counts and errors of the last completed scan (Show debug info). */
export interface ScanRecord extends ScanWorkspaceResult {
  errorMessages: Array<{ path: string; message: string }>;
}

export class WorkspaceScanner {
  /** Files we pushed non-empty diagnostics for: path key -> the URI we used. */
  private readonly published = new Map<string, string>();
  /** Files any scan has seen (path keys). */
  private readonly scanned = new Set<string>();
  private current: { cancelled: boolean; sink?: ScanSink | undefined; errors: ScanRecord['errorMessages'] } | undefined;
  private disposed = false;
  /** The last scan that ended (completed or cancelled). */
  last: ScanRecord | undefined;

  constructor(private readonly ctx: ScanContext) {}

  async scan(params: ScanWorkspaceParams, token: CancellationToken, sink?: ScanSink): Promise<ScanWorkspaceResult> {
    const started = performance.now();
    // One scan at a time: a new request supersedes the running one.
    if (this.current) this.current.cancelled = true;
    const run = { cancelled: false, sink, errors: [] as ScanRecord['errorMessages'] };
    this.current = run;
    const stopped = () => run.cancelled || token.isCancellationRequested || this.disposed;
    const result: ScanWorkspaceResult = { files: 0, findings: 0, errors: 0, cancelled: false, durationMs: 0 };
    try {
      const files = await this.collect(result, stopped);
      // Two passes like the CLI: analyse with the whole workspace's cross-file knowledge.
      await this.ctx.index.ready();
      let cancelled = stopped();
      const total = files.length;
      this.progress({ id: params.id, done: 0, total });
      let lastProgress = performance.now();
      for (const file of files) {
        if (cancelled) break;
        // Let didChange, pulls and code actions in between so editing stays responsive.
        await yieldToEventLoop();
        if ((cancelled = stopped())) break;
        await this.scanFile(file, result);
        result.files++;
        const now = performance.now();
        if (now - lastProgress >= PROGRESS_INTERVAL_MS || result.files === total) {
          lastProgress = now;
          this.progress({ id: params.id, done: result.files, total, currentFile: file.path });
        }
      }
      result.cancelled = cancelled;
    } finally {
      if (this.current === run) this.current = undefined;
    }
    result.durationMs = Math.round(performance.now() - started);
    this.last = { ...result, errorMessages: run.errors };
    this.ctx.connection.console.info(
      `DynamoGuard: workspace scan ${result.cancelled ? 'cancelled' : 'done'}: ${result.files} files, ${result.findings} findings, ${result.errors} errors, ${result.durationMs} ms`,
    );
    return result;
  }

  /** A file was opened: its live diagnostics replace what the scan pushed. */
  onOpen(doc: OpenDocument): void {
    if (!doc.path) return;
    const key = pathKey(doc.path);
    const uri = this.published.get(key);
    if (uri === undefined) return;
    // In push mode the live analysis overwrites the same URI anyway, unless the spelling differs.
    if (this.ctx.pull || uri !== doc.uri) this.send(uri, []);
    this.published.delete(key);
  }

  /** A file was closed: if a scan covers it, show its on-disk findings again. */
  async onClose(doc: OpenDocument): Promise<void> {
    if (!doc.path || !this.scanned.has(pathKey(doc.path))) return;
    const folder = this.ctx.folders.containing(doc.path);
    const editor = await this.ctx.settings.editorSettings(folder?.uri || undefined);
    const file: ScanFile = { path: doc.path, editor };
    await this.scanFile(file, { files: 0, findings: 0, errors: 0, cancelled: false, durationMs: 0 }, doc.uri);
  }

  dispose(): void {
    this.disposed = true;
    if (this.current) this.current.cancelled = true;
  }

  private async collect(result: ScanWorkspaceResult, stopped: () => boolean): Promise<ScanFile[]> {
    const files: ScanFile[] = [];
    for (const folder of this.ctx.folders.list()) {
      if (stopped()) break;
      const editor = await this.ctx.settings.editorSettings(folder.uri || undefined);
      for await (const file of this.ctx.files.walk(folder, editor, (p, message) => this.error(result, p, message))) {
        if (stopped()) break;
        files.push({ path: file, editor });
      }
    }
    return files;
  }

  private async scanFile(file: ScanFile, result: ScanWorkspaceResult, uriOverride?: string): Promise<void> {
    const key = pathKey(file.path);
    this.scanned.add(key);
    const open = this.ctx.documents.byPath(file.path);
    if (open) {
      // Live diagnostics own open files; count their current findings in the summary.
      const snap = await this.ctx.engine.snapshot(open.uri);
      result.findings += snap?.findings.length ?? 0;
      if (snap) this.current?.sink?.(file.path, snap.doc.text.getText(), snap.findings);
      return;
    }
    const uri = uriOverride ?? this.published.get(key) ?? pathToUri(file.path);
    const { settings } = this.ctx.settings.resolveFile(file.editor, file.path);
    if (!settings.enable) return this.send(uri, [], key);
    const source = await readSource(file.path, settings);
    if (!source.ok) {
      this.error(result, file.path, source.message);
      return this.send(uri, [], key);
    }
    // Opened while we were reading: the live analysis owns it now.
    if (this.ctx.documents.byPath(file.path)) return;
    try {
      const analysis = this.ctx.analyzer.analyzeText(source.text, { settings, path: file.path, workspace: this.ctx.index });
      if (analysis.skipped) this.error(result, file.path, analysis.skipped);
      result.findings += analysis.findings.length;
      this.current?.sink?.(file.path, source.text, analysis.findings);
      this.send(uri, analysis.findings, key);
    } catch (e) {
      this.error(result, file.path, `analysis failed: ${describe(e)}`);
    }
  }

  /** Push findings for a file that is not open; an empty list is only sent to clear earlier ones. */
  private send(uri: string, findings: Finding[], key?: string): void {
    if (key !== undefined) {
      if (findings.length === 0 && !this.published.has(key)) return;
      if (findings.length > 0) this.published.set(key, uri);
      else this.published.delete(key);
    }
    const diagnostics = findings.map((f) => toDiagnostic(uri, f));
    void this.ctx.connection.sendDiagnostics({ uri, diagnostics }).catch(() => undefined);
  }

  private progress(params: ScanProgressParams): void {
    void this.ctx.connection.sendNotification(Notifications.scanProgress, params).catch(() => undefined);
  }

  private error(result: ScanWorkspaceResult, file: string, message: string): void {
    result.errors++;
    this.current?.errors.push({ path: file, message });
    this.ctx.connection.console.warn(`DynamoGuard: ${file}: ${message}`);
  }
}
