// Worker-thread entry for `scan --jobs N`: one Analyzer (one tree-sitter parser) per worker,
// fed one file at a time by the pool so the main thread keeps the order and the load balanced.

import { parentPort } from 'worker_threads';
import { Analyzer } from '../analysis';
import { analyzeFile } from './analyzeFile';
import type { WorkerReply, WorkerTask } from './pool';

let analyzer: Promise<Analyzer> | undefined;

parentPort?.on('message', (task: WorkerTask) => {
  analyzer ??= Analyzer.create();
  void analyzer
    // WORKSPACE INDEX (see scan.ts): a worker will rebuild it from data sent by the pool.
    .then((a) => analyzeFile(a, task.file, task.settings, undefined))
    .then(
      (outcome) => parentPort!.postMessage({ id: task.id, outcome } satisfies WorkerReply),
      (e: unknown) => parentPort!.postMessage({ id: task.id, fatal: String((e as Error)?.stack ?? e) } satisfies WorkerReply),
    );
});
