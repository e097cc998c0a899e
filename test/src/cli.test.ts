// The command line, exercised as a real process (`node bin/dynamo-guard.js ...`) on temporary
// project trees, against docs/CLI.md (the product spec). Assertions about findings depend on the rules
// (DG101/DG102 on the smoke sample); everything about walking, errors, formats and exit codes
// does not.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SKIPS, walkPythonFiles } from '../../server/out/analysis/files';
import {
  BIN,
  CLEAN_SAMPLE,
  REPO_ROOT,
  SMOKE_SAMPLE,
  makeTree,
  parseReport,
  removeTree,
  runCli,
  writeTree,
  type JsonReport,
} from './helpers/cliTree';

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SPEC_CODES = ['DG101', 'DG102', 'DG103', 'DG104', 'DG105', 'DG106', 'DG201', 'DG202', 'DG203', 'DG204', 'DG205', 'DG301', 'DG302', 'DG303', 'DG304', 'DG401', 'DG402', 'DG403', 'DG404', 'DG405', 'DG406', 'DG407', 'DG501', 'DG502', 'DG601', 'DG602'];
const SMOKE_LINES = SMOKE_SAMPLE.split('\n');
/** 1-based column of `get_item` on line 7 and of `get_user` on line 6. */
const GET_ITEM_COL = SMOKE_LINES[6]!.indexOf('get_item') + 1;
const GET_USER_COL = SMOKE_LINES[5]!.indexOf('get_user') + 1;
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const SUMMARY_RE = /^(\d+) findings \((\d+) errors, (\d+) warnings\) in (\d+) files, (\d+) lines, (\d+) ms$/m;

const trees: string[] = [];
function tree(spec: Parameters<typeof makeTree>[0]): string {
  const root = makeTree(spec);
  trees.push(root);
  return root;
}

function rules(report: JsonReport): string[] {
  return report.findings.map((f) => f.rule);
}

function sortedCopy<T>(items: readonly T[], cmp?: (a: T, b: T) => number): T[] {
  return [...items].sort(cmp);
}

