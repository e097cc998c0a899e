// Rule findings kept per function (analysis/ruleRuns.ts): an edited document re-runs the
// function-scoped rules only over the functions whose facts changed. Whatever is reused must be
// what a fresh analysis of the same text reports: ranges, messages, related locations and fixes.

import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, type Finding, type PyDocument } from '../../server/out/analysis';
import { isFunctionScoped } from '../../server/out/analysis/ruleRuns';

const fixtures = path.join(__dirname, '..', '..', 'test', 'fixtures', 'rules');

const pos = (p: { line: number; character: number }) => `${p.line}:${p.character}`;
function show(findings: Finding[], withFixes: boolean): string[] {
  return findings.map((f) => {
    const related = f.related.map((r) => `${pos(r.range.start)}-${pos(r.range.end)}${r.path ?? ''} ${r.message}`).join(' | ');
    const fixes = withFixes ? ' ' + JSON.stringify(f.fixes) : '';
    return `${pos(f.range.start)}-${pos(f.range.end)} ${f.rule} ${f.message} [${related}]${fixes}`;
  });
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('per-function rule findings (ruleRuns)', function () {
  this.timeout(300000);
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });
  const files = fs.readdirSync(fixtures).filter((f) => f.endsWith('.py')).sort();

  it('covers the expression and handler rules, not the whole-text ones', () => {
    for (const code of ['DG204', 'DG304', 'DG402']) assert.ok(isFunctionScoped(code), code);
    for (const code of ['DG101', 'DG301', 'DG102', 'DG201', 'DG203', 'DG401', 'DG501', 'DG502']) assert.ok(!isFunctionScoped(code), code);
  });

  it('running rules function by function, then reusing them, reports what one run over the file does (every rule fixture)', () => {
    for (const file of files) {
      const text = fs.readFileSync(path.join(fixtures, file), 'utf8');
      const fresh = show(analyzer.analyzeText(text).findings, true);
      const doc = analyzer.createDocument(text);
      try {
        analyzer.analyzeDocument(doc);
        // Second run: function by function (nothing kept yet); third: every function's findings reused.
        assert.deepStrictEqual(show(analyzer.analyzeDocument(doc).findings, true), fresh, `${file}: function by function`);
        assert.deepStrictEqual(show(analyzer.analyzeDocument(doc).findings, true), fresh, `${file}: reused`);
      } finally {
        doc.dispose();
      }
    }
  });

  it('random one-character edits over many functions and classes: incremental == fresh, fixes included (seed 9)', () => {
    // One long module from many fixtures: edits above a function move its reused findings.
    const picked = files.filter((f) => /^DG(1|2|3|40)/.test(f)).slice(0, 25);
    const text = picked.map((f) => fs.readFileSync(path.join(fixtures, f), 'utf8')).join('\n\n');
    const rnd = prng(9);
    const doc: PyDocument = analyzer.createDocument(text);
    try {
      analyzer.analyzeDocument(doc);
      const chars = ['x', 'a', '_', '"', '\n', ' ', '(', '#'];
      for (let i = 0; i < 80; i++) {
        const lines = doc.text.split('\n');
        const line = Math.floor(rnd() * lines.length);
        const ch = Math.floor(rnd() * ((lines[line]?.length ?? 0) + 1));
        const remove = rnd() < 0.4 && ch < (lines[line]?.length ?? 0);
        const insert = remove ? '' : chars[Math.floor(rnd() * chars.length)]!;
        doc.applyChanges([{ range: { start: { line, character: ch }, end: { line, character: remove ? ch + 1 : ch } }, text: insert }]);
        const withFixes = i % 10 === 0;
        const incremental = show(analyzer.analyzeDocument(doc).findings, withFixes);
        assert.deepStrictEqual(incremental, show(analyzer.analyzeText(doc.text).findings, withFixes), `after edit ${i} (line ${line})`);
      }
    } finally {
      doc.dispose();
    }
  });
});
