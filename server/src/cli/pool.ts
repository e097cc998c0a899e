// Analysis runs in child processes that may die. A V8 fatal error (heap limit, "invalid size")
// aborts the whole process it happens in, worker threads included, so only a separate process
// keeps the run alive: the file it was analysing is reported under `errors` (exit 2), the process
// is replaced, and every other file is still analysed. Each file also has a time budget.
//
// Tasks go out one at a time per process (files vary a lot in size, so a shared queue balances
// better than pre-split chunks) and outcomes come back by index, so the caller's order never
// depends on which process finished first.

import { fork, type ChildProcess } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import type { DynamoGuardSettings } from '../protocol';
import type { ModuleSummary } from '../analysis';
import type { FileDeps, FileOutcome } from './analyzeFile';

export interface WorkerTask {
  id: number;
  file: string;
  settings: DynamoGuardSettings;
  /** `summary`: first pass (module summary for the workspace index); default: analyse. */
  kind?: 'summary' | 'analyze';
  /** Compute quick fixes (json/sarif need them, text does not). */
  fixes?: boolean;
  /** Content-hash cache directory (absent: --no-cache). */
  cacheDir?: string;
  /** Summary pass: keep the mirror for this file's analysis (it is also scanned). */
  keep?: boolean;
  /** Analysis: fingerprint of the cross-file knowledge it depends on (cacheKeys.ts; default: the whole index). */
  depsHash?: string;
}

/** Sent once to each process before analysis tasks: the data to rebuild the workspace index. */
export interface WorkerIndexMessage {
  index: { roots: string[]; summaries: Array<[string, ModuleSummary]>; hash: string };
}

export type WorkerReply =
  | { id: number; outcome: FileOutcome }
  | { id: number; summary: ModuleSummary | undefined; deps?: FileDeps }
  | { id: number; fatal: string };

/** What the summary pass learns of a file. */
export interface SummaryResult {
  summary?: ModuleSummary;
  deps?: FileDeps;
}

export type WorkerResult = FileOutcome | SummaryResult | undefined;

export interface PoolTask {
  file: string;
  settings: DynamoGuardSettings;
  fixes?: boolean;
  /** Summary pass: the file is analysed afterwards (its process keeps the parse). */
  keep?: boolean;
  /** Analysis: see WorkerTask. */
  depsHash?: string;
}

export interface Budgets {
  /** Wall-clock milliseconds one file may take before its process is killed. */
  timeMs: number;
  /** V8 heap of each analysis process, in MB (`--max-old-space-size`). */
  memoryMb: number;
}

/**
 * KB of source each analysis process keeps as mirrors between the passes (worker.ts), unless
 * DYNAMO_GUARD_KEEP_KB says: 512 KB for the whole pool (a kept mirror costs about 85 bytes of heap
 * per character: ~45 MB), split among the processes, and never more than a sixteenth of the free
 * memory. So the peak stays flat with --jobs and on a small machine the scan parses twice instead
 * of swapping.
 */
export function keepBudgetKb(env: NodeJS.ProcessEnv, jobs: number, freeBytes: number): number {
  const set = env['DYNAMO_GUARD_KEEP_KB'];
  if (set !== undefined && /^\d+$/.test(set)) return Number(set);
  const n = Math.max(1, jobs);
  return Math.max(0, Math.floor(Math.min(KEEP_TOTAL_KB / n, freeBytes / 16 / BYTES_PER_KEPT_CHAR / 1024 / n)));
}

const KEEP_TOTAL_KB = 512;
const BYTES_PER_KEPT_CHAR = 85;

/** Defaults; DYNAMO_GUARD_TIME_BUDGET_MS / DYNAMO_GUARD_MEMORY_BUDGET_MB override them. */
export function budgetsFrom(env: NodeJS.ProcessEnv): Budgets {
  const num = (v: string | undefined, dflt: number) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : dflt);
  return { timeMs: num(env['DYNAMO_GUARD_TIME_BUDGET_MS'], 60_000), memoryMb: num(env['DYNAMO_GUARD_MEMORY_BUDGET_MB'], 1536) };
}

interface Slot {
  child: ChildProcess;
  /** The task in flight and its time-budget timer. */
  busy?: { id: number; timer: NodeJS.Timeout };
  /** Tail of the process's stderr: V8 says there why it died. */
  stderr: string;
}