describe('CLI (bin/dynamo-guard.js)', function () {
  this.timeout(60000);

  before(function () {
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'server', 'out', 'cli', 'main.js')), 'server/out/cli/main.js missing: run npx tsc -b first');
    assert.ok(fs.existsSync(BIN));
  });

  after(function () {
    for (const root of trees) removeTree(root);
  });

  describe('basics', function () {
    it('--version prints the package.json version', async function () {
      const r = await runCli(['--version'], REPO_ROOT);
      assert.strictEqual(r.code, 0);
      assert.strictEqual(r.stdout.trim(), VERSION);
    });

    it('--help and scan --help document the commands, options and exit codes', async function () {
      const main = await runCli(['--help'], REPO_ROOT);
      assert.strictEqual(main.code, 0);
      for (const word of ['scan', 'rules', 'explain', '--version']) assert.ok(main.stdout.includes(word), `--help lacks ${word}`);
      const scan = await runCli(['scan', '--help'], REPO_ROOT);
      assert.strictEqual(scan.code, 0);
      for (const word of ['--format', '--output', '--select', '--ignore', '--config', '--exit-zero', '--no-progress', '--jobs', 'Exit status']) {
        assert.ok(scan.stdout.includes(word), `scan --help lacks ${word}`);
      }
    });

    it('no arguments prints help on stderr and exits 2', async function () {
      const r = await runCli([], REPO_ROOT);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /Usage/);
    });
  });

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

  describe('scan: files that cannot be analysed', function () {
    it('are reported under errors and never abort the scan or change the exit status', async function () {
      const root = tree({
        'good.py': CLEAN_SAMPLE,
        'binary.py': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00]),
        'latin1.py': Buffer.from('name = "caf\xe9"\n', 'latin1'),
        'pkg/big.py': `x = 1\n${'# padding\n'.repeat(300)}`,
        'pkg/pyproject.toml': '[tool.dynamo-guard]\nmax-file-size-kb = 1\n',
        'z_last.py': CLEAN_SAMPLE,
      });
      fs.symlinkSync(path.join(root, 'missing-target.py'), path.join(root, 'dangling.py'));
      const result = await runCli(['scan', '--format', 'json'], root);
      assert.strictEqual(result.code, 0, result.stderr);
      const r = parseReport(result);
      assert.strictEqual(r.files, 2, 'good.py and z_last.py analysed');
      assert.deepStrictEqual(r.errors.map((e) => e.path), ['binary.py', 'dangling.py', 'latin1.py', 'pkg/big.py']);
      const byPath = new Map(r.errors.map((e) => [e.path, e.message]));
      assert.match(byPath.get('binary.py')!, /binary/);
      assert.match(byPath.get('latin1.py')!, /UTF-8/);
      assert.match(byPath.get('pkg/big.py')!, /KB/);
      assert.match(byPath.get('dangling.py')!, /no such file/);
    });

    it('do not hide the findings of the other files (exit 1)', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE, 'bin.py': Buffer.from('\x00\x00\x00') });
      const r = await runCli(['scan', '--format', 'json'], root);
      assert.strictEqual(r.code, 1, r.stderr);
      const report = parseReport(r);
      assert.deepStrictEqual(report.errors.map((e) => e.path), ['bin.py']);
      assert.ok(rules(report).includes('DG101'));
    });

    it('are printed as "path: error: message" on stderr in text output', async function () {
      const root = tree({ 'good.py': CLEAN_SAMPLE, 'binary.py': Buffer.from([0, 1, 2]) });
      const r = await runCli(['scan'], root);
      assert.strictEqual(r.code, 0);
      assert.match(r.stderr, /^binary\.py: error: .*binary/m);
      assert.ok(!r.stdout.includes('binary.py'));
      assert.match(r.stdout, /in 1 files/);
    });

    it('a FIFO named *.py is reported, not opened (reading it would hang)', async function () {
      if (process.platform === 'win32') this.skip();
      const root = tree({ 'good.py': CLEAN_SAMPLE });
      execFileSync('mkfifo', [path.join(root, 'pipe.py')]);
      const r = parseReport(await runCli(['scan', '--format', 'json'], root));
      assert.strictEqual(r.files, 1);
      assert.deepStrictEqual(r.errors.map((e) => e.path), ['pipe.py']);
    });

    it('an unreadable file (chmod 000) is reported', async function () {
      if (IS_ROOT) {
        // root reads through permissions, so chmod cannot make a file unreadable here; the
        // dangling-symlink and FIFO cases above cover the same code path.
        this.skip();
      }
      const root = tree({ 'good.py': CLEAN_SAMPLE, 'secret.py': CLEAN_SAMPLE });
      fs.chmodSync(path.join(root, 'secret.py'), 0o000);
      try {
        const r = parseReport(await runCli(['scan', '--format', 'json'], root));
        assert.strictEqual(r.files, 1);
        assert.deepStrictEqual(r.errors.map((e) => e.path), ['secret.py']);
        assert.match(r.errors[0]!.message, /permission denied/);
      } finally {
        fs.chmodSync(path.join(root, 'secret.py'), 0o644);
      }
    });
  });

  describe('scan: which files', function () {
    it('skips default directories and .gitignore\'d paths (nested .gitignore files too)', async function () {
      const vulnerable: Record<string, string> = {};
      for (const dir of ['.venv/lib', 'venv', 'node_modules/pkg', '.git/hooks', '__pycache__', 'lib/site-packages/x', 'build', 'sub/deep']) {
        vulnerable[`${dir}/leak.py`] = SMOKE_SAMPLE;
      }
      const root = tree({
        ...vulnerable,
        '.gitignore': 'build/\n*.generated.py\n!keep.generated.py\n',
        'api.generated.py': SMOKE_SAMPLE,
        'keep.generated.py': CLEAN_SAMPLE,
        'main.py': CLEAN_SAMPLE,
        'sub/.gitignore': 'deep/\nsecret_*.py\n',
        'sub/secret_a.py': SMOKE_SAMPLE,
        'sub/ok.py': CLEAN_SAMPLE,
        'notpython.txt': SMOKE_SAMPLE,
      });
      const result = await runCli(['scan', '--format', 'json'], root);
      const r = parseReport(result);
      assert.deepStrictEqual(r.findings, [], `leaked: ${r.findings.map((f) => f.path).join(', ')}`);
      assert.strictEqual(r.files, 3, 'main.py, keep.generated.py, sub/ok.py');
      assert.strictEqual(result.code, 0);
    });

    it('applies .gitignore files above a PATH argument (up to the repository top, or the current directory)', async function () {
      const inRepo = tree({ '.git/HEAD': 'ref: refs/heads/main\n', '.gitignore': 'gen/\n', 'src/gen/x.py': SMOKE_SAMPLE, 'src/a.py': CLEAN_SAMPLE });
      assert.strictEqual(parseReport(await runCli(['scan', 'src', '--format', 'json'], inRepo)).files, 1);
      // Run from inside src/: the repository's .gitignore still applies.
      assert.strictEqual(parseReport(await runCli(['scan', '--format', 'json'], path.join(inRepo, 'src'))).files, 1);
      const noRepo = tree({ '.gitignore': 'gen/\n', 'src/gen/x.py': SMOKE_SAMPLE, 'src/a.py': CLEAN_SAMPLE });
      assert.strictEqual(parseReport(await runCli(['scan', 'src', '--format', 'json'], noRepo)).files, 1);
    });

    it('analyses an ignored file when it is named explicitly', async function () {
      const root = tree({ '.gitignore': 'build/\n', 'build/gen.py': SMOKE_SAMPLE });
      const r = parseReport(await runCli(['scan', 'build/gen.py', '--format', 'json'], root));
      assert.strictEqual(r.files, 1);
      assert.ok(rules(r).includes('DG101'));
    });

    it('honours pyproject exclude globs, each relative to its own pyproject', async function () {
      const root = tree({
        'pyproject.toml': '[tool.dynamo-guard]\nexclude = ["tests/**", "**/migrations/**", "*_pb2.py"]\n',
        'app/main.py': CLEAN_SAMPLE,
        'app/migrations/0001_init.py': SMOKE_SAMPLE,
        'app/users_pb2.py': SMOKE_SAMPLE,
        'tests/test_app.py': SMOKE_SAMPLE,
        'svc/pyproject.toml': '[tool.dynamo-guard]\nexclude = ["old/**"]\n',
        'svc/old/legacy.py': SMOKE_SAMPLE,
        'svc/new.py': CLEAN_SAMPLE,
        'svc/tests/test_svc.py': CLEAN_SAMPLE,
      });
      const r = parseReport(await runCli(['scan', '--format', 'json'], root));
      assert.deepStrictEqual(r.findings, []);
      // svc has its own pyproject, so the root's tests/** does not reach svc/tests.
      assert.strictEqual(r.files, 3, 'app/main.py, svc/new.py, svc/tests/test_svc.py');
    });

    it('does not follow symlinked directories (no loops)', async function () {
      const root = tree({ 'pkg/a.py': CLEAN_SAMPLE });
      fs.symlinkSync(root, path.join(root, 'pkg', 'loop'), 'dir');
      const r = parseReport(await runCli(['scan', '--format', 'json'], root));
      assert.strictEqual(r.files, 1);
    });
  });

  describe('scan: rule selection', function () {
    it('--select keeps only the selected rules', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      const r = parseReport(await runCli(['scan', '--format', 'json', '--select', 'DG102'], root));
      assert.deepStrictEqual([...new Set(rules(r))], ['DG102']);
    });

    it('--select accepts prefixes', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      const r = parseReport(await runCli(['scan', '--format', 'json', '--select', 'DG1'], root));
      assert.ok(rules(r).includes('DG101') && rules(r).includes('DG102'));
      assert.ok(rules(r).every((c) => c.startsWith('DG1')));
    });

    it('--ignore drops rules', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      const r = parseReport(await runCli(['scan', '--format', 'json', '--ignore', 'DG101'], root));
      assert.ok(!rules(r).includes('DG101'));
      assert.ok(rules(r).includes('DG102'));
    });

    it('pyproject ignore applies, and --select of that very rule overrides it', async function () {
      const root = tree({ 'pyproject.toml': '[tool.dynamo-guard]\nignore = ["DG102"]\n', 'app.py': SMOKE_SAMPLE });
      const configured = parseReport(await runCli(['scan', '--format', 'json'], root));
      assert.ok(rules(configured).includes('DG101'));
      assert.ok(!rules(configured).includes('DG102'));
      const selected = parseReport(await runCli(['scan', '--format', 'json', '--select', 'DG102'], root));
      assert.deepStrictEqual([...new Set(rules(selected))], ['DG102']);
    });

    it('--config uses one pyproject for every file', async function () {
      const root = tree({ 'ci.toml': '[tool.dynamo-guard]\nselect = ["DG101"]\n', 'a/app.py': SMOKE_SAMPLE });
      const r = parseReport(await runCli(['scan', '--format', 'json', '--config', 'ci.toml'], root));
      assert.deepStrictEqual([...new Set(rules(r))], ['DG101']);
    });
  });

  describe('rules and explain', function () {
    it('rules --format json lists the registered rules sorted, each exactly as the spec names it', async function () {
      const r = await runCli(['rules', '--format', 'json'], REPO_ROOT);
      assert.strictEqual(r.code, 0);
      const catalog = JSON.parse(r.stdout) as Array<{ code: string; name: string; defaultSeverity: string; summary: string; fixable: boolean; cwe: string[] }>;
      const codes = catalog.map((c) => c.code);
      assert.deepStrictEqual(codes, [...codes].sort());
      for (const code of ['DG101', 'DG102', 'DG201', 'DG301', 'DG302']) assert.ok(codes.includes(code), `${code} missing`);
      for (const code of codes) assert.ok(SPEC_CODES.includes(code), `${code} is not in RULES.md`);
      // The contract: name and default severity as RULES.md's table says (shipped as docs/RULES.md).
      const specFile = path.join(REPO_ROOT, 'docs', 'RULES.md');
      if (fs.existsSync(specFile)) {
        const rows = new Map([...fs.readFileSync(specFile, 'utf8').matchAll(/^\| (DG\d{3}) \| ([a-z-]+) \| (error|warning|info) \|/gm)].map((m) => [m[1]!, [m[2]!, m[3]!]]));
        for (const c of catalog) assert.deepStrictEqual([c.name, c.defaultSeverity], rows.get(c.code), `${c.code} differs from RULES.md`);
      }
      for (const c of catalog) {
        assert.match(c.name, /^[a-z0-9-]+$/);
        assert.ok(['error', 'warning', 'info'].includes(c.defaultSeverity));
        assert.ok(c.summary.length > 0);
        assert.strictEqual(typeof c.fixable, 'boolean');
        assert.ok(Array.isArray(c.cwe));
      }
      const dg101 = catalog.find((c) => c.code === 'DG101')!;
      assert.deepStrictEqual([dg101.name, dg101.defaultSeverity], ['unscoped-key', 'error']);
    });

    it('rules (text) shows code, name and severity', async function () {
      const r = await runCli(['rules'], REPO_ROOT);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /^DG101\s+unscoped-key\s+error\b/m);
    });

    it('explain DG101 prints the documentation', async function () {
      const r = await runCli(['explain', 'DG101'], REPO_ROOT);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /What it does/);
      const lower = await runCli(['explain', 'dg101'], REPO_ROOT);
      assert.strictEqual(lower.stdout, r.stdout);
    });

    it('explain of an unknown rule exits 2', async function () {
      const r = await runCli(['explain', 'DG999'], REPO_ROOT);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /DG999/);
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

  describe('scan: --jobs', function () {
    it('gives identical reports with 1 and 2 workers on ~300 files', async function () {
      const spec: Record<string, string> = {};
      for (let i = 0; i < 300; i++) {
        const dir = `pkg${i % 7}/mod${i % 3}`;
        spec[`${dir}/f${i}.py`] = i % 3 === 0 ? SMOKE_SAMPLE.replace(/get_user/g, `get_user_${i}`) : CLEAN_SAMPLE;
      }
      const root = tree(spec);
      const one = await runCli(['scan', '--format', 'json', '--jobs', '1'], root);
      const two = await runCli(['scan', '--format', 'json', '--jobs', '2'], root);
      const auto = await runCli(['scan', '--format', 'json'], root);
      const [a, b, c] = [parseReport(one), parseReport(two), parseReport(auto)];
      assert.strictEqual(a.files, 300);
      assert.strictEqual(b.files, 300);
      assert.ok(a.findings.length >= 100, `expected findings in the 100 smoke copies, got ${a.findings.length}`);
      assert.deepStrictEqual(b.findings, a.findings);
      assert.deepStrictEqual(c.findings, a.findings);
      assert.strictEqual(b.lines, a.lines);
      assert.deepStrictEqual([one.code, two.code], [1, 1]);
    });
  });
});

