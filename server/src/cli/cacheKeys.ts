// Per-file dependency fingerprints for the analysis cache (cache.ts): a file's analysis depends on
// its own bytes and settings, on what the modules it imports (transitively: layers follow calls
// into them) contain, and on the workspace-wide part of the index (key schemas, auth functions
// and where they live, read from every module). Editing one module therefore invalidates the
// entries of the files that import it, not every entry.

import { createHash } from 'crypto';
import { InMemoryWorkspaceIndex, type ModuleSummary } from '../analysis';
import type { FileDeps } from './analyzeFile';

/**
 * Summary fields read only through an import of that module (WorkspaceIndex.resolve), or handled
 * below (importers, table owners); any other field is workspace-wide and in every key.
 */
const NOT_GLOBAL = new Set(['guardHelpers', 'tables', 'tableFactories', 'apps', 'importedModules', 'tableNames', 'passThrough']);
/** Importers of importers a layer's DG202 names (rules/support/reachingHandlers.ts walks as far). */
const IMPORTER_DEPTH = 4;
/** A closure larger than this falls back to the whole index (bounded work per file). */
const MAX_CLOSURE = 2000;

export interface DepsInput {
  roots: string[];
  /** Every module of the index with its summary (absent: none) and dependencies (absent: unread, or no cache). */
  modules: Array<{ file: string; summary?: ModuleSummary; deps?: FileDeps }>;
  /** Fingerprint of the whole index: the fallback. */
  indexHash: string;
}

/**
 * A file's key covers, besides the workspace-wide part: the modules it imports, transitively;
 * their importers, a few levels up (a layer's findings name its callers: importersOf) with their own
 * imports; and every module naming a table one of them names (owned-table evidence: ownedTable).
 */
export function dependencyHashes(input: DepsInput, files: readonly string[]): Map<string, string> {
  const byFile = new Map(input.modules.map((m) => [m.file, m]));
  const sha = () => createHash('sha256');
  const global = sha().update(JSON.stringify(input.roots));
  const namingTable = new Map<string, string[]>();
  for (const m of input.modules) {
    if (!m.summary) continue;
    const part = Object.entries(m.summary).filter(([k, v]) => !NOT_GLOBAL.has(k) && !isEmpty(v));
    if (part.length) global.update(JSON.stringify([m.file, part]));
    for (const t of m.summary.tableNames ?? []) namingTable.set(t, [...(namingTable.get(t) ?? []), m.file]);
  }
  const globalHash = global.digest('hex');
  const resolver = new InMemoryWorkspaceIndex(input.roots);
  const imports = new Map<string, string[]>();
  const importers = new Map<string, string[]>();
  for (const m of input.modules) {
    const out = new Set<string>();
    for (const mod of m.deps?.imports ?? []) for (const c of resolver.candidates(m.file, mod)) if (c !== m.file && byFile.has(c)) out.add(c);
    imports.set(m.file, [...out]);
    for (const c of out) importers.set(c, [...(importers.get(c) ?? []), m.file]);
  }
  const out = new Map<string, string>();
  for (const file of files) {
    if (!byFile.get(file)?.deps) {
      out.set(file, input.indexHash);
      continue;
    }
    const closure = new Set<string>();
    const add = (f: string) => {
      if (closure.has(f)) return;
      closure.add(f);
      queue.push(f);
    };
    const queue: string[] = [];
    add(file);
    while (queue.length && closure.size <= MAX_CLOSURE) for (const c of imports.get(queue.pop()!) ?? []) add(c);
    // Handlers up the imports (route → service → repository) are named by the layer's findings.
    let level = [...closure];
    for (let d = 0; d < IMPORTER_DEPTH && level.length && closure.size <= MAX_CLOSURE; d++) {
      const before = closure.size;
      for (const f of level) for (const i of importers.get(f) ?? []) add(i);
      level = [...closure].slice(before);
    }
    while (queue.length && closure.size <= MAX_CLOSURE) for (const c of imports.get(queue.pop()!) ?? []) add(c);
    for (const f of [...closure]) for (const t of byFile.get(f)?.summary?.tableNames ?? []) for (const o of namingTable.get(t) ?? []) add(o);
    if (closure.size > MAX_CLOSURE) {
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
