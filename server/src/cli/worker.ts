// Child-process entry for `scan`: one Analyzer (one tree-sitter parser) per process, fed one file
// at a time by the pool so the parent keeps the order and the load balanced, and survives this
// process dying.

import * as path from 'path';
import { Analyzer, InMemoryWorkspaceIndex, type PyDocument } from '../analysis';
import { analyzeFile, summarizeWithDeps } from './analyzeFile';
import type { WorkerIndexMessage, WorkerReply, WorkerTask } from './pool';

let analyzer: Promise<Analyzer> | undefined;
let workspace: InMemoryWorkspaceIndex | undefined;
let indexHash = '';

/**
 * Mirrors from the summary pass kept for the analysis pass (the pool sends a file's analysis to
 * the process that summarised it), so a file is parsed and mirrored once. Bounded: a mirror costs
 * about 85 bytes of heap per character of source, so at most KEEP_CHARS characters are kept
 * (the pool sets the budget from --jobs and free memory: pool.ts keepBudgetKb); files past that
 * are parsed again.
 */
const kept = new Map<string, PyDocument>();
let keptChars = 0;
const KEEP_CHARS = keepBudget(process.env['DYNAMO_GUARD_KEEP_KB']);

function keepBudget(v: string | undefined): number {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) * 1024 : 1024 * 1024;
}

function keep(file: string, doc: PyDocument): void {
  if (keptChars + doc.text.length > KEEP_CHARS) return;
  keptChars += doc.text.length;
  kept.set(file, doc);
}

function takeKept(file: string): PyDocument | undefined {
  const doc = kept.get(file);
  if (doc) {
    kept.delete(file);
    keptChars -= doc.text.length;
  }
  return doc;
}

/**
 * Test hooks (never set in normal use): the file whose base name DYNAMO_GUARD_TEST_FATAL names
 * aborts this process the way a V8 fatal error does; DYNAMO_GUARD_TEST_HANG's loops forever.
 */
function testHooks(file: string): void {
  const base = path.basename(file);
  if (process.env['DYNAMO_GUARD_TEST_FATAL'] === base) {
    process.stderr.write('FATAL ERROR: simulated by DYNAMO_GUARD_TEST_FATAL\n');
    process.abort();
  }
  if (process.env['DYNAMO_GUARD_TEST_HANG'] === base) for (;;);
}

const send = (reply: WorkerReply) => process.send!(reply);

process.on('message', (msg: WorkerTask | WorkerIndexMessage) => {
  if ('index' in msg) {
    // The cross-file index of the first pass, rebuilt here because it cannot be cloned.
    workspace = new InMemoryWorkspaceIndex(msg.index.roots);
    for (const [file, summary] of msg.index.summaries) workspace.set(file, summary);
    indexHash = msg.index.hash;
    return;
  }
  const task = msg;
  analyzer ??= Analyzer.create();
  const work = analyzer.then(async (a): Promise<WorkerReply> => {
    testHooks(task.file);
    const config = task.cacheDir ? { dir: task.cacheDir } : undefined;
    return task.kind === 'summary'
      ? { id: task.id, ...(await summarizeWithDeps(a, task.file, task.settings, config, task.keep ? (doc) => keep(task.file, doc) : undefined)) }
      : { id: task.id, outcome: await analyzeFile(a, task.file, task.settings, workspace, task.fixes !== false, config ? { config, indexHash: task.depsHash ?? indexHash } : undefined, takeKept(task.file)) };
  });
  void work.then(send, (e: unknown) => send({ id: task.id, fatal: String((e as Error)?.stack ?? e) }));
});

// The parent going away (Ctrl-C, a crash) must not leave this process behind.
process.on('disconnect', () => process.exit(0));
