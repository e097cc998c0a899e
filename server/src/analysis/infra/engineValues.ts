// What the infrastructure code tells the engine about a Python file's values: an environment
// variable the template binds to a table (`os.environ["ORDERS_TABLE"]` is the `Orders` table) and
// that table's key schema. With them the engine's own table values carry the table, in this
// module and in every module importing it (layers), so key extraction, DG301's fixes and
// DG406/DG407 know the real keys.

import * as path from 'path';
import { infraFor } from './discover';
import type { InfraFunction, InfraModel, InfraTable } from './model';

export interface InfraValues {
  /** All the engine's facts of the file may depend on (bindings, schemas, handlers deployed from it): a cache key. */
  key: string;
  /** Environment variable -> the name the engine gives its table (see `engineName`). */
  envTables: Map<string, string>;
  /** Engine table name -> key attributes, partition first. */
  keySchemas: Map<string, string[]>;
}

/**
 * The name a table goes by in the engine's values: its physical name when the template fixes it
 * (no unresolved `${...}`), else its logical id (CloudFormation generates the physical name).
 */
export function engineName(t: InfraTable): string {
  return t.name && !/[${}]/.test(t.name) ? t.name : t.id;
}

/** The table an engine name stands for: by physical name first, then by logical id. */
export function tableByEngineName(model: InfraModel, name: string): InfraTable | undefined {
  return model.tables.find((t) => t.name === name) ?? model.tables.find((t) => t.id === name && engineName(t) === name);
}

function under(dir: string | undefined, file: string): boolean {
  if (!dir) return false;
  const rel = path.relative(path.resolve(dir), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Functions whose environment `file` runs with, nearest first: the functions it is the handler
 * of, then those deployed from a code directory holding it, then every function of the service.
 * A shared module (`db.py`) read by several functions gets a binding only if they all agree.
 */
function environmentsOf(model: InfraModel, file: string): InfraFunction[][] {
  const noExt = file.replace(/\.py$/, '').split(path.sep).join('/');
  const served = model.functions.filter((f) => f.module && (f.codeDir ? `${f.codeDir.split(path.sep).join('/')}/${f.module}` === noExt : noExt.endsWith(`/${f.module}`)));
  const deployedFrom = model.functions.filter((f) => under(f.codeDir, file));
  return [served, deployedFrom, model.functions].filter((l) => l.length > 0);
}

function envTable(model: InfraModel, file: string, variable: string): InfraTable | undefined {
  for (const fns of environmentsOf(model, file)) {
    const bound = fns.filter((f) => f.env[variable]);
    if (bound.length === 0) continue;
    const ids = new Set(bound.map((f) => f.env[variable]!.table));
    if (ids.size !== 1) return undefined;
    const id = [...ids][0];
    return id ? model.tables.find((t) => t.id === id) : undefined;
  }
  return undefined;
}

const EMPTY_VALUES: InfraValues = Object.freeze({ key: '', envTables: new Map(), keySchemas: new Map() }) as InfraValues;

/** The infrastructure values for `file` (empty when no infrastructure code is near it). */
export function infraValuesFor(file: string | undefined): InfraValues {
  if (!file) return EMPTY_VALUES;
  let model: InfraModel | undefined;
  try {
    model = infraFor(file);
  } catch {
    model = undefined;
  }
  if (!model || model.tables.length === 0) return EMPTY_VALUES;
  const abs = path.resolve(file);
  const envTables = new Map<string, string>();
  const variables = new Set(model.functions.flatMap((f) => Object.keys(f.env)));
  for (const v of variables) {
    const t = envTable(model, abs, v);
    if (t) envTables.set(v, engineName(t));
  }
  const keySchemas = new Map<string, string[]>();
  for (const t of model.tables) {
    if (t.keys && !keySchemas.has(engineName(t))) keySchemas.set(engineName(t), [t.keys.partition, ...(t.keys.sort ? [t.keys.sort] : [])]);
  }
  const handlers = environmentsOf(model, abs)[0]?.filter((f) => f.module && f.functionName).map((f) => `${f.functionName}:${f.routes.map((r) => r.authorizer ?? '-').join(',')}`) ?? [];
  return { key: JSON.stringify([[...envTables], [...keySchemas], handlers.sort()]), envTables, keySchemas };
}
