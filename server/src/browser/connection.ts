// The `vscode-languageserver/node` of the web worker (substituted by scripts/bundle.mjs): the same
// API over the worker's postMessage channel. Before the server's own initialize handler runs,
// it takes from `initializationOptions` what a worker cannot find by itself: where the wasm
// files are, and the workspace files the client read (see ../protocol BrowserInitializationOptions).
// A saved document's text replaces that copy, so a later scan or index update reads what was saved.

import {
  BrowserMessageReader,
  BrowserMessageWriter,
  createConnection as createBrowserConnection,
  type ProposedFeatures,
  type Connection,
  type InitializeParams,
  type ServerRequestHandler,
  type InitializeResult,
  type InitializeError,
} from 'vscode-languageserver/browser';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { BrowserInitializationOptions } from '../protocol';
import { addFile } from './fs';
import { configureAssets } from './platform';
import { fileURLToPath } from './url';

export * from 'vscode-languageserver/browser';

type InitializeHandler = ServerRequestHandler<InitializeParams, InitializeResult, never, InitializeError>;

/** Open documents' texts, kept here only to refresh the in-memory copy on save. */
const open = new Map<string, TextDocument>();

function loadOptions(params: InitializeParams): void {
  const options = (params.initializationOptions ?? {}) as Partial<BrowserInitializationOptions>;
  if (options.assets) configureAssets(options.assets);
  for (const file of options.files ?? []) {
    if (file.uri.startsWith('file:')) addFile(fileURLToPath(file.uri), file.text);
  }
}

/** Called by server.ts as `createConnection(ProposedFeatures.all)`. */
export function createConnection(features: typeof ProposedFeatures.all): Connection {
  const connection = createBrowserConnection(features, new BrowserMessageReader(self), new BrowserMessageWriter(self));
  const onInitialize = connection.onInitialize.bind(connection);
  connection.onInitialize = (handler: InitializeHandler) =>
    onInitialize((params, token, workDone) => {
      loadOptions(params);
      return handler(params, token, workDone);
    });
  // Each registration is wrapped, never replaced: the server's handler still runs.
  const onDidOpen = connection.onDidOpenTextDocument.bind(connection);
  connection.onDidOpenTextDocument = (handler) => onDidOpen((params) => {
    const { uri, languageId, version, text } = params.textDocument;
    open.set(uri, TextDocument.create(uri, languageId, version, text));
    return handler(params);
  });
  const onDidChange = connection.onDidChangeTextDocument.bind(connection);
  connection.onDidChangeTextDocument = (handler) => onDidChange((params) => {
    const doc = open.get(params.textDocument.uri);
    if (doc) TextDocument.update(doc, params.contentChanges, params.textDocument.version);
    return handler(params);
  });
  const onDidSave = connection.onDidSaveTextDocument.bind(connection);
  connection.onDidSaveTextDocument = (handler) => onDidSave((params) => {
    const doc = open.get(params.textDocument.uri);
    if (doc && doc.uri.startsWith('file:')) addFile(fileURLToPath(doc.uri), doc.getText());
    return handler(params);
  });
  const onDidClose = connection.onDidCloseTextDocument.bind(connection);
  connection.onDidCloseTextDocument = (handler) => onDidClose((params) => {
    open.delete(params.textDocument.uri);
    return handler(params);
  });
  return connection;
}
