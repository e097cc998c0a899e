// Per-file dependency fingerprints for the analysis cache (cache.ts): a file's analysis depends on
// its own bytes and settings, on what the modules it imports (transitively: layers follow calls
// into them) contain, and on the workspace-wide part of the index (key schemas, auth functions
// and where they live, read from every module). Editing one module therefore invalidates the
// entries of the files that import it, not every entry.

import { createHash } from 'crypto';
import { InMemoryWorkspaceIndex, type ModuleSummary } from '../analysis';
import type { FileDeps } from './analyzeFile';

/** Summary fields only read through an import of that module (WorkspaceIndex.resolve); any other field is workspace-wide. */
const IMPORT_ONLY = new Set(['guardHelpers', 'tables', 'tableFactories', 'apps']);
/** A closure larger than this falls back to the whole index (bounded work per file). */
const MAX_CLOSURE = 2000;

export interface DepsInput {
  roots: string[];
  /** Every module of the index with its summary (absent: none) and dependencies (absent: unread, or no cache). */
  modules: Array<{ file: string; summary?: ModuleSummary; deps?: FileDeps }>;
  /** Fingerprint of the whole index: the fallback. */
  indexHash: string;
}

export function dependencyHashes(input: DepsInput, files: readonly string[]): Map<string, string> {
  const byFile = new Map(input.modules.map((m) => [m.file, m]));
  const sha = () => createHash('sha256');
  const global = sha().update(JSON.stringify(input.roots));
  for (const m of input.modules) {
    if (!m.summary) continue;
    const part = Object.entries(m.summary).filter(([k, v]) => !IMPORT_ONLY.has(k) && !isEmpty(v));
    if (part.length) global.update(JSON.stringify([m.file, part]));
  }
  const globalHash = global.digest('hex');
  const resolver = new InMemoryWorkspaceIndex(input.roots);
  const out = new Map<string, string>();
  for (const file of files) {
    if (!byFile.get(file)?.deps) {
      out.set(file, input.indexHash);
      continue;
    }
    const closure = new Set<string>([file]);
    const queue = [file];
    let overflow = false;
    while (queue.length && !overflow) {
      const f = queue.pop()!;
      for (const mod of byFile.get(f)?.deps?.imports ?? []) {
        for (const c of resolver.candidates(f, mod)) {
          if (closure.has(c) || !byFile.has(c)) continue;
          closure.add(c);
          queue.push(c);
          if (closure.size > MAX_CLOSURE) overflow = true;
        }
      }
    }
    if (overflow) {
      out.set(file, input.indexHash);
      continue;
    }
    const h = sha().update(globalHash);
    for (const f of [...closure].sort()) {
      if (f === file) continue;
      const m = byFile.get(f)!;
      // An unreadable imported module (no digest) is keyed by its absence.
      h.update('\0').update(f).update('\0').update(m.deps?.digest ?? '-').update('\0').update(JSON.stringify(m.summary ?? null));
    }
    out.set(file, h.digest('hex'));
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null ? Object.keys(v).length === 0 : !v;
}
