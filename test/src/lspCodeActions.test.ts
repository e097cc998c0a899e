// Code actions over real LSP stdio: quick fixes with their documentation and suppression
// actions, stale diagnostics, and source.fixAll applying only safe fixes.

import { strict as assert } from 'assert';
import * as path from 'path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { Commands, type ShowDocumentationArgs } from '../../server/out/protocol';
import { applyTextEdits, editsFor, fileUri } from './helpers/lspClient';
import { byCode, GET_ITEM_LINE, isAction, lspSession } from './helpers/lspSession';
import { CLEAN_SAMPLE, SMOKE_SAMPLE } from './helpers/cliTree';

const SMOKE = SMOKE_SAMPLE;
const CLEAN = CLEAN_SAMPLE;

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

describe('language server (LSP over stdio)', function () {
  this.timeout(20000);
  const session = lspSession();
  const { start } = session;

  describe('code actions', () => {
    it('offers a fix, "Disable DG101 for this line" and "Show documentation"; the disable edit removes DG101', async () => {
      const client = await start();
      const uri = fileUri(path.join(session.tmp, 'actions', 'smoke.py'));
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
      const uri = fileUri(path.join(session.tmp, 'actions', 'stale.py'));
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
      const uri = fileUri(path.join(session.tmp, 'actions', 'fixall.py'));
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
      const uri = fileUri(path.join(session.tmp, 'actions', 'clean.py'));
      client.open(uri, CLEAN);
      await client.pull(uri);
      const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } };
      assert.deepEqual(await client.codeActions(uri, range, [], ['source.fixAll']), []);
      const foreign: Diagnostic = { range, message: 'unused', source: 'pyflakes', code: 'F401' };
      assert.deepEqual(await client.codeActions(uri, range, [foreign]), []);
    });
  });
});
