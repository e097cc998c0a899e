// Protocol tests for the language server: a real `node server/out/server.js --stdio` process,
// driven over JSON-RPC the way an editor would. Tests that assert findings (DG101...) depend on
// the analyzer's rules; the others check the protocol behaviour on its own.

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CodeAction, Command, Diagnostic, PublishDiagnosticsParams, Range } from 'vscode-languageserver-protocol';
import {
  Commands,
  Notifications,
  Requests,
  type ScanProgressParams,
  type ScanWorkspaceResult,
  type ShowDocumentationArgs,
  type StatusParams,
} from '../../server/out/protocol';
import { applyTextEdits, delay, editsFor, fileUri, LspClient, type ClientOptions } from './helpers/lspClient';
import { SMOKE_SAMPLE } from './helpers/cliTree';

const SMOKE = SMOKE_SAMPLE;
/** 0-based lines of the smoke sample's anchors (RULES.md: DG101 on `get_item`, DG102 on the def). */
const GET_ITEM_LINE = 6;
const DEF_LINE = 5;

const CLEAN = 'def add(a, b):\n    return a + b\n';

/** DG301: update_item with a request-chosen key and no ConditionExpression; its attribute_exists(<pk>) fix (404 mapped) is safe. */
const UNCONDITIONAL_UPDATE = [
  'import boto3',
  'from flask import Flask',
  'app = Flask(__name__)',
  'table = boto3.resource("dynamodb").Table("orders")',
  '',
  '',
  '@app.post("/orders/<order_id>/close")',
  'def close_order(order_id):',
  '    table.update_item(',
  '        Key={"order_id": order_id},',
  '        UpdateExpression="SET is_closed = :t",',
  '        ExpressionAttributeValues={":t": True},',
  '    )',
  '',
].join('\n');

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

const isAction = (a: CodeAction | Command): a is CodeAction => !('command' in a && typeof a.command === 'string');
const byCode = (items: Diagnostic[], code: string) => items.filter((d) => d.code === code);
const endOfLine = (text: string, line: number): Range => {
  const len = text.split('\n')[line]!.length;
  return { start: { line, character: len }, end: { line, character: len } };
};

