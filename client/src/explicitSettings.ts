// Shared by the Node and browser clients.

import * as vscode from 'vscode';
import type { LanguageClientOptions } from 'vscode-languageclient/browser';
import { Names } from '../../server/out/protocol';

/**
 * Answer `workspace/configuration` for our section with the settings the user actually set
 * (user, workspace, folder or language level), not VS Code's defaults: with the default
 * `configurationPreference` (editorFirst) an editor value wins over pyproject.toml, and a
 * default nobody chose must not.
 */
export const explicitSettingsOnly: NonNullable<NonNullable<LanguageClientOptions['middleware']>['workspace']>['configuration'] = async (params, token, next) => {
  const result = await next(params, token);
  if (!Array.isArray(result)) return result;
  return params.items.map((item, i) => {
    if (item.section !== Names.settingsSection) return result[i];
    const config = vscode.workspace.getConfiguration(Names.settingsSection, item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined);
    const explicit: Record<string, unknown> = {};
    for (const key of Object.keys(config)) {
      if (typeof (config as unknown as Record<string, unknown>)[key] === 'function') continue;
      const inspected = config.inspect(key);
      const set = [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue, inspected?.globalLanguageValue, inspected?.workspaceLanguageValue, inspected?.workspaceFolderLanguageValue].some((v) => v !== undefined);
      if (set) explicit[key] = config.get(key);
    }
    return explicit;
  });
};
