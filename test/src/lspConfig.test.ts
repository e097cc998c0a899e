// Configuration over the real protocol: mistakes are diagnostics IN pyproject.toml with exact
// ranges and quick fixes; broken TOML keeps the last good settings; configurationPreference,
// severity globs and hint, extend-*, per-file-ignores and the disable-comment style.

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CodeAction, Command, Diagnostic } from 'vscode-languageserver-protocol';
import { applyTextEdits, editsFor, fileUri, LspClient, type ClientOptions } from './helpers/lspClient';
import { SMOKE_SAMPLE } from './helpers/cliTree';

const byCode = (items: Diagnostic[], code: string) => items.filter((d) => d.code === code);
const codes = (items: Diagnostic[]) => items.map((d) => String(d.code)).sort();
const isAction = (a: CodeAction | Command): a is CodeAction => !('command' in a && typeof a.command === 'string');

describe('configuration over LSP (pyproject.toml)', function () {
  this.timeout(30000);
  const clients: LspClient[] = [];
  let tmp: string;
  let n = 0;

  async function start(options: ClientOptions = {}): Promise<LspClient> {
    const client = await LspClient.start({ ...options, settings: { debounceMs: 20, ...(options.settings ?? {}) } });
    clients.push(client);
    return client;
  }
  function workspace(files: Record<string, string>): string {
    const root = path.join(tmp, `ws${n++}`);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    return root;
  }
  async function pythonDiagnostics(client: LspClient, file: string): Promise<Diagnostic[]> {
    const uri = fileUri(file);
    client.open(uri, fs.readFileSync(file, 'utf8'));
    return client.diagnostics(uri);
  }

  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-lspcfg-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
  });

  it('shows each mistake at its range in pyproject.toml, with a quick fix to the closest spelling', async () => {
    const text = ['[project]', 'name = "demo"', '', '[tool.dynamo-guard]', 'selct = ["DG101"]', 'ignore = ["DG2O1", "DG999"]', 'max-file-size-kb = "big"', '', '[tool.dynamo-guard.severity]', 'DG202 = "warn"', '"DG1*" = "hint"', ''].join('\n');
    const root = workspace({ 'pyproject.toml': text });
    const client = await start({ folders: [root] });
    const uri = fileUri(path.join(root, 'pyproject.toml'));
    client.open(uri, text, 'toml');
    const items = await client.diagnostics(uri);
    const at = (d: Diagnostic) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code}`;
    assert.deepEqual(items.map(at), [
      '4:0-4:5 unknown-key',
      '5:10-5:17 unknown-rule',
      '5:19-5:26 unknown-rule',
      '6:19-6:24 invalid-type',
      '9:8-9:14 invalid-value',
    ]);
    assert.ok(items.every((d) => d.severity === 1 && d.source === 'DynamoGuard'));
    assert.match(items[0]!.message, /unknown key "selct".*did you mean "select"/);

    const fixes = (await client.codeActions(uri, items[0]!.range, items))!.filter(isAction);
    let fixed = text;
    for (const d of [items[0]!, items[1]!, items[4]!]) {
      const action = fixes.find((a) => a.diagnostics?.[0]?.message === d.message);
      assert.ok(action, `a quick fix for ${d.message}`);
      fixed = applyTextEdits(fixed, editsFor(action.edit, uri).edits);
    }
    assert.match(fixed, /^select = \["DG101"\]$/m);
    assert.match(fixed, /^ignore = \["DG201", "DG999"\]$/m);
    assert.match(fixed, /^DG202 = "warning"$/m);
    // No guess for a code nothing resembles.
    assert.ok(!fixes.some((a) => a.diagnostics?.[0]?.message === items[2]!.message));

    // Fixed as typed: the diagnostics follow the buffer.
    client.change(uri, [{ text: fixed.replace('max-file-size-kb = "big"', 'max-file-size-kb = 512') }]);
    assert.deepEqual((await client.diagnostics(uri)).map(at), ['5:19-5:26 unknown-rule']);
  });

  it('clients without pull diagnostics get the mistakes pushed as they type', async () => {
    const text = '[tool.dynamo-guard]\nignore = ["DG1O1"]\n';
    const root = workspace({ 'pyproject.toml': text });
    const client = await start({ folders: [root], pull: false });
    const uri = fileUri(path.join(root, 'pyproject.toml'));
    const mark = client.mark();
    client.open(uri, text, 'toml');
    const first = await client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0, { since: mark });
    assert.deepEqual(first.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`), ['unknown-rule@1:10']);
    const again = client.mark();
    client.change(uri, [{ text: '[tool.dynamo-guard]\nignore = ["DG101"]\n' }]);
    await client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0, { since: again });
  });

  it('a TOML syntax error is a diagnostic on its line, and the last good settings stay in force', async () => {
    const good = '[project]\nname = "demo"\n\n[tool.dynamo-guard]\nignore = ["DG101"]\n';
    const root = workspace({ 'pyproject.toml': good, 'app.py': SMOKE_SAMPLE });
    const client = await start({ folders: [root] });
    const py = path.join(root, 'app.py');
    assert.deepEqual(codes(await pythonDiagnostics(client, py)).filter((c) => c.startsWith('DG10')), ['DG102']);

    // Broken inside our table: the project's ignore must survive.
    const broken = '[project]\nname = "demo"\n\n[tool.dynamo-guard]\nignore = ["DG101"\nselect = []\n';
    const pyproject = path.join(root, 'pyproject.toml');
    fs.writeFileSync(pyproject, broken);
    const mark = client.mark();
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(pyproject), type: 2 }] });
    await client.waitFor('request:workspace/diagnostic/refresh', () => true, { since: mark });
    assert.deepEqual(codes(await client.diagnostics(fileUri(py))).filter((c) => c.startsWith('DG10')), ['DG102'], 'DG101 stays ignored');
    // Not open: pushed to the Problems panel from disk.
    const pushed = await client.waitFor<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === fileUri(pyproject) && p.diagnostics.length > 0, { since: mark });
    assert.equal(pushed.diagnostics[0]!.code, 'syntax');
    assert.equal(pushed.diagnostics[0]!.range.start.line, 5);
    const toast = client.all<{ message: string }>('window/showMessage').map((m) => m.message).join('\n');
    assert.match(toast, /pyproject\.toml:6:1: invalid TOML.*last valid settings stay in force/);

    // Opened: checked from the buffer instead (and the pushed copy is withdrawn).
    client.open(fileUri(pyproject), broken, 'toml');
    const open = await client.diagnostics(fileUri(pyproject));
    assert.deepEqual(open.map((d) => `${d.code}@${d.range.start.line}`), ['syntax@5']);
  });

  it('a syntax error elsewhere in pyproject.toml does not lose [tool.dynamo-guard], even on a fresh start', async () => {
    const root = workspace({ 'pyproject.toml': '[project]\nname = "demo"\ndependencies = ["boto3",\n\n[tool.dynamo-guard]\nignore = ["DG101"]\n', 'app.py': SMOKE_SAMPLE });
    const client = await start({ folders: [root] });
    assert.deepEqual(codes(await pythonDiagnostics(client, path.join(root, 'app.py'))).filter((c) => c.startsWith('DG10')), ['DG102']);
  });

  it('select = ["DG999"] never disables every rule', async () => {
    const root = workspace({ 'pyproject.toml': '[tool.dynamo-guard]\nselect = ["DG999"]\n', 'app.py': SMOKE_SAMPLE });
    const client = await start({ folders: [root] });
    const items = await pythonDiagnostics(client, path.join(root, 'app.py'));
    assert.ok(byCode(items, 'DG101').length === 1 && byCode(items, 'DG102').length === 1, JSON.stringify(items));
  });

  it('configurationPreference: editorFirst (default), filesystemFirst, editorOnly', async () => {
    const root = workspace({ 'pyproject.toml': '[tool.dynamo-guard]\nselect = ["DG101"]\nextend-ignore = ["DG201"]\n', 'app.py': SMOKE_SAMPLE });
    const py = path.join(root, 'app.py');
    const run = async (settings: Record<string, unknown>) => {
      const client = await start({ folders: [root], settings });
      const found = codes(await pythonDiagnostics(client, py));
      await client.stop();
      return found;
    };
    assert.deepEqual(await run({}), ['DG101'], 'no editor setting: the project file');
    assert.deepEqual(await run({ select: ['DG102'] }), ['DG102'], 'editorFirst: the editor value wins');
    assert.deepEqual(await run({ select: ['DG102'], configurationPreference: 'filesystemFirst' }), ['DG101']);
    assert.deepEqual(await run({ select: ['DG102', 'DG201'], configurationPreference: 'editorOnly' }), ['DG102', 'DG201'], 'editorOnly: extend-ignore of the file is not read');
  });

  it('severity globs and hint, extend-select and per-file-ignores', async () => {
    const root = workspace({
      'pyproject.toml': '[tool.dynamo-guard]\nselect = ["DG101"]\nextend-select = ["DG102"]\n\n[tool.dynamo-guard.severity]\n"DG1*" = "hint"\nDG102 = "info"\n\n[tool.dynamo-guard.per-file-ignores]\n"tests/**" = ["DG101"]\n',
      'app.py': SMOKE_SAMPLE,
      'tests/test_app.py': SMOKE_SAMPLE,
    });
    const client = await start({ folders: [root] });
    const app = await pythonDiagnostics(client, path.join(root, 'app.py'));
    assert.deepEqual(app.map((d) => `${d.code}:${d.severity}`).sort(), ['DG101:4', 'DG102:3']);
    const test = await pythonDiagnostics(client, path.join(root, 'tests', 'test_app.py'));
    assert.deepEqual(codes(test), ['DG102']);
  });

  it('"Disable for this line" writes the configured comment style', async () => {
    for (const [style, expected] of [['noqa', '# noqa: DG101'], ['dynamo-guard', '# dynamo-guard: ignore[DG101]']] as const) {
      const root = workspace({ 'pyproject.toml': `[tool.dynamo-guard]\ndisable-comment = "${style}"\n`, 'app.py': SMOKE_SAMPLE });
      const client = await start({ folders: [root] });
      const uri = fileUri(path.join(root, 'app.py'));
      const items = await pythonDiagnostics(client, path.join(root, 'app.py'));
      const d = byCode(items, 'DG101')[0]!;
      const actions = (await client.codeActions(uri, d.range, [d]))!.filter(isAction);
      const disable = actions.find((a) => a.title === 'Disable DG101 for this line');
      assert.ok(disable, actions.map((a) => a.title).join());
      const after = applyTextEdits(SMOKE_SAMPLE, editsFor(disable.edit, uri).edits);
      assert.ok(after.split('\n')[6]!.endsWith(expected), after);
      await client.stop();
    }
  });
});
