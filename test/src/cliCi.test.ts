// The CI side of the command line as real processes: --fix, --unsafe-fixes, --diff, stdin,
// --baseline / --write-baseline and --format github (CLI.md).

import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, SMOKE_SAMPLE, makeTree, parseReport, removeTree, runCli, type CliResult } from './helpers/cliTree';

/** Two safe fixes (DG402 #name, DG403 unused value) in one call, no unsafe one. */
const FIXABLE = [
  'import boto3',
  '',
  'table = boto3.resource("dynamodb").Table("items")',
  '',
  '',
  'def rename_item(item_id, name):',
  '    table.update_item(',
  '        Key={"id": item_id},',
  '        UpdateExpression="SET name = :n",',
  '        ConditionExpression="attribute_exists(id)",',
  '        ExpressionAttributeValues={":n": name, ":unused": 1},',
  '    )',
  '',
].join('\n');

function runWithInput(args: string[], cwd: string, input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('CLI for CI (--fix, --diff, stdin, baseline, github)', function () {
  this.timeout(60000);
  const trees: string[] = [];
  const tree = (spec: Record<string, string>) => {
    const root = makeTree(spec, 'dg-ci-');
    trees.push(root);
    return root;
  };
  after(() => trees.forEach(removeTree));

  describe('--fix / --diff', function () {
    it('--diff prints a unified diff of the safe fixes, writes nothing, exits 1; exit 0 when there is nothing to fix', async function () {
      const root = tree({ 'app.py': FIXABLE, 'clean.py': 'x = 1\n' });
      const r = await runCli(['scan', '--diff', '.'], root);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stdout, /^--- a\/app\.py\n\+\+\+ b\/app\.py\n@@ /);
      assert.match(r.stdout, /^-        UpdateExpression="SET name = :n",$/m);
      assert.match(r.stdout, /^\+        UpdateExpression="SET #name = :n",$/m);
      assert.match(r.stdout, /^\+        ExpressionAttributeValues=\{":n": name\},$/m);
      assert.match(r.stderr, /2 fixes would be applied to 1 files/);
      assert.strictEqual(fs.readFileSync(path.join(root, 'app.py'), 'utf8'), FIXABLE, '--diff must not write');
      const clean = await runCli(['scan', '--diff', 'clean.py'], root);
      assert.strictEqual(clean.code, 0);
      assert.strictEqual(clean.stdout, '');
    });

    it('--fix applies every safe fix in place (multi-pass), reports what is left, and a second run has nothing to fix', async function () {
      const root = tree({ 'app.py': FIXABLE });
      const before = await runCli(['scan', '--format', 'json', '.'], root);
      assert.deepStrictEqual(parseReport(before).findings.map((f) => f.rule).sort(), ['DG402', 'DG403']);
      const r = await runCli(['scan', '--fix', '--format', 'json', '.'], root);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(parseReport(r).findings, []);
      assert.match(r.stderr, /fixed 2 findings in 1 files/);
      const fixed = fs.readFileSync(path.join(root, 'app.py'), 'utf8');
      // Both fixes add keyword arguments to the same call: the second needs a second pass.
      assert.match(fixed, /UpdateExpression="SET #name = :n"/);
      assert.ok(!fixed.includes(':unused'), fixed);
      assert.match(fixed, /ExpressionAttributeNames=\{"#name": "name"\}/);
      const again = await runCli(['scan', '--diff', '.'], root);
      assert.strictEqual(again.code, 0, again.stdout);
    });

    it('--fix leaves unsafe fixes alone; --unsafe-fixes applies them too', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE });
      const safe = await runCli(['scan', '--fix', '.'], root);
      assert.strictEqual(safe.code, 1, 'the unsafe findings remain');
      assert.strictEqual(fs.readFileSync(path.join(root, 'app.py'), 'utf8'), SMOKE_SAMPLE);
      const diff = await runCli(['scan', '--diff', '--unsafe-fixes', '.'], root);
      assert.strictEqual(diff.code, 1);
      assert.match(diff.stdout, /^\+\s+abort\(403\)$/m);
      const unsafe = await runCli(['scan', '--unsafe-fixes', '--format', 'json', '.'], root);
      const after = fs.readFileSync(path.join(root, 'app.py'), 'utf8');
      assert.notStrictEqual(after, SMOKE_SAMPLE);
      assert.match(after, /abort\(403\)/);
      assert.ok(!parseReport(unsafe).findings.some((f) => f.rule === 'DG101'), unsafe.stdout);
    });

    it('--fix with --diff is a usage error', async function () {
      const r = await runCli(['scan', '--fix', '--diff', '.'], tree({ 'a.py': 'x = 1\n' }));
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /--fix or --diff/);
    });
  });

  describe('stdin (PATH -)', function () {
    it('analyses stdin under --stdin-filename, with that file\'s pyproject settings and the project\'s other modules', async function () {
      const root = tree({
        'pyproject.toml': '[tool.dynamo-guard]\nignore = ["DG201"]\n',
        'svc/auth.py': 'def who_is_calling(token):\n    raise NotImplementedError\n',
        'svc/app.py': '# on disk: not what is analysed\n',
      });
      const r = await runWithInput(['scan', '-', '--stdin-filename', 'svc/app.py', '--format', 'json'], root, SMOKE_SAMPLE);
      assert.strictEqual(r.code, 1, r.stderr);
      const report = parseReport(r);
      assert.deepStrictEqual(report.findings.map((f) => `${f.path}:${f.line}:${f.rule}`), ['svc/app.py:6:DG102', 'svc/app.py:7:DG101']);
    });

    it('without --stdin-filename the path is "-"', async function () {
      const r = await runWithInput(['scan', '-'], tree({}), SMOKE_SAMPLE);
      assert.strictEqual(r.code, 1);
      assert.match(r.stdout, /^-:7:\d+: DG101 /m);
    });

    it('--fix writes the fixed source to stdout and the report to stderr; --diff writes the diff', async function () {
      const root = tree({});
      const fix = await runWithInput(['scan', '-', '--stdin-filename', 'app.py', '--fix'], root, FIXABLE);
      assert.strictEqual(fix.code, 0, fix.stderr);
      assert.match(fix.stdout, /^import boto3\n/);
      assert.match(fix.stdout, /ExpressionAttributeNames=\{"#name": "name"\}/);
      assert.match(fix.stderr, /^0 findings/m);
      assert.ok(!fs.existsSync(path.join(root, 'app.py')), 'stdin mode never writes the named file');
      const diff = await runWithInput(['scan', '-', '--stdin-filename', 'app.py', '--diff'], root, FIXABLE);
      assert.strictEqual(diff.code, 1);
      assert.match(diff.stdout, /^--- a\/app\.py\n\+\+\+ b\/app\.py\n/);
    });

    it('"-" with other paths is a usage error', async function () {
      const r = await runCli(['scan', '-', 'x.py'], tree({ 'x.py': 'x = 1\n' }));
      assert.strictEqual(r.code, 2);
    });
  });

  describe('--baseline / --write-baseline', function () {
    const OTHER_ROUTE = ['', '@app.route("/orders/<order_id>")', 'def get_order(order_id):', '    return table.get_item(Key={"order_id": order_id})["Item"]', ''].join('\n');

    it('a baseline survives edits above and around its findings; a new finding is reported', async function () {
      const root = tree({ 'src/app.py': SMOKE_SAMPLE, 'src/other.py': SMOKE_SAMPLE });
      const written = await runCli(['scan', 'src', '--select', 'DG101,DG102', '--write-baseline', '.dynamo-guard-baseline.json'], root);
      assert.strictEqual(written.code, 0, 'writing a baseline accepts the current findings');
      const baseline = JSON.parse(fs.readFileSync(path.join(root, '.dynamo-guard-baseline.json'), 'utf8')) as { findings: Array<{ rule: string; path: string; count: number }> };
      assert.deepStrictEqual(baseline.findings.map((f) => `${f.path}:${f.rule}:${f.count}`).sort(), ['src/app.py:DG101:1', 'src/app.py:DG102:1', 'src/other.py:DG101:1', 'src/other.py:DG102:1']);

      // Lines added above, a reindented neighbour, an unrelated edit: still nothing new.
      const edited = `"""Service module."""\nimport os\n\n${SMOKE_SAMPLE.replace('app = Flask(__name__)', 'app = Flask(__name__)  # the app\nDEBUG = os.environ.get("DEBUG")')}`;
      fs.writeFileSync(path.join(root, 'src', 'app.py'), edited);
      const quiet = await runCli(['scan', 'src', '--select', 'DG101,DG102', '--baseline', '.dynamo-guard-baseline.json', '--format', 'json'], root);
      assert.strictEqual(quiet.code, 0, quiet.stdout);
      assert.deepStrictEqual(parseReport(quiet).findings, []);
      assert.match(quiet.stderr, /4 findings already in the baseline/);

      // A new route with the same flaw: its findings (and only they) are new.
      fs.writeFileSync(path.join(root, 'src', 'app.py'), edited + OTHER_ROUTE);
      const fresh = await runCli(['scan', 'src', '--select', 'DG101,DG102', '--baseline', '.dynamo-guard-baseline.json', '--format', 'json'], root);
      assert.strictEqual(fresh.code, 1);
      const lines = edited.split('\n').length;
      assert.deepStrictEqual(parseReport(fresh).findings.map((f) => `${f.path}:${f.line}:${f.rule}`), [`src/app.py:${lines + 2}:DG102`, `src/app.py:${lines + 3}:DG101`]);
    });

    it('counts duplicates: two identical findings in the baseline absorb two, a third is new', async function () {
      const dup = (n: number) => SMOKE_SAMPLE + Array.from({ length: n - 1 }, (_, i) => `@app.route("/u${i}/<user_id>")\ndef get_user(user_id):\n    return table.get_item(Key={"user_id": user_id})["Item"]\n`).join('');
      const root = tree({ 'app.py': dup(2) });
      await runCli(['scan', '.', '--select', 'DG101,DG102', '--write-baseline', 'bl/baseline.json'], root);
      const baseline = JSON.parse(fs.readFileSync(path.join(root, 'bl', 'baseline.json'), 'utf8')) as { findings: Array<{ rule: string; path: string; count: number }> };
      assert.deepStrictEqual(baseline.findings.map((f) => `${f.path}:${f.rule}:${f.count}`).sort(), ['../app.py:DG101:2', '../app.py:DG102:2']);
      const same = await runCli(['scan', '.', '--select', 'DG101,DG102', '--baseline', 'bl/baseline.json'], root);
      assert.strictEqual(same.code, 0, same.stdout);
      fs.writeFileSync(path.join(root, 'app.py'), dup(3));
      const more = await runCli(['scan', '.', '--select', 'DG101,DG102', '--baseline', 'bl/baseline.json', '--format', 'json'], root);
      assert.strictEqual(more.code, 1);
      assert.deepStrictEqual(parseReport(more).findings.map((f) => f.rule).sort(), ['DG101', 'DG102']);
      // Paths are relative to the baseline's folder: the same baseline works from a subfolder.
      const fromBl = await runCli(['scan', '..', '--select', 'DG101,DG102', '--baseline', 'baseline.json', '--format', 'json'], path.join(root, 'bl'));
      assert.strictEqual(parseReport(fromBl).findings.length, 2);
    });

    it('a missing or malformed baseline exits 2', async function () {
      const root = tree({ 'app.py': SMOKE_SAMPLE, 'bad.json': '{"findings": 3}' });
      const missing = await runCli(['scan', '.', '--baseline', 'nope.json'], root);
      assert.strictEqual(missing.code, 2);
      assert.match(missing.stderr, /cannot read baseline nope\.json/);
      const bad = await runCli(['scan', '.', '--baseline', 'bad.json'], root);
      assert.strictEqual(bad.code, 2);
      assert.match(bad.stderr, /not a DynamoGuard baseline/);
    });
  });

  describe('--format github', function () {
    it('prints one escaped workflow command per finding', async function () {
      const root = tree({ 'we,ird:dir/app.py': SMOKE_SAMPLE });
      const r = await runCli(['scan', '--format', 'github', '--select', 'DG101,DG102', '.'], root);
      assert.strictEqual(r.code, 1);
      const commands = r.stdout.split('\n').filter((l) => l.startsWith('::'));
      assert.strictEqual(commands.length, 2, r.stdout);
      const col = SMOKE_SAMPLE.split('\n')[6]!.indexOf('get_item') + 1;
      assert.strictEqual(
        commands[1]!.split('::').slice(0, 2).join('::'),
        `::error file=we%2Cird%3Adir/app.py,line=7,col=${col},endLine=7,endColumn=${col + 'get_item'.length},title=DG101`,
      );
      assert.match(commands[0]!, /^::warning file=[^:]+,line=6,col=5,endLine=6,endColumn=13,title=DG102::Handler `get_user`/);
    });
  });
});
