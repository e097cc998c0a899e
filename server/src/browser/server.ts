// Entry point of the language server in a web worker (vscode.dev, github.dev): the same server as
// server/src/server.ts, bundled by scripts/bundle.mjs with Node's modules substituted by this
// folder's (connection, fs, url, platform) and path-browserify. Order matters: globals first.

import './globals';
import '../server';
