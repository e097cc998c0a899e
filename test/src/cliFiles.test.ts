// Which files the CLI scans (roots, skips, excludes, .gitignore) and what it does with those it
// cannot analyse, as a real process; and walkPythonFiles, the walk under both the CLI and the editor.

import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SKIPS, walkPythonFiles } from '../../server/out/analysis/files';
import { CLEAN_SAMPLE, REPO_ROOT, SMOKE_SAMPLE, makeTree, parseReport, removeTree, runCli } from './helpers/cliTree';
import { cliSuite, IS_ROOT, rules } from './helpers/cliSuite';

describe('CLI (bin/dynamo-guard.js)', function () {
  this.timeout(60000);
  const tree = cliSuite();

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
