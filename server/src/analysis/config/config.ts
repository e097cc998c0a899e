import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import type { ConfigurationPreference, DynamoGuardSettings, SeverityOverride } from '../../protocol';
import { findPyproject, readPyprojectText } from './pyproject';
import { patternMatches, specificity, validateSettings, type ConfigIssue } from './schema';

export { findPyproject, readPyprojectText } from './pyproject';
export { validateSettings, type ConfigIssue } from './schema';

export const DEFAULT_SETTINGS: DynamoGuardSettings = {
  enable: true,
  run: 'onType',
  debounceMs: 200,
  select: [],
  ignore: [],
  extendSelect: [],
  extendIgnore: [],
  severity: {},
  perFileIgnores: {},
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
    'groups', 'verified', 'balance', 'credits', 'plan', '*_role', 'auth_level', 'authlevel', 'access_level',
  ],
  sensitiveAttributes: [
    'password*', '*hash*', '*secret*', '*token*', 'api_key', 'ssn', 'card*', 'cvv', 'mfa*', 'private*',
  ],
  publicFields: [],
  publicRoutes: [],
  maxFileSizeKb: 1024,
  // ruff-vscode's default: what the user set in the editor wins over the project file (only
  // settings the user actually set: the VS Code client sends no defaults).
  configurationPreference: 'editorFirst',
  disableComment: 'dynamo-guard',
};

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    /** Located mistakes (CLI: printed as file:line:col: message). */
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}

export interface ConfigSource {
  settings: DynamoGuardSettings;
  /** pyproject.toml the settings came from, if any. */
  file?: string;
  /** Mistakes in editor settings (no position), as text. */
  warnings: string[];
  /** Mistakes in the pyproject.toml, located. */
  issues: ConfigIssue[];
  /** The pyproject.toml does not parse and its [tool.dynamo-guard] could not be read. */
  broken?: boolean;
  /** The valid [tool.dynamo-guard] values (for a caller keeping the last good ones). */
  project?: Partial<DynamoGuardSettings>;
}

/** Layer validated values over a base (tables merge key by key, everything else replaces). */
export function overlay(base: DynamoGuardSettings, values: Partial<DynamoGuardSettings>): DynamoGuardSettings {
  const out: DynamoGuardSettings = { ...base, ...values };
  if (values.severity) out.severity = { ...base.severity, ...values.severity };
  if (values.perFileIgnores) out.perFileIgnores = { ...base.perFileIgnores, ...values.perFileIgnores };
  return out;
}

/**
 * Merge a partial settings object (VS Code names) over a base. Bad values are dropped with a
 * warning rather than thrown: a typo in settings must never take the server down.
 */
export function mergeSettings(
  base: DynamoGuardSettings,
  partial: Record<string, unknown>,
  where: string,
  warnings: string[],
): DynamoGuardSettings {
  const { values, issues } = validateSettings(partial, 'editor');
  for (const i of issues) warnings.push(`${where}: ${i.message}`);
  return overlay(base, values);
}

/** The located issues of a pyproject text plus its valid values. */
export function checkPyprojectText(text: string): { values: Partial<DynamoGuardSettings> | undefined; issues: ConfigIssue[]; broken: boolean } {
  const read = readPyprojectText(text);
  if (!read.raw) return { values: undefined, issues: read.issues, broken: read.broken };
  const { values, issues } = validateSettings(read.raw, 'toml', read.locate);
  return { values, issues: [...read.issues, ...issues], broken: read.broken };
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Settings for files under `dir`: defaults, then the editor's and the project file's in the
 * order `preference` says (editorFirst: the editor's win; filesystemFirst: pyproject.toml wins;
 * editorOnly: pyproject.toml is not read). `lastGood` stands in for a project file that does not
 * parse, so a half-typed edit never re-enables rules the project ignores.
 */
export function loadConfig(
  dir: string,
  options: {
    overrides?: Partial<DynamoGuardSettings>;
    explicitFile?: string;
    stopAt?: string;
    preference?: ConfigurationPreference;
    lastGood?: (file: string) => Partial<DynamoGuardSettings> | undefined;
  } = {},
): ConfigSource {
  const warnings: string[] = [];
  const editor = options.overrides ? validateSettings(options.overrides as Record<string, unknown>, 'editor') : { values: {}, issues: [] };
  for (const i of editor.issues) warnings.push(`settings: ${i.message}`);
  const preference = options.preference ?? editor.values.configurationPreference ?? 'editorFirst';
  const editorOnly = overlay(DEFAULT_SETTINGS, editor.values);
  if (preference === 'editorOnly' && !options.explicitFile) return { settings: editorOnly, warnings, issues: [] };
  const file = options.explicitFile ?? findPyproject(dir, options.stopAt);
  if (!file) return { settings: editorOnly, warnings, issues: [] };
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
  const checked = checkPyprojectText(text);
  let project = checked.values ?? {};
  if (checked.broken) project = options.lastGood?.(file) ?? {};
  const settings = preference === 'filesystemFirst' ? overlay(editorOnly, project) : overlay(overlay(DEFAULT_SETTINGS, project), editor.values);
  const source: ConfigSource = { settings, file, warnings, issues: checked.issues, project };
  if (checked.broken) source.broken = true;
  return source;
}

/** Severity of `code`: the most specific matching entry of `severity` (code > longer prefix/glob). */
export function severityFor(code: string, settings: DynamoGuardSettings): SeverityOverride | undefined {
  let best: SeverityOverride | undefined;
  let bestScore = -1;
  for (const [pattern, level] of Object.entries(settings.severity)) {
    if (!patternMatches(pattern, code)) continue;
    const score = specificity(pattern, code);
    if (score > bestScore) {
      best = level;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Rule codes enabled by select/ignore (select empty = all), extended by extend-select /
 * extend-ignore. Prefix matching like Ruff ("DG1" selects DG1xx), globs (`DG1*`) too.
 */
export function isRuleEnabled(code: string, settings: DynamoGuardSettings): boolean {
  const matches = (p: string) => patternMatches(p, code);
  if (severityFor(code, settings) === 'off') return false;
  const extendSelect = settings.extendSelect ?? [];
  if (settings.select.length > 0 && !settings.select.some(matches) && !extendSelect.some(matches)) return false;
  return !settings.ignore.some(matches) && !(settings.extendIgnore ?? []).some(matches);
}

/**
 * The settings of one file: `per-file-ignores` globs matching it (relative to `base`, the folder
 * of the pyproject.toml that set them, or its file name, like Ruff) fold into `ignore`.
 */
export function settingsForFile(settings: DynamoGuardSettings, file: string, base: string | undefined): DynamoGuardSettings {
  const entries = Object.entries(settings.perFileIgnores ?? {});
  if (entries.length === 0) return settings;
  const rel = base ? path.relative(base, file).split(path.sep).join('/') : undefined;
  const inside = rel !== undefined && rel !== '' && !rel.startsWith('../') && rel !== '..';
  const name = path.basename(file);
  const abs = file.split(path.sep).join('/');
  const extra: string[] = [];
  for (const [glob, codes] of entries) {
    const isMatch = picomatch(glob, { dot: true });
    if ((inside && isMatch(rel!)) || isMatch(name) || isMatch(abs)) extra.push(...codes);
  }
  return extra.length === 0 ? settings : { ...settings, ignore: [...settings.ignore, ...extra] };
}
