// One parse per file (issue 9): the mirror is built with ids and offsets only (rows and columns
// derived from the line table), and a scan's analysis reuses the summary pass's mirror. Both must
// be invisible in results: same nodes as tree-sitter's own API, same report whatever is kept.

import * as assert from 'assert';
import * as path from 'path';
import type { Node as TSNode } from 'web-tree-sitter';
import { Analyzer, type PyDocument } from '../../server/out/analysis';
import { createParser } from '../../server/out/analysis/parse/parser';
import { keepBudgetKb } from '../../server/out/cli/pool';
import type { SyntaxNode } from '../../server/out/analysis/parse/syntax';
import { parseReport, runCli } from './helpers/cliTree';

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ':', ';', '.', 'comment', '->', '@']);

/** The nodes the mirror keeps, read through tree-sitter's Node API (every property from wasm). */
function reference(node: TSNode, field: string | null): unknown {
  const kids: unknown[] = [];
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i)!;
    if (c.type === 'comment' || (!c.isNamed && PUNCTUATION.has(c.type))) continue;
    kids.push(reference(c, node.fieldNameForChild(i)));
  }
  const s = node.startPosition;
  const e = node.endPosition;
  return [node.type, node.isNamed, field, node.startIndex, node.endIndex, s.row, s.column, e.row, e.column, node.hasError, kids];
}

function mirrored(n: SyntaxNode): unknown {
  return [n.type, n.named, n.field, n.start, n.end, n.startRow, n.startCol, n.endRow, n.endCol, n.hasError, n.children.map(mirrored)];
}

const SAMPLES = [
  'x = "é😀" + f(a, b=1)  # comment\ny = [i for i in range(3)]\n',
  'def f(a,\r\n      b):\r\n    return a[b]\r\n',
  'class A(:\n\tpass\ndef g(x\n    return {"k": x\n',
  'if x:\n    y = (1 +\nz = 3\n',
  's = "😀😀" ; t = s[1:]\nasync def h():\n    await q.query(KeyConditionExpression=Key("pk").eq(1))\n',
  'x = 1\ry = 2\rdef f():\r    return x\r',
];

describe('one parse per file', function () {
  this.timeout(120000);

  it('the mirror equals tree-sitter\'s node API on every kept node (types, fields, offsets, rows, columns, errors)', async function () {
    const analyzer = await Analyzer.create();
    const parser = await createParser();
    for (const text of SAMPLES) {
      const doc: PyDocument = analyzer.createDocument(text);
      const tree = parser.parse(doc.text)!;
      const expected: unknown[] = [];
      for (let i = 0; i < tree.rootNode.childCount; i++) {
        const c = tree.rootNode.child(i)!;
        if (c.type !== 'comment') expected.push(reference(c, null));
      }
      assert.deepStrictEqual(doc.units.map((u) => mirrored(u.node)), expected, JSON.stringify(text));
      tree.delete();
      doc.dispose();
      doc.dispose();
    }
  });

  it('a scan gives the same report whether mirrors are kept between passes or not, with 1 or 2 processes', async function () {
    const fixtures = path.join(__dirname, '..', 'fixtures', 'rules');
    const scan = async (env: NodeJS.ProcessEnv, jobs: string) => {
      const r = await runCli(['scan', '.', '--format', 'json', '--no-cache', '--jobs', jobs], fixtures, env);
      const report = parseReport(r) as unknown as Record<string, unknown>;
      delete report['durationMs'];
      return JSON.stringify(report);
    };
    const none = await scan({ DYNAMO_GUARD_KEEP_KB: '0' }, '1');
    assert.ok(JSON.parse(none).findings.length > 100);
    assert.strictEqual(await scan({ DYNAMO_GUARD_KEEP_KB: '100000' }, '1'), none);
    assert.strictEqual(await scan({ DYNAMO_GUARD_KEEP_KB: '100000' }, '2'), none);
  });

  it('a scan in the CLI\'s own process reports the same as one on worker processes (json and text)', async function () {
    const fixtures = path.join(__dirname, '..', 'fixtures', 'rules');
    const scan = async (inProcess: string, format: string) => {
      const r = await runCli(['scan', '.', '--format', format, '--no-cache', '--exit-zero'], fixtures, { DYNAMO_GUARD_IN_PROCESS: inProcess });
      return format === 'json' ? JSON.stringify({ ...(parseReport(r) as unknown as Record<string, unknown>), durationMs: 0 }) : r.stdout.replace(/\d+ ms\n$/, 'ms\n');
    };
    for (const format of ['json', 'text']) {
      const workers = await scan('0', format);
      assert.ok(workers.length > 10000, format);
      assert.strictEqual(await scan('1', format), workers, format);
    }
  });

  it('the default keep budget is shared among the processes and shrinks with free memory; the variable overrides it', function () {
    const GB = 1024 ** 3;
    assert.strictEqual(keepBudgetKb({}, 1, 8 * GB), 512);
    assert.strictEqual(keepBudgetKb({}, 2, 8 * GB), 256);
    assert.strictEqual(keepBudgetKb({}, 8, 8 * GB), 64);
    // 256 MB free: a sixteenth is 16 MB, ~190 KB of source as mirrors, split between two processes.
    assert.strictEqual(keepBudgetKb({}, 2, 256 * 1024 ** 2), 96);
    assert.strictEqual(keepBudgetKb({}, 1, 0), 0);
    assert.strictEqual(keepBudgetKb({ DYNAMO_GUARD_KEEP_KB: '4096' }, 4, 0), 4096);
    assert.strictEqual(keepBudgetKb({ DYNAMO_GUARD_KEEP_KB: 'lots' }, 1, 8 * GB), 512);
  });
});
