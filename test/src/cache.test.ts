// The content-hash cache (CLI.md): a re-scan of unchanged files reuses the stored results and
// gives a byte-identical report; a change of content, configuration or of what an imported
// module exports is seen; --no-cache and --cache-dir work; corrupt entries and concurrent runs
// are harmless. The CLI runs as a process.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { SMOKE_SAMPLE, makeTree, parseReport, removeTree, runCli, type CliResult } from './helpers/cliTree';

/** db.py exports a table and (through create_table) its key schema: `user_id`, or `pk` when asked. */
const db = (key = 'user_id') => 'import boto3\ndynamodb = boto3.resource("dynamodb")\ntable = dynamodb.Table("users")\n' +
  `def create():\n    dynamodb.create_table(TableName="users", KeySchema=[{"AttributeName": "${key}", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "${key}", "AttributeType": "S"}])\n`;
/** Unchanged throughout: whether its key condition is valid depends on db.py's schema only. */
const HANDLER = 'from db import table\ndef count(v):\n    return table.query(KeyConditionExpression="pk = :v", ExpressionAttributeValues={":v": v})["Count"]\n';

function entries(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.json')) out.push(path.join(d, e.name));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** The report without its timing, which is the only thing allowed to differ. */
function stable(r: CliResult): string {
  const report = parseReport(r) as unknown as Record<string, unknown>;
  delete report['durationMs'];
  return JSON.stringify(report);
}

describe('content-hash cache', function () {
  this.timeout(90000);
  const trees: string[] = [];
  after(() => trees.forEach(removeTree));
  const project = () => {
    const root = makeTree({ 'pyproject.toml': '[tool.dynamo-guard]\n', 'db.py': db(), 'app.py': HANDLER, 'other.py': SMOKE_SAMPLE }, 'dg-cache-');
    trees.push(root);
    return root;
  };
  const cacheOf = (root: string) => path.join(root, '.dynamo-guard-cache');

  it('lives in the project root, ignores itself, and a warm run gives the same report from the cache', async function () {
    const root = project();
    const cold = await runCli(['scan', '--format', 'json'], root);
    assert.strictEqual(cold.code, 1, cold.stderr);
    const stored = entries(cacheOf(root));
    assert.ok(stored.length >= 3, `entries: ${stored.length}`);
    assert.strictEqual(fs.readFileSync(path.join(cacheOf(root), '.gitignore'), 'utf8').trim().split('\n').pop(), '*');
    const mtimes = stored.map((f) => fs.statSync(f).mtimeMs);
    const warm = await runCli(['scan', '--format', 'json'], root);
    assert.strictEqual(stable(warm), stable(cold));
    // Hits are read, not rewritten.
    assert.deepStrictEqual(stored.map((f) => fs.statSync(f).mtimeMs), mtimes);
  });

  it('a changed file, a changed configuration and a changed export of an imported module are all seen', async function () {
    const root = project();
    await runCli(['scan', '--format', 'json'], root);
    fs.writeFileSync(path.join(root, 'other.py'), SMOKE_SAMPLE.replace('get_item', 'delete_item'));
    let r = parseReport(await runCli(['scan', '--format', 'json'], root));
    assert.ok(r.findings.some((f) => f.path === 'other.py' && f.message.includes('delete_item')));
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.dynamo-guard]\nignore = ["DG102"]\n');
    r = parseReport(await runCli(['scan', '--format', 'json'], root));
    assert.ok(!r.findings.some((f) => f.rule === 'DG102'));
    // app.py is unchanged, but the key schema db.py exports changes: its DG404 must go.
    assert.ok(r.findings.some((f) => f.path === 'app.py' && f.rule === 'DG404'));
    fs.writeFileSync(path.join(root, 'db.py'), db('pk'));
    r = parseReport(await runCli(['scan', '--format', 'json'], root));
    assert.ok(!r.findings.some((f) => f.path === 'app.py'), JSON.stringify(r.findings));
  });

  it('a changed export invalidates the analyses of the files importing it, and only those', async function () {
    // repo.py's table binding is read only through imports; helpers.py imports repo.py, so
    // views.py (which imports helpers) depends on it transitively; other.py imports neither.
    const repo = (name: string) => `import boto3\norders = boto3.resource("dynamodb").Table("${name}")\n`;
    const root = makeTree({
      'pyproject.toml': '[tool.dynamo-guard]\n',
      'repo.py': repo('orders'),
      'helpers.py': 'from repo import orders\ndef fetch(order_id):\n    return orders.get_item(Key={"order_id": order_id})\n',
      'views.py': 'from flask import Flask\nfrom helpers import fetch\napp = Flask(__name__)\n@app.route("/orders/<oid>")\ndef show(oid):\n    return fetch(oid)\n',
      'other.py': SMOKE_SAMPLE,
    }, 'dg-cache-');
    trees.push(root);
    const analysed = (before: Set<string>) =>
      entries(cacheOf(root)).filter((f) => !before.has(f)).map((f) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { value?: { file?: string } }).value?.file).filter((f): f is string => !!f).map((f) => path.basename(f)).sort();
    const cold = await runCli(['scan', '--format', 'json'], root);
    assert.deepStrictEqual(analysed(new Set()), ['helpers.py', 'other.py', 'repo.py', 'views.py'], cold.stderr);
    const first = new Set(entries(cacheOf(root)));
    fs.writeFileSync(path.join(root, 'repo.py'), repo('orders_v2'));
    const warm = await runCli(['scan', '--format', 'json'], root);
    assert.deepStrictEqual(analysed(first), ['helpers.py', 'repo.py', 'views.py'], warm.stderr);
    // And the cached report equals a fresh one.
    assert.strictEqual(stable(warm), stable(await runCli(['scan', '--format', 'json', '--no-cache'], root)));
  });

  it('--no-cache writes nothing; --cache-dir puts it elsewhere', async function () {
    const root = project();
    await runCli(['scan', '--no-cache'], root);
    assert.ok(!fs.existsSync(cacheOf(root)));
    await runCli(['scan', '--cache-dir', 'elsewhere/c'], root);
    assert.ok(!fs.existsSync(cacheOf(root)));
    assert.ok(entries(path.join(root, 'elsewhere', 'c')).length >= 3);
  });

  it('corrupt, truncated or foreign entries are misses: same report, entries repaired', async function () {
    const root = project();
    const cold = await runCli(['scan', '--format', 'json'], root);
    const stored = entries(cacheOf(root));
    stored.forEach((f, i) => fs.writeFileSync(f, i % 3 === 0 ? '{"key": "' : i % 3 === 1 ? '' : '{"key":"other","value":{"ok":true,"findings":[]}}'));
    const again = await runCli(['scan', '--format', 'json'], root);
    assert.strictEqual(stable(again), stable(cold));
    for (const f of stored) assert.doesNotThrow(() => JSON.parse(fs.readFileSync(f, 'utf8')), f);
  });

  it('concurrent runs on one cache agree with a cache-less run and leave no temporary files', async function () {
    const root = project();
    const reference = stable(await runCli(['scan', '--format', 'json', '--no-cache'], root));
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['scan', '--format', 'json', '--jobs', '2'], root)));
    for (const r of runs) assert.strictEqual(stable(r), reference);
    const leftovers: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.tmp') && leftovers.push(e.name)));
    walk(cacheOf(root));
    assert.deepStrictEqual(leftovers, []);
  });
});
