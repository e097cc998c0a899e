// Protocol tests for the language server: a real `node server/out/server.js --stdio` process,
// driven over JSON-RPC the way an editor would. Tests that assert findings (DG101...) depend on
// the analyzer's rules; the others check the protocol behaviour on its own. Code actions are in
// lspCodeActions.test.ts, workspace scans, the workspace index and project settings in
// lspWorkspace.test.ts.

import { strict as assert } from 'assert';
import * as path from 'path';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { Notifications, type StatusParams } from '../../server/out/protocol';
import { applyTextEdits, delay, fileUri } from './helpers/lspClient';
import { byCode, DEF_LINE, endOfLine, GET_ITEM_LINE, lspSession } from './helpers/lspSession';
import { CLEAN_SAMPLE, SMOKE_SAMPLE } from './helpers/cliTree';

const SMOKE = SMOKE_SAMPLE;
const CLEAN = CLEAN_SAMPLE;

/** The fuzz test's second half (repository-style creates, DG301; what it reports does not matter, only that it is stable). */
const SCRIPT_UPDATE = [
  'import boto3',
  'table = boto3.resource("dynamodb").Table("orders")',
  '',
  '',
  'def create_order(order_id):',
  '    table.put_item(Item={"order_id": order_id})',
  '',
  '',
  'def add_line(order_id, sku):',
  '    table.put_item(Item={"order_id": order_id, "sku": sku})',
  '',
  '',
  'def register_coupon(code):',
  '    table.put_item(Item={"order_id": code})',
  '',
].join('\n');

