// Every setting as data (its VS Code name, its pyproject key, its kind), and the one validator
// both sources go through. A mistake becomes a ConfigIssue at the key or value that is wrong
// (positions come from the caller's locator: pyproject.toml has them, editor settings do not),
// with the closest valid spelling as a suggested replacement. Invalid parts are dropped, never
// widened into "disable everything": an unknown code in `select` is not a selection.

import { closest, distance } from 'fastest-levenshtein';
import type { DynamoGuardSettings } from '../../protocol';
import { RULES } from '../rules';
import type { Range } from '../types';

export interface ConfigIssue {
  message: string;
  /** 0-based, in the file; absent for editor settings. */
  range?: Range;
  kind: 'syntax' | 'unknown-key' | 'unknown-rule' | 'invalid-type' | 'invalid-value';
  /** Quick fix: replace `range` with `newText`. */
  replacement?: { title: string; range: Range; newText: string };
}

/** Ranges of a key and its value, by path inside the settings object. */
export type Locator = (path: ReadonlyArray<string | number>) => { key?: Range; value?: Range } | undefined;

type Kind =
  | { type: 'boolean' }
  | { type: 'number' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'strings' }
  | { type: 'selectors'; all: boolean }
  | { type: 'severity' }
  | { type: 'perFileIgnores' };

interface KeyDef {
  setting: keyof DynamoGuardSettings;
  /** Key under [tool.dynamo-guard]; absent for editor-only settings. */
  toml?: string;
  kind: Kind;
}

export const LEVELS = ['error', 'warning', 'info', 'hint', 'off'] as const;

export const KEYS: readonly KeyDef[] = [
  { setting: 'enable', kind: { type: 'boolean' } },
  { setting: 'run', kind: { type: 'enum', values: ['onType', 'onSave'] } },
  { setting: 'debounceMs', kind: { type: 'number' } },
  { setting: 'configurationPreference', kind: { type: 'enum', values: ['editorFirst', 'filesystemFirst', 'editorOnly'] } },
  { setting: 'select', toml: 'select', kind: { type: 'selectors', all: true } },
  { setting: 'ignore', toml: 'ignore', kind: { type: 'selectors', all: false } },
  { setting: 'extendSelect', toml: 'extend-select', kind: { type: 'selectors', all: true } },
  { setting: 'extendIgnore', toml: 'extend-ignore', kind: { type: 'selectors', all: false } },
  { setting: 'severity', toml: 'severity', kind: { type: 'severity' } },
  { setting: 'perFileIgnores', toml: 'per-file-ignores', kind: { type: 'perFileIgnores' } },
  { setting: 'exclude', toml: 'exclude', kind: { type: 'strings' } },
  { setting: 'authFunctions', toml: 'auth-functions', kind: { type: 'strings' } },
  { setting: 'ownerAttributes', toml: 'owner-attributes', kind: { type: 'strings' } },
  { setting: 'sensitiveAttributes', toml: 'sensitive-attributes', kind: { type: 'strings' } },
  { setting: 'publicFields', toml: 'public-fields', kind: { type: 'strings' } },
  { setting: 'publicRoutes', toml: 'public-routes', kind: { type: 'strings' } },
  { setting: 'maxFileSizeKb', toml: 'max-file-size-kb', kind: { type: 'number' } },
  { setting: 'disableComment', toml: 'disable-comment', kind: { type: 'enum', values: ['dynamo-guard', 'noqa'] } },
];

const BY_TOML = new Map(KEYS.filter((k) => k.toml).map((k) => [k.toml!, k]));
const BY_SETTING = new Map(KEYS.map((k) => [k.setting as string, k]));

