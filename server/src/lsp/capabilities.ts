// What the client can do, and what we therefore announce and register.

import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { CODE_ACTION_KINDS } from './codeActions';
import { NOTEBOOK_SYNC } from './notebooks';
import { SETTINGS_SECTION } from './settings';

export interface ClientFeatures {
  /** `textDocument/diagnostic`: the client pulls diagnostics, we do not push them for open files. */
  pullDiagnostics: boolean;
  /** `workspace/diagnostic/refresh`. */
  diagnosticRefresh: boolean;
  /** `workspace/configuration`. */
  configuration: boolean;
  dynamicConfigurationChange: boolean;
  dynamicWatchedFiles: boolean;
  workspaceFolders: boolean;
  /** Versioned edits (`documentChanges`) in WorkspaceEdit. */
  documentChanges: boolean;
}

export function clientFeatures(caps: ClientCapabilities): ClientFeatures {
  return {
    pullDiagnostics: !!caps.textDocument?.diagnostic,
    diagnosticRefresh: !!caps.workspace?.diagnostics?.refreshSupport,
    configuration: !!caps.workspace?.configuration,
    dynamicConfigurationChange: !!caps.workspace?.didChangeConfiguration?.dynamicRegistration,
    dynamicWatchedFiles: !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration,
    workspaceFolders: !!caps.workspace?.workspaceFolders,
    documentChanges: !!caps.workspace?.workspaceEdit?.documentChanges,
  };
}

export function serverCapabilities(features: ClientFeatures): ServerCapabilities {
  const caps: ServerCapabilities = {
    textDocumentSync: {
      openClose: true,
      change: TextDocumentSyncKind.Incremental,
      save: { includeText: false },
    },
    codeActionProvider: { codeActionKinds: CODE_ACTION_KINDS, resolveProvider: false },
    notebookDocumentSync: NOTEBOOK_SYNC,
    workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    // No executeCommandProvider on purpose: dynamoGuard.showDocumentation is implemented by the
    // VS Code client, and announcing it here would make vscode-languageclient register it twice.
  };
  if (features.pullDiagnostics) {
    caps.diagnosticProvider = { interFileDependencies: false, workspaceDiagnostics: false };
  }
  return caps;
}

/** Registrations that must wait for `initialized`. */
export async function registerDynamic(connection: Connection, features: ClientFeatures): Promise<void> {
  if (features.dynamicConfigurationChange) {
    await connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
  }
  if (features.dynamicWatchedFiles) {
    // pyproject.toml: project settings; *.py: the cross-file index follows changes made outside the editor.
    await connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/pyproject.toml' }, { globPattern: '**/*.py' }],
    });
  }
}