/** Task ids in order, consumed from `at` (own work) or popped from the end (stolen). */
interface Queue {
  ids: number[];
  at: number;
}

interface Run {
  tasks: readonly PoolTask[];
  kind: 'summary' | 'analyze';
  outcomes: WorkerResult[];
  done: boolean[];
  /** Tasks sent to a process so far. */
  sent: number;
  /** Tasks no process holds the parse of, and per process those it does (it summarised them). */
  shared: Queue;
  own: Map<Slot, Queue>;
  finished: number;
  onDone: () => void;
  resolve: (r: WorkerResult[]) => void;
  reject: (e: Error) => void;
}

/**
 * Up to `jobs` analysis processes, started on first use and kept across the two passes of a
 * scan (summaries, then analysis) so each pays its start-up (modules, wasm) once.
 */
export class AnalysisPool {
  private readonly slots = new Set<Slot>();
  /** Which process keeps the parse of a file from the summary pass. */
  private readonly holders = new Map<string, Slot>();
  private index: WorkerIndexMessage['index'] | undefined;
  private run: Run | undefined;

  private readonly keepKb: number;

  constructor(private readonly jobs: number, private readonly budgets: Budgets, private readonly cacheDir?: string) {
    this.keepKb = keepBudgetKb(process.env, jobs, os.freemem());
  }

  /** First pass: module summaries and dependencies, in task order (a file that fails has none). */
  summarize(tasks: readonly PoolTask[]): Promise<Array<SummaryResult | undefined>> {
    return this.start(tasks, 'summary', () => undefined) as Promise<Array<SummaryResult | undefined>>;
  }

  /** Analyse `tasks`; `onDone` is called after each file (progress). */
  analyze(tasks: readonly PoolTask[], onDone: () => void): Promise<FileOutcome[]> {
    return this.start(tasks, 'analyze', onDone) as Promise<FileOutcome[]>;
  }

  /** The cross-file index every process (current and future) analyses with. */
  setIndex(index: WorkerIndexMessage['index']): void {
    this.index = index;
    for (const slot of this.slots) slot.child.send({ index } satisfies WorkerIndexMessage);
  }

  close(): void {
    for (const slot of this.slots) this.kill(slot);
    this.slots.clear();
    this.holders.clear();
  }

  private start(tasks: readonly PoolTask[], kind: Run['kind'], onDone: () => void): Promise<WorkerResult[]> {
    return new Promise<WorkerResult[]>((resolve, reject) => {
      const shared: Queue = { ids: [], at: 0 };
      const own = new Map<Slot, Queue>();
      tasks.forEach((t, id) => {
        const holder = kind === 'analyze' ? this.holders.get(t.file) : undefined;
        if (!holder) {
          shared.ids.push(id);
          return;
        }
        let q = own.get(holder);
        if (!q) own.set(holder, (q = { ids: [], at: 0 }));
        q.ids.push(id);
      });
      const run: Run = { tasks, kind, outcomes: new Array<WorkerResult>(tasks.length), done: new Array<boolean>(tasks.length).fill(false), sent: 0, shared, own, finished: 0, onDone, resolve, reject };
      if (tasks.length === 0) return resolve(run.outcomes);
      this.run = run;
      const wanted = Math.max(1, Math.min(this.jobs, tasks.length));
      for (const slot of this.slots) this.feed(slot);
      while (this.slots.size < wanted) this.feed(this.spawn());
    });
  }

  private fail(error: Error): void {
    const run = this.run;
    this.run = undefined;
    this.close();
    run?.reject(error);
  }

  private complete(id: number, result: WorkerResult): void {
    const run = this.run;
    if (!run || run.done[id]) return;
    run.done[id] = true;
    run.outcomes[id] = result;
    run.finished++;
    run.onDone();
    if (run.finished === run.tasks.length) {
      this.run = undefined;
      run.resolve(run.outcomes);
    }
  }

  /** A file whose analysis killed or outlived its process. */
  private failed(id: number, message: string): void {
    const run = this.run;
    if (!run) return;
    const task = run.tasks[id]!;
    this.complete(id, run.kind === 'summary' ? undefined : { file: task.file, ok: false, internal: true, message });
  }

