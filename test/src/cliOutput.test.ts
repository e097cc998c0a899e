// The CLI's output as a real process: text, JSON and SARIF reports and exit status 2, against
// docs/CLI.md.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CLEAN_SAMPLE, SMOKE_SAMPLE, parseReport, runCli, writeTree, type JsonReport } from './helpers/cliTree';
import { cliSuite, GET_ITEM_COL, GET_USER_COL, rules, VERSION } from './helpers/cliSuite';

const SMOKE_LINES = SMOKE_SAMPLE.split('\n');
const SUMMARY_RE = /^(\d+) findings \((\d+) errors, (\d+) warnings\) in (\d+) files, (\d+) lines, (\d+) ms$/m;

function sortedCopy<T>(items: readonly T[], cmp?: (a: T, b: T) => number): T[] {
  return [...items].sort(cmp);
}

describe('CLI (bin/dynamo-guard.js)', function () {
  this.timeout(60000);
  const tree = cliSuite();

  describe('scan: text output', function () {
    it('a clean tree exits 0 with a zero summary', async function () {
      const root = tree({ 'a.py': CLEAN_SAMPLE, 'pkg/b.py': CLEAN_SAMPLE });
      const r = await runCli(['scan'], root);
      assert.strictEqual(r.code, 0, r.stderr);
      const m = SUMMARY_RE.exec(r.stdout);
      assert.ok(m, `no summary line in ${JSON.stringify(r.stdout)}`);
      assert.deepStrictEqual(m.slice(1, 5), ['0', '0', '0', '2']);
      assert.ok(Number(m[5]) >= 4, 'lines counted');
      assert.strictEqual(r.stdout.trim().split('\n').length, 1, 'only the summary line');
    });

    it('the smoke sample exits 1 with path:line:col: CODE [severity] message lines', async function () {
      const root = tree({ 'api/app.py': SMOKE_SAMPLE, 'util.py': CLEAN_SAMPLE });
      const r = await runCli(['scan'], root);
      assert.strictEqual(r.code, 1, r.stdout + r.stderr);
      assert.ok(r.stdout.includes(`api/app.py:7:${GET_ITEM_COL}: DG101 [error] `), r.stdout);
      assert.ok(r.stdout.includes(`api/app.py:6:${GET_USER_COL}: DG102 [warning] `), r.stdout);
      const m = SUMMARY_RE.exec(r.stdout);
      assert.ok(m, r.stdout);
      const [total, errors, warnings, files] = m.slice(1, 5).map(Number) as [number, number, number, number];
      assert.ok(errors >= 1 && warnings >= 1 && total >= errors + warnings);
      assert.strictEqual(files, 2);
      const findingLines = r.stdout.split('\n').filter((l) => /^\S+:\d+:\d+: DG\d{3} \[(error|warning|info)\] /.test(l));
      assert.strictEqual(findingLines.length, total);
      assert.ok(!r.stdout.includes('\x1b['), 'no colour when stdout is not a TTY');
    });

    it('--exit-zero exits 0 even with findings', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '--exit-zero'], root);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /DG101 \[error\]/);
    });

    it('scans the PATH arguments given (files and directories)', async function () {
      const root = tree({ 'a/one.py': CLEAN_SAMPLE, 'b/two.py': CLEAN_SAMPLE, 'c/three.py': CLEAN_SAMPLE });
      const r = parseReport(await runCli(['scan', 'a', 'c/three.py', '--format', 'json'], root));
      assert.strictEqual(r.files, 2);
    });
  });

  describe('scan: json output', function () {
    it('has exactly the CLI.md shape, 1-based positions and relative / paths', async function () {
      const root = tree({ 'api/app.py': SMOKE_SAMPLE, 'util.py': CLEAN_SAMPLE });
      const result = await runCli(['scan', '--format', 'json'], root);
      assert.strictEqual(result.code, 1, result.stderr);
      const r = parseReport(result);
      assert.deepStrictEqual(Object.keys(r).sort(), ['durationMs', 'errors', 'files', 'findings', 'lines', 'version']);
      assert.strictEqual(r.version, VERSION);
      assert.strictEqual(r.files, 2);
      assert.ok(r.lines >= SMOKE_LINES.length);
      assert.strictEqual(typeof r.durationMs, 'number');
      assert.deepStrictEqual(r.errors, []);
      for (const f of r.findings) {
        assert.deepStrictEqual(Object.keys(f).sort(), ['column', 'endColumn', 'endLine', 'fixes', 'line', 'message', 'name', 'path', 'related', 'rule', 'severity']);
        for (const rel of f.related) assert.deepStrictEqual(Object.keys(rel).sort(), ['column', 'endColumn', 'endLine', 'line', 'message', 'path']);
        assert.ok(f.line >= 1 && f.column >= 1 && (f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column)));
        for (const fix of f.fixes) {
          assert.strictEqual(typeof fix.title, 'string');
          for (const e of fix.edits) {
            assert.deepStrictEqual(Object.keys(e).sort(), ['column', 'endColumn', 'endLine', 'line', 'newText']);
            assert.ok(e.line >= 1 && e.column >= 1);
          }
        }
      }
      const dg101 = r.findings.find((f) => f.rule === 'DG101');
      assert.ok(dg101, `DG101 expected, got ${rules(r).join(',')}`);
      assert.strictEqual(dg101.path, 'api/app.py');
      assert.strictEqual(dg101.line, 7);
      assert.strictEqual(dg101.column, GET_ITEM_COL);
      assert.strictEqual(dg101.name, 'unscoped-key');
      assert.strictEqual(dg101.severity, 'error');
      const dg102 = r.findings.find((f) => f.rule === 'DG102');
      assert.ok(dg102);
      assert.deepStrictEqual([dg102.path, dg102.line, dg102.column, dg102.severity, dg102.name], ['api/app.py', 6, GET_USER_COL, 'warning', 'unauthenticated-access']);
      const order = r.findings.map((f) => [f.path, f.line, f.column] as const);
      assert.deepStrictEqual(order, sortedCopy(order, (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2])));
    });

    it('--output writes the report to a file instead of stdout', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '--format', 'json', '--output', 'out/report.json'], root);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.strictEqual(r.stdout, '');
      const report = JSON.parse(fs.readFileSync(path.join(root, 'out', 'report.json'), 'utf8')) as JsonReport;
      assert.strictEqual(report.files, 1);
      assert.ok(rules(report).includes('DG101'));
    });
  });

  describe('scan: exit status 2', function () {
    const cases: Array<[string, string[], RegExp]> = [
      ['an unknown option', ['scan', '--bogus'], /--bogus/],
      ['an unknown rule in --select', ['scan', '--select', 'DG999'], /DG999/],
      ['an unknown rule in --ignore', ['scan', '--ignore', 'XY1'], /XY1/],
      ['a bad --format', ['scan', '--format', 'xml'], /xml/],
      ['a bad --jobs', ['scan', '--jobs', '0'], /--jobs/],
      ['a missing PATH', ['scan', 'no-such-dir'], /no-such-dir/],
      ['a missing --config file', ['scan', '--config', 'nope.toml'], /nope\.toml/],
      ['an unknown command', ['scna'], /scna/],
    ];
    for (const [what, args, message] of cases) {
      it(`for ${what}`, async function () {
        const root = tree({ 'app.py': CLEAN_SAMPLE });
        const r = await runCli(args, root);
        assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.strictEqual(r.stdout, '');
      });
    }

    it('--select with a known rule is accepted (control for the case above)', async function () {
      const root = tree({ 'app.py': CLEAN_SAMPLE });
      const r = await runCli(['scan', '--select', 'DG101,DG2'], root);
      assert.strictEqual(r.code, 0, r.stderr);
    });

    it('for an invalid pyproject.toml, naming the file', async function () {
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard]\nselect = ["DG101"\n', 'app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '--format', 'json'], root);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /pyproject\.toml/);
      assert.strictEqual(r.stdout, '');
    });

    it('for an invalid nested pyproject.toml too', async function () {
      const root = tree({ 'app.py': CLEAN_SAMPLE, 'svc/pyproject.toml': '[tool.dynamo-guard]\nexclude = 3 = 4\n', 'svc/x.py': CLEAN_SAMPLE });
      const r = await runCli(['scan'], root);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /svc.pyproject\.toml/);
    });
  });

  describe('scan: sarif output', function () {
    it('is SARIF 2.1.0 with rules, results, regions and line-number-free fingerprints', async function () {
      const root = tree({ 'api/app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '--format', 'sarif'], root);
      assert.strictEqual(r.code, 1, r.stderr);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const sarif = JSON.parse(r.stdout) as any;
      assert.strictEqual(sarif.version, '2.1.0');
      const run = sarif.runs[0];
      assert.strictEqual(run.tool.driver.name, 'DynamoGuard');
      assert.strictEqual(run.tool.driver.version, VERSION);
      assert.ok(run.tool.driver.rules.length > 0);
      for (const rule of run.tool.driver.rules) {
        assert.match(rule.id, /^DG\d{3}$/);
        assert.match(rule.helpUri, /^https:\/\//);
        assert.ok(rule.shortDescription.text);
        assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
        assert.ok(Array.isArray(rule.properties.tags));
      }
      const result = run.results.find((x: { ruleId: string }) => x.ruleId === 'DG101');
      assert.ok(result, 'a DG101 result');
      assert.strictEqual(result.level, 'error');
      assert.strictEqual(run.tool.driver.rules[result.ruleIndex].id, 'DG101');
      const loc = result.locations[0].physicalLocation;
      assert.strictEqual(loc.artifactLocation.uri, 'api/app.py');
      assert.deepStrictEqual([loc.region.startLine, loc.region.startColumn], [7, GET_ITEM_COL]);
      const print = Object.values(result.partialFingerprints)[0];
      assert.ok(typeof print === 'string' && print.length > 0);

      // Moving the code down keeps the fingerprint (it hashes the line text, not its number).
      writeTree(root, { 'api/app.py': `# a new header comment\n\n${SMOKE_SAMPLE}` });
      const moved = JSON.parse((await runCli(['scan', '--format', 'sarif'], root)).stdout);
      const movedResult = moved.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'DG101');
      assert.strictEqual(movedResult.locations[0].physicalLocation.region.startLine, 9);
      assert.deepStrictEqual(movedResult.partialFingerprints, result.partialFingerprints);
    });

    it('is valid with no findings and lists unreadable files as notifications', async function () {
      const root = tree({ 'a.py': CLEAN_SAMPLE, 'b.py': Buffer.from([0]) });
      const r = await runCli(['scan', '--format', 'sarif'], root);
      assert.strictEqual(r.code, 0);
      const sarif = JSON.parse(r.stdout);
      assert.deepStrictEqual(sarif.runs[0].results, []);
      const notes = sarif.runs[0].invocations[0].toolExecutionNotifications;
      assert.strictEqual(notes[0].locations[0].physicalLocation.artifactLocation.uri, 'b.py');
    });
  });
});
