// Jupyter notebooks: the shared cell <-> module mapping (analysis/notebook.ts), the CLI on an
// .ipynb as a process (positions per cell, "cell" in JSON, `path:cell N:line:col` in text), and
// the language server with LSP 3.17 notebook synchronisation (diagnostics per cell, a quick fix
// landing in the right cell).

import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { notebook } from '../../server/out/analysis';
import { makeTree, parseReport, removeTree, runCli } from './helpers/cliTree';
import { applyTextEdits, editsFor, fileUri, LspClient } from './helpers/lspClient';

/** Cell sources (index = position in the notebook); `null` marks a markdown cell. */
const CELLS: Array<string | null> = [
  null,
  ['import boto3', 'from flask import Flask', '%matplotlib inline', 'app = Flask(__name__)', 'table = boto3.resource("dynamodb").Table("users")'].join('\n'),
  null,
  ['@app.route("/users/<user_id>")', 'def get_user(user_id):', '    return table.get_item(Key={"user_id": user_id})["Item"]', ''].join('\n'),
  '!pip install boto3',
];
const GET_ITEM = { cell: 3, line: 2, character: CELLS[3]!.split('\n')[2]!.indexOf('get_item') };
const DEF = { cell: 3, line: 1 };

function ipynb(cells: Array<string | null>): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
    cells: cells.map((c) =>
      c === null
        ? { cell_type: 'markdown', metadata: {}, source: ['# Notes\n', 'Not code.'] }
        // nbformat stores source as a list of lines, each but the last ending in a newline.
        : { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: c.split(/(?<=\n)/) },
    ),
  }, null, 1);
}

