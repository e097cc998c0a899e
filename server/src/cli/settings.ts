// Which settings apply to which file: the nearest pyproject.toml with [tool.dynamo-guard] above
// the file (each project of a monorepo keeps its own), or the one --config names for all files,
// then the command line's --select/--ignore on top.

import * as path from 'path';
import type { DynamoGuardSettings } from '../protocol';
import { compileExclude, type ExcludeMatcher } from '../analysis/files';
import { ConfigError, DEFAULT_SETTINGS, RULES, findPyproject, loadConfig, settingsForFile } from '../analysis';
import { UsageError } from './errors';

export interface EffectiveConfig {
  settings: DynamoGuardSettings;
  /** Directory the `exclude` globs are relative to: the pyproject's, else the current directory. */
  base: string;
  exclude: ExcludeMatcher | undefined;
  /**
   * Set when this directory's pyproject.toml is broken: its files are not analysed (their
   * configuration is unknown) and the scan reports the problem, but other projects still run.
   */
  broken?: { file: string; message: string; error: ConfigError };
}

/** A code or prefix names at least one rule ("DG1" names DG1xx; "ALL" everything). */
export function isKnownSelector(selector: string): boolean {
  const s = selector.toUpperCase();
  return s === 'ALL' || RULES.some((r) => r.meta.code.startsWith(s));
}

export function checkSelectors(flag: string, selectors: readonly string[] | undefined): void {
  for (const s of selectors ?? []) {
    if (!/^[A-Z]+[0-9]*$/.test(s) || !isKnownSelector(s)) {
      throw new UsageError(`unknown rule code "${s}" in ${flag} (see "dynamo-guard rules")`);
    }
  }
}

/**
 * Ruff's precedence: the command line's --select replaces the configured select, and a configured
 * ignore survives unless --select names that rule at least as specifically (`ignore = ["DG201"]`
 * plus `--select DG201` runs DG201; plus `--select DG2` does not). --ignore adds to the ignores.
 */
export function applyCommandLine(settings: DynamoGuardSettings, select: string[] | undefined, ignore: string[] | undefined): DynamoGuardSettings {
  if (!select && !ignore) return settings;
  let configuredIgnore = settings.ignore;
  if (select) configuredIgnore = configuredIgnore.filter((ig) => !select.some((s) => s.toUpperCase().startsWith(ig.toUpperCase())));
  return {
    ...settings,
    select: select ?? settings.select,
    ignore: [...configuredIgnore, ...(ignore ?? [])],
  };
}

export class SettingsResolver {
  private readonly byDir = new Map<string, EffectiveConfig>();
  private readonly byFile = new Map<string, EffectiveConfig>();
  private explicit: EffectiveConfig | undefined;

  constructor(
    private readonly cwd: string,
    private readonly options: { config?: string; select?: string[]; ignore?: string[] },
    private readonly warn: (message: string) => void,
  ) {}

  /** Settings for files directly inside `dir`. Throws ConfigError on a broken pyproject. */
  forDir(dir: string): EffectiveConfig {
    if (this.options.config !== undefined) return (this.explicit ??= this.load(dir, path.resolve(this.cwd, this.options.config)));
    let found = this.byDir.get(dir);
    if (found) return found;
    const file = findPyproject(dir);
    found = this.byFile.get(file ?? '');
    if (!found) {
      found = this.loadOrMarkBroken(dir, file);
      this.byFile.set(file ?? '', found);
    }
    this.byDir.set(dir, found);
    return found;
  }

  /** Settings for one file: its directory's, with the matching per-file-ignores folded in. */
  forFile(file: string): EffectiveConfig {
    const cfg = this.forDir(path.dirname(file));
    const settings = settingsForFile(cfg.settings, file, cfg.base);
    return settings === cfg.settings ? cfg : { ...cfg, settings };
  }

  /** The walker's per-directory exclusion: each pyproject's globs, relative to that pyproject. */
  isExcluded = (absPath: string, _isDirectory: boolean): boolean => {
    const cfg = this.forDir(path.dirname(absPath));
    if (!cfg.exclude || cfg.broken) return false;
    const rel = path.relative(cfg.base, absPath).split(path.sep).join('/');
    if (!rel || rel === '..' || rel.startsWith('../')) return false;
    return cfg.exclude(rel);
  };

  /** Every pyproject.toml found broken during the walk, for the report. */
  readonly brokenConfigs = new Map<string, string>();

  private loadOrMarkBroken(dir: string, file: string | undefined): EffectiveConfig {
    try {
      return this.load(dir, file);
    } catch (e) {
      if (!(e instanceof ConfigError) || file === undefined) throw e;
      const first = e.issues[0];
      const at = first?.range ? `:${first.range.start.line + 1}:${first.range.start.character + 1}` : '';
      const message = first ? `${e.message}${at}: ${first.message}` : e.message;
      this.brokenConfigs.set(file, message);
      return { settings: DEFAULT_SETTINGS, base: path.dirname(file), exclude: undefined, broken: { file, message, error: e } };
    }
  }

  private load(dir: string, file: string | undefined): EffectiveConfig {
    const source = file ? loadConfig(dir, { explicitFile: file }) : loadConfig(dir);
    for (const w of source.warnings) this.warn(w);
    // Ruff's rule: a configuration mistake is an error (exit 2), shown where it is written.
    if (source.issues.length > 0) {
      const n = source.issues.length;
      throw new ConfigError(`${n} configuration ${n === 1 ? 'mistake' : 'mistakes'}`, source.file, source.issues);
    }
    const settings = applyCommandLine(source.settings, this.options.select, this.options.ignore);
    return {
      settings,
      base: source.file ? path.dirname(source.file) : this.cwd,
      exclude: compileExclude(settings.exclude),
    };
  }
}
