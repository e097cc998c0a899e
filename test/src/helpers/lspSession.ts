// What the protocol test files (lsp*.test.ts) share: a describe-scoped session that starts servers
// with a short debounce, writes workspaces under one temporary folder and stops every server after
// each test, plus small diagnostic helpers and the smoke sample's anchor lines.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CodeAction, Command, Diagnostic, Range } from 'vscode-languageserver-protocol';
import { writeTree } from './cliTree';
import { LspClient, type ClientOptions } from './lspClient';

/** 0-based lines of the smoke sample's anchors (RULES.md: DG101 on `get_item`, DG102 on the def). */
export const GET_ITEM_LINE = 6;
export const DEF_LINE = 5;

export const isAction = (a: CodeAction | Command): a is CodeAction => !('command' in a && typeof a.command === 'string');
export const byCode = (items: Diagnostic[], code: string) => items.filter((d) => d.code === code);
export const endOfLine = (text: string, line: number): Range => {
  const len = text.split('\n')[line]!.length;
  return { start: { line, character: len }, end: { line, character: len } };
};

export interface LspSession {
  /** The session's temporary folder (set once its `before` hook has run). */
  readonly tmp: string;
  start(options?: ClientOptions): Promise<LspClient>;
  /** Write `files` (relative path -> text) under `tmp/name` and return that folder. */
  workspace(name: string, files: Record<string, string>): string;
  /** Stop tracking a client the test stops itself. */
  release(client: LspClient): void;
}

/** Call inside a `describe`: registers the hooks that create and clean up the session. */
export function lspSession(prefix = 'dg-lsp-'): LspSession {
  const clients: LspClient[] = [];
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
  });
  return {
    get tmp() {
      return tmp;
    },
    async start(options: ClientOptions = {}) {
      const client = await LspClient.start({ ...options, settings: { debounceMs: 50, ...(options.settings ?? {}) } });
      clients.push(client);
      return client;
    },
    workspace(name, files) {
      const root = path.join(tmp, name);
      writeTree(root, files);
      return root;
    },
    release(client) {
      clients.splice(clients.indexOf(client), 1);
    },
  };
}