/** A rule pattern (`DG101`, the prefix `DG1`, the glob `DG1*`, `ALL`) as an anchored test. */
export function patternMatches(pattern: string, code: string): boolean {
  const p = pattern.toUpperCase();
  if (p === 'ALL') return true;
  if (!/[*?]/.test(p)) return code.startsWith(p);
  if (p.length > 16) return false;
  const re = new RegExp(`^${p.replace(/[^A-Z0-9*?]/g, '\\$&').replace(/\*/g, '[A-Z0-9]*').replace(/\?/g, '[A-Z0-9]')}$`);
  return re.test(code);
}

/** How specific a matching pattern is: the exact code beats a prefix or glob, longer beats shorter. */
export function specificity(pattern: string, code: string): number {
  const p = pattern.toUpperCase();
  return p === code ? 1000 : p === 'ALL' ? 0 : p.replace(/[*?]/g, '').length;
}

function codes(): string[] {
  return RULES.map((r) => r.meta.code);
}

export function isKnownPattern(pattern: string, allowAll: boolean): boolean {
  const p = pattern.toUpperCase();
  if (p === 'ALL') return allowAll;
  if (!/^[A-Z]+[0-9]*[*?]?[0-9*?]*$/.test(p)) return false;
  return codes().some((c) => patternMatches(p, c));
}

/** The closest candidate, when it is close enough to be a likely typo. */
export function suggest(value: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || value.length > 64) return undefined;
  const best = closest(value, candidates as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  const v = value.toLowerCase();
  const b = best.toLowerCase();
  // `warn` for `warning`: a prefix is a likely abbreviation whatever the distance.
  return distance(v, b) <= limit || (v.length >= 3 && b.startsWith(v)) ? best : undefined;
}

const quote = (s: string) => JSON.stringify(s);

export interface Validated {
  values: Partial<DynamoGuardSettings>;
  issues: ConfigIssue[];
}

/**
 * Check `raw` (pyproject keys when `source` is 'toml', VS Code names otherwise). `where` names
 * the section in messages. Returns only the valid values.
 */
