// DG202 in the layer (issue 7): a scan inside a repository reached from request handlers up the
// imports (route → service → repository) is reported once, on the scan, naming the handlers; the
// CLI runs as a process on a copy of the original l202_polls fixture project. The repository
// scanned alone gives what the whole project gives, and the analysis cache notices a handler
// two modules up going away.

import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseReport, removeTree, runCli, type JsonReport } from './helpers/cliTree';

const FIXTURE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'projects', 'l202_polls');
const REPO = 'polls/storage/ballots.py';

function scans(report: JsonReport): string[] {
  return report.findings.filter((f) => f.rule === 'DG202').map((f) => `${f.path}:${f.line} ${f.message}`).sort();
}

describe('DG202 inside the layer, named handlers up the imports (CLI, l202_polls)', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-l202-')));
    fs.cpSync(FIXTURE, root, { recursive: true });
  });
  after(() => removeTree(root));

  it('reports the scans in the repository once, with each handler as related information', async () => {
    const whole = parseReport(await runCli(['scan', '--format', 'json', '--no-cache'], root));
    const found = whole.findings.filter((f) => f.rule === 'DG202');
    assert.deepStrictEqual(found.map((f) => `${f.path}:${f.line}`).sort(), [`${REPO}:15`, `${REPO}:25`, `${REPO}:48`]);
    const open = found.find((f) => f.line === 25)!;
    assert.match(open.message, /handlers `admin_open`, `landing_page`/);
    const related = (open.related ?? []).map((r) => `${r.path}:${r.line} ${r.message}`).sort();
    assert.deepStrictEqual(related, [`${REPO}:38 Reached from handler \`admin_open\` (/admin/ballots/open)`, 'polls/web/routes.py:20 Reached from handler `landing_page` (/polls)']);
  });

  it('the repository scanned alone == the whole project == from another directory', async () => {
    const whole = scans(parseReport(await runCli(['scan', '--format', 'json', '--no-cache'], root)));
    const alone = scans(parseReport(await runCli(['scan', REPO, '--format', 'json', '--no-cache'], root)));
    assert.deepStrictEqual(alone, whole);
    const fromAbove = parseReport(await runCli(['scan', path.join(root, REPO), '--format', 'json', '--no-cache'], os.tmpdir()));
    assert.strictEqual(fromAbove.findings.filter((f) => f.rule === 'DG202').length, whole.length);
  });

  it('with the cache, removing the only handler two modules up silences the repository scan', async () => {
    const cached = () => runCli(['scan', '--format', 'json', '--cache-dir', path.join(root, '.cache')], root);
    assert.ok(scans(parseReport(await cached())).some((s) => s.startsWith(`${REPO}:15 `)));
    const routes = path.join(root, 'polls/web/routes.py');
    const text = fs.readFileSync(routes, 'utf8');
    fs.writeFileSync(routes, text.replace('return jsonify(search_service.search(request.args.get("q", "")))', 'return jsonify([])'));
    assert.ok(!scans(parseReport(await cached())).some((s) => s.startsWith(`${REPO}:15 `)), 'the cached finding survived its handler');
  });
});
