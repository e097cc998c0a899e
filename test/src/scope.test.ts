// Scope-independent results (issue 7 point 4, CLI.md "Scope"): the cross-file index covers the
// project root whatever PATHs are given, so a file scanned alone, with its folder or with the
// whole project gets the same findings. The CLI runs as a process on a copy of an original
// layered fixture project (tables in one module, the auth dependency in another, routes in a
// third), from the project root and from elsewhere.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseReport, removeTree, runCli, type JsonReport } from './helpers/cliTree';

const FIXTURE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'projects', 'scope-equality');

function findingsOf(report: JsonReport, suffix: string): string[] {
  return report.findings.filter((f) => f.path.endsWith(suffix)).map((f) => `${f.line}:${f.column} ${f.rule} ${f.message}`).sort();
}

describe('scan scope: single-file, folder and project scans agree', function () {
  this.timeout(90000);
  let root: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-scope-')));
    fs.cpSync(FIXTURE, root, { recursive: true });
  });
  after(() => removeTree(root));

  for (const file of ['shop/routes/invoices.py', 'shop/routes/carts.py']) {
    it(`${file}: alone == with its folder == whole project (and from another directory)`, async function () {
      const whole = parseReport(await runCli(['scan', '--format', 'json', '--no-cache'], root));
      const expected = findingsOf(whole, file);
      // Findings that need the other modules: without them the table is unknown and nothing fires.
      assert.ok(expected.some((f) => /DG10[12]/.test(f)), `project scan has no cross-file finding in ${file}: ${JSON.stringify(whole.findings)}`);
      const alone = parseReport(await runCli(['scan', file, '--format', 'json', '--no-cache'], root));
      assert.deepStrictEqual(findingsOf(alone, file), expected);
      const folder = parseReport(await runCli(['scan', path.dirname(file), '--format', 'json', '--no-cache'], root));
      assert.deepStrictEqual(findingsOf(folder, file), expected);
      const fromAbove = parseReport(await runCli(['scan', path.join(root, file), '--format', 'json', '--no-cache'], os.tmpdir()));
      assert.deepStrictEqual(findingsOf(fromAbove, file), expected);
    });
  }
});
