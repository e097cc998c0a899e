import type { ErrorClassFacts } from '../facts/errors';
import type { FileFacts } from './facts';

// Cross-file knowledge. The analyzer asks this interface about names imported from other modules
// of the workspace; the language server and the CLI fill it from module summaries of every file.

/** What one module offers to its importers. */
export interface ModuleSummary {
  /** Names of functions that authenticate (auth-function patterns, JWT decode, raise 401). */
  authFunctions: string[];
  /** How to read the caller's id from what an auth function returns ('', `["user_id"]`, `.id`). */
  authAccessors: Record<string, string>;
  /** Functions whose body is an ownership guard on their parameters: name -> pairs of compared param indexes (-1 = a subject read inside). */
  guardHelpers: Record<string, Array<[number, number]>>;
  /** Module-level names bound to a DynamoDB Table / client / resource. */
  tables: Record<string, { kind: 'table' | 'client' | 'resource'; tableName?: string }>;
  /** Functions returning a Table (dependency providers such as `def get_table(): ...`). */
  tableFactories: Record<string, { kind: 'table' | 'client' | 'resource'; tableName?: string }>;
  /** FastAPI/Flask/Chalice app or router objects: name -> kind, and whether router-level auth applies. */
  apps: Record<string, { kind: string; authenticated: boolean }>;
  /** Key schemas from create_table calls: table name -> key attribute names (partition first). */
  keySchemas: Record<string, string[]>;
  /** Dotted modules this one imports (as written, relative ones included): who may call into whom. */
  importedModules?: string[];
  /** Set on the summary of a module that exports nothing the model reads: it only lists `importedModules`. */
  passThrough?: true;
  /** Table names the module uses literally (where to look for evidence about a table). */
  tableNames?: string[];
  /**
   * Evidence found in this module that a table's items belong to someone (a write with a
   * subject-derived attribute, a key bound to the subject, an owner check): table name -> evidence.
   */
  ownedTables?: Record<string, OwnedEvidence>;
  /** Exception classes the module defines (DG204's curated application errors, `facts/errors.ts`). */
  errorClasses?: Record<string, ErrorClassFacts>;
  /** Classes the module raises with computed text (`raise AppError(str(e))`): their messages are not curated. */
  errorsRaisedWithText?: string[];
}

/** Why a table's items are owned, where it was seen (for messages: "written with `customer_id = user.sub` at orders.py:48"). */
export interface OwnedEvidence {
  message: string;
  line: number;
}

export interface WorkspaceIndex {
  /**
   * Facts of the workspace module `fromModule` names (seen from `importer`), computed on demand
   * for summaries of its functions and classes (layers): absent where files cannot be read.
   */
  moduleFacts?(importer: string | undefined, fromModule: string): { facts: FileFacts; path: string } | undefined;
  /** Facts of the workspace module at `path`. */
  factsAt?(path: string): FileFacts | undefined;
  /** Bumped whenever a summary changes, so per-document caches know to recompute. */
  readonly version: number;
  /** Summary of the module that `fromModule` (dotted, possibly relative) names, seen from `importer`. */
  resolve(importer: string | undefined, fromModule: string): ModuleSummary | undefined;
  /** Known key schemas anywhere in the workspace, by table name. */
  keySchema(tableName: string): string[] | undefined;
  /** Auth function names defined anywhere in the workspace (for the DG101 "add dependency" fix). */
  authFunctionNames(): string[];
  /** Dotted module to import auth function `name` from, as seen from `importer`. */
  authModuleOf?(name: string, importer?: string): string | undefined;
  /** Accessor of the caller's id for auth function `name`, when its module says. */
  authAccessor?(name: string): string | undefined;
  /** Facts of every function of the workspace module at `path` (not only its summaries). */
  fullFactsAt?(path: string): FileFacts | undefined;
  /** Files of the workspace whose imports resolve to `file` (callers of its functions live there). */
  importersOf?(file: string): string[];
  /** Evidence, from any module of the workspace, that items of table `tableName` are owned. */
  ownedTable?(tableName: string): (OwnedEvidence & { file: string }) | undefined;
  /** Every module summary of the workspace (facts gathered across all modules: curated errors). */
  summaries?(): Iterable<ModuleSummary>;
}

export function emptySummary(): ModuleSummary {
  return { authFunctions: [], authAccessors: {}, guardHelpers: {}, tables: {}, tableFactories: {}, apps: {}, keySchemas: {} };
}
