// Cross-file knowledge for the editor (imported auth functions, guard helpers, tables, routers),
// the same InMemoryWorkspaceIndex the CLI fills in its first pass.
//
// The index describes files as saved: it is built in the background from disk after startup
// (and again when folders or settings change), and kept current from saves, closes and watched
// file events. Unsaved edits do not feed it: summarising the live buffer on every keystroke
// would cost a second analysis and thrash the analyzer's per-document caches.
//
// A rebuild fills a fresh index and swaps it in when complete, so open documents are re-analysed
// once with the full picture instead of after every file read.

import * as path from 'path';
import { FileChangeType, type Connection, type FileEvent } from 'vscode-languageserver/node';
import { checkText, InMemoryWorkspaceIndex, mayExport, passThroughSummary, summarizeDocument, type Analyzer, type FactsLoader, type ModuleSummary, type PyDocument, type WorkspaceIndex } from '../analysis';
import type { DynamoGuardSettings } from '../protocol';
import { describe } from './diagnostics';
import type { DocumentStore } from './documents';
import type { WorkspaceFolders } from './folders';
import { readSource, yieldToEventLoop, type ProjectFiles } from './projectFiles';
import type { SettingsStore } from './settings';
import { uriToPath } from './uri';

export interface IndexContext {
  connection: Connection;
  analyzer: Analyzer;
  documents: DocumentStore;
  settings: SettingsStore;
  folders: WorkspaceFolders;
  files: ProjectFiles;
}

/** Wait this long after the last index change before re-analysing open documents. */
const CHANGE_DELAY_MS = 150;
/** How long a module resolution (which files exist) is trusted within one index version. */
const RESOLUTION_TTL_MS = 2000;
const MAX_RESOLUTIONS = 4096;

export class WorkspaceIndexer implements WorkspaceIndex {
  private live: InMemoryWorkspaceIndex;
  /** Added to the live index's own version so versions never repeat across swaps (analyzer caches key on it). */
  private offset = 0;
  private staging: InMemoryWorkspaceIndex | undefined;
  /** What each index holds (path -> serialized summary), to tell whether a rebuild changed anything. */
  private liveContent = new Map<string, string>();
  private stagingContent = new Map<string, string>();
  /** Roots of the live index (module resolution depends on them), serialized. */
  private liveRoots: string;
  private building: Promise<void> = Promise.resolve();
  private generation = 0;
  private disposed = false;
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<() => void> = [];
  /** A build has completed (or failed) at least once: before that the index is half-built. */
  complete = false;
  private markComplete!: () => void;
  private readonly completed = new Promise<void>((resolve) => (this.markComplete = resolve));
  /** Test hook (DG_TEST_INDEX_DELAY_MS): a slow index build, to test what the editor shows meanwhile. */
  private readonly delayPerFileMs = Number(process.env.DG_TEST_INDEX_DELAY_MS) || 0;

  constructor(private readonly ctx: IndexContext) {
    this.live = new InMemoryWorkspaceIndex(this.roots());
    this.liveRoots = JSON.stringify(this.roots());
  }

  // --- WorkspaceIndex, delegated to the live index ---------------------------------------------

  get version(): number {
    return this.offset + this.live.version;
  }

  resolve(importer: string | undefined, fromModule: string): ModuleSummary | undefined {
    return this.live.resolve(importer, fromModule);
  }

  keySchema(tableName: string): string[] | undefined {
    return this.live.keySchema(tableName);
  }

  authFunctionNames(): string[] {
    return this.live.authFunctionNames();
  }

  authModuleOf(name: string, importer?: string): string | undefined {
    return this.live.authModuleOf(name, importer);
  }

  // Layers: other modules' facts, read through the analyzer (kept across index swaps).
  private loader: FactsLoader | undefined;

  get hasFactsLoader(): boolean {
    return !!this.loader;
  }

  setFactsLoader(loader: FactsLoader): void {
    this.loader = loader;
  }

