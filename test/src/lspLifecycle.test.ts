// The server's lifecycle and limits over real LSP stdio: errors before `initialize` and after
// `shutdown`, exit codes, settings pushed flat or nested and before initialization, Restricted
// Mode limits that configuration cannot lift, the per-file time budget, a quiet restart, and
// requests answered while a long analysis is under way.

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { Notifications, type StatusParams } from '../../server/out/protocol';
import { delay, fileUri, LspClient } from './helpers/lspClient';
import { SMOKE_SAMPLE, writeTree } from './helpers/cliTree';
import { JWT_AUTH } from './helpers/pySamples';

const SMOKE = SMOKE_SAMPLE;

/** Over 1 MB of leading comments (trailing ones after an indented block make tree-sitter's scanner quadratic). */
const PADDING = '# padding padding padding padding padding padding padding padding padding\n'.repeat(15000);

const uriOf = (name: string) => fileUri(path.join(os.tmpdir(), 'dg-lifecycle', name));
const codes = (items: Diagnostic[]) => [...new Set(items.map((d) => String(d.code)))].sort();

/** Many small handlers: enough work that a 1 ms budget or a time slice is always exceeded. */
function manyHandlers(n: number): string {
  const lines = ['import boto3', 'from flask import Flask', 'app = Flask(__name__)', 'table = boto3.resource("dynamodb").Table("users")', ''];
  for (let i = 0; i < n; i++) {
    lines.push(`@app.route("/u${i}/<user_id>")`, `def get_user_${i}(user_id):`, `    item = table.get_item(Key={"user_id": user_id})["Item"]`, `    return {"id": item["user_id"], "n": ${i}}`, '');
  }
  return lines.join('\n');
}

function exitCode(client: LspClient): Promise<number | null> {
  if (client.proc.exitCode !== null) return Promise.resolve(client.proc.exitCode);
  return new Promise((resolve) => client.proc.once('exit', (code) => resolve(code)));
}

async function rpcError(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: number; message: string };
  }
  assert.fail('expected an error response');
}

