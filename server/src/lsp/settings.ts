// Effective settings of a file: defaults, then the editor's `dynamoGuard.*` settings, then
// `[tool.dynamo-guard]` of the nearest pyproject.toml (loadConfig does the merge). Both sources
// are cached: editor settings per scope until didChangeConfiguration, project settings per
// directory until a pyproject.toml changes. `epoch` tells cached analysis results they are stale.

import * as path from 'path';
import { MessageType, ShowMessageNotification, type Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, loadConfig, mergeSettings } from '../analysis';
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
    return this.resolve(editor, filePath === undefined ? undefined : path.dirname(filePath));
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
        const source = loadConfig(dir, { overrides: editor });
        warnings.push(...source.warnings);
        resolved = source.file ? { settings: source.settings, file: source.file } : { settings: source.settings };
      } catch (e) {
        // A broken pyproject must not switch the analysis off: tell the user once, go on with
        // the editor settings over the defaults.
        const reason = String((e as Error)?.message ?? e);
        // window/showMessage (a notification), not showMessageRequest: there is nothing to answer.
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
