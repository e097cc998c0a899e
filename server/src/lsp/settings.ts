// Effective settings of a file: defaults, the editor's `dynamoGuard.*` settings and
// `[tool.dynamo-guard]` of the nearest pyproject.toml, layered as `configurationPreference` says
// (loadConfig does the merge). Both sources are cached: editor settings per scope until
// didChangeConfiguration, project settings per directory until a pyproject.toml changes. A
// pyproject.toml that does not parse keeps its last good settings. `epoch` marks stale results.

import * as path from 'path';
import { MessageType, ShowMessageNotification, type Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, loadConfig, mergeSettings, settingsForFile, type ConfigIssue } from '../analysis';
import { Names, type DynamoGuardSettings } from '../protocol';

/** The `workspace/configuration` section; VS Code's settings are `dynamoGuard.*`. */
export const SETTINGS_SECTION = Names.settingsSection;

export type EditorSettings = Partial<DynamoGuardSettings>;

export interface ResolvedSettings {
  settings: DynamoGuardSettings;
  /** The pyproject.toml that contributed, if any (its directory anchors `exclude` globs). */
  file?: string;
}

const KNOWN_KEYS = new Set(Object.keys(DEFAULT_SETTINGS));

/**
 * Keep only the keys we know: VS Code hands us the whole `dynamoGuard` section, which also holds
 * client-only settings (`trace.server`) that mergeSettings would flag as unknown.
 */
export function sanitizeEditorSettings(value: unknown): EditorSettings {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) if (KNOWN_KEYS.has(key)) out[key] = v;
  return out as EditorSettings;
}

export class SettingsStore {
  /** Bumped whenever any input to the settings may have changed; analysis results remember it. */
  epoch = 0;
  private readonly editor = new Map<string, Promise<EditorSettings>>();
  private readonly merged = new Map<string, ResolvedSettings>();
  /** Messages already shown or logged, so a broken pyproject does not nag on every keystroke. */
  private readonly reported = new Set<string>();
  private pushed: EditorSettings = {};
  /** The last valid [tool.dynamo-guard] of each pyproject.toml, used while the file does not parse. */
  private readonly lastGood = new Map<string, Partial<DynamoGuardSettings>>();
  /** Told the located mistakes of every pyproject.toml read (configDiagnostics shows them). */
  onIssues: (file: string, issues: ConfigIssue[]) => void = () => undefined;
  /** Hard limits applied last (Restricted Mode): no editor or project setting can lift them. */
  limit: (settings: DynamoGuardSettings) => DynamoGuardSettings = (settings) => settings;

  /**
   * @param canRequest the client answers `workspace/configuration`; otherwise we rely on settings
   *   pushed through initializationOptions / didChangeConfiguration.
   */
  constructor(
    private readonly connection: Connection,
    private readonly canRequest: boolean,
  ) {}

  /** Settings the client pushed itself (initializationOptions, didChangeConfiguration params). */
  setPushed(value: unknown): void {
    this.pushed = sanitizeEditorSettings(value);
  }

  editorSettings(scopeUri: string | undefined): Promise<EditorSettings> {
    if (!this.canRequest) return Promise.resolve(this.pushed);
    // What the client pushed (initializationOptions) is the base; a client that also answers
    // workspace/configuration (Neovim 0.7 with init_options) overrides it key by key.
    const pushed = this.pushed;
    const key = scopeUri ?? '';
    let pending = this.editor.get(key);
    if (!pending) {
      pending = this.connection.workspace
        .getConfiguration(scopeUri ? { scopeUri, section: SETTINGS_SECTION } : { section: SETTINGS_SECTION })
        .then((v: unknown) => ({ ...pushed, ...sanitizeEditorSettings(v) }), (e: unknown) => {
          this.connection.console.warn(`Could not read the ${SETTINGS_SECTION} settings: ${String((e as Error)?.message ?? e)}; using defaults`);
          return pushed;
        });
      this.editor.set(key, pending);
    }
    return pending;
  }

