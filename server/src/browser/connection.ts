// The `vscode-languageserver/node` of the web worker (substituted by scripts/bundle.mjs): the same
// API over the worker's postMessage channel. Before the server's own initialize handler runs,
// it takes from `initializationOptions` what a worker cannot find by itself: where the wasm
// files are, and the workspace files the client read (see ../protocol BrowserInitializationOptions).

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
import type { BrowserInitializationOptions } from '../protocol';
import { addFile } from './fs';
import { configureAssets } from './platform';
import { fileURLToPath } from './url';

export * from 'vscode-languageserver/browser';

type InitializeHandler = ServerRequestHandler<InitializeParams, InitializeResult, never, InitializeError>;

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
  return connection;
}
