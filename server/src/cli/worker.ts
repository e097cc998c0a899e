// Worker-thread entry for `scan --jobs N`: one Analyzer (one tree-sitter parser) per worker,
// fed one file at a time by the pool so the main thread keeps the order and the load balanced.

import { parentPort } from 'worker_threads';
import { Analyzer, InMemoryWorkspaceIndex } from '../analysis';
import { analyzeFile, summarizeFile } from './analyzeFile';
import type { WorkerIndexMessage, WorkerReply, WorkerTask } from './pool';

let analyzer: Promise<Analyzer> | undefined;
let workspace: InMemoryWorkspaceIndex | undefined;

parentPort?.on('message', (msg: WorkerTask | WorkerIndexMessage) => {
  if ('index' in msg) {
    // The cross-file index of the first pass, rebuilt here because it cannot be cloned.
    workspace = new InMemoryWorkspaceIndex(msg.index.roots);
    for (const [file, summary] of msg.index.summaries) workspace.set(file, summary);
    return;
  }
  const task = msg;
  analyzer ??= Analyzer.create();
  const work = task.kind === 'summary'
    ? analyzer.then((a) => summarizeFile(a, task.file, task.settings)).then((summary): WorkerReply => ({ id: task.id, summary }))
    : analyzer.then((a) => analyzeFile(a, task.file, task.settings, workspace, task.fixes !== false)).then((outcome): WorkerReply => ({ id: task.id, outcome }));
  void work.then(
    (reply) => parentPort!.postMessage(reply),
    (e: unknown) => parentPort!.postMessage({ id: task.id, fatal: String((e as Error)?.stack ?? e) } satisfies WorkerReply),
  );
});