export function validateSettings(raw: Record<string, unknown>, source: 'toml' | 'editor', locate: Locator = () => undefined): Validated {
  const values: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  const issue = (kind: ConfigIssue['kind'], message: string, range: Range | undefined, fix?: { title: string; newText: string }) => {
    const i: ConfigIssue = { kind, message };
    if (range) {
      i.range = range;
      if (fix) i.replacement = { ...fix, range };
    }
    issues.push(i);
  };
  const keyName = (d: KeyDef) => (source === 'toml' ? d.toml! : d.setting);

  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    const def = source === 'toml' ? BY_TOML.get(key) : BY_SETTING.get(key);
    const at = locate([key]);
    if (!def) {
      const names = KEYS.filter((k) => source === 'editor' || k.toml).map(keyName);
      const s = suggest(key, names);
      const where = source === 'toml' ? 'in [tool.dynamo-guard]' : 'in the dynamoGuard settings';
      issue('unknown-key', `unknown key "${key}" ${where}${s ? ` (did you mean "${s}"?)` : ''}`, at?.key, s ? { title: `Change to "${s}"`, newText: s } : undefined);
      continue;
    }
    const name = keyName(def);
    const wrongType = (expected: string) => issue('invalid-type', `"${name}" must be ${expected}`, at?.value);
    const kind = def.kind;
    switch (kind.type) {
      case 'boolean':
        if (typeof value === 'boolean') values[def.setting] = value;
        else wrongType('true or false');
        break;
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value) && value >= 0) values[def.setting] = value;
        else if (typeof value === 'bigint' && value >= 0n) values[def.setting] = Number(value);
        else wrongType('a non-negative number');
        break;
      case 'enum':
        if (typeof value === 'string' && kind.values.includes(value)) values[def.setting] = value;
        else if (typeof value !== 'string') wrongType(`one of ${kind.values.map(quote).join(', ')}`);
        else {
          const s = suggest(value, kind.values);
          issue('invalid-value', `"${name}" must be one of ${kind.values.map(quote).join(', ')}, not ${quote(value)}`, at?.value, s ? { title: `Change to ${quote(s)}`, newText: quote(s) } : undefined);
        }
        break;
      case 'strings':
      case 'selectors': {
        if (!Array.isArray(value)) {
          wrongType(kind.type === 'selectors' ? 'a list of rule codes, e.g. ["DG101", "DG2"]' : 'a list of strings');
          break;
        }
        const kept: string[] = [];
        value.forEach((v: unknown, i) => {
          const el = locate([key, i])?.value;
          if (typeof v !== 'string') return issue('invalid-type', `"${name}" must contain only strings`, el);
          const t = v.trim();
          if (!t) return;
          if (kind.type === 'strings') return void kept.push(t);
          const code = t.toUpperCase();
          if (isKnownPattern(code, kind.all)) return void kept.push(code);
          issues.push(unknownCode(t, name, el, kind.all));
        });
        // A selection made only of unknown codes selects nothing we know: drop it rather than
        // turn every rule off.
        if (kind.type === 'selectors' && kept.length === 0 && value.length > 0) break;
        values[def.setting] = kept;
        break;
      }
      case 'severity': {
        if (!isTable(value)) {
          wrongType('a table of rule code = level, e.g. { DG201 = "info" }');
          break;
        }
        const out: Record<string, string> = {};
        for (const [pattern, level] of Object.entries(value)) {
          const loc = locate([key, pattern]);
          if (!isKnownPattern(pattern, false)) {
            issues.push(unknownCode(pattern, `${name}`, loc?.key, false, true));
            continue;
          }
          if (typeof level === 'string' && (LEVELS as readonly string[]).includes(level)) {
            out[pattern.toUpperCase()] = level;
            continue;
          }
          const s = typeof level === 'string' ? suggest(level, LEVELS) : undefined;
          issue('invalid-value', `severity of ${pattern} must be one of ${LEVELS.map(quote).join(', ')}${typeof level === 'string' ? `, not ${quote(level)}` : ''}`, loc?.value, s ? { title: `Change to ${quote(s)}`, newText: quote(s) } : undefined);
        }
        values[def.setting] = out;
        break;
      }
      case 'perFileIgnores': {
        if (!isTable(value)) {
          wrongType('a table of file glob = list of rule codes, e.g. { "tests/**" = ["DG101"] }');
          break;
        }
        const out: Record<string, string[]> = {};
        for (const [glob, list] of Object.entries(value)) {
          const loc = locate([key, glob]);
          if (!Array.isArray(list)) {
            issue('invalid-type', `per-file-ignores of "${glob}" must be a list of rule codes`, loc?.value);
            continue;
          }
          const kept: string[] = [];
          list.forEach((v: unknown, i) => {
            const el = locate([key, glob, i])?.value;
            if (typeof v === 'string' && isKnownPattern(v.trim().toUpperCase(), true)) kept.push(v.trim().toUpperCase());
            else if (typeof v === 'string') issues.push(unknownCode(v, `per-file-ignores of "${glob}"`, el, true));
            else issue('invalid-type', `per-file-ignores of "${glob}" must contain only rule codes`, el);
          });
          if (kept.length > 0) out[glob] = kept;
        }
        values[def.setting] = out;
        break;
      }
    }
  }
  return { values: values as Partial<DynamoGuardSettings>, issues };
}

function unknownCode(text: string, where: string, range: Range | undefined, allowAll: boolean, isKey = false): ConfigIssue {
  const candidates = allowAll ? [...codes(), 'ALL'] : codes();
  const s = suggest(text.toUpperCase(), candidates);
  const i: ConfigIssue = { kind: 'unknown-rule', message: `unknown rule code "${text}" in ${where}${s ? ` (did you mean "${s}"?)` : ''}; see "dynamo-guard rules"` };
  if (range) {
    i.range = range;
    // A table key can stay bare; an array element is a string literal.
    if (s) i.replacement = { title: `Change to "${s}"`, range, newText: isKey ? s : quote(s) };
  }
  return i;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