describe('walkPythonFiles', function () {
  const made: string[] = [];
  after(() => made.forEach(removeTree));
  const walk = async (roots: string[], opts: Parameters<typeof walkPythonFiles>[1] = {}) => {
    const out: string[] = [];
    for await (const f of walkPythonFiles(roots, opts)) out.push(f);
    return out;
  };

  it('yields absolute *.py paths in a deterministic depth-first, name-sorted order', async function () {
    const root = makeTree({ 'b.py': '', 'a/z.py': '', 'a/y.pyi': '', 'a.py': '', 'c/readme.md': '' });
    made.push(root);
    const files = await walk([root]);
    assert.deepStrictEqual(files, [path.join(root, 'a', 'z.py'), path.join(root, 'a.py'), path.join(root, 'b.py')]);
  });

  it('skips DEFAULT_SKIPS but walks one that is given as a root', async function () {
    const root = makeTree({ '.venv/x.py': '', 'node_modules/y.py': '', 'ok.py': '' });
    made.push(root);
    assert.ok(DEFAULT_SKIPS.includes('.venv') && DEFAULT_SKIPS.includes('site-packages'));
    assert.deepStrictEqual(await walk([root]), [path.join(root, 'ok.py')]);
    assert.deepStrictEqual(await walk([path.join(root, '.venv')]), [path.join(root, '.venv', 'x.py')]);
  });

  it('applies exclude globs relative to base and always yields explicit files', async function () {
    const root = makeTree({ 'tests/t.py': '', 'app/migrations/m.py': '', 'app/main.py': '' });
    made.push(root);
    const exclude = ['tests/**', '**/migrations/**'];
    assert.deepStrictEqual(await walk([root], { base: root, exclude }), [path.join(root, 'app', 'main.py')]);
    assert.deepStrictEqual(await walk([path.join(root, 'tests', 't.py')], { base: root, exclude }), [path.join(root, 'tests', 't.py')]);
  });

  it('yields each file once when roots overlap', async function () {
    const root = makeTree({ 'a/x.py': '' });
    made.push(root);
    assert.deepStrictEqual(await walk([root, path.join(root, 'a'), path.join(root, 'a', 'x.py')]), [path.join(root, 'a', 'x.py')]);
  });

  it('reports an unreadable directory through onError and goes on', async function () {
    if (IS_ROOT) this.skip(); // root lists any directory; no way to make one unreadable here
    const root = makeTree({ 'locked/x.py': '', 'ok.py': '' });
    made.push(root);
    fs.chmodSync(path.join(root, 'locked'), 0o000);
    const errors: string[] = [];
    try {
      const files = await walk([root], { onError: (p) => errors.push(p) });
      assert.deepStrictEqual(files, [path.join(root, 'ok.py')]);
      assert.deepStrictEqual(errors, [path.join(root, 'locked')]);
    } finally {
      fs.chmodSync(path.join(root, 'locked'), 0o755);
    }
  });

  it('reports a missing root through onError instead of throwing', async function () {
    const errors: string[] = [];
    const files = await walk([path.join(REPO_ROOT, 'no-such-dir-xyz')], { onError: (p) => errors.push(p) });
    assert.deepStrictEqual(files, []);
    assert.strictEqual(errors.length, 1);
  });
});
