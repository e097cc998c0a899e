import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

// The CLI's SARIF, validated against the SARIF 2.1.0 JSON schema (rtm.5, the published standard),
// as shipped by Microsoft's @microsoft/jest-sarif package: what GitHub code scanning ingests.

const repo = path.join(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'dynamo-guard.js');
const schemaFile = path.join(repo, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

function sarifOf(args: string[], cwd: string): unknown {
  let out: string;
  try {
    out = execFileSync(process.execPath, [bin, 'scan', ...args, '--format', 'sarif', '--no-progress'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return JSON.parse(out);
}

describe('SARIF output against the SARIF 2.1.0 schema', function () {
  this.timeout(60000);
  // The published schema has a pattern (`^[a-zA-Z]{2}|...]?$`) that is only valid without the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object);
  const explain = () => JSON.stringify(validate.errors?.slice(0, 5), null, 1);

  it('the bundled example app (findings with fixes, every rule in the driver)', () => {
    const sarif = sarifOf(['examples'], repo) as { runs: Array<{ results: Array<{ fixes?: unknown[] }>; tool: { driver: { rules: unknown[] } } }> };
    assert.ok(validate(sarif), explain());
    assert.ok(sarif.runs[0]!.results.length > 10, 'expected findings on examples/');
    assert.ok(sarif.runs[0]!.results.some((r) => (r.fixes?.length ?? 0) > 0), 'expected at least one result with fixes');
  });

  it('the rule fixtures (every rule fires) and a tree with unreadable files', () => {
    const sarif = sarifOf([path.join('test', 'fixtures', 'rules')], repo) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    assert.ok(validate(sarif), explain());
    const ids = new Set(sarif.runs[0]!.results.map((r) => r.ruleId));
    assert.ok(ids.size >= 15, `only ${ids.size} rules fired: ${[...ids].join(', ')}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-sarif-'));
    try {
      fs.writeFileSync(path.join(dir, 'bin.py'), Buffer.from([0x78, 0x00, 0x01]));
      fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from('x = "caf\xe9"\n', 'latin1'));
      const withErrors = sarifOf(['.'], dir);
      assert.ok(validate(withErrors), explain());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the validator rejects a broken log (the test can fail)', () => {
    assert.ok(!validate({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ level: 'fatal' }] }] }));
  });
});