describe('language server lifecycle and limits (LSP over stdio)', function () {
  this.timeout(30000);
  const clients: LspClient[] = [];
  const track = (c: LspClient) => (clients.push(c), c);
  afterEach(async () => {
    for (const c of clients.splice(0)) if (c.alive) c.proc.kill();
  });

  it('answers requests before initialize with ServerNotInitialized (-32002) and drops notifications', async () => {
    const client = track(LspClient.spawn());
    const uri = uriOf('early.py');
    const err = await rpcError(client.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } }));
    assert.equal(err.code, -32002);
    assert.equal((await rpcError(client.conn.sendRequest('dynamoGuard/unknown', {}))).code, -32002);
    assert.equal((await rpcError(client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }))).code, -32002);
    client.open(uri, SMOKE); // dropped: the document is not known after initialize
    await client.initialize();
    const report = await client.pull(uri);
    assert.deepEqual(report, { kind: 'full', items: [] });
    client.open(uri, SMOKE);
    assert.ok(codes(await client.diagnostics(uri)).includes('DG101'));
    assert.equal(client.stderr, '');
  });

  it('answers requests after shutdown with InvalidRequest, then exits 0 on exit', async () => {
    const client = track(await LspClient.start());
    const uri = uriOf('late.py');
    client.open(uri, SMOKE);
    await client.diagnostics(uri);
    await client.conn.sendRequest('shutdown');
    assert.equal((await rpcError(client.pull(uri))).code, -32600);
    assert.equal((await rpcError(client.conn.sendRequest('dynamoGuard/unknown', {}))).code, -32600);
    const code = exitCode(client);
    await client.conn.sendNotification('exit');
    assert.equal(await code, 0);
  });

  it('exits 1 on exit without shutdown; an unknown method gets MethodNotFound while running', async () => {
    const client = track(await LspClient.start());
    assert.equal((await rpcError(client.conn.sendRequest('dynamoGuard/unknown', {}))).code, -32601);
    const code = exitCode(client);
    await client.conn.sendNotification('exit');
    assert.equal(await code, 1);
  });

  it('a normal stop (shutdown + exit with a pull in flight) logs no error', async () => {
    const client = track(await LspClient.start());
    const uri = uriOf('restart.py');
    client.open(uri, manyHandlers(40));
    await client.diagnostics(uri);
    client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#' }]);
    void client.pull(uri).catch(() => undefined);
    assert.equal(await client.stop(), 0);
    const errors = client.all<{ type: number; message: string }>('window/logMessage').filter((m) => m.type === 1);
    assert.deepEqual(errors, []);
    assert.equal(client.stderr, '');
  });

  for (const [name, settings] of [
    ['flat', { select: ['DG102'] }],
    ['nested under dynamoGuard', { dynamoGuard: { select: ['DG102'] } }],
  ] as const) {
    it(`initializationOptions.settings ${name} is applied (with and without workspace/configuration)`, async () => {
      for (const configuration of [true, false]) {
        const client = track(await LspClient.start({ configuration, initializationOptions: { settings } }));
        const uri = uriOf(`init-${configuration}.py`);
        client.open(uri, SMOKE);
        assert.deepEqual(codes(await client.diagnostics(uri)), ['DG102'], `configuration capability: ${configuration}`);
        await client.stop();
      }
    });
  }

  it('settings sent before initialization are not dropped', async () => {
    const client = track(LspClient.spawn({ configuration: false }));
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { dynamoGuard: { select: ['DG102'] } } });
    await client.initialize();
    const uri = uriOf('early-settings.py');
    client.open(uri, SMOKE);
    assert.deepEqual(codes(await client.diagnostics(uri)), ['DG102']);
  });

  it('Restricted Mode keeps the file-size cap that configuration tries to lift, until the workspace is trusted', async () => {
    // Over the 1024 KB Restricted Mode cap.
    const big = PADDING + SMOKE;
    const client = track(await LspClient.start({ initializationOptions: { trusted: false }, settings: { maxFileSizeKb: 0 } }));
    const uri = uriOf('big.py');
    const since = client.mark();
    client.open(uri, big);
    assert.deepEqual(await client.diagnostics(uri), []);
    const status = await client.waitFor<StatusParams>(Notifications.status, (p) => p.uri === uri, { since });
    assert.match(status.message ?? '', /over the 1024 KB limit/);
    await client.conn.sendNotification(Notifications.trust, { trusted: true });
    await client.waitFor<StatusParams>(Notifications.status, (p) => p.uri === uri && !p.message, { since, timeoutMs: 20000 });
    assert.ok(codes(await client.diagnostics(uri)).includes('DG101'));
  });

  it('a trusted workspace may lift the cap (maxFileSizeKb = 0)', async () => {
    const big = PADDING + SMOKE;
    const client = track(await LspClient.start({ settings: { maxFileSizeKb: 0 } }));
    const uri = uriOf('big-trusted.py');
    client.open(uri, big);
    assert.ok(codes(await client.diagnostics(uri)).includes('DG101'));
  });

  it('stops an analysis over the per-file time budget with one clear diagnostic and a log entry', async () => {
    const client = track(await LspClient.start({ env: { DG_TEST_TIME_BUDGET_MS: '1' } }));
    const uri = uriOf('budget.py');
    client.open(uri, manyHandlers(60));
    const items = await client.diagnostics(uri);
    assert.equal(items.length, 1);
    assert.match(items[0]!.message, /time budget/);
    assert.equal(items[0]!.range.start.line, 0);
    const logged = await client.waitFor<{ message: string }>('window/logMessage', (m) => /time budget/.test(m.message));
    assert.match(logged.message, /budget\.py/);
  });

  it('answers a code action at once while a long analysis runs (analysis in time slices)', async () => {
    const client = track(await LspClient.start({ settings: { debounceMs: 0 } }));
    const big = uriOf('long.py');
    const small = uriOf('small.py');
    client.open(small, SMOKE);
    await client.diagnostics(small);
    client.open(big, manyHandlers(600));
    // Both the pull of the big file and a request about the small one are in flight: the small
    // one's answer must not wait for the big analysis to end.
    let bigDone = false;
    const bigPull = client.diagnostics(big).then((items) => ((bigDone = true), items));
    await delay(30);
    const range = { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } };
    await client.codeActions(small, range, []);
    assert.equal(bigDone, false, 'the code action was answered only after the long analysis');
    assert.ok((await bigPull).length > 0);
  });

  describe('a half-built workspace index shows no false findings', () => {
    const AUTH = JWT_AUTH;
    const MAIN = [
      'import boto3',
      'from fastapi import Depends, FastAPI',
      'from app.security import who_is_calling',
      '',
      'app = FastAPI()',
      'products = boto3.resource("dynamodb").Table("products")',
      '',
      '@app.get("/products/{sku}")',
      'def read_product(sku: str, caller: dict = Depends(who_is_calling)):',
      // DG201 (a whole catalogue item, no projection) does not depend on the index; DG102 without
      // the index would be false.
      '    return products.get_item(Key={"sku": sku})["Item"]',
      '',
    ].join('\n');
    function project(name: string): string {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `dg-index-${name}-`));
      const files: Record<string, string> = { 'app/__init__.py': '', 'app/security.py': AUTH, 'app/main.py': MAIN, 'app/util_a.py': 'X = 1\n', 'app/util_b.py': 'Y = 2\n' };
      writeTree(root, files);
      return root;
    }

    it('control: without the index the imported auth function is unknown (DG102), so the test can fail', async () => {
      const client = track(await LspClient.start());
      const uri = uriOf('main-alone.py');
      client.open(uri, MAIN);
      assert.deepEqual(codes(await client.diagnostics(uri)), ['DG102', 'DG201']);
    });

    it('waits for an index that completes within the bound: the first pull is already right', async () => {
      const root = project('fast');
      const client = track(await LspClient.start({ folders: [root], env: { DG_TEST_INDEX_DELAY_MS: '100' } }));
      const uri = fileUri(path.join(root, 'app', 'main.py'));
      client.open(uri, MAIN);
      assert.deepEqual(codes(await client.diagnostics(uri)), ['DG201']);
    });

    it('marks the file pending while a slow index builds, then refreshes with the real findings', async () => {
      const root = project('slow');
      const client = track(await LspClient.start({ folders: [root], env: { DG_TEST_INDEX_DELAY_MS: '800' } }));
      const uri = fileUri(path.join(root, 'app', 'main.py'));
      const since = client.mark();
      client.open(uri, MAIN);
      const first = await client.pull(uri);
      assert.equal(first.kind, 'full');
      assert.deepEqual(first.kind === 'full' ? first.items : undefined, [], 'no false DG102 while indexing');
      const status = await client.waitFor<StatusParams>(Notifications.status, (p) => p.uri === uri, { since });
      assert.match(status.message ?? '', /waiting for the workspace index/);
      await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since, timeoutMs: 15000 });
      const report = await client.pull(uri, first.resultId);
      assert.equal(report.kind, 'full', 'the refresh brings a new result');
      assert.deepEqual(codes(report.kind === 'full' ? report.items : []), ['DG201']);
    });
  });
});