describe('language server (LSP over stdio)', function () {
  this.timeout(20000);
  const clients: LspClient[] = [];
  let tmp: string;

  async function start(options: ClientOptions = {}): Promise<LspClient> {
    const client = await LspClient.start({ ...options, settings: { debounceMs: 50, ...(options.settings ?? {}) } });
    clients.push(client);
    return client;
  }

  function workspace(name: string, files: Record<string, string>): string {
    const root = path.join(tmp, name);
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(root, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    return root;
  }

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-lsp-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
  });

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
      clients.splice(clients.indexOf(client), 1);
      assert.equal(await client.stop(), 0);
    });
  });

  describe('pull diagnostics', () => {
    it('reports DG101 with source, code, codeDescription and DG102 with related information', async () => {
      const client = await start();
      const uri = fileUri(path.join(tmp, 'pull', 'smoke.py'));
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
      const uri = fileUri(path.join(tmp, 'pull', 'unchanged.py'));
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
      const uri = fileUri(path.join(tmp, 'pull', 'edit.py'));
      client.open(uri, SMOKE);
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 1);
      client.change(uri, [{ range: endOfLine(SMOKE, GET_ITEM_LINE), text: '  # dynamo-guard: ignore[DG101]' }]);
      const after = await client.diagnostics(uri);
      assert.equal(byCode(after, 'DG101').length, 0, JSON.stringify(after));
      assert.equal(byCode(after, 'DG102').length, 1, 'other findings stay');
    });

    it('gives the same diagnostics after many incremental edits as for the same text opened fresh', async () => {
      const client = await start();
      const uri = fileUri(path.join(tmp, 'pull', 'fuzz.py'));
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
        const fresh = fileUri(path.join(tmp, 'pull', `fuzz-${round}.py`));
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
      const uri = fileUri(path.join(tmp, 'pull', 'burst.py'));
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
      const uri = fileUri(path.join(tmp, 'pull', 'slow.py'));
      client.open(uri, CLEAN);
      await client.pull(uri);
      client.change(uri, [{ range: endOfLine(CLEAN, 1), text: ' + 1' }]);
      const source = client.cancellation();
      const pending = client.pull(uri, undefined, source.token);
      await delay(100);
      source.cancel();
      await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
      const other = fileUri(path.join(tmp, 'pull', 'other.py'));
      client.open(other, CLEAN);
      assert.equal((await client.pull(other)).kind, 'full', 'still serving');
    });

    it('onSave mode: edits are not analysed until saved, and saving asks the client to refresh', async () => {
      const client = await start({ settings: { run: 'onSave' } });
      const uri = fileUri(path.join(tmp, 'pull', 'onsave.py'));
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
      const uri = fileUri(path.join(tmp, 'pull', 'switch.py'));
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
      const uri = fileUri(path.join(tmp, 'robust', 'broken.py'));
      client.open(uri, 'def f(:\n');
      assert.equal((await client.pull(uri)).kind, 'full');
      client.change(uri, [{ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } }, text: '\n  ]]] """' }]);
      client.change(uri, [{ text: SMOKE.replace('def get_user(user_id):', 'def get_user(user_id:') }]);
      assert.equal((await client.pull(uri)).kind, 'full');
      const other = fileUri(path.join(tmp, 'robust', 'fine.py'));
      client.open(other, CLEAN);
      assert.equal((await client.pull(other)).kind, 'full');
      assert.ok(client.alive);
    });

    it('does not analyse binary or oversized buffers, says why once, and keeps serving', async () => {
      const client = await start();
      const binary = fileUri(path.join(tmp, 'robust', 'binary.py'));
      client.open(binary, 'x = 1\n\u0000\u0001\u0002garbage\n');
      assert.deepEqual((await client.pull(binary)).kind === 'full' && (await client.diagnostics(binary)), []);
      const status = await client.waitFor<StatusParams>(Notifications.status, (s) => s.uri === binary);
      assert.match(status.message ?? '', /binary/i);
      const huge = fileUri(path.join(tmp, 'robust', 'huge.py'));
      client.open(huge, 'x = 1\n'.repeat(250_000));
      assert.deepEqual(await client.diagnostics(huge), []);
      const hugeStatus = await client.waitFor<StatusParams>(Notifications.status, (s) => s.uri === huge);
      assert.match(hugeStatus.message ?? '', /limit/i);
      // Further edits keep it skipped without logging the reason again.
      const mark = client.mark();
      client.change(huge, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# more\n' }]);
      await client.diagnostics(huge);
      assert.equal(client.all<{ message: string }>('window/logMessage', mark).filter((m) => /huge\.py/.test(m.message)).length, 0);
      const fine = fileUri(path.join(tmp, 'robust', 'fine2.py'));
      client.open(fine, CLEAN);
      assert.equal((await client.pull(fine)).kind, 'full');
    });

    it('ignores documents that are not Python', async () => {
      const client = await start({ pull: false });
      const uri = fileUri(path.join(tmp, 'robust', 'notes.txt'));
      client.open(uri, SMOKE, 'plaintext');
      const py = fileUri(path.join(tmp, 'robust', 'after.py'));
      client.open(py, CLEAN);
      await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === py);
      assert.equal(client.all<PublishDiagnosticsParams>('textDocument/publishDiagnostics').filter((p) => p.uri === uri).length, 0);
    });
  });

  describe('push diagnostics', () => {
    it('publishes diagnostics with the document version to a client without pull support', async () => {
      const client = await start({ pull: false });
      const uri = fileUri(path.join(tmp, 'push', 'smoke.py'));
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
      const uri = fileUri(path.join(tmp, 'push', 'closed.py'));
      client.open(uri, CLEAN);
      await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri);
      const mark = client.mark();
      client.close(uri);
      const cleared = await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri, { since: mark });
      assert.deepEqual(cleared.diagnostics, []);
    });
  });

  describe('code actions', () => {
    it('offers a fix, "Disable DG101 for this line" and "Show documentation"; the disable edit removes DG101', async () => {
      const client = await start();
      const uri = fileUri(path.join(tmp, 'actions', 'smoke.py'));
      client.open(uri, SMOKE);
      const dg101 = byCode(await client.diagnostics(uri), 'DG101')[0];
      assert.ok(dg101, 'DG101 reported');
      const actions = ((await client.codeActions(uri, dg101.range, [dg101])) ?? []).filter(isAction);

      const fixes = actions.filter((a) => a.kind === 'quickfix' && a.edit && !a.title.startsWith('Disable'));
      assert.ok(fixes.length >= 1, `a quick fix from the finding: ${actions.map((a) => a.title).join(' | ')}`);
      assert.ok(fixes.every((f) => f.diagnostics?.some((d) => d.code === 'DG101')));

      const docs = actions.find((a) => a.title === 'Show documentation for DG101');
      assert.equal(docs?.command?.command, Commands.showDocumentation);
      const args = docs!.command!.arguments![0] as ShowDocumentationArgs;
      assert.equal(args.rule, 'DG101');
      assert.match(args.uri, /^file:\/\/.*DG101\.md$/);

      const disable = actions.find((a) => a.title === 'Disable DG101 for this line');
      assert.equal(disable?.kind, 'quickfix');
      const { edits, version } = editsFor(disable!.edit, uri);
      assert.equal(version, 1, 'versioned edit for the document version it was computed on');
      const text = applyTextEdits(SMOKE, edits);
      assert.match(text.split('\n')[GET_ITEM_LINE]!, /get_item\(.*# dynamo-guard: ignore\[DG101\]$/);
      assert.equal(text.split('\n').length, SMOKE.split('\n').length, 'only the anchor line changes');
      client.change(uri, [{ text }]);
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 0);
    });

    it('gives no edits for a diagnostic from an older version whose line has moved', async () => {
      const client = await start();
      const uri = fileUri(path.join(tmp, 'actions', 'stale.py'));
      client.open(uri, SMOKE);
      const old = byCode(await client.diagnostics(uri), 'DG101')[0];
      assert.ok(old, 'DG101 reported');
      client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# moved\n' }]);
      const stale = ((await client.codeActions(uri, old.range, [old])) ?? []).filter(isAction);
      assert.deepEqual(stale.filter((a) => a.edit), [], 'no edit aimed at the old line');
      const fresh = byCode(await client.diagnostics(uri), 'DG101')[0]!;
      assert.equal(fresh.range.start.line, GET_ITEM_LINE + 1);
      const live = ((await client.codeActions(uri, fresh.range, [fresh])) ?? []).filter(isAction);
      assert.ok(live.some((a) => a.title === 'Disable DG101 for this line' && a.edit));
    });

    it('source.fixAll returns one edit that fixes what can be fixed safely', async () => {
      const client = await start();
      const uri = fileUri(path.join(tmp, 'actions', 'fixall.py'));
      client.open(uri, UNCONDITIONAL_UPDATE);
      assert.equal(byCode(await client.diagnostics(uri), 'DG301').length, 1, 'DG301 reported');
      const actions = ((await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll'])) ?? []).filter(isAction);
      assert.equal(actions.length, 1, JSON.stringify(actions));
      assert.equal(actions[0]!.kind, 'source.fixAll.dynamoGuard');
      const { edits } = editsFor(actions[0]!.edit, uri);
      assert.equal(edits.length, 1);
      const fixed = applyTextEdits(UNCONDITIONAL_UPDATE, edits);
      assert.notEqual(fixed, UNCONDITIONAL_UPDATE);
      client.change(uri, [{ text: fixed }]);
      assert.equal(byCode(await client.diagnostics(uri), 'DG301').length, 0, fixed);
    });

    it('source.fixAll offers nothing for a clean file, and quick fixes only for our own diagnostics', async () => {
      const client = await start();
      const uri = fileUri(path.join(tmp, 'actions', 'clean.py'));
      client.open(uri, CLEAN);
      await client.pull(uri);
      const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } };
      assert.deepEqual(await client.codeActions(uri, range, [], ['source.fixAll']), []);
      const foreign: Diagnostic = { range, message: 'unused', source: 'pyflakes', code: 'F401' };
      assert.deepEqual(await client.codeActions(uri, range, [foreign]), []);
    });
  });

  describe('workspace scan', () => {
    it('reports progress and counts, honouring .venv skips', async () => {
      const root = workspace('scan-basic', { 'a.py': SMOKE, 'b.py': SMOKE, 'pkg/c.py': CLEAN, '.venv/lib/x.py': SMOKE });
      const client = await start({ folders: [root] });
      client.open(fileUri(path.join(root, 'b.py')), SMOKE);
      const result = await client.request<ScanWorkspaceResult>(Requests.scanWorkspace, { id: 'scan-1' });
      assert.equal(result.files, 3);
      assert.equal(result.cancelled, false);
      assert.equal(result.errors, 0);
      const progress = client.all<ScanProgressParams>(Notifications.scanProgress).filter((p) => p.id === 'scan-1');
      assert.ok(progress.length >= 1);
      assert.deepEqual(
        { done: progress.at(-1)!.done, total: progress.at(-1)!.total },
        { done: 3, total: 3 },
      );
    });

    it('pushes diagnostics for unopened files; opening clears them, closing re-publishes from disk', async () => {
      const root = workspace('scan-publish', { 'a.py': SMOKE, 'b.py': SMOKE, 'c.py': CLEAN });
      const client = await start({ folders: [root] });
      const [a, b, c] = ['a.py', 'b.py', 'c.py'].map((f) => fileUri(path.join(root, f))) as [string, string, string];
      client.open(b, SMOKE);
      await client.pull(b);
      const result = await client.request<ScanWorkspaceResult>(Requests.scanWorkspace, { id: 'scan-2' });
      assert.ok(result.findings >= 4, `DG101 + DG102 in a.py and b.py, got ${result.findings}`);
      const pushed = client.all<PublishDiagnosticsParams>('textDocument/publishDiagnostics');
      const forA = pushed.filter((p) => p.uri === a);
      assert.equal(forA.length, 1);
      assert.equal(byCode(forA[0]!.diagnostics, 'DG101').length, 1);
      assert.equal(pushed.filter((p) => p.uri === b).length, 0, 'open files keep their pulled diagnostics');
      assert.equal(pushed.filter((p) => p.uri === c && p.diagnostics.length > 0).length, 0);

      let mark = client.mark();
      client.open(a, SMOKE);
      const cleared = await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === a, { since: mark });
      assert.deepEqual(cleared.diagnostics, []);
      mark = client.mark();
      client.close(a);
      const again = await client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === a, { since: mark });
      assert.equal(byCode(again.diagnostics, 'DG101').length, 1);
    });

    it('stops when cancelled and keeps serving', async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 300; i++) files[`m${String(i).padStart(3, '0')}.py`] = SMOKE;
      const root = workspace('scan-cancel', files);
      const client = await start({ folders: [root] });
      const source = client.cancellation();
      const started = client.waitFor<ScanProgressParams>(Notifications.scanProgress, (p) => p.id === 'scan-3');
      const pending = client.request<ScanWorkspaceResult>(Requests.scanWorkspace, { id: 'scan-3' }, source.token);
      await started;
      source.cancel();
      try {
        const result = await pending;
        assert.equal(result.cancelled, true);
        assert.ok(result.files < 300, `stopped early (${result.files} files)`);
      } catch (e) {
        assert.equal((e as { code?: number }).code, -32800, String(e));
      }
      const uri = fileUri(path.join(root, 'm000.py'));
      client.open(uri, CLEAN);
      assert.equal((await client.pull(uri)).kind, 'full');
      assert.ok(client.alive);
    });
  });

  describe('cross-file knowledge (workspace index)', () => {
    const AUTH = [
      'import jwt',
      'from fastapi import Header, HTTPException',
      '',
      'def who_is_calling(authorization: str = Header(...)) -> dict:',
      '    try:',
      '        return jwt.decode(authorization.split()[1], "k", algorithms=["HS256"])',
      '    except Exception:',
      '        raise HTTPException(status_code=401)',
      '',
      'def must_own(resource_owner: str, caller: dict) -> None:',
      '    if resource_owner != caller["sub"]:',
      '        raise HTTPException(status_code=403)',
      '',
    ].join('\n');
    const MAIN = [
      'import boto3',
      'from fastapi import Depends, FastAPI',
      'from app.security import must_own, who_is_calling',
      '',
      'app = FastAPI()',
      'notes = boto3.resource("dynamodb").Table("notes")',
      '',
      '@app.get("/users/{user_id}/notes/{note_id}")',
      'def read_note(user_id: str, note_id: str, caller: dict = Depends(who_is_calling)):',
      '    must_own(user_id, caller)',
      '    return notes.get_item(Key={"user_id": user_id, "note_id": note_id}, ProjectionExpression="note_id, title")["Item"]',
      '',
      '@app.delete("/users/{user_id}/notes/{note_id}")',
      'def delete_note(user_id: str, note_id: str, caller: dict = Depends(who_is_calling)):',
      '    notes.delete_item(Key={"user_id": user_id, "note_id": note_id}, ConditionExpression="attribute_exists(note_id)")',
      '    return {}',
      '',
    ].join('\n');

    it('uses auth functions and guard helpers imported from other files, and follows their saves', async () => {
      const root = workspace('cross-file', { 'app/__init__.py': '', 'app/security.py': AUTH, 'app/main.py': MAIN });
      const client = await start({ folders: [root] });
      await client.waitFor<{ message: string }>('window/logMessage', (m) => /workspace index:/.test(m.message));
      const main = fileUri(path.join(root, 'app', 'main.py'));
      client.open(main, MAIN);
      const items = await client.diagnostics(main);
      assert.equal(byCode(items, 'DG102').length, 0, `imported auth function: ${JSON.stringify(items)}`);
      assert.deepEqual(byCode(items, 'DG101').map((d) => d.range.start.line), [14], 'only the unguarded delete');

      // who_is_calling stops authenticating: once security.py is saved, main.py's handlers have no subject.
      const security = fileUri(path.join(root, 'app', 'security.py'));
      client.open(security, AUTH);
      const weakened = AUTH.replace(/    try:\n.*\n    except Exception:\n.*\n/, '    return {"sub": authorization}\n');
      assert.notEqual(weakened, AUTH);
      client.change(security, [{ text: weakened }]);
      fs.writeFileSync(path.join(root, 'app', 'security.py'), weakened);
      const mark = client.mark();
      client.save(security);
      await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since: mark });
      const after = await client.diagnostics(main);
      assert.ok(byCode(after, 'DG102').length >= 1, `no subject any more: ${JSON.stringify(after)}`);
    });
  });

  describe('project settings (pyproject.toml)', () => {
    it('applies [tool.dynamo-guard] ignore and re-reads it when it changes', async () => {
      const root = workspace('project-ignore', {
        'pyproject.toml': '[project]\nname = "demo"\n\n[tool.dynamo-guard]\nignore = ["DG101"]\n',
        'app.py': SMOKE,
      });
      const client = await start({ folders: [root] });
      const uri = fileUri(path.join(root, 'app.py'));
      client.open(uri, SMOKE);
      const items = await client.diagnostics(uri);
      assert.equal(byCode(items, 'DG101').length, 0, 'ignored by the project');
      assert.equal(byCode(items, 'DG102').length, 1, 'the rest still runs');

      const pyproject = path.join(root, 'pyproject.toml');
      fs.writeFileSync(pyproject, '[project]\nname = "demo"\n\n[tool.dynamo-guard]\nignore = []\n');
      const mark = client.mark();
      await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(pyproject), type: 2 }] });
      await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since: mark });
      assert.equal(byCode(await client.diagnostics(uri), 'DG101').length, 1);
    });

    it('warns once about a broken pyproject.toml and keeps analysing', async () => {
      const root = workspace('project-broken', {
        'pyproject.toml': '[tool.dynamo-guard]\nignore = [\n',
        'one.py': CLEAN,
        'two.py': CLEAN,
      });
      const client = await start({ folders: [root] });
      for (const name of ['one.py', 'two.py']) {
        const uri = fileUri(path.join(root, name));
        client.open(uri, CLEAN);
        assert.equal((await client.pull(uri)).kind, 'full');
      }
      const warnings = client.all<{ type: number; message: string }>('window/showMessage').filter((m) => m.type === 2);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!.message, /pyproject\.toml/);
    });
  });
});
