import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, type Finding } from '../../server/out/analysis';

// Bad input never takes the analyzer down, and incremental analysis always equals a fresh one.

const fixtures = path.join(__dirname, '..', '..', 'test', 'fixtures', 'rules');

function key(findings: Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.rule} ${f.message}`);
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

describe('robustness', () => {
  let analyzer: Analyzer;
  before(async () => {
    analyzer = await Analyzer.create();
  });

  const pathological: Record<string, string> = {
    'deeply nested parentheses': 'x = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + '\n',
    'a 20,000-term sum': 'x = ' + Array(20000).fill('a').join(' + ') + '\n',
    'a 20,000-way or in a guard': 'def f(a):\n    if ' + Array(20000).fill('a').join(' or ') + ':\n        raise Forbidden()\n',
    '400 nested ifs': Array.from({ length: 400 }, (_, i) => ' '.repeat(i) + 'if x:\n').join('') + ' '.repeat(400) + 'pass\n',
    '3,000 nested calls': 'x = ' + 'f('.repeat(3000) + ')'.repeat(3000) + '\n',
    'syntax error mid-edit': 'import boto3\ntable = boto3.resource("dynamodb").Table("t")\ndef f(:\n  table.get_item(Key={"id": \n',
    'only garbage': ')]}:::@@@\\\n"""',
    'empty': '',
    'CRLF line endings': 'import boto3\r\nfrom flask import Flask\r\napp = Flask(__name__)\r\nt = boto3.resource("dynamodb").Table("t")\r\n@app.route("/u/<uid>")\r\ndef g(uid):\r\n    return t.get_item(Key={"id": uid})["Item"]\r\n',
  };
  for (const [name, text] of Object.entries(pathological)) {
    it(`survives ${name}`, () => {
      const result = analyzer.analyzeText(text);
      assert.ok(Array.isArray(result.findings));
    });
  }

  it('reports CRLF files at the right lines', () => {
    const r = analyzer.analyzeText(pathological['CRLF line endings']!);
    assert.ok(r.findings.some((f) => f.rule === 'DG101' && f.range.start.line === 6), JSON.stringify(key(r.findings)));
  });

  it('skips binary and oversized text with a reason instead of analysing it', () => {
    assert.match(analyzer.analyzeText('x = 1\u0000\n').skipped ?? '', /binary/);
    assert.match(analyzer.analyzeText('x = 1\n'.repeat(300000)).skipped ?? '', /limit/);
  });

  it('random edits (insertions, deletions, line joins) never throw and incremental == fresh analysis', () => {
    const files = fs.readdirSync(fixtures).filter((f) => f.endsWith('.py')).sort().slice(0, 6);
    const rnd = prng(42);
    const alphabet = ['x', '(', ')', ':', '\n', '    ', '"', "'", '#', ' = ', 'if ', 'get_item', ',', '{', '}', '[', ']', '.', 'await ', 'def '];
    for (const file of files) {
      const doc = analyzer.createDocument(fs.readFileSync(path.join(fixtures, file), 'utf8'));
      try {
        for (let i = 0; i < 40; i++) {
          const lines = doc.text.split('\n');
          const line = Math.floor(rnd() * lines.length);
          const ch = Math.floor(rnd() * ((lines[line]?.length ?? 0) + 1));
          const del = rnd() < 0.4 ? Math.floor(rnd() * 6) : 0;
          const endLine = del && rnd() < 0.2 ? Math.min(lines.length - 1, line + 1) : line;
          const endCh = endLine === line ? Math.min((lines[line]?.length ?? 0), ch + del) : Math.min(lines[endLine]!.length, del);
          const insert = rnd() < 0.7 ? alphabet[Math.floor(rnd() * alphabet.length)]! : '';
          doc.applyChanges([{ range: { start: { line, character: ch }, end: { line: endLine, character: endCh } }, text: insert }]);
          const incremental = analyzer.analyzeDocument(doc);
          const fresh = analyzer.analyzeText(doc.text);
          assert.deepStrictEqual(key(incremental.findings), key(fresh.findings), `${file} after edit ${i}`);
        }
      } finally {
        doc.dispose();
      }
    }
  });
});
