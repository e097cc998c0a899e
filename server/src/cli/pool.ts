// A small worker_threads pool: tasks go out one at a time per worker (files vary a lot in size,
// so a shared queue balances better than pre-split chunks) and outcomes come back by index, so
// the caller's order never depends on which worker finished first.

import * as path from 'path';
import { Worker } from 'worker_threads';
import type { DynamoGuardSettings } from '../protocol';
import type { ModuleSummary } from '../analysis';
import type { FileOutcome } from './analyzeFile';

export interface WorkerTask {
  id: number;
  file: string;
  settings: DynamoGuardSettings;
  /** `summary`: first pass (module summary for the workspace index); default: analyse. */
  kind?: 'summary' | 'analyze';
  /** Compute quick fixes (json/sarif need them, text does not). */
  fixes?: boolean;
}

/** Sent once to each worker before analysis tasks: the data to rebuild the workspace index. */
export interface WorkerIndexMessage {
  index: { roots: string[]; summaries: Array<[string, ModuleSummary]> };
}

export type WorkerReply =
  | { id: number; outcome: FileOutcome }
  | { id: number; summary: ModuleSummary | undefined }
  | { id: number; fatal: string };

export type WorkerResult = FileOutcome | ModuleSummary | undefined;

export interface PoolTask {
  file: string;
  settings: DynamoGuardSettings;
  fixes?: boolean;
}

/** Analyse `tasks` on `jobs` workers; `onDone` is called after each file (progress). */
export function analyzeInWorkers(tasks: readonly PoolTask[], jobs: number, onDone: () => void, index?: WorkerIndexMessage['index']): Promise<FileOutcome[]> {
  return runInWorkers(tasks, jobs, 'analyze', onDone, index) as Promise<FileOutcome[]>;
}

/** First pass on workers: module summaries, in task order. */
export function summarizeInWorkers(tasks: readonly PoolTask[], jobs: number): Promise<Array<ModuleSummary | undefined>> {
  return runInWorkers(tasks, jobs, 'summary', () => undefined) as Promise<Array<ModuleSummary | undefined>>;
}

function runInWorkers(tasks: readonly PoolTask[], jobs: number, kind: 'summary' | 'analyze', onDone: () => void, index?: WorkerIndexMessage['index']): Promise<WorkerResult[]> {
  const outcomes = new Array<WorkerResult>(tasks.length);
  const workerCount = Math.max(1, Math.min(jobs, tasks.length));
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;

  return new Promise<WorkerResult[]>((resolve, reject) => {
    let settled = false;
    const stop = (error?: Error) => {
      if (settled) return;
      settled = true;
      void Promise.all(workers.map((w) => w.terminate())).then(() => (error ? reject(error) : resolve(outcomes)));
    };
    const feed = (worker: Worker) => {
      if (next >= tasks.length) return;
      const id = next++;
      const task = tasks[id]!;
      worker.postMessage({ id, file: task.file, settings: task.settings, kind, ...(task.fixes === false ? { fixes: false } : {}) } satisfies WorkerTask);
    };
    if (tasks.length === 0) return resolve(outcomes);
    for (let i = 0; i < workerCount; i++) {
      const worker = new Worker(path.join(__dirname, 'worker.js'));
      workers.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if ('fatal' in reply) return stop(new Error(`worker failed on ${tasks[reply.id]?.file}: ${reply.fatal}`));
        outcomes[reply.id] = 'outcome' in reply ? reply.outcome : reply.summary;
        finished++;
        onDone();
        if (finished === tasks.length) stop();
        else feed(worker);
      });
      worker.on('error', (e) => stop(e));
      if (index) worker.postMessage({ index } satisfies WorkerIndexMessage);
      worker.on('exit', (code) => {
        if (!settled && code !== 0) stop(new Error(`worker exited with code ${code}`));
      });
      feed(worker);
    }
  });
}
