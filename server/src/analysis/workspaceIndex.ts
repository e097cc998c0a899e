import * as path from 'path';
import { authFunctionShape } from './fixes/subject';
import { computeFacts } from './model/engine';
import type { FileFacts } from './model/facts';
import { emptySummary, type ModuleSummary, type WorkspaceIndex } from './model/workspace';
import type { PyDocument } from './parse/document';
import type { DynamoGuardSettings } from '../protocol';

// Cross-file knowledge for the analyzer: which names other modules export as tables, auth
// functions, guard helpers and routers. The CLI fills it in a first pass over the tree; the
// language server fills it from the workspace scan and keeps it current as files change.

// Files that cannot export anything the model cares about are summarised without parsing.
const INTERESTING = /boto3|aioboto3|pynamodb|dynamodb|Depends|Security|jwt|HTTPException|abort\(|Forbidden|Unauthorized|\.Table\(|create_table|FastAPI|APIRouter|Flask|Blueprint|Chalice|def \w*(auth|user|token|identity|owner|require)\w*\(/;

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
  return s;
}

export function summarizeDocument(doc: PyDocument, settings: DynamoGuardSettings, file: string): ModuleSummary {
  if (!mayExport(doc.text)) return emptySummary();
  return summarizeModule(computeFacts(doc, settings, undefined, file, true));
}

/** Computes the facts of the workspace file at `file` (the analyzer reads and parses it). */
export type FactsLoader = (file: string) => FileFacts | undefined;

const MAX_LOADED = 256;

export class InMemoryWorkspaceIndex implements WorkspaceIndex {
  private readonly modules = new Map<string, ModuleSummary>();
  private authCache: string[] | undefined;
  private loader: FactsLoader | undefined;
  /** Facts of modules loaded for layers (null: cannot be read, or being computed: a cycle). */
  private readonly loaded = new Map<string, FileFacts | null>();
  /** Whether candidate module files exist: every import tries up to 16 paths (a stat each, 14 % of a scan). */
  private readonly exists = new Map<string, boolean>();
  version = 0;

  get hasFactsLoader(): boolean {
    return !!this.loader;
  }

  setFactsLoader(loader: FactsLoader): void {
    this.loader = loader;
    this.loaded.clear();
  }

  factsAt(file: string): FileFacts | undefined {
    const key = path.resolve(file);
    if (this.loaded.has(key)) return this.loaded.get(key) ?? undefined;
    if (!this.loader) return undefined;
    if (this.loaded.size >= MAX_LOADED) this.loaded.clear();
    this.loaded.set(key, null);
    const facts = this.loader(key);
    if (facts) this.loaded.set(key, facts);
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

  private changed(): void {
    this.version++;
    this.authCache = undefined;
    this.loaded.clear();
    this.exists.clear();
  }

  private fileExists(file: string): boolean {
    let v = this.exists.get(file);
    if (v === undefined) {
      if (this.exists.size >= 4 * MAX_LOADED * 16) this.exists.clear();
      this.exists.set(file, (v = fileExists(file)));
    }
    return v;
  }

  /** Candidate files for a dotted module name, relative imports resolved from the importer (also the CLI cache's import closure). */
  candidates(importer: string | undefined, fromModule: string): string[] {
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
    for (const s of this.modules.values()) if (s.keySchemas[tableName]) return s.keySchemas[tableName];
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
