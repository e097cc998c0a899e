// The command line, exercised as a real process (`node bin/dynamo-guard.js ...`) on temporary
// project trees, against docs/CLI.md (the product spec): basics, rule selection, `rules`/`explain`
// and --jobs. Output formats are in cliOutput.test.ts, which files are scanned (and which cannot be)
// in cliFiles.test.ts. Assertions about findings depend on the rules (DG101/DG102 on the smoke
// sample); everything about walking, errors, formats and exit codes does not.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CLEAN_SAMPLE, REPO_ROOT, SMOKE_SAMPLE, parseReport, runCli } from './helpers/cliTree';
import { cliSuite, rules, VERSION } from './helpers/cliSuite';

const SPEC_CODES = ['DG101', 'DG102', 'DG103', 'DG104', 'DG105', 'DG106', 'DG201', 'DG202', 'DG203', 'DG204', 'DG205', 'DG301', 'DG302', 'DG303', 'DG304', 'DG401', 'DG402', 'DG403', 'DG404', 'DG405', 'DG406', 'DG407', 'DG501', 'DG502', 'DG601', 'DG602'];

describe('CLI (bin/dynamo-guard.js)', function () {
  this.timeout(60000);
  const tree = cliSuite();

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
