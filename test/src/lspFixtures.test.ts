import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseAnnotations } from './helpers/annotations';
import { fileUri, LspClient, REPO_ROOT } from './helpers/lspClient';

// Every rule fixture through the real protocol: the server spawned over stdio, each file opened
// and its pull diagnostics compared with the `# expect:` / `# ok:` annotations, exactly as the
// analyzer-level fixture test does. Proves the rules reach an editor unchanged.

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rules');

describe('rule fixtures over LSP (server spawned over stdio)', function () {
  this.timeout(120000);
  let client: LspClient;

  before(async () => {
    // No workspace folder: the fixtures are independent files, analysed alone as in the
    // analyzer-level fixture test (as a workspace, one file's auth functions and key schemas
    // would leak into the others through the cross-file index).
    client = await LspClient.start({ settings: { debounceMs: 0 } });
  });
  after(async () => {
    await client.stop();
  });

  it('every fixture file: each expected finding is reported on its line, no finding on an unannotated line', async () => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).sort();
    const problems: string[] = [];
    const registered = new Set<string>();
    let checked = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
      const uri = fileUri(path.join(FIXTURES, file));
      client.open(uri, text);
      const diagnostics = await client.diagnostics(uri);
      const got = new Set(diagnostics.map((d) => `${d.range.start.line}:${String(d.code)}`));
      for (const d of diagnostics) registered.add(String(d.code));
      const ann = parseAnnotations(text);
      const expected = new Set(ann.expect.map((a) => `${a.line}:${a.rule}`));
      for (const d of diagnostics) {
        assert.strictEqual(d.source, 'DynamoGuard');
        if (!expected.has(`${d.range.start.line}:${String(d.code)}`)) problems.push(`${file}:${d.range.start.line + 1} unexpected ${String(d.code)}: ${d.message}`);
      }
      for (const a of ann.ok) if (got.has(`${a.line}:${a.rule}`)) problems.push(`${file}:${a.line + 1} ${a.rule} reported on an "ok" line`);
      for (const a of ann.expect) if (!got.has(`${a.line}:${a.rule}`)) problems.push(`${file}:${a.line + 1} missing ${a.rule}`);
      client.close(uri);
      checked++;
    }
    assert.ok(checked >= 60, `only ${checked} fixture files`);
    assert.deepStrictEqual(problems, []);
    assert.ok(registered.size >= 20, `only ${registered.size} rules seen over LSP: ${[...registered].join(', ')}`);
    assert.ok(client.alive);
  });
});
