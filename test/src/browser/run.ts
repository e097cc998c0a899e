// `npm run test:browser` (after `npm run bundle`): the web extension's language server
// (dist/browser/server.js) in a real browser. Serves a page of our own on 127.0.0.1 that starts
// the bundle in a Worker, drives headless Debian chromium with playwright-core, and speaks LSP to
// the worker through the page: the example app's files (sent the way the web client sends them,
// in initializationOptions) must get exactly the diagnostics, quick fixes, fix-all edits,
// workspace-scan counts and SARIF export that the Node server gives over stdio. Exits non-zero on any difference.
//
// DG_E2E_CHROMIUM points at another chromium binary.

import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  AbstractMessageReader,
  AbstractMessageWriter,
  createMessageConnection,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageConnection,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { DocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { converse, pythonFiles, type Conversation } from './lspDrive';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(REPO_ROOT, 'dist');
const EXAMPLES = path.join(REPO_ROOT, 'examples');
const CHROMIUM_BIN = process.env['DG_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const TIMEOUT_MS = 120000;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>DynamoGuard web worker server</title>
<script>
  // Relay only: the test speaks LSP, the page carries messages to and from the worker.
  const worker = new Worker('/dist/browser/server.js', { name: 'DynamoGuard language server' });
  worker.onmessage = (e) => window.dgFromWorker(e.data);
  worker.onerror = (e) => window.dgWorkerError(String(e.message || e));
  window.dgToWorker = (message) => worker.postMessage(message);
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.md': 'text/markdown', '.map': 'application/json' };

/** The page, and dist/ below /dist/; nothing else. */
function serve(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname.replace(/^\/dist\//, ''))));
    if (!url.pathname.startsWith('/dist/') || !file.startsWith(DIST + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** JSON-RPC messages to and from the worker, through the page. */
class PageReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | undefined;
  private readonly early: Message[] = [];

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.early.splice(0)) callback(m);
    return { dispose: () => (this.callback = undefined) };
  }

  push(message: Message): void {
    if (this.callback) this.callback(message);
    else this.early.push(message);
  }
}

class PageWriter extends AbstractMessageWriter implements MessageWriter {
  /** page.evaluate calls are chained so the worker receives messages in the order written. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly page: Page) {
    super();
  }

  write(message: Message): Promise<void> {
    this.queue = this.queue.then(() => this.page.evaluate((m) => (globalThis as unknown as { dgToWorker(m: unknown): void }).dgToWorker(m), message as unknown as Record<string, unknown>));
    return this.queue.then(() => undefined);
  }

  end(): void {}
}

async function browserConversation(browser: Browser, origin: string): Promise<Conversation> {
  const page = await browser.newPage();
  const workerErrors: string[] = [];
  page.on('pageerror', (e) => workerErrors.push(e.message));
  const reader = new PageReader();
  await page.exposeFunction('dgFromWorker', (m: Message) => reader.push(m));
  await page.exposeFunction('dgWorkerError', (m: string) => workerErrors.push(m));
  await page.goto(`${origin}/`);
  const conn = createMessageConnection(reader, new PageWriter(page));
  // What client/src/browserExtension.ts sends: asset URLs inside the extension, workspace files.
  const initializationOptions = {
    assets: {
      'tree-sitter.wasm': `${origin}/dist/tree-sitter.wasm`,
      'tree-sitter-python.wasm': `${origin}/dist/tree-sitter-python.wasm`,
      ruleDocs: `${origin}/dist/docs/rules`,
    },
    files: pythonFiles(EXAMPLES).map((f) => ({ uri: new URL(`file://${f}`).toString(), text: fs.readFileSync(f, 'utf8') })),
  };
  try {
    return await converse(conn, EXAMPLES, initializationOptions, savedTextIsScanned);
  } finally {
    conn.dispose();
    assert.deepStrictEqual(workerErrors, [], 'the worker reported errors');
  }
}

/**
 * The worker has no disk: a saved buffer must replace its copy of the file, so that closing it and
 * scanning again reads what was saved (here: a file-level suppression removes v1.py's findings).
 */
async function savedTextIsScanned(conn: MessageConnection): Promise<void> {
  const scan = () => conn.sendRequest<{ findings: number }>('dynamoGuard/scanWorkspace', { id: 'after-save' });
  const file = path.join(EXAMPLES, 'fastapi_app', 'v1.py');
  const uri = new URL(`file://${file}`).toString();
  const before = (await scan()).findings;
  const inV1 = (await conn.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } })) as { items: unknown[] };
  assert.ok(inV1.items.length > 0, 'v1.py should have findings');
  const lines = fs.readFileSync(file, 'utf8').split('\n').length;
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: lines - 1, character: 0 }, end: { line: lines - 1, character: 0 } }, text: '# dynamo-guard: ignore-file\n' }],
  });
  await conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  const after = (await scan()).findings;
  assert.strictEqual(after, before - inV1.items.length, `scan after saving v1.py with ignore-file: ${after} findings, expected ${before} - ${inV1.items.length}`);
}

async function nodeConversation(): Promise<Conversation> {
  const proc = spawn(process.execPath, [path.join(DIST, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  try {
    return await converse(conn, EXAMPLES, {});
  } finally {
    conn.dispose();
    proc.kill();
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  for (const f of ['browser/server.js', 'server.js', 'tree-sitter.wasm', 'tree-sitter-python.wasm']) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`dist/${f} not found: run npm run bundle`);
  }
  if (!fs.existsSync(CHROMIUM_BIN)) throw new Error(`${CHROMIUM_BIN} not found: apt-get install chromium (test/e2e/setup.sh does)`);
  const server = await serve();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });
  try {
    let t = Date.now();
    const node = await withTimeout(nodeConversation(), 'the Node server');
    const nodeMs = Date.now() - t;
    t = Date.now();
    const web = await withTimeout(browserConversation(browser, origin), 'the web worker server');
    const webMs = Date.now() - t;

    const count = (c: Conversation) => Object.values(c.diagnostics).reduce((n, d) => n + d.length, 0);
    assert.ok(count(node) >= 10, `the example app should have findings; the Node server gave ${count(node)}`);
    assert.ok(Object.keys(node.quickFixes).length > 0, 'the Node server offered no quick fix');
    assert.deepStrictEqual(web.diagnostics, node.diagnostics, 'diagnostics differ between the web worker and the Node server');
    assert.deepStrictEqual(web.quickFixes, node.quickFixes, 'quick fixes differ');
    assert.deepStrictEqual(web.fixAll, node.fixAll, 'fix-all edits differ');
    assert.deepStrictEqual(web.scan, node.scan, 'workspace scan counts differ');
    assert.strictEqual(node.sarifResults.length, node.scan.findings);
    assert.deepStrictEqual(web.sarifResults, node.sarifResults, 'SARIF export differs');
    assert.deepStrictEqual(web.errors, [], 'the web worker server logged errors');
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.deepStrictEqual([web.version, node.version], [version, version], 'debug info names the product version on both servers');
    console.log(
      `browser: ${count(web)} diagnostics in ${Object.keys(web.diagnostics).length} files, ${Object.keys(web.quickFixes).length} quick-fix lists, ` +
        `scan ${web.scan.files} files/${web.scan.findings} findings, SARIF ${web.sarifResults.length} results: identical to the Node server ` +
        `(conversation ${(webMs / 1000).toFixed(1)} s in chromium vs ${(nodeMs / 1000).toFixed(1)} s on Node)`,
    );
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exit(1);
});
