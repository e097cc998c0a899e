// Small scans may run in the CLI's own process: a worker would load the analyzer and the parser a
// second time (0.3–0.4 s of CPU) to analyse a few files. Same passes and results as the pool
// (pool.ts). It is opt-in: what is given up is the isolation of a process per file, the CLI's
// promise that a V8 fatal error or a hang in one file costs that file only (survival.test.ts).

import * as fs from 'fs';
import * as os from 'os';
import { Analyzer, InMemoryWorkspaceIndex, type PyDocument } from '../analysis';
import { analyzeFile, summarizeWithDeps, type FileOutcome } from './analyzeFile';
import { keepBudgetKb, type PoolTask, type SummaryResult, type WorkerIndexMessage } from './pool';

/** Source bytes of the whole project (both passes) up to which a scan stays in process. */
export const IN_PROCESS_MAX_BYTES = 256 * 1024;

/**
 * Whether a scan of `files` runs in this process: DYNAMO_GUARD_IN_PROCESS=1/0 forces it either way;
 * `=auto` when the files total at most IN_PROCESS_MAX_BYTES; unset, never. The survival test hooks
 * (worker.ts) need a process to kill, so they force workers.
 */
export function runsInProcess(files: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const forced = env['DYNAMO_GUARD_IN_PROCESS'];
  if (forced === '1' || forced === '0') return forced === '1';
  if (forced !== 'auto') return false;
  if (env['DYNAMO_GUARD_TEST_FATAL'] || env['DYNAMO_GUARD_TEST_HANG']) return false;
  let total = 0;
  for (const file of files) {
    try {
      total += fs.statSync(file).size;
    } catch {
      // Unreadable: the passes report it; it costs nothing here.
    }
    if (total > IN_PROCESS_MAX_BYTES) return false;
  }
  return true;
}

export class InProcessPool {
  private analyzer: Promise<Analyzer> | undefined;
  private workspace: InMemoryWorkspaceIndex | undefined;
  private indexHash = '';
  /** Mirrors of the summary pass reused by the analysis, within the same budget as a worker's. */
  private readonly kept = new Map<string, PyDocument>();
  private keptChars = 0;
  private readonly keepChars = keepBudgetKb(process.env, 1, os.freemem()) * 1024;

  constructor(private readonly cacheDir?: string) {}

  async summarize(tasks: readonly PoolTask[]): Promise<Array<SummaryResult | undefined>> {
    const a = await (this.analyzer ??= Analyzer.create());
    const config = this.cacheDir ? { dir: this.cacheDir } : undefined;
    const out: Array<SummaryResult | undefined> = [];
    for (const t of tasks) out.push(await summarizeWithDeps(a, t.file, t.settings, config, t.keep ? (doc) => this.keep(t.file, doc) : undefined));
    return out;
  }

  async analyze(tasks: readonly PoolTask[], onDone: () => void): Promise<FileOutcome[]> {
    const a = await (this.analyzer ??= Analyzer.create());
    const out: FileOutcome[] = [];
    for (const t of tasks) {
      const cache = this.cacheDir ? { config: { dir: this.cacheDir }, indexHash: t.depsHash ?? this.indexHash } : undefined;
      const doc = this.kept.get(t.file);
      this.kept.delete(t.file);
      out.push(await analyzeFile(a, t.file, t.settings, this.workspace, t.fixes !== false, cache, doc));
      onDone();
    }
    return out;
  }

  setIndex(index: WorkerIndexMessage['index']): void {
    this.workspace = new InMemoryWorkspaceIndex(index.roots);
    for (const [file, summary] of index.summaries) this.workspace.set(file, summary);
    this.indexHash = index.hash;
  }

  close(): void {
    this.kept.clear();
  }

  private keep(file: string, doc: PyDocument): void {
    if (this.keptChars + doc.text.length > this.keepChars) return;
    this.keptChars += doc.text.length;
    this.kept.set(file, doc);
  }
}
