import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import type { DynamoGuardSettings, SeverityOverride } from '../../protocol';

export const DEFAULT_SETTINGS: DynamoGuardSettings = {
  enable: true,
  run: 'onType',
  debounceMs: 200,
  select: [],
  ignore: [],
  severity: {},
  exclude: [],
  authFunctions: [
    'get_current_user*',
    'current_user',
    '*authenticate*',
    'verify_*token*',
    'require_*',
    'get_*identity*',
    '*_auth*',
  ],
  ownerAttributes: [
    'owner*', 'user_id', 'tenant*', 'role*', 'is_admin', 'admin', 'permissions', 'scopes',
    'groups', 'verified', 'balance', 'credits', 'plan',
  ],
  sensitiveAttributes: [
    'password*', '*hash*', '*secret*', '*token*', 'api_key', 'ssn', 'card*', 'cvv', 'mfa*', 'private*',
  ],
  publicFields: [],
  maxFileSizeKb: 1024,
};

export class ConfigError extends Error {
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
  }
}

export interface ConfigSource {
  settings: DynamoGuardSettings;
  /** pyproject.toml the settings came from, if any. */
  file?: string;
  /** Non-fatal problems (unknown keys, wrong types that were ignored). */
  warnings: string[];
}

// pyproject keys are kebab-case (Ruff's habit); the settings object is camelCase like VS Code's.
const KEY_MAP: Record<string, keyof DynamoGuardSettings> = {
  'select': 'select',
  'ignore': 'ignore',
  'severity': 'severity',
  'exclude': 'exclude',
  'auth-functions': 'authFunctions',
  'owner-attributes': 'ownerAttributes',
  'sensitive-attributes': 'sensitiveAttributes',
  'public-fields': 'publicFields',
  'max-file-size-kb': 'maxFileSizeKb',
};

const SEVERITIES = new Set<SeverityOverride>(['error', 'warning', 'info', 'off']);

/**
 * Merge a partial settings object (from VS Code or pyproject) over a base, validating types.
 * Bad values are dropped with a warning rather than thrown: a typo in settings must never take
 * the server down.
 */
export function mergeSettings(
  base: DynamoGuardSettings,
  partial: Record<string, unknown>,
  where: string,
  warnings: string[],
): DynamoGuardSettings {
  const out: DynamoGuardSettings = { ...base, severity: { ...base.severity } };
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined || value === null) continue;
    switch (key as keyof DynamoGuardSettings) {
      case 'enable':
        if (typeof value === 'boolean') out.enable = value;
        else warnings.push(`${where}: "enable" must be true or false`);
        break;
      case 'run':
        if (value === 'onType' || value === 'onSave') out.run = value;
        else warnings.push(`${where}: "run" must be "onType" or "onSave"`);
        break;
      case 'debounceMs':
      case 'maxFileSizeKb':
        if (typeof value === 'number' && Number.isFinite(value) && value >= 0) out[key as 'debounceMs'] = value;
        else warnings.push(`${where}: "${key}" must be a non-negative number`);
        break;
      case 'select':
      case 'ignore':
      case 'exclude':
      case 'authFunctions':
      case 'ownerAttributes':
      case 'sensitiveAttributes':
      case 'publicFields':
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
          out[key as 'select'] = (value as string[]).map((v) => v.trim()).filter(Boolean);
        } else warnings.push(`${where}: "${key}" must be a list of strings`);
        break;
      case 'severity':
        if (typeof value === 'object' && !Array.isArray(value)) {
          for (const [code, sev] of Object.entries(value as Record<string, unknown>)) {
            if (typeof sev === 'string' && SEVERITIES.has(sev as SeverityOverride)) {
              out.severity[code.toUpperCase()] = sev as SeverityOverride;
            } else warnings.push(`${where}: severity of ${code} must be one of error, warning, info, off`);
          }
        } else warnings.push(`${where}: "severity" must be a table of rule code = level`);
        break;
      default:
        warnings.push(`${where}: unknown setting "${key}"`);
    }
  }
  return out;
}

/** Parse `[tool.dynamo-guard]` out of a pyproject.toml text. Throws ConfigError on bad TOML. */
export function settingsFromPyproject(text: string, file: string, warnings: string[]): Record<string, unknown> | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`invalid TOML: ${(e as Error).message.split('\n')[0]}`, file);
  }
  const tool = doc['tool'];
  if (!tool || typeof tool !== 'object') return undefined;
  const section = (tool as Record<string, unknown>)['dynamo-guard'];
  if (section === undefined) return undefined;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new ConfigError('[tool.dynamo-guard] must be a table', file);
  }
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    const target = KEY_MAP[key];
    if (!target) {
      warnings.push(`${file}: unknown key "${key}" in [tool.dynamo-guard]`);
      continue;
    }
    mapped[target] = value;
  }
  return mapped;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Nearest pyproject.toml at or above `dir` that has a `[tool.dynamo-guard]` table, up to `stopAt`. */
export function findPyproject(dir: string, stopAt?: string): string | undefined {
  let cur = path.resolve(dir);
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    const candidate = path.join(cur, 'pyproject.toml');
    try {
      const stat = fs.statSync(candidate);
      if (stat.isFile() && stat.size <= MAX_CONFIG_BYTES && /\[tool\.dynamo-guard\]|\[tool\."dynamo-guard"\]/.test(fs.readFileSync(candidate, 'utf8'))) {
        return candidate;
      }
    } catch {
      // not there or unreadable: keep climbing
    }
    const parent = path.dirname(cur);
    if (parent === cur || cur === stop) return undefined;
    cur = parent;
  }
}

/** Settings for files under `dir`: defaults, then `overrides` (editor), then the project file. */
export function loadConfig(
  dir: string,
  options: { overrides?: Partial<DynamoGuardSettings>; explicitFile?: string; stopAt?: string } = {},
): ConfigSource {
  const warnings: string[] = [];
  let settings = DEFAULT_SETTINGS;
  if (options.overrides) settings = mergeSettings(settings, options.overrides as Record<string, unknown>, 'settings', warnings);
  const file = options.explicitFile ?? findPyproject(dir, options.stopAt);
  if (!file) return { settings, warnings };
  let text: string;
  try {
    // A FIFO would block the read forever and a device (/dev/zero) never ends: regular files only.
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new ConfigError('not a regular file', file);
    if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError(`larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB`, file);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  const section = settingsFromPyproject(text, file, warnings);
  if (section) settings = mergeSettings(settings, section, file, warnings);
  return { settings, file, warnings };
}

/** Rule codes enabled by select/ignore (select empty = all). Prefix matching like Ruff: "DG1" selects DG1xx. */
export function isRuleEnabled(code: string, settings: DynamoGuardSettings): boolean {
  const matches = (sel: string) => code.startsWith(sel.toUpperCase()) || sel.toUpperCase() === 'ALL';
  if (settings.severity[code] === 'off') return false;
  if (settings.select.length > 0 && !settings.select.some(matches)) return false;
  return !settings.ignore.some(matches);
}
