// Deciding from the text alone, without parsing, that a file cannot produce a finding. Most files
// of a large project (the Python standard library: nearly all) never mention DynamoDB; parsing and
// mirroring them is most of a scan's cost.
//
// The rule: a file is skipped when ALL of these hold
//   1. no DynamoDB-related word (MODEL_WORDS: boto3, dynamodb, pynamodb, Table, *_item, query(,
//      scan(, ...Expression, Key=, Key(/Attr(, transact/batch calls, pagination keys...);
//   2. nothing the text-level rules look at (TEXT_RULE_WORDS: DG501's aws_* names and AKIA/ASIA
//      key ids, DG502's endpoint URLs);
//   3. nothing the cross-file index needs (`mayExport` is false: no web framework, auth or
//      table-defining vocabulary, so the file's own summary is empty);
//   4. none of its imports resolves to a project module whose summary is non-empty (a handler
//      calling a table or auth helper defined elsewhere must still be analysed);
//   5. no function of it is a handler the infrastructure code (template) deploys.
// Each check is one linear pass; a file skipped that way is reported with 0 findings and its
// line count, exactly as a full analysis of it would be.

import { deployedHandlerNames } from './infra/auth';
import { mayExport } from './workspaceIndex';
import type { ModuleSummary, WorkspaceIndex } from './model/workspace';

// boto3's spelling is case-sensitive (`Key=`, `Table(`, `...Expression`): matching it exactly
// keeps `key=lambda ...` and "table" in prose from defeating the skip (44 and 24 of the 168
// top-level stdlib modules did with /i).
const MODEL_WORDS_ANY_CASE = /dynamo|boto|pynamo/i;
const MODEL_WORDS = /\bTable\b|_items?\b|Expression|transact_|execute_statement|batch_(?:get|write)|\bKey\s*[=(]|\bAttr\(|\bquery\(|\bscan\(|ExclusiveStartKey|LastEvaluatedKey|ConditionalCheck|ClientError/;
const TEXT_RULE_WORDS = /aws_|AKIA|ASIA|endpoint/i;
// `from x import y` / `import x, y`: module names only, one line at a time (linear).
const IMPORT_LINE = /^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import\b|import[ \t]+([\w. \t,]+))/gm;

// Bounded: an unclosed `(` cannot make each import rescan the rest of the file.
const FROM_IMPORT = /^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]*(\([^)]{0,4000}\)?|[^\n]*)/gm;

function isEmpty(s: ModuleSummary | undefined): boolean {
  if (!s) return true;
  // A pass-through module's summary only lists its imports (the reverse walk to handlers).
  if (s.passThrough) return true;
  return Object.values(s).every((v) => (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null ? Object.keys(v).length === 0 : !v));
}

/** Modules imported by `text` (dotted names, relative ones with their dots). */
export function importedModules(text: string): string[] {
  const out: string[] = [];
  IMPORT_LINE.lastIndex = 0;
  for (let m = IMPORT_LINE.exec(text); m; m = IMPORT_LINE.exec(text)) {
    if (m[1]) out.push(m[1]);
    else for (const part of m[2]!.split(',')) {
      const name = part.trim().split(/[ \t]/)[0];
      if (name) out.push(name);
    }
  }
  return out;
}

/**
 * Everything an import line of `text` may name as a module: `importedModules` plus, for
 * `from pkg import a, b`, `pkg.a` and `pkg.b` (which may be submodules).
 */
export function importedModuleNames(text: string): string[] {
  const out = importedModules(text);
  for (const m of text.matchAll(FROM_IMPORT)) {
    for (const name of m[2]!.replace(/[()]/g, '').split(',')) {
      const n = name.trim().split(/\s/)[0];
      if (n && n !== '*') out.push(m[1]!.endsWith('.') ? `${m[1]}${n}` : `${m[1]}.${n}`);
    }
  }
  return out;
}

/** True when analysing `text` cannot report anything (the rule above). */
export function cannotMatter(text: string, file: string | undefined, workspace: WorkspaceIndex | undefined): boolean {
  if (MODEL_WORDS_ANY_CASE.test(text) || MODEL_WORDS.test(text) || TEXT_RULE_WORDS.test(text) || mayExport(text)) return false;
  if (!workspace) return true;
  // `from pkg import module`: the imported names may be modules themselves.
  if (!importedModuleNames(text).every((mod) => isEmpty(workspace.resolve(file, mod)))) return false;
  // 5. a handler the infrastructure code deploys may reach DynamoDB through layers whose own
  // summaries are empty (handler -> repository -> db.py): it is analysed.
  return deployedHandlerNames(file).size === 0;
}