  /** Settings for a file (undefined path: an unsaved buffer, editor settings only). */
  async forFile(scopeUri: string | undefined, filePath: string | undefined): Promise<ResolvedSettings> {
    const editor = await this.editorSettings(scopeUri);
    return filePath === undefined ? this.resolve(editor, undefined) : this.resolveFile(editor, filePath);
  }

  /** resolve() for one file: its folder's settings with the matching per-file-ignores folded in. */
  resolveFile(editor: EditorSettings, filePath: string): ResolvedSettings {
    const resolved = this.resolve(editor, path.dirname(filePath));
    const settings = settingsForFile(resolved.settings, filePath, resolved.file ? path.dirname(resolved.file) : undefined);
    return settings === resolved.settings ? resolved : { ...resolved, settings };
  }

  /** Merge editor settings with the project file governing `dir`. Never throws. */
  resolve(editor: EditorSettings, dir: string | undefined): ResolvedSettings {
    const key = `${dir ?? ''}\u0000${JSON.stringify(editor)}`;
    const cached = this.merged.get(key);
    if (cached) return cached;
    let resolved: ResolvedSettings;
    const warnings: string[] = [];
    if (dir === undefined) {
      resolved = { settings: mergeSettings(DEFAULT_SETTINGS, editor as Record<string, unknown>, 'settings', warnings) };
    } else {
      try {
        const source = loadConfig(dir, { overrides: editor, lastGood: (f) => this.lastGood.get(f) });
        warnings.push(...source.warnings);
        resolved = source.file ? { settings: source.settings, file: source.file } : { settings: source.settings };
        if (source.file) {
          if (!source.broken && source.project) this.lastGood.set(source.file, source.project);
          this.onIssues(source.file, source.issues);
          const syntax = source.issues.find((i) => i.kind === 'syntax');
          if (syntax) {
            const where = `${source.file}:${(syntax.range?.start.line ?? 0) + 1}:${(syntax.range?.start.character ?? 0) + 1}`;
            const kept = source.broken ? (this.lastGood.has(source.file) ? 'its last valid settings stay in force' : 'using the editor settings and defaults until it is fixed') : 'its [tool.dynamo-guard] settings still apply';
            // window/showMessage (a notification), not showMessageRequest: there is nothing to answer.
            this.reportOnce(`error:${where}:${syntax.message}`, () =>
              this.connection.sendNotification(ShowMessageNotification.type, {
                type: MessageType.Warning,
                message: `DynamoGuard: ${where}: ${syntax.message}; ${kept}.`,
              }),
            );
          }
        }
      } catch (e) {
        // An unreadable pyproject must not switch the analysis off: tell the user once, go on
        // with the editor settings over the defaults.
        const reason = String((e as Error)?.message ?? e);
        this.reportOnce(`error:${reason}`, () =>
          this.connection.sendNotification(ShowMessageNotification.type, {
            type: MessageType.Warning,
            message: `DynamoGuard: ignoring project settings (${reason}); using the editor settings and defaults.`,
          }),
        );
        resolved = { settings: mergeSettings(DEFAULT_SETTINGS, editor as Record<string, unknown>, 'settings', warnings) };
      }
    }
    for (const w of warnings) this.reportOnce(`warn:${w}`, () => this.connection.console.warn(`DynamoGuard: ${w}`));
    resolved = { ...resolved, settings: this.limit(resolved.settings) };
    this.merged.set(key, resolved);
    return resolved;
  }

  /** Editor settings changed (didChangeConfiguration). */
  invalidateEditor(): void {
    this.editor.clear();
    this.merged.clear();
    this.epoch++;
  }

  /** A pyproject.toml was created, changed or deleted: re-read them all, and warn again if still broken. */
  invalidateProjects(): void {
    this.merged.clear();
    this.reported.clear();
    this.epoch++;
  }

  /** Drop a per-document editor-settings entry once its document is closed. */
  forgetScope(scopeUri: string): void {
    this.editor.delete(scopeUri);
  }

  private reportOnce(key: string, report: () => unknown): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    try {
      void Promise.resolve(report()).catch(() => undefined);
    } catch {
      // the connection may be closing; nothing useful to do
    }
  }
}
