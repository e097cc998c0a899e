import * as assert from 'assert';
import { Analyzer, InMemoryWorkspaceIndex, summarizeDocument } from '../../server/out/analysis';
import { DEFAULT_SETTINGS } from '../../server/out/analysis/config/config';
import { annotationProblems, PROJECTS_DIR, projectFiles, projectNames } from './helpers/projects';
import * as path from 'path';

// Layered fixture projects, analysed with the whole project indexed (the CLI's two passes):
// findings of layered code anchor on the handler's call into the layer, defects of the layer
// itself stay there, and nothing else is reported.

describe('layered fixture projects (test/fixtures/projects, whole project indexed)', function () {
  this.timeout(60_000);
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });

  it('has at least 5 projects', () => {
    assert.ok(projectNames().length >= 5, `projects: ${projectNames().join(', ')}`);
  });

  for (const name of projectNames()) {
    it(name, () => {
      const root = path.join(PROJECTS_DIR, name);
      const files = projectFiles(name);
      const index = new InMemoryWorkspaceIndex([root]);
      for (const f of files) {
        const doc = analyzer.createDocument(f.text);
        try {
          index.set(f.abs, summarizeDocument(doc, DEFAULT_SETTINGS, f.abs));
        } finally {
          doc.dispose();
        }
      }
      const problems: string[] = [];
      let expects = 0;
      for (const f of files) {
        expects += f.annotations.expect.length;
        assert.deepStrictEqual(f.annotations.errors, [], `${f.rel}: bad annotations`);
        const result = analyzer.analyzeText(f.text, { path: f.abs, workspace: index });
        assert.strictEqual(result.errors, undefined, `${f.rel}: ${result.errors?.join('; ')}`);
        problems.push(...annotationProblems(f, result.findings.map((x) => ({ line: x.range.start.line, rule: x.rule, message: x.message }))));
      }
      assert.ok(expects >= 3, `${name}: only ${expects} expectations`);
      assert.deepStrictEqual(problems, []);
    });
  }

  it('names ownership evidence found in another module (xmod_ownership: intake.py writes, desk.py reads)', () => {
    const root = path.join(PROJECTS_DIR, 'xmod_ownership');
    const files = projectFiles('xmod_ownership');
    const index = new InMemoryWorkspaceIndex([root]);
    for (const f of files) {
      const doc = analyzer.createDocument(f.text);
      try {
        index.set(f.abs, summarizeDocument(doc, DEFAULT_SETTINGS, f.abs));
      } finally {
        doc.dispose();
      }
    }
    const desk = files.find((f) => f.rel === 'helpdesk/desk.py')!;
    const writeLine = files.find((f) => f.rel === 'helpdesk/intake.py')!.text.split('\n').findIndex((l) => l.includes('"owner": user["sub"]')) + 1;
    const result = analyzer.analyzeText(desk.text, { path: desk.abs, workspace: index });
    const bola = result.findings.filter((f) => f.rule === 'DG101');
    assert.strictEqual(bola.length, 3, bola.map((f) => f.message).join('\n'));
    for (const f of bola) assert.ok(f.message.endsWith(`Items of \`cases\` are written with \`owner = user["sub"]\` at intake.py:${writeLine}.`), f.message);
    // Without the writing module nothing says the items are owned: the read is not reported (writes still are, without evidence).
    const alone = analyzer.analyzeText(desk.text, { path: desk.abs, workspace: new InMemoryWorkspaceIndex([root]) });
    const left = alone.findings.filter((f) => f.rule === 'DG101');
    assert.deepStrictEqual(left.map((f) => f.message.split(' ')[0]).sort(), ['`delete_item`', '`update_item`']);
    assert.ok(left.every((f) => !f.message.includes('Items of')));
  });

  it('a layered finding leads call by call to the DynamoDB call (related information)', () => {
    const files = projectFiles('fastapi_layers');
    const root = path.join(PROJECTS_DIR, 'fastapi_layers');
    const index = new InMemoryWorkspaceIndex([root]);
    const router = files.find((f) => f.rel === 'app/routers/invoices.py')!;
    const result = analyzer.analyzeText(router.text, { path: router.abs, workspace: index });
    const bola = result.findings.find((f) => f.rule === 'DG201' && f.message.includes('get_item'))!;
    assert.ok(bola, 'DG201 on the read');
    const messages = bola.related.map((r) => r.message);
    assert.ok(messages.some((m) => /which calls `_load` \(\.\.\/services\/invoices\.py:\d+\)/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /which calls `get` \(\.\.\/services\/invoices\.py:\d+\)/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /The DynamoDB call `get_item` is made here \(\.\.\/repositories\/invoices\.py:9\)/.test(m)), messages.join('\n'));
    // The fix would edit another file: none is offered from the router.
    assert.deepStrictEqual(bola.fixes, []);
  });
});
