// Workspace-wide behaviour of the language server over real LSP stdio: the workspace scan
// (progress, publishing, cancellation), cross-file knowledge from the workspace index, and
// project settings read from pyproject.toml.

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { Notifications, Requests, type ScanProgressParams, type ScanWorkspaceResult } from '../../server/out/protocol';
import { fileUri } from './helpers/lspClient';
import { byCode, lspSession } from './helpers/lspSession';
import { JWT_AUTH_WITH_OWNER_CHECK } from './helpers/pySamples';
import { CLEAN_SAMPLE, SMOKE_SAMPLE } from './helpers/cliTree';

const SMOKE = SMOKE_SAMPLE;
const CLEAN = CLEAN_SAMPLE;

describe('language server (LSP over stdio)', function () {
  this.timeout(20000);
  const session = lspSession();
  const { start, workspace } = session;

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
    const AUTH = JWT_AUTH_WITH_OWNER_CHECK;
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
