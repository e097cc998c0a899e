// Configuration from the command line's side (RULES.md › Suppressions and configuration): every
// mistake exits 2 with `file:line:col: message`; every TOML form is read; the new options work.

import * as assert from 'assert';
import { SMOKE_SAMPLE, makeTree, parseReport, removeTree, runCli } from './helpers/cliTree';

describe('CLI configuration (pyproject.toml)', function () {
  this.timeout(60000);
  const trees: string[] = [];
  const tree = (spec: Record<string, string>) => {
    const root = makeTree(spec, 'dg-cfg-');
    trees.push(root);
    return root;
  };
  after(() => trees.forEach(removeTree));

  async function rulesWith(pyproject: string, files: Record<string, string> = { 'app.py': SMOKE_SAMPLE }): Promise<Array<{ path: string; rule: string; severity: string }>> {
    const root = tree({ 'pyproject.toml': pyproject, ...files });
    // Not --select: on the command line it overrides a configured ignore of the same code (Ruff).
    const r = await runCli(['scan', '.', '--format', 'json'], root);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    return parseReport(r).findings.filter((f) => f.rule === 'DG101' || f.rule === 'DG102').map((f) => ({ path: f.path, rule: f.rule, severity: f.severity }));
  }

  describe('mistakes exit 2 with file:line:col', function () {
    const cases: Array<[string, string, RegExp]> = [
      ['unknown key, with the closest one', '[tool.dynamo-guard]\nignroe = ["DG101"]\n', /^pyproject\.toml:2:1: error: unknown key "ignroe" in \[tool\.dynamo-guard\] \(did you mean "ignore"\?\)$/m],
      ['unknown rule code in select', '[tool.dynamo-guard]\nselect = ["DG101", "DG999"]\n', /^pyproject\.toml:2:20: error: unknown rule code "DG999" in select/m],
      ['misspelled code in ignore', '[tool.dynamo-guard]\nignore = ["DG1O1"]\n', /^pyproject\.toml:2:11: error: unknown rule code "DG1O1" in ignore \(did you mean "DG101"\?\)/m],
      ['wrong type', '[tool.dynamo-guard]\nselect = "DG101"\n', /^pyproject\.toml:2:10: error: "select" must be a list of rule codes/m],
      ['bad severity', '[tool.dynamo-guard.severity]\nDG201 = "warn"\n', /^pyproject\.toml:2:9: error: severity of DG201 must be one of "error", "warning", "info", "hint", "off", not "warn"/m],
      ['unknown code in severity', '[tool.dynamo-guard]\nseverity = { DG777 = "off" }\n', /^pyproject\.toml:2:14: error: unknown rule code "DG777" in severity/m],
      ['TOML syntax', '[project]\nname = "x"\n\n[tool.dynamo-guard]\nignore = ["DG101"\nselect = []\n', /^pyproject\.toml:6:1: error: invalid TOML: /m],
    ];
    for (const [name, text, expected] of cases) {
      it(name, async function () {
        const root = tree({ 'pyproject.toml': text, 'app.py': SMOKE_SAMPLE });
        const r = await runCli(['scan', '.'], root);
        assert.strictEqual(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, expected);
        assert.strictEqual(r.stdout, '', 'no report on a configuration error');
      });
    }

    it('every mistake of a file is listed, not just the first', async function () {
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard]\nselct = []\nignore = ["DG9"]\nmax-file-size-kb = "big"\n', 'app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '.'], root);
      assert.strictEqual(r.code, 2);
      assert.deepStrictEqual(r.stderr.split('\n').filter((l) => /^pyproject\.toml:\d+:\d+: error:/.test(l)).map((l) => l.split(': error:')[0]), ['pyproject.toml:2:1', 'pyproject.toml:3:11', 'pyproject.toml:4:20']);
      assert.match(r.stderr, /configuration error: 3 in pyproject\.toml/);
    });
  });

  describe('every TOML form', function () {
    const forms: Array<[string, string]> = [
      ['[tool.dynamo-guard] with spaces in the header', '[ tool . dynamo-guard ]\nignore = ["DG101"]\n'],
      ['quoted header', '[tool."dynamo-guard"]\nignore = ["DG101"]\n'],
      ['the inline-table form', 'tool = { dynamo-guard = { ignore = ["DG101"] } }\n'],
      ['dotted keys', '[tool]\ndynamo-guard.ignore = ["DG101"]\n'],
      ['a severity-only table', '[project]\nname = "x"\n\n[tool.dynamo-guard.severity]\nDG101 = "off"\n'],
    ];
    for (const [name, text] of forms) {
      it(name, async function () {
        assert.deepStrictEqual((await rulesWith(text)).map((f) => f.rule), ['DG102']);
      });
    }
  });

  describe('options', function () {
    it('severity by glob (hint, info); the exact code beats the glob', async function () {
      const found = await rulesWith('[tool.dynamo-guard.severity]\n"DG1*" = "hint"\nDG102 = "info"\n');
      assert.deepStrictEqual(found.map((f) => `${f.rule}:${f.severity}`), ['DG102:info', 'DG101:hint']);
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard.severity]\n"DG1*" = "hint"\n', 'app.py': SMOKE_SAMPLE });
      const sarif = await runCli(['scan', '.', '--format', 'sarif', '--select', 'DG101'], root);
      assert.match(sarif.stdout, /"level": "note"/);
    });

    it('extend-select adds to select; extend-ignore adds to ignore', async function () {
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard]\nselect = ["DG101"]\nextend-select = ["DG102", "DG201"]\nextend-ignore = ["DG201"]\n', 'app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '.', '--format', 'json'], root);
      assert.deepStrictEqual(parseReport(r).findings.map((f) => f.rule).sort(), ['DG101', 'DG102']);
    });

    it('per-file-ignores: globs relative to the pyproject.toml, or a file name', async function () {
      const found = await rulesWith('[tool.dynamo-guard.per-file-ignores]\n"tests/**" = ["DG101"]\n"legacy_*.py" = ["DG1"]\n', {
        'app.py': SMOKE_SAMPLE,
        'tests/test_app.py': SMOKE_SAMPLE,
        'pkg/legacy_api.py': SMOKE_SAMPLE,
      });
      assert.deepStrictEqual(found.map((f) => `${f.path}:${f.rule}`), ['app.py:DG102', 'app.py:DG101', 'tests/test_app.py:DG102']);
    });

    it('select = ["DG999"] is an error, never a silent "no rules"', async function () {
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard]\nselect = ["DG999"]\n', 'app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '.'], root);
      assert.strictEqual(r.code, 2);
    });
  });
});