  /**
   * Import resolutions, per index version. Resolving `from fastapi import Depends` stats up to a
   * dozen candidate files, and the analyzer asks at every use of an imported name in every
   * function it re-analyses: per keystroke that was a tenth of the server's time. A file that
   * appears outside the index is seen after RESOLUTION_TTL_MS at most.
   */
  private readonly resolutions = new Map<string, { version: number; at: number; result: ReturnType<InMemoryWorkspaceIndex['moduleFacts']> }>();

  moduleFacts(importer: string | undefined, fromModule: string): ReturnType<InMemoryWorkspaceIndex['moduleFacts']> {
    if (this.loader && !this.live.hasFactsLoader) this.live.setFactsLoader(this.loader);
    const key = `${importer ?? ''}\u0000${fromModule}`;
    const now = Date.now();
    const hit = this.resolutions.get(key);
    if (hit && hit.version === this.version && now - hit.at < RESOLUTION_TTL_MS) return hit.result;
    const result = this.live.moduleFacts(importer, fromModule);
    if (this.resolutions.size >= MAX_RESOLUTIONS) this.resolutions.clear();
    this.resolutions.set(key, { version: this.version, at: now, result });
    return result;
  }

  factsAt(file: string): ReturnType<InMemoryWorkspaceIndex['factsAt']> {
    if (this.loader && !this.live.hasFactsLoader) this.live.setFactsLoader(this.loader);
    return this.live.factsAt(file);
  }

  fullFactsAt(file: string): ReturnType<InMemoryWorkspaceIndex['fullFactsAt']> {
    if (this.loader && !this.live.hasFactsLoader) this.live.setFactsLoader(this.loader);
    return this.live.fullFactsAt(file);
  }

  importersOf(file: string): string[] {
    return this.live.importersOf(file);
  }

  summaries(): Iterable<ModuleSummary> {
    return this.live.summaries();
  }

  ownedTable(tableName: string): ReturnType<InMemoryWorkspaceIndex['ownedTable']> {
    if (this.loader && !this.live.hasFactsLoader) this.live.setFactsLoader(this.loader);
    return this.live.ownedTable(tableName);
  }

  /** What the index holds now (Show debug info). */
  state(): { modules: number; version: number; building: boolean } {
    return { modules: this.live.size, version: this.version, building: this.staging !== undefined };
  }

  // --- Maintenance ------------------------------------------------------------------------------

  /** Called (debounced) whenever what the index knows has changed. */
  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once the first build is over (findings before that may be false: see DiagnosticsEngine). */
  whenComplete(): Promise<void> {
    return this.completed;
  }

  private finishFirstBuild(): void {
    if (this.complete) return;
    this.complete = true;
    this.markComplete();
  }

  /** Resolves when the build under way (if any, including one started while waiting) is done. */
  async ready(): Promise<void> {
    for (;;) {
      const current = this.building;
      await current;
      if (current === this.building) return;
    }
  }

  /** (Re)build from disk in the background; a newer rebuild abandons an older one. */
  rebuild(): Promise<void> {
    const generation = ++this.generation;
    const roots = JSON.stringify(this.roots());
    const staging = new InMemoryWorkspaceIndex(this.roots());
    const content = new Map<string, string>();
    this.staging = staging;
    this.stagingContent = content;
    const run = async () => {
      const started = performance.now();
      for (const folder of this.ctx.folders.list()) {
        const editor = await this.ctx.settings.editorSettings(folder.uri || undefined);
        for await (const file of this.ctx.files.walk(folder, editor, () => undefined)) {
          if (generation !== this.generation || this.disposed) return;
          // Low priority: editing, pulls and code actions go first.
          await yieldToEventLoop();
          if (this.delayPerFileMs) await new Promise((resolve) => setTimeout(resolve, this.delayPerFileMs));
          const { settings } = this.ctx.settings.resolve(editor, path.dirname(file));
          const summary = await this.summarizeFromDisk(file, settings);
          if (generation !== this.generation || this.disposed) return;
          if (summary) {
            staging.set(file, summary);
            content.set(path.resolve(file), JSON.stringify(summary));
          }
        }
      }
      if (generation !== this.generation || this.disposed) return;
      this.staging = undefined;
      this.ctx.connection.console.info(`DynamoGuard: workspace index: ${staging.size} modules in ${Math.round(performance.now() - started)} ms`);
      // Same knowledge as before (the usual case after a settings change): keep the live index
      // and its version, so nothing is re-analysed for nothing.
      if (sameContent(content, this.liveContent) && roots === this.liveRoots) return this.finishFirstBuild();
      this.offset = this.version + 1;
      this.live = staging;
      this.liveContent = content;
      this.liveRoots = roots;
      this.finishFirstBuild();
      this.changed();
    };
    this.building = run().catch((e: unknown) => {
      if (this.staging === staging) this.staging = undefined;
      // What we have is all there will be: stop holding findings back.
      this.finishFirstBuild();
      this.ctx.connection.console.error(`DynamoGuard: building the workspace index failed: ${describe(e)}`);
    });
    return this.building;
  }