describe('language server (LSP over stdio)', function () {
  this.timeout(20000);
  const session = lspSession();
  const { start } = session;

  describe('lifecycle and capabilities', () => {
    it('announces incremental sync, pull diagnostics and code action kinds', async () => {
      const client = await start();
      const caps = client.initializeResult.capabilities;
      const sync = caps.textDocumentSync;
      assert.ok(sync && typeof sync === 'object', 'textDocumentSync options');
      assert.equal(sync.change, 2, 'TextDocumentSyncKind.Incremental');
      assert.equal(sync.openClose, true);
      assert.ok(sync.save, 'save notifications requested');
      assert.deepEqual(caps.diagnosticProvider, { interFileDependencies: false, workspaceDiagnostics: false });
      const kinds = typeof caps.codeActionProvider === 'object' ? caps.codeActionProvider.codeActionKinds : undefined;
      assert.ok(kinds?.includes('quickfix'), 'quickfix');
      assert.ok(kinds?.includes('source.fixAll.dynamoGuard'), 'source.fixAll.dynamoGuard');
      assert.equal(caps.executeCommandProvider, undefined, 'the client implements dynamoGuard.showDocumentation');
    });

    it('watches pyproject.toml and Python files through dynamic registration', async () => {
      const client = await start();
      const reg = await client.waitFor<{ registrations: Array<{ method: string; registerOptions: any }> }>('request:client/registerCapability', (p) =>
        p.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'),
      );
      const watched = reg.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')!;
      assert.deepEqual(watched.registerOptions.watchers.map((w: { globPattern: string }) => w.globPattern).sort(), ['**/*.py', '**/pyproject.toml']);
    });

    it('does not announce pull diagnostics to a client without textDocument.diagnostic', async () => {
      const client = await start({ pull: false });
      assert.equal(client.initializeResult.capabilities.diagnosticProvider, undefined);
    });

    it('shuts down cleanly on shutdown + exit', async () => {
      const client = await start();
      session.release(client);
      assert.equal(await client.stop(), 0);
    });
  });

  describe('pull diagnostics', () => {
    it('reports DG101 with source, code, codeDescription and DG102 with related information', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'pull', 'smoke.py'));
      client.open(uri, SMOKE);
      const items = await client.diagnostics(uri);
      const dg101 = byCode(items, 'DG101');
      assert.equal(dg101.length, 1, JSON.stringify(items));
      assert.equal(dg101[0]!.source, 'DynamoGuard');
      assert.equal(dg101[0]!.severity, 1);
      assert.equal(dg101[0]!.range.start.line, GET_ITEM_LINE);
      assert.match(dg101[0]!.codeDescription!.href, /DG101\.md$/);
      const dg102 = byCode(items, 'DG102');
      assert.equal(dg102.length, 1);
      assert.equal(dg102[0]!.severity, 2);
      assert.equal(dg102[0]!.range.start.line, DEF_LINE);
      assert.ok(dg102[0]!.relatedInformation?.every((r) => r.location.uri === uri), 'related locations point into the document');
    });

    it('answers unchanged for an unchanged document and sends a status notification', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'pull', 'unchanged.py'));
      client.open(uri, CLEAN);
      const first = await client.pull(uri);
      assert.equal(first.kind, 'full');
      assert.ok(first.resultId, 'a resultId to come back with');
      const second = await client.pull(uri, first.resultId);
      assert.deepEqual(second, { kind: 'unchanged', resultId: first.resultId });
      const status = await client.waitFor<StatusParams>(Notifications.status, (s) => s.uri === uri);
      assert.equal(status.findings, 0);
      assert.equal(typeof status.durationMs, 'number');
      assert.equal(status.message, undefined);
    });

    it('follows incremental edits: a suppression comment added by a range edit removes DG101', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'pull', 'edit.py'));
      client.open(uri, SMOKE);
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 1);
      client.change(uri, [{ range: endOfLine(SMOKE, GET_ITEM_LINE), text: '  # dynamo-guard: ignore[DG101]' }]);
      const after = await client.diagnostics(uri);
      assert.equal(byCode(after, 'DG101').length, 0, JSON.stringify(after));
      assert.equal(byCode(after, 'DG102').length, 1, 'other findings stay');
    });

    it('gives the same diagnostics after many incremental edits as for the same text opened fresh', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'pull', 'fuzz.py'));
      let text = SMOKE + '\n' + SCRIPT_UPDATE;
      client.open(uri, text);
      let seed = 42;
      const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
      // Mostly harmless edits (lines move, columns shift, non-BMP text) with the odd breaking one.
      const snippets = ['', ' ', '\n', '\n\n', '# c\n', 'x = 1\n', '\u00e9\ud83d\ude00', '(', 'user_id'];
      let checked = 0;
      let nonEmpty = 0;
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 4; i++) {
          const lines = text.split('\n');
          const line = rand(lines.length);
          const character = rand(lines[line]!.length + 1);
          const end = { line, character: Math.min(lines[line]!.length, character + rand(3)) };
          const range = { start: { line, character }, end };
          const insert = snippets[rand(snippets.length)]!;
          text = applyTextEdits(text, [{ range, newText: insert }]);
          client.change(uri, [{ range, text: insert }]);
        }
        const incremental = await client.diagnostics(uri);
        const fresh = fileUri(path.join(session.tmp, 'pull', `fuzz-${round}.py`));
        client.open(fresh, text);
        const expected = await client.diagnostics(fresh);
        client.close(fresh);
        const strip = (ds: Diagnostic[]) => ds.map((d) => ({ code: d.code, range: d.range, message: d.message }));
        assert.deepEqual(strip(incremental), strip(expected), `round ${round}:\n${text}`);
        checked++;
        if (expected.length > 0) nonEmpty++;
      }
      assert.equal(checked, 6);
      assert.ok(nonEmpty >= 3, `most rounds still have findings to compare (${nonEmpty})`);
      // The incremental parse must have followed every edit without being rebuilt from scratch.
      const logs = client.all<{ message: string }>('window/logMessage').map((m) => m.message);
      assert.deepEqual(logs.filter((m) => /diverged|failed|threw/.test(m)), []);
      assert.ok(client.alive);
    });

    it('debounces: a burst of changes is analysed once', async () => {
      const client = await start({ settings: { debounceMs: 150 } });
      const uri = fileUri(path.join(session.tmp, 'pull', 'burst.py'));
      client.open(uri, CLEAN);
      await client.pull(uri);
      const mark = client.mark();
      for (let i = 0; i < 5; i++) client.change(uri, [{ range: endOfLine(CLEAN, 1), text: ` + ${i}` }]);
      const report = await client.pull(uri);
      assert.equal(report.kind, 'full', 'the text changed, so a new result');
      await delay(300);
      assert.equal(client.all<StatusParams>(Notifications.status, mark).filter((s) => s.uri === uri).length, 1);
    });

    it('a pull waits for the debounce and honours cancellation', async () => {
      const client = await start({ settings: { debounceMs: 5000 } });
      const uri = fileUri(path.join(session.tmp, 'pull', 'slow.py'));
      client.open(uri, CLEAN);
      await client.pull(uri);
      client.change(uri, [{ range: endOfLine(CLEAN, 1), text: ' + 1' }]);
      const source = client.cancellation();
      const pending = client.pull(uri, undefined, source.token);
      await delay(100);
      source.cancel();
      await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
      const other = fileUri(path.join(session.tmp, 'pull', 'other.py'));
      client.open(other, CLEAN);
      assert.equal((await client.pull(other)).kind, 'full', 'still serving');
    });

    it('onSave mode: edits are not analysed until saved, and saving asks the client to refresh', async () => {
      const client = await start({ settings: { run: 'onSave' } });
      const uri = fileUri(path.join(session.tmp, 'pull', 'onsave.py'));
      client.open(uri, CLEAN);
      await client.waitFor<StatusParams>(Notifications.status, (s) => s.uri === uri);
      const mark = client.mark();
      client.change(uri, [{ range: endOfLine(CLEAN, 1), text: ' + 1' }]);
      await client.pull(uri);
      await delay(150);
      assert.equal(client.all<StatusParams>(Notifications.status, mark).filter((s) => s.uri === uri).length, 0, 'no analysis on type');
      client.save(uri);
      await client.waitFor(Notifications.status, (s: StatusParams) => s.uri === uri, { since: mark });
      await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since: mark });
    });

    it('switching to run=onSave keeps the saved result until the next save', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'pull', 'switch.py'));
      client.open(uri, SMOKE);
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 1);
      const mark = client.mark();
      await client.configure({ run: 'onSave' });
      // The server re-reads the settings, re-analyses, then asks for a refresh; a client re-pulls.
      await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since: mark });
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 1);
      client.change(uri, [{ range: endOfLine(SMOKE, GET_ITEM_LINE), text: '  # dynamo-guard: ignore[DG101]' }]);
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 1, 'not re-analysed before saving');
      const saved = client.mark();
      client.save(uri);
      await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since: saved });
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 0);
    });
  });

  describe('robustness', () => {
    it('survives a syntax error mid-edit', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'robust', 'broken.py'));
      client.open(uri, 'def f(:\n');
      assert.equal((await client.pull(uri)).kind, 'full');
      client.change(uri, [{ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } }, text: '\n  ]]] """' }]);
      client.change(uri, [{ text: SMOKE.replace('def get_user(user_id):', 'def get_user(user_id:') }]);
      assert.equal((await client.pull(uri)).kind, 'full');
      const other = fileUri(path.join(session.tmp, 'robust', 'fine.py'));
      client.open(other, CLEAN);
      assert.equal((await client.pull(other)).kind, 'full');
      assert.ok(client.alive);
    });

    it('does not analyse binary or oversized buffers, says why once, and keeps serving', async () => {
      const client = await start();
      const binary = fileUri(path.join(session.tmp, 'robust', 'binary.py'));
      client.open(binary, 'x = 1\n\u0000\u0001\u0002garbage\n');
      assert.deepEqual((await client.pull(binary)).kind === 'full' && (await client.diagnostics(binary)), []);
      const status = await client.waitFor<StatusParams>(Notifications.status, (s) => s.uri === binary);
      assert.match(status.message ?? '', /binary/i);
      const huge = fileUri(path.join(session.tmp, 'robust', 'huge.py'));
      client.open(huge, 'x = 1\n'.repeat(250_000));
      assert.deepEqual(await client.diagnostics(huge), []);
      const hugeStatus = await client.waitFor<StatusParams>(Notifications.status, (s) => s.uri === huge);
      assert.match(hugeStatus.message ?? '', /limit/i);
      // Further edits keep it skipped without logging the reason again.
      const mark = client.mark();
      client.change(huge, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# more\n' }]);
      await client.diagnostics(huge);
      assert.equal(client.all<{ message: string }>('window/logMessage', mark).filter((m) => /huge\.py/.test(m.message)).length, 0);
      const fine = fileUri(path.join(session.tmp, 'robust', 'fine2.py'));
      client.open(fine, CLEAN);
      assert.equal((await client.pull(fine)).kind, 'full');
    });

    it('ignores documents that are not Python', async () => {
      const client = await start({ pull: false });
      const uri = fileUri(path.join(session.tmp, 'robust', 'notes.txt'));
      client.open(uri, SMOKE, 'plaintext');
      const py = fileUri(path.join(session.tmp, 'robust', 'after.py'));
      client.open(py, CLEAN);
      await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === py);
      assert.equal(client.all<PublishDiagnosticsParams>('textDocument/publishDiagnostics').filter((p) => p.uri === uri).length, 0);
    });
  });

  describe('push diagnostics', () => {
    it('publishes diagnostics with the document version to a client without pull support', async () => {
      const client = await start({ pull: false });
      const uri = fileUri(path.join(session.tmp, 'push', 'smoke.py'));
      client.open(uri, SMOKE);
      const published = await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri);
      assert.equal(published.version, 1);
      assert.equal(byCode(published.diagnostics, 'DG101').length, 1, JSON.stringify(published.diagnostics));
      const mark = client.mark();
      const version = client.change(uri, [{ range: endOfLine(SMOKE, GET_ITEM_LINE), text: '  # noqa: DG101' }]);
      const next = await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri, { since: mark });
      assert.equal(next.version, version);
      assert.equal(byCode(next.diagnostics, 'DG101').length, 0);
    });

    it('clears diagnostics when the document is closed', async () => {
      const client = await start({ pull: false });
      const uri = fileUri(path.join(session.tmp, 'push', 'closed.py'));
      client.open(uri, CLEAN);
      await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri);
      const mark = client.mark();
      client.close(uri);
      const cleared = await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri, { since: mark });
      assert.deepEqual(cleared.diagnostics, []);
    });
  });
});
