// serverless.yml variables that name other places: `${file(./config.yml):tables.orders}` reads the
// YAML/JSON file relative to the service (only reading, bounded in files and size), and the
// variables resolved at deploy time — `${ssm:/path}`, `${cf:stack.Output}`, `${s3:bucket/key}`,
// with an optional `(region)` — stay opaque references, written back in one canonical form
// (`${ssm:/path}`, fallback dropped) so a table name or an ARN holding one still reads as one
// (resources.ts keeps such a reference whole inside `table/...`).

import * as fs from 'fs';
import * as path from 'path';
import { LIMITS } from './model';
import { get, parseYaml, type Val } from './yamlTree';

/** `${file(path)}` or `${file(path):key.path}`, with an optional fallback. */
export const FILE_VARIABLE = /\$\{file\(([^()${}]+)\)(?::([\w.-]+))?\s*(?:,\s*([^${}]*))?\}/g;
const WHOLE_FILE_VARIABLE = /^\$\{file\(([^()${}]+)\)(?::([\w.-]+))?\s*\}$/;
/** Deploy-time references kept opaque. */
export const OPAQUE_VARIABLE = /\$\{(ssm|cf|s3)(\([\w-]*\))?:\s*([^${},]+?)\s*(?:,\s*[^${}]*)?\}/g;

const MAX_FILES = 20;
const MAX_CHAIN = 4;

/** The files a serverless.yml reads through `${file(...)}`, each parsed once. */
export class ReferencedFiles {
  private readonly trees = new Map<string, Val | null>();

  constructor(private readonly serviceDir: string) {}

  /** The parsed file `rel` names (relative to the service), or undefined when it cannot be read. */
  load(rel: string): Val | undefined {
    const file = path.resolve(this.serviceDir, rel.trim().replace(/^['"]|['"]$/g, ''));
    if (this.trees.has(file)) return this.trees.get(file) ?? undefined;
    if (this.trees.size >= MAX_FILES) return undefined;
    let tree: Val | null = null;
    try {
      if (fs.statSync(file).size <= LIMITS.maxFileBytes) tree = parseYaml(fs.readFileSync(file, 'utf8')).root ?? null;
    } catch {
      tree = null;
    }
    this.trees.set(file, tree);
    return tree ?? undefined;
  }

  /** The value `${file(rel):key.path}` names. */
  value(rel: string, keyPath: string | undefined): Val | undefined {
    let cur = this.load(rel);
    for (const k of keyPath ? keyPath.split('.') : []) cur = this.deref(get(cur, k));
    return cur;
  }

  /** Resolves the variables of a reference's own text (`${file(./${sls:stage}.yml)}`); set by the reader. */
  expand: (text: string) => string = (t) => t;
  /** Nesting of deref -> expand -> deref: a self-referencing chain stops here. */
  private active = 0;

  /** `v`, or the value it names when it is a whole `${file(...)}` reference (followed a few times). */
  deref(v: Val | undefined, depth = 0): Val | undefined {
    if (!v || depth >= MAX_CHAIN || this.active >= MAX_CHAIN || v.kind !== 'scalar' || typeof v.value !== 'string' || !v.value.includes('${file(')) return v;
    this.active++;
    try {
      const m = WHOLE_FILE_VARIABLE.exec(this.expand(v.value.trim()));
      return m ? this.deref(this.value(m[1]!, m[2]), depth + 1) : v;
    } finally {
      this.active--;
    }
  }

  /** `at(root, ...keys)` that follows `${file(...)}` references on the way (`custom: ${file(x.yml)}`). */
  at(root: Val | undefined, keys: readonly string[]): Val | undefined {
    let cur = this.deref(root);
    for (const k of keys) cur = this.deref(get(cur, k));
    return cur;
  }
}

/** `${ssm(eu-west-1):/p, 'x'}` -> `${ssm(eu-west-1):/p}`: one spelling per reference. */
export function canonicalOpaque(text: string): string {
  return text.replace(OPAQUE_VARIABLE, (_m, source: string, region: string | undefined, name: string) => `\${${source}${region ?? ''}:${name}}`);
}