describe('notebooks', function () {
  this.timeout(30000);

  describe('cell <-> module mapping (analysis/notebook.ts)', () => {
    const cells = CELLS.flatMap((c, index) => (c === null ? [] : [{ index, text: c }]));
    const nb = notebook.notebookModule(cells);

    it('joins code cells in order, magics become same-length comments', () => {
      const lines = nb.text.split('\n');
      assert.equal(lines[2], '#matplotlib inline');
      assert.equal(lines.length - 1, 5 + 3 + 1);
      assert.equal(lines[8], '#pip install boto3');
    });

    it('maps ranges both ways, and refuses an edit spanning two cells', () => {
      const r = notebook.toCellRange(nb, { start: { line: 7, character: 11 }, end: { line: 7, character: 19 } });
      assert.deepEqual(r, { cell: 3, range: { start: { line: 2, character: 11 }, end: { line: 2, character: 19 } } });
      assert.deepEqual(notebook.toModuleRange(nb, 3, r!.range), { start: { line: 7, character: 11 }, end: { line: 7, character: 19 } });
      assert.equal(notebook.toModuleRange(nb, 0, r!.range), undefined, 'a markdown cell is not in the module');
      const across = [{ range: { start: { line: 4, character: 0 }, end: { line: 6, character: 0 } }, newText: '' }];
      assert.equal(notebook.toCellEdits(nb, across), undefined);
      const inside = notebook.toCellEdits(nb, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, newText: '# x\n' }]);
      assert.deepEqual([...inside!.entries()], [[3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '# x\n' }]]]);
    });

    it('reads .ipynb JSON (source as a list or a string) and rejects what is not a Python notebook', () => {
      const parsed = notebook.parseIpynb(ipynb(CELLS));
      assert.ok(parsed.ok);
      assert.deepEqual(parsed.cells.map((c) => c.index), [1, 3, 4]);
      assert.equal(parsed.cells[1]!.text, CELLS[3]);
      assert.equal(notebook.parseIpynb('{"cells": [{"cell_type": "code", "source": "x = 1"}]}').ok, true);
      assert.match((notebook.parseIpynb('{nope') as { message: string }).message, /not a valid notebook/);
      assert.match((notebook.parseIpynb('{"metadata": {"language_info": {"name": "R"}}, "cells": []}') as { message: string }).message, /not Python/);
    });
  });

  describe('CLI on an .ipynb (a process)', () => {
    let root: string;
    before(() => {
      root = makeTree({ 'analysis.ipynb': ipynb(CELLS), 'broken.ipynb': '{"cells": ', 'lib/plain.py': 'x = 1\n' });
    });
    after(() => removeTree(root));

    it('JSON: findings carry the 1-based cell and lines/columns inside the cell; a broken notebook is an error', async () => {
      const result = await runCli(['scan', '.', '--format', 'json'], root);
      const report = parseReport(result);
      const nbFindings = report.findings.filter((f) => f.path === 'analysis.ipynb') as Array<(typeof report.findings)[number] & { cell?: number }>;
      const at = nbFindings.map((f) => `${f.rule}@${f.cell}:${f.line}:${f.column}`).sort();
      const getItem = `${GET_ITEM.cell + 1}:${GET_ITEM.line + 1}:${GET_ITEM.character + 1}`;
      assert.deepEqual(at, [`DG101@${getItem}`, `DG102@${DEF.cell + 1}:${DEF.line + 1}:5`, `DG201@${getItem}`]);
      assert.deepEqual(report.errors.map((e) => e.path), ['broken.ipynb']);
      assert.equal(result.code, 1);
      // Fix edits are in the cell's coordinates too.
      const dg101 = nbFindings.find((f) => f.rule === 'DG101')!;
      for (const fix of dg101.fixes) for (const e of fix.edits) assert.ok(e.line >= 1 && e.line <= 4, JSON.stringify(e));
    });

    it('module-level cells (no function) get the expression rules, with the fix in the cell', async () => {
      const cells = [
        'import boto3\nsensors = boto3.resource("dynamodb").Table("sensors")',
        'sensors.update_item(\n    Key={"sensor_id": "s-1"},\n    UpdateExpression="SET reading = :r, unit = :u",\n    ExpressionAttributeValues={":r": 21, ":u": "C"},\n)',
      ];
      const tree = makeTree({ 'explore.ipynb': ipynb(cells) });
      try {
        const report = parseReport(await runCli(['scan', 'explore.ipynb', '--format', 'json'], tree));
        const findings = report.findings as Array<(typeof report.findings)[number] & { cell?: number }>;
        assert.deepEqual(findings.map((f) => `${f.rule}@${f.cell}:${f.line}:${f.column}`), ['DG402@2:3:41']);
        const edits = findings[0]!.fixes[0]!.edits;
        assert.ok(edits.length > 0 && edits.every((e) => e.line >= 1 && e.line <= 5), JSON.stringify(edits));
      } finally {
        removeTree(tree);
      }
    });

    it('SARIF: notebook results name their cell (logical location and property)', async () => {
      const result = await runCli(['scan', 'analysis.ipynb', '--format', 'sarif'], root);
      type Result = { ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } }; logicalLocations?: Array<{ name: string; kind: string }> }>; properties?: { cell?: number } };
      const results = (JSON.parse(result.stdout) as { runs: Array<{ results: Result[] }> }).runs[0]!.results;
      const dg101 = results.find((r) => r.ruleId === 'DG101')!;
      assert.deepEqual(dg101.locations[0]!.logicalLocations, [{ name: `cell ${GET_ITEM.cell + 1}`, kind: 'notebookCell' }]);
      assert.equal(dg101.properties?.cell, GET_ITEM.cell + 1);
      assert.equal(dg101.locations[0]!.physicalLocation.region.startLine, GET_ITEM.line + 1);
    });

    it('text: path:cell N:line:col', async () => {
      const result = await runCli(['scan', 'analysis.ipynb'], root);
      assert.match(result.stdout, new RegExp(`^analysis\\.ipynb:cell ${GET_ITEM.cell + 1}:${GET_ITEM.line + 1}:${GET_ITEM.character + 1}: DG101 `, 'm'));
      assert.match(result.stdout, /^analysis\.ipynb:cell 4:2:5: DG102 /m);
      assert.equal(result.code, 1);
    });
  });

  describe('language server: LSP notebook synchronisation', () => {
    const nbUri = fileUri(path.join(os.tmpdir(), 'dg-notebooks', 'analysis.ipynb'));
    const cellUri = (i: number) => `vscode-notebook-cell:${nbUri.slice('file:'.length)}#W${i}sZmlsZQ%3D%3D`;
    let client: LspClient;
    const published = (uri: string, predicate: (d: Diagnostic[]) => boolean, since = 0) =>
      client.waitFor<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri && predicate(p.diagnostics), { since, timeoutMs: 15000 });

    before(async () => {
      client = await LspClient.start({ notebooks: true, settings: { debounceMs: 0 } });
    });
    after(async () => {
      await client.stop();
    });

    it('announces notebookDocumentSync for Python cells of Jupyter notebooks', () => {
      const sync = client.initializeResult.capabilities.notebookDocumentSync as { notebookSelector: Array<{ notebook: { notebookType: string }; cells: Array<{ language: string }> }> };
      assert.equal(sync.notebookSelector[0]!.notebook.notebookType, 'jupyter-notebook');
      assert.deepEqual(sync.notebookSelector[0]!.cells, [{ language: 'python' }]);
    });

    it('analyses the code cells as one module: diagnostics per cell, positions in the cell', async () => {
      await client.conn.sendNotification('notebookDocument/didOpen', {
        notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: 1, cells: CELLS.map((c, i) => ({ kind: c === null ? 1 : 2, document: cellUri(i) })) },
        cellTextDocuments: CELLS.map((c, i) => ({ uri: cellUri(i), languageId: c === null ? 'markdown' : 'python', version: 1, text: c ?? '# Notes' })),
      });
      const p = await published(cellUri(3), (d) => d.some((x) => x.code === 'DG101'));
      const at = p.diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`).sort();
      assert.deepEqual(at, [`DG101@${GET_ITEM.line}:${GET_ITEM.character}`, `DG102@${DEF.line}:4`, `DG201@${GET_ITEM.line}:${GET_ITEM.character}`]);
      // The cell that defines `table` (used across cells) has nothing of its own; markdown cells get nothing.
      assert.equal(client.all<PublishDiagnosticsParams>('textDocument/publishDiagnostics').filter((x) => x.uri === cellUri(1) && x.diagnostics.length > 0).length, 0);
      assert.equal(client.all<PublishDiagnosticsParams>('textDocument/publishDiagnostics').filter((x) => x.uri === cellUri(0)).length, 0);
      // A pull for a cell (diagnostics are pushed) answers empty rather than duplicating them.
      assert.deepEqual(await client.pull(cellUri(3)), { kind: 'full', items: [] });
    });

    it('quick fixes asked on a cell edit that cell, in its coordinates', async () => {
      const p = client.all<PublishDiagnosticsParams>('textDocument/publishDiagnostics').filter((x) => x.uri === cellUri(3)).pop()!;
      const dg101 = p.diagnostics.find((d) => d.code === 'DG101')!;
      const actions = ((await client.codeActions(cellUri(3), dg101.range, [dg101])) ?? []) as CodeAction[];
      const disable = actions.find((a) => /Disable DG101/.test(a.title));
      assert.ok(disable, JSON.stringify(actions.map((a) => a.title)));
      const { edits, version } = editsFor(disable.edit, cellUri(3));
      assert.equal(version, 1, 'versioned against the cell document');
      assert.deepEqual(edits.map((e) => e.range.start.line), [GET_ITEM.line]);
      assert.match(applyTextEdits(CELLS[3]!, edits).split('\n')[GET_ITEM.line]!, /get_item.*# dynamo-guard: ignore\[DG101\]$/);
      // Every offered edit lands in a code cell of this notebook, versioned; the guard in cell 3,
      // before the read (a missing import may go to the cell that holds the imports).
      const cellTexts = new Map(CELLS.map((c, i) => [cellUri(i), c]));
      for (const a of actions) {
        for (const change of a.edit?.documentChanges ?? []) {
          const target = (change as { textDocument: { uri: string; version: number } }).textDocument;
          assert.ok(cellTexts.get(target.uri), `${a.title}: ${target.uri}`);
          assert.equal(target.version, 1);
        }
      }
      const fix = actions.find((a) => a.kind === 'quickfix' && a.isPreferred && a.edit);
      assert.ok(fix, 'a preferred fix for DG101');
      const fixed = applyTextEdits(CELLS[3]!, editsFor(fix.edit, cellUri(3)).edits).split('\n');
      const read = fixed.findIndex((l) => l.includes('get_item'));
      assert.ok(fixed.slice(0, read).some((l) => /abort\(403\)/.test(l)), fixed.join('\n'));
    });

    it('follows cell edits (positions move with the text) and clears the cells on close', async () => {
      const since = client.mark();
      // Two new lines at the top of cell 3 push its findings down by two.
      await client.conn.sendNotification('notebookDocument/didChange', {
        notebookDocument: { uri: nbUri, version: 2 },
        change: { cells: { textContent: [{ document: { uri: cellUri(3), version: 2 }, changes: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a\n# b\n' }] }] } },
      });
      const moved = await published(cellUri(3), (d) => d.some((x) => x.code === 'DG101' && x.range.start.line === GET_ITEM.line + 2), since);
      assert.ok(moved);
      const closed = client.mark();
      await client.conn.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: nbUri }, cellTextDocuments: CELLS.map((_, i) => ({ uri: cellUri(i) })) });
      await published(cellUri(3), (d) => d.length === 0, closed);
    });
  });
});

