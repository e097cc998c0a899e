// The CLI survives the death of the analysis of one file (issue 7 point 3, CLI.md exit status):
// a simulated V8 fatal error (the process aborts) or a file that never finishes is listed under
// `errors`, every other file's findings are still reported, and the exit status is 2 even with
// --exit-zero. The hooks are environment variables read by the analysis process only.

import * as assert from 'assert';
import { SMOKE_SAMPLE, makeTree, parseReport, removeTree, runCli } from './helpers/cliTree';

describe('CLI survives a fatal error in one file', function () {
  this.timeout(60000);
  const trees: string[] = [];
  after(() => trees.forEach(removeTree));
  const project = () => {
    const root = makeTree({ 'a.py': SMOKE_SAMPLE, 'b_dies.py': SMOKE_SAMPLE, 'c.py': SMOKE_SAMPLE, 'pkg/d.py': SMOKE_SAMPLE }, 'dg-survive-');
    trees.push(root);
    return root;
  };

  for (const jobs of ['1', '2']) {
    it(`a V8-style abort while analysing one file (--jobs ${jobs}): that file under errors, the others reported, exit 2`, async function () {
      const root = project();
      const r = await runCli(['scan', '--format', 'json', '--jobs', jobs, '--exit-zero'], root, { DYNAMO_GUARD_TEST_FATAL: 'b_dies.py' });
      assert.strictEqual(r.code, 2, r.stderr);
      const report = parseReport(r);
      assert.deepStrictEqual([...new Set(report.findings.map((f) => f.path))], ['a.py', 'c.py', 'pkg/d.py']);
      assert.deepStrictEqual(report.errors.map((e) => e.path), ['b_dies.py']);
      assert.match(report.errors[0]!.message, /analysis process died \(SIGABRT: FATAL ERROR: simulated/);
      assert.strictEqual(report.files, 3);
    });
  }

  it('a file that outlives the time budget is killed and reported; the text report still lists the rest', async function () {
    const root = project();
    const r = await runCli(['scan'], root, { DYNAMO_GUARD_TEST_HANG: 'b_dies.py', DYNAMO_GUARD_TIME_BUDGET_MS: '3000' });
    assert.strictEqual(r.code, 2, r.stderr);
    assert.match(r.stderr, /b_dies\.py: error: internal error: analysis took longer than the 3 s time budget/);
    for (const f of ['a.py', 'c.py', 'pkg/d.py']) assert.ok(r.stdout.includes(`${f}:7:`), r.stdout);
    assert.doesNotMatch(r.stdout, /b_dies/);
  });

  it('without the hooks the same project exits 1 with all four files (control)', async function () {
    const r = await runCli(['scan', '--format', 'json'], project());
    assert.strictEqual(r.code, 1, r.stderr);
    assert.strictEqual(parseReport(r).files, 4);
  });
});
