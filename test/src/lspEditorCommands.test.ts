// The server requests behind the editor commands "Export SARIF for the workspace" and "Show debug
// info", over real LSP stdio; and a normal session logging nothing at error level (a restart is a
// shutdown + exit followed by a fresh server).

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { EditorRequests, type DebugInfo, type ExportSarifResult } from '../../server/out/protocol';
import { runCli, SMOKE_SAMPLE } from './helpers/cliTree';
import { delay, fileUri, LspClient, REPO_ROOT } from './helpers/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const SCHEMA = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

const SMOKE = SMOKE_SAMPLE;

interface SarifLog {
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: unknown[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{ ruleId: string; partialFingerprints: Record<string, string>; locations: unknown[]; fixes?: unknown[] }>;
    invocations: unknown[];
  }>;
}

describe('editor commands over LSP (Export SARIF, Show debug info)', function () {
  this.timeout(60000);
  const clients: LspClient[] = [];
  let tmp: string;

  async function start(folders: string[]): Promise<LspClient> {
    const client = await LspClient.start({ folders, settings: { debounceMs: 20 } });
    clients.push(client);
    return client;
  }

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-editor-commands-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
  });

  it('exports the workspace as SARIF 2.1.0, result for result what the CLI writes', async () => {
    const client = await start([EXAMPLES]);
    const exported = await client.request<ExportSarifResult>(EditorRequests.exportSarif, { id: 'sarif-1' });
    assert.equal(exported.cancelled, false);
    assert.equal(exported.root, EXAMPLES);
    const sarif = JSON.parse(exported.sarif) as SarifLog;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object);
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3)));

    const cli = await runCli(['scan', '.', '--format', 'sarif', '--no-progress'], EXAMPLES);
    const expected = JSON.parse(cli.stdout) as SarifLog;
    assert.ok(expected.runs[0]!.results.length > 10);
    assert.equal(exported.findings, expected.runs[0]!.results.length);
    assert.deepEqual(sarif.runs[0]!.results, expected.runs[0]!.results);
    assert.deepEqual(sarif.runs[0]!.tool, expected.runs[0]!.tool);
    assert.deepEqual(sarif.runs[0]!.originalUriBaseIds, expected.runs[0]!.originalUriBaseIds);
  });

  it('exports what an open buffer holds, not what is on disk', async () => {
    const root = path.join(tmp, 'buffer');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'a.py'), SMOKE);
    fs.writeFileSync(path.join(root, 'b.py'), SMOKE);
    const client = await start([root]);
    const before = JSON.parse((await client.request<ExportSarifResult>(EditorRequests.exportSarif, { id: 's1' })).sarif) as SarifLog;
    const files = (log: SarifLog) => new Set(log.runs[0]!.results.map((r) => JSON.stringify(r.locations).match(/"uri":"([^"]+)"/)![1]));
    assert.deepEqual([...files(before)].sort(), ['a.py', 'b.py']);
    // The unsaved buffer of b.py suppresses everything in it.
    client.open(fileUri(path.join(root, 'b.py')), `${SMOKE}# dynamo-guard: ignore-file\n`);
    const after = JSON.parse((await client.request<ExportSarifResult>(EditorRequests.exportSarif, { id: 's2' })).sarif) as SarifLog;
    assert.deepEqual([...files(after)], ['a.py']);
  });

  it('debug info: version, settings sources per folder, index state, open documents with timings', async () => {
    const root = path.join(tmp, 'debug');
    fs.mkdirSync(path.join(root, 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.dynamo-guard]\nignore = ["DG102"]\n');
    fs.writeFileSync(path.join(root, 'app.py'), SMOKE);
    fs.writeFileSync(path.join(root, 'pkg', 'util.py'), 'def helper():\n    return 1\n');
    const client = await start([root]);
    const uri = fileUri(path.join(root, 'app.py'));
    client.open(uri, SMOKE);
    assert.ok((await client.diagnostics(uri)).length > 0);
    // A scan waits for the workspace index, so the state below is the built one.
    await client.request(EditorRequests.exportSarif, { id: 'warm-up' });
    const info = await client.request<DebugInfo>(EditorRequests.debugInfo, null);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(info.server.version, pkg.version);
    assert.match(info.server.runtime, /^node \d+/);
    assert.ok(info.rules >= 21);
    assert.equal(info.folders.length, 1);
    assert.equal(info.folders[0]!.uri, fileUri(root));
    assert.ok(info.folders[0]!.sources.includes(path.join(root, 'pyproject.toml')), info.folders[0]!.sources.join());
    assert.deepEqual(info.folders[0]!.settings.ignore, ['DG102']);
    // app.py (a table, a route); pkg/util.py holds nothing the index keeps.
    assert.equal(info.index.modules, 1);
    assert.equal(info.index.building, false);
    assert.equal(info.documents.length, 1);
    assert.equal(info.documents[0]!.uri, uri);
    assert.equal(info.documents[0]!.findings, (await client.diagnostics(uri)).length);
    assert.equal(typeof info.documents[0]!.lastAnalysisMs, 'number');
    assert.deepEqual(info.scan && { files: info.scan.files }, { files: 2 });
  });

  it('a normal session, shut down as a restart does, logs nothing at error level', async () => {
    const client = await start([EXAMPLES]);
    const uri = fileUri(path.join(EXAMPLES, 'fastapi_app', 'main.py'));
    client.open(uri, fs.readFileSync(path.join(EXAMPLES, 'fastapi_app', 'main.py'), 'utf8'));
    // The first answers may come before the workspace index (which this file's findings need).
    let found = 0;
    for (let i = 0; i < 50 && found === 0; i++) {
      found = (await client.diagnostics(uri)).length;
      if (found === 0) await delay(200);
    }
    assert.ok(found > 0, 'fastapi_app/main.py has findings');
    // Shut down while the background index may still be building (a restart right after start).
    assert.equal(await client.stop(), 0);
    const errors = client.all<{ type: number; message: string }>('window/logMessage').filter((m) => m.type === 1);
    assert.deepEqual(errors.map((m) => m.message), []);
    assert.doesNotMatch(client.stderr, /error/i);
  });
});