  /**
   * The next task for `slot`: one whose parse it holds, else one nobody holds, else the last of
   * the longest queue of another process (its parse is redone here, but no process idles).
   */
  private pick(run: Run, slot: Slot): number | undefined {
    const mine = run.own.get(slot);
    if (mine && mine.at < mine.ids.length) return mine.ids[mine.at++];
    if (run.shared.at < run.shared.ids.length) return run.shared.ids[run.shared.at++];
    let longest: Queue | undefined;
    for (const q of run.own.values()) if (q.ids.length - q.at > (longest ? longest.ids.length - longest.at : 0)) longest = q;
    return longest?.ids.pop();
  }

  private feed(slot: Slot): void {
    const run = this.run;
    if (!run || slot.busy || run.sent >= run.tasks.length) return;
    const id = this.pick(run, slot);
    if (id === undefined) return;
    run.sent++;
    const task = run.tasks[id]!;
    if (run.kind === 'summary' && task.keep) this.holders.set(task.file, slot);
    const timer = setTimeout(() => {
      slot.busy = undefined;
      this.failed(id, `internal error: analysis took longer than the ${Math.round(this.budgets.timeMs / 1000)} s time budget; skipped (please report it)`);
      this.replace(slot);
    }, this.budgets.timeMs);
    slot.busy = { id, timer };
    slot.child.send({ id, file: task.file, settings: task.settings, kind: run.kind, ...(task.fixes === false ? { fixes: false } : {}), ...(this.cacheDir ? { cacheDir: this.cacheDir } : {}), ...(run.kind === 'summary' && task.keep ? { keep: true } : {}), ...(run.kind === 'analyze' && task.depsHash ? { depsHash: task.depsHash } : {}) } satisfies WorkerTask);
  }

  private kill(slot: Slot): void {
    if (slot.busy) clearTimeout(slot.busy.timer);
    slot.child.removeAllListeners('exit');
    slot.child.kill('SIGKILL');
  }

  private replace(slot: Slot): void {
    this.slots.delete(slot);
    this.kill(slot);
    const run = this.run;
    if (run && run.sent < run.tasks.length) this.feed(this.spawn());
  }

  private spawn(): Slot {
    const child = fork(path.join(__dirname, 'worker.js'), [], {
      serialization: 'advanced',
      // A 2 MB young generation instead of 16: the analysis makes short-lived garbage, and the
      // default lets each process grow ~30 MB more with no gain in speed (bench/README.md).
      execArgv: [`--max-old-space-size=${this.budgets.memoryMb}`, '--max-semi-space-size=2'],
      env: { ...process.env, DYNAMO_GUARD_KEEP_KB: String(this.keepKb) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const slot: Slot = { child, stderr: '' };
    this.slots.add(slot);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      slot.stderr = (slot.stderr + d).slice(-2000);
    });
    child.on('message', (reply: WorkerReply) => {
      if (!slot.busy || slot.busy.id !== reply.id) return;
      clearTimeout(slot.busy.timer);
      slot.busy = undefined;
      if ('fatal' in reply) return this.fail(new Error(`analysis process failed on ${this.run?.tasks[reply.id]?.file}: ${reply.fatal}`));
      this.complete(reply.id, 'outcome' in reply ? reply.outcome : { summary: reply.summary, ...(reply.deps ? { deps: reply.deps } : {}) });
      this.feed(slot);
    });
    child.on('error', (e) => this.fail(e));
    child.on('exit', (code, signal) => {
      this.slots.delete(slot);
      const busy = slot.busy;
      const how = signal ?? `exit code ${code}`;
      // A process that dies without work in hand would die again: give up on the run then.
      if (!busy) return this.fail(new Error(`analysis process exited unexpectedly (${how}): ${slot.stderr.trim()}`));
      clearTimeout(busy.timer);
      slot.busy = undefined;
      // Give the reason V8 printed (its first line), not the whole native stack.
      const reason = /FATAL ERROR[^\n]*|Fatal [^\n]*|heap out of memory[^\n]*/i.exec(slot.stderr)?.[0]?.trim();
      this.failed(busy.id, `internal error: the analysis process died (${how}${reason ? `: ${reason}` : ''}); skipped (please report it)`);
      const run = this.run;
      if (run && run.sent < run.tasks.length) this.feed(this.spawn());
    });
    if (this.index) child.send({ index: this.index } satisfies WorkerIndexMessage);
    return slot;
  }
}
