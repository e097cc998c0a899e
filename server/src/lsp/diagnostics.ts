// When to analyse an open document and how the results reach the client.
//
// - onType: every change (re)starts a per-document debounce timer; a newer change therefore
//   supersedes analysis that has not started yet. Analysis runs in time slices (the analyzer
//   yields between functions) with the message loop turning in between, so no request waits
//   behind it, and a run that a newer change or settings change made stale is abandoned at its
//   next slice (what it finished stays in the analyzer's per-function cache).
// - onSave: analyse on open, on save and when settings change; edits in between keep the last result.
// - Pull clients ask `textDocument/diagnostic`; the request waits until the debounce settles,
//   honours cancellation, and answers `unchanged` when the diagnostics equal the previous result.
//   Push clients get `publishDiagnostics` after every analysis.

import {
  DiagnosticRefreshRequest,
  DiagnosticSeverity,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { checkText, DEFAULT_SETTINGS, type Analyzer, type Finding, type WorkspaceIndex } from '../analysis';
import { Notifications, type DynamoGuardSettings, type StatusParams } from '../protocol';
import { DIAGNOSTIC_SOURCE, toDiagnostic } from './convert';
import type { DocumentStore, OpenDocument } from './documents';
import { heapUsed, Limits, MEMORY_BUDGET_BYTES } from './lifecycle';
import type { SettingsStore } from './settings';

interface AnalysisRecord {
  version: number;
  /** SettingsStore.epoch the settings were read at; an older epoch means "re-analyse". */
  epoch: number;
  /** WorkspaceIndex.version the analysis saw; cross-file knowledge changed if it differs. */
  indexVersion: number;
  settings: DynamoGuardSettings;
  findings: Finding[];
  diagnostics: Diagnostic[];
  resultId: string;
  /** Serialized diagnostics; an equal key keeps the resultId so pulls can answer `unchanged`. */
  key: string;
  /** The analysis threw: findings are the last good ones and may not match this version's text. */
  failed: boolean;
  /** Held back while the workspace index was half-built; redone when it is complete. */
  pending?: boolean;
}

/** The workspace index's first build, as far as diagnostics care. */
export interface IndexState {
  readonly complete: boolean;
  whenComplete(): Promise<void>;
}

/**
 * How long an analysis waits for the first index build before showing the file as pending:
 * without the index, imported auth functions and guards are unknown and findings like "never
 * authenticates" would be false.
 */
const INDEX_WAIT_MS = 1500;

/** Findings of one exact document version, for code actions. */
export interface Snapshot {
  doc: OpenDocument;
  version: number;
  findings: Finding[];
  settings: DynamoGuardSettings;
}

export interface DiagnosticsMode {
  /** The client pulls (`textDocument/diagnostic`); otherwise we push. */
  pull: boolean;
  /** The client accepts `workspace/diagnostic/refresh`. */
  refreshSupport: boolean;
}

/** Far beyond any per-file budget: the engine's wall-clock deadline must not cut a sliced run. */
const UNSLICED_DEADLINE_MS = 24 * 3600 * 1000;

/** Longest stretch of analysis between two turns of the message loop. */
const SLICE_MS = 8;

/** One turn of the event loop (pending I/O and queued messages first); setImmediate is Node-only. */
const nextTurn: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise((resolve) => setImmediate(resolve)) : () => new Promise((resolve) => setTimeout(resolve, 0));

interface Outcome {
  findings: Finding[];
  message?: string;
  failed: boolean;
  /** The analysis was stopped by the time or memory budget: shown as a diagnostic at the top. */
  overBudget?: boolean;
}

export class DiagnosticsEngine {
  private readonly records = new Map<string, AnalysisRecord>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Last skip/failure message logged per document, so the log says it once, not per keystroke. */
  private readonly logged = new Map<string, string>();
  private nextResultId = 1;
  private disposed = false;
  /** Documents whose diagnostics go somewhere else than their URI (notebooks: to each cell). */
  private readonly routes = new Map<string, (diagnostics: Diagnostic[]) => void>();

  constructor(
    private readonly connection: Connection,
    private readonly analyzer: Analyzer,
    private readonly documents: DocumentStore,
    private readonly settings: SettingsStore,
    private readonly workspace: WorkspaceIndex,
    private readonly mode: DiagnosticsMode,
    private readonly limits: Limits = new Limits(true),
    private readonly index?: IndexState,
  ) {
    // Files shown as pending get their real findings as soon as the index is complete.
    void index?.whenComplete().then(() => {
      if (this.disposed || ![...this.records.values()].some((r) => r.pending)) return;
      return this.onSettingsChanged();
    });
  }

  onOpen(doc: OpenDocument): void {
    // A re-open without close restarts at version 1: what we had is for other text.
    clearTimeout(this.timers.get(doc.uri));
    this.timers.delete(doc.uri);
    this.records.delete(doc.uri);
    // Also in pull mode: the client's first pull then finds the work under way.
    void this.runNow(doc);
  }

  onChange(doc: OpenDocument): void {
    const settings = doc.settings ?? DEFAULT_SETTINGS;
    if (settings.run === 'onSave') return;
    clearTimeout(this.timers.get(doc.uri));
    const timer = setTimeout(() => {
      this.timers.delete(doc.uri);
      void this.runNow(doc);
    }, settings.debounceMs);
    this.timers.set(doc.uri, timer);
  }

  async onSave(doc: OpenDocument): Promise<void> {
    if ((doc.settings ?? DEFAULT_SETTINGS).run !== 'onSave') return;
    await this.runNow(doc);
    if (this.mode.pull) this.refresh();
  }

  onClose(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.records.delete(uri);
    this.logged.delete(uri);
    this.wake(uri);
    this.deliver(uri, []);
  }

  /**
   * Settings or project files changed: every result is stale. Re-analyse the open documents now
   * (also in onSave mode: the buffer is all we have), so each one learns its new run mode and
   * debounce before its next edit, and only then ask a pull client to refresh, so its pulls find
   * the results ready.
   */
  async onSettingsChanged(): Promise<void> {
    await Promise.all(this.documents.all().map((doc) => this.runNow(doc)));
    if (this.mode.pull) this.refresh();
  }

  /** Cross-file knowledge changed (index rebuilt, another file saved): same as a settings change. */
  onWorkspaceChanged(): Promise<void> {
    return this.onSettingsChanged();
  }

  /** `textDocument/diagnostic`. */
  async pull(uri: string, previousResultId: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const report = (rec: AnalysisRecord): DocumentDiagnosticReport =>
      rec.resultId === previousResultId
        ? { kind: 'unchanged', resultId: rec.resultId }
        : { kind: 'full', resultId: rec.resultId, items: rec.diagnostics };
    let attempts = 0;
    for (;;) {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
      const doc = this.documents.get(uri);
      if (!doc || this.disposed) return { kind: 'full', items: [] };
      const rec = this.records.get(uri);
      if (rec && this.isFresh(rec, doc)) return report(rec);
      if (this.timers.has(uri) || this.inflight.has(uri)) {
        await this.settled(uri, token);
      } else if (attempts++ < 3) {
        await this.runNow(doc);
      } else {
        // Analysis keeps failing before it can record anything (it already logged why): answer
        // with what we have rather than spin.
        return rec ? report(rec) : { kind: 'full', items: [] };
      }
    }
  }

  /**
   * Findings for the document's current version, analysing it now if needed (without publishing:
   * in onSave mode the editor must not show results for unsaved text).
   */
  async snapshot(uri: string): Promise<Snapshot | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    const rec = this.records.get(uri);
    if (rec && !rec.failed && rec.version === doc.version && rec.epoch === this.settings.epoch && rec.indexVersion === this.workspace.version) {
      return { doc, version: rec.version, findings: rec.findings, settings: rec.settings };
    }
    let snap: Snapshot | undefined;
    // In the document's queue: the parse must never change under a running analysis.
    await this.enqueue(uri, async () => {
      const { settings } = await this.settings.forFile(doc.uri, doc.path);
      if (this.documents.get(uri) !== doc) return;
      const version = doc.version;
      const outcome = await this.evaluate(doc, settings, () => this.disposed || this.documents.get(uri) !== doc);
      if (outcome) snap = { doc, version, findings: outcome.failed ? [] : outcome.findings, settings };
    });
    return snap;
  }

  /** Send `uri`'s diagnostics to `publisher` (always pushed, in pull mode too), or stop doing so. */
  route(uri: string, publisher: ((diagnostics: Diagnostic[]) => void) | undefined): void {
    if (publisher) this.routes.set(uri, publisher);
    else this.routes.delete(uri);
  }

  private deliver(uri: string, diagnostics: Diagnostic[], version?: number): void {
    const route = this.routes.get(uri);
    if (route) route(diagnostics);
    else if (!this.mode.pull) this.publish(uri, diagnostics, version);
  }

  refresh(): void {
    if (!this.mode.refreshSupport) return;
    // Not connection.languages.diagnostics.refresh(): it is typed void and would hide a rejection.
    this.connection.sendRequest(DiagnosticRefreshRequest.type).catch((e: unknown) => {
      this.connection.console.warn(`DynamoGuard: diagnostic refresh failed: ${String((e as Error)?.message ?? e)}`);
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const uri of [...this.waiters.keys()]) this.wake(uri);
  }

  private isFresh(rec: AnalysisRecord, doc: OpenDocument): boolean {
    if (rec.epoch !== this.settings.epoch || rec.indexVersion !== this.workspace.version) return false;
    if (rec.pending && this.index?.complete) return false;
    return rec.version === doc.version || rec.settings.run === 'onSave';
  }

  /** Analyse now, after any analysis of the same document already running. */
  private runNow(doc: OpenDocument): Promise<void> {
    return this.enqueue(doc.uri, () => this.analyze(doc));
  }

  /** Run `task` after every task queued for the same document; wakes pulls when it ends. */
  private enqueue(uri: string, task: () => Promise<void>): Promise<void> {
    const previous = this.inflight.get(uri) ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(task)
      .catch((e: unknown) => this.connection.console.error(`DynamoGuard: analysis of ${uri} failed: ${describe(e)}`))
      .finally(() => {
        if (this.inflight.get(uri) === next) this.inflight.delete(uri);
        this.wake(uri);
      });
    this.inflight.set(uri, next);
    return next;
  }

  private async analyze(doc: OpenDocument): Promise<void> {
    const epoch = this.settings.epoch;
    const { settings } = await this.settings.forFile(doc.uri, doc.path);
    if (this.disposed || this.documents.get(doc.uri) !== doc) return;
    // A change arrived while we waited for settings: its own analysis will run after the debounce.
    if (this.timers.has(doc.uri)) return;
    doc.settings = settings;
    if (this.index && !this.index.complete && doc.path) {
      await Promise.race([this.index.whenComplete(), new Promise((resolve) => setTimeout(resolve, INDEX_WAIT_MS))]);
      if (this.disposed || this.documents.get(doc.uri) !== doc || this.timers.has(doc.uri)) return;
      if (!this.index.complete) return this.recordPending(doc, epoch, settings);
    }
    const started = performance.now();
    const version = doc.version;
    const indexVersion = this.workspace.version;
    // In onSave mode edits schedule nothing, so a run they interrupted would never be redone.
    const stale = () =>
      this.disposed || this.documents.get(doc.uri) !== doc || this.settings.epoch !== epoch || this.timers.has(doc.uri) ||
      (doc.version !== version && settings.run !== 'onSave');
    const outcome = await this.evaluate(doc, settings, stale);
    // Abandoned: the change or settings change that made it stale has queued its own analysis.
    if (!outcome) return;
    const durationMs = Math.round(performance.now() - started);
    const prev = this.records.get(doc.uri);
    const findings = outcome.failed ? prev?.findings ?? [] : outcome.findings;
    const diagnostics = outcome.overBudget
      ? [budgetDiagnostic(outcome.message!)]
      : outcome.failed ? prev?.diagnostics ?? [] : findings.map((f) => toDiagnostic(doc.uri, f));
    const key = JSON.stringify(diagnostics);
    const resultId = prev && prev.key === key ? prev.resultId : String(this.nextResultId++);
    this.records.set(doc.uri, { version, epoch, indexVersion, settings, findings, diagnostics, resultId, key, failed: outcome.failed });

    this.deliver(doc.uri, diagnostics, version);
    const status: StatusParams = { uri: doc.uri, findings: findings.length, durationMs };
    if (outcome.message) status.message = outcome.message;
    void this.connection.sendNotification(Notifications.status, status).catch(() => undefined);
    if (outcome.message && this.logged.get(doc.uri) !== outcome.message) {
      this.connection.console.info(`DynamoGuard: ${doc.path ?? doc.uri}: ${outcome.message}`);
      this.logged.set(doc.uri, outcome.message);
    } else if (!outcome.message) this.logged.delete(doc.uri);
  }

  /** No findings yet, and say why: the index is still being built (refreshed when it is done). */
  private recordPending(doc: OpenDocument, epoch: number, settings: DynamoGuardSettings): void {
    const prev = this.records.get(doc.uri);
    const key = '[]';
    const resultId = prev && prev.key === key ? prev.resultId : String(this.nextResultId++);
    const indexVersion = this.workspace.version;
    this.records.set(doc.uri, { version: doc.version, epoch, indexVersion, settings, findings: [], diagnostics: [], resultId, key, failed: false, pending: true });
    this.deliver(doc.uri, [], doc.version);
    const message = 'waiting for the workspace index; findings follow when it is complete';
    void this.connection.sendNotification(Notifications.status, { uri: doc.uri, findings: 0, durationMs: 0, message } satisfies StatusParams).catch(() => undefined);
  }

  /**
   * Run the analyzer on the document's current text in time slices, giving the message loop a
   * turn between slices (and once before parsing, so a burst of edits still queued behind the
   * debounce timer cancels the run before it costs anything). Undefined when `stale()` said to
   * stop; otherwise never throws.
   */
  private async evaluate(doc: OpenDocument, settings: DynamoGuardSettings, stale: () => boolean): Promise<Outcome | undefined> {
    await nextTurn();
    if (stale()) return undefined;
    try {
      if (!settings.enable) {
        doc.dropParse();
        return { findings: [], message: 'disabled by settings (dynamoGuard.enable)', failed: false };
      }
      const skipped = checkText(doc.text.getText(), settings.maxFileSizeKb);
      if (skipped) {
        // Do not keep a tree for a buffer we refuse to analyse; re-parse if it becomes sane again.
        doc.dropParse();
        return { findings: [], message: skipped, failed: false };
      }
      const steps = this.analyzer.analyzeSteps(this.documents.parse(doc), {
        settings,
        workspace: this.workspace,
        // The engine's own deadline is wall-clock from the first step; sliced, a run also waits
        // between slices, so time is budgeted here instead (analysis time only, below).
        budget: { timeMs: UNSLICED_DEADLINE_MS },
        ...(doc.path ? { path: doc.path } : {}),
      });
      let sliceStart = performance.now();
      // Time spent analysing (not waiting between slices) and heap growth, against the budget.
      let spentMs = 0;
      const heapAtStart = heapUsed();
      const budgetMs = this.limits.timeBudgetMs;
      for (;;) {
        const step = steps.next();
        if (step.done) {
          const result = step.value;
          // Skipped, or analysed only in part (a function over the analyzer's own budget).
          const message = result.skipped ?? result.errors?.join('; ');
          return message ? { findings: result.findings, message, failed: false } : { findings: result.findings, failed: false };
        }
        const now = performance.now();
        const sliceOver = now - sliceStart >= SLICE_MS;
        // Reading the heap costs more than a cached function's step: once per slice is enough.
        const heap = heapAtStart === undefined || !sliceOver ? undefined : heapUsed();
        const over = spentMs + (now - sliceStart) > budgetMs
          ? `analysis stopped after ${budgetMs} ms (per-file time budget${this.limits.trusted ? '' : ', Restricted Mode'}); no findings for this file`
          : heap !== undefined && heap - heapAtStart! > MEMORY_BUDGET_BYTES
            ? `analysis stopped after using ${Math.round((heap - heapAtStart!) / 2 ** 20)} MB (per-file memory budget); no findings for this file`
            : undefined;
        if (over) {
          steps.return(undefined as never);
          // The tree is fine, but drop it so the memory goes too; the next edit starts afresh.
          doc.dropParse();
          return { findings: [], message: over, failed: false, overBudget: true };
        }
        if (!sliceOver) continue;
        spentMs += now - sliceStart;
        await nextTurn();
        if (stale()) {
          steps.return(undefined as never);
          return undefined;
        }
        sliceStart = performance.now();
      }
    } catch (e) {
      this.connection.console.error(`DynamoGuard: analysis of ${doc.uri} (version ${doc.version}) threw: ${describe(e)}`);
      // The incremental tree may be what is broken: the next analysis starts from the text.
      doc.dropParse();
      return { findings: [], message: `analysis failed: ${String((e as Error)?.message ?? e)}`, failed: true };
    }
  }

  private publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    const params = version === undefined ? { uri, diagnostics } : { uri, version, diagnostics };
    void this.connection.sendDiagnostics(params).catch(() => undefined);
  }

  private settled(uri: string, token: CancellationToken): Promise<void> {
    return new Promise<void>((resolve) => {
      if (token.isCancellationRequested) return resolve();
      let set = this.waiters.get(uri);
      if (!set) this.waiters.set(uri, (set = new Set()));
      const waiters = set;
      let sub: { dispose(): void } | undefined;
      const done = () => {
        waiters.delete(done);
        sub?.dispose();
        resolve();
      };
      waiters.add(done);
      sub = token.onCancellationRequested(done);
    });
  }

  private wake(uri: string): void {
    const set = this.waiters.get(uri);
    if (!set) return;
    this.waiters.delete(uri);
    for (const w of [...set]) w();
  }
}

/** The one diagnostic of a file whose analysis was stopped by a budget (no rule: nothing to fix). */
function budgetDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message: `DynamoGuard: ${message}`,
  };
}

export function describe(e: unknown): string {
  const err = e as Error | undefined;
  return err?.stack ?? String(err?.message ?? e);
}
