import * as path from 'path';
import { authFunctionShape } from './fixes/subject';
import { computeFacts } from './model/engine';
import type { FileFacts } from './model/facts';
import { errorClassesOf, nonLiteralRaises } from './facts/errors';
import { ownedEvidenceIn } from './facts/ownership';
import { emptySummary, type ModuleSummary, type OwnedEvidence, type WorkspaceIndex } from './model/workspace';
import type { PyDocument } from './parse/document';
import { importedModuleNames } from './prescan';
import type { DynamoGuardSettings } from '../protocol';

// Cross-file knowledge for the analyzer: which names other modules export as tables, auth
// functions, guard helpers and routers. The CLI fills it in a first pass over the tree; the
// language server fills it from the workspace scan and keeps it current as files change.

// Files that cannot export anything the model cares about are summarised without parsing.
// `botocore`/`ClientError` and `raise X(str(e))`: modules that may wrap a driver's error text in
// an application exception (DG204's curated errors are judged across the workspace).
const INTERESTING = /boto3|aioboto3|pynamodb|dynamodb|botocore|ClientError|Depends|Security|jwt|HTTPException|abort\(|Forbidden|Unauthorized|\.Table\(|create_table|FastAPI|APIRouter|Flask|Blueprint|Chalice|def \w*(auth|user|token|identity|owner|require)\w*\(|raise [\w.]+\(\s*(str\(|repr\(|f["'])/;

function fileExists(file: string): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('fs') as typeof import('fs')).statSync(file).isFile();
  } catch {
    return false;
  }
}

export function mayExport(text: string): boolean {
  return INTERESTING.test(text);
}

/** What `facts`' module offers to importers. */
export function summarizeModule(facts: FileFacts): ModuleSummary {
  const s = emptySummary();
  s.authFunctions = [...facts.localAuthFunctions];
  for (const name of s.authFunctions) {
    const shape = authFunctionShape(facts, name);
    if (shape !== undefined) s.authAccessors[name] = shape;
  }
  for (const [name, v] of facts.globals) {
    if (v.obj === 'table' || v.obj === 'dynamoClient' || v.obj === 'dynamoResource') {
      s.tables[name] = { kind: v.obj === 'table' ? 'table' : v.obj === 'dynamoClient' ? 'client' : 'resource', ...(v.name ? { tableName: v.name } : {}) };
    } else if (v.obj === 'fastapiApp' || v.obj === 'apiRouter' || v.obj === 'flaskApp' || v.obj === 'blueprint' || v.obj === 'chaliceApp') {
      s.apps[name] = { kind: v.obj, authenticated: v.name === 'authenticated' };
    }
  }
  for (const name of facts.module.topFunctions.keys()) {
    const sum = facts.summary(name);
    if (!sum) continue;
    if (sum.guardPairs.length) s.guardHelpers[name] = sum.guardPairs;
    const o = sum.returns.obj;
    if (o === 'table' || o === 'dynamoClient' || o === 'dynamoResource') {
      s.tableFactories[name] = { kind: o === 'table' ? 'table' : o === 'dynamoClient' ? 'client' : 'resource', ...(sum.returns.name ? { tableName: sum.returns.name } : {}) };
    }
  }
  for (const [t, keys] of facts.schemas) s.keySchemas[t] = keys;
  // For cross-module facts (ownership evidence, callers of a layer), asked lazily.
  s.importedModules = [...new Set([...facts.module.imports.values()].map((i) => i.qualified))].slice(0, MAX_LISTED);
  s.tableNames = literalTableNames(facts).slice(0, MAX_LISTED);
  const errorClasses = errorClassesOf(facts.text, facts.module);
  if (Object.keys(errorClasses).length) s.errorClasses = errorClasses;
  const raised = nonLiteralRaises(facts.text, facts.module);
  if (raised.length) s.errorsRaisedWithText = raised;
  return s;
}

const MAX_LISTED = 200;

/** Table names this module uses literally: `Table("orders")`, `TableName="orders"`, `tables["orders"]`, a PynamoDB `table_name`. */
function literalTableNames(facts: FileFacts): string[] {
  const out = new Set<string>();
  for (const v of facts.globals.values()) if (v.obj === 'table' && v.name) out.add(v.name);
  const re = /(?:\.Table\(\s*|TableName\s*=\s*|\btables\[\s*|\btable_name\s*=\s*)["']([\w.-]{1,255})["']/g;
  for (let m = re.exec(facts.text); m && out.size < MAX_LISTED; m = re.exec(facts.text)) out.add(m[1]!);
  return [...out];
}

/**
 * What a module that exports nothing the model cares about still tells the index: the modules it
 * imports, for the reverse walk from a layer to its handlers (a pass-through service between a
 * route and a repository). Read without parsing; undefined when it imports nothing.
 */
export function passThroughSummary(text: string): ModuleSummary | undefined {
  const imported = [...new Set(importedModuleNames(text))].slice(0, MAX_LISTED);
  return imported.length ? { ...emptySummary(), importedModules: imported, passThrough: true } : undefined;
}

export function summarizeDocument(doc: PyDocument, settings: DynamoGuardSettings, file: string): ModuleSummary {
  if (!mayExport(doc.text)) return passThroughSummary(doc.text) ?? emptySummary();
  return summarizeModule(computeFacts(doc, settings, undefined, file, true));
}

/** Computes the facts of the workspace file at `file` (the analyzer reads and parses it). */
export type FactsLoader = (file: string, full?: boolean) => FileFacts | undefined;

const MAX_LOADED = 256;
/** Modules analysed whole (every function's facts) for cross-module facts: fewer, they are bigger. */
const MAX_FULL = 64;
/** Modules searched for a table's ownership evidence. */
const MAX_EVIDENCE_MODULES = 16;

export class InMemoryWorkspaceIndex implements WorkspaceIndex {
  private readonly modules = new Map<string, ModuleSummary>();
  private authCache: string[] | undefined;
  private loader: FactsLoader | undefined;
  /** Facts of modules loaded for layers (null: cannot be read, or being computed: a cycle). */
  private readonly loaded = new Map<string, FileFacts | null>();
  /** Whether candidate module files exist: every import tries up to 16 paths (a stat each, 14 % of a scan). */
  private readonly exists = new Map<string, boolean>();
  /** Whole-module facts (callers of a layer, ownership evidence), same conventions as `loaded`. */
  private readonly full = new Map<string, FileFacts | null>();
  private readonly owned = new Map<string, (OwnedEvidence & { file: string }) | null>();
  version = 0;

  get hasFactsLoader(): boolean {
    return !!this.loader;
  }

  setFactsLoader(loader: FactsLoader): void {
    this.loader = loader;
    this.loaded.clear();
    this.full.clear();
    this.owned.clear();
  }

  fullFactsAt(file: string): FileFacts | undefined {
    return this.load(this.full, MAX_FULL, file, true);
  }

  factsAt(file: string): FileFacts | undefined {
    return this.load(this.loaded, MAX_LOADED, file, false);
  }

  /** Through `cache`, bounded to `max` entries; null marks a file being loaded, so a cycle ends. */
  private load(cache: Map<string, FileFacts | null>, max: number, file: string, full: boolean): FileFacts | undefined {
    const key = path.resolve(file);
    if (cache.has(key)) return cache.get(key) ?? undefined;
    if (!this.loader) return undefined;
    if (cache.size >= max) cache.clear();
    cache.set(key, null);
    const facts = this.loader(key, full);
    if (facts) cache.set(key, facts);
    return facts;
  }

  moduleFacts(importer: string | undefined, fromModule: string): { facts: FileFacts; path: string } | undefined {
    if (!this.loader) return undefined;
    for (const c of this.candidates(importer, fromModule)) {
      if (!this.modules.has(c) && !this.fileExists(c)) continue;
      const facts = this.factsAt(c);
      if (facts) return { facts, path: c };
    }
    return undefined;
  }

  constructor(private readonly roots: string[]) {}

  set(file: string, summary: ModuleSummary): void {
    const key = path.resolve(file);
    const old = this.modules.get(key);
    if (old && JSON.stringify(old) === JSON.stringify(summary)) return;
    this.modules.set(key, summary);
    this.changed();
  }

  delete(file: string): void {
    if (this.modules.delete(path.resolve(file))) this.changed();
  }

  get size(): number {
    return this.modules.size;
  }

  summaries(): Iterable<ModuleSummary> {
    return this.modules.values();
  }

  private changed(): void {
    this.version++;
    this.authCache = undefined;
    this.schemaMemo.clear();
    this.loaded.clear();
    this.exists.clear();
    this.full.clear();
    this.owned.clear();
  }

  private fileExists(file: string): boolean {
    let v = this.exists.get(file);
    if (v === undefined) {
      if (this.exists.size >= 4 * MAX_LOADED * 16) this.exists.clear();
      this.exists.set(file, (v = fileExists(file)));
    }
    return v;
  }

  /**
   * Candidate files for a dotted module name, relative imports resolved from the importer (also the
   * CLI cache's import closure). Memoised per importer folder: every imported name asks again (path
   * joins were 3 % of a scan). The returned array is shared: callers must not change it.
   */
  candidates(importer: string | undefined, fromModule: string): readonly string[] {
    const dir = importer === undefined ? '' : path.dirname(path.resolve(importer));
    const key = `${dir}\0${fromModule}`;
    let out = this.candidateMemo.get(key);
    if (!out) {
      if (this.candidateMemo.size >= 4096) this.candidateMemo.clear();
      this.candidateMemo.set(key, (out = this.computeCandidates(importer, fromModule)));
    }
    return out;
  }

  private readonly candidateMemo = new Map<string, readonly string[]>();

  private computeCandidates(importer: string | undefined, fromModule: string): string[] {
    const out: string[] = [];
    const rel = /^(\.+)(.*)$/.exec(fromModule);
    const toPaths = (base: string, dotted: string) => {
      const p = dotted ? path.join(base, ...dotted.split('.')) : base;
      out.push(p + '.py', path.join(p, '__init__.py'));
    };
    if (rel) {
      if (!importer) return out;
      let base = path.dirname(path.resolve(importer));
      for (let i = 1; i < rel[1]!.length; i++) base = path.dirname(base);
      toPaths(base, rel[2]!);
      return out;
    }
    for (const root of this.roots) toPaths(path.resolve(root), fromModule);
    // Also every ancestor of the importer: apps often run from a sub-folder (src/ layouts, examples/x/).
    if (importer) {
      let dir = path.dirname(path.resolve(importer));
      for (let i = 0; i < 6; i++) {
        toPaths(dir, fromModule);
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    return out;
  }

  resolve(importer: string | undefined, fromModule: string): ModuleSummary | undefined {
    for (const c of this.candidates(importer, fromModule)) {
      const s = this.modules.get(c);
      if (s) return s;
    }
    return undefined;
  }

  keySchema(tableName: string): string[] | undefined {
    // Asked for every DynamoDB call: one pass over the modules per table name and index version.
    if (this.schemaMemo.has(tableName)) return this.schemaMemo.get(tableName);
    let found: string[] | undefined;
    for (const s of this.modules.values()) {
      if (s.keySchemas[tableName]) {
        found = s.keySchemas[tableName];
        break;
      }
    }
    if (this.schemaMemo.size >= 4096) this.schemaMemo.clear();
    this.schemaMemo.set(tableName, found);
    return found;
  }

  private readonly schemaMemo = new Map<string, string[] | undefined>();

  importersOf(file: string): string[] {
    const target = path.resolve(file);
    const out: string[] = [];
    for (const [f, s] of this.modules) {
      if (f === target) continue;
      // `from pkg.mod import name` names pkg.mod.name: the module is the name or its parent.
      const hit = (s.importedModules ?? []).some((q) => {
        const parent = q.includes('.') ? q.slice(0, q.lastIndexOf('.')) : undefined;
        return [q, parent].some((m) => m !== undefined && m !== '' && this.candidates(f, m).includes(target));
      });
      if (hit) out.push(f);
    }
    return out;
  }

  ownedTable(tableName: string): (OwnedEvidence & { file: string }) | undefined {
    if (!this.loader) return undefined;
    if (this.owned.has(tableName)) return this.owned.get(tableName) ?? undefined;
    // Set first: the modules analysed below may ask about the same table (no cycle).
    this.owned.set(tableName, null);
    let searched = 0;
    for (const [f, s] of this.modules) {
      if (!s.tableNames?.includes(tableName)) continue;
      if (++searched > MAX_EVIDENCE_MODULES) break;
      const facts = this.fullFactsAt(f);
      const e = facts ? ownedEvidenceIn(facts, tableName) : undefined;
      if (e) {
        const found = { ...e, file: f };
        this.owned.set(tableName, found);
        return found;
      }
    }
    return undefined;
  }

  authAccessor(name: string): string | undefined {
    for (const s of this.modules.values()) if (s.authAccessors?.[name] !== undefined) return s.authAccessors[name];
    return undefined;
  }

  authFunctionNames(): string[] {
    this.authCache ??= [...new Set([...this.modules.values()].flatMap((s) => s.authFunctions))].sort();
    return this.authCache;
  }

  /**
   * Module to import auth function `name` from, as the project root spells it (`app.auth`, not
   * `auth`, for app/auth.py imported from app/routes/orders.py): through the chain of packages
   * (`__init__.py`) above the file when there is one; else relative to the folder holding both
   * files, named from its parent unless that folder is a workspace root or the importer's own.
   */
  authModuleOf(name: string, importer?: string): string | undefined {
    for (const [file, s] of this.modules) {
      if (!s.authFunctions.includes(name)) continue;
      const dotted = (from: string) => path.relative(from, file).replace(/(\/__init__)?\.py$/, '').split(path.sep).join('.');
      let pkg = path.dirname(file);
      for (let i = 0; i < 8 && this.modules.has(path.join(pkg, '__init__.py')); i++) pkg = path.dirname(pkg);
      if (pkg !== path.dirname(file)) return dotted(pkg);
      const from = importer ? path.dirname(path.resolve(importer)) : undefined;
      let dir = from ?? (this.roots[0] ? path.resolve(this.roots[0]) : undefined);
      for (let i = 0; dir && i < 8; i++) {
        const rel = path.relative(dir, file);
        if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
          const isRoot = dir === from || this.roots.some((r) => path.resolve(r) === dir);
          return dotted(isRoot ? dir : path.dirname(dir));
        }
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
    return undefined;
  }
}