  /** A file was saved: index the saved text. */
  async updateFromText(file: string, text: string): Promise<void> {
    const { settings } = await this.settingsFor(file);
    this.put(file, this.summarizeText(text, settings, file));
  }

  /** A file was closed (the buffer may be discarded unsaved) or changed on disk. */
  async updateFromDisk(file: string): Promise<void> {
    const { settings } = await this.settingsFor(file);
    this.put(file, await this.summarizeFromDisk(file, settings));
  }

  /** workspace/didChangeWatchedFiles for Python files; open documents are followed through saves instead. */
  async onFileEvents(events: FileEvent[]): Promise<void> {
    for (const e of events) {
      const file = uriToPath(e.uri);
      if (!file || !/\.py$/i.test(file) || this.ctx.documents.byPath(file)) continue;
      if (e.type === FileChangeType.Deleted) this.put(file, undefined);
      else await this.updateFromDisk(file);
    }
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.changeTimer);
  }

  private put(file: string, summary: ModuleSummary | undefined): void {
    const before = this.version;
    const key = path.resolve(file);
    const targets: Array<[InMemoryWorkspaceIndex, Map<string, string>]> = [[this.live, this.liveContent]];
    if (this.staging) targets.push([this.staging, this.stagingContent]);
    for (const [index, content] of targets) {
      if (summary) {
        index.set(file, summary);
        content.set(key, JSON.stringify(summary));
      } else {
        index.delete(file);
        content.delete(key);
      }
    }
    if (this.version !== before) this.changed();
  }

  private changed(): void {
    clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      for (const l of this.listeners) {
        try {
          l();
        } catch (e) {
          this.ctx.connection.console.error(`DynamoGuard: ${describe(e)}`);
        }
      }
    }, CHANGE_DELAY_MS);
  }

  private roots(): string[] {
    return this.ctx.folders.list().map((f) => f.path);
  }

  private settingsFor(file: string) {
    const folder = this.ctx.folders.containing(file);
    return this.ctx.settings.forFile(folder?.uri || undefined, file);
  }

  private async summarizeFromDisk(file: string, settings: DynamoGuardSettings): Promise<ModuleSummary | undefined> {
    const source = await readSource(file, settings);
    return source.ok ? this.summarizeText(source.text, settings, file) : undefined;
  }

  /** undefined: nothing to offer importers (or not analysable), so the file leaves the index. */
  private summarizeText(text: string, settings: DynamoGuardSettings, file: string): ModuleSummary | undefined {
    // The cheap test first: most modules cannot export anything the analysis cares about.
    if (!settings.enable || checkText(text, settings.maxFileSizeKb)) return undefined;
    // A pass-through module still names its imports (the reverse walk from a layer to its handlers).
    if (!mayExport(text)) return passThroughSummary(text);
    let doc: PyDocument | undefined;
    try {
      doc = this.ctx.analyzer.createDocument(text);
      return summarizeDocument(doc, settings, file);
    } catch (e) {
      this.ctx.connection.console.warn(`DynamoGuard: could not index ${file}: ${String((e as Error)?.message ?? e)}`);
      return undefined;
    } finally {
      doc?.dispose();
    }
  }
}

function sameContent(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
